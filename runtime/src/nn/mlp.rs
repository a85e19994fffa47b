//! [`Mlp`]: a stack of dense layers reading one flat weight vector.

use super::activation::Activation;
use super::dense::Dense;
use super::feature::Feature;
use super::outputs::Outputs;
use super::unitwise;
use crate::scalar::Scalar;
use crate::value::{Mix, ShapeError, Vector};
use nalgebra::DVector;
use rand::SeedableRng;

/// A multilayer perceptron: [`Dense`] layers applied in turn, the outputs of one the
/// features of the next, all reading one flat weight vector — the layers' weights one after
/// the other, each in [`Dense`]'s layout (per output unit its coefficients, then its bias).
///
/// In a model the weights are one site,
/// `sample!(Normal::new(0.0, 1.0), plate!(net.weights_len()))`, or a `param!` in a guide;
/// the network is an argument of the model (or built in the body). Applied to plate
/// vectors it computes each element apart, so a per-unit latent fed through it keeps its
/// derivative local to its unit ([`crate::gradient`]).
///
/// ```
/// use doppl_runtime::nn::{Activation, Feature, Mlp};
/// // 1 → 2 → 1: y = 1·relu(x) + 1·relu(−x) + 0 = |x|.
/// let net = Mlp::new(&[1, 2, 1], Activation::Relu, Activation::Identity).unwrap();
/// assert_eq!(net.weights_len(), 2 * 2 + 1 * 3);
/// let w = [1.0, 0.0, -1.0, 0.0, 1.0, 1.0, 0.0];
/// let x = [-2.0, 0.5, 3.0];
/// let y = net.output(&w, &[Feature::data(&x)]);
/// assert_eq!(y.as_slice(), &[2.0, 0.5, 3.0]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mlp {
    layers: Vec<Dense>,
}

impl Mlp {
    /// A network with layer widths `sizes` (`[inputs, hidden…, outputs]`): `hidden` after
    /// every layer but the last, `output` after the last.
    ///
    /// Errors: [`ShapeError::TooFew`] for fewer than two sizes or a width of 0.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Mlp};
    /// let net = Mlp::new(&[2, 3, 1], Activation::Tanh, Activation::Identity).unwrap();
    /// assert_eq!((net.inputs(), net.outputs(), net.weights_len()), (2, 1, 9 + 4));
    /// assert!(Mlp::new(&[2], Activation::Tanh, Activation::Identity).is_err());
    /// ```
    pub fn new(
        sizes: &[usize],
        hidden: Activation,
        output: Activation,
    ) -> Result<Self, ShapeError> {
        if sizes.len() < 2 {
            return Err(ShapeError::TooFew {
                what: "layer sizes (the inputs, any hidden widths, then the outputs)",
                least: 2,
                found: sizes.len(),
            });
        }
        let last = sizes.len() - 2;
        let layers = sizes.windows(2).enumerate().map(|(i, w)| {
            let activation = if i == last { output } else { hidden };
            Dense::new(w[0], w[1], activation)
        });
        Self::from_layers(layers.collect())
    }

    /// A network of the given layers, each with its own activation.
    ///
    /// Errors: [`ShapeError::TooFew`] for no layers or a layer without inputs or outputs,
    /// [`ShapeError::Count`] when a layer's inputs are not the previous layer's outputs.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Dense, Mlp};
    /// let net = Mlp::from_layers(vec![
    ///     Dense::new(3, 4, Activation::Relu),
    ///     Dense::new(4, 2, Activation::Softplus),
    /// ]).unwrap();
    /// assert_eq!(net.weights_len(), 16 + 10);
    /// let bad = Mlp::from_layers(vec![
    ///     Dense::new(3, 4, Activation::Relu),
    ///     Dense::new(5, 2, Activation::Softplus),
    /// ]);
    /// assert_eq!(bad.unwrap_err().to_string(),
    ///     "expected 4 inputs of a layer (the previous layer's outputs), found 5");
    /// ```
    pub fn from_layers(layers: Vec<Dense>) -> Result<Self, ShapeError> {
        if layers.is_empty() {
            return Err(ShapeError::TooFew {
                what: "layers",
                least: 1,
                found: 0,
            });
        }
        for (i, layer) in layers.iter().enumerate() {
            if let Some(found) = [layer.inputs, layer.outputs].into_iter().find(|&n| n == 0) {
                return Err(ShapeError::TooFew {
                    what: "inputs and outputs in every layer",
                    least: 1,
                    found,
                });
            }
            if let Some(previous) = i.checked_sub(1).map(|p| layers[p])
                && previous.outputs != layer.inputs
            {
                return Err(ShapeError::Count {
                    what: "inputs of a layer (the previous layer's outputs)",
                    expected: previous.outputs,
                    found: layer.inputs,
                });
            }
        }
        Ok(Mlp { layers })
    }

    /// The layers, first to last.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Mlp};
    /// let net = Mlp::new(&[2, 3, 1], Activation::Tanh, Activation::Sigmoid).unwrap();
    /// assert_eq!(net.layers()[1].activation, Activation::Sigmoid);
    /// ```
    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }

    /// The number of input features.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Mlp};
    /// assert_eq!(Mlp::new(&[5, 1], Activation::Tanh, Activation::Identity).unwrap().inputs(), 5);
    /// ```
    pub fn inputs(&self) -> usize {
        self.layers.first().map_or(0, |l| l.inputs)
    }

    /// The number of outputs.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Mlp};
    /// assert_eq!(Mlp::new(&[5, 2], Activation::Tanh, Activation::Identity).unwrap().outputs(), 2);
    /// ```
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.outputs)
    }

    /// The length of the flat weight vector: the sum of the layers' `outputs · (inputs + 1)`.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Mlp};
    /// let net = Mlp::new(&[4, 8, 8, 2], Activation::Relu, Activation::Identity).unwrap();
    /// assert_eq!(net.weights_len(), 8 * 5 + 8 * 9 + 2 * 9);
    /// ```
    pub fn weights_len(&self) -> usize {
        let lens = self.layers.iter().map(Dense::weights_len);
        lens.fold(0, usize::saturating_add)
    }

    /// The network applied to plate vectors: one feature per input (data columns or model
    /// values, all of one length and on one plate), one vector per output on that plate.
    ///
    /// Errors as [`Dense::forward`]'s; the number of weights is checked against
    /// [`Mlp::weights_len`] first.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Feature, Mlp};
    /// // 1 → 1 → 2: h = tanh(2x), outputs (h + 1, −h).
    /// let net = Mlp::new(&[1, 1, 2], Activation::Tanh, Activation::Identity).unwrap();
    /// let out = net.forward(&[2.0, 0.0, 1.0, 1.0, -1.0, 0.0], &[Feature::data(&[0.5])]).unwrap();
    /// let h = 1f64.tanh();
    /// assert_eq!((out[0][0], out[1][0]), (h + 1.0, -h));
    /// ```
    pub fn forward<S: Scalar>(
        &self,
        weights: &[S],
        features: &[Feature<'_, S>],
    ) -> Result<Outputs<S>, ShapeError> {
        self.check_weights(weights.len())?;
        unitwise::forward(&self.layers, weights, features)
    }

    /// [`Mlp::forward`] for a model body, where an error travels in the values as it does
    /// through operators: on an error every output vector carries it
    /// ([`Vector::shape_error`]), and the first site that reads one reports it, naming the
    /// site. For networks with several heads (`&t * &heads[1] + (1.0 - &t) * &heads[0]`).
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Feature, Mlp};
    /// // 1 → 2: the heads x + 1 and 2x.
    /// let net = Mlp::new(&[1, 2], Activation::Tanh, Activation::Identity).unwrap();
    /// let x = [0.5, 1.0];
    /// let heads = net.apply(&[1.0, 1.0, 2.0, 0.0], &[Feature::data(&x)]);
    /// assert_eq!((heads[0][1], heads[1][0]), (2.0, 1.0));
    /// let failed = net.apply(&[1.0, 1.0, 2.0], &[Feature::data(&x)]);
    /// assert_eq!(failed.len(), 2);
    /// assert!(failed.iter().all(|head| head.shape_error().is_some()));
    /// ```
    pub fn apply<S: Scalar>(&self, weights: &[S], features: &[Feature<'_, S>]) -> Outputs<S> {
        let out = self.forward(weights, features);
        out.unwrap_or_else(|e| Outputs::failed(e, self.outputs()))
    }

    /// The output of a network with one output, as one plate vector: what a model body
    /// writes as a mean (`Normal::new(net.output(w.as_slice(), &[x.into()]), sigma)`). As
    /// with operators, an error travels in the vector ([`Vector::shape_error`]) and is
    /// reported, naming the site, by the site that reads it; a network with several outputs
    /// gives [`ShapeError::Count`].
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Feature, Mlp};
    /// let net = Mlp::new(&[1, 1], Activation::Softplus, Activation::Softplus).unwrap();
    /// let y = net.output(&[1.0, 0.0], &[Feature::data(&[0.0])]);
    /// assert!((y[0] - 2f64.ln()).abs() < 1e-15);
    /// // Three weights for a network of two: the error is in the vector.
    /// assert!(net.output(&[1.0, 0.0, 0.0], &[Feature::data(&[0.0])]).shape_error().is_some());
    /// ```
    pub fn output<S: Scalar>(&self, weights: &[S], features: &[Feature<'_, S>]) -> Vector<S> {
        let single = self
            .forward(weights, features)
            .and_then(Outputs::into_single);
        single.unwrap_or_else(Vector::failed)
    }

    /// The network applied to one row of inputs (`f64` data or values of the scalar type).
    /// [`ShapeError::Count`] for a wrong number of weights or inputs.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Mlp};
    /// // 2 → 1 → 1: sigmoid(1 + 2·tanh(x₀ − x₁)).
    /// let net = Mlp::new(&[2, 1, 1], Activation::Tanh, Activation::Sigmoid).unwrap();
    /// let y = net.forward_row(&[1.0, -1.0, 0.0, 2.0, 1.0], &[0.75, 0.25]).unwrap();
    /// let expected = 1.0 / (1.0 + (-(1.0 + 2.0 * 0.5f64.tanh())).exp());
    /// assert!((y[0] - expected).abs() < 1e-15);
    /// ```
    pub fn forward_row<S, X>(&self, weights: &[S], x: &[X]) -> Result<Vec<S>, ShapeError>
    where
        S: Scalar + Mix<X, Output = S>,
        X: Copy,
    {
        self.check_weights(weights.len())?;
        let mut layers = self.split(weights);
        let Some((first, w)) = layers.next() else {
            return Ok(Vec::new());
        };
        let mut h = first.forward_row(w, x)?;
        for (layer, w) in layers {
            h = layer.forward_row(w, &h)?;
        }
        Ok(h)
    }

    /// Glorot (Xavier) uniform weights from a generator seeded with `seed`, layer by layer:
    /// coefficients uniform in ±√(6 / (fan_in + fan_out)), biases 0; the same weights for
    /// the same seed. A starting point for a guide's `param!` or a sampler's initial values.
    ///
    /// ```
    /// use doppl_runtime::nn::{Activation, Mlp};
    /// let net = Mlp::new(&[2, 3, 1], Activation::Tanh, Activation::Identity).unwrap();
    /// let w = net.init_weights(1);
    /// assert_eq!(w.len(), net.weights_len());
    /// assert_eq!(w, net.init_weights(1));
    /// assert_eq!((w[2], w[12]), (0.0, 0.0)); // biases of the first unit and of the output
    /// // Layer 1 (2 → 3) within √(6/5), layer 2 (3 → 1) within √(6/4).
    /// assert!(w.iter().take(9).all(|v| v.abs() < (6.0f64 / 5.0).sqrt()));
    /// assert!(w.iter().skip(9).all(|v| v.abs() < (6.0f64 / 4.0).sqrt()));
    /// ```
    pub fn init_weights(&self, seed: u64) -> DVector<f64> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut weights = Vec::with_capacity(self.weights_len());
        for layer in &self.layers {
            layer.push_glorot(&mut rng, &mut weights);
        }
        DVector::from_vec(weights)
    }

    /// Each layer with its slice of `weights` (whose length has been checked).
    fn split<'w, S>(&self, weights: &'w [S]) -> impl Iterator<Item = (&Dense, &'w [S])> {
        let mut rest = weights;
        self.layers.iter().map(move |layer| {
            let (w, tail) = rest.split_at(layer.weights_len().min(rest.len()));
            rest = tail;
            (layer, w)
        })
    }

    fn check_weights(&self, found: usize) -> Result<(), ShapeError> {
        let expected = self.weights_len();
        if found == expected {
            return Ok(());
        }
        Err(ShapeError::Count {
            what: "weights (the sum over layers of outputs · (inputs + 1): see `weights_len`)",
            expected,
            found,
        })
    }
}
