//! The web shop's side of the store: the web edit list, the local edit list (filled by a
//! trigger on `customers`), the web writes waiting for their answer, and the audit trail.

use super::{customers, sync_state};
use crate::bindings::Customer;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

/// Where a web edit list entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebEditState {
    /// Waiting for the operator.
    Open,
    /// Removed from the list; back only when the web customer changes again.
    Ignored,
    /// Taken over or discarded.
    Done,
    /// Deleted on the web.
    Gone,
}

impl WebEditState {
    fn as_str(self) -> &'static str {
        match self {
            WebEditState::Open => "open",
            WebEditState::Ignored => "ignored",
            WebEditState::Done => "done",
            WebEditState::Gone => "gone",
        }
    }

    fn parse(text: &str) -> WebEditState {
        match text {
            "ignored" => WebEditState::Ignored,
            "done" => WebEditState::Done,
            "gone" => WebEditState::Gone,
            _ => WebEditState::Open,
        }
    }
}

/// One entry of the web edit list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebEdit {
    /// The web customer as it was listed; its `version` is the one the operator saw.
    pub customer: Customer,
    pub state: WebEditState,
    /// When it entered the list, in milliseconds since the Unix epoch.
    pub listed_at: i64,
}

/// One entry of the local edit list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalEdit {
    /// The local customer as it is now.
    pub customer: Customer,
    pub web_id: String,
    /// When its local information last changed.
    pub changed_at: i64,
    /// The version of the web customer shown beside it, once shown.
    pub web_version: Option<u64>,
}

fn json<T: Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn from_json<T: for<'de> Deserialize<'de>>(column: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e)))
}

/// What listing a web customer did to the web edit list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listed {
    /// It entered the list, or its entry now shows a newer version.
    Opened,
    /// The list already held this version or a newer one, or it was decided after it.
    Unchanged,
}

/// Puts a web customer from the registrations feed on the web edit list, unless the list
/// already knows this version of it (the host's own writes come back through the feed).
pub fn list_web_customer(tx: &Transaction, customer: &Customer, now: i64) -> rusqlite::Result<Listed> {
    let web_id = customer.web_id.as_deref().unwrap_or_default();
    let changed = tx
        .prepare_cached(
            "INSERT INTO web_edits (web_id, customer, version, state, listed_at) VALUES (?1, ?2, ?3, 'open', ?4)
             ON CONFLICT (web_id) DO UPDATE SET customer = excluded.customer, version = excluded.version,
                 state = 'open', listed_at = excluded.listed_at
             WHERE excluded.version > web_edits.version",
        )?
        .execute(params![web_id, json(customer)?, customer.version as i64, now])?;
    Ok(if changed > 0 { Listed::Opened } else { Listed::Unchanged })
}

/// Marks a web customer deleted on the web; its entry leaves the list.
pub fn web_customer_gone(tx: &Transaction, web_id: &str, version: u64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE web_edits SET state = 'gone', version = max(version, ?2) WHERE web_id = ?1 AND version < ?2",
    )?
    .execute(params![web_id, version as i64])?;
    Ok(())
}

/// The entry of a web customer deleted on the web and erased here: deleted at `version`,
/// without the person.
pub fn tombstone(tx: &Transaction, web_id: &str, version: u64, now: i64) -> rusqlite::Result<()> {
    let erased = super::holdings::ERASED;
    let customer = Customer {
        number: None,
        web_id: Some(web_id.to_owned()),
        first_name: erased.into(),
        last_name: erased.into(),
        company: None,
        tax_id: None,
        email: None,
        phone: None,
        street: None,
        postal_code: None,
        city: None,
        country: None,
        active: false,
        origin: crate::bindings::Origin::Web,
        version,
        updated_at: now,
        previewable: false,
        editable: false,
    };
    close_web_edit(tx, &customer, WebEditState::Gone, now)
}

/// Closes an entry as decided: the web customer as it is after the decision (`version`)
/// and `state`. Creates the entry if the decision was made without one.
pub fn close_web_edit(tx: &Transaction, customer: &Customer, state: WebEditState, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO web_edits (web_id, customer, version, state, listed_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (web_id) DO UPDATE SET customer = excluded.customer, state = excluded.state,
             version = max(web_edits.version, excluded.version)",
    )?
    .execute(params![
        customer.web_id.as_deref().unwrap_or_default(),
        json(customer)?,
        customer.version as i64,
        state.as_str(),
        now
    ])?;
    Ok(())
}

/// The entry of a web customer, whatever its state.
pub fn web_edit(conn: &Connection, web_id: &str) -> rusqlite::Result<Option<WebEdit>> {
    conn.prepare_cached("SELECT customer, state, listed_at FROM web_edits WHERE web_id = ?1")?
        .query_row([web_id], web_edit_row)
        .optional()
}

/// The open entries, oldest first.
pub fn open_web_edits(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<WebEdit>> {
    conn.prepare_cached(
        "SELECT customer, state, listed_at FROM web_edits WHERE state = 'open' ORDER BY listed_at, web_id LIMIT ?1",
    )?
    .query_map([limit], web_edit_row)?
    .collect()
}

fn web_edit_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<WebEdit> {
    Ok(WebEdit {
        customer: from_json(0, &row.get::<_, String>(0)?)?,
        state: WebEditState::parse(&row.get::<_, String>(1)?),
        listed_at: row.get(2)?,
    })
}

/// The local edit list, oldest change first, with each customer as it is now.
pub fn local_edits(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<LocalEdit>> {
    conn.prepare_cached(&format!("{} ORDER BY e.changed_at, e.number LIMIT ?1", select_local_edits()))?
        .query_map([limit], local_edit_row)?
        .collect()
}

/// The local edit list entry of customer `number`.
pub fn local_edit(conn: &Connection, number: &str) -> rusqlite::Result<Option<LocalEdit>> {
    conn.prepare_cached(&format!("{} WHERE e.number = ?1", select_local_edits()))?
        .query_row([number], local_edit_row)
        .optional()
}

fn select_local_edits() -> String {
    format!(
        "SELECT {}, e.web_id, e.changed_at, e.web_version FROM local_edits e JOIN customers c ON c.number = e.number",
        customers::select_columns("c")
    )
}

fn local_edit_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<LocalEdit> {
    Ok(LocalEdit {
        customer: customers::from_row(row, 0)?,
        web_id: row.get(18)?,
        changed_at: row.get(19)?,
        web_version: row.get::<_, Option<i64>>(20)?.map(|v| v as u64),
    })
}

/// Records the web version shown beside a local edit.
pub fn show_web_version(tx: &Transaction, number: &str, version: u64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE local_edits SET web_version = ?2 WHERE number = ?1")?
        .execute(params![number, version as i64])?;
    Ok(())
}

/// Removes a customer from the local edit list; `false` when it was not on it.
pub fn remove_local_edit(tx: &Transaction, number: &str) -> rusqlite::Result<bool> {
    Ok(tx.prepare_cached("DELETE FROM local_edits WHERE number = ?1")?.execute([number])? > 0)
}

/// Stores a web write before it is sent; replaces any earlier one for the web customer.
pub fn save_web_write<W: Serialize>(tx: &Transaction, web_id: &str, write: &W, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO web_writes (web_id, write, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (web_id) DO UPDATE SET write = excluded.write, created_at = excluded.created_at",
    )?
    .execute(params![web_id, json(write)?, now])?;
    Ok(())
}

/// The web write waiting for its answer for this web customer, if any.
pub fn web_write<W: for<'de> Deserialize<'de>>(conn: &Connection, web_id: &str) -> rusqlite::Result<Option<W>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT write FROM web_writes WHERE web_id = ?1")?
        .query_row([web_id], |row| row.get(0))
        .optional()?;
    text.map(|text| from_json(0, &text)).transpose()
}

/// Forgets the web write of a web customer: its answer was applied, or it failed for good.
pub fn forget_web_write(tx: &Transaction, web_id: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM web_writes WHERE web_id = ?1")?.execute([web_id])?;
    Ok(())
}

/// One decision of the audit trail.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub workstation: String,
    /// Such as `take-over-local`.
    pub action: String,
    pub web_id: Option<String>,
    pub number: Option<String>,
    /// `applied`, `cancelled`, `changed` (the web record changed under the decision),
    /// `refused` (it would have replaced an existing customer) or `failed`.
    pub outcome: String,
    /// The web and local records before, as JSON.
    pub before: Option<serde_json::Value>,
    /// The web and local records after, as JSON.
    pub after: Option<serde_json::Value>,
    /// The plan's summary message, as JSON.
    pub summary: Option<serde_json::Value>,
    /// The plugin that decided, or `built-in` for the host's own rules.
    pub plugin: String,
    /// The plugin's SHA-256.
    pub plugin_version: Option<String>,
    /// Why it failed or was stopped.
    pub detail: Option<String>,
}

/// Appends a decision to the audit trail.
pub fn audit(tx: &Transaction, entry: &AuditEntry) -> rusqlite::Result<i64> {
    let text = |value: &Option<serde_json::Value>| value.as_ref().map(serde_json::Value::to_string);
    tx.prepare_cached(
        "INSERT INTO audit (at, workstation, action, web_id, number, outcome, before, after, summary, plugin,
             plugin_version, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
    )?
    .query_row(
        params![
            entry.at,
            entry.workstation,
            entry.action,
            entry.web_id,
            entry.number,
            entry.outcome,
            text(&entry.before),
            text(&entry.after),
            text(&entry.summary),
            entry.plugin,
            entry.plugin_version,
            entry.detail
        ],
        |row| row.get(0),
    )
}

const SELECT_AUDIT: &str = "SELECT id, at, workstation, action, web_id, number, outcome, before, after, summary, \
    plugin, plugin_version, detail FROM audit";

/// The latest `limit` decisions, newest first.
pub fn audit_trail(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<AuditEntry>> {
    conn.prepare_cached(&format!("{SELECT_AUDIT} ORDER BY id DESC LIMIT ?1"))?.query_map([limit], audit_row)?.collect()
}

/// The decisions made before `before` (milliseconds since the Unix epoch) whose entries
/// still hold personal data, oldest first.
pub fn audit_personal_before(conn: &Connection, before: i64) -> rusqlite::Result<Vec<AuditEntry>> {
    conn.prepare_cached(&format!("{SELECT_AUDIT} WHERE personal AND at < ?1 ORDER BY id"))?
        .query_map([before], audit_row)?
        .collect()
}

/// The decisions about customer `number` or web customer `web_id`, oldest first.
pub fn audit_about(conn: &Connection, number: Option<&str>, web_id: Option<&str>) -> rusqlite::Result<Vec<AuditEntry>> {
    conn.prepare_cached(&format!("{SELECT_AUDIT} WHERE number = ?1 OR web_id = ?2 ORDER BY id"))?
        .query_map(rusqlite::params![number, web_id], audit_row)?
        .collect()
}

fn audit_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    let value = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Ok(AuditEntry {
        id: row.get(0)?,
        at: row.get(1)?,
        workstation: row.get(2)?,
        action: row.get(3)?,
        web_id: row.get(4)?,
        number: row.get(5)?,
        outcome: row.get(6)?,
        before: value(row.get(7)?),
        after: value(row.get(8)?),
        summary: value(row.get(9)?),
        plugin: row.get(10)?,
        plugin_version: row.get(11)?,
        detail: row.get(12)?,
    })
}

const REGISTRATIONS_CURSOR: &str = "webshop.registrations";

/// Where the registrations feed was last read up to; 0 before the first read.
pub fn registrations_cursor(conn: &Connection) -> rusqlite::Result<u64> {
    Ok(sync_state::value(conn, REGISTRATIONS_CURSOR)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Records, in the transaction that listed a page, where the feed was read up to.
pub fn set_registrations_cursor(tx: &Transaction, cursor: u64) -> rusqlite::Result<()> {
    sync_state::set_value(tx, REGISTRATIONS_CURSOR, &cursor.to_string())
}

/// Writes sent to the web shop whose answer has not been applied yet.
pub fn web_writes_waiting(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM web_writes")?.query_row([], |row| row.get(0))
}

/// Gives customer `number` the web link `web_id`, taking it from any other local customer
/// (a web customer is one person: one local customer at most).
pub fn link(tx: &Transaction, number: &str, web_id: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE customers SET web_id = NULL WHERE web_id = ?1 AND number != ?2")?
        .execute([web_id, number])?;
    tx.prepare_cached("UPDATE customers SET web_id = ?2 WHERE number = ?1")?.execute([number, web_id])?;
    Ok(())
}

/// Removes the web link `web_id` from the local customer that has it; its number, if any.
pub fn unlink(tx: &Transaction, web_id: &str) -> rusqlite::Result<Option<String>> {
    tx.prepare_cached("UPDATE customers SET web_id = NULL WHERE web_id = ?1 RETURNING number")?
        .query_row([web_id], |row| row.get(0))
        .optional()
}
