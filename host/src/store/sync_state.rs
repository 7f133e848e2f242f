//! Where synchronization stands, committed in the same transaction as the customers it
//! describes, so that a sync killed at any point resumes exactly where it stopped.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// The synchronization's position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Never synchronized.
    #[default]
    New,
    /// Listing every customer; `after` is the last number committed, `as_of` the smallest
    /// change version the listed pages reflect, `generation` marks the listed customers.
    Full { after: Option<String>, as_of: Option<u64>, generation: i64 },
    /// Following the change feed from `cursor`.
    Incremental { cursor: u64 },
}

const PHASE: &str = "phase";

/// Reads the phase.
pub fn phase(conn: &Connection) -> rusqlite::Result<Phase> {
    let value: Option<String> = conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([PHASE], |row| row.get(0))
        .optional()?;
    Ok(value.as_deref().map(parse).unwrap_or_default())
}

/// Writes the phase, inside the caller's transaction.
pub fn set_phase(tx: &Transaction, phase: &Phase) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![PHASE, render(phase)])?;
    Ok(())
}

fn render(phase: &Phase) -> String {
    match phase {
        Phase::New => "new".into(),
        Phase::Full { after, as_of, generation } => format!(
            "full {generation} {} {}",
            as_of.map_or("-".into(), |v| v.to_string()),
            after.as_deref().unwrap_or("")
        ),
        Phase::Incremental { cursor } => format!("incremental {cursor}"),
    }
}

fn parse(value: &str) -> Phase {
    let mut parts = value.splitn(4, ' ');
    match parts.next() {
        Some("full") => {
            let generation = parts.next().and_then(|g| g.parse().ok()).unwrap_or(1);
            let as_of = parts.next().and_then(|v| v.parse().ok());
            let after = parts.next().filter(|a| !a.is_empty()).map(String::from);
            Phase::Full { after, as_of, generation }
        }
        Some("incremental") => {
            parts.next().and_then(|c| c.parse().ok()).map_or(Phase::New, |cursor| Phase::Incremental { cursor })
        }
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
            Phase::Full { after: None, as_of: None, generation: 1 },
            Phase::Full { after: Some("K 0001 with spaces".into()), as_of: Some(42), generation: 7 },
            Phase::Incremental { cursor: 91_300 },
        ] {
            assert_eq!(parse(&render(&phase)), phase);
        }
    }
}
