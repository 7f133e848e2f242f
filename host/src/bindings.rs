//! Host bindings generated from `wit/v0.1.0`: the capabilities once, then each slot's world
//! sharing them.

/// The capabilities every slot's world imports.
pub mod caps {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1.0",
        world: "capabilities",
        imports: { default: async },
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
    });
}

/// The `search-policy` slot.
pub mod search_policy {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1.0",
        world: "search-policy",
        imports: { default: async },
        exports: { default: async },
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
        with: {
            "pos:plugin/types": crate::bindings::caps::pos::plugin::types,
            "pos:plugin/local-db": crate::bindings::caps::pos::plugin::local_db,
            "pos:plugin/erp": crate::bindings::caps::pos::plugin::erp,
            "pos:plugin/ui": crate::bindings::caps::pos::plugin::ui,
            "pos:plugin/log": crate::bindings::caps::pos::plugin::log,
            "pos:plugin/config": crate::bindings::caps::pos::plugin::config,
        },
    });
}

/// The `notification-texts` slot.
pub mod notification_texts {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1.0",
        world: "notification-texts",
        imports: { default: async },
        exports: { default: async },
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
        with: {
            "pos:plugin/types": crate::bindings::caps::pos::plugin::types,
            "pos:plugin/local-db": crate::bindings::caps::pos::plugin::local_db,
            "pos:plugin/erp": crate::bindings::caps::pos::plugin::erp,
            "pos:plugin/ui": crate::bindings::caps::pos::plugin::ui,
            "pos:plugin/log": crate::bindings::caps::pos::plugin::log,
            "pos:plugin/config": crate::bindings::caps::pos::plugin::config,
        },
    });
}

/// The `web-merge-rules` slot.
pub mod web_merge_rules {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1.0",
        world: "web-merge-rules",
        imports: { default: async },
        exports: { default: async },
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
        with: {
            "pos:plugin/types": crate::bindings::caps::pos::plugin::types,
            "pos:plugin/local-db": crate::bindings::caps::pos::plugin::local_db,
            "pos:plugin/erp": crate::bindings::caps::pos::plugin::erp,
            "pos:plugin/ui": crate::bindings::caps::pos::plugin::ui,
            "pos:plugin/log": crate::bindings::caps::pos::plugin::log,
            "pos:plugin/config": crate::bindings::caps::pos::plugin::config,
        },
    });
}

pub use caps::pos::plugin::types::{
    Argument, ConfigEntry, ConfigError, ConfigValue, Customer, Field, Filter, Message, Notice, Origin, SearchQuery,
    Severity,
};

/// The snake_case name of a field: its column in the store and its parameter in the ERP API.
pub fn field_name(field: Field) -> &'static str {
    match field {
        Field::Number => "number",
        Field::FirstName => "first_name",
        Field::LastName => "last_name",
        Field::Company => "company",
        Field::TaxId => "tax_id",
        Field::Email => "email",
        Field::Phone => "phone",
        Field::Street => "street",
        Field::PostalCode => "postal_code",
        Field::City => "city",
        Field::Country => "country",
    }
}
