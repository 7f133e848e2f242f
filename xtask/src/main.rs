//! Project tasks: `cargo xtask <task>`. Every installation step the project needs lives
//! here, so that the README's commands work on a fresh machine.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod debian;
mod demo;
mod guest;
mod js_plugin;
mod openapi_validator;
mod python_plugin;
mod tryton;
mod venv;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  demo      setup + plugins, then the simulator, the host and the operator console on loopback;
            `demo --erp tryton`: the same with a seeded Tryton server as the ERP (+ tryton)
  setup     install the wasm32-wasip2 target and Debian's libssl-dev (SQLCipher is built against it)
  plugins   build the plugins the shipped policies name into plugins/*.wasm
  tour      setup + plugins, then show the default plugins deciding the seed workflows
  js-plugin build the JavaScript plugins (plugins/js) into plugins/<plugin>-js.wasm, and the tests' into target/fixtures
  python-plugin  build the Python plugins (plugins/python) into plugins/<plugin>-py.wasm, and the tests' into target/fixtures
  tryton    install the pinned Tryton server into target/tryton/venv and make its template database
  openapi-validator  install the pinned openapi-spec-validator into target/openapi-validator
  test      setup + js-plugin + python-plugin + tryton + openapi-validator + the tests' Debian packages (Chromium, minisign, sqlite3), then every test, format check and lint (what CI runs)
  bench     setup + plugins + js-plugin + python-plugin, then the plugin call, load and host start benchmarks";

/// The plugins the shipped policies name (`policies/default.toml`, then `policies/clients/`),
/// and the ERP connectors a policy's `erp-connector` slot may name: crate name in `plugins/`,
/// and the component file the policy names.
const PLUGINS: [&str; 6] = [
    "search-thresholds",
    "notification-texts",
    "web-merge-rules",
    "cautious-search",
    "sync-service-connector",
    "tryton-connector",
];

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "demo" => demo::Erp::from_args(&std::env::args().skip(2).collect::<Vec<_>>()).and_then(|erp| {
            setup()?;
            if erp == demo::Erp::Tryton {
                tryton::install(&root())?;
            }
            plugins()?;
            demo::run(&root(), cargo, erp)
        }),
        "setup" => setup(),
        "plugins" => setup().and_then(|()| plugins()),
        "tour" => setup().and_then(|()| plugins()).and_then(|()| tour()),
        "js-plugin" => js_plugin::build(&root()),
        "python-plugin" => python_plugin::build(&root()),
        "tryton" => tryton::install(&root()),
        "openapi-validator" => openapi_validator::install(&root()).map(|_| ()),
        "test" => setup()
            .and_then(|()| guests())
            .and_then(|()| tryton::install(&root()))
            .and_then(|()| openapi_validator::install(&root()))
            .and_then(|_| test()),
        "bench" => setup().and_then(|()| plugins()).and_then(|()| guests()).and_then(|()| bench()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask {task}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned()
}

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command.current_dir(root()).status().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed: {status}")) }
}

fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    if std::env::var_os("CI").is_some() {
        // A CI run builds once: incremental state would only add to the space the build takes.
        cargo.env("CARGO_INCREMENTAL", "0");
    }
    cargo
}

/// Installs the WebAssembly target the plugins are built for, and OpenSSL's headers the
/// host's SQLCipher is built against.
fn setup() -> Result<(), String> {
    debian::install_build()?;
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("cannot run rustup (the Rust toolchain installer is required): {e}"))?;
    if String::from_utf8_lossy(&installed.stdout).lines().any(|t| t.trim() == "wasm32-wasip2") {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-wasip2"]))
}

/// Builds the plugins and copies them where the shipped policies expect them.
fn plugins() -> Result<(), String> {
    let target_dir = root().join("target/wasm");
    let mut build = cargo();
    build.args(["build", "--release", "--target", "wasm32-wasip2", "--manifest-path", "plugins/Cargo.toml"]);
    build.arg("--target-dir").arg(&target_dir);
    for plugin in PLUGINS {
        build.args(["--package", plugin]);
    }
    run(&mut build)?;
    for plugin in PLUGINS {
        let built = target_dir.join("wasm32-wasip2/release").join(format!("{}.wasm", plugin.replace('-', "_")));
        let dest = root().join("plugins").join(format!("{plugin}.wasm"));
        std::fs::copy(&built, &dest)
            .map_err(|e| format!("cannot copy {} to {}: {e}", built.display(), dest.display()))?;
    }
    Ok(())
}

/// The plugins in other languages and what the tests run beside them: the JavaScript and
/// Python plugins, and axe-core for the console's accessibility test.
fn guests() -> Result<(), String> {
    js_plugin::build(&root())?;
    js_plugin::install(&root().join("tests/axe"))?;
    python_plugin::build(&root())
}

fn tour() -> Result<(), String> {
    run(cargo().args(["run", "--quiet", "--package", "pos-host", "--", "tour"]))
}

fn test() -> Result<(), String> {
    // Programs the tests run: Chromium for the browser tests, minisign to sign plugins,
    // sqlite3 to fail to read an encrypted database.
    debian::install()?;
    run(cargo().args(["test", "--workspace"]))?;
    // The plugins' own unit tests, on the machine's target: the rules and the connectors'
    // mappings.
    run(cargo().args(["test", "--manifest-path", "plugins/Cargo.toml"]).args([
        "--package",
        "pos-seed-rules",
        "--package",
        "tryton-connector",
        "--package",
        "sync-service-connector",
    ]))?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    for guests in ["plugins/Cargo.toml", "tests/fixtures/Cargo.toml"] {
        run(cargo().args(["fmt", "--all", "--check", "--manifest-path", guests]))?;
        run(cargo().args(["clippy", "--workspace", "--manifest-path", guests, "--target", "wasm32-wasip2"]).args([
            "--target-dir",
            "target/wasm",
            "--",
            "-D",
            "warnings",
        ]))?;
    }
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // The embedding API is documented; a broken link or example fails here.
    run(cargo()
        .args(["doc", "--no-deps", "--package", "pos-host", "--package", "pos-seed-rules"])
        .env("RUSTDOCFLAGS", "-D warnings"))
}

fn bench() -> Result<(), String> {
    run(cargo().args(["bench", "--package", "pos-tests", "--bench", "plugin_calls", "--bench", "startup"]))
}
