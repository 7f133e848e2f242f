//! docs/plugin-guide.md, followed as a new user would, so that the guide cannot drift from
//! the host. Every code block of the guide follows a `<!-- check: KIND ... -->` comment that
//! says how it is exercised; the blocks are taken in order, in one working directory:
//!
//! - `run [in=DIR] [status=N]`: shell commands, run with `pos-host` and `cargo` on the PATH;
//!   they must exit with N (default 0);
//! - `output`: lines the previous `run` printed, in order and adjacent unless a `...` line
//!   stands between them; `…` in a line matches anything;
//! - `serve [in=DIR]`: `pos-host serve`, started in the background for the blocks after it;
//!   after every later `run`, the host must come to serve the plugin files on disk (their
//!   SHA-256, by `pos-host status --json`): a rebuild is picked up by hot reload;
//! - `excerpt PATH`: lines found in the file, in order and adjacent between `...` lines,
//!   indentation aside; `repo:` paths are the repository's, others the working directory's
//!   (such as a generated crate's);
//! - `file PATH`: the block is written to PATH;
//! - `edit PATH`: a diff whose `-` lines PATH has, replaced by its `+` lines;
//! - `elsewhere FILE::TEST`: exercised by that test instead (the JavaScript plugin's commands
//!   need Node.js and take minutes); the test must exist.
//!
//! The address `127.0.0.1:8740` in commands is replaced by a free port. Generated crates are
//! built in the shared template target directory (see `template_target`).

use super::{cargo_program, pos_host, root, run, scrub, shared_cache, template_target};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const GUIDE: &str = "docs/plugin-guide.md";
const DEFAULT_ADDRESS: &str = "127.0.0.1:8740";

struct Block {
    /// The line of the opening fence.
    line: usize,
    check: String,
    body: String,
}

/// Every fenced block of the guide with its check; a block without one fails the test.
fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut previous = "";
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if !line.starts_with("```") {
            if !line.trim().is_empty() {
                previous = line;
            }
            continue;
        }
        let check = previous
            .trim()
            .strip_prefix("<!-- check:")
            .and_then(|rest| rest.strip_suffix("-->"))
            .unwrap_or_else(|| panic!("{GUIDE}:{}: a code block without a `<!-- check: ... -->` comment", i + 1));
        let body: Vec<&str> = lines.by_ref().map(|(_, line)| line).take_while(|line| *line != "```").collect();
        blocks.push(Block { line: i + 1, check: check.trim().to_owned(), body: body.join("\n") + "\n" });
        previous = "";
    }
    blocks
}

/// The `key=value` option of a check, such as `in=my-texts`.
fn option<'a>(words: &[&'a str], key: &str) -> Option<&'a str> {
    words.iter().find_map(|word| word.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
}

/// A following of the guide: its working directory and the host it started.
struct Session {
    work: tempfile::TempDir,
    address: String,
    path: std::ffi::OsString,
    serve: Option<(Child, PathBuf)>,
    /// The SHA-256 of the plugin the host served when it started.
    first_sha: Option<String>,
    output: String,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some((child, _)) = &mut self.serve {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Session {
    fn new() -> Session {
        let address = {
            let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            socket.local_addr().unwrap().to_string()
        };
        // `pos-host` and the `cargo` running this test come first on the PATH.
        let exe = PathBuf::from(env!("CARGO_BIN_EXE_pos-host"));
        let cargo = PathBuf::from(cargo_program());
        let mut dirs: Vec<PathBuf> = vec![exe.parent().unwrap().to_owned()];
        dirs.extend(cargo.parent().filter(|dir| !dir.as_os_str().is_empty()).map(Path::to_owned));
        dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        let path = std::env::join_paths(dirs).unwrap();
        Session {
            work: tempfile::tempdir().unwrap(),
            address,
            path,
            serve: None,
            first_sha: None,
            output: String::new(),
        }
    }

    fn dir(&self, words: &[&str]) -> PathBuf {
        self.work.path().join(option(words, "in").unwrap_or("."))
    }

    fn shell(&self, dir: &Path, script: &str) -> Command {
        let mut command = Command::new("bash");
        command.args(["-euo", "pipefail", "-c", &script.replace(DEFAULT_ADDRESS, &self.address)]);
        command.current_dir(dir).env("PATH", &self.path).env("POS_HOST_CACHE_DIR", shared_cache());
        scrub(&mut command);
        command
    }

    /// Builds every generated crate in the shared template target directory, through a
    /// `target` link, so that the paths the guide names stay the same.
    fn link_targets(&self) {
        // The database the guide serves (`target/pos.sqlite`) would outlive the run in the
        // shared directory, encrypted with a key an earlier run made: a reader starts afresh.
        for leftover in ["pos.sqlite", "pos.sqlite-wal", "pos.sqlite-shm"] {
            let _ = std::fs::remove_file(template_target().join(leftover));
        }
        for entry in std::fs::read_dir(self.work.path()).unwrap() {
            let dir = entry.unwrap().path();
            if dir.join("Cargo.toml").is_file() && !dir.join("target").exists() {
                std::fs::create_dir_all(template_target()).unwrap();
                std::os::unix::fs::symlink(template_target(), dir.join("target")).unwrap();
            }
        }
    }

    fn step(&mut self, block: &Block) {
        let words: Vec<&str> = block.check.split_whitespace().collect();
        let at = format!("{GUIDE}:{}", block.line);
        match words[0] {
            "run" => {
                self.link_targets();
                let output = run(&mut self.shell(&self.dir(&words), &block.body));
                let status: i32 = option(&words, "status").map_or(0, |s| s.parse().unwrap());
                self.output =
                    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
                assert_eq!(output.status.code(), Some(status), "{at}: the commands exit with {status}");
                if self.serve.is_some() {
                    self.wait_until_serving_what_is_on_disk(&at);
                }
            }
            "output" => expect_lines(&self.output, &block.body, &at, "the output of the commands before"),
            "serve" => self.serve(&words, block, &at),
            "excerpt" => {
                let path = match words[1].strip_prefix("repo:") {
                    Some(path) => root().join(path),
                    None => self.work.path().join(words[1]),
                };
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{at}: {}: {e}", path.display()));
                expect_lines(&text, &block.body, &at, &path.display().to_string());
            }
            "file" => std::fs::write(self.work.path().join(words[1]), &block.body).unwrap(),
            "edit" => edit(&self.work.path().join(words[1]), &block.body, &at),
            "elsewhere" => {
                let (file, test) = words[1].split_once("::").unwrap_or_else(|| panic!("{at}: expected FILE::TEST"));
                let source = std::fs::read_to_string(root().join(file)).unwrap_or_else(|e| panic!("{at}: {file}: {e}"));
                assert!(source.contains(&format!("fn {test}(")), "{at}: {file} has no test `{test}`");
            }
            other => panic!("{at}: unknown check `{other}`"),
        }
    }

    fn serve(&mut self, words: &[&str], block: &Block, at: &str) {
        let dir = self.dir(words);
        // The host's log goes to a file, shown when something fails, rather than through the
        // test's output uncaptured.
        let log = std::fs::File::create(self.work.path().join("serve.log")).unwrap();
        let mut child = self
            .shell(&dir, &format!("exec {}", block.body.trim()))
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{at}: {e}"));
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        self.serve = Some((child, dir));
        assert!(line.starts_with("pos-host: serving "), "{at}: {line}\n{}", self.serve_log());
        self.first_sha = Some(self.served(at).first().expect("the host serves a plugin").1.clone());
    }

    fn serve_log(&self) -> String {
        let log = std::fs::read_to_string(self.work.path().join("serve.log")).unwrap_or_default();
        format!("--- the log of pos-host serve\n{log}")
    }

    /// The plugin files the running host serves, with their SHA-256.
    fn served(&self, at: &str) -> Vec<(PathBuf, String)> {
        let url = format!("http://{}", self.address);
        let output = run(pos_host(self.work.path()).args(["status", "--url", &url, "--json"]));
        assert!(output.status.success(), "{at}: pos-host status answers\n{}", self.serve_log());
        let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let dir = &self.serve.as_ref().unwrap().1;
        let plugins = status["slots"].as_array().unwrap().iter().filter_map(|slot| slot["plugin"].as_object());
        plugins
            .map(|plugin| (dir.join(plugin["path"].as_str().unwrap()), plugin["sha256"].as_str().unwrap().to_owned()))
            .collect()
    }

    /// Polls the host until every plugin it serves is the file on disk: after a rebuild,
    /// until hot reload has swapped the new version in.
    fn wait_until_serving_what_is_on_disk(&self, at: &str) {
        let started = Instant::now();
        loop {
            let served = self.served(at);
            let stale: Vec<String> = served
                .iter()
                .filter(|(path, sha)| hex(&Sha256::digest(std::fs::read(path).unwrap())) != *sha)
                .map(|(path, _)| path.display().to_string())
                .collect();
            if stale.is_empty() {
                return;
            }
            let log = self.serve_log();
            assert!(started.elapsed() < Duration::from_secs(30), "{at}: the host never reloaded {stale:?}\n{log}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The host reloaded the plugin at least once along the way.
    fn assert_reloaded(&self) {
        let Some(first) = &self.first_sha else { return };
        let now = &self.served("the end of the guide")[0].1;
        assert_ne!(now, first, "the rebuilt plugin is served, not the first build");
        let url = format!("http://{}", self.address);
        let status = run(pos_host(self.work.path()).args(["status", "--url", &url, "--json"]));
        let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
        let reloads = status["reloads"].as_array().unwrap();
        assert!(reloads.iter().any(|reload| reload["outcome"] == "applied"), "{reloads:?}");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `line` matches `pattern`, where `…` matches anything; indentation aside.
fn matches(line: &str, pattern: &str) -> bool {
    let mut rest = line.trim();
    let pieces: Vec<&str> = pattern.trim().split('…').collect();
    for (i, piece) in pieces.iter().enumerate() {
        let found = if i == 0 { rest.starts_with(piece).then_some(0) } else { rest.find(piece) };
        match found {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    pattern.trim().ends_with('…') || rest.is_empty()
}

/// Checks that the lines of `pattern` appear in `text`, in order and adjacent between `...`
/// lines.
fn expect_lines(text: &str, pattern: &str, at: &str, what: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let pattern: Vec<&str> = pattern.lines().collect();
    let mut from = 0;
    for chunk in pattern.split(|line| line.trim() == "...").filter(|chunk| !chunk.is_empty()) {
        let found = (from..=lines.len().saturating_sub(chunk.len()))
            .find(|&start| chunk.iter().zip(&lines[start..]).all(|(p, line)| matches(line, p)));
        match found {
            Some(start) => from = start + chunk.len(),
            None => panic!("{at}: these lines are not in {what}:\n{}\n--- {what}:\n{text}", chunk.join("\n")),
        }
    }
}

/// Applies a diff's `-` and `+` lines (with its ` ` context) to `path`.
fn edit(path: &Path, diff: &str, at: &str) {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for line in diff.lines() {
        match line.split_at(line.len().min(1)) {
            ("-", rest) => before.push(rest),
            ("+", rest) => after.push(rest),
            (_, rest) => {
                before.push(rest);
                after.push(rest);
            }
        }
    }
    let text = std::fs::read_to_string(path).unwrap();
    let (before, after) = (before.join("\n"), after.join("\n"));
    assert!(text.contains(&before), "{at}: {} has no\n{before}", path.display());
    std::fs::write(path, text.replacen(&before, &after, 1)).unwrap();
}

#[test]
fn the_plugin_guide_works_as_written() {
    let text = std::fs::read_to_string(root().join(GUIDE)).unwrap();
    let blocks = blocks(&text);
    assert!(blocks.len() > 10, "the guide's blocks were found");
    assert!(text.contains("\n## Plugins in JavaScript\n"), "the section another guide fills");
    let mut session = Session::new();
    for block in &blocks {
        session.step(block);
    }
    session.assert_reloaded();
}

#[test]
fn a_code_block_without_a_check_is_refused() {
    let unchecked = std::panic::catch_unwind(|| blocks("text\n\n```sh\nls\n```\n"));
    assert!(unchecked.is_err());
    let checked = blocks("<!-- check: run -->\n```sh\nls\n```\n");
    assert_eq!((checked[0].line, checked[0].check.as_str(), checked[0].body.as_str()), (2, "run", "ls\n"));
    assert!(matches("compile  cold 273.7 ms, cached 2.5 ms", "compile  cold … ms, cached … ms"));
    assert!(!matches("compile  cold 273.7 ms", "compile  cold … ms, cached … ms"));
    assert!(matches("  file  policy.toml  sha256 aec510e69501…", "file  policy.toml  sha256 …"));
}
