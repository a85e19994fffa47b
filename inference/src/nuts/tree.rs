//! Recursive tree building with multinomial sampling and the generalized no-U-turn criterion.
//!
//! Follows Betancourt (2017), "A Conceptual Introduction to Hamiltonian Monte Carlo",
//! arXiv:1701.02434, Appendix A, as implemented by Stan: within a subtree a proposal is drawn
//! uniformly in proportion to the multinomial weights `exp(−H)`, and every merge checks the
//! criterion across the merged tree and across the two junctions of its halves.

use rand::{Rng, RngExt};

use super::hamiltonian::{Hamiltonian, PhasePoint};
use super::metric::dot;
use super::pool::BufferPool;
use super::transition::Divergence;
use crate::density::{DensityError, LogDensity, LogpError};

/// Momentum and velocity at one end of a (sub)trajectory, in pooled buffers.
#[derive(Debug)]
pub(crate) struct Edge {
    pub momentum: Vec<f64>,
    pub velocity: Vec<f64>,
}

impl Edge {
    /// The ends of `point`, copied into buffers from `pool`.
    pub fn of(pool: &mut BufferPool, point: &PhasePoint) -> Self {
        Edge {
            momentum: pool.copy_of(&point.momentum),
            velocity: pool.copy_of(&point.velocity),
        }
    }

    /// Returns the buffers to `pool`.
    pub fn give_back(self, pool: &mut BufferPool) {
        pool.give(self.momentum);
        pool.give(self.velocity);
    }
}

/// A finished, valid subtree; its buffers come from, and go back to, the chain's pool.
#[derive(Debug)]
pub(crate) struct Subtree {
    /// The point sampled from this subtree.
    pub proposal: PhasePoint,
    /// Its signed number of leapfrog steps from the transition's start.
    pub proposal_index: i64,
    /// `log Σ exp(H0 − H)` over the subtree's points.
    pub log_sum_weight: f64,
    /// Sum of the momenta of the subtree's points.
    pub rho: Vec<f64>,
    /// The end built first (next to the existing trajectory).
    pub inner: Edge,
    /// The end built last (the new frontier).
    pub outer: Edge,
}

impl Subtree {
    /// Returns all the buffers to `pool`.
    pub fn give_back(self, pool: &mut BufferPool) {
        pool.give_point(self.proposal);
        pool.give(self.rho);
        self.inner.give_back(pool);
        self.outer.give_back(pool);
    }
}

/// State shared by all the recursive calls of one transition.
pub(crate) struct TreeBuilder<'h, 'a, D: ?Sized, R: ?Sized> {
    pub hamiltonian: &'h mut Hamiltonian<'a, D>,
    pub rng: &'h mut R,
    /// Energy of the initial point.
    pub initial_energy: f64,
    /// Signed step size: negative when integrating backward in time.
    pub step: f64,
    /// Energy error above which a step counts as a divergence.
    pub max_energy_error: f64,
    pub n_leapfrog: usize,
    /// Sum over all leapfrog steps of `min(1, exp(H0 − H))`, for step-size adaptation.
    pub sum_accept_prob: f64,
    /// The first divergence's cause, if the transition diverged.
    pub divergence: Option<Divergence>,
    /// Leapfrog steps taken forward and backward in time from the start.
    pub steps_forward: i64,
    pub steps_backward: i64,
}

/// `log(exp(a) + exp(b))` without overflow, with `−∞` as the empty sum.
pub(crate) fn log_sum_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let max = a.max(b);
    max + ((a - max).exp() + (b - max).exp()).ln()
}

/// The generalized no-U-turn criterion: both end velocities point along the summed momentum.
pub(crate) fn no_u_turn(velocity_a: &[f64], velocity_b: &[f64], rho: &[f64]) -> bool {
    dot(velocity_a, rho) > 0.0 && dot(velocity_b, rho) > 0.0
}

/// [`no_u_turn`] with the momentum sum `rho_part + momentum` of a junction.
///
/// The sum goes into a pooled scratch buffer before the dot products: splitting
/// `v·(a + b)` into `v·a + v·b` would avoid the buffer but round differently and change the
/// draws.
pub(crate) fn no_u_turn_across(
    pool: &mut BufferPool,
    velocity_a: &[f64],
    velocity_b: &[f64],
    rho_part: &[f64],
    momentum: &[f64],
) -> bool {
    let rho = pool.sum(rho_part, momentum);
    let no_turn = no_u_turn(velocity_a, velocity_b, &rho);
    pool.give(rho);
    no_turn
}

impl<D: LogDensity + ?Sized, R: Rng + ?Sized> TreeBuilder<'_, '_, D, R> {
    /// Builds a subtree of `2^depth` leapfrog steps starting from (and advancing) `frontier`.
    ///
    /// `Ok(None)` means the subtree is invalid: it diverged or made a U-turn inside, and the
    /// transition must stop extending. `Err` is a fatal density error.
    pub fn build(
        &mut self,
        frontier: &mut PhasePoint,
        depth: usize,
    ) -> Result<Option<Subtree>, D::Error> {
        if depth == 0 {
            return self.leaf(frontier);
        }
        let Some(first) = self.build(frontier, depth - 1)? else {
            return Ok(None);
        };
        let Some(last) = self.build(frontier, depth - 1)? else {
            first.give_back(self.hamiltonian.pool);
            return Ok(None);
        };
        Ok(self.merge(first, last))
    }

    /// Combines two adjacent valid halves, sampling uniformly within the merged subtree.
    fn merge(&mut self, first: Subtree, last: Subtree) -> Option<Subtree> {
        let log_sum_weight = log_sum_exp(first.log_sum_weight, last.log_sum_weight);
        let take_last = self.rng.random::<f64>() < (last.log_sum_weight - log_sum_weight).exp();
        let pool = &mut *self.hamiltonian.pool;
        let rho = pool.sum(&first.rho, &last.rho);
        // Across the whole subtree, then across each junction: Stan's extra checks catch
        // U-turns that only show between the two halves.
        let valid = no_u_turn(&first.inner.velocity, &last.outer.velocity, &rho)
            && no_u_turn_across(
                pool,
                &first.inner.velocity,
                &last.inner.velocity,
                &first.rho,
                &last.inner.momentum,
            )
            && no_u_turn_across(
                pool,
                &first.outer.velocity,
                &last.outer.velocity,
                &last.rho,
                &first.outer.momentum,
            );
        if !valid {
            pool.give(rho);
            first.give_back(pool);
            last.give_back(pool);
            return None;
        }
        let (proposal, proposal_index, unused) = if take_last {
            (last.proposal, last.proposal_index, first.proposal)
        } else {
            (first.proposal, first.proposal_index, last.proposal)
        };
        pool.give_point(unused);
        pool.give(first.rho);
        pool.give(last.rho);
        first.outer.give_back(pool);
        last.inner.give_back(pool);
        Some(Subtree {
            proposal,
            proposal_index,
            log_sum_weight,
            rho,
            inner: first.inner,
            outer: last.outer,
        })
    }

    /// One leapfrog step: a subtree of a single point; a recoverable error is a divergence.
    fn leaf(&mut self, frontier: &mut PhasePoint) -> Result<Option<Subtree>, D::Error> {
        let (energy, cause) = match self.hamiltonian.leapfrog(frontier, self.step) {
            Ok(()) => (frontier.energy(), Divergence::EnergyError),
            Err(error) => {
                let error = error.recoverable()?;
                let cause = cause_of(&error);
                if let Some(log) = self.hamiltonian.divergences.as_deref_mut() {
                    log.record(cause, || crate::ErrorChain(&error).to_string());
                }
                (f64::INFINITY, cause)
            }
        };
        self.n_leapfrog += 1;
        let index = if self.step > 0.0 {
            self.steps_forward += 1;
            self.steps_forward
        } else {
            self.steps_backward += 1;
            -self.steps_backward
        };
        let (energy, cause) = if energy.is_nan() {
            (f64::INFINITY, Divergence::NonFinite)
        } else {
            (energy, cause)
        };
        let log_weight = self.initial_energy - energy;
        self.sum_accept_prob += log_weight.min(0.0).exp();
        if -log_weight > self.max_energy_error {
            self.divergence = self.divergence.or(Some(cause));
            return Ok(None);
        }
        let pool = &mut *self.hamiltonian.pool;
        Ok(Some(Subtree {
            proposal: pool.copy_point(frontier),
            proposal_index: index,
            log_sum_weight: log_weight,
            rho: pool.copy_of(&frontier.momentum),
            inner: Edge::of(pool, frontier),
            outer: Edge::of(pool, frontier),
        }))
    }
}

/// The divergence a recoverable density error stands for.
fn cause_of<E: DensityError>(error: &LogpError<E>) -> Divergence {
    match error {
        LogpError::Density(error) if error.is_panic() => Divergence::Panic,
        LogpError::Density(error) if error.is_non_finite() => Divergence::NonFinite,
        LogpError::Density(error) => Divergence::Density { site: error.site() },
        _ => Divergence::NonFinite,
    }
}
