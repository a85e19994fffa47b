//! A scalar of the body's generic type on the left of a vector or data (`beta * nodegree`,
//! `intercept + x * beta`).
//!
//! Rust's coherence rules forbid `impl<S> Mul<Vector<S>> for S` for a type parameter `S`, so
//! these operators are implemented for each concrete scalar (`f64` in [`super::ops`], the
//! dual types here) and required by [`ScalarVectorOps`], a supertrait of
//! [`crate::scalar::Scalar`]: a body generic over `S` then knows that `S * Vector<S>` exists.

use super::data::Data;
use super::mix::{Mix, MixOperand, Op};
use super::scaled::Scaled;
use super::vector::Vector;
use crate::scalar::Dual;
use nalgebra::DVector;
use num_dual::Dual64;
use std::ops::{Add, Div, Mul, Sub};

/// The arithmetic of a scalar with model values, in every operand form: a supertrait of
/// [`crate::scalar::Scalar`], implemented by `f64`, [`Dual`] and num-dual's `Dual64`.
pub trait ScalarVectorOps:
    MixOperand
    + Mix<Self, Output = Self>
    + Mix<f64, Output = Self>
    + Add<Vector<Self>, Output = Vector<Self>>
    + Sub<Vector<Self>, Output = Vector<Self>>
    + Mul<Vector<Self>, Output = Vector<Self>>
    + Div<Vector<Self>, Output = Vector<Self>>
    + for<'a> Add<&'a Vector<Self>, Output = Vector<Self>>
    + for<'a> Sub<&'a Vector<Self>, Output = Vector<Self>>
    + for<'a> Mul<&'a Vector<Self>, Output = Vector<Self>>
    + for<'a> Div<&'a Vector<Self>, Output = Vector<Self>>
    + Add<Vector<f64>, Output = Vector<Self>>
    + Sub<Vector<f64>, Output = Vector<Self>>
    + Mul<Vector<f64>, Output = Vector<Self>>
    + Div<Vector<f64>, Output = Vector<Self>>
    + for<'a> Add<&'a Vector<f64>, Output = Vector<Self>>
    + for<'a> Sub<&'a Vector<f64>, Output = Vector<Self>>
    + for<'a> Mul<&'a Vector<f64>, Output = Vector<Self>>
    + for<'a> Div<&'a Vector<f64>, Output = Vector<Self>>
    + for<'a> Add<Data<'a, DVector<f64>>, Output = Vector<Self>>
    + for<'a> Sub<Data<'a, DVector<f64>>, Output = Vector<Self>>
    + for<'a> Mul<Data<'a, DVector<f64>>, Output = Scaled<'a, Self>>
    + for<'a> Div<Data<'a, DVector<f64>>, Output = Vector<Self>>
    + for<'a> Add<Scaled<'a, Self>, Output = Vector<Self>>
    + for<'a> Sub<Scaled<'a, Self>, Output = Vector<Self>>
    + for<'a> Mul<Scaled<'a, Self>, Output = Vector<Self>>
    + for<'a> Div<Scaled<'a, Self>, Output = Vector<Self>>
    + for<'a> Add<Scaled<'a, f64>, Output = Vector<Self>>
    + for<'a> Sub<Scaled<'a, f64>, Output = Vector<Self>>
    + for<'a> Mul<Scaled<'a, f64>, Output = Vector<Self>>
    + for<'a> Div<Scaled<'a, f64>, Output = Vector<Self>>
{
}

impl ScalarVectorOps for f64 {}
impl<const W: usize> ScalarVectorOps for Dual<W> {}
impl ScalarVectorOps for Dual64 {}

macro_rules! scalar_left {
    ([$($g:tt)*] $t:ty, $Op:ident, $op:ident, $mix:ident, $lifted:ident, $which:expr) => {
        impl<$($g)* B: MixOperand> $Op<&Vector<B>> for $t
        where
            $t: Mix<B>,
        {
            type Output = Vector<<$t as Mix<B>>::Output>;
            fn $op(self, rhs: &Vector<B>) -> Self::Output {
                if rhs.lifted {
                    return rhs.map(|&b| self.$lifted(b));
                }
                rhs.map(|&b| self.$mix(b))
            }
        }
        impl<$($g)* B: MixOperand> $Op<Vector<B>> for $t
        where
            $t: Mix<B>,
        {
            type Output = Vector<<$t as Mix<B>>::Output>;
            fn $op(self, rhs: Vector<B>) -> Self::Output {
                rhs.scalar_left(self, $which)
            }
        }
    };
}

/// `scalar ∘ data`: a [`Scaled`] for `·`, the values for the others.
macro_rules! scalar_data {
    ([$($g:tt)*] $t:ty, $Op:ident, $op:ident, $mix:ident) => {
        impl<$($g)*> $Op<Data<'_, DVector<f64>>> for $t {
            type Output = Vector<$t>;
            fn $op(self, rhs: Data<'_, DVector<f64>>) -> Vector<$t> {
                let data = rhs.get().as_slice().iter();
                Vector::pooled(super::pool::collect(data.len(), data.map(|&d| self.$mix(d))))
            }
        }
    };
}

macro_rules! scalar_left_all {
    ([$($g:tt)*] $t:ty) => {
        scalar_left!([$($g)*] $t, Add, add, mix_add, mix_add, Op::Add);
        scalar_left!([$($g)*] $t, Sub, sub, mix_sub, mix_sub, Op::Sub);
        scalar_left!([$($g)*] $t, Mul, mul, mix_mul, mix_mul_lifted, Op::Mul);
        scalar_left!([$($g)*] $t, Div, div, mix_div, mix_div, Op::Div);
        scalar_data!([$($g)*] $t, Add, add, mix_add);
        scalar_data!([$($g)*] $t, Sub, sub, mix_sub);
        scalar_data!([$($g)*] $t, Div, div, mix_div);
        impl<'a, $($g)*> Mul<Data<'a, DVector<f64>>> for $t {
            type Output = Scaled<'a, $t>;
            fn mul(self, x: Data<'a, DVector<f64>>) -> Scaled<'a, $t> {
                Scaled::new(self, x)
            }
        }
    };
}

scalar_left_all!([const W: usize,] Dual<W>);
scalar_left_all!([] Dual64);
