//! Models and helpers shared by the integration tests.
#![allow(dead_code)]

use doppl::prelude::*;
use rand::RngExt;

#[path = "../../examples/what_if/model.rs"]
mod what_if_model;
#[allow(unused_imports)]
pub use what_if_model::*;

#[path = "../../examples/lalonde/model.rs"]
mod lalonde_model;
#[allow(unused_imports)]
pub use lalonde_model::*;

mod local_models;
#[allow(unused_imports)]
pub use local_models::*;

/// A Lalonde-shaped data set: n units, k covariates, with a treatment column.
pub struct LalondeData {
    pub x: DMatrix<f64>,
    pub nodegree: DVector<f64>,
    pub treat: DVector<f64>,
    pub y: DVector<f64>,
}

pub fn lalonde_like(n: usize, k: usize, seed: u64) -> LalondeData {
    let mut rng = StdRng::seed_from_u64(seed);
    let x = DMatrix::from_fn(n, k, |_, _| rng.random_range(-1.5..1.5));
    let nodegree = DVector::from_fn(n, |_, _| f64::from(rng.random_range(0..2u8)));
    let treat = DVector::from_fn(n, |_, _| f64::from(rng.random_range(0..2u8)));
    let y = DVector::from_fn(n, |i, _| {
        1.0 + 2.0 * treat[i] - treat[i] * nodegree[i] + x.row(i).sum() + rng.random_range(-3.0..3.0)
    });
    LalondeData {
        x,
        nodegree,
        treat,
        y,
    }
}

/// The Lalonde log posterior and its gradient written by hand, on the unconstrained scale
/// (p_treat = logistic(u0), sigma = exp(u_last)).
pub fn lalonde_analytic(data: &LalondeData, u: &[f64]) -> (f64, Vec<f64>) {
    let ln_sqrt_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    let (n, k) = (data.x.nrows(), data.x.ncols());
    let p = 1.0 / (1.0 + (-u[0]).exp());
    let (intercept, beta_treat, beta_interact) = (u[1], u[2], u[3]);
    let beta = &u[4..4 + k];
    let sigma = u[4 + k].exp();
    let mut grad = vec![0.0; u.len()];
    // Beta(1,1) prior is flat; logistic Jacobian: ln p + ln(1-p).
    let mut lp = p.ln() + (1.0 - p).ln();
    grad[0] += 1.0 - 2.0 * p;
    let n_treated = data.treat.sum();
    lp += n_treated * p.ln() + (n as f64 - n_treated) * (1.0 - p).ln();
    grad[0] += n_treated * (1.0 - p) - (n as f64 - n_treated) * p;
    for (i, (&v, s)) in [intercept, beta_treat, beta_interact]
        .iter()
        .zip([5.0, 2.0, 2.0])
        .enumerate()
    {
        lp += -0.5 * (v / s) * (v / s) - f64::ln(s) - ln_sqrt_2pi;
        grad[1 + i] -= v / (s * s);
    }
    for j in 0..k {
        lp += -0.5 * beta[j] * beta[j] - ln_sqrt_2pi;
        grad[4 + j] -= beta[j];
    }
    // HalfNormal(5) on sigma plus the log Jacobian u.
    lp += -0.5 * (sigma / 5.0).powi(2) + (2.0f64 / std::f64::consts::PI).sqrt().ln() - 5f64.ln()
        + u[4 + k];
    grad[4 + k] += -(sigma / 5.0).powi(2) + 1.0;
    for i in 0..n {
        let t = data.treat[i];
        let mu = intercept
            + (beta_treat + beta_interact * data.nodegree[i]) * t
            + (0..k).map(|j| data.x[(i, j)] * beta[j]).sum::<f64>();
        let r = (data.y[i] - mu) / sigma;
        lp += -0.5 * r * r - sigma.ln() - ln_sqrt_2pi;
        let d_mu = r / sigma;
        grad[1] += d_mu;
        grad[2] += d_mu * t;
        grad[3] += d_mu * t * data.nodegree[i];
        for j in 0..k {
            grad[4 + j] += d_mu * data.x[(i, j)];
        }
        grad[4 + k] += r * r - 1.0;
    }
    (lp, grad)
}

/// A logistic regression with a normal intercept and coefficients (the gradient benchmark's).
#[model]
pub fn logistic(x: &DMatrix<f64>) {
    let units = plate!(x.nrows());
    let alpha = sample!(Normal::new(0.0, 2.0));
    let beta = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let eta = alpha + x * &beta;
    let y = sample!(Bernoulli::logits(eta), units);
}

/// A logistic regression's data: n rows of k covariates in (−0.3, 0.3), outcomes from their
/// sum plus uniform noise.
pub fn logistic_like(n: usize, k: usize, seed: u64) -> (DMatrix<f64>, DVector<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let x = DMatrix::from_fn(n, k, |_, _| rng.random_range(-1.0..1.0) * 0.3);
    let y = DVector::from_fn(n, |i, _| {
        if x.row(i).sum() + rng.random_range(-1.0..1.0) > 0.0 {
            1.0
        } else {
            0.0
        }
    });
    (x, y)
}

/// The logistic regression's log posterior and gradient by hand, in f64.
pub fn logistic_analytic(x: &DMatrix<f64>, y: &DVector<f64>, u: &[f64], grad: &mut [f64]) -> f64 {
    let (n, k) = (x.nrows(), x.ncols());
    let beta = DVector::from_column_slice(&u[1..]);
    let eta = x * &beta;
    let mut lp = -0.5 * (u[0] / 2.0).powi(2) - 0.5 * beta.norm_squared();
    let mut g_eta = DVector::zeros(n);
    for i in 0..n {
        let e = eta[i] + u[0];
        let p = 1.0 / (1.0 + (-e).exp());
        lp += if y[i] > 0.5 {
            -(-e).exp().ln_1p()
        } else {
            -e.exp().ln_1p()
        };
        g_eta[i] = y[i] - p;
    }
    grad[0] = g_eta.sum() - u[0] / 4.0;
    let g_beta = x.tr_mul(&g_eta);
    for j in 0..k {
        grad[1 + j] = g_beta[j] - beta[j];
    }
    lp
}

/// Central finite differences of the scenario's log-density.
pub fn finite_difference_gradient<M: Model>(scenario: &Scenario<'_, M>, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let h = 1e-5 * (1.0 + x[i].abs());
            let mut xp = x.to_vec();
            let mut xm = x.to_vec();
            xp[i] += h;
            xm[i] -= h;
            let fp = scenario.log_density(&xp).unwrap().total();
            let fm = scenario.log_density(&xm).unwrap().total();
            (fp - fm) / (2.0 * h)
        })
        .collect()
}

/// Asserts that the engine's gradient matches central differences at `x` and the dense
/// chunked path to 1e-8 relative; returns how the engine differentiated.
pub fn assert_gradient_matches<M: Model>(scenario: &Scenario<'_, M>, x: &[f64]) -> GradientMode {
    let mut engine = scenario.gradient().unwrap();
    let mut grad = vec![0.0; x.len()];
    let value = engine.logp_grad(x, &mut grad).unwrap();
    let mut dense = vec![0.0; x.len()];
    let layout = scenario.layout().unwrap();
    let dense_value = Gradient::dense(scenario, &layout)
        .logp_grad(x, &mut dense)
        .unwrap();
    assert!((value - dense_value).abs() <= 1e-10 * (1.0 + value.abs()));
    for (i, (g, d)) in grad.iter().zip(&dense).enumerate() {
        assert!(
            (g - d).abs() <= 1e-8 * (1.0 + d.abs()),
            "coordinate {i}: engine {g}, dense path {d} ({:?})",
            engine.mode()
        );
    }
    let expected_value = scenario.log_density(x).unwrap().total();
    assert!(
        (value - expected_value).abs() <= 1e-9 * (1.0 + value.abs()),
        "value {value} vs {expected_value}"
    );
    let fd = finite_difference_gradient(scenario, x);
    for (i, (g, f)) in grad.iter().zip(&fd).enumerate() {
        // Central differences with h ~ 1e-5 are accurate to ~1e-8 relative to the curvature.
        assert!(
            (g - f).abs() <= 1e-5 * (1.0 + f.abs()),
            "coordinate {i}: forward mode {g}, finite difference {f}"
        );
    }
    engine.mode().clone()
}

/// A deterministic pseudo-random point in (-1, 1)^d.
pub fn test_point(d: usize, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..d).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// A custom guide's ELBO estimate (`estimate`, at fixed noise) at parameters `0.2 cos k`
/// and its gradient against central differences in the coordinates `which`, to 1e-6
/// relative.
pub fn assert_matches_finite_differences(
    estimate: impl Fn(Option<&[f64]>) -> doppl::inference::svi::ElboAt,
    which: impl Iterator<Item = usize>,
) -> doppl::inference::svi::ElboAt {
    let n_params = estimate(None).params.len();
    let params: Vec<f64> = (0..n_params).map(|k| 0.2 * (k as f64).cos()).collect();
    let at = estimate(Some(&params));
    for k in which {
        let (mut up, mut down) = (params.clone(), params.clone());
        up[k] += 1e-5;
        down[k] -= 1e-5;
        let f = |p: &[f64]| estimate(Some(p)).value;
        let fd = (f(&up) - f(&down)) / 2e-5;
        let tolerance = 1e-6 * (1.0 + fd.abs());
        assert!(
            (fd - at.gradient[k]).abs() < tolerance,
            "parameter {k}: finite differences {fd} vs {}",
            at.gradient[k]
        );
    }
    at
}
