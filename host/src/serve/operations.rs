//! Long operations (the ERP search behind [Search]): an id, a status a client can wait on,
//! and a cancel.

use super::Path;
use super::error::ApiError;
use super::wire::ScreenJson;
use super::{AppState, Params};
use crate::flows::search::Screen;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How long a finished operation stays readable.
const KEEP_DONE: Duration = Duration::from_secs(600);
/// The longest a client may wait for a change in one request.
pub const MAX_WAIT_MS: u64 = 30_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Running,
    /// Past the waiting-window threshold: the waiting window is shown.
    Waiting,
    Done,
}

#[derive(Clone, Debug)]
struct Progress {
    status: Status,
    /// What an ERP search shows when done.
    screen: Option<Screen>,
    /// How far a synchronization got, then what it did.
    report: Option<serde_json::Value>,
    /// Why it stopped short.
    error: Option<String>,
}

pub struct Operation {
    id: String,
    kind: &'static str,
    started_at: u64,
    /// The waiting window's text, for an ERP search.
    waiting_text: Option<String>,
    progress: watch::Sender<Progress>,
    cancel: CancellationToken,
    finished: Mutex<Option<Instant>>,
}

impl Operation {
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    pub fn waiting(&self) {
        self.progress.send_if_modified(|p| {
            let running = p.status == Status::Running;
            if running {
                p.status = Status::Waiting;
            }
            running
        });
    }

    /// How far it got, while it runs.
    pub fn report(&self, report: serde_json::Value) {
        self.progress.send_modify(|p| p.report = Some(report));
    }

    /// Done: an ERP search with its `screen`, a synchronization with its `report`, or either
    /// with the `error` that stopped it.
    pub fn done(&self, screen: Option<Screen>, report: Option<serde_json::Value>, error: Option<String>) {
        *self.finished.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        self.progress.send_replace(Progress { status: Status::Done, screen, report, error });
    }

    fn json(&self) -> OperationJson {
        let progress = self.progress.borrow().clone();
        OperationJson {
            id: self.id.clone(),
            kind: self.kind,
            status: progress.status,
            cancelled: self.cancel.is_cancelled(),
            started_at: self.started_at,
            waiting_text: self.waiting_text.clone(),
            screen: progress.screen.as_ref().map(ScreenJson::from),
            report: progress.report,
            error: progress.error,
        }
    }

    /// The operation once its status is no longer `seen`, or `wait` has passed.
    async fn changed_from(&self, seen: Status, wait: Duration) -> OperationJson {
        let mut progress = self.progress.subscribe();
        let _ = tokio::time::timeout(wait, progress.wait_for(|p| p.status != seen)).await;
        self.json()
    }
}

#[derive(Serialize)]
pub struct OperationJson {
    id: String,
    kind: &'static str,
    status: Status,
    cancelled: bool,
    started_at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    screen: Option<ScreenJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<serde_json::Value>,
    error: Option<String>,
}

#[derive(Default)]
pub struct Operations {
    next: AtomicU64,
    all: Mutex<HashMap<String, Arc<Operation>>>,
}

impl Operations {
    /// A new running operation.
    pub fn start(&self, kind: &'static str, waiting_text: Option<String>) -> Arc<Operation> {
        let id = format!("op-{}", self.next.fetch_add(1, Ordering::Relaxed) + 1);
        let operation = Arc::new(Operation {
            id: id.clone(),
            kind,
            started_at: crate::runtime::now_ms(),
            waiting_text,
            progress: watch::Sender::new(Progress { status: Status::Running, screen: None, report: None, error: None }),
            cancel: CancellationToken::new(),
            finished: Mutex::new(None),
        });
        let mut all = self.all.lock().unwrap_or_else(|p| p.into_inner());
        all.retain(|_, op| {
            op.finished.lock().unwrap_or_else(|p| p.into_inner()).is_none_or(|at| at.elapsed() < KEEP_DONE)
        });
        all.insert(id, operation.clone());
        operation
    }

    fn get(&self, id: &str) -> Result<Arc<Operation>, ApiError> {
        let all = self.all.lock().unwrap_or_else(|p| p.into_inner());
        all.get(id).cloned().ok_or_else(|| ApiError::not_found(format!("there is no operation {id}")))
    }
}

pub fn accepted(operation: &Operation) -> impl IntoResponse + use<> {
    (axum::http::StatusCode::ACCEPTED, Json(operation.json()))
}

#[derive(Deserialize)]
struct WaitParam {
    wait_ms: Option<u64>,
}

fn wait(param: WaitParam) -> Result<Duration, ApiError> {
    match param.wait_ms {
        Some(ms) if ms > MAX_WAIT_MS => Err(ApiError::invalid("wait_ms", format!("at most {MAX_WAIT_MS}"))),
        ms => Ok(Duration::from_millis(ms.unwrap_or(0))),
    }
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(param): Params<WaitParam>,
) -> Result<impl IntoResponse, ApiError> {
    let operation = state.operations.get(&id)?;
    let wait = wait(param)?;
    let seen = operation.progress.borrow().status;
    Ok(Json(if wait.is_zero() || seen == Status::Done {
        operation.json()
    } else {
        operation.changed_from(seen, wait).await
    }))
}

async fn cancel(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let operation = state.operations.get(&id)?;
    if operation.progress.borrow().status != Status::Done {
        operation.cancel.cancel();
    }
    let mut progress = operation.progress.subscribe();
    // Cancelling stops the search at once; what is left is deciding the notice.
    let _ = tokio::time::timeout(Duration::from_secs(5), progress.wait_for(|p| p.status == Status::Done)).await;
    Ok(Json(operation.json()))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/operations/{id}", get(read)).route("/operations/{id}/cancel", post(cancel))
}
