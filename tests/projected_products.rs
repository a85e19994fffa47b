//! Products `X · β` of a data matrix and a coefficient vector on its own plate, differentiated
//! through `Xᵀ g` with one lane for `β` (the engine's projected products): gradients against
//! the hand-written ones, the dense path and finite differences, and the cases the
//! projection cannot express falling back to a correct gradient.

mod common;

use common::*;
use doppl::prelude::*;

#[test]
fn logistic_coefficients_share_one_lane_and_match_the_analytic_gradient() {
    let (x, y) = logistic_like(400, 20, 7);
    let model = Logistic::new(&x);
    let posterior = model.condition().y(y.clone());
    let u = test_point(21, 3);
    let mode = assert_gradient_matches(&posterior, &u);
    assert_eq!(
        mode,
        GradientMode::PlateLocal {
            sites: vec!["beta"]
        }
    );
    let mut analytic = vec![0.0; 21];
    let lp = logistic_analytic(&x, &y, &u, &mut analytic);
    let mut ours = vec![0.0; 21];
    let value = posterior
        .gradient()
        .unwrap()
        .logp_grad(&u, &mut ours)
        .unwrap();
    // The hand-written density leaves out the priors' normalizing constants.
    let constants = -21.0 * (2.0 * std::f64::consts::PI).sqrt().ln() - 2f64.ln();
    assert!(
        (value - lp - constants).abs() <= 1e-9 * lp.abs(),
        "{value} vs {lp}"
    );
    for (i, (a, b)) in ours.iter().zip(&analytic).enumerate() {
        assert!(
            (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
            "coordinate {i}: {a} vs {b}"
        );
    }
}

#[test]
fn lalonde_covariate_coefficients_are_projected() {
    // 20 covariates: at least `MIN_PROJECTED_LEN` coefficients (7 get a lane each).
    let data = lalonde_like(614, 20, 2);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = model
        .condition()
        .treat(data.treat.clone())
        .y(data.y.clone());
    for seed in 0..3 {
        let mode = assert_gradient_matches(&posterior, &test_point(25, 40 + seed));
        assert_eq!(
            mode,
            GradientMode::PlateLocal {
                sites: vec!["beta_cov"]
            }
        );
    }
}

/// Positive coefficients (a LogNormal prior: the lane's derivative in each coefficient is
/// not 1) and two data matrices, each with its own coefficient vector.
#[model]
fn two_designs(x: &DMatrix<f64>, w: &DMatrix<f64>) {
    let units = plate!(x.nrows());
    let beta = sample!(LogNormal::new(0.0, 0.5), plate!(x.ncols()));
    let gamma = sample!(Normal::new(0.0, 1.0), plate!(w.ncols()));
    let sigma = sample!(HalfNormal::new(1.0));
    let y = sample!(Normal::new(x * &beta + w * &gamma, sigma), units);
}

#[test]
fn constrained_coefficients_and_two_products_are_projected() {
    let x = DMatrix::from_fn(50, 16, |i, j| ((i * 3 + j) % 7) as f64 * 0.05 - 0.15);
    let w = DMatrix::from_fn(50, 17, |i, j| ((i + 5 * j) % 5) as f64 * 0.1 - 0.2);
    let y = DVector::from_fn(50, |i, _| (i % 9) as f64 * 0.25 - 1.0);
    let model = TwoDesigns::new(&x, &w);
    let posterior = model.condition().y(y);
    let mode = assert_gradient_matches(&posterior, &test_point(34, 5));
    assert_eq!(
        mode,
        GradientMode::PlateLocal {
            sites: vec!["beta", "gamma"]
        }
    );
}

/// `β` also enters every row through its sum: the lane of a row's term is no longer its
/// derivative along the row's predictor alone, which the engine's check finds; `β` is made
/// global and the gradient stays right.
#[model]
fn shared_coefficients(x: &DMatrix<f64>) {
    let units = plate!(x.nrows());
    let beta = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let y = sample!(Normal::new(x * &beta + beta.sum() * 0.5, 1.0), units);
}

/// The same matrix multiplied by `β` twice: a second product cannot share the lane.
#[model]
fn repeated_product(x: &DMatrix<f64>) {
    let units = plate!(x.nrows());
    let beta = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let y = sample!(Normal::new(x * &beta, 1.0), units);
    let z = sample!(Normal::new(x * &beta * 2.0, 1.0), units);
}

#[test]
fn coefficients_read_outside_the_product_fall_back_to_global_lanes() {
    let x = DMatrix::from_fn(30, 16, |i, j| ((i * 5 + j) % 11) as f64 * 0.1 - 0.5);
    let y = DVector::from_fn(30, |i, _| (i % 4) as f64 - 1.5);
    let model = SharedCoefficients::new(&x);
    let mode = assert_gradient_matches(&model.condition().y(y.clone()), &test_point(16, 9));
    assert_eq!(mode, GradientMode::Chunked);
    let model = RepeatedProduct::new(&x);
    let posterior = model.condition().y(y.clone()).z(y * 2.0);
    let mode = assert_gradient_matches(&posterior, &test_point(16, 10));
    // Below the threshold a product is not projected at all.
    let small = DMatrix::from_fn(30, 4, |i, j| ((i * 5 + j) % 11) as f64 * 0.1 - 0.5);
    let model = Logistic::new(&small);
    let ones = DVector::from_fn(30, |i, _| (i % 2) as f64);
    let mode_small = assert_gradient_matches(&model.condition().y(ones), &test_point(5, 11));
    assert_eq!(mode_small, GradientMode::Chunked);
    assert_eq!(mode, GradientMode::Chunked);
}
