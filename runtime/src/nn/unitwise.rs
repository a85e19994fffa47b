//! A stack of layers over a plate, one element at a time: the values in `f64`, the
//! derivatives by a backward pass through the element's network.
//!
//! Forward mode through a network costs every operation once per tangent lane: a 4 → 5 → 2
//! encoder with its 37 weights seeded in 16-lane chunks is ~40 dual operations of 16 lanes
//! per unit and chunk. But each output of an element is a function of few numbers, the
//! weights and the element's inputs, so its tangent is `Σₖ ∂out/∂wₖ · ẇₖ + Σⱼ ∂out/∂xⱼ ·
//! ẋⱼ`: one `f64` forward pass gives the values, one backward pass per output the partial
//! derivatives, and the tangents of the weights (seeded in one lane each, or constant)
//! and of the inputs (model values) combine them. The result is the forward-mode tangent,
//! up to rounding, at a fraction of its cost; with constant weights and data inputs no
//! backward pass runs at all. A projected network ([`crate::gradient::projection`]) treats
//! its weights as constants here and gets their gradient later from
//! [`add_weight_gradient`].

use super::dense::Dense;
use super::feature::{Column, Feature, common_extent};
use super::outputs::Outputs;
use crate::scalar::{Scalar, simd};
use crate::value::{ShapeError, Vector, buffer, recycle};

/// How a weight's derivative enters an output's tangent.
#[derive(Clone, Copy)]
enum Reach<S> {
    /// The weight is seeded in one lane with this derivative.
    Lane(usize, f64),
    /// Any other tangent: the weight itself, whose tangent is added scaled.
    Dense(S),
}

/// A weight with a tangent: the node whose backward signal its partial derivative takes,
/// and the node it multiplies (`None` for a bias).
#[derive(Clone, Copy)]
struct Seed<S> {
    signal: usize,
    input: Option<usize>,
    reach: Reach<S>,
}

/// Elements evaluated together: their values sit side by side per node, so each step of
/// the forward and backward passes is one loop over the block that the compiler
/// vectorizes.
const BLOCK: usize = 32;

/// The nodes of the network for a block of elements: the inputs, then each layer's units;
/// per node and element its value, its activation's slope and the backward signal, at
/// `node · BLOCK + element`.
struct Nodes {
    /// Where each layer's inputs start (and, at `l + 1`, its units).
    starts: Vec<usize>,
    value: Vec<f64>,
    slope: Vec<f64>,
    signal: Vec<f64>,
}

impl Nodes {
    fn new(layers: &[Dense]) -> Self {
        let mut starts = buffer(layers.len() + 1);
        starts.push(0);
        for layer in layers {
            let last = starts[starts.len() - 1];
            starts.push(last + layer.inputs);
        }
        let total = (starts[layers.len()] + layers[layers.len() - 1].outputs) * BLOCK;
        let zeros = || {
            let mut v = buffer(total);
            v.resize(total, 0.0);
            v
        };
        Nodes {
            starts,
            value: zeros(),
            slope: zeros(),
            signal: zeros(),
        }
    }

    /// Node `node`'s elements in `values`.
    fn row(values: &[f64], node: usize) -> &[f64] {
        &values[node * BLOCK..(node + 1) * BLOCK]
    }

    fn row_mut(values: &mut [f64], node: usize) -> &mut [f64] {
        &mut values[node * BLOCK..(node + 1) * BLOCK]
    }

    /// The inputs of elements `first..first + BLOCK` (fewer at the end: `len`).
    fn load<S: Scalar>(&mut self, columns: &[Feature<'_, S>], first: usize, len: usize) {
        for (k, feature) in columns.iter().enumerate() {
            let row = &mut Self::row_mut(&mut self.value, k)[..len];
            match feature.column() {
                Column::Data(x) => row.copy_from_slice(&x[first..first + len]),
                Column::Values(x) => {
                    for (r, v) in row.iter_mut().zip(&x[first..first + len]) {
                        *r = v.re();
                    }
                }
            }
        }
    }

    /// The values (and, with `slopes`, the slopes) of every unit from the loaded inputs;
    /// each affine sum is formed in the order of the weights, as forward mode forms it.
    fn forward(&mut self, layers: &[Dense], weights: &[f64], slopes: bool) {
        let mut w = weights;
        for (l, layer) in layers.iter().enumerate() {
            let (inputs, units) = (self.starts[l], self.starts[l + 1]);
            for j in 0..layer.outputs {
                let (row, rest) = w.split_at(layer.inputs + 1);
                w = rest;
                let mut affine = [row[layer.inputs]; BLOCK];
                for (k, &wk) in row[..layer.inputs].iter().enumerate() {
                    simd::add_scaled_column(&mut affine, Self::row(&self.value, inputs + k), wk);
                }
                let node = units + j;
                let value = Self::row_mut(&mut self.value, node);
                let slope = slopes.then(|| Self::row_mut(&mut self.slope, node));
                layer.activation.apply_block(&affine, value, slope);
            }
        }
    }

    /// The backward signal `∂ output / ∂ affine` of every unit, for output `o`, and, when
    /// `inputs_move` (some input carries a tangent), `∂ output / ∂ input` in the input nodes:
    /// the weights' partial derivatives need only the units' signals.
    fn backward(&mut self, layers: &[Dense], weights: &[f64], o: usize, inputs_move: bool) {
        let top = self.starts[layers.len()];
        self.signal[top * BLOCK..].fill(0.0);
        let slope = Self::row(&self.slope, top + o);
        Self::row_mut(&mut self.signal, top + o).copy_from_slice(slope);
        self.propagate(layers, weights, o..o + 1, inputs_move);
    }

    /// Carries the signals of the last layer's units `outputs` (already set) down to every
    /// unit, and to the inputs when `inputs_move`.
    fn propagate(
        &mut self,
        layers: &[Dense],
        weights: &[f64],
        outputs: std::ops::Range<usize>,
        inputs_move: bool,
    ) {
        let last = layers.len() - 1;
        let mut end = weights.len();
        for (l, layer) in layers.iter().enumerate().rev() {
            if l == 0 && !inputs_move {
                break;
            }
            let w = &weights[end - layer.weights_len()..end];
            end -= layer.weights_len();
            let (inputs, units) = (self.starts[l], self.starts[l + 1]);
            let (below, above) = self.signal.split_at_mut(units * BLOCK);
            let below = &mut below[inputs * BLOCK..];
            below.fill(0.0);
            // Only the outputs asked for carry a signal in the last layer.
            let rows = if l == last {
                outputs.clone()
            } else {
                0..layer.outputs
            };
            for j in rows {
                let row = &w[j * (layer.inputs + 1)..][..layer.inputs];
                let s = Self::row(above, j);
                for (k, &wk) in row.iter().enumerate() {
                    simd::add_scaled_column(Self::row_mut(below, k), s, wk);
                }
            }
            if l > 0 {
                for (b, &d) in below.iter_mut().zip(&self.slope[inputs * BLOCK..]) {
                    *b *= d;
                }
            }
        }
    }

    /// Loads the inputs of elements `first..first + len` from `inputs` (input `c` of
    /// element `i` at `c * total + i`), zeroing the rest of the block so that stale values
    /// of an earlier block cannot turn a zero signal into NaN.
    fn load_stored(&mut self, inputs: &[f64], count: usize, total: usize, first: usize) {
        let len = BLOCK.min(total - first);
        for c in 0..count {
            let row = Self::row_mut(&mut self.value, c);
            row[..len].copy_from_slice(&inputs[c * total + first..][..len]);
            row[len..].fill(0.0);
        }
    }

    fn recycle(self) {
        recycle(self.starts);
        recycle(self.value);
        recycle(self.slope);
        recycle(self.signal);
    }
}

/// `layers` (consecutive, their widths checked) applied to every element of `columns`,
/// reading `weights` (their number checked): one output vector per unit of the last layer.
pub(crate) fn forward<S: Scalar>(
    layers: &[Dense],
    weights: &[S],
    columns: &[Feature<'_, S>],
) -> Result<Outputs<S>, ShapeError> {
    layers[0].check_inputs(columns.len())?;
    let extent = common_extent(columns)?;
    let mut nodes = Nodes::new(layers);
    // A network whose weights are one local site's lane, during a read-off pass, is
    // projected: its weights count as constants here, output `o` carries `1` in lane
    // `lanes[o]` (the weights' own for the first), and the weights' gradient comes later
    // from `add_weight_gradient`.
    let projected =
        crate::gradient::projection::project_network(layers, weights, columns, extent.len);
    let seeds = match projected {
        Some(_) => buffer(0),
        None => seeds(layers, weights, &nodes.starts),
    };
    let values_move = columns.iter().any(|feature| match feature.column() {
        Column::Values(x) => x.iter().any(Scalar::has_tangent),
        Column::Data(_) => false,
    });
    let mut plain = buffer(weights.len());
    plain.extend(weights.iter().map(Scalar::re));
    let outputs = layers[layers.len() - 1].outputs;
    let mut out: Vec<Vec<S>> = buffer(outputs);
    out.extend((0..outputs).map(|_| buffer(extent.len)));
    let tangents = !seeds.is_empty() || values_move;
    let top = nodes.starts[layers.len()];
    for first in (0..extent.len).step_by(BLOCK) {
        let len = BLOCK.min(extent.len - first);
        nodes.load(columns, first, len);
        nodes.forward(layers, &plain, tangents);
        for (o, unit) in out.iter_mut().enumerate() {
            let node = top + o;
            if !tangents {
                let values = &Nodes::row(&nodes.value, node)[..len];
                // Written in place: a dual built per element and moved into the vector cost
                // 8.7 ns per element on the CEVAE encoder's 8-lane outputs (perf).
                unit.resize(first + len, S::from_f64(0.0));
                let block = &mut unit[first..];
                for (d, &v) in block.iter_mut().zip(values) {
                    *d = d.with_re(v);
                }
                if let Some(lanes) = &projected {
                    block.iter_mut().for_each(|d| d.set_tangent(lanes[o], 1.0));
                }
                continue;
            }
            nodes.backward(layers, &plain, o, values_move);
            unit.resize(first + len, S::from_f64(0.0));
            let block = &mut unit[first..];
            add_tangents(block, &nodes, &seeds, columns, first, values_move);
            let values = Nodes::row(&nodes.value, node);
            for (d, &v) in block.iter_mut().zip(values) {
                *d = d.with_re(v);
            }
            if let Some(lanes) = &projected {
                block.iter_mut().for_each(|d| d.set_tangent(lanes[o], 1.0));
            }
        }
    }
    let mut result = Outputs::with_capacity(outputs);
    for unit in out.drain(..) {
        result.push(Vector::pooled_on(unit, extent.plate));
    }
    recycle(out);
    recycle(plain);
    recycle(seeds);
    nodes.recycle();
    Ok(result)
}

/// The weights that carry a tangent, each with the nodes its partial derivative is formed
/// from.
fn seeds<S: Scalar>(layers: &[Dense], weights: &[S], starts: &[usize]) -> Vec<Seed<S>> {
    let mut seeds = buffer(0);
    let mut k = 0;
    for (l, layer) in layers.iter().enumerate() {
        for j in 0..layer.outputs {
            for c in 0..=layer.inputs {
                let w = weights[k];
                k += 1;
                if !w.has_tangent() {
                    continue;
                }
                let reach = match w.single_lane() {
                    Some((lane, d)) => Reach::Lane(lane, d),
                    None => Reach::Dense(w),
                };
                seeds.push(Seed {
                    signal: starts[l + 1] + j,
                    input: (c < layer.inputs).then_some(starts[l] + c),
                    reach,
                });
            }
        }
    }
    seeds
}

/// Adds to `block` (the outputs of elements `first..first + block.len()`, one output whose
/// backward signal `nodes` holds) the seeded weights' and the moving inputs' tangents,
/// each scaled by its partial derivative. The value parts are left for the caller to set.
fn add_tangents<S: Scalar>(
    block: &mut [S],
    nodes: &Nodes,
    seeds: &[Seed<S>],
    columns: &[Feature<'_, S>],
    first: usize,
    values_move: bool,
) {
    let len = block.len();
    let mut partial = [0.0; BLOCK];
    for seed in seeds {
        let signal = Nodes::row(&nodes.signal, seed.signal);
        match seed.input {
            Some(n) => {
                let x = Nodes::row(&nodes.value, n);
                for ((p, &s), &x) in partial.iter_mut().zip(signal).zip(x) {
                    *p = s * x;
                }
            }
            None => partial.copy_from_slice(signal),
        }
        match seed.reach {
            Reach::Lane(lane, e) => {
                for (d, &g) in block.iter_mut().zip(&partial[..len]) {
                    d.set_tangent(lane, d.tangent(lane) + g * e);
                }
            }
            Reach::Dense(w) => {
                for (d, &g) in block.iter_mut().zip(&partial[..len]) {
                    *d = d.add_scaled(g, w);
                }
            }
        }
    }
    if values_move {
        for (k, feature) in columns.iter().enumerate() {
            if let Column::Values(x) = feature.column() {
                let signal = Nodes::row(&nodes.signal, k);
                for ((d, &g), &x) in block.iter_mut().zip(signal).zip(&x[first..]) {
                    *d = d.add_scaled(g, x);
                }
            }
        }
    }
}

/// Adds `Σₒ Σᵢ gₒᵢ · ∂outₒᵢ/∂wₖ` into `dw[k]` for every weight `k` of a network: the
/// weights' gradient of a sum whose derivative in output `o` of element `i` is
/// `g[o · rows + i]` (a projected network, [`crate::gradient::projection`]). Element `i`'s
/// input `c` is `inputs[c · rows + i]`. One `f64` forward and backward pass per block of
/// elements: the backward pass is linear in the outputs' signals, so starting it from
/// `gₒᵢ · slopeₒᵢ` at every output gives each weight's sum as one product of its unit's
/// signal and its input.
pub(crate) fn add_weight_gradient(
    layers: &[Dense],
    weights: &[f64],
    inputs: &[f64],
    g: &[f64],
    dw: &mut [f64],
) {
    let outputs = layers[layers.len() - 1].outputs;
    let rows = g.len() / outputs.max(1);
    let mut nodes = Nodes::new(layers);
    let top = nodes.starts[layers.len()];
    // Per weight and position in the block, summed over blocks: every step is a loop over
    // the block that vectorizes, and the positions are added up once at the end.
    let mut sums = buffer(dw.len() * BLOCK);
    sums.resize(dw.len() * BLOCK, 0.0);
    for first in (0..rows).step_by(BLOCK) {
        let len = BLOCK.min(rows - first);
        nodes.load_stored(inputs, layers[0].inputs, rows, first);
        nodes.forward(layers, weights, true);
        for o in 0..outputs {
            let g = &g[o * rows + first..][..len];
            let slope = Nodes::row(&nodes.slope, top + o);
            let signal = &mut nodes.signal[(top + o) * BLOCK..(top + o + 1) * BLOCK];
            for ((s, &d), &gi) in signal.iter_mut().zip(slope).zip(g) {
                *s = d * gi;
            }
            signal[len..].fill(0.0);
        }
        nodes.propagate(layers, weights, 0..outputs, false);
        let mut k = 0;
        for (l, layer) in layers.iter().enumerate() {
            for j in 0..layer.outputs {
                let signal = Nodes::row(&nodes.signal, nodes.starts[l + 1] + j);
                for c in 0..layer.inputs {
                    let x = Nodes::row(&nodes.value, nodes.starts[l] + c);
                    simd::add_products(Nodes::row_mut(&mut sums, k), signal, x);
                    k += 1;
                }
                let sum = Nodes::row_mut(&mut sums, k);
                sum.iter_mut().zip(signal).for_each(|(a, s)| *a += s);
                k += 1;
            }
        }
    }
    for (d, sum) in dw.iter_mut().zip(sums.chunks_exact(BLOCK)) {
        *d += sum.iter().sum::<f64>();
    }
    recycle(sums);
    nodes.recycle();
}

/// The `f64` values of `columns` (each `len` long), column after column, into `out`: what
/// [`add_weight_gradient`] reads as its inputs.
pub(crate) fn store_inputs<S: Scalar>(columns: &[Feature<'_, S>], len: usize, out: &mut Vec<f64>) {
    out.clear();
    for feature in columns {
        match feature.column() {
            Column::Data(x) => out.extend_from_slice(&x[..len]),
            Column::Values(x) => out.extend(x[..len].iter().map(Scalar::re)),
        }
    }
}
