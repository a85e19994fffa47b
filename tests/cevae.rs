//! The CEVAE-style example (a custom guide with an encoder network, a network inside the
//! model): on its synthetic data the effect of engagement on purchases covers the truth
//! while the naive difference is far off; on the real online-game file (when present) the
//! estimate lands near the front-door estimate, which it should match (see the example's
//! docs), and far from the naive difference.

mod common;

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
