//! Customers: reading one, the operator's edits, and synchronizing with the ERP.

use super::Path;
use super::body::Body;
use super::error::ApiError;
use super::operations::{OperationJson, OperationKind, SyncProgressJson, SyncReportJson};
use super::wire::{CustomerJson, HoldingsJson};
use super::{AppState, Number};
use crate::flows::local_changes::CustomerChanges;
use crate::store::{check_text, is_blank};
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The person a request is about.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct Person {
    /// A customer number or a web id.
    key: String,
}

/// One local customer.
#[utoipa::path(get, path = "/customers/{number}", tag = "customers", operation_id = "read_customer", params(Number),
    responses((status = 200, body = CustomerJson)))]
async fn read(
    State(state): State<AppState>,
    Path(Number { number }): Path<Number>,
) -> Result<impl IntoResponse, ApiError> {
    match state.host.customer(&number).await? {
        Some(customer) => Ok(Json(CustomerJson::from(&customer))),
        None => Err(ApiError::not_found(format!("there is no customer {number}"))),
    }
}

/// Everything the till holds about the person `key` names (customer number or web id).
#[utoipa::path(get, path = "/customers/{key}/export", tag = "customers", operation_id = "export_person", params(Person),
    responses((status = 200, body = HoldingsJson)))]
async fn export(
    State(state): State<AppState>,
    Path(Person { key }): Path<Person>,
) -> Result<impl IntoResponse, ApiError> {
    let holdings = state.host.holdings(&key).await?;
    if holdings.is_empty() {
        return Err(ApiError::not_found(format!("the till holds nothing about {key}")));
    }
    Ok(Json(HoldingsJson::new(&key, &state.host.settings().workstation, holdings)))
}

/// Erases everything the till holds about the person `key` names: what went, without
/// personal data.
#[utoipa::path(post, path = "/customers/{key}/erase", tag = "customers", operation_id = "erase_person", params(Person),
    responses((status = 200, body = crate::store::holdings::Erased)))]
async fn erase(
    State(state): State<AppState>,
    Path(Person { key }): Path<Person>,
) -> Result<impl IntoResponse, ApiError> {
    match state.host.erase(&key).await? {
        Some(erased) => Ok(Json(erased)),
        None => Err(ApiError::not_found(format!("the till holds nothing about {key}"))),
    }
}

/// Checks each change before the store sees it, so that the error names the API's field.
fn check(changes: &CustomerChanges) -> Result<(), ApiError> {
    let given = [
        ("first_name", changes.first_name.as_ref()),
        ("last_name", changes.last_name.as_ref()),
        ("company", changes.company.as_ref().and_then(Option::as_ref)),
        ("tax_id", changes.tax_id.as_ref().and_then(Option::as_ref)),
        ("email", changes.email.as_ref().and_then(Option::as_ref)),
        ("phone", changes.phone.as_ref().and_then(Option::as_ref)),
        ("street", changes.street.as_ref().and_then(Option::as_ref)),
        ("postal_code", changes.postal_code.as_ref().and_then(Option::as_ref)),
        ("city", changes.city.as_ref().and_then(Option::as_ref)),
        ("country", changes.country.as_ref().and_then(Option::as_ref)),
    ];
    for (field, value) in given {
        if let Some(value) = value {
            check_text(value).map_err(|why| ApiError::invalid(field, why))?;
        }
    }
    if changes.last_name.as_ref().is_some_and(|name| is_blank(name)) {
        return Err(ApiError::invalid("last_name", "may not be empty"));
    }
    Ok(())
}

/// The operator's changes to a customer's own fields; the ERP's flags say which customers
/// may be edited. The change is queued for the ERP.
#[utoipa::path(patch, path = "/customers/{number}", tag = "customers", operation_id = "edit_customer", params(Number),
    request_body = CustomerChanges, responses((status = 200, body = CustomerJson)))]
async fn edit(
    State(state): State<AppState>,
    Path(Number { number }): Path<Number>,
    Body(changes): Body<CustomerChanges>,
) -> Result<impl IntoResponse, ApiError> {
    check(&changes)?;
    let customer = state.host.edit_customer(&number, changes).await?;
    Ok(Json(CustomerJson::from(&customer)))
}

/// Synchronizes as an operation: a first full synchronization takes minutes at a million
/// customers. Cancelling stops it between two pages, each already saved with its position,
/// so that the next one resumes there.
#[utoipa::path(post, path = "/sync", tag = "customers", responses((status = 202, body = OperationJson)))]
async fn sync(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let operation = state.operations.start(OperationKind::Sync, None);
    let running = operation.clone();
    tokio::spawn(async move {
        let cancel = running.cancel_token();
        let synchronized = tokio::select! {
            synchronized = state.host.sync(|progress| {
                running.report(SyncReportJson::Running(SyncProgressJson {
                    stage: progress.stage,
                    listed: progress.listed,
                    total: progress.total,
                    changes: progress.changes,
                }));
            }) => synchronized,
            () = cancel.cancelled() => {
                let error = "cancelled; what was synchronized stays, and the next synchronization resumes there";
                running.done(None, None, Some(error.into()));
                return;
            }
        };
        let (report, error) = match synchronized {
            Ok(done) => (Some(SyncReportJson::Done(done)), None),
            Err(error) => (None, Some(error.to_string())),
        };
        running.done(None, report, error);
    });
    Ok(super::operations::accepted(&operation))
}

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read, edit))
        .routes(routes!(export))
        .routes(routes!(erase))
        .routes(routes!(sync))
}
