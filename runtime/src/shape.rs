//! [`Shape`]: one value ([`Unplated`]) or one value per plate element ([`Plate`]).
//!
//! Handlers are written once for both shapes; this trait supplies what differs.

use crate::dist::{DistError, Distribution, Support};
use crate::error::ModelError;
use crate::gradient::{LocalLane, LocalTangents};
use crate::intervention::ShiftValue;
use crate::plate::{Plate, Unplated};
use crate::scalar::{EXP_BLOCK, Scalar};
use crate::value::{ShapeError, Vector};
use nalgebra::DVector;
use rand::Rng;
use std::any::{Any, TypeId};
use std::fmt::Debug;

/// How a site's distribution is laid out: one value or one per plate element.
pub trait Shape<S: Scalar, D: Distribution<S>>: Copy {
    /// The value the model body sees.
    type Value: Clone + Debug + ShiftValue + crate::value::Unread;
    /// The value with `f64` numbers.
    type Plain: Clone + Debug + Send + Sync + 'static;

    /// The plate, if any.
    fn plate(self) -> Option<Plate>;
    /// ln p of the value (a plate sum on a plate, each element's term shown to `locals`).
    fn log_prob<L: LocalTangents<S>>(
        self,
        d: &D,
        v: &Self::Value,
        locals: &mut L,
    ) -> Result<S, DistError>;
    /// ln p of a value given with `f64` numbers (data: not lifted into `S` on a plate), its
    /// length checked against the plate.
    fn log_prob_known<L: LocalTangents<S>>(
        self,
        site: &'static str,
        d: &D,
        v: &Self::Plain,
        locals: &mut L,
    ) -> Result<S, ModelError>;
    /// A draw.
    fn sample<R: Rng + ?Sized>(self, d: &D, rng: &mut R) -> Result<Self::Plain, DistError>;
    /// A given `f64` value as a model value, its length checked against the plate.
    fn lift(self, site: &'static str, v: &Self::Plain) -> Result<Self::Value, ModelError>;
    /// The value part.
    fn lower(v: &Self::Value) -> Self::Plain;
    /// How many unconstrained reals the site takes.
    fn unconstrained_len(self, d: &D) -> usize;
    /// The constrained value of `u` and ln |det J| (on a plate, each element's term shown to
    /// `locals`).
    #[allow(clippy::wrong_self_convention)]
    fn from_unconstrained<L: LocalTangents<S>>(
        self,
        d: &D,
        u: &[S],
        locals: &mut L,
    ) -> (Self::Value, S);
    /// As [`Shape::from_unconstrained`] for a local latent of the derivative engine, whose
    /// coordinates come as `f64` and enter the model seeded in `lane`
    /// ([`LocalLane::seeder`], [`crate::gradient`]): the seeded coordinates are built as the
    /// value is, instead of being copied from a seeded point.
    #[allow(clippy::wrong_self_convention)]
    fn from_unconstrained_seeded<L: LocalTangents<S>>(
        self,
        d: &D,
        u: &[f64],
        lane: LocalLane,
        locals: &mut L,
    ) -> (Self::Value, S) {
        let seed = lane.seeder();
        let seeded: Vec<S> = u.iter().enumerate().map(|(i, &ui)| seed(i, ui)).collect();
        self.from_unconstrained(d, &seeded, locals)
    }
    /// [`Shape::log_prob`] of the value [`Shape::from_unconstrained_seeded`] made of the
    /// coordinates `u` seeded in `lane`: on a plate of a real or positive support, the
    /// family may score the coordinates themselves
    /// ([`Distribution::log_prob_plate_of_coordinates`]).
    fn log_prob_seeded<L: LocalTangents<S>>(
        self,
        d: &D,
        v: &Self::Value,
        (u, lane): (&[f64], LocalLane),
        locals: &mut L,
    ) -> Result<S, DistError> {
        let _ = (u, lane);
        self.log_prob(d, v, locals)
    }
    /// The unconstrained coordinates of `v`, written into `out`.
    fn to_unconstrained(self, d: &D, v: &Self::Plain, out: &mut [f64]) -> Result<(), DistError>;
    /// The elements of a value: the value itself, or one per plate element.
    fn elements(v: &Self::Plain) -> &[D::Plain];
    /// The value made of `elements`, `None` unless there is one per plate element (one for
    /// an unplated site).
    fn assemble(self, elements: Vec<D::Plain>) -> Option<Self::Plain>;
}

impl<S: Scalar, D: Distribution<S>> Shape<S, D> for Unplated {
    type Value = D::Value;
    type Plain = D::Plain;

    fn plate(self) -> Option<Plate> {
        None
    }
    fn log_prob<L: LocalTangents<S>>(
        self,
        d: &D,
        v: &D::Value,
        _locals: &mut L,
    ) -> Result<S, DistError> {
        d.log_prob(v)
    }
    fn log_prob_known<L: LocalTangents<S>>(
        self,
        site: &'static str,
        d: &D,
        v: &D::Plain,
        _locals: &mut L,
    ) -> Result<S, ModelError> {
        d.log_prob(&D::lift(v))
            .map_err(|e| ModelError::at_site(site, e))
    }
    fn sample<R: Rng + ?Sized>(self, d: &D, rng: &mut R) -> Result<D::Plain, DistError> {
        if !d.can_sample() {
            return Err(DistError::NotSampleable { family: D::NAME });
        }
        match d.batch_len() {
            Some(len) => Err(DistError::BatchedParameters {
                family: D::NAME,
                len,
            }),
            None => Ok(d.sample(rng)),
        }
    }
    fn lift(self, _site: &'static str, v: &D::Plain) -> Result<D::Value, ModelError> {
        Ok(D::lift(v))
    }
    fn lower(v: &D::Value) -> D::Plain {
        D::lower(v)
    }
    fn unconstrained_len(self, d: &D) -> usize {
        d.unconstrained_dim()
    }
    fn from_unconstrained<L: LocalTangents<S>>(
        self,
        d: &D,
        u: &[S],
        _locals: &mut L,
    ) -> (D::Value, S) {
        d.from_unconstrained(u)
    }
    fn to_unconstrained(self, d: &D, v: &D::Plain, out: &mut [f64]) -> Result<(), DistError> {
        d.to_unconstrained(v, out)
    }
    fn elements(v: &D::Plain) -> &[D::Plain] {
        std::slice::from_ref(v)
    }
    fn assemble(self, mut elements: Vec<D::Plain>) -> Option<D::Plain> {
        match elements.len() {
            1 => elements.pop(),
            _ => None,
        }
    }
}

impl<S, D> Shape<S, D> for Plate
where
    S: Scalar,
    D: Distribution<S>,
    D::Value: nalgebra::Scalar,
    D::Plain: nalgebra::Scalar,
{
    type Value = Vector<D::Value>;
    type Plain = DVector<D::Plain>;

    fn plate(self) -> Option<Plate> {
        Some(self)
    }
    fn log_prob<L: LocalTangents<S>>(
        self,
        d: &D,
        v: &Vector<D::Value>,
        locals: &mut L,
    ) -> Result<S, DistError> {
        d.log_prob_plate_local(v, locals)
    }
    fn log_prob_seeded<L: LocalTangents<S>>(
        self,
        d: &D,
        v: &Vector<D::Value>,
        (u, lane): (&[f64], LocalLane),
        locals: &mut L,
    ) -> Result<S, DistError> {
        let by_coordinates = matches!(d.support(), Support::Real | Support::Positive);
        if by_coordinates
            && d.unconstrained_dim() == 1
            && u.len() == self.size
            && let Some(lp) = d.log_prob_plate_of_coordinates(u, lane, locals)
        {
            return lp;
        }
        d.log_prob_plate_local(v, locals)
    }
    fn log_prob_known<L: LocalTangents<S>>(
        self,
        site: &'static str,
        d: &D,
        v: &DVector<D::Plain>,
        locals: &mut L,
    ) -> Result<S, ModelError> {
        self.check_len(site, v.len())?;
        d.log_prob_plate_observed(v, locals)
            .map_err(|e| ModelError::at_site(site, e))
    }
    fn sample<R: Rng + ?Sized>(self, d: &D, rng: &mut R) -> Result<DVector<D::Plain>, DistError> {
        if !d.can_sample() {
            return Err(DistError::NotSampleable { family: D::NAME });
        }
        d.sample_plate(self.size, rng)
    }
    fn lift(
        self,
        site: &'static str,
        v: &DVector<D::Plain>,
    ) -> Result<Vector<D::Value>, ModelError> {
        self.check_len(site, v.len())?;
        let values = crate::value::collect(v.len(), v.as_slice().iter().map(D::lift));
        Ok(Vector::on_plate(DVector::from_vec(values), self).lifted_data())
    }
    fn lower(v: &Vector<D::Value>) -> DVector<D::Plain> {
        DVector::from_vec(v.as_slice().iter().map(D::lower).collect())
    }
    fn unconstrained_len(self, d: &D) -> usize {
        self.size * d.unconstrained_dim()
    }
    fn from_unconstrained<L: LocalTangents<S>>(
        self,
        d: &D,
        u: &[S],
        locals: &mut L,
    ) -> (Vector<D::Value>, S) {
        let k = d.unconstrained_dim();
        if k == 1 && d.support() == Support::Real {
            // A real support unconstrains by the identity: ln |J| = 0, and no element term
            // to read (a copy per element instead of a read-off per element).
            let values = u.iter().take(self.size).enumerate();
            let values = values.map(|(i, ui)| {
                let (v, log_jac) = d.from_unconstrained_at(i, std::slice::from_ref(ui));
                debug_assert!(
                    log_jac.re() == 0.0,
                    "a real support unconstrains by the identity"
                );
                v
            });
            let values = crate::value::collect(self.size, values);
            return (Vector::on_plate(DVector::from_vec(values), self), S::zero());
        }
        if k == 1 {
            return self.values_of_coordinates(d, |i| u[i], locals);
        }
        let mut log_jac = S::zero();
        let values = crate::value::collect(
            self.size,
            u.chunks_exact(k.max(1))
                .take(self.size)
                .enumerate()
                .map(|(i, ui)| {
                    let (v, lj) = d.from_unconstrained_at(i, ui);
                    locals.read(i, &lj, 1.0);
                    log_jac += lj;
                    v
                }),
        );
        locals.clear(&mut log_jac);
        (Vector::on_plate(DVector::from_vec(values), self), log_jac)
    }
    fn from_unconstrained_seeded<L: LocalTangents<S>>(
        self,
        d: &D,
        u: &[f64],
        lane: LocalLane,
        locals: &mut L,
    ) -> (Vector<D::Value>, S) {
        let seed = lane.seeder();
        if d.unconstrained_dim() != 1 || u.len() < self.size {
            let seeded: Vec<S> = u.iter().enumerate().map(|(i, &ui)| seed(i, ui)).collect();
            return self.from_unconstrained(d, &seeded, locals);
        }
        let u = &u[..self.size];
        if d.support() == Support::Real
            && let Some(values) = seeded_identity::<S, D::Value>(u, lane)
        {
            return (Vector::on_plate(DVector::from_vec(values), self), S::zero());
        }
        if d.support() == Support::Positive
            && let Some((values, log_jac)) = seeded_positive::<S, D::Value, L>(u, lane, locals)
        {
            debug_assert!(
                u.is_empty() || d.from_unconstrained_at(0, &[S::from_f64(u[0])]).1.re() == u[0],
                "a positive support unconstrains by ln (ln |J| = u)"
            );
            return (Vector::on_plate(DVector::from_vec(values), self), log_jac);
        }
        self.values_of_coordinates(d, |i| seed(i, u[i]), locals)
    }
    fn to_unconstrained(
        self,
        d: &D,
        v: &DVector<D::Plain>,
        out: &mut [f64],
    ) -> Result<(), DistError> {
        let k = d.unconstrained_dim();
        for (i, (vi, oi)) in v.iter().zip(out.chunks_exact_mut(k.max(1))).enumerate() {
            d.to_unconstrained_at(i, vi, oi).map_err(|e| e.at(i))?;
        }
        Ok(())
    }
    fn elements(v: &DVector<D::Plain>) -> &[D::Plain] {
        v.as_slice()
    }
    fn assemble(self, elements: Vec<D::Plain>) -> Option<DVector<D::Plain>> {
        (elements.len() == self.size).then(|| DVector::from_vec(elements))
    }
}

/// A deterministic site's value: a scalar, or one value per plate element.
pub trait DetValue<S: Scalar>: Clone + Debug + ShiftValue + crate::value::Unread {
    /// The value with `f64` numbers.
    type Plain: Clone + Debug + Send + Sync + 'static;
    /// A given value as a model value (length checked against the plate).
    fn lift(site: &'static str, plate: Option<Plate>, v: &Self::Plain) -> Result<Self, ModelError>;
    /// The value part.
    fn lower(&self) -> Self::Plain;
    /// The value placed on the site's plate: an error naming the site if it was computed by
    /// an operation that failed or does not fit the plate.
    fn checked(self, site: &'static str, plate: Option<Plate>) -> Result<Self, ModelError>;
    /// A given value (one entry per element of the whole `plate`) restricted to the batch
    /// `indices` of a subsampled run.
    fn gather(
        site: &'static str,
        plate: Plate,
        v: &Self::Plain,
        indices: &[usize],
    ) -> Result<Self::Plain, ModelError>;
}

impl<S: Scalar + ShiftValue> DetValue<S> for S {
    type Plain = f64;
    fn lift(_site: &'static str, _plate: Option<Plate>, v: &f64) -> Result<S, ModelError> {
        Ok(S::from_f64(*v))
    }
    fn lower(&self) -> f64 {
        self.re()
    }
    fn checked(self, _site: &'static str, _plate: Option<Plate>) -> Result<Self, ModelError> {
        Ok(self)
    }
    fn gather(_: &'static str, _: Plate, v: &f64, _: &[usize]) -> Result<f64, ModelError> {
        Ok(*v)
    }
}

impl<S: Scalar + ShiftValue> DetValue<S> for Vector<S> {
    type Plain = DVector<f64>;
    fn lift(
        site: &'static str,
        plate: Option<Plate>,
        v: &DVector<f64>,
    ) -> Result<Self, ModelError> {
        Vector::from(v.map(S::from_f64)).checked(site, plate)
    }
    fn lower(&self) -> DVector<f64> {
        self.map(|x| x.re()).into_dvector()
    }
    fn gather(
        site: &'static str,
        plate: Plate,
        v: &DVector<f64>,
        indices: &[usize],
    ) -> Result<DVector<f64>, ModelError> {
        let kept = crate::subsample::gather_elements(site, plate, v.as_slice(), indices)?;
        Ok(DVector::from_vec(kept))
    }
    fn checked(self, site: &'static str, plate: Option<Plate>) -> Result<Self, ModelError> {
        if let Some(source) = self.shape_error() {
            return Err(ModelError::Value { site, source });
        }
        let Some(p) = plate else {
            return Ok(self);
        };
        self.placed(p).map_err(|source| match source {
            // A length mismatch with the plate keeps the error a conditioned value gets.
            ShapeError::Mismatch { left, .. } if left.plate.is_none_or(|q| q == p.name) => {
                ModelError::Shape {
                    site,
                    plate: p.name,
                    expected: p.size,
                    found: left.len,
                }
            }
            source => ModelError::Value { site, source },
        })
    }
}

impl Plate {
    /// The constrained values of a site with one unconstrained coordinate per element,
    /// coordinate `i` given by `coordinate(i)`, and ln |det J| (each element's term shown to
    /// `locals`; a real support's identity reads a zero).
    fn values_of_coordinates<S, D, L>(
        self,
        d: &D,
        coordinate: impl Fn(usize) -> S,
        locals: &mut L,
    ) -> (Vector<D::Value>, S)
    where
        S: Scalar,
        D: Distribution<S>,
        D::Value: nalgebra::Scalar,
        L: LocalTangents<S>,
    {
        let mut log_jac = S::zero();
        let values = crate::value::collect(
            self.size,
            (0..self.size).map(|i| {
                let (v, lj) = d.from_unconstrained_at(i, std::slice::from_ref(&coordinate(i)));
                locals.read(i, &lj, 1.0);
                log_jac += lj;
                v
            }),
        );
        locals.clear(&mut log_jac);
        (Vector::on_plate(DVector::from_vec(values), self), log_jac)
    }
}

/// The seeded coordinates `u` of a local latent with a positive support as its values
/// `e^u`, and ln |J| = Σ uᵢ (every positive family unconstrains by `ln`). The exponentials
/// are computed a block at a time by the vectorized kernel ([`crate::scalar::exp_each`]);
/// each element's value is its seed scaled by `e^u`, and its Jacobian term, the seeded `u`
/// itself, is read off as the site's own. `None` for any value type but the scalar.
fn seeded_positive<S: Scalar, V: 'static, L: LocalTangents<S>>(
    u: &[f64],
    lane: LocalLane,
    locals: &mut L,
) -> Option<(Vec<V>, S)> {
    if TypeId::of::<V>() != TypeId::of::<S>() {
        return None;
    }
    // The seed's tangent, `u`'s derivative along the lanes: the read-off uses tangents only,
    // and without index lanes it is the same for every element.
    let (seed, unit) = (lane.seeder::<S>(), S::seeded(0.0, lane.lane));
    let indexed = lane.index_lanes.is_some();
    let mut values: Vec<S> = crate::value::buffer(u.len());
    let mut exp = [0.0; EXP_BLOCK];
    for (b, block) in u.chunks(EXP_BLOCK).enumerate() {
        let exp = &mut exp[..block.len()];
        crate::scalar::exp_each(block, exp);
        for (k, &e) in exp.iter().enumerate() {
            let i = b * EXP_BLOCK + k;
            let tangent = if indexed { seed(i, 0.0) } else { unit };
            locals.read(i, &tangent, 1.0);
            values.push((tangent * e).with_re(e));
        }
    }
    let sum: f64 = u.iter().sum();
    // ln |J| has tangents in the local lanes only (read off above), so the plate's term
    // is its value; `clear` finishes the sum as every plate sum is finished.
    let mut log_jac = S::from_f64(sum);
    locals.clear(&mut log_jac);
    Some((as_value_type(values)?, log_jac))
}

/// The seeded coordinates `u` of a local latent as its values, when its support
/// unconstrains by the identity (a real support) and its value type is the scalar itself
/// (every real-valued family): one pass that writes each seeded element once. `None` for
/// any other value type.
fn seeded_identity<S: Scalar, V: 'static>(u: &[f64], lane: LocalLane) -> Option<Vec<V>> {
    if TypeId::of::<V>() != TypeId::of::<S>() {
        return None;
    }
    let values: Vec<S> = match lane.index_lanes {
        None => {
            let unit = S::seeded(0.0, lane.lane);
            crate::value::collect(u.len(), u.iter().map(|&re| unit + re))
        }
        Some(_) => {
            let seed = lane.seeder::<S>();
            let seeded = u.iter().enumerate().map(|(j, &re)| seed(j, re));
            crate::value::collect(u.len(), seeded)
        }
    };
    as_value_type(values)
}

/// The scalars `values` as the site's value type `V`, which the callers have checked to be
/// `S` itself (a family's `Value` is generic, the fast paths are written for scalars).
fn as_value_type<S: 'static, V: 'static>(values: Vec<S>) -> Option<Vec<V>> {
    let mut values = Some(values);
    let values: &mut dyn Any = &mut values;
    values
        .downcast_mut::<Option<Vec<V>>>()
        .and_then(Option::take)
}
