//! The `pos-host` binary, run as a user would, on the components the test crate builds.

use pos_tests::{artifacts, root, shared_cache};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_pos-host"))
        .args(args)
        .current_dir(root())
        .env("POS_HOST_CACHE_DIR", shared_cache())
        .output()
        .expect("pos-host runs");
    eprintln!(
        "$ pos-host {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
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
        "world    pos:plugin/web-merge-rules@0.1.0 (exports pos:plugin/merge-rules@0.1.0)",
        "pos:plugin/local-db@0.1.0                granted: local-db",
        "pos:plugin/ui@0.1.0                      types only",
        "deny-all WASI",
        "grants   local-db",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    let size = std::fs::metadata(artifacts::WEB_MERGE_RULES).unwrap().len();
    assert!(text.contains(&format!("size     {size} bytes")));
    let compile = text
        .lines()
        .find(|l| l.starts_with("compile  cold "))
        .expect("compile line");
    assert!(
        compile.contains(" ms, cached ") && compile.ends_with(" ms"),
        "{compile}"
    );
}

#[test]
fn plugin_check_fails_clearly() {
    let output = run(&[
        "plugin",
        "check",
        artifacts::UNGRANTED,
        "--slot",
        "notification-texts",
        "--policy",
        "none.toml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("it imports the `erp` capability"),
        "{stderr}"
    );
    assert!(stderr.contains("(pass --grant to allow it)"), "{stderr}");

    let wrong_slot = run(&[
        "plugin",
        "check",
        artifacts::SEARCH_THRESHOLDS,
        "--slot",
        "texts",
    ]);
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
    std::fs::write(
        &policy,
        format!(
            "[slots.notification-texts]\nplugin = {:?}\n",
            artifacts::NOTIFICATION_TEXTS
        ),
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let output = run(&[
        "texts",
        "erp-retrieve-failed",
        "--locale",
        "en",
        "--policy",
        policy,
    ]);
    assert!(output.status.success());
    assert_eq!(
        stdout(&output),
        "Unable to retrieve the customer. Connection with the data service not established\n"
    );
    assert!(output.stderr.is_empty(), "no fallback note");
    let dutch = run(&[
        "texts",
        "action-remove-from-web-edit-list",
        "--locale",
        "nl",
        "--policy",
        policy,
    ]);
    assert_eq!(stdout(&dutch), "Uit edit-lijst web\n");
}

#[test]
fn a_bad_policy_is_reported_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[host]\nlocale = 5\n").unwrap();
    let output = run(&[
        "texts",
        "erp-no-results",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "error: {}:2:10: invalid type: integer `5`, expected a string",
            policy.display()
        )),
        "{stderr}"
    );
}
