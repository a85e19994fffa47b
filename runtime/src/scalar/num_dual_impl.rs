//! [`Scalar`] for num-dual's `Dual64`: a second, independent forward-mode engine used to
//! cross-check gradients and for one-direction derivatives.

use super::Scalar;
use crate::dist::{IntoParam, Param};
use num_dual::{Dual64, DualNum};

impl IntoParam<Dual64> for Dual64 {
    #[inline]
    fn into_param(self) -> Result<Param<Dual64>, crate::dist::DistError> {
        Ok(Param::Scalar(self))
    }
}

impl Scalar for Dual64 {
    #[inline]
    fn from_f64(x: f64) -> Self {
        Dual64::from_re(x)
    }
    #[inline]
    fn re(&self) -> f64 {
        self.re
    }
    #[inline]
    fn chain(self, f0: f64, f1: f64) -> Self {
        Dual64::new(f0, self.eps * f1)
    }
    #[inline]
    fn has_tangent(&self) -> bool {
        self.eps != 0.0
    }
    #[inline]
    fn with_re(self, re: f64) -> Self {
        Dual64::new(re, self.eps)
    }
    #[inline]
    fn exp(self) -> Self {
        DualNum::exp(&self)
    }
    #[inline]
    fn ln(self) -> Self {
        DualNum::ln(&self)
    }
    #[inline]
    fn ln_1p(self) -> Self {
        DualNum::ln_1p(&self)
    }
    #[inline]
    fn exp_m1(self) -> Self {
        DualNum::exp_m1(&self)
    }
    #[inline]
    fn sqrt(self) -> Self {
        DualNum::sqrt(&self)
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        DualNum::powi(&self, n)
    }
    #[inline]
    fn powf(self, p: f64) -> Self {
        DualNum::powf(&self, p)
    }
    #[inline]
    fn tanh(self) -> Self {
        DualNum::tanh(&self)
    }
    #[inline]
    fn sin(self) -> Self {
        DualNum::sin(&self)
    }
    #[inline]
    fn cos(self) -> Self {
        DualNum::cos(&self)
    }
}
