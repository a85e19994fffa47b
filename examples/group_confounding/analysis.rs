//! The group-confounding analysis: simulated units in groups (the group mean of x moves the
//! outcome), the five models, each one's estimate of the within-group effect of x against
//! the truth, and their PSIS-LOO comparison on the outcome.

use crate::model::{FixedEffects, Mundlak, MundlakLatent, Pooled, RandomIntercepts};
use doppl::inference::loo::{
    Loo, Ranked, compare, loo, pointwise_log_likelihood, relative_efficiency,
};
use doppl::inference::{ErrorChain, Estimate};
use doppl::prelude::*;
use rand::RngExt;
use rand_distr::StandardNormal;

/// The true within-group effect of x.
pub const TRUE_EFFECT: f64 = 1.0;
/// How strongly the group mean of x moves the group's intercept.
const CONFOUNDING: f64 = 0.6;

/// The command line.
pub struct Args {
    pub groups: usize,
    pub per_group: usize,
    pub seed: u64,
    pub json: Option<String>,
}

/// One simulated study.
pub struct Study {
    pub x: DVector<f64>,
    pub y: DVector<f64>,
    pub group: Vec<usize>,
    pub x_bar: DVector<f64>,
}

/// x = m_g + e, intercept = 0.6 m_g + N(0, 0.25²), y = intercept + x + N(0, 1): group
/// intercepts vary little beyond what the group mean of x explains, so random intercepts
/// pool them strongly and inherit the confounding.
pub fn simulate(groups: usize, per_group: usize, seed: u64) -> Study {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut z = || -> f64 { rng.sample(StandardNormal) };
    let means: Vec<f64> = (0..groups).map(|_| z()).collect();
    let intercepts: Vec<f64> = means.iter().map(|m| CONFOUNDING * m + 0.25 * z()).collect();
    let group: Vec<usize> = (0..groups * per_group).map(|i| i / per_group).collect();
    let x = DVector::from_fn(group.len(), |i, _| means[group[i]] + z());
    let y = DVector::from_fn(group.len(), |i, _| {
        intercepts[group[i]] + TRUE_EFFECT * x[i] + z()
    });
    let x_bar = DVector::from_fn(groups, |g, _| {
        (0..per_group).map(|k| x[g * per_group + k]).sum::<f64>() / per_group as f64
    });
    Study { x, y, group, x_bar }
}

/// One model's estimate of the effect and its LOO on the outcome.
pub struct Fitted {
    pub name: &'static str,
    pub estimate: Estimate,
    pub loo: Loo,
}

fn fitted<'m, M: Model + 'm>(
    name: &'static str,
    fit: Result<Posterior<'m, M>, doppl::inference::FitError>,
    b: impl Fn(&M::Values) -> f64,
) -> Result<Fitted, String> {
    let fit = fit.map_err(|e| ErrorChain(&e).to_string())?;
    let draws: Vec<f64> = fit.all_draws().map(b).collect();
    let ll = pointwise_log_likelihood(&fit).map_err(|e| e.to_string())?;
    let on_y = ll.site("y").ok_or("the outcome is not observed")?;
    Ok(Fitted {
        name,
        estimate: Estimate::of(&draws),
        loo: loo(&on_y, relative_efficiency(&fit)).map_err(|e| e.to_string())?,
    })
}

/// Fits the five models to one study (or the four of the coverage study when
/// `with_latent` is false).
pub fn fit_all(study: &Study, seed: u64, with_latent: bool) -> Result<Vec<Fitted>, String> {
    let options = NutsOptions {
        num_warmup: 500,
        num_draws: 500,
        seed,
        progress: false,
        ..Default::default()
    };
    let (x, y, g, j) = (&study.x, &study.y, &study.group, study.x_bar.len());
    let pooled = Pooled::new(x);
    let fixed = FixedEffects::new(x, g, j);
    let random = RandomIntercepts::new(x, g, j);
    let mundlak = Mundlak::new(x, &study.x_bar, g);
    let latent = MundlakLatent::new(g, j);
    let mut out = vec![
        fitted(
            "pooled",
            nuts(pooled.condition().y(y.clone()), &options),
            |d| d.b.unwrap(),
        )?,
        fitted(
            "fixed effects",
            nuts(fixed.condition().y(y.clone()), &options),
            |d| d.b.unwrap(),
        )?,
        fitted(
            "random intercepts",
            nuts(random.condition().y(y.clone()), &options),
            |d| d.b.unwrap(),
        )?,
        fitted(
            "Mundlak",
            nuts(mundlak.condition().y(y.clone()), &options),
            |d| d.b.unwrap(),
        )?,
    ];
    if with_latent {
        let observed = latent.condition().x(x.clone()).y(y.clone());
        out.push(fitted(
            "Mundlak, latent group mean",
            nuts(observed, &options),
            |d| d.b.unwrap(),
        )?);
    }
    Ok(out)
}

/// What the example reports.
pub struct Report {
    pub models: Vec<Fitted>,
    pub ranking: Vec<Ranked>,
}

/// Simulates, fits and compares.
pub fn analyze(args: &Args) -> Result<Report, String> {
    let study = simulate(args.groups, args.per_group, args.seed);
    let models = fit_all(&study, args.seed, true)?;
    let named: Vec<(&str, &Loo)> = models.iter().map(|m| (m.name, &m.loo)).collect();
    let ranking = compare(&named).map_err(|e| e.to_string())?;
    Ok(Report { models, ranking })
}

impl Report {
    /// The two tables the example prints.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "Within-group effect of x (truth {TRUE_EFFECT}), posterior mean [89% interval]:\n"
        );
        for m in &self.models {
            let e = &m.estimate;
            let covers = if e.lo < TRUE_EFFECT && TRUE_EFFECT < e.hi {
                "covers"
            } else {
                "misses"
            };
            out += &format!(
                "  {:<28} {:6.3} [{:6.3}, {:6.3}]  {covers} the truth\n",
                m.name, e.mean, e.lo, e.hi
            );
        }
        out += "\nPSIS-LOO on the outcome, best first:\n  model                        elpd_loo     se   p_loo  max k̂  elpd_diff    dse\n";
        for r in &self.ranking {
            out += &format!(
                "  {:<28} {:8.1} {:6.1} {:7.1} {:6.2} {:10.1} {:6.1}\n",
                r.name,
                r.loo.elpd_loo,
                r.loo.se,
                r.loo.p_loo,
                r.loo.max_khat(),
                r.elpd_diff,
                r.dse
            );
        }
        for r in self
            .ranking
            .iter()
            .filter(|r| !r.loo.unreliable().is_empty())
        {
            out += &format!(
                "  note: {}: {} observations with k̂ > {:.2}; its elpd_loo is unreliable there \
                 (a free intercept per small group leans on each unit)\n",
                r.name,
                r.loo.unreliable().len(),
                r.loo.khat_threshold
            );
        }
        out
    }

    /// The `--json` report: per model its estimate and LOO, and the truth.
    pub fn json(&self) -> serde_json::Value {
        let models: serde_json::Map<String, serde_json::Value> = self
            .models
            .iter()
            .map(|m| {
                let e = &m.estimate;
                (
                    m.name.to_string(),
                    serde_json::json!({
                        "estimate": {"mean": e.mean, "lo": e.lo, "hi": e.hi},
                        "elpd_loo": m.loo.elpd_loo,
                        "se": m.loo.se,
                        "p_loo": m.loo.p_loo,
                        "max_khat": m.loo.max_khat(),
                    }),
                )
            })
            .collect();
        serde_json::json!({"models": models, "truth": TRUE_EFFECT,
                           "ranking": self.ranking.iter().map(|r| r.name.clone()).collect::<Vec<_>>()})
    }
}
