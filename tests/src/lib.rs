//! Helpers shared by the integration tests and benchmarks: the built plugin and fixture
//! components, a compilation cache shared by every test, and loading shortcuts.

use pos_host::caps::Capabilities;
use pos_host::policy::PluginConfig;
use pos_host::runtime::{LoadError, LoadedPlugin, PluginSpec, Runtime, SlotKind};
use pos_host::{Capability, Policy};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod js_plugin;
pub mod served;
pub mod sim;
pub mod tryton;
pub mod webdriver;

/// Paths of the components built by the build script.
pub mod artifacts {
    include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
}

/// The workspace root.
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
