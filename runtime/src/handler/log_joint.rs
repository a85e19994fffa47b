//! [`LogJoint`]: the log-density of the unconstrained parameter vector.

use super::{Handler, Known};
use crate::dist::Distribution;
use crate::error::ModelError;
use crate::model::{Model, Site};
use crate::scalar::Scalar;
use crate::shape::Shape;

/// The three parts of a log-joint, kept apart (prior, Jacobian, likelihood).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogDensityParts<S> {
    /// Σ ln p(latent | parents), latents at their constrained values.
    pub log_prior: S,
    /// Σ ln |det J| of the constraining transforms.
    pub log_jacobian: S,
    /// Σ ln p(observed | parents).
    pub log_likelihood: S,
}

impl<S: Scalar> LogDensityParts<S> {
    /// All zero.
    pub fn zero() -> Self {
        LogDensityParts {
            log_prior: S::zero(),
            log_jacobian: S::zero(),
            log_likelihood: S::zero(),
        }
    }
    /// The unnormalized log posterior density on the unconstrained space.
    pub fn total(&self) -> S {
        self.log_prior + self.log_jacobian + self.log_likelihood
    }
}

/// Takes latent sites from an unconstrained vector in layout order, maps them onto their
/// supports and accumulates [`LogDensityParts`].
pub struct LogJoint<'x, S> {
    x: &'x [S],
    position: usize,
    first_non_finite: Option<(&'static str, f64)>,
    /// The accumulated log-density.
    pub parts: LogDensityParts<S>,
}

impl<'x, S: Scalar> LogJoint<'x, S> {
    /// Reads latents from `x`.
    pub fn new(x: &'x [S]) -> Self {
        LogJoint {
            x,
            position: 0,
            first_non_finite: None,
            parts: LogDensityParts::zero(),
        }
    }
    /// Checks that the whole vector was used and that the density is finite.
    pub fn finish(self) -> Result<LogDensityParts<S>, ModelError> {
        if self.position != self.x.len() {
            return Err(ModelError::ParameterLength {
                expected: self.position,
                found: self.x.len(),
            });
        }
        if let Some((site, value)) = self.first_non_finite {
            return Err(ModelError::NonFiniteDensity { site, value });
        }
        Ok(self.parts)
    }

    /// Remembers the first site whose contribution is not finite, to name it in the error.
    #[inline]
    fn track(&mut self, site: &'static str, lp: &S) {
        if self.first_non_finite.is_none() && !lp.re().is_finite() {
            self.first_non_finite = Some((site, lp.re()));
        }
    }
}

impl<M: Model, S: Scalar> Handler<M, S> for LogJoint<'_, S> {
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        if !dist.support().is_continuous() {
            return Err(ModelError::DiscreteLatent {
                site: T::NAME,
                family: D::NAME,
            });
        }
        let len = shape.unconstrained_len(&dist);
        let end = self.position + len;
        if end > self.x.len() {
            return Err(ModelError::ParameterLength {
                expected: end,
                found: self.x.len(),
            });
        }
        let (value, log_jac) = shape.from_unconstrained(&dist, &self.x[self.position..end]);
        self.position = end;
        let lp = shape
            .log_prob(&dist, &value)
            .map_err(|e| ModelError::at_site(T::NAME, e))?;
        self.track(T::NAME, &(lp + log_jac));
        self.parts.log_jacobian += log_jac;
        self.parts.log_prior += lp;
        Ok(value)
    }

    fn known<T, D, P>(
        &mut self,
        dist: &D,
        shape: P,
        value: &P::Plain,
        why: Known,
    ) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        let v = shape.lift(T::NAME, value)?;
        let lp = shape
            .log_prob(dist, &v)
            .map_err(|e| ModelError::at_site(T::NAME, e))?;
        self.track(T::NAME, &lp);
        match why {
            Known::Observed => self.parts.log_likelihood += lp,
            Known::Substituted => self.parts.log_prior += lp,
        }
        Ok(v)
    }
}
