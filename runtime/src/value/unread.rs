//! [`Unread`]: what a trace holds for a value that the run did not keep.

use super::Vector;
use crate::scalar::Scalar;
use nalgebra::DVector;

/// A stand-in for a site value in the trace of a run that keeps no values (the log-density
/// path: [`crate::handler::LogJoint::without_values`]). Vectors are empty, numbers zero;
/// nothing reads them, and building them costs nothing (no buffer, no copy).
pub trait Unread {
    /// The stand-in.
    fn unread() -> Self;
}

impl<S: Scalar> Unread for S {
    #[inline]
    fn unread() -> Self {
        S::zero()
    }
}

impl Unread for u64 {
    #[inline]
    fn unread() -> Self {
        0
    }
}

impl Unread for usize {
    #[inline]
    fn unread() -> Self {
        0
    }
}

impl<T: nalgebra::Scalar> Unread for DVector<T> {
    #[inline]
    fn unread() -> Self {
        DVector::from_vec(Vec::new())
    }
}

impl<T: nalgebra::Scalar> Unread for Vector<T> {
    #[inline]
    fn unread() -> Self {
        Vector::from(Vec::new())
    }
}
