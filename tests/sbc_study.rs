//! Simulation-based calibration as a batch study (`examples/sbc`, issue 12), reduced: the
//! Lalonde outcome model and the dose model under do(dose) pass the χ² and ECDF-band
//! checks; the four negative controls (data from priors twice as wide; a scale fitted
//! without its log-Jacobian; Student-t(3) noise fitted with a Normal likelihood; trial data
//! fitted as if observational) are flagged; and the per-replicate rows are identical with 1 worker and 2
//! thread workers. The full-size study is `cargo run --release --features distributed
//! --example sbc` (200 simulations per model, longer chains).
//!
//! The thresholds are the study's own: each parameter's band and χ² test at
//! α = 0.05 / P (P parameters), so a calibrated model fails either check with probability
//! below 5% each, and a control must leave its band.

#[path = "../examples/sbc/dose.rs"]
mod dose;
#[path = "../examples/sbc/lalonde.rs"]
mod lalonde;
#[path = "../examples/sbc/report.rs"]
#[allow(dead_code)]
mod report;
#[path = "../examples/sbc/scale.rs"]
mod scale;
#[path = "../examples/sbc/study.rs"]
mod study;

use doppl::batch::{Layout, Outcome, Row};
use study::{Chains, Model, SbcFit, Sim, sbc_study};

/// Simulations per model: at 40 the wider-prior control leaves its band by a point or two,
/// at 120 by many (the full study's 200 by 49 of 99 points for beta_treat).
const SIMS: u64 = 120;
const SEED: u64 = 12;

fn rows(layout: &Layout) -> Vec<Row<Sim, SbcFit>> {
    sbc_study(&Model::ALL, SIMS, SEED, Chains::new(true))
        .progress(false)
        .run(layout)
        .expect("the study runs")
        .expect("one process: this one has the rows")
}

#[test]
fn calibrated_models_pass_controls_are_flagged_and_rows_do_not_depend_on_workers() {
    let two = rows(&Layout::Threads(2));
    let max_rank = Chains::new(true).max_rank;
    for model in Model::ALL {
        let mine = report::rows_of(&two, model);
        assert_eq!(mine.len(), SIMS as usize);
        assert!(
            mine.iter().all(|r| matches!(r.outcome, Outcome::Ok(_))),
            "{}: a fit failed",
            model.name()
        );
        let summary = report::summarize(&mine, max_rank).unwrap();
        let text = report::describe(model, &summary, &mine);
        let level = report::ALPHA / model.parameters().len() as f64;
        assert!((summary.band.alpha - level).abs() < 1e-15);
        assert!(summary.band.coverage >= 1.0 - level, "{text}");
        if model.is_control() {
            assert!(report::flagged(&summary), "a control passed:\n{text}");
        } else {
            assert!(!report::flagged(&summary), "{text}");
            for c in &summary.parameters {
                assert!(c.chi_square.p_value >= level, "{}: {text}", c.name);
            }
        }
    }
    // Which parameters the controls flag is what each mistake predicts: the mis-specified
    // intervention miscalibrates γ (the dose mechanism) only...
    let as_observed = report::summarize(&report::rows_of(&two, Model::DoseAsObserved), max_rank);
    assert_eq!(as_observed.unwrap().flagged(), ["gamma"]);
    // ...and the too-narrow prior shrinks the treatment coefficients.
    let wider = report::summarize(&report::rows_of(&two, Model::WiderPrior), max_rank).unwrap();
    assert!(
        wider.flagged().contains(&"beta_treat"),
        "{:?}",
        wider.flagged()
    );
    // A forgotten Jacobian and heavy-tailed noise both miscalibrate the scale.
    for control in [Model::NoJacobian, Model::StudentNoise] {
        let summary = report::summarize(&report::rows_of(&two, control), max_rank).unwrap();
        assert!(
            summary.flagged().contains(&"sigma"),
            "{:?}",
            summary.flagged()
        );
    }
    // One worker: the same rows, bit for bit (f64 equality on ranks' diagnostics).
    let one = rows(&Layout::Threads(1));
    assert_eq!(one, two);
}
