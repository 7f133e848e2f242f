//! Seed 2 over HTTP: the web and local edit lists and the operator's actions. An action
//! that asks a question waits for its answer under `/api/prompts`.

use super::Path;
use super::body::Body;
use super::error::ApiError;
use super::wire::{self, CandidatesJson, DecisionJson, LocalEditJson, WebListJson};
use super::{AppState, LocaleParam, Number, Params};
use crate::flows::web::{Decision, WebFlow, WebFlowError};
use crate::store::web::AuditEntry;
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The web customer a request is for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct WebId {
    /// The web shop's id of the customer.
    web_id: String,
}

/// "Check web customers": reads the web shop's registrations feed, then the web edit list.
#[utoipa::path(get, path = "/web/edits", tag = "web", operation_id = "web_edits", responses((status = 200, body = WebListJson)))]
async fn edits(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(WebListJson::from(&state.host.web()?.check().await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CandidateParams {
    /// The operator's own search among the local customers (at most 200 characters).
    search: Option<String>,
    /// The locale of the reasons' texts; the policy's when left out.
    locale: Option<String>,
}

/// The local customers that may be this web customer, ranked by the web-merge-rules plugin
/// with its reasons, and those the operator's `search` finds.
#[utoipa::path(get, path = "/web/edits/{web_id}/candidates", tag = "web", params(WebId, CandidateParams),
    responses((status = 200, body = CandidatesJson)))]
async fn candidates(
    State(state): State<AppState>,
    Path(WebId { web_id }): Path<WebId>,
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TakeOverLocalJson {
    /// The local customer the operator selected.
    number: String,
}

/// "Take over local info": the web customer is the existing local customer `number`.
#[utoipa::path(post, path = "/web/edits/{web_id}/take-over-local", tag = "web", params(WebId, LocaleParam),
    request_body = TakeOverLocalJson, responses((status = 200, body = DecisionJson)))]
async fn take_over_local(
    State(state): State<AppState>,
    Path(WebId { web_id }): Path<WebId>,
    Params(locale): Params<LocaleParam>,
    Body(body): Body<TakeOverLocalJson>,
) -> Result<impl IntoResponse, ApiError> {
    if body.number.trim().is_empty() {
        return Err(ApiError::invalid("number", "is empty: select the local customer first"));
    }
    let flow = state.host.web()?;
    decided(&state, locale, async move { flow.take_over_local(&web_id, &body.number).await }).await
}

/// The local edit list: local customers changed here that the web shop also knows.
#[utoipa::path(get, path = "/web/local-edits", tag = "web", responses((status = 200, body = Vec<LocalEditJson>)))]
async fn local_edits(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let views = state.host.web()?.local_edits().await?;
    Ok(Json(views.iter().map(LocalEditJson::from).collect::<Vec<_>>()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditParams {
    /// How many decisions, newest first: 1 to 1000, 50 when left out.
    limit: Option<u32>,
}

/// The audit trail of the operators' decisions, newest first.
#[utoipa::path(get, path = "/web/audit", tag = "web", operation_id = "audit_trail", params(AuditParams),
    responses((status = 200, body = Vec<AuditEntry>)))]
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

/// An action without a body, on the web edit list's or the local edit list's flow.
async fn acted<A>(
    state: AppState,
    locale: LocaleParam,
    act: impl FnOnce(WebFlow) -> A,
) -> Result<impl IntoResponse, ApiError>
where
    A: Future<Output = Result<Decision, WebFlowError>> + Send + 'static,
{
    let flow = state.host.web()?;
    decided(&state, locale, act(flow)).await
}

/// A `POST` handler for the action `$act` of the web flow, without a body, on the web
/// customer or local customer its path names.
macro_rules! action {
    ($(#[$doc:meta])* $act:ident, $path:literal, $param:ident { $id:ident }) => {
        $(#[$doc])*
        #[utoipa::path(post, path = $path, tag = "web", params($param, LocaleParam),
            responses((status = 200, body = DecisionJson)))]
        async fn $act(
            State(state): State<AppState>,
            Path($param { $id }): Path<$param>,
            Params(locale): Params<LocaleParam>,
        ) -> Result<impl IntoResponse, ApiError> {
            acted(state, locale, |flow| async move { flow.$act(&$id).await }).await
        }
    };
}

action!(
    /// "Take over internet info": the web customer becomes a new local customer.
    take_over_web, "/web/edits/{web_id}/take-over-web", WebId { web_id }
);
action!(
    /// "Discard web customer": deleted on the web shop.
    discard, "/web/edits/{web_id}/discard", WebId { web_id }
);
action!(
    /// "Remove from web edit list": back only when the web customer changes again.
    ignore, "/web/edits/{web_id}/ignore", WebId { web_id }
);
action!(
    /// "Take over local info" for a local edit: the web shop gets the local data.
    push, "/web/local-edits/{number}/push", Number { number }
);
action!(
    /// "Remove from local edit list".
    drop_local_edit, "/web/local-edits/{number}/drop", Number { number }
);

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(edits))
        .routes(routes!(candidates))
        .routes(routes!(take_over_local))
        .routes(routes!(take_over_web))
        .routes(routes!(discard))
        .routes(routes!(ignore))
        .routes(routes!(local_edits))
        .routes(routes!(push))
        .routes(routes!(drop_local_edit))
        .routes(routes!(audit))
}
