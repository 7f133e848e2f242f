//! Policies: the shipped default loads, and every mistake names file, line and column.

use pos_host::caps::Capabilities;
use pos_host::{Capability, Plugins, Policy, SlotId};
use pos_tests::{root, runtime};
use std::path::Path;

fn error(text: &str) -> String {
    Policy::parse(Path::new("policies/client.toml"), text).expect_err("refused").to_string()
}

#[test]
fn the_default_policy_names_the_four_default_plugins() {
    // Parsed, not loaded: the plugin files exist only after `cargo xtask plugins`.
    let path = root().join("policies/default.toml");
    let policy = Policy::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(policy.host.locale, "en");
    assert_eq!(policy.slots.len(), 4);
    let merge = policy.slot(SlotId::WebMergeRules).unwrap();
    assert_eq!(merge.grants, [Capability::LocalDb]);
    assert!(merge.plugin.ends_with("plugins/web-merge-rules.wasm"));
}

#[tokio::test]
async fn the_default_policy_loads_with_the_built_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("policies/default.toml")).unwrap();
    let text = pos_tests::with_built_plugins(&text);
    let path = dir.path().join("default.toml");
    std::fs::write(&path, text).unwrap();
    let policy = Policy::load(&path).unwrap();
    let plugins = Plugins::load(&runtime(Capabilities::default()), &policy).await.unwrap();
    assert!(
        plugins.search.current().is_some() && plugins.texts.current().is_some() && plugins.merge.current().is_some()
    );
    assert!(plugins.connector.current().is_some(), "the sync-service connector loads");
}

#[test]
fn unknown_keys_are_refused_at_the_key_with_a_suggestion() {
    assert_eq!(
        error("[host]\nworkstation = \"POS-01\"\nlocal = \"nl\"\n"),
        "policies/client.toml:3:1: host.local: unknown key (did you mean `locale`?); expected one of `workstation`, \
         `locale`, `cache-dir`, `database`, `database-key`, `recordings`, `retention`, `customers`, `erp`, `webshop`, `trusted-keys`"
    );
    let slot = error("[slots.search-polciy]\nplugin = \"x.wasm\"\n");
    assert!(
        slot.starts_with(
            "policies/client.toml:1:8: slots.search-polciy: unknown key (did you mean `search-policy`?); expected one of"
        ),
        "{slot}"
    );
    let top = error("extend = \"default.toml\"\n");
    assert!(top.starts_with("policies/client.toml:1:1: extend: unknown key (did you mean `extends`?)"), "{top}");
}

#[test]
fn wrong_types_and_unknown_grants_are_refused() {
    let grants = error("[slots.search-policy]\nplugin = \"x.wasm\"\ngrants = [\"local-db\", \"files\"]\n");
    assert_eq!(
        grants,
        "policies/client.toml:3:10: slots.search-policy.grants: a string (\"files\") is not one of \"local-db\", \"erp\", \"ui\""
    );
    let plugin = error("[slots.search-policy]\nplugin = 5\n");
    assert_eq!(
        plugin,
        "policies/client.toml:2:10: slots.search-policy.plugin: expected a string, found an integer (5)"
    );
    let no_plugin = error("[slots.search-policy]\ngrants = []\n");
    assert_eq!(
        no_plugin,
        "policies/client.toml:1:8: slots.search-policy: the slot names no `plugin` (the component file)"
    );
    let table = error("[host]\nerp = \"http://erp\"\n");
    assert_eq!(table, "policies/client.toml:2:7: host.erp: expected a table, found a string (\"http://erp\")");
    let syntax = error("[host\n");
    assert!(syntax.starts_with("policies/client.toml:1:"), "{syntax}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let all = error(
        "[host]\nworkstation = \"POS 01\"\nlocale = 7\ncolour = \"red\"\n\
         [host.erp]\ntimeout-ms = -1\nonline-search = \"yes\"\n\
         [slots.search-policy]\nplugin = \"x.wasm\"\ngrants = [\"network\"]\nlimits = { fuel = 10 }\n\
         [slots.notification-texts]\nplugin = false\n",
    );
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(
        lines,
        [
            "policies/client.toml:4:1: host.colour: unknown key; expected one of `workstation`, `locale`, `cache-dir`, \
             `database`, `database-key`, `recordings`, `retention`, `customers`, `erp`, `webshop`, `trusted-keys`",
            "policies/client.toml:2:15: host.workstation: expected 1 to 32 letters, digits, `-` or `_`, such as \"POS-01\"",
            "policies/client.toml:3:10: host.locale: expected a string, found an integer (7)",
            "policies/client.toml:6:14: host.erp.timeout-ms: -1 is out of range; expected 1 to 600000",
            "policies/client.toml:7:17: host.erp.online-search: expected true or false, found a string (\"yes\")",
            "policies/client.toml:10:10: slots.search-policy.grants: a string (\"network\") is not one of \"local-db\", \
             \"erp\", \"ui\"",
            "policies/client.toml:11:19: slots.search-policy.limits.fuel: 10 is out of range; expected 1000000 to \
             9223372036854775807",
            "policies/client.toml:13:10: slots.notification-texts.plugin: expected a string, found a boolean (false)",
        ]
    );
}

#[test]
fn limits_are_checked() {
    let limits = error("[slots.search-policy]\nplugin = \"x.wasm\"\nlimits = { memory-mib = 1, timeout-ms = 0 }\n");
    assert_eq!(
        limits,
        "policies/client.toml:3:25: slots.search-policy.limits.memory-mib: 1 is out of range; expected 2 to 4096\n\
         policies/client.toml:3:41: slots.search-policy.limits.timeout-ms: 0 is out of range; expected 1 to 60000"
    );
}

#[test]
fn config_is_flattened_and_arrays_of_tables_are_refused() {
    let text = "[slots.notification-texts]\nplugin = \"t.wasm\"\n[slots.notification-texts.config]\ntexts.nl.x = \"X\"\ntags = [\"a\", \"b\"]\n";
    let policy = Policy::parse(Path::new("p.toml"), text).unwrap();
    let keys: Vec<String> = policy.slots[0].config.entries().into_iter().map(|e| e.key).collect();
    assert_eq!(keys, ["texts.nl.x", "tags"], "in the order of the file");
    let refused = error("[slots.search-policy]\nplugin = \"x.wasm\"\nconfig = { rows = [{ a = 1 }] }\n");
    assert_eq!(
        refused,
        "policies/client.toml:3:19: slots.search-policy.config.rows: only arrays of strings can be passed to a plugin"
    );
}

#[test]
fn host_settings_are_checked() {
    let mode = error("[host.customers]\nmode = \"everything\"\n");
    assert_eq!(
        mode,
        "policies/client.toml:2:8: host.customers.mode: \"everything\" is not an option; expected \"local-only\" or \
         \"sync-all\""
    );
    let url = error("[host.erp]\nurl = \"ftp://erp\"\n");
    assert_eq!(url, "policies/client.toml:2:7: host.erp.url: `ftp://erp` is not an http:// or https:// URL");
    let shop = error("[host.webshop]\nurl = \"shop.example\"\n");
    assert_eq!(shop, "policies/client.toml:2:7: host.webshop.url: `shop.example` is not an http:// or https:// URL");
    let timeout = error("[host]\nerp = { timeout-ms = 0 }\n");
    assert_eq!(timeout, "policies/client.toml:2:22: host.erp.timeout-ms: 0 is out of range; expected 1 to 600000");
    let locale = error("[host]\nlocale = \"Dutch\"\n");
    assert_eq!(
        locale,
        "policies/client.toml:2:10: host.locale: \"Dutch\" is not a locale such as \"en\", \"pl\" or \"nl-BE\""
    );
    let policy = Policy::parse(
        Path::new("p/client.toml"),
        "[host]\ndatabase = \"data/pos.sqlite\"\ncustomers.mode = \"sync-all\"\n\
         webshop = { url = \"http://127.0.0.1:8790\", timeout-ms = 2500 }\n",
    )
    .unwrap();
    assert_eq!(policy.host.database.unwrap(), Path::new("p/data/pos.sqlite"));
    assert_eq!(policy.host.customers.mode, pos_host::policy::SyncMode::SyncAll);
    assert_eq!(policy.host.webshop.url.as_deref(), Some("http://127.0.0.1:8790"));
    assert_eq!(policy.host.webshop.timeout_ms, 2500);
}

/// Writes `files` (relative path, text) under a new directory.
fn files(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_policy_extends_another_key_by_key_and_paths_stay_relative_to_their_file() {
    let dir = files(&[
        (
            "default.toml",
            "[host]\nworkstation = \"POS-01\"\nlocale = \"en\"\n[slots.search-policy]\nplugin = \"plugins/s.wasm\"\nconfig = { offer-erp-at-most = 6, erp-show-at-most = 6 }\n",
        ),
        ("plugins/s.wasm", ""),
        (
            "clients/acme.toml",
            "extends = \"../default.toml\"\n[host]\nlocale = \"nl\"\n[slots.search-policy.config]\noffer-erp-at-most = 3\n",
        ),
        ("clients/acme/pos-07.toml", "extends = \"../acme.toml\"\n[host]\nworkstation = \"POS-07\"\n"),
    ]);
    let policy = Policy::load(&dir.path().join("clients/acme/pos-07.toml")).unwrap();
    assert_eq!(policy.host.workstation, "POS-07");
    assert_eq!(policy.host.locale, "nl");
    let slot = policy.slot(SlotId::SearchPolicy).unwrap();
    assert_eq!(slot.plugin, dir.path().join("plugins/s.wasm"));
    assert_eq!(slot.config.get("offer-erp-at-most"), Some(&pos_host::bindings::ConfigValue::Integer(3)));
    assert_eq!(slot.config.get("erp-show-at-most"), Some(&pos_host::bindings::ConfigValue::Integer(6)));
    let files: Vec<String> =
        policy.layers.files.iter().map(|f| f.path.strip_prefix(dir.path()).unwrap().display().to_string()).collect();
    assert_eq!(files, ["default.toml", "clients/acme.toml", "clients/acme/pos-07.toml"]);
    let from =
        |keys: &[&str]| policy.layers.locate(keys).to_string().replace(&format!("{}/", dir.path().display()), "");
    assert_eq!(from(&["host", "workstation"]), "clients/acme/pos-07.toml:3:15");
    assert_eq!(from(&["host", "locale"]), "clients/acme.toml:3:10");
    assert_eq!(from(&["slots", "search-policy", "config", "offer-erp-at-most"]), "clients/acme.toml:5:21");
    assert_eq!(from(&["slots", "search-policy", "config", "erp-show-at-most"]), "default.toml:6:54");
}

#[test]
fn problems_are_reported_in_the_file_that_has_them() {
    let dir = files(&[
        ("default.toml", "[host]\nlocale = \"en\"\n[slots.search-policy]\nplugin = \"missing.wasm\"\n"),
        ("client.toml", "extends = \"default.toml\"\n[host]\nworkstation = \"\"\n"),
    ]);
    let errors = Policy::load(&dir.path().join("client.toml")).unwrap_err().to_string();
    let errors = errors.replace(&format!("{}/", dir.path().display()), "");
    assert_eq!(
        errors,
        "client.toml:3:15: host.workstation: expected 1 to 32 letters, digits, `-` or `_`, such as \"POS-01\"\n\
         default.toml:4:10: slots.search-policy.plugin: the plugin file missing.wasm does not exist"
    );
}

#[test]
fn extends_must_name_a_readable_policy_without_cycles() {
    let dir = files(&[
        ("a.toml", "extends = \"b.toml\"\n"),
        ("b.toml", "extends = \"a.toml\"\n"),
        ("c.toml", "extends = \"nowhere.toml\"\n"),
        ("d.toml", "extends = [\"a.toml\"]\n"),
    ]);
    let error = |file: &str| {
        Policy::load(&dir.path().join(file)).unwrap_err().to_string().replace(&format!("{}/", dir.path().display()), "")
    };
    assert_eq!(error("a.toml"), "b.toml:1:11: extends: a.toml is already part of this policy (a cycle)");
    assert!(error("c.toml").starts_with("c.toml:1:11: extends: cannot read nowhere.toml: "), "{}", error("c.toml"));
    assert_eq!(error("d.toml"), "d.toml:1:11: extends: expected the path of a policy file, found an array");
}

#[test]
fn naming_another_plugin_starts_the_slot_afresh() {
    let dir = files(&[
        (
            "default.toml",
            "[slots.search-policy]\nplugin = \"plugins/a.wasm\"\ngrants = [\"ui\"]\nconfig = { x = 1, y = 2 }\n",
        ),
        ("plugins/a.wasm", ""),
        ("plugins/b.wasm", ""),
        // The same plugin, written another way: the slot is refined, config merged.
        (
            "same.toml",
            "extends = \"default.toml\"\n[slots.search-policy]\nplugin = \"./plugins/../plugins/a.wasm\"\nconfig = { y = 3 }\n",
        ),
        // Another plugin: nothing below is inherited.
        (
            "other.toml",
            "extends = \"default.toml\"\n[slots.search-policy]\nplugin = \"plugins/b.wasm\"\nconfig = { z = 4 }\n",
        ),
    ]);
    let keys = |file: &str| {
        let policy = Policy::load(&dir.path().join(file)).unwrap();
        let slot = policy.slot(SlotId::SearchPolicy).unwrap();
        let keys: Vec<String> = slot.config.entries().into_iter().map(|e| e.key).collect();
        (keys, slot.grants.clone())
    };
    assert_eq!(keys("same.toml"), (vec!["x".to_owned(), "y".to_owned()], vec![Capability::Ui]));
    assert_eq!(keys("other.toml"), (vec!["z".to_owned()], vec![]));
}

/// A policy names files the host then reads: a device, a pipe, a directory or a huge file is
/// refused at the key that names it, at once and without reading it whole.
#[cfg(unix)]
#[test]
fn files_a_policy_names_must_be_regular_and_within_their_size_limit() {
    let dir = files(&[
        ("zero.toml", "extends = \"/dev/zero\"\n"),
        ("dir.toml", "extends = \"sub\"\n"),
        ("sub/x", ""),
        ("pipe.toml", "extends = \"fifo\"\n"),
        ("huge.toml", "extends = \"big.toml\"\n"),
        ("plugin.toml", "[slots.search-policy]\nplugin = \"/dev/zero\"\n"),
        ("plugin-dir.toml", "[slots.search-policy]\nplugin = \"sub\"\n"),
    ]);
    assert!(std::process::Command::new("mkfifo").arg(dir.path().join("fifo")).status().unwrap().success());
    let mut big = "# a policy that is mostly comment\n".to_owned();
    while big.len() <= 1 << 20 {
        big.push_str("# ........................................................................\n");
    }
    std::fs::write(dir.path().join("big.toml"), big).unwrap();
    let error = |file: &str| {
        Policy::load(&dir.path().join(file)).unwrap_err().to_string().replace(&format!("{}/", dir.path().display()), "")
    };
    assert_eq!(
        error("zero.toml"),
        "zero.toml:1:11: extends: cannot read /dev/zero: not a regular file (it is a character device)"
    );
    assert_eq!(error("dir.toml"), "dir.toml:1:11: extends: cannot read sub: not a regular file (it is a directory)");
    assert_eq!(
        error("pipe.toml"),
        "pipe.toml:1:11: extends: cannot read fifo: not a regular file (it is a named pipe)"
    );
    assert!(
        error("huge.toml").starts_with("huge.toml:1:11: extends: cannot read big.toml: the file holds 1.0 MiB"),
        "{}",
        error("huge.toml")
    );
    assert!(error("huge.toml").ends_with("more than the 1.0 MiB allowed"), "{}", error("huge.toml"));
    assert_eq!(
        error("plugin.toml"),
        "plugin.toml:2:10: slots.search-policy.plugin: /dev/zero: not a regular file (it is a character device)"
    );
    assert_eq!(
        error("plugin-dir.toml"),
        "plugin-dir.toml:2:10: slots.search-policy.plugin: sub: not a regular file (it is a directory)"
    );
}

/// Checking costs the same per key however many keys there are: a policy of 20,000 config
/// keys, one of them refused, is checked and the refused key located.
#[test]
fn a_policy_with_many_config_keys_is_checked_and_every_key_located() {
    let mut text = String::from("[slots.notification-texts]\nplugin = \"x.wasm\"\n[slots.notification-texts.config]\n");
    for i in 0..20_000 {
        text.push_str(&format!("key-{i} = \"value {i}\"\n"));
    }
    text.push_str("bad = [1, 2]\n");
    let error = Policy::parse(Path::new("many.toml"), &text).unwrap_err().to_string();
    assert_eq!(
        error,
        "many.toml:20004:7: slots.notification-texts.config.bad: only arrays of strings can be passed to a plugin"
    );
    text.truncate(text.len() - "bad = [1, 2]\n".len());
    let policy = Policy::parse(Path::new("many.toml"), &text).unwrap();
    let config = &policy.slot(SlotId::NotificationTexts).unwrap().config;
    assert_eq!(config.entries().len(), 20_000);
    assert!(config.describe_error("key-19999", "x").starts_with("many.toml:20003:13: "));
}

/// Plugins receive their config in the order of the policy file (the WIT says so), a
/// refining file's new keys after those it refines.
#[test]
fn config_entries_keep_the_order_of_the_policy_file() {
    let dir = files(&[
        (
            "base.toml",
            "[slots.notification-texts]\nplugin = \"x.wasm\"\n[slots.notification-texts.config]\nzeta = \"1\"\nalpha = \"2\"\n\"texts.nl.b\" = \"3\"\n",
        ),
        ("client.toml", "extends = \"base.toml\"\n[slots.notification-texts.config]\nmiddle = \"4\"\nalpha = \"5\"\n"),
    ]);
    let text = std::fs::read_to_string(dir.path().join("client.toml")).unwrap();
    let policy = Policy::parse(&dir.path().join("client.toml"), &text).unwrap();
    let config = &policy.slot(SlotId::NotificationTexts).unwrap().config;
    let keys: Vec<String> = config.entries().into_iter().map(|e| e.key).collect();
    assert_eq!(keys, ["zeta", "alpha", "texts.nl.b", "middle"]);
    assert_eq!(config.get("alpha"), Some(&pos_host::bindings::ConfigValue::Text("5".into())));
}
