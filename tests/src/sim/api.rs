//! The ERP data synchronization service API, as `docs/erp-api.md` describes it.

use super::data::{Change, CursorError, FILTER_FIELDS, Filters, Store};
use super::error::ApiError;
use super::faults::{self, FaultState};
use super::model::CustomerFields;
use super::text::{fold, query_word};
use super::writes::{WriteAnswer, WriteMethod, WriteRequest};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use serde_json::{Value, json};
use std::ops::RangeInclusive;
use std::sync::Arc;

/// The ERP API's routes over `store`, behind the fault injection of `faults`.
pub fn router(store: Arc<Store>, faults: FaultState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/settings", get(settings))
        .route("/customers/search", get(search))
        .route("/customers", get(list).post(create))
        .route("/customers/{number}", get(fetch).put(replace))
        .route("/changes", get(changes))
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(store)
        .layer(middleware::from_fn_with_state(faults, faults::inject))
}

/// The answer to an unknown path.
pub async fn no_route() -> ApiError {
    ApiError::not_found("no such endpoint")
}

/// The answer to a known path with another method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this endpoint does not take this method")
}

/// The `X-Workstation` header every ERP request carries.
pub struct Workstation(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Workstation {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Workstation, ApiError> {
        let value = required_header(&parts.headers, "X-Workstation")?;
        // Workstation lists are stored comma-delimited.
        if value.contains(',') {
            return Err(ApiError::bad_request("the X-Workstation header must not contain `,`"));
        }
        Ok(Workstation(value))
    }
}

/// The trimmed, non-empty value of header `name`.
fn required_header(headers: &HeaderMap, name: &str) -> Result<String, ApiError> {
    let value = headers
        .get(name)
        .ok_or_else(|| ApiError::bad_request(format!("the {name} header is required")))?
        .to_str()
        .map_err(|_| ApiError::bad_request(format!("the {name} header must be visible ASCII")))?
        .trim();
    if value.is_empty() {
        return Err(ApiError::bad_request(format!("the {name} header must not be empty")));
    }
    Ok(value.to_owned())
}

/// Query parameters, checked against the names an endpoint takes.
pub struct Params(Vec<(String, String)>);

impl Params {
    /// The parameters of `query`; unknown and repeated names are `400`.
    pub fn parse(
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
        allowed: &[&str],
    ) -> Result<Params, ApiError> {
        let Query(pairs) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter `{name}`; this endpoint takes {}",
                    allowed.join(", ")
                )));
            }
            if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
                return Err(ApiError::bad_request(format!("parameter `{name}` is given more than once")));
            }
        }
        Ok(Params(pairs))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, value)| value.as_str())
    }

    /// Integer parameter `name` within `range`, `default` when absent (required if `None`).
    pub fn int(&self, name: &str, range: RangeInclusive<i64>, default: Option<i64>) -> Result<i64, ApiError> {
        let bounds = if *range.end() == i64::MAX {
            format!("an integer of at least {}", range.start())
        } else {
            format!("an integer in {}..={}", range.start(), range.end())
        };
        match (self.get(name), default) {
            (None, Some(default)) => Ok(default),
            (None, None) => Err(ApiError::bad_request(format!("parameter `{name}` is required ({bounds})"))),
            (Some(text), _) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| ApiError::bad_request(format!("parameter `{name}` must be {bounds}, not `{text}`"))),
        }
    }
}

async fn health(State(store): State<Arc<Store>>) -> Response {
    match store.call(|store| store.state()).await {
        Ok(_) => {
            Json(json!({ "status": "ok", "service": "erp-sim", "version": env!("CARGO_PKG_VERSION") })).into_response()
        }
        Err(error) => ApiError::unavailable(format!("the database fails: {error:#}")).into_response(),
    }
}

async fn settings(State(store): State<Arc<Store>>, Workstation(_): Workstation) -> Result<Response, ApiError> {
    let state = store.call(|store| store.state()).await?;
    Ok(Json(json!({ "online_search_enabled": state.online_search })).into_response())
}

async fn search(
    State(store): State<Arc<Store>>,
    Workstation(workstation): Workstation,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let allowed: Vec<&str> = ["q", "limit"].into_iter().chain(FILTER_FIELDS).collect();
    let params = Params::parse(query, &allowed)?;
    let limit = params.int("limit", 1..=100, Some(20))? as u32;
    let words: Vec<String> = params
        .get("q")
        .unwrap_or_default()
        .split_whitespace()
        .map(query_word)
        .filter(|word| !word.is_empty())
        .collect();
    let filters: Filters = FILTER_FIELDS
        .iter()
        .filter_map(|&field| {
            let prefix = fold(params.get(field)?.trim());
            (!prefix.is_empty()).then_some((field, prefix))
        })
        .collect();
    if words.is_empty() && filters.is_empty() {
        return Err(ApiError::bad_request("parameter `q` must contain a word, or a filter must be given"));
    }
    let (customers, has_more) = store.call(move |store| store.search(&workstation, &words, &filters, limit)).await?;
    Ok(Json(json!({ "customers": customers, "has_more": has_more })).into_response())
}

async fn fetch(
    State(store): State<Arc<Store>>,
    Workstation(workstation): Workstation,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let found = store
        .call({
            let number = number.clone();
            move |store| store.get(&number)
        })
        .await?;
    match found.filter(|c| c.visible_to(&workstation)) {
        Some(sim) => {
            let etag = etag(sim.customer.version);
            Ok(([(header::ETAG, etag)], Json(sim.customer)).into_response())
        }
        None => Err(ApiError::not_found(format!("no customer {number}"))),
    }
}

async fn list(
    State(store): State<Arc<Store>>,
    Workstation(workstation): Workstation,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = Params::parse(query, &["after", "limit"])?;
    let limit = params.int("limit", 1..=5000, Some(1000))? as u32;
    let after = params.get("after").unwrap_or_default().to_owned();
    let page = store.call(move |store| store.page(&workstation, &after, limit)).await?;
    Ok(Json(json!({
        "customers": page.customers,
        "next_after": page.next_after,
        "as_of": page.as_of,
        "total": page.total,
    }))
    .into_response())
}

async fn changes(
    State(store): State<Arc<Store>>,
    Workstation(workstation): Workstation,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = Params::parse(query, &["since", "limit"])?;
    let since = params.int("since", 0..=i64::MAX, None)?;
    let limit = params.int("limit", 1..=5000, Some(1000))? as u32;
    let page = store.call(move |store| store.changes(&workstation, since, limit)).await?;
    let (changes, has_more) = page.map_err(|error| {
        let message = match error {
            CursorError::Expired { horizon } => format!(
                "cursor {since} is older than the oldest change kept (after {horizon}); \
                 run a full synchronization"
            ),
            CursorError::Ahead { version } => format!(
                "cursor {since} is newer than the service's version {version} (another \
                 data set?); run a full synchronization"
            ),
        };
        ApiError::new(StatusCode::GONE, "cursor_expired", message)
    })?;
    let next = changes.last().map_or(since, |change| change.version);
    let changes: Vec<Value> = changes.into_iter().map(change_json).collect();
    Ok(Json(json!({ "changes": changes, "next": next, "has_more": has_more })).into_response())
}

fn change_json(change: Change) -> Value {
    json!({
        "version": change.version,
        "number": change.number,
        "deleted_at": change.deleted_at,
        "customer": change.customer,
    })
}

async fn create(
    State(store): State<Arc<Store>>,
    Workstation(workstation): Workstation,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let idempotency_key = idempotency_key(&headers)?;
    let (body, fields) = customer_body(body)?;
    let number = fields.number.clone().ok_or_else(|| ApiError::bad_request("`number` is required"))?;
    let request =
        WriteRequest { method: WriteMethod::Post, workstation, idempotency_key, number, if_match: None, body, fields };
    let answer = store.call(move |store| store.apply_write(&request)).await?;
    Ok(write_response(answer))
}

async fn replace(
    State(store): State<Arc<Store>>,
    Workstation(workstation): Workstation,
    Path(number): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let idempotency_key = idempotency_key(&headers)?;
    let (body, fields) = customer_body(body)?;
    if fields.number.as_ref().is_some_and(|n| *n != number) {
        return Err(ApiError::bad_request(format!("`number` in the body differs from {number} in the path")));
    }
    let Some(if_match) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "the If-Match header is required to update a customer",
        ));
    };
    let if_match =
        if_match.to_str().map_err(|_| ApiError::bad_request("the If-Match header must be visible ASCII"))?.to_owned();
    let request = WriteRequest {
        method: WriteMethod::Put,
        workstation,
        idempotency_key,
        number,
        if_match: Some(if_match),
        body,
        fields,
    };
    let answer = store.call(move |store| store.apply_write(&request)).await?;
    Ok(write_response(answer))
}

pub fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = required_header(headers, "Idempotency-Key")?;
    if key.len() > 255 {
        return Err(ApiError::bad_request("the Idempotency-Key header must be at most 255 characters"));
    }
    Ok(key)
}

/// The body of a write, as JSON (to compare replays with) and as customer fields.
fn customer_body(body: Result<Bytes, BytesRejection>) -> Result<(Value, CustomerFields), ApiError> {
    let body = body.map_err(|e| ApiError::new(e.status(), "bad_request", e.body_text()))?;
    let value: Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let fields: CustomerFields = serde_json::from_value(value.clone())
        .map_err(|e| ApiError::bad_request(format!("the body is not a customer: {e}")))?;
    fields.validate().map_err(ApiError::bad_request)?;
    Ok((value, fields))
}

fn write_response(answer: WriteAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let version = answer.body.get("version").and_then(Value::as_i64);
    let mut response = (status, Json(answer.body)).into_response();
    if let Some(version) = version.filter(|_| status.is_success()) {
        response.headers_mut().insert(header::ETAG, etag(version));
    }
    response
}

/// The `ETag` of a customer at `version`: `"1843"`.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits and quotes are a valid header")
}
