//! `cargo xtask js-plugin`: the plugins written in JavaScript (`plugins/js/<plugin>`), made
//! with componentize-js into `plugins/<plugin>-js.wasm`, and the JavaScript test fixtures
//! (`tests/fixtures/js/<fixture>`), into `target/fixtures/<fixture>-js.wasm`.

use crate::guest::{Guest, run_in, sha256_hex};
use std::fs;
use std::path::Path;
use std::process::Command;

/// The npm package of every JavaScript plugin, relative to the workspace root.
const PACKAGE: &str = "plugins/js";

/// One JavaScript plugin: its folder (relative to the workspace root), its source, and the WIT
/// folder and world it is built against (relative to the package), and the component it becomes
/// (relative to the workspace root).
struct JsPlugin {
    folder: &'static str,
    source: &'static str,
    wit: &'static str,
    world: &'static str,
    output: &'static str,
}

/// `notification-texts` builds against a world of its own that includes the slot's (the way
/// to add a capability); `search-thresholds` against the shipped slot world as it is. The
/// test fixtures are built here too, since they need this package: `same-last-name`, the
/// plugin guide's example of a plugin calling a capability, and `hostile-texts`, which throws.
const PLUGINS: [JsPlugin; 4] = [
    JsPlugin {
        folder: "plugins/js/notification-texts",
        source: "notification-texts/src/texts.js",
        wit: "notification-texts/wit",
        world: "plugin",
        output: "plugins/notification-texts-js.wasm",
    },
    JsPlugin {
        folder: "plugins/js/search-thresholds",
        source: "search-thresholds/src/policy.js",
        wit: "../../wit/v0.2.0",
        world: "search-policy",
        output: "plugins/search-thresholds-js.wasm",
    },
    JsPlugin {
        folder: "tests/fixtures/js/same-last-name",
        source: "../../tests/fixtures/js/same-last-name/src/rules.js",
        wit: "../../tests/fixtures/js/same-last-name/wit",
        world: "plugin",
        output: "target/fixtures/same-last-name-js.wasm",
    },
    JsPlugin {
        folder: "tests/fixtures/js/hostile-texts",
        source: "../../tests/fixtures/js/hostile-texts/src/texts.js",
        wit: "../../wit/v0.2.0",
        world: "notification-texts",
        output: "target/fixtures/hostile-texts-js.wasm",
    },
];

/// wasi:http is not provided by the host, so it and the fetch event that needs it are left
/// out of every component.
const DISABLED: [&str; 3] = ["--disable", "http", "fetch-event"];

/// Builds every JavaScript plugin whose inputs changed since it was built.
pub fn build(root: &Path) -> Result<(), String> {
    let package = root.join(PACKAGE);
    PLUGINS.iter().try_for_each(|plugin| {
        let guest = Guest {
            task: "js-plugin",
            output: plugin.output.into(),
            inputs: ["package.json", "package-lock.json", plugin.wit]
                .iter()
                .map(|input| Path::new(PACKAGE).join(input))
                .chain([plugin.folder.into()])
                .collect(),
            arguments: format!("{} {} {} {}", plugin.source, plugin.wit, plugin.world, DISABLED.join(" ")),
        };
        guest.build(root, |partial| {
            install(&package)?;
            let mut componentize = Command::new(package.join("node_modules/.bin/componentize-js"));
            componentize.arg(plugin.source).args(["--wit", plugin.wit, "--world-name", plugin.world]).args(DISABLED);
            run_in(&package, componentize.arg("-o").arg(partial), NEEDS)
        })
    })
}

/// What the JavaScript build needs installed.
const NEEDS: &str = "the JavaScript plugins need Node.js 20 or later with npm";

/// Installs the locked dependencies of the npm package in `package` when its `node_modules`
/// was not installed from this lockfile: the plugins' tools, and the tests' accessibility
/// checker (`tests/axe`).
///
/// Not `npm ci`: it refuses this lockfile, because some optional per-platform packages of
/// componentize-js's dependencies (Windows and musl builds) were never published at the versions
/// asked for, so npm leaves them out of the lockfile and `npm ci` then reports them missing.
/// `npm install --no-save` installs the locked versions and never rewrites the lockfile.
pub fn install(package: &Path) -> Result<(), String> {
    let lockfile = package.join("package-lock.json");
    let lock = fs::read(&lockfile).map_err(|e| format!("cannot read {}: {e}", lockfile.display()))?;
    let installed_from = package.join("node_modules/.installed-from-lockfile");
    if fs::read_to_string(&installed_from).is_ok_and(|hash| hash == sha256_hex(&lock)) {
        return Ok(());
    }
    // No dependency needs an install script; running none keeps the install to unpacking.
    let mut npm = Command::new("npm");
    npm.args(["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"]);
    run_in(package, &mut npm, NEEDS)?;
    fs::write(&installed_from, sha256_hex(&lock)).map_err(|e| format!("cannot write {}: {e}", installed_from.display()))
}
