//! [`Intervene`]: Pearl's do-operator, hard and shift interventions.

use super::Handler;
use crate::dist::Distribution;
use crate::error::ModelError;
use crate::gradient::NoLocals;
use crate::intervention::{Intervention, ShiftValue};
use crate::model::{Model, Site};
use crate::scalar::Scalar;
use crate::shape::{DetValue, Shape};
use crate::subsample::batch_value;

/// Replaces intervened sites' values for everything downstream (see the module docs).
pub struct Intervene<'a, M: Model, H> {
    interventions: &'a M::Interventions,
    /// Whether values of intervened `sample!` sites are checked against their support.
    checked: bool,
    /// The wrapped handler.
    pub inner: H,
}

impl<'a, M: Model, H> Intervene<'a, M, H> {
    /// Wraps `inner` with `interventions`, checking their values against the sites'
    /// supports if `checked`.
    pub fn new(interventions: &'a M::Interventions, inner: H, checked: bool) -> Self {
        Intervene {
            interventions,
            checked,
            inner,
        }
    }

    /// `value` itself, or the error if checking is on and `dist` gives it no density.
    fn in_support<S: Scalar, D: Distribution<S>, P: Shape<S, D>>(
        &self,
        site: &'static str,
        dist: &D,
        shape: P,
        value: P::Value,
    ) -> Result<P::Value, ModelError> {
        if !self.checked {
            return Ok(value);
        }
        match shape.log_prob(dist, &value, &mut NoLocals) {
            Err(source) => Err(ModelError::InterventionOutOfSupport {
                site,
                source: Box::new(source),
            }),
            Ok(_) => Ok(value),
        }
    }
}

impl<M: Model, S: Scalar, H: Handler<M, S>> Handler<M, S> for Intervene<'_, M, H> {
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        match T::intervention(self.interventions) {
            None => self.inner.sample::<T, D, P>(dist, shape),
            Some(Intervention::Value(v)) => {
                self.inner.shadowed::<T, D, P>(&dist, shape)?;
                let indices = shape.plate().and_then(|p| self.inner.batch(p.name));
                let batch = batch_value(T::NAME, shape, v, indices)?;
                let value = shape.lift(T::NAME, batch.as_ref().unwrap_or(v))?;
                self.in_support(T::NAME, &dist, shape, value)
            }
            // A shifted value depends on the natural one, draw by draw; where it leaves the
            // support, the sites that read it reject it.
            Some(Intervention::Shift(f)) => {
                let natural = self.inner.sample::<T, D, P>(dist, shape)?;
                Ok(natural.shifted(f))
            }
        }
    }

    fn deterministic<T, V>(
        &mut self,
        value: V,
        plate: Option<crate::Plate>,
    ) -> Result<V, ModelError>
    where
        T: Site<Model = M, Value = V::Plain>,
        V: DetValue<S>,
    {
        let value = match T::intervention(self.interventions) {
            None => value,
            Some(Intervention::Value(v)) => {
                let indices = plate.and_then(|p| self.inner.batch(p.name));
                match (plate.filter(|p| p.is_subsampled()), indices) {
                    (Some(p), Some(indices)) => {
                        V::lift(T::NAME, plate, &V::gather(T::NAME, p, v, indices)?)?
                    }
                    _ => V::lift(T::NAME, plate, v)?,
                }
            }
            Some(Intervention::Shift(f)) => value.shifted(f),
        };
        self.inner.deterministic::<T, V>(value, plate)
    }

    forward_to_inner!(known);
    forward_to_inner!(factor);
    forward_to_inner!(shadowed);
    forward_to_inner!(keeps_values);
    forward_to_inner!(subsample);
}
