//! Operators on model values: vectors, data and scalars combined as in the math.
//!
//! Every form a model writes is covered: `Vector ∘ Vector`, `Vector ∘ scalar`,
//! `Vector ∘ Data`, `Data ∘ Vector`, `Data ∘ scalar`, `Data ∘ Data`, `f64 ∘ Vector`,
//! `f64 ∘ Data`, `X · β` for a data matrix, and `-v`, each vector owned or borrowed. A scalar
//! of the body's generic type on the left (`beta * nodegree`) goes through the
//! [`crate::scalar::Scalar`] supertraits, implemented in [`super::scalar_left`]. A scalar
//! times data is a [`super::Scaled`], whose operators are in [`super::scaled`].

use super::data::Data;
use super::error::{Extent, ShapeError};
use super::mix::{Mix, MixOperand, Op, Rhs};
use super::pool;
use super::vector::Vector;
use crate::scalar::Scalar;
use nalgebra::{DMatrix, DVector};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// `f(aᵢ, bᵢ)` for operands of the same length and plate; a failed vector otherwise.
pub(super) fn zip<A, B, C>(
    op: &'static str,
    a: &Vector<A>,
    b: &Vector<B>,
    f: impl Fn(A, B) -> C,
) -> Vector<C>
where
    A: nalgebra::Scalar + Copy,
    B: nalgebra::Scalar + Copy,
    C: nalgebra::Scalar,
{
    if let Err(e) = check_pair(op, a, b) {
        return Vector::failed(e);
    }
    let values = a.values.as_slice().iter().zip(b.values.as_slice());
    Vector {
        values: DVector::from_vec(pool::collect(
            a.values.len(),
            values.map(|(&x, &y)| f(x, y)),
        )),
        plate: a.plate.or(b.plate),
        error: None,
        lifted: false,
    }
}

/// Why two vectors cannot be combined elementwise, if they cannot.
fn check_pair<A: nalgebra::Scalar, B: nalgebra::Scalar>(
    op: &'static str,
    a: &Vector<A>,
    b: &Vector<B>,
) -> Result<(), ShapeError> {
    if let Some(e) = a.error.or(b.error) {
        return Err(e);
    }
    let plates_differ = matches!((a.plate, b.plate), (Some(p), Some(q)) if p != q);
    if a.values.len() != b.values.len() || plates_differ {
        return Err(ShapeError::Mismatch {
            op,
            left: a.extent(),
            right: b.extent(),
        });
    }
    Ok(())
}

/// `a ∘ b` with `a` owned: the result goes into `a`'s buffer when the types allow.
fn zip_left<A, B>(sym: &'static str, op: Op, a: Vector<A>, b: &Vector<B>) -> Vector<A::Output>
where
    A: Mix<B> + nalgebra::Scalar + Copy,
    B: nalgebra::Scalar + Copy,
{
    if let Err(e) = check_pair(sym, &a, b) {
        return Vector::failed(e);
    }
    let (plate, a_plate) = (a.plate.or(b.plate), a.plate);
    match A::in_place_left(a.into_buffer(), Rhs::Each(b.values.as_slice()), op) {
        Ok(values) => Vector::from(values).with_plate(plate),
        Err(values) => zip(sym, &Vector::from(values).with_plate(a_plate), b, |x, y| {
            op.apply(x, y)
        }),
    }
}

/// `a ∘ b` with `b` owned: the result goes into `b`'s buffer when the types allow.
fn zip_right<A, B>(sym: &'static str, op: Op, a: &Vector<A>, b: Vector<B>) -> Vector<A::Output>
where
    A: Mix<B> + nalgebra::Scalar + Copy,
    B: nalgebra::Scalar + Copy,
{
    if let Err(e) = check_pair(sym, a, &b) {
        return Vector::failed(e);
    }
    let (plate, b_plate) = (a.plate.or(b.plate), b.plate);
    match A::in_place_right(Rhs::Each(a.values.as_slice()), b.into_buffer(), op) {
        Ok(values) => Vector::from(values).with_plate(plate),
        Err(values) => zip(sym, a, &Vector::from(values).with_plate(b_plate), |x, y| {
            op.apply(x, y)
        }),
    }
}

/// `a ∘ b` for an owned vector and one right operand for every element.
fn map_left<A, B>(op: Op, a: Vector<A>, b: B) -> Vector<A::Output>
where
    A: Mix<B> + nalgebra::Scalar + Copy,
    B: Copy,
{
    if let Some(e) = a.error {
        return Vector::failed(e);
    }
    let plate = a.plate;
    match A::in_place_left(a.into_buffer(), Rhs::All(b), op) {
        Ok(values) => Vector::from(values).with_plate(plate),
        Err(values) => Vector::from(values)
            .with_plate(plate)
            .map(|&x| op.apply(x, b)),
    }
}

/// `aᵢ ∘ dᵢ` with `a` owned, into `a`'s buffer when the types allow.
fn zip_left_data<A>(sym: &'static str, op: Op, a: Vector<A>, d: &DVector<f64>) -> Vector<A::Output>
where
    A: Mix<f64> + nalgebra::Scalar + Copy,
{
    if a.error.is_some() || a.values.len() != d.len() {
        return zip_data(sym, &a, d, false, |x, y| op.apply(x, y));
    }
    let plate = a.plate;
    match A::in_place_left(a.into_buffer(), Rhs::Each(d.as_slice()), op) {
        Ok(values) => Vector::from(values).with_plate(plate),
        Err(values) => {
            let a = Vector::from(values).with_plate(plate);
            zip_data(sym, &a, d, false, |x, y| op.apply(x, y))
        }
    }
}

/// `dᵢ ∘ bᵢ` with `b` owned, into `b`'s buffer (`f64 ∘ B` is a `B`).
fn zip_data_right<B: MixOperand>(
    sym: &'static str,
    op: Op,
    d: &DVector<f64>,
    b: Vector<B>,
) -> Vector<B> {
    if b.error.is_some() || b.values.len() != d.len() {
        return zip_data(sym, &b, d, true, |y, x| op.apply(x, y));
    }
    let plate = b.plate;
    match f64::in_place_right(Rhs::Each(d.as_slice()), b.into_buffer(), op) {
        Ok(values) => Vector::from(values).with_plate(plate),
        Err(values) => {
            let b = Vector::from(values).with_plate(plate);
            zip_data(sym, &b, d, true, |y, x| op.apply(x, y))
        }
    }
}

impl<B: nalgebra::Scalar + Copy> Vector<B> {
    /// `a ∘ self` for one left operand, into this vector's buffer when the types allow.
    pub(super) fn scalar_left<A: Mix<B> + Copy>(self, a: A, op: Op) -> Vector<A::Output> {
        if let Some(e) = self.error {
            return Vector::failed(e);
        }
        let plate = self.plate;
        match A::in_place_right(Rhs::All(a), self.into_buffer(), op) {
            Ok(values) => Vector::from(values).with_plate(plate),
            Err(values) => Vector::from(values)
                .with_plate(plate)
                .map(|&b| op.apply(a, b)),
        }
    }
}

/// `f(aᵢ, dᵢ)` for a vector and a data vector (`data_left`: the data was the left operand).
pub(super) fn zip_data<A, C>(
    op: &'static str,
    a: &Vector<A>,
    data: &DVector<f64>,
    data_left: bool,
    f: impl Fn(A, f64) -> C,
) -> Vector<C>
where
    A: nalgebra::Scalar + Copy,
    C: nalgebra::Scalar,
{
    if let Some(e) = a.error {
        return Vector::failed(e);
    }
    if a.values.len() != data.len() {
        let d = Extent {
            len: data.len(),
            plate: None,
        };
        let (left, right) = if data_left {
            (d, a.extent())
        } else {
            (a.extent(), d)
        };
        return Vector::failed(ShapeError::Mismatch { op, left, right });
    }
    let values = a.values.as_slice().iter().zip(data.as_slice());
    Vector {
        values: DVector::from_vec(pool::collect(
            a.values.len(),
            values.map(|(&x, &y)| f(x, y)),
        )),
        plate: a.plate,
        error: None,
        lifted: false,
    }
}

/// `f(dᵢ)` for every element of a data vector, in one pass.
fn map_data<C: nalgebra::Scalar>(d: &DVector<f64>, f: impl Fn(f64) -> C) -> Vector<C> {
    Vector::pooled(pool::collect(d.len(), d.as_slice().iter().map(|&x| f(x))))
}

/// `f(aᵢ, bᵢ)` for two data vectors of the same length.
fn zip_two_data(
    op: &'static str,
    a: &DVector<f64>,
    b: &DVector<f64>,
    f: impl Fn(f64, f64) -> f64,
) -> Vector<f64> {
    if a.len() != b.len() {
        let extent = |len| Extent { len, plate: None };
        return Vector::failed(ShapeError::Mismatch {
            op,
            left: extent(a.len()),
            right: extent(b.len()),
        });
    }
    let pairs = a.as_slice().iter().zip(b.as_slice());
    Vector::pooled(pool::collect(a.len(), pairs.map(|(&x, &y)| f(x, y))))
}

macro_rules! binary_ops {
    ($Op:ident, $op:ident, $mix:ident, $lifted:ident, $sym:literal, $which:expr) => {
        impl<A: Mix<B> + nalgebra::Scalar + Copy, B: nalgebra::Scalar + Copy> $Op<&Vector<B>>
            for &Vector<A>
        {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: &Vector<B>) -> Self::Output {
                zip($sym, self, rhs, A::$mix)
            }
        }
        impl<A: Mix<B> + nalgebra::Scalar + Copy, B: nalgebra::Scalar + Copy> $Op<Vector<B>>
            for &Vector<A>
        {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: Vector<B>) -> Self::Output {
                zip_right($sym, $which, self, rhs)
            }
        }
        impl<A: Mix<B> + nalgebra::Scalar + Copy, B: nalgebra::Scalar + Copy> $Op<&Vector<B>>
            for Vector<A>
        {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: &Vector<B>) -> Self::Output {
                zip_left($sym, $which, self, rhs)
            }
        }
        impl<A: Mix<B> + nalgebra::Scalar + Copy, B: nalgebra::Scalar + Copy> $Op<Vector<B>>
            for Vector<A>
        {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: Vector<B>) -> Self::Output {
                zip_left($sym, $which, self, &rhs)
            }
        }
        impl<A: Mix<B> + nalgebra::Scalar + Copy, B: MixOperand> $Op<B> for &Vector<A> {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: B) -> Self::Output {
                if self.lifted {
                    return self.map(|&a| a.$lifted(rhs));
                }
                self.map(|&a| a.$mix(rhs))
            }
        }
        impl<A: Mix<B> + nalgebra::Scalar + Copy, B: MixOperand> $Op<B> for Vector<A> {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: B) -> Self::Output {
                map_left($which, self, rhs)
            }
        }
        impl<A: Mix<f64> + nalgebra::Scalar + Copy> $Op<Data<'_, DVector<f64>>> for &Vector<A> {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: Data<'_, DVector<f64>>) -> Self::Output {
                zip_data($sym, self, rhs.get(), false, A::$mix)
            }
        }
        impl<A: Mix<f64> + nalgebra::Scalar + Copy> $Op<Data<'_, DVector<f64>>> for Vector<A> {
            type Output = Vector<A::Output>;
            fn $op(self, rhs: Data<'_, DVector<f64>>) -> Self::Output {
                zip_left_data($sym, $which, self, rhs.get())
            }
        }
        impl<B: MixOperand> $Op<&Vector<B>> for Data<'_, DVector<f64>> {
            type Output = Vector<B>;
            fn $op(self, rhs: &Vector<B>) -> Vector<B> {
                zip_data($sym, rhs, self.get(), true, |b, d| d.$mix(b))
            }
        }
        impl<B: MixOperand> $Op<Vector<B>> for Data<'_, DVector<f64>> {
            type Output = Vector<B>;
            fn $op(self, rhs: Vector<B>) -> Vector<B> {
                zip_data_right($sym, $which, self.get(), rhs)
            }
        }
        impl $Op<Data<'_, DVector<f64>>> for Data<'_, DVector<f64>> {
            type Output = Vector<f64>;
            fn $op(self, rhs: Data<'_, DVector<f64>>) -> Vector<f64> {
                zip_two_data($sym, self.get(), rhs.get(), |l, r| l.$mix(r))
            }
        }
        impl<B: MixOperand> $Op<&Vector<B>> for f64 {
            type Output = Vector<B>;
            fn $op(self, rhs: &Vector<B>) -> Vector<B> {
                rhs.map(|&b| self.$mix(b))
            }
        }
        impl<B: MixOperand> $Op<Vector<B>> for f64 {
            type Output = Vector<B>;
            fn $op(self, rhs: Vector<B>) -> Vector<B> {
                rhs.scalar_left(self, $which)
            }
        }
    };
}

/// `data ∘ scalar` and `f64 ∘ data`, except `·`, which gives a [`super::Scaled`].
macro_rules! data_scalar_ops {
    ($Op:ident, $op:ident, $mix:ident) => {
        impl<B: MixOperand> $Op<B> for Data<'_, DVector<f64>> {
            type Output = Vector<B>;
            fn $op(self, rhs: B) -> Vector<B> {
                map_data(self.get(), |d| d.$mix(rhs))
            }
        }
        impl $Op<Data<'_, DVector<f64>>> for f64 {
            type Output = Vector<f64>;
            fn $op(self, rhs: Data<'_, DVector<f64>>) -> Vector<f64> {
                map_data(rhs.get(), |d| self.$mix(d))
            }
        }
    };
}

// The fourth name: the operation with a vector of lifted data on the left
// (`Vector::lifted`), which only a product makes cheaper.
binary_ops!(Add, add, mix_add, mix_add, "+", Op::Add);
binary_ops!(Sub, sub, mix_sub, mix_sub, "-", Op::Sub);
binary_ops!(Mul, mul, mix_mul, lifted_mix_mul, "*", Op::Mul);
binary_ops!(Div, div, mix_div, mix_div, "/", Op::Div);
data_scalar_ops!(Add, add, mix_add);
data_scalar_ops!(Sub, sub, mix_sub);
data_scalar_ops!(Div, div, mix_div);

impl<A: nalgebra::Scalar + Copy + Neg<Output = A>> Neg for &Vector<A> {
    type Output = Vector<A>;
    fn neg(self) -> Vector<A> {
        self.map(|&a| -a)
    }
}
impl<A: nalgebra::Scalar + Copy + Neg<Output = A>> Neg for Vector<A> {
    type Output = Vector<A>;
    fn neg(self) -> Vector<A> {
        -&self
    }
}

/// `X · β`: data rows times a parameter vector, without converting `X` to duals and skipping
/// the tangent work of unseeded coefficients ([`Scalar::add_data_matvec`]); with a model data
/// matrix and a local `β` in the engine's read-off pass, projected on `β`'s lane
/// ([`crate::gradient`]).
impl<B: Scalar> Mul<&Vector<B>> for Data<'_, DMatrix<f64>> {
    type Output = Vector<B>;
    fn mul(self, beta: &Vector<B>) -> Vector<B> {
        if let Some(e) = beta.error {
            return Vector::failed(e);
        }
        let x = self.get();
        if x.ncols() != beta.values.len() {
            return Vector::failed(ShapeError::Mismatch {
                op: "X · β",
                left: Extent {
                    len: x.ncols(),
                    plate: None,
                },
                right: beta.extent(),
            });
        }
        if let Some(argument) = self.argument_index()
            && let Some(out) =
                crate::gradient::projection::project(argument, x, beta.values.as_slice())
        {
            return Vector::pooled(out);
        }
        let mut out = pool::buffer(x.nrows());
        out.resize(x.nrows(), B::zero());
        B::add_data_matvec(&mut out, x.as_slice(), beta.values.as_slice());
        Vector::pooled(out)
    }
}
impl<B: Scalar> Mul<Vector<B>> for Data<'_, DMatrix<f64>> {
    type Output = Vector<B>;
    fn mul(self, beta: Vector<B>) -> Vector<B> {
        self * &beta
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::{Dual, MATVEC_BLOCK};

    /// The dual kernel (value parts apart, tangents only where seeded) against the plain
    /// per-element definition, over unseeded, one-lane and dense coefficients and a row
    /// count that leaves a partial block.
    #[test]
    fn data_matrix_times_parameters_matches_the_elementwise_definition() {
        let (n, k) = (2 * MATVEC_BLOCK + 37, 4);
        let x = DMatrix::from_fn(n, k, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
        let mut beta = DVector::from_fn(k, |j, _| Dual::<3>::constant(0.5 - j as f64));
        beta[1].eps[2] = 1.0;
        beta[2].eps = [0.25, -1.0, 2.0];
        let out = Data::new(&x) * Vector::from(beta.clone());
        for i in 0..n {
            let mut expected = Dual::<3>::constant(0.0);
            for j in 0..k {
                expected += beta[j] * x[(i, j)];
            }
            assert_eq!(out[i].re, expected.re, "row {i}");
            assert_eq!(out[i].eps, expected.eps, "row {i}");
        }
    }

    /// A vector of lifted data times a scalar, on either side, is the product computed
    /// with the data's derivative part (zero), to the bit; the mark does not outlive the
    /// values it was set on.
    #[test]
    fn lifted_data_times_a_scalar_is_the_full_product() {
        let data = DVector::from_fn(5, |i, _| Dual::<3>::constant(i as f64 - 1.5));
        let lifted = Vector::from(data.clone()).lifted_data();
        let plain = Vector::from(data);
        let mut beta = Dual::<3>::constant(-0.75);
        beta.eps = [1.0, -2.0, 0.5];
        for (a, b) in [
            (&lifted * beta, &plain * beta),
            (beta * &lifted, beta * &plain),
        ] {
            for (x, y) in a.iter().zip(b.iter()) {
                assert_eq!((x.re, x.eps), (y.re, y.eps));
            }
        }
        assert!(lifted.clone().lifted && !(&lifted * beta).lifted && !(&lifted + beta).lifted);
    }

    #[test]
    fn mismatched_operands_name_both_extents() {
        let a = Vector::on_plate(DVector::from_element(3, 1.0), crate::Plate::new("units", 3));
        let b = Vector::on_plate(
            DVector::from_element(3, 1.0),
            crate::Plate::new("groups", 3),
        );
        let e = (&a + &b).shape_error().unwrap();
        assert_eq!(
            e.to_string(),
            "`+` of 3 values on plate `units` and 3 values on plate `groups`: operands must \
             have the same length and plate (nothing is broadcast; use a scalar for a value \
             shared by every element)"
        );
        let x = DMatrix::from_element(4, 2, 1.0);
        let e = (Data::new(&x) * &a).shape_error().unwrap();
        assert!(matches!(e, ShapeError::Mismatch { op: "X · β", .. }), "{e}");
        // A failed operand stays failed through later operations.
        assert_eq!(
            (2.0 * (&a + &b) + 1.0).shape_error(),
            Some((&a + &b).shape_error().unwrap())
        );
    }

    #[test]
    fn mixed_operands_keep_the_derivatives() {
        let treat = Vector::from(vec![1.0, 0.0]);
        let effect = Vector::from(vec![Dual::<1>::variable(2.0, 0), Dual::constant(3.0)]);
        let out = &treat * &effect;
        assert_eq!(
            (out[0].re, out[0].eps, out[1].re, out[1].eps),
            (2.0, [1.0], 0.0, [0.0])
        );
        let d = DVector::from_vec(vec![2.0, 4.0]);
        let s = Dual::<1>::variable(0.5, 0);
        let out = s * Data::new(&d) - 1.0;
        assert_eq!((out[1].re, out[1].eps), (1.0, [4.0]));
        let out = 1.0 - Data::new(&d) / Data::new(&d);
        assert_eq!(out.as_slice(), &[0.0, 0.0]);
    }

    /// Owned operands lend their buffer to the result: the same values as the borrowed forms,
    /// the plate kept, and a mismatch still reported.
    #[test]
    fn owned_operands_give_the_borrowed_results() {
        let plate = crate::Plate::new("units", 3);
        let dual = |v: f64, e: f64| Dual::<2> {
            re: v,
            eps: [e, 1.0],
        };
        let a = Vector::on_plate(
            DVector::from_vec(vec![dual(1.0, 0.5), dual(2.0, 0.0), dual(-3.0, 2.0)]),
            plate,
        );
        let b = Vector::from(vec![dual(0.5, 1.0), dual(4.0, -1.0), dual(2.0, 0.0)]);
        let d = DVector::from_vec(vec![2.0, -1.0, 0.25]);
        let same = |x: &Vector<Dual<2>>, y: &Vector<Dual<2>>| {
            assert_eq!(x.plate(), Some("units"));
            for (p, q) in x.iter().zip(y.iter()) {
                assert_eq!((p.re, p.eps), (q.re, q.eps));
            }
        };
        same(&(a.clone() + &b), &(&a + &b));
        same(&(a.clone() / b.clone()), &(&a / &b));
        same(&(&a - b.clone()), &(&a - &b));
        same(&(a.clone() * dual(3.0, 1.0)), &(&a * dual(3.0, 1.0)));
        same(&(a.clone() - Data::new(&d)), &(&a - Data::new(&d)));
        same(&(Data::new(&d) / a.clone()), &(Data::new(&d) / &a));
        same(&(dual(2.0, 1.0) - a.clone()), &(dual(2.0, 1.0) - &a));
        same(&(2.0 / a.clone()), &(2.0 / &a));
        let short = Vector::from(vec![dual(1.0, 0.0)]);
        assert!((a.clone() + short).shape_error().is_some());
        let bad = DVector::from_vec(vec![1.0]);
        assert!((Data::new(&bad) * a).shape_error().is_some());
    }
}
