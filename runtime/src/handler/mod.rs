//! Effect handlers: what happens at each site when a model body runs.
//!
//! The generated body calls one [`Handler`] method per site statement. Handlers compose by
//! nesting generic types, outermost first; every inference routine builds the same stack
//!
//! ```text
//! Intervene<Condition<Base>>
//! ```
//!
//! where `Base` is one of [`PriorSampler`] (draw latents from the prior with one RNG),
//! [`SiteStreams`] (draw each site from its own stream: common random numbers across
//! scenarios), [`LogJoint`] (take latents from an unconstrained vector, accumulate the
//! log-density), [`Replay`] (take latents from a draw, wrapping one of the samplers),
//! [`LayoutRecorder`] or [`Unconstrainer`].
//!
//! The order is the semantics, and it is fixed here once rather than left to the user
//! (NumPyro and ChiRho users who stack `condition` inside `do` get different answers):
//!
//! 1. [`Intervene`] sees a site first. A hard `do(x = v)` tells the inner handlers the site
//!    is *shadowed*: an unobserved site is then not sampled and contributes no factor; an
//!    observed site contributes its factor at the observed value (abduction in a
//!    single-world intervention graph). Downstream code sees `v`. A shift `do(x = f(x))`
//!    lets the site be drawn or observed as usual and hands `f(x)` downstream.
//! 2. [`Condition`] turns a site with a conditioned value into an observation: the inner
//!    handler adds ln p(value | parents) and the body sees the value.
//! 3. The base handler decides what an unobserved site's value is.
//!
//! Deterministic sites are always recomputed from their (possibly intervened) parents; an
//! intervention on a deterministic site replaces its value for downstream code.

/// The methods a wrapping handler passes to `self.inner` unchanged, written once.
macro_rules! forward_to_inner {
    (known) => {
        fn known<T, D, P>(
            &mut self,
            dist: &D,
            shape: P,
            value: &P::Plain,
            why: $crate::handler::Known,
        ) -> Result<P::Value, $crate::error::ModelError>
        where
            T: $crate::model::Site<Model = M, Value = P::Plain>,
            D: $crate::dist::Distribution<S>,
            P: $crate::shape::Shape<S, D>,
        {
            self.inner.known::<T, D, P>(dist, shape, value, why)
        }
    };
    (shadowed) => {
        fn shadowed<T, D, P>(&mut self, dist: &D, shape: P) -> Result<(), $crate::error::ModelError>
        where
            T: $crate::model::Site<Model = M, Value = P::Plain>,
            D: $crate::dist::Distribution<S>,
            P: $crate::shape::Shape<S, D>,
        {
            self.inner.shadowed::<T, D, P>(dist, shape)
        }
    };
    (factor) => {
        fn factor<F: $crate::handler::FactorTerm<S>>(
            &mut self,
            name: &'static str,
            term: F,
        ) -> Result<(), $crate::error::ModelError> {
            self.inner.factor(name, term)
        }
    };
    (subsample) => {
        fn subsample(
            &mut self,
            plate: $crate::Plate,
            batch: usize,
        ) -> Result<$crate::Plate, $crate::error::ModelError> {
            self.inner.subsample(plate, batch)
        }
        fn batch(&self, plate: &'static str) -> Option<&[usize]> {
            self.inner.batch(plate)
        }
    };
    (keeps_values) => {
        fn keeps_values(&self) -> bool {
            self.inner.keeps_values()
        }
    };
    (deterministic) => {
        fn deterministic<T, V>(
            &mut self,
            value: V,
            plate: Option<$crate::Plate>,
        ) -> Result<V, $crate::error::ModelError>
        where
            T: $crate::model::Site<Model = M, Value = V::Plain>,
            V: $crate::shape::DetValue<S>,
        {
            self.inner.deterministic::<T, V>(value, plate)
        }
    };
}

mod abduct;
mod condition;
mod intervene;
mod layout;
mod log_joint;
mod pointwise;
mod prior;
mod replay;
mod site_streams;

pub use abduct::{Abduct, Abducted, Noise};
pub use condition::Condition;
pub use intervene::Intervene;
pub use layout::{Layout, LayoutRecorder, ParamBlock, Unconstrainer};
pub use log_joint::{LogDensityParts, LogJoint};
pub use pointwise::Pointwise;
pub use prior::PriorSampler;
pub use replay::Replay;
pub use site_streams::{SiteStreams, mix};

use crate::dist::Distribution;
use crate::error::ModelError;
use crate::gradient::LocalTangents;
use crate::model::{Model, Site};
use crate::scalar::Scalar;
use crate::shape::{DetValue, Shape};
use crate::value::{ShapeError, Vector};

/// Why a site's value is known rather than drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    /// Conditioned on data: its factor is part of the likelihood.
    Observed,
    /// Taken from a posterior draw or a user-supplied point: its factor is part of the prior.
    Substituted,
}

/// The interface the generated model body calls, one method per site statement.
pub trait Handler<M: Model, S: Scalar> {
    /// An unobserved random site: the handler decides its value.
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>;

    /// A random site whose value is known: account for its factor, return the value.
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
        P: Shape<S, D>;

    /// A random site whose value a hard intervention replaces. Unless an inner handler knows
    /// its value (it is observed), it is not drawn and contributes nothing.
    fn shadowed<T, D, P>(&mut self, _dist: &D, _shape: P) -> Result<(), ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<S>,
        P: Shape<S, D>,
    {
        Ok(())
    }

    /// A `factor!` term added to the log-density. Handlers that do not evaluate the density
    /// (sampling, layout) ignore it.
    fn factor<F: FactorTerm<S>>(&mut self, name: &'static str, term: F) -> Result<(), ModelError> {
        let _ = (name, term);
        Ok(())
    }

    /// Whether the trace the body returns must hold every site's value. When not (the
    /// log-density path), the body hands the trace [`crate::value::Unread`] stand-ins for
    /// values it read after their site, instead of copying them.
    fn keeps_values(&self) -> bool {
        true
    }

    /// `plate!(n, subsample = batch)`: the plate the body runs on. Only an SVI step's
    /// [`LogJoint`] hands out a batch ([`crate::subsample`]); every other run sees the
    /// whole plate.
    fn subsample(&mut self, plate: crate::Plate, batch: usize) -> Result<crate::Plate, ModelError> {
        crate::subsample::checked_batch(plate, batch).map(|_| plate)
    }

    /// The elements of `plate` this run sees, when it runs on a batch of them.
    fn batch(&self, plate: &'static str) -> Option<&[usize]> {
        let _ = plate;
        None
    }

    /// A deterministic site: its value as computed (or as an intervention sets it).
    fn deterministic<T, V>(
        &mut self,
        value: V,
        plate: Option<crate::Plate>,
    ) -> Result<V, ModelError>
    where
        T: Site<Model = M, Value = V::Plain>,
        V: DetValue<S>,
    {
        value.checked(T::NAME, plate)
    }
}

/// What `factor!` accepts: a scalar term, or per-element terms on a plate (summed, each
/// element's derivative read off as for a plate's log-density).
pub trait FactorTerm<S: Scalar> {
    /// The plate of per-element terms.
    fn plate(&self) -> Option<&'static str>;
    /// The total, each element shown to `locals`.
    fn total<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, ShapeError>;
}

impl<S: Scalar> FactorTerm<S> for S {
    fn plate(&self) -> Option<&'static str> {
        None
    }
    fn total<L: LocalTangents<S>>(&self, _locals: &mut L) -> Result<S, ShapeError> {
        Ok(*self)
    }
}

impl<S: Scalar> FactorTerm<S> for Vector<S> {
    fn plate(&self) -> Option<&'static str> {
        Vector::plate(self)
    }
    fn total<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, ShapeError> {
        if let Some(e) = self.shape_error() {
            return Err(e);
        }
        let mut acc = S::zero();
        for (i, t) in self.iter().enumerate() {
            locals.read(i, t, 1.0);
            acc += *t;
        }
        locals.clear(&mut acc);
        Ok(acc)
    }
}
