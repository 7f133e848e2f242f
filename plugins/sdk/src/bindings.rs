//! The WIT bindings: the capabilities once, and each slot's world on top of them.

/// The host capabilities (imports only), shared by every slot's world.
pub mod caps {
    wit_bindgen::generate!({
        path: "../../wit/v0.1.0",
        world: "capabilities",
    });
}

/// The `search-policy` slot's world.
pub mod search_policy {
    wit_bindgen::generate!({
        path: "../../wit/v0.1.0",
        world: "search-policy",
        with: {
            "pos:plugin/types@0.1.0": crate::types,
            "pos:plugin/local-db@0.1.0": crate::local_db,
            "pos:plugin/erp@0.1.0": crate::erp,
            "pos:plugin/ui@0.1.0": crate::ui,
            "pos:plugin/log@0.1.0": crate::log,
            "pos:plugin/config@0.1.0": crate::config_import,
        },
        pub_export_macro: true,
        export_macro_name: "export_search_policy",
        default_bindings_module: "pos_plugin_sdk::bindings::search_policy",
    });
}

/// The `notification-texts` slot's world.
pub mod notification_texts {
    wit_bindgen::generate!({
        path: "../../wit/v0.1.0",
        world: "notification-texts",
        with: {
            "pos:plugin/types@0.1.0": crate::types,
            "pos:plugin/local-db@0.1.0": crate::local_db,
            "pos:plugin/erp@0.1.0": crate::erp,
            "pos:plugin/ui@0.1.0": crate::ui,
            "pos:plugin/log@0.1.0": crate::log,
            "pos:plugin/config@0.1.0": crate::config_import,
        },
        pub_export_macro: true,
        export_macro_name: "export_notification_texts",
        default_bindings_module: "pos_plugin_sdk::bindings::notification_texts",
    });
}

/// The `web-merge-rules` slot's world.
pub mod web_merge_rules {
    wit_bindgen::generate!({
        path: "../../wit/v0.1.0",
        world: "web-merge-rules",
        with: {
            "pos:plugin/types@0.1.0": crate::types,
            "pos:plugin/local-db@0.1.0": crate::local_db,
            "pos:plugin/erp@0.1.0": crate::erp,
            "pos:plugin/ui@0.1.0": crate::ui,
            "pos:plugin/log@0.1.0": crate::log,
            "pos:plugin/config@0.1.0": crate::config_import,
        },
        pub_export_macro: true,
        export_macro_name: "export_web_merge_rules",
        default_bindings_module: "pos_plugin_sdk::bindings::web_merge_rules",
    });
}
