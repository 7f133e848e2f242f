//! The business rules of the two seed workflows, in plain Rust with no dependencies.
//!
//! The default plugins wrap these rules in the WIT contract; the host calls them directly
//! as the built-in fallback of each plugin slot, so both always agree.

pub mod config;
pub mod fold;
pub mod merge;
pub mod names;
pub mod search;
pub mod texts;
pub mod translit;
pub mod wit;
