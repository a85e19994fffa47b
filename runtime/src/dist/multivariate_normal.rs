//! The multivariate normal distribution with a data (f64) covariance.

use super::common::{LN_SQRT_2PI, require_vector, vector_plate_sum};
use super::{DistError, Distribution, IntoParam, Support, check_batch};
use crate::scalar::Scalar;
use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand_distr::{Distribution as _, StandardNormal};

const FAMILY: &str = "MultivariateNormal";

/// MultivariateNormal(loc μ, covariance Σ = L Lᵀ): density
/// (2π)^(−k/2) |Σ|^(−1/2) exp(−½ (x − μ)ᵀ Σ⁻¹ (x − μ)) on ℝᵏ.
///
/// The mean may be latent (a vector of duals). The covariance is `f64` data for now: a
/// latent covariance would need a Cholesky factorisation generic over the scalar. The
/// density is evaluated by forward substitution with the Cholesky factor L, never by
/// forming Σ⁻¹.
///
/// ```
/// use doppl_runtime::dist::{Distribution, MultivariateNormal};
/// use nalgebra::{dmatrix, dvector};
/// let d = MultivariateNormal::<f64>::new(dvector![0.0, 0.0], dmatrix![4.0, 0.0; 0.0, 1.0]).unwrap();
/// let lp = d.log_prob(&dvector![2.0, 0.0]).unwrap();
/// // two independent normals: N(2; 0, 2²) · N(0; 0, 1)
/// let expected = -0.5 - 2f64.ln() - (2.0 * std::f64::consts::PI).ln();
/// assert!((lp - expected).abs() < 1e-14);
/// assert!(MultivariateNormal::<f64>::new(dvector![0.0, 0.0], dmatrix![1.0, 2.0; 2.0, 1.0]).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MultivariateNormal<S: nalgebra::Scalar> {
    loc: DVector<S>,
    scale_tril: DMatrix<f64>,
    /// −Σ ln Lᵢᵢ − k ln √2π.
    log_norm: f64,
}

fn invalid(param: &'static str, value: f64, requirement: &'static str) -> DistError {
    DistError::InvalidParameter {
        family: FAMILY,
        param,
        index: None,
        value,
        requirement,
    }
}

fn check_square(m: &DMatrix<f64>, k: usize) -> Result<(), DistError> {
    check_batch(Some(m.nrows()), k)?;
    check_batch(Some(m.ncols()), k)?;
    match m.iter().find(|x| !x.is_finite()) {
        Some(&bad) => Err(invalid("cov", bad, "a matrix of finite numbers")),
        None => Ok(()),
    }
}

impl<S: Scalar> MultivariateNormal<S> {
    /// MultivariateNormal with mean `loc` (a vector) and a symmetric positive definite
    /// covariance matrix `cov` of matching size.
    pub fn new(loc: impl IntoParam<S>, cov: DMatrix<f64>) -> Result<Self, DistError> {
        let loc = require_vector(FAMILY, "loc", loc.into_param()?)?;
        check_square(&cov, loc.len())?;
        let asymmetry = (&cov - cov.transpose()).amax();
        if asymmetry > 1e-10 * cov.amax() {
            return Err(invalid(
                "cov",
                asymmetry,
                "symmetric (the value shown is max |Σᵢⱼ − Σⱼᵢ|)",
            ));
        }
        match cov.clone().cholesky() {
            Some(chol) => Self::with_scale_tril(loc, chol.unpack()),
            None => {
                let smallest = cov.symmetric_eigenvalues().min();
                Err(invalid(
                    "cov",
                    smallest,
                    "positive definite (the value shown is its smallest eigenvalue)",
                ))
            }
        }
    }

    /// MultivariateNormal with mean `loc` and covariance `scale_tril · scale_trilᵀ`, where
    /// `scale_tril` is lower triangular with a positive diagonal.
    pub fn with_scale_tril(
        loc: impl IntoParam<S>,
        scale_tril: DMatrix<f64>,
    ) -> Result<Self, DistError> {
        let loc = require_vector(FAMILY, "loc", loc.into_param()?)?;
        let k = loc.len();
        check_square(&scale_tril, k).map_err(|e| match e {
            DistError::InvalidParameter { value, .. } => invalid("scale_tril", value, "finite"),
            other => other,
        })?;
        if let Some(i) = loc.iter().position(|m| !m.re().is_finite()) {
            return Err(invalid("loc", loc[i].re(), "finite").at(i));
        }
        let upper = scale_tril.upper_triangle() - DMatrix::from_diagonal(&scale_tril.diagonal());
        if upper.amax() > 0.0 {
            return Err(invalid("scale_tril", upper.amax(), "lower triangular"));
        }
        if let Some(i) = scale_tril.diagonal().iter().position(|d| *d <= 0.0) {
            return Err(
                invalid("scale_tril", scale_tril[(i, i)], "positive on the diagonal").at(i),
            );
        }
        let log_det_half: f64 = scale_tril.diagonal().iter().map(|d| d.ln()).sum();
        Ok(MultivariateNormal {
            loc,
            scale_tril,
            log_norm: -log_det_half - LN_SQRT_2PI * k as f64,
        })
    }

    /// k, the length of a value.
    pub fn dim(&self) -> usize {
        self.loc.len()
    }

    /// −½ |L⁻¹(x − μ)|², after checking that `x` is a finite vector of length k.
    fn kernel(&self, x: &DVector<S>) -> Result<S, DistError> {
        check_batch(Some(x.len()), self.dim())?;
        if let Some(bad) = x.iter().find(|v| !v.re().is_finite()) {
            return Err(DistError::OutOfSupport {
                family: FAMILY,
                index: None,
                value: bad.re(),
                support: Support::RealVector(self.dim()).describe(),
            });
        }
        // Forward substitution L z = x − μ with an f64 factor and scalar right-hand side:
        // nalgebra's solvers need a RealField, which duals are not.
        let k = self.dim();
        let mut z: Vec<S> = Vec::with_capacity(k);
        let mut squared_norm = S::zero();
        for i in 0..k {
            let mut r = x[i] - self.loc[i];
            for (j, zj) in z.iter().enumerate() {
                r = r.add_scaled(-self.scale_tril[(i, j)], *zj);
            }
            let zi = r / self.scale_tril[(i, i)];
            squared_norm += zi * zi;
            z.push(zi);
        }
        Ok(-squared_norm * 0.5)
    }
}

impl<S: Scalar> Distribution<S> for MultivariateNormal<S> {
    type Value = DVector<S>;
    type Plain = DVector<f64>;
    const NAME: &'static str = FAMILY;

    fn support(&self) -> Support {
        Support::RealVector(self.dim())
    }
    fn batch_len(&self) -> Option<usize> {
        None
    }
    fn lift(v: &DVector<f64>) -> DVector<S> {
        v.map(S::from_f64)
    }
    fn lower(v: &DVector<S>) -> DVector<f64> {
        v.map(|x| x.re())
    }
    fn log_prob(&self, v: &DVector<S>) -> Result<S, DistError> {
        Ok(self.kernel(v)? + self.log_norm)
    }
    fn log_prob_plate_local<L: crate::gradient::LocalTangents<S>>(
        &self,
        vs: &DVector<DVector<S>>,
        _locals: &mut L,
    ) -> Result<S, DistError> {
        Ok(vector_plate_sum(vs, |v| self.kernel(v))? + self.log_norm * vs.len() as f64)
    }
    /// μ + L z with z standard normal.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> DVector<f64> {
        let z = DVector::from_fn(self.dim(), |_, _| StandardNormal.sample(rng));
        self.loc.map(|m| m.re()) + &self.scale_tril * z
    }
    fn sample_plate<R: Rng + ?Sized>(
        &self,
        n: usize,
        rng: &mut R,
    ) -> Result<DVector<DVector<f64>>, DistError> {
        check_batch(None, n)?;
        Ok(DVector::from_fn(n, |_, _| self.sample(rng)))
    }
    fn unconstrained_dim(&self) -> usize {
        self.dim()
    }
    fn from_unconstrained(&self, u: &[S]) -> (DVector<S>, S) {
        (DVector::from_column_slice(u), S::zero())
    }
    fn to_unconstrained(&self, v: &DVector<f64>, out: &mut [f64]) -> Result<(), DistError> {
        self.kernel(&v.map(S::from_f64))?;
        out.copy_from_slice(v.as_slice());
        Ok(())
    }
}
