//! Bad input is a typed error naming what is wrong, before any sampling; never a panic.

use uplift_model::{Covariates, Error, FitOptions, Observations, fit, simulate};

fn options() -> FitOptions {
    FitOptions {
        num_warmup: 100,
        num_draws: 50,
        num_chains: 1,
        ..FitOptions::default()
    }
}

#[test]
fn bad_observations_are_refused_with_the_unit_and_field() {
    let (good, _) = simulate(5, 1);
    let with = |edit: &dyn Fn(&mut Observations)| {
        let mut data = good.clone();
        edit(&mut data);
        fit(&data, &options()).err()
    };
    assert_eq!(
        with(&|d| d.covariates.clear()),
        Some(Error::NoUnits {
            field: "covariates"
        })
    );
    assert_eq!(
        with(&|d| {
            d.covariates[2].0.pop();
        }),
        Some(Error::CovariateCount {
            unit: 2,
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        with(&|d| d.covariates.iter_mut().for_each(|c| c.0.clear())),
        Some(Error::NoCovariates)
    );
    assert_eq!(
        with(&|d| d.covariates[1].0[0] = f64::INFINITY),
        Some(Error::NonFiniteCovariate {
            unit: 1,
            index: 0,
            value: f64::INFINITY
        })
    );
    assert_eq!(
        with(&|d| d.treated.truncate(4)),
        Some(Error::LengthMismatch {
            field: "treated",
            expected: 5,
            found: 4
        })
    );
    let nan = with(&|d| d.outcome[3] = f64::NAN).expect("refused");
    assert_eq!(
        nan.to_string(),
        "unit 3: the outcome is NaN, not a finite number"
    );
    let level = fit(
        &good,
        &FitOptions {
            level: 1.0,
            ..options()
        },
    );
    assert_eq!(level.err(), Some(Error::IntervalLevel { level: 1.0 }));
    let no_draws = FitOptions {
        num_draws: 0,
        ..options()
    };
    assert_eq!(fit(&good, &no_draws).err(), Some(Error::NoDraws));
}

#[test]
fn bad_units_are_refused_and_sampler_errors_keep_their_cause() {
    let (data, _) = simulate(40, 2);
    let fitted = fit(&data, &options()).expect("the fit runs");
    assert_eq!(fitted.covariates(), 3);
    assert_eq!(
        fitted.effect(&[]).err(),
        Some(Error::NoUnits { field: "units" })
    );
    let units: Vec<Covariates> = vec![[0.0, 0.0, 0.0].into(), [0.0, f64::NAN, 0.0].into()];
    assert!(matches!(
        fitted.effect(&units),
        Err(Error::NonFiniteCovariate {
            unit: 1,
            index: 1,
            ..
        })
    ));
    // An option NUTS refuses: the error says the fit failed, its source says why.
    let no_chains = FitOptions {
        num_chains: 0,
        ..options()
    };
    let error = fit(&data, &no_chains).err().expect("refused");
    assert!(matches!(error, Error::Fit(_)), "{error:?}");
    assert!(std::error::Error::source(&error).is_some());
}
