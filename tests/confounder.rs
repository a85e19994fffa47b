//! The confounder example (SVI with AutoNormal on a per-unit LogNormal latent): on its
//! synthetic data, the effect of do(z = Z) versus do(z = 0) covers the truth, and the ELBO
//! climbed.

#[allow(dead_code)]
#[path = "../examples/confounder/analysis.rs"]
mod analysis;
#[path = "../examples/confounder/model.rs"]
mod model;

use analysis::{Args, analyze};

#[test]
fn the_confounder_example_recovers_its_true_effect() {
    let args = Args {
        n: 100,
        steps: 5_000,
        seed: 0,
        json: None,
        plots: None,
    };
    let report = analyze(&args).unwrap();
    let e = &report.effect;
    assert!(
        e.lo < report.truth && report.truth < e.hi,
        "{} not in {e:?}",
        report.truth
    );
    assert!(report.final_elbo.is_finite() && report.elbo_mean_last100.is_finite());
    assert_eq!(report.json["truth"], report.truth);
    assert!(report.json["coefficients"]["beta_zy"]["mean"].is_f64());
}
