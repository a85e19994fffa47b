//! One replicate of the power study: simulate an A/B test with a known lift, fit the lift
//! model by NUTS (short chains), apply the HDI + ROPE rule, keep the fit's diagnostics.

use crate::model::LiftPrior;
use doppl::batch::serde::{Deserialize, Serialize};
use doppl::batch::{Columns, format_f64};
use doppl::inference::decision::{Verdict, decide};
use doppl::inference::diagnostics::{ess_bulk, rhat};
use doppl::prelude::*;
use rand_distr::{Binomial, Distribution as _};

/// The simulation's truth: control conversion rate and relative lift.
pub const CONTROL_RATE: f64 = 0.10;
pub const TRUE_LIFT: f64 = 0.05;
/// "No practical difference": a relative lift within ±1%.
pub const ROPE: (f64, f64) = (-0.01, 0.01);
/// The HDI mass of the decision (ArviZ's default).
pub const HDI_MASS: f64 = 0.94;

/// A replicate: visitors per arm and simulation index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(crate = "doppl::batch::serde")]
pub struct Sim {
    pub n: u64,
    pub sim: u64,
}

impl Columns for Sim {
    fn columns() -> Vec<&'static str> {
        vec!["n_per_arm", "sim"]
    }

    fn values(&self) -> Vec<String> {
        vec![self.n.to_string(), self.sim.to_string()]
    }
}

/// What one fit decided, with the diagnostics that say whether to trust it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "doppl::batch::serde")]
pub struct LiftFit {
    pub conversions: (u64, u64),
    pub mean: f64,
    pub hdi: (f64, f64),
    pub p_rope: f64,
    /// The verdict's short name ([`label`]).
    pub verdict: String,
    pub divergences: usize,
    pub max_rhat: f64,
    pub min_ess: f64,
}

/// A verdict's short name for the CSV.
pub fn label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Positive => "positive",
        Verdict::Negative => "negative",
        Verdict::Equivalent => "equivalent",
        Verdict::Undecided => "undecided",
    }
}

impl LiftFit {
    /// The decision the power counts: the HDI lies above the ROPE.
    pub fn positive(&self) -> bool {
        self.verdict == label(Verdict::Positive)
    }
}

impl Columns for LiftFit {
    fn columns() -> Vec<&'static str> {
        vec![
            "conv_control",
            "conv_treated",
            "lift_mean",
            "hdi_lo",
            "hdi_hi",
            "p_rope",
            "verdict",
            "divergences",
            "max_rhat",
            "min_ess_bulk",
        ]
    }

    fn values(&self) -> Vec<String> {
        vec![
            self.conversions.0.to_string(),
            self.conversions.1.to_string(),
            format_f64(self.mean),
            format_f64(self.hdi.0),
            format_f64(self.hdi.1),
            format_f64(self.p_rope),
            self.verdict.clone(),
            self.divergences.to_string(),
            format_f64(self.max_rhat),
            format_f64(self.min_ess),
        ]
    }
}

/// Short chains: 2 × (300 warm-up + 300 draws), one thread per fit (the workers are the
/// parallelism), no progress line.
pub fn options(seed: u64, quick: bool) -> NutsOptions {
    let iterations = if quick { 200 } else { 300 };
    NutsOptions {
        seed,
        num_chains: 2,
        num_warmup: iterations,
        num_draws: iterations,
        num_threads: Some(1),
        progress: false,
        ..Default::default()
    }
}

/// Simulates `key.n` visitors per arm from `seed`, fits, decides.
pub fn replicate(key: &Sim, seed: u64, quick: bool) -> Result<LiftFit, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut draw = |p: f64| Binomial::new(key.n, p).map(|b| b.sample(&mut rng));
    let control = draw(CONTROL_RATE).map_err(|e| e.to_string())?;
    let treated = draw(CONTROL_RATE * (1.0 + TRUE_LIFT)).map_err(|e| e.to_string())?;
    let model = LiftPrior::new(key.n, key.n);
    let conditioned = model
        .condition()
        .conversions_control(control)
        .conversions_treated(treated);
    let fit = nuts(conditioned, &options(seed, quick)).map_err(|e| ErrorChain(&e).to_string())?;
    let lift = fit.site(|d| &d.relative_lift);
    let rate = fit.site(|d| &d.cr_control);
    let decision = decide(&lift.concat(), ROPE, HDI_MASS).map_err(|e| e.to_string())?;
    Ok(LiftFit {
        conversions: (control, treated),
        mean: lift.concat().iter().sum::<f64>() / lift.concat().len() as f64,
        hdi: decision.hdi,
        p_rope: decision.p_rope,
        verdict: label(decision.verdict).to_string(),
        divergences: fit.num_divergent(),
        max_rhat: rhat(&lift).max(rhat(&rate)),
        min_ess: ess_bulk(&lift).min(ess_bulk(&rate)),
    })
}
