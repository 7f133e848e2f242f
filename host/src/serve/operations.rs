//! Long operations (the ERP search behind [Search]): an id, a status a client can wait on,
//! and a cancel.

use super::Path;
use super::error::ApiError;
use super::wire::ScreenJson;
use super::{AppState, Params};
use crate::flows::search::Screen;
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How long a finished operation stays readable.
const KEEP_DONE: Duration = Duration::from_secs(600);
/// The longest a client may wait for a change in one request.
pub const MAX_WAIT_MS: u64 = 30_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(as = OperationStatus)]
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
    report: Option<SyncReportJson>,
    /// Why it stopped short.
    error: Option<String>,
}

/// What an operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OperationKind {
    Sync,
    ErpSearch,
}

/// How far a synchronization got while it runs, then what it did.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SyncReportJson {
    Running(SyncProgressJson),
    Done(crate::embed::Synchronized),
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SyncProgressJson {
    /// `listing` during a full synchronization, `changes` while following the ERP's feed.
    pub stage: &'static str,
    /// Customers listed so far in this run.
    pub listed: u64,
    /// How many customers the ERP lists in all, if it says.
    pub total: Option<u64>,
    /// Changes applied so far in this run.
    pub changes: u64,
}

pub struct Operation {
    id: String,
    kind: OperationKind,
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
    pub fn report(&self, report: SyncReportJson) {
        self.progress.send_modify(|p| p.report = Some(report));
    }

    /// Done: an ERP search with its `screen`, a synchronization with its `report`, or either
    /// with the `error` that stopped it.
    pub fn done(&self, screen: Option<Screen>, report: Option<SyncReportJson>, error: Option<String>) {
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

/// A long operation: an ERP search or a synchronization.
#[derive(Serialize, ToSchema)]
pub struct OperationJson {
    /// Such as `op-1`.
    id: String,
    kind: OperationKind,
    status: Status,
    cancelled: bool,
    /// Milliseconds since the Unix epoch.
    started_at: u64,
    /// The waiting window's text, for an ERP search.
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_text: Option<String>,
    /// What an ERP search shows when done.
    #[serde(skip_serializing_if = "Option::is_none")]
    screen: Option<ScreenJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<SyncReportJson>,
    /// Why it stopped short.
    error: Option<String>,
}

#[derive(Default)]
pub struct Operations {
    next: AtomicU64,
    all: Mutex<HashMap<String, Arc<Operation>>>,
}

impl Operations {
    /// A new running operation.
    pub fn start(&self, kind: OperationKind, waiting_text: Option<String>) -> Arc<Operation> {
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct WaitParam {
    /// Milliseconds to wait for the status to change before answering (at most 30000).
    wait_ms: Option<u64>,
}

/// The operation a request is for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct OperationId {
    /// Such as `op-1`, as starting it answered.
    id: String,
}

fn wait(param: WaitParam) -> Result<Duration, ApiError> {
    match param.wait_ms {
        Some(ms) if ms > MAX_WAIT_MS => Err(ApiError::invalid("wait_ms", format!("at most {MAX_WAIT_MS}"))),
        ms => Ok(Duration::from_millis(ms.unwrap_or(0))),
    }
}

/// The operation, once its status changes or `wait_ms` has passed.
#[utoipa::path(get, path = "/operations/{id}", tag = "operations", operation_id = "read_operation", params(OperationId, WaitParam),
    responses((status = 200, body = OperationJson)))]
async fn read(
    State(state): State<AppState>,
    Path(OperationId { id }): Path<OperationId>,
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

/// Cancels the operation: an ERP search keeps the local results, a synchronization what it
/// saved; the answer is the operation once it stopped.
#[utoipa::path(post, path = "/operations/{id}/cancel", tag = "operations", operation_id = "cancel_operation", params(OperationId),
    responses((status = 200, body = OperationJson)))]
async fn cancel(
    State(state): State<AppState>,
    Path(OperationId { id }): Path<OperationId>,
) -> Result<impl IntoResponse, ApiError> {
    let operation = state.operations.get(&id)?;
    if operation.progress.borrow().status != Status::Done {
        operation.cancel.cancel();
    }
    let mut progress = operation.progress.subscribe();
    // Cancelling stops the search at once; what is left is deciding the notice.
    let _ = tokio::time::timeout(Duration::from_secs(5), progress.wait_for(|p| p.status == Status::Done)).await;
    Ok(Json(operation.json()))
}

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read)).routes(routes!(cancel))
}
