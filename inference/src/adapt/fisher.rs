//! The diagonal metric from draws and gradients (nutpie's Fisher-divergence estimate).
//!
//! For a target with coordinates `x` and score `g = ∇ log p(x)`, the affine map
//! `x ↦ (x − μ) / σ` that brings the target closest to N(0, I) in Fisher divergence has
//! `σᵢ² = sqrt(Var xᵢ / Var gᵢ)` (Seyboldt, Carlson & Carpenter 2026, arXiv:2603.18845). For
//! a Gaussian with diagonal covariance Σ, `Var g = Σ⁻¹`, so the estimate is exactly `Σᵢᵢ`
//! from any three distinct points: gradients carry curvature, which is why short windows
//! suffice where Stan's variance of draws needs hundreds.

use crate::nuts::Metric;

/// Bounds of an estimated variance (nuts-rs since 2023).
const VARIANCE_BOUNDS: (f64, f64) = (1e-20, 1e20);

/// Running mean and variance per coordinate (Welford).
#[derive(Debug, Clone)]
pub struct RunningMoments {
    count: usize,
    mean: Vec<f64>,
    squares: Vec<f64>,
}

impl RunningMoments {
    /// Empty moments of `dim` coordinates.
    pub fn new(dim: usize) -> Self {
        RunningMoments {
            count: 0,
            mean: vec![0.0; dim],
            squares: vec![0.0; dim],
        }
    }

    /// Adds one point.
    pub fn add(&mut self, point: &[f64]) {
        self.count += 1;
        let n = self.count as f64;
        for ((mean, squares), x) in self.mean.iter_mut().zip(&mut self.squares).zip(point) {
            let before = x - *mean;
            *mean += before / n;
            *squares += before * (x - *mean);
        }
    }

    /// Points added.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Sums of squared deviations from the mean, per coordinate.
    pub fn squares(&self) -> &[f64] {
        &self.squares
    }

    /// The means per coordinate.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }
}

/// Draws and gradients of one window.
#[derive(Debug, Clone)]
struct Window {
    draws: RunningMoments,
    gradients: RunningMoments,
}

impl Window {
    fn new(dim: usize) -> Self {
        Window {
            draws: RunningMoments::new(dim),
            gradients: RunningMoments::new(dim),
        }
    }

    fn add(&mut self, draw: &[f64], gradient: &[f64]) {
        self.draws.add(draw);
        self.gradients.add(gradient);
    }
}

/// Foreground and background estimates of the diagonal: every accepted draw goes into both;
/// a switch makes the background the foreground and starts an empty background, so the
/// foreground always holds the draws since the second-to-last switch.
#[derive(Debug, Clone)]
pub struct FisherEstimator {
    foreground: Window,
    background: Window,
}

impl FisherEstimator {
    /// An empty estimator of `dim` coordinates.
    pub fn new(dim: usize) -> Self {
        FisherEstimator {
            foreground: Window::new(dim),
            background: Window::new(dim),
        }
    }

    /// Adds a draw and the gradient of the log density at it.
    pub fn add(&mut self, draw: &[f64], gradient: &[f64]) {
        self.foreground.add(draw, gradient);
        self.background.add(draw, gradient);
    }

    /// Draws in the foreground.
    pub fn foreground_count(&self) -> usize {
        self.foreground.draws.count()
    }

    /// Draws in the background (since the last switch).
    pub fn background_count(&self) -> usize {
        self.background.draws.count()
    }

    /// Makes the background the foreground and starts an empty background.
    pub fn switch(&mut self) {
        let dim = self.background.draws.mean.len();
        self.foreground = std::mem::replace(&mut self.background, Window::new(dim));
    }

    /// Updates `variances` from the foreground: `sqrt(Var x / Var g)` per coordinate, clamped
    /// to [1e-20, 1e20]; a coordinate whose ratio is not finite or zero (e.g. a gradient that
    /// did not vary in the window) keeps its value. Needs three draws; returns whether it
    /// changed anything.
    pub fn update(&self, variances: &mut [f64]) -> bool {
        if self.foreground.draws.count() < 3 {
            return false;
        }
        let draws = self.foreground.draws.squares();
        let gradients = self.foreground.gradients.squares();
        for ((variance, x), g) in variances.iter_mut().zip(draws).zip(gradients) {
            // The counts cancel: both are sums over the same draws.
            let estimate = (x / g).sqrt();
            if estimate.is_finite() && estimate > 0.0 {
                *variance = estimate.clamp(VARIANCE_BOUNDS.0, VARIANCE_BOUNDS.1);
            }
        }
        true
    }
}

/// The metric before any draw: `1 / |gᵢ(x₀)|` per coordinate (a Gaussian's variance when
/// `x₀` is one standard deviation from its mode), 1 where the gradient is zero.
pub fn initial_fisher_metric(gradient: &[f64]) -> Metric {
    let variances = gradient
        .iter()
        .map(|g| {
            let g = g.abs();
            if g > 0.0 && g.is_finite() {
                1.0 / g.clamp(VARIANCE_BOUNDS.0, VARIANCE_BOUNDS.1)
            } else {
                1.0
            }
        })
        .collect();
    Metric::Diagonal(variances)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gradient of N(m, diag(s²)) at x.
    fn gaussian_gradient(x: &[f64], m: &[f64], s: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(m)
            .zip(s)
            .map(|((x, m), s)| -(x - m) / (s * s))
            .collect()
    }

    #[test]
    fn three_points_of_a_diagonal_gaussian_give_its_variances_exactly() {
        let m = [1.0, -3.0, 0.0];
        let s = [1e-2, 1.0, 1e2];
        let mut estimator = FisherEstimator::new(3);
        for x in [[0.3, -2.0, 50.0], [1.2, -3.5, -20.0], [0.9, -1.0, 7.0]] {
            estimator.add(&x, &gaussian_gradient(&x, &m, &s));
        }
        let mut variances = vec![1.0; 3];
        assert!(estimator.update(&mut variances));
        for (v, s) in variances.iter().zip(&s) {
            assert!((v / (s * s) - 1.0).abs() < 1e-12, "{v} vs {}", s * s);
        }
    }

    #[test]
    fn a_constant_gradient_keeps_the_old_variance_and_two_draws_change_nothing() {
        let mut estimator = FisherEstimator::new(2);
        estimator.add(&[0.0, 0.0], &[1.0, -1.0]);
        estimator.add(&[1.0, 2.0], &[1.0, -2.0]);
        let mut variances = vec![7.0, 7.0];
        assert!(!estimator.update(&mut variances));
        estimator.add(&[2.0, 1.0], &[1.0, -1.5]);
        assert!(estimator.update(&mut variances));
        assert_eq!(variances[0], 7.0);
        assert!(variances[1].is_finite() && variances[1] != 7.0);
    }

    #[test]
    fn a_switch_keeps_only_the_draws_since_the_last_switch() {
        let mut estimator = FisherEstimator::new(1);
        estimator.add(&[1.0], &[1.0]);
        estimator.switch();
        assert_eq!(estimator.foreground_count(), 1);
        assert_eq!(estimator.background_count(), 0);
        estimator.add(&[2.0], &[1.0]);
        assert_eq!(estimator.foreground_count(), 2);
        assert_eq!(estimator.background_count(), 1);
    }

    #[test]
    fn the_initial_metric_is_the_inverse_gradient_and_one_at_a_zero_gradient() {
        let Metric::Diagonal(v) = initial_fisher_metric(&[-4.0, 0.0, f64::NAN]) else {
            panic!("diagonal expected");
        };
        assert_eq!(v, vec![0.25, 1.0, 1.0]);
    }
}
