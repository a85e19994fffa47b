//! Student's t distribution with location and scale.

use super::common::{
    ElementDensity, ScalarFamily, check_finite, check_finite_value, check_scale, common_batch,
    ln_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
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
