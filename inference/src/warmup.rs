//! Warm-up of one chain: the step size by dual averaging, the metric by Stan's windowed
//! variance of the draws or by nutpie's draws-and-gradients estimate.

use rand::Rng;

use crate::adapt::{
    DualAveraging, FisherEstimator, FisherSchedule, LowRankEstimator, MetricEstimator,
    WarmupSchedule, initial_fisher_metric,
};
use crate::chain::ChainState;
use crate::density::LogDensity;
use crate::error::SampleError;
use crate::nuts::{Metric, TransitionStats};
use crate::options::{FisherWindows, LowRankOptions, MetricAdaptation, NutsOptions, WarmupWindows};

/// Where a gradient-based metric is estimated from.
enum GradientEstimate {
    Diagonal(FisherEstimator),
    LowRank(LowRankEstimator, LowRankOptions),
}

impl GradientEstimate {
    fn add(&mut self, draw: &[f64], gradient: &[f64]) {
        match self {
            GradientEstimate::Diagonal(e) => e.add(draw, gradient),
            GradientEstimate::LowRank(e, _) => e.add(draw, gradient),
        }
    }

    fn counts(&self) -> (usize, usize) {
        match self {
            GradientEstimate::Diagonal(e) => (e.foreground_count(), e.background_count()),
            GradientEstimate::LowRank(e, _) => (e.foreground_count(), e.background_count()),
        }
    }

    fn switch(&mut self) {
        match self {
            GradientEstimate::Diagonal(e) => e.switch(),
            GradientEstimate::LowRank(e, _) => e.switch(),
        }
    }

    /// Re-estimates `metric` in place; returns whether it changed.
    fn update(&self, metric: &mut Metric) -> bool {
        match (self, metric) {
            (GradientEstimate::Diagonal(e), Metric::Diagonal(variances)) => e.update(variances),
            (GradientEstimate::LowRank(e, options), metric) => match e.metric(options) {
                Some(estimate) => {
                    *metric = estimate;
                    true
                }
                None => false,
            },
            // The diagonal estimate always runs on a diagonal metric (set up by `warm_up`).
            (GradientEstimate::Diagonal(_), _) => false,
        }
    }
}

/// Runs the warm-up `options` ask for; leaves the adapted step size and metric in `state`.
pub(crate) fn warm_up<D, R>(
    state: &mut ChainState,
    density: &mut D,
    options: &NutsOptions,
    rng: &mut R,
) -> Result<Vec<TransitionStats>, SampleError<D::Error>>
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    let warm = options.warm_start.as_ref().map(|start| {
        let previous = &start.chains[state.chain % start.chains.len()];
        (previous.step_size, previous.metric.clone())
    });
    let is_warm = warm.is_some();
    if let Some((step_size, metric)) = warm {
        state.step_size = step_size;
        state.metric = metric;
    }
    let dim = state.point.position.len();
    let diagonal_only;
    let metric = match &options.metric {
        // Past `max_dim` the low-rank update costs more than it saves (see its docs).
        MetricAdaptation::LowRank(low_rank) if dim > low_rank.max_dim => {
            diagonal_only = MetricAdaptation::Fisher(low_rank.windows);
            &diagonal_only
        }
        metric => metric,
    };
    match metric {
        MetricAdaptation::Identity => {
            if !is_warm {
                state.metric = Metric::unit_diagonal(dim);
            }
            stan_warm_up(state, density, options, None, rng)
        }
        MetricAdaptation::Stan { dense, windows } => {
            if !is_warm && *dense {
                state.metric = Metric::unit_dense(dim);
            }
            stan_warm_up(state, density, options, Some((*dense, windows)), rng)
        }
        MetricAdaptation::Fisher(windows) => {
            state.metric = if is_warm {
                Metric::Diagonal(state.metric.diagonal())
            } else {
                initial_fisher_metric(&state.point.grad)
            };
            let estimate = GradientEstimate::Diagonal(FisherEstimator::new(dim));
            gradient_warm_up(state, density, options, (windows, estimate), is_warm, rng)
        }
        MetricAdaptation::LowRank(low_rank) => {
            if !is_warm {
                state.metric = initial_fisher_metric(&state.point.grad);
            }
            let estimate = GradientEstimate::LowRank(LowRankEstimator::default(), *low_rank);
            let plan = (&low_rank.windows, estimate);
            gradient_warm_up(state, density, options, plan, is_warm, rng)
        }
    }
}

/// Whether a warm-up draw may feed the metric (nuts-rs): not the trajectory's start (the
/// chain did not move), and after a divergence only if it lies more than four leapfrog
/// steps from the start.
fn informative(stats: &TransitionStats) -> bool {
    let steps = stats.index_in_trajectory.unsigned_abs();
    steps > 0 && (!stats.divergent() || steps > 4)
}

/// nutpie's warm-up: the metric from the draws and gradients since the second-to-last window
/// switch, updated after every draw (low-rank: every `update_every` draws and at switches);
/// the step size searched at the start and once more after the first metric update, then
/// dual-averaged without restarts.
fn gradient_warm_up<D, R>(
    state: &mut ChainState,
    density: &mut D,
    options: &NutsOptions,
    (windows, mut estimate): (&FisherWindows, GradientEstimate),
    is_warm: bool,
    rng: &mut R,
) -> Result<Vec<TransitionStats>, SampleError<D::Error>>
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    let mut schedule = FisherSchedule::new(options.num_warmup, windows);
    if is_warm {
        schedule = schedule.late_only();
    } else {
        estimate.add(&state.point.position, &state.point.grad);
        if options.adapt_step_size {
            state.retune_step_size(density, rng)?;
        }
    }
    let update_every = match &estimate {
        GradientEstimate::Diagonal(_) => 1,
        GradientEstimate::LowRank(_, low_rank) => low_rank.update_every.max(1),
    };
    let mut step = DualAveraging::new(
        options.dual_averaging,
        options.target_accept,
        state.step_size,
    );
    let mut metric_moved = is_warm;
    let mut stats = Vec::with_capacity(options.num_warmup);
    for iteration in 0..options.num_warmup {
        let transition = state.advance(density, options, rng)?;
        stats.push(transition);
        if options.adapt_step_size {
            state.step_size = step.update(transition.accept_stat);
        }
        if !schedule.adapts_metric(iteration) {
            continue;
        }
        if informative(&transition) {
            estimate.add(&state.point.position, &state.point.grad);
        }
        let switched = schedule.switch_after(iteration, estimate.counts().1);
        if switched {
            estimate.switch();
        }
        let due = switched || !metric_moved || (iteration + 1) % update_every == 0;
        if !due || estimate.counts().0 < schedule.min_foreground() {
            continue;
        }
        let moved = estimate.update(&mut state.metric);
        if moved && !metric_moved {
            metric_moved = true;
            if options.adapt_step_size {
                state.retune_step_size(density, rng)?;
                step.restart(state.step_size);
            }
        }
    }
    if options.adapt_step_size && options.num_warmup > 0 {
        state.step_size = step.final_step_size();
    }
    Ok(stats)
}

/// Stan's windowed adaptation (or the step size alone, when `metric` is `None`).
fn stan_warm_up<D, R>(
    state: &mut ChainState,
    density: &mut D,
    options: &NutsOptions,
    metric: Option<(bool, &WarmupWindows)>,
    rng: &mut R,
) -> Result<Vec<TransitionStats>, SampleError<D::Error>>
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    if options.adapt_step_size && options.warm_start.is_none() {
        state.retune_step_size(density, rng)?;
    }
    let mut dual_averaging = DualAveraging::new(
        options.dual_averaging,
        options.target_accept,
        state.step_size,
    );
    let dim = state.point.position.len();
    let mut windows = metric.map(|(dense, windows)| {
        let schedule = WarmupSchedule::new(options.num_warmup, windows);
        (schedule, MetricEstimator::new(dim, dense))
    });
    let mut stats = Vec::with_capacity(options.num_warmup);
    for iteration in 0..options.num_warmup {
        let transition_stats = state.advance(density, options, rng)?;
        stats.push(transition_stats);
        if options.adapt_step_size {
            state.step_size = dual_averaging.update(transition_stats.accept_stat);
        }
        let Some((schedule, estimator)) = windows.as_mut() else {
            continue;
        };
        if !schedule.collects(iteration) {
            continue;
        }
        estimator.add(&state.point.position);
        if schedule.ends_window(iteration) {
            // A degenerate estimate (e.g. a chain stuck by divergences) keeps the old metric.
            if let Some(metric) = estimator.regularized_metric() {
                state.metric = metric;
            }
            estimator.reset();
            if options.adapt_step_size {
                state.retune_step_size(density, rng)?;
                dual_averaging.restart(state.step_size);
            }
        }
    }
    if options.adapt_step_size && options.num_warmup > 0 {
        state.step_size = dual_averaging.final_step_size();
    }
    Ok(stats)
}
