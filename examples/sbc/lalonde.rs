//! SBC of the Lalonde outcome model (examples/lalonde/model.rs) on a small synthetic design
//! the program makes itself (40 units, 2 covariates), so that one fit takes milliseconds.
//! Each replicate draws every parameter from the prior, simulates the assignment and the
//! earnings, and fits the model conditioned on both.

#[path = "../lalonde/model.rs"]
mod earnings;

use crate::study::{Chains, Fitted, Parameters, element};
use doppl::prelude::*;
use earnings::Earnings;
use rand_distr::{Distribution as _, StandardNormal, Uniform};

/// Units and covariates of the synthetic design.
pub const UNITS: usize = 40;
pub const COVARIATES: usize = 2;

/// The ranked parameters, in the CSV's order.
pub const PARAMETERS: &[&str] = &[
    "p_treat",
    "intercept",
    "beta_treat",
    "beta_interact",
    "beta_cov[1]",
    "beta_cov[2]",
    "sigma",
];

/// The Lalonde model's rank columns.
pub struct Ranks;

impl Parameters for Ranks {
    const COLUMNS: &'static [&'static str] = &[
        "rank_p_treat",
        "rank_intercept",
        "rank_beta_treat",
        "rank_beta_interact",
        "rank_beta_cov1",
        "rank_beta_cov2",
        "rank_sigma",
    ];
}

/// The design: covariates uniform on (−1.5, 1.5) and a no-degree indicator for every other
/// unit, the same in every replicate (SBC averages over the prior, not over designs).
pub fn design() -> Result<(DMatrix<f64>, DVector<f64>), String> {
    let mut rng = StdRng::seed_from_u64(1978);
    let uniform = Uniform::new(-1.5, 1.5).map_err(|e| e.to_string())?;
    let x = DMatrix::from_fn(UNITS, COVARIATES, |_, _| uniform.sample(&mut rng));
    let nodegree = DVector::from_fn(UNITS, |i, _| (i % 2) as f64);
    Ok((x, nodegree))
}

/// Simulates from `seed` and fits. With `widen` = 1 the truth comes from the model's own
/// prior; with `widen` = 2 the intercept, coefficients and noise scale are drawn from
/// priors twice as wide and the data simulated under do(those values): the fitted prior
/// is then too narrow and shrinks the large truths, and SBC must see it.
pub fn replicate(seed: u64, chains: &Chains, widen: f64) -> Result<Fitted, String> {
    let (x, nodegree) = design()?;
    let model = Earnings::new(&x, &nodegree);
    let mut rng = StdRng::seed_from_u64(seed);
    let truth = if widen == 1.0 {
        model.scenario().sample_prior(&mut rng)
    } else {
        let mut z = |scale: f64| -> f64 {
            let draw: f64 = StandardNormal.sample(&mut rng);
            widen * scale * draw
        };
        let (intercept, beta_treat, beta_interact) = (z(5.0), z(2.0), z(2.0));
        let beta_cov = DVector::from_fn(COVARIATES, |_, _| z(1.0));
        let sigma = z(5.0).abs();
        model
            .intervene()
            .intercept(intercept)
            .beta_treat(beta_treat)
            .beta_interact(beta_interact)
            .beta_cov(beta_cov)
            .sigma(sigma)
            .sample_prior(&mut rng)
    }
    .map_err(|e| e.to_string())?;
    let observed = model
        .condition()
        .treat(truth.treat.clone())
        .y(truth.y.clone());
    let fit = nuts(observed, &chains.options(seed)).map_err(|e| ErrorChain(&e).to_string())?;
    let beta_cov = fit.site(|d| &d.beta_cov);
    Ok(Fitted {
        truths: vec![
            truth.p_treat,
            truth.intercept,
            truth.beta_treat,
            truth.beta_interact,
            truth.beta_cov[0],
            truth.beta_cov[1],
            truth.sigma,
        ],
        draws: vec![
            fit.site(|d| &d.p_treat),
            fit.site(|d| &d.intercept),
            fit.site(|d| &d.beta_treat),
            fit.site(|d| &d.beta_interact),
            element(&beta_cov, 0),
            element(&beta_cov, 1),
            fit.site(|d| &d.sigma),
        ],
        divergences: fit.num_divergent(),
    })
}
