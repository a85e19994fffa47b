//! The fit is `Send + Sync` and holds no global state: the same model fitted from four
//! threads at once gives, per seed, exactly the draws and effects of fits made one by one.

use doppl::prelude::*;
use uplift_model::{Covariates, EffectSummary, FitOptions, FittedModel, Uplift, fit, simulate};

/// Compile-time: a generic bound that only `Send + Sync` types satisfy.
fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn model_scenario_posterior_and_fit_are_send_and_sync() {
    assert_send_sync::<Uplift>();
    assert_send_sync::<Scenario<'static, Uplift>>();
    assert_send_sync::<Posterior<'static, Uplift>>();
    assert_send_sync::<FittedModel>();
}

/// Every draw of every latent and deterministic site, chain by chain, as numbers.
fn all_draws(fitted: &FittedModel) -> Vec<Vec<(&'static str, Vec<f64>)>> {
    fitted
        .posterior()
        .all_draws()
        .map(Uplift::components)
        .collect()
}

#[test]
fn four_threads_fit_one_model_and_agree_with_lone_fits() {
    let (data, _) = simulate(150, 3);
    let options = |seed| FitOptions {
        num_warmup: 200,
        num_draws: 150,
        num_chains: 2,
        seed,
        ..FitOptions::default()
    };
    let units: Vec<Covariates> = vec![[-1.0, 0.5, 0.0].into(), [2.0, 0.0, -0.5].into()];
    let run = |seed| {
        let fitted = fit(&data, &options(seed)).expect("the fit runs");
        let effect: EffectSummary = fitted.effect(&units).expect("the effect runs");
        (all_draws(&fitted), effect)
    };
    let alone: Vec<_> = (0..4).map(run).collect();
    let together: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|seed| scope.spawn(move || run(seed))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no thread panics"))
            .collect()
    });
    assert_eq!(alone, together, "per seed, the same draws and effects");
    assert_eq!(alone[0].0.len(), 300, "two chains of 150 draws");
    assert_ne!(alone[0].0, alone[1].0, "different seeds, different draws");
}
