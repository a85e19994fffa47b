//! The five reference posteriors of `../shared/posteriordb/`, written as doppl models, fitted
//! with NUTS under each metric adaptation (4 chains × 500 warm-up + 1000 draws, fixed seed)
//! and checked with the reference's own `check_posterior.py` (means and sds within 5 MCSE,
//! ESS ≥ 100), with zero divergences.

#[path = "common/adaptations.rs"]
mod adaptations;
#[path = "common/ci.rs"]
mod ci;
#[path = "common/posteriordb_models.rs"]
mod models;

use adaptations::metric_adaptations;
use doppl::inference::output::write_draws_csv;
use doppl::prelude::*;
use models::{WithScenario, with_posterior};
use std::path::{Path, PathBuf};

fn posteriordb_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/posteriordb");
    if dir.is_dir() {
        Some(dir)
    } else {
        ci::skip_unless_ci(&dir.display().to_string());
        None
    }
}

/// Fits a posterior and checks it against its reference, keeping the sites `keep` accepts.
struct Check {
    dir: PathBuf,
    keep: fn(&str) -> bool,
    metric: MetricAdaptation,
}

impl WithScenario for Check {
    fn run<M: Model>(&mut self, _name: &str, scenario: Scenario<'_, M>, target_accept: f64) {
        let options = NutsOptions {
            seed: 11,
            target_accept,
            metric: self.metric.clone(),
            ..Default::default()
        };
        fit_and_check(&self.dir, scenario, &options, self.keep);
    }
}

/// Checks posterior `name` with every metric adaptation if `../shared/posteriordb` is there
/// (it must be under CI).
fn check(name: &str, keep: fn(&str) -> bool) {
    let Some(root) = posteriordb_dir() else {
        return;
    };
    let dir = root.join(name);
    for metric in metric_adaptations() {
        println!("{name} with {metric:?}");
        let mut check = Check {
            dir: dir.clone(),
            keep,
            metric,
        };
        with_posterior(name, &dir, &mut check);
    }
}

/// Fits, writes the draws of the sites `keep` accepts as CSV and runs `check_posterior.py`.
fn fit_and_check<M: Model>(
    dir: &Path,
    scenario: Scenario<'_, M>,
    options: &NutsOptions,
    keep: impl Fn(&str) -> bool,
) {
    let posterior = nuts(scenario, options).expect("fit");
    assert_eq!(
        posterior.num_divergent(),
        0,
        "divergences; advice: {:?}",
        posterior.output.advice()
    );
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let csv = std::env::temp_dir().join(format!("doppl-{name}-{}.csv", std::process::id()));
    write_draws_csv(&posterior, keep, std::fs::File::create(&csv).unwrap()).unwrap();
    let script = dir.join("../check_posterior.py");
    let reference = dir.join("reference.json");
    let out = ci::python_output([script.as_os_str(), csv.as_os_str(), reference.as_os_str()])
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

#[test]
fn eight_schools_noncentered() {
    check("eight_schools-eight_schools_noncentered", |s| {
        s != "theta_trans"
    });
}

#[test]
fn kidiq_kidscore_momhsiq() {
    check("kidiq-kidscore_momhsiq", |_| true);
}

#[test]
fn earnings_logearn_interaction_z() {
    check("earnings-logearn_interaction_z", |_| true);
}

#[test]
fn sblrc_blr() {
    check("sblrc-blr", |_| true);
}

#[test]
fn wells_dist100() {
    check("wells_data-wells_dist100_model", |_| true);
}
