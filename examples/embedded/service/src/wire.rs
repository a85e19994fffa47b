//! The JSON wire format: reading an effect request, writing an effect summary, and the
//! errors a request can meet, each naming the field it concerns.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use uplift_model::{Covariates, EffectSummary, Error, Estimate};

/// The most units one request may ask about: bounds the work a single request can cause.
pub const MAX_UNITS: usize = 10_000;

/// Why a request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The body is not JSON at all.
    #[error("the body is not valid JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The JSON does not have the expected shape or values.
    #[error("`{field}`: {problem}")]
    Invalid {
        /// The path of the offending field, `units[1][2]` style.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The model could not answer (not the request's fault).
    #[error("the effect could not be computed: {0}")]
    Internal(#[source] Error),
}

impl RequestError {
    fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        RequestError::Invalid {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// The HTTP status: 400 for a body that is not JSON, 422 for JSON of the wrong shape,
    /// 500 when the model fails on valid input.
    pub fn status(&self) -> StatusCode {
        match self {
            RequestError::NotJson(_) => StatusCode::BAD_REQUEST,
            RequestError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            RequestError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error as the JSON the service returns: `{"error": message, "field": path}`
    /// (`field` is `body` when the body as a whole is at fault, `null` for a server error).
    pub fn to_json(&self) -> Value {
        let field = match self {
            RequestError::NotJson(_) => Some("body"),
            RequestError::Invalid { field, .. } => Some(field.as_str()),
            RequestError::Internal(_) => None,
        };
        json!({ "error": self.to_string(), "field": field })
    }
}

/// A model error as the request's fault where it is one, with the field it points at.
impl From<Error> for RequestError {
    fn from(error: Error) -> Self {
        match &error {
            Error::NoUnits { .. } => RequestError::invalid("units", "no units given"),
            Error::CovariateCount {
                unit,
                expected,
                found,
            } => RequestError::invalid(
                format!("units[{unit}]"),
                format!("{found} covariates; the model has {expected}"),
            ),
            Error::NonFiniteCovariate { unit, index, .. } => {
                RequestError::invalid(format!("units[{unit}][{index}]"), error.to_string())
            }
            _ => RequestError::Internal(error),
        }
    }
}

/// Reads `{"units": [[x1, x2, ...], ...]}`: a list of units, each a list of numbers. Other
/// top-level fields are refused, so that a misspelt one is not silently ignored. The number
/// of covariates is checked by the model, which knows it.
///
/// ```
/// use uplift_service::wire::parse_effect_request;
/// let units = parse_effect_request(br#"{"units": [[0.5, 1, -2e-1]]}"#).unwrap();
/// assert_eq!(units[0].0, vec![0.5, 1.0, -0.2]);
/// let error = parse_effect_request(br#"{"units": [[0.5], [1, null]]}"#).unwrap_err();
/// assert_eq!(error.status(), 422);
/// assert_eq!(error.to_json()["field"], "units[1][1]");
/// assert_eq!(error.to_string(), "`units[1][1]`: expected a number");
/// ```
pub fn parse_effect_request(body: &[u8]) -> Result<Vec<Covariates>, RequestError> {
    let value: Value = serde_json::from_slice(body).map_err(RequestError::NotJson)?;
    let object = value
        .as_object()
        .ok_or_else(|| RequestError::invalid("body", "expected an object {\"units\": [...]}"))?;
    if let Some(other) = object.keys().find(|k| *k != "units") {
        return Err(RequestError::invalid(
            other.clone(),
            "unknown field; expected only `units`",
        ));
    }
    let units = object
        .get("units")
        .ok_or_else(|| RequestError::invalid("units", "missing"))?
        .as_array()
        .ok_or_else(|| RequestError::invalid("units", "expected a list of units"))?;
    if units.len() > MAX_UNITS {
        return Err(RequestError::invalid(
            "units",
            format!("{} units; at most {MAX_UNITS} per request", units.len()),
        ));
    }
    units
        .iter()
        .enumerate()
        .map(|(i, unit)| {
            let values = unit.as_array().ok_or_else(|| {
                RequestError::invalid(format!("units[{i}]"), "expected a list of numbers")
            })?;
            values
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    v.as_f64().ok_or_else(|| {
                        RequestError::invalid(format!("units[{i}][{j}]"), "expected a number")
                    })
                })
                .collect::<Result<Vec<f64>, _>>()
                .map(Covariates)
        })
        .collect()
}

/// An estimate as `{"mean", "sd", "lo", "hi", "prob_positive"}`.
fn estimate_json(e: &Estimate) -> Value {
    let mut m = Map::new();
    for (key, value) in [
        ("mean", e.mean),
        ("sd", e.sd),
        ("lo", e.lo),
        ("hi", e.hi),
        ("prob_positive", e.prob_positive),
    ] {
        m.insert(key.into(), json!(value));
    }
    Value::Object(m)
}

/// The summary as the service returns it:
/// `{"average": estimate, "units": [estimate, ...], "level": 0.89, "draws": 4000}`.
///
/// ```
/// use uplift_model::{EffectSummary, Estimate};
/// let estimate = Estimate::of(&[1.0, 2.0, 3.0]);
/// let summary = EffectSummary { average: estimate, units: vec![estimate], level: 0.89, draws: 3 };
/// let json = uplift_service::wire::effect_json(&summary);
/// assert_eq!(json["units"][0]["mean"], 2.0);
/// assert_eq!(json["average"]["sd"], 1.0);
/// assert_eq!(json["draws"], 3);
/// ```
pub fn effect_json(summary: &EffectSummary) -> Value {
    json!({
        "average": estimate_json(&summary.average),
        "units": summary.units.iter().map(estimate_json).collect::<Vec<_>>(),
        "level": summary.level,
        "draws": summary.draws,
    })
}
