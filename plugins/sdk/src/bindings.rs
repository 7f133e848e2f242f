//! The WIT bindings of `pos:plugin@0.2.0`: the capabilities once, and each slot's world on
//! top of them. A slot's world here also includes every capability: Rust keeps only the
//! imports a plugin calls, so a plugin needs a grant for exactly the capabilities it uses.

/// The host capabilities (imports only), shared by every slot's world.
pub mod caps {
    wit_bindgen::generate!({
        path: "../../wit/v0.2.0",
        world: "capabilities",
    });
}

/// The `search-policy` slot's world.
pub mod search_policy {
    wit_bindgen::generate!({
        inline: "package pos:sdk;
                 world search-policy {
                     include pos:plugin/search-policy@0.2.0;
                     include pos:plugin/capabilities@0.2.0;
                 }",
        path: "../../wit/v0.2.0",
        world: "pos:sdk/search-policy",
        with: {
            "pos:plugin/types@0.2.0": crate::types,
            "pos:plugin/local-db@0.2.0": crate::local_db,
            "pos:plugin/erp@0.2.0": crate::erp,
            "pos:plugin/ui@0.2.0": crate::ui,
            "pos:plugin/log@0.2.0": crate::log,
            "pos:plugin/config@0.2.0": crate::config_import,
        },
        pub_export_macro: true,
        export_macro_name: "export_search_policy",
        default_bindings_module: "pos_plugin_sdk::bindings::search_policy",
    });
}

/// The `notification-texts` slot's world.
pub mod notification_texts {
    wit_bindgen::generate!({
        inline: "package pos:sdk;
                 world notification-texts {
                     include pos:plugin/notification-texts@0.2.0;
                     include pos:plugin/capabilities@0.2.0;
                 }",
        path: "../../wit/v0.2.0",
        world: "pos:sdk/notification-texts",
        with: {
            "pos:plugin/types@0.2.0": crate::types,
            "pos:plugin/local-db@0.2.0": crate::local_db,
            "pos:plugin/erp@0.2.0": crate::erp,
            "pos:plugin/ui@0.2.0": crate::ui,
            "pos:plugin/log@0.2.0": crate::log,
            "pos:plugin/config@0.2.0": crate::config_import,
        },
        pub_export_macro: true,
        export_macro_name: "export_notification_texts",
        default_bindings_module: "pos_plugin_sdk::bindings::notification_texts",
    });
}

/// The `web-merge-rules` slot's world.
pub mod web_merge_rules {
    wit_bindgen::generate!({
        inline: "package pos:sdk;
                 world web-merge-rules {
                     include pos:plugin/web-merge-rules@0.2.0;
                     include pos:plugin/capabilities@0.2.0;
                 }",
        path: "../../wit/v0.2.0",
        world: "pos:sdk/web-merge-rules",
        with: {
            "pos:plugin/types@0.2.0": crate::types,
            "pos:plugin/local-db@0.2.0": crate::local_db,
            "pos:plugin/erp@0.2.0": crate::erp,
            "pos:plugin/ui@0.2.0": crate::ui,
            "pos:plugin/log@0.2.0": crate::log,
            "pos:plugin/config@0.2.0": crate::config_import,
        },
        pub_export_macro: true,
        export_macro_name: "export_web_merge_rules",
        default_bindings_module: "pos_plugin_sdk::bindings::web_merge_rules",
    });
}

/// The `erp-connector` slot's world. A connector reaches the network through `wasi:http`
/// (the `http` feature), whose bindings come from the `wasip2` crate.
pub mod erp_connector {
    wit_bindgen::generate!({
        path: "../../wit/v0.2.0",
        world: "erp-connector",
        with: {
            "pos:plugin/types@0.2.0": crate::types,
            "pos:plugin/log@0.2.0": crate::log,
            "pos:plugin/config@0.2.0": crate::config_import,
        },
        pub_export_macro: true,
        export_macro_name: "export_erp_connector",
        default_bindings_module: "pos_plugin_sdk::bindings::erp_connector",
    });
}
