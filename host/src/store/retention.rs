//! Retention (`host.retention`): personal data is kept only as long as it is needed. Audit
//! entries older than the policy's bound keep the decision (when, what, which outcome, which
//! plugin) and lose the people's data, as an erasure leaves them; ERP customers the till
//! holds only because an operator looked them up, never selecting nor editing them, leave
//! the till after theirs (the ERP keeps them; opening one again brings it back).

use super::holdings::{note_records, pseudonymize};
use super::{WriteTx, customers, web};
use crate::personal::Known;
use serde::Serialize;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// How long the till keeps what, in days; `None`: for ever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Audit entries keep the records' personal fields this long.
    pub audit_personal_days: Option<u32>,
    /// An ERP customer only looked up stays local this long after the last look.
    pub looked_up_days: Option<u32>,
    /// A file of recorded plugin calls is kept this long after its last write.
    pub recordings_days: Option<u32>,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention { audit_personal_days: Some(365), looked_up_days: Some(30), recordings_days: Some(30) }
    }
}

/// `30 days`, or `forever`.
pub fn span(days: Option<u32>) -> String {
    days.map_or_else(|| "forever".to_owned(), |d| format!("{d} days"))
}

/// What a retention pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Audit entries whose personal data was replaced.
    pub audit_pseudonymized: u64,
    /// Looked-up ERP customers removed from the till.
    pub looked_up_removed: u64,
    /// Files of recorded plugin calls removed.
    pub recordings_removed: u64,
}

/// Applies `retention` as of `now` (milliseconds since the Unix epoch). Looked-up
/// customers are removed only when the till keeps ERP customers on demand (`local-only`):
/// in `sync-all` mode every one of them belongs on the till.
pub fn apply(tx: &WriteTx, retention: &Retention, now: i64, local_only: bool) -> rusqlite::Result<Pruned> {
    let mut pruned = Pruned::default();
    if let Some(days) = retention.audit_personal_days {
        for entry in web::audit_personal_before(tx, now - i64::from(days) * DAY_MS)? {
            let mut known = Known::default();
            note_records(&mut known, &entry);
            pseudonymize(tx, &entry, &known)?;
            pruned.audit_pseudonymized += 1;
        }
    }
    if let (Some(days), true) = (retention.looked_up_days, local_only) {
        // Not a customer with a change waiting for the ERP, nor one linked to a web shop
        // account: those are the till's own business.
        let numbers: Vec<String> = tx
            .prepare_cached(
                "SELECT l.number FROM looked_up l JOIN customers c ON c.number = l.number
                 WHERE l.at < ?1 AND c.origin = 'erp' AND c.web_id IS NULL
                   AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.number = l.number)",
            )?
            .query_map([now - i64::from(days) * DAY_MS], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for number in &numbers {
            pruned.looked_up_removed += u64::from(customers::delete(tx, number)?);
        }
        tx.execute("DELETE FROM looked_up WHERE number NOT IN (SELECT number FROM customers)", [])?;
    }
    if pruned.looked_up_removed > 0 {
        customers::optimize_index(tx);
    }
    Ok(pruned)
}

/// Notes that customer `number` was previewed (`saved`: and saved from the ERP for it).
pub fn looked_up(tx: &WriteTx, number: &str, saved: bool, now: i64) -> rusqlite::Result<()> {
    let sql = match saved {
        true => "INSERT INTO looked_up (number, at) VALUES (?1, ?2) ON CONFLICT (number) DO UPDATE SET at = ?2",
        false => "UPDATE looked_up SET at = ?2 WHERE number = ?1",
    };
    tx.prepare_cached(sql)?.execute(rusqlite::params![number, now])?;
    Ok(())
}

/// Whether customer `number` is on the till only because it was looked up.
pub fn is_looked_up(conn: &rusqlite::Connection, number: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM looked_up WHERE number = ?1")?.exists([number])
}

/// Notes that customer `number` was selected or edited: it stays.
pub fn kept(tx: &WriteTx, number: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM looked_up WHERE number = ?1")?.execute([number])?;
    Ok(())
}
