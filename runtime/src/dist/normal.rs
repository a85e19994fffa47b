//! The normal distribution N(loc, scale²).

use super::{DistError, Distribution, IntoParam, Param, Support, check_batch};
use crate::gradient::{LocalLane, LocalTangents, PlateLoop, run_hoisted};
use crate::scalar::Scalar;
use nalgebra::DVector;
use rand::Rng;
use rand_distr::{Distribution as _, StandardNormal};

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Normal(loc, scale): density exp(−(x − loc)² / 2scale²) / (scale √2π).
///
/// ```
/// use doppl_runtime::dist::{Distribution, Normal};
/// let d = Normal::<f64>::new(1.0, 2.0).unwrap();
/// let lp = d.log_prob(&1.0).unwrap();
/// assert!((lp - (-(2.0f64).ln() - 0.5 * (2.0 * std::f64::consts::PI).ln())).abs() < 1e-14);
/// assert!(Normal::<f64>::new(0.0, -1.0).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Normal<S: nalgebra::Scalar> {
    loc: Param<S>,
    scale: Param<S>,
}

impl<S: Scalar> Normal<S> {
    /// Normal with location `loc` and standard deviation `scale > 0`, each a constant, a
    /// scalar or a vector (one per plate element).
    pub fn new(loc: impl IntoParam<S>, scale: impl IntoParam<S>) -> Result<Self, DistError> {
        let loc = loc.into_param()?;
        let scale = scale.into_param()?;
        let invalid = |param, (index, value), requirement| DistError::InvalidParameter {
            family: "Normal",
            param,
            index,
            value,
            requirement,
        };
        loc.validate(f64::is_finite)
            .map_err(|e| invalid("loc", e, "finite"))?;
        scale
            .validate(super::common::valid_positive)
            .map_err(|e| invalid("scale", e, super::common::POSITIVE_REQUIREMENT))?;
        if let (Some(a), Some(b)) = (loc.batch_len(), scale.batch_len()) {
            check_batch(Some(a), b)?;
        }
        Ok(Normal { loc, scale })
    }

    /// Σᵢ ln N(vᵢ | μᵢ, σᵢ), the residual `vᵢ − μᵢ` (or its negation) given by `residual`.
    fn plate_sum<V, L: LocalTangents<S>>(
        &self,
        vs: &[V],
        locals: &mut L,
        residual: impl Fn(&V, S) -> S,
    ) -> Result<S, DistError> {
        let n_f = vs.len() as f64;
        match (&self.loc, &self.scale) {
            // Scalar scale: Σ (x − μ)² / 2σ² + n ln σ, with ln σ and 1/σ² computed once.
            (loc, Param::Const(_) | Param::Scalar(_)) => {
                let inv_var = self.scale.at(0).powi(2).recip();
                let weight = -0.5 * inv_var.re();
                let ss = sum_of_squares(vs, loc, locals, weight, residual)?;
                Ok(-(ss * inv_var) * 0.5 - log_scale(&self.scale, 0) * n_f - LN_SQRT_2PI * n_f)
            }
            (loc, Param::Vector(scale)) => {
                let mut acc = S::zero();
                for (i, v) in vs.iter().enumerate() {
                    let z = residual(v, loc.at(i)) / scale[i];
                    let term = z * z * 0.5 + scale[i].ln();
                    locals.read(i, &term, -1.0);
                    acc += term;
                }
                locals.clear(&mut acc);
                Ok(-acc - LN_SQRT_2PI * n_f)
            }
        }
    }
}

fn check_real(x: f64, index: Option<usize>) -> Result<(), DistError> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(DistError::OutOfSupport {
            family: "Normal",
            index,
            value: x,
            support: Support::Real.describe(),
        })
    }
}

impl<S: Scalar> Distribution<S> for Normal<S> {
    type Value = S;
    type Plain = f64;
    const NAME: &'static str = "Normal";

    fn support(&self) -> Support {
        Support::Real
    }
    fn batch_len(&self) -> Option<usize> {
        self.loc.batch_len().or(self.scale.batch_len())
    }
    fn lift(v: &f64) -> S {
        S::from_f64(*v)
    }
    fn lower(v: &S) -> f64 {
        v.re()
    }
    fn log_prob_at(&self, index: usize, v: &S) -> Result<S, DistError> {
        check_real(v.re(), Some(index))?;
        let z = (*v - self.loc.at(index)) / self.scale.at(index);
        Ok(-(z * z) * 0.5 - log_scale(&self.scale, index) - LN_SQRT_2PI)
    }
    fn noise_of(&self, index: usize, v: &f64) -> Option<f64> {
        Some((v - self.loc.re_at(index)) / self.scale.re_at(index))
    }
    fn value_from_noise(&self, index: usize, eps: f64) -> Option<f64> {
        Some(self.loc.re_at(index) + self.scale.re_at(index) * eps)
    }

    fn log_prob(&self, v: &S) -> Result<S, DistError> {
        if let Some(len) = self.batch_len() {
            return Err(DistError::BatchedParameters {
                family: "Normal",
                len,
            });
        }
        check_real(v.re(), None)?;
        let z = (*v - self.loc.at(0)) / self.scale.at(0);
        Ok(-(z * z) * 0.5 - log_scale(&self.scale, 0) - LN_SQRT_2PI)
    }

    fn log_prob_plate_local<L: LocalTangents<S>>(
        &self,
        vs: &DVector<S>,
        locals: &mut L,
    ) -> Result<S, DistError> {
        check_batch(self.batch_len(), vs.len())?;
        // Slices, not nalgebra's strided iterators, in the per-element loops: they vectorize.
        let sum = self.plate_sum(vs.as_slice(), locals, |v, m| *v - m)?;
        // A non-finite value makes the sum non-finite: only then look for it (one pass
        // over the values less per evaluation).
        if !sum.re().is_finite()
            && let Some(i) = vs.as_slice().iter().position(|v| !v.re().is_finite())
        {
            check_real(vs[i].re(), Some(i))?;
        }
        Ok(sum)
    }

    /// With one location μ and one scale, the values are the coordinates, each seeded with
    /// the same tangent: every residual `uᵢ + ε − μ` has the tangent `t = ε − μ'`, so
    /// `Σ (uᵢ − μ)²` carries `2 t Σ dᵢ` for `dᵢ = uᵢ − μ` and element `i`'s own derivative
    /// is its read of `t` times `2dᵢ`: per element, `f64` work only.
    fn log_prob_plate_of_coordinates<L: LocalTangents<S>>(
        &self,
        u: &[f64],
        lane: LocalLane,
        locals: &mut L,
    ) -> Option<Result<S, DistError>> {
        let loc = match &self.loc {
            Param::Scalar(m) => *m,
            Param::Const(c) => S::from_f64(*c),
            Param::Vector(_) => return None,
        };
        if lane.index_lanes.is_some() || self.scale.batch_len().is_some() {
            return None;
        }
        let inv_var = self.scale.at(0).powi(2).recip();
        let tangent = (S::seeded(0.0, lane.lane) - loc).with_re(0.0);
        let squares = SquaresOfCoordinates {
            u,
            loc: loc.re(),
            tangent,
            weight: -0.5 * inv_var.re(),
        };
        let ss = run_hoisted(locals, &squares).ok()?;
        let n = u.len() as f64;
        let sum = -(ss * inv_var) * 0.5 - log_scale(&self.scale, 0) * n - LN_SQRT_2PI * n;
        if !sum.re().is_finite()
            && let Some(i) = u.iter().position(|v| !v.is_finite())
        {
            return Some(check_real(u[i], Some(i)).map(|()| sum));
        }
        Some(Ok(sum))
    }

    fn log_prob_plate_observed<L: LocalTangents<S>>(
        &self,
        vs: &DVector<f64>,
        locals: &mut L,
    ) -> Result<S, DistError> {
        check_batch(self.batch_len(), vs.len())?;
        // (μ − x)² = (x − μ)²: the data stay f64, only μ carries derivatives.
        let sum = self.plate_sum(vs.as_slice(), locals, |v, m| m - *v)?;
        // As for latent values: a non-finite datum makes the sum non-finite.
        if !sum.re().is_finite()
            && let Some(i) = vs.as_slice().iter().position(|v| !v.is_finite())
        {
            check_real(vs[i], Some(i))?;
        }
        Ok(sum)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        self.loc.re_at(0) + self.scale.re_at(0) * z
    }

    fn sample_plate<R: Rng + ?Sized>(
        &self,
        n: usize,
        rng: &mut R,
    ) -> Result<DVector<f64>, DistError> {
        check_batch(self.batch_len(), n)?;
        Ok(DVector::from_fn(n, |i, _| {
            let z: f64 = StandardNormal.sample(rng);
            self.loc.re_at(i) + self.scale.re_at(i) * z
        }))
    }

    fn unconstrained_dim(&self) -> usize {
        1
    }
    fn from_unconstrained(&self, u: &[S]) -> (S, S) {
        (u[0], S::zero())
    }
    fn to_unconstrained(&self, v: &f64, out: &mut [f64]) -> Result<(), DistError> {
        check_real(*v, None)?;
        out[0] = *v;
        Ok(())
    }
}

/// Σᵢ (vᵢ − locᵢ)², each square folded into the sum in one pass over the lanes
/// (d(d²) = 2d·dd), with the vector case looped over slices rather than `Param::at`.
///
/// The caller multiplies the sum by a factor whose value part is `weight`; element `i`'s own
/// derivative, `weight · 2dᵢ · ddᵢ`, goes to `locals` and the shared lanes of the sum are
/// cleared.
fn sum_of_squares<S: Scalar, V, L: LocalTangents<S>>(
    vs: &[V],
    loc: &Param<S>,
    locals: &mut L,
    weight: f64,
    residual: impl Fn(&V, S) -> S,
) -> Result<S, DistError> {
    let squares = Squares {
        vs,
        loc,
        weight,
        residual,
    };
    run_hoisted(locals, &squares)
}

/// The loop of [`sum_of_squares`].
struct Squares<'a, S: nalgebra::Scalar, V, F> {
    vs: &'a [V],
    loc: &'a Param<S>,
    weight: f64,
    residual: F,
}

impl<S: Scalar, V, F: Fn(&V, S) -> S> PlateLoop<S> for Squares<'_, S, V, F> {
    #[inline(always)]
    fn run<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, DistError> {
        let (weight, residual) = (self.weight, &self.residual);
        let mut ss = S::zero();
        let active = locals.is_active();
        let values = self.vs.iter().enumerate();
        match self.loc {
            Param::Vector(mu) => {
                for ((i, v), m) in values.zip(mu.as_slice()) {
                    add_square(&mut ss, locals, active, weight, i, residual(v, *m));
                }
            }
            Param::Scalar(m) => {
                for (i, v) in values {
                    add_square(&mut ss, locals, active, weight, i, residual(v, *m));
                }
            }
            Param::Const(c) => {
                let m = S::from_f64(*c);
                for (i, v) in values {
                    add_square(&mut ss, locals, active, weight, i, residual(v, m));
                }
            }
        }
        Ok(ss)
    }
}

/// The loop of [`Normal::log_prob_plate_of_coordinates`]: `Σ dᵢ²` whose tangent is
/// `2 tangent Σ dᵢ`, element `i`'s derivative `weight · 2dᵢ · tangent` read off.
struct SquaresOfCoordinates<'a, S> {
    u: &'a [f64],
    loc: f64,
    tangent: S,
    weight: f64,
}

impl<S: Scalar> PlateLoop<S> for SquaresOfCoordinates<'_, S> {
    #[inline(always)]
    fn run<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, DistError> {
        let (mut sum, mut squares) = (0.0, 0.0);
        let active = locals.is_active();
        for (i, &u) in self.u.iter().enumerate() {
            let d = u - self.loc;
            if active {
                locals.read(i, &self.tangent, self.weight * 2.0 * d);
            }
            sum += d;
            squares += d * d;
        }
        Ok(self.tangent * (2.0 * sum) + squares)
    }
}

/// `ss += d²`, element `i`'s derivative `weight · 2d · d'` read off first. Always inlined:
/// as a closure called per element it was not, at ~60 instructions per element.
#[inline(always)]
fn add_square<S: Scalar, L: LocalTangents<S>>(
    ss: &mut S,
    locals: &mut L,
    active: bool,
    weight: f64,
    i: usize,
    d: S,
) {
    let r = d.re();
    if active {
        locals.read(i, &d, weight * 2.0 * r);
    }
    *ss = ss.add_chain(d, r * r, 2.0 * r);
}

/// ln of a scale parameter's element `i`, a constant when the scale is constant.
#[inline]
fn log_scale<S: Scalar>(scale: &Param<S>, i: usize) -> S {
    match scale {
        Param::Const(c) => S::from_f64(c.ln()),
        other => other.at(i).ln(),
    }
}

/// loc + scale · ε.
impl<S: Scalar> super::Reparameterized<S> for Normal<S> {
    #[inline]
    fn rsample_at(&self, index: usize, eps: f64) -> S {
        self.loc.at(index) + self.scale.at(index) * eps
    }

    /// `−ln σᵢ − εᵢ²/2 − ln √(2π)` per element, for a scale per element (an amortized
    /// guide's); a shared scale keeps the plate sum of squares, which is cheaper still.
    fn log_prob_of_draws<L: LocalTangents<S>>(&self, noise: &[f64], locals: &mut L) -> Option<S> {
        let Param::Vector(scale) = &self.scale else {
            return None;
        };
        let term = |i: usize, eps: f64| {
            let (s, r) = (scale[i], scale[i].re());
            s.chain(-r.ln() - 0.5 * eps * eps - LN_SQRT_2PI, -1.0 / r)
        };
        Some(super::reparameterized::sum_draw_terms(noise, locals, term))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradient::{NoLocals, OneLane};
    use crate::scalar::Dual;

    /// Scored from its coordinates, a normal local latent with one location and one scale
    /// gives the plate sum, its derivatives and the per-element derivatives read off that
    /// scoring its seeded values gives; a location per element is scored through the
    /// values, and a non-finite coordinate is named.
    #[test]
    fn scoring_the_coordinates_equals_scoring_the_values() {
        let u = [-0.7, 0.2, 1.9, -2.4, 0.05, 3.1];
        let lane = LocalLane {
            lane: 2,
            offset: 0,
            len: u.len(),
            index_lanes: None,
        };
        let seed = lane.seeder::<Dual<3>>();
        let values = DVector::from_fn(u.len(), |i, _| seed(i, u[i]));
        let d = Normal::new(Dual::<3>::variable(0.4, 0), Dual::<3>::variable(1.3, 1)).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * (1.0 + a.abs());
        let same =
            |a: Dual<3>, b: Dual<3>| close(a.re, b.re) && (0..3).all(|k| close(a.eps[k], b.eps[k]));
        let (mut by_values, mut by_coordinates) = ([0.0; 6], [0.0; 6]);
        let expected = d
            .log_prob_plate_local(&values, &mut OneLane::new(2, 1.0, &mut by_values))
            .unwrap();
        let found = d
            .log_prob_plate_of_coordinates(&u, lane, &mut OneLane::new(2, 1.0, &mut by_coordinates))
            .unwrap()
            .unwrap();
        assert!(same(found, expected), "{found:?} {expected:?}");
        assert!(
            by_values
                .iter()
                .zip(&by_coordinates)
                .all(|(a, b)| close(*a, *b))
        );
        assert!(by_values.iter().all(|&g| g != 0.0));
        let expected = d.log_prob_plate_local(&values, &mut NoLocals).unwrap();
        let found = d.log_prob_plate_of_coordinates(&u, lane, &mut NoLocals);
        assert!(same(found.unwrap().unwrap(), expected));
        let per_element =
            Normal::new(DVector::from_element(6, Dual::<3>::from_f64(0.4)), 1.3).unwrap();
        assert!(
            per_element
                .log_prob_plate_of_coordinates(&u, lane, &mut NoLocals)
                .is_none()
        );
        let bad = [0.1, f64::NAN, 0.3, 0.2, 0.0, 1.0];
        let error = d
            .log_prob_plate_of_coordinates(&bad, lane, &mut NoLocals)
            .unwrap();
        assert!(
            matches!(error, Err(DistError::OutOfSupport { index: Some(1), .. })),
            "{error:?}"
        );
    }
}
