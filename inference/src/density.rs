//! The sampler-facing log-density trait: value and gradient on the unconstrained scale.

use thiserror::Error;

/// A differentiable log-density on the unconstrained space `R^dim`.
///
/// Samplers call [`LogDensity::logp_grad`] with caller-owned buffers so that no allocation
/// happens per gradient evaluation. Multi-chain runs clone the density once per chain, so
/// implementations may keep scratch space in `&mut self`.
pub trait LogDensity {
    /// Number of unconstrained coordinates.
    fn dim(&self) -> usize;

    /// Log density at `x` (unconstrained, up to an additive constant); the gradient is
    /// written into `grad` (length [`LogDensity::dim`]).
    fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, LogpError>;
}

/// Why a log-density could not be evaluated.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LogpError {
    /// The point is outside the support or numerically bad (for example a non-finite value);
    /// a sampler treats it as a divergence and carries on.
    #[error("recoverable log-density error: {0}")]
    Recoverable(String),
    /// Something is wrong with the model itself; the chain stops with this error.
    #[error("fatal log-density error: {0}")]
    Fatal(String),
}

impl LogpError {
    /// The message without the variant's prefix.
    pub fn message(&self) -> &str {
        match self {
            LogpError::Recoverable(message) | LogpError::Fatal(message) => message,
        }
    }
}

/// Evaluates `density` and turns non-finite values or gradients into
/// [`LogpError::Recoverable`], so callers only have to look at one kind of failure.
pub(crate) fn checked_logp_grad<D: LogDensity + ?Sized>(
    density: &mut D,
    x: &[f64],
    grad: &mut [f64],
) -> Result<f64, LogpError> {
    let logp = density.logp_grad(x, grad)?;
    if !logp.is_finite() {
        return Err(LogpError::Recoverable(format!("log density is {logp}")));
    }
    if let Some(index) = grad.iter().position(|g| !g.is_finite()) {
        return Err(LogpError::Recoverable(format!(
            "gradient coordinate {index} is {}",
            grad[index]
        )));
    }
    Ok(logp)
}
