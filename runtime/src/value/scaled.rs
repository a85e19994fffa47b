//! [`Scaled`]: a scalar times a data vector (`beta * x`), evaluated where it is used.
//!
//! Written out at once, `beta * x` is N new values, and `z + beta * x` reads them back to
//! add `z`: with duals, two passes over N values of 8 bytes per tangent lane that the sum
//! does not need (at N = 100,000 the largest share of a local-latent model's gradient after
//! the densities themselves). A `Scaled` keeps the coefficient and borrows the column; the
//! operation that uses it (`+` with a vector, a scalar, data or another `Scaled`, a
//! function such as `exp`, a distribution parameter) computes `coef · xᵢ` in its own pass.
//! Each value is the same product as before, so results are bitwise those of the
//! written-out form.

use super::data::Data;
use super::error::{Extent, ShapeError};
use super::mix::{Mix, MixOperand, Op, Rhs};
use super::pool;
use super::vector::Vector;
use crate::scalar::{Dual, Scalar};
use nalgebra::DVector;
use num_dual::Dual64;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// `coef · x` for a scalar `coef` and a data vector `x`, not yet written out: what
/// `beta * x` and `x * beta` give. Every operator that takes a [`Vector`] takes it too, and
/// the operation computes the products in its own pass; [`Scaled::into_vector`] writes them
/// out where a body wants the values themselves.
///
/// ```
/// use doppl_runtime::value::{Data, Vector};
/// use nalgebra::dvector;
/// let x = dvector![1.0, 2.0, 3.0];
/// let z = Vector::from(dvector![0.5, 0.5, 0.5]);
/// let mu = &z + 2.0 * Data::new(&x);
/// assert_eq!(mu.as_slice(), &[2.5, 4.5, 6.5]);
/// assert_eq!((Data::new(&x) * 2.0).into_vector().as_slice(), &[2.0, 4.0, 6.0]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Scaled<'a, B> {
    coef: B,
    column: &'a DVector<f64>,
}

impl<'a, B: MixOperand> Scaled<'a, B> {
    /// `coef · column`.
    pub fn new(coef: B, column: Data<'a, DVector<f64>>) -> Self {
        Scaled {
            coef,
            column: column.get(),
        }
    }
    /// The number of elements.
    pub fn len(&self) -> usize {
        self.column.len()
    }
    /// Whether the column is empty.
    pub fn is_empty(&self) -> bool {
        self.column.is_empty()
    }
    /// `coef · x` for one value `x` of the column.
    #[inline]
    fn at(&self, x: f64) -> B {
        self.coef * x
    }
    /// `f(coef · xᵢ)` for every element, in one pass.
    fn map<C: nalgebra::Scalar>(&self, f: impl Fn(B) -> C) -> Vector<C> {
        let xs = self.column.as_slice().iter();
        Vector::pooled(pool::collect(self.len(), xs.map(|&x| f(self.at(x)))))
    }
    /// `f(coef · xᵢ, bᵢ)` for a vector `b` of the same length (`scaled_left`: this was the
    /// left operand, for the error's wording).
    fn zip<A, C>(
        &self,
        op: &'static str,
        b: &Vector<A>,
        scaled_left: bool,
        f: impl Fn(B, A) -> C,
    ) -> Vector<C>
    where
        A: nalgebra::Scalar + Copy,
        C: nalgebra::Scalar,
    {
        if let Some(e) = b.shape_error() {
            return Vector::failed(e);
        }
        let values = self.zip_slice(op, b.as_slice(), b.extent(), scaled_left, f);
        values.map_or_else(Vector::failed, |v| Vector::pooled_on(v, b.plate()))
    }
    /// `f(coef · xᵢ, bᵢ)` for the elements `b` of an operand of extent `other`.
    fn zip_slice<A: Copy, C: 'static>(
        &self,
        op: &'static str,
        b: &[A],
        other: Extent,
        scaled_left: bool,
        f: impl Fn(B, A) -> C,
    ) -> Result<Vec<C>, ShapeError> {
        if b.len() != self.len() {
            let (left, right) = match scaled_left {
                true => (self.extent(), other),
                false => (other, self.extent()),
            };
            return Err(ShapeError::Mismatch { op, left, right });
        }
        let pairs = self.column.as_slice().iter().zip(b);
        Ok(pool::collect(
            self.len(),
            pairs.map(|(&x, &a)| f(self.at(x), a)),
        ))
    }
    /// `f(coef · xᵢ, dᵢ)` with a data vector `d` (`scaled_left` as for [`Scaled::zip`]).
    fn zip_data<C: nalgebra::Scalar>(
        &self,
        op: &'static str,
        d: &DVector<f64>,
        scaled_left: bool,
        f: impl Fn(B, f64) -> C,
    ) -> Vector<C> {
        let extent = Extent {
            len: d.len(),
            plate: None,
        };
        let values = self.zip_slice(op, d.as_slice(), extent, scaled_left, f);
        values.map_or_else(Vector::failed, Vector::pooled)
    }
    /// `aᵢ ∘ coef · xᵢ` with `a` owned: written into `a`'s buffer when the result has its
    /// type (no vector written for the products, none for the result).
    fn into_left<A>(self, sym: &'static str, op: Op, a: Vector<A>) -> Vector<A::Output>
    where
        A: Mix<B> + nalgebra::Scalar + Copy,
    {
        if a.shape_error().is_some() || a.len() != self.len() {
            return self.zip(sym, &a, false, |b, x| op.apply(x, b));
        }
        let plate = a.plate();
        let rhs = Rhs::Scaled(self.coef, self.column.as_slice());
        match A::in_place_left(a.into_buffer(), rhs, op) {
            Ok(values) => Vector::pooled_on(values, plate),
            Err(values) => {
                let a = Vector::pooled_on(values, plate);
                self.zip(sym, &a, false, |b, x| op.apply(x, b))
            }
        }
    }
    /// `coef · xᵢ ∘ aᵢ` with `a` owned, into `a`'s buffer when the result has its type.
    fn into_right<A>(self, sym: &'static str, op: Op, a: Vector<A>) -> Vector<<B as Mix<A>>::Output>
    where
        A: nalgebra::Scalar + Copy,
        B: Mix<A>,
    {
        if a.shape_error().is_some() || a.len() != self.len() {
            return self.zip(sym, &a, true, |b, x| op.apply(b, x));
        }
        let plate = a.plate();
        let lhs = Rhs::Scaled(self.coef, self.column.as_slice());
        match B::in_place_right(lhs, a.into_buffer(), op) {
            Ok(values) => Vector::pooled_on(values, plate),
            Err(values) => {
                let a = Vector::pooled_on(values, plate);
                self.zip(sym, &a, true, |b, x| op.apply(b, x))
            }
        }
    }
    fn extent(&self) -> Extent {
        Extent {
            len: self.len(),
            plate: None,
        }
    }
    /// The products written out.
    pub fn into_vector(self) -> Vector<B> {
        self.map(|v| v)
    }
}

impl<B: MixOperand> From<Scaled<'_, B>> for Vector<B> {
    fn from(s: Scaled<'_, B>) -> Self {
        s.into_vector()
    }
}

/// The elementwise functions of [`Vector`], each in one pass over the column.
impl<S: Scalar> Scaled<'_, S> {
    /// eˣ elementwise.
    pub fn exp(&self) -> Vector<S> {
        self.map(S::exp)
    }
    /// ln x elementwise.
    pub fn ln(&self) -> Vector<S> {
        self.map(S::ln)
    }
    /// tanh x elementwise.
    pub fn tanh(&self) -> Vector<S> {
        self.map(S::tanh)
    }
    /// The logistic function elementwise.
    pub fn sigmoid(&self) -> Vector<S> {
        self.map(S::sigmoid)
    }
    /// softplus ln(1 + eˣ) elementwise.
    pub fn softplus(&self) -> Vector<S> {
        self.map(S::softplus)
    }
    /// ln σ(x) elementwise.
    pub fn log_sigmoid(&self) -> Vector<S> {
        self.map(S::log_sigmoid)
    }
}

impl<B: MixOperand + Neg<Output = B>> Neg for Scaled<'_, B> {
    type Output = Vector<B>;
    fn neg(self) -> Vector<B> {
        self.map(|v| -v)
    }
}

/// `data · scalar` and `scalar · data` give a [`Scaled`] (the dual scalars' forms are in
/// `value::scalar_left`).
impl<'a, B: MixOperand> Mul<B> for Data<'a, DVector<f64>> {
    type Output = Scaled<'a, B>;
    fn mul(self, coef: B) -> Scaled<'a, B> {
        Scaled::new(coef, self)
    }
}
impl<'a> Mul<Data<'a, DVector<f64>>> for f64 {
    type Output = Scaled<'a, f64>;
    fn mul(self, x: Data<'a, DVector<f64>>) -> Scaled<'a, f64> {
        Scaled::new(self, x)
    }
}

macro_rules! scaled_ops {
    ($Op:ident, $op:ident, $mix:ident, $sym:literal, $which:expr) => {
        impl<B: Mix<C> + MixOperand, C: MixOperand> $Op<C> for Scaled<'_, B> {
            type Output = Vector<<B as Mix<C>>::Output>;
            fn $op(self, rhs: C) -> Self::Output {
                self.map(|v| v.$mix(rhs))
            }
        }
        impl<A: nalgebra::Scalar + Copy, B: Mix<A> + MixOperand> $Op<&Vector<A>> for Scaled<'_, B> {
            type Output = Vector<<B as Mix<A>>::Output>;
            fn $op(self, rhs: &Vector<A>) -> Self::Output {
                self.zip($sym, rhs, true, <B as Mix<A>>::$mix)
            }
        }
        impl<A: nalgebra::Scalar + Copy, B: Mix<A> + MixOperand> $Op<Vector<A>> for Scaled<'_, B> {
            type Output = Vector<<B as Mix<A>>::Output>;
            fn $op(self, rhs: Vector<A>) -> Self::Output {
                self.into_right($sym, $which, rhs)
            }
        }
        impl<A: Mix<B> + nalgebra::Scalar + Copy, B: MixOperand> $Op<Scaled<'_, B>> for &Vector<A> {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: Scaled<'_, B>) -> Self::Output {
                rhs.zip($sym, self, false, |b, a| a.$mix(b))
            }
        }
        impl<A: Mix<B> + nalgebra::Scalar + Copy, B: MixOperand> $Op<Scaled<'_, B>> for Vector<A> {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: Scaled<'_, B>) -> Self::Output {
                rhs.into_left($sym, $which, self)
            }
        }
        impl<B: Mix<C> + MixOperand, C: MixOperand> $Op<Scaled<'_, C>> for Scaled<'_, B> {
            type Output = Vector<<B as Mix<C>>::Output>;
            fn $op(self, rhs: Scaled<'_, C>) -> Self::Output {
                // Both products in one pass: the right one from its own column.
                let (coef, column) = (rhs.coef, rhs.column);
                self.zip_data($sym, column, true, |b, x| b.$mix(coef * x))
            }
        }
        impl<B: Mix<f64> + MixOperand> $Op<Data<'_, DVector<f64>>> for Scaled<'_, B> {
            type Output = Vector<<B as Mix<f64>>::Output>;
            fn $op(self, rhs: Data<'_, DVector<f64>>) -> Self::Output {
                self.zip_data($sym, rhs.get(), true, <B as Mix<f64>>::$mix)
            }
        }
        impl<B: MixOperand> $Op<Scaled<'_, B>> for Data<'_, DVector<f64>> {
            type Output = Vector<B>;
            fn $op(self, rhs: Scaled<'_, B>) -> Vector<B> {
                rhs.zip_data($sym, self.get(), false, |b, x| x.$mix(b))
            }
        }
        impl<B: MixOperand> $Op<Scaled<'_, B>> for f64 {
            type Output = Vector<B>;
            fn $op(self, rhs: Scaled<'_, B>) -> Vector<B> {
                rhs.map(|b| self.$mix(b))
            }
        }
        impl<const W: usize, B: MixOperand> $Op<Scaled<'_, B>> for Dual<W>
        where
            Dual<W>: Mix<B>,
        {
            type Output = Vector<<Dual<W> as Mix<B>>::Output>;
            fn $op(self, rhs: Scaled<'_, B>) -> Self::Output {
                rhs.map(|b| self.$mix(b))
            }
        }
        impl<B: MixOperand> $Op<Scaled<'_, B>> for Dual64
        where
            Dual64: Mix<B>,
        {
            type Output = Vector<<Dual64 as Mix<B>>::Output>;
            fn $op(self, rhs: Scaled<'_, B>) -> Self::Output {
                rhs.map(|b| self.$mix(b))
            }
        }
    };
}

scaled_ops!(Add, add, mix_add, "+", Op::Add);
scaled_ops!(Sub, sub, mix_sub, "-", Op::Sub);
scaled_ops!(Mul, mul, mix_mul, "*", Op::Mul);
scaled_ops!(Div, div, mix_div, "/", Op::Div);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plate::Plate;
    use nalgebra::dvector;

    /// Every form gives the values of the written-out product, bit for bit.
    #[test]
    fn each_form_equals_the_written_out_product() {
        let x = dvector![1.5, -2.0, 0.25];
        let d = Data::new(&x);
        let z = Vector::from(dvector![0.5, 1.0, -3.0]);
        let written = |s: Scaled<'_, f64>| s.into_vector().into_dvector();
        let p = written(2.0 * d);
        assert_eq!(p, dvector![3.0, -4.0, 0.5]);
        assert_eq!((&z + 2.0 * d).into_dvector(), &*z + &p);
        assert_eq!((2.0 * d - &z).into_dvector(), &p - &*z);
        assert_eq!((d * 2.0 + 1.0).into_dvector(), p.add_scalar(1.0));
        assert_eq!((1.0 - 2.0 * d).into_dvector(), p.map(|v| 1.0 - v));
        assert_eq!((2.0 * d + 3.0 * d).into_dvector(), &p + written(3.0 * d));
        assert_eq!((2.0 * d * d).into_dvector(), p.component_mul(&x));
        assert_eq!((d / (2.0 * d)).into_dvector(), x.zip_map(&p, |a, b| a / b));
        assert_eq!((-(2.0 * d)).into_dvector(), -&p);
        assert_eq!((2.0 * d).exp().into_dvector(), p.map(f64::exp));
    }

    /// An owned vector operand takes the result in its own buffer, with the values of the
    /// written-out form, bit for bit, on either side and for `f64` and dual vectors alike.
    #[test]
    fn an_owned_operand_is_written_over_with_the_same_values() {
        let x = dvector![1.5, -2.0, 0.25];
        let d = Data::new(&x);
        let plate = Plate::new("units", 3);
        let z = Vector::on_plate(dvector![0.5, 1.0, -3.0], plate);
        let p = (0.3 * d).into_vector();
        for (owned, written) in [
            (z.clone() + 0.3 * d, &z + &p),
            (z.clone() - 0.3 * d, &z - &p),
            (0.3 * d - z.clone(), &p - &z),
            (0.3 * d / z.clone(), &p / &z),
            (z.clone() * (0.3 * d), &z * &p),
        ] {
            assert_eq!(owned.plate(), Some("units"));
            assert_eq!(owned.into_dvector(), written.into_dvector());
        }
        let beta = Dual::<2>::variable(0.3, 1);
        let zd = Vector::on_plate(z.map(|&v| Dual::<2>::variable(v, 0)).into_dvector(), plate);
        let written = &zd + &(beta * d).into_vector();
        let owned = zd.clone() + beta * d;
        assert_eq!(owned.as_slice(), written.as_slice());
        assert_eq!(owned[2].eps, [1.0, 0.25]);
        let written = &(beta * d).into_vector() - &zd;
        assert_eq!((beta * d - zd).as_slice(), written.as_slice());
    }

    /// A dual coefficient's tangent is the data column; the vector operand's plate is kept.
    #[test]
    fn a_dual_coefficient_carries_the_column_as_its_tangent() {
        let x = dvector![1.0, 2.0];
        let beta = Dual::<2>::variable(0.5, 1);
        let plate = Plate::new("units", 2);
        let z = Vector::on_plate(
            dvector![Dual::variable(1.0, 0), Dual::variable(2.0, 0)],
            plate,
        );
        let mu = &z + beta * Data::new(&x);
        assert_eq!(mu.plate(), Some("units"));
        assert_eq!(mu[1].re, 3.0);
        assert_eq!(mu[1].eps, [1.0, 2.0]);
        let shifted = beta * Data::new(&x) + 1.0;
        assert_eq!(shifted[0].eps, [0.0, 1.0]);
    }

    /// Operands of different lengths give a vector carrying the mismatch, the data's extent
    /// on the side it was written.
    #[test]
    fn a_length_mismatch_is_a_shape_error_naming_both_sides() {
        let (x, long) = (dvector![1.0, 2.0], dvector![1.0, 2.0, 3.0]);
        let z = Vector::on_plate(dvector![1.0, 2.0, 3.0], Plate::new("units", 3));
        let bad = &z + 2.0 * Data::new(&x);
        let expected = ShapeError::Mismatch {
            op: "+",
            left: Extent {
                len: 3,
                plate: Some("units"),
            },
            right: Extent {
                len: 2,
                plate: None,
            },
        };
        assert_eq!(bad.shape_error(), Some(expected));
        assert_eq!(
            (z.clone() + 2.0 * Data::new(&x)).shape_error(),
            Some(expected)
        );
        let bad = 2.0 * Data::new(&x) - Data::new(&long);
        let expected = ShapeError::Mismatch {
            op: "-",
            left: Extent {
                len: 2,
                plate: None,
            },
            right: Extent {
                len: 3,
                plate: None,
            },
        };
        assert_eq!(bad.shape_error(), Some(expected));
    }
}
