//! `cargo xtask js-plugin`: the JavaScript build of the notification-texts plugin
//! (`plugins/js/notification-texts`), made with componentize-js into
//! `plugins/notification-texts-js.wasm`.
//!
//! componentize-js does not build reproducibly: every build of the same source has another
//! SHA-256, and the host caches compiled plugins by SHA-256. So the build is skipped while its
//! inputs are unchanged, and the component, with the host's cache entry for it, stays as it is.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The npm package, relative to the workspace root.
const PACKAGE: &str = "plugins/js/notification-texts";

/// The component the `js-texts` client policy names, relative to the workspace root.
const OUTPUT: &str = "plugins/notification-texts-js.wasm";

/// The componentize-js arguments before `-o`, run in the package. wasi:http is not provided by
/// the host, so it and the fetch event that needs it are left out of the component.
const COMPONENTIZE: [&str; 8] =
    ["src/texts.js", "--wit", "wit", "--world-name", "plugin", "--disable", "http", "fetch-event"];

/// What a build reads, relative to the package; the README, say, may change without a rebuild.
const INPUTS: [&str; 4] = ["package.json", "package-lock.json", "src", "wit"];

/// Builds the component unless the stamp says it was built from the same inputs.
pub fn build(root: &Path) -> Result<(), String> {
    let package = root.join(PACKAGE);
    let output = root.join(OUTPUT);
    let stamp_path = root.join("target/js-plugin/notification-texts.stamp");
    let inputs = inputs_hash(&package)?;
    if let (Ok(stamp), Ok(built)) = (fs::read_to_string(&stamp_path), fs::read(&output))
        && stamp == stamp_text(&inputs, &sha256_hex(&built))
    {
        println!("js-plugin: {OUTPUT} is up to date (inputs unchanged)");
        return Ok(());
    }
    install(&package)?;
    // Written beside its place and renamed over it, so that a host following the file never
    // loads a half-written component.
    let partial = output.with_extension("wasm.part");
    let mut componentize = Command::new(package.join("node_modules/.bin/componentize-js"));
    componentize.args(COMPONENTIZE).arg("-o").arg(&partial);
    let built = run_in(&package, &mut componentize)
        .and_then(|()| fs::read(&partial).map_err(|e| format!("cannot read {}: {e}", partial.display())))
        .and_then(|bytes| {
            fs::rename(&partial, &output)
                .map_err(|e| format!("cannot move {} to {}: {e}", partial.display(), output.display()))?;
            Ok(bytes)
        });
    let built = built.inspect_err(|_| {
        let _ = fs::remove_file(&partial);
    })?;
    let stamp_dir = stamp_path.parent().expect("the stamp lives in a directory");
    fs::create_dir_all(stamp_dir).map_err(|e| format!("cannot create {}: {e}", stamp_dir.display()))?;
    fs::write(&stamp_path, stamp_text(&inputs, &sha256_hex(&built)))
        .map_err(|e| format!("cannot write {}: {e}", stamp_path.display()))?;
    println!("js-plugin: built {OUTPUT} ({} bytes)", built.len());
    Ok(())
}

/// Installs the locked dependencies when `node_modules` was not installed from this lockfile.
///
/// Not `npm ci`: it refuses this lockfile, because some optional per-platform packages of
/// componentize-js's dependencies (Windows and musl builds) were never published at the versions
/// asked for, so npm leaves them out of the lockfile and `npm ci` then reports them missing.
/// `npm install --no-save` installs the locked versions and never rewrites the lockfile.
fn install(package: &Path) -> Result<(), String> {
    let lockfile = package.join("package-lock.json");
    let lock = fs::read(&lockfile).map_err(|e| format!("cannot read {}: {e}", lockfile.display()))?;
    let installed_from = package.join("node_modules/.installed-from-lockfile");
    if fs::read_to_string(&installed_from).is_ok_and(|hash| hash == sha256_hex(&lock)) {
        return Ok(());
    }
    // No dependency needs an install script; running none keeps the install to unpacking.
    let mut npm = Command::new("npm");
    npm.args(["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"]);
    run_in(package, &mut npm)?;
    fs::write(&installed_from, sha256_hex(&lock)).map_err(|e| format!("cannot write {}: {e}", installed_from.display()))
}

fn run_in(dir: &Path, command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command.current_dir(dir).status().map_err(|e| {
        format!(
            "cannot run {shown} in {}: {e}; the JavaScript plugin needs Node.js 20 or later with npm",
            dir.display()
        )
    })?;
    if status.success() { Ok(()) } else { Err(format!("{shown} in {} failed: {status}", dir.display())) }
}

fn stamp_text(inputs: &str, output: &str) -> String {
    format!("inputs {inputs}\noutput {output}\n")
}

/// One hash over the build's arguments and every input file's path and bytes, in a fixed order.
/// `wit/deps/pos-plugin` links to the repository's `wit/v0.2.0`, whose files are read through it.
fn inputs_hash(package: &Path) -> Result<String, String> {
    let mut files = Vec::new();
    for input in INPUTS {
        collect(&package.join(input), &mut files)?;
    }
    files.sort();
    let mut hasher = Sha256::new();
    hasher.update(COMPONENTIZE.join(" "));
    for file in files {
        let bytes = fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let name = file.strip_prefix(package).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        hasher.update(format!("\0{name}\0{}\0", bytes.len()));
        hasher.update(&bytes);
    }
    Ok(hex(&hasher.finalize()))
}

/// The files at `path`, following links.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let metadata = fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !metadata.is_dir() {
        files.push(path.to_owned());
        return Ok(());
    }
    let entries = fs::read_dir(path).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", path.display()))?;
        collect(&entry.path(), files)?;
    }
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
