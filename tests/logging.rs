//! The fit's warnings also go through the `log` facade, for applications that configure
//! logging: the sampler's (here tree-depth saturation) when `nuts` returns, under target
//! `doppl::nuts`, and the convergence ones (R-hat, ESS) when a summary is made, under
//! `doppl::summary`. A logger is process-wide, so this binary holds one test.

use doppl::prelude::*;
use std::sync::Mutex;

static RECORDS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record<'_>) {
        let entry = (record.target().to_string(), record.args().to_string());
        RECORDS.lock().unwrap().push(entry);
    }
    fn flush(&self) {}
}

/// A strongly correlated pair: a shallow tree saturates and mixes slowly.
#[model]
fn ridge() {
    let a = sample!(Normal::new(0.0, 10.0));
    let b = sample!(Normal::new(a, 0.01));
}

#[test]
fn warnings_are_logged_where_the_application_listens() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Warn);
    let options = NutsOptions {
        num_warmup: 100,
        num_draws: 100,
        max_depth: 2,
        seed: 1,
        ..Default::default()
    };
    let model = Ridge::new();
    let posterior = nuts(model.scenario(), &options).unwrap();
    let logged = |target: &str| -> Vec<String> {
        let records = RECORDS.lock().unwrap();
        records
            .iter()
            .filter(|(t, _)| t == target)
            .map(|(_, m)| m.clone())
            .collect()
    };
    let at_fit = logged("doppl::nuts");
    assert!(
        at_fit.iter().any(|m| m.contains("maximum tree depth")),
        "{at_fit:?}"
    );
    assert!(logged("doppl::summary").is_empty());
    let summary = posterior.summary();
    let at_summary = logged("doppl::summary");
    assert!(!at_summary.is_empty(), "{summary}");
    assert!(
        at_summary
            .iter()
            .all(|m| m.contains("R-hat") || m.contains("ESS")),
        "{at_summary:?}"
    );
    // The summary's own list holds both kinds.
    assert_eq!(summary.warnings.len(), at_fit.len() + at_summary.len());
}
