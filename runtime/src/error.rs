//! [`ModelError`]: what went wrong while running a model, naming the site.

use crate::dist::DistError;

/// An error raised while running a model; every variant names the site.
///
/// [`ModelError::Distribution`] says what kind of problem the site has and how to fix it;
/// the distribution's own message (parameter, index, value) is its
/// [`std::error::Error::source`], so print the error with its source chain (for example
/// with `doppl_inference::ErrorChain`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A distribution rejected a parameter or a value.
    #[error("site `{site}`: {}", summary(source))]
    Distribution {
        /// The site.
        site: &'static str,
        /// What the distribution said (the error's source).
        source: DistError,
    },
    /// A value given for a site (by `condition`, `intervene` or a draw) has the wrong length.
    #[error(
        "site `{site}`: expected {expected} values (plate `{plate}`), found {found}; \
         give one value per plate element"
    )]
    Shape {
        /// The site.
        site: &'static str,
        /// The plate.
        plate: &'static str,
        /// The plate's size.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A deterministic site's or a factor's value could not be computed (operands of
    /// different lengths or plates, an index out of range), or does not fit the site's plate.
    #[error("site `{site}`: its value cannot be computed from the model's operands")]
    Value {
        /// The site.
        site: &'static str,
        /// What went wrong.
        source: crate::value::ShapeError,
    },
    /// A do() value lies outside the support of the site's distribution (a value the model
    /// could never produce, such as a negative scale).
    #[error(
        "site `{site}`: the intervened value is outside the site's support; intervene there \
         on purpose with `Scenario::unchecked()`"
    )]
    InterventionOutOfSupport {
        /// The site.
        site: &'static str,
        /// What the distribution said about the value (boxed: the error stays small).
        source: Box<DistError>,
    },
    /// A builder was given the same site twice (`.y(a).y(b)`): which value was meant is not
    /// known, so the scenario does not run.
    #[error(
        "site `{site}` was {how} twice in one scenario; give each site one value (build a \
         second scenario for another value)"
    )]
    RepeatedSite {
        /// The site.
        site: &'static str,
        /// "conditioned" or "intervened on".
        how: &'static str,
    },
    /// A discrete site (or a point mass, [`crate::dist::Delta`]) is neither observed nor
    /// intervened, so gradient-based inference cannot sample it.
    #[error(
        "site `{site}` ({family}) is discrete or a point mass, and latent: NUTS and SVI need \
         continuous latents; condition it on data or intervene on it"
    )]
    DiscreteLatent {
        /// The site.
        site: &'static str,
        /// The family.
        family: &'static str,
    },
    /// The unconstrained parameter vector has the wrong length.
    #[error(
        "the parameter vector has {found} entries, but the model has {expected} unconstrained parameters"
    )]
    ParameterLength {
        /// The layout's dimension.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A site's log-density is not finite (e.g. an overflow at an extreme parameter value).
    #[error(
        "the log-density of site `{site}` is {value} at this point; if this happens at \
         initialization, give initial values or check the priors and data of `{site}`"
    )]
    NonFiniteDensity {
        /// The first site whose contribution is not finite.
        site: &'static str,
        /// Its contribution.
        value: f64,
    },
    /// A counterfactual needs the noise behind a site's value, and the site's family does
    /// not determine it (a Bernoulli or Poisson value fits many noises).
    #[error(
        "site `{site}` ({family}) lies downstream of the intervention, but its value does not \
         determine its noise, so a counterfactual cannot replay it; ask the interventional \
         question instead (`EffectQuery`), or model the site with a location-scale \
         family (Normal, StudentT, LogNormal, …)"
    )]
    NoAbduction {
        /// The site.
        site: &'static str,
        /// Its family.
        family: &'static str,
    },
    /// The model body panicked (an index out of range in user code, an `unwrap` on a value
    /// that depends on the parameters). During sampling the point is rejected, as Stan
    /// rejects a point whose model block throws; during initialization it is fatal.
    #[error("the model panicked: {message}")]
    Panicked {
        /// The panic's message.
        message: String,
    },
    /// A guide's `param!` (or, for [`crate::guide::ParamProblem::Changed`], one of its sites)
    /// cannot be used.
    #[error("guide parameter `{param}`: {problem}")]
    GuideParam {
        /// The parameter (or site).
        param: &'static str,
        /// What is wrong.
        problem: Box<crate::guide::ParamProblem>,
    },
    /// A draw lacks a value for a latent site.
    #[error("site `{site}` has no value in the draw: a posterior draw must give every latent site")]
    MissingValue {
        /// The site.
        site: &'static str,
    },
    /// `plate!(n, subsample = 0)`: a batch needs at least one element.
    #[error("plate `{plate}`: `subsample = 0`; a batch needs at least one element")]
    EmptySubsample {
        /// The plate.
        plate: &'static str,
    },
}

/// What kind of problem a distribution error is, and the hint, without its message (that is
/// the error's source).
fn summary(e: &DistError) -> &'static str {
    match e {
        DistError::OutOfSupport { .. } => {
            "a value is outside the support (check the data given to `condition`)"
        }
        DistError::InvalidParameter { .. } => {
            "a parameter is invalid (check the constants and data it is computed from)"
        }
        DistError::Shape { .. } => {
            "a shape mismatch (vectorized parameters need one value per plate element)"
        }
        DistError::Operand(_) => {
            "a parameter could not be computed (check the lengths and plates of the values the \
             model combines)"
        }
        DistError::BatchedParameters { .. } => "vectorized parameters outside a plate",
        DistError::NotSampleable { .. } => "the distribution cannot be sampled",
    }
}

impl ModelError {
    /// Attaches a site name to a distribution error.
    pub fn at_site(site: &'static str, source: DistError) -> Self {
        ModelError::Distribution { site, source }
    }
    /// Whether sampling may go on after this error (it depends on the point, not on the
    /// model): a sampler treats it as a divergence.
    pub fn is_recoverable(&self) -> bool {
        match self {
            // A parameter value or a value outside the support can depend on the point.
            ModelError::Distribution { source, .. } => matches!(
                source,
                DistError::InvalidParameter { .. } | DistError::OutOfSupport { .. }
            ),
            ModelError::NonFiniteDensity { .. } | ModelError::Panicked { .. } => true,
            _ => false,
        }
    }
    /// The site the error is about, if any.
    pub fn site(&self) -> Option<&'static str> {
        match self {
            ModelError::Distribution { site, .. }
            | ModelError::Shape { site, .. }
            | ModelError::Value { site, .. }
            | ModelError::InterventionOutOfSupport { site, .. }
            | ModelError::RepeatedSite { site, .. }
            | ModelError::DiscreteLatent { site, .. }
            | ModelError::NonFiniteDensity { site, .. }
            | ModelError::NoAbduction { site, .. }
            | ModelError::MissingValue { site } => Some(site),
            ModelError::GuideParam { param, .. } => Some(param),
            ModelError::EmptySubsample { plate } => Some(plate),
            ModelError::ParameterLength { .. } | ModelError::Panicked { .. } => None,
        }
    }
}
