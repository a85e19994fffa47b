//! Step-size adaptation: the initial-step heuristic and Nesterov dual averaging.

use rand::Rng;

use crate::density::LogDensity;
use crate::nuts::{Hamiltonian, PhasePoint};
use crate::options::DualAveragingOptions;

/// Dual averaging of `log ε` towards a target mean acceptance statistic.
///
/// Hoffman & Gelman (2014), "The No-U-Turn Sampler", JMLR 15, Algorithm 5 / §3.2.1, in
/// Stan's form (the iterate `x` is used during warm-up, its weighted average `x̄` after).
#[derive(Debug, Clone)]
pub struct DualAveraging {
    options: DualAveragingOptions,
    target_accept: f64,
    /// Shrinkage point `μ = ln(10 ε₀)`: favours steps larger than the heuristic's.
    mu: f64,
    counter: f64,
    mean_error: f64,
    averaged_log_step: f64,
}

impl DualAveraging {
    /// Starts averaging around `initial_step_size`.
    pub fn new(options: DualAveragingOptions, target_accept: f64, initial_step_size: f64) -> Self {
        DualAveraging {
            options,
            target_accept,
            mu: (10.0 * initial_step_size).ln(),
            counter: 0.0,
            mean_error: 0.0,
            averaged_log_step: 0.0,
        }
    }

    /// Forgets the history and shrinks towards `ln(10 ε)` (after a metric update).
    pub fn restart(&mut self, step_size: f64) {
        *self = DualAveraging::new(self.options, self.target_accept, step_size);
    }

    /// Feeds one transition's acceptance statistic; returns the next step size.
    pub fn update(&mut self, accept_stat: f64) -> f64 {
        let DualAveragingOptions { gamma, t0, kappa } = self.options;
        self.counter += 1.0;
        let accept_stat = accept_stat.min(1.0);
        let eta = 1.0 / (self.counter + t0);
        self.mean_error = (1.0 - eta) * self.mean_error + eta * (self.target_accept - accept_stat);
        let log_step = self.mu - self.mean_error * self.counter.sqrt() / gamma;
        let weight = self.counter.powf(-kappa);
        self.averaged_log_step = (1.0 - weight) * self.averaged_log_step + weight * log_step;
        log_step.exp()
    }

    /// The step size to sample with after warm-up: `exp(x̄)`.
    pub fn final_step_size(&self) -> f64 {
        self.averaged_log_step.exp()
    }
}

/// Largest number of doublings or halvings the heuristic tries before settling.
const MAX_STEP_SEARCH: usize = 60;

/// Stan's initial step-size heuristic (Hoffman & Gelman 2014, Algorithm 4): double or halve
/// `ε` until the one-step acceptance `exp(H0 − H)` crosses 0.8.
///
/// Unlike Stan it never fails on its own: at the search limit, or outside `(0, 1e7]`, it
/// returns the last step size and lets divergences report the problem. `Err` is a fatal
/// error of the density.
pub fn find_initial_step_size<D, R>(
    hamiltonian: &mut Hamiltonian<'_, D>,
    point: &PhasePoint,
    initial: f64,
    rng: &mut R,
) -> Result<f64, D::Error>
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    if !(initial > 0.0 && initial <= 1e7) {
        return Ok(initial);
    }
    let log_threshold = 0.8f64.ln();
    let mut step = initial;
    let grow = one_step_log_accept(hamiltonian, point, step, rng)? > log_threshold;
    for _ in 0..MAX_STEP_SEARCH {
        let log_accept = one_step_log_accept(hamiltonian, point, step, rng)?;
        // `log_accept` is never NaN (mapped to −∞), so plain comparisons are exact here.
        let crossed = if grow {
            log_accept <= log_threshold
        } else {
            log_accept >= log_threshold
        };
        if crossed {
            break;
        }
        let next = if grow { 2.0 * step } else { 0.5 * step };
        if !(next > 0.0 && next <= 1e7) {
            break;
        }
        step = next;
    }
    Ok(step)
}

/// `H0 − H` after one leapfrog step from `point` with a fresh momentum (`−∞` if invalid).
fn one_step_log_accept<D, R>(
    hamiltonian: &mut Hamiltonian<'_, D>,
    point: &PhasePoint,
    step: f64,
    rng: &mut R,
) -> Result<f64, D::Error>
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    let mut trial = hamiltonian.pool.copy_point(point);
    hamiltonian.metric.sample_momentum(rng, &mut trial.momentum);
    hamiltonian.refresh_velocity(&mut trial);
    let initial_energy = trial.energy();
    let log_accept = match hamiltonian.leapfrog(&mut trial, step) {
        Ok(()) => initial_energy - trial.energy(),
        Err(error) => error.recoverable().map(|_| f64::NEG_INFINITY)?,
    };
    hamiltonian.pool.give_point(trial);
    Ok(if log_accept.is_nan() {
        f64::NEG_INFINITY
    } else {
        log_accept
    })
}
