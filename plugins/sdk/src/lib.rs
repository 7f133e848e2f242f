//! Guest-side helpers for POS plugins.
//!
//! Implement the `Guest` trait of the plugin's slot (its hooks plus `validate-config`) and
//! register the type with the slot's export macro:
//!
//! ```ignore
//! use pos_plugin_sdk::notification_texts::{export, Guest};
//! struct Texts;
//! impl Guest for Texts { /* render, validate_config */ }
//! export!(Texts);
//! ```

#[doc(hidden)]
pub mod bindings;
mod config;
#[cfg(feature = "http")]
pub mod http;
mod message;
#[cfg(feature = "seed-rules")]
pub mod seed;

pub use bindings::caps::pos::plugin::{config as config_import, erp, local_db, log, types, ui};
pub use config::{Config, ConfigErrors};
pub use message::{message, notice};

/// The `search-policy` slot: implement `Guest`, then `export!`.
pub mod search_policy {
    pub use crate::bindings::search_policy::export_search_policy as export;
    pub use crate::bindings::search_policy::exports::pos::plugin::search_decisions::*;
}

/// The `notification-texts` slot: implement `Guest`, then `export!`.
pub mod notification_texts {
    pub use crate::bindings::notification_texts::export_notification_texts as export;
    pub use crate::bindings::notification_texts::exports::pos::plugin::texts::*;
}

/// The `erp-connector` slot: implement `Guest`, then `export!`. With the `http` feature,
/// [`http`] sends the connector's requests.
pub mod erp_connector {
    pub use crate::bindings::erp_connector::export_erp_connector as export;
    pub use crate::bindings::erp_connector::exports::pos::plugin::connector::Guest;
    pub use crate::bindings::erp_connector::pos::plugin::connection;
    pub use crate::bindings::erp_connector::pos::plugin::erp_types::*;
}

/// The `web-merge-rules` slot: implement `Guest`, then `export!`.
pub mod web_merge_rules {
    pub use crate::bindings::web_merge_rules::export_web_merge_rules as export;
    pub use crate::bindings::web_merge_rules::exports::pos::plugin::merge_rules::*;
}
