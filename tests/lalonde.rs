//! The Lalonde example's analysis on the real data set (`../shared/data/lalonde.csv`) and on
//! its synthetic data with known effects.

#[allow(dead_code)]
#[path = "../examples/lalonde/analysis.rs"]
mod analysis;
#[path = "common/ci.rs"]
mod ci;
#[allow(dead_code)]
#[path = "../examples/lalonde/data.rs"]
mod data;
#[path = "../examples/lalonde/model.rs"]
mod model;
#[allow(dead_code)]
#[path = "../examples/lalonde/report.rs"]
mod report;

use analysis::{Args, analyze};

fn args(data: Option<String>) -> Args {
    Args {
        data,
        json: None,
        draws: None,
        plots: None,
        num_warmup: 1000,
        num_draws: 1000,
        seed: 5,
    }
}

#[test]
fn lalonde_on_the_real_data_converges() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/lalonde.csv");
    if !std::path::Path::new(path).exists() {
        ci::skip_unless_ci(path);
        return;
    }
    let report = analyze(&args(Some(path.to_string()))).expect("analysis runs");
    assert!(report.max_rhat < 1.01, "max R-hat {}", report.max_rhat);
    assert!(
        report.min_ess_bulk > 400.0,
        "min bulk ESS {}",
        report.min_ess_bulk
    );
    assert_eq!(report.divergences, 0);
    // The predictive check brackets the observed arm means.
    for arm in &report.arms {
        assert!(
            arm.predicted.lo < arm.observed && arm.observed < arm.predicted.hi,
            "{}: {} not in [{}, {}]",
            arm.label,
            arm.observed,
            arm.predicted.lo,
            arm.predicted.hi
        );
    }
    // The ATE is a weighted average of the two CATEs.
    assert!(report.ate.mean > report.cate_nodegree_0.mean.min(report.cate_nodegree_1.mean));
    assert!(report.ate.mean < report.cate_nodegree_0.mean.max(report.cate_nodegree_1.mean));
}

#[test]
fn synthetic_lalonde_recovers_the_true_effects_where_the_naive_difference_does_not() {
    let report = analyze(&args(None)).expect("analysis runs");
    let truth = report.truth.expect("synthetic data know their effects");
    let (ate, cate1, cate0) = (truth.ate, truth.cate_nodegree_1, truth.cate_nodegree_0);
    // More of the treated lack a degree, so the effect on them exceeds the average effect.
    assert!(truth.att > truth.ate && truth.atu < truth.ate);
    for (name, estimate, value) in [
        ("ATT", report.att, truth.att),
        ("ATU", report.atu, truth.atu),
    ] {
        assert!(
            estimate.lo < value && value < estimate.hi,
            "{name} {value} outside {estimate:?}"
        );
    }
    assert!(report.max_rhat < 1.01);
    assert!(
        report.ate.lo < ate && ate < report.ate.hi,
        "ATE {ate} outside {:?}",
        report.ate
    );
    assert!(report.cate_nodegree_1.lo < cate1 && cate1 < report.cate_nodegree_1.hi);
    assert!(report.cate_nodegree_0.lo < cate0 && cate0 < report.cate_nodegree_0.hi);
    assert!(
        report.naive < report.ate.lo,
        "confounding biases the naive difference downwards"
    );
    // The model draws treatment from p_treat alone and the covariates enter as data: its
    // graph has no back-door path from treat to y.
    assert_eq!(
        report.identification,
        "effect of `treat` on `y`: identified by back-door adjustment for ∅ (no back-door path is open)"
    );
}
