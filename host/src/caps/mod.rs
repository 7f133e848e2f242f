//! The capabilities the host grants plugins: WIT host implementations over Rust traits that
//! the embedding application implements (the local store, the ERP client, the operator's
//! screen).

mod config;
pub mod erp;
pub mod local_db;
mod log;
pub mod ui;

use std::fmt;
use std::sync::Arc;

pub use erp::{Erp, NoErp};
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

/// A capability a policy may grant to a slot. `log` and `config` are always granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    LocalDb,
    Erp,
    Ui,
}

impl Capability {
    /// Every grantable capability.
    pub const ALL: [Capability; 3] = [Capability::LocalDb, Capability::Erp, Capability::Ui];

    /// The name used in policies and in the WIT interface.
    pub fn name(self) -> &'static str {
        match self {
            Capability::LocalDb => "local-db",
            Capability::Erp => "erp",
            Capability::Ui => "ui",
        }
    }

    /// The capability behind a WIT interface name, such as `local-db`.
    pub fn from_interface(interface: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.name() == interface)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Interfaces of `pos:plugin` every plugin may import without a grant.
pub const ALWAYS_GRANTED: [&str; 3] = ["types", "log", "config"];
