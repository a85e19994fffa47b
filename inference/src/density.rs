//! The sampler-facing log-density trait: value and gradient on the unconstrained scale.
//!
//! A density reports failures with its own error type ([`LogDensity::Error`]), which says
//! whether the sampler may go on ([`DensityError::is_recoverable`]). The sampler adds the
//! failures it finds itself (a non-finite value or gradient) in [`LogpError`], and keeps the
//! density's error typed all the way to [`crate::SampleError`].

use doppl_runtime::ModelError;
use thiserror::Error;

/// An error a [`LogDensity`] can return.
///
/// A recoverable error depends on the point (a parameter outside its domain, an overflow):
/// the sampler treats it as a divergence and carries on. Any other error is about the model
/// or its data, and stops the chain with that error.
pub trait DensityError: std::error::Error + Clone + Send + Sync + 'static {
    /// Whether sampling may go on after this error.
    fn is_recoverable(&self) -> bool;

    /// The model site the error is about, if it names one (reported by
    /// [`crate::SampleError`] without printing the whole error).
    fn site(&self) -> Option<&'static str> {
        None
    }

    /// Whether the error is a caught panic of the density's code: recoverable during
    /// sampling (the point is rejected), fatal at initialization.
    fn is_panic(&self) -> bool {
        false
    }

    /// Whether the error reports a non-finite density value (counted with the non-finite
    /// divergences, not with invalid parameters).
    fn is_non_finite(&self) -> bool {
        false
    }
}

impl DensityError for ModelError {
    fn is_recoverable(&self) -> bool {
        ModelError::is_recoverable(self)
    }

    fn is_panic(&self) -> bool {
        matches!(self, ModelError::Panicked { .. })
    }

    fn is_non_finite(&self) -> bool {
        matches!(self, ModelError::NonFiniteDensity { .. })
    }

    fn site(&self) -> Option<&'static str> {
        ModelError::site(self)
    }
}

/// For densities that cannot fail (the sampler still checks that values are finite).
impl DensityError for std::convert::Infallible {
    fn is_recoverable(&self) -> bool {
        match *self {}
    }
}

/// A differentiable log-density on the unconstrained space `R^dim`.
///
/// Samplers call [`LogDensity::logp_grad`] with caller-owned buffers so that no allocation
/// happens per gradient evaluation. Multi-chain runs clone the density once per chain, so
/// implementations may keep scratch space in `&mut self`.
pub trait LogDensity {
    /// What [`LogDensity::logp_grad`] fails with.
    type Error: DensityError;

    /// Number of unconstrained coordinates.
    fn dim(&self) -> usize;

    /// Log density at `x` (unconstrained, up to an additive constant); the gradient is
    /// written into `grad` (length [`LogDensity::dim`]).
    ///
    /// A non-finite value or gradient need not be reported as an error: the sampler checks
    /// for it and treats it as a divergence.
    fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, Self::Error>;
}

/// Why the sampler could not use the log density at a point: the density's own error `E`,
/// or a non-finite value or gradient the sampler found.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum LogpError<E> {
    /// The density returned an error (displayed as that error).
    #[error(transparent)]
    Density(E),
    /// The density returned a non-finite value.
    #[error("the log density is {value}")]
    NonFiniteLogp {
        /// The value returned.
        value: f64,
    },
    /// The density returned a non-finite gradient coordinate.
    #[error("gradient coordinate {index} of the log density is {value}")]
    NonFiniteGradient {
        /// The first non-finite coordinate.
        index: usize,
        /// Its value.
        value: f64,
    },
}

impl<E: DensityError> LogpError<E> {
    /// `Ok(self)` if the sampler may go on (a divergence), `Err` with the density's error if
    /// it is fatal.
    pub fn recoverable(self) -> Result<Self, E> {
        match self {
            LogpError::Density(error) if !error.is_recoverable() => Err(error),
            recoverable => Ok(recoverable),
        }
    }

    /// [`LogpError::recoverable`] at initialization, where a panic is fatal too: a model
    /// that panics before the chain has a valid point is broken, not unlucky.
    pub fn recoverable_at_start(self) -> Result<Self, E> {
        match self {
            LogpError::Density(error) if error.is_panic() => Err(error),
            other => other.recoverable(),
        }
    }
}

/// Non-finite values and gradients are recoverable; the density's errors say for themselves.
impl<E: DensityError> DensityError for LogpError<E> {
    fn is_recoverable(&self) -> bool {
        match self {
            LogpError::Density(error) => error.is_recoverable(),
            LogpError::NonFiniteLogp { .. } | LogpError::NonFiniteGradient { .. } => true,
        }
    }

    fn site(&self) -> Option<&'static str> {
        match self {
            LogpError::Density(error) => error.site(),
            LogpError::NonFiniteLogp { .. } | LogpError::NonFiniteGradient { .. } => None,
        }
    }

    fn is_panic(&self) -> bool {
        matches!(self, LogpError::Density(error) if error.is_panic())
    }
}

/// Evaluates `density` and turns non-finite values or gradients into a [`LogpError`], so
/// callers only have to look at one kind of failure.
pub(crate) fn checked_logp_grad<D: LogDensity + ?Sized>(
    density: &mut D,
    x: &[f64],
    grad: &mut [f64],
) -> Result<f64, LogpError<D::Error>> {
    let logp = density.logp_grad(x, grad).map_err(LogpError::Density)?;
    if !logp.is_finite() {
        return Err(LogpError::NonFiniteLogp { value: logp });
    }
    if let Some(index) = grad.iter().position(|g| !g.is_finite()) {
        return Err(LogpError::NonFiniteGradient {
            index,
            value: grad[index],
        });
    }
    Ok(logp)
}
