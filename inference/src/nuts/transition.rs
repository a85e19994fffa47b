//! One NUTS transition: doubling the trajectory in random directions until a U-turn.

use rand::{Rng, RngExt};

use super::hamiltonian::{Hamiltonian, PhasePoint};
use super::pool::BufferPool;
use super::tree::{Edge, Subtree, TreeBuilder, log_sum_exp, no_u_turn, no_u_turn_across};
use crate::density::LogDensity;

/// Settings of a single transition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransitionSettings {
    /// Leapfrog step size (positive).
    pub step_size: f64,
    /// Maximum number of trajectory doublings.
    pub max_depth: usize,
    /// Energy error above which the trajectory counts as divergent (Stan: 1000).
    pub max_energy_error: f64,
}

/// What one transition reports (Stan's `sampler_params`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransitionStats {
    /// Step size used.
    pub step_size: f64,
    /// Number of completed doublings.
    pub tree_depth: usize,
    /// Leapfrog steps taken, including those of a rejected last subtree.
    pub n_leapfrog: usize,
    /// Why the trajectory diverged, if it did.
    pub divergence: Option<Divergence>,
    /// Hamiltonian at the selected point.
    pub energy: f64,
    /// Mean Metropolis acceptance probability over all leapfrog steps (drives adaptation).
    pub accept_stat: f64,
    /// Log density at the selected point.
    pub logp: f64,
    /// Signed leapfrog steps from the start to the selected point (0: the chain stayed).
    pub index_in_trajectory: i64,
}

/// Why a trajectory stopped as divergent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Divergence {
    /// The energy error exceeded `max_energy_error`: the step size could not follow the
    /// posterior's curvature.
    EnergyError,
    /// The log density or its gradient was not finite at a proposed point.
    NonFinite,
    /// The density raised a recoverable error at a proposed point (for a model: a parameter
    /// outside its family's valid range), at `site` when the error names one.
    Density {
        /// The model site.
        site: Option<&'static str>,
    },
    /// The density's code panicked at a proposed point: the point is rejected, as Stan
    /// rejects a point whose model block throws.
    Panic,
}

/// The first message of each kind of divergence a chain met, for the sampler report:
/// "site `y`: … `scale` of Normal is −0.2" rather than the site alone. A message is
/// formatted only the first time its cause appears, so divergent transitions allocate
/// nothing once every cause is known.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DivergenceLog {
    /// Each cause with its first message, in the order met.
    pub messages: Vec<(Divergence, String)>,
}

impl DivergenceLog {
    /// Keeps `message()` for `cause` unless that cause has one already.
    pub fn record(&mut self, cause: Divergence, message: impl FnOnce() -> String) {
        if !self.messages.iter().any(|(c, _)| *c == cause) {
            self.messages.push((cause, message()));
        }
    }

    /// The message kept for `cause`.
    pub fn message(&self, cause: Divergence) -> Option<&str> {
        let found = self.messages.iter().find(|(c, _)| *c == cause);
        found.map(|(_, m)| m.as_str())
    }
}

impl TransitionStats {
    /// Whether the trajectory hit a divergence.
    pub fn divergent(&self) -> bool {
        self.divergence.is_some()
    }
}

/// The current trajectory: its two ends, the momentum sum and the total weight.
struct Trajectory {
    backward_end: PhasePoint,
    forward_end: PhasePoint,
    backward_edge: Edge,
    forward_edge: Edge,
    rho: Vec<f64>,
    log_sum_weight: f64,
}

impl Trajectory {
    /// The trajectory of the single point `start`, in buffers from `pool`.
    fn of(pool: &mut BufferPool, start: &PhasePoint) -> Self {
        Trajectory {
            backward_end: pool.copy_point(start),
            forward_end: pool.copy_point(start),
            backward_edge: Edge::of(pool, start),
            forward_edge: Edge::of(pool, start),
            rho: pool.copy_of(&start.momentum),
            log_sum_weight: 0.0,
        }
    }

    /// Returns all the buffers to `pool`.
    fn give_back(self, pool: &mut BufferPool) {
        pool.give_point(self.backward_end);
        pool.give_point(self.forward_end);
        self.backward_edge.give_back(pool);
        self.forward_edge.give_back(pool);
        pool.give(self.rho);
    }
}

/// Runs one NUTS transition from `start`, whose momentum (and velocity) must already be set.
///
/// Top-level merges use biased progressive sampling (prefer the new subtree with probability
/// `min(1, w_new / w_old)`), as in Stan and Betancourt (2017), arXiv:1701.02434, §A.3.2.
/// Returns the selected point (with the momentum it had on the trajectory) and the stats.
/// Recoverable density errors are divergences; `Err` is a fatal error of the density.
/// Copies of points are made in buffers of `hamiltonian.pool`, and all but the returned point
/// go back to it; give that one back too once it is replaced.
pub fn transition_from<D, R>(
    hamiltonian: &mut Hamiltonian<'_, D>,
    start: PhasePoint,
    settings: &TransitionSettings,
    rng: &mut R,
) -> Result<(PhasePoint, TransitionStats), D::Error>
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    let initial_energy = start.energy();
    let mut trajectory = Trajectory::of(hamiltonian.pool, &start);
    let mut sample = start;
    let mut builder = TreeBuilder {
        hamiltonian,
        rng,
        initial_energy,
        step: settings.step_size,
        max_energy_error: settings.max_energy_error,
        n_leapfrog: 0,
        sum_accept_prob: 0.0,
        divergence: None,
        steps_forward: 0,
        steps_backward: 0,
    };
    let mut sample_index = 0;
    let mut depth = 0;
    while depth < settings.max_depth {
        let forward = builder.rng.random::<f64>() > 0.5;
        let (frontier, step) = if forward {
            (&mut trajectory.forward_end, settings.step_size)
        } else {
            (&mut trajectory.backward_end, -settings.step_size)
        };
        builder.step = step;
        let Some(mut subtree) = builder.build(frontier, depth)? else {
            break;
        };
        depth += 1;
        let log_ratio = subtree.log_sum_weight - trajectory.log_sum_weight;
        if log_ratio > 0.0 || builder.rng.random::<f64>() < log_ratio.exp() {
            // The subtree now holds the old sample, whose buffers `extend` gives back.
            std::mem::swap(&mut sample, &mut subtree.proposal);
            sample_index = subtree.proposal_index;
        }
        if !extend(&mut trajectory, subtree, forward, builder.hamiltonian.pool) {
            break;
        }
    }
    trajectory.give_back(builder.hamiltonian.pool);
    let stats = TransitionStats {
        step_size: settings.step_size,
        tree_depth: depth,
        n_leapfrog: builder.n_leapfrog,
        divergence: builder.divergence,
        energy: sample.energy(),
        accept_stat: builder.sum_accept_prob / builder.n_leapfrog.max(1) as f64,
        logp: sample.logp,
        index_in_trajectory: sample_index,
    };
    Ok((sample, stats))
}

/// Samples a fresh momentum for `start` and runs [`transition_from`].
pub fn transition<D, R>(
    hamiltonian: &mut Hamiltonian<'_, D>,
    mut start: PhasePoint,
    settings: &TransitionSettings,
    rng: &mut R,
) -> Result<(PhasePoint, TransitionStats), D::Error>
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    hamiltonian.metric.sample_momentum(rng, &mut start.momentum);
    hamiltonian.refresh_velocity(&mut start);
    transition_from(hamiltonian, start, settings, rng)
}

/// Merges a valid new subtree into the trajectory; returns whether to keep extending.
///
/// The subtree's buffers that the trajectory does not keep go back to `pool`.
fn extend(
    trajectory: &mut Trajectory,
    subtree: Subtree,
    forward: bool,
    pool: &mut BufferPool,
) -> bool {
    trajectory.log_sum_weight = log_sum_exp(trajectory.log_sum_weight, subtree.log_sum_weight);
    // Name the pieces by time order: the backward part then the forward part.
    let (backward_rho, forward_rho) = if forward {
        (&trajectory.rho, &subtree.rho)
    } else {
        (&subtree.rho, &trajectory.rho)
    };
    let rho = pool.sum(backward_rho, forward_rho);
    let (backward_outer, backward_inner, forward_inner, forward_outer) = if forward {
        (
            &trajectory.backward_edge,
            &trajectory.forward_edge,
            &subtree.inner,
            &subtree.outer,
        )
    } else {
        (
            &subtree.outer,
            &subtree.inner,
            &trajectory.backward_edge,
            &trajectory.forward_edge,
        )
    };
    let keep_going = no_u_turn(&backward_outer.velocity, &forward_outer.velocity, &rho)
        && no_u_turn_across(
            pool,
            &backward_outer.velocity,
            &forward_inner.velocity,
            backward_rho,
            &forward_inner.momentum,
        )
        && no_u_turn_across(
            pool,
            &backward_inner.velocity,
            &forward_outer.velocity,
            forward_rho,
            &backward_inner.momentum,
        );
    pool.give(std::mem::replace(&mut trajectory.rho, rho));
    let old_edge = if forward {
        std::mem::replace(&mut trajectory.forward_edge, subtree.outer)
    } else {
        std::mem::replace(&mut trajectory.backward_edge, subtree.outer)
    };
    old_edge.give_back(pool);
    subtree.inner.give_back(pool);
    pool.give(subtree.rho);
    pool.give_point(subtree.proposal);
    keep_going
}
