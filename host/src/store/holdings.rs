//! Everything the till holds about one person, for an access request (`pos-host customer
//! export`): the customer record, the entries of both edit lists, the changes waiting for
//! the ERP and the web shop, and every decision of the audit trail about them.

use super::customers;
use super::web::{self, AuditEntry, LocalEdit, WebEdit};
use crate::bindings::Customer;
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
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    let customer = match customers::get(conn, key)? {
        Some(customer) => Some(customer),
        None => by_web_id(conn, key)?,
    };
    let number = customer.as_ref().and_then(|c| c.number.clone()).unwrap_or_else(|| key.to_owned());
    let web_id = customer.as_ref().and_then(|c| c.web_id.clone()).unwrap_or_else(|| key.to_owned());
    Ok(Holdings {
        web_edit: web::web_edit(conn, &web_id)?,
        local_edit: web::local_edit(conn, &number)?,
        outbox: outbox(conn, &number)?,
        web_write: conn
            .prepare_cached("SELECT write FROM web_writes WHERE web_id = ?1")?
            .query_row([&web_id], |row| row.get::<_, String>(0))
            .optional()?
            .and_then(|write| serde_json::from_str(&write).ok()),
        audit: web::audit_about(conn, &number, &web_id)?,
        customer,
    })
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
