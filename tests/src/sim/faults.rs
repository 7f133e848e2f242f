//! Fault injection: what the ERP API does wrong, switchable at runtime.
//!
//! Every mode but `refuse` is applied per request by [`inject`], a middleware in front of
//! the ERP routes. `refuse` closes the listener instead (see `server.rs`), because a refused
//! connection cannot be produced by answering a request.

use super::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// A fault and the endpoints it applies to, as `POST /admin/fault` takes it:
/// `{"mode": "slow", "delay_ms": 2000, "paths": ["/customers/search"]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(flatten)]
    pub mode: FaultMode,
    /// Path prefixes the fault applies to; empty means every endpoint. `refuse` ignores it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

/// What the ERP API does wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum FaultMode {
    /// Answers correctly.
    #[default]
    None,
    /// Every endpoint answers `503 unavailable`.
    Down,
    /// The listener is closed: connections are refused.
    Refuse,
    /// Carries out the request, then answers after a delay.
    Slow { delay_ms: u64 },
    /// Answers with this status and an error body.
    Error { status: u16 },
    /// Refuses with this `4xx` status and `message` as the error's words, as an ERP that
    /// says why it refuses a record, often quoting it.
    Refusal { status: u16, message: String },
    /// Answers `200` with a body that is not the expected JSON: `body` if given, else
    /// truncated JSON.
    Malformed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// Sends the headers (with `Content-Length`) and part of the body, then closes the
    /// connection; an answer without a body (`204`) is not sent at all. The request is
    /// carried out first.
    Drop,
}

/// The default `malformed` body: JSON cut off in the middle of a customer.
pub const MALFORMED_BODY: &str = r#"{"customers": [{"number": "K-0000001", "first_name": "Ann"#;

impl Fault {
    /// A fault on every endpoint.
    pub fn new(mode: FaultMode) -> Fault {
        Fault { mode, paths: Vec::new() }
    }

    /// No fault.
    pub fn none() -> Fault {
        Fault::new(FaultMode::None)
    }

    /// The same fault on the endpoints whose paths start with one of `paths` only.
    pub fn on_paths(mut self, paths: &[&str]) -> Fault {
        self.paths = paths.iter().map(|p| (*p).to_owned()).collect();
        self
    }

    /// Checks the values serde cannot.
    pub fn validate(&self) -> Result<(), String> {
        match self.mode {
            FaultMode::Error { status } if !(400..=599).contains(&status) => {
                Err(format!("`status` must be in 400..=599, not {status}"))
            }
            FaultMode::Refusal { status, .. } if !(400..=499).contains(&status) || status == 404 => {
                Err(format!("`status` must be in 400..=499 and not 404, not {status}"))
            }
            FaultMode::Slow { delay_ms } if delay_ms > 600_000 => {
                Err(format!("`delay_ms` must be at most 600000, not {delay_ms}"))
            }
            _ if self.paths.iter().any(|p| !p.starts_with('/')) => {
                Err("every entry of `paths` must start with `/`".into())
            }
            _ => Ok(()),
        }
    }

    fn applies_to(&self, path: &str) -> bool {
        self.paths.is_empty() || self.paths.iter().any(|prefix| path.starts_with(prefix))
    }
}

/// The current fault, shared by the middleware and the admin API.
pub type FaultState = Arc<RwLock<Fault>>;

/// Reads the current fault.
pub fn current(state: &FaultState) -> Fault {
    state.read().unwrap_or_else(PoisonError::into_inner).clone()
}

/// The middleware that applies the current fault to an ERP request.
pub async fn inject(State(state): State<FaultState>, request: Request, next: Next) -> Response {
    let fault = current(&state);
    if !fault.applies_to(request.uri().path()) {
        return next.run(request).await;
    }
    match fault.mode {
        FaultMode::None | FaultMode::Refuse => next.run(request).await,
        FaultMode::Down => ApiError::unavailable("the service is down (injected fault)").into_response(),
        FaultMode::Slow { delay_ms } => {
            // The request is carried out first and only the answer is late, so that a
            // client giving up on a slow write has still written: what its retry must cope
            // with.
            let response = next.run(request).await;
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            response
        }
        FaultMode::Error { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let code = if status == StatusCode::SERVICE_UNAVAILABLE { "unavailable" } else { "internal" };
            ApiError::new(status, code, format!("injected fault: status {status}")).into_response()
        }
        FaultMode::Refusal { status, message } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            ApiError::new(status, "refused", message).into_response()
        }
        FaultMode::Malformed { body } => {
            ([(header::CONTENT_TYPE, "application/json")], body.unwrap_or_else(|| MALFORMED_BODY.to_owned()))
                .into_response()
        }
        FaultMode::Drop => dropped(next.run(request).await).await,
    }
}

/// Marks a response that is not to be sent: the server closes the connection instead (see
/// `server.rs`). An answer without a body (`204`) cannot be cut in its body, so `drop` cuts
/// it before its status line.
#[derive(Clone, Copy, Debug)]
pub struct CloseInstead;

/// `response` with its full `Content-Length` but only the first half of its body, after
/// which the body fails, which makes the server close the connection. An answer that may
/// not have a body is not sent at all.
async fn dropped(mut response: Response) -> Response {
    let status = response.status();
    if status.is_informational() || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        response.extensions_mut().insert(CloseInstead);
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    // Even an empty answer is cut: claim one byte more than is sent.
    let length = bytes.len().max(1);
    let sent = bytes.slice(..bytes.len() / 2);
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length as u64));
    let chunks = futures_util::stream::unfold(Some(sent), |state| async move {
        let sent = state?;
        if sent.is_empty() {
            // The pause lets the server flush what was sent before the error closes the
            // connection.
            tokio::time::sleep(Duration::from_millis(20)).await;
            return Some((Err(std::io::Error::other("connection dropped (injected fault)")), None));
        }
        Some((Ok::<Bytes, std::io::Error>(sent), Some(Bytes::new())))
    });
    Response::from_parts(parts, Body::from_stream(chunks))
}
