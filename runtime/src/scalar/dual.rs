//! A dense forward-mode dual number with `W` tangent lanes stored inline.
//!
//! num-dual's `DualSVec64` wraps its tangent in an `Option` and builds large temporaries by
//! value; measured on the Lalonde model that costs 29–44× the f64 log-density, against ~4× for
//! this flat layout (see `../shared/NOTES-deps-and-ad.md`). Gradients of more than `W`
//! parameters are computed in chunks of `W` lanes.

use super::{MATVEC_BLOCK, Scalar};
use crate::dist::{IntoParam, Param};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// `re + Σ eps[k] ε_k`: a value and its derivatives along `W` directions.
#[derive(Clone, Copy)]
pub struct Dual<const W: usize> {
    /// The value.
    pub re: f64,
    /// The directional derivatives.
    pub eps: [f64; W],
}

impl<const W: usize> Dual<W> {
    /// A constant.
    #[inline]
    pub const fn constant(re: f64) -> Self {
        Dual { re, eps: [0.0; W] }
    }
    /// The variable seeded in lane `lane` (derivative 1 there).
    #[inline]
    pub fn variable(re: f64, lane: usize) -> Self {
        let mut d = Self::constant(re);
        d.eps[lane] = 1.0;
        d
    }
    /// Which lanes of the tangent are non-zero, for linear algebra that skips the rest.
    fn tangent_kind(&self) -> Tangent {
        let mut kind = Tangent::Zero;
        for (lane, &e) in self.eps.iter().enumerate() {
            if e != 0.0 {
                kind = match kind {
                    Tangent::Zero => Tangent::Lane(lane, e),
                    _ => return Tangent::Dense,
                };
            }
        }
        kind
    }
    #[inline]
    fn scale_eps(mut self, f1: f64) -> Self {
        for e in &mut self.eps {
            *e *= f1;
        }
        self
    }
}

/// The shape of a tangent: in a chunked gradient most coefficients are unseeded (zero
/// tangent) and a seeded one has a single non-zero lane.
#[derive(Clone, Copy)]
enum Tangent {
    Zero,
    Lane(usize, f64),
    Dense,
}

/// `out += X·β` over one block of rows: the value parts as a contiguous `f64` accumulation
/// (vectorizes), the tangents only where β has non-zero lanes.
fn matvec_block<const W: usize>(
    block: &mut [Dual<W>],
    re: &mut [f64],
    columns: impl Iterator<Item = (usize, usize)>,
    x: &[f64],
    beta: &[(Dual<W>, Tangent)],
) {
    for (r, o) in re.iter_mut().zip(block.iter()) {
        *r = o.re;
    }
    for ((start, end), (bj, kind)) in columns.zip(beta) {
        let col = &x[start..end];
        super::simd::add_scaled_column(re, col, bj.re);
        match *kind {
            Tangent::Zero => {}
            Tangent::Lane(lane, v) => {
                for (o, &xij) in block.iter_mut().zip(col) {
                    o.eps[lane] += xij * v;
                }
            }
            Tangent::Dense => {
                for (o, &xij) in block.iter_mut().zip(col) {
                    for (e, be) in o.eps.iter_mut().zip(&bj.eps) {
                        *e += xij * be;
                    }
                }
            }
        }
    }
    for (o, &r) in block.iter_mut().zip(re.iter()) {
        o.re = r;
    }
}

impl<const W: usize> fmt::Debug for Dual<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} + {:?}ε", self.re, self.eps)
    }
}

/// Duals compare by value only, as the branch decisions of a model do.
impl<const W: usize> PartialEq for Dual<W> {
    fn eq(&self, other: &Self) -> bool {
        self.re == other.re
    }
}

impl<const W: usize> PartialOrd for Dual<W> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

impl<const W: usize> PartialEq<f64> for Dual<W> {
    fn eq(&self, other: &f64) -> bool {
        self.re == *other
    }
}

/// `if b > 0.0` in a model body decides by the value part, the branch `f64` code takes.
impl<const W: usize> PartialOrd<f64> for Dual<W> {
    fn partial_cmp(&self, other: &f64) -> Option<std::cmp::Ordering> {
        self.re.partial_cmp(other)
    }
}

impl<const W: usize> Default for Dual<W> {
    fn default() -> Self {
        Self::constant(0.0)
    }
}

impl<const W: usize> AddAssign for Dual<W> {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        self.re += rhs.re;
        for (a, b) in self.eps.iter_mut().zip(rhs.eps.iter()) {
            *a += b;
        }
    }
}
impl<const W: usize> SubAssign for Dual<W> {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        self.re -= rhs.re;
        for (a, b) in self.eps.iter_mut().zip(rhs.eps.iter()) {
            *a -= b;
        }
    }
}
impl<const W: usize> MulAssign for Dual<W> {
    #[inline]
    fn mul_assign(&mut self, rhs: Self) {
        let (a, b) = (self.re, rhs.re);
        for (x, y) in self.eps.iter_mut().zip(rhs.eps.iter()) {
            *x = *x * b + a * y;
        }
        self.re = a * b;
    }
}
impl<const W: usize> DivAssign for Dual<W> {
    #[inline]
    fn div_assign(&mut self, rhs: Self) {
        let inv = 1.0 / rhs.re;
        let q = self.re * inv;
        for (x, y) in self.eps.iter_mut().zip(rhs.eps.iter()) {
            *x = (*x - q * y) * inv;
        }
        self.re = q;
    }
}

macro_rules! by_value_from_assign {
    ($tr:ident, $m:ident, $atr:ident, $am:ident) => {
        impl<const W: usize> $tr for Dual<W> {
            type Output = Self;
            #[inline]
            fn $m(mut self, rhs: Self) -> Self {
                <Self as $atr>::$am(&mut self, rhs);
                self
            }
        }
    };
}
by_value_from_assign!(Add, add, AddAssign, add_assign);
by_value_from_assign!(Sub, sub, SubAssign, sub_assign);
by_value_from_assign!(Mul, mul, MulAssign, mul_assign);
by_value_from_assign!(Div, div, DivAssign, div_assign);

impl<const W: usize> Neg for Dual<W> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Dual {
            re: -self.re,
            eps: self.eps.map(|e| -e),
        }
    }
}

impl<const W: usize> Add<f64> for Dual<W> {
    type Output = Self;
    #[inline]
    fn add(mut self, rhs: f64) -> Self {
        self.re += rhs;
        self
    }
}
impl<const W: usize> Sub<f64> for Dual<W> {
    type Output = Self;
    #[inline]
    fn sub(mut self, rhs: f64) -> Self {
        self.re -= rhs;
        self
    }
}
impl<const W: usize> Mul<f64> for Dual<W> {
    type Output = Self;
    #[inline]
    fn mul(mut self, rhs: f64) -> Self {
        self.re *= rhs;
        self.scale_eps(rhs)
    }
}
impl<const W: usize> Div<f64> for Dual<W> {
    type Output = Self;
    #[inline]
    fn div(self, rhs: f64) -> Self {
        self * (1.0 / rhs)
    }
}

impl<const W: usize> Sum for Dual<W> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        let mut acc = Self::constant(0.0);
        for x in iter {
            acc += x;
        }
        acc
    }
}

impl<const W: usize> num_traits::Zero for Dual<W> {
    fn zero() -> Self {
        Self::constant(0.0)
    }
    fn is_zero(&self) -> bool {
        self.re == 0.0 && self.eps.iter().all(|e| *e == 0.0)
    }
}
impl<const W: usize> num_traits::One for Dual<W> {
    fn one() -> Self {
        Self::constant(1.0)
    }
}

impl<const W: usize> IntoParam<Dual<W>> for Dual<W> {
    #[inline]
    fn into_param(self) -> Result<Param<Dual<W>>, crate::dist::DistError> {
        Ok(Param::Scalar(self))
    }
}

impl<const W: usize> Scalar for Dual<W> {
    #[inline]
    fn from_f64(x: f64) -> Self {
        Self::constant(x)
    }
    #[inline]
    fn re(&self) -> f64 {
        self.re
    }
    #[inline]
    fn chain(self, f0: f64, f1: f64) -> Self {
        Dual {
            re: f0,
            eps: self.eps.map(|e| e * f1),
        }
    }
    #[inline]
    fn add_chain(mut self, x: Self, f0: f64, f1: f64) -> Self {
        self.re += f0;
        for (s, e) in self.eps.iter_mut().zip(x.eps.iter()) {
            *s += f1 * e;
        }
        self
    }
    #[inline]
    fn add_scaled(mut self, a: f64, x: Self) -> Self {
        // Plain multiply-add, not `f64::mul_add`: without a target-cpu FMA flag (not allowed,
        // the CI machine may differ) `mul_add` is a libm call per lane and blocks vectorization.
        self.re += a * x.re;
        for (s, e) in self.eps.iter_mut().zip(x.eps.iter()) {
            *s += a * e;
        }
        self
    }
    fn add_data_matvec(out: &mut [Self], x: &[f64], beta: &[Self]) {
        let n = out.len();
        let kinds = beta.iter().map(|b| (*b, b.tangent_kind()));
        let beta: Vec<(Self, Tangent)> = crate::value::collect(beta.len(), kinds);
        let mut re = [0.0; MATVEC_BLOCK];
        for (b, block) in out.chunks_mut(MATVEC_BLOCK).enumerate() {
            let (start, len) = (b * MATVEC_BLOCK, block.len());
            let columns = (0..beta.len()).map(|j| (j * n + start, j * n + start + len));
            matvec_block(block, &mut re[..len], columns, x, &beta);
        }
        crate::value::recycle(beta);
    }
    #[inline]
    fn tangent(&self, lane: usize) -> f64 {
        self.eps[lane]
    }
    #[inline]
    fn clear_tangent(&mut self, lane: usize) {
        self.eps[lane] = 0.0;
    }
    #[inline]
    fn has_tangent(&self) -> bool {
        self.eps.iter().any(|&e| e != 0.0)
    }
    #[inline]
    fn with_re(self, re: f64) -> Self {
        Dual { re, ..self }
    }
    #[inline]
    fn single_lane(&self) -> Option<(usize, f64)> {
        match self.tangent_kind() {
            Tangent::Lane(lane, e) => Some((lane, e)),
            _ => None,
        }
    }
    #[inline]
    fn set_tangent(&mut self, lane: usize, d: f64) {
        self.eps[lane] = d;
    }
    #[inline]
    fn seeded(re: f64, lane: usize) -> Self {
        Self::variable(re, lane)
    }
    #[inline]
    fn exp(self) -> Self {
        let e = self.re.exp();
        self.chain(e, e)
    }
    #[inline]
    fn ln(self) -> Self {
        self.chain(self.re.ln(), 1.0 / self.re)
    }
    #[inline]
    fn ln_1p(self) -> Self {
        self.chain(self.re.ln_1p(), 1.0 / (1.0 + self.re))
    }
    #[inline]
    fn exp_m1(self) -> Self {
        self.chain(self.re.exp_m1(), self.re.exp())
    }
    #[inline]
    fn sqrt(self) -> Self {
        let s = self.re.sqrt();
        self.chain(s, 0.5 / s)
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        match n {
            0 => Self::constant(1.0),
            1 => self,
            2 => self * self,
            _ => self.chain(self.re.powi(n), f64::from(n) * self.re.powi(n - 1)),
        }
    }
    #[inline]
    fn powf(self, p: f64) -> Self {
        self.chain(self.re.powf(p), p * self.re.powf(p - 1.0))
    }
    #[inline]
    fn tanh(self) -> Self {
        let t = super::tanh_f64(self.re);
        self.chain(t, 1.0 - t * t)
    }
    #[inline]
    fn sin(self) -> Self {
        self.chain(self.re.sin(), self.re.cos())
    }
    #[inline]
    fn cos(self) -> Self {
        self.chain(self.re.cos(), -self.re.sin())
    }
}
