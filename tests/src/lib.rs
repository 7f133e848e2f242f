//! Helpers shared by the integration tests and benchmarks: the built plugin and fixture
//! components, a compilation cache shared by every test, and loading shortcuts.

use pos_host::bindings::local_db::DbError;
use pos_host::bindings::{Customer, Origin, SearchQuery};
use pos_host::caps::{Capabilities, LocalDb};
use pos_host::erp::PluginConnector;
use pos_host::policy::PluginConfig;
use pos_host::runtime::{LoadError, LoadedPlugin, PluginSpec, Runtime, SlotKind};
use pos_host::{Capability, Plugins, Policy};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub mod js_plugin;
pub mod losing_proxy;
pub mod openapi;
pub mod served;
pub mod sim;
pub mod tryton;
pub mod webdriver;

/// Paths of the components built by the build script.
pub mod artifacts {
    include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
}

/// Policy text whose shipped plugin paths (`../plugins/x.wasm` in `policies/default.toml`,
/// `../../plugins/x.wasm` in a client policy) point at the components the build script built,
/// so that a copy of a shipped policy loads even when `plugins/*.wasm` were never built.
pub fn with_built_plugins(text: &str) -> String {
    let built = [
        ("search-thresholds", artifacts::SEARCH_THRESHOLDS),
        ("notification-texts", artifacts::NOTIFICATION_TEXTS),
        ("web-merge-rules", artifacts::WEB_MERGE_RULES),
        ("sync-service-connector", artifacts::SYNC_SERVICE_CONNECTOR),
        ("cautious-search", artifacts::CAUTIOUS_SEARCH),
    ];
    built.iter().fold(text.to_owned(), |text, (name, path)| {
        text.replace(&format!("\"../plugins/{name}.wasm\""), &format!("{path:?}"))
            .replace(&format!("\"../../plugins/{name}.wasm\""), &format!("{path:?}"))
    })
}

/// The workspace root.
/// Shows a `pos-host` command's output on the test's stderr, which the test harness prints
/// when the test fails.
pub fn show_output(args: &[&str], output: &std::process::Output) {
    eprintln!(
        "$ pos-host {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        head_of(&output.stdout),
        head_of(&output.stderr)
    );
}

/// The start of a command's output: a failing test's report keeps the panic's message in
/// view, which a long listing printed by every command before it pushed out.
fn head_of(bytes: &[u8]) -> String {
    const SHOWN: usize = 2_000;
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}\n[… {} more bytes]\n", &text[..cut], text.len() - cut),
        None => text.into_owned(),
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

/// One compilation cache for every test, so that each plugin is compiled once per run.
pub fn shared_cache() -> PathBuf {
    root().join("target/plugin-cache")
}

/// A runtime with `caps` and the shared cache.
pub fn runtime(caps: Capabilities) -> Runtime {
    Runtime::new(caps, Some(shared_cache())).expect("the runtime starts")
}

/// A spec for `path` with `grants` and a config table written in TOML.
pub fn spec(path: &str, grants: &[Capability], config_toml: &str) -> PluginSpec {
    PluginSpec { grants: grants.to_vec(), config: Arc::new(config(config_toml)), ..PluginSpec::new(path) }
}

/// A config table as the policy would pass it, from TOML text such as `a = 1`.
pub fn config(config_toml: &str) -> PluginConfig {
    let text = format!("[slots.search-policy]\nplugin = \"x.wasm\"\n[slots.search-policy.config]\n{config_toml}\n");
    let policy = Policy::parse(Path::new("test.toml"), &text).expect("the test config parses");
    policy.slots.into_iter().next().unwrap().config
}

/// Loads `spec` for slot `K` on `runtime`.
pub async fn load<K: SlotKind>(runtime: &Runtime, spec: &PluginSpec) -> Result<LoadedPlugin<K>, LoadError> {
    runtime.load::<K>(spec).await
}

/// The ERP connector a policy's text names, loaded with a runtime of its own, and the plugins
/// that keep it loaded (for benchmarks, which call the connector directly).
pub async fn connector(policy_text: &str, timeout: Duration) -> (Arc<PluginConnector>, Arc<Plugins>) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, policy_text).expect("the policy is written");
    let policy = Policy::load(&path).unwrap_or_else(|e| panic!("the policy loads: {e}"));
    let runtime = runtime(Capabilities::default());
    let plugins = Arc::new(Plugins::load(&runtime, &policy).await.unwrap_or_else(|e| panic!("{e:?}")));
    let connector = Arc::new(PluginConnector::new(timeout));
    connector.attach(&plugins);
    (connector, plugins)
}

/// A policy whose ERP is the data synchronization service at `url`, reached through the
/// shipped connector, for workstation `POS-01`.
pub fn sync_service_policy(url: &str) -> String {
    format!(
        "[host]\nworkstation = \"POS-01\"\n[host.erp]\nurl = {url:?}\n[slots.erp-connector]\nplugin = {:?}\n",
        artifacts::SYNC_SERVICE_CONNECTOR
    )
}

/// A local customer for merge tests.
pub fn customer(number: Option<&str>, first: &str, last: &str) -> Customer {
    Customer {
        number: number.map(String::from),
        web_id: None,
        first_name: first.into(),
        last_name: last.into(),
        company: None,
        tax_id: None,
        email: None,
        phone: None,
        street: None,
        postal_code: None,
        city: Some("Kraków".into()),
        country: Some("PL".into()),
        active: true,
        origin: Origin::Local,
        version: 3,
        updated_at: 1_700_000_000_000,
        previewable: true,
        editable: true,
    }
}

/// A web shop registration for merge tests.
pub fn web_customer(web_id: &str, number: Option<&str>, first: &str, last: &str) -> Customer {
    Customer {
        web_id: Some(web_id.into()),
        origin: Origin::Web,
        email: Some("klant@example.nl".into()),
        ..customer(number, first, last)
    }
}

/// A local database that has gone away: every lookup fails.
pub struct GoneLocalDb;

#[async_trait::async_trait]
impl LocalDb for GoneLocalDb {
    async fn search(&self, _query: &SearchQuery, _limit: u32) -> Result<Vec<Customer>, DbError> {
        Err(DbError::Unavailable("the disk is gone".into()))
    }

    async fn get(&self, _number: &str) -> Result<Option<Customer>, DbError> {
        Err(DbError::Unavailable("the disk is gone".into()))
    }

    async fn find_by_last_name(&self, _last_name: &str, _limit: u32) -> Result<Vec<Customer>, DbError> {
        Err(DbError::Unavailable("the disk is gone".into()))
    }
}

/// The `pos-host` binary of this build, built first when it is missing or older than the
/// host's sources (`cargo test --workspace` builds it; `-p pos-tests` alone does not).
pub fn pos_host_binary() -> &'static Path {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("POS_HOST_BIN") {
            return PathBuf::from(path);
        }
        let exe = std::env::current_exe().unwrap();
        // target/<profile>/deps/all-<hash>
        let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_owned();
        let binary = profile_dir.join(format!("pos-host{}", std::env::consts::EXE_SUFFIX));
        let built = std::fs::metadata(&binary).and_then(|m| m.modified()).ok();
        let sources = newest_change(&[root().join("host/src"), root().join("host/Cargo.toml"), root().join("wit")]);
        if built.is_none_or(|built| built < sources) {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut build = std::process::Command::new(cargo);
            build.args(["build", "--package", "pos-host", "--bin", "pos-host"]).current_dir(root());
            match profile_dir.file_name().and_then(|n| n.to_str()) {
                Some("debug") | None => {}
                Some("release") => {
                    build.arg("--release");
                }
                Some(profile) => {
                    build.args(["--profile", profile]);
                }
            }
            let status = build.status().expect("cargo runs");
            assert!(status.success(), "building pos-host failed");
        }
        binary
    })
}

/// When the newest file under `paths` was changed.
fn newest_change(paths: &[PathBuf]) -> std::time::SystemTime {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    let mut pending = paths.to_vec();
    while let Some(path) = pending.pop() {
        let Ok(metadata) = std::fs::metadata(&path) else { continue };
        if metadata.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if let Ok(modified) = metadata.modified() {
            newest = newest.max(modified);
        }
    }
    newest
}
