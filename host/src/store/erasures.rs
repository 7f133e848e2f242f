//! The erasure records' second half: the recorded plugin calls that name the person.
//!
//! An erasure removes the person from the store in one transaction and writes its record
//! there; the recordings are files outside it. The record stays pending (`recorded_calls`
//! NULL) until the recordings no longer name the person, so that an erasure from any
//! source (the operator, the ERP's or the web shop's feed) reaches them, after a kill too.

use rusqlite::{Connection, OptionalExtension, params};

/// An erasure whose recorded calls are still to be removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    /// The customer number and web id it erased, the keys a recorded call names them by.
    pub keys: Vec<String>,
}

/// The erasures whose recorded calls are still to be removed, oldest first.
pub fn pending(conn: &Connection) -> rusqlite::Result<Vec<Pending>> {
    conn.prepare_cached("SELECT id, number, web_id FROM erasures WHERE recorded_calls IS NULL ORDER BY id")?
        .query_map([], |row| {
            let keys: [Option<String>; 2] = [row.get(1)?, row.get(2)?];
            Ok(Pending { id: row.get(0)?, keys: keys.into_iter().flatten().collect() })
        })?
        .collect()
}

/// Notes that erasure `id`'s recorded calls are removed: `count` of them, also in its counts.
pub fn recorded(conn: &Connection, id: i64, count: u64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE erasures SET recorded_calls = ?2, removed = json_set(removed, '$.recorded_calls', ?2) WHERE id = ?1",
    )?
    .execute(params![id, count as i64])?;
    Ok(())
}

/// How many recorded calls erasure `id` removed; `None` while they are still to be removed.
pub fn recorded_calls(conn: &Connection, id: i64) -> rusqlite::Result<Option<u64>> {
    let count: Option<Option<i64>> =
        conn.query_row("SELECT recorded_calls FROM erasures WHERE id = ?1", [id], |row| row.get(0)).optional()?;
    Ok(count.flatten().map(|count| count as u64))
}
