//! Seed 2 over HTTP: the web and local edit lists and the operator's actions. An action
//! that asks a question waits for its answer under `/api/prompts`.

use super::Path;
use super::body::Body;
use super::error::ApiError;
use super::wire::{self, LocalEditJson, WebListJson};
use super::{AppState, LocaleParam, Params};
use crate::flows::web::{Decision, WebFlow, WebFlowError};
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use serde::Deserialize;

async fn edits(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(WebListJson::from(&state.host.web()?.check().await?)))
}

#[derive(Deserialize)]
struct CandidateParams {
    search: Option<String>,
    locale: Option<String>,
}

async fn candidates(
    State(state): State<AppState>,
    Path(web_id): Path<String>,
    Params(params): Params<CandidateParams>,
) -> Result<impl IntoResponse, ApiError> {
    let locale = LocaleParam { locale: params.locale }.or_policy(&state.host)?;
    if let Some(search) = &params.search
        && search.chars().count() > wire::MAX_PHRASE
    {
        return Err(ApiError::invalid("search", format!("is longer than {} characters", wire::MAX_PHRASE)));
    }
    let found = state.host.web()?.candidates(&web_id, params.search.as_deref()).await?;
    Ok(Json(wire::candidates(&state.host, &found, &locale).await))
}

/// Carries out an action to its end in a task of its own: a client that goes away while a
/// question waits or the web shop answers does not cut a decision in half.
async fn decided<F>(state: &AppState, locale: LocaleParam, action: F) -> Result<impl IntoResponse + use<F>, ApiError>
where
    F: Future<Output = Result<Decision, WebFlowError>> + Send + 'static,
{
    let locale = locale.or_policy(&state.host)?;
    let decision = tokio::spawn(action).await.map_err(ApiError::internal)??;
    Ok(Json(wire::decision(&state.host, &decision, &locale).await))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TakeOverLocalJson {
    number: String,
}

async fn take_over_local(
    State(state): State<AppState>,
    Path(web_id): Path<String>,
    Params(locale): Params<LocaleParam>,
    Body(body): Body<TakeOverLocalJson>,
) -> Result<impl IntoResponse, ApiError> {
    if body.number.trim().is_empty() {
        return Err(ApiError::invalid("number", "is empty: select the local customer first"));
    }
    let flow = state.host.web()?;
    decided(&state, locale, async move { flow.take_over_local(&web_id, &body.number).await }).await
}

async fn local_edits(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let views = state.host.web()?.local_edits().await?;
    Ok(Json(views.iter().map(LocalEditJson::from).collect::<Vec<_>>()))
}

#[derive(Deserialize)]
struct AuditParams {
    limit: Option<u32>,
}

async fn audit(
    State(state): State<AppState>,
    Params(params): Params<AuditParams>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 1000"));
    }
    let entries = state.host.web()?.audit_trail(limit).await?;
    Ok(Json(entries.into_iter().map(wire::audit_entry).collect::<Vec<_>>()))
}

/// `POST` of an action without a body on the web customer or local customer named in the path.
fn action<F, A>(act: F) -> MethodRouter<AppState>
where
    F: Fn(WebFlow, String) -> A + Clone + Send + Sync + 'static,
    A: Future<Output = Result<Decision, WebFlowError>> + Send + 'static,
{
    post(move |State(state): State<AppState>, Path(id): Path<String>, Params(locale): Params<LocaleParam>| async move {
        let flow = state.host.web()?;
        decided(&state, locale, act(flow, id)).await
    })
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/web/edits", get(edits))
        .route("/web/edits/{web_id}/candidates", get(candidates))
        .route("/web/edits/{web_id}/take-over-local", post(take_over_local))
        .route("/web/edits/{web_id}/take-over-web", action(|flow, id| async move { flow.take_over_web(&id).await }))
        .route("/web/edits/{web_id}/discard", action(|flow, id| async move { flow.discard(&id).await }))
        .route("/web/edits/{web_id}/ignore", action(|flow, id| async move { flow.ignore(&id).await }))
        .route("/web/local-edits", get(local_edits))
        .route("/web/local-edits/{number}/push", action(|flow, number| async move { flow.push(&number).await }))
        .route(
            "/web/local-edits/{number}/drop",
            action(|flow, number| async move { flow.drop_local_edit(&number).await }),
        )
        .route("/web/audit", get(audit))
}
