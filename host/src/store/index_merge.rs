//! Merging the full-text index back into one segment, in slices a till does not notice.
//!
//! Every synchronization that changes customers leaves their new entries in segments of
//! their own and tombstones for the entries they replaced. A search walks every segment and
//! checks each match against the tombstones: after some 50,000 changes at 1 million
//! customers, 35 % more time per search (docs/benchmarks.md). FTS5 merges segments of the
//! same size by itself, but not the large one a full synchronization wrote until a tenth of
//! its entries are gone, and `optimize` merges everything in one transaction (4 s at 1
//! million customers, every write waiting). FTS5's `merge` with a negative page count does
//! the same work a bounded number of pages at a time.

use rusqlite::{Connection, Transaction};
use serde::Serialize;

/// Pages one slice writes: about 50 ms on the development machine, so that a write waiting
/// behind a slice waits no longer than behind a page of a synchronization.
const SLICE_PAGES: i64 = 1000;

/// What merging the index did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IndexMerge {
    /// The index's segments before.
    pub segments: u64,
    /// The slices (write transactions) the merge took; 0 when there was one segment.
    pub slices: u64,
}

/// How many segments the index is made of.
pub fn segments(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT count(DISTINCT segid) FROM customers_fts_idx", [], |row| row.get::<_, i64>(0))
        .map(|n| n as u64)
}

/// Writes one slice of the merge; whether FTS5 did any work (when it did not, the index is
/// one segment).
pub(super) fn merge_slice(tx: &Transaction) -> rusqlite::Result<bool> {
    let before = tx.total_changes();
    tx.execute("INSERT INTO customers_fts (customers_fts, rank) VALUES ('merge', ?1)", [-SLICE_PAGES])?;
    // FTS5's documented test: a merge that did nothing changes fewer than two rows.
    Ok(tx.total_changes() - before >= 2)
}
