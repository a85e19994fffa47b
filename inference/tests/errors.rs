//! Density errors stay typed from the density to the chain's result, and their source chains
//! print every message once.

#[path = "support/error_chain.rs"]
mod error_chain;

use std::error::Error;

use doppl_inference::{
    DensityError, ErrorChain, InitStrategy, LogDensity, LogpError, NutsOptions, SampleError, sample,
};
use doppl_runtime::ModelError;
use doppl_runtime::dist::DistError;

/// How [`ModelFault`] fails.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Failure {
    /// An invalid scale (recoverable) for `x > 1`.
    InvalidAboveOne,
    /// A shape mismatch (fatal) for `x > 1000`.
    ShapeFarAway,
    /// A shape mismatch (fatal) for `x > 2`.
    ShapeAboveTwo,
    /// A non-finite density of site `y` everywhere (recoverable).
    NonFiniteEverywhere,
    /// A NaN gradient for `x > 1`, with a finite value.
    NanGradientAboveOne,
}

/// A 1-D standard normal that fails the way a model does, with [`ModelError`]s.
#[derive(Debug, Clone)]
struct ModelFault(Failure);

fn invalid_scale(value: f64) -> ModelError {
    ModelError::at_site(
        "y",
        DistError::InvalidParameter {
            family: "Normal",
            param: "scale",
            index: None,
            value,
            requirement: "positive and finite",
        },
    )
}

fn shape_error() -> ModelError {
    ModelError::Shape {
        site: "y",
        plate: "units",
        expected: 3,
        found: 4,
    }
}

impl LogDensity for ModelFault {
    type Error = ModelError;

    fn dim(&self) -> usize {
        1
    }

    fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        grad[0] = -x[0];
        let logp = -0.5 * x[0] * x[0];
        match self.0 {
            Failure::InvalidAboveOne if x[0] > 1.0 => Err(invalid_scale(1.0 - x[0])),
            Failure::ShapeFarAway if x[0] > 1000.0 => Err(shape_error()),
            Failure::ShapeAboveTwo if x[0] > 2.0 => Err(shape_error()),
            Failure::NonFiniteEverywhere => Err(ModelError::NonFiniteDensity {
                site: "y",
                value: f64::NEG_INFINITY,
            }),
            Failure::NanGradientAboveOne if x[0] > 1.0 => {
                grad[0] = f64::NAN;
                Ok(logp)
            }
            _ => Ok(logp),
        }
    }
}

fn short_run() -> NutsOptions {
    NutsOptions {
        num_warmup: 300,
        num_draws: 500,
        seed: 5,
        ..NutsOptions::default()
    }
}

/// The chain check of `support/error_chain.rs`, with a cause behind the error.
fn assert_chain_does_not_repeat(error: &(dyn Error + 'static)) {
    let depth = error_chain::assert_chain_does_not_repeat(error);
    assert!(depth >= 2, "expected a cause behind `{error}`");
}

#[test]
fn a_recoverable_model_error_is_a_divergence() {
    let output = sample(&ModelFault(Failure::InvalidAboveOne), &short_run()).unwrap();
    assert_eq!(output.errors().count(), 0);
    assert!(output.num_divergent() > 0);
    assert!(output.parameter(0).concat().iter().all(|x| *x <= 1.0));
}

#[test]
fn a_non_finite_gradient_is_a_divergence_and_typed_at_initialization() {
    let output = sample(&ModelFault(Failure::NanGradientAboveOne), &short_run()).unwrap();
    assert_eq!(output.errors().count(), 0);
    assert!(output.num_divergent() > 0);
    let options = NutsOptions {
        init: InitStrategy::Fixed(vec![2.0]),
        ..short_run()
    };
    let output = sample(&ModelFault(Failure::NanGradientAboveOne), &options).unwrap();
    match &output.chains[0] {
        Err(SampleError::Initialization {
            attempts: 1,
            site: None,
            last_error: Some(LogpError::NonFiniteGradient { index: 0, value }),
            ..
        }) => assert!(value.is_nan()),
        other => panic!("expected a non-finite gradient, got {other:?}"),
    }
}

#[test]
fn a_fatal_model_error_stops_only_its_chain_and_stays_typed() {
    let mut starts = vec![vec![0.0]; 4];
    starts[1] = vec![2000.0];
    let options = NutsOptions {
        init: InitStrategy::PerChain(starts),
        ..short_run()
    };
    let output = sample(&ModelFault(Failure::ShapeFarAway), &options).unwrap();
    for (chain, result) in output.chains.iter().enumerate() {
        if chain == 1 {
            let error = result.as_ref().unwrap_err();
            assert_eq!(
                *error,
                SampleError::Density {
                    chain: 1,
                    site: Some("y"),
                    source: shape_error(),
                }
            );
            assert_eq!(error.density_error(), Some(&shape_error()));
            assert_eq!(error.chain(), Some(1));
            assert_chain_does_not_repeat(error);
        } else {
            assert_eq!(result.as_ref().unwrap().draws.nrows(), 500);
        }
    }
    assert_eq!(output.successful().count(), 3);
    // The advice prints the chain's error with its cause.
    let advice = output.advice().join("\n");
    assert!(
        advice.contains("chain 1: the log density failed at site `y`: site `y`: expected 3"),
        "{advice}"
    );
}

#[test]
fn a_fatal_model_error_during_sampling_is_the_chains_error() {
    let options = NutsOptions {
        init: InitStrategy::Fixed(vec![0.0]),
        ..short_run()
    };
    let output = sample(&ModelFault(Failure::ShapeAboveTwo), &options).unwrap();
    for (chain, result) in output.chains.iter().enumerate() {
        match result {
            Err(SampleError::Density {
                chain: reported,
                site: Some("y"),
                source: ModelError::Shape { found: 4, .. },
            }) => assert_eq!(*reported, chain),
            other => panic!("expected the shape error, got {other:?}"),
        }
    }
}

#[test]
fn an_initialization_failure_carries_the_site_and_the_last_error() {
    let output = sample(&ModelFault(Failure::NonFiniteEverywhere), &short_run()).unwrap();
    for (chain, result) in output.chains.iter().enumerate() {
        let error = result.as_ref().unwrap_err();
        match error {
            SampleError::Initialization {
                chain: reported,
                attempts: 100,
                site: Some("y"),
                last_error:
                    Some(LogpError::Density(ModelError::NonFiniteDensity { site: "y", value })),
            } => {
                assert_eq!(*reported, chain);
                assert_eq!(*value, f64::NEG_INFINITY);
            }
            other => panic!("expected an initialization error, got {other:?}"),
        }
        assert!(error.to_string().contains("site `y`"), "{error}");
        assert_chain_does_not_repeat(error);
    }
}

#[test]
fn zero_attempts_fail_initialization_without_a_cause() {
    let options = NutsOptions {
        init: InitStrategy::Random {
            radius: 2.0,
            max_attempts: 0,
        },
        ..short_run()
    };
    let output = sample(&ModelFault(Failure::InvalidAboveOne), &options).unwrap();
    let error = output.chains[0].as_ref().unwrap_err();
    assert!(matches!(
        error,
        SampleError::Initialization {
            attempts: 0,
            site: None,
            last_error: None,
            ..
        }
    ));
    assert!(error.source().is_none());
}

#[test]
fn recoverability_follows_the_density_error() {
    assert!(invalid_scale(-1.0).is_recoverable());
    assert!(!shape_error().is_recoverable());
    assert_eq!(DensityError::site(&shape_error()), Some("y"));
    let fatal = LogpError::Density(shape_error());
    assert!(!fatal.is_recoverable());
    assert_eq!(fatal.clone().recoverable(), Err(shape_error()));
    let nan = LogpError::<ModelError>::NonFiniteLogp { value: f64::NAN };
    assert!(nan.is_recoverable());
    assert!(nan.recoverable().is_ok());
}

#[test]
fn a_distribution_error_prints_its_cause_once_through_the_chain() {
    let error = invalid_scale(-1.0);
    let source = error
        .source()
        .expect("the distribution's error is the source");
    assert!(source.is::<DistError>());
    assert!(!error.to_string().contains("-1"), "{error}");
    assert_eq!(
        ErrorChain(&error).to_string(),
        "site `y`: a parameter is invalid (check the constants and data it is computed from): \
         parameter `scale` of Normal is -1, but it must be positive and finite"
    );
    assert_chain_does_not_repeat(&error);
    // Transparent: the sampler's wrapper adds no message of its own.
    let wrapped = LogpError::Density(error.clone());
    assert_eq!(wrapped.to_string(), error.to_string());
    assert_chain_does_not_repeat(&wrapped);
}
