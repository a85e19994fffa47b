//! Models, scenarios and posteriors are `Send + Sync` and hold no global state: the same
//! model fitted from four threads at once gives, per seed, the draws a fit on the main
//! thread gives.

mod common;

use common::*;
use doppl::prelude::*;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn four_threads_fit_one_model_and_agree_with_a_lone_fit() {
    assert_send_sync::<Earnings>();
    assert_send_sync::<Scenario<'static, Earnings>>();
    assert_send_sync::<Posterior<'static, Earnings>>();
    let data = lalonde_like(80, 2, 5);
    let model = Earnings::new(&data.x, &data.nodegree);
    let scenario = model
        .condition()
        .treat(data.treat.clone())
        .y(data.y.clone())
        .build();
    let options = |seed| NutsOptions {
        num_warmup: 150,
        num_draws: 100,
        num_chains: 2,
        seed,
        progress: false,
        ..Default::default()
    };
    let sigma = |p: &Posterior<'_, Earnings>| p.site(|d| &d.sigma).concat();
    let alone: Vec<Vec<f64>> = (0..4)
        .map(|seed| sigma(&nuts(scenario.clone(), &options(seed)).unwrap()))
        .collect();
    let together: Vec<Vec<f64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|seed| {
                let scenario = scenario.clone();
                scope.spawn(move || sigma(&nuts(scenario, &options(seed)).unwrap()))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(alone, together);
    assert_ne!(alone[0], alone[1], "different seeds, different draws");
}
