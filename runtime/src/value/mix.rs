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
    /// `buffer[i] op rhs[i]` written into an `f64` buffer, when `Self` is `f64` (the one
    /// case in which `f64 ∘ Self` is an `f64`); the buffer back otherwise.
    fn f64_in_place_left(
        buffer: Vec<f64>,
        rhs: Rhs<'_, Self>,
        op: Op,
    ) -> Result<Vec<Self>, Vec<f64>> {
        let _ = (rhs, op);
        Err(buffer)
    }
}

impl MixOperand for f64 {
    #[inline]
    fn constant(x: f64) -> Self {
        x
    }
    fn f64_in_place_left(
        buffer: Vec<f64>,
        rhs: Rhs<'_, f64>,
        op: Op,
    ) -> Result<Vec<f64>, Vec<f64>> {
        Ok(apply_left(buffer, rhs, op))
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
    /// self · b where `self` is data lifted into its type (derivative part zero): a
    /// product by its value alone.
    #[inline]
    fn lifted_mix_mul(self, b: B) -> Self::Output {
        self.mix_mul(b)
    }
    /// self · b where `b` is data lifted into its type (derivative part zero).
    #[inline]
    fn mix_mul_lifted(self, b: B) -> Self::Output {
        self.mix_mul(b)
    }
    /// `op` of an owned buffer of left operands with `rhs`, written into that buffer when
    /// the result has the left operands' type (one vector less per operation); the buffer
    /// back otherwise.
    fn in_place_left(
        buffer: Vec<Self>,
        rhs: Rhs<'_, B>,
        op: Op,
    ) -> Result<Vec<Self::Output>, Vec<Self>> {
        let _ = (rhs, op);
        Err(buffer)
    }
    /// `op` of `lhs` (one per element, or one for all) with an owned buffer of right
    /// operands, written into that buffer when the result has the right operands' type.
    fn in_place_right(
        lhs: Rhs<'_, Self>,
        buffer: Vec<B>,
        op: Op,
    ) -> Result<Vec<Self::Output>, Vec<B>> {
        let _ = (lhs, op);
        Err(buffer)
    }
}

/// An arithmetic operation, for the in-place forms of [`Mix`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// +
    Add,
    /// −
    Sub,
    /// ·
    Mul,
    /// /
    Div,
}

impl Op {
    /// `a op b`.
    #[inline]
    pub fn apply<A: Mix<B>, B>(self, a: A, b: B) -> A::Output {
        match self {
            Op::Add => a.mix_add(b),
            Op::Sub => a.mix_sub(b),
            Op::Mul => a.mix_mul(b),
            Op::Div => a.mix_div(b),
        }
    }
}

/// The operand of an in-place operation that is not overwritten: one value per element, or
/// one for all.
#[derive(Clone, Copy, Debug)]
pub enum Rhs<'a, B> {
    /// Elementwise.
    Each(&'a [B]),
    /// The same for every element.
    All(B),
    /// `coef · xᵢ` for a data column `x` (a [`super::Scaled`] operand, never written out).
    Scaled(B, &'a [f64]),
}

/// `buffer[i] = buffer[i] op rhs[i]` for a type combined with a right operand into itself.
/// The operation is matched once, outside the loop, so each loop is monomorphic.
#[inline]
fn apply_left<A: Mix<B, Output = A> + Copy, B: MixOperand>(
    buffer: Vec<A>,
    rhs: Rhs<'_, B>,
    op: Op,
) -> Vec<A> {
    fn each<A: Copy, B: MixOperand>(
        mut buffer: Vec<A>,
        rhs: Rhs<'_, B>,
        f: impl Fn(A, B) -> A,
    ) -> Vec<A> {
        match rhs {
            Rhs::Each(bs) => buffer.iter_mut().zip(bs).for_each(|(a, &b)| *a = f(*a, b)),
            Rhs::All(b) => buffer.iter_mut().for_each(|a| *a = f(*a, b)),
            Rhs::Scaled(c, xs) => (buffer.iter_mut().zip(xs)).for_each(|(a, &x)| *a = f(*a, c * x)),
        }
        buffer
    }
    match op {
        Op::Add => each(buffer, rhs, A::mix_add),
        Op::Sub => each(buffer, rhs, A::mix_sub),
        Op::Mul => each(buffer, rhs, A::mix_mul),
        Op::Div => each(buffer, rhs, A::mix_div),
    }
}

/// `buffer[i] = lhs[i] op buffer[i]` for a left type combined with `B` into `B`.
#[inline]
fn apply_right<A: Mix<B, Output = B> + MixOperand, B: Copy>(
    lhs: Rhs<'_, A>,
    buffer: Vec<B>,
    op: Op,
) -> Vec<B> {
    fn each<A: MixOperand, B: Copy>(
        lhs: Rhs<'_, A>,
        mut buffer: Vec<B>,
        f: impl Fn(A, B) -> B,
    ) -> Vec<B> {
        match lhs {
            Rhs::Each(as_) => buffer.iter_mut().zip(as_).for_each(|(b, &a)| *b = f(a, *b)),
            Rhs::All(a) => buffer.iter_mut().for_each(|b| *b = f(a, *b)),
            Rhs::Scaled(c, xs) => (buffer.iter_mut().zip(xs)).for_each(|(b, &x)| *b = f(c * x, *b)),
        }
        buffer
    }
    match op {
        Op::Add => each(lhs, buffer, A::mix_add),
        Op::Sub => each(lhs, buffer, A::mix_sub),
        Op::Mul => each(lhs, buffer, A::mix_mul),
        Op::Div => each(lhs, buffer, A::mix_div),
    }
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
    fn in_place_left(buffer: Vec<f64>, rhs: Rhs<'_, B>, op: Op) -> Result<Vec<B>, Vec<f64>> {
        B::f64_in_place_left(buffer, rhs, op)
    }
    fn in_place_right(lhs: Rhs<'_, f64>, buffer: Vec<B>, op: Op) -> Result<Vec<B>, Vec<B>> {
        Ok(apply_right(lhs, buffer, op))
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
            #[inline]
            fn lifted_mix_mul(self, b: $dual) -> $dual {
                b * self.re
            }
            #[inline]
            fn mix_mul_lifted(self, b: $dual) -> $dual {
                self * b.re
            }
            fn in_place_left(
                buffer: Vec<$dual>,
                rhs: Rhs<'_, $dual>,
                op: Op,
            ) -> Result<Vec<$dual>, Vec<$dual>> {
                Ok(apply_left(buffer, rhs, op))
            }
            fn in_place_right(
                lhs: Rhs<'_, $dual>,
                buffer: Vec<$dual>,
                op: Op,
            ) -> Result<Vec<$dual>, Vec<$dual>> {
                Ok(apply_right(lhs, buffer, op))
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
            fn in_place_left(
                buffer: Vec<$dual>,
                rhs: Rhs<'_, f64>,
                op: Op,
            ) -> Result<Vec<$dual>, Vec<$dual>> {
                Ok(apply_left(buffer, rhs, op))
            }
        }
    };
}
mix_for_dual!([const W: usize] Dual<W>);
mix_for_dual!([] Dual64);
