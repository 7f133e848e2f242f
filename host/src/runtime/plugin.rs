//! Loading a plugin for a slot (every check, compile through the cache, `InstancePre`, the
//! plugin's own config validation) and calling it in a fresh store.

use super::Runtime;
use super::background;
use super::cache::Compiled;
use super::call::{CallEnv, CallFailure, CallState, new_store};
use super::egress::Egress;
use super::error::{LoadError, LoadProblem};
use super::inspect::{self, ImportReport};
use super::integrity::Integrity;
use super::kind::SlotKind;
use super::limits::Limits;
use crate::caps::{Capabilities, CapsView, Connection, PluginConfig};
use crate::contract::{Capability, Version};
use crate::files::{self, MAX_PLUGIN_BYTES};
use crate::metrics::PluginMeter;
use crate::recording::RecordedCall;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::{Engine, Store};

/// What to load for a slot.
#[derive(Clone, Debug)]
pub struct PluginSpec {
    /// The component file.
    pub path: PathBuf,
    /// The capabilities the slot grants.
    pub grants: Vec<Capability>,
    /// The slot's config table.
    pub config: Arc<PluginConfig>,
    /// The limits of every call.
    pub limits: Limits,
    /// The policy file the spec comes from, named in errors.
    pub policy: Option<PathBuf>,
    /// The SHA-256 and signature the file must have.
    pub integrity: Integrity,
    /// Where the plugin may connect (`allowed-hosts`).
    pub egress: Arc<Egress>,
    /// The installation as a connector sees it; each loaded version gets a fresh copy.
    pub connection: Option<Arc<Connection>>,
}

impl PluginSpec {
    /// A spec for `path` with no grants, no config and default limits.
    pub fn new(path: impl Into<PathBuf>) -> PluginSpec {
        PluginSpec {
            path: path.into(),
            grants: Vec::new(),
            config: Arc::default(),
            limits: Limits::default(),
            policy: None,
            integrity: Integrity::default(),
            egress: Arc::default(),
            connection: None,
        }
    }
}

/// Facts about a loaded plugin.
#[derive(Clone, Debug)]
pub struct PluginInfo {
    /// The plugin's name: its file name without extension.
    pub name: Arc<str>,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// The contract version it was built against.
    pub version: Version,
    pub compiled: Compiled,
    pub compile_time: Duration,
    pub imports: Vec<ImportReport>,
    pub exports: Vec<String>,
    /// When it was loaded, in milliseconds since the Unix epoch.
    pub loaded_at_ms: u64,
}

impl PluginInfo {
    /// Whether it calls a grantable capability (`local-db`, `erp`, `ui`).
    pub fn calls_capabilities(&self) -> bool {
        self.imports.iter().any(|import| import.functions && import.capability.is_some())
    }
}

/// A plugin checked and ready to be instantiated for each call.
pub struct LoadedPlugin<K: SlotKind> {
    pub info: PluginInfo,
    /// Always `Some` until dropped (see `Drop`).
    pre: Option<K::Pre>,
    engine: Engine,
    caps: Capabilities,
    env: CallEnv,
    limits: Limits,
    /// What its calls count into; `None` while its own config is validated at the load.
    meter: Option<PluginMeter>,
}

impl Runtime {
    /// Loads `spec` for slot `K`: reads, checks, compiles (or takes the cache), links, and
    /// runs the plugin's `validate-config` on its config.
    pub async fn load<K: SlotKind>(&self, spec: &PluginSpec) -> Result<LoadedPlugin<K>, LoadError> {
        let fail = |problem| LoadError { path: spec.path.clone(), slot: K::ID.name(), problem };
        let bytes = files::read_async(&spec.path, MAX_PLUGIN_BYTES).await.map_err(|e| fail(LoadProblem::Read(e)))?;
        inspect::check_header(&bytes).map_err(fail)?;
        let sha256 = super::sha256_hex(&bytes);
        spec.integrity.check(&spec.path, &bytes, &sha256).map_err(fail)?;
        let engine = self.engine.clone();
        let cache = self.cache.clone();
        let size = bytes.len() as u64;
        // Reading the cache and compiling are CPU-bound; keep them off the async worker threads.
        let report = tokio::task::spawn_blocking(move || cache.load_or_compile(&engine, &bytes, sha256))
            .await
            .map_err(|e| fail(LoadProblem::Invalid(format!("compiler task failed: {e}"))))?
            .map_err(|e| fail(LoadProblem::Invalid(format!("{e:#}"))))?;
        let component = report.component;
        let version = inspect::check_exports(&self.engine, &component, K::ID).map_err(fail)?;
        let imports =
            inspect::check_imports(&self.engine, &component, K::ID, version, &spec.grants, spec.policy.as_deref())
                .map_err(fail)?;
        let instance_pre =
            self.linker.instantiate_pre(&component).map_err(|e| fail(LoadProblem::Instantiate(format!("{e:#}"))))?;
        let pre = K::pre(instance_pre, version).map_err(|e| fail(LoadProblem::Instantiate(format!("{e:#}"))))?;
        let name: Arc<str> = spec.path.file_stem().map_or("plugin".into(), |s| s.to_string_lossy().into());
        let exports = component.component_type().exports(&self.engine).map(|(n, _)| n.to_owned()).collect();
        let mut plugin = LoadedPlugin {
            info: PluginInfo {
                name,
                path: spec.path.clone(),
                size,
                sha256: report.sha256,
                version,
                compiled: report.compiled,
                compile_time: report.elapsed,
                imports,
                exports,
                loaded_at_ms: super::now_ms(),
            },
            pre: Some(pre),
            engine: self.engine.clone(),
            caps: self.caps.clone(),
            env: CallEnv {
                config: spec.config.clone(),
                egress: spec.egress.clone(),
                connection: spec.connection.as_deref().map(|c| Arc::new(c.fresh())),
            },
            limits: spec.limits,
            meter: None,
        };
        let entries = spec.config.entries();
        let verdict = plugin
            .call(|store, bindings| K::validate_config(store, bindings, entries))
            .await
            .map_err(|failure| fail(LoadProblem::Instantiate(format!("validate-config {failure}"))))?;
        if let Err(errors) = verdict {
            let mut problems: Vec<String> =
                errors.iter().map(|e| spec.config.describe_error(&e.key, &e.message)).collect();
            // An empty refusal would be reported as no problem at all, and a policy check would
            // pass; a JavaScript plugin whose `validateConfig` throws an `Error` refuses so.
            if problems.is_empty() {
                problems.push(
                    spec.config.describe_error("", "refused by the plugin's validate-config, which named no problem"),
                );
            }
            return Err(fail(LoadProblem::Config(problems)));
        }
        if self.measured {
            plugin.meter = Some(self.metrics.plugin(K::ID.name(), &plugin.info.name, &plugin.info.sha256));
        }
        Ok(plugin)
    }
}

impl<K: SlotKind> LoadedPlugin<K> {
    /// The config the plugin is called with.
    pub fn config(&self) -> &Arc<PluginConfig> {
        &self.env.config
    }

    /// The same plugin with the questions it asks through `ui` answered by `operator`: a
    /// shadow plugin's never reach the till.
    pub fn answered_by(mut self, operator: Arc<dyn crate::caps::Operator>) -> Self {
        self.caps.operator = operator;
        self
    }

    /// What its calls count into.
    pub fn meter(&self) -> Option<&PluginMeter> {
        self.meter.as_ref()
    }

    /// Runs `hook` on a fresh instance in a fresh store with the slot's limits.
    pub async fn call<R, F, Fut>(&self, hook: F) -> Result<R, CallFailure>
    where
        F: FnOnce(Store<CallState>, K::Bindings) -> Fut,
        Fut: Future<Output = (Store<CallState>, wasmtime::Result<R>)>,
    {
        self.call_recording(hook, false).await.0
    }

    /// [`LoadedPlugin::call`], with the capability calls `hook` made and their answers when
    /// `record`.
    pub async fn call_recording<R, F, Fut>(&self, hook: F, record: bool) -> (Result<R, CallFailure>, Vec<RecordedCall>)
    where
        F: FnOnce(Store<CallState>, K::Bindings) -> Fut,
        Fut: Future<Output = (Store<CallState>, wasmtime::Result<R>)>,
    {
        let started = Instant::now();
        let (mut store, output) =
            new_store(&self.engine, self.info.name.clone(), self.caps.clone(), &self.env, self.limits);
        if record {
            store.data_mut().caps().recorded = Some(Vec::new());
        }
        let pre = self.pre.as_ref().expect("a plugin has its InstancePre until dropped");
        let (mut store, result) = match K::instantiate(pre, &mut store).await {
            Ok(bindings) => hook(store, bindings).await,
            Err(error) => (store, Err(error.context("instantiation failed"))),
        };
        // The failure first: writing the output to the log empties it, panic message included.
        let result = result.map_err(|error| store.data().failure(&error, &output));
        store.data_mut().flush_to_log(&self.info.name, &output);
        if let Some(meter) = &self.meter {
            meter.called(started.elapsed(), self.limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0)));
        }
        (result, store.data_mut().caps().recorded.take().unwrap_or_default())
    }

    /// An instance that outlives a call, in a store with the slot's limits: what a host
    /// without per-call isolation would call. The host never does; the benchmarks measure a
    /// fresh instance against it. The caller refills the fuel between calls.
    pub async fn kept_instance(&self) -> wasmtime::Result<(Store<CallState>, K::Bindings)> {
        let (mut store, _output) =
            new_store(&self.engine, self.info.name.clone(), self.caps.clone(), &self.env, self.limits);
        let pre = self.pre.as_ref().expect("a plugin has its InstancePre until dropped");
        let bindings = K::instantiate(pre, &mut store).await?;
        Ok((store, bindings))
    }
}

impl<K: SlotKind> Drop for LoadedPlugin<K> {
    /// The last holder of a retired version may be a call on its way back to the operator:
    /// releasing the compiled code happens in the background, not in that call.
    fn drop(&mut self) {
        if let Some(pre) = self.pre.take() {
            background::release(pre);
        }
    }
}
