//! doppl: typed Bayesian causal models in Rust.
pub use doppl_inference as inference;
pub use doppl_macros::model;
pub use doppl_runtime as runtime;
