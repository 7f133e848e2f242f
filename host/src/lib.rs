//! `pos-host`: an embeddable plugin host for point-of-sale customer workflows.
//!
//! Business rules run as WebAssembly components written against the WIT contract in
//! `wit/`, one per slot ([`contract::SlotId`]), configured by a TOML [`policy::Policy`]. The
//! [`runtime::Runtime`] loads and checks them, runs every hook call in a fresh store under
//! CPU, memory and time limits, and falls back to the built-in seed behaviour whenever a
//! plugin fails, so that a plugin can never take the workstation down.

pub mod bindings;
pub mod caps;
pub mod cases;
pub mod contract;
pub mod embed;
pub mod erp;
pub mod files;
pub mod flows;
mod handoff;
mod http;
pub mod live;
pub mod metrics;
pub mod personal;
pub mod policy;
pub mod recording;
pub mod runtime;
mod secrets;
pub mod serve;
pub mod slots;
pub mod store;
pub mod trace;
pub mod webshop;

pub use caps::{Capabilities, Capability};
pub use embed::{Host, HostBuilder};
pub use policy::Policy;
pub use runtime::{Decided, LoadError, PluginSpec, Runtime, Source};
pub use slots::{Plugins, SlotId};
