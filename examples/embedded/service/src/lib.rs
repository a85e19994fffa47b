//! An HTTP service around an embedded doppl model: `POST /effect` takes unit covariates as
//! JSON and returns the posterior effect of treatment for them, from an [`uplift_model`] fit
//! made at start-up; `GET /health` says it is up and what it was fitted with.
//!
//! ```text
//! $ curl -s localhost:3000/effect -d '{"units": [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]}'
//! {"average":{"mean":1.9,...},"units":[{"mean":1.5,...},{"mean":2.3,...}],"level":0.89,"draws":4000}
//! ```
//!
//! The fit is shared by every request through an `Arc` (it is `Send + Sync`); effects are
//! computed on tokio's blocking pool so that a long query does not stall the others.

#![warn(missing_docs)]

pub mod wire;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::future::Future;
use std::sync::Arc;
use uplift_model::FittedModel;
use wire::RequestError;

/// The routes, serving `fitted`.
pub fn router(fitted: Arc<FittedModel>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/effect", post(effect))
        .with_state(fitted)
}

/// Serves [`router`] on `listener` until `shutdown` completes, then finishes the requests in
/// flight and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    fitted: Arc<FittedModel>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(fitted))
        .with_graceful_shutdown(shutdown)
        .await
}

/// A JSON response.
fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn health(State(fitted): State<Arc<FittedModel>>) -> Response {
    let body = json!({
        "status": "ok",
        "covariates": fitted.covariates(),
        "seed": fitted.options().seed,
    });
    json_response(StatusCode::OK, &body)
}

async fn effect(State(fitted): State<Arc<FittedModel>>, body: Bytes) -> Response {
    // Replaying the model on every draw is CPU work: off the async threads.
    let answer = tokio::task::spawn_blocking(move || -> Result<Value, RequestError> {
        let units = wire::parse_effect_request(&body)?;
        Ok(wire::effect_json(&fitted.effect(&units)?))
    })
    .await;
    match answer {
        Ok(Ok(body)) => json_response(StatusCode::OK, &body),
        Ok(Err(error)) => json_response(error.status(), &error.to_json()),
        // The task panicked or was cancelled: a server fault, said as JSON like the others.
        Err(join) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "error": format!("the effect task failed: {join}"), "field": null }),
        ),
    }
}
