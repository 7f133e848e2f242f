//! The capabilities the host grants plugins: WIT host implementations over Rust traits that
//! the embedding application implements (the local store, the ERP client, the operator's
//! screen).

mod config;
pub mod connection;
pub mod erp;
mod erp_setting;
pub mod local_db;
mod log;
pub mod ui;
mod v0_1;

use crate::bindings;
use crate::personal::Known;
use crate::recording::RecordedCall;
use std::sync::Arc;
use std::time::Duration;
use wasmtime::component::{HasSelf, Linker};

pub use crate::contract::{ALWAYS_GRANTED, Capability};

pub use config::PluginConfig;
pub use connection::{Connection, SecretSource};
pub use erp::{Erp, NoErp};
pub use erp_setting::{ONLINE_SEARCH_FRESH, SettingKept};
pub use local_db::{InMemoryCustomers, LocalDb};
pub use ui::{Headless, Operator};

/// The providers behind the capabilities; one set per host, shared by every call.
#[derive(Clone)]
pub struct Capabilities {
    /// Backs `local-db`.
    pub local_db: Arc<dyn LocalDb>,
    /// Backs `erp`.
    pub erp: Arc<dyn Erp>,
    /// Backs `ui`.
    pub operator: Arc<dyn Operator>,
}

impl Default for Capabilities {
    /// No database, no ERP and nobody at the till: every request fails or is dismissed.
    fn default() -> Self {
        Capabilities {
            local_db: Arc::new(InMemoryCustomers::default()),
            erp: Arc::new(NoErp),
            operator: Arc::new(Headless),
        }
    }
}

/// The capabilities' part of one hook call: the providers, who is calling with which config,
/// and what the call has used so far.
pub struct CallCaps {
    providers: Capabilities,
    plugin: Arc<str>,
    config: Arc<PluginConfig>,
    prompt_timeout: Duration,
    /// The installation as a connector sees it; `None` for the other slots.
    connection: Option<Arc<Connection>>,
    /// Time spent waiting on the operator, which the call's wall-clock limit does not count.
    waited: Duration,
    log_lines: u32,
    /// The plugin's log lines, written when the call ends: masked by then for every personal
    /// value the call saw, its answer's included.
    logged: Vec<(bindings::log::Level, String)>,
    /// The personal values the call was given, read or returned.
    pub known: Known,
    /// The capability calls made and their answers, while the slot records.
    pub recorded: Option<Vec<RecordedCall>>,
}

impl CallCaps {
    /// The capabilities of one call of `plugin`, whose prompts wait at most `prompt_timeout`.
    pub fn new(providers: Capabilities, plugin: Arc<str>, config: Arc<PluginConfig>, prompt_timeout: Duration) -> Self {
        CallCaps {
            providers,
            plugin,
            config,
            prompt_timeout,
            connection: None,
            waited: Duration::ZERO,
            log_lines: 0,
            logged: Vec::new(),
            known: Known::default(),
            recorded: None,
        }
    }

    /// The same, for a connector that sees the installation as `connection`.
    pub fn with_connection(mut self, connection: Option<Arc<Connection>>) -> Self {
        self.connection = connection;
        self
    }

    /// Notes a capability call and its answer, when the slot records.
    fn record(&mut self, call: impl FnOnce() -> RecordedCall) {
        if let Some(calls) = &mut self.recorded {
            calls.push(call());
        }
    }

    /// Time the call spent waiting on the operator so far.
    pub fn waited(&self) -> Duration {
        self.waited
    }
}

/// How a store's data lends the capabilities their part of it, as `WasiView` does for WASI:
/// the capabilities know nothing else of the store they run in.
pub trait CapsView: Send {
    fn caps(&mut self) -> &mut CallCaps;
}

/// Adds every capability, in every supported version of the contract, to `linker`.
pub fn add_to_linker<T: CapsView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    bindings::v0_2::caps::Capabilities::add_to_linker::<T, HasSelf<CallCaps>>(linker, T::caps)?;
    bindings::connection::add_to_linker::<T, HasSelf<CallCaps>>(linker, T::caps)?;
    bindings::v0_1::caps::Capabilities::add_to_linker::<T, HasSelf<CallCaps>>(linker, T::caps)
}
