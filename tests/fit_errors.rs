//! Errors of a fit come back from `nuts()` typed: the model's `ModelError` inside the chain's
//! `SampleError` inside the `FitError`, each printed once along the source chain.

#[path = "../inference/tests/support/error_chain.rs"]
mod error_chain;

use error_chain::assert_chain_does_not_repeat;
use std::error::Error;

use doppl::inference::{ErrorChain, FitError, LogpError, SampleError};
use doppl::prelude::*;

fn options(seed: u64) -> NutsOptions {
    NutsOptions {
        num_warmup: 300,
        num_draws: 300,
        seed,
        ..Default::default()
    }
}

#[test]
fn a_fatal_model_error_comes_back_from_nuts_typed() {
    // Fine at the layout point (x = 0) only: a panic rejects every other point, so each
    // chain, started at 0, stops after 100 rejected transitions in a row.
    #[model]
    fn fragile() {
        let x = sample!(Normal::new(0.0, 1.0));
        if x.re() != 0.0 {
            panic!("x = {} is too large for this model", x.re());
        }
        let y = sample!(Normal::new(x, 1.0));
    }
    let stuck = NutsOptions {
        init: doppl::inference::InitStrategy::Fixed(vec![0.0]),
        ..options(1)
    };
    let err = nuts(Fragile::new().condition().y(0.5), &stuck).unwrap_err();
    let FitError::AllChainsFailed(errors) = &err else {
        panic!("expected every chain to fail, got {err:?}");
    };
    assert_eq!(errors.len(), 4);
    for (chain, error) in errors.iter().enumerate() {
        match error {
            SampleError::Panic {
                chain: reported,
                message,
            } => {
                assert_eq!(*reported, chain);
                assert!(message.contains("too large"), "{message}");
            }
            other => panic!("expected the model's panic, got {other:?}"),
        }
    }
    let source = err.source().expect("the first chain's error is the source");
    assert!(source.is::<SampleError>());
    let printed = ErrorChain(&err).to_string();
    assert!(
        printed.starts_with("all 4 chains failed: chain 0 panicked: ")
            && printed.contains("too large"),
        "{printed}"
    );
    assert_chain_does_not_repeat(&err);
}

#[test]
fn a_recoverable_model_error_is_a_divergence() {
    // p outside [0, 1] is an invalid parameter (recoverable); the posterior of p piles up
    // against p = 1, so trajectories keep crossing it.
    #[model]
    fn coin() {
        let p = sample!(Normal::new(0.8, 1.0));
        let heads = sample!(Bernoulli::new(p));
    }
    let model = Coin::new();
    let posterior = nuts(model.condition().heads(1.0), &options(2)).unwrap();
    assert_eq!(posterior.output.errors().count(), 0);
    assert!(posterior.num_divergent() > 0);
    // The report blames the site whose parameter left its range, not the curvature.
    let report = posterior.sampler_report();
    assert!(report.contains("site `heads` raised an error"), "{report}");
    let draws: Vec<f64> = posterior.site(|d| &d.p).concat();
    assert!(draws.iter().all(|p| (0.0..=1.0).contains(p)));
}

#[test]
fn an_initialization_failure_carries_the_site() {
    // Every parameter is valid, but no value of s makes y's log-density finite (it
    // overflows to −∞), so the layout is found and every initialization attempt fails.
    #[model]
    fn overflowing() {
        let s = sample!(HalfNormal::new(1.0));
        let y = sample!(Normal::new(0.0, s * 1e-140));
    }
    let err = nuts(Overflowing::new().condition().y(1e200), &options(3)).unwrap_err();
    let FitError::AllChainsFailed(errors) = &err else {
        panic!("expected every chain to fail, got {err:?}");
    };
    for error in errors {
        match error {
            SampleError::Initialization {
                attempts: 100,
                site: Some("y"),
                last_error: Some(LogpError::Density(cause)),
                ..
            } => {
                assert_eq!(cause.site(), Some("y"));
                assert!(cause.is_recoverable());
            }
            other => panic!("expected an initialization failure at `y`, got {other:?}"),
        }
        assert!(error.to_string().contains("site `y`"), "{error}");
    }
    assert_chain_does_not_repeat(&err);
}

#[test]
fn a_data_error_before_sampling_is_printed_once_with_its_cause() {
    let model = Normal1::new();
    let err = nuts(model.condition().y(f64::NAN), &options(4)).unwrap_err();
    match &err {
        FitError::Model(ModelError::Distribution { site: "y", .. }) => {}
        other => panic!("expected the data error, got {other:?}"),
    }
    let printed = ErrorChain(&err).to_string();
    assert!(
        printed.starts_with("the model cannot be fitted: site `y`: ") && printed.contains("NaN"),
        "{printed}"
    );
    assert_chain_does_not_repeat(&err);
}

#[model]
fn normal1() {
    let m = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(m, 1.0));
}
