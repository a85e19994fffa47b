//! [`Mix`]: arithmetic between two scalar types, whose result is the one with derivatives.
//!
//! Model values mix `f64` data (a Bernoulli site's 0/1 values, constants) with parameters of
//! the body's scalar type `S`. One generic operator impl per operation covers every pair
//! through `Mix`, where two impls (`Vector<S> ⊙ Vector<S>` and `Vector<f64> ⊙ Vector<S>`)
//! would overlap when `S` is `f64`.

use crate::scalar::Dual;
use num_dual::Dual64;
use std::ops::{Add, Div, Mul, Sub};

/// What `f64` can be combined with: `f64` itself and the dual types. Kept apart from
/// [`crate::scalar::Scalar`] so that `Scalar`'s operator supertraits are not circular.
pub trait MixOperand:
    nalgebra::Scalar
    + Copy
    + Add<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Sub<Output = Self>
    + Div<Output = Self>
{
    /// `x` as a constant of this type.
    fn constant(x: f64) -> Self;
}

impl MixOperand for f64 {
    #[inline]
    fn constant(x: f64) -> Self {
        x
    }
}
impl<const W: usize> MixOperand for Dual<W> {
    #[inline]
    fn constant(x: f64) -> Self {
        Dual::constant(x)
    }
}
impl MixOperand for Dual64 {
    #[inline]
    fn constant(x: f64) -> Self {
        Dual64::from_re(x)
    }
}

/// `self ∘ b` for the four arithmetic operations, in the type that carries derivatives.
pub trait Mix<B>: Sized {
    /// The result type.
    type Output: nalgebra::Scalar + Copy;
    /// self + b.
    fn mix_add(self, b: B) -> Self::Output;
    /// self − b.
    fn mix_sub(self, b: B) -> Self::Output;
    /// self · b.
    fn mix_mul(self, b: B) -> Self::Output;
    /// self / b.
    fn mix_div(self, b: B) -> Self::Output;
}

/// `f64` with anything: the result has `b`'s type. Each operation gives the same bits as
/// the plain `f64` operation when `b` is `f64`.
impl<B: MixOperand> Mix<B> for f64 {
    type Output = B;
    #[inline]
    fn mix_add(self, b: B) -> B {
        b + self
    }
    #[inline]
    fn mix_sub(self, b: B) -> B {
        B::constant(self) - b
    }
    #[inline]
    fn mix_mul(self, b: B) -> B {
        b * self
    }
    #[inline]
    fn mix_div(self, b: B) -> B {
        B::constant(self) / b
    }
}

/// A dual type with itself or with `f64`: the dual's operators.
macro_rules! mix_for_dual {
    ([$($generics:tt)*] $dual:ty) => {
        impl<$($generics)*> Mix<$dual> for $dual {
            type Output = $dual;
            #[inline]
            fn mix_add(self, b: $dual) -> $dual {
                self + b
            }
            #[inline]
            fn mix_sub(self, b: $dual) -> $dual {
                self - b
            }
            #[inline]
            fn mix_mul(self, b: $dual) -> $dual {
                self * b
            }
            #[inline]
            fn mix_div(self, b: $dual) -> $dual {
                self / b
            }
        }
        impl<$($generics)*> Mix<f64> for $dual {
            type Output = $dual;
            #[inline]
            fn mix_add(self, b: f64) -> $dual {
                self + b
            }
            #[inline]
            fn mix_sub(self, b: f64) -> $dual {
                self - b
            }
            #[inline]
            fn mix_mul(self, b: f64) -> $dual {
                self * b
            }
            #[inline]
            fn mix_div(self, b: f64) -> $dual {
                self / b
            }
        }
    };
}
mix_for_dual!([const W: usize] Dual<W>);
mix_for_dual!([] Dual64);
