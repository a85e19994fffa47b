//! Errors of a sampling run, each tied to the chain it happened in, and [`ErrorChain`] to
//! print an error with its causes.

use std::fmt;

use doppl_runtime::ModelError;
use thiserror::Error;

use crate::density::LogpError;

/// Why a run, or one chain of it, failed.
///
/// `E` is the density's error type ([`crate::LogDensity::Error`]): [`ModelError`] for a
/// model fitted with [`crate::nuts()`]. The density's error is kept typed, as the
/// [`std::error::Error::source`] of the variant; the message names the chain and the site
/// but not the cause, so print the whole chain with [`ErrorChain`].
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SampleError<E = ModelError> {
    /// An option cannot work: which one, its value, and what it must be.
    #[error("invalid sampler option `{field}` = {value}: must be {valid}")]
    InvalidOption {
        /// The `NutsOptions` field (`max_energy_error`, `init`, `dual_averaging.kappa` …).
        field: &'static str,
        /// Its value as given (abbreviated for initial points).
        value: String,
        /// The valid range.
        valid: String,
    },
    /// No starting point with a finite log density and gradient was found.
    #[error(
        "chain {chain}: initialization failed after {attempts} attempt(s){} (check the \
         model's support and data, or pass initial values)",
        at_site(*site)
    )]
    Initialization {
        /// Chain index.
        chain: usize,
        /// Points tried.
        attempts: usize,
        /// The site the last failure names, if any.
        site: Option<&'static str>,
        /// The last failure (`None` if no point was tried).
        #[source]
        last_error: Option<LogpError<E>>,
    },
    /// The density reported a fatal error; the chain stopped.
    #[error("chain {chain}: the log density failed{}", at_site(*site))]
    Density {
        /// Chain index.
        chain: usize,
        /// The site the error names, if any.
        site: Option<&'static str>,
        /// The density's error.
        source: E,
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

/// ` at site `name`` or nothing.
fn at_site(site: Option<&'static str>) -> String {
    site.map(|site| format!(" at site `{site}`"))
        .unwrap_or_default()
}

impl<E> SampleError<E> {
    /// The chain the error happened in (`None` for invalid options).
    pub fn chain(&self) -> Option<usize> {
        match self {
            SampleError::InvalidOption { .. } => None,
            SampleError::Initialization { chain, .. }
            | SampleError::Density { chain, .. }
            | SampleError::Panic { chain, .. } => Some(*chain),
        }
    }

    /// The density's error behind a fatal error or an initialization failure, if there is
    /// one.
    pub fn density_error(&self) -> Option<&E> {
        match self {
            SampleError::Density { source, .. } => Some(source),
            SampleError::Initialization {
                last_error: Some(LogpError::Density(error)),
                ..
            } => Some(error),
            _ => None,
        }
    }
}

/// Displays an error followed by its [`std::error::Error::source`] chain, separated by
/// `": "`: what a program should print for an error.
///
/// ```
/// # use doppl_inference::ErrorChain;
/// # fn report(error: &(dyn std::error::Error + 'static)) {
/// eprintln!("error: {}", ErrorChain(error));
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}
