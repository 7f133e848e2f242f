//! Where synchronization stands, committed in the same transaction as the customers it
//! describes, so that a sync killed at any point resumes exactly where it stopped.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// The synchronization's position, stored as JSON: positions and cursors are a connector's,
/// any text at all.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "phase", rename_all = "lowercase")]
pub enum Phase {
    /// Never synchronized.
    #[default]
    New,
    /// Listing every customer; `after` is where the next page starts, `changes_from` the
    /// change cursor of the listing's first page, `generation` marks the listed customers.
    Full { after: Option<String>, changes_from: Option<String>, generation: i64 },
    /// Following the change feed from `cursor`.
    Incremental { cursor: String },
}

const PHASE: &str = "phase";
/// When a synchronization last reached the end of the change feed.
const CAUGHT_UP: &str = "caught-up-at-ms";

/// Reads the phase.
pub fn phase(conn: &Connection) -> rusqlite::Result<Phase> {
    Ok(value(conn, PHASE)?.as_deref().map(parse).unwrap_or_default())
}

/// Writes the phase, inside the caller's transaction.
pub fn set_phase(tx: &Transaction, phase: &Phase) -> rusqlite::Result<()> {
    set_value(tx, PHASE, &render(phase))
}

/// When a synchronization last reached the end of the change feed, in milliseconds since
/// the Unix epoch.
pub fn caught_up_at(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    Ok(value(conn, CAUGHT_UP)?.and_then(|v| v.parse().ok()))
}

/// Notes that a synchronization reached the end of the change feed at `now`.
pub fn set_caught_up_at(tx: &Transaction, now: i64) -> rusqlite::Result<()> {
    set_value(tx, CAUGHT_UP, &now.to_string())
}

/// The value kept under `key`.
pub(super) fn value(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?.query_row([key], |row| row.get(0)).optional()
}

/// Keeps `value` under `key`, inside the caller's transaction.
pub(super) fn set_value(tx: &Transaction, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

fn render(phase: &Phase) -> String {
    serde_json::to_string(phase).expect("a phase is plain JSON")
}

fn parse(value: &str) -> Phase {
    if value.starts_with('{') {
        return serde_json::from_str(value).unwrap_or_default();
    }
    // Databases from before connectors: `full <generation> <as_of|-> <after>` and
    // `incremental <version>`; the version is the data synchronization service's cursor.
    let mut parts = value.splitn(4, ' ');
    match parts.next() {
        Some("full") => {
            let generation = parts.next().and_then(|g| g.parse().ok()).unwrap_or(1);
            let changes_from = parts.next().filter(|v| *v != "-").map(String::from);
            let after = parts.next().filter(|a| !a.is_empty()).map(String::from);
            Phase::Full { after, changes_from, generation }
        }
        Some("incremental") => parts.next().map_or(Phase::New, |cursor| Phase::Incremental { cursor: cursor.into() }),
        _ => Phase::New,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_round_trip() {
        for phase in [
            Phase::New,
            Phase::Full { after: None, changes_from: None, generation: 1 },
            Phase::Full { after: Some("K 0001 with spaces".into()), changes_from: Some("42".into()), generation: 7 },
            Phase::Incremental { cursor: "91300".into() },
            Phase::Incremental { cursor: r#"{"v":1,"since":"2026-12-05 10:00:00"}"#.into() },
        ] {
            assert_eq!(parse(&render(&phase)), phase);
        }
    }

    #[test]
    fn phases_written_before_connectors_still_read() {
        assert_eq!(
            parse("full 3 42 K 0001"),
            Phase::Full { after: Some("K 0001".into()), changes_from: Some("42".into()), generation: 3 }
        );
        assert_eq!(parse("full 1 - "), Phase::Full { after: None, changes_from: None, generation: 1 });
        assert_eq!(parse("incremental 91300"), Phase::Incremental { cursor: "91300".into() });
    }
}
