//! A doppl model embedded in a library: an uplift model defined with `#[model]` behind a
//! small typed API that other crates (here the HTTP service of `uplift-service`) call
//! without seeing doppl's scenarios, sites or draws.
//!
//! [`fit`] conditions the model on [`Observations`] and samples it with NUTS;
//! [`FittedModel::effect`] answers "what would treatment do to these units?" with the
//! posterior of `mu` under `do(treat = 1)` minus `do(treat = 0)`, per unit and on average.
//!
//! ```
//! use uplift_model::{Covariates, FitOptions, fit, simulate};
//!
//! // Data with a known effect, 1.5 + 0.8 x₁, made here (same seed, same data).
//! let (data, truth) = simulate(300, 11);
//! let options = FitOptions { num_warmup: 300, num_draws: 300, num_chains: 2, ..FitOptions::default() };
//! let fitted = fit(&data, &options)?;
//!
//! // Two new units that differ only in the effect modifier x₁.
//! let units: Vec<Covariates> = vec![[0.0, 0.0, 0.0].into(), [1.0, 0.0, 0.0].into()];
//! let effect = fitted.effect(&units)?;
//! assert_eq!(effect.units.len(), 2);
//! assert_eq!(effect.draws, 600);
//! for (unit, estimate) in units.iter().zip(&effect.units) {
//!     let true_effect = truth.effect(unit);
//!     assert!(estimate.lo < true_effect && true_effect < estimate.hi, "{estimate:?} vs {true_effect}");
//! }
//! // Each draw's effect is linear in x₁, so the average over the two units is the
//! // effect at x₁ = 0.5 and lies between them.
//! assert!(effect.units[0].mean < effect.average.mean && effect.average.mean < effect.units[1].mean);
//! // Same seed, same numbers: the call is a pure function of the fit and the units.
//! assert_eq!(fitted.effect(&units)?, effect);
//!
//! // Bad input is a typed error naming the unit, not a panic.
//! let short = fitted.effect(&[vec![0.0, 1.0].into()]);
//! assert_eq!(short.unwrap_err().to_string(), "unit 0 has 2 covariates; expected 3");
//! # Ok::<(), uplift_model::Error>(())
//! ```

#![warn(missing_docs)]

mod data;
mod error;
// `#[model]` generates the data struct's fields (the arguments) without doc comments; they
// are documented on the function.
#[allow(missing_docs)]
mod model;

pub use data::{Covariates, Observations, Truth, simulate};
pub use doppl::inference::Estimate;
pub use error::Error;
pub use model::Uplift;

use doppl::prelude::*;

/// How to fit: NUTS's sizes and seed, and the interval level of the effect summaries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitOptions {
    /// Warm-up iterations per chain.
    pub num_warmup: usize,
    /// Kept draws per chain.
    pub num_draws: usize,
    /// Chains (run in parallel).
    pub num_chains: usize,
    /// The seed of the chains and of the effect queries: same seed, same numbers.
    pub seed: u64,
    /// The probability the effect intervals hold.
    pub level: f64,
}

impl Default for FitOptions {
    /// doppl's NUTS defaults (1,000 warm-up and 1,000 draws in 4 chains), seed 0, 89%
    /// intervals.
    fn default() -> Self {
        let nuts = NutsOptions::default();
        FitOptions {
            num_warmup: nuts.num_warmup,
            num_draws: nuts.num_draws,
            num_chains: nuts.num_chains,
            seed: 0,
            level: 0.89,
        }
    }
}

/// The posterior of the model it borrows, as a type with the lifetime left open for
/// `self_cell`.
type UpliftPosterior<'m> = Posterior<'m, Uplift>;

self_cell::self_cell!(
    /// The model and its posterior in one value: a [`Posterior`] borrows the model it was
    /// fitted to, and a fit handed to other code (a server's state, another thread) must
    /// own both.
    struct Fit {
        owner: Uplift,
        #[covariant]
        dependent: UpliftPosterior,
    }
);

/// A fitted uplift model: `Send + Sync`, so one fit can serve many threads.
pub struct FittedModel {
    fit: Fit,
    covariates: usize,
    options: FitOptions,
}

/// The effect of treatment on the expected outcome of some units: per unit and averaged
/// over them, each a posterior mean, sd and central interval.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectSummary {
    /// The average over the units of their effects, summarized over draws.
    pub average: Estimate,
    /// One estimate per unit, in the order given.
    pub units: Vec<Estimate>,
    /// The probability the intervals hold.
    pub level: f64,
    /// The number of posterior draws the estimates summarize.
    pub draws: usize,
}

/// Fits the uplift model to `data` with NUTS.
///
/// The data are checked first: a unit with another number of covariates than the first, a
/// column of another length, or a non-finite value is an [`Error`] naming it.
pub fn fit(data: &Observations, options: &FitOptions) -> Result<FittedModel, Error> {
    if !(options.level > 0.0 && options.level < 1.0) {
        return Err(Error::IntervalLevel {
            level: options.level,
        });
    }
    // doppl accepts zero draws; an effect summary of none would be NaN.
    if options.num_draws == 0 {
        return Err(Error::NoDraws);
    }
    let arrays = data.arrays()?;
    let nuts_options = NutsOptions {
        num_warmup: options.num_warmup,
        num_draws: options.num_draws,
        num_chains: options.num_chains,
        seed: options.seed,
        // A library must not draw on its caller's terminal.
        progress: false,
        ..NutsOptions::default()
    };
    let fit = Fit::try_new(Uplift::new(&arrays.x, &arrays.x1), |model| {
        nuts(
            model.condition().treat(arrays.treat).y(arrays.y),
            &nuts_options,
        )
    })?;
    Ok(FittedModel {
        fit,
        covariates: arrays.x.ncols(),
        options: *options,
    })
}

impl FittedModel {
    /// The posterior effect of treatment for `units`: the expected outcome `mu` under
    /// `do(treat = 1)` minus under `do(treat = 0)`, on every posterior draw.
    ///
    /// The units need not be the fitted ones: the model is instantiated on their covariates
    /// and replayed with the fitted parameters. Each must have [`FittedModel::covariates`]
    /// finite values. The outcome noise is additive, so the effect on `y` itself (with the
    /// same noise on both sides) would be the same numbers.
    pub fn effect(&self, units: &[Covariates]) -> Result<EffectSummary, Error> {
        let (x, x1) = data::design(units, "units", self.covariates)?;
        let model = Uplift::new(&x, &x1);
        let n = units.len();
        let treated = model
            .intervene()
            .treat(DVector::from_element(n, 1.0))
            .build();
        let control = model
            .intervene()
            .treat(DVector::from_element(n, 0.0))
            .build();
        let effects = EffectQuery::new(self.posterior(), Uplift::SITE.mu)
            .treated(&treated)
            .control(&control)
            .seed(self.options.seed)
            .interval(self.options.level)
            .run()?;
        let units = (0..n)
            .map(|i| effects.unit(i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(EffectSummary {
            average: effects.ate(),
            units,
            level: effects.level(),
            draws: effects.individual.nrows(),
        })
    }

    /// The number of covariates per unit the model was fitted with.
    pub fn covariates(&self) -> usize {
        self.covariates
    }

    /// The options it was fitted with.
    pub fn options(&self) -> &FitOptions {
        &self.options
    }

    /// The largest R-hat of the latent parameters: near 1 (under 1.01) when the chains
    /// agree, the first thing a service should check before answering with the fit.
    pub fn max_rhat(&self) -> f64 {
        self.posterior().summary().max_rhat()
    }

    /// The posterior itself, for what the typed API does not cover (`summary()`, draws of
    /// a site, the sampler report).
    pub fn posterior(&self) -> &Posterior<'_, Uplift> {
        self.fit.borrow_dependent()
    }
}

/// Compile-time proof of what the service and the threads test rely on: the model, its
/// scenarios, its posterior and the owned fit can be shared across threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Uplift>();
    send_sync::<Scenario<'static, Uplift>>();
    send_sync::<Posterior<'static, Uplift>>();
    send_sync::<FittedModel>();
};
