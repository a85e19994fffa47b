//! The No-U-Turn Sampler: metric, leapfrog integrator, buffer pool, tree building and transition.

mod hamiltonian;
mod metric;
mod pool;
mod transition;
mod tree;

pub use hamiltonian::{Hamiltonian, PhasePoint};
pub use metric::{LowRankMetric, Metric};
pub use pool::BufferPool;
pub use transition::{
    Divergence, DivergenceLog, TransitionSettings, TransitionStats, transition, transition_from,
};
