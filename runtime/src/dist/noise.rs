//! [`LocationScale`]: how a value comes from a standard noise, for counterfactuals.
//!
//! A counterfactual for an observed unit infers the unit's exogenous noise from its value in
//! the factual world (abduction) and replays the same noise under an intervention. That is
//! exact when the value is a monotone function of one standard noise whose law does not
//! depend on the parameters: `x = g⁻¹(loc + scale · ε)`, with `g` the identity (Normal,
//! Student-t, Cauchy, the half families with `loc = 0`) or the logarithm (LogNormal).
//! Discrete families (Bernoulli, Poisson) lose the noise in the value and have none.

/// `x = g⁻¹(loc + scale · ε)` for one element, with `g` the identity or `ln`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocationScale {
    /// The location (on the log scale when [`LocationScale::log`]).
    pub loc: f64,
    /// The scale (> 0).
    pub scale: f64,
    /// Whether the noise acts on `ln x` (LogNormal).
    pub log: bool,
}

impl LocationScale {
    /// A location-scale map on the value itself.
    pub fn linear(loc: f64, scale: f64) -> Self {
        LocationScale {
            loc,
            scale,
            log: false,
        }
    }

    /// The noise behind value `x`: `(g(x) − loc) / scale`.
    ///
    /// ```
    /// use doppl_runtime::dist::LocationScale;
    /// let map = LocationScale::linear(1.0, 2.0);
    /// assert_eq!(map.noise_of(4.0), 1.5);
    /// assert_eq!(map.value_of(1.5), 4.0);
    /// ```
    pub fn noise_of(&self, x: f64) -> f64 {
        let g = if self.log { x.ln() } else { x };
        (g - self.loc) / self.scale
    }

    /// The value that noise `eps` gives: `g⁻¹(loc + scale · eps)`.
    pub fn value_of(&self, eps: f64) -> f64 {
        let g = self.loc + self.scale * eps;
        if self.log { g.exp() } else { g }
    }
}
