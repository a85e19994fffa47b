//! [`Abduct`] and [`Abducted`]: the two passes of a counterfactual for observed units.
//!
//! A counterfactual asks what an observed unit's value would have been under an
//! intervention, *given what was observed of it*. Over the single-world semantics of the
//! handler stack (module docs of [`crate::handler`]) it takes two runs per posterior draw:
//!
//! 1. the factual world: [`Abduct`] sees every site that has a value (observed, or taken
//!    from the draw) and, for the sites downstream of the intervention, records the noise
//!    behind the value ([`crate::dist::Distribution::noise_of`]);
//! 2. the intervened world: [`Abducted`] rebuilds each of those sites from its recorded
//!    noise under the intervened parents ([`crate::dist::Distribution::value_from_noise`]).
//!
//! Sites upstream of the intervention keep their values in both worlds; this is the
//! twin network of Balke and Pearl with the shared noise passed from one world to the
//! other, one site at a time.

use super::{Handler, Known};
use crate::dist::Distribution;
use crate::error::ModelError;
use crate::model::{Model, Site};
use crate::scalar::Scalar;
use crate::shape::Shape;

/// The noise recorded per site, indexed by [`Site::INDEX`]; one entry per element.
pub type Noise = Vec<Option<Vec<f64>>>;

/// The factual pass: records the noise of every site marked `affected` that has a value,
/// and passes everything on to `inner`.
pub struct Abduct<H> {
    affected: Vec<bool>,
    noise: Noise,
    /// The wrapped handler.
    pub inner: H,
}

impl<H> Abduct<H> {
    /// Records the noise of the sites where `affected` is true (indexed like
    /// [`Model::SITES`]).
    pub fn new(affected: Vec<bool>, inner: H) -> Self {
        let noise = vec![None; affected.len()];
        Abduct {
            affected,
            noise,
            inner,
        }
    }

    /// The noise recorded, per site.
    pub fn into_noise(self) -> Noise {
        self.noise
    }
}

impl<M: Model, S: Scalar, H: Handler<M, S>> Handler<M, S> for Abduct<H> {
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        self.inner.sample::<T, D, P>(dist, shape)
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
        if self.affected[T::INDEX] {
            let noise = P::elements(value)
                .iter()
                .enumerate()
                .map(|(i, v)| dist.noise_of(i, v))
                .collect::<Option<Vec<f64>>>()
                .ok_or(ModelError::NoAbduction {
                    site: T::NAME,
                    family: D::NAME,
                })?;
            self.noise[T::INDEX] = Some(noise);
        }
        self.inner.known::<T, D, P>(dist, shape, value, why)
    }

    forward_to_inner!(factor);
    forward_to_inner!(shadowed);
    forward_to_inner!(deterministic);
    forward_to_inner!(keeps_values);
    forward_to_inner!(subsample);
}

/// The intervened pass: a site with recorded noise is rebuilt from it under its (possibly
/// changed) parameters; every other site goes to `inner`.
pub struct Abducted<'a, H> {
    noise: &'a Noise,
    /// The wrapped handler.
    pub inner: H,
}

impl<'a, H> Abducted<'a, H> {
    /// Replays `noise` (from [`Abduct::into_noise`]) over `inner`.
    pub fn new(noise: &'a Noise, inner: H) -> Self {
        Abducted { noise, inner }
    }
}

impl<M: Model, S: Scalar, H: Handler<M, S>> Handler<M, S> for Abducted<'_, H> {
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        let Some(noise) = &self.noise[T::INDEX] else {
            return self.inner.sample::<T, D, P>(dist, shape);
        };
        let no_abduction = ModelError::NoAbduction {
            site: T::NAME,
            family: D::NAME,
        };
        let elements = noise
            .iter()
            .enumerate()
            .map(|(i, eps)| dist.value_from_noise(i, *eps))
            .collect::<Option<Vec<_>>>()
            .ok_or(no_abduction)?;
        let found = elements.len();
        let value = shape.assemble(elements).ok_or_else(|| {
            let plate = shape.plate().map(|p| (p.name, p.size)).unwrap_or(("", 1));
            ModelError::Shape {
                site: T::NAME,
                plate: plate.0,
                expected: plate.1,
                found,
            }
        })?;
        self.inner
            .known::<T, D, P>(&dist, shape, &value, Known::Substituted)
    }

    forward_to_inner!(known);
    forward_to_inner!(factor);
    forward_to_inner!(shadowed);
    forward_to_inner!(deterministic);
    forward_to_inner!(keeps_values);
    forward_to_inner!(subsample);
}
