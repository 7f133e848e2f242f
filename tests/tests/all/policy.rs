//! Policies: the shipped default loads, and every mistake names file, line and column.

use pos_host::caps::Capabilities;
use pos_host::{Capability, Plugins, Policy, SlotId};
use pos_tests::{root, runtime};
use std::path::Path;

fn error(text: &str) -> String {
    Policy::parse(Path::new("policies/client.toml"), text).expect_err("refused").to_string()
}

#[test]
fn the_default_policy_names_the_three_default_plugins() {
    let policy = Policy::load(&root().join("policies/default.toml")).unwrap();
    assert_eq!(policy.host.locale, "en");
    assert_eq!(policy.slots.len(), 3);
    let merge = policy.slot(SlotId::WebMergeRules).unwrap();
    assert_eq!(merge.grants, [Capability::LocalDb]);
    assert!(merge.plugin.ends_with("plugins/web-merge-rules.wasm"));
}

#[tokio::test]
async fn the_default_policy_loads_with_the_built_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("policies/default.toml")).unwrap();
    let text = text
        .replace("../plugins/search-thresholds.wasm", pos_tests::artifacts::SEARCH_THRESHOLDS)
        .replace("../plugins/notification-texts.wasm", pos_tests::artifacts::NOTIFICATION_TEXTS)
        .replace("../plugins/web-merge-rules.wasm", pos_tests::artifacts::WEB_MERGE_RULES);
    let path = dir.path().join("default.toml");
    std::fs::write(&path, text).unwrap();
    let policy = Policy::load(&path).unwrap();
    let plugins = Plugins::load(&runtime(Capabilities::default()), &policy).await.unwrap();
    assert!(
        plugins.search.current().is_some() && plugins.texts.current().is_some() && plugins.merge.current().is_some()
    );
}

#[test]
fn unknown_fields_and_slots_are_refused_with_their_place() {
    assert_eq!(
        error("[host]\nworkstation = \"POS-01\"\nlocal = \"nl\"\n"),
        "policies/client.toml:3:1: unknown field `local`, expected one of `workstation`, `locale`, `cache-dir`, `database`, `customers`, `erp`"
    );
    let slot = error("[slots.search-polciy]\nplugin = \"x.wasm\"\n");
    assert!(
        slot.starts_with("policies/client.toml:1:8: unknown field `search-polciy`, expected one of `search-policy`"),
        "{slot}"
    );
}

#[test]
fn wrong_types_and_unknown_grants_are_refused() {
    let grants = error("[slots.search-policy]\nplugin = \"x.wasm\"\ngrants = [\"local-db\", \"files\"]\n");
    assert!(
        grants
            .starts_with("policies/client.toml:3:23: unknown variant `files`, expected one of `local-db`, `erp`, `ui`"),
        "{grants}"
    );
    let plugin = error("[slots.search-policy]\nplugin = 5\n");
    assert!(plugin.starts_with("policies/client.toml:2:10: invalid type: integer `5`"), "{plugin}");
    let syntax = error("[host\n");
    assert!(syntax.starts_with("policies/client.toml:1:"), "{syntax}");
}

#[test]
fn limits_are_checked() {
    let limits = error("[slots.search-policy]\nplugin = \"x.wasm\"\nlimits = { memory-mib = 1, timeout-ms = 0 }\n");
    assert_eq!(
        limits,
        "policies/client.toml:3:10: slots.search-policy.limits: `memory-mib` must be between 2 and 4096; `timeout-ms` must be between 1 and 60000"
    );
}

#[test]
fn config_is_flattened_and_arrays_of_tables_are_refused() {
    let text = "[slots.notification-texts]\nplugin = \"t.wasm\"\n[slots.notification-texts.config]\ntexts.nl.x = \"X\"\ntags = [\"a\", \"b\"]\n";
    let policy = Policy::parse(Path::new("p.toml"), text).unwrap();
    let keys: Vec<String> = policy.slots[0].config.entries().into_iter().map(|e| e.key).collect();
    assert_eq!(keys, ["tags", "texts.nl.x"]);
    let refused = error("[slots.search-policy]\nplugin = \"x.wasm\"\nconfig = { rows = [{ a = 1 }] }\n");
    assert_eq!(
        refused,
        "policies/client.toml:3:19: slots.search-policy.config.rows: only arrays of strings can be passed to a plugin"
    );
}

#[test]
fn host_settings_are_checked() {
    let mode = error("[host.customers]\nmode = \"everything\"\n");
    assert!(
        mode.starts_with("policies/client.toml:2:8: unknown variant `everything`, expected `local-only` or `sync-all`"),
        "{mode}"
    );
    let url = error("[host.erp]\nurl = \"ftp://erp\"\n");
    assert_eq!(url, "policies/client.toml:2:7: host.erp.url: `ftp://erp` is not an http:// or https:// URL");
    let timeout = error("[host]\nerp = { timeout-ms = 0 }\n");
    assert_eq!(timeout, "policies/client.toml:2:22: host.erp.timeout-ms: must be between 1 and 600000");
    let policy = Policy::parse(
        Path::new("p/client.toml"),
        "[host]\ndatabase = \"data/pos.sqlite\"\ncustomers.mode = \"sync-all\"\n",
    )
    .unwrap();
    assert_eq!(policy.host.database.unwrap(), Path::new("p/data/pos.sqlite"));
    assert_eq!(policy.host.customers.mode, pos_host::policy::SyncMode::SyncAll);
}
