//! `config`: the plugin's own config table, and the empty `types` interface.

use crate::bindings::caps::pos::plugin::{config, types};
use crate::bindings::{ConfigEntry, ConfigValue};
use crate::runtime::CallState;

impl config::Host for CallState {
    async fn get(&mut self, key: String) -> Option<ConfigValue> {
        self.config.get(&key).cloned()
    }

    async fn entries(&mut self) -> Vec<ConfigEntry> {
        self.config.entries()
    }
}

impl types::Host for CallState {}
