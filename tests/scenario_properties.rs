//! Property test on a generated model: whatever a user conditions or intervenes on (values of
//! any length, NaN, infinities, huge numbers) and wherever the density is evaluated, a run
//! returns a finite log-density or a typed error naming a site; it never panics. Fixed seed.

use doppl::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

#[model]
fn regression(x: &DVector<f64>) {
    let units = plate!(x.len());
    let a = sample!(Normal::new(0.0, 1.0));
    let b = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(HalfNormal::new(1.0));
    let mu = deterministic!(a + b * x, units);
    let y = sample!(Normal::new(mu, sigma), units);
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MAX),
        Just(0.0),
        -1e3..1e3f64,
        any::<f64>(),
    ]
}

fn numbers(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(number(), 0..max_len)
}

proptest! {
    #![proptest_config(Config {
        cases: 256,
        rng_seed: RngSeed::Fixed(11),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn any_scenario_runs_to_a_value_or_a_typed_error(
        x in numbers(5),
        y in numbers(5),
        point in numbers(5),
        sigma in prop::option::of(number()),
        slope in prop::option::of(number()),
    ) {
        let x = DVector::from_vec(x);
        let model = Regression::new(&x);
        let mut scenario = model.condition().y(DVector::from_vec(y)).intervene();
        if let Some(s) = sigma {
            scenario = scenario.sigma(s);
        }
        if let Some(b) = slope {
            scenario = scenario.b_shift(Shift::add(b));
        }
        let scenario = scenario.build();
        match scenario.log_density(&point) {
            Ok(parts) => prop_assert!(parts.total().is_finite(), "{:?}", parts.total()),
            Err(e) => prop_assert!(e.site().is_some() || matches!(e, ModelError::ParameterLength { .. }), "{e}"),
        }
        let mut rng = StdRng::seed_from_u64(1);
        if let Err(e) = scenario.sample_prior(&mut rng) {
            prop_assert!(e.site().is_some(), "{e}");
        }
        if let Ok(mut engine) = scenario.gradient() {
            let mut grad = vec![0.0; point.len()];
            let _ = engine.logp_grad(&point, &mut grad);
        }
    }
}
