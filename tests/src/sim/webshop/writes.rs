//! Writes to web customers: the POS's `PUT` and `DELETE` with `Idempotency-Key` and
//! `If-Match`, and the admin's registration, edit and deletion (what people do on the web).
//! Every write takes the next web shop version, sets `updated_at` and records a change.
//!
//! Idempotency follows the ERP's (`sim/writes.rs`): every POS write that reaches the store is
//! logged in `web_received` with its answer; a later request with the key of a successful
//! write gets the stored answer if it is the same request (method, path, body and
//! `If-Match`) and `422` if it is not. Failed writes are not replayed: retrying one
//! evaluates it again, which gives the answer that is true now.

use super::data as web;
use super::model::{WebCustomer, WebCustomerFields};
use crate::sim::data::{Store, now_ms};
use crate::sim::error::{ApiError, error_body};
use crate::sim::writes::{WriteAnswer, if_match_matches};
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a POS write does to the web customer.
#[derive(Clone, Debug)]
pub enum WebWrite {
    /// `PUT /customers/{id}`: replaces the customer's data.
    Replace(Box<WebCustomerFields>),
    /// `PUT /customers/{id}/customer-number`: changes the customer number only.
    Number(String),
    /// `DELETE /customers/{id}`: closes the account.
    Delete,
}

/// A POS write whose headers and body were checked.
pub struct WebWriteRequest {
    pub write: WebWrite,
    /// `PUT` or `DELETE`.
    pub method: &'static str,
    pub path: String,
    pub id: String,
    pub workstation: String,
    pub idempotency_key: String,
    /// The `If-Match` value (its presence is checked before).
    pub if_match: String,
    /// The body as received (`null` for `DELETE`), to compare replays with.
    pub body: Value,
}

/// A write the web shop received, as `GET /admin/webshop/received` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceivedWebWrite {
    pub id: i64,
    pub idempotency_key: String,
    /// `PUT` or `DELETE`.
    pub method: String,
    /// The request path: `/customers/W-000042/customer-number`.
    pub path: String,
    /// The web customer written to.
    pub web_id: String,
    pub workstation: String,
    pub if_match: Option<String>,
    /// The request body; `null` for `DELETE`.
    pub body: Value,
    pub status: u16,
    /// The answer's body; `null` for `204`.
    pub response: Value,
    /// Whether this request was answered from an earlier one with the same key.
    pub replay: bool,
    pub received_at: i64,
}

impl Store {
    /// Carries out a POS write to a web customer, or replays the answer to an earlier one
    /// with its key.
    pub fn apply_web_write(&self, request: &WebWriteRequest) -> anyhow::Result<WriteAnswer> {
        self.write(|tx| {
            let (answer, replay) = match earlier_success(tx, &request.idempotency_key)? {
                Some(earlier) if earlier.same_request(request) => (earlier.answer, true),
                Some(earlier) => (idempotency_conflict(request, &earlier), false),
                None => (execute(tx, request)?, false),
            };
            log(tx, request, &answer, replay)?;
            Ok(answer)
        })
    }

    /// Registers a web customer as a person does on the web, under `fields.id` or the next
    /// free id. The caller has validated `fields`.
    pub fn register_web_customer(&self, fields: &WebCustomerFields) -> anyhow::Result<Result<WebCustomer, ApiError>> {
        self.write(|tx| register(tx, fields, None))
    }

    /// Replaces web customer `id`'s data as the customer does on the web: no version check.
    /// A `customer_number` of `None` keeps the current one, since people do not edit the
    /// number the shop linked them to. The caller has validated `fields`.
    pub fn edit_web_customer(
        &self,
        id: &str,
        fields: &WebCustomerFields,
    ) -> anyhow::Result<Result<WebCustomer, ApiError>> {
        self.write(|tx| {
            let Some(existing) = web::get(tx, id)? else {
                return Ok(Err(not_found(id)));
            };
            let mut fields = fields.clone();
            fields.customer_number = fields.customer_number.or_else(|| existing.customer_number.clone());
            if let Some(taken) = number_taken(tx, id, fields.customer_number.as_deref())? {
                return Ok(Err(taken));
            }
            let customer = build(tx, id, &fields, existing.registered_at, now_ms())?;
            web::put(tx, &customer)?;
            Ok(Ok(customer))
        })
    }

    /// Closes web customer `id`'s account; returns the tombstone's version, or `None` if
    /// there is no such live customer.
    pub fn delete_web_customer(&self, id: &str) -> anyhow::Result<Option<i64>> {
        self.write(|tx| web::delete(tx, id))
    }

    /// Every POS write the web shop received, oldest first.
    pub fn web_received(&self) -> anyhow::Result<Vec<ReceivedWebWrite>> {
        let conn = self.writer();
        let mut stmt = conn.prepare(
            "SELECT id, idempotency_key, method, path, web_id, workstation, if_match, body, status, \
             response, replay, received_at FROM web_received ORDER BY id",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                ReceivedWebWrite {
                    id: row.get(0)?,
                    idempotency_key: row.get(1)?,
                    method: row.get(2)?,
                    path: row.get(3)?,
                    web_id: row.get(4)?,
                    workstation: row.get(5)?,
                    if_match: row.get(6)?,
                    body: Value::Null,
                    status: row.get(8)?,
                    response: Value::Null,
                    replay: row.get(10)?,
                    received_at: row.get(11)?,
                },
                row.get::<_, String>(7)?,
                row.get::<_, String>(9)?,
            ))
        })?;
        let mut writes = Vec::new();
        for row in rows {
            let (mut write, body, response) = row?;
            write.body = serde_json::from_str(&body)?;
            write.response = serde_json::from_str(&response)?;
            writes.push(write);
        }
        Ok(writes)
    }
}

/// Registers `fields` (under `fields.id` or the next free id) at the next version;
/// `times` (`registered_at`, `updated_at`) default to now.
pub fn register(
    conn: &Connection,
    fields: &WebCustomerFields,
    times: Option<(i64, i64)>,
) -> anyhow::Result<Result<WebCustomer, ApiError>> {
    let id = match &fields.id {
        Some(id) if web::id_taken(conn, id)? => {
            return Ok(Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("web customer id {id} is taken (ids of closed accounts are not reused)"),
            )));
        }
        Some(id) => id.clone(),
        None => web::next_id(conn)?,
    };
    if let Some(taken) = number_taken(conn, &id, fields.customer_number.as_deref())? {
        return Ok(Err(taken));
    }
    // One reading of the clock: a new registration was last changed when it was made.
    let now = now_ms();
    let (registered_at, updated_at) = times.unwrap_or((now, now));
    let customer = build(conn, &id, fields, registered_at, updated_at)?;
    web::put(conn, &customer)?;
    Ok(Ok(customer))
}

/// The first successful write with `key`.
struct Earlier {
    method: String,
    path: String,
    if_match: Option<String>,
    body: Value,
    answer: WriteAnswer,
}

impl Earlier {
    fn same_request(&self, request: &WebWriteRequest) -> bool {
        self.method == request.method
            && self.path == request.path
            && self.if_match.as_deref() == Some(request.if_match.as_str())
            && self.body == request.body
    }
}

fn earlier_success(conn: &Connection, key: &str) -> anyhow::Result<Option<Earlier>> {
    let row = conn
        .prepare_cached(
            "SELECT method, path, if_match, body, status, response FROM web_received \
             WHERE idempotency_key = ?1 AND replay = 0 AND status BETWEEN 200 AND 299 \
             ORDER BY id LIMIT 1",
        )?
        .query_row([key], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, u16>(4)?,
                row.get::<_, String>(5)?,
            ))
        })
        .optional()?;
    let Some((method, path, if_match, body, status, response)) = row else {
        return Ok(None);
    };
    Ok(Some(Earlier {
        method,
        path,
        if_match,
        body: serde_json::from_str(&body)?,
        answer: WriteAnswer { status, body: serde_json::from_str(&response)? },
    }))
}

fn idempotency_conflict(request: &WebWriteRequest, earlier: &Earlier) -> WriteAnswer {
    error(
        422,
        "idempotency_conflict",
        &format!(
            "Idempotency-Key `{}` was used before for another request ({} {} with If-Match {})",
            request.idempotency_key,
            earlier.method,
            earlier.path,
            earlier.if_match.as_deref().unwrap_or("none")
        ),
    )
}

/// Carries out a write that is not a replay. Nothing is changed unless it succeeds.
fn execute(conn: &Connection, request: &WebWriteRequest) -> anyhow::Result<WriteAnswer> {
    let id = &request.id;
    let Some(existing) = web::get(conn, id)? else {
        return Ok(answer(Err(not_found(id))));
    };
    let current = existing.version;
    if !if_match_matches(&request.if_match, current) {
        return Ok(error(
            412,
            "version_mismatch",
            &format!("If-Match {} does not match web customer {id}'s version \"{current}\"", request.if_match),
        ));
    }
    let fields = match &request.write {
        WebWrite::Delete => {
            web::delete(conn, id)?;
            return Ok(WriteAnswer { status: 204, body: Value::Null });
        }
        WebWrite::Replace(fields) => (**fields).clone(),
        WebWrite::Number(number) => {
            WebCustomerFields { customer_number: Some(number.clone()), ..WebCustomerFields::from(existing.clone()) }
        }
    };
    if let Some(taken) = number_taken(conn, id, fields.customer_number.as_deref())? {
        return Ok(answer(Err(taken)));
    }
    let customer = build(conn, id, &fields, existing.registered_at, now_ms())?;
    web::put(conn, &customer)?;
    Ok(answer(Ok(customer)))
}

/// `409 number_taken` if a live web customer other than `id` holds `number`.
fn number_taken(conn: &Connection, id: &str, number: Option<&str>) -> anyhow::Result<Option<ApiError>> {
    let Some(number) = number else { return Ok(None) };
    Ok(web::number_holder(conn, number, id)?.map(|holder| {
        ApiError::new(
            StatusCode::CONFLICT,
            "number_taken",
            format!("customer number {number} is assigned to web customer {holder}"),
        )
    }))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("no web customer {id}"))
}

/// Web customer `id` with `fields` at the next version, updated now.
fn build(
    conn: &Connection,
    id: &str,
    fields: &WebCustomerFields,
    registered_at: i64,
    updated_at: i64,
) -> anyhow::Result<WebCustomer> {
    Ok(WebCustomer {
        id: id.to_owned(),
        customer_number: fields.customer_number.clone(),
        first_name: fields.first_name.clone(),
        last_name: fields.last_name.clone(),
        company: fields.company.clone(),
        tax_id: fields.tax_id.clone(),
        email: fields.email.clone(),
        phone: fields.phone.clone(),
        street: fields.street.clone(),
        postal_code: fields.postal_code.clone(),
        city: fields.city.clone(),
        country: fields.country.clone(),
        version: web::next_version(conn)?,
        registered_at,
        updated_at,
    })
}

fn answer(result: Result<WebCustomer, ApiError>) -> WriteAnswer {
    match result {
        Ok(customer) => WriteAnswer { status: 200, body: serde_json::to_value(&customer).unwrap_or(Value::Null) },
        Err(e) => WriteAnswer { status: e.status.as_u16(), body: e.body() },
    }
}

fn error(status: u16, code: &str, message: &str) -> WriteAnswer {
    WriteAnswer { status, body: error_body(code, message) }
}

fn log(conn: &Connection, request: &WebWriteRequest, answer: &WriteAnswer, replay: bool) -> anyhow::Result<()> {
    conn.prepare_cached(
        "INSERT INTO web_received (idempotency_key, method, path, web_id, workstation, if_match, body, \
         status, response, replay, received_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        request.idempotency_key,
        request.method,
        request.path,
        request.id,
        request.workstation,
        request.if_match,
        request.body.to_string(),
        answer.status,
        answer.body.to_string(),
        replay,
        now_ms(),
    ])?;
    Ok(())
}
