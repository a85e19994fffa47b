//! [`Dense`]: one fully connected layer, `out_j = act(b_j + Σ_k W_jk x_k)`.

use super::activation::Activation;
use super::feature::Feature;
use super::outputs::Outputs;
use super::unitwise;
use crate::scalar::Scalar;
use crate::value::{Mix, ShapeError};
use nalgebra::DVector;
use rand::{Rng, RngExt, SeedableRng};

/// A fully connected layer of `outputs` units over `inputs` features:
/// `out_j = activation(b_j + Σ_k W_jk x_k)`.
///
/// **Weight layout.** A layer reads `outputs · (inputs + 1)` weights, one row per output
/// unit, each row its `inputs` coefficients followed by its bias: `weights[j · (inputs + 1)
/// + k] = W_jk` and `weights[j · (inputs + 1) + inputs] = b_j` (the row-major matrix
/// `[W | b]`).
///
/// The layer is generic over the scalar: the weights are `S` (a `param!` of a guide or a
/// sample site of a model, so dual numbers when differentiated), the features data (`f64`)
/// or model values. Applied to plate vectors ([`Dense::forward`]) it computes every
/// element independently, so a per-unit latent fed through it stays local to its unit
/// ([`crate::gradient`]).
///
/// ```
/// use doppl_runtime::nn::{Activation, Dense, Feature};
/// // Two inputs, one output: relu(1·x₀ − 2·x₁ + 0.5).
/// let layer = Dense::new(2, 1, Activation::Relu);
/// assert_eq!(layer.weights_len(), 3);
/// let (x0, x1) = ([1.0, 1.0], [0.0, 1.0]);
/// let out = layer.forward(&[1.0, -2.0, 0.5], &[Feature::data(&x0), Feature::data(&x1)]);
/// assert_eq!(out.unwrap()[0].as_slice(), &[1.5, 0.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dense {
    /// The number of input features.
    pub inputs: usize,
    /// The number of output units.
    pub outputs: usize,
    /// The function applied to each unit's affine value.
    pub activation: Activation,
}

impl Dense {
    /// A layer of `outputs` units over `inputs` features.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Dense};
    /// let layer = Dense::new(4, 3, Activation::Tanh);
    /// assert_eq!((layer.inputs, layer.outputs), (4, 3));
    /// ```
    pub const fn new(inputs: usize, outputs: usize, activation: Activation) -> Self {
        Dense {
            inputs,
            outputs,
            activation,
        }
    }

    /// The number of weights, `outputs · (inputs + 1)` (saturating for absurd sizes, which
    /// then no weight vector fits).
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Dense};
    /// assert_eq!(Dense::new(2, 3, Activation::Tanh).weights_len(), 9);
    /// ```
    pub const fn weights_len(&self) -> usize {
        self.outputs.saturating_mul(self.inputs.saturating_add(1))
    }

    /// The layer applied to plate vectors: one feature per input (data columns or model
    /// values, all of one length and on one plate), one vector per output unit on that
    /// plate.
    ///
    /// Errors: [`ShapeError::Count`] for a wrong number of weights or features,
    /// [`ShapeError::Mismatch`] for features of different lengths or plates,
    /// [`ShapeError::TooFew`] for a layer without inputs, and a feature's own error if it
    /// is a failed vector.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Dense, Feature};
    /// use doppl_runtime::scalar::Dual;
    /// use doppl_runtime::value::Vector;
    /// // sigmoid(w·x + b) with a dual weight: ∂/∂w = σ'(wx + b) · x.
    /// let layer = Dense::new(1, 1, Activation::Sigmoid);
    /// let w = [Dual::<1>::variable(0.5, 0), Dual::constant(-1.0)];
    /// let x = [2.0];
    /// let y = &layer.forward(&w, &[Feature::data(&x)]).unwrap()[0];
    /// let s = 1.0 / (1.0 + (-(0.5 * 2.0 - 1.0f64)).exp());
    /// assert!((y[0].re - s).abs() < 1e-15);
    /// assert!((y[0].eps[0] - s * (1.0 - s) * 2.0).abs() < 1e-15);
    /// ```
    pub fn forward<S: Scalar>(
        &self,
        weights: &[S],
        features: &[Feature<'_, S>],
    ) -> Result<Outputs<S>, ShapeError> {
        self.check_weights(weights.len())?;
        unitwise::forward(std::slice::from_ref(self), weights, features)
    }

    /// The layer applied to one row of inputs (`f64` data or values of the scalar type):
    /// one value per output unit. [`ShapeError::Count`] for a wrong number of weights or
    /// inputs.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Dense};
    /// // tanh(0.5·1 − 1·2 + 0.25) and tanh(−0.5·1 + 1·2 + 0).
    /// let layer = Dense::new(2, 2, Activation::Tanh);
    /// let y = layer.forward_row(&[0.5, -1.0, 0.25, -0.5, 1.0, 0.0], &[1.0, 2.0]).unwrap();
    /// assert!((y[0] - (-1.25f64).tanh()).abs() < 1e-15);
    /// assert!((y[1] - 1.5f64.tanh()).abs() < 1e-15);
    /// ```
    pub fn forward_row<S, X>(&self, weights: &[S], x: &[X]) -> Result<Vec<S>, ShapeError>
    where
        S: Scalar + Mix<X, Output = S>,
        X: Copy,
    {
        self.check_weights(weights.len())?;
        self.check_inputs(x.len())?;
        let row = |r: &[S]| {
            let (w, b) = r.split_at(self.inputs);
            let affine = w
                .iter()
                .zip(x)
                .fold(b[0], |acc, (&wk, &xk)| acc + wk.mix_mul(xk));
            self.activation.apply(affine)
        };
        Ok(weights.chunks_exact(self.inputs + 1).map(row).collect())
    }

    /// Glorot (Xavier) uniform weights from a generator seeded with `seed`: coefficients
    /// uniform in ±√(6 / (inputs + outputs)), biases 0; the same weights for the same seed.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Dense};
    /// let layer = Dense::new(3, 1, Activation::Identity);
    /// let w = layer.init_weights(7);
    /// assert_eq!(w, layer.init_weights(7));
    /// assert!(w.iter().take(3).all(|v| v.abs() < (6.0f64 / 4.0).sqrt()));
    /// assert_eq!(w[3], 0.0); // the bias
    /// ```
    pub fn init_weights(&self, seed: u64) -> DVector<f64> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut weights = Vec::new();
        self.push_glorot(&mut rng, &mut weights);
        DVector::from_vec(weights)
    }

    /// Appends this layer's Glorot-uniform weights, drawn from `rng`, to `weights`.
    pub(super) fn push_glorot<R: Rng + ?Sized>(&self, rng: &mut R, weights: &mut Vec<f64>) {
        if self.weights_len() == 0 {
            return;
        }
        // outputs ≥ 1 here, so the limit is finite and positive.
        let limit = (6.0 / (self.inputs as f64 + self.outputs as f64)).sqrt();
        weights.reserve(self.weights_len());
        for _ in 0..self.outputs {
            weights.extend((0..self.inputs).map(|_| rng.random_range(-limit..limit)));
            weights.push(0.0);
        }
    }

    fn check_weights(&self, found: usize) -> Result<(), ShapeError> {
        let expected = self.weights_len();
        if found == expected {
            return Ok(());
        }
        Err(ShapeError::Count {
            what: "weights (outputs · (inputs + 1) per layer: see `weights_len`)",
            expected,
            found,
        })
    }

    pub(super) fn check_inputs(&self, found: usize) -> Result<(), ShapeError> {
        if found == self.inputs {
            return Ok(());
        }
        Err(ShapeError::Count {
            what: "features (one per input of the layer)",
            expected: self.inputs,
            found,
        })
    }
}
