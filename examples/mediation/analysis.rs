//! The mediation analysis: simulated family-intervention data with known effects, the NUTS
//! fit, the decomposition of the intervention's effect on the risk of a disorder, and the
//! truth it should recover.

use crate::model::Family;
use doppl::inference::{Effects, ErrorChain, Mediation, mediation};
use doppl::prelude::*;
use rand::RngExt;
use rand_distr::StandardNormal;

/// The command line.
pub struct Args {
    pub n: usize,
    pub seed: u64,
    pub num_warmup: usize,
    pub num_draws: usize,
    pub json: Option<String>,
}

/// The simulation's parameters: (intercept, intervention, conflict, gender) per mediator,
/// and the outcome's (intercept, intervention, dev_peer, sub_exp, conflict, gender).
const PEER: [f64; 4] = [0.2, -0.6, 0.4, 0.2];
const EXPERIMENT: [f64; 4] = [-0.1, -0.5, 0.3, -0.2];
const OUTCOME: [f64; 6] = [-1.0, -0.3, 0.9, 0.7, 0.4, 0.2];

/// One simulated study.
pub struct Study {
    pub gender: DVector<f64>,
    pub conflict: DVector<f64>,
    pub fam_int: DVector<f64>,
    pub dev_peer: DVector<f64>,
    pub sub_exp: DVector<f64>,
    pub sub_disorder: DVector<f64>,
}

fn mediator(coef: &[f64; 4], t: f64, conflict: f64, gender: f64, noise: f64) -> f64 {
    coef[0] + coef[1] * t + coef[2] * conflict + coef[3] * gender + noise
}

fn risk(t: f64, peer: f64, exp: f64, conflict: f64, gender: f64) -> f64 {
    let c = OUTCOME;
    let logit = c[0] + c[1] * t + c[2] * peer + c[3] * exp + c[4] * conflict + c[5] * gender;
    1.0 / (1.0 + (-logit).exp())
}

/// `n` families: half get the intervention at random; mediators with unit-sd noise.
pub fn simulate(n: usize, seed: u64) -> Study {
    let mut rng = StdRng::seed_from_u64(seed);
    let gender = DVector::from_fn(n, |_, _| f64::from(rng.random_bool(0.5)));
    let conflict = DVector::from_fn(n, |_, _| rng.sample::<f64, _>(StandardNormal));
    let fam_int = DVector::from_fn(n, |_, _| f64::from(rng.random_bool(0.5)));
    let mut noisy = |coef, i: usize| {
        let e = rng.sample::<f64, _>(StandardNormal);
        mediator(coef, fam_int[i], conflict[i], gender[i], e)
    };
    let dev_peer = DVector::from_fn(n, |i, _| noisy(&PEER, i));
    let sub_exp = DVector::from_fn(n, |i, _| noisy(&EXPERIMENT, i));
    let sub_disorder = DVector::from_fn(n, |i, _| {
        let p = risk(fam_int[i], dev_peer[i], sub_exp[i], conflict[i], gender[i]);
        f64::from(rng.random::<f64>() < p)
    });
    Study {
        gender,
        conflict,
        fam_int,
        dev_peer,
        sub_exp,
        sub_disorder,
    }
}

/// The true parts for these families' covariates: each world's risk averaged over the
/// mediators' noise (20,000 common draws per family) and over the families.
pub fn truth(study: &Study) -> [f64; 5] {
    let mut rng = StdRng::seed_from_u64(99);
    let reps = 20_000;
    let mut sums = [0.0; 5];
    let n = study.gender.len();
    for _ in 0..reps {
        let (e1, e2): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
        for i in 0..n {
            let (c, g) = (study.conflict[i], study.gender[i]);
            let m = |t: f64| {
                (
                    mediator(&PEER, t, c, g, e1),
                    mediator(&EXPERIMENT, t, c, g, e2),
                )
            };
            let ((p1, x1), (p0, x0)) = (m(1.0), m(0.0));
            let base = risk(0.0, p0, x0, c, g);
            let te = risk(1.0, p1, x1, c, g) - base;
            let nde = risk(1.0, p0, x0, c, g) - base;
            let via_peer = risk(0.0, p1, x0, c, g) - base;
            let via_exp = risk(0.0, p0, x1, c, g) - base;
            let parts = [te, nde, via_peer, via_exp, te - nde - via_peer - via_exp];
            sums.iter_mut().zip(parts).for_each(|(s, p)| *s += p);
        }
    }
    sums.map(|s| s / (reps * n) as f64)
}

/// What the analysis found.
pub struct Report {
    /// Total, direct, via dev_peer, via sub_exp, interaction.
    pub parts: Vec<Estimate>,
    pub truth: [f64; 5],
    pub max_rhat: f64,
    pub divergences: usize,
    /// The graph's identification of the intervention's and each mediator's effect.
    pub identification: Vec<String>,
}

/// Simulates, fits and decomposes.
pub fn analyze(args: &Args) -> Result<Report, String> {
    let study = simulate(args.n, args.seed);
    let model = Family::new(&study.gender, &study.conflict);
    let seen = model
        .condition()
        .fam_int(study.fam_int.clone())
        .dev_peer(study.dev_peer.clone())
        .sub_exp(study.sub_exp.clone())
        .sub_disorder(study.sub_disorder.clone())
        .build();
    let options = NutsOptions {
        num_warmup: args.num_warmup,
        num_draws: args.num_draws,
        seed: args.seed,
        ..Default::default()
    };
    let site = Family::SITE;
    // What the graph says: the intervention is randomized; each mediator's effect on the
    // outcome needs the intervention and the covariates (data nodes) adjusted for.
    let identification = vec![
        seen.identify(site.fam_int, site.sub_disorder).to_string(),
        seen.identify(site.dev_peer, site.sub_disorder).to_string(),
        seen.identify(site.sub_exp, site.sub_disorder).to_string(),
    ];
    let fit = nuts(seen, &options).map_err(|e| ErrorChain(&e).to_string())?;
    let summary = fit.summary();
    println!("{summary}");
    let n = args.n;
    let decomposition = mediation(
        &fit,
        site.fam_int,
        &[&site.dev_peer, &site.sub_exp],
        |trace| trace.risk.clone(),
        DVector::from_element(n, 1.0),
        DVector::zeros(n),
        args.seed,
    )
    .map_err(|e| ErrorChain(&e).to_string())?;
    Ok(Report {
        parts: parts(&decomposition).iter().map(|e| e.ate()).collect(),
        truth: truth(&study),
        max_rhat: summary.max_rhat(),
        divergences: fit.num_divergent(),
        identification,
    })
}

fn parts(m: &Mediation) -> [&Effects; 5] {
    [
        &m.total,
        &m.direct,
        &m.indirect[0].1,
        &m.indirect[1].1,
        &m.interaction,
    ]
}

impl Report {
    /// The table printed by the example.
    pub fn describe(&self) -> String {
        let mut out = String::from("Identification, from the model's graph:\n");
        for line in &self.identification {
            out += &format!("  {line}\n");
        }
        out += &String::from(
            "\nEffect of the family intervention on the risk of a substance-use disorder\n\
             (risk difference, intervention vs none; mean [89% interval], P(> 0), truth)\n\n",
        );
        let labels = [
            "total",
            "natural direct",
            "indirect via dev_peer",
            "indirect via sub_exp",
            "interaction",
        ];
        for ((label, e), truth) in labels.iter().zip(&self.parts).zip(self.truth) {
            out += &format!(
                "  {label:<22} {:>7.4} [{:>7.4}, {:>7.4}]  P(>0) {:.2}  truth {truth:>7.4}\n",
                e.mean, e.lo, e.hi, e.prob_positive
            );
        }
        out += &format!(
            "\nmax R-hat {:.3}, {} divergences\n\
             The truth averages over the population's noise; the posterior describes these \
             families,\nwhose observed outcomes carry their own noise: expect it within a \
             few posterior sds, not always\ninside the 89% interval.\n",
            self.max_rhat, self.divergences
        );
        out
    }

    /// The `--json` report: each part {mean, lo, hi}, `nie` per mediator, and `truth`.
    pub fn json(&self) -> serde_json::Value {
        let e = |k: usize| {
            let p = &self.parts[k];
            serde_json::json!({"mean": p.mean, "lo": p.lo, "hi": p.hi, "sd": p.sd})
        };
        let t = self.truth;
        serde_json::json!({
            "te": e(0),
            "nde": e(1),
            "nie": {"dev_peer": e(2), "sub_exp": e(3)},
            "interaction": e(4),
            "truth": {
                "te": t[0], "nde": t[1],
                "nie": {"dev_peer": t[2], "sub_exp": t[3]},
                "interaction": t[4],
            },
            "identification": self.identification,
            "max_rhat": self.max_rhat,
            "divergences": self.divergences,
        })
    }
}
