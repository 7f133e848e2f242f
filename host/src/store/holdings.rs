//! Everything the till holds about one person, for an access request (`pos-host customer
//! export`): the customer record, the entries of both edit lists, the changes waiting for
//! the ERP and the web shop, and every decision of the audit trail about them; and its
//! erasure (`pos-host customer erase`).

use super::customers;
use super::web::{self, AuditEntry, LocalEdit, WebEdit};
use crate::bindings::Customer;
use crate::personal::Known;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// What the till holds about one person.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Holdings {
    /// The customer record: local, from the ERP, or a web customer taken over.
    pub customer: Option<Customer>,
    /// The web edit list's entry of their web shop account, whatever its state: the web
    /// record as it was listed.
    pub web_edit: Option<WebEdit>,
    /// The local edit list's entry.
    pub local_edit: Option<LocalEdit>,
    /// Changes waiting for the ERP, or refused by it, oldest first.
    pub outbox: Vec<OutboxChange>,
    /// A write to the web shop whose answer has not been applied yet.
    pub web_write: Option<serde_json::Value>,
    /// The decisions about them, oldest first, with the records before and after.
    pub audit: Vec<AuditEntry>,
}

impl Holdings {
    /// Whether the till holds nothing about them.
    pub fn is_empty(&self) -> bool {
        *self == Holdings::default()
    }
}

/// A change in the outbox, as the ERP is to receive it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutboxChange {
    pub idempotency_key: String,
    pub operation: String,
    /// The customer as it is to be sent, in the ERP's format.
    pub body: serde_json::Value,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// `pending`, or `conflict` when the ERP refused it for good.
    pub state: String,
}

/// What the till holds about the person with customer number or web id `key`.
pub fn holdings(conn: &Connection, key: &str) -> rusqlite::Result<Holdings> {
    Ok(held(conn, key, ErasureSource::Operator)?.0)
}

/// What the till holds about the person `key` names for `source`: the operator names a
/// customer number or a web id, the ERP's feed a number only, the web shop's a web id only,
/// so that neither feed can reach a person by the other's key. With the person's number and
/// web id, where known.
fn held(conn: &Connection, key: &str, source: ErasureSource) -> rusqlite::Result<(Holdings, Keys)> {
    let customer = match source {
        ErasureSource::Operator => match customers::get(conn, key)? {
            Some(customer) => Some(customer),
            None => by_web_id(conn, key)?,
        },
        ErasureSource::Erp => customers::get(conn, key)?,
        ErasureSource::Webshop => by_web_id(conn, key)?,
    };
    let given = |named: bool| named.then(|| key.to_owned());
    let number = customer.as_ref().and_then(|c| c.number.clone()).or_else(|| given(source != ErasureSource::Webshop));
    let web_id = customer.as_ref().and_then(|c| c.web_id.clone()).or_else(|| given(source != ErasureSource::Erp));
    let (by_number, by_web_id) = (number.as_deref(), web_id.as_deref());
    let holdings = Holdings {
        web_edit: by_web_id.map(|web_id| web::web_edit(conn, web_id)).transpose()?.flatten(),
        local_edit: by_number.map(|number| web::local_edit(conn, number)).transpose()?.flatten(),
        outbox: by_number.map(|number| outbox(conn, number)).transpose()?.unwrap_or_default(),
        web_write: by_web_id.map(|web_id| web::web_write(conn, web_id)).transpose()?.flatten(),
        audit: web::audit_about(conn, by_number, by_web_id)?,
        customer,
    };
    Ok((holdings, Keys { number, web_id }))
}

/// A person's customer number and web id, where known.
struct Keys {
    number: Option<String>,
    web_id: Option<String>,
}

fn by_web_id(conn: &Connection, web_id: &str) -> rusqlite::Result<Option<Customer>> {
    conn.prepare_cached(&format!("SELECT {} FROM customers c WHERE c.web_id = ?1", customers::select_columns("c")))?
        .query_row([web_id], |row| customers::from_row(row, 0))
        .optional()
}

fn outbox(conn: &Connection, number: &str) -> rusqlite::Result<Vec<OutboxChange>> {
    conn.prepare_cached(
        "SELECT idempotency_key, operation, body, created_at, attempts, last_error, state FROM outbox
         WHERE number = ?1 ORDER BY id",
    )?
    .query_map([number], |row| {
        let body: String = row.get(2)?;
        Ok(OutboxChange {
            idempotency_key: row.get(0)?,
            operation: row.get(1)?,
            body: serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
            created_at: row.get(3)?,
            attempts: row.get(4)?,
            last_error: row.get(5)?,
            state: row.get(6)?,
        })
    })?
    .collect()
}

/// Who asked for an erasure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErasureSource {
    /// `pos-host customer erase`, the API.
    Operator,
    /// A removal in the ERP's change feed.
    Erp,
    /// A removal in the web shop's registrations feed.
    Webshop,
}

impl ErasureSource {
    fn name(self) -> &'static str {
        match self {
            ErasureSource::Operator => "operator",
            ErasureSource::Erp => "erp",
            ErasureSource::Webshop => "webshop",
        }
    }
}

/// What an erasure removed; its record in the `erasures` table holds this and no personal
/// data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Erased {
    pub number: Option<String>,
    pub web_id: Option<String>,
    pub customer: u64,
    pub web_edit: u64,
    pub local_edit: u64,
    pub outbox: u64,
    pub web_write: u64,
    /// Audit entries kept, their records' personal fields and the texts about them replaced.
    pub audit_pseudonymized: u64,
    /// Recorded plugin calls that named the person (`record = true`, a shadow's
    /// differences), removed from the recordings after the store's erasure.
    pub recorded_calls: u64,
    /// The erasure record's id, for its second half (store/erasures.rs).
    #[serde(skip)]
    pub(crate) record: i64,
}

/// What the audit keeps of an erased person's name.
pub const ERASED: &str = "[erased]";

/// The personal fields of a customer record, as the audit stores it.
const PERSONAL_FIELDS: [&str; 9] =
    ["first_name", "last_name", "company", "tax_id", "email", "phone", "street", "postal_code", "city"];

/// Removes every trace of the person `key` names (customer number or web id; for a feed's
/// erasure, its own kind of key only) from the till:
/// the customer and their full-text entries, both edit lists' entries, the changes waiting
/// for the ERP and the web shop; the audit keeps each decision with the records' personal
/// fields and the texts about them replaced. Writes an erasure record. `None` when the till
/// holds nothing about them.
pub fn erase(
    tx: &super::WriteTx,
    key: &str,
    source: ErasureSource,
    workstation: &str,
    now: i64,
) -> rusqlite::Result<Option<Erased>> {
    let (held, keys) = held(tx, key, source)?;
    if held.is_empty() {
        return Ok(None);
    }
    let number = keys.number;
    let web_id = keys.web_id.or_else(|| held.web_edit.as_ref().and_then(|e| e.customer.web_id.clone()));
    // Every value of every record held, for the free texts that may quote them.
    let mut known = Known::default();
    known.customers(held.customer.iter().chain(held.web_edit.iter().map(|e| &e.customer)));
    for entry in &held.audit {
        note_records(&mut known, entry);
    }
    let removed = |sql: &str, value: &Option<String>| -> rusqlite::Result<u64> {
        Ok(match value {
            Some(value) => tx.execute(sql, [value])? as u64,
            None => 0,
        })
    };
    let mut erased = Erased {
        customer: number.as_deref().map(|n| customers::delete(tx, n)).transpose()?.map_or(0, u64::from),
        web_edit: removed("DELETE FROM web_edits WHERE web_id = ?1", &web_id)?,
        local_edit: number.as_deref().map(|n| web::remove_local_edit(tx, n)).transpose()?.map_or(0, u64::from),
        outbox: removed("DELETE FROM outbox WHERE number = ?1", &number)?,
        web_write: removed("DELETE FROM web_writes WHERE web_id = ?1", &web_id)?,
        ..Erased::default()
    };
    for entry in &held.audit {
        pseudonymize(tx, entry, &known)?;
        erased.audit_pseudonymized += 1;
    }
    let linked = held.customer.as_ref().is_some_and(|c| c.web_id.is_some());
    erased.number = number.filter(|_| erased.customer + erased.local_edit + erased.outbox > 0);
    erased.web_id = web_id.filter(|_| linked || erased.web_edit + erased.web_write > 0);
    let counts = serde_json::to_string(&erased).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    tx.execute(
        "INSERT INTO erasures (at, workstation, number, web_id, source, removed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![now, workstation, erased.number, erased.web_id, source.name(), counts],
    )?;
    erased.record = tx.last_insert_rowid();
    // The removed entries stay in the full-text index's segments until they are merged.
    customers::optimize_index(tx);
    Ok(Some(erased))
}

/// Notes in `known` every personal value of the records an audit entry holds.
pub(super) fn note_records(known: &mut Known, entry: &AuditEntry) {
    for record in [&entry.before, &entry.after].into_iter().flatten().filter_map(|r| r.as_object()) {
        for fields in record.values().filter_map(|c| c.as_object()) {
            for value in PERSONAL_FIELDS.iter().filter_map(|field| fields.get(*field)?.as_str()) {
                known.value(value);
            }
        }
    }
}

/// Rewrites an audit entry without personal data: the records' personal fields and the
/// summary's arguments replaced, every value `known` holds masked in the detail. The
/// decision (when, what, which outcome, which plugin) stays.
pub(super) fn pseudonymize(tx: &Connection, entry: &AuditEntry, known: &Known) -> rusqlite::Result<()> {
    let records = |value: &Option<serde_json::Value>| value.as_ref().map(|v| pseudonymized(v.clone()).to_string());
    let summary = entry.summary.as_ref().map(|s| erased_args(s.clone()).to_string());
    let detail = entry.detail.as_deref().map(|d| known.mask(d));
    tx.prepare_cached(
        "UPDATE audit SET before = ?2, after = ?3, summary = ?4, detail = ?5, personal = 0 WHERE id = ?1",
    )?
    .execute(rusqlite::params![entry.id, records(&entry.before), records(&entry.after), summary, detail])?;
    Ok(())
}

/// An audit record (`{ web, local }`) with each customer's personal fields replaced.
fn pseudonymized(mut records: serde_json::Value) -> serde_json::Value {
    for record in records.as_object_mut().into_iter().flat_map(|r| r.values_mut()) {
        let Some(fields) = record.as_object_mut() else { continue };
        for field in PERSONAL_FIELDS {
            if let Some(value) = fields.get_mut(field) {
                *value = match field {
                    // Never empty: a customer without a last name is not a customer.
                    "first_name" | "last_name" => ERASED.into(),
                    _ => serde_json::Value::Null,
                };
            }
        }
    }
    records
}

/// A summary message with its arguments' values (names, most of them) replaced.
fn erased_args(mut message: serde_json::Value) -> serde_json::Value {
    for arg in message.get_mut("args").and_then(|a| a.as_array_mut()).into_iter().flatten() {
        if let Some(value) = arg.get_mut("value") {
            *value = ERASED.into();
        }
    }
    message
}
