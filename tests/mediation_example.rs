//! The mediation example: on its simulated family-intervention data, every part of the
//! decomposition lies within 3 posterior sds of the truth, the parts add up, and the JSON
//! carries what the example promises.

#[allow(dead_code)]
#[path = "../examples/mediation/analysis.rs"]
mod analysis;
#[path = "../examples/mediation/model.rs"]
mod model;

use analysis::{Args, analyze};

#[test]
fn the_mediation_example_recovers_its_simulated_effects() {
    let args = Args {
        n: 410,
        seed: 1,
        num_warmup: 500,
        num_draws: 500,
        json: None,
    };
    let report = analyze(&args).unwrap();
    for (part, truth) in report.parts.iter().zip(report.truth) {
        assert!(
            (part.mean - truth).abs() < 3.0 * part.sd,
            "{part:?} vs truth {truth}"
        );
    }
    // TE = NDE + NIE₁ + NIE₂ + INT holds per draw, hence for the means.
    let p = &report.parts;
    let sum = p[1].mean + p[2].mean + p[3].mean + p[4].mean;
    assert!((p[0].mean - sum).abs() < 1e-12);
    let t = report.truth;
    assert!((t[0] - (t[1] + t[2] + t[3] + t[4])).abs() < 1e-12);
    // The intervention lowers the risk, mostly through deviant peers.
    assert!(p[0].hi < 0.0 && p[2].hi < 0.0);
    assert!(report.max_rhat < 1.02 && report.divergences == 0);
    // The mediators' effects are identified given the intervention and the covariates,
    // which are data arguments: nodes of the graph.
    assert!(report.identification[0].contains("adjustment for ∅"));
    assert!(report.identification[1].contains("adjustment for {fam_int, conflict, gender}"));
    let json = report.json();
    for key in ["te", "nde", "interaction"] {
        assert!(
            json[key]["mean"].is_f64() && json[key]["lo"].is_f64(),
            "{key}"
        );
    }
    assert_eq!(json["nie"]["dev_peer"]["mean"], p[2].mean);
    assert_eq!(json["truth"]["nie"]["sub_exp"], t[3]);
}
