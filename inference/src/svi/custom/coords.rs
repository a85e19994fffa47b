//! How a guide's draw of a site (on the site's support) maps to the model's unconstrained
//! coordinates, with the derivatives the pathwise gradient needs.

use doppl_runtime::dist::Support;
use doppl_runtime::scalar::{Dual, Scalar};
use doppl_runtime::transform::{Identity, Positive, UnitInterval};

/// The model's transform of one latent coordinate, for the supports a guide may draw
/// (elementwise ones whose bounds do not move with the parameters).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Coordinate {
    /// The identity.
    Real,
    /// `exp`.
    Positive,
    /// The logistic function.
    UnitInterval,
}

/// One coordinate of a draw: its unconstrained value `u`, `dz/du`, `d ln|J|/du` and `ln|J|`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Mapped {
    pub u: f64,
    pub dz_du: f64,
    pub dlog_jac_du: f64,
    pub log_jac: f64,
}

impl Coordinate {
    /// The coordinate of a site with `support`, or `None` for a support a guide cannot
    /// draw (simplexes; intervals, whose bounds may be parameters of the model).
    pub fn of(support: Support) -> Option<Self> {
        match support {
            Support::Real | Support::RealVector(_) => Some(Coordinate::Real),
            Support::Positive => Some(Coordinate::Positive),
            Support::UnitInterval => Some(Coordinate::UnitInterval),
            _ => None,
        }
    }

    /// The coordinate of constrained value `z`, or `None` when `z` is outside the support.
    ///
    /// The derivatives come from the transform itself (one dual lane through its forward
    /// map), so they are those of the model's Jacobian term.
    pub fn map(self, z: f64) -> Option<Mapped> {
        let u = match self {
            Coordinate::Real => Identity::inverse(z),
            Coordinate::Positive => Positive::inverse(z),
            Coordinate::UnitInterval => UnitInterval::inverse(z),
        };
        if !u.is_finite() {
            return None;
        }
        let seeded = Dual::<1>::variable(u, 0);
        let (zd, log_jac) = match self {
            Coordinate::Real => Identity::forward(seeded),
            Coordinate::Positive => Positive::forward(seeded),
            Coordinate::UnitInterval => UnitInterval::forward(seeded),
        };
        Some(Mapped {
            u,
            dz_du: zd.eps[0],
            dlog_jac_du: log_jac.eps[0],
            log_jac: log_jac.re(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// z = e^u: dz/du = z, ln|J| = u, d ln|J|/du = 1; z = σ(u): dz/du = z(1 − z).
    #[test]
    fn derivatives_of_the_transforms() {
        let m = Coordinate::Positive.map(2.0).unwrap();
        assert!((m.u - 2f64.ln()).abs() < 1e-15 && (m.dz_du - 2.0).abs() < 1e-14);
        assert!((m.log_jac - m.u).abs() < 1e-15 && (m.dlog_jac_du - 1.0).abs() < 1e-15);
        let m = Coordinate::UnitInterval.map(0.25).unwrap();
        assert!((m.dz_du - 0.1875).abs() < 1e-14);
        assert!((m.dlog_jac_du - (1.0 - 2.0 * 0.25)).abs() < 1e-14);
        assert!((m.log_jac - 0.1875f64.ln()).abs() < 1e-14);
        assert_eq!(Coordinate::Positive.map(-1.0), None);
        assert_eq!(Coordinate::of(Support::Simplex(3)), None);
    }
}
