//! Errors as the API answers them: a status, a stable `kind`, a message that says what was
//! wrong, and the field it was wrong in.

use crate::embed::{AnswerError, HostError};
use crate::flows::web::WebFlowError;
use crate::store::StoreError;
use crate::webshop::WebshopError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub error: String,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The error in the operator's words, where the label table (`/labels.js`) has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Box<LabelJson>>,
    /// Seconds after which trying again may succeed: a `Retry-After` header.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, error: impl Into<String>) -> ApiError {
        ApiError { status, error: error.into(), kind, field: None, label: None, retry_after: None }
    }

    /// The same error, telling the client to try again after `seconds`.
    pub fn retry_after(self, seconds: u64) -> ApiError {
        ApiError { retry_after: Some(seconds), ..self }
    }

    /// The customer database is locked by another program for longer than the store waits.
    pub fn busy(error: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            format!("the customer database is busy ({error}); nothing was changed: try again"),
        )
        .retry_after(1)
    }

    /// A value that is not acceptable: `422` naming `field`.
    pub fn invalid(field: &str, error: impl std::fmt::Display) -> ApiError {
        ApiError {
            field: Some(field.to_owned()),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("{field}: {error}"))
        }
    }

    pub fn not_found(error: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", error)
    }

    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(&self)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match &error {
            StoreError::NoCustomer(_) => ApiError::not_found(error.to_string()),
            StoreError::NotEditable(_) => ApiError::new(StatusCode::CONFLICT, "not-editable", error.to_string()),
            StoreError::NumberTaken(_) => ApiError::new(StatusCode::CONFLICT, "existing-customer", error.to_string()),
            StoreError::Invalid(_) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", error.to_string()),
            _ if error.is_busy() => ApiError::busy(error),
            _ => ApiError::internal(error),
        }
    }
}

impl From<HostError> for ApiError {
    fn from(error: HostError) -> ApiError {
        match error {
            HostError::NotConfigured { .. } => ApiError::new(StatusCode::BAD_GATEWAY, "unavailable", error.to_string()),
            HostError::Store(error) => error.into(),
            HostError::Sync(_) => ApiError::new(StatusCode::BAD_GATEWAY, "unavailable", error.to_string()),
            other => ApiError::internal(other),
        }
    }
}

impl From<WebFlowError> for ApiError {
    fn from(error: WebFlowError) -> ApiError {
        let message = error.to_string();
        let label = error.label().map(|(key, args)| Box::new(LabelJson { key, args: args.into_iter().collect() }));
        let refused = match error {
            WebFlowError::NotListed(_) | WebFlowError::NoLocalCustomer(_) | WebFlowError::NotOnLocalEditList(_) => {
                ApiError::not_found(message)
            }
            WebFlowError::Changed { .. } => ApiError::new(StatusCode::CONFLICT, "changed", message),
            WebFlowError::Gone(_) => ApiError::new(StatusCode::GONE, "gone", message),
            WebFlowError::Webshop(_) => ApiError::new(StatusCode::BAD_GATEWAY, "unavailable", message),
            WebFlowError::Unanswered(_) => ApiError::new(StatusCode::GATEWAY_TIMEOUT, "unanswered", message),
            WebFlowError::NumberTaken { .. } => ApiError::new(StatusCode::CONFLICT, "existing-customer", message),
            WebFlowError::NumberUnverified { .. } => ApiError::new(StatusCode::BAD_GATEWAY, "unavailable", message),
            WebFlowError::Plan(_) => ApiError::internal(message),
            WebFlowError::Store(error) => error.into(),
        };
        ApiError { label, ..refused }
    }
}

/// A key of the label table with its arguments, for the console to say in its locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LabelJson {
    pub key: &'static str,
    pub args: std::collections::BTreeMap<&'static str, String>,
}

impl From<WebshopError> for ApiError {
    fn from(error: WebshopError) -> ApiError {
        ApiError::new(StatusCode::BAD_GATEWAY, "unavailable", error.to_string())
    }
}

impl From<AnswerError> for ApiError {
    fn from(error: AnswerError) -> ApiError {
        match error {
            AnswerError::NoPrompt(_) => ApiError::not_found(error.to_string()),
            AnswerError::NoChoice { .. } => ApiError::invalid("choice", error),
        }
    }
}
