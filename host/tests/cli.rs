//! The `pos-host` binary, run as a user would, on the components the test crate builds.

use pos_tests::sim::{self, Fault, FaultMode, SimConfig};
use pos_tests::tryton::{self, Tryton};
use pos_tests::{artifacts, root, served, shared_cache};
use serde_json::json;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_pos-host"))
        .args(args)
        .current_dir(root())
        .env("POS_HOST_CACHE_DIR", shared_cache())
        .output()
        .expect("pos-host runs");
    pos_tests::show_output(args, &output);
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn plugin_check_reports_world_imports_size_and_compile_times() {
    let output = run(&[
        "plugin",
        "check",
        artifacts::WEB_MERGE_RULES,
        "--slot",
        "web-merge-rules",
        "--grant",
        "local-db",
        "--policy",
        "none.toml",
    ]);
    assert!(output.status.success());
    let text = stdout(&output);
    for expected in [
        "slot     web-merge-rules",
        "world    pos:plugin/web-merge-rules@0.2.0 (exports pos:plugin/merge-rules@0.2.0)",
        "pos:plugin/local-db@0.2.0                granted: local-db",
        "pos:plugin/types@0.2.0                   types only",
        "deny-all WASI",
        "grants   local-db",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    let size = std::fs::metadata(artifacts::WEB_MERGE_RULES).unwrap().len();
    assert!(text.contains(&format!("size     {size} bytes")));
    let compile = text.lines().find(|l| l.starts_with("compile  cold ")).expect("compile line");
    assert!(compile.contains(" ms, cached ") && compile.ends_with(" ms"), "{compile}");
}

#[test]
fn plugin_check_fails_clearly() {
    let output =
        run(&["plugin", "check", artifacts::UNGRANTED, "--slot", "notification-texts", "--policy", "none.toml"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("it imports the `erp` capability"), "{stderr}");
    assert!(stderr.contains("(pass --grant to allow it)"), "{stderr}");

    let wrong_slot = run(&["plugin", "check", artifacts::SEARCH_THRESHOLDS, "--slot", "texts"]);
    assert_eq!(wrong_slot.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&wrong_slot.stderr)
            .contains("possible values: search-policy, notification-texts, web-merge-rules")
    );
}

#[test]
fn texts_renders_through_the_texts_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, format!("[slots.notification-texts]\nplugin = {:?}\n", artifacts::NOTIFICATION_TEXTS))
        .unwrap();
    let policy = policy.to_str().unwrap();
    let output = run(&["texts", "erp-retrieve-failed", "--locale", "en", "--policy", policy]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "Unable to retrieve the customer. Connection with the data service not established\n");
    assert!(output.stderr.is_empty(), "no fallback note");
    let dutch = run(&["texts", "action-remove-from-web-edit-list", "--locale", "nl", "--policy", policy]);
    assert_eq!(stdout(&dutch), "Uit edit-lijst web\n");
}

/// `--log-format json`: every line of the log an object, the hook call's span written as it
/// closes, with the slot, the plugin's SHA-256, the outcome and the time.
#[test]
fn the_json_log_writes_the_hook_call_s_span() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, format!("[slots.notification-texts]\nplugin = {:?}\n", artifacts::NOTIFICATION_TEXTS))
        .unwrap();
    let sha256 = pos_host::runtime::sha256_hex(&std::fs::read(artifacts::NOTIFICATION_TEXTS).unwrap());
    // With personal data revealed in debug lines a second layer writes those; the span's
    // close is still written once.
    for (flags, level) in [(&[][..], "info"), (&["--log-personal-data"][..], "debug")] {
        let args =
            [&["--log-format", "json"][..], flags, &["texts", "erp-retrieve-failed", "--locale", "en", "--policy"]]
                .concat();
        let output = Command::new(env!("CARGO_BIN_EXE_pos-host"))
            .args(&args)
            .arg(&policy)
            .current_dir(root())
            .env("POS_HOST_CACHE_DIR", shared_cache())
            .env("RUST_LOG", level)
            .output()
            .expect("pos-host runs");
        pos_tests::show_output(&args, &output);
        assert!(output.status.success());
        assert_eq!(
            stdout(&output),
            "Unable to retrieve the customer. Connection with the data service not established\n"
        );
        let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stderr)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
            .collect();
        let closed: Vec<_> = lines
            .iter()
            .filter(|line| {
                line["fields"]["message"] == "close"
                    && line["spans"].as_array().unwrap().last().unwrap()["name"] == "hook"
            })
            .collect();
        assert_eq!(closed.len(), 1, "the hook call's span, closed once ({flags:?}): {lines:#?}");
        let hook = closed[0]["spans"].as_array().unwrap().last().unwrap();
        assert_eq!(
            (&hook["slot"], &hook["hook"], &hook["sha256"], &hook["outcome"]),
            (&json!("notification-texts"), &json!("render"), &json!(sha256), &json!("ok")),
            "{}",
            closed[0]
        );
        assert!(closed[0]["fields"]["time.busy"].is_string() && closed[0]["level"] == "INFO", "{}", closed[0]);
    }
}

/// The commands of the guide's "Plugins in JavaScript" section (docs/plugin-guide.md), on a
/// copy of `policies/clients/js-texts.toml` whose default plugins are the test builds.
#[test]
fn the_js_texts_policy_checks_and_its_javascript_plugin_renders() {
    let (_dir, policy) = pos_tests::js_plugin::policy();
    let policy = policy.to_str().unwrap();
    let check = run(&["policy", "check", policy]);
    assert!(check.status.success());
    assert!(stdout(&check).contains("slots.notification-texts: notification-texts-js loads ("), "{}", stdout(&check));
    let args = ["--arg", "web-last-name=Jansen", "--arg", "local-last-name=de Vries", "--policy", policy];
    let text = run(&[&["texts", "existing-customer-overwritten", "--locale", "nl"][..], &args].concat());
    assert!(text.status.success());
    assert_eq!(
        stdout(&text),
        "Bestaande klant wordt overschreven: de achternaam op het web (Jansen) verschilt van de lokale achternaam \
         (de Vries). Doorgaan overschrijft de webachternaam met de lokale achternaam.\n"
    );
    assert!(text.stderr.is_empty(), "no fallback note");
}

#[test]
fn a_bad_policy_is_reported_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[host]\nlocale = 5\n[host.erp]\ntimeout-ms = \"soon\"\n").unwrap();
    let output = run(&["texts", "erp-no-results", "--policy", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let path = policy.display();
    assert_eq!(
        stderr,
        format!(
            "error: {path}:2:10: host.locale: expected a string, found an integer (5)\n\
             error: {path}:4:14: host.erp.timeout-ms: expected an integer, found a string (\"soon\")\n"
        )
    );
}

/// `serve` and the workflow commands report what `policy check` reports: the host's
/// problems and the plugins' complaints about their config, though loading stops at the first.
#[test]
fn every_command_reports_every_problem_of_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(dir.path().join("base.toml"), served::policy_text()).unwrap();
    std::fs::write(
        &policy,
        "extends = \"base.toml\"\n[host]\nlocale = 5\n[slots.search-policy]\nconfig = { offer-erp-at-most = \"six\" }\n",
    )
    .unwrap();
    let path = policy.display();
    let expected = format!(
        "error: {path}:3:10: host.locale: expected a string, found an integer (5)\n\
         error: {path}:5:32: slots.search-policy.config.offer-erp-at-most: must be an integer, found a string\n"
    );
    let db = dir.path().join("pos.sqlite");
    let (policy, db) = (policy.to_str().unwrap(), db.to_str().unwrap());
    let checked = run(&["policy", "check", policy]);
    assert!(String::from_utf8_lossy(&checked.stderr).ends_with(&expected));
    for args in [vec!["serve", "--listen", "127.0.0.1:0"], vec!["search", "kowal"], vec!["tour"]] {
        let mut all = args.clone();
        all.extend(["--policy", policy, "--db", db]);
        let output = run(&all);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), expected, "{args:?}");
    }
}

/// A command that cannot load a plugin says where in the policy to fix it.
#[test]
fn a_refused_plugin_is_reported_at_its_place_in_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!("[slots.notification-texts]\nplugin = \"{}\"\ngrants = [\"ui\"]\n", artifacts::UNGRANTED),
    )
    .unwrap();
    let output = run(&["tour", "--policy", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: {}:3:10: slots.notification-texts.grants: cannot load plugin",
            policy.display()
        )) && stderr.contains("it imports the `erp` capability"),
        "{stderr}"
    );
}

#[test]
fn policy_check_prints_where_each_value_comes_from() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.toml");
    std::fs::write(
        &base,
        format!(
            "[host]\nworkstation = \"POS-01\"\n[slots.search-policy]\nplugin = \"{}\"\nconfig = {{ offer-erp-at-most = 6 }}\n",
            artifacts::SEARCH_THRESHOLDS
        ),
    )
    .unwrap();
    let client = dir.path().join("client.toml");
    std::fs::write(&client, "extends = \"base.toml\"\n[host]\nlocale = \"nl\"\n").unwrap();
    let output = run(&["policy", "check", client.to_str().unwrap()]);
    assert!(output.status.success());
    let text = stdout(&output);
    let (client, base) = (client.display(), base.display());
    assert!(text.starts_with(&format!("policy {client}\n  extends {base}\n")), "{text}");
    for line in [
        r#"host.workstation = "POS-01""#,
        r#"host.locale = "nl""#,
        "host.erp.timeout-ms = 5000",
        "slots.search-policy.config.offer-erp-at-most = 6",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    let source = |key: &str| text.lines().find(|l| l.starts_with(key)).unwrap().split_whitespace().last().unwrap();
    assert_eq!(source("host.workstation"), format!("{base}:2:15"));
    assert_eq!(source("host.locale"), format!("{client}:3:10"));
    assert_eq!(source("host.erp.timeout-ms"), "default)");
    assert!(text.contains("slots.search-policy: search_thresholds loads ("), "{text}");
}

#[test]
fn policy_check_reports_every_problem_the_plugins_own_included() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "[host]\nlocale = \"nl\"\ncolor = 1\n\
             [slots.search-policy]\nplugin = \"{}\"\nconfig = {{ offer-erp-at-most = 0 }}\n\
             [slots.notification-texts]\nplugin = \"{}\"\ngrants = []\n\
             [slots.web-merge-rules]\nplugin = \"missing.wasm\"\n",
            artifacts::SEARCH_THRESHOLDS,
            artifacts::UNGRANTED
        ),
    )
    .unwrap();
    let output = run(&["policy", "check", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let path = policy.display();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(lines[0].starts_with(&format!("error: {path}:3:1: host.color: unknown key")), "{stderr}");
    assert_eq!(
        lines[1],
        format!(
            "error: {path}:11:10: slots.web-merge-rules.plugin: the plugin file {} does not exist",
            dir.path().join("missing.wasm").display()
        )
    );
    assert!(
        lines[2].starts_with(&format!("error: {path}:6:32: slots.search-policy.config.offer-erp-at-most: ")),
        "{stderr}"
    );
    assert!(
        lines[3].starts_with(&format!("error: {path}:9:10: slots.notification-texts.grants: cannot load plugin"))
            && lines[3].contains("it imports the `erp` capability"),
        "{stderr}"
    );
}

mod workflows {
    use super::{run, stdout};
    use pos_tests::artifacts;
    use pos_tests::sim::{self, AdminCustomer, SimConfig};

    fn policy(dir: &std::path::Path, erp_url: &str, locale: &str) -> String {
        let path = dir.join("policy.toml");
        let text = format!(
            "[host]\nworkstation = \"POS-01\"\nlocale = \"{locale}\"\ndatabase = \"pos.sqlite\"\nerp.url = \"{erp_url}\"\n\
             [slots.search-policy]\nplugin = {:?}\n[slots.notification-texts]\nplugin = {:?}\n\
             [slots.web-merge-rules]\nplugin = {:?}\ngrants = [\"local-db\"]\n",
            artifacts::SEARCH_THRESHOLDS,
            artifacts::NOTIFICATION_TEXTS,
            artifacts::WEB_MERGE_RULES
        );
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn search_shows_the_list_and_the_text_the_operator_reads() {
        let sim = sim::start(SimConfig::new(0, 1)).await.unwrap();
        for i in 1..=3 {
            sim.upsert_customer(AdminCustomer::new(&format!("E-{i}"), "Jan", "Brzęczyszczykiewicz")).await.unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let policy = policy(dir.path(), &sim.erp_url(), "pl");
        let output = tokio::task::spawn_blocking(move || {
            let policy = policy.as_str();
            let sync = run(&["sync", "--policy", policy]);
            let local = run(&["search", "Brzęczyszczykiewicz", "--policy", policy]);
            let erp = run(&["search", "brzeczy", "--erp", "--locale", "en", "--policy", policy]);
            let json = run(&["search", "brzeczy", "--erp", "--json", "--policy", policy]);
            let show = run(&["customer", "show", "E-2", "--policy", policy]);
            let edit = run(&["customer", "edit", "E-2", "--set", "city=Kraków", "--policy", policy]);
            (sync, local, erp, json, show, edit)
        });
        let (sync, local, erp, json, show, edit) = output.await.unwrap();
        // A local-only till downloads no customer; `sync` says so and what would.
        assert!(sync.status.success(), "{}", String::from_utf8_lossy(&sync.stderr));
        let sync = stdout(&sync);
        // In the policy's locale (pl), as the operator reads the rest.
        assert!(
            sync.contains("klienci: nie pobrano żadnych: ") && sync.contains("trzyma ich tylko lokalnie"),
            "{sync}"
        );
        assert!(sync.contains("\"sync-all\" trzyma na kasie wszystkich klientów ERP"), "{sync}");
        assert!(sync.contains("skrzynka nadawcza: wysłano 0, odrzucono i odłożono 0"), "{sync}");
        let local = stdout(&local);
        // The command line's own labels follow the locale as the notices do.
        assert!(local.contains("Wyniki lokalne (0):"), "{local}");
        assert!(local.contains("[Szukaj] wyszukuje w systemie ERP (zalecane)"), "{local}");
        assert!(
            local.contains("Brak wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?"),
            "{local}"
        );
        let erp = stdout(&erp);
        assert!(erp.contains("ERP results (3):"), "{erp}");
        assert!(erp.contains("E-1") && erp.contains("Jan Brzęczyszczykiewicz"), "{erp}");
        let screen: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
        assert_eq!(screen["list"], "erp");
        assert_eq!(screen["customers"].as_array().unwrap().len(), 3);
        assert!(show.status.success());
        // The customer's fields are named in the locale too.
        assert!(stdout(&show).contains("Nazwisko     Brzęczyszczykiewicz"), "{}", stdout(&show));
        assert!(edit.status.success(), "{}", String::from_utf8_lossy(&edit.stderr));
        assert!(stdout(&edit).contains("Miejscowość  Kraków"), "{}", stdout(&edit));
    }

    /// Seed 2 on the command line: both lists and every action, the warning answered with
    /// --no and --yes, against the simulator's ERP and web shop, with --webshop-url.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn web_commands_reconcile_registrations_with_local_customers() {
        use pos_tests::sim::WebCustomerFields;
        let sim = sim::start(SimConfig::new(0, 1)).await.unwrap();
        sim.upsert_customer(AdminCustomer::new("K-1", "Anna", "Kowalska")).await.unwrap();
        sim.upsert_customer(AdminCustomer::new("K-2", "Jan", "van der Berg")).await.unwrap();
        let register = |first: &str, last: &str| WebCustomerFields {
            first_name: first.into(),
            last_name: last.into(),
            ..WebCustomerFields::default()
        };
        let married = sim.register_web_customer(register("Anna", "Nowak")).await.unwrap();
        let cousin = sim.register_web_customer(register("Anna", "Kowalska-Nowak")).await.unwrap();
        let newcomer = sim.register_web_customer(register("Sanne", "de Jong")).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let policy = policy(dir.path(), &sim.erp_url(), "nl");
        let web_url = sim.webshop_url();
        let (married_id, cousin_id, newcomer_id) = (married.id.clone(), cousin.id.clone(), newcomer.id.clone());
        let outputs = tokio::task::spawn_blocking(move || {
            let web = |args: &[&str]| {
                let mut all = vec!["web"];
                all.extend(args);
                all.extend(["--policy", policy.as_str(), "--webshop-url", web_url.as_str()]);
                run(&all)
            };
            let unconfigured = run(&["web", "check", "--policy", policy.as_str()]);
            // Opening the ERP customers saves them locally.
            for number in ["K-1", "K-2"] {
                assert!(run(&["customer", "show", number, "--policy", policy.as_str()]).status.success());
            }
            vec![
                unconfigured,
                web(&["check"]),
                web(&["candidates", &cousin_id, "--locale", "en"]),
                web(&["take-over-local", &married_id, "K-1"]),
                web(&["take-over-local", &married_id, "K-1", "--no"]),
                web(&["take-over-local", &married_id, "K-1", "--yes", "--locale", "en"]),
                web(&["take-over-web", &newcomer_id, "--json"]),
                web(&["ignore", &cousin_id]),
                web(&["check", "--json"]),
                run(&["customer", "edit", "K-1", "--set", "phone=+48 600 000 001", "--policy", policy.as_str()]),
                web(&["local-edits"]),
                web(&["push", "K-1", "--locale", "en"]),
                web(&["local-edits", "--json"]),
                web(&["take-over-web", "W-999", "--json"]),
                web(&["take-over-web", "W-999"]),
                web(&["audit", "--json"]),
                web(&["audit"]),
                run(&["customer", "export", "K-1", "--policy", policy.as_str()]),
                run(&["customer", "export", "K-404", "--policy", policy.as_str()]),
                run(&["customer", "erase", "K-1", "--policy", policy.as_str()]),
                run(&["customer", "erase", "K-1", "--yes", "--policy", policy.as_str()]),
                run(&["customer", "show", "K-1", "--json", "--policy", policy.as_str()]),
            ]
        });
        let [
            unconfigured,
            check,
            candidates,
            unasked,
            no,
            yes,
            take_web,
            ignore,
            check_json,
            edit,
            edits,
            push,
            edits_json,
            unknown,
            unknown_said,
            audit,
            audit_text,
            export,
            nobody,
            unconfirmed,
            erased,
            shown_again,
        ] = <[_; 22]>::try_from(outputs.await.unwrap()).unwrap();
        let stderr = |output: &std::process::Output| String::from_utf8_lossy(&output.stderr).into_owned();

        assert_eq!(unconfigured.status.code(), Some(1));
        assert!(stderr(&unconfigured).contains("no web shop is configured: set host.webshop.url in"));
        assert!(stderr(&unconfigured).contains("or pass --webshop-url"));

        let check = stdout(&check);
        // The list titles follow the policy's locale (nl) as the notices do.
        assert!(check.contains("Edit-lijst web (3):"), "{check}");
        assert!(check.contains(&married.id) && check.contains("Anna Nowak"), "{check}");

        let candidates = stdout(&candidates);
        assert!(candidates.contains("Local candidates (1, by web_merge_rules):"), "{candidates}");
        assert!(
            candidates.contains("K-1")
                && candidates.contains("Anna Kowalska")
                && candidates.contains("Last name is part of a double last name, Same first name"),
            "{candidates}"
        );

        // The last names differ: the Dutch warning. Without a terminal to ask on, and
        // without --yes or --no, it is not answered, which cancels.
        assert_eq!(unasked.status.code(), Some(2));
        assert!(
            stderr(&unasked).contains("→ niet beantwoord: geen terminal om op te vragen (gebruik --yes of --no)"),
            "{}",
            stderr(&unasked)
        );
        assert_eq!(no.status.code(), Some(2));
        assert!(stderr(&no).contains("Bestaande klant wordt overschreven"), "{}", stderr(&no));
        assert!(stderr(&no).contains("→ Annuleren (--no)"), "{}", stderr(&no));
        assert!(stdout(&no).contains("Geannuleerd: er is niets gewijzigd."), "{}", stdout(&no));
        assert!(yes.status.success(), "{}", stderr(&yes));
        assert!(stderr(&yes).contains("→ Continue (--yes)"), "{}", stderr(&yes));
        assert!(stdout(&yes).contains(&format!("Web customer {} took over local customer K-1", married.id)));
        let on_web = sim.web_customer(&married.id).await.unwrap().unwrap();
        assert_eq!((on_web.customer_number.as_deref(), on_web.last_name.as_str()), (Some("K-1"), "Kowalska"));

        let decision: serde_json::Value = serde_json::from_str(&stdout(&take_web)).unwrap();
        assert_eq!(decision["outcome"], "applied");
        assert_eq!(decision["number"], "POS-01-000001");
        assert_eq!(decision["local"]["web_id"], newcomer.id.as_str());
        assert!(ignore.status.success());
        let list: serde_json::Value = serde_json::from_str(&stdout(&check_json)).unwrap();
        assert_eq!(list["entries"].as_array().unwrap().len(), 0, "{list}");

        assert!(edit.status.success(), "{}", stderr(&edit));
        let edits = stdout(&edits);
        assert!(edits.contains("Lokale editlijst (1):") && edits.contains("K-1"), "{edits}");
        assert!(edits.contains(&format!("  Web     {}", married.id)), "{edits}");
        // What "Take over local info" sends, before it is pressed: the new phone number.
        assert!(
            edits.contains("    Wat „Neem lokale info over” verstuurt:\n      Telefoon: – → +48 600 000 001\n"),
            "{edits}"
        );
        assert!(stdout(&push).contains("Local customer K-1 was sent to the web shop"), "{}", stdout(&push));
        let on_web = sim.web_customer(&married.id).await.unwrap().unwrap();
        assert_eq!(on_web.phone.as_deref(), Some("+48 600 000 001"));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout(&edits_json)).unwrap(), serde_json::json!([]));

        assert_eq!(unknown.status.code(), Some(1));
        let error: serde_json::Value = serde_json::from_str(&stdout(&unknown)).unwrap();
        assert_eq!(error["kind"], "not-found");
        assert_eq!(error["error"], "web customer W-999 is not on the web edit list");
        assert_eq!(error["label"], serde_json::json!({ "key": "error.notListed", "args": { "web-id": "W-999" } }));
        // Without --json, in the operator's words and locale.
        assert_eq!(unknown_said.status.code(), Some(1));
        assert!(
            stderr(&unknown_said).contains("pos-host: Webklant W-999 staat niet op de edit-lijst web."),
            "{}",
            stderr(&unknown_said)
        );

        let audit: serde_json::Value = serde_json::from_str(&stdout(&audit)).unwrap();
        let actions: Vec<(&str, &str)> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["action"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
            .collect();
        assert_eq!(
            actions,
            [
                ("push", "applied"),
                ("ignore", "applied"),
                ("take-over-web", "applied"),
                ("take-over-local", "applied"),
                ("take-over-local", "cancelled"),
                ("take-over-local", "cancelled"),
            ]
        );
        // The trail as a person reads it: when, as a date and time, not milliseconds.
        let audit_text = stdout(&audit_text);
        let mut lines = audit_text.lines();
        let heading = lines.next().unwrap_or_default().split_whitespace().collect::<Vec<_>>();
        assert_eq!(
            heading,
            ["#", "Tijdstip", "Actie", "Web-ID", "Nummer", "Resultaat", "Besloten", "door"],
            "{audit_text}"
        );
        let first = lines.next().unwrap_or_default();
        let when = first.split_whitespace().skip(1).take(3).collect::<Vec<_>>().join(" ");
        assert!(when.len() == 23 && when.ends_with(" UTC") && when.as_bytes()[4] == b'-', "{audit_text}");
        assert!(first.contains("push") && first.contains("applied"), "{audit_text}");

        // An access request: what the till holds about Anna, as the API's JSON.
        let export: serde_json::Value = serde_json::from_str(&stdout(&export)).unwrap();
        assert_eq!(export["customer"]["phone"], "+48 600 000 001");
        assert_eq!(export["customer"]["web_id"], married.id.as_str());
        let actions: Vec<&str> =
            export["audit"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["take-over-local", "take-over-local", "take-over-local", "push"], "{export}");
        assert_eq!(nobody.status.code(), Some(1));
        assert_eq!(stderr(&nobody), "error: this till holds nothing about K-404\n");

        // An erasure asks to be confirmed, then says what went; the ERP keeps its record,
        // which opening the customer again brings back.
        assert_eq!(unconfirmed.status.code(), Some(1));
        assert_eq!(stderr(&unconfirmed), "error: erasing K-1 cannot be undone: pass --yes to erase it\n");
        let erased: serde_json::Value = serde_json::from_str(&stdout(&erased)).unwrap();
        assert_eq!(
            (erased["customer"].as_u64(), erased["audit_pseudonymized"].as_u64()),
            (Some(1), Some(4)),
            "{erased}"
        );
        let shown: serde_json::Value = serde_json::from_str(&stdout(&shown_again)).unwrap();
        assert_eq!(shown["origin"], "erp", "{shown}");
    }

    /// `--json` prints what the HTTP API answers, in its spelling (`same-last-name`, `erp`,
    /// as the WIT), never the Rust names of the host's types (`SameLastName`, `Erp`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn json_is_spelled_as_the_http_api_answers() {
        use pos_tests::sim::WebCustomerFields;
        let served = pos_tests::served::serve(
            vec![local_customer("K-1", "Anna", "Kowalska")],
            vec![AdminCustomer::new("E-1", "Jan", "Kowalski")],
            std::time::Duration::from_secs(5),
            None,
        )
        .await;
        let fields =
            WebCustomerFields { first_name: "Anna".into(), last_name: "Kowalska".into(), ..Default::default() };
        let registered = served.sim.register_web_customer(fields).await.unwrap();
        let client = reqwest::Client::new();
        let http = |method: reqwest::Method, path: String| {
            let request = served.api(&client, method.clone(), &path);
            let request = if method == reqwest::Method::POST { request.json(&serde_json::json!({})) } else { request };
            async move { request.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
        };
        let listed = http(reqwest::Method::GET, "/api/web/edits".into()).await;
        let id = registered.id.clone();
        let over_http = [
            http(reqwest::Method::GET, format!("/api/web/edits/{id}/candidates?locale=en")).await,
            http(reqwest::Method::POST, "/api/web/edits/W-999/take-over-web".into()).await,
        ];

        let policy = served.policy.display().to_string();
        let db = served.policy.with_file_name("pos.sqlite").display().to_string();
        let (erp_url, webshop_url) = (served.sim.erp_url(), served.sim.webshop_url());
        let outputs = tokio::task::spawn_blocking(move || {
            let json = |args: &[&str]| {
                let mut all = args.to_vec();
                all.extend(["--json", "--locale", "en", "--policy", &policy, "--db", &db]);
                all.extend(["--erp-url", &erp_url, "--webshop-url", &webshop_url]);
                let output = run(&all);
                serde_json::from_str::<serde_json::Value>(&stdout(&output)).expect("JSON on stdout")
            };
            [
                json(&["web", "candidates", &id]),
                json(&["web", "take-over-web", "W-999"]),
                json(&["web", "check"]),
                json(&["search", "kowalsk", "--erp"]),
                json(&["customer", "show", "E-1"]),
                json(&["web", "take-over-local", &id, "K-1"]),
                json(&["web", "local-edits"]),
                json(&["web", "audit"]),
            ]
        });
        let outputs = outputs.await.unwrap();
        let [candidates, unknown, check, search, shown, taken, _, _] = &outputs;

        assert_eq!([candidates, unknown], over_http.each_ref(), "the same answers as the HTTP API");
        let reasons: Vec<&str> = candidates["candidates"][0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reason"].as_str().unwrap())
            .collect();
        assert_eq!(reasons, ["same-last-name", "same-first-name"], "{candidates}");
        assert_eq!(candidates["web"]["origin"], "web");
        assert_eq!(unknown["kind"], "not-found");
        assert_eq!(check["entries"], listed["entries"]);
        assert_eq!((&search["list"], &search["customers"][0]["origin"]), (&"erp".into(), &"erp".into()), "{search}");
        assert_eq!(shown["origin"], "erp");
        assert_eq!((&taken["action"], &taken["outcome"]), (&"take-over-local".into(), &"applied".into()), "{taken}");
        for output in &outputs {
            assert_kebab_case_values(output);
        }
    }

    fn local_customer(number: &str, first: &str, last: &str) -> pos_host::bindings::Customer {
        pos_host::bindings::Customer { version: 1, ..pos_tests::customer(Some(number), first, last) }
    }

    /// Every value that names one of a set of choices is spelled in lower case with dashes.
    fn assert_kebab_case_values(value: &serde_json::Value) {
        const CHOICES: [&str; 9] =
            ["origin", "list", "search_button", "severity", "reason", "kind", "action", "outcome", "state"];
        match value {
            serde_json::Value::Object(fields) => {
                for (name, field) in fields {
                    if let (true, Some(text)) = (CHOICES.contains(&name.as_str()), field.as_str()) {
                        assert!(
                            text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                            "{name}: {text:?} in {value}"
                        );
                    }
                    assert_kebab_case_values(field);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(assert_kebab_case_values),
            _ => {}
        }
    }

    /// The reason is said once, on one line, without the HTTP library's own log lines.
    #[test]
    fn sync_with_an_unreachable_erp_says_why_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        std::fs::write(dir.path().join("base.toml"), pos_tests::served::policy_text()).unwrap();
        std::fs::write(
            &path,
            "extends = \"base.toml\"\n[host]\ndatabase = \"pos.sqlite\"\ncustomers.mode = \"sync-all\"\n",
        )
        .unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let url = format!("http://{closed}");
        let output = run(&["sync", "--policy", path.to_str().unwrap(), "--erp-url", &url]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(lines[0].starts_with("error: the ERP data service is unavailable"), "{stderr}");
        assert_eq!(lines[0].matches("the connection was refused").count(), 1, "{stderr}");
        assert_eq!(lines[0].matches(&url).count(), 1, "{stderr}");
    }

    #[test]
    fn sync_without_an_erp_says_how_to_configure_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, "[host]\ndatabase = \"pos.sqlite\"\n").unwrap();
        let output = run(&["sync", "--policy", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("no ERP is configured: set host.erp.url in"), "{stderr}");
        assert!(stderr.contains("or pass --erp-url"), "{stderr}");
    }
}

/// `pos-host serve` follows its files; `pos-host status` shows what it serves and every
/// reload, the failed ones with the place to fix.
#[test]
fn serve_reloads_and_status_tells_the_history() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(artifacts::SEARCH_THRESHOLDS, dir.path().join("search.wasm")).unwrap();
    let policy = dir.path().join("policy.toml");
    let text = |offer: u32| {
        format!("[slots.search-policy]\nplugin = \"search.wasm\"\nconfig = {{ offer-erp-at-most = {offer} }}\n")
    };
    std::fs::write(&policy, text(6)).unwrap();
    let listen = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().to_string()
    };
    // The installation's API token file: made by `serve`, read by `status`.
    let token_file = dir.path().join("state/api-token");
    let token_file = token_file.to_str().unwrap();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_pos-host"))
        .args(["serve", "--listen", &listen, "--policy", policy.to_str().unwrap()])
        .arg("--db")
        .arg(dir.path().join("pos.sqlite"))
        .args(["--token-file", token_file])
        .env("POS_HOST_CACHE_DIR", shared_cache())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let serve_guard = KillOnDrop(&mut serve);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(serve_guard.0.stdout.take().unwrap()), &mut line).unwrap();
    assert!(line.starts_with(&format!("pos-host: serving {} on http://{listen}", policy.display())), "{line}");
    let url = format!("http://{listen}");
    let status = || stdout(&run(&["status", "--url", &url, "--token-file", token_file]));
    let refused = run(&["status", "--url", &url, "--token", "not-the-token-of-this-host"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains(&format!("the host at {url}/api/status refused the API token")),
        "{refused:?}"
    );

    let first = status();
    assert!(first.starts_with(&format!("policy {}\n", policy.display())), "{first}");
    assert!(first.contains("search-policy       search  sha256 "), "{first}");
    assert!(first.contains("notification-texts  (no plugin: the built-in fallback decides)"), "{first}");
    assert!(first.contains("none since the start"), "{first}");

    std::fs::write(&policy, text(2)).unwrap();
    let applied = wait_for(&status, "policy.toml changed -> applied in");
    assert!(applied.contains("slots.search-policy: search (sha256 "), "{applied}");

    std::fs::write(&policy, text(0)).unwrap();
    let failed = wait_for(&status, "; the last good version serves");
    assert!(failed.contains("policy.toml changed -> FAILED in "), "{failed}");
    assert!(
        failed.contains(&format!("      {}:3:32: slots.search-policy.config.offer-erp-at-most: ", policy.display())),
        "{failed}"
    );
    let json = stdout(&run(&["status", "--url", &url, "--json", "--token-file", token_file]));
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["reloads"].as_array().unwrap().len(), 2, "{json}");
}

#[test]
fn serve_refuses_a_short_token_and_a_token_file_others_can_read() {
    let output = run(&["serve", "--listen", "127.0.0.1:0", "--token", "short"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "error: --token: the token is 5 characters; use at least 16\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("api-token");
    std::fs::write(&file, "0123456789abcdef0123456789abcdef\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let output = run(&["serve", "--listen", "127.0.0.1:0", "--token-file", file.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("other users may read or change it (mode 644); run `chmod 600"), "{stderr}");
    }
}

#[test]
fn status_without_a_running_host_says_how_to_start_one() {
    let output = run(&["status", "--url", "http://127.0.0.1:9"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: no host answers at http://127.0.0.1:9/api/status; start one with `pos-host serve`\n"
    );
}

struct KillOnDrop<'a>(&'a mut std::process::Child);

impl Drop for KillOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Polls `status` until it contains `text`.
fn wait_for(status: &dyn Fn() -> String, text: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let now = status();
        if now.contains(text) {
            return now;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "never saw {text:?} in:\n{now}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// serde_json counts columns in bytes, from 0: a cases file's problems are placed as an
/// editor shows them, in characters from 1.
#[test]
fn json_cases_files_are_located_in_characters() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.json");
    for (text, at) in [("", "1:1"), ("{\"case\": [{\"name\": \"łłłł\", x}]}", "1:28")] {
        std::fs::write(&cases, text).unwrap();
        let output = run(&[
            "plugin",
            "test",
            artifacts::NOTIFICATION_TEXTS,
            "--slot",
            "notification-texts",
            "--cases",
            cases.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("{}:{at}: invalid JSON", cases.display())), "{text:?}: {stderr}");
    }
}

#[test]
fn an_empty_list_of_cases_says_how_to_write_one() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.toml");
    std::fs::write(&cases, "case = []\n").unwrap();
    let args = ["plugin", "test", artifacts::NOTIFICATION_TEXTS, "--slot", "notification-texts", "--cases"];
    let output = run(&[&args[..], &[cases.to_str().unwrap()]].concat());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("{}:1:8: case: no cases; add a [[case]] table", cases.display())), "{stderr}");
}

/// No till waits on a compiler a developer already ran: `plugin check` leaves the component
/// compiled in the cache the host uses, and a host loading it afterwards compiles nothing.
#[tokio::test]
async fn plugin_check_leaves_the_component_compiled_for_the_host() {
    let cache = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_pos-host"))
        .args([
            "plugin",
            "check",
            artifacts::NOTIFICATION_TEXTS,
            "--slot",
            "notification-texts",
            "--policy",
            "none.toml",
        ])
        .current_dir(root())
        .env("POS_HOST_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = format!("cache    {} (a host with this policy starts with it compiled)", cache.path().display());
    assert!(stdout(&output).contains(&expected), "{}", stdout(&output));
    let runtime = pos_host::Runtime::new(pos_host::Capabilities::default(), Some(cache.path().to_owned())).unwrap();
    let spec = pos_host::PluginSpec::new(artifacts::NOTIFICATION_TEXTS);
    let plugin = runtime.load::<pos_host::slots::NotificationTextsKind>(&spec).await.unwrap();
    assert_eq!(plugin.info.compiled, pos_host::runtime::Compiled::Cached);
}

/// An exception a Python plugin leaves uncaught fails the call, and every report of the failure
/// names its type and message, not only componentize-py's "unexpected exception".
#[test]
fn a_python_exception_is_named_in_every_report_of_the_failure() {
    the_exception_is_in_every_report("hostile-texts-py.wasm", "ValueError: no text for 'erp-no-results' in nl");
}

/// The same for an `Error` a JavaScript plugin throws: its message.
#[test]
fn a_javascript_error_is_named_in_every_report_of_the_failure() {
    the_exception_is_in_every_report("hostile-texts-js.wasm", "no text for erp-no-results in nl");
}

/// `fixture`'s `render` raises `exception` on every message: `plugin test`, `texts`, the status
/// of a host serving it, and the host's log all carry it.
fn the_exception_is_in_every_report(fixture: &str, exception: &str) {
    let plugin = pos_tests::js_plugin::fixture(fixture);
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.toml");
    std::fs::write(
        &cases,
        "[[case]]\nname = \"a Dutch text\"\nhook = \"render\"\ninput = { message = { key = \"erp-no-results\" }, \
         locale = \"nl\" }\n",
    )
    .unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, format!("[slots.notification-texts]\nplugin = {plugin:?}\n")).unwrap();
    let (plugin, cases, policy) = (plugin.to_str().unwrap(), cases.to_str().unwrap(), policy.to_str().unwrap());

    // The first command compiles the component into the shared cache: the others, the host
    // included, start with it compiled.
    let tested =
        run(&["plugin", "test", plugin, "--slot", "notification-texts", "--cases", cases, "--policy", "none.toml"]);
    assert_eq!(tested.status.code(), Some(1));
    let report = stdout(&tested);
    let trapped = report.lines().find(|line| line.trim_start().starts_with("the plugin trapped: "));
    assert!(trapped.is_some_and(|line| line.contains(exception)), "plugin test shows {exception:?}:\n{report}");

    let rendered = run(&["texts", "erp-no-results", "--locale", "nl", "--policy", policy]);
    assert!(rendered.status.success());
    assert_eq!(stdout(&rendered), "Geen zoekresultaten gevonden in het ERP-systeem\n", "the built-in text");
    let stderr = String::from_utf8_lossy(&rendered.stderr);
    let note = stderr.lines().find(|line| line.starts_with("note: plugin "));
    assert!(note.is_some_and(|note| note.contains(exception)), "texts notes {exception:?}:\n{stderr}");

    let listen = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().to_string()
    };
    let token_file = dir.path().join("api-token");
    let token_file = token_file.to_str().unwrap();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_pos-host"))
        .args(["serve", "--listen", &listen, "--policy", policy, "--token-file", token_file])
        .arg("--db")
        .arg(dir.path().join("pos.sqlite"))
        .env("POS_HOST_CACHE_DIR", shared_cache())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let serve = KillOnDrop(&mut serve);
    let log = log_lines(serve.0.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(serve.0.stdout.take().unwrap()), &mut line).unwrap();
    assert!(line.starts_with("pos-host: serving "), "{line}");
    let url = format!("http://{listen}");

    let asked = run(&["texts", "erp-no-results", "--locale", "nl", "--url", &url, "--token-file", token_file]);
    assert!(asked.status.success());
    assert_eq!(stdout(&asked), "Geen zoekresultaten gevonden in het ERP-systeem\n");
    let status = run(&["status", "--url", &url, "--token-file", token_file]);
    let failure =
        stdout(&status).lines().find(|line| line.trim_start().starts_with("last failure: ")).map(str::to_owned);
    let failure = failure.unwrap_or_else(|| panic!("no last failure in\n{}", stdout(&status)));
    assert!(failure.contains("render: trapped: ") && failure.contains(exception), "{failure}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["status", "--url", &url, "--json", "--token-file", token_file]))).unwrap();
    let slot = json["slots"].as_array().unwrap().iter().find(|slot| slot["slot"] == "notification-texts").unwrap();
    assert!(slot["last_failure"].as_str().unwrap().contains(exception), "{slot}");

    // The host logs the failed call before it answers: the line has come, or is on its way.
    let logged = next_line(&log, |line| line.contains("using the built-in fallback") && line.contains(exception));
    assert!(logged.contains("render"), "{logged}");
    // Written to a pipe (or a file), the log has no terminal colour codes.
    assert!(!logged.contains('\u{1b}'), "colour codes in {logged:?}");
}

/// The next line of `log` that `wanted` accepts; fails when the log ends first, or stays silent
/// for half a minute (a guard against a hung test, not a wait for the line).
fn next_line(log: &std::sync::mpsc::Receiver<String>, wanted: impl Fn(&str) -> bool) -> String {
    loop {
        match log.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(line) if wanted(&line) => return line,
            Ok(_) => {}
            Err(error) => panic!("the wanted line never came to the log: {error}"),
        }
    }
}

/// The lines `stream` carries, as they come, each also shown in the test's output.
fn log_lines(stream: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stream)).map_while(Result::ok) {
            eprintln!("pos-host serve: {line}");
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// [`run`] off the async runtime, so that the servers the test started keep answering.
async fn run_beside(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || run(&args.iter().map(String::as_str).collect::<Vec<_>>())).await.unwrap()
}

/// `pos-host erp check` on a policy written in a new directory.
async fn erp_check(policy_text: String) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, policy_text).unwrap();
    let output = run_beside(vec!["erp".into(), "check".into(), "--policy".into(), policy.display().to_string()]).await;
    (output, dir)
}

#[tokio::test]
async fn erp_check_shows_tryton_and_its_first_customer_as_the_till_stores_it() {
    let tryton = Tryton::start().await;
    let category = tryton.prepare_customers().await;
    let party = json!([[{
        "code": "C-1",
        "name": "Łukasz Kowalski",
        "categories": [["add", [category]]],
        "addresses": [["create", [{"street": "ul. Długa 5", "postal_code": "80-831", "city": "Gdańsk"}]]],
    }], {}]);
    tryton.call("model.party.party.create", party).await.unwrap();
    let (output, _dir) = erp_check(tryton.till_policy("sync-all", &tryton::admin_password_file())).await;
    assert!(output.status.success());
    let stdout = stdout(&output);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("ERP: Tryton 8."), "{stdout}");
    assert!(lines[0].ends_with(&format!(" at {}/pos as admin", tryton.base_url())), "{stdout}");
    assert!(lines[1].starts_with("reached through the connector ") && lines[1].ends_with(", as workstation POS-01"));
    assert_eq!(
        lines[2..5],
        ["online search: offered", "customers available here: 1", "the first customer listed, as the till stores it:"]
    );
    for field in ["  number       C-1", "  first name   Łukasz", "  last name    Kowalski", "  city         Gdańsk"] {
        assert!(lines.contains(&field), "{field:?} in {stdout}");
    }
    assert!(lines.contains(&"fetched by its number: the same"), "{stdout}");
}

#[tokio::test]
async fn erp_check_names_the_password_secret_when_tryton_refuses_the_login_and_never_prints_it() {
    let tryton = Tryton::start_unauthenticated().await;
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("password");
    std::fs::write(&wrong, "hunter2-not-the-password\n").unwrap();
    let (output, _policy_dir) = erp_check(tryton.till_policy("sync-all", &wrong)).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: which ERP (describe): "), "{stderr}");
    assert!(stderr.contains("slots.erp-connector.secrets.password"), "{stderr}");
    assert!(!stderr.contains("hunter2") && !stdout(&output).contains("hunter2"), "{stderr}");
}

#[tokio::test]
async fn erp_check_names_the_missing_party_module_and_the_database_key() {
    let tryton = Tryton::start_bare().await;
    let (output, _dir) = erp_check(tryton.till_policy("sync-all", &tryton::admin_password_file())).await;
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("lacks the model party."), "{stderr}");
    assert!(stderr.contains("not activated") && stderr.contains("config key `database`"), "{stderr}");
}

#[tokio::test]
async fn erp_check_through_the_default_connector_names_the_simulator() {
    let sim = sim::start(SimConfig::new(3, 1)).await.unwrap();
    let text = served::policy_text() + &format!("\n[host.erp]\nurl = {:?}\n", sim.erp_url());
    let (output, _dir) = erp_check(text).await;
    assert!(output.status.success());
    let stdout = stdout(&output);
    assert!(
        stdout.starts_with(&format!("ERP: erp-sim {} at {} as POS-01\n", env!("CARGO_PKG_VERSION"), sim.erp_url())),
        "{stdout}"
    );
    assert!(stdout.contains("\ncustomers available here: "), "{stdout}");

    sim.set_fault(Fault::new(FaultMode::Refuse)).await.unwrap();
    let (down, _dir) = erp_check(served::policy_text() + &format!("\n[host.erp]\nurl = {:?}\n", sim.erp_url())).await;
    assert_eq!(down.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&down.stderr);
    let refused = "error: which ERP (describe): the ERP data service is unavailable: no connection";
    assert!(stderr.contains(refused), "{stderr}");
    assert!(stderr.contains("(host.erp.url): the connection was refused"), "{stderr}");
}

#[test]
fn erp_check_without_an_erp_says_which_keys_would_name_one() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[host]\nworkstation = \"POS-01\"\n").unwrap();
    let output = run(&["erp", "check", "--policy", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("policy.toml: the policy names no ERP: set `host.erp.url`"), "{stderr}");
    assert!(stderr.contains("`[slots.erp-connector]`"), "{stderr}");
}

#[tokio::test]
async fn a_connector_s_password_is_masked_in_the_log_and_the_error() {
    let sim = sim::start(SimConfig::new(0, 1)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("password");
    std::fs::write(&password, "correct-horse-battery-staple\n").unwrap();
    let text = format!(
        "[host.erp]\nurl = {:?}\n[slots.erp-connector]\nplugin = {:?}\nsecrets.password = {{ file = {password:?} }}\n\
         config = {{ mode = \"leak\" }}\n",
        sim.erp_url(),
        artifacts::HOSTILE_CONNECTOR
    );
    let (output, _dir) = erp_check(text.clone()).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the password is [secret]"), "the plugin's log line: {stderr}");
    assert!(stderr.contains("login refused for password [secret]"), "{stderr}");
    assert!(!stderr.contains("correct-horse") && !stdout(&output).contains("correct-horse"), "{stderr}");

    // A trap's message is logged by the slot and becomes the operation's error.
    let (trapped, _dir) = erp_check(text.replace("mode = \"leak\"", "mode = \"leak-panic\"")).await;
    let stderr = String::from_utf8_lossy(&trapped.stderr);
    assert!(stderr.contains("panics with the password [secret]"), "{stderr}");
    assert!(!stderr.contains("correct-horse"), "{stderr}");
}

#[tokio::test]
async fn erp_check_names_a_host_the_policy_does_not_allow_and_its_key() {
    let sim = sim::start(SimConfig::new(0, 1)).await.unwrap();
    let text = format!(
        "[host.erp]\nurl = {:?}\n[slots.erp-connector]\nplugin = {:?}\n\
         config = {{ mode = \"elsewhere\", target = \"http://198.51.100.7:8069/jsonrpc\" }}\n",
        sim.erp_url(),
        artifacts::HOSTILE_CONNECTOR
    );
    let (output, _dir) = erp_check(text).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let refused =
        "the plugin may not connect to http://198.51.100.7:8069: slots.erp-connector.allowed-hosts allows nothing";
    assert!(
        stderr.contains(&format!("error: which ERP (describe): the ERP data service is unavailable: {refused}")),
        "{stderr}"
    );
}

/// A listing piped into a reader that has already stopped (`| head`) ends the command
/// quietly, as Unix tools end, instead of a panic with a backtrace.
#[test]
fn a_listing_into_a_closed_pipe_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pos.sqlite");
    let db = db.to_str().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, served::policy_text()).unwrap();
    let policy = policy.to_str().unwrap();
    for args in [
        vec!["policy", "check", policy],
        vec!["tour", "--policy", policy],
        vec!["search", "", "--db", db, "--policy", policy],
        vec!["plugin", "check", artifacts::WEB_MERGE_RULES, "--slot", "web-merge-rules", "--policy", policy],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        // Closed before the command prints anything: its first line meets a closed pipe.
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_pos-host"))
            .args(&args)
            .current_dir(root())
            .env("POS_HOST_CACHE_DIR", shared_cache())
            .stdout(writer)
            .output()
            .expect("pos-host runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "{args:?}: {:?} {stderr}", output.status);
    }
}

#[test]
fn db_prune_applies_the_retention_policy_and_says_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[host]\ndatabase = \"pos.sqlite\"\nretention = { audit-personal-days = 90 }\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_pos-host"))
        .args(["db", "prune", "--policy"])
        .arg(&policy)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("POS_HOST_CACHE_DIR", shared_cache())
        .output()
        .unwrap();
    let (stdout, stderr) = (stdout(&output), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "audit entries older than 90 days: 0 lost their personal data\n\
         ERP customers only looked up more than 30 days ago: 0 removed\n\
         recordings of plugin calls older than 30 days: 0 removed\n"
    );
}

#[test]
fn openapi_prints_the_document_serve_answers_and_a_real_validator_accepts_it() {
    let output = run(&["openapi"]);
    assert!(output.status.success());
    let printed = stdout(&output);
    let document: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(document, serde_json::to_value(pos_host::serve::openapi()).unwrap());
    pos_tests::openapi::validate(&printed).unwrap_or_else(|rejection| panic!("{rejection}"));
}

#[test]
fn serve_records_only_a_slot_the_policy_configures_and_never_the_connector() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, format!("[slots.search-policy]\nplugin = {:?}\n", artifacts::SEARCH_THRESHOLDS)).unwrap();
    let db = dir.path().join("pos.sqlite");
    let token = "0123456789abcdef0123456789abcdef";
    let serve = |slot: &str| {
        let args = [
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--token",
            token,
            "--record",
            slot,
            "--policy",
            policy.to_str().unwrap(),
        ];
        let output = Command::new(env!("CARGO_BIN_EXE_pos-host"))
            .args(args)
            .arg("--db")
            .arg(&db)
            .env("POS_HOST_CACHE_DIR", shared_cache())
            .output()
            .expect("pos-host runs");
        pos_tests::show_output(&args, &output);
        (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (code, stderr) = serve("web-merge-rules");
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("cannot record the web-merge-rules slot:") && stderr.contains("configures no plugin for it"),
        "{stderr}"
    );
    let (code, stderr) = serve("erp-connector");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("the ERP connector's calls are the ERP's traffic"), "{stderr}");
    let (code, stderr) = serve("cashier");
    assert_eq!(code, Some(2), "clap refuses an unknown slot: {stderr}");
    assert!(stderr.contains("search-policy"), "the slots are named: {stderr}");
}
