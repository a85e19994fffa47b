//! Sampler settings whose defaults carry the constants of the NUTS and Stan literature.

/// Dual-averaging constants for step-size adaptation.
///
/// Defaults from Hoffman & Gelman (2014), "The No-U-Turn Sampler: Adaptively Setting Path
/// Lengths in Hamiltonian Monte Carlo", JMLR 15:1593–1623, §3.2.1 (also Stan's defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DualAveragingOptions {
    /// Shrinkage strength towards `μ = ln(10 ε₀)` (γ = 0.05).
    pub gamma: f64,
    /// Offset that damps the first iterations (t₀ = 10).
    pub t0: f64,
    /// Decay exponent of the averaging weights (κ = 0.75).
    pub kappa: f64,
}

impl Default for DualAveragingOptions {
    fn default() -> Self {
        DualAveragingOptions {
            gamma: 0.05,
            t0: 10.0,
            kappa: 0.75,
        }
    }
}

/// Warm-up window sizes, Stan's defaults (Stan Reference Manual, "HMC algorithm parameters",
/// automatic parameter tuning): 75 fast iterations, slow windows 25, 50, 100, …, 50 fast
/// iterations at the end. Rescaled to 15% / 75% / 10% when warm-up is shorter than their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarmupWindows {
    /// Initial fast buffer: only the step size adapts while the chain finds the typical set.
    pub init_buffer: usize,
    /// Terminal fast buffer: the step size adapts to the final metric.
    pub term_buffer: usize,
    /// Size of the first slow (metric) window; each following one doubles.
    pub base_window: usize,
}

impl Default for WarmupWindows {
    fn default() -> Self {
        WarmupWindows {
            init_buffer: 75,
            term_buffer: 50,
            base_window: 25,
        }
    }
}

/// How warm-up estimates the metric (the inverse mass matrix).
///
/// The default is [`MetricAdaptation::LowRank`], nutpie's low-rank plus diagonal metric from
/// draws and gradients (Seyboldt, Carlson & Carpenter 2026, arXiv:2603.18845), which falls
/// back to the gradient-based diagonal ([`MetricAdaptation::Fisher`]) above
/// [`LowRankOptions::max_dim`] coordinates. On the five posteriordb references and Lalonde,
/// with 500 warm-up iterations instead of 1000, it gave 1.4–61× the min bulk ESS per
/// gradient of Stan's windowed diagonal (warm-up included); figures in BENCHMARKS.md,
/// "Mass-matrix adaptation".
#[derive(Debug, Clone, PartialEq)]
pub enum MetricAdaptation {
    /// Keep the identity metric; only the step size adapts.
    Identity,
    /// Stan's windowed adaptation: the regularized variance (or covariance, when `dense`) of
    /// the draws in doubling slow windows, the step size re-searched after each window.
    Stan {
        /// Estimate a dense covariance instead of a diagonal.
        dense: bool,
        /// Window sizes.
        windows: WarmupWindows,
    },
    /// nutpie's diagonal `M⁻¹ᵢᵢ = sqrt(Var xᵢ / Var gᵢ)` from the draws `x` and the gradients
    /// `g` at them (minimizes a Fisher divergence; exact for independent Gaussians), updated
    /// after every draw from the draws since the second-to-last window switch.
    Fisher(FisherWindows),
    /// nutpie's low-rank plus diagonal metric: the Fisher diagonal, corrected along the
    /// directions where the draws' and gradients' covariances say the posterior is stretched
    /// or squeezed by more than `cutoff`. For strongly correlated posteriors.
    LowRank(LowRankOptions),
}

impl Default for MetricAdaptation {
    fn default() -> Self {
        MetricAdaptation::LowRank(LowRankOptions::default())
    }
}

/// The window schedule of gradient-based adaptation (nuts-rs 0.18 defaults).
///
/// Draws (and their gradients) go into a foreground and a background estimate; a *switch*
/// replaces the foreground by the background and starts an empty background. Early in
/// warm-up switches come every `early_window` draws, later every `late_window` draws, the
/// late window growing by `window_growth` per switch; the last `final_fraction` of warm-up
/// adapts only the step size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FisherWindows {
    /// Fraction of warm-up with short windows (0.3).
    pub early_fraction: f64,
    /// Fraction of warm-up at the end that adapts only the step size (0.15).
    pub final_fraction: f64,
    /// Draws per window in the early phase (10).
    pub early_window: usize,
    /// Draws in the first late window (80).
    pub late_window: usize,
    /// Growth factor of the late window after each switch (1.5).
    pub window_growth: f64,
}

impl Default for FisherWindows {
    fn default() -> Self {
        FisherWindows {
            early_fraction: 0.3,
            final_fraction: 0.15,
            early_window: 10,
            late_window: 80,
            window_growth: 1.5,
        }
    }
}

/// Settings of the low-rank plus diagonal metric (nuts-rs 0.18 defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LowRankOptions {
    /// The window schedule (as for the diagonal).
    pub windows: FisherWindows,
    /// Ridge added to the draws' and gradients' scatter matrices, relative to their sums
    /// (γ = 1e-5): keeps them invertible in directions the window does not span.
    pub gamma: f64,
    /// A direction is corrected when its variance ratio to the diagonal exceeds `cutoff`
    /// or falls below `1 / cutoff` (2).
    pub cutoff: f64,
    /// Draws between two re-estimates of the low-rank part, which costs O(d n² + n³) for
    /// `n` stored draws (20).
    pub update_every: usize,
    /// Above this many coordinates only the diagonal is adapted (200): the low-rank update
    /// would cost more than the warm-up's gradients of a typical model that size (one
    /// latent per unit), and stores every warm-up draw.
    pub max_dim: usize,
}

impl Default for LowRankOptions {
    fn default() -> Self {
        LowRankOptions {
            windows: FisherWindows::default(),
            gamma: 1e-5,
            cutoff: 2.0,
            update_every: 20,
            max_dim: 200,
        }
    }
}

/// The adapted state of earlier fits to start a new fit from: refits on new data and
/// sensitivity sweeps skip most of the warm-up's search (see [`crate::Posterior::warm_start`]).
///
/// Chain `k` of the new fit starts from `chains[k % chains.len()]`: its step size and metric
/// replace the initial ones, the step-size search at the start is skipped, and the metric is
/// re-estimated only once a late window's worth of new draws has arrived. A short warm-up
/// (e.g. 150) is then usually enough.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmStart {
    /// Adapted step size and metric per chain of the earlier fit.
    pub chains: Vec<crate::results::WarmupResult>,
}

/// How each chain picks its starting point on the unconstrained scale.
#[derive(Debug, Clone, PartialEq)]
pub enum InitStrategy {
    /// Uniform draws in `(−radius, radius)` per coordinate, retried up to `max_attempts`
    /// times until the density is finite (Stan: radius 2, 100 attempts).
    Random {
        /// Half-width of the uniform box.
        radius: f64,
        /// Attempts before giving up with an initialization error.
        max_attempts: usize,
    },
    /// The same starting point for every chain.
    Fixed(Vec<f64>),
    /// One starting point per chain (length must equal the number of chains).
    PerChain(Vec<Vec<f64>>),
}

impl Default for InitStrategy {
    fn default() -> Self {
        InitStrategy::Random {
            radius: 2.0,
            max_attempts: 100,
        }
    }
}

/// Everything the NUTS runner needs to know.
///
/// Defaults follow Stan: Hoffman & Gelman (2014) for NUTS and dual averaging, Betancourt
/// (2017, arXiv:1701.02434) for the multinomial sampler and its divergence threshold, and the
/// Stan Reference Manual for the warm-up windows.
#[derive(Debug, Clone, PartialEq)]
pub struct NutsOptions {
    /// Warm-up (adaptation) iterations per chain, not returned as draws (500: with the
    /// gradient-based metric, more warm-up lowers the ESS per gradient of the whole fit on the
    /// posteriordb references; BENCHMARKS.md, "Mass-matrix adaptation").
    pub num_warmup: usize,
    /// Post-warm-up draws per chain (1000).
    pub num_draws: usize,
    /// Number of chains (4): enough for split R-hat to detect non-convergence.
    pub num_chains: usize,
    /// Chains run at the same time; `None` means `std::thread::available_parallelism`.
    /// Never changes the draws.
    pub num_threads: Option<usize>,
    /// Master seed; chain `k` uses a stream derived from `(seed, k)` only.
    pub seed: u64,
    /// Maximum tree depth (10): at most `2^10 − 1` leapfrog steps per transition.
    pub max_depth: usize,
    /// Energy error that marks a divergence (Stan: 1000).
    pub max_energy_error: f64,
    /// Target mean acceptance statistic of dual averaging (δ = 0.8, Hoffman & Gelman 2014).
    pub target_accept: f64,
    /// How warm-up estimates the metric (nutpie's gradient-based diagonal).
    pub metric: MetricAdaptation,
    /// Adapt the step size during warm-up; otherwise `initial_step_size` is used throughout.
    pub adapt_step_size: bool,
    /// Starting step size of the heuristic, or the fixed step size without adaptation (1).
    pub initial_step_size: f64,
    /// Dual-averaging constants.
    pub dual_averaging: DualAveragingOptions,
    /// Step size and metric of an earlier fit to start from.
    pub warm_start: Option<WarmStart>,
    /// Starting points.
    pub init: InitStrategy,
    /// Show a progress line on standard error while sampling (only when it is a terminal).
    pub progress: bool,
}

impl Default for NutsOptions {
    fn default() -> Self {
        NutsOptions {
            num_warmup: 500,
            num_draws: 1000,
            num_chains: 4,
            num_threads: None,
            // A fixed default keeps runs reproducible unless the user asks otherwise.
            seed: 20_240_601,
            max_depth: 10,
            max_energy_error: 1000.0,
            target_accept: 0.8,
            metric: MetricAdaptation::default(),
            adapt_step_size: true,
            initial_step_size: 1.0,
            dual_averaging: DualAveragingOptions::default(),
            warm_start: None,
            init: InitStrategy::default(),
            progress: true,
        }
    }
}
