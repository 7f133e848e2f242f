//! The workflows: searching customers (seed 1), synchronizing with the ERP, and sending
//! local changes through the outbox.

pub mod local_changes;
pub mod outbox;
pub mod search;
pub mod sync;
pub mod web;

/// Milliseconds since the Unix epoch, as customers' timestamps hold them.
pub(crate) fn now_ms() -> i64 {
    crate::runtime::now_ms() as i64
}
