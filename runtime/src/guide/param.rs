//! A guide's variational parameters (`param!`): initial values, constraints, shapes.

use crate::plate::{Plate, Unplated};
use crate::scalar::Scalar;
use crate::transform::{Interval, LowerBound, Positive, UnitInterval};
use crate::value::Vector;
use nalgebra::DVector;

/// Where a variational parameter lives. The optimizer works on the unconstrained real
/// line, mapped onto the constraint by the transforms of [`crate::transform`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum ParamConstraint {
    /// Any real (the default).
    Real,
    /// (0, ∞), through `exp`.
    Positive,
    /// (0, 1), through the logistic function.
    UnitInterval,
    /// (lower, upper), through a scaled logistic function.
    Interval(f64, f64),
    /// (lower, ∞), through `lower + exp`.
    GreaterThan(f64),
}

impl ParamConstraint {
    /// The constrained value of `u`.
    ///
    /// ```
    /// use doppl_runtime::guide::ParamConstraint;
    /// assert_eq!(ParamConstraint::Positive.constrain(0.0f64), 1.0);
    /// assert_eq!(ParamConstraint::Interval(-1.0, 3.0).constrain(0.0f64), 1.0);
    /// ```
    #[inline]
    pub fn constrain<S: Scalar>(self, u: S) -> S {
        match self {
            ParamConstraint::Real => u,
            ParamConstraint::Positive => Positive::forward(u).0,
            ParamConstraint::UnitInterval => UnitInterval::forward(u).0,
            ParamConstraint::Interval(lo, hi) => {
                Interval {
                    lower: S::from_f64(lo),
                    upper: S::from_f64(hi),
                }
                .forward(u)
                .0
            }
            ParamConstraint::GreaterThan(lo) => {
                LowerBound {
                    lower: S::from_f64(lo),
                }
                .forward(u)
                .0
            }
        }
    }

    /// The unconstrained value of `x`, or `None` when `x` is outside the constraint.
    pub fn unconstrain(self, x: f64) -> Option<f64> {
        let u = match self {
            ParamConstraint::Real => x,
            ParamConstraint::Positive if x > 0.0 => Positive::inverse(x),
            ParamConstraint::UnitInterval if x > 0.0 && x < 1.0 => UnitInterval::inverse(x),
            ParamConstraint::Interval(lower, upper) if x > lower && x < upper => {
                Interval { lower, upper }.inverse(x)
            }
            ParamConstraint::GreaterThan(lower) if x > lower => LowerBound { lower }.inverse(x),
            _ => return None,
        };
        u.is_finite().then_some(u)
    }

    /// Words for error messages.
    pub fn describe(self) -> String {
        match self {
            ParamConstraint::Real => "a finite real".into(),
            ParamConstraint::Positive => "a finite number > 0".into(),
            ParamConstraint::UnitInterval => "a number in (0, 1)".into(),
            ParamConstraint::Interval(lo, hi) => format!("a number in ({lo}, {hi})"),
            ParamConstraint::GreaterThan(lo) => format!("a finite number > {lo}"),
        }
    }
}

/// A `param!`'s initial value: one number for every element, or one per element.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamInit {
    /// The same value everywhere.
    Fill(f64),
    /// One value per element.
    Values(Vec<f64>),
}

impl From<f64> for ParamInit {
    fn from(x: f64) -> Self {
        ParamInit::Fill(x)
    }
}
impl From<Vec<f64>> for ParamInit {
    fn from(x: Vec<f64>) -> Self {
        ParamInit::Values(x)
    }
}
impl From<DVector<f64>> for ParamInit {
    fn from(x: DVector<f64>) -> Self {
        ParamInit::Values(x.data.into())
    }
}
impl From<&DVector<f64>> for ParamInit {
    fn from(x: &DVector<f64>) -> Self {
        ParamInit::Values(x.as_slice().to_vec())
    }
}
impl From<&[f64]> for ParamInit {
    fn from(x: &[f64]) -> Self {
        ParamInit::Values(x.to_vec())
    }
}

impl ParamInit {
    /// The value of element `i` of `len`, or `None` when the lengths differ.
    pub(crate) fn values(&self, len: usize) -> Option<Vec<f64>> {
        match self {
            ParamInit::Fill(x) => Some(vec![*x; len]),
            ParamInit::Values(v) if v.len() == len => Some(v.clone()),
            ParamInit::Values(_) => None,
        }
    }
    /// How many values were given (1 for a fill).
    pub(crate) fn given_len(&self) -> usize {
        match self {
            ParamInit::Fill(_) => 1,
            ParamInit::Values(v) => v.len(),
        }
    }
}

/// The shapes of a `param!`: a scalar, or one value per element of a plate.
pub trait ParamShape<S: Scalar>: Copy {
    /// The parameter's value in the guide body.
    type Value;
    /// How many reals.
    fn size(self) -> usize;
    /// The value from its constrained reals.
    fn build(self, reals: impl ExactSizeIterator<Item = S>) -> Self::Value;
    /// The plate, for a parameter per element.
    fn plate(self) -> Option<&'static str>;
    /// How many reals the whole parameter has (the plate's population, when a run sees a
    /// batch of it).
    fn population(self) -> usize;
}

impl<S: Scalar> ParamShape<S> for Unplated {
    type Value = S;
    fn size(self) -> usize {
        1
    }
    fn build(self, mut reals: impl ExactSizeIterator<Item = S>) -> S {
        reals.next().unwrap_or_else(S::zero)
    }
    fn plate(self) -> Option<&'static str> {
        None
    }
    fn population(self) -> usize {
        1
    }
}

impl<S: Scalar> ParamShape<S> for Plate {
    type Value = Vector<S>;
    fn size(self) -> usize {
        self.size
    }
    fn build(self, reals: impl ExactSizeIterator<Item = S>) -> Vector<S> {
        let values = crate::value::collect(self.size, reals);
        Vector::on_plate(DVector::from_vec(values), self)
    }
    fn plate(self) -> Option<&'static str> {
        Some(self.name)
    }
    fn population(self) -> usize {
        self.population
    }
}

/// One `param!`'s block of the flat variational parameter vector.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamBlock {
    /// The parameter's name (its `let` binding).
    pub name: &'static str,
    /// Offset in the flat vector.
    pub offset: usize,
    /// Number of reals.
    pub len: usize,
    /// Its constraint.
    pub constraint: ParamConstraint,
    /// The plate it was declared on (`param!(init, plate)`), if any.
    pub plate: Option<&'static str>,
}
