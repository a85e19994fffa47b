//! The log-normal distribution: e^X for X ~ Normal(loc, scale²).

use super::common::{
    ElementDensity, LN_SQRT_2PI, ScalarFamily, block_real_parts, check_finite, check_scale,
    check_strictly_positive, common_batch, ln_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support, check_batch};
use crate::gradient::{LocalLane, LocalTangents, PlateLoop, run_hoisted};
use crate::scalar::Scalar;
use crate::transform::Positive;
use rand::Rng;
use rand_distr::{Distribution as _, StandardNormal};

const FAMILY: &str = "LogNormal";

/// LogNormal(loc, scale): ln x ~ Normal(loc, scale²), for x > 0.
///
/// ```
/// use doppl_runtime::dist::{Distribution, LogNormal};
/// let d = LogNormal::<f64>::new(0.0, 1.0).unwrap();
/// // at x = 1: −ln √2π
/// assert!((d.log_prob(&1.0).unwrap() + 0.5 * (2.0 * std::f64::consts::PI).ln()).abs() < 1e-14);
/// assert!(d.log_prob(&0.0).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LogNormal<S: nalgebra::Scalar> {
    loc: Param<S>,
    scale: Param<S>,
    batch: Option<usize>,
    /// (1/scale², −ln scale − ln √2π) when the scale is one number: computed once here, not
    /// per element (a per-unit location with a shared scale would take a `ln` per unit).
    shared_scale: Option<(S, S)>,
}

impl<S: Scalar> LogNormal<S> {
    /// LogNormal with the location and scale (> 0) of the underlying normal.
    pub fn new(loc: impl IntoParam<S>, scale: impl IntoParam<S>) -> Result<Self, DistError> {
        let (loc, scale) = (loc.into_param()?, scale.into_param()?);
        check_finite(FAMILY, "loc", &loc)?;
        check_scale(FAMILY, "scale", &scale)?;
        let batch = common_batch(&[loc.batch_len(), scale.batch_len()])?;
        let shared_scale = scale.batch_len().is_none().then(|| scale_terms(&scale, 0));
        Ok(LogNormal {
            loc,
            scale,
            batch,
            shared_scale,
        })
    }
}

/// Prepared: (loc, 1/scale², −ln scale − ln √2π).
impl<S: Scalar> ElementDensity<S> for LogNormal<S> {
    type Prepared = (S, S, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.batch
    }
    fn prepare(&self, i: usize) -> (S, S, S) {
        match &self.shared_scale {
            Some((inv_var, norm)) => (self.loc.at(i), *inv_var, *norm),
            None => {
                let (inv_var, norm) = scale_terms(&self.scale, i);
                (self.loc.at(i), inv_var, norm)
            }
        }
    }
    fn normalizer(&self, prep: &(S, S, S)) -> S {
        prep.2
    }
    fn kernel(&self, prep: &(S, S, S), v: &S) -> Result<S, DistError> {
        kernel(prep.0, prep.1, v)
    }
    fn shared_normalizer(&self) -> Option<S> {
        self.shared_scale.map(|(_, norm)| norm)
    }
    #[inline]
    fn kernel_at(&self, i: usize, v: &S) -> Result<S, DistError> {
        match &self.shared_scale {
            Some((inv_var, _)) => kernel(self.loc.at(i), *inv_var, v),
            None => self.kernel(&self.prepare(i), v),
        }
    }
    /// With one scale: `−Σ ln vᵢ − Σ (ln vᵢ − μᵢ)² / 2σ² + n (−ln σ − ln √2π)`, the squares
    /// summed as the normal's are and `1/σ²` applied once (per element that is a `ln`, a
    /// difference and two additions into the sums, instead of three products of duals).
    fn own_plate_sum<V, L: LocalTangents<S>>(
        &self,
        vs: &[V],
        locals: &mut L,
        value: &impl Fn(&V) -> S,
    ) -> Option<Result<S, DistError>> {
        let (inv_var, norm) = self.shared_scale?;
        let squares = LogSquares {
            vs,
            loc: &self.loc,
            inv_var,
            value,
        };
        let n = vs.len() as f64;
        Some(run_hoisted(locals, &squares).map(|kernels| kernels + norm * n))
    }
    /// With one scale, the values' logarithms are their coordinates: `−Σ uᵢ − Σ (uᵢ − μᵢ)² /
    /// 2σ² + n (−ln σ − ln √2π)`, with no `ln` and no product of duals per element.
    fn plate_sum_of_coordinates<L: LocalTangents<S>>(
        &self,
        u: &[f64],
        lane: LocalLane,
        locals: &mut L,
    ) -> Option<Result<S, DistError>> {
        let (inv_var, norm) = self.shared_scale?;
        if let Err(e) = check_batch(self.batch, u.len()) {
            return Some(Err(e));
        }
        let squares = SquaresOfLogs {
            u,
            lane,
            loc: &self.loc,
            inv_var,
        };
        let n = u.len() as f64;
        Some(run_hoisted(locals, &squares).map(|kernels| kernels + norm * n))
    }
}

/// The loop of [`LogNormal`]'s plate sum with one scale over values given by their
/// logarithms, seeded in `lane`.
struct SquaresOfLogs<'a, S: nalgebra::Scalar> {
    u: &'a [f64],
    lane: LocalLane,
    loc: &'a Param<S>,
    inv_var: S,
}

impl<S: Scalar> PlateLoop<S> for SquaresOfLogs<'_, S> {
    #[inline(always)]
    fn run<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, DistError> {
        let inv_var = self.inv_var.re();
        let seed = self.lane.seeder::<S>();
        let active = locals.is_active();
        // Read off, the logarithms' sum keeps no lanes; otherwise it keeps their seeds.
        let (mut logs, mut seeded_logs, mut squares) = (0.0, S::zero(), S::zero());
        for (i, &u) in self.u.iter().enumerate() {
            let log_v = seed(i, u);
            let r = log_v - self.loc.at(i);
            let d = r.re();
            if active {
                // The element's term −uᵢ − rᵢ²/2σ², read through its two parts.
                locals.read(i, &log_v, -1.0);
                locals.read(i, &r, -inv_var * d);
                logs += u;
            } else {
                seeded_logs += log_v;
            }
            squares = squares.add_chain(r, d * d, 2.0 * d);
        }
        Ok(-(seeded_logs + logs) - squares * self.inv_var * 0.5)
    }
}

/// The loop of [`LogNormal`]'s plate sum with one scale.
struct LogSquares<'a, S: nalgebra::Scalar, V, F> {
    vs: &'a [V],
    loc: &'a Param<S>,
    inv_var: S,
    value: &'a F,
}

impl<S: Scalar, V, F: Fn(&V) -> S> PlateLoop<S> for LogSquares<'_, S, V, F> {
    #[inline(always)]
    fn run<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, DistError> {
        use crate::scalar::EXP_BLOCK as BLOCK;
        let inv_var = self.inv_var.re();
        let (mut logs, mut squares) = (S::zero(), S::zero());
        let active = locals.is_active();
        let (mut re, mut ln_re) = ([0.0; BLOCK], [0.0; BLOCK]);
        for (b, block) in self.vs.chunks(BLOCK).enumerate() {
            let (re, ln_re) = (&mut re[..block.len()], &mut ln_re[..block.len()]);
            let support = (FAMILY, Support::Positive);
            let positive = |r: f64| (r > 0.0) & (r < f64::INFINITY);
            block_real_parts((block, b * BLOCK), self.value, re, support, positive)?;
            // The block's logarithms by the vectorized kernel, not a libm call each.
            crate::scalar::ln_positive_each(re, ln_re);
            for (k, v) in block.iter().enumerate() {
                let i = b * BLOCK + k;
                let log_v = (self.value)(v).chain(ln_re[k], re[k].recip());
                let r = log_v - self.loc.at(i);
                let d = r.re();
                if active {
                    // The element's term −ln vᵢ − rᵢ²/2σ², read through its two parts.
                    locals.read(i, &log_v, -1.0);
                    locals.read(i, &r, -inv_var * d);
                }
                logs += log_v;
                squares = squares.add_chain(r, d * d, 2.0 * d);
            }
        }
        Ok(-logs - squares * self.inv_var * 0.5)
    }
}

/// −ln v − (ln v − μ)² / (2σ²) given `inv_var` = 1/σ²; `OutOfSupport` for v ≤ 0.
#[inline]
fn kernel<S: Scalar>(loc: S, inv_var: S, v: &S) -> Result<S, DistError> {
    check_strictly_positive(FAMILY, v.re())?;
    let log_v = v.ln();
    let d = log_v - loc;
    Ok(-log_v - d * d * inv_var * 0.5)
}

/// (1/scale², −ln scale − ln √2π) of element `i`.
fn scale_terms<S: Scalar>(scale: &Param<S>, i: usize) -> (S, S) {
    (scale.at(i).powi(2).recip(), -ln_at(scale, i) - LN_SQRT_2PI)
}

impl<S: Scalar> ScalarFamily<S> for LogNormal<S> {
    fn support(&self) -> Support {
        Support::Positive
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        check_strictly_positive(FAMILY, x)
    }
    fn location_scale(&self, i: usize) -> Option<super::LocationScale> {
        let mut map = super::LocationScale::linear(self.loc.re_at(i), self.scale.re_at(i));
        map.log = true;
        Some(map)
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        (self.loc.re_at(i) + self.scale.re_at(i) * z).exp()
    }
    fn forward(&self, u: S) -> (S, S) {
        Positive::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Positive::inverse(x)
    }
}

scalar_distribution!(LogNormal, loc, scale);

/// exp(loc + scale · ε).
impl<S: Scalar> super::Reparameterized<S> for LogNormal<S> {
    #[inline]
    fn rsample_at(&self, index: usize, eps: f64) -> S {
        (self.loc.at(index) + self.scale.at(index) * eps).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Distribution;
    use crate::gradient::{NoLocals, OneLane};
    use crate::scalar::Dual;
    use nalgebra::{DVector, dvector};
    use statrs::distribution::{Continuous, LogNormal as Reference};

    /// Scored from their logarithms, a local latent's values give the plate sum, the global
    /// derivative and the per-element derivatives read off that scoring the values does.
    #[test]
    fn scoring_the_logarithms_equals_scoring_the_values() {
        let u = [-0.7, 0.2, 1.9, -2.4, 0.05];
        let lane = LocalLane {
            lane: 1,
            offset: 0,
            len: u.len(),
            index_lanes: None,
        };
        let seed = lane.seeder::<Dual<2>>();
        let loc = DVector::from_fn(u.len(), |i, _| Dual::variable(0.3 * i as f64 - 0.5, 0));
        let values = DVector::from_fn(u.len(), |i, _| seed(i, u[i]).exp());
        let d = LogNormal::new(loc, Dual::<2>::variable(0.8, 0)).unwrap();
        let (mut by_values, mut by_logs) = ([0.0; 5], [0.0; 5]);
        let expected = d
            .log_prob_plate_local(&values, &mut OneLane::new(1, 1.0, &mut by_values))
            .unwrap();
        let found = d
            .log_prob_plate_of_coordinates(&u, lane, &mut OneLane::new(1, 1.0, &mut by_logs))
            .unwrap()
            .unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * (1.0 + a.abs());
        assert!(close(found.re, expected.re), "{found:?} {expected:?}");
        assert!(
            close(found.eps[0], expected.eps[0]),
            "{found:?} {expected:?}"
        );
        for (a, b) in by_logs.iter().zip(&by_values) {
            assert!(close(*a, *b), "{by_logs:?} {by_values:?}");
        }
        // Not read off, the sum keeps every lane the values' scoring keeps.
        let expected = d.log_prob_plate_local(&values, &mut NoLocals).unwrap();
        let found = d
            .log_prob_plate_of_coordinates(&u, lane, &mut NoLocals)
            .unwrap();
        let found = found.unwrap();
        assert!(close(found.re, expected.re) && close(found.eps[1], expected.eps[1]));
        // A scale per element is scored through the values.
        let scales = DVector::from_element(u.len(), Dual::<2>::from_f64(0.8));
        let per_element = LogNormal::new(0.0, scales).unwrap();
        assert!(
            per_element
                .log_prob_plate_of_coordinates(&u, lane, &mut NoLocals)
                .is_none()
        );
    }

    /// The one-scale plate sum equals statrs' densities summed, with a location per element
    /// and with one location.
    #[test]
    fn the_one_scale_plate_sum_equals_the_reference_densities() {
        let (xs, locs) = (dvector![0.3, 1.7, 4.0, 0.05], dvector![0.1, -0.4, 1.2, 0.0]);
        let d = LogNormal::<f64>::new(locs.clone(), 0.8).unwrap();
        let sum = d.log_prob_plate_observed(&xs, &mut NoLocals).unwrap();
        let reference: f64 = (xs.iter().zip(&locs))
            .map(|(&x, &m)| Reference::new(m, 0.8).unwrap().ln_pdf(x))
            .sum();
        assert!(
            (sum - reference).abs() < 1e-12 * reference.abs(),
            "{sum} {reference}"
        );
        let d = LogNormal::<f64>::new(0.3, 0.8).unwrap();
        let sum = d.log_prob_plate_local(&xs, &mut NoLocals).unwrap();
        let reference: f64 = xs
            .iter()
            .map(|&x| Reference::new(0.3, 0.8).unwrap().ln_pdf(x))
            .sum();
        assert!(
            (sum - reference).abs() < 1e-12 * reference.abs(),
            "{sum} {reference}"
        );
    }

    /// Its derivatives along the values (lane 0), the scale (lane 1) and the location (lane
    /// 2, a location per element and one location) are those of the element-wise densities;
    /// a value out of the support is an error naming its element.
    #[test]
    fn the_one_scale_plate_sum_has_the_element_wise_derivatives() {
        let xs = [0.3, 1.7, 4.0];
        fn loc_each(i: usize) -> Dual<3> {
            Dual::<3>::variable([0.1, -0.4, 1.2][i], 2) * (1.0 + i as f64)
        }
        let scale = Dual::<3>::variable(0.8, 1);
        let values = nalgebra::DVector::from_fn(3, |i, _| Dual::<3>::variable(xs[i], 0));
        let loc = nalgebra::DVector::from_fn(3, |i, _| loc_each(i));
        let by_element = LogNormal::new(loc, scale).unwrap();
        let one_loc = LogNormal::new(loc_each(1), scale).unwrap();
        type LocAt = fn(usize) -> Dual<3>;
        let cases: [(_, LocAt); 2] = [(by_element, loc_each), (one_loc, |_| loc_each(1))];
        for (d, loc_at) in cases {
            let sum = d.log_prob_plate_local(&values, &mut NoLocals).unwrap();
            let each = (0..3).fold(Dual::<3>::constant(0.0), |acc, i| {
                let single = LogNormal::new(loc_at(i), scale).unwrap();
                acc + single.log_prob(&values[i]).unwrap()
            });
            assert!((sum.re - each.re).abs() < 1e-12);
            for lane in 0..3 {
                let (got, want) = (sum.eps[lane], each.eps[lane]);
                assert!((got - want).abs() < 1e-12, "lane {lane}: {got} {want}");
            }
        }
        let bad = dvector![0.3, -1.0];
        let d = LogNormal::<f64>::new(0.0, 1.0).unwrap();
        let err = d.log_prob_plate_observed(&bad, &mut NoLocals).unwrap_err();
        let expected = DistError::OutOfSupport {
            family: FAMILY,
            index: Some(1),
            value: -1.0,
            support: Support::Positive.describe(),
        };
        assert_eq!(err, expected);
    }
}
