//! [`Error`]: why a fit or an effect query was refused or failed.

use doppl::inference::{EffectError, FitError};

/// Why [`crate::fit`] or [`crate::FittedModel::effect`] failed. Bad input is refused before
/// any sampling, with the unit and field it concerns; the sampler's and the effect engine's
/// own errors are kept as the source.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No units were given.
    #[error("no units: `{field}` is empty")]
    NoUnits {
        /// The empty input.
        field: &'static str,
    },
    /// The units have no covariates; the model needs at least the effect modifier x₁.
    #[error("unit 0 has no covariates; the model needs at least one (the effect modifier)")]
    NoCovariates,
    /// A unit has a different number of covariates from the model's.
    #[error("unit {unit} has {found} covariates; expected {expected}")]
    CovariateCount {
        /// The unit's position in its list.
        unit: usize,
        /// The number the model was (or is being) fitted with.
        expected: usize,
        /// The number the unit has.
        found: usize,
    },
    /// A covariate is NaN or infinite.
    #[error("unit {unit}: covariate {index} is {value}, not a finite number")]
    NonFiniteCovariate {
        /// The unit's position in its list.
        unit: usize,
        /// The covariate's position.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// An outcome is NaN or infinite.
    #[error("unit {unit}: the outcome is {value}, not a finite number")]
    NonFiniteOutcome {
        /// The unit's position.
        unit: usize,
        /// The value found.
        value: f64,
    },
    /// A per-unit column of the observations has another length than the covariates.
    #[error("`{field}` has {found} entries for {expected} units")]
    LengthMismatch {
        /// The column (`treated` or `outcome`).
        field: &'static str,
        /// The number of units (rows of covariates).
        expected: usize,
        /// Its length.
        found: usize,
    },
    /// The interval level is not strictly between 0 and 1.
    #[error("interval level {level} is not strictly between 0 and 1")]
    IntervalLevel {
        /// The level asked for.
        level: f64,
    },
    /// `num_draws` is 0: a fit without draws would answer every query with NaN.
    #[error("num_draws is 0; effects need at least one posterior draw")]
    NoDraws,
    /// NUTS could not fit the model.
    #[error("fitting the uplift model failed")]
    Fit(#[from] FitError),
    /// The effect could not be computed from the posterior.
    #[error("computing the effect failed")]
    Effect(#[from] EffectError),
}
