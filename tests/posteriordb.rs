//! The five reference posteriors of `../shared/posteriordb/`, written as doppl models, fitted
//! with NUTS (4 chains × 1000 warm-up + 1000 draws, fixed seed) and checked with the
//! reference's own `check_posterior.py` (means and sds within 5 MCSE, ESS ≥ 100), with zero
//! divergences.

#[path = "common/ci.rs"]
mod ci;
mod common;

use doppl::inference::output::write_draws_csv;
use doppl::prelude::*;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn posteriordb_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/posteriordb");
    if dir.is_dir() {
        Some(dir)
    } else {
        ci::skip_unless_ci(&dir.display().to_string());
        None
    }
}

fn load(name: &str) -> Option<(PathBuf, Value)> {
    let dir = posteriordb_dir()?.join(name);
    let text = std::fs::read_to_string(dir.join("data.json")).expect("data.json");
    Some((dir, serde_json::from_str(&text).expect("valid JSON")))
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

/// Fits, writes the draws of the sites `keep` accepts as CSV and runs `check_posterior.py`.
fn fit_and_check<M: Model>(
    dir: &std::path::Path,
    scenario: Scenario<'_, M>,
    target_accept: f64,
    keep: impl Fn(&str) -> bool,
) {
    let options = NutsOptions {
        seed: 11,
        target_accept,
        ..Default::default()
    };
    let posterior = nuts(scenario, &options).expect("fit");
    assert_eq!(
        posterior.num_divergent(),
        0,
        "divergences; advice: {:?}",
        posterior.output.advice()
    );
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let csv = std::env::temp_dir().join(format!("doppl-{name}-{}.csv", std::process::id()));
    write_draws_csv(&posterior, keep, std::fs::File::create(&csv).unwrap()).unwrap();
    let out = Command::new(ci::python())
        .arg(dir.join("../check_posterior.py"))
        .arg(&csv)
        .arg(dir.join("reference.json"))
        .output()
        .expect("python3 runs");
    let report = String::from_utf8_lossy(&out.stdout);
    println!(
        "{name}:\n{}\n{report}{}",
        posterior.summary(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "check_posterior.py rejected {name}:\n{report}"
    );
    let _ = std::fs::remove_file(csv);
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

#[test]
fn eight_schools_noncentered() {
    let Some((dir, data)) = load("eight_schools-eight_schools_noncentered") else {
        return;
    };
    let model = EightSchools::new(&vector(&data, "sigma"));
    let scenario = model.condition().y(vector(&data, "y")).build();
    // The funnel between tau and theta_trans leaves an occasional divergence at Stan's
    // default 0.8 (Stan shows the same); 0.9 takes smaller steps near the neck.
    fit_and_check(&dir, scenario, 0.9, |s| s != "theta_trans");
}

#[model]
fn kidiq(mom_hs: &DVector<f64>, mom_iq: &DVector<f64>) {
    let kids = plate!(mom_hs.len());
    let beta = sample!(Flat::new(), plate!(3));
    let sigma = sample!(HalfCauchy::new(2.5));
    let mu = beta[0] + beta[1] * mom_hs + beta[2] * mom_iq;
    let kid_score = sample!(Normal::new(mu, sigma), kids);
}

#[test]
fn kidiq_kidscore_momhsiq() {
    let Some((dir, data)) = load("kidiq-kidscore_momhsiq") else {
        return;
    };
    let model = Kidiq::new(&vector(&data, "mom_hs"), &vector(&data, "mom_iq"));
    let scenario = model
        .condition()
        .kid_score(vector(&data, "kid_score"))
        .build();
    fit_and_check(&dir, scenario, 0.8, |_| true);
}

#[model]
fn log_earnings(z_height: &DVector<f64>, male: &DVector<f64>) {
    let people = plate!(male.len());
    let beta = sample!(Flat::new(), plate!(4));
    let sigma = sample!(HalfFlat::new());
    let mu = beta[0] + beta[1] * z_height + beta[2] * male + beta[3] * (z_height * male);
    let log_earn = sample!(Normal::new(mu, sigma), people);
}

#[test]
fn earnings_logearn_interaction_z() {
    let Some((dir, data)) = load("earnings-logearn_interaction_z") else {
        return;
    };
    let height = vector(&data, "height");
    let (mean, sd) = (
        height.mean(),
        height.variance().sqrt() * (height.len() as f64 / (height.len() as f64 - 1.0)).sqrt(),
    );
    let z_height = height.map(|h| (h - mean) / sd);
    let model = LogEarnings::new(&z_height, &vector(&data, "male"));
    let scenario = model
        .condition()
        .log_earn(vector(&data, "earn").map(f64::ln))
        .build();
    fit_and_check(&dir, scenario, 0.8, |_| true);
}

#[model]
fn blr(x: &DMatrix<f64>) {
    let rows = plate!(x.nrows());
    let beta = sample!(Normal::new(0.0, 10.0), plate!(x.ncols()));
    let sigma = sample!(HalfNormal::new(10.0));
    let y = sample!(Normal::new(x * &beta, sigma), rows);
}

#[test]
fn sblrc_blr() {
    let Some((dir, data)) = load("sblrc-blr") else {
        return;
    };
    let rows = data["X"].as_array().expect("X");
    let x = DMatrix::from_fn(rows.len(), 5, |i, j| rows[i][j].as_f64().expect("number"));
    let model = Blr::new(&x);
    let scenario = model.condition().y(vector(&data, "y")).build();
    fit_and_check(&dir, scenario, 0.8, |_| true);
}

#[model]
fn wells(dist100: &DVector<f64>) {
    let households = plate!(dist100.len());
    let alpha = sample!(Flat::new());
    let beta = sample!(Flat::new());
    let switched = sample!(Bernoulli::logits(alpha + beta * dist100), households);
}

#[test]
fn wells_dist100() {
    let Some((dir, data)) = load("wells_data-wells_dist100_model") else {
        return;
    };
    let model = Wells::new(&vector(&data, "dist").map(|d| d / 100.0));
    let scenario = model
        .condition()
        .switched(vector(&data, "switched"))
        .build();
    fit_and_check(&dir, scenario, 0.8, |_| true);
}
