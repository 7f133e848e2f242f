//! The plugins' and plans' questions, answered by the API's client.

use super::Path;
use super::body::Body;
use super::error::ApiError;
use super::operations::MAX_WAIT_MS;
use super::{AppState, LocaleParam, Params};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Milliseconds to wait for a question when none waits (at most 30000).
    wait_ms: Option<u64>,
    /// The locale of the questions' texts; the policy's when left out.
    locale: Option<String>,
}

/// The questions waiting for an answer.
#[derive(Serialize, ToSchema)]
struct PromptsJson {
    prompts: Vec<super::wire::PromptJson>,
}

/// The questions the plugins and plans ask, waiting for the client's answer.
#[utoipa::path(get, path = "/prompts", tag = "prompts", operation_id = "list_prompts", params(ListParams),
    responses((status = 200, body = PromptsJson)))]
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
    Ok(Json(PromptsJson { prompts }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AnswerJson {
    /// One of the question's choices; `null` for the safe answer, as when it times out.
    choice: Option<String>,
}

/// The question a request answers.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct PromptId {
    /// The question's `id`.
    id: String,
}

/// Answers a question.
#[utoipa::path(post, path = "/prompts/{id}", tag = "prompts", operation_id = "answer_prompt", params(PromptId), request_body = AnswerJson,
    responses((status = 204, description = "Answered")))]
async fn answer(
    State(state): State<AppState>,
    Path(PromptId { id }): Path<PromptId>,
    Body(body): Body<AnswerJson>,
) -> Result<StatusCode, ApiError> {
    let id = id.parse::<u64>().map_err(|_| ApiError::not_found(format!("there is no prompt {id}")))?;
    state.prompts.answer(id, body.choice)?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(answer))
}
