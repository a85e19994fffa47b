//! Interventions: hard values (`do(x = v)`) and shifts (`do(x = f(x))`).

use crate::scalar::{Dual, Scalar};
use nalgebra::DVector;
use std::fmt;
use std::sync::Arc;

/// What an intervention puts in place of a site's value.
#[derive(Clone)]
pub enum Intervention<T> {
    /// `do(site = value)`: downstream sees `value`; the site contributes no factor (unless it
    /// is also conditioned: then its factor is taken at the observed value).
    Value(T),
    /// `do(site = f(site))`: the site is drawn (or observed) as usual and downstream sees the
    /// shifted value.
    Shift(Shift),
}

impl<T: fmt::Debug> fmt::Debug for Intervention<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Intervention::Value(v) => write!(f, "Value({v:?})"),
            Intervention::Shift(s) => write!(f, "Shift({s:?})"),
        }
    }
}

/// An elementwise map of a site's natural value.
///
/// `Affine` is exact for derivatives; `Map` takes any function and differentiates it by a
/// central difference when the value carries derivatives.
#[derive(Clone)]
pub enum Shift {
    /// x ↦ scale · x + offset.
    Affine {
        /// Multiplier.
        scale: f64,
        /// Added after scaling.
        offset: f64,
    },
    /// x ↦ f(x).
    Map(Arc<dyn Fn(f64) -> f64 + Send + Sync>),
}

impl fmt::Debug for Shift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shift::Affine { scale, offset } => write!(f, "x ↦ {scale}·x + {offset}"),
            Shift::Map(_) => write!(f, "x ↦ f(x)"),
        }
    }
}

impl Shift {
    /// x ↦ factor · x (`do(b = 5·b)`).
    pub fn scale(factor: f64) -> Self {
        Shift::Affine {
            scale: factor,
            offset: 0.0,
        }
    }
    /// x ↦ x + delta.
    pub fn add(delta: f64) -> Self {
        Shift::Affine {
            scale: 1.0,
            offset: delta,
        }
    }
    /// x ↦ f(x) for any function.
    pub fn map(f: impl Fn(f64) -> f64 + Send + Sync + 'static) -> Self {
        Shift::Map(Arc::new(f))
    }
    /// The shift of one real number.
    ///
    /// ```
    /// use doppl_runtime::intervention::Shift;
    /// assert_eq!(Shift::scale(5.0).apply_f64(2.0), 10.0);
    /// assert_eq!(Shift::map(|x| x * x).apply_f64(3.0), 9.0);
    /// ```
    pub fn apply_f64(&self, x: f64) -> f64 {
        match self {
            Shift::Affine { scale, offset } => scale * x + offset,
            Shift::Map(f) => f(x),
        }
    }
    fn apply_scalar<S: Scalar>(&self, x: S) -> S {
        match self {
            Shift::Affine { scale, offset } => x * *scale + *offset,
            Shift::Map(f) => {
                let r = x.re();
                let h = 1e-6 * (1.0 + r.abs());
                x.chain(f(r), (f(r + h) - f(r - h)) / (2.0 * h))
            }
        }
    }
}

/// A value a [`Shift`] can be applied to, element by element.
pub trait ShiftValue {
    /// The shifted value.
    fn shifted(&self, shift: &Shift) -> Self;
}

impl ShiftValue for f64 {
    fn shifted(&self, shift: &Shift) -> Self {
        shift.apply_f64(*self)
    }
}

impl<const W: usize> ShiftValue for Dual<W> {
    fn shifted(&self, shift: &Shift) -> Self {
        shift.apply_scalar(*self)
    }
}

impl ShiftValue for num_dual::Dual64 {
    fn shifted(&self, shift: &Shift) -> Self {
        shift.apply_scalar(*self)
    }
}

/// Counts are shifted as reals and rounded to the nearest non-negative integer.
impl ShiftValue for u64 {
    fn shifted(&self, shift: &Shift) -> Self {
        shift.apply_f64(*self as f64).round().max(0.0) as u64
    }
}

/// Categories are shifted as reals and rounded to the nearest non-negative integer.
impl ShiftValue for usize {
    fn shifted(&self, shift: &Shift) -> Self {
        shift.apply_f64(*self as f64).round().max(0.0) as usize
    }
}

impl<T: ShiftValue + nalgebra::Scalar> ShiftValue for crate::value::Vector<T> {
    fn shifted(&self, shift: &Shift) -> Self {
        self.map(|x| x.shifted(shift))
    }
}

impl<T: ShiftValue + nalgebra::Scalar> ShiftValue for DVector<T> {
    fn shifted(&self, shift: &Shift) -> Self {
        self.map(|x| x.shifted(shift))
    }
}
