//! Request bodies: JSON of a known shape and size, refused with the place that was wrong.

use super::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// How large a request body may be.
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long a client may take to send a body.
const BODY_READ: std::time::Duration = std::time::Duration::from_secs(10);

/// A JSON body of type `T`.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.split(';').next().is_some_and(|mime| mime.trim() == "application/json"));
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "the body must be JSON, sent with Content-Type: application/json",
            ));
        }
        let read = tokio::time::timeout(BODY_READ, axum::body::Bytes::from_request(request, state));
        let bytes = read.await.map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!("the body did not arrive within {} s", BODY_READ.as_secs()),
            )
        })?;
        let bytes = bytes.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    format!("the body is over {} KiB", BODY_LIMIT / 1024),
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "malformed", rejection.body_text())
            }
        })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let field = (path != ".").then_some(path);
            let at = match &field {
                Some(path) => format!("{path}: "),
                None => String::new(),
            };
            ApiError {
                field,
                ..ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    format!("{at}{inner} (line {}, column {})", inner.line(), inner.column()),
                )
            }
        })?;
        deserializer.end().map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, "malformed", error.to_string()))?;
        Ok(Body(value))
    }
}
