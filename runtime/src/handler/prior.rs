//! [`PriorSampler`]: draws every unobserved site from its distribution (forward simulation).

use super::{Handler, Known};
use crate::dist::Distribution;
use crate::error::ModelError;
use crate::model::{Model, Site};
use crate::shape::Shape;
use rand::Rng;

/// Draws unobserved sites from their distributions with `rng`; observed sites keep their
/// values and their log-likelihood is summed (handy for importance weights).
pub struct PriorSampler<'r, R: ?Sized> {
    rng: &'r mut R,
    /// Σ ln p(observed | parents) over the run.
    pub log_likelihood: f64,
}

impl<'r, R: Rng + ?Sized> PriorSampler<'r, R> {
    /// A sampler drawing from `rng`.
    pub fn new(rng: &'r mut R) -> Self {
        PriorSampler {
            rng,
            log_likelihood: 0.0,
        }
    }
}

/// Draws a site's value from its distribution with `rng` (shared by the sampling bases).
pub(crate) fn draw_site<T, D, P, R>(dist: &D, shape: P, rng: &mut R) -> Result<P::Value, ModelError>
where
    T: Site<Value = P::Plain>,
    D: Distribution<f64>,
    P: Shape<f64, D>,
    R: Rng + ?Sized,
{
    let drawn = shape
        .sample(dist, rng)
        .map_err(|e| ModelError::at_site(T::NAME, e))?;
    shape.lift(T::NAME, &drawn)
}

impl<M: Model, R: Rng + ?Sized> Handler<M, f64> for PriorSampler<'_, R> {
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<f64>,
        P: Shape<f64, D>,
    {
        draw_site::<T, D, P, R>(&dist, shape, self.rng)
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
        D: Distribution<f64>,
        P: Shape<f64, D>,
    {
        let v = shape.lift(T::NAME, value)?;
        if why == Known::Observed {
            self.log_likelihood += shape
                .log_prob(dist, &v, &mut crate::gradient::NoLocals)
                .map_err(|e| ModelError::at_site(T::NAME, e))?;
        }
        Ok(v)
    }
}
