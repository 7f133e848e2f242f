//! `cargo xtask js-plugin`: the plugins written in JavaScript (`plugins/js/<plugin>`), made
//! with componentize-js into `plugins/<plugin>-js.wasm`.
//!
//! componentize-js does not build reproducibly: every build of the same source has another
//! SHA-256, and the host caches compiled plugins by SHA-256. So the build is skipped while its
//! inputs are unchanged, and the component, with the host's cache entry for it, stays as it is.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The npm package of every JavaScript plugin, relative to the workspace root.
const PACKAGE: &str = "plugins/js";

/// One JavaScript plugin: its folder in the package, its source, and the WIT folder and world
/// it is built against, relative to the package.
struct JsPlugin {
    name: &'static str,
    source: &'static str,
    wit: &'static str,
    world: &'static str,
}

/// `notification-texts` builds against a world of its own that includes the slot's (the way
/// to add a capability); `search-thresholds` against the shipped slot world as it is.
const PLUGINS: [JsPlugin; 2] = [
    JsPlugin {
        name: "notification-texts",
        source: "notification-texts/src/texts.js",
        wit: "notification-texts/wit",
        world: "plugin",
    },
    JsPlugin {
        name: "search-thresholds",
        source: "search-thresholds/src/policy.js",
        wit: "../../wit/v0.2.0",
        world: "search-policy",
    },
];

/// wasi:http is not provided by the host, so it and the fetch event that needs it are left
/// out of every component.
const DISABLED: [&str; 3] = ["--disable", "http", "fetch-event"];

/// What every build reads besides its plugin's folder and WIT, relative to the package.
const SHARED_INPUTS: [&str; 2] = ["package.json", "package-lock.json"];

/// Builds every JavaScript plugin whose inputs changed since it was built.
pub fn build(root: &Path) -> Result<(), String> {
    PLUGINS.iter().try_for_each(|plugin| build_one(root, plugin))
}

/// Builds the component unless the stamp says it was built from the same inputs.
fn build_one(root: &Path, plugin: &JsPlugin) -> Result<(), String> {
    let package = root.join(PACKAGE);
    let output_name = format!("plugins/{}-js.wasm", plugin.name);
    let output = root.join(&output_name);
    let stamp_path = root.join(format!("target/js-plugin/{}.stamp", plugin.name));
    let inputs = inputs_hash(&package, plugin)?;
    if let (Ok(stamp), Ok(built)) = (fs::read_to_string(&stamp_path), fs::read(&output))
        && stamp == stamp_text(&inputs, &sha256_hex(&built))
    {
        println!("js-plugin: {output_name} is up to date (inputs unchanged)");
        return Ok(());
    }
    install(&package)?;
    // Written beside its place and renamed over it, so that a host following the file never
    // loads a half-written component.
    let partial = output.with_extension("wasm.part");
    let mut componentize = Command::new(package.join("node_modules/.bin/componentize-js"));
    componentize.arg(plugin.source).args(["--wit", plugin.wit, "--world-name", plugin.world]).args(DISABLED);
    componentize.arg("-o").arg(&partial);
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
    println!("js-plugin: built {output_name} ({} bytes)", built.len());
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

/// One hash over the build's arguments and every input file's path and bytes, in a fixed order:
/// the package's manifests, the plugin's folder and its WIT (links, such as a `wit/deps`
/// link to the repository's `wit/v0.2.0`, are followed).
fn inputs_hash(package: &Path, plugin: &JsPlugin) -> Result<String, String> {
    let mut files = Vec::new();
    for input in SHARED_INPUTS.iter().chain([&plugin.name, &plugin.wit]) {
        collect(&package.join(input), &mut files)?;
    }
    files.sort();
    files.dedup();
    let mut hasher = Sha256::new();
    hasher.update(format!("{} {} {} {}", plugin.source, plugin.wit, plugin.world, DISABLED.join(" ")));
    for file in files {
        let bytes = fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let name = file
            .strip_prefix(package.join("../.."))
            .or_else(|_| file.strip_prefix(package))
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
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
