//! The web shop customer API, as `docs/webshop-api.md` describes it.

use super::data::WebCursorError;
use super::model::{WebCustomerFields, customer_number_from_json};
use super::writes::{WebWrite, WebWriteRequest};
use crate::sim::api::{Params, Workstation, etag, idempotency_key, method_not_allowed, no_route};
use crate::sim::data::Store;
use crate::sim::error::ApiError;
use crate::sim::faults::{self, FaultState};
use crate::sim::writes::WriteAnswer;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router, middleware};
use serde_json::{Value, json};
use std::sync::Arc;

/// The web shop API's routes over `store`, behind the fault injection of `faults`.
pub fn router(store: Arc<Store>, faults: FaultState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/registrations", get(registrations))
        .route("/customers/{id}", get(fetch).put(replace).delete(delete))
        .route("/customers/{id}/customer-number", put(assign_number))
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(store)
        .layer(middleware::from_fn_with_state(faults, faults::inject))
}

async fn health(State(store): State<Arc<Store>>) -> Response {
    match store.call(|store| store.web_state()).await {
        Ok(_) => Json(json!({ "status": "ok" })).into_response(),
        Err(error) => ApiError::unavailable(format!("the database fails: {error:#}")).into_response(),
    }
}

async fn registrations(
    State(store): State<Arc<Store>>,
    Workstation(_): Workstation,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = Params::parse(query, &["since", "limit"])?;
    let since = params.int("since", 0..=i64::MAX, None)?;
    let limit = params.int("limit", 1..=1000, Some(100))? as u32;
    let page = store.call(move |store| store.registrations(since, limit)).await?;
    let (changes, has_more) = page.map_err(|error| {
        let message = match error {
            WebCursorError::Expired { horizon } => {
                format!("cursor {since} is older than the oldest change kept (after {horizon}); list again from 0")
            }
            WebCursorError::Ahead { version } => format!(
                "cursor {since} is newer than the web shop's version {version} (another data set?); \
                 list again from 0"
            ),
        };
        ApiError::new(StatusCode::GONE, "cursor_expired", message)
    })?;
    let next = changes.last().map_or(since, |change| change.version);
    let changes: Vec<Value> = changes
        .into_iter()
        .map(|change| {
            json!({
                "version": change.version,
                "id": change.id,
                "deleted_at": change.deleted_at,
                "customer": change.customer,
            })
        })
        .collect();
    Ok(Json(json!({ "changes": changes, "next": next, "has_more": has_more })).into_response())
}

async fn fetch(
    State(store): State<Arc<Store>>,
    Workstation(_): Workstation,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let found = store
        .call({
            let id = id.clone();
            move |store| store.web_customer(&id)
        })
        .await?;
    match found {
        Some(customer) => Ok(([(header::ETAG, etag(customer.version))], Json(customer)).into_response()),
        None => Err(ApiError::not_found(format!("no web customer {id}"))),
    }
}

async fn replace(
    State(store): State<Arc<Store>>,
    Workstation(workstation): Workstation,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let idempotency_key = idempotency_key(&headers)?;
    let body = json_body(body)?;
    let fields = WebCustomerFields::from_json(&body, false).map_err(ApiError::bad_request)?;
    let if_match = if_match(&headers, "update a web customer")?;
    let path = format!("/customers/{id}");
    let request = WebWriteRequest {
        write: WebWrite::Replace(Box::new(fields)),
        method: "PUT",
        path,
        id,
        workstation,
        idempotency_key,
        if_match,
        body,
    };
    write(&store, request).await
}

async fn assign_number(
    State(store): State<Arc<Store>>,
    Workstation(workstation): Workstation,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let idempotency_key = idempotency_key(&headers)?;
    let body = json_body(body)?;
    let number = customer_number_from_json(&body).map_err(ApiError::bad_request)?;
    let if_match = if_match(&headers, "assign a customer number")?;
    let path = format!("/customers/{id}/customer-number");
    let request = WebWriteRequest {
        write: WebWrite::Number(number),
        method: "PUT",
        path,
        id,
        workstation,
        idempotency_key,
        if_match,
        body,
    };
    write(&store, request).await
}

async fn delete(
    State(store): State<Arc<Store>>,
    Workstation(workstation): Workstation,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let idempotency_key = idempotency_key(&headers)?;
    let if_match = if_match(&headers, "delete a web customer")?;
    let path = format!("/customers/{id}");
    let request = WebWriteRequest {
        write: WebWrite::Delete,
        method: "DELETE",
        path,
        id,
        workstation,
        idempotency_key,
        if_match,
        body: Value::Null,
    };
    write(&store, request).await
}

/// The `If-Match` value, `428` without it.
fn if_match(headers: &HeaderMap, to: &str) -> Result<String, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            format!("the If-Match header is required to {to}"),
        ));
    };
    Ok(value.to_str().map_err(|_| ApiError::bad_request("the If-Match header must be visible ASCII"))?.to_owned())
}

/// The body of a write as JSON, to check and to compare replays with.
fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, ApiError> {
    let body = body.map_err(|e| ApiError::new(e.status(), "bad_request", e.body_text()))?;
    serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
}

async fn write(store: &Arc<Store>, request: WebWriteRequest) -> Result<Response, ApiError> {
    let answer = store.call(move |store| store.apply_web_write(&request)).await?;
    Ok(write_response(answer))
}

/// A write's answer: `204` without a body, others with theirs and, on success, the ETag.
fn write_response(answer: WriteAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::NO_CONTENT {
        return status.into_response();
    }
    let version = answer.body.get("version").and_then(Value::as_i64);
    let mut response = (status, Json(answer.body)).into_response();
    if let Some(version) = version.filter(|_| status.is_success()) {
        response.headers_mut().insert(header::ETAG, etag(version));
    }
    response
}
