//! Cases files: hook calls with their inputs, the capability answers they received and the
//! answers expected, as `pos-host plugin test` reads them and as a recording slot writes them.
//! WIT values are written with the WIT's own names, in TOML or JSON.

pub mod hooks;
pub mod node;
mod types;
pub mod wit;

pub use hooks::{HOOKS, Hook, find_hook, hooks_of};
pub use wit::{Shown, Wit};
