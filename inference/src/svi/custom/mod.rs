//! [`svi_guide`]: fitting a custom guide (`#[guide]`) to a scenario.

mod batches;
mod blocked_passes;
mod coords;
mod elbo;
mod lanes;
mod point;
mod replay_blocks;

pub use lanes::GuideGradientMode;

use super::fit::{SviError, SviFit, SviOptions, validate};
use super::steps::optimize;
use crate::model_density::ModelDensity;
use coords::Coordinate;
use doppl_runtime::dist::Support;
use doppl_runtime::gradient::BlockThreads;
use doppl_runtime::guide::{Guide, GuideHandler, NoiseTape, ParamBlock};
use doppl_runtime::handler::Layout;
use doppl_runtime::subsample::SubsampledPlate;
use doppl_runtime::{Model, ModelError, Scenario};
use elbo::{GuideElbo, Placement};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Why a guide does not fit a scenario's latent sites.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GuideMismatch {
    /// The guide draws a site the scenario conditions or intervenes on.
    #[error(
        "the guide draws it, but the scenario conditions or intervenes on it; leave it out of the guide (list it in `observed(..)`) or leave it latent in the scenario"
    )]
    NotLatent,
    /// A latent site of the scenario is not drawn by the guide.
    #[error(
        "it is latent in the scenario but the guide does not draw it; condition it (the guide lists it as observed) or draw it in the guide"
    )]
    NotDrawn,
    /// The guide draws another number of values than the site has.
    #[error("the guide draws {found} values, the site has {expected}; draw it on the same plate")]
    Length {
        /// The site's number of unconstrained values.
        expected: usize,
        /// The guide's.
        found: usize,
    },
    /// The model and the guide subsample the plate (named in the error's `site`) with other
    /// batch sizes, or only one of them does while the other subsamples another plate.
    #[error(
        "the model subsamples this plate with batches of {}, the guide with {}; declare the same `plate!(n, subsample = b)` in both (or subsample no plate in the guide, which then runs on whole plates)",
        batch_size(model),
        batch_size(guide)
    )]
    Batch {
        /// The model's batch size (`None`: not subsampled).
        model: Option<usize>,
        /// The guide's.
        guide: Option<usize>,
    },
    /// The site's support cannot be drawn by a guide.
    #[error(
        "its support ({support:?}) cannot be drawn by a custom guide (simplexes and intervals with parameter bounds); use an automatic guide"
    )]
    Support {
        /// The support.
        support: Support,
    },
}

fn batch_size(b: &Option<usize>) -> String {
    b.map_or("none (whole plates)".to_string(), |b| b.to_string())
}

/// A fitted custom guide: the guide, its parameters' layout and their fitted values.
pub struct CustomGuide<'g, G> {
    /// The guide.
    pub guide: &'g G,
    /// The guide's `param!`s in the flat parameter vector.
    pub blocks: Vec<ParamBlock>,
    /// The fitted variational parameters, unconstrained.
    pub params: Vec<f64>,
    /// How the ELBO's gradient in the parameters was computed.
    pub gradient_mode: GuideGradientMode,
    placements: Vec<Placement>,
}

impl<G: Guide> std::fmt::Debug for CustomGuide<'_, G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(G::NAME)
            .field("blocks", &self.blocks)
            .field("params", &self.params)
            .finish()
    }
}

impl<G> CustomGuide<'_, G> {
    /// The fitted value of `param!` `name` on its constraint (one number per element), or
    /// `None` if the guide has no such parameter.
    pub fn param(&self, name: &str) -> Option<Vec<f64>> {
        let b = self.blocks.iter().find(|b| b.name == name)?;
        let reals = &self.params[b.offset..b.offset + b.len];
        Some(reals.iter().map(|&u| b.constraint.constrain(u)).collect())
    }
}

/// What [`svi_guide`] returns.
pub type GuideFit<'m, 'g, M, G> = SviFit<'m, M, CustomGuide<'g, G>>;

impl<M: Model, G: Guide<Model = M>> GuideFit<'_, '_, M, G> {
    /// The fitted value of `param!` `name` ([`CustomGuide::param`]).
    pub fn param(&self, name: &str) -> Option<Vec<f64>> {
        self.guide.param(name)
    }
}

/// Fits custom guide `guide` to `scenario` by maximizing the ELBO `E_q[ln p(z, data) −
/// ln q(z)]` with pathwise gradients (see the `doppl` crate docs, "Custom guides").
///
/// Before the first step the guide's draws are matched with the scenario's latent sites:
/// a site the guide draws that the scenario observes, a latent site it does not draw, or a
/// draw of another length is a [`SviError::Guide`] naming the site. Steps whose estimate is
/// not finite are skipped and counted, as in [`super::svi`].
pub fn svi_guide<'m, 'g, M: Model, G: Guide<Model = M>>(
    scenario: impl Into<Scenario<'m, M>>,
    guide: &'g G,
    options: &SviOptions,
) -> Result<GuideFit<'m, 'g, M, G>, SviError> {
    let scenario = scenario.into();
    validate(options)?;
    let _quiet = doppl_runtime::quiet_panic::QuietPanics::new();
    let layout = doppl_runtime::quiet_panic::model_quietly(|| scenario.layout())?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let setup = set_up(guide, &layout, rng.random())?;
    let placements = setup.placements.clone();
    let plates = setup.subsampled.clone();
    let mut estimator = estimator(&scenario, &layout, guide, setup, None)?;
    in_blocks(&mut estimator, &layout, &plates, options.step_threads());
    let gradient_mode = estimator.density.gradient_mode().clone();
    let run = optimize(&mut estimator, options, &mut rng)?;
    let GuideElbo {
        blocks,
        params,
        lanes,
        ..
    } = estimator;
    let mut fit = SviFit {
        scenario,
        layout,
        guide: CustomGuide {
            guide,
            blocks,
            params,
            gradient_mode: lanes.mode,
            placements,
        },
        elbo: run.elbo,
        skipped: run.skipped,
        gradient_mode,
        draws: Vec::new(),
        undefined_draws: 0,
        step_seconds: run.seconds,
    };
    let (draws, undefined) = fit.guide_draws(options.draws, rng.random())?;
    (fit.draws, fit.undefined_draws) = (vec![draws], undefined);
    Ok(fit)
}

/// One ELBO estimate of a custom guide and its gradient, at given parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct ElboAt {
    /// The guide's `param!`s in the flat vector.
    pub blocks: Vec<ParamBlock>,
    /// The unconstrained parameters of the estimate.
    pub params: Vec<f64>,
    /// The estimate over the particles.
    pub value: f64,
    /// Its gradient in `params`.
    pub gradient: Vec<f64>,
    /// How the gradient was computed.
    pub mode: GuideGradientMode,
    /// The number of blocks of its plate the guide's replay ran in (0: the whole plate at
    /// once); blocks are used only where they gave the whole replay's result.
    pub replay_blocks: usize,
    /// The same for the guide's `f64` draw.
    pub draw_blocks: usize,
}

/// The ELBO estimate of `guide` on `scenario` over `particles` draws and its pathwise
/// gradient, at the unconstrained parameters `params` (the guide's initial values when
/// `None`), with noise seeded by `seed`: the same seed gives the same draws at any
/// parameters, so finite differences of `value` check `gradient`. What each SVI step
/// computes (a large plate the guide declares with `subsample =` replayed in blocks, on the
/// machine's threads); useful to check a guide.
pub fn guide_elbo<M: Model, G: Guide<Model = M>>(
    scenario: &Scenario<'_, M>,
    guide: &G,
    params: Option<&[f64]>,
    particles: usize,
    seed: u64,
) -> Result<ElboAt, SviError> {
    let layout = scenario.layout()?;
    let setup = set_up(guide, &layout, seed)?;
    let blocks = setup.blocks.clone();
    let plates = setup.subsampled.clone();
    let mut estimator = estimator(scenario, &layout, guide, setup, params)?;
    // As an SVI step with the default options.
    in_blocks(
        &mut estimator,
        &layout,
        &plates,
        SviOptions::default().step_threads(),
    );
    let params = estimator.params.clone();
    let mut gradient = vec![0.0; params.len()];
    let mut rng = StdRng::seed_from_u64(seed);
    let value = crate::svi::steps::ElboEstimator::estimate(
        &mut estimator,
        particles.max(1),
        &mut rng,
        &mut gradient,
    )?
    .unwrap_or(f64::NAN);
    Ok(ElboAt {
        blocks,
        params,
        value,
        gradient,
        replay_blocks: (estimator.replay_blocks.as_ref())
            .filter(|b| b.globals.is_some())
            .map_or(0, |b| b.len()),
        draw_blocks: (estimator.replay_blocks.as_ref())
            .filter(|b| b.draws_checked() && b.draws_in_blocks())
            .map_or(0, |b| b.len()),
        mode: estimator.lanes.mode,
    })
}

/// The estimator of `guide`'s ELBO on `scenario` at `params` (the guide's initial values
/// when `None`): on the step's batch when the guide declares the model's subsampled plates
/// (the same `subsample = b`), on whole plates otherwise (with a warning when the model
/// subsamples).
fn estimator<'s, 'm, 'g, M: Model, G: Guide<Model = M>>(
    scenario: &'s Scenario<'m, M>,
    layout: &Layout,
    guide: &'g G,
    setup: Setup,
    params: Option<&[f64]>,
) -> Result<GuideElbo<'g, G, ModelDensity<'s, 'm, M>>, SviError> {
    let model_plates = super::subsample::subsampled_plates(layout);
    let batching =
        batches::batching(&model_plates, &setup.subsampled).map_err(|(plate, problem)| {
            SviError::Guide {
                guide: G::NAME,
                site: plate,
                problem,
            }
        })?;
    let density = match &batching {
        Some(b) => ModelDensity::batched(scenario, layout, b.batch.clone())?,
        None => {
            if let Some(p) = model_plates.first() {
                // Correct, only slower: every step sees the whole plate, as NUTS does.
                log::warn!(
                    target: "doppl::svi",
                    "plate `{}` is subsampled in the model but not in guide `{}`: every step \
                     runs on all {} elements (declare the same `plate!(n, subsample = {})` in \
                     the guide)",
                    p.plate,
                    G::NAME,
                    p.population,
                    p.batch
                );
            }
            ModelDensity::with_layout(scenario, layout)?
        }
    };
    let params = params.map_or(setup.params, <[f64]>::to_vec);
    let placements = setup.placements;
    let on_batch = batches::batch_placements(layout, &placements);
    let mut estimator = GuideElbo::new(guide, (setup.blocks, params), placements, density);
    estimator.noise_len = Some(setup.noise_len);
    Ok(match batching {
        Some(b) => estimator.on_batches(b, on_batch),
        None => estimator,
    })
}

/// Runs a step's large-plate passes in blocks on up to `threads` threads, one set of
/// threads for all of them: the model's gradient (`layout` is the density's) and the
/// guide's draw and replay (`plates`: those the guide declares with
/// `plate!(n, subsample = b)`).
fn in_blocks<M: Model, G: Guide<Model = M>>(
    estimator: &mut GuideElbo<'_, G, ModelDensity<'_, '_, M>>,
    layout: &Layout,
    plates: &[SubsampledPlate],
    threads: usize,
) {
    let threads = BlockThreads::new(threads);
    estimator.density.in_blocks(layout, &threads);
    estimator.replay_in_blocks(plates, &threads);
}

/// A guide's parameters with their initial values, and where its draws go.
struct Setup {
    blocks: Vec<ParamBlock>,
    params: Vec<f64>,
    placements: Vec<Placement>,
    /// The plates the guide declares with `plate!(n, subsample = b)`.
    subsampled: Vec<SubsampledPlate>,
    /// The noises a draw on whole plates takes.
    noise_len: usize,
}

/// Records the guide's parameters (one run at their initial values) and places each of its
/// draws in the model's unconstrained vector.
///
/// A recoverable failure of the guide's body (a draw it rejects) is retried with new noise,
/// up to 100 times, as NUTS retries starting points.
fn set_up<G: Guide>(guide: &G, layout: &Layout, seed: u64) -> Result<Setup, SviError> {
    const ATTEMPTS: usize = 100;
    let (mut blocks, mut params, mut noise) = (Vec::new(), Vec::new(), NoiseTape::new(seed));
    let mut attempt = 0;
    let (draws, subsampled, noise_len) = loop {
        noise.draw_fresh();
        let mut h = GuideHandler::<f64>::recording(&mut blocks, &mut params, &mut noise);
        match doppl_runtime::quiet_panic::model_quietly(|| guide.run(&mut h)) {
            Ok(()) => break (h.draws, h.subsampled, noise.values().len()),
            Err(e) if e.is_recoverable() && attempt + 1 < ATTEMPTS => attempt += 1,
            Err(e) => return Err(SviError::Model(e)),
        }
    };
    let mismatch = |site, problem| SviError::Guide {
        guide: G::NAME,
        site,
        problem,
    };
    let mut placements = Vec::with_capacity(draws.len());
    for draw in &draws {
        let block = layout
            .block(draw.site)
            .ok_or_else(|| mismatch(draw.site, GuideMismatch::NotLatent))?;
        if block.len != draw.values.len() {
            let (expected, found) = (block.len, draw.values.len());
            return Err(mismatch(
                draw.site,
                GuideMismatch::Length { expected, found },
            ));
        }
        let coordinate = Coordinate::of(block.support).ok_or_else(|| {
            let support = block.support;
            mismatch(draw.site, GuideMismatch::Support { support })
        })?;
        placements.push(Placement {
            site: draw.site,
            offset: block.offset,
            coordinate,
            plate: draw.plate,
            len: block.len,
        });
    }
    if let Some(missed) = (layout.blocks.iter()).find(|b| draws.iter().all(|d| d.site != b.site)) {
        return Err(mismatch(missed.site, GuideMismatch::NotDrawn));
    }
    Ok(Setup {
        blocks,
        params,
        placements,
        subsampled,
        noise_len,
    })
}

impl<'m, M: Model, G: Guide<Model = M>> GuideFit<'m, '_, M, G> {
    /// `n` draws from the fitted guide as typed site values (deterministic sites recomputed,
    /// observed and intervened sites left out), reproducible from `seed`, and how many were
    /// left out because the model is undefined there.
    pub fn guide_draws(&self, n: usize, seed: u64) -> Result<(Vec<M::Values>, usize), ModelError> {
        let density = ModelDensity::with_layout(&self.scenario, &self.layout)?;
        let fitted = &self.guide;
        let blocks_params = (fitted.blocks.clone(), fitted.params.clone());
        let placements = fitted.placements.clone();
        let mut elbo = GuideElbo::new(fitted.guide, blocks_params, placements, density);
        elbo.reseed(seed);
        super::draws_at_points(&self.scenario, n, || {
            elbo.draw()?;
            Ok(elbo.point().to_vec())
        })
    }
}
