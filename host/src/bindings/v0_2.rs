//! `pos:plugin@0.2.0`, the newest version: the types the whole host works in.

/// The capabilities every slot's world imports.
pub mod caps {
    wasmtime::component::bindgen!({
        path: "../wit/v0.2.0",
        world: "capabilities",
        imports: { default: async },
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
    });
}

/// The `search-policy` slot.
pub mod search_policy {
    wasmtime::component::bindgen!({
        path: "../wit/v0.2.0",
        world: "search-policy",
        imports: { default: async },
        exports: { default: async },
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
        with: {
            "pos:plugin/types": crate::bindings::v0_2::caps::pos::plugin::types,
            "pos:plugin/log": crate::bindings::v0_2::caps::pos::plugin::log,
            "pos:plugin/config": crate::bindings::v0_2::caps::pos::plugin::config,
        },
    });
}

/// The `notification-texts` slot.
pub mod notification_texts {
    wasmtime::component::bindgen!({
        path: "../wit/v0.2.0",
        world: "notification-texts",
        imports: { default: async },
        exports: { default: async },
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
        with: {
            "pos:plugin/types": crate::bindings::v0_2::caps::pos::plugin::types,
            "pos:plugin/log": crate::bindings::v0_2::caps::pos::plugin::log,
            "pos:plugin/config": crate::bindings::v0_2::caps::pos::plugin::config,
        },
    });
}

/// The `web-merge-rules` slot.
pub mod web_merge_rules {
    wasmtime::component::bindgen!({
        path: "../wit/v0.2.0",
        world: "web-merge-rules",
        imports: { default: async },
        exports: { default: async },
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
        with: {
            "pos:plugin/types": crate::bindings::v0_2::caps::pos::plugin::types,
            "pos:plugin/log": crate::bindings::v0_2::caps::pos::plugin::log,
            "pos:plugin/config": crate::bindings::v0_2::caps::pos::plugin::config,
        },
    });
}
