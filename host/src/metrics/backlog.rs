//! What the database says at a scrape: where the synchronization stands, how far behind it
//! is, and what waits to be sent. Read from the file, not counted in memory, so that a
//! `pos-host sync` run by another process shows too.

use super::Metrics;
use crate::store::sync_state::{self, Phase};
use crate::store::{outbox, web};
use rusqlite::Connection;

/// The database's side of the figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Backlog {
    pub phase: &'static str,
    /// Milliseconds since the Unix epoch.
    pub caught_up_at: Option<i64>,
    pub pending: i64,
    pub conflicts: i64,
    /// When the oldest pending change was made, in milliseconds since the Unix epoch.
    pub oldest_pending: Option<i64>,
    pub web_writes: i64,
}

/// Every phase, for its gauge.
const PHASES: [&str; 3] = ["new", "full", "incremental"];

impl Backlog {
    pub fn read(conn: &Connection) -> rusqlite::Result<Backlog> {
        let phase = match sync_state::phase(conn)? {
            Phase::New => PHASES[0],
            Phase::Full { .. } => PHASES[1],
            Phase::Incremental { .. } => PHASES[2],
        };
        let (pending, conflicts, oldest_pending) = outbox::backlog(conn)?;
        Ok(Backlog {
            phase,
            caught_up_at: sync_state::caught_up_at(conn)?,
            pending,
            conflicts,
            oldest_pending,
            web_writes: web::web_writes_waiting(conn)?,
        })
    }
}

impl Metrics {
    /// Sets the gauges from `backlog` read at `now` (milliseconds since the Unix epoch);
    /// `follows_erp`: the till keeps the ERP's customers (sync-all), so that its lag means
    /// something.
    pub fn backlog(&self, backlog: &Backlog, follows_erp: bool, now: i64) {
        for phase in PHASES {
            self.sync_phase.with_label_values(&[phase]).set(i64::from(phase == backlog.phase));
        }
        let seconds = |ms: i64| ms as f64 / 1000.0;
        self.caught_up.set(backlog.caught_up_at.map_or(0.0, seconds));
        self.lag.reset();
        if follows_erp {
            let lag = backlog.caught_up_at.map_or(f64::INFINITY, |at| seconds(now.saturating_sub(at).max(0)));
            self.lag.with_label_values(&[] as &[&str]).set(lag);
        }
        self.outbox.with_label_values(&["pending"]).set(backlog.pending);
        self.outbox.with_label_values(&["conflict"]).set(backlog.conflicts);
        self.outbox_oldest.set(backlog.oldest_pending.map_or(0.0, |at| seconds(now.saturating_sub(at).max(0))));
        self.web_writes.set(backlog.web_writes);
    }
}
