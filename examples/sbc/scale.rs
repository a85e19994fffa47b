//! Negative control: a scale fitted without the log-Jacobian of its transform. NUTS samples
//! `u = ln sigma`; the density on `u` needs the term `ln |dsigma/du| = u`, which doppl adds
//! and a hand-written sampler may forget. The model takes it back out with a `factor!`, so
//! the fitted posterior is the right one divided by sigma: pulled towards zero, the more so
//! the less the four observations say, and SBC must see it.

use crate::study::{Chains, Fitted, Parameters};
use doppl::prelude::*;
use rand_distr::{Distribution as _, Normal as NormalDraw, StandardNormal};

#[model]
pub fn scale_without_jacobian(n: usize) {
    let sigma = sample!(HalfNormal::new(1.0));
    factor!(no_jacobian, -sigma.ln());
    let y = sample!(Normal::new(0.0, sigma), plate!(n));
}

/// Observations per replicate: few, so that the prior (and the missing term) matter.
pub const UNITS: usize = 4;

/// The ranked parameters.
pub const PARAMETERS: &[&str] = &["sigma"];

/// The scale model's rank column.
pub struct Ranks;

impl Parameters for Ranks {
    const COLUMNS: &'static [&'static str] = &["rank_sigma"];
}

/// Draws sigma from its HalfNormal(1) prior and `UNITS` observations N(0, sigma), and fits
/// the model that forgot the Jacobian.
pub fn replicate(seed: u64, chains: &Chains) -> Result<Fitted, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let draw: f64 = StandardNormal.sample(&mut rng);
    let sigma = draw.abs();
    let noise = NormalDraw::new(0.0, sigma).map_err(|e| e.to_string())?;
    let y = DVector::from_fn(UNITS, |_, _| noise.sample(&mut rng));
    let model = ScaleWithoutJacobian::new(UNITS);
    let fit = nuts(model.condition().y(y), &chains.options(seed))
        .map_err(|e| ErrorChain(&e).to_string())?;
    Ok(Fitted {
        truths: vec![sigma],
        draws: vec![fit.site(|d| &d.sigma)],
        divergences: fit.num_divergent(),
    })
}
