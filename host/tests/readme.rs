//! The README's command-line walk-through, followed line by line as a newcomer types it on a
//! fresh clone, each command's output checked against what the README promises.
//!
//! The commands run in a directory holding a copy of `policies/` and the plugins under the
//! names `cargo xtask plugins` gives them (the build script built the same crates), so that
//! the test neither needs nor changes the checkout's `plugins/*.wasm`. `cargo run -p X --`
//! runs the binary this build made; `/tmp/pos.sqlite` is a file of the test's own.

use pos_tests::{artifacts, root, shared_cache};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// What each line of the walk-through must print, in the README's order: the line's start
/// after `cargo run -p <package> --`, and a text its output holds.
const EXPECTED: &[(&str, &str)] = &[
    ("cargo xtask plugins", ""),
    ("pos-sim --customers 10000", "10000 customers, 40 web customers"),
    ("export POS_HOST_POLICY=policies/demo.toml", ""),
    ("sync", " customers listed, "),
    ("search kowal", "The first 100 are shown; more customers match: narrow the search."),
    ("search kowal --erp --locale pl", "Kowalska"),
    ("customer edit K-0000117", "City         Gdańsk"),
    ("web check", "Web edit list (40):"),
    ("web candidates W-000001", "  100  K-0004751 "),
    ("web take-over-local W-000001 K-0004751", "Web customer W-000001 took over local customer K-0004751"),
    ("plugin check plugins/web-merge-rules.wasm", "world    pos:plugin/web-merge-rules@0.2.0"),
    (
        "texts existing-customer-overwritten --locale nl",
        "Bestaande klant wordt overschreven: de achternaam op het web (Jansen) verschilt van de lokale achternaam (de Vries).",
    ),
    ("tour", "Loaded the plugins of policies/demo.toml"),
    ("policy check policies/clients/polish-chain.toml", "extends policies/default.toml"),
    ("serve --listen 127.0.0.1:8740", "pos-host: serving policies/demo.toml on http://127.0.0.1:8740"),
    ("status", "policy policies/demo.toml"),
];

/// The shell lines of the README's command-line section.
fn walk_through() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme.split("## The command line\n").nth(1).expect("the README has a command-line section");
    let block = section.split("```sh\n").nth(1).and_then(|b| b.split("```").next()).expect("a sh block");
    block.lines().map(str::to_owned).collect()
}

/// A line's words as the shell splits them, without its comment and its `&`.
fn words(line: &str) -> (Vec<String>, bool) {
    let mut words = shlex::split(line).unwrap_or_else(|| panic!("the shell cannot split `{line}`"));
    if let Some(comment) = words.iter().position(|w| w.starts_with('#')) {
        words.truncate(comment);
    }
    let background = words.last().is_some_and(|w| w == "&");
    if background {
        words.pop();
    }
    (words, background)
}

/// A process the walk-through left running, stopped when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The place of the clone the commands run in: `policies/` as shipped, `plugins/` as built.
fn checkout(dir: &Path) {
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    };
    for entry in walk(&root().join("policies")) {
        let relative = entry.strip_prefix(root()).unwrap();
        copy(&entry, &dir.join(relative));
    }
    for (name, built) in [
        ("search-thresholds", artifacts::SEARCH_THRESHOLDS),
        ("notification-texts", artifacts::NOTIFICATION_TEXTS),
        ("web-merge-rules", artifacts::WEB_MERGE_RULES),
        ("sync-service-connector", artifacts::SYNC_SERVICE_CONNECTOR),
        ("cautious-search", artifacts::CAUTIOUS_SEARCH),
    ] {
        copy(Path::new(built), &dir.join(format!("plugins/{name}.wasm")));
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|entry| {
            let path = entry.unwrap().path();
            if path.is_dir() { walk(&path) } else { vec![path] }
        })
        .collect()
}

/// The binary `cargo run -p <package> [--bin <name>] --` runs: the one this build made.
fn binary(words: &[String]) -> (PathBuf, usize) {
    let host = PathBuf::from(env!("CARGO_BIN_EXE_pos-host"));
    let separator = words.iter().position(|w| w == "--").expect("`cargo run ... --`");
    let name = match words.iter().position(|w| w == "--bin") {
        Some(bin) => words[bin + 1].clone(),
        None => words[words.iter().position(|w| w == "-p").unwrap() + 1].clone(),
    };
    let path = host.with_file_name(&name);
    assert!(
        path.exists(),
        "{} is not built: `cargo test --workspace` builds it, or `cargo build --bin {name}`",
        path.display()
    );
    (path, separator + 1)
}

#[test]
fn the_command_line_walk_through_works_as_written() {
    let lines = walk_through();
    assert_eq!(lines.len(), EXPECTED.len(), "the walk-through changed; say here what each line prints:\n{lines:#?}");
    let dir = tempfile::tempdir().unwrap();
    checkout(dir.path());
    let database = dir.path().join("pos.sqlite");
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    // The simulator's data file, which it would reuse from an earlier run, and the API
    // token file are the test's own; compiled plugins come from the tests' shared cache.
    env.insert("TMPDIR".into(), dir.path().display().to_string());
    env.insert("POS_HOST_TOKEN_FILE".into(), dir.path().join("api-token").display().to_string());
    env.insert("POS_HOST_CACHE_DIR".into(), shared_cache().display().to_string());
    env.insert("NO_COLOR".into(), "1".into());
    let mut running = Vec::new();
    for (line, (start, expected)) in lines.iter().zip(EXPECTED) {
        let (words, background) = words(line);
        let words: Vec<String> =
            words.iter().map(|w| w.replace("/tmp/pos.sqlite", database.to_str().unwrap())).collect();
        match words[0].as_str() {
            "cargo" if words[1] == "xtask" => {
                assert_eq!(words[1..], ["xtask", "plugins"], "{line}");
                assert!(dir.path().join("plugins/web-merge-rules.wasm").exists());
                continue;
            }
            "export" => {
                for assignment in &words[1..] {
                    let (name, value) = assignment.split_once('=').unwrap_or_else(|| panic!("{line}"));
                    env.insert(name.into(), value.into());
                }
                assert!(line.contains(start), "`{line}` is not `{start}`");
                continue;
            }
            "cargo" => {}
            other => panic!("`{other}` in the walk-through: the test knows cargo and export"),
        }
        let (program, first_arg) = binary(&words);
        let args = &words[first_arg..];
        let shown = format!("{} {}", program.file_name().unwrap().to_string_lossy(), args.join(" "));
        assert!(shown.contains(start) || args.join(" ").starts_with(start), "`{line}` is not `{start}`");
        let mut command = Command::new(&program);
        command.args(args).current_dir(dir.path()).envs(&env).stdin(Stdio::null());
        if background {
            let mut child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
            let stdout = child.stdout.take().unwrap();
            running.push(Running(child));
            let (ready, wait) = mpsc::channel();
            let wanted: &'static str = expected;
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if line.contains(wanted) {
                        let _ = ready.send(line);
                    }
                }
            });
            // A bound for a process that never gets ready, not a pause: the line ends it.
            wait.recv_timeout(Duration::from_secs(300))
                .unwrap_or_else(|_| panic!("`{line}` never printed `{expected}`"));
            continue;
        }
        let output = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "`{line}` failed: {:?}\n{stdout}\n{stderr}", output.status);
        assert!(stdout.contains(expected), "`{line}` did not print `{expected}`:\n{stdout}\n{stderr}");
        assert!(!stderr.contains("WARN") && !stderr.contains("ERROR"), "`{line}` warned:\n{stderr}");
    }
}
