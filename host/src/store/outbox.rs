//! The durable outbox: customers created or edited at the POS wait here, in order, until the
//! ERP has accepted them. Each change carries its idempotency key from the moment it is
//! written, so a retry after a lost answer can never create a customer twice.

use crate::bindings::Customer;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// What a change asks of the ERP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

/// One change waiting for the ERP.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub idempotency_key: String,
    pub number: String,
    pub operation: Operation,
    /// The customer as it is to be sent, JSON in the ERP's format.
    pub body: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// Queues a change in the caller's transaction (the same one that changes the customer).
pub fn push(
    tx: &Transaction,
    key: &str,
    customer: &Customer,
    operation: Operation,
    body: &str,
    now: i64,
) -> rusqlite::Result<()> {
    let operation = match operation {
        Operation::Create => "create",
        Operation::Update => "update",
    };
    tx.prepare_cached(
        "INSERT INTO outbox (idempotency_key, number, operation, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![key, customer.number.as_deref().unwrap_or_default(), operation, body, now])?;
    Ok(())
}

/// The oldest pending change, if any.
pub fn next(conn: &Connection) -> rusqlite::Result<Option<Entry>> {
    conn.prepare_cached(
        "SELECT id, idempotency_key, number, operation, body, attempts, last_error FROM outbox
         WHERE state = 'pending' ORDER BY id LIMIT 1",
    )?
    .query_row([], |row| {
        Ok(Entry {
            id: row.get(0)?,
            idempotency_key: row.get(1)?,
            number: row.get(2)?,
            operation: if row.get::<_, String>(3)? == "create" { Operation::Create } else { Operation::Update },
            body: row.get(4)?,
            attempts: row.get(5)?,
            last_error: row.get(6)?,
        })
    })
    .optional()
}

/// Removes a change the ERP accepted.
pub fn done(tx: &Transaction, id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Records a failed attempt; `conflict` parks the change for a person to look at.
pub fn failed(tx: &Transaction, id: i64, error: &str, conflict: bool) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,
             state = CASE WHEN ?3 THEN 'conflict' ELSE state END WHERE id = ?1",
    )?
    .execute(params![id, error, conflict])?;
    Ok(())
}

/// Whether a change of this customer still waits, so that the ERP's older copy must not
/// overwrite the local one.
pub fn has_pending(conn: &Connection, number: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE number = ?1)")?.query_row([number], |row| row.get(0))
}

/// How many changes wait (pending) and how many were refused for good (conflict), and when
/// the oldest waiting one was made (milliseconds since the Unix epoch).
pub fn backlog(conn: &Connection) -> rusqlite::Result<(i64, i64, Option<i64>)> {
    conn.prepare_cached(
        "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'conflict'),
                min(created_at) FILTER (WHERE state = 'pending')
         FROM outbox",
    )?
    .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
}
