//! The CEVAE-style example (a custom guide with an encoder network, a network inside the
//! model): on its synthetic data the effect of engagement on purchases covers the truth
//! while the naive difference is far off; on the real online-game file (when present) the
//! estimate lands near the front-door estimate, which it should match (see the example's
//! docs), and far from the naive difference.

#[path = "common/ci.rs"]
mod ci;

#[allow(dead_code)]
#[path = "../examples/cevae/analysis.rs"]
mod analysis;
#[path = "../examples/cevae/model.rs"]
mod model;

use analysis::{Args, analyze};

#[test]
fn the_cevae_example_recovers_its_synthetic_effect() {
    let args = Args {
        n: 2_000,
        steps: 3_000,
        batch: None,
        seed: 1,
        data: None,
        json: None,
        plots: None,
    };
    let report = analyze(&args).unwrap();
    let ate = report.ate;
    assert!(
        ate.lo < report.truth && report.truth < ate.hi,
        "{} not in {ate:?}",
        report.truth
    );
    // Confounding: the naive difference is several interval widths away.
    assert!(
        report.naive - ate.hi > 4.0 * (ate.hi - ate.lo),
        "{}",
        report.naive
    );
    assert!(report.final_elbo.is_finite());
    assert_eq!(report.json["truth"], report.truth);
    assert_eq!(report.elbo.len(), args.steps);
}

/// The online-game file has no ground truth. The model should match the front-door estimate
/// (DoWhy's 170 [136, 209]; won items occur only with engagement and are unrelated to the
/// file's confounders given engagement), which agrees with adjusting for those confounders
/// (player skill and time played, left out of the model as unobserved: 180 by least
/// squares), not NumPyro's plain CEVAE (69.4), whose proxy (guild) carries no information
/// on the confounder. The estimate's interval must meet DoWhy's front-door interval, and
/// the naive difference (835) must lie far outside it.
#[test]
fn on_the_online_game_file_the_effect_meets_the_front_door_interval() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/online_game_ate.csv"
    );
    if !std::path::Path::new(path).exists() {
        ci::skip_unless_ci(path);
        return;
    }
    let args = Args {
        n: 0,
        steps: 3_000,
        batch: None,
        seed: 0,
        data: Some(path.to_string()),
        json: None,
        plots: None,
    };
    let report = analyze(&args).unwrap();
    let ate = report.ate;
    let (front_door_lo, front_door_hi) = (136.0, 209.0);
    assert!(
        ate.lo < front_door_hi && ate.hi > front_door_lo,
        "{ate:?} misses the front-door interval"
    );
    assert!(
        (report.front_door - 170.2).abs() < 0.1,
        "{}",
        report.front_door
    );
    assert!(
        report.naive > ate.hi + 4.0 * (ate.hi - ate.lo),
        "{}",
        report.naive
    );
    assert!(report.truth.is_nan() && report.json["truth"].is_null());
}
