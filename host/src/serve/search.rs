//! Seed 1 over HTTP: search sessions, each one operator's [`CustomerSearch`].

use super::Path;
use super::body::Body;
use super::error::ApiError;
use super::wire::{CustomerJson, QueryJson, ScreenJson};
use super::{AppState, LocaleParam, Params};
use crate::bindings::Message;
use crate::bindings::search::RetrieveAction;
use crate::embed::CustomerSearch;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

async fn open(
    State(state): State<AppState>,
    Params(locale): Params<LocaleParam>,
) -> Result<impl IntoResponse, ApiError> {
    let search = state.host.search(locale.checked()?);
    Ok((StatusCode::CREATED, Json(json!({ "session": state.sessions.open(search)? }))))
}

async fn close(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    if state.sessions.close(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("there is no search session {id}")))
    }
}

async fn current(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(locale): Params<LocaleParam>,
) -> Result<impl IntoResponse, ApiError> {
    let locale = locale.checked()?;
    let session = state.sessions.get(&id)?;
    let mut search = session.in_locale(locale).await;
    Ok(Json(ScreenJson::from(&search.current().await)))
}

async fn local(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(locale): Params<LocaleParam>,
    Body(query): Body<QueryJson>,
) -> Result<impl IntoResponse, ApiError> {
    let (locale, query) = (locale.checked()?, query.check()?);
    let session = state.sessions.get(&id)?;
    let mut search = session.in_locale(locale).await;
    let screen = search.search(query).await?;
    Ok(Json(ScreenJson::from(&screen)))
}

async fn erp(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(locale): Params<LocaleParam>,
) -> Result<impl IntoResponse, ApiError> {
    let locale = locale.checked()?;
    let session = state.sessions.get(&id)?;
    let shown_in = session.in_locale(locale).await.locale();
    let waiting = Message { key: "erp-search-waiting".into(), args: Vec::new() };
    let operation = state.operations.start("erp-search", Some(state.host.render(&waiting, Some(&shown_in)).await));
    let running = operation.clone();
    tokio::spawn(async move {
        let mut search = session.search.lock().await;
        let cancel = running.cancel_token();
        let screen = search.search_erp(&cancel, || running.waiting()).await;
        running.done(Some(screen), None, None);
    });
    Ok(super::operations::accepted(&operation))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenJson {
    number: String,
    action: ActionJson,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum ActionJson {
    Select,
    Preview,
    Edit,
}

async fn open_customer(
    State(state): State<AppState>,
    Path(id): Path<String>,
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
            json!({ "opened": { "customer": CustomerJson::from(&opened.customer), "editable": opened.editable } })
        }
        Err(screen) => json!({ "screen": ScreenJson::from(&screen) }),
    }))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/search/sessions", post(open))
        .route("/search/sessions/{id}", get(current).delete(close))
        .route("/search/sessions/{id}/local", post(local))
        .route("/search/sessions/{id}/erp", post(erp))
        .route("/search/sessions/{id}/open", post(open_customer))
}
