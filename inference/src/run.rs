//! The multi-chain runner: chains in parallel threads with per-chain RNG streams.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::chain::run_validated_chain;
use crate::density::LogDensity;
use crate::error::SampleError;
use crate::options::{InitStrategy, NutsOptions};
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
                        |mut d| run_guarded(&mut d, options, chain, &progress.done),
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
    progress: &AtomicUsize,
) -> ChainResult<D::Error> {
    catch_unwind(AssertUnwindSafe(|| {
        run_validated_chain(density, options, chain, progress)
    }))
    .unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".to_string());
        Err(SampleError::Panic { chain, message })
    })
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

/// Rejects options that cannot produce a run.
pub(crate) fn validate<E>(options: &NutsOptions, dim: usize) -> Result<(), SampleError<E>> {
    let invalid = |message: String| Err(SampleError::InvalidOptions(message));
    if dim == 0 {
        return invalid("the density has no parameters (dim = 0)".into());
    }
    if options.num_chains == 0 {
        return invalid("num_chains must be at least 1".into());
    }
    if options.num_threads == Some(0) {
        return invalid("num_threads must be at least 1 (or None for all cores)".into());
    }
    if options.max_depth == 0 {
        return invalid("max_depth must be at least 1".into());
    }
    if !(options.target_accept > 0.0 && options.target_accept < 1.0) {
        return invalid(format!(
            "target_accept must be in (0, 1), got {}",
            options.target_accept
        ));
    }
    if !(options.initial_step_size > 0.0 && options.initial_step_size.is_finite()) {
        return invalid(format!(
            "initial_step_size must be positive and finite, got {}",
            options.initial_step_size
        ));
    }
    validate_init(&options.init, options.num_chains, dim)
}

/// Checks initial values against the dimension and the number of chains.
fn validate_init<E>(
    init: &InitStrategy,
    num_chains: usize,
    dim: usize,
) -> Result<(), SampleError<E>> {
    let wrong_length = |len: usize| {
        SampleError::InvalidOptions(format!(
            "an initial point has {len} coordinates but the density has {dim}"
        ))
    };
    match init {
        InitStrategy::Random { radius, .. } if !(*radius > 0.0 && radius.is_finite()) => Err(
            SampleError::InvalidOptions(format!("init radius must be positive, got {radius}")),
        ),
        InitStrategy::Random { .. } => Ok(()),
        InitStrategy::Fixed(point) if point.len() != dim => Err(wrong_length(point.len())),
        InitStrategy::Fixed(_) => Ok(()),
        InitStrategy::PerChain(points) if points.len() != num_chains => {
            Err(SampleError::InvalidOptions(format!(
                "{} initial points for {num_chains} chains",
                points.len()
            )))
        }
        InitStrategy::PerChain(points) => points
            .iter()
            .find(|point| point.len() != dim)
            .map_or(Ok(()), |point| Err(wrong_length(point.len()))),
    }
}
