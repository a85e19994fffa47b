//! One chain from start to finish: initialization, windowed warm-up, then sampling.

use nalgebra::DMatrix;
use rand::Rng;
use std::sync::atomic::Ordering;

use crate::adapt::find_initial_step_size;
use crate::density::LogDensity;
use crate::error::SampleError;
use crate::init::{fatal_error, initial_point};
use crate::nuts::{
    BufferPool, Divergence, DivergenceLog, Hamiltonian, Metric, PhasePoint, TransitionSettings,
    TransitionStats, transition,
};
use crate::options::NutsOptions;
use crate::progress::ChainProgress;
use crate::results::{ChainOutput, ChainTiming, GradientEvals, WarmupResult, e_bfmi};
use crate::rng::chain_rng;
use crate::run::validate;
use crate::warmup::warm_up;

/// Consecutive transitions rejected for a panic after which a chain gives up: the model
/// panics everywhere near its current point, so the chain cannot move.
const PANIC_LIMIT: usize = 100;

/// The moving parts of a chain between transitions.
pub(crate) struct ChainState<'p> {
    pub(crate) chain: usize,
    pub(crate) point: PhasePoint,
    pub(crate) metric: Metric,
    /// Spare buffers for the points of trajectories, kept across transitions so that
    /// sampling stops allocating once the trees stop getting deeper.
    pub(crate) pool: BufferPool,
    pub(crate) step_size: f64,
    pub(crate) gradient_evals: u64,
    /// This chain's counters for the progress display.
    pub(crate) progress: &'p ChainProgress,
    /// The first message of each kind of divergence.
    pub(crate) divergences: DivergenceLog,
    /// Transitions in a row that ended in a panic.
    pub(crate) panics_in_a_row: usize,
}

impl ChainState<'_> {
    /// One NUTS transition from the current point.
    pub(crate) fn advance<D, R>(
        &mut self,
        density: &mut D,
        options: &NutsOptions,
        rng: &mut R,
    ) -> Result<TransitionStats, SampleError<D::Error>>
    where
        D: LogDensity + ?Sized,
        R: Rng + ?Sized,
    {
        let settings = TransitionSettings {
            step_size: self.step_size,
            max_depth: options.max_depth,
            max_energy_error: options.max_energy_error,
        };
        self.progress.done.fetch_add(1, Ordering::Relaxed);
        let mut hamiltonian =
            Hamiltonian::new(density, &self.metric, &mut self.pool).with_log(&mut self.divergences);
        let start = hamiltonian.pool.copy_point(&self.point);
        let result = transition(&mut hamiltonian, start, &settings, rng);
        self.gradient_evals += hamiltonian.gradient_evals;
        let (point, stats) = result.map_err(|error| fatal_error(self.chain, error))?;
        let previous = std::mem::replace(&mut self.point, point);
        self.pool.give_point(previous);
        self.count_panics(&stats)?;
        Ok(stats)
    }

    /// Stops the chain once [`PANIC_LIMIT`] transitions in a row ended in a panic.
    fn count_panics<E>(&mut self, stats: &TransitionStats) -> Result<(), SampleError<E>> {
        match stats.divergence {
            Some(Divergence::Panic) => self.panics_in_a_row += 1,
            _ => self.panics_in_a_row = 0,
        }
        if self.panics_in_a_row < PANIC_LIMIT {
            return Ok(());
        }
        let message = self
            .divergences
            .message(Divergence::Panic)
            .unwrap_or_default();
        Err(SampleError::Panic {
            chain: self.chain,
            message: format!("{PANIC_LIMIT} transitions in a row were rejected: {message}"),
        })
    }

    /// Stan's step-size heuristic from the current step size and point.
    pub(crate) fn retune_step_size<D, R>(
        &mut self,
        density: &mut D,
        rng: &mut R,
    ) -> Result<(), SampleError<D::Error>>
    where
        D: LogDensity + ?Sized,
        R: Rng + ?Sized,
    {
        let mut hamiltonian = Hamiltonian::new(density, &self.metric, &mut self.pool);
        let result = find_initial_step_size(&mut hamiltonian, &self.point, self.step_size, rng);
        self.gradient_evals += hamiltonian.gradient_evals;
        self.step_size = result.map_err(|error| fatal_error(self.chain, error))?;
        Ok(())
    }
}

/// Runs chain number `chain` of a run with `options`, using only that chain's RNG stream.
///
/// This is what the multi-chain runner calls for each chain, so a chain run alone here is
/// bitwise identical to the same chain inside [`crate::sample`].
pub fn run_chain<D: LogDensity + ?Sized>(
    density: &mut D,
    options: &NutsOptions,
    chain: usize,
) -> Result<ChainOutput, SampleError<D::Error>> {
    validate(options, density.dim())?;
    if chain >= options.num_chains {
        return Err(SampleError::InvalidOption {
            field: "chain",
            value: chain.to_string(),
            valid: format!("below num_chains ({})", options.num_chains),
        });
    }
    run_validated_chain(density, options, chain, &ChainProgress::default())
}

/// [`run_chain`] for options already checked by [`validate`].
pub(crate) fn run_validated_chain<D: LogDensity + ?Sized>(
    density: &mut D,
    options: &NutsOptions,
    chain: usize,
    progress: &ChainProgress,
) -> Result<ChainOutput, SampleError<D::Error>> {
    let mut rng = chain_rng(options.seed, chain);
    let (point, init_evals) = initial_point(density, &options.init, chain, &mut rng);
    let dim = density.dim();
    let mut state = ChainState {
        chain,
        divergences: DivergenceLog::default(),
        panics_in_a_row: 0,
        point: point?,
        metric: Metric::unit_diagonal(dim),
        pool: BufferPool::new(),
        step_size: options.initial_step_size,
        gradient_evals: init_evals,
        progress,
    };
    let started = std::time::Instant::now();
    let warmup_stats = warm_up(&mut state, density, options, &mut rng)?;
    let warmup_seconds = started.elapsed().as_secs_f64();
    let warmup_evals = state.gradient_evals;
    let mut draws = DMatrix::zeros(options.num_draws, dim);
    let mut stats = Vec::with_capacity(options.num_draws);
    for draw in 0..options.num_draws {
        let transition = state.advance(density, options, &mut rng)?;
        if transition.divergent() {
            progress.divergent.fetch_add(1, Ordering::Relaxed);
        }
        stats.push(transition);
        draws.row_mut(draw).copy_from_slice(&state.point.position);
    }
    let timing = ChainTiming {
        warmup_seconds,
        sampling_seconds: started.elapsed().as_secs_f64() - warmup_seconds,
    };
    Ok(ChainOutput {
        chain,
        timing,
        num_divergent: stats.iter().filter(|s| s.divergent()).count(),
        num_max_depth: stats
            .iter()
            .filter(|s| s.tree_depth >= options.max_depth)
            .count(),
        e_bfmi: e_bfmi(&stats),
        gradient_evals: GradientEvals {
            warmup: warmup_evals,
            sampling: state.gradient_evals - warmup_evals,
        },
        warmup: WarmupResult {
            step_size: state.step_size,
            metric: state.metric.clone(),
        },
        draws,
        stats,
        warmup_stats,
        divergence_log: state.divergences,
    })
}
