//! What a panic in model code means: at a proposed point during sampling it rejects the
//! point (a divergence whose cause and message the report gives, as Stan rejects a point
//! whose model block throws); a chain whose every transition panics stops with the
//! message; a panic before sampling (layout, initialization) is the fit's typed error. The
//! panics are caught without the default hook's print-out, and the user's own hook is back
//! in place after the fit.

use doppl::inference::nuts::Divergence;
use doppl::inference::{FitError, InitStrategy, SampleError};
use doppl::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A mean whose code refuses values above 1.5 (an `assert!` on a parameter).
#[model]
fn refuses_large(n: usize) {
    let b = sample!(Normal::new(0.0, 1.0));
    assert!(b < 1.5, "b = {} is too large for this code", b.re());
    let y = sample!(Normal::new(b, 1.0), plate!(n));
}

/// Code that panics everywhere except at exactly zero.
#[model]
fn only_at_zero() {
    let b = sample!(Normal::new(0.0, 1.0));
    assert!(b.re() == 0.0, "b moved to {}", b.re());
}

/// Code that always panics.
#[model]
fn always_panics() {
    let b = sample!(Normal::new(0.0, 1.0));
    let v: Vec<f64> = Vec::new();
    let _ = b * v[3];
}

static USER_HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

fn options() -> NutsOptions {
    NutsOptions {
        num_warmup: 300,
        num_draws: 300,
        num_chains: 2,
        seed: 3,
        ..Default::default()
    }
}

/// One test: the panic hook is process-wide, so nothing else in this binary may panic
/// while it runs.
#[test]
fn panics_in_model_code_are_rejections_reported_quietly() {
    std::panic::set_hook(Box::new(|_| {
        USER_HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
    }));

    // Rejections: the draws stay below 1.5, the report names the cause and the message.
    let y = DVector::from_element(4, 1.4);
    let model = RefusesLarge::new(4);
    let posterior = nuts(model.condition().y(y), &options()).unwrap();
    assert!(posterior.all_draws().all(|d| d.b.unwrap() < 1.5));
    let causes = posterior.output.divergence_causes();
    assert!(
        causes
            .iter()
            .any(|(c, n)| *c == Divergence::Panic && *n > 0),
        "{causes:?}"
    );
    let report = posterior.sampler_report();
    eprintln!("{report}");
    assert!(
        report.contains("the model code panicked at proposed points"),
        "{report}"
    );
    assert!(report.contains("is too large for this code"), "{report}");

    // Every transition panics: the chain stops with the message.
    let model = OnlyAtZero::new();
    let stuck = NutsOptions {
        init: InitStrategy::Fixed(vec![0.0]),
        ..options()
    };
    match nuts(model.scenario(), &stuck) {
        Err(FitError::AllChainsFailed(errors)) => {
            let SampleError::Panic { message, .. } = &errors[0] else {
                panic!("expected a panic error, got {:?}", errors[0]);
            };
            assert!(message.contains("100 transitions in a row"), "{message}");
            assert!(message.contains("b moved to"), "{message}");
        }
        other => panic!("expected every chain to fail, got {:?}", other.err()),
    }

    // Before sampling: the fit's typed error.
    match nuts(AlwaysPanics::new().scenario(), &options()) {
        Err(FitError::Model(ModelError::Panicked { message })) => {
            assert!(message.contains("index out of bounds"), "{message}");
        }
        other => panic!("expected the model's panic, got {:?}", other.err()),
    }

    // None of these reached the user's hook, and the hook is back.
    assert_eq!(USER_HOOK_CALLS.load(Ordering::SeqCst), 0);
    let _ = std::panic::catch_unwind(|| panic!("the user's own panic"));
    assert_eq!(USER_HOOK_CALLS.load(Ordering::SeqCst), 1);
    let _ = std::panic::take_hook();
}
