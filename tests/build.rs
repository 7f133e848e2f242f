//! Builds the shipped plugins and the hostile fixtures for `wasm32-wasip2` and exposes their
//! paths to the tests as constants. The nested cargo gets its own target directory so that
//! it never waits on the outer build's lock.

use std::path::{Path, PathBuf};
use std::process::Command;

const PLUGINS: [&str; 6] = [
    "search-thresholds",
    "notification-texts",
    "web-merge-rules",
    "cautious-search",
    "sync-service-connector",
    "tryton-connector",
];
const FIXTURES: [&str; 5] = ["hostile-search", "hostile-texts", "hostile-connector", "ungranted", "other-version"];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().unwrap().to_owned();
    let target_dir = root.join("target/wasm");
    for watched in ["wit", "plugins/Cargo.toml", "plugins/Cargo.lock", "tests/fixtures"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    for krate in ["sdk", "seed-rules"].iter().chain(PLUGINS.iter()) {
        println!("cargo:rerun-if-changed={}", root.join("plugins").join(krate).display());
    }
    build(&root.join("plugins/Cargo.toml"), &PLUGINS, &target_dir);
    build(&root.join("tests/fixtures/Cargo.toml"), &FIXTURES, &target_dir);

    let mut constants = String::new();
    for name in PLUGINS.iter().chain(FIXTURES.iter()) {
        let path = target_dir.join("wasm32-wasip2/release").join(format!("{}.wasm", name.replace('-', "_")));
        assert!(path.is_file(), "{} was not built", path.display());
        let constant = name.replace('-', "_").to_uppercase();
        constants.push_str(&format!(
            "/// `{name}` built for wasm32-wasip2.\npub const {constant}: &str = {:?};\n",
            path.display().to_string()
        ));
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("artifacts.rs");
    std::fs::write(out, constants).unwrap();
}

fn build(manifest: &Path, packages: &[&str], target_dir: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(["build", "--release", "--target", "wasm32-wasip2", "--manifest-path"]).arg(manifest);
    command.arg("--target-dir").arg(target_dir);
    for package in packages {
        command.args(["--package", package]);
    }
    // The outer build's settings are for the host, not for WebAssembly guests.
    for var in
        ["CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET", "RUSTC_WORKSPACE_WRAPPER"]
    {
        command.env_remove(var);
    }
    let status = command.status().expect("cannot run cargo to build the WebAssembly plugins");
    if !status.success() {
        panic!(
            "building {} for wasm32-wasip2 failed ({status}); if the target is missing, run `cargo xtask setup` \
             (or `rustup target add wasm32-wasip2`)",
            manifest.display()
        );
    }
}
