//! Gaussian kernel density estimates with Silverman's rule-of-thumb bandwidth, the curve
//! behind the density, predictive-check and energy plots.

/// Points at which a density curve is evaluated: enough for a smooth line at any figure size
/// the plots are meant for, few enough to keep 40 predictive curves cheap.
const GRID_POINTS: usize = 256;

/// Silverman's bandwidth `0.9 · min(sd, IQR / 1.34) · n^(-1/5)` (Silverman 1986, eq. 3.31):
/// robust to heavy tails through the IQR, with the sd taking over when the IQR is zero (many
/// tied values), and a small positive width for a constant sample.
pub fn silverman_bandwidth(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    if values.len() < 2 {
        return 1.0;
    }
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let iqr = quantile(&sorted, 0.75) - quantile(&sorted, 0.25);
    let spread = match (sd > 0.0, iqr > 0.0) {
        (true, true) => sd.min(iqr / 1.34),
        (true, false) => sd,
        _ => return (mean.abs() * 1e-3).max(1e-3),
    };
    0.9 * spread * n.powf(-0.2)
}

/// The `p` quantile of sorted values, interpolating linearly between order statistics.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let weight = position - below as f64;
    sorted[below] * (1.0 - weight) + sorted[above] * weight
}

/// A density curve: `(x, density)` pairs on an even grid.
pub type Curve = Vec<(f64, f64)>;

/// The Gaussian KDE of `values` (finite, non-empty) on an even grid over `range`.
pub fn kde_on(values: &[f64], range: (f64, f64)) -> Curve {
    let h = silverman_bandwidth(values);
    let norm = 1.0 / (values.len() as f64 * h * (2.0 * std::f64::consts::PI).sqrt());
    let step = (range.1 - range.0) / (GRID_POINTS - 1) as f64;
    (0..GRID_POINTS)
        .map(|i| {
            let x = range.0 + step * i as f64;
            let sum: f64 = values
                .iter()
                .map(|v| (-0.5 * ((x - v) / h).powi(2)).exp())
                .sum();
            (x, sum * norm)
        })
        .collect()
}

/// The Gaussian KDE of `values` over their range extended by three bandwidths, where the
/// curve has fallen to almost zero.
pub fn kde(values: &[f64]) -> Curve {
    kde_on(values, kde_range(values))
}

/// The range a KDE of `values` covers: their extent plus three bandwidths on each side.
pub fn kde_range(values: &[f64]) -> (f64, f64) {
    let h = silverman_bandwidth(values);
    let (lo, hi) = crate::render::extent(values.iter().copied());
    (lo - 3.0 * h, hi + 3.0 * h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bandwidth of a standard normal sample matches the textbook value, and the curve
    /// integrates to one.
    #[test]
    fn silverman_curve_integrates_to_one() {
        // Evenly spread normal quantiles stand in for a sample.
        let n = 1000;
        let values: Vec<f64> = (0..n)
            .map(|i| {
                let p = (i as f64 + 0.5) / n as f64;
                probit(p)
            })
            .collect();
        let h = silverman_bandwidth(&values);
        let expected = 0.9 * 1.0 * (n as f64).powf(-0.2);
        assert!((h - expected).abs() < 0.02 * expected, "{h} vs {expected}");
        let curve = kde(&values);
        let step = curve[1].0 - curve[0].0;
        let area: f64 = curve.iter().map(|(_, d)| d * step).sum();
        assert!((area - 1.0).abs() < 1e-3, "{area}");
    }

    /// A constant sample gets a positive bandwidth instead of a division by zero.
    #[test]
    fn constant_sample_has_a_positive_bandwidth() {
        let h = silverman_bandwidth(&[2.0; 10]);
        assert!(h > 0.0);
        assert!(
            kde(&[2.0; 10])
                .iter()
                .all(|(x, d)| x.is_finite() && d.is_finite())
        );
    }

    /// The inverse normal CDF by bisection on erf-free Φ (Abramowitz–Stegun 26.2.17 is
    /// accurate to 1e-7, plenty for a test sample).
    fn probit(p: f64) -> f64 {
        let phi = |x: f64| {
            let t = 1.0 / (1.0 + 0.231_641_9 * x.abs());
            let poly = t
                * (0.319_381_530
                    + t * (-0.356_563_782
                        + t * (1.781_477_937 + t * (-1.821_255_978 + t * 1.330_274_429))));
            let tail = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt() * poly;
            if x >= 0.0 { 1.0 - tail } else { tail }
        };
        let (mut lo, mut hi) = (-10.0, 10.0);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if phi(mid) < p { lo = mid } else { hi = mid }
        }
        0.5 * (lo + hi)
    }
}
