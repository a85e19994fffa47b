//! The A/B analysis: simulated conversions with a known lift, both lift models, the HDI +
//! ROPE decision; then simulated pre/post outcomes with a known effect, CUPED vs plain.

use crate::model::{BetaRates, Cuped, LiftPrior, Plain};
use doppl::inference::decision::{Decision, decide};
use doppl::inference::{ErrorChain, Estimate};
use doppl::prelude::*;
use rand::RngExt;
use rand_distr::{Binomial as BinomialDraw, Distribution as _, StandardNormal};

/// The command line.
pub struct Args {
    pub n: u64,
    pub seed: u64,
    pub json: Option<String>,
}

/// The simulation's truth.
pub const CONTROL_RATE: f64 = 0.10;
pub const TRUE_LIFT: f64 = 0.08;
pub const CUPED_EFFECT: f64 = 0.5;
/// The ROPE on the relative lift: ±1% is "no practical difference".
pub const ROPE: (f64, f64) = (-0.01, 0.01);
/// The HDI mass of the decision (ArviZ's default).
pub const HDI_MASS: f64 = 0.94;

/// What the analysis found.
pub struct Report {
    /// Lift with uninformative rates, and with the prior on the lift.
    pub lift_flat: (Estimate, Decision),
    pub lift: (Estimate, Decision),
    pub conversions: (u64, u64),
    /// Effect sd with CUPED ÷ without, and what the pre/post correlation predicts.
    pub cuped_sd_ratio: f64,
    pub predicted_sd_ratio: f64,
    pub cuped_effect: Estimate,
    pub plain_effect: Estimate,
}

fn error(e: &(dyn std::error::Error + 'static)) -> String {
    ErrorChain(e).to_string()
}

fn options(seed: u64) -> NutsOptions {
    NutsOptions {
        seed,
        ..Default::default()
    }
}

/// Conversions per arm for `n` visitors each.
pub fn simulate_conversions(n: u64, seed: u64) -> (u64, u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let draw = |p: f64, rng: &mut StdRng| BinomialDraw::new(n, p).expect("valid").sample(rng);
    let control = draw(CONTROL_RATE, &mut rng);
    (control, draw(CONTROL_RATE * (1.0 + TRUE_LIFT), &mut rng))
}

/// The lift's draws, summary and decision.
fn lift_of(draws: Vec<f64>) -> Result<(Estimate, Decision), String> {
    let decision = decide(&draws, ROPE, HDI_MASS).map_err(|e| error(&e))?;
    Ok((Estimate::of(&draws), decision))
}

/// Both lift models on the same conversions.
fn lift_analysis(
    n: u64,
    conversions: (u64, u64),
    seed: u64,
) -> Result<[(Estimate, Decision); 2], String> {
    let flat_model = BetaRates::new(n, n);
    let flat = flat_model
        .condition()
        .conversions_control(conversions.0)
        .conversions_treated(conversions.1);
    let flat = nuts(flat, &options(seed)).map_err(|e| error(&e))?;
    let prior_model = LiftPrior::new(n, n);
    let prior = prior_model
        .condition()
        .conversions_control(conversions.0)
        .conversions_treated(conversions.1);
    let prior = nuts(prior, &options(seed)).map_err(|e| error(&e))?;
    Ok([
        lift_of(flat.site(|d| &d.relative_lift).concat())?,
        lift_of(prior.site(|d| &d.relative_lift).concat())?,
    ])
}

/// Pre/post outcomes of `n` units, half treated: post = 2 + effect · t + 0.9 (pre − 10) + ε.
pub fn simulate_prepost(n: usize, seed: u64) -> (DVector<f64>, DVector<f64>, DVector<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let treatment = DVector::from_fn(n, |i, _| (i % 2) as f64);
    let pre = DVector::from_fn(n, |_, _| 10.0 + 2.0 * rng.sample::<f64, _>(StandardNormal));
    let post = DVector::from_fn(n, |i, _| {
        let noise: f64 = rng.sample(StandardNormal);
        2.0 + CUPED_EFFECT * treatment[i] + 0.9 * (pre[i] - 10.0) + noise
    });
    (treatment, pre, post)
}

/// sd(effect | CUPED) / sd(effect | plain), and √(1 − ρ²) of the within-arm pre/post
/// correlation that predicts it.
fn cuped_analysis(n: usize, seed: u64) -> Result<(f64, f64, Estimate, Estimate), String> {
    let (treatment, pre, post) = simulate_prepost(n, seed);
    let centered = pre.add_scalar(-pre.mean());
    let plain_model = Plain::new(&treatment);
    let plain = nuts(plain_model.condition().y_post(post.clone()), &options(seed))
        .map_err(|e| error(&e))?;
    let cuped_model = Cuped::new(&treatment, &centered);
    let cuped = nuts(cuped_model.condition().y_post(post.clone()), &options(seed))
        .map_err(|e| error(&e))?;
    let plain_effect = Estimate::of(&plain.site(|d| &d.effect).concat());
    let cuped_effect = Estimate::of(&cuped.site(|d| &d.effect).concat());
    let residual_post: Vec<f64> = (0..n)
        .map(|i| post[i] - CUPED_EFFECT * treatment[i])
        .collect();
    let rho = correlation(pre.as_slice(), &residual_post);
    Ok((
        cuped_effect.sd / plain_effect.sd,
        (1.0 - rho * rho).sqrt(),
        cuped_effect,
        plain_effect,
    ))
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// Simulates, fits and decides.
pub fn analyze(args: &Args) -> Result<Report, String> {
    let conversions = simulate_conversions(args.n, args.seed);
    let [lift_flat, lift] = lift_analysis(args.n, conversions, args.seed)?;
    let (cuped_sd_ratio, predicted_sd_ratio, cuped_effect, plain_effect) =
        cuped_analysis(1_000, args.seed)?;
    Ok(Report {
        lift_flat,
        lift,
        conversions,
        cuped_sd_ratio,
        predicted_sd_ratio,
        cuped_effect,
        plain_effect,
    })
}

impl Report {
    /// The text the example prints.
    pub fn describe(&self, n: u64) -> String {
        let lift = |label: &str, (e, d): &(Estimate, Decision)| {
            format!(
                "  {label:<28} mean {:+.4}  {:.0}% HDI [{:+.4}, {:+.4}]  P(lift > 0) {:.3}  \
                 P(in ROPE) {:.3}\n  {:<28} expected loss if adopted {:.5}, if rejected {:.5}: {}\n",
                e.mean,
                d.mass * 100.0,
                d.hdi.0,
                d.hdi.1,
                d.p_positive,
                d.p_rope,
                "",
                d.loss_if_adopted,
                d.loss_if_rejected,
                d.verdict
            )
        };
        format!(
            "A/B test: {n} visitors per arm, conversions {} (control) and {} (treated); true \
             relative lift {TRUE_LIFT:+}, ROPE [{}, {}]\n\n{}{}\n\
             CUPED (1,000 units, pre-period outcome as covariate): effect {:.3} ± {:.3} vs plain \
             {:.3} ± {:.3}\n  sd ratio {:.3} (√(1 − ρ²) of the pre/post correlation predicts {:.3}); \
             true effect {CUPED_EFFECT}\n",
            self.conversions.0,
            self.conversions.1,
            ROPE.0,
            ROPE.1,
            lift("lift, Beta(1, 1) rates", &self.lift_flat),
            lift("lift, Normal(0, 0.1) prior", &self.lift),
            self.cuped_effect.mean,
            self.cuped_effect.sd,
            self.plain_effect.mean,
            self.plain_effect.sd,
            self.cuped_sd_ratio,
            self.predicted_sd_ratio,
        )
    }

    /// The `--json` report.
    pub fn json(&self) -> serde_json::Value {
        let (e, d) = &self.lift;
        serde_json::json!({
            "lift": {"mean": e.mean, "lo": e.lo, "hi": e.hi, "hdi_lo": d.hdi.0, "hdi_hi": d.hdi.1},
            "lift_flat_prior": {"mean": self.lift_flat.0.mean, "hdi_lo": self.lift_flat.1.hdi.0,
                                "hdi_hi": self.lift_flat.1.hdi.1},
            "p_lift_positive": d.p_positive,
            "p_rope": d.p_rope,
            "decision": d.verdict.to_string(),
            "cuped_sd_ratio": self.cuped_sd_ratio,
            "predicted_sd_ratio": self.predicted_sd_ratio,
            "cuped_effect": {"mean": self.cuped_effect.mean, "sd": self.cuped_effect.sd},
            "truth": {"lift": TRUE_LIFT, "control_rate": CONTROL_RATE, "cuped_effect": CUPED_EFFECT},
        })
    }
}
