//! Writing a plugin as its author does: `pos-host plugin new` for every slot, the crate
//! built for wasm32-wasip2 and tested natively, `pos-host plugin test` on its cases and on a
//! wrong expectation, the harness's refusals of bad cases files, and docs/plugin-guide.md
//! followed block by block (see `guide`).

#[cfg(unix)]
#[path = "plugin_authoring/guide.rs"]
mod guide;
#[cfg(unix)]
#[path = "plugin_authoring/python.rs"]
mod python;

use pos_tests::{artifacts, root, shared_cache};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where generated crates are built: kept between runs, so that their dependencies are built
/// once and each run rebuilds only the crates themselves.
fn template_target() -> PathBuf {
    root().join("target/plugin-template")
}

fn pos_host(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pos-host"));
    command.current_dir(dir).env("POS_HOST_CACHE_DIR", shared_cache());
    command
}

/// Settings of Cargo's own that a nested build keeps: where crates come from.
const KEEP: [&str; 5] = ["CARGO_HOME", "CARGO_NET_", "CARGO_HTTP_", "CARGO_REGISTRIES_", "CARGO_REGISTRY_"];

/// Removes what the outer build set for the host (flags, target, wrapper, the test's own
/// package variables) from a command that runs cargo on a generated crate.
fn scrub(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let cargo_var = name.starts_with("CARGO_") && !KEEP.iter().any(|keep| name.starts_with(keep));
        if cargo_var || ["RUSTFLAGS", "RUSTC_WORKSPACE_WRAPPER"].contains(&&*name) {
            command.env_remove(&*name);
        }
    }
    command
}

fn cargo_program() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn cargo(dir: &Path) -> Command {
    let mut command = Command::new(cargo_program());
    command.current_dir(dir);
    scrub(&mut command);
    command
}

fn run(command: &mut Command) -> Output {
    let output = command.output().expect("the command runs");
    eprintln!(
        "$ {command:?}\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `text` with runs of spaces made one, so that assertions do not depend on column widths.
fn squash(text: &str) -> String {
    text.lines().map(|line| line.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\n")
}

/// `line:column`, counted from 1, where `needle` starts in `text`.
fn position(text: &str, needle: &str) -> String {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} in {text}"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    format!("{line}:{column}")
}

/// The line of the `[[case]]` named `name`.
fn case_line(cases: &str, name: &str) -> String {
    let at = position(cases, &format!("[[case]]\nname = {name:?}"));
    at.split(':').next().unwrap().to_owned()
}

/// Makes the crate `template-<slot>`, builds it, runs its native tests and its generated
/// cases (which pass), then the cases with `from` replaced by `to`, whose output (which
/// fails) is returned with the cases file it ran on.
fn template_round_trip(slot: &str, from: &str, to: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("template-{slot}");
    let created = run(pos_host(dir.path()).args(["plugin", "new", slot, &name]));
    assert!(created.status.success());
    let krate = dir.path().join(&name);

    let built = run(cargo(&krate)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(template_target()));
    assert!(built.status.success(), "the generated {slot} crate builds for wasm32-wasip2");
    let wasm = template_target().join("wasm32-wasip2/release").join(format!("{}.wasm", name.replace('-', "_")));
    let native = run(cargo(&krate).args(["test", "--target-dir"]).arg(template_target()));
    assert!(native.status.success(), "the generated {slot} crate's native tests pass");
    assert!(stdout(&native).contains("test result: ok. 3 passed"), "{}", stdout(&native));

    let plugin_test = |cases: &str| {
        run(pos_host(&krate)
            .arg("plugin")
            .arg("test")
            .arg(&wasm)
            .args(["--slot", slot, "--cases", cases, "--grant", "local-db"]))
    };
    let passed = plugin_test("cases.toml");
    let text = stdout(&passed);
    let count = std::fs::read_to_string(krate.join("cases.toml")).unwrap().matches("[[case]]").count();
    assert!(passed.status.success(), "{text}");
    assert!(text.ends_with(&format!("\nplugin test: {count} of {count} cases passed, 0 failed\n")), "{text}");
    assert!(!text.contains("FAIL"), "{text}");

    let cases = std::fs::read_to_string(krate.join("cases.toml")).unwrap();
    assert!(cases.contains(from), "{from:?} in the generated cases");
    let wrong = cases.replacen(from, to, 1);
    std::fs::write(krate.join("wrong.toml"), &wrong).unwrap();
    let failed = plugin_test("wrong.toml");
    assert_eq!(failed.status.code(), Some(1));
    let text = stdout(&failed);
    assert!(text.ends_with(&format!("\nplugin test: {} of {count} cases passed, 1 failed\n", count - 1)), "{text}");
    (text, wrong)
}

#[test]
fn the_notification_texts_template_builds_and_passes_its_cases() {
    let (output, cases) = template_round_trip(
        "notification-texts",
        "expect = \"Geen klanten gevonden. Ook in het ERP zoeken?\"",
        "expect = \"Niemand gevonden.\"",
    );
    let expected = format!(
        "FAIL wrong.toml:{} local-no-results in Dutch\n\
         render(message = {{ key = \"local-no-results\", args = {{}} }}, locale = \"nl\")\n\
         the answer at wrong.toml:{}\n\
         expected \"Niemand gevonden.\"\n\
         actual \"Geen klanten gevonden. Ook in het ERP zoeken?\"\n\
         ok ",
        case_line(&cases, "local-no-results in Dutch"),
        position(&cases, "\"Niemand gevonden.\"")
    );
    assert!(squash(&output).contains(&expected), "{expected}\nin\n{output}");
}

#[test]
fn the_search_policy_template_builds_and_passes_its_cases() {
    let (output, cases) = template_round_trip(
        "search-policy",
        "expect = { search-button = \"available\", notice = \"none\" }",
        "expect = { search-button = \"suggested\", notice = \"none\" }",
    );
    let expected = format!(
        "search-button at wrong.toml:{}\n\
         expected \"suggested\"\n\
         actual \"available\"\n\
         the whole answer: {{ notice = \"none\", search-button = \"available\", erp-limit = 7, \
         waiting-window-after-ms = 700 }}\n",
        position(&cases, "\"suggested\", notice = \"none\"")
    );
    assert!(squash(&output).contains(&expected), "{expected}\nin\n{output}");
    let name = "many results leave the ERP merely available";
    let failed = format!("FAIL wrong.toml:{} {name}", case_line(&cases, name));
    assert!(squash(&output).contains(&failed), "{failed}\nin\n{output}");
}

#[test]
fn the_web_merge_rules_template_builds_and_passes_its_cases() {
    let (output, cases) = template_round_trip("web-merge-rules", "score = 75", "score = 80");
    let expected =
        format!("ok[0].score at wrong.toml:{}\nexpected 80\nactual 75\n", position(&cases, "80 }, { customer"));
    assert!(squash(&output).contains(&expected), "{expected}\nin\n{output}");
    let name = "the same last name, the same first name first";
    let failed = format!("FAIL wrong.toml:{} {name}", case_line(&cases, name));
    assert!(squash(&output).contains(&failed), "{failed}\nin\n{output}");
}

/// Writes a file of the test's own, such as a cases file.
fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn plugin_test_refuses_bad_cases_files_at_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let test = |cases: &str, wasm: &str, slot: &str| {
        run(pos_host(dir.path()).args(["plugin", "test", wasm, "--slot", slot, "--cases", cases]))
    };
    let search = |cases: &str| test(cases, artifacts::SEARCH_THRESHOLDS, "search-policy");

    let missing = search("missing.toml");
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        stderr(&missing),
        "error: cannot read the cases file missing.toml: No such file or directory (os error 2)\n"
    );

    write(dir.path(), "bad.toml", "[[case]]\nname = \"unterminated\nhook = \"render\"\n");
    let bad = search("bad.toml");
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).starts_with("error: bad.toml:2:") && stderr(&bad).contains(": invalid TOML: "));

    write(
        dir.path(),
        "errors.toml",
        "[[case]]\nname = \"a typo\"\nhook = \"after-lokal-search\"\ninput = {}\n\n\
         [[case]]\nname = \"another slot's hook\"\nhook = \"render\"\ninput = { message = { key = \"x\" }, locale = \"en\" }\n\n\
         [[case]]\nname = \"a wrong type\"\nhook = \"after-local-search\"\ninput = { outcome = { result-count = \"none\" } }\n\n\
         [[case]]\nname = \"an unknown field\"\nhook = \"after-erp-search\"\n\
         input = { query = {}, outcome = { found = { count = 1 } } }\nexpect = { shown = \"erp\" }\n",
    );
    let errors = search("errors.toml");
    assert_eq!(errors.status.code(), Some(1));
    assert!(errors.stdout.is_empty(), "nothing runs");
    let hooks = "`after-local-search`, `after-erp-search`, `after-erp-retrieve-failed`, `validate-config`";
    assert_eq!(
        stderr(&errors),
        format!(
            "error: errors.toml:3:8: case \"a typo\": hook: unknown hook `after-lokal-search`; the search-policy slot \
             has {hooks}\n\
             error: errors.toml:8:8: case \"another slot's hook\": hook: `render` is a hook of the notification-texts \
             slot, not of search-policy (the slot given with --slot); search-policy has {hooks}\n\
             error: errors.toml:14:38: case \"a wrong type\": input.outcome.result-count: expected an integer (u32), \
             found a string (\"none\")\n\
             error: errors.toml:20:12: case \"an unknown field\": expect.shown: erp-decision has no field `shown`; its \
             fields are `show`, `notice`\n"
        )
    );

    write(
        dir.path(),
        "search.toml",
        "[[case]]\nname = \"nothing found\"\nhook = \"after-local-search\"\n\
         input = { outcome = { result-count = 0, online-search-enabled = true } }\nexpect = { search-button = \"suggested\" }\n",
    );
    assert!(search("search.toml").status.success());
    let wrong_slot = test("search.toml", artifacts::NOTIFICATION_TEXTS, "search-policy");
    assert_eq!(wrong_slot.status.code(), Some(1));
    assert!(
        stderr(&wrong_slot).starts_with(&format!(
            "error: cannot load plugin {} for slot `search-policy`: it exports `pos:plugin/texts@0.2.0` (the \
             `notification-texts` world)",
            artifacts::NOTIFICATION_TEXTS
        )),
        "{}",
        stderr(&wrong_slot)
    );
}

#[test]
fn plugin_test_reports_failing_plugins_and_reads_json() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "hostile.toml",
        "[[case]]\nname = \"a panic\"\nhook = \"after-local-search\"\ninput = { outcome = { query = { phrase = \"panic\" } } }\n\n\
         [[case]]\nname = \"garbage\"\nhook = \"after-local-search\"\ninput = { outcome = { query = { phrase = \"garbage\" } } }\n\n\
         [[case]]\nname = \"the operator answers\"\nhook = \"after-local-search\"\nui = { answers = [\"yes\"] }\n\
         input = { outcome = { query = { phrase = \"confirm\" } } }\nexpect = { notice = { message = { key = \"answer-yes\" } } }\n",
    );
    let hostile = run(pos_host(dir.path()).args([
        "plugin",
        "test",
        artifacts::HOSTILE_SEARCH,
        "--slot",
        "search-policy",
        "--grant",
        "ui",
        "--cases",
        "hostile.toml",
    ]));
    assert_eq!(hostile.status.code(), Some(1));
    let text = stdout(&hostile);
    assert!(text.contains("hostile plugin panics on purpose"), "{text}");
    assert!(text.contains("the host would answer with its built-in fallback instead"), "{text}");
    assert!(text.contains("returned an invalid result: "), "{text}");
    assert!(squash(&text).contains("ok hostile.toml:11 the operator answers"), "{text}");
    assert!(text.ends_with("plugin test: 1 of 3 cases passed, 2 failed\n"), "{text}");

    write(
        dir.path(),
        "cases.json",
        r#"{ "case": [
            { "name": "few ERP results", "hook": "after-erp-search",
              "input": { "query": { "phrase": "kowal" }, "outcome": { "found": { "count": 2 } } },
              "expect": { "show": "local", "notice": null } }
        ] }"#,
    );
    let json = run(pos_host(dir.path()).args([
        "plugin",
        "test",
        artifacts::SEARCH_THRESHOLDS,
        "--slot",
        "search-policy",
        "--cases",
        "cases.json",
    ]));
    assert_eq!(json.status.code(), Some(1));
    assert!(
        squash(&stdout(&json))
            .contains("FAIL cases.json few ERP results\nafter-erp-search(query = { phrase = \"kowal\", "),
        "{}",
        stdout(&json)
    );
    assert!(squash(&stdout(&json)).contains("show at cases.json\nexpected \"local\"\nactual \"erp\"\n"));
}

#[test]
fn plugin_new_refuses_what_it_cannot_make() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    std::fs::write(dir.path().join("taken/notes.txt"), "mine").unwrap();
    let taken = run(pos_host(dir.path()).args(["plugin", "new", "search-policy", "taken"]));
    assert_eq!(taken.status.code(), Some(1));
    assert_eq!(
        stderr(&taken),
        "error: ./taken already exists and is not an empty directory; nothing was written (choose another <NAME> or \
         --dir)\n"
    );
    assert_eq!(std::fs::read_dir(dir.path().join("taken")).unwrap().count(), 1);

    let bad_name = run(pos_host(dir.path()).args(["plugin", "new", "search-policy", "My Search"]));
    assert_eq!(bad_name.status.code(), Some(2));
    assert!(
        stderr(&bad_name).starts_with("error: invalid value 'My Search' for '<NAME>': a plugin name is a crate name")
    );

    let no_sdk = run(pos_host(dir.path()).args(["plugin", "new", "search-policy", "mine", "--sdk", "nowhere"]));
    assert_eq!(no_sdk.status.code(), Some(1));
    assert!(stderr(&no_sdk).starts_with("error: --sdk nowhere: no pos-plugin-sdk crate there"), "{}", stderr(&no_sdk));
    assert!(!dir.path().join("mine").exists(), "nothing is written without an SDK");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let made = run(pos_host(dir.path()).args(["plugin", "new", "web-merge-rules", "empty"]));
    assert!(made.status.success(), "an empty directory is filled");
    let manifest = std::fs::read_to_string(empty.join("Cargo.toml")).unwrap();
    let sdk = manifest.lines().find(|line| line.starts_with("pos-plugin-sdk = ")).unwrap();
    let sdk = sdk.split('"').nth(1).unwrap();
    assert!(!Path::new(sdk).is_absolute(), "{sdk}");
    assert!(empty.join(sdk).join("Cargo.toml").is_file(), "{sdk} leads to the SDK");
}
