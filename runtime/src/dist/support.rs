//! [`Support`]: where a family's values live, and so which transform unconstrains a latent.

/// The set of values a distribution puts mass on.
///
/// Non-exhaustive: a new family may bring a new support, so a `match` outside this crate
/// keeps a catch-all arm (what to do with a support it does not know).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Support {
    /// All reals.
    Real,
    /// (0, ∞).
    Positive,
    /// (0, 1).
    UnitInterval,
    /// (lo, hi).
    Interval(f64, f64),
    /// Real vectors of the given length.
    RealVector(usize),
    /// Vectors of the given length with positive entries summing to one.
    Simplex(usize),
    /// {0, 1}.
    Boolean,
    /// {0, 1, 2, …}.
    Count,
    /// {0, …, n}.
    BoundedCount(u64),
    /// {0, …, k − 1}.
    Category(usize),
    /// One value: a point mass ([`Delta`](super::Delta)), which has no density to explore.
    Point,
}

impl Support {
    /// Whether a latent site with this support can be sampled by gradient-based inference.
    pub fn is_continuous(&self) -> bool {
        !matches!(
            self,
            Support::Boolean
                | Support::Count
                | Support::BoundedCount(_)
                | Support::Category(_)
                | Support::Point
        )
    }

    /// Words for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Support::Real => "a finite real number",
            Support::Positive => "a finite number > 0",
            Support::UnitInterval => "a number in (0, 1)",
            Support::Interval(..) => "a number inside the interval",
            Support::RealVector(_) => "a vector of finite reals",
            Support::Simplex(_) => "a vector of positive numbers summing to 1",
            Support::Boolean => "0 or 1",
            Support::Count => "a non-negative integer",
            Support::BoundedCount(_) => "an integer between 0 and the number of trials",
            Support::Category(_) => "a category index below the number of categories",
            Support::Point => "exactly the point mass's value",
        }
    }
}
