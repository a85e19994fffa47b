//! [`Pointwise`]: the log-likelihood of every observed element, one value each, for
//! leave-one-out cross-validation.

use super::{Handler, Known};
use crate::dist::Distribution;
use crate::error::ModelError;
use crate::model::{Model, Site};
use crate::shape::Shape;

/// A base handler that records ln p(yᵢ | θ) of each element of each observed `sample!` site
/// (in model order, elements in plate order) and otherwise takes every value as given; put
/// it under a [`super::Replay`] of a posterior draw. `factor!` terms are not split per
/// element and are not recorded.
#[derive(Default)]
pub struct Pointwise {
    /// Per observed site, its name and its elements' log-likelihoods.
    pub sites: Vec<(&'static str, Vec<f64>)>,
}

impl<M: Model> Handler<M, f64> for Pointwise {
    fn sample<T, D, P>(&mut self, _dist: D, _shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<f64>,
        P: Shape<f64, D>,
    {
        Err(ModelError::MissingValue { site: T::NAME })
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
        if why == Known::Observed {
            let terms = P::elements(value)
                .iter()
                .enumerate()
                .map(|(i, v)| dist.log_prob_at(i, &D::lift(v)))
                .collect::<Result<Vec<f64>, _>>()
                .map_err(|e| ModelError::at_site(T::NAME, e))?;
            self.sites.push((T::NAME, terms));
        }
        shape.lift(T::NAME, value)
    }
}
