//! Student's t distribution with location and scale.

use super::common::{
    ElementDensity, ScalarFamily, block_real_parts, check_finite, check_finite_value, check_scale,
    common_batch, ln_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::gradient::{LocalTangents, PlateLoop, run_hoisted};
use crate::scalar::Scalar;
use crate::transform::Identity;
use rand::Rng;
use rand_distr::{ChiSquared, Distribution as _, StandardNormal};

const FAMILY: &str = "StudentT";

/// StudentT(df, loc, scale): density
/// Γ((ν+1)/2) / (Γ(ν/2) √(νπ) σ) · (1 + ((x − μ)/σ)² / ν)^−(ν+1)/2.
///
/// ```
/// use doppl_runtime::dist::{Distribution, StudentT};
/// let d = StudentT::<f64>::new(1.0, 0.0, 1.0).unwrap(); // ν = 1 is the Cauchy
/// let lp = d.log_prob(&1.0).unwrap();
/// assert!((lp + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StudentT<S: nalgebra::Scalar> {
    df: Param<S>,
    loc: Param<S>,
    scale: Param<S>,
    batch: Option<usize>,
    /// The element-free quantities (all but the location) when `df` and `scale` are one
    /// number each: two `ln Γ` and a `ln` computed once here, not per element of a per-unit
    /// location (a robust regression).
    shared: Option<Prepared<S>>,
}

impl<S: Scalar> StudentT<S> {
    /// StudentT with degrees of freedom `df > 0`, location and `scale > 0`.
    pub fn new(
        df: impl IntoParam<S>,
        loc: impl IntoParam<S>,
        scale: impl IntoParam<S>,
    ) -> Result<Self, DistError> {
        let (df, loc, scale) = (df.into_param()?, loc.into_param()?, scale.into_param()?);
        check_scale(FAMILY, "df", &df)?;
        check_finite(FAMILY, "loc", &loc)?;
        check_scale(FAMILY, "scale", &scale)?;
        let batch = common_batch(&[df.batch_len(), loc.batch_len(), scale.batch_len()])?;
        let shared = (df.batch_len().is_none() && scale.batch_len().is_none())
            .then(|| Prepared::new(df.at(0), S::zero(), scale.at(0), ln_at(&scale, 0)));
        Ok(StudentT {
            df,
            loc,
            scale,
            batch,
            shared,
        })
    }
}

/// Parameter quantities of one element (shared with the half-Student-t).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Prepared<S> {
    loc: S,
    inv_scale: S,
    inv_df: S,
    half_df_plus_one: S,
    /// ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln(νπ) − ln σ.
    pub(super) norm: S,
}

impl<S: Scalar> Prepared<S> {
    /// The quantities of a t with degrees of freedom `df`, location `loc`, scale `scale`
    /// and `ln_scale` = ln σ (passed in so that a constant scale's logarithm stays `f64`).
    pub(super) fn new(df: S, loc: S, scale: S, ln_scale: S) -> Self {
        let half_df_plus_one = (df + 1.0) * 0.5;
        let norm = half_df_plus_one.ln_gamma()
            - (df * 0.5).ln_gamma()
            - (df * std::f64::consts::PI).ln() * 0.5
            - ln_scale;
        Prepared {
            loc,
            inv_scale: scale.recip(),
            inv_df: df.recip(),
            half_df_plus_one,
            norm,
        }
    }

    /// The value-dependent term −(ν+1)/2 · ln(1 + ((x − μ)/σ)² / ν).
    pub(super) fn kernel(&self, x: S) -> S {
        self.kernel_at_loc(self.loc, x)
    }

    /// [`Prepared::kernel`] with location `loc` in place of the prepared one.
    #[inline]
    fn kernel_at_loc(&self, loc: S, x: S) -> S {
        let z = (x - loc) * self.inv_scale;
        -self.half_df_plus_one * (z * z * self.inv_df).ln_1p()
    }
}

/// A draw from the standard t with `df` degrees of freedom: z / √(χ²_ν / ν), drawn directly
/// so that any `df > 0` works.
pub(super) fn standard_t<R: Rng + ?Sized>(df: f64, rng: &mut R) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    let chi2 = ChiSquared::new(df).map_or(f64::NAN, |c| c.sample(rng));
    z / (chi2 / df).sqrt()
}

impl<S: Scalar> ElementDensity<S> for StudentT<S> {
    type Prepared = Prepared<S>;
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.batch
    }
    fn prepare(&self, i: usize) -> Prepared<S> {
        match &self.shared {
            Some(shared) => Prepared {
                loc: self.loc.at(i),
                ..*shared
            },
            None => {
                let (df, loc, scale) = (self.df.at(i), self.loc.at(i), self.scale.at(i));
                Prepared::new(df, loc, scale, ln_at(&self.scale, i))
            }
        }
    }
    fn normalizer(&self, prep: &Prepared<S>) -> S {
        prep.norm
    }
    fn kernel(&self, prep: &Prepared<S>, v: &S) -> Result<S, DistError> {
        check_finite_value(FAMILY, v.re(), Support::Real.describe())?;
        Ok(prep.kernel(*v))
    }
    fn shared_normalizer(&self) -> Option<S> {
        self.shared.map(|shared| shared.norm)
    }
    #[inline]
    fn kernel_at(&self, i: usize, v: &S) -> Result<S, DistError> {
        match &self.shared {
            // Only the location is per element: no copy of the shared quantities.
            Some(shared) => {
                check_finite_value(FAMILY, v.re(), Support::Real.describe())?;
                Ok(shared.kernel_at_loc(self.loc.at(i), *v))
            }
            None => self.kernel(&self.prepare(i), v),
        }
    }
    /// With one `df` and one scale: `−(ν+1)/2 · Σ ln(1 + c dᵢ²)`, `dᵢ = vᵢ − μᵢ`,
    /// `c = 1/(νσ²)`. The sum of logarithms is taken with its derivatives along each `dᵢ`
    /// and, summed once, along `c`; `(ν+1)/2` multiplies it once. Per element that is one
    /// difference and one addition into the sum, and the `ln(1 + t)` a block at a time,
    /// instead of four products of duals and a libm call.
    fn own_plate_sum<V, L: LocalTangents<S>>(
        &self,
        vs: &[V],
        locals: &mut L,
        value: &impl Fn(&V) -> S,
    ) -> Option<Result<S, DistError>> {
        let shared = self.shared?;
        let c = shared.inv_scale * shared.inv_scale * shared.inv_df;
        let sum = LogTerms {
            vs,
            loc: &self.loc,
            c,
            half_df_plus_one: shared.half_df_plus_one,
            value,
        };
        let n = vs.len() as f64;
        Some(run_hoisted(locals, &sum).map(|kernels| kernels + shared.norm * n))
    }
}

/// The loop of [`StudentT`]'s plate sum with one `df` and one scale.
struct LogTerms<'a, S: nalgebra::Scalar, V, F> {
    vs: &'a [V],
    loc: &'a Param<S>,
    c: S,
    half_df_plus_one: S,
    value: &'a F,
}

impl<S: Scalar, V, F: Fn(&V) -> S> PlateLoop<S> for LogTerms<'_, S, V, F> {
    #[inline(always)]
    fn run<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, DistError> {
        use crate::scalar::EXP_BLOCK as BLOCK;
        let (c, h) = (self.c.re(), self.half_df_plus_one.re());
        // Σ ln(1 + c dᵢ²) with its derivatives along the dᵢ, and Σ ∂/∂c apart.
        let (mut logs, mut along_c) = (S::zero(), 0.0);
        let active = locals.is_active();
        let (mut re, mut t, mut ln_1p) = ([0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK]);
        for (b, block) in self.vs.chunks(BLOCK).enumerate() {
            let len = block.len();
            let (re, t, ln_1p) = (&mut re[..len], &mut t[..len], &mut ln_1p[..len]);
            let support = (FAMILY, Support::Real);
            block_real_parts((block, b * BLOCK), self.value, re, support, f64::is_finite)?;
            for (k, (tk, r)) in t.iter_mut().zip(re.iter()).enumerate() {
                let d = r - self.loc.re_at(b * BLOCK + k);
                *tk = c * d * d;
            }
            crate::scalar::ln_1p_non_negative_each(t, ln_1p);
            for (k, v) in block.iter().enumerate() {
                let i = b * BLOCK + k;
                let d = (self.value)(v) - self.loc.at(i);
                let (dr, inv) = (d.re(), (1.0 + t[k]).recip());
                let slope = 2.0 * c * dr * inv;
                if active {
                    locals.read(i, &d, -h * slope);
                }
                logs = logs.add_chain(d, ln_1p[k], slope);
                along_c += dr * dr * inv;
            }
        }
        Ok(-self.half_df_plus_one * (logs + self.c.chain(0.0, along_c)))
    }
}

impl<S: Scalar> ScalarFamily<S> for StudentT<S> {
    fn support(&self) -> Support {
        Support::Real
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        check_finite_value(FAMILY, x, Support::Real.describe())
    }
    fn location_scale(&self, i: usize) -> Option<super::LocationScale> {
        Some(super::LocationScale::linear(
            self.loc.re_at(i),
            self.scale.re_at(i),
        ))
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        self.loc.re_at(i) + self.scale.re_at(i) * standard_t(self.df.re_at(i), rng)
    }
    fn forward(&self, u: S) -> (S, S) {
        Identity::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Identity::inverse(x)
    }
}

scalar_distribution!(StudentT, df, loc, scale);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Distribution;
    use crate::gradient::NoLocals;
    use crate::scalar::Dual;
    use nalgebra::{DVector, dvector};
    use statrs::distribution::{Continuous, StudentsT as Reference};

    /// The one-scale plate sum equals statrs' densities summed, over more than one block.
    #[test]
    fn the_one_scale_plate_sum_equals_the_reference_densities() {
        let xs = DVector::from_fn(150, |i, _| (i as f64 * 0.37).sin() * 6.0);
        let locs = DVector::from_fn(150, |i, _| (i as f64 * 0.11).cos());
        let d = StudentT::<f64>::new(4.0, locs.clone(), 1.5).unwrap();
        let sum = d.log_prob_plate_observed(&xs, &mut NoLocals).unwrap();
        let reference: f64 = (xs.iter().zip(&locs))
            .map(|(&x, &m)| Reference::new(m, 1.5, 4.0).unwrap().ln_pdf(x))
            .sum();
        assert!(
            (sum - reference).abs() < 1e-12 * reference.abs(),
            "{sum} {reference}"
        );
    }

    /// Its derivatives along the values (lane 0), the scale (lane 1), the degrees of
    /// freedom (lane 2) and a shared location (lane 3) are the element-wise densities'.
    #[test]
    fn the_one_scale_plate_sum_has_the_element_wise_derivatives() {
        let xs = [0.3, -1.7, 4.0, 12.0];
        let (scale, df) = (Dual::<4>::variable(0.8, 1), Dual::<4>::variable(3.0, 2));
        let loc = Dual::<4>::variable(0.5, 3);
        let values = DVector::from_fn(4, |i, _| Dual::<4>::variable(xs[i], 0));
        let d = StudentT::new(df, loc, scale).unwrap();
        let sum = d.log_prob_plate_local(&values, &mut NoLocals).unwrap();
        let each = (0..4).fold(Dual::<4>::constant(0.0), |acc, i| {
            acc + d.log_prob_at(i, &values[i]).unwrap()
        });
        assert!((sum.re - each.re).abs() < 1e-12, "{} {}", sum.re, each.re);
        for lane in 0..4 {
            let (a, b) = (sum.eps[lane], each.eps[lane]);
            assert!(
                (a - b).abs() < 1e-12 * b.abs().max(1.0),
                "lane {lane}: {a} {b}"
            );
        }
    }

    /// A non-finite value is an error naming its element, in a later block too.
    #[test]
    fn a_non_finite_value_is_an_error_naming_its_element() {
        let mut xs = DVector::from_element(100, 0.5);
        xs[70] = f64::INFINITY;
        let d = StudentT::<f64>::new(4.0, 0.0, 1.0).unwrap();
        let err = d.log_prob_plate_observed(&xs, &mut NoLocals).unwrap_err();
        let expected = DistError::OutOfSupport {
            family: FAMILY,
            index: Some(70),
            value: f64::INFINITY,
            support: Support::Real.describe(),
        };
        assert_eq!(err, expected);
        let d = StudentT::<f64>::new(4.0, 0.0, 1.0).unwrap();
        assert!(
            d.log_prob_plate_observed(&dvector![1e300, -1e300], &mut NoLocals)
                .is_ok()
        );
    }
}
