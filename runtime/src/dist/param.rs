//! [`Param`]: a distribution parameter that is a constant, a scalar or one value per plate element.

use super::DistError;
use crate::scalar::Scalar;
use crate::value::{Data, ShapeError, Vector};
use nalgebra::DVector;

/// A distribution parameter.
///
/// Constants are kept apart from scalars so that terms depending only on constants cost
/// nothing in the derivative parts (a `Normal::new(0.0, 5.0)` prior computes ln 5 as f64).
#[derive(Clone, Debug, PartialEq)]
pub enum Param<S: nalgebra::Scalar> {
    /// A number known before the model runs (no derivative parts).
    Const(f64),
    /// A scalar that may carry derivatives.
    Scalar(S),
    /// One value per plate element.
    Vector(Vector<S>),
}

impl<S: Scalar> Param<S> {
    /// The length of a vectorized parameter, `None` for a scalar.
    #[inline]
    pub fn batch_len(&self) -> Option<usize> {
        match self {
            Param::Vector(v) => Some(v.len()),
            _ => None,
        }
    }
    /// Element `i` (the scalar itself when not vectorized).
    #[inline]
    pub fn at(&self, i: usize) -> S {
        match self {
            Param::Const(c) => S::from_f64(*c),
            Param::Scalar(s) => *s,
            Param::Vector(v) => v[i],
        }
    }
    /// The value part of element `i`.
    #[inline]
    pub fn re_at(&self, i: usize) -> f64 {
        match self {
            Param::Const(c) => *c,
            Param::Scalar(s) => s.re(),
            Param::Vector(v) => v[i].re(),
        }
    }
    /// The same constant with `f64` as its scalar; `None` unless the parameter is a
    /// constant.
    #[inline]
    pub fn as_constant(&self) -> Option<Param<f64>> {
        match self {
            Param::Const(c) => Some(Param::Const(*c)),
            _ => None,
        }
    }
    /// Calls `check` on the value part of every element; the first failure is returned with
    /// its index (`None` for a scalar).
    pub fn validate(&self, check: impl Fn(f64) -> bool) -> Result<(), (Option<usize>, f64)> {
        match self {
            Param::Const(c) if !check(*c) => Err((None, *c)),
            Param::Scalar(s) if !check(s.re()) => Err((None, s.re())),
            Param::Vector(v) => match v.as_slice().iter().position(|x| !check(x.re())) {
                Some(i) => Err((Some(i), v[i].re())),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }
    /// `f` applied elementwise (kept constant when constant).
    pub fn map(&self, f: impl Fn(S) -> S, fc: impl Fn(f64) -> f64) -> Param<S> {
        match self {
            Param::Const(c) => Param::Const(fc(*c)),
            Param::Scalar(s) => Param::Scalar(f(*s)),
            Param::Vector(v) => Param::Vector(v.map(|&x| f(x))),
        }
    }
}

/// Conversion of what a model writes as a parameter (`0.0`, a latent scalar, a vector of
/// latents, a data vector) into a [`Param`].
///
/// Conversion fails only for a vector computed by an operation that failed (operands of
/// different lengths): its [`ShapeError`] is reported with the site.
pub trait IntoParam<S: nalgebra::Scalar> {
    /// The parameter.
    fn into_param(self) -> Result<Param<S>, DistError>;
}

impl<S: nalgebra::Scalar> IntoParam<S> for f64 {
    #[inline]
    fn into_param(self) -> Result<Param<S>, DistError> {
        Ok(Param::Const(self))
    }
}

impl<S: Scalar> IntoParam<S> for DVector<S> {
    #[inline]
    fn into_param(self) -> Result<Param<S>, DistError> {
        Ok(Param::Vector(Vector::from(self)))
    }
}

/// A borrowed vector (a site value used again later, or data when `S` is `f64`) is copied.
impl<S: Scalar> IntoParam<S> for &DVector<S> {
    #[inline]
    fn into_param(self) -> Result<Param<S>, DistError> {
        Ok(Param::Vector(Vector::pooled(crate::value::collect(
            self.len(),
            self.iter().copied(),
        ))))
    }
}

impl<S: Scalar> IntoParam<S> for Param<S> {
    #[inline]
    fn into_param(self) -> Result<Param<S>, DistError> {
        Ok(self)
    }
}

/// A vector of site values or of results (`Normal::new(mu, sigma)`); a failed operation's
/// error comes back here.
impl<S: Scalar> IntoParam<S> for Vector<S> {
    #[inline]
    fn into_param(self) -> Result<Param<S>, DistError> {
        match self.shape_error() {
            Some(e) => Err(DistError::Operand(e)),
            None => Ok(Param::Vector(self)),
        }
    }
}

/// A borrowed vector (a site value used again later) is copied, into a buffer that the
/// per-chain workspace reuses ([`crate::value::Workspace`]); move it
/// (`Normal::new(mu, sigma)`) where the body reads it for the last time: the trace of a
/// `#[model]` keeps its own copy only on runs that return values.
impl<S: Scalar> IntoParam<S> for &Vector<S> {
    #[inline]
    fn into_param(self) -> Result<Param<S>, DistError> {
        self.clone().into_param()
    }
}

/// A scalar times data (`Normal::new(beta * x, sigma)`): the products written out.
impl<S: Scalar> IntoParam<S> for crate::value::Scaled<'_, S> {
    #[inline]
    fn into_param(self) -> Result<Param<S>, DistError> {
        self.into_vector().into_param()
    }
}

/// A data vector as a parameter (`Normal::new(theta, sigma)` with data `theta`): its values
/// as constants.
impl<S: Scalar> IntoParam<S> for Data<'_, DVector<f64>> {
    #[inline]
    fn into_param(self) -> Result<Param<S>, DistError> {
        let values = self.get().iter().map(|&x| S::from_f64(x));
        Ok(Param::Vector(Vector::pooled(crate::value::collect(
            self.len(),
            values,
        ))))
    }
}

impl From<ShapeError> for DistError {
    fn from(e: ShapeError) -> Self {
        DistError::Operand(e)
    }
}
