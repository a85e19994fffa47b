//! [`Outputs`]: a layer's result, one plate vector per output unit.

use crate::scalar::Scalar;
use crate::value::{ShapeError, Vector};
use std::ops::{Deref, DerefMut};

/// The outputs of a [`super::Dense`] layer or an [`super::Mlp`]: one vector per output
/// unit, each with one value per element of the features' plate. Reads like a
/// `[Vector<S>]` (`out[j]`, `out.len()`, `out.iter()`).
///
/// The list itself, like every vector in it, takes its buffer from the workspace lent to an
/// evaluation and gives it back when dropped ([`crate::value::Workspace`]): a network in a
/// model body allocates nothing from the second gradient on.
///
/// ```
/// use doppl_runtime::nn::{Activation, Dense};
/// let layer = Dense::new(1, 2, Activation::Identity);
/// // out₀ = 2x + 1, out₁ = −x.
/// let out = layer.forward(&[2.0, 1.0, -1.0, 0.0], &[(&[3.0, 4.0][..]).into()]).unwrap();
/// assert_eq!(out.len(), 2);
/// assert_eq!(out[0].as_slice(), &[7.0, 9.0]);
/// assert_eq!(out.into_vec()[1].as_slice(), &[-3.0, -4.0]);
/// ```
pub struct Outputs<S: Scalar> {
    units: Vec<Vector<S>>,
}

impl<S: Scalar> Outputs<S> {
    /// An empty list with room for `outputs` vectors.
    pub(super) fn with_capacity(outputs: usize) -> Self {
        Outputs {
            units: crate::value::buffer(outputs),
        }
    }

    /// `outputs` failed vectors, each carrying `error`.
    pub(super) fn failed(error: ShapeError, outputs: usize) -> Self {
        let mut out = Outputs::with_capacity(outputs);
        out.units
            .extend((0..outputs).map(|_| Vector::failed(error)));
        out
    }

    /// Appends the next unit's vector.
    pub(super) fn push(&mut self, unit: Vector<S>) {
        self.units.push(unit);
    }

    /// The vectors as a `Vec` (its buffer then stays with the caller).
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Dense};
    /// let out = Dense::new(1, 1, Activation::Relu).forward(&[1.0, -1.0], &[(&[0.5, 3.0][..]).into()]);
    /// let units = out.unwrap().into_vec();
    /// assert_eq!(units[0].as_slice(), &[0.0, 2.0]);
    /// ```
    pub fn into_vec(mut self) -> Vec<Vector<S>> {
        std::mem::take(&mut self.units)
    }

    /// The only output, or [`ShapeError::Count`] if there are several (or none).
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Dense};
    /// let out = Dense::new(1, 1, Activation::Tanh).forward(&[1.0, 0.0], &[(&[0.5][..]).into()]);
    /// let y = out.unwrap().into_single().unwrap();
    /// assert!((y[0] - 0.5f64.tanh()).abs() < 1e-15);
    /// ```
    pub fn into_single(mut self) -> Result<Vector<S>, ShapeError> {
        let found = self.units.len();
        // Popped in place: the list's buffer still goes back to the workspace.
        match self.units.pop() {
            Some(unit) if found == 1 => Ok(unit),
            _ => Err(ShapeError::Count {
                what: "outputs (a single output was asked for; read several with `forward`)",
                expected: 1,
                found,
            }),
        }
    }
}

impl<S: Scalar> Deref for Outputs<S> {
    type Target = [Vector<S>];
    fn deref(&self) -> &[Vector<S>] {
        &self.units
    }
}

impl<S: Scalar> DerefMut for Outputs<S> {
    fn deref_mut(&mut self) -> &mut [Vector<S>] {
        &mut self.units
    }
}

impl<S: Scalar> Clone for Outputs<S> {
    fn clone(&self) -> Self {
        let mut copy = Outputs::with_capacity(self.units.len());
        copy.units.extend(self.units.iter().cloned());
        copy
    }
}

impl<S: Scalar> std::fmt::Debug for Outputs<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.units).finish()
    }
}

/// The vectors return their buffers first, then the list returns its own.
impl<S: Scalar> Drop for Outputs<S> {
    fn drop(&mut self) {
        let mut units = std::mem::take(&mut self.units);
        units.clear();
        crate::value::recycle(units);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Workspace;

    #[test]
    fn the_list_and_its_vectors_come_back_to_the_workspace() {
        let mut workspace = Workspace::default();
        let make = || {
            let mut out = Outputs::<f64>::with_capacity(2);
            out.push(Vector::from(crate::value::collect(3, [1.0, 2.0, 3.0])));
            out.push(Vector::from(crate::value::collect(3, [4.0, 5.0, 6.0])));
            out
        };
        workspace.lend(|| drop(make()));
        // Two value buffers and the list.
        assert_eq!(workspace.buffers(), 3);
        let single = workspace.lend(|| make().into_single());
        assert_eq!(
            single,
            Err(ShapeError::Count {
                what: "outputs (a single output was asked for; read several with `forward`)",
                expected: 1,
                found: 2
            })
        );
        assert_eq!(workspace.buffers(), 3);
        let mut one = Outputs::<f64>::with_capacity(1);
        one.push(Vector::from(vec![7.0]));
        let single = workspace.lend(|| one.into_single().unwrap().sum());
        assert_eq!((single, workspace.buffers()), (7.0, 5));
    }
}
