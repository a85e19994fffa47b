//! The five reference posteriors of `../shared/posteriordb/` as doppl models, and the
//! scenario each one's `data.json` conditions: shared by the reference test
//! (tests/posteriordb.rs) and the adaptation study (benches/adaptation.rs).
#![allow(dead_code)]

use doppl::prelude::*;
use serde_json::Value;
use std::path::Path;

/// The posteriors, by their directory names under `posteriordb/`.
pub const POSTERIORS: [&str; 5] = [
    "eight_schools-eight_schools_noncentered",
    "kidiq-kidscore_momhsiq",
    "earnings-logearn_interaction_z",
    "sblrc-blr",
    "wells_data-wells_dist100_model",
];

/// What to do with a posterior's scenario (generic over the model, which a closure cannot be).
pub trait WithScenario {
    /// Called once with the conditioned scenario and the `target_accept` it needs.
    fn run<M: Model>(&mut self, name: &str, scenario: Scenario<'_, M>, target_accept: f64);
}

/// Reads `dir/data.json` of posterior `name` and hands its scenario to `visitor`.
pub fn with_posterior(name: &str, dir: &Path, visitor: &mut impl WithScenario) {
    let text = std::fs::read_to_string(dir.join("data.json")).expect("data.json");
    let data: Value = serde_json::from_str(&text).expect("valid JSON");
    match name {
        "eight_schools-eight_schools_noncentered" => {
            let model = EightSchools::new(&vector(&data, "sigma"));
            let scenario = model.condition().y(vector(&data, "y")).build();
            // The funnel between tau and theta_trans leaves an occasional divergence at
            // Stan's default 0.8 (Stan shows the same); 0.9 takes smaller steps near the neck.
            visitor.run(name, scenario, 0.9);
        }
        "kidiq-kidscore_momhsiq" => {
            let model = Kidiq::new(&vector(&data, "mom_hs"), &vector(&data, "mom_iq"));
            let scores = vector(&data, "kid_score");
            visitor.run(name, model.condition().kid_score(scores).build(), 0.8);
        }
        "earnings-logearn_interaction_z" => {
            let height = vector(&data, "height");
            let n = height.len() as f64;
            let (mean, sd) = (height.mean(), (height.variance() * n / (n - 1.0)).sqrt());
            let z_height = height.map(|h| (h - mean) / sd);
            let model = LogEarnings::new(&z_height, &vector(&data, "male"));
            let log_earn = vector(&data, "earn").map(f64::ln);
            visitor.run(name, model.condition().log_earn(log_earn).build(), 0.8);
        }
        "sblrc-blr" => {
            let rows = data["X"].as_array().expect("X");
            let x = DMatrix::from_fn(rows.len(), 5, |i, j| rows[i][j].as_f64().expect("number"));
            let model = Blr::new(&x);
            visitor.run(name, model.condition().y(vector(&data, "y")).build(), 0.8);
        }
        "wells_data-wells_dist100_model" => {
            let model = Wells::new(&vector(&data, "dist").map(|d| d / 100.0));
            let switched = vector(&data, "switched");
            visitor.run(name, model.condition().switched(switched).build(), 0.8);
        }
        other => panic!("unknown posterior {other}"),
    }
}

fn vector(data: &Value, key: &str) -> DVector<f64> {
    let values = data[key]
        .as_array()
        .unwrap_or_else(|| panic!("no array `{key}`"));
    DVector::from_iterator(
        values.len(),
        values.iter().map(|v| v.as_f64().expect("number")),
    )
}

#[model]
fn eight_schools(sigma: &DVector<f64>) {
    let schools = plate!(sigma.len());
    let mu = sample!(Normal::new(0.0, 5.0));
    let tau = sample!(HalfCauchy::new(5.0));
    let theta_trans = sample!(Normal::new(0.0, 1.0), schools);
    let theta = deterministic!(mu + tau * &theta_trans, schools);
    let y = sample!(Normal::new(theta, sigma), schools);
}

#[model]
fn kidiq(mom_hs: &DVector<f64>, mom_iq: &DVector<f64>) {
    let kids = plate!(mom_hs.len());
    let beta = sample!(Flat::new(), plate!(3));
    let sigma = sample!(HalfCauchy::new(2.5));
    let mu = beta[0] + beta[1] * mom_hs + beta[2] * mom_iq;
    let kid_score = sample!(Normal::new(mu, sigma), kids);
}

#[model]
fn log_earnings(z_height: &DVector<f64>, male: &DVector<f64>) {
    let people = plate!(male.len());
    let beta = sample!(Flat::new(), plate!(4));
    let sigma = sample!(HalfFlat::new());
    let mu = beta[0] + beta[1] * z_height + beta[2] * male + beta[3] * (z_height * male);
    let log_earn = sample!(Normal::new(mu, sigma), people);
}

#[model]
fn blr(x: &DMatrix<f64>) {
    let rows = plate!(x.nrows());
    let beta = sample!(Normal::new(0.0, 10.0), plate!(x.ncols()));
    let sigma = sample!(HalfNormal::new(10.0));
    let y = sample!(Normal::new(x * &beta, sigma), rows);
}

#[model]
fn wells(dist100: &DVector<f64>) {
    let households = plate!(dist100.len());
    let alpha = sample!(Flat::new());
    let beta = sample!(Flat::new());
    let switched = sample!(Bernoulli::logits(alpha + beta * dist100), households);
}
