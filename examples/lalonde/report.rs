//! What the Lalonde example prints and writes as JSON.

use crate::analysis::Earnings;
use crate::data::{Study, Truth};
use doppl::prelude::*;

/// Posterior predictive mean earnings of one arm beside the observed mean.
pub struct Arm {
    pub label: &'static str,
    pub observed: f64,
    pub predicted: Estimate,
}

pub struct Report {
    pub naive: f64,
    pub ate: Estimate,
    pub cate_nodegree_1: Estimate,
    pub cate_nodegree_0: Estimate,
    pub att: Estimate,
    pub atu: Estimate,
    pub truth: Option<Truth>,
    pub max_rhat: f64,
    pub min_ess_bulk: f64,
    pub divergences: usize,
    pub seconds: (f64, f64),
    pub total_seconds: f64,
    /// Effects and the predictive check (everything after the fit).
    pub effect_seconds: f64,
    pub arms: Vec<Arm>,
    /// How the model's graph identifies the effect of `treat` on `y`.
    pub identification: String,
}

/// Mean outcome of the treated minus mean outcome of the controls.
pub fn naive_difference(treat: &DVector<f64>, y: &DVector<f64>) -> f64 {
    let mean_of = |arm: f64| {
        let v: Vec<f64> = y
            .iter()
            .zip(treat.iter())
            .filter(|(_, t)| **t == arm)
            .map(|(y, _)| *y)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    mean_of(1.0) - mean_of(0.0)
}

/// Replays each draw with the observed treatment and simulates earnings: the predicted mean
/// per arm should bracket the observed one.
pub fn predictive_check(
    posterior: &Posterior<'_, Earnings>,
    model: &Earnings,
    study: &Study,
    seed: u64,
) -> Result<Vec<Arm>, String> {
    let scenario = model.condition().treat(study.treat.clone()).build();
    let arm_mean = |y: &DVector<f64>, value: f64| {
        let picked: Vec<f64> = y
            .iter()
            .zip(study.treat.iter())
            .filter(|(_, t)| **t == value)
            .map(|(v, _)| *v)
            .collect();
        picked.iter().sum::<f64>() / picked.len() as f64
    };
    // Only the outcome of each simulated data set is kept, not the traces.
    let replicated = predict(posterior, &scenario, Earnings::SITE.y, seed)
        .map_err(|e| doppl::inference::ErrorChain(&e).to_string())?;
    let means: Vec<(f64, f64)> = replicated
        .values
        .row_iter()
        .map(|row| {
            let y = row.transpose();
            (arm_mean(&y, 1.0), arm_mean(&y, 0.0))
        })
        .collect();
    let arm = |label, value: f64| {
        let draws: Vec<f64> = means
            .iter()
            .map(|m| if value == 1.0 { m.0 } else { m.1 })
            .collect();
        Arm {
            label,
            observed: arm_mean(&study.re78, value),
            predicted: Estimate::of(&draws),
        }
    };
    Ok(vec![arm("treated", 1.0), arm("control", 0.0)])
}

fn interval(e: &Estimate) -> String {
    format!("{:7.3}  [{:7.3}, {:7.3}]", e.mean, e.lo, e.hi)
}

impl Report {
    pub fn print(&self) {
        println!(
            "Identification, from the model's graph (the covariates x and nodegree are observed\n\
             data nodes read by the outcome; the model draws treatment from p_treat alone, so\n\
             no back-door path is open in it, and the outcome regression adjusts for x):\n  {}\n",
            self.identification
        );
        println!("Effects on 1978 earnings ($1000s), posterior mean [89% interval]:");
        let truth = |value: fn(&Truth) -> f64| {
            self.truth
                .map(|t| format!("   true {:.3}", value(&t)))
                .unwrap_or_default()
        };
        println!("  naive difference in means {:7.3}", self.naive);
        println!(
            "  ATE                       {}{}",
            interval(&self.ate),
            truth(|t| t.ate)
        );
        println!(
            "  ATT (on the treated)      {}{}",
            interval(&self.att),
            truth(|t| t.att)
        );
        println!(
            "  ATU (on the untreated)    {}{}",
            interval(&self.atu),
            truth(|t| t.atu)
        );
        println!(
            "  CATE nodegree = 1         {}{}",
            interval(&self.cate_nodegree_1),
            truth(|t| t.cate_nodegree_1)
        );
        println!(
            "  CATE nodegree = 0         {}{}",
            interval(&self.cate_nodegree_0),
            truth(|t| t.cate_nodegree_0)
        );
        println!("\nPosterior predictive check, mean earnings per arm:");
        for arm in &self.arms {
            println!(
                "  {:8} observed {:7.3}   predicted {}",
                arm.label,
                arm.observed,
                interval(&arm.predicted)
            );
        }
        println!(
            "\nmax R-hat {:.4}, min bulk ESS {:.0}, divergences {}, warm-up {:.2}s, sampling {:.2}s, effects {:.2}s, total {:.2}s",
            self.max_rhat,
            self.min_ess_bulk,
            self.divergences,
            self.seconds.0,
            self.seconds.1,
            self.effect_seconds,
            self.total_seconds
        );
    }

    pub fn json(&self) -> serde_json::Value {
        let e = |e: &Estimate| serde_json::json!({"mean": e.mean, "lo": e.lo, "hi": e.hi});
        serde_json::json!({
            "ate": e(&self.ate),
            "cate_nodegree_1": e(&self.cate_nodegree_1),
            "cate_nodegree_0": e(&self.cate_nodegree_0),
            "naive": self.naive,
            "identification": self.identification,
            "att": e(&self.att),
            "atu": e(&self.atu),
            "truth": self.truth.map(|t| serde_json::json!({"ate": t.ate, "att": t.att, "atu": t.atu,
                "cate_nodegree_1": t.cate_nodegree_1, "cate_nodegree_0": t.cate_nodegree_0})),
            "max_rhat": self.max_rhat,
            "min_ess_bulk": self.min_ess_bulk,
            "divergences": self.divergences,
            "posterior_predictive": self.arms.iter().map(|a| serde_json::json!({
                "arm": a.label, "observed": a.observed, "predicted": e(&a.predicted)})).collect::<Vec<_>>(),
            "seconds": {"warmup": self.seconds.0, "sampling": self.seconds.1, "effects": self.effect_seconds, "total": self.total_seconds},
        })
    }
}
