//! [`Replay`]: sites that have a value in a draw take it; the others go to the inner handler.

use super::{Handler, Known};
use crate::dist::Distribution;
use crate::error::ModelError;
use crate::model::{Model, Site};
use crate::scalar::Scalar;
use crate::shape::Shape;

/// Substitutes the values of a (posterior) draw; sites the draw lacks are left to `inner`
/// (usually a [`super::PriorSampler`], which makes this the posterior predictive).
/// Deterministic sites are recomputed, never read from the draw.
pub struct Replay<'a, M: Model, H> {
    draw: &'a M::Values,
    /// The wrapped handler.
    pub inner: H,
}

impl<'a, M: Model, H> Replay<'a, M, H> {
    /// Replays `draw` over `inner`.
    pub fn new(draw: &'a M::Values, inner: H) -> Self {
        Replay { draw, inner }
    }
}

impl<M: Model, S: Scalar, H: Handler<M, S>> Handler<M, S> for Replay<'_, M, H> {
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        match T::get(self.draw) {
            Some(v) => self
                .inner
                .known::<T, D, P>(&dist, shape, v, Known::Substituted),
            None => self.inner.sample::<T, D, P>(dist, shape),
        }
    }

    forward_to_inner!(known);
    forward_to_inner!(factor);
    forward_to_inner!(shadowed);
    forward_to_inner!(deterministic);
    forward_to_inner!(keeps_values);
    forward_to_inner!(subsample);
}
