//! The workflows: searching customers (seed 1), synchronizing with the ERP, and sending
//! local changes through the outbox.

pub mod local_changes;
pub mod outbox;
pub mod search;
pub mod sync;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
