//! The host's HTTP API and the operator console (`pos-host serve`), built on the embedding
//! API: every route calls a [`Host`] method. The API is described in `docs/http-api.md`.

mod access;
mod body;
mod console;
mod customers;
mod error;
mod listen;
mod metrics;
mod openapi;
mod operations;
mod prompts;
mod search;
mod token;
mod web;
pub mod wire;

pub use body::BODY_LIMIT;
pub use error::ApiError;
pub use listen::{Limits, listen};
pub use token::{ApiToken, MIN_TOKEN_CHARS, TokenError};

use crate::bindings::{Argument, Message};
use crate::embed::{Host, LOCALES, Prompts};
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Who may use the API (see `access.rs` for the checks every request passes).
#[derive(Clone, Debug)]
pub struct Options {
    /// Every `/api/` request must carry `Authorization: Bearer <token>`.
    pub token: ApiToken,
    /// Whether the console page carries the token, so that the operator's browser needs no
    /// step to use it. Only for a host that answers on loopback: elsewhere anyone who can
    /// load the page would have the token, and the console asks the operator for it.
    pub console_token: bool,
    /// Host names, besides `localhost` and IP addresses, that requests may be addressed to:
    /// this till's name on the network, when it answers there.
    pub allowed_hosts: Vec<String>,
}

impl Default for Options {
    /// A new random token that only the console page knows; loopback names only.
    fn default() -> Options {
        Options { token: ApiToken::generate(), console_token: true, allowed_hosts: Vec::new() }
    }
}

#[derive(Clone)]
struct AppState {
    host: Host,
    prompts: Arc<Prompts>,
    sessions: Arc<search::Sessions>,
    operations: Arc<operations::Operations>,
    /// The console page, with the token when it carries one.
    console: Arc<str>,
    /// `/api/openapi.json`.
    openapi: Arc<str>,
}

/// The API and the console for `host`, whose operator must be `prompts` for the plugins'
/// and plans' questions to reach the API's clients.
pub fn router(host: Host, prompts: Arc<Prompts>, options: Options) -> Router {
    let access = access::Access {
        token: options.token.clone(),
        allowed_hosts: options.allowed_hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
    };
    let metrics = host.metrics().clone();
    let (routes, document) = routes();
    let state = AppState {
        host,
        prompts,
        sessions: Arc::default(),
        operations: Arc::default(),
        console: console::page(options.console_token.then_some(&options.token)).into(),
        openapi: document.to_json().expect("the OpenAPI document serializes").into(),
    };
    routes
        .route_layer(axum::middleware::from_fn(metrics::note_route))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(access, access::guard))
        .layer(axum::middleware::from_fn_with_state(metrics, metrics::count))
}

/// The OpenAPI document of the API and the console (see `openapi.rs`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().1
}

/// Every route `serve` answers, and the document made from the same handlers.
fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, api_document) = OpenApiRouter::new()
        .routes(routes!(settings))
        .routes(routes!(status))
        .routes(routes!(reload))
        .routes(routes!(texts))
        .merge(openapi::routes())
        .merge(search::routes())
        .merge(operations::routes())
        .merge(customers::routes())
        .merge(web::routes())
        .merge(prompts::routes())
        .split_for_parts();
    let api = api
        .fallback(|| async { ApiError::not_found("no such endpoint; see docs/http-api.md") })
        .method_not_allowed_fallback(|request: axum::extract::Request| async move {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                format!("{} is not answered at {}; see docs/http-api.md", request.method(), request.uri().path()),
            )
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    let (outside, document) = OpenApiRouter::new().merge(console::routes()).merge(metrics::routes()).split_for_parts();
    (Router::new().nest("/api", api).merge(outside), openapi::finish(document.nest("/api", api_document)))
}

/// The path parameter of type `T`, refused with a JSON `400` (a segment that is not UTF-8,
/// say) like every other refusal.
struct Path<T>(T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|path| Path(path.0))
            .map_err(|rejection| ApiError::new(StatusCode::BAD_REQUEST, "malformed", rejection.body_text()))
    }
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

/// The local customer a request is for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct Number {
    /// The customer number.
    number: String,
}

/// `?locale=`, checked against the locales the host ships.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LocaleParam {
    /// The locale of the texts in the answer (`en`, `pl`, `nl`); the policy's when left out.
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

/// The settings a front-end shows, as the policy says now.
#[utoipa::path(get, path = "/settings", tag = "host", responses((status = 200, body = crate::embed::Settings)))]
async fn settings(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.host.settings())
}

/// The files the host serves, the plugin in each slot with its counters, and the latest reloads.
#[utoipa::path(get, path = "/status", tag = "host", responses((status = 200, body = crate::live::Status)))]
async fn status(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.host.status())
}

/// Reads the policy and plugins again now; the last good version keeps serving when they fail.
#[utoipa::path(post, path = "/reload", tag = "host", responses((status = 200, body = crate::live::ReloadRecord)))]
async fn reload(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.host.reload().await)
}

/// A message by key and arguments.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TextJson {
    /// Such as `erp-search-too-many`.
    key: String,
    #[serde(default)]
    args: std::collections::BTreeMap<String, String>,
}

/// A message in words.
#[derive(Serialize, ToSchema)]
struct RenderedJson {
    key: String,
    locale: String,
    text: String,
    /// The plugin that rendered it, or `built-in`.
    decided_by: String,
}

/// A message in words, by the notification-texts plugin serving now.
#[utoipa::path(post, path = "/texts", tag = "host", params(LocaleParam), request_body = TextJson,
    responses((status = 200, body = RenderedJson)))]
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
    Ok(Json(RenderedJson { key: message.key, locale, text: rendered.value, decided_by: rendered.source.decided_by() }))
}
