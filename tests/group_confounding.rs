//! Group confounding over 20 simulated studies (30 groups of 5 units, the group mean of x
//! moving the intercept): complete pooling and random intercepts are biased (their 89%
//! intervals miss the true within-group effect in most studies), fixed effects and the
//! Mundlak device cover it in at least 80%. The example's report carries its JSON keys, and
//! LOO ranks the pooled model last.

#[allow(dead_code)]
#[path = "../examples/group_confounding/analysis.rs"]
mod analysis;
#[path = "../examples/group_confounding/model.rs"]
mod model;

use analysis::{Args, TRUE_EFFECT, analyze, fit_all, simulate};

#[test]
fn fixed_effects_and_mundlak_cover_the_within_effect_pooling_does_not() {
    let studies = 20;
    let mut covered = [0usize; 4];
    for seed in 0..studies {
        let study = simulate(30, 5, 100 + seed);
        let models = fit_all(&study, seed, false).unwrap();
        for (k, m) in models.iter().enumerate() {
            let e = &m.estimate;
            covered[k] += usize::from(e.lo < TRUE_EFFECT && TRUE_EFFECT < e.hi);
        }
    }
    let names = ["pooled", "fixed effects", "random intercepts", "Mundlak"];
    eprintln!("coverage of the truth over {studies} studies: {names:?} {covered:?}");
    assert!(covered[0] * 2 < studies as usize, "pooled {covered:?}");
    assert!(
        covered[2] * 2 < studies as usize,
        "random intercepts {covered:?}"
    );
    assert!(
        covered[1] * 5 >= studies as usize * 4,
        "fixed effects {covered:?}"
    );
    assert!(
        covered[3] * 5 >= studies as usize * 4,
        "Mundlak {covered:?}"
    );
}

#[test]
fn the_example_reports_estimates_and_loo_per_model() {
    let args = Args {
        groups: 30,
        per_group: 5,
        seed: 1,
        json: None,
    };
    let report = analyze(&args).unwrap();
    assert_eq!(report.models.len(), 5);
    assert_eq!(report.ranking.last().unwrap().name, "pooled");
    let json = report.json();
    for m in &report.models {
        let entry = &json["models"][m.name];
        for key in ["elpd_loo", "se", "p_loo", "max_khat"] {
            assert!(entry[key].is_f64(), "{}.{key}", m.name);
        }
        assert!(entry["estimate"]["mean"].is_f64());
    }
    assert_eq!(json["truth"], TRUE_EFFECT);
}

#[test]
fn a_group_index_out_of_range_names_the_site_and_position() {
    use doppl::prelude::*;
    let x = DVector::from_vec(vec![0.1, 0.2, 0.3]);
    let group = [0, 1, 7];
    let model = model::FixedEffects::new(&x, &group, 2);
    let err = nuts(model.condition().y(x.clone()), &NutsOptions::default()).unwrap_err();
    let text = doppl::inference::ErrorChain(&err).to_string();
    assert!(text.contains("site `y`"), "{text}");
    assert!(text.contains("index 7 at position 2"), "{text}");
}
