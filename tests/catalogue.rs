//! The bad-input and fault catalogue, end to end through `nuts()` / `svi()`: one test per
//! case, each asserting the typed error (or the completed, flagged fit) and the key words of
//! its message. Bad data B1–B8 fail before sampling with an error naming the site; faults
//! F1–F6 happen during sampling and are reported, not hidden.
//!
//! | case | what | outcome |
//! |---|---|---|
//! | B1 | NaN in observed data | `Distribution` error: site, index, value |
//! | B2 | observed vector of the wrong length | `Shape`: site, plate, expected, found |
//! | B3 | data arguments of inconsistent lengths | `Value`/`Shape` naming the site |
//! | B4 | observed value outside the support | `Distribution`: "outside the support" |
//! | B5 | invalid constant hyper-parameter | `Distribution`: parameter and family |
//! | B6 | a discrete site left latent | `DiscreteLatent`: site and family |
//! | B7 | do() value outside the support | `InterventionOutOfSupport` |
//! | B8 | a site conditioned twice | `RepeatedSite` |
//! | F1 | NaN density in part of the space | finite draws, divergences with their cause |
//! | F2 | no valid initial point | every chain's `Initialization` error names the site |
//! | F3 | huge fixed step, adaptation off | completes, all divergent, "adaptation was off" |
//! | F4 | one chain panics | the others finish; the summary names the missing chain |
//! | F5 | SVI steps in a NaN region | skipped, counted, warned |
//! | F6 | tree-depth saturation | reported apart from divergences, with R-hat / ESS |

use doppl::inference::svi::{AutoGuide, SviOptions, svi};
use doppl::inference::{ErrorChain, FitError, InitStrategy, SampleError};
use doppl::prelude::*;

#[model]
fn regression(x: &DVector<f64>) {
    let units = plate!(x.len());
    let b = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(HalfNormal::new(1.0));
    let y = sample!(Normal::new(b * x, sigma), units);
}

#[model]
fn two_arguments(x: &DVector<f64>, w: &DVector<f64>) {
    let units = plate!(x.len());
    let b = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(b * x + w, 1.0), units);
}

#[model]
fn coins(n: usize) {
    let p = sample!(Beta::new(1.0, 1.0));
    let flips = sample!(Bernoulli::new(p), plate!(n));
}

#[model]
fn bad_prior(scale: f64) {
    let b = sample!(Normal::new(0.0, scale));
}

fn quick() -> NutsOptions {
    NutsOptions {
        num_warmup: 200,
        num_draws: 200,
        num_chains: 2,
        seed: 5,
        ..Default::default()
    }
}

/// The fit's error as its typed model error and the whole printed chain.
fn model_error<M: Model>(fit: Result<Posterior<'_, M>, FitError>) -> (ModelError, String) {
    match fit {
        Err(e @ FitError::Model(_)) => {
            let text = ErrorChain(&e).to_string();
            let FitError::Model(inner) = e else {
                unreachable!()
            };
            (inner, text)
        }
        other => panic!("expected a model error, got {:?}", other.err()),
    }
}

fn data() -> DVector<f64> {
    DVector::from_vec(vec![0.5, 1.0, 1.5])
}

#[test]
fn b1_nan_in_observed_data_names_site_index_and_value() {
    let x = data();
    let model = Regression::new(&x);
    let y = DVector::from_vec(vec![1.0, f64::NAN, 2.0]);
    let (error, text) = model_error(nuts(model.condition().y(y), &quick()));
    assert!(
        matches!(error, ModelError::Distribution { site: "y", .. }),
        "{error:?}"
    );
    assert!(text.contains("value[1] = NaN"), "{text}");
}

#[test]
fn b2_observed_vector_of_the_wrong_length() {
    let x = data();
    let model = Regression::new(&x);
    let (error, text) = model_error(nuts(model.condition().y(DVector::zeros(2)), &quick()));
    assert!(
        matches!(
            error,
            ModelError::Shape {
                site: "y",
                expected: 3,
                found: 2,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(text.contains("one value per plate element"), "{text}");
}

#[test]
fn b3_data_arguments_of_inconsistent_lengths() {
    let (x, w) = (data(), DVector::zeros(2));
    let model = TwoArguments::new(&x, &w);
    let (error, text) = model_error(nuts(model.condition().y(data()), &quick()));
    assert_eq!(error.site(), Some("y"), "{error:?}");
    assert!(text.contains("site `y`"), "{text}");
}

#[test]
fn b4_observed_value_outside_the_support() {
    let model = Coins::new(3);
    let flips = DVector::from_vec(vec![1.0, 2.0, 0.0]);
    let (error, text) = model_error(nuts(model.condition().flips(flips), &quick()));
    assert!(
        matches!(error, ModelError::Distribution { site: "flips", .. }),
        "{error:?}"
    );
    assert!(text.contains("outside the support"), "{text}");
}

#[test]
fn b5_invalid_constant_hyper_parameter() {
    let model = BadPrior::new(-1.0);
    let (error, text) = model_error(nuts(model.scenario(), &quick()));
    assert!(
        matches!(error, ModelError::Distribution { site: "b", .. }),
        "{error:?}"
    );
    assert!(text.contains("`scale` of Normal is -1"), "{text}");
}

#[test]
fn b6_a_discrete_site_left_latent() {
    let model = Coins::new(3);
    let (error, text) = model_error(nuts(model.scenario(), &quick()));
    assert_eq!(
        error,
        ModelError::DiscreteLatent {
            site: "flips",
            family: "Bernoulli"
        }
    );
    assert!(
        text.contains("condition it on data or intervene on it"),
        "{text}"
    );
}

#[test]
fn b7_an_intervention_outside_the_support() {
    let x = data();
    let model = Regression::new(&x);
    let scenario = model.condition().y(data()).intervene().sigma(-1.0);
    let (error, text) = model_error(nuts(scenario, &quick()));
    assert!(
        matches!(
            error,
            ModelError::InterventionOutOfSupport { site: "sigma", .. }
        ),
        "{error:?}"
    );
    assert!(text.contains("Scenario::unchecked()"), "{text}");
}

#[test]
fn b8_a_site_conditioned_twice() {
    let x = data();
    let model = Regression::new(&x);
    let scenario = model.condition().y(data()).y(data());
    let (error, text) = model_error(nuts(scenario, &quick()));
    assert_eq!(
        error,
        ModelError::RepeatedSite {
            site: "y",
            how: "conditioned"
        }
    );
    assert!(text.contains("conditioned twice"), "{text}");
}

/// A density that is NaN for b > 1 (through a custom factor).
#[model]
fn nan_above_one() {
    let b = sample!(Normal::new(0.0, 1.0));
    let penalty = if b > 1.0 { b * f64::NAN } else { b * 0.0 };
    factor!(penalty_term, penalty);
}

#[test]
fn f1_nan_density_mid_trajectory() {
    let model = NanAboveOne::new();
    let posterior = nuts(model.scenario(), &quick()).unwrap();
    let draws: Vec<f64> = posterior.all_draws().map(|d| d.b.unwrap()).collect();
    assert!(draws.iter().all(|b| b.is_finite() && *b <= 1.0));
    assert!(posterior.num_divergent() > 0);
    let report = posterior.sampler_report();
    assert!(
        report.contains("not finite at a proposed point"),
        "{report}"
    );
}

#[test]
fn f2_no_valid_initial_point_names_the_site() {
    #[model]
    fn never_valid() {
        let s = sample!(Normal::new(0.0, 1.0));
        let y = sample!(Normal::new(0.0, s * 0.0 - 1.0));
    }
    let model = NeverValid::new();
    match nuts(model.condition().y(0.5), &quick()) {
        Err(FitError::AllChainsFailed(errors)) => {
            for error in &errors {
                assert!(matches!(
                    error,
                    SampleError::Initialization {
                        site: Some("y"),
                        ..
                    }
                ));
            }
            let text = ErrorChain(&errors[0]).to_string();
            assert!(
                text.contains("site `y`") && text.contains("scale"),
                "{text}"
            );
        }
        Err(e) => {
            // The layout already fails on the same site: also typed, also named.
            let text = ErrorChain(&e).to_string();
            assert!(text.contains("site `y`"), "{text}");
        }
        Ok(_) => panic!("a density invalid everywhere cannot be fitted"),
    }
}

#[test]
fn f3_a_huge_fixed_step_with_adaptation_off() {
    let x = data();
    let model = Regression::new(&x);
    let options = NutsOptions {
        adapt_step_size: false,
        initial_step_size: 1e6,
        ..quick()
    };
    let posterior = nuts(model.condition().y(data()), &options).unwrap();
    assert_eq!(posterior.num_divergent(), 400);
    let report = posterior.sampler_report();
    assert!(report.contains("adaptation was off"), "{report}");
    assert!(
        report.contains("1e6") || report.contains("1000000"),
        "{report}"
    );
}

#[test]
fn f4_one_panicking_chain_leaves_the_others() {
    /// Panics, at initialization, only where b starts far from zero.
    #[model]
    fn fragile() {
        let b = sample!(Normal::new(0.0, 1.0));
        assert!(b < 100.0, "b = {} broke the model", b.re());
    }
    let options = NutsOptions {
        num_chains: 3,
        init: InitStrategy::PerChain(vec![vec![0.0], vec![500.0], vec![0.5]]),
        ..quick()
    };
    let model = Fragile::new();
    let posterior = nuts(model.scenario(), &options).unwrap();
    assert_eq!(posterior.draws.len(), 2);
    let summary = posterior.summary().to_string();
    assert!(summary.contains("chain 1"), "{summary}");
    assert!(summary.contains("broke the model"), "{summary}");
}

#[test]
fn f5_svi_steps_in_a_nan_region_are_skipped_and_counted() {
    let options = SviOptions {
        steps: 300,
        ..SviOptions::default()
    };
    let model = NanAboveOne::new();
    let fit = svi(model.scenario(), AutoGuide::Normal, &options).unwrap();
    assert!(fit.skipped > 0 && fit.skipped < 300, "{}", fit.skipped);
    let summary = fit.summary().to_string();
    assert!(summary.contains("skipped"), "{summary}");
}

#[test]
fn f6_tree_depth_saturation_is_reported_apart_from_divergences() {
    #[model]
    fn ridge() {
        let a = sample!(Normal::new(0.0, 10.0));
        let b = sample!(Normal::new(a, 0.01));
    }
    let options = NutsOptions {
        max_depth: 2,
        ..quick()
    };
    let model = Ridge::new();
    let posterior = nuts(model.scenario(), &options).unwrap();
    assert_eq!(posterior.num_divergent(), 0);
    let summary = posterior.summary();
    let text = summary.to_string();
    assert!(text.contains("maximum tree depth"), "{text}");
    assert!(text.contains("R-hat") || text.contains("ESS"), "{text}");
    assert!(!text.contains("diverged"), "{text}");
}
