//! Writes: the POS's `POST` and `PUT` with `Idempotency-Key` and `If-Match`, and the
//! admin's upsert, deactivation and deletion. Every write takes the next service-wide
//! version and records a change.
//!
//! Every write that reaches the store is logged in the `received` table with its answer.
//! A later request with the key of a successful write is a replay: it gets the stored
//! answer if it is the same request, and `422` if it is not. Failed writes are not
//! replayed: retrying one evaluates it again, which gives the answer that is true now.

use super::data::{self, Store};
use super::error::error_body;
use super::model::{AdminCustomer, CUSTOMER_TAG, Customer, CustomerFields, SimCustomer};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kind of a POS write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMethod {
    Post,
    Put,
}

impl WriteMethod {
    fn as_str(self) -> &'static str {
        match self {
            WriteMethod::Post => "POST",
            WriteMethod::Put => "PUT",
        }
    }
}

/// A POS write whose headers and body were checked.
pub struct WriteRequest {
    pub method: WriteMethod,
    pub workstation: String,
    pub idempotency_key: String,
    pub number: String,
    /// The version `If-Match` names (`PUT` only; its presence is checked before).
    pub if_match: Option<String>,
    /// The body as received, to compare replays with.
    pub body: Value,
    pub fields: CustomerFields,
}

/// The answer to a write: a status and a JSON body (a customer or an error).
#[derive(Clone, Debug, PartialEq)]
pub struct WriteAnswer {
    pub status: u16,
    pub body: Value,
}

/// A write the service received, as `GET /admin/received` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceivedWrite {
    pub id: i64,
    pub idempotency_key: String,
    /// `POST` or `PUT`.
    pub method: String,
    pub number: String,
    pub workstation: String,
    pub if_match: Option<String>,
    pub body: Value,
    pub status: u16,
    pub response: Value,
    /// Whether this request was answered from an earlier one with the same key.
    pub replay: bool,
    pub received_at: i64,
}

impl Store {
    /// Carries out a POS write, or replays the answer to an earlier one with its key.
    pub fn apply_write(&self, request: &WriteRequest) -> anyhow::Result<WriteAnswer> {
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

    /// Creates or replaces a customer with everything the ERP knows about it.
    pub fn upsert(&self, admin: &AdminCustomer) -> anyhow::Result<SimCustomer> {
        let number = admin.fields.number.clone().ok_or_else(|| anyhow::anyhow!("`number` is required"))?;
        self.write(|tx| {
            let existing = data::get(tx, &number)?;
            let mut sim = build(tx, &number, &admin.fields, existing.as_ref())?;
            sim.tags = admin.tags.clone();
            sim.workstations = admin.workstations.clone();
            data::put(tx, &sim)?;
            Ok(sim)
        })
    }

    /// Marks customer `number` inactive; `None` if there is no such customer.
    pub fn deactivate(&self, number: &str) -> anyhow::Result<Option<SimCustomer>> {
        self.write(|tx| {
            let Some(mut sim) = data::get(tx, number)? else {
                return Ok(None);
            };
            sim.customer.active = false;
            sim.customer.version = data::next_version(tx)?;
            sim.customer.updated_at = data::now_ms();
            data::put(tx, &sim)?;
            Ok(Some(sim))
        })
    }

    /// Deletes customer `number`, leaving a tombstone in the feed; returns the tombstone's
    /// version, or `None` if there is no such customer.
    pub fn delete(&self, number: &str) -> anyhow::Result<Option<i64>> {
        self.write(|tx| data::delete(tx, number))
    }

    /// Every write received so far, oldest first.
    pub fn received(&self) -> anyhow::Result<Vec<ReceivedWrite>> {
        let conn = self.writer();
        let mut stmt = conn.prepare(
            "SELECT id, idempotency_key, method, number, workstation, if_match, body, status, \
             response, replay, received_at FROM received ORDER BY id",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                ReceivedWrite {
                    id: row.get(0)?,
                    idempotency_key: row.get(1)?,
                    method: row.get(2)?,
                    number: row.get(3)?,
                    workstation: row.get(4)?,
                    if_match: row.get(5)?,
                    body: Value::Null,
                    status: row.get(7)?,
                    response: Value::Null,
                    replay: row.get(9)?,
                    received_at: row.get(10)?,
                },
                row.get::<_, String>(6)?,
                row.get::<_, String>(8)?,
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

/// The first successful write with `key`.
struct Earlier {
    method: String,
    number: String,
    body: Value,
    answer: WriteAnswer,
}

impl Earlier {
    fn same_request(&self, request: &WriteRequest) -> bool {
        self.method == request.method.as_str() && self.number == request.number && self.body == request.body
    }
}

fn earlier_success(conn: &Connection, key: &str) -> anyhow::Result<Option<Earlier>> {
    let row = conn
        .prepare_cached(
            "SELECT method, number, body, status, response FROM received \
             WHERE idempotency_key = ?1 AND replay = 0 AND status BETWEEN 200 AND 299 \
             ORDER BY id LIMIT 1",
        )?
        .query_row([key], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, u16>(3)?,
                row.get::<_, String>(4)?,
            ))
        })
        .optional()?;
    let Some((method, number, body, status, response)) = row else {
        return Ok(None);
    };
    Ok(Some(Earlier {
        method,
        number,
        body: serde_json::from_str(&body)?,
        answer: WriteAnswer { status, body: serde_json::from_str(&response)? },
    }))
}

fn idempotency_conflict(request: &WriteRequest, earlier: &Earlier) -> WriteAnswer {
    error(
        422,
        "idempotency_conflict",
        &format!(
            "Idempotency-Key `{}` was used before for another request ({} {})",
            request.idempotency_key, earlier.method, earlier.number
        ),
    )
}

/// Carries out a write that is not a replay.
fn execute(conn: &Connection, request: &WriteRequest) -> anyhow::Result<WriteAnswer> {
    let number = &request.number;
    let existing = data::get(conn, number)?;
    match request.method {
        WriteMethod::Post => {
            if existing.is_some() {
                return Ok(error(409, "conflict", &format!("customer {number} already exists")));
            }
            let sim = build(conn, number, &request.fields, None)?;
            data::put(conn, &sim)?;
            Ok(success(201, &sim.customer))
        }
        WriteMethod::Put => {
            let Some(existing) = existing.filter(|c| c.visible_to(&request.workstation)) else {
                return Ok(error(404, "not_found", &format!("no customer {number}")));
            };
            let current = existing.customer.version;
            let wanted = request.if_match.as_deref().unwrap_or_default();
            if !if_match_matches(wanted, current) {
                return Ok(error(
                    412,
                    "version_mismatch",
                    &format!("If-Match {wanted} does not match the current version \"{current}\""),
                ));
            }
            let sim = build(conn, number, &request.fields, Some(&existing))?;
            data::put(conn, &sim)?;
            Ok(success(200, &sim.customer))
        }
    }
}

/// Whether an `If-Match` value names `version`: `"7"`, `W/"7"`, `7` or `*`.
pub fn if_match_matches(if_match: &str, version: i64) -> bool {
    if_match.split(',').any(|tag| {
        let tag = tag.trim();
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        tag == "*" || tag.trim_matches('"').parse::<i64>() == Ok(version)
    })
}

/// The customer `number` with `fields` written over `existing` at the next version.
fn build(
    conn: &Connection,
    number: &str,
    fields: &CustomerFields,
    existing: Option<&SimCustomer>,
) -> anyhow::Result<SimCustomer> {
    let keep = |new: Option<bool>, old: Option<bool>| new.or(old).unwrap_or(true);
    let old = existing.map(|e| &e.customer);
    let customer = Customer {
        number: number.to_owned(),
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
        active: keep(fields.active, old.map(|c| c.active)),
        version: data::next_version(conn)?,
        updated_at: data::now_ms(),
        previewable: keep(fields.previewable, old.map(|c| c.previewable)),
        editable: keep(fields.editable, old.map(|c| c.editable)),
    };
    Ok(SimCustomer {
        customer,
        tags: existing.map_or_else(|| vec![CUSTOMER_TAG.to_owned()], |e| e.tags.clone()),
        workstations: existing.and_then(|e| e.workstations.clone()),
    })
}

fn success(status: u16, customer: &Customer) -> WriteAnswer {
    WriteAnswer { status, body: serde_json::to_value(customer).unwrap_or(Value::Null) }
}

fn error(status: u16, code: &str, message: &str) -> WriteAnswer {
    WriteAnswer { status, body: error_body(code, message) }
}

fn log(conn: &Connection, request: &WriteRequest, answer: &WriteAnswer, replay: bool) -> anyhow::Result<()> {
    conn.prepare_cached(
        "INSERT INTO received (idempotency_key, method, number, workstation, if_match, body, \
         status, response, replay, received_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        request.idempotency_key,
        request.method.as_str(),
        request.number,
        request.workstation,
        request.if_match,
        request.body.to_string(),
        answer.status,
        answer.body.to_string(),
        replay,
        data::now_ms(),
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::if_match_matches;

    #[test]
    fn if_match_forms() {
        for value in ["\"7\"", "W/\"7\"", "7", "*", "\"3\", \"7\""] {
            assert!(if_match_matches(value, 7), "{value}");
        }
        for value in ["\"8\"", "", "abc", "\"\""] {
            assert!(!if_match_matches(value, 7), "{value}");
        }
    }
}
