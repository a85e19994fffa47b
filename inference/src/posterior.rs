//! [`Posterior`]: NUTS draws of a model, typed by site, with sampler statistics.

use crate::draws::{Draws, not_random};
use crate::error::{ErrorChain, SampleError};
use crate::model_density::ModelDensity;
use crate::options::NutsOptions;
use crate::results::LOW_E_BFMI;
use crate::results::SampleOutput;
use crate::run::sample;
use crate::warnings::Warning;
use doppl_runtime::gradient::GradientMode;
use doppl_runtime::handler::Layout;
use doppl_runtime::{Model, ModelError, Scenario};

/// Why a fit failed.
///
/// The message says what failed and where; the cause (the model's error, the first chain's
/// error) is its [`std::error::Error::source`], typed: print the whole chain with
/// [`crate::ErrorChain`], or match on the variants.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FitError {
    /// The model could not be run (shapes, discrete latents, invalid constants).
    Model(ModelError),
    /// The sampler could not start (invalid options); displayed as that error. (Boxed: a
    /// sampler error is the largest cause, and a fit's `Result` should stay small.)
    Sample(Box<SampleError>),
    /// No chain finished; each chain's error (the first is the source).
    AllChainsFailed(Vec<SampleError>),
}

impl From<ModelError> for FitError {
    fn from(error: ModelError) -> Self {
        FitError::Model(error)
    }
}

impl From<SampleError> for FitError {
    fn from(error: SampleError) -> Self {
        FitError::Sample(Box::new(error))
    }
}

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FitError::Model(_) => write!(f, "the model cannot be fitted"),
            FitError::Sample(error) => std::fmt::Display::fmt(error, f),
            FitError::AllChainsFailed(errors) => write!(f, "all {} chains failed", errors.len()),
        }
    }
}

impl std::error::Error for FitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FitError::Model(error) => Some(error),
            FitError::Sample(error) => error.source(),
            FitError::AllChainsFailed(errors) => errors
                .first()
                .map(|error| error as &(dyn std::error::Error + 'static)),
        }
    }
}

/// Posterior draws of a model: per chain, per draw, the value of every latent and
/// deterministic site (deterministic sites recomputed from each draw).
#[derive(Debug)]
pub struct Posterior<'m, M: Model> {
    /// The scenario that was fitted.
    pub scenario: Scenario<'m, M>,
    /// `draws[k][draw]`: the latent and deterministic sites' values (observed and
    /// intervened sites are left out) of the k-th chain that finished.
    pub draws: Vec<Vec<M::Values>>,
    /// The chain number of each entry of `draws` (failed chains leave gaps).
    pub chain_ids: Vec<usize>,
    /// The sampler's raw output: unconstrained draws and statistics per chain.
    pub output: SampleOutput,
    /// The unconstrained parameter layout.
    pub layout: Layout,
    /// How gradients were computed (plate-local lanes, or the dense fallback and why).
    pub gradient_mode: GradientMode,
    /// What the sampler report says about the gradient's cost, if anything.
    pub gradient_note: Option<String>,
}

/// Fits `scenario` with NUTS.
///
/// Chains that fail are reported in `output` and left out of `draws`; if every chain fails
/// the fit fails.
pub fn nuts<'m, M: Model>(
    scenario: impl Into<Scenario<'m, M>>,
    options: &NutsOptions,
) -> Result<Posterior<'m, M>, FitError> {
    let scenario = scenario.into();
    let layout = {
        let _quiet = doppl_runtime::quiet_panic::QuietPanics::new();
        doppl_runtime::quiet_panic::model_quietly(|| scenario.layout())?
    };
    let density = ModelDensity::with_layout(&scenario, &layout)?;
    let gradient_mode = density.gradient_mode().clone();
    let gradient_note = density.gradient_note();
    let output = sample(&density, options)?;
    if output.successful().next().is_none() {
        return Err(FitError::AllChainsFailed(
            output.errors().cloned().collect(),
        ));
    }
    let not_random = not_random(&scenario);
    let draws = output
        .successful()
        .map(|chain| {
            chain
                .draws
                .row_iter()
                .map(|row| {
                    let x: Vec<f64> = row.iter().copied().collect();
                    let mut values = M::values_of(&scenario.constrain(&x)?);
                    M::clear_sites(&mut values, &not_random);
                    Ok(values)
                })
                .collect::<Result<Vec<_>, ModelError>>()
        })
        .collect::<Result<Vec<_>, ModelError>>()?;
    let chain_ids = output.successful().map(|c| c.chain).collect();
    let posterior = Posterior {
        scenario,
        draws,
        chain_ids,
        output,
        layout,
        gradient_mode,
        gradient_note,
    };
    // For applications that configure logging; the summary shows the same warnings.
    for warning in posterior.fit_warnings() {
        log::warn!(target: "doppl::nuts", "{warning}");
    }
    Ok(posterior)
}
impl<M: Model> Posterior<'_, M> {
    /// The adapted step size and metric of every chain, to start a refit from
    /// ([`NutsOptions::warm_start`]): the same model on new data, or a sensitivity sweep.
    pub fn warm_start(&self) -> crate::options::WarmStart {
        let chains = self.output.successful().map(|c| c.warmup.clone()).collect();
        crate::options::WarmStart { chains }
    }

    /// Post-warm-up divergent transitions over all chains.
    pub fn num_divergent(&self) -> usize {
        self.output.num_divergent()
    }

    /// Sampler statistics per chain: adapted step size, mean tree depth, divergences,
    /// transitions at the maximum depth, E-BFMI and gradient evaluations; then the advice.
    pub fn sampler_report(&self) -> String {
        let mut out =
            String::from("chain  step size  mean depth  divergent  max depth  E-BFMI  gradients\n");
        for c in self.output.successful() {
            let depth = c.stats.iter().map(|s| s.tree_depth as f64).sum::<f64>()
                / c.stats.len().max(1) as f64;
            out += &format!(
                "{:5}  {:>9}  {:10.2}  {:9}  {:9}  {:6.3}  {:9}\n",
                c.chain,
                step_size_column(c.warmup.step_size),
                depth,
                c.num_divergent,
                c.num_max_depth,
                c.e_bfmi,
                c.gradient_evals.warmup + c.gradient_evals.sampling
            );
        }
        for advice in self.output.advice() {
            out += &format!("note: {advice}\n");
        }
        if let Some(note) = &self.gradient_note {
            out += &format!("note: {note}\n");
        }
        out
    }

    /// Wall-clock seconds of warm-up and of sampling (the slowest chain's).
    pub fn seconds(&self) -> (f64, f64) {
        self.output.successful().fold((0.0, 0.0), |(w, s), c| {
            (
                w.max(c.timing.warmup_seconds),
                s.max(c.timing.sampling_seconds),
            )
        })
    }
}

impl<'m, M: Model> Draws<'m, M> for Posterior<'m, M> {
    fn scenario(&self) -> &Scenario<'m, M> {
        &self.scenario
    }
    fn draws(&self) -> &[Vec<M::Values>] {
        &self.draws
    }
    fn chain_ids(&self) -> &[usize] {
        &self.chain_ids
    }
    fn layout(&self) -> &Layout {
        &self.layout
    }
    fn fit_warnings(&self) -> Vec<Warning> {
        let out = &self.output;
        let of = out.num_draws();
        let mut warnings = Vec::new();
        if out.num_divergent() > 0 {
            let count = out.num_divergent();
            warnings.push(Warning::Divergences { count, of });
        }
        if out.num_max_depth() > 0 {
            let (count, depth) = (out.num_max_depth(), out.max_depth);
            warnings.push(Warning::MaxDepth { count, of, depth });
        }
        for chain in out.successful().filter(|c| c.e_bfmi < LOW_E_BFMI) {
            let (chain, e_bfmi) = (chain.chain, chain.e_bfmi);
            warnings.push(Warning::LowEbfmi { chain, e_bfmi });
        }
        for error in out.errors() {
            let message = ErrorChain(error).to_string();
            warnings.push(Warning::FailedChain { message });
        }
        warnings
    }
}

/// A step size in the report's nine columns: fixed-point in the usual range, scientific
/// outside it (a fixed step of 1e300 would otherwise print 300 digits).
fn step_size_column(step: f64) -> String {
    match (1e-3..1e4).contains(&step) {
        true => format!("{step:.4}"),
        false => format!("{step:.3e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::step_size_column;

    #[test]
    fn step_sizes_fit_their_column_whatever_their_magnitude() {
        assert_eq!(step_size_column(0.4321), "0.4321");
        assert_eq!(step_size_column(1e300), "1.000e300");
        assert_eq!(step_size_column(2.5e-7), "2.500e-7");
    }
}
