//! The host's HTTP API and the operator console (`pos-host serve`), built on the embedding
//! API: every route calls a [`Host`] method. The API is described in `docs/http-api.md`.

mod body;
mod console;
mod customers;
mod error;
mod operations;
mod prompts;
mod search;
mod web;
mod wire;

pub use body::BODY_LIMIT;
pub use error::ApiError;

use crate::bindings::{Argument, Message};
use crate::embed::{Host, LOCALES, Prompts};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// How the API is served.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// When set, every `/api/` request must carry `Authorization: Bearer <token>`.
    pub token: Option<String>,
}

#[derive(Clone)]
struct AppState {
    host: Host,
    prompts: Arc<Prompts>,
    sessions: Arc<search::Sessions>,
    operations: Arc<operations::Operations>,
    token: Option<Arc<str>>,
}

/// The API and the console for `host`, whose operator must be `prompts` for the plugins'
/// and plans' questions to reach the API's clients.
pub fn router(host: Host, prompts: Arc<Prompts>, options: Options) -> Router {
    let state = AppState {
        host,
        prompts,
        sessions: Arc::default(),
        operations: Arc::default(),
        token: options.token.map(Arc::from),
    };
    let api = Router::new()
        .route("/settings", get(settings))
        .route("/status", get(status))
        .route("/reload", post(reload))
        .route("/texts", post(texts))
        .merge(search::routes())
        .merge(operations::routes())
        .merge(customers::routes())
        .merge(web::routes())
        .merge(prompts::routes())
        .fallback(|| async { ApiError::not_found("no such endpoint; see docs/http-api.md") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), authorize))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    Router::new().nest("/api", api).merge(console::routes()).with_state(state)
}

/// Refuses `/api/` requests without the token, when there is one.
async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if !given.is_some_and(|given| same(given.as_bytes(), token.as_bytes())) {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this host requires `Authorization: Bearer <token>` (the token it was started with)",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Compares without stopping at the first difference, so that timing tells nothing.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Query parameters of type `T`, refused with a `400` that says which.
struct Params<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|query| Params(query.0))
            .map_err(|rejection| ApiError::new(StatusCode::BAD_REQUEST, "malformed", rejection.body_text()))
    }
}

/// `?locale=`, checked against the locales the host ships.
#[derive(Deserialize)]
struct LocaleParam {
    locale: Option<String>,
}

impl LocaleParam {
    /// The locale asked for, `None` for the policy's; `422` for one the host has no texts for.
    fn checked(self) -> Result<Option<String>, ApiError> {
        match self.locale {
            Some(locale) if !LOCALES.contains(&locale.as_str()) => Err(ApiError::invalid(
                "locale",
                format!("unknown locale `{locale}`; expected one of {}", LOCALES.join(", ")),
            )),
            locale => Ok(locale),
        }
    }

    /// The locale asked for, or the policy's as it is now.
    fn or_policy(self, host: &Host) -> Result<String, ApiError> {
        Ok(self.checked()?.unwrap_or_else(|| host.policy().host.locale.clone()))
    }
}

async fn settings(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.host.settings())
}

async fn status(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.host.status())
}

async fn reload(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.host.reload().await)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextJson {
    key: String,
    #[serde(default)]
    args: std::collections::BTreeMap<String, String>,
}

/// A message in words, by the notification-texts plugin serving now.
async fn texts(
    State(state): State<AppState>,
    Params(locale): Params<LocaleParam>,
    body::Body(text): body::Body<TextJson>,
) -> Result<impl IntoResponse, ApiError> {
    let locale = locale.or_policy(&state.host)?;
    if text.key.trim().is_empty() {
        return Err(ApiError::invalid("key", "is empty"));
    }
    let args = text.args.into_iter().map(|(name, value)| Argument { name, value }).collect();
    let message = Message { key: text.key, args };
    let rendered = state.host.plugins().texts.render(&message, &locale).await;
    Ok(Json(serde_json::json!({
        "key": message.key,
        "locale": locale,
        "text": rendered.value,
        "decided_by": rendered.source.decided_by(),
    })))
}
