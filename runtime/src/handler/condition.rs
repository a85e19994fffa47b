//! [`Condition`]: sites with conditioned values become observations.

use super::{Handler, Known};
use crate::dist::Distribution;
use crate::error::ModelError;
use crate::model::{Model, Site};
use crate::scalar::Scalar;
use crate::shape::Shape;
use crate::subsample::batch_value;

/// Turns conditioned sites into observations whose factor the inner handler adds.
pub struct Condition<'a, M: Model, H> {
    values: &'a M::Values,
    /// The wrapped handler.
    pub inner: H,
}

impl<'a, M: Model, H> Condition<'a, M, H> {
    /// Wraps `inner` with conditioned `values`.
    pub fn new(values: &'a M::Values, inner: H) -> Self {
        Condition { values, inner }
    }
}

impl<M: Model, H> Condition<'_, M, H> {
    /// Scores the observed value `v` (the batch's elements of it on a subsampled plate).
    fn observed<S, T, D, P>(
        &mut self,
        dist: &D,
        shape: P,
        v: &P::Plain,
    ) -> Result<P::Value, ModelError>
    where
        S: Scalar,
        H: Handler<M, S>,
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        let indices = shape.plate().and_then(|p| self.inner.batch(p.name));
        let batch = batch_value(T::NAME, shape, v, indices)?;
        let v = batch.as_ref().unwrap_or(v);
        self.inner.known::<T, D, P>(dist, shape, v, Known::Observed)
    }
}

impl<M: Model, S: Scalar, H: Handler<M, S>> Handler<M, S> for Condition<'_, M, H> {
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        match T::get(self.values) {
            Some(v) => self.observed::<S, T, D, P>(&dist, shape, v),
            None => self.inner.sample::<T, D, P>(dist, shape),
        }
    }

    /// An observed site keeps its factor at the observed value even when intervened on.
    fn shadowed<T, D, P>(&mut self, dist: &D, shape: P) -> Result<(), ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        match T::get(self.values) {
            Some(v) => self.observed::<S, T, D, P>(dist, shape, v).map(|_| ()),
            None => self.inner.shadowed::<T, D, P>(dist, shape),
        }
    }

    forward_to_inner!(known);
    forward_to_inner!(factor);
    forward_to_inner!(deterministic);
    forward_to_inner!(keeps_values);
    forward_to_inner!(subsample);
}
