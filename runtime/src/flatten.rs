//! [`Flatten`]: a site value as a flat list of reals, for summaries and CSV columns.

use nalgebra::DVector;

/// A value that can be written as reals in a fixed order (vectors element by element).
///
/// ```
/// use doppl_runtime::flatten::Flatten;
/// use nalgebra::dvector;
/// let mut out = Vec::new();
/// dvector![1.0, 2.0].flatten_into(&mut out);
/// 3u64.flatten_into(&mut out);
/// assert_eq!(out, vec![1.0, 2.0, 3.0]);
/// ```
pub trait Flatten {
    /// Appends the value's reals to `out`.
    fn flatten_into(&self, out: &mut Vec<f64>);
}

impl Flatten for f64 {
    fn flatten_into(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
}

impl Flatten for u64 {
    fn flatten_into(&self, out: &mut Vec<f64>) {
        out.push(*self as f64);
    }
}

impl Flatten for usize {
    fn flatten_into(&self, out: &mut Vec<f64>) {
        out.push(*self as f64);
    }
}

impl<T: Flatten + nalgebra::Scalar> Flatten for DVector<T> {
    fn flatten_into(&self, out: &mut Vec<f64>) {
        for x in self.iter() {
            x.flatten_into(out);
        }
    }
}
