//! f64 special functions used by the chain rule (log-gamma and its derivative).

/// ln Γ(x) for x > 0 (statrs' Lanczos approximation, ~1e-15 relative).
#[inline]
pub fn ln_gamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}

/// ψ(x) = d/dx ln Γ(x).
#[inline]
pub fn digamma(x: f64) -> f64 {
    statrs::function::gamma::digamma(x)
}
