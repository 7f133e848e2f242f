//! The web shop's tables in the simulator's SQLite file: web customers, their compacted
//! change feed, and the web shop's own version counter, cursor horizon and id counter.
//!
//! As in the ERP's feed (`sim/data.rs`), every write takes the next version and replaces
//! the customer's earlier change, so the feed holds each customer's latest change only.
//! Unlike the ERP, the web shop has no full listing: a client whose cursor expired lists the
//! feed again from `0`. So expiring cursors drops only tombstones (the history a listing
//! from `0` does not need) and never a live customer's change, and cursor `0` is never
//! expired.

use super::model::WebCustomer;
use crate::sim::data::{Store, now_ms};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// The web customer columns in the order [`read_web_customer`] expects.
const COLUMNS: &str = "id, customer_number, first_name, last_name, company, tax_id, email, phone, street, \
    postal_code, city, country, version, registered_at, updated_at";

/// The web shop's state row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebState {
    /// The version of the web shop's last change.
    pub version: i64,
    /// Cursors older than this (but `0`) get `410`.
    pub horizon: i64,
    /// How many web customers the data file was seeded with.
    pub seeded: Option<u64>,
}

/// One entry of the registrations feed.
pub struct WebChange {
    pub version: i64,
    pub id: String,
    pub deleted_at: Option<i64>,
    pub customer: Option<WebCustomer>,
}

/// Why a registrations cursor cannot be served.
#[derive(Debug)]
pub enum WebCursorError {
    /// Older than the horizon: tombstones it needs were dropped.
    Expired { horizon: i64 },
    /// Newer than the web shop's version: it comes from another data set.
    Ahead { version: i64 },
}

impl Store {
    /// The web shop's state.
    pub fn web_state(&self) -> anyhow::Result<WebState> {
        self.read(|tx| web_state(tx))
    }

    /// The live web customer `id`.
    pub fn web_customer(&self, id: &str) -> anyhow::Result<Option<WebCustomer>> {
        self.read(|tx| get(tx, id))
    }

    /// Every live web customer, by id.
    pub fn web_customers(&self) -> anyhow::Result<Vec<WebCustomer>> {
        self.read(|tx| {
            let sql = format!("SELECT {COLUMNS} FROM web_customers WHERE deleted_at IS NULL ORDER BY id");
            let customers =
                tx.prepare(&sql)?.query_map([], |row| read_web_customer(row, 0))?.collect::<Result<Vec<_>, _>>()?;
            Ok(customers)
        })
    }

    /// Up to `limit` changes after `since`, oldest first, and whether more follow.
    pub fn registrations(
        &self,
        since: i64,
        limit: u32,
    ) -> anyhow::Result<Result<(Vec<WebChange>, bool), WebCursorError>> {
        let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("wc.{c}")).collect();
        let sql = format!(
            "SELECT ch.version, ch.id, ch.deleted_at, {} FROM web_changes ch \
             LEFT JOIN web_customers wc ON wc.id = ch.id AND ch.deleted_at IS NULL \
             WHERE ch.version > ?1 ORDER BY ch.version LIMIT ?2",
            columns.join(", ")
        );
        self.read(|tx| {
            let state = web_state(tx)?;
            if since != 0 && since < state.horizon {
                return Ok(Err(WebCursorError::Expired { horizon: state.horizon }));
            }
            if since > state.version {
                return Ok(Err(WebCursorError::Ahead { version: state.version }));
            }
            let mut stmt = tx.prepare_cached(&sql)?;
            let mut rows = stmt.query(params![since, i64::from(limit) + 1])?;
            let mut changes = Vec::new();
            while let Some(row) = rows.next()? {
                let found: Option<String> = row.get(3)?;
                let customer = match found {
                    Some(_) => Some(read_web_customer(row, 3)?),
                    None => None,
                };
                changes.push(WebChange { version: row.get(0)?, id: row.get(1)?, deleted_at: row.get(2)?, customer });
            }
            let has_more = changes.len() > limit as usize;
            changes.truncate(limit as usize);
            Ok(Ok((changes, has_more)))
        })
    }

    /// Moves the horizon to the current version and drops the tombstones up to it: cursors
    /// between `0` and the horizon get `410`. Returns the new horizon.
    pub fn expire_web_cursors(&self) -> anyhow::Result<i64> {
        self.write(|tx| {
            let horizon = web_state(tx)?.version;
            tx.execute("UPDATE web_state SET horizon = ?1", [horizon])?;
            tx.execute("DELETE FROM web_changes WHERE version <= ?1 AND deleted_at IS NOT NULL", [horizon])?;
            Ok(horizon)
        })
    }
}

/// The web shop's state as seen by `conn`.
pub fn web_state(conn: &Connection) -> anyhow::Result<WebState> {
    let state = conn.query_row("SELECT version, horizon, seeded FROM web_state", [], |row| {
        Ok(WebState {
            version: row.get(0)?,
            horizon: row.get(1)?,
            seeded: row.get::<_, Option<i64>>(2)?.map(|s| s as u64),
        })
    })?;
    Ok(state)
}

/// The live web customer `id`.
pub fn get(conn: &Connection, id: &str) -> anyhow::Result<Option<WebCustomer>> {
    let sql = format!("SELECT {COLUMNS} FROM web_customers WHERE id = ?1 AND deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([id], |row| read_web_customer(row, 0)).optional()?)
}

/// Whether `id` was ever registered, deleted or not: ids are never reused.
pub fn id_taken(conn: &Connection, id: &str) -> anyhow::Result<bool> {
    let found = conn.prepare_cached("SELECT 1 FROM web_customers WHERE id = ?1")?.exists([id])?;
    Ok(found)
}

/// The live web customer other than `except` that holds customer number `number`.
pub fn number_holder(conn: &Connection, number: &str, except: &str) -> anyhow::Result<Option<String>> {
    let holder = conn
        .prepare_cached(
            "SELECT id FROM web_customers WHERE customer_number = ?1 AND id <> ?2 AND deleted_at IS NULL \
             ORDER BY id LIMIT 1",
        )?
        .query_row([number, except], |row| row.get(0))
        .optional()?;
    Ok(holder)
}

/// The next unused `W-000001`-style id. Ids given at registration may be in the way, so
/// taken ones are skipped.
pub fn next_id(conn: &Connection) -> anyhow::Result<String> {
    loop {
        let n: i64 =
            conn.query_row("UPDATE web_state SET last_id = last_id + 1 RETURNING last_id", [], |row| row.get(0))?;
        let id = web_id(n as u64);
        if !id_taken(conn, &id)? {
            return Ok(id);
        }
    }
}

/// The `n`-th web customer id: `W-000042`.
pub fn web_id(n: u64) -> String {
    format!("W-{n:06}")
}

/// Takes the next web shop version.
pub fn next_version(conn: &Connection) -> anyhow::Result<i64> {
    let version =
        conn.query_row("UPDATE web_state SET version = version + 1 RETURNING version", [], |row| row.get(0))?;
    Ok(version)
}

/// Stores `customer` as given (registering or replacing it) and records its change. The
/// caller has set its `version` from [`next_version`].
pub fn put(conn: &Connection, customer: &WebCustomer) -> anyhow::Result<()> {
    let c = customer;
    conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO web_customers ({COLUMNS}, deleted_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, NULL)"
    ))?
    .execute(params![
        c.id,
        c.customer_number,
        c.first_name,
        c.last_name,
        c.company,
        c.tax_id,
        c.email,
        c.phone,
        c.street,
        c.postal_code,
        c.city,
        c.country,
        c.version,
        c.registered_at,
        c.updated_at,
    ])?;
    record_change(conn, c.version, &c.id, None)
}

/// Closes the account of live web customer `id` and records a tombstone; returns its
/// version, or `None` if there is no such customer.
pub fn delete(conn: &Connection, id: &str) -> anyhow::Result<Option<i64>> {
    let now = now_ms();
    let closed = conn
        .prepare_cached("UPDATE web_customers SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL")?
        .execute(params![id, now])?;
    if closed == 0 {
        return Ok(None);
    }
    let version = next_version(conn)?;
    record_change(conn, version, id, Some(now))?;
    Ok(Some(version))
}

/// Records the latest change of `id`, superseding its earlier ones.
fn record_change(conn: &Connection, version: i64, id: &str, deleted_at: Option<i64>) -> anyhow::Result<()> {
    conn.prepare_cached("DELETE FROM web_changes WHERE id = ?1")?.execute([id])?;
    conn.prepare_cached("INSERT INTO web_changes (version, id, deleted_at) VALUES (?1, ?2, ?3)")?
        .execute(params![version, id, deleted_at])?;
    Ok(())
}

/// Reads a web customer from `row`, whose columns from `offset` on are [`COLUMNS`].
fn read_web_customer(row: &Row<'_>, offset: usize) -> rusqlite::Result<WebCustomer> {
    let at = |i: usize| offset + i;
    Ok(WebCustomer {
        id: row.get(at(0))?,
        customer_number: row.get(at(1))?,
        first_name: row.get(at(2))?,
        last_name: row.get(at(3))?,
        company: row.get(at(4))?,
        tax_id: row.get(at(5))?,
        email: row.get(at(6))?,
        phone: row.get(at(7))?,
        street: row.get(at(8))?,
        postal_code: row.get(at(9))?,
        city: row.get(at(10))?,
        country: row.get(at(11))?,
        version: row.get(at(12))?,
        registered_at: row.get(at(13))?,
        updated_at: row.get(at(14))?,
    })
}
