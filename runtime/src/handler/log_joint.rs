//! [`LogJoint`]: the log-density of the unconstrained parameter vector.

use super::{FactorTerm, Handler, Known};
use crate::dist::Distribution;
use crate::error::ModelError;
use crate::gradient::{
    DataMatrices, LanePlan, LocalLane, NoLocals, PlateReads, ReadOff, Weighted, projection,
};
use crate::model::{Model, Site};
use crate::plate::Plate;
use crate::scalar::Scalar;
use crate::shape::Shape;
use crate::subsample::Batch;
use crate::value::Unread;

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

/// Runs `$call` with `$l` bound to the local tangents of plate `$plate`'s sums: the
/// read-off of its lanes (each read weighted by `$weight` when it is not 1), or none.
macro_rules! with_locals {
    ($self:ident, $plate:expr, $weight:expr, |$l:ident| $call:expr) => {{
        let reads = $self.reads_for($plate);
        let weight: f64 = $weight;
        match reads.and_then(|r| $self.read_off_for(r)) {
            Some(mut read_off) if weight != 1.0 => {
                let $l = &mut Weighted::new(&mut read_off, weight);
                $call
            }
            Some(mut read_off) => {
                let $l = &mut read_off;
                $call
            }
            None => {
                let $l = &mut NoLocals;
                $call
            }
        }
    }};
}

/// `term · weight`, skipping the product when the weight is 1 (a plate not subsampled).
#[inline]
fn weighted<S: Scalar>(term: S, weight: f64) -> S {
    if weight == 1.0 { term } else { term * weight }
}

/// Takes latent sites from an unconstrained vector in layout order, maps them onto their
/// supports and accumulates [`LogDensityParts`].
pub struct LogJoint<'x, S> {
    /// The unconstrained coordinates the sites take in layout order; only the global ones
    /// when `local_point` is given.
    x: &'x [S],
    /// In a plate-local gradient: the whole point in `f64`, from which the local latents are
    /// seeded in their shared lanes as their sites are reached (`x` then holds the global
    /// coordinates alone, so no seeded copy of the N local ones is written).
    local_point: Option<&'x [f64]>,
    /// The batch of each subsampled plate, in an SVI step ([`crate::subsample`]).
    batch: Option<&'x Batch>,
    /// Plate-local derivatives: the lane plan, the gradient they are read into, and the first
    /// gathered site found read by more than one element.
    read_off: Option<(&'x LanePlan, &'x mut [f64], Option<&'static str>)>,
    /// The model's data matrices, for products projected on a local lane.
    matrices: Option<&'x dyn DataMatrices>,
    /// The next site's first coordinate in the layout.
    position: usize,
    /// The next global site's first coordinate in `x` (`position` without `local_point`).
    x_position: usize,
    /// Whether the trace the body returns must hold every site's value
    /// ([`LogJoint::without_values`]).
    keep_values: bool,
    first_non_finite: Option<(&'static str, f64)>,
    /// The accumulated log-density.
    pub parts: LogDensityParts<S>,
}

impl<'x, S: Scalar> LogJoint<'x, S> {
    /// Reads latents from `x`.
    pub fn new(x: &'x [S]) -> Self {
        LogJoint {
            x,
            local_point: None,
            batch: None,
            read_off: None,
            matrices: None,
            position: 0,
            x_position: 0,
            keep_values: true,
            first_non_finite: None,
            parts: LogDensityParts::zero(),
        }
    }
    /// Reads the latents of `point`: the local ones from `point` itself, each element seeded
    /// in its shared lane as `plan` says, and the global ones from `globals` (their
    /// coordinates in `plan`'s order, already seeded). Per-element derivatives are read off
    /// into `grad` ([`crate::gradient`]), and products with the model's data matrices
    /// `matrices` may be projected.
    pub fn with_read_off(
        point: &'x [f64],
        globals: &'x [S],
        plan: &'x LanePlan,
        grad: &'x mut [f64],
        matrices: &'x dyn DataMatrices,
    ) -> Self {
        LogJoint {
            local_point: Some(point),
            read_off: Some((plan, grad, None)),
            matrices: Some(matrices),
            ..Self::new(globals).without_values()
        }
    }

    /// The number of coordinates the layout has.
    fn point_len(&self) -> usize {
        self.local_point.map_or(self.x.len(), <[f64]>::len)
    }

    /// The local latent lanes of the site whose `len` coordinates start at `position`, when
    /// its elements are seeded from `local_point` (a site without coordinates just before a
    /// local one starts at the same position and is not it).
    fn local_lane_of(&self, position: usize, len: usize) -> Option<LocalLane> {
        self.local_point?;
        let (plan, _, _) = self.read_off.as_ref()?;
        plan.local_lane_at(position)
            .filter(|lane| lane.len == len && len > 0)
    }

    /// Runs subsampled plates on `batch`'s elements, weighting their terms
    /// ([`crate::subsample`]); `x` then holds the batch's coordinates of their latent sites.
    pub fn with_batch(mut self, batch: &'x Batch) -> Self {
        self.batch = Some(batch);
        self
    }

    /// The weight of the terms of a site on `plate` in this run ([`Batch::term_weight`]).
    fn weight_of(&self, plate: Option<Plate>) -> f64 {
        self.batch
            .map_or(1.0, |b| b.term_weight(plate.map(|p| p.name)))
    }

    /// Only the density is wanted: an observed site the body never reads again is scored
    /// from its `f64` data and comes back empty in the trace instead of lifted into `S`.
    pub fn without_values(mut self) -> Self {
        self.keep_values = false;
        self
    }

    /// A read-off of `reads` into the gradient, with this evaluation's projected products.
    fn read_off_for(&mut self, reads: PlateReads<'x>) -> Option<ReadOff<'_>> {
        let (_, grad, mixed) = self.read_off.as_mut()?;
        let read_off = ReadOff::new(reads, grad, mixed);
        Some(match self.matrices {
            Some(m) => read_off.projecting(m),
            None => read_off,
        })
    }

    /// The shared lanes read off in the plate sums of `plate` (none without read-off).
    fn reads_for(&self, plate: Option<&'static str>) -> Option<PlateReads<'x>> {
        let plan: Option<&'x LanePlan> = self.read_off.as_ref().map(|(plan, _, _)| *plan);
        let reads = plan.zip(plate).map(|(plan, plate)| plan.reads_of(plate))?;
        (!reads.is_empty() || projection::registered()).then_some(reads)
    }

    /// The gathered site found read by more than one element of a plate, if any: its
    /// derivatives cannot be read off (the engine makes it global).
    pub fn mixed_site(&self) -> Option<&'static str> {
        self.read_off.as_ref().and_then(|(_, _, mixed)| *mixed)
    }

    /// ln p of a site's value, plate sums reading off the plate's local lanes; `seeded`:
    /// the coordinates and lane a local latent's value was made of
    /// ([`Shape::log_prob_seeded`]).
    fn score<D: Distribution<S>, P: Shape<S, D>>(
        &mut self,
        site: &'static str,
        dist: &D,
        shape: P,
        value: &P::Value,
        seeded: Option<(&[f64], LocalLane)>,
    ) -> Result<S, ModelError> {
        let (plate, weight) = (shape.plate(), self.weight_of(shape.plate()));
        let lp = with_locals!(self, plate.map(|p| p.name), weight, |locals| match seeded {
            Some(seeded) => shape.log_prob_seeded(dist, value, seeded, locals),
            None => shape.log_prob(dist, value, locals),
        });
        lp.map(|lp| weighted(lp, weight))
            .map_err(|e| ModelError::at_site(site, e))
    }

    /// ln p of a known `f64` value, plate sums reading off the plate's local lanes.
    fn score_known<D: Distribution<S>, P: Shape<S, D>>(
        &mut self,
        site: &'static str,
        dist: &D,
        shape: P,
        value: &P::Plain,
    ) -> Result<S, ModelError> {
        let (plate, weight) = (shape.plate(), self.weight_of(shape.plate()));
        let lp = with_locals!(self, plate.map(|p| p.name), weight, |locals| {
            shape.log_prob_known(site, dist, value, locals)
        });
        lp.map(|lp| weighted(lp, weight))
    }

    /// The constrained value of the coordinates up to `end` and ln |det J|, the Jacobian
    /// terms of local latents read off per element; `local` is the site's local lane, if it
    /// has one ([`LogJoint::local_lane_of`]).
    fn constrain<D: Distribution<S>, P: Shape<S, D>>(
        &mut self,
        dist: &D,
        shape: P,
        end: usize,
        local: Option<LocalLane>,
    ) -> (P::Value, S) {
        let (plate, weight) = (shape.plate(), self.weight_of(shape.plate()));
        let (value, log_jac) = match (local, self.local_point) {
            (Some(lane), Some(point)) => {
                let u = &point[self.position..end];
                with_locals!(self, plate.map(|p| p.name), weight, |locals| {
                    shape.from_unconstrained_seeded(dist, u, lane, locals)
                })
            }
            _ => {
                let x = self.x;
                let x_end = self.x_position + (end - self.position);
                let u = &x[self.x_position..x_end];
                self.x_position = x_end;
                with_locals!(self, plate.map(|p| p.name), weight, |locals| {
                    shape.from_unconstrained(dist, u, locals)
                })
            }
        };
        (value, weighted(log_jac, weight))
    }

    /// Checks that the whole vector was used and that the density is finite.
    pub fn finish(self) -> Result<LogDensityParts<S>, ModelError> {
        if self.position != self.point_len() || self.x_position != self.x.len() {
            return Err(ModelError::ParameterLength {
                expected: self.position,
                found: self.point_len(),
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
        let local = self.local_lane_of(self.position, len);
        let globals_short = local.is_none() && self.x_position + len > self.x.len();
        if end > self.point_len() || globals_short {
            return Err(ModelError::ParameterLength {
                expected: end,
                found: self.point_len(),
            });
        }
        let start = self.position;
        let (value, log_jac) = self.constrain(&dist, shape, end, local);
        self.position = end;
        let seeded = self
            .local_point
            .zip(local)
            .map(|(x, l)| (&x[start..end], l));
        let lp = self.score(T::NAME, &dist, shape, &value, seeded)?;
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
        let lp = self.score_known(T::NAME, dist, shape, value)?;
        self.track(T::NAME, &lp);
        match why {
            Known::Observed => self.parts.log_likelihood += lp,
            Known::Substituted => self.parts.log_prior += lp,
        }
        if self.keep_values || T::READ_LATER {
            shape.lift(T::NAME, value)
        } else {
            Ok(Unread::unread())
        }
    }

    fn keeps_values(&self) -> bool {
        self.keep_values
    }

    fn subsample(&mut self, plate: Plate, batch: usize) -> Result<Plate, ModelError> {
        crate::subsample::checked_batch(plate, batch)?;
        match self.batch {
            Some(b) => b.plate(plate),
            None => Ok(plate),
        }
    }

    fn batch(&self, plate: &'static str) -> Option<&[usize]> {
        self.batch.and_then(|b| b.indices(plate))
    }

    fn factor<F: FactorTerm<S>>(&mut self, name: &'static str, term: F) -> Result<(), ModelError> {
        let weight = self.batch.map_or(1.0, |b| b.term_weight(term.plate()));
        let total = with_locals!(self, term.plate(), weight, |locals| term.total(locals));
        let total = total.map_err(|source| ModelError::Value { site: name, source })?;
        let total = weighted(total, weight);
        self.track(name, &total);
        self.parts.log_likelihood += total;
        Ok(())
    }
}
