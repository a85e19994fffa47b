//! The multi-chain runner: chains in parallel threads with per-chain RNG streams.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::chain::run_validated_chain;
use crate::density::LogDensity;
use crate::error::SampleError;
use crate::options::{FisherWindows, InitStrategy, MetricAdaptation, NutsOptions, WarmStart};
use crate::progress::Progress;
use crate::results::{ChainOutput, SampleOutput};

/// One chain's output or its error.
type ChainResult<E> = Result<ChainOutput, SampleError<E>>;

/// Samples `options.num_chains` NUTS chains from `density`.
///
/// Each chain gets its own clone of the density and its own RNG stream derived from
/// `(options.seed, chain)`, so the draws do not depend on `num_threads`. A chain that fails
/// or panics yields an error in its slot; the others are unaffected. The outer `Err` is only
/// for options that cannot work.
pub fn sample<D>(
    density: &D,
    options: &NutsOptions,
) -> Result<SampleOutput<D::Error>, SampleError<D::Error>>
where
    D: LogDensity + Clone + Send,
{
    validate(options, density.dim())?;
    let _quiet = doppl_runtime::quiet_panic::QuietPanics::new();
    let threads = options
        .num_threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(options.num_chains);
    // Clone on this thread so that `D` needs to be `Send` only, not `Sync`.
    let densities: Vec<Mutex<Option<D>>> = (0..options.num_chains)
        .map(|_| Mutex::new(Some(density.clone())))
        .collect();
    let results: Vec<Mutex<Option<ChainResult<D::Error>>>> =
        (0..options.num_chains).map(|_| Mutex::new(None)).collect();
    let next_chain = AtomicUsize::new(0);
    let progress = Progress::new(options);
    let running_workers = AtomicUsize::new(threads);
    std::thread::scope(|scope| {
        progress.display_in(scope);
        for _ in 0..threads {
            scope.spawn(|| {
                // The last worker out stops the progress display (chains run under
                // `catch_unwind`, so every worker gets here).
                let _stop_display = OnDrop(|| {
                    if running_workers.fetch_sub(1, Ordering::AcqRel) == 1 {
                        progress.finish();
                    }
                });
                loop {
                    let chain = next_chain.fetch_add(1, Ordering::Relaxed);
                    if chain >= options.num_chains {
                        break;
                    }
                    let own_density = lock(&densities[chain]).take();
                    let result = own_density.map_or_else(
                        || unreachable_chain(chain),
                        |mut d| run_guarded(&mut d, options, chain, &progress.chains[chain]),
                    );
                    *lock(&results[chain]) = Some(result);
                }
            });
        }
    });
    let chains = results
        .into_iter()
        .enumerate()
        .map(|(chain, slot)| {
            let slot = slot
                .into_inner()
                .unwrap_or_else(|poison| poison.into_inner());
            slot.unwrap_or_else(|| unreachable_chain(chain))
        })
        .collect();
    Ok(SampleOutput {
        chains,
        max_depth: options.max_depth,
        step_size_adapted: options.adapt_step_size,
    })
}

/// Runs a closure when dropped, even while unwinding.
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

/// Runs a chain, turning a panic into that chain's error.
fn run_guarded<D: LogDensity>(
    density: &mut D,
    options: &NutsOptions,
    chain: usize,
    progress: &crate::progress::ChainProgress,
) -> ChainResult<D::Error> {
    doppl_runtime::quiet_panic::catch_quietly(|| {
        run_validated_chain(density, options, chain, progress)
    })
    .unwrap_or_else(|message| Err(SampleError::Panic { chain, message }))
}

/// Locks a mutex even if another chain panicked while holding it (the data stays valid:
/// every slot is written whole).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// The error for a chain slot that no worker filled; only reachable if a worker died
/// outside `catch_unwind`.
fn unreachable_chain<E>(chain: usize) -> ChainResult<E> {
    Err(SampleError::Panic {
        chain,
        message: "chain was not run".to_string(),
    })
}

/// `Err(InvalidOption)` naming `field` unless `ok`.
fn check<E>(
    ok: bool,
    field: &'static str,
    value: impl std::fmt::Debug,
    valid: &str,
) -> Result<(), SampleError<E>> {
    if ok {
        return Ok(());
    }
    Err(SampleError::InvalidOption {
        field,
        value: format!("{value:?}"),
        valid: valid.to_string(),
    })
}

/// Rejects options that cannot produce a run: every field is checked against its range.
pub(crate) fn validate<E>(options: &NutsOptions, dim: usize) -> Result<(), SampleError<E>> {
    let o = options;
    check(
        dim > 0,
        "density",
        "0 parameters",
        "a density with at least one parameter",
    )?;
    check(o.num_chains > 0, "num_chains", o.num_chains, "at least 1")?;
    let threads_ok = o.num_threads != Some(0);
    check(
        threads_ok,
        "num_threads",
        o.num_threads,
        "Some(n ≥ 1), or None for all cores",
    )?;
    check(
        (1..=MAX_TREE_DEPTH).contains(&o.max_depth),
        "max_depth",
        o.max_depth,
        "in 1..=30",
    )?;
    let energy_ok = positive(o.max_energy_error);
    check(
        energy_ok,
        "max_energy_error",
        o.max_energy_error,
        "finite and > 0 (Stan: 1000)",
    )?;
    let accept_ok = o.target_accept > 0.0 && o.target_accept < 1.0;
    check(accept_ok, "target_accept", o.target_accept, "in (0, 1)")?;
    let step_ok = positive(o.initial_step_size);
    check(
        step_ok,
        "initial_step_size",
        o.initial_step_size,
        "finite and > 0",
    )?;
    let da = &o.dual_averaging;
    check(
        positive(da.gamma),
        "dual_averaging.gamma",
        da.gamma,
        "finite and > 0",
    )?;
    let t0_ok = da.t0.is_finite() && da.t0 >= 0.0;
    check(t0_ok, "dual_averaging.t0", da.t0, "finite and ≥ 0")?;
    let kappa_ok = da.kappa > 0.5 && da.kappa <= 1.0;
    check(kappa_ok, "dual_averaging.kappa", da.kappa, "in (0.5, 1]")?;
    validate_metric(&o.metric)?;
    if let Some(start) = &o.warm_start {
        validate_warm_start(start, dim)?;
    }
    validate_init(&o.init, o.num_chains, dim)
}

/// Trees deeper than this would take 2³⁰ leapfrog steps per transition.
const MAX_TREE_DEPTH: usize = 30;

/// Checks initial values against the dimension, the number of chains and finiteness.
fn validate_init<E>(
    init: &InitStrategy,
    num_chains: usize,
    dim: usize,
) -> Result<(), SampleError<E>> {
    let point_ok = |point: &Vec<f64>| point.len() == dim && point.iter().all(|x| x.is_finite());
    let valid_point = format!("{dim} finite coordinates");
    let short = |point: &Vec<f64>| {
        let head: Vec<f64> = point.iter().take(4).copied().collect();
        format!("{} coordinates {head:?}…", point.len())
    };
    match init {
        InitStrategy::Random { radius, .. } => {
            let ok = radius.is_finite() && *radius > 0.0;
            check(ok, "init", radius, "a radius that is finite and > 0")
        }
        InitStrategy::Fixed(point) => check(point_ok(point), "init", short(point), &valid_point),
        InitStrategy::PerChain(points) => {
            let count_ok = points.len() == num_chains;
            let valid = format!("one point per chain ({num_chains})");
            check(count_ok, "init", format!("{} points", points.len()), &valid)?;
            match points.iter().find(|p| !point_ok(p)) {
                Some(point) => check(false, "init", short(point), &valid_point),
                None => Ok(()),
            }
        }
    }
}

/// Checks the metric adaptation's windows and constants.
fn validate_metric<E>(metric: &MetricAdaptation) -> Result<(), SampleError<E>> {
    match metric {
        MetricAdaptation::Identity => Ok(()),
        MetricAdaptation::Stan { windows, .. } => {
            let window = windows.base_window;
            check(
                window > 0,
                "metric.windows.base_window",
                window,
                "at least 1",
            )
        }
        MetricAdaptation::Fisher(windows) => validate_fisher_windows(windows),
        MetricAdaptation::LowRank(low_rank) => {
            validate_fisher_windows(&low_rank.windows)?;
            let gamma_ok = positive(low_rank.gamma);
            check(gamma_ok, "metric.gamma", low_rank.gamma, "finite and > 0")?;
            let cutoff_ok = low_rank.cutoff.is_finite() && low_rank.cutoff > 1.0;
            check(
                cutoff_ok,
                "metric.cutoff",
                low_rank.cutoff,
                "finite and > 1",
            )?;
            let every = low_rank.update_every;
            check(every > 0, "metric.update_every", every, "at least 1")
        }
    }
}

/// Checks the fractions and window sizes of gradient-based adaptation.
fn validate_fisher_windows<E>(windows: &FisherWindows) -> Result<(), SampleError<E>> {
    let fraction = |f: f64| (0.0..=1.0).contains(&f);
    let early = windows.early_fraction;
    check(fraction(early), "metric.early_fraction", early, "in [0, 1]")?;
    let last = windows.final_fraction;
    check(fraction(last), "metric.final_fraction", last, "in [0, 1]")?;
    let early_window = windows.early_window;
    check(
        early_window > 0,
        "metric.early_window",
        early_window,
        "at least 1",
    )?;
    let late_window = windows.late_window;
    check(
        late_window > 0,
        "metric.late_window",
        late_window,
        "at least 1",
    )?;
    let growth = windows.window_growth;
    let growth_ok = growth.is_finite() && growth >= 1.0;
    check(growth_ok, "metric.window_growth", growth, "finite and ≥ 1")
}

/// Checks that a warm start has a usable step size and metric of the right dimension per chain.
fn validate_warm_start<E>(start: &WarmStart, dim: usize) -> Result<(), SampleError<E>> {
    let chains = start.chains.len();
    check(chains > 0, "warm_start", "no chains", "at least one chain")?;
    for previous in &start.chains {
        let step = previous.step_size;
        check(
            positive(step),
            "warm_start.step_size",
            step,
            "finite and > 0",
        )?;
        let metric_dim = previous.metric.dim();
        let valid = format!("a metric of dimension {dim} (this model's)");
        let value = format!("dimension {metric_dim}");
        check(metric_dim == dim, "warm_start.metric", value, &valid)?;
        let finite = previous.metric.diagonal().iter().all(|v| positive(*v));
        let valid = "finite, positive variances";
        check(finite, "warm_start.metric", "a non-finite variance", valid)?;
    }
    Ok(())
}

/// Finite and strictly positive.
fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}
