//! Errors of a sampling run, each tied to the chain it happened in.

use thiserror::Error;

/// Why a run, or one chain of it, failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SampleError {
    /// The options cannot work (for example zero chains or a wrong-length initial point).
    #[error("invalid sampler options: {0}")]
    InvalidOptions(String),
    /// No starting point with a finite log density and gradient was found.
    #[error(
        "chain {chain}: initialization failed after {attempts} attempt(s); last error: \
         {last_error}. Check the model's support and data, or pass initial values"
    )]
    Initialization {
        /// Chain index.
        chain: usize,
        /// Points tried.
        attempts: usize,
        /// Message of the last failure.
        last_error: String,
    },
    /// The density reported a fatal error.
    #[error("chain {chain}: {message}")]
    Density {
        /// Chain index.
        chain: usize,
        /// The density's message.
        message: String,
    },
    /// The chain panicked; the other chains are unaffected.
    #[error("chain {chain} panicked: {message}")]
    Panic {
        /// Chain index.
        chain: usize,
        /// The panic payload, if it was a string.
        message: String,
    },
}
