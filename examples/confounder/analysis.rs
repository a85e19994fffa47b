//! The confounder analysis: synthetic data, the SVI fit, predictions under do(z = Z) and
//! do(z = 0), and the truth they should recover.

use crate::model::ConfounderNetwork;
use doppl::inference::Summary;
use doppl::inference::svi::SviFit;
use doppl::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution, Exp1, Poisson, StandardNormal};

pub type Error = Box<dyn std::error::Error>;

/// The command line.
pub struct Args {
    pub n: usize,
    pub steps: usize,
    pub seed: u64,
    /// Units per SVI step (`None`: all of them).
    pub batch: Option<usize>,
    pub json: Option<String>,
    /// A directory for the ELBO trace plot (`elbo.png`).
    pub plots: Option<String>,
}

/// Synthetic data: (c, x, z, y).
pub fn simulate(n: usize, seed: u64) -> [DVector<f64>; 4] {
    let mut rng = StdRng::seed_from_u64(seed);
    let poisson = Poisson::new(1.0).expect("rate 1 is valid");
    let c: DVector<f64> = DVector::from_fn(n, |_, _| Exp1.sample(&mut rng));
    let x: DVector<f64> = DVector::from_fn(n, |_, _| poisson.sample(&mut rng));
    let z = DVector::from_fn(n, |i, _| {
        let noise: f64 = StandardNormal.sample(&mut rng);
        (noise - 1.0 + 0.5 * c[i] - 1.5 * x[i]).exp()
    });
    let y = DVector::from_fn(n, |i, _| {
        let p = 1.0 / (1.0 + (2.0 - 5.0 * c[i] - 0.1 * z[i]).exp());
        f64::from(rng.random::<f64>() < p)
    });
    [c, x, z, y]
}

/// Fits the model to synthetic data and reports the headline numbers.
pub fn analyze(args: &Args) -> Result<Report, Error> {
    let [c, x, z, y] = simulate(args.n, args.seed);
    let model = ConfounderNetwork::new(&x, args.batch.unwrap_or(args.n));
    let options = SviOptions {
        steps: args.steps,
        seed: args.seed,
        ..SviOptions::default()
    };
    let fit = svi(
        model.condition().c(c.clone()).y(y),
        AutoGuide::Normal,
        &options,
    )?;
    let steps_per_s = args.steps as f64 / fit.step_seconds;
    let mut report = Report::of(&model, &fit, (&c, &z), steps_per_s, args.seed)?;
    report.truth = true_effect(&c, &z);
    report.elbo = fit.elbo.clone();
    report.text = report.describe(&fit);
    report.json = report.to_json(&fit);
    Ok(report)
}

/// The effect of do(z = Z) versus do(z = 0) on P(y = 1) averaged over the units, under the
/// parameters the data were simulated with.
pub fn true_effect(c: &DVector<f64>, z: &DVector<f64>) -> f64 {
    let p = |c: f64, z: f64| sigmoid(-2.0 + 5.0 * c + 0.1 * z);
    let total: f64 = c.iter().zip(z).map(|(&c, &z)| p(c, z) - p(c, 0.0)).sum();
    total / c.len() as f64
}

/// The headline numbers.
pub struct Report {
    pub final_elbo: f64,
    pub elbo_mean_last100: f64,
    pub do_z: Estimate,
    pub do_zero: Estimate,
    pub effect: Estimate,
    pub truth: f64,
    pub steps_per_s: f64,
    /// The summary of the coefficients and sigma.
    pub coefficients: Summary,
    /// The ELBO estimate at every step.
    pub elbo: Vec<f64>,
    /// The printed report.
    pub text: String,
    /// The JSON report.
    pub json: serde_json::Value,
}

impl Report {
    fn of(
        model: &ConfounderNetwork,
        fit: &SviFit<'_, ConfounderNetwork>,
        (c, z): (&DVector<f64>, &DVector<f64>),
        steps_per_s: f64,
        seed: u64,
    ) -> Result<Self, Error> {
        let finite: Vec<f64> = fit.elbo.iter().copied().filter(|e| e.is_finite()).collect();
        let last = &finite[finite.len().saturating_sub(100)..];
        // The outcome probability averaged over the units, per posterior draw; the observed
        // c is kept under both interventions.
        let at = |value: DVector<f64>| {
            // z = 0 lies outside LogNormal's support: the what-if is asked on purpose.
            let intervened = model.condition().c(c.clone()).intervene().z(value).build();
            let intervened = intervened.unchecked();
            posterior_predictive_map(fit, &intervened, seed, |t| {
                t.logit_y.map(|&v| sigmoid(v)).mean()
            })
        };
        let with_z: Vec<f64> = at(z.clone())?.concat();
        let with_zero: Vec<f64> = at(DVector::zeros(z.len()))?.concat();
        let difference: Vec<f64> = with_z.iter().zip(&with_zero).map(|(a, b)| a - b).collect();
        Ok(Report {
            final_elbo: *finite.last().unwrap_or(&f64::NAN),
            elbo_mean_last100: last.iter().sum::<f64>() / last.len().max(1) as f64,
            do_z: Estimate::of(&with_z),
            do_zero: Estimate::of(&with_zero),
            effect: Estimate::of(&difference),
            truth: f64::NAN,
            steps_per_s,
            coefficients: global_rows(fit)?,
            elbo: Vec::new(),
            text: String::new(),
            json: serde_json::Value::Null,
        })
    }

    fn describe(&self, fit: &SviFit<'_, ConfounderNetwork>) -> String {
        let e = |e: &Estimate| format!("{:.4} [{:.4}, {:.4}]", e.mean, e.lo, e.hi);
        format!(
            "SVI (AutoNormal, Adam 0.01): {} steps, {} skipped, {:.0} steps/s ({:?})\n\
             final ELBO {:.2}, mean of the last 100 {:.2}\n\n{}\n\
             P(y = 1) under do(z = Z): {}\nP(y = 1) under do(z = 0): {}\neffect: {} (truth {:.4})",
            fit.elbo.len(),
            fit.skipped,
            self.steps_per_s,
            fit.gradient_mode,
            self.final_elbo,
            self.elbo_mean_last100,
            self.coefficients,
            e(&self.do_z),
            e(&self.do_zero),
            e(&self.effect),
            self.truth
        )
    }

    fn to_json(&self, fit: &SviFit<'_, ConfounderNetwork>) -> serde_json::Value {
        let e = |e: &Estimate| serde_json::json!({"mean": e.mean, "lo": e.lo, "hi": e.hi});
        let coefficients: serde_json::Map<String, serde_json::Value> = self
            .coefficients
            .rows
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    serde_json::json!({"mean": r.mean, "sd": r.sd, "lo": r.lo, "hi": r.hi}),
                )
            })
            .collect();
        serde_json::json!({
            "final_elbo": self.final_elbo,
            "elbo_mean_last100": self.elbo_mean_last100,
            "coefficients": coefficients,
            "do_z": e(&self.do_z),
            "do_zero": e(&self.do_zero),
            "effect": e(&self.effect),
            "truth": self.truth,
            "steps_per_s": self.steps_per_s,
            "skipped_steps": fit.skipped,
        })
    }
}

/// The summary rows of the coefficients and sigma (not the per-unit z).
fn global_rows(fit: &SviFit<'_, ConfounderNetwork>) -> Result<Summary, Error> {
    let globals = [
        "beta_cz", "beta_cy", "beta_xz", "beta_zy", "beta_z", "beta_y", "sigma",
    ];
    Ok(fit.summary_of(&globals)?)
}

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}
