//! What a run returns: per-chain draws, sampler statistics, adaptation results and advice.

use doppl_runtime::ModelError;
use nalgebra::DMatrix;

use crate::density::DensityError;
use crate::error::{ErrorChain, SampleError};
use crate::nuts::{Divergence, DivergenceLog, Metric, TransitionStats};

/// E-BFMI below this suggests the momentum resampling explores energy poorly (Betancourt
/// 2016, "Diagnosing Suboptimal Cotangent Disintegrations in HMC", arXiv:1604.00695; Stan
/// warns below 0.3).
pub const LOW_E_BFMI: f64 = 0.3;

/// What warm-up settled on.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmupResult {
    /// Step size used for sampling.
    pub step_size: f64,
    /// Inverse metric used for sampling.
    pub metric: Metric,
}

/// Gradient evaluations of one chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GradientEvals {
    /// During initialization, the step-size heuristic and warm-up transitions.
    pub warmup: u64,
    /// During post-warm-up sampling.
    pub sampling: u64,
}

/// Wall-clock time of one chain.
///
/// Time is not part of a run's identity: two timings always compare equal, so that runs
/// with the same seed compare equal whatever the machine's load.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChainTiming {
    /// Seconds spent in initialization and warm-up.
    pub warmup_seconds: f64,
    /// Seconds spent drawing the post-warm-up draws.
    pub sampling_seconds: f64,
}

impl PartialEq for ChainTiming {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// The result of one chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainOutput {
    /// Chain index.
    pub chain: usize,
    /// Wall-clock time.
    pub timing: ChainTiming,
    /// Post-warm-up draws on the unconstrained scale, `num_draws × dim`.
    pub draws: DMatrix<f64>,
    /// Sampler statistics per post-warm-up draw.
    pub stats: Vec<TransitionStats>,
    /// Sampler statistics per warm-up iteration.
    pub warmup_stats: Vec<TransitionStats>,
    /// Adapted step size and metric.
    pub warmup: WarmupResult,
    /// Divergent post-warm-up transitions.
    pub num_divergent: usize,
    /// Post-warm-up transitions that stopped at the maximum tree depth.
    pub num_max_depth: usize,
    /// Energy Bayesian fraction of missing information of the post-warm-up draws.
    pub e_bfmi: f64,
    /// Gradient evaluations spent.
    pub gradient_evals: GradientEvals,
    /// The first message of each kind of divergence the chain met (warm-up included).
    pub divergence_log: DivergenceLog,
}

impl ChainOutput {
    /// Draws of coordinate `index` in iteration order.
    pub fn parameter(&self, index: usize) -> Vec<f64> {
        self.draws.column(index).iter().copied().collect()
    }
}

/// The result of a multi-chain run: one entry per chain, in chain order.
///
/// `E` is the density's error type ([`ModelError`] for a model fitted with [`crate::nuts()`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleOutput<E = ModelError> {
    /// Each chain's output or its error; a failed chain does not affect the others.
    pub chains: Vec<Result<ChainOutput, SampleError<E>>>,
    /// The maximum tree depth the run used (for the advice text).
    pub max_depth: usize,
    /// Whether warm-up adapted the step size (the advice says when it was fixed).
    pub step_size_adapted: bool,
}

impl<E: DensityError> SampleOutput<E> {
    /// The chains that finished.
    pub fn successful(&self) -> impl Iterator<Item = &ChainOutput> {
        self.chains.iter().filter_map(|chain| chain.as_ref().ok())
    }

    /// The chains' errors.
    pub fn errors(&self) -> impl Iterator<Item = &SampleError<E>> {
        self.chains.iter().filter_map(|chain| chain.as_ref().err())
    }

    /// Draws of coordinate `index`, one vector per finished chain (the input of
    /// [`crate::diagnostics`]).
    pub fn parameter(&self, index: usize) -> Vec<Vec<f64>> {
        self.successful()
            .map(|chain| chain.parameter(index))
            .collect()
    }

    /// Divergent post-warm-up transitions over all finished chains.
    pub fn num_divergent(&self) -> usize {
        self.successful().map(|chain| chain.num_divergent).sum()
    }

    /// Post-warm-up transitions at the maximum tree depth over all finished chains.
    pub fn num_max_depth(&self) -> usize {
        self.successful().map(|chain| chain.num_max_depth).sum()
    }

    /// Post-warm-up draws over all finished chains.
    pub fn num_draws(&self) -> usize {
        self.successful().map(|chain| chain.stats.len()).sum()
    }

    /// The causes of the post-warm-up divergences with their counts, most frequent first.
    pub fn divergence_causes(&self) -> Vec<(Divergence, usize)> {
        let mut counts: Vec<(Divergence, usize)> = Vec::new();
        let causes = self
            .successful()
            .flat_map(|c| c.stats.iter().filter_map(|s| s.divergence));
        for cause in causes {
            match counts.iter_mut().find(|(c, _)| *c == cause) {
                Some((_, n)) => *n += 1,
                None => counts.push((cause, 1)),
            }
        }
        counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        counts
    }

    /// Human-readable warnings with what to try, empty when nothing looks wrong.
    pub fn advice(&self) -> Vec<String> {
        let mut advice = Vec::new();
        let total = self.num_draws();
        let divergent = self.num_divergent();
        if divergent > 0 && !self.step_size_adapted {
            advice.push(format!(
                "step-size adaptation was off (adapt_step_size: false): every chain used the \
                 fixed step size {}, and a step too large for the posterior makes transitions \
                 diverge; turn adaptation on or give a smaller step size.",
                self.successful()
                    .next()
                    .map_or(f64::NAN, |c| c.warmup.step_size)
            ));
        }
        if divergent > 0 {
            for (cause, count) in self.divergence_causes() {
                let message = self
                    .successful()
                    .find_map(|c| c.divergence_log.message(cause));
                advice.push(divergence_advice(cause, count, divergent, total, message));
            }
        }
        let saturated = self.num_max_depth();
        if saturated > 0 {
            advice.push(format!(
                "{saturated} of {total} transitions hit the maximum tree depth {}: trajectories \
                 were cut short, which costs efficiency, not validity. Raise max_depth, or \
                 reparameterize / use a dense metric if the posterior is strongly correlated.",
                self.max_depth
            ));
        }
        for chain in self.successful().filter(|chain| chain.e_bfmi < LOW_E_BFMI) {
            advice.push(format!(
                "chain {}: E-BFMI is {:.3} (below {LOW_E_BFMI}): momentum resampling explores \
                 the energy distribution poorly, often because of heavy tails or funnel \
                 geometry. Reparameterize, or run a longer warm-up.",
                chain.chain, chain.e_bfmi
            ));
        }
        for error in self.errors() {
            advice.push(ErrorChain(error).to_string());
        }
        advice
    }
}

/// What `count` of the `divergent` divergences (of `total` transitions) with `cause` mean,
/// and what to try: raising `target_accept` helps only with curvature.
fn divergence_advice(
    cause: Divergence,
    count: usize,
    divergent: usize,
    total: usize,
    message: Option<&str>,
) -> String {
    let head = format!("{count} of {divergent} divergences ({divergent} of {total} transitions)");
    let first = message.map_or(String::new(), |m| format!(" The first: {m}."));
    match cause {
        Divergence::EnergyError => format!(
            "{head}: the energy error grew too large, the sampler could not follow the \
             posterior's curvature, so draws may be biased. Raise target_accept (e.g. 0.9 or \
             0.99) to force smaller steps, or reparameterize (for hierarchical scales, a \
             non-centered parameterization)."
        ),
        Divergence::NonFinite => format!(
            "{head}: the log density or its gradient was not finite at a proposed point \
             (an overflowing exp, a log of 0). Check the model's transforms and the scale of \
             its data and priors.{first}"
        ),
        Divergence::Density { site } => format!(
            "{head}: {} raised an error at proposed points: a parameter left its family's \
             valid range (for example a scale ≤ 0). Give that parameter a prior on the valid \
             range (a scale: HalfNormal, Exponential); raising target_accept will not help.\
             {first}",
            site.map_or("the density".to_string(), |s| format!("site `{s}`"))
        ),
        Divergence::Panic => format!(
            "{head}: the model code panicked at proposed points, and each such point was \
             rejected (as Stan rejects a point whose model block throws). Make the code \
             valid for every parameter value, or constrain the parameter it depends on.\
             {first}"
        ),
    }
}

/// E-BFMI `Σ (Eₙ − Eₙ₋₁)² / Σ (Eₙ − Ē)²` of a chain's energies (NaN for fewer than 2 draws).
pub fn e_bfmi(stats: &[TransitionStats]) -> f64 {
    if stats.len() < 2 {
        return f64::NAN;
    }
    let energies: Vec<f64> = stats.iter().map(|s| s.energy).collect();
    let mean = energies.iter().sum::<f64>() / energies.len() as f64;
    let numerator: f64 = energies.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    let denominator: f64 = energies.iter().map(|e| (e - mean).powi(2)).sum();
    numerator / denominator
}
