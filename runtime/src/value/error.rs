//! [`ShapeError`]: an operation on model values whose operands do not fit together.

use std::fmt;

/// The length of an operand and the plate it is known to live on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extent {
    /// The number of elements.
    pub len: usize,
    /// The plate, when the value is known to live on one.
    pub plate: Option<&'static str>,
}

impl fmt::Display for Extent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.plate {
            Some(p) => write!(f, "{} values on plate `{p}`", self.len),
            None => write!(f, "{} values", self.len),
        }
    }
}

/// Why an operation on model values has no result. It travels with the value (operators
/// cannot return `Result`) and becomes a typed error at the first site that reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeError {
    /// An elementwise operation or a product of operands of different lengths or plates.
    #[error(
        "`{op}` of {left} and {right}: operands must have the same length and plate \
         (nothing is broadcast; use a scalar for a value shared by every element)"
    )]
    Mismatch {
        /// The operation (`+`, `*`, `X · β` …).
        op: &'static str,
        /// The left operand.
        left: Extent,
        /// The right operand.
        right: Extent,
    },
    /// A gather whose index points past the gathered vector.
    #[error(
        "index {index} at position {position} is out of range for a vector of {len} values; \
         indices must lie in 0..{len}"
    )]
    IndexOutOfRange {
        /// The position in the index vector.
        position: usize,
        /// The index found there.
        index: usize,
        /// The length of the gathered vector.
        len: usize,
    },
    /// A function of several operands (a network layer) was given the wrong number of them:
    /// weights, features or outputs.
    #[error("expected {expected} {what}, found {found}")]
    Count {
        /// What was counted, with how to get the number right.
        what: &'static str,
        /// The number needed.
        expected: usize,
        /// The number given.
        found: usize,
    },
    /// Fewer operands than an operation needs (a network without layers, a layer without
    /// units).
    #[error("expected at least {least} {what}, found {found}")]
    TooFew {
        /// What was counted.
        what: &'static str,
        /// The smallest number that works.
        least: usize,
        /// The number given.
        found: usize,
    },
}
