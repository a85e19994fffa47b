//! The No-U-Turn Sampler: metric, leapfrog integrator, tree building and transition.

mod hamiltonian;
mod metric;
mod transition;
mod tree;

pub use hamiltonian::{Hamiltonian, PhasePoint};
pub use metric::Metric;
pub use transition::{TransitionSettings, TransitionStats, transition, transition_from};
