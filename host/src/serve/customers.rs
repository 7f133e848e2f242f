//! Customers: reading one, the operator's edits, and synchronizing with the ERP.

use super::AppState;
use super::Path;
use super::body::Body;
use super::error::ApiError;
use super::wire::{CustomerJson, HoldingsJson};
use crate::flows::local_changes::CustomerChanges;
use crate::store::{check_text, is_blank};
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

async fn read(State(state): State<AppState>, Path(number): Path<String>) -> Result<impl IntoResponse, ApiError> {
    match state.host.customer(&number).await? {
        Some(customer) => Ok(Json(CustomerJson::from(&customer))),
        None => Err(ApiError::not_found(format!("there is no customer {number}"))),
    }
}

/// Everything the till holds about the person `key` names (customer number or web id).
async fn export(State(state): State<AppState>, Path(key): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let holdings = state.host.holdings(&key).await?;
    if holdings.is_empty() {
        return Err(ApiError::not_found(format!("the till holds nothing about {key}")));
    }
    Ok(Json(HoldingsJson::new(&key, &state.host.settings().workstation, holdings)))
}

/// Erases everything the till holds about the person `key` names: what went, without
/// personal data.
async fn erase(State(state): State<AppState>, Path(key): Path<String>) -> Result<impl IntoResponse, ApiError> {
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

async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Body(changes): Body<CustomerChanges>,
) -> Result<impl IntoResponse, ApiError> {
    check(&changes)?;
    let customer = state.host.edit_customer(&number, changes).await?;
    Ok(Json(CustomerJson::from(&customer)))
}

/// Synchronizes as an operation: a first full synchronization takes minutes at a million
/// customers. Cancelling stops it between two pages, each already saved with its position,
/// so that the next one resumes there.
async fn sync(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let operation = state.operations.start("sync", None);
    let running = operation.clone();
    tokio::spawn(async move {
        let cancel = running.cancel_token();
        let synchronized = tokio::select! {
            synchronized = state.host.sync(|progress| {
                running.report(json!({
                    "stage": progress.stage,
                    "listed": progress.listed,
                    "total": progress.total,
                    "changes": progress.changes,
                }));
            }) => synchronized,
            () = cancel.cancelled() => {
                let error = "cancelled; what was synchronized stays, and the next synchronization resumes there";
                running.done(None, None, Some(error.into()));
                return;
            }
        };
        let (report, error) = match synchronized {
            Ok(done) => (serde_json::to_value(done).ok(), None),
            Err(error) => (None, Some(error.to_string())),
        };
        running.done(None, report, error);
    });
    Ok(super::operations::accepted(&operation))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{number}", get(read).patch(edit))
        .route("/customers/{key}/export", get(export))
        .route("/customers/{key}/erase", post(erase))
        .route("/sync", post(sync))
}
