//! The [`Scalar`] trait: the number type generated log-joints are generic over.
//!
//! Data stays `f64`; only parameters become dual numbers. `f64` evaluates a density, the
//! forward-mode [`Dual`] (our dense tangent vector) and num-dual's [`num_dual::Dual64`]
//! evaluate it together with directional derivatives.

mod blocks;
mod dual;
mod exp;
mod logarithm;
mod num_dual_impl;
pub(crate) mod simd;
mod special;
mod tanh;

pub use blocks::{EXP_BLOCK, exp_each, ln_1p_unit_each, ln_each};
pub(crate) use blocks::{ln_1p_non_negative_each, ln_positive_each};
pub use dual::Dual;
pub use exp::exp_f64;
pub use logarithm::{ln_1p_f64, ln_1p_unit_f64, ln_f64};
pub use special::{digamma, ln_gamma};
pub use tanh::tanh_f64;

use crate::dist::IntoParam;
use std::fmt::Debug;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A real number that may carry derivatives: `f64`, [`Dual`] or num-dual's `Dual64`.
///
/// Every elementary function is provided as a method so that model code and distributions
/// can be written once. Functions num-dual lacks (sigmoid, softplus, log-gamma …) are
/// defined through [`Scalar::chain`], the first-order chain rule: exact for gradients.
///
/// ```
/// use doppl_runtime::scalar::{Dual, Scalar};
/// let x = Dual::<2>::variable(0.5, 0);
/// let y = x.exp() * 3.0; // d/dx 3 e^x = 3 e^x
/// assert!((y.re() - 3.0 * 0.5f64.exp()).abs() < 1e-15);
/// assert!((y.eps[0] - 3.0 * 0.5f64.exp()).abs() < 1e-15);
/// assert_eq!(y.eps[1], 0.0);
/// ```
pub trait Scalar:
    nalgebra::Scalar
    + Copy
    + Send
    + Sync
    + Debug
    + PartialEq
    + PartialOrd
    + PartialOrd<f64>
    + num_traits::Zero
    + num_traits::One
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
    + Sum
    + IntoParam<Self>
    + crate::intervention::ShiftValue
    + crate::value::ScalarVectorOps
{
    /// A constant (all derivative parts zero).
    fn from_f64(x: f64) -> Self;
    /// The real (value) part.
    fn re(&self) -> f64;
    /// `f(self)` given `f0 = f(re)` and `f1 = f'(re)`: the first-order chain rule.
    fn chain(self, f0: f64, f1: f64) -> Self;
    /// `self + f(x)` given `f0 = f(x.re)` and `f1 = f'(x.re)`: one fused pass over the lanes
    /// for the per-element terms of plate sums (a separate `chain` and `+=` make two).
    #[inline]
    fn add_chain(self, x: Self, f0: f64, f1: f64) -> Self {
        self + x.chain(f0, f1)
    }
    /// `self + a * x` where `a` is data: the hot operation of linear predictors.
    #[inline]
    fn add_scaled(self, a: f64, x: Self) -> Self {
        self + x * a
    }

    /// `out[i] += Σⱼ x[j·n + i] · β[j]` for column-major data `x` of `n = out.len()` rows and
    /// `β.len()` columns: the kernel of a data matrix times a parameter vector (`x * &beta`).
    ///
    /// Rows go in blocks of `MATVEC_BLOCK` (128) so that the output block stays in L1 while every
    /// column streams over it once; columns are summed in order, the same for every scalar
    /// type. [`Dual`] overrides this to skip the tangent work of unseeded coefficients.
    fn add_data_matvec(out: &mut [Self], x: &[f64], beta: &[Self]) {
        let n = out.len();
        for (b, block) in out.chunks_mut(MATVEC_BLOCK).enumerate() {
            let start = b * MATVEC_BLOCK;
            for (j, &bj) in beta.iter().enumerate() {
                let col = &x[j * n + start..j * n + start + block.len()];
                for (o, &xij) in block.iter_mut().zip(col) {
                    *o = o.add_scaled(xij, bj);
                }
            }
        }
    }

    /// e^x.
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// ln(1 + x), accurate near 0.
    fn ln_1p(self) -> Self;
    /// e^x − 1, accurate near 0.
    fn exp_m1(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// Integer power.
    fn powi(self, n: i32) -> Self;
    /// Real power with a constant exponent.
    fn powf(self, p: f64) -> Self;
    /// Hyperbolic tangent ([`tanh_f64`] for `f64` and [`Dual`], which a network's block
    /// loops vectorize).
    fn tanh(self) -> Self;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;

    /// 1 / x.
    #[inline]
    fn recip(self) -> Self {
        let r = 1.0 / self.re();
        self.chain(r, -r * r)
    }
    /// |x| (derivative sign(x); at 0 the derivative of x, i.e. +1).
    #[inline]
    fn abs(self) -> Self {
        if self.re() < 0.0 { -self } else { self }
    }
    /// x².
    #[inline]
    fn square(self) -> Self {
        self * self
    }
    /// The logistic function 1 / (1 + e^-x).
    #[inline]
    fn sigmoid(self) -> Self {
        let s = sigmoid_f64(self.re());
        self.chain(s, s * (1.0 - s))
    }
    /// ln(1 + e^x), stable in both tails.
    #[inline]
    fn softplus(self) -> Self {
        let x = self.re();
        self.chain(softplus_f64(x), sigmoid_f64(x))
    }
    /// ln σ(x) = −softplus(−x), stable in both tails.
    #[inline]
    fn log_sigmoid(self) -> Self {
        let (f0, f1) = log_sigmoid_and_derivative_f64(self.re());
        self.chain(f0, f1)
    }
    /// ln Γ(x) (derivative: digamma).
    #[inline]
    fn ln_gamma(self) -> Self {
        let x = self.re();
        self.chain(ln_gamma(x), digamma(x))
    }
    /// The larger of two numbers (derivative of the one chosen).
    #[inline]
    fn max(self, other: Self) -> Self {
        if self.re() >= other.re() { self } else { other }
    }

    /// The derivative in tangent lane `lane` (0 for numbers without lanes). The derivative
    /// engine reads plate-local derivatives off a lane shared by a plate's elements
    /// ([`crate::gradient`]).
    #[inline]
    fn tangent(&self, lane: usize) -> f64 {
        let _ = lane;
        0.0
    }
    /// Sets the derivative in tangent lane `lane` to zero (nothing without lanes).
    #[inline]
    fn clear_tangent(&mut self, lane: usize) {
        let _ = lane;
    }
    /// The lane and derivative when exactly one lane is non-zero (`None` without lanes).
    #[inline]
    fn single_lane(&self) -> Option<(usize, f64)> {
        None
    }
    /// Sets the derivative in lane `lane` to `d` (nothing without lanes).
    #[inline]
    fn set_tangent(&mut self, lane: usize, d: f64) {
        let _ = (lane, d);
    }
    /// Whether any derivative part is non-zero (never for `f64`).
    fn has_tangent(&self) -> bool;
    /// The same derivatives with the value part replaced by `re`.
    fn with_re(self, re: f64) -> Self;
    /// `re` with derivative 1 in lane `lane` and 0 elsewhere (a constant without lanes).
    #[inline]
    fn seeded(re: f64, lane: usize) -> Self {
        let _ = lane;
        Self::from_f64(re)
    }
}

/// Rows per block in [`Scalar::add_data_matvec`]: 128 duals of 17 lanes are 17 KiB.
pub(crate) const MATVEC_BLOCK: usize = 128;

/// 1 / (1 + e^-x) without overflow.
#[inline]
pub fn sigmoid_f64(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// (ln σ(x), d/dx ln σ(x) = σ(−x)) with one `exp` and one `ln_1p`, stable in both tails.
#[inline]
pub fn log_sigmoid_and_derivative_f64(x: f64) -> (f64, f64) {
    log_sigmoid_and_derivative_given_exp(x, (-x.abs()).exp())
}

/// [`log_sigmoid_and_derivative_f64`] with `e = e^{−|x|}` already computed.
#[inline]
fn log_sigmoid_and_derivative_given_exp(x: f64, e: f64) -> (f64, f64) {
    log_sigmoid_and_derivative_given(x, e, e.ln_1p())
}

/// [`log_sigmoid_and_derivative_f64`] with `e = e^{−|x|}` and `ln(1 + e)` already computed
/// (a block of each by the vectorized [`exp_each`] and [`ln_1p_unit_each`]).
#[inline]
pub(crate) fn log_sigmoid_and_derivative_given(x: f64, e: f64, log1pe: f64) -> (f64, f64) {
    if x >= 0.0 {
        (-log1pe, e / (1.0 + e))
    } else {
        (x - log1pe, 1.0 / (1.0 + e))
    }
}

/// ln(1 + e^x) without overflow or cancellation.
#[inline]
pub fn softplus_f64(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// ln Σ e^xᵢ, stable (−∞ for an empty slice).
pub fn log_sum_exp_f64(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

impl Scalar for f64 {
    #[inline]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline]
    fn re(&self) -> f64 {
        *self
    }
    #[inline]
    fn chain(self, f0: f64, _f1: f64) -> Self {
        f0
    }
    #[inline]
    fn has_tangent(&self) -> bool {
        false
    }
    #[inline]
    fn with_re(self, re: f64) -> Self {
        re
    }
    /// The block-by-block kernel of [`Scalar::add_data_matvec`], dispatched at run time to
    /// AVX2 where the CPU has it (module `simd`); the same sums in the same order.
    fn add_data_matvec(out: &mut [f64], x: &[f64], beta: &[f64]) {
        let n = out.len();
        for (b, block) in out.chunks_mut(MATVEC_BLOCK).enumerate() {
            simd::add_columns_f64(block, x, n, b * MATVEC_BLOCK, beta);
        }
    }
    #[inline]
    fn add_scaled(self, a: f64, x: Self) -> Self {
        // Not `mul_add`: that is a libm call unless compiled with a target-cpu FMA flag.
        self + a * x
    }
    #[inline]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline]
    fn ln(self) -> Self {
        f64::ln(self)
    }
    #[inline]
    fn ln_1p(self) -> Self {
        f64::ln_1p(self)
    }
    #[inline]
    fn exp_m1(self) -> Self {
        f64::exp_m1(self)
    }
    #[inline]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        f64::powi(self, n)
    }
    #[inline]
    fn powf(self, p: f64) -> Self {
        f64::powf(self, p)
    }
    #[inline]
    fn tanh(self) -> Self {
        tanh_f64(self)
    }
    #[inline]
    fn sin(self) -> Self {
        f64::sin(self)
    }
    #[inline]
    fn cos(self) -> Self {
        f64::cos(self)
    }
    #[inline]
    fn recip(self) -> Self {
        1.0 / self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_derivative(f: impl Fn(Dual<1>) -> Dual<1>, g: impl Fn(f64) -> f64, x: f64) {
        let y = f(Dual::variable(x, 0));
        let h = 1e-6 * (1.0 + x.abs());
        let fd = (g(x + h) - g(x - h)) / (2.0 * h);
        assert!(
            (y.re - g(x)).abs() <= 1e-12 * (1.0 + g(x).abs()),
            "value at {x}"
        );
        assert!(
            (y.eps[0] - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
            "derivative at {x}: {} vs {fd}",
            y.eps[0]
        );
    }

    #[test]
    fn elementary_functions_match_finite_differences() {
        for &x in &[0.3, 1.7, 4.2] {
            check_derivative(|d| d.exp(), f64::exp, x);
            check_derivative(|d| d.ln(), f64::ln, x);
            check_derivative(|d| d.ln_1p(), f64::ln_1p, x);
            check_derivative(|d| d.exp_m1(), f64::exp_m1, x);
            check_derivative(|d| d.sqrt(), f64::sqrt, x);
            check_derivative(|d| d.powi(3), |v| v.powi(3), x);
            check_derivative(|d| d.powf(-1.5), |v| v.powf(-1.5), x);
            check_derivative(|d| d.tanh(), f64::tanh, x);
            check_derivative(|d| d.sin(), f64::sin, x);
            check_derivative(|d| d.cos(), f64::cos, x);
            check_derivative(|d| d.recip(), |v| 1.0 / v, x);
            check_derivative(|d| d.sigmoid(), sigmoid_f64, x - 2.0);
            check_derivative(|d| d.softplus(), softplus_f64, x - 2.0);
            check_derivative(|d| d.log_sigmoid(), |v| -softplus_f64(-v), x - 2.0);
            check_derivative(|d| d.log_sigmoid(), |v| -softplus_f64(-v), 2.0 - x);
            check_derivative(
                |d| Dual::constant(0.5).add_chain(d, d.re.exp(), d.re.exp()),
                |v| 0.5 + v.exp(),
                x,
            );
            check_derivative(|d| d.ln_gamma(), ln_gamma, x);
            check_derivative(
                |d| d * d / (d + 1.0) - d * 2.0,
                |v| v * v / (v + 1.0) - 2.0 * v,
                x,
            );
        }
    }

    #[test]
    fn softplus_and_sigmoid_are_stable_in_the_tails() {
        assert_eq!(softplus_f64(-800.0), 0.0);
        assert_eq!(softplus_f64(800.0), 800.0);
        assert!((softplus_f64(-40.0) - (-40.0f64).exp()).abs() < 1e-30);
        assert_eq!(sigmoid_f64(-800.0), 0.0);
        assert_eq!(sigmoid_f64(800.0), 1.0);
        assert_eq!(log_sigmoid_and_derivative_f64(800.0), (0.0, 0.0));
        assert_eq!(log_sigmoid_and_derivative_f64(-800.0), (-800.0, 1.0));
        assert!((log_sum_exp_f64(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-12);
    }
}
