//! [`DistError`]: what is wrong with a parameter or a value, before the site is known.

/// An invalid parameter, a value outside the support or a shape mismatch.
///
/// The handler adds the site's name (see `ModelError`), so these messages name the
/// parameter, the element index and the value, and say what is required.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DistError {
    /// A parameter outside its domain, e.g. a negative scale.
    #[error("parameter `{param}`{} of {family} is {value}, but it must be {requirement}", index_suffix(*index))]
    InvalidParameter {
        /// Family name.
        family: &'static str,
        /// Parameter name.
        param: &'static str,
        /// Element index for vectorized parameters.
        index: Option<usize>,
        /// The offending value.
        value: f64,
        /// What the parameter must be.
        requirement: &'static str,
    },
    /// A value outside the support (an observed 2 for a Bernoulli, −1 for a Poisson).
    #[error("value{} = {value} is outside the support of {family}: it must be {support}", index_suffix(*index))]
    OutOfSupport {
        /// Family name.
        family: &'static str,
        /// Element index inside a plate.
        index: Option<usize>,
        /// The offending value.
        value: f64,
        /// The support, in words.
        support: &'static str,
    },
    /// A vectorized parameter or a value whose length differs from the plate.
    #[error("shape mismatch: expected {expected} elements, found {found}")]
    Shape {
        /// The plate's (or parameter's) length.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// `log_prob` was asked for one value but the parameters are vectors.
    #[error("{family} has vectorized parameters of length {len}: sample it on a plate")]
    BatchedParameters {
        /// Family name.
        family: &'static str,
        /// The parameters' length.
        len: usize,
    },
    /// A parameter computed by an operation on model values that failed (operands of
    /// different lengths or plates, an index out of range).
    #[error("a parameter could not be computed: {0}")]
    Operand(crate::value::ShapeError),
    /// An improper prior (Flat, HalfFlat) was asked for a draw.
    #[error(
        "{family} is an improper prior and cannot be sampled: condition this site, intervene \
         on it, or give it a proper prior for simulation"
    )]
    NotSampleable {
        /// Family name.
        family: &'static str,
    },
}

fn index_suffix(index: Option<usize>) -> String {
    index.map(|i| format!("[{i}]")).unwrap_or_default()
}

impl DistError {
    /// The same error with the plate element index filled in.
    pub fn at(self, i: usize) -> Self {
        match self {
            DistError::InvalidParameter {
                family,
                param,
                value,
                requirement,
                ..
            } => DistError::InvalidParameter {
                family,
                param,
                index: Some(i),
                value,
                requirement,
            },
            DistError::OutOfSupport {
                family,
                value,
                support,
                ..
            } => DistError::OutOfSupport {
                family,
                index: Some(i),
                value,
                support,
            },
            other => other,
        }
    }
}
