//! Seed 1 over HTTP: search sessions, each one operator's [`CustomerSearch`].

use super::Path;
use super::body::Body;
use super::error::ApiError;
use super::operations::OperationJson;
use super::wire::{CustomerJson, QueryJson, ScreenJson};
use super::{AppState, LocaleParam, Params};
use crate::bindings::Message;
use crate::bindings::search::RetrieveAction;
use crate::embed::CustomerSearch;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How many sessions live at once.
const MAX_SESSIONS: usize = 64;
/// A session unused this long is closed.
const IDLE: Duration = Duration::from_secs(30 * 60);
/// A session used more recently than this, or searching now, is in use: it is never closed
/// to make room for another.
const IN_USE: Duration = Duration::from_secs(60);
/// How many closed sessions are remembered, to tell their clients why.
const REMEMBERED: usize = 256;

struct Session {
    search: tokio::sync::Mutex<CustomerSearch>,
    used: Mutex<Instant>,
}

impl Session {
    fn touch(&self) {
        *self.used.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    /// The session's search, in `locale` from now on when one is asked for.
    async fn in_locale(&self, locale: Option<String>) -> tokio::sync::MutexGuard<'_, CustomerSearch> {
        let mut search = self.search.lock().await;
        if locale.is_some() {
            search.set_locale(locale);
        }
        search
    }

    fn used(&self) -> Instant {
        *self.used.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the session may be closed to make room: unused for a while and not searching.
    fn evictable(&self) -> bool {
        self.used().elapsed() >= IN_USE && self.search.try_lock().is_ok()
    }
}

#[derive(Default)]
pub struct Sessions {
    next: AtomicU64,
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    open: HashMap<String, Arc<Session>>,
    /// Recently closed sessions and why, newest last.
    closed: VecDeque<(String, &'static str)>,
}

impl Table {
    fn close(&mut self, id: &str, why: &'static str) {
        self.open.remove(id);
        if self.closed.len() == REMEMBERED {
            self.closed.pop_front();
        }
        self.closed.push_back((id.to_owned(), why));
    }
}

impl Sessions {
    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens a session for `search`. When [`MAX_SESSIONS`] are open, the least recently
    /// used one that is not in use is closed; when all are in use, `429`.
    fn open(&self, search: CustomerSearch) -> Result<String, ApiError> {
        let mut table = self.table();
        let expired: Vec<String> =
            table.open.iter().filter(|(_, s)| s.used().elapsed() >= IDLE).map(|(id, _)| id.clone()).collect();
        for id in expired {
            table.close(&id, "it was idle for 30 minutes");
        }
        if table.open.len() >= MAX_SESSIONS {
            let oldest = table.open.iter().filter(|(_, s)| s.evictable()).min_by_key(|(_, s)| s.used());
            let Some(oldest) = oldest.map(|(id, _)| id.clone()) else {
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too-many-sessions",
                    format!(
                        "all {MAX_SESSIONS} search sessions are in use (each searched within the last minute); \
                         close one you no longer need (DELETE /api/search/sessions/{{id}}) or try again in a minute"
                    ),
                )
                .retry_after(IN_USE.as_secs()));
            };
            table.close(&oldest, "it was the least recently used when more sessions were opened");
        }
        let id = format!("s-{}", self.next.fetch_add(1, Ordering::Relaxed) + 1);
        let session = Session { search: tokio::sync::Mutex::new(search), used: Mutex::new(Instant::now()) };
        table.open.insert(id.clone(), Arc::new(session));
        Ok(id)
    }

    fn get(&self, id: &str) -> Result<Arc<Session>, ApiError> {
        let table = self.table();
        let Some(session) = table.open.get(id).cloned() else {
            let why = table.closed.iter().rev().find(|(closed, _)| closed == id).map(|(_, why)| *why);
            return Err(ApiError::not_found(match why {
                Some(why) => format!("there is no search session {id}: it was closed because {why}; open a new one"),
                None => format!("there is no search session {id}; it was closed or expired: open a new one"),
            }));
        };
        session.touch();
        Ok(session)
    }

    fn close(&self, id: &str) -> bool {
        let mut table = self.table();
        let open = table.open.contains_key(id);
        if open {
            table.close(id, "its client closed it");
        }
        open
    }
}

/// The session a request is for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct SessionId {
    /// Such as `s-1`, as opening the session answered.
    id: String,
}

/// A search session: one operator's search screen.
#[derive(Serialize, ToSchema)]
struct SessionJson {
    /// Such as `s-1`: the `{id}` of the session's other requests.
    session: String,
}

/// Opens a search session, in `locale` (the policy's when left out).
#[utoipa::path(post, path = "/search/sessions", tag = "search", operation_id = "open_session", params(LocaleParam),
    responses((status = 201, body = SessionJson)))]
async fn open(
    State(state): State<AppState>,
    Params(locale): Params<LocaleParam>,
) -> Result<impl IntoResponse, ApiError> {
    let search = state.host.search(locale.checked()?);
    Ok((StatusCode::CREATED, Json(SessionJson { session: state.sessions.open(search)? })))
}

/// Closes a search session.
#[utoipa::path(delete, path = "/search/sessions/{id}", tag = "search", operation_id = "close_session", params(SessionId),
    responses((status = 204, description = "Closed")))]
async fn close(State(state): State<AppState>, Path(SessionId { id }): Path<SessionId>) -> Result<StatusCode, ApiError> {
    if state.sessions.close(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("there is no search session {id}")))
    }
}

/// What the session's screen shows now.
#[utoipa::path(get, path = "/search/sessions/{id}", tag = "search", operation_id = "current_screen", params(SessionId, LocaleParam),
    responses((status = 200, body = ScreenJson)))]
async fn current(
    State(state): State<AppState>,
    Path(SessionId { id }): Path<SessionId>,
    Params(locale): Params<LocaleParam>,
) -> Result<impl IntoResponse, ApiError> {
    let locale = locale.checked()?;
    let session = state.sessions.get(&id)?;
    let mut search = session.in_locale(locale).await;
    Ok(Json(ScreenJson::from(&search.current().await)))
}

/// Searches the local customers: seed 1's local search, the list and the notice it shows.
#[utoipa::path(post, path = "/search/sessions/{id}/local", tag = "search", operation_id = "search_local", params(SessionId, LocaleParam),
    request_body = QueryJson, responses((status = 200, body = ScreenJson)))]
async fn local(
    State(state): State<AppState>,
    Path(SessionId { id }): Path<SessionId>,
    Params(locale): Params<LocaleParam>,
    Body(query): Body<QueryJson>,
) -> Result<impl IntoResponse, ApiError> {
    let (locale, query) = (locale.checked()?, query.check()?);
    let session = state.sessions.get(&id)?;
    let mut search = session.in_locale(locale).await;
    let screen = search.search(query).await?;
    Ok(Json(ScreenJson::from(&screen)))
}

/// Searches the ERP for the session's last query, as an operation: its status turns to
/// `waiting` when the waiting window shows, and `done` with the screen.
#[utoipa::path(post, path = "/search/sessions/{id}/erp", tag = "search", operation_id = "search_erp", params(SessionId, LocaleParam),
    responses((status = 202, body = OperationJson)))]
async fn erp(
    State(state): State<AppState>,
    Path(SessionId { id }): Path<SessionId>,
    Params(locale): Params<LocaleParam>,
) -> Result<impl IntoResponse, ApiError> {
    let locale = locale.checked()?;
    let session = state.sessions.get(&id)?;
    let shown_in = session.in_locale(locale).await.locale();
    let waiting = Message { key: "erp-search-waiting".into(), args: Vec::new() };
    let operation = state
        .operations
        .start(super::operations::OperationKind::ErpSearch, Some(state.host.render(&waiting, Some(&shown_in)).await));
    let running = operation.clone();
    tokio::spawn(async move {
        let mut search = session.search.lock().await;
        let cancel = running.cancel_token();
        let screen = search.search_erp(&cancel, || running.waiting()).await;
        running.done(Some(screen), None, None);
    });
    Ok(super::operations::accepted(&operation))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct OpenJson {
    /// A customer number the screen shows.
    number: String,
    action: ActionJson,
}

/// What the operator opens the customer for.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum ActionJson {
    Select,
    Preview,
    Edit,
}

/// Opening a customer: the customer, or the screen with a notice saying why not.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum OpenedJson {
    Opened {
        customer: Box<CustomerJson>,
        /// Whether the operator may edit it (the ERP's flags).
        editable: bool,
    },
    Screen(ScreenJson),
}

/// Opens a customer of the screen to select, preview or edit it; one found in the ERP is
/// saved locally first.
#[utoipa::path(post, path = "/search/sessions/{id}/open", tag = "search", params(SessionId, LocaleParam),
    request_body = OpenJson, responses((status = 200, body = OpenedJson)))]
async fn open_customer(
    State(state): State<AppState>,
    Path(SessionId { id }): Path<SessionId>,
    Params(locale): Params<LocaleParam>,
    Body(body): Body<OpenJson>,
) -> Result<impl IntoResponse, ApiError> {
    let locale = locale.checked()?;
    if body.number.trim().is_empty() {
        return Err(ApiError::invalid("number", "is empty"));
    }
    let session = state.sessions.get(&id)?;
    let mut search = session.in_locale(locale).await;
    let action = match body.action {
        ActionJson::Select => RetrieveAction::Select,
        ActionJson::Preview => RetrieveAction::Preview,
        ActionJson::Edit => RetrieveAction::Edit,
    };
    Ok(Json(match search.open(&body.number, action).await? {
        Ok(opened) => {
            OpenedJson::Opened { customer: Box::new(CustomerJson::from(&opened.customer)), editable: opened.editable }
        }
        Err(screen) => OpenedJson::Screen(ScreenJson::from(&screen)),
    }))
}

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open))
        .routes(routes!(current, close))
        .routes(routes!(local))
        .routes(routes!(erp))
        .routes(routes!(open_customer))
}
