//! Products `X · β` of a data matrix and a local coefficient vector, differentiated through
//! `Xᵀ g` instead of one tangent lane per coefficient (DESIGN.md §6).
//!
//! A coefficient vector `β` on its own plate (`sample!(Normal::new(0.0, 1.0), plate!(k))`)
//! is a local latent: its elements share one lane `L`. The product `η = X · β` sums over
//! that plate, so `L` would leak into every row. Instead, while the engine's read-off pass
//! runs, the product is *projected*: `ηᵢ` gets its value and derivative 1 in lane `L`
//! ("∂/∂ηᵢ"), and the product is registered. A plate sum over the rows then reads each
//! element's lane `L` into `gᵢ = ∂ℓᵢ/∂ηᵢ`, and at the end of the sum adds
//! `∂ℓ/∂βⱼ = Σᵢ Xᵢⱼ gᵢ` (times `∂βⱼ/∂uⱼ`) into the gradient. The model then needs one lane for
//! `β` whatever its length: a logistic regression with 50 coefficients runs at the width of
//! its intercept plus one.
//!
//! A network whose weights are such a site (`net.output(w.as_slice(), ..)`
//! with `w` on a plate of its own) is projected the same way: its outputs get `1` in `w`'s
//! lane, the sums read `gᵢ` as for a matrix, and once the evaluation is over
//! `Σᵢ gᵢ ∂outᵢ/∂wₖ` is added from one backward pass per element for all of them
//! ([`crate::nn`]'s `add_weight_gradient`) instead of carrying a lane per weight through
//! every term (the CEVAE model's 21 weights: 30 lanes down to 10). A network with several
//! outputs reads each further output's derivative on a lane no coordinate is seeded in
//! during the pass (a *spare* lane; without enough of them the network is not projected).
//!
//! Operators cannot see the engine, so the products of one evaluation are registered in a
//! state the engine lends to the thread for that evaluation ([`Projections::lend`]), like the
//! value buffers of [`crate::value::Workspace`]. Anything the lanes cannot express (β also
//! read elsewhere, two products with one β, a row read by another row's term) leaves the
//! lane leaking or the directional-derivative check failing, and the engine makes β global
//! as before.

use super::local::{DataMatrices, LocalLane};
use crate::loan;
use crate::nn::unitwise;
use crate::nn::{Dense, Feature};
use crate::scalar::Scalar;
use nalgebra::DMatrix;
use std::cell::RefCell;

/// What multiplies the coefficients of a registered product.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum Factor {
    /// Model data argument number `argument` (`X · β`).
    #[default]
    Matrix,
    /// A network whose weights are `β` (the product's `network`).
    Network,
}

/// The most outputs a projected network may have (each takes a lane).
const MAX_PROJECTED_OUTPUTS: usize = 8;

/// The lanes of a projected product's outputs: output `o` in `lanes[o]`, the first being
/// the coefficients' own lane.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct OutputLanes {
    lanes: [usize; MAX_PROJECTED_OUTPUTS],
    len: usize,
}

impl OutputLanes {
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.lanes[..self.len].iter().copied()
    }
}

impl std::ops::Index<usize> for OutputLanes {
    type Output = usize;
    fn index(&self, o: usize) -> &usize {
        &self.lanes[..self.len][o]
    }
}

/// A registered product: whose lane, which data matrix or network, and the per-row
/// derivatives read.
#[derive(Debug, Default)]
pub(crate) struct Product {
    /// Each output's lane, the first being the coefficients' own.
    lanes: OutputLanes,
    /// The rows (elements) of each output.
    rows: usize,
    /// The first gradient coordinate of `β`.
    offset: usize,
    factor: Factor,
    /// Which model data argument `X` is (for [`Factor::Matrix`]).
    argument: usize,
    /// The network, its weights' values and its inputs (for [`Factor::Network`]; kept for
    /// their buffers otherwise).
    network: ProjectedNetwork,
    /// `∂βⱼ/∂uⱼ`, the lane's derivative in each coefficient.
    scale: Vec<f64>,
    /// `∂ℓ/∂ηₒᵢ` read off so far in the current plate sum, output `o` at `o · rows + i`.
    g: Vec<f64>,
    /// Whether `g` holds anything not yet added into the gradient.
    pending: bool,
    /// Whether the current plate sum reads this product (its lane is not one of the plate's
    /// own local lanes).
    readable: bool,
}

/// The local lanes a product may project and the products of the current evaluation.
#[derive(Debug, Default)]
pub struct Projections {
    candidates: Vec<LocalLane>,
    /// Products registered; those past `count` are kept for their buffers.
    products: Vec<Product>,
    count: usize,
    /// Lanes no seeded coordinate uses in this pass: the outputs of a network with several
    /// take them, from `spare_taken` on.
    spare: Vec<usize>,
    spare_taken: usize,
}

/// Projections do not carry over to a clone (one per chain): each registers its own.
impl Clone for Projections {
    fn clone(&self) -> Self {
        Projections::new(self.candidates.clone())
    }
}

thread_local! {
    static LENT: RefCell<Option<Projections>> = const { RefCell::new(None) };
}

impl Projections {
    /// Products of the local sites with `candidates` lanes (ungathered home lanes) may be
    /// projected.
    pub(crate) fn new(candidates: Vec<LocalLane>) -> Self {
        Projections {
            candidates,
            products: Vec::new(),
            count: 0,
            spare: Vec::new(),
            spare_taken: 0,
        }
    }

    /// The lanes no seeded coordinate uses in the next evaluations.
    pub(crate) fn set_spare(&mut self, lanes: std::ops::Range<usize>) {
        self.spare.clear();
        self.spare.extend(lanes);
    }

    /// Runs `f` with products projected on this thread; registrations start afresh.
    pub(crate) fn lend<R>(&mut self, f: impl FnOnce() -> R) -> R {
        if self.candidates.is_empty() {
            return f();
        }
        (self.count, self.spare_taken) = (0, 0);
        loan::lend(&LENT, self, f)
    }

    /// Claims `beta`'s lane (and a spare lane for each output after the first) for a
    /// product of `outputs` outputs over `rows` rows: `None` when `β` is not one local
    /// site's lane alone, that lane already has a product, or the spare lanes run out.
    fn claim<S: Scalar>(
        &mut self,
        beta: &[S],
        (outputs, rows): (usize, usize),
        factor: Factor,
    ) -> Option<&mut Product> {
        let (lane, _) = beta.first()?.single_lane()?;
        let site = *self.candidates.iter().find(|c| c.lane == lane)?;
        let taken = self.products[..self.count]
            .iter()
            .any(|p| p.lanes[0] == lane);
        let spare = self.spare.get(self.spare_taken..)?;
        let fits = (1..=MAX_PROJECTED_OUTPUTS).contains(&outputs) && spare.len() + 1 >= outputs;
        if taken || site.len != beta.len() || !fits {
            return None;
        }
        let mut lanes = OutputLanes {
            len: outputs,
            ..OutputLanes::default()
        };
        lanes.lanes[0] = lane;
        lanes.lanes[1..outputs].copy_from_slice(&spare[..outputs - 1]);
        if self.count == self.products.len() {
            self.products.push(Product::default());
        }
        let product = &mut self.products[self.count];
        product.scale.clear();
        for b in beta {
            match b.single_lane() {
                Some((l, c)) if l == lane => product.scale.push(c),
                _ => return None,
            }
        }
        product.g.clear();
        product.g.resize(rows * outputs, 0.0);
        (product.offset, product.factor) = (site.offset, factor);
        (product.lanes, product.rows, product.pending) = (lanes, rows, false);
        self.count += 1;
        self.spare_taken += outputs - 1;
        Some(product)
    }

    /// `X · β` projected on `β`'s lane, registered; `None` when `β` is not one local site's
    /// lane alone, or that lane already has a product.
    fn project<S: Scalar>(
        &mut self,
        argument: usize,
        x: &DMatrix<f64>,
        beta: &[S],
    ) -> Option<Vec<S>> {
        if x.ncols() != beta.len() {
            return None;
        }
        let product = self.claim(beta, (1, x.nrows()), Factor::Matrix)?;
        product.argument = argument;
        let lane = product.lanes[0];
        // The values in f64, a column at a time (X is column-major).
        let mut eta = crate::value::collect(x.nrows(), std::iter::repeat_n(0.0, x.nrows()));
        let rows = x.nrows();
        for (column, b) in x.as_slice().chunks_exact(rows.max(1)).zip(beta) {
            let bj = b.re();
            eta.iter_mut()
                .zip(column)
                .for_each(|(e, xij)| *e += xij * bj);
        }
        let out = crate::value::collect(eta.len(), eta.iter().map(|&e| S::seeded(e, lane)));
        crate::value::recycle(eta);
        Some(out)
    }

    /// A network over `rows` elements projected on its weights' lane (its first output;
    /// the others on spare lanes), registered with its layers, weights and inputs recorded
    /// for the weights' gradient; the outputs' lanes, or `None` as for
    /// [`Projections::project`].
    fn project_network<S: Scalar>(
        &mut self,
        layers: &[Dense],
        weights: &[S],
        columns: &[Feature<'_, S>],
        rows: usize,
    ) -> Option<OutputLanes> {
        let outputs = layers.last()?.outputs;
        let product = self.claim(weights, (outputs, rows), Factor::Network)?;
        product.network.record(layers, weights, columns, rows);
        Some(product.lanes)
    }

    /// Adds the weights' gradient of every network read since the evaluation started
    /// (`scaleₖ · Σₒ Σᵢ gₒᵢ ∂outₒᵢ/∂wₖ`) into `grad`: called once the evaluation is over.
    pub(crate) fn flush_networks(&mut self, grad: &mut [f64]) {
        for p in &mut self.products[..self.count] {
            if p.factor != Factor::Network || !p.pending {
                continue;
            }
            let grad = &mut grad[p.offset..p.offset + p.scale.len()];
            p.network.add_gradient(&p.g, &p.scale, grad);
            p.g.fill(0.0);
            p.pending = false;
        }
    }

    /// Whether any product is registered.
    pub(crate) fn any(&self) -> bool {
        self.count > 0
    }

    /// Prepares a plate sum whose own local lanes are `home`: products on those lanes are
    /// the plate's own sites, not read as products.
    pub(crate) fn start_sum(&mut self, home: &[LocalLane]) {
        for p in &mut self.products[..self.count] {
            p.readable = !home.iter().any(|l| p.lanes.iter().any(|o| o == l.lane));
        }
    }

    /// Reads element `index`'s derivative in each readable product's output lanes.
    #[inline]
    pub(crate) fn read<S: Scalar>(&mut self, index: usize, term: &S, scale: f64) {
        for p in &mut self.products[..self.count] {
            if p.readable && index < p.rows {
                for (o, lane) in p.lanes.iter().enumerate() {
                    let d = term.tangent(lane);
                    p.g[o * p.rows + index] += scale * d;
                    // Only a sum that depends on the product pays for its `Xᵀ g`.
                    p.pending |= d != 0.0;
                }
            }
        }
    }

    /// Adds `scaleⱼ · Σᵢ Xᵢⱼ gᵢ` of every product read in this plate sum into `grad`, and
    /// clears their lanes from the sum.
    pub(crate) fn finish_sum<S: Scalar>(
        &mut self,
        matrices: &dyn DataMatrices,
        grad: &mut [f64],
        sum: &mut S,
    ) {
        for p in &mut self.products[..self.count] {
            if !p.pending {
                continue;
            }
            // A network's `g` is kept until the evaluation ends
            // ([`Projections::flush_networks`]): one backward pass for every sum that read it.
            if p.factor == Factor::Matrix {
                // A missing matrix leaves the lane in the sum: the engine sees it leak.
                let Some(x) = matrices
                    .matrix(p.argument)
                    .filter(|x| x.nrows() == p.g.len())
                else {
                    continue;
                };
                for (j, column) in x.column_iter().enumerate() {
                    grad[p.offset + j] += p.scale[j] * dot(column.as_slice(), &p.g);
                }
                p.g.fill(0.0);
                p.pending = false;
            }
            for lane in p.lanes.iter() {
                sum.clear_tangent(lane);
            }
        }
    }
}

/// `Σ aᵢ bᵢ` in eight independent partial sums, so that the additions pipeline and
/// vectorize instead of waiting on one another (a single running sum is bound by the
/// latency of one addition per element: measured 4× slower on the logistic model's `Xᵀ g`).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    const LANES: usize = 8;
    let mut partial = [0.0; LANES];
    let (a_blocks, b_blocks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = a_blocks
        .remainder()
        .iter()
        .zip(b_blocks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_blocks.zip(b_blocks) {
        for k in 0..LANES {
            partial[k] += x[k] * y[k];
        }
    }
    partial.iter().sum::<f64>() + tail
}

/// `X · β` projected when the engine lent its projections and `X` is model data argument
/// `argument` ([`crate::value::Data`]); `None` to compute it as usual.
pub(crate) fn project<S: Scalar>(argument: usize, x: &DMatrix<f64>, beta: &[S]) -> Option<Vec<S>> {
    loan::with_lent(&LENT, |p| p.project(argument, x, beta))
}

/// A network's outputs projected on its weights' lane (and spare lanes) when the engine lent
/// its projections and the weights are one local site's lane alone: the outputs' lanes, or
/// `None` to compute the tangents as usual.
pub(crate) fn project_network<S: Scalar>(
    layers: &[Dense],
    weights: &[S],
    columns: &[Feature<'_, S>],
    rows: usize,
) -> Option<OutputLanes> {
    loan::with_lent(&LENT, |p| p.project_network(layers, weights, columns, rows))
}

/// What the weights' gradient of a projected network reads: its layers, the weights'
/// values and every element's inputs, recorded when the network ran.
#[derive(Debug, Default)]
struct ProjectedNetwork {
    layers: Vec<Dense>,
    weights: Vec<f64>,
    /// Element `i`'s input `c` at `c · rows + i`.
    inputs: Vec<f64>,
    /// `Σᵢ gᵢ ∂outᵢ/∂wₖ`, scratch.
    dw: Vec<f64>,
}

impl ProjectedNetwork {
    fn record<S: Scalar>(
        &mut self,
        layers: &[Dense],
        weights: &[S],
        columns: &[Feature<'_, S>],
        rows: usize,
    ) {
        self.layers.clear();
        self.layers.extend_from_slice(layers);
        self.weights.clear();
        self.weights.extend(weights.iter().map(Scalar::re));
        unitwise::store_inputs(columns, rows, &mut self.inputs);
    }

    /// Adds `scaleₖ · Σₒ Σᵢ gₒᵢ ∂outₒᵢ/∂wₖ` into `grad[k]`.
    fn add_gradient(&mut self, g: &[f64], scale: &[f64], grad: &mut [f64]) {
        self.dw.clear();
        self.dw.resize(self.weights.len(), 0.0);
        let (layers, weights) = (&self.layers, &self.weights);
        unitwise::add_weight_gradient(layers, weights, &self.inputs, g, &mut self.dw);
        for ((d, s), w) in grad.iter_mut().zip(scale).zip(&self.dw) {
            *d += s * w;
        }
    }
}

/// The lent projections, taken for the duration of one plate sum (`None` when none are
/// lent or none is registered); give them back with [`put_back`].
pub(crate) fn take() -> Option<Projections> {
    loan::with_lent(&LENT, |p| p.any().then(|| std::mem::take(p)))
}

/// Returns projections taken with [`take`].
pub(crate) fn put_back(projections: Projections) {
    let mut projections = Some(projections);
    loan::with_lent(&LENT, |p| {
        *p = projections.take()?;
        Some(())
    });
}

/// Whether products are registered in the lent projections.
pub(crate) fn registered() -> bool {
    loan::with_lent(&LENT, |p| Some(p.any())).unwrap_or(false)
}
