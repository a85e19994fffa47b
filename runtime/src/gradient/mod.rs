//! The derivative engine: how a scenario's log-density is differentiated.
//!
//! A [`Scenario`](crate::Scenario) says *what* is evaluated (conditions, interventions,
//! layout); this module says *how* it is differentiated, in forward mode with the dense dual
//! [`Dual`](crate::scalar::Dual):
//!
//! - **Global parameters** get a tangent lane each, in chunks of up to 56 lanes (every chunk
//!   re-runs the model).
//! - **Local latents** (one value per element of a plate, such as a per-unit confounder)
//!   share one lane per site: the plate's conditional independence means element `i` of the
//!   site enters only element `i`'s terms, so every plate sum reads each element's
//!   derivative off the shared lane before summing ([`local`]); families run their
//!   per-element loops with the common readers hoisted into locals ([`hoisted`]). A gradient then costs
//!   O(N · (G + K)) for N units, G globals and K local sites, instead of O(N · (G + K·N)).
//!   Their elements are seeded as the model reaches the site, straight from the `f64`
//!   point (no seeded copy of the N local coordinates is written first).
//! - **Data-matrix products** `X · β` with a local coefficient vector `β` are differentiated
//!   through `Xᵀ g` (module `projection`): `β` keeps one lane whatever its length. So are
//!   networks whose weights are such a vector, through a backward pass per
//!   element.
//! - **Mixing is never silent.** A model that combines a local latent's elements across its
//!   plate (a sum over units, a shifted index) breaks that premise. Two guards catch it: a
//!   term that is not read off per element but still carries a shared lane (found at every
//!   evaluation), and, when the engine is built, a directional-derivative check of the
//!   plate-local gradient against one forward pass along random directions (found whatever
//!   the model computes). Either switches the engine to the dense chunked path, and
//!   [`Gradient::mode`] says why.
//! - **Large plates in blocks.** On request ([`Gradient::in_blocks`], an SVI step's), a
//!   plate declared `plate!(n, subsample = b)` (its data go through `subsample!`) of at
//!   least two blocks is evaluated [`BLOCK_ELEMENTS`] elements at a time, so that each
//!   pass's vectors of duals stay in the core's cache, and the blocks may run on several
//!   threads; their sum is the whole log-density and gradient, added in block order.

mod blocks;
mod engine;
pub(crate) mod gathers;
pub mod hoisted;
pub mod local;
mod plan;
pub(crate) mod projection;
mod threads;

pub use blocks::BLOCK_ELEMENTS;
pub use engine::{Gradient, GradientMode};
pub use hoisted::{Hoisted, OneGathered, OneLane, PlateLoop, run_hoisted};
pub use local::{
    DataMatrices, GatheredLane, LocalLane, LocalTangents, NoLocals, PlateReads, ReadOff, Weighted,
};
pub use plan::{LanePlan, MIN_PROJECTED_LEN, PlateLanes};
pub use threads::{BlockThreads, ThreadChoice};
