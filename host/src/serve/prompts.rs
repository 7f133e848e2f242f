//! The plugins' and plans' questions, answered by the API's client.

use super::Path;
use super::body::Body;
use super::error::ApiError;
use super::operations::MAX_WAIT_MS;
use super::{AppState, LocaleParam, Params};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

#[derive(Deserialize)]
struct ListParams {
    wait_ms: Option<u64>,
    locale: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    Params(params): Params<ListParams>,
) -> Result<impl IntoResponse, ApiError> {
    let locale = LocaleParam { locale: params.locale }.or_policy(&state.host)?;
    let wait = match params.wait_ms {
        Some(ms) if ms > MAX_WAIT_MS => return Err(ApiError::invalid("wait_ms", format!("at most {MAX_WAIT_MS}"))),
        ms => Duration::from_millis(ms.unwrap_or(0)),
    };
    let pending = state.prompts.wait_pending(wait).await;
    let mut prompts = Vec::new();
    for prompt in &pending {
        prompts.push(super::wire::prompt(&state.host, prompt, &locale).await);
    }
    Ok(Json(json!({ "prompts": prompts })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerJson {
    choice: Option<String>,
}

async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(body): Body<AnswerJson>,
) -> Result<StatusCode, ApiError> {
    let id = id.parse::<u64>().map_err(|_| ApiError::not_found(format!("there is no prompt {id}")))?;
    state.prompts.answer(id, body.choice)?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/prompts", get(list)).route("/prompts/{id}", post(answer))
}
