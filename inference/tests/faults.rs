//! Bad densities and bad settings end in reported divergences or per-chain errors.

mod support;

use doppl_inference::nuts::Divergence;
use doppl_inference::nuts::Metric;
use doppl_inference::{
    FisherWindows, InitStrategy, LogpError, LowRankOptions, MetricAdaptation, NutsOptions,
    SampleError, WarmStart, WarmupResult, WarmupWindows, sample,
};
use support::{Fault, FaultError, Faulty, Gaussian};

fn short_run() -> NutsOptions {
    NutsOptions {
        num_warmup: 300,
        num_draws: 500,
        seed: 21,
        ..NutsOptions::default()
    }
}

#[test]
fn nan_or_error_above_one_counts_as_divergence() {
    // N(0, 1) truncated to x ≤ 1 has mean −φ(1)/Φ(1).
    let truncated_mean = -0.241_970_724_519_143_37 / 0.841_344_746_068_542_9;
    for fault in [Fault::NanAboveOne, Fault::ErrorAboveOne] {
        let output = sample(&Faulty(fault), &short_run()).unwrap();
        assert_eq!(output.errors().count(), 0);
        assert!(output.num_divergent() > 0, "{fault:?}: no divergences");
        assert!(output.advice().iter().any(|a| a.contains("divergences")));
        // The cause is kept: a NaN is a non-finite density, an error a density error.
        let expected = match fault {
            Fault::NanAboveOne => Divergence::NonFinite,
            _ => Divergence::Density { site: None },
        };
        let causes = output.divergence_causes();
        assert!(
            causes.iter().any(|(c, _)| *c == expected),
            "{fault:?}: {causes:?}"
        );
        let draws: Vec<f64> = output.parameter(0).concat();
        assert!(draws.iter().all(|x| *x <= 1.0));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!(
            (mean - truncated_mean).abs() < 0.1,
            "{fault:?}: mean {mean}"
        );
    }
}

#[test]
fn always_invalid_density_fails_initialization() {
    let output = sample(&Faulty(Fault::AlwaysInvalid), &short_run()).unwrap();
    for (chain, result) in output.chains.iter().enumerate() {
        match result {
            Err(SampleError::Initialization {
                chain: reported,
                attempts,
                site,
                last_error,
                ..
            }) => {
                assert_eq!(*reported, chain);
                assert_eq!(*attempts, 100);
                assert_eq!(*site, None);
                assert_eq!(
                    *last_error,
                    Some(LogpError::Density(FaultError::NegativeScale))
                );
            }
            other => panic!("expected an initialization error, got {other:?}"),
        }
    }
}

#[test]
fn invalid_user_initial_values_fail_initialization() {
    let options = NutsOptions {
        init: InitStrategy::Fixed(vec![3.0]),
        ..short_run()
    };
    let output = sample(&Faulty(Fault::ErrorAboveOne), &options).unwrap();
    assert!(matches!(
        output.chains[0],
        Err(SampleError::Initialization {
            attempts: 1,
            last_error: Some(LogpError::Density(FaultError::AboveOne(3.0))),
            ..
        })
    ));
    // A NaN found by the sampler itself is typed too.
    let output = sample(&Faulty(Fault::NanAboveOne), &options).unwrap();
    match &output.chains[0] {
        Err(SampleError::Initialization {
            last_error: Some(LogpError::NonFiniteLogp { value }),
            ..
        }) => assert!(value.is_nan()),
        other => panic!("expected a non-finite log density, got {other:?}"),
    }
}

#[test]
fn fatal_density_error_is_the_chains_error() {
    let output = sample(&Faulty(Fault::AlwaysFatal), &short_run()).unwrap();
    for (chain, result) in output.chains.iter().enumerate() {
        assert_eq!(
            *result,
            Err(SampleError::Density {
                chain,
                site: None,
                source: FaultError::WrongShape,
            })
        );
    }
}

#[test]
fn huge_fixed_step_size_makes_every_transition_divergent() {
    let options = NutsOptions {
        adapt_step_size: false,
        metric: MetricAdaptation::Identity,
        initial_step_size: 1e4,
        ..short_run()
    };
    let density = Gaussian::diagonal(vec![0.0, 0.0], &[1.0, 1.0]);
    let output = sample(&density, &options).unwrap();
    for chain in output.successful() {
        assert_eq!(chain.num_divergent, 500);
        assert!(chain.warmup_stats.iter().all(|s| s.divergent()));
        assert_eq!(chain.warmup.step_size, 1e4);
    }
    assert_eq!(output.successful().count(), 4);
    assert!(output.advice()[0].contains("adaptation was off"));
    assert!(output.advice()[1].contains("2000 of 2000"));
}

#[test]
fn a_panicking_chain_returns_its_error_and_the_others_finish() {
    let mut starts = vec![vec![0.0]; 4];
    starts[2] = vec![2e6];
    let options = NutsOptions {
        init: InitStrategy::PerChain(starts),
        ..short_run()
    };
    let output = sample(&Faulty(Fault::PanicFarAway), &options).unwrap();
    for (chain, result) in output.chains.iter().enumerate() {
        if chain == 2 {
            match result {
                Err(SampleError::Panic { chain, message, .. }) => {
                    assert_eq!(*chain, 2);
                    assert!(message.contains("exploded"), "{message}");
                }
                other => panic!("expected a panic error, got {other:?}"),
            }
        } else {
            assert_eq!(result.as_ref().unwrap().draws.nrows(), 500);
        }
    }
}

#[test]
fn impossible_options_are_rejected() {
    let density = Gaussian::diagonal(vec![0.0], &[1.0]);
    for options in [
        NutsOptions {
            num_chains: 0,
            ..short_run()
        },
        NutsOptions {
            target_accept: 1.0,
            ..short_run()
        },
        NutsOptions {
            init: InitStrategy::Fixed(vec![0.0, 1.0]),
            ..short_run()
        },
        NutsOptions {
            num_threads: Some(0),
            ..short_run()
        },
    ] {
        assert!(matches!(
            sample(&density, &options),
            Err(SampleError::InvalidOption { .. })
        ));
    }
}

/// Every option outside its range is a typed error naming the field (NaN never switches a
/// check off: `max_energy_error: NaN` would otherwise disable divergence detection).
#[test]
fn each_invalid_option_names_its_field() {
    let density = Gaussian::diagonal(vec![0.0, 0.0], &[1.0, 1.0]);
    let base = short_run();
    let cases: Vec<(NutsOptions, &str)> = vec![
        (
            NutsOptions {
                max_energy_error: f64::NAN,
                ..base.clone()
            },
            "max_energy_error",
        ),
        (
            NutsOptions {
                max_energy_error: -1.0,
                ..base.clone()
            },
            "max_energy_error",
        ),
        (
            NutsOptions {
                max_depth: 0,
                ..base.clone()
            },
            "max_depth",
        ),
        (
            NutsOptions {
                max_depth: 64,
                ..base.clone()
            },
            "max_depth",
        ),
        (
            NutsOptions {
                target_accept: f64::NAN,
                ..base.clone()
            },
            "target_accept",
        ),
        (
            NutsOptions {
                initial_step_size: 1e300 * 1e10,
                ..base.clone()
            },
            "initial_step_size",
        ),
        (
            NutsOptions {
                num_threads: Some(0),
                ..base.clone()
            },
            "num_threads",
        ),
        (
            NutsOptions {
                init: InitStrategy::Fixed(vec![0.0, f64::NAN]),
                ..base.clone()
            },
            "init",
        ),
        (
            NutsOptions {
                init: InitStrategy::PerChain(vec![vec![0.0; 2]]),
                ..base.clone()
            },
            "init",
        ),
    ];
    let mut dual = base.clone();
    dual.dual_averaging.kappa = 0.5;
    let mut window = base.clone();
    window.metric = MetricAdaptation::Stan {
        dense: false,
        windows: WarmupWindows {
            base_window: 0,
            ..WarmupWindows::default()
        },
    };
    let mut growth = base.clone();
    growth.metric = MetricAdaptation::Fisher(FisherWindows {
        window_growth: 0.5,
        ..FisherWindows::default()
    });
    let mut cutoff = base.clone();
    cutoff.metric = MetricAdaptation::LowRank(LowRankOptions {
        cutoff: 1.0,
        ..LowRankOptions::default()
    });
    let mut warm = base.clone();
    warm.warm_start = Some(WarmStart {
        chains: vec![WarmupResult {
            step_size: 0.5,
            metric: Metric::unit_diagonal(3),
        }],
    });
    let cases = cases.into_iter().chain([
        (dual, "dual_averaging.kappa"),
        (window, "metric.windows.base_window"),
        (growth, "metric.window_growth"),
        (cutoff, "metric.cutoff"),
        (warm, "warm_start.metric"),
    ]);
    for (options, field) in cases {
        match sample(&density, &options) {
            Err(error @ SampleError::InvalidOption { field: f, .. }) => {
                assert_eq!(f, field, "{error}");
                assert!(error.to_string().contains(field) && error.to_string().contains("must be"));
            }
            other => panic!("{field}: {other:?}"),
        }
    }
}
