//! [`svi`]: fitting an automatic guide to a scenario by stochastic gradient ascent on the
//! ELBO, and what the fit gives back.

use super::auto_steps::AutoSteps;
use super::guide::{AutoGuide, Guide};
use super::optim::Optimizer;
use super::steps::{ElboEstimator, optimize};
use super::subsample::{SubsampledElbo, subsampled_plates, supports_subsampling};
use crate::density::{DensityError, LogDensity};
use crate::model_density::ModelDensity;
use doppl_runtime::gradient::{BlockThreads, GradientMode};
use doppl_runtime::handler::Layout;
use doppl_runtime::{Model, ModelError, Scenario};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Settings of an SVI run.
#[derive(Clone, Debug, PartialEq)]
pub struct SviOptions {
    /// Optimization steps.
    pub steps: usize,
    /// Draws from the guide per ELBO estimate (NumPyro's `num_particles`, default 1).
    pub particles: usize,
    /// The optimizer (default Adam(0.01), as NumPyro's SVI examples).
    pub optimizer: Optimizer,
    /// The guide's initial scale on the unconstrained space (NumPyro's `init_scale`: 0.1).
    pub init_scale: f64,
    /// The initial location is a uniform(−radius, radius) point where the density is finite
    /// (Stan's and NUTS's default: 2).
    pub init_radius: f64,
    /// Seed of the initial point and of every step's noise: the same seed gives the same fit.
    pub seed: u64,
    /// Draws from the fitted guide kept as the fit's posterior draws ([`crate::Draws`]).
    pub draws: usize,
    /// Show a progress line with the running ELBO on standard error (only on a terminal).
    pub progress: bool,
    /// Threads a step's model gradient may share the blocks of a large plate among
    /// ([`Gradient::in_blocks`]; `None`: as many as `std::thread::available_parallelism`).
    /// The fit is the same to the bit whatever the number.
    ///
    /// [`Gradient::in_blocks`]: doppl_runtime::gradient::Gradient::in_blocks
    pub threads: Option<usize>,
}

impl SviOptions {
    /// The threads a step may use: [`SviOptions::threads`], else the machine's.
    pub(crate) fn step_threads(&self) -> usize {
        (self.threads)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

impl Default for SviOptions {
    fn default() -> Self {
        SviOptions {
            steps: 5_000,
            particles: 1,
            optimizer: Optimizer::adam(0.01),
            init_scale: 0.1,
            init_radius: 2.0,
            seed: 0,
            draws: 1_000,
            progress: true,
            threads: None,
        }
    }
}

/// Why an SVI run failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SviError {
    /// The model cannot be run (shapes, discrete latents, invalid constants) or failed in a
    /// way no step can avoid.
    #[error("the model cannot be fitted")]
    Model(#[source] ModelError),
    /// The options cannot work.
    #[error("invalid SVI options: {0}")]
    Options(String),
    /// No finite point was found to start from.
    #[error("no initial point with a finite log-density in {attempts} attempts")]
    Initialization {
        /// How many points were tried.
        attempts: usize,
        /// The last point's error, if it raised one.
        #[source]
        last: Option<ModelError>,
    },
    /// A custom guide's draws do not match the scenario's latent sites.
    #[error("guide `{guide}` does not fit the scenario at site `{site}`: {problem}")]
    Guide {
        /// The guide's name.
        guide: &'static str,
        /// The site.
        site: &'static str,
        /// What does not match.
        problem: super::custom::GuideMismatch,
    },
    /// Every step's ELBO or gradient was non-finite or raised an error.
    #[error("all {steps} steps were skipped (non-finite ELBO or gradient){}", site_note(.last))]
    AllStepsSkipped {
        /// The number of steps.
        steps: usize,
        /// The last error a step raised, naming its site when it has one.
        #[source]
        last: Option<ModelError>,
    },
}

fn site_note(last: &Option<ModelError>) -> String {
    match last.as_ref().and_then(DensityError::site) {
        Some(site) => format!("; the last one failed at site `{site}`"),
        None => String::new(),
    }
}

impl From<ModelError> for SviError {
    fn from(error: ModelError) -> Self {
        SviError::Model(error)
    }
}

/// A fitted guide: an automatic one ([`Guide`], from [`svi`]) or a custom one
/// ([`super::CustomGuide`], from [`super::svi_guide`]).
#[derive(Debug)]
pub struct SviFit<'m, M: Model, Q = Guide> {
    /// The scenario that was fitted.
    pub scenario: Scenario<'m, M>,
    /// The unconstrained parameter layout the guide covers.
    pub layout: Layout,
    /// The fitted guide.
    pub guide: Q,
    /// The ELBO estimate at every step (`NaN` for a skipped step).
    pub elbo: Vec<f64>,
    /// Steps skipped because their ELBO or gradient was not finite.
    pub skipped: usize,
    /// How the model's gradients were computed.
    pub gradient_mode: GradientMode,
    /// `options.draws` draws from the fitted guide, as one chain (those where the model is
    /// undefined left out: see [`SviFit::guide_draws`]).
    pub draws: Vec<Vec<M::Values>>,
    /// How many of the `options.draws` draws were left out.
    pub undefined_draws: usize,
    /// Wall-clock seconds of the optimization steps alone (not the set-up or the draws).
    pub step_seconds: f64,
}

/// Fits an automatic guide of `kind` to `scenario` by maximizing the ELBO
/// `E_q[ln p(z, data)] + H[q]` with reparameterized gradients (the entropy in closed form).
///
/// Steps whose estimate or gradient is not finite are skipped and counted; a model error
/// that no point avoids (a shape mismatch) ends the run.
pub fn svi<'m, M: Model>(
    scenario: impl Into<Scenario<'m, M>>,
    kind: AutoGuide,
    options: &SviOptions,
) -> Result<SviFit<'m, M>, SviError> {
    let scenario = scenario.into();
    validate(options)?;
    // A panic in the model body skips the step (ModelDensity turns it into an error) and
    // prints nothing; one while computing the layout is the fit's error.
    let _quiet = doppl_runtime::quiet_panic::QuietPanics::new();
    let layout = doppl_runtime::quiet_panic::model_quietly(|| scenario.layout())?;
    let mut density = ModelDensity::with_layout(&scenario, &layout)?;
    density.in_blocks(&layout, &BlockThreads::new(options.step_threads()));
    let gradient_mode = density.gradient_mode().clone();
    let mut rng = StdRng::seed_from_u64(options.seed);
    let start = initial_location(&mut density, options, &mut rng)?;
    let guide = Guide::new(kind, &start, options.init_scale);
    let plates = subsampled_plates(&layout);
    let (guide, run, gradient_mode) = if plates.is_empty() {
        let mut estimator = AutoElbo {
            steps: AutoSteps::new(&guide, density.dim()),
            density,
            guide,
        };
        let run = optimize(&mut estimator, options, &mut rng)?;
        (estimator.guide, run, gradient_mode)
    } else {
        drop(density);
        check_subsampling(kind, &plates)?;
        let mut estimator = SubsampledElbo::new(&scenario, &layout, plates, guide)?;
        let run = optimize(&mut estimator, options, &mut rng)?;
        (estimator.guide, run, gradient_mode)
    };
    let draw_seed = rng.random::<u64>();
    let mut fit = SviFit {
        scenario,
        layout,
        guide,
        elbo: run.elbo,
        skipped: run.skipped,
        gradient_mode,
        draws: Vec::new(),
        undefined_draws: 0,
        step_seconds: run.seconds,
    };
    let (draws, undefined) = fit.guide_draws(options.draws, draw_seed)?;
    (fit.draws, fit.undefined_draws) = (vec![draws], undefined);
    for warning in crate::Draws::fit_warnings(&fit) {
        log::warn!(target: "doppl::svi", "{warning}");
    }
    Ok(fit)
}

/// The ELBO of an automatic guide over the model's density.
struct AutoElbo<D> {
    density: D,
    guide: Guide,
    steps: AutoSteps,
}

impl<D: LogDensity<Error = ModelError>> ElboEstimator for AutoElbo<D> {
    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.guide.params
    }
    fn estimate(
        &mut self,
        particles: usize,
        rng: &mut StdRng,
        grad: &mut [f64],
    ) -> Result<Option<f64>, ModelError> {
        (self.steps).estimate(&mut self.density, &self.guide, particles, rng, grad)
    }
}

/// A subsampled plate needs a guide whose variational parameters factorize over its
/// elements.
fn check_subsampling(
    kind: AutoGuide,
    plates: &[doppl_runtime::subsample::SubsampledPlate],
) -> Result<(), SviError> {
    if supports_subsampling(kind) {
        return Ok(());
    }
    let names: Vec<&str> = plates.iter().map(|p| p.plate).collect();
    Err(SviError::Options(format!(
        "plate(s) {} are subsampled, which needs a guide that factorizes over their \
         elements: AutoGuide::Normal or AutoGuide::Delta ({kind:?} couples every coordinate)",
        names.join(", ")
    )))
}

pub(super) fn validate(options: &SviOptions) -> Result<(), SviError> {
    if let Some(why) = options.optimizer.invalid() {
        return Err(SviError::Options(why));
    }
    if options.particles == 0 {
        return Err(SviError::Options("particles must be at least 1".into()));
    }
    if options.threads == Some(0) {
        return Err(SviError::Options(
            "threads must be at least 1 (None: the machine's)".into(),
        ));
    }
    let finite_positive = |x: f64| x.is_finite() && x > 0.0;
    if !finite_positive(options.init_scale) || !finite_positive(options.init_radius) {
        return Err(SviError::Options(format!(
            "init_scale ({}) and init_radius ({}) must be finite and > 0",
            options.init_scale, options.init_radius
        )));
    }
    Ok(())
}

/// A uniform point in the box where the log-density and its gradient are finite.
fn initial_location<D: LogDensity<Error = ModelError>>(
    density: &mut D,
    options: &SviOptions,
    rng: &mut StdRng,
) -> Result<Vec<f64>, SviError> {
    const ATTEMPTS: usize = 100;
    let dim = density.dim();
    let mut grad = vec![0.0; dim];
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let r = options.init_radius;
        let x: Vec<f64> = (0..dim).map(|_| rng.random_range(-r..r)).collect();
        match density.logp_grad(&x, &mut grad) {
            Ok(lp) if lp.is_finite() && grad.iter().all(|g| g.is_finite()) => return Ok(x),
            Ok(_) => {}
            Err(error) if error.is_recoverable() => last = Some(error),
            Err(error) => return Err(SviError::Model(error)),
        }
    }
    Err(SviError::Initialization {
        attempts: ATTEMPTS,
        last,
    })
}
