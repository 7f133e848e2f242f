//! What a slot is to the runtime: its generated bindings, and how to reach its
//! `validate-config`.

use super::call::CallState;
use crate::bindings::{ConfigEntry, ConfigError};
use crate::contract::{SlotId, Version};
use wasmtime::Store;
use wasmtime::component::InstancePre;

/// The typed side of a slot: its generated bindings and how to reach `validate-config`.
pub trait SlotKind: Send + Sync + 'static {
    /// Which slot.
    const ID: SlotId;
    /// The generated pre-instantiated world.
    type Pre: Clone + Send + Sync + 'static;
    /// The generated instantiated world.
    type Bindings: Send + 'static;

    /// Wraps a linked component built against `version` of the contract.
    fn pre(instance_pre: InstancePre<CallState>, version: Version) -> wasmtime::Result<Self::Pre>;

    /// Instantiates in `store`.
    fn instantiate(
        pre: &Self::Pre,
        store: &mut Store<CallState>,
    ) -> impl Future<Output = wasmtime::Result<Self::Bindings>> + Send;

    /// Calls the plugin's `validate-config`.
    fn validate_config(
        store: Store<CallState>,
        bindings: Self::Bindings,
        config: Vec<ConfigEntry>,
    ) -> impl Future<Output = (Store<CallState>, wasmtime::Result<Result<(), Vec<ConfigError>>>)> + Send;
}
