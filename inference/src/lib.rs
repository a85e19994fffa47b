//! NUTS, predictive sampling, effects and diagnostics for doppl models.
//!
//! The sampler side works on any [`LogDensity`] over unconstrained coordinates:
//! [`sample`] runs multi-chain NUTS with Stan's warm-up, [`diagnostics`] checks the draws.

#![warn(missing_docs)]

pub mod adapt;
mod chain;
pub mod density;
pub mod diagnostics;
pub mod error;
mod init;
pub mod nuts;
pub mod options;
pub mod results;
mod rng;
mod run;

pub use chain::run_chain;
pub use density::{LogDensity, LogpError};
pub use error::SampleError;
pub use options::{DualAveragingOptions, InitStrategy, NutsOptions, WarmupWindows};
pub use results::{ChainOutput, GradientEvals, SampleOutput, WarmupResult};
pub use rng::chain_rng;
pub use run::sample;
