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
    /// Warm-up (adaptation) iterations per chain, not returned as draws (1000).
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
    /// Estimate a dense inverse metric instead of a diagonal one.
    pub dense: bool,
    /// Adapt the step size during warm-up; otherwise `initial_step_size` is used throughout.
    pub adapt_step_size: bool,
    /// Adapt the metric during warm-up; otherwise the identity metric is used.
    pub adapt_metric: bool,
    /// Starting step size of the heuristic, or the fixed step size without adaptation (1).
    pub initial_step_size: f64,
    /// Dual-averaging constants.
    pub dual_averaging: DualAveragingOptions,
    /// Warm-up window sizes.
    pub windows: WarmupWindows,
    /// Starting points.
    pub init: InitStrategy,
    /// Show a progress line on standard error while sampling (only when it is a terminal).
    pub progress: bool,
}

impl Default for NutsOptions {
    fn default() -> Self {
        NutsOptions {
            num_warmup: 1000,
            num_draws: 1000,
            num_chains: 4,
            num_threads: None,
            // A fixed default keeps runs reproducible unless the user asks otherwise.
            seed: 20_240_601,
            max_depth: 10,
            max_energy_error: 1000.0,
            target_accept: 0.8,
            dense: false,
            adapt_step_size: true,
            adapt_metric: true,
            initial_step_size: 1.0,
            dual_averaging: DualAveragingOptions::default(),
            windows: WarmupWindows::default(),
            init: InitStrategy::default(),
            progress: true,
        }
    }
}
