//! NUTS, predictive sampling, effects and diagnostics for doppl models.
//!
//! The sampler side works on any [`LogDensity`] over unconstrained coordinates:
//! [`sample`] runs multi-chain NUTS (metric adapted from draws and gradients as nutpie does,
//! or by Stan's windowed variances; [`MetricAdaptation`]), [`diagnostics`] checks the draws.

#![warn(missing_docs)]

pub mod adapt;
mod chain;
pub mod counterfactual;
pub mod decision;
pub mod density;
pub mod diagnostics;
pub mod draws;
pub mod effect;
pub mod error;
mod init;
pub mod loo;
pub mod mediation;
pub mod model_density;
pub mod nuts;
pub mod options;
pub mod output;
pub mod posterior;
pub mod predictive;
mod progress;
pub mod results;
mod rng;
mod run;
pub mod summary;
pub mod svi;
mod warmup;
pub mod warnings;

pub use chain::run_chain;
pub use counterfactual::{Counterfactuals, counterfactual};
pub use density::{DensityError, LogDensity, LogpError};
pub use draws::Draws;
pub use effect::{
    Assignment, EffectError, EffectQuery, Effects, Estimate, Group, Outcome, Pairing, Predicted,
    Side, predict,
};
pub use error::{ErrorChain, SampleError};
pub use mediation::{Mediation, Mediator, mediation};
pub use model_density::ModelDensity;
pub use options::{
    DualAveragingOptions, FisherWindows, InitStrategy, LowRankOptions, MetricAdaptation,
    NutsOptions, WarmStart, WarmupWindows,
};
pub use output::{CmdStanCsv, CmdStanError};
pub use posterior::{FitError, Posterior, nuts};
pub use predictive::{posterior_predictive, posterior_predictive_map, prior_predictive};
pub use results::{ChainOutput, ChainTiming, GradientEvals, SampleOutput, WarmupResult};
pub use rng::chain_rng;
pub use run::sample;
pub use summary::{Summary, SummaryRow};
pub use warnings::Warning;
