//! Shared machinery of the distribution table test.

pub mod continuous;
pub mod counts;
pub mod discrete;
pub mod multivariate;

use doppl_runtime::dist::DistError;

/// Dual width of the gradient checks: up to three parameters plus the value.
pub const W: usize = 4;

/// Asserts |a − b| ≤ tol (1 + |b|), naming what is compared.
pub fn assert_close(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs()) || (a == b),
        "{what}: {a} vs {b} (tolerance {tol})"
    );
}

/// Central difference of `f` along coordinate `k` of `x`.
pub fn central_difference(f: &dyn Fn(&[f64]) -> f64, x: &[f64], k: usize) -> f64 {
    let h = 1e-5 * (1.0 + x[k].abs());
    let mut plus = x.to_vec();
    let mut minus = x.to_vec();
    plus[k] += h;
    minus[k] -= h;
    (f(&plus) - f(&minus)) / (2.0 * h)
}

/// A Monte Carlo check: the sample mean of `statistic` over the draws should be `expected`.
pub struct Expectation<V> {
    /// What is checked, for messages.
    pub label: &'static str,
    /// The function whose expectation is known.
    pub statistic: Box<dyn Fn(&V) -> f64>,
    /// Its exact expectation.
    pub expected: f64,
}

/// Checks each expectation against the draws within 5 Monte Carlo standard errors.
///
/// The standard error of a sample mean of g(X) is sd(g(X)) / √n; sd is estimated from the
/// same draws. For g(x) = (x − μ)² this is the usual √((μ₄ − σ⁴) / n) of a variance estimate,
/// with the fourth central moment μ₄ estimated by plug-in. At 5 standard errors a correct
/// sampler fails with probability below 1e-6 per check, and the seed is fixed.
pub fn check_expectations<V>(family: &str, draws: &[V], expectations: &[Expectation<V>]) {
    let n = draws.len() as f64;
    for e in expectations {
        let values: Vec<f64> = draws.iter().map(|d| (e.statistic)(d)).collect();
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let standard_error = (var / n).sqrt();
        assert!(
            (mean - e.expected).abs() <= 5.0 * standard_error,
            "{family} {}: sample {mean} vs exact {} (5 s.e. = {})",
            e.label,
            e.expected,
            5.0 * standard_error
        );
    }
}

/// Asserts that `result` is an invalid-parameter error naming `param`.
pub fn assert_invalid_parameter<T>(family: &str, result: Result<T, DistError>, param: &str) {
    match result {
        Err(DistError::InvalidParameter { param: p, .. }) if p == param => {}
        Err(other) => panic!("{family}: expected InvalidParameter for `{param}`, got {other:?}"),
        Ok(_) => panic!("{family}: invalid `{param}` was accepted"),
    }
}

/// Asserts that `result` is an out-of-support error at plate index `index`.
pub fn assert_out_of_support<T>(family: &str, result: Result<T, DistError>, index: Option<usize>) {
    match result {
        Err(DistError::OutOfSupport { index: i, .. }) if i == index => {}
        Err(other) => panic!("{family}: expected OutOfSupport at {index:?}, got {other:?}"),
        Ok(_) => panic!("{family}: a value outside the support was accepted"),
    }
}
