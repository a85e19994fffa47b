//! Phase-space points and the leapfrog integrator of Euclidean Hamiltonian dynamics.

use super::metric::Metric;
use super::pool::BufferPool;
use crate::density::{LogDensity, LogpError, checked_logp_grad};

/// A point in phase space together with the quantities the sampler reuses.
#[derive(Debug, Clone, PartialEq)]
pub struct PhasePoint {
    /// Position `q` (unconstrained parameters).
    pub position: Vec<f64>,
    /// Momentum `p`.
    pub momentum: Vec<f64>,
    /// Velocity `M⁻¹ p`, kept in step with `momentum`.
    pub velocity: Vec<f64>,
    /// Gradient of the log density at `position`.
    pub grad: Vec<f64>,
    /// Log density at `position`.
    pub logp: f64,
}

impl PhasePoint {
    /// Evaluates the density at `position`; momentum and velocity start at zero.
    pub fn new<D: LogDensity + ?Sized>(
        density: &mut D,
        position: Vec<f64>,
    ) -> Result<Self, LogpError<D::Error>> {
        let dim = position.len();
        let mut grad = vec![0.0; dim];
        let logp = checked_logp_grad(density, &position, &mut grad)?;
        Ok(PhasePoint {
            position,
            momentum: vec![0.0; dim],
            velocity: vec![0.0; dim],
            grad,
            logp,
        })
    }

    /// The Hamiltonian `H = −log p(q) + ½ pᵀ M⁻¹ p`.
    pub fn energy(&self) -> f64 {
        -self.logp + Metric::kinetic_energy(&self.momentum, &self.velocity)
    }
}

/// The dynamics: a density, a metric, spare buffers for copies of points, and a count of
/// gradient evaluations.
pub struct Hamiltonian<'a, D: ?Sized> {
    /// The target density.
    pub density: &'a mut D,
    /// The kinetic-energy metric.
    pub metric: &'a Metric,
    /// The chain's spare buffers: trajectories copy points into these instead of allocating.
    pub pool: &'a mut BufferPool,
    /// Gradient evaluations made through this Hamiltonian so far.
    pub gradient_evals: u64,
    /// Where trajectories note the first message of each kind of divergence, if anywhere.
    pub divergences: Option<&'a mut super::DivergenceLog>,
}

impl<'a, D: LogDensity + ?Sized> Hamiltonian<'a, D> {
    /// Wraps a density, a metric and the chain's buffer pool.
    pub fn new(density: &'a mut D, metric: &'a Metric, pool: &'a mut BufferPool) -> Self {
        Hamiltonian {
            density,
            metric,
            pool,
            gradient_evals: 0,
            divergences: None,
        }
    }

    /// The same, noting divergence messages in `log`.
    pub fn with_log(mut self, log: &'a mut super::DivergenceLog) -> Self {
        self.divergences = Some(log);
        self
    }

    /// Recomputes the velocity after the momentum was set.
    pub fn refresh_velocity(&self, point: &mut PhasePoint) {
        self.metric.velocity(&point.momentum, &mut point.velocity);
    }

    /// One leapfrog (Störmer–Verlet) step of signed size `step`.
    ///
    /// On error the point is left half-updated; callers treat a recoverable error as a
    /// divergence and stop using the point.
    pub fn leapfrog(
        &mut self,
        point: &mut PhasePoint,
        step: f64,
    ) -> Result<(), LogpError<D::Error>> {
        let half_step = 0.5 * step;
        for (p, g) in point.momentum.iter_mut().zip(&point.grad) {
            *p += half_step * g;
        }
        self.metric.velocity(&point.momentum, &mut point.velocity);
        for (q, v) in point.position.iter_mut().zip(&point.velocity) {
            *q += step * v;
        }
        self.gradient_evals += 1;
        point.logp = checked_logp_grad(self.density, &point.position, &mut point.grad)?;
        for (p, g) in point.momentum.iter_mut().zip(&point.grad) {
            *p += half_step * g;
        }
        self.metric.velocity(&point.momentum, &mut point.velocity);
        Ok(())
    }
}
