//! [`Activation`]: the elementwise nonlinearity of a layer.

use crate::scalar::{Scalar, simd};
use crate::value::Vector;

/// The function a [`super::Dense`] layer applies to each unit's affine value, generic over
/// the scalar so that derivatives flow through it.
///
/// ```
/// use doppl_runtime::nn::Activation;
/// use doppl_runtime::scalar::{Dual, Scalar};
/// assert_eq!(Activation::Relu.apply(-2.0), 0.0);
/// assert_eq!(Activation::Relu.apply(1.5), 1.5);
/// assert!((Activation::Sigmoid.apply(0.0) - 0.5).abs() < 1e-15);
/// // d/dx softplus(x) = σ(x): 0.5 at 0.
/// let y = Activation::Softplus.apply(Dual::<1>::variable(0.0, 0));
/// assert!((y.re() - 2f64.ln()).abs() < 1e-15 && (y.eps[0] - 0.5).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Activation {
    /// x (a linear layer, the usual output layer of a regression network).
    #[default]
    Identity,
    /// tanh x.
    Tanh,
    /// max(x, 0): x where the value is positive, else 0 with derivative 0 (0 at x = 0; a NaN
    /// stays NaN).
    Relu,
    /// ln(1 + eˣ), stable in both tails: a smooth positive output (a scale).
    Softplus,
    /// 1 / (1 + e⁻ˣ): an output in (0, 1) (a probability).
    Sigmoid,
}

impl Activation {
    /// The activation of one number.
    ///
    /// ```
    /// use doppl_runtime::nn::Activation;
    /// assert!((Activation::Tanh.apply(0.5) - 0.5f64.tanh()).abs() < 1e-15);
    /// assert_eq!(Activation::Identity.apply(-3.0), -3.0);
    /// ```
    #[inline]
    pub fn apply<S: Scalar>(self, x: S) -> S {
        match self {
            Activation::Identity => x,
            Activation::Tanh => x.tanh(),
            Activation::Relu => relu(x),
            Activation::Softplus => x.softplus(),
            Activation::Sigmoid => x.sigmoid(),
        }
    }

    /// The activations of `affine` into `value`, and with `slope` their derivatives (those
    /// forward mode applies: ReLU's 0 at 0), over a block of elements: the variant is
    /// matched once, and tanh runs in a loop without calls or branches, dispatched to AVX2
    /// where the CPU has it.
    pub(super) fn apply_block(self, affine: &[f64], value: &mut [f64], slope: Option<&mut [f64]>) {
        match (self, slope) {
            (Activation::Tanh, Some(slope)) => simd::tanh_with_slopes(affine, value, slope),
            (Activation::Tanh, None) => simd::tanh_values(affine, value),
            (_, Some(slope)) => {
                for ((v, d), &a) in value.iter_mut().zip(slope).zip(affine) {
                    let y = self.apply(crate::scalar::Dual::<1>::variable(a, 0));
                    (*v, *d) = (y.re, y.eps[0]);
                }
            }
            (_, None) => {
                for (v, &a) in value.iter_mut().zip(affine) {
                    *v = self.apply(a);
                }
            }
        }
    }

    /// The activation of every element, on the same plate (a failed vector stays failed).
    ///
    /// ```
    /// use doppl_runtime::nn::Activation;
    /// use doppl_runtime::value::Vector;
    /// let v = Vector::from(vec![-1.0, 0.0, 2.0]);
    /// assert_eq!(Activation::Relu.apply_vector(&v).as_slice(), &[0.0, 0.0, 2.0]);
    /// ```
    pub fn apply_vector<S: Scalar>(self, x: &Vector<S>) -> Vector<S> {
        match self {
            Activation::Identity => x.clone(),
            _ => x.map(|&v| self.apply(v)),
        }
    }
}

/// max(x, 0) with the derivative of the branch taken (0 for x ≤ 0).
#[inline]
fn relu<S: Scalar>(x: S) -> S {
    if x.re() <= 0.0 { x.chain(0.0, 0.0) } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Dual;

    const ALL: [Activation; 5] = [
        Activation::Identity,
        Activation::Tanh,
        Activation::Relu,
        Activation::Softplus,
        Activation::Sigmoid,
    ];

    /// (value, derivative) in closed form.
    fn closed_form(a: Activation, x: f64) -> (f64, f64) {
        let s = 1.0 / (1.0 + (-x).exp());
        match a {
            Activation::Identity => (x, 1.0),
            Activation::Tanh => (x.tanh(), 1.0 / x.cosh().powi(2)),
            Activation::Relu if x > 0.0 => (x, 1.0),
            Activation::Relu => (0.0, 0.0),
            Activation::Softplus => ((1.0 + x.exp()).ln(), s),
            Activation::Sigmoid => (s, s * (1.0 - s)),
        }
    }

    #[test]
    fn every_activation_matches_its_closed_form_and_derivative() {
        for a in ALL {
            for x in [-3.1, -0.7, -1e-3, 0.4, 2.2, 6.0] {
                let (f, df) = closed_form(a, x);
                assert!(
                    (a.apply(x) - f).abs() <= 1e-14 * (1.0 + f.abs()),
                    "{a:?}({x})"
                );
                let d = a.apply(Dual::<2>::variable(x, 1));
                assert!((d.re - f).abs() <= 1e-14 * (1.0 + f.abs()), "{a:?}({x})");
                assert!(
                    (d.eps[1] - df).abs() <= 1e-14 * (1.0 + df.abs()),
                    "{a:?}'({x})"
                );
                assert_eq!(d.eps[0], 0.0);
            }
        }
    }

    #[test]
    fn relu_is_zero_with_zero_derivative_at_and_below_zero() {
        let d = Activation::Relu.apply(Dual::<1>::variable(0.0, 0));
        assert_eq!((d.re, d.eps), (0.0, [0.0]));
        assert!(Activation::Relu.apply(f64::NAN).is_nan());
    }

    #[test]
    fn the_vector_form_applies_elementwise_and_keeps_the_plate() {
        let plate = crate::Plate::new("units", 3);
        let v = Vector::on_plate(nalgebra::dvector![-1.0, 0.25, 3.0], plate);
        for a in ALL {
            let out = a.apply_vector(&v);
            assert_eq!(out.plate(), Some("units"));
            for (&o, &x) in out.iter().zip(v.iter()) {
                assert_eq!(o, a.apply(x));
            }
        }
    }
}
