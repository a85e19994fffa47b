//! SBC of an intervened model: a dose-response model in which, left alone, sicker patients
//! get higher doses (dose ~ N(γ·severity, 1)), run as a trial that sets every dose by
//! design: do(dose = the trial's doses). Under do the dose mechanism is cut, so γ keeps its
//! prior and the outcome's parameters are learnt from severity and outcome alone.

use crate::study::{Chains, Fitted, Parameters};
use doppl::prelude::*;

#[model]
pub fn dose_response(n: usize) {
    let units = plate!(n);
    let gamma = sample!(Normal::new(0.0, 1.0));
    let b0 = sample!(Normal::new(0.0, 1.0));
    let b_dose = sample!(Normal::new(0.0, 1.0));
    let b_severity = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(HalfNormal::new(1.0));
    let severity = sample!(Normal::new(0.0, 1.0), units);
    let mu_dose = deterministic!(gamma * &severity, units);
    let dose = sample!(Normal::new(mu_dose, 1.0), units);
    let mu_y = deterministic!(b0 + b_dose * &dose + b_severity * &severity, units);
    let y = sample!(Normal::new(mu_y, sigma), units);
}

/// Patients in the trial.
pub const UNITS: usize = 30;

/// The ranked parameters, in the CSV's order.
pub const PARAMETERS: &[&str] = &["gamma", "b0", "b_dose", "b_severity", "sigma"];

/// The dose model's rank columns.
pub struct Ranks;

impl Parameters for Ranks {
    const COLUMNS: &'static [&'static str] = &[
        "rank_gamma",
        "rank_b0",
        "rank_b_dose",
        "rank_b_severity",
        "rank_sigma",
    ];
}

/// The trial's doses: an even grid on [−1.5, 1.5], unrelated to severity.
pub fn trial_doses() -> DVector<f64> {
    DVector::from_fn(UNITS, |i, _| -1.5 + 3.0 * i as f64 / (UNITS - 1) as f64)
}

/// Simulates from `seed` under do(dose = the trial's doses) and fits. The calibrated fit
/// conditions the *intervened* model on severity and outcome. With `as_observed` the same
/// data are fitted by the observational model conditioned on the doses as if patients had
/// got them through N(γ·severity, 1): the doses then pull γ towards 0 whatever its prior
/// draw was, a mis-specified intervention that SBC must see in γ's ranks.
pub fn replicate(seed: u64, chains: &Chains, as_observed: bool) -> Result<Fitted, String> {
    let model = DoseResponse::new(UNITS);
    let doses = trial_doses();
    let mut rng = StdRng::seed_from_u64(seed);
    let truth = model
        .intervene()
        .dose(doses.clone())
        .sample_prior(&mut rng)
        .map_err(|e| e.to_string())?;
    let options = chains.options(seed);
    let (severity, y) = (truth.severity.clone(), truth.y.clone());
    let fit = if as_observed {
        nuts(
            model.condition().dose(doses).severity(severity).y(y),
            &options,
        )
    } else {
        let trial = model.intervene().dose(doses).condition();
        nuts(trial.severity(severity).y(y), &options)
    }
    .map_err(|e| ErrorChain(&e).to_string())?;
    Ok(Fitted {
        truths: vec![
            truth.gamma,
            truth.b0,
            truth.b_dose,
            truth.b_severity,
            truth.sigma,
        ],
        draws: vec![
            fit.site(|d| &d.gamma),
            fit.site(|d| &d.b0),
            fit.site(|d| &d.b_dose),
            fit.site(|d| &d.b_severity),
            fit.site(|d| &d.sigma),
        ],
        divergences: fit.num_divergent(),
    })
}
