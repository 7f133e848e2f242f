//! `pos:plugin@0.2.0`, the newest version: the types the whole host works in.

/// The capabilities: every one a plugin may import.
pub mod caps {
    wasmtime::component::bindgen!({
        path: "../wit/v0.2.0",
        world: "capabilities",
        imports: { default: async },
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
    });
}

/// Generates the bindings of one slot world over the shared capabilities' types.
macro_rules! slot_world {
    ($world:literal) => {
        wasmtime::component::bindgen!({
            path: "../wit/v0.2.0",
            world: $world,
            imports: { default: async },
            exports: { default: async },
            additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
            with: {
                "pos:plugin/types": crate::bindings::v0_2::caps::pos::plugin::types,
                "pos:plugin/log": crate::bindings::v0_2::caps::pos::plugin::log,
                "pos:plugin/config": crate::bindings::v0_2::caps::pos::plugin::config,
            },
        });
    };
}

/// The `search-policy` slot.
pub mod search_policy {
    slot_world!("search-policy");
}

/// The `notification-texts` slot.
pub mod notification_texts {
    slot_world!("notification-texts");
}

/// The `web-merge-rules` slot.
pub mod web_merge_rules {
    slot_world!("web-merge-rules");
}

/// The `erp-connector` slot, and the `connection` its world imports.
pub mod erp_connector {
    slot_world!("erp-connector");
}
