//! SBC of the Lalonde outcome model (examples/lalonde/model.rs) on a small synthetic design
//! the program makes itself (40 units, 2 covariates), so that one fit takes milliseconds.
//! Each replicate draws every parameter from the prior, simulates the assignment and the
//! earnings, and fits the model conditioned on both.

#[path = "../lalonde/model.rs"]
mod earnings;

use crate::study::{Chains, Fitted, Parameters, element};
use doppl::prelude::*;
use earnings::Earnings;
use rand_distr::{Distribution as _, StandardNormal, StudentT, Uniform};

/// How a Lalonde replicate simulates and fits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Variant {
    /// Data from the model's own prior, fitted by the model: calibrated.
    Calibrated,
    /// Coefficients and noise scale from priors this many times as wide.
    WiderPrior(f64),
    /// Student-t noise with this many degrees of freedom (scaled by sigma), fitted with the
    /// model's Normal likelihood.
    StudentNoise(f64),
}

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

/// Simulates from `seed` and fits, as `variant` says. [`Variant::WiderPrior`] draws the
/// intercept, coefficients and noise scale from priors `widen` times as wide and simulates
/// the data under do(those values): the fitted prior is then too narrow and shrinks the
/// large truths, and SBC must see it.
pub fn replicate(seed: u64, chains: &Chains, variant: Variant) -> Result<Fitted, String> {
    let (x, nodegree) = design()?;
    let model = Earnings::new(&x, &nodegree);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut truth = if let Variant::WiderPrior(widen) = variant {
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
    } else {
        model.scenario().sample_prior(&mut rng)
    }
    .map_err(|e| e.to_string())?;
    if let Variant::StudentNoise(dof) = variant {
        let t = StudentT::new(dof).map_err(|e| e.to_string())?;
        let (mu, sigma) = (&truth.mu_earnings, truth.sigma);
        let y = DVector::from_fn(UNITS, |i, _| mu[i] + sigma * t.sample(&mut rng));
        truth.y = Vector::from(y);
    }
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
