//! A host that follows its files: the policy (and the files it extends) and the plugins it
//! names are watched, and a change is loaded, checked and test-instantiated completely
//! before it is swapped in, all slots at once. A change that fails keeps the last good
//! version serving and says why; a new plugin version whose first calls fail is rolled
//! back on its own (see [`Slot::replace_on_probation`]).

mod recording;
mod shadows;
mod status;
mod watch;

pub use status::{Outcome, PluginVersion, ReloadRecord, SlotStatus, Status, WatchedFile};
pub use watch::Watching;

use crate::bindings::ConfigEntry;
use crate::caps::PluginConfig;
use crate::caps::connection::SecretSource;
use crate::contract::Capability;
use crate::files::{self, MAX_PLUGIN_BYTES};
use crate::policy::{Policy, PolicyErrors, SlotPolicy};
use crate::runtime::{
    AllowedHost, Compiling, Integrity, Limits, LoadError, LoadedPlugin, Runtime, Slot, SlotKind, check_header, now_ms,
    sha256_hex,
};
use crate::slots::{KindVisitor, Plugins, SlotId, SlotVisitor, with_kind};
use arc_swap::ArcSwap;
use futures_util::StreamExt;
use futures_util::future::{BoxFuture, join_all};
use futures_util::stream::FuturesUnordered;
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How many calls a new plugin version must get through before it is trusted; one failure
/// among them rolls it back.
pub const PROBATION_CALLS: u32 = 3;

/// How many reloads the history keeps.
const HISTORY: usize = 100;

/// What decides whether a slot must be reloaded: the plugin file's content and everything
/// the policy says about the slot.
#[derive(Clone, Debug, PartialEq)]
struct SlotSource {
    path: PathBuf,
    sha256: String,
    grants: Vec<Capability>,
    config: Vec<ConfigEntry>,
    limits: Limits,
    integrity: Integrity,
    /// The signature file's SHA-256, when the policy requires signatures: a new signature
    /// loads the plugin again.
    signature_sha256: Option<String>,
    allowed_hosts: Vec<AllowedHost>,
    secrets: Vec<(String, SecretSource)>,
    /// For the ERP connector, what its connection is made of: `host.erp.url`,
    /// `host.workstation` and `host.erp.timeout-ms`.
    connection: Option<(Option<String>, String, u64)>,
}

impl SlotSource {
    /// What `slot` (a slot's table of `policy`, or its shadow's) is loaded from now, and the
    /// plugin file's bytes.
    async fn read(slot: &SlotPolicy, policy: &Policy) -> Result<(SlotSource, Vec<u8>), Vec<String>> {
        let bytes = files::read_async(&slot.plugin, MAX_PLUGIN_BYTES).await.map_err(|error| {
            vec![format!(
                "{}: {}.plugin: cannot read {}: {error}",
                slot.plugin_location,
                slot.key,
                slot.plugin.display()
            )]
        })?;
        let source = SlotSource {
            path: slot.plugin.clone(),
            sha256: sha256_hex(&bytes),
            grants: slot.grants.clone(),
            config: slot.config.entries(),
            limits: slot.limits,
            integrity: slot.integrity.clone(),
            signature_sha256: match slot.integrity.trusted_keys.is_empty() {
                true => None,
                false => {
                    let signature = slot.integrity.signature_of(&slot.plugin);
                    files::read_async(&signature, files::MAX_SMALL_FILE_BYTES).await.ok().map(|b| sha256_hex(&b))
                }
            },
            allowed_hosts: slot.allowed_hosts.clone(),
            secrets: slot.secrets.clone(),
            connection: (slot.slot == SlotId::ErpConnector).then(|| {
                let host = &policy.host;
                (host.erp.url.clone(), host.workstation.clone(), host.erp.timeout_ms)
            }),
        };
        Ok((source, bytes))
    }
}

/// Whether a host's start waits for the compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Startup {
    /// Every plugin is loaded before the start returns, compiled if it must be: what a
    /// command that decides once and exits wants.
    WaitForPlugins,
    /// A plugin the compilation cache does not hold yet is compiled in the background
    /// (seconds for a JavaScript or Python component); until it is ready its slot's
    /// fallback decides, with the slot's config, and the status says so. What a till
    /// wants: it serves at once.
    CompileInBackground,
}

/// Changes made to every version of the policy as it is read, such as a command line's
/// `--erp-url`.
pub type Overrides = Box<dyn Fn(&mut Policy) + Send + Sync>;

/// The policy, the plugins it names, and the history of reloads.
pub struct LiveHost {
    runtime: Runtime,
    overrides: Overrides,
    policy: ArcSwap<Policy>,
    plugins: Arc<Plugins>,
    sources: Mutex<HashMap<SlotId, SlotSource>>,
    /// What each slot's shadow runs, the same way.
    shadow_sources: Mutex<HashMap<SlotId, shadows::ShadowSource>>,
    history: Mutex<VecDeque<ReloadRecord>>,
    /// How many reloads have been recorded since the start, for those who wait for one.
    reloads: tokio::sync::watch::Sender<usize>,
    /// One reload at a time.
    reloading: tokio::sync::Mutex<()>,
}

/// Why a host could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Policy(#[from] PolicyErrors),
    #[error("{}", .0.join("\n"))]
    Plugins(Vec<String>),
}

impl LiveHost {
    /// Loads the policy at `path` and its plugins; every problem is reported.
    pub async fn start(runtime: Runtime, path: &Path) -> Result<Arc<LiveHost>, StartError> {
        LiveHost::start_with(runtime, Policy::load(path)?, Box::new(|_| {}), Startup::WaitForPlugins).await
    }

    /// Starts with `policy`, already read and overridden, and applies `overrides` to every
    /// version read later. With [`Startup::CompileInBackground`], a plugin refused once
    /// compiled is reported in the reload history and the log, and its slot's fallback
    /// goes on deciding.
    pub async fn start_with(
        runtime: Runtime,
        policy: Policy,
        overrides: Overrides,
        startup: Startup,
    ) -> Result<Arc<LiveHost>, StartError> {
        let policy = Arc::new(policy);
        let plugins = Plugins::default();
        struct Measure<'a>(&'a crate::metrics::Metrics);
        impl SlotVisitor for Measure<'_> {
            fn visit<K: SlotKind>(&mut self, slot: &Slot<K>) {
                slot.measure(self.0.slot(K::ID.name()));
            }
        }
        plugins.visit(&mut Measure(runtime.metrics()));
        let host = LiveHost {
            runtime,
            overrides,
            plugins: Arc::new(plugins),
            policy: ArcSwap::new(policy.clone()),
            sources: Mutex::default(),
            shadow_sources: Mutex::default(),
            history: Mutex::default(),
            reloads: tokio::sync::watch::Sender::new(0),
            reloading: tokio::sync::Mutex::new(()),
        };
        let staged = host.stage(&policy, startup).await;
        if !staged.problems.is_empty() {
            return Err(StartError::Plugins(staged.problems));
        }
        let beside = host.beside(&policy).await.map_err(StartError::Plugins)?;
        let awaiting = staged.awaits_compiler();
        if awaiting {
            tracing::info!("serving before every plugin is compiled: {}", staged.describe().join("; "));
        }
        host.commit(policy, staged, beside, 0);
        let host = Arc::new(host);
        if awaiting {
            let host = host.clone();
            tokio::spawn(async move { host.finish_start().await });
        }
        Ok(host)
    }

    /// Loads the plugins the start left to the compiler and puts each in service as soon as
    /// it is ready (a Rust plugin does not wait for a JavaScript one's compile); one that is
    /// refused leaves its slot to the fallback.
    async fn finish_start(&self) {
        let _one_at_a_time = self.reloading.lock().await;
        let started = Instant::now();
        let policy = self.policy();
        let sources = self.sources();
        let mut staging: FuturesUnordered<_> =
            self.staging(&policy, &sources, Startup::WaitForPlugins).into_iter().collect();
        let (mut changes, mut problems) = (Vec::new(), Vec::new());
        while let Some(result) = staging.next().await {
            match result {
                Ok(Some(change)) => {
                    let change_is = format!("{}, compiled after the start", change.describe());
                    change.commit(&self.plugins, &mut self.sources.lock().unwrap_or_else(|p| p.into_inner()), 0);
                    tracing::info!("{change_is}");
                    changes.push(change_is);
                }
                Ok(None) => {}
                Err(refused) => problems.extend(refused),
            }
        }
        struct StopWaiting;
        impl SlotVisitor for StopWaiting {
            fn visit<K: SlotKind>(&mut self, slot: &Slot<K>) {
                if let Some(plugin) = slot.compiling() {
                    tracing::warn!(plugin = plugin.name, "refused once compiled; the built-in fallback keeps deciding");
                    slot.stop_waiting();
                }
            }
        }
        self.plugins.visit(&mut StopWaiting);
        // Each slot's plugin is independent at a start: those that loaded serve even when
        // another was refused.
        let outcome = match (changes.is_empty(), problems.is_empty()) {
            (false, _) => Outcome::Applied,
            (true, false) => Outcome::Failed,
            (true, true) => Outcome::Unchanged,
        };
        let record = ReloadRecord {
            at_ms: now_ms(),
            trigger: Vec::new(),
            outcome,
            changes,
            problems,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        };
        self.record(record);
    }

    /// What the host counts into: its plugins' calls and reloads, and what the embedding adds.
    pub fn metrics(&self) -> &Arc<crate::metrics::Metrics> {
        self.runtime.metrics()
    }

    /// The slots; the same object for the host's whole life, its plugins swapped inside.
    pub fn plugins(&self) -> Arc<Plugins> {
        self.plugins.clone()
    }

    /// The policy serving now.
    pub fn policy(&self) -> Arc<Policy> {
        self.policy.load_full()
    }

    /// The files to watch: the policy's files, the plugins it names, and their signatures
    /// when it requires them.
    pub fn files(&self) -> Vec<PathBuf> {
        let policy = self.policy();
        let layers = policy.layers.files.iter().map(|f| f.path.clone());
        let signed = policy.slots.iter().filter(|s| !s.integrity.trusted_keys.is_empty());
        let signatures = signed.map(|s| s.integrity.signature_of(&s.plugin));
        layers.chain(policy.slots.iter().map(|s| s.plugin.clone())).chain(signatures).collect()
    }

    /// Reads the policy and the plugins again and swaps in whatever changed, if all of it
    /// loads; `trigger` names the files that changed, for the history.
    pub async fn reload(&self, trigger: Vec<PathBuf>) -> ReloadRecord {
        let _one_at_a_time = self.reloading.lock().await;
        let started = Instant::now();
        let record = |outcome, changes, problems| ReloadRecord {
            at_ms: now_ms(),
            trigger: trigger.clone(),
            outcome,
            changes,
            problems,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        };
        let record = match Policy::load(&self.policy().path).map(|mut policy| {
            (self.overrides)(&mut policy);
            policy
        }) {
            Err(errors) => record(Outcome::Failed, Vec::new(), errors.0.iter().map(ToString::to_string).collect()),
            Ok(policy) => {
                let staged = self.stage(&policy, Startup::WaitForPlugins).await;
                let beside = match staged.problems.is_empty() {
                    true => self.beside(&policy).await,
                    false => Err(Vec::new()),
                };
                match beside {
                    Err(problems) => record(Outcome::Failed, Vec::new(), [staged.problems, problems].concat()),
                    Ok(beside) => {
                        let mut changes = staged.describe();
                        changes.extend(beside.0.changes.iter().cloned());
                        changes.extend(beside.1.described.iter().cloned());
                        changes.extend(host_changes(&self.policy(), &policy));
                        let outcome = if changes.is_empty() { Outcome::Unchanged } else { Outcome::Applied };
                        self.commit(Arc::new(policy), staged, beside, PROBATION_CALLS);
                        record(outcome, changes, Vec::new())
                    }
                }
            }
        };
        self.record(record.clone());
        record
    }

    /// Logs `record`, counts it and adds it to the history.
    fn record(&self, record: ReloadRecord) {
        self.runtime.metrics().reloaded(record.outcome.label());
        match record.outcome {
            Outcome::Failed => {
                tracing::warn!("reload failed; the last good version keeps serving:\n{}", record.problems.join("\n"))
            }
            Outcome::Applied => tracing::info!("reloaded in {:.1} ms: {}", record.took_ms, record.changes.join("; ")),
            Outcome::Unchanged => tracing::debug!("reload: nothing changed"),
        }
        let mut history = self.history.lock().unwrap_or_else(|p| p.into_inner());
        if history.len() == HISTORY {
            history.pop_front();
        }
        history.push_back(record);
        drop(history);
        self.reloads.send_modify(|count| *count += 1);
    }

    /// Waits until no slot waits for its plugin to be compiled (see
    /// [`Startup::CompileInBackground`]).
    pub async fn compiled(&self) {
        struct AnyCompiling(bool);
        impl SlotVisitor for AnyCompiling {
            fn visit<K: SlotKind>(&mut self, slot: &Slot<K>) {
                self.0 |= slot.compiling().is_some();
            }
        }
        let compiling = || {
            let mut any = AnyCompiling(false);
            self.plugins.visit(&mut any);
            any.0
        };
        let mut reloads = self.reloads.subscribe();
        while compiling() {
            // The compile ends with a record in the history; the sender lives as long as `self`.
            let _ = reloads.changed().await;
        }
    }

    /// Waits until more than `seen` reloads have been recorded since the start, and returns
    /// the one after the first `seen` (the oldest kept, once the history has dropped it).
    pub async fn next_reload(&self, seen: usize) -> ReloadRecord {
        let mut reloads = self.reloads.subscribe();
        // The sender lives as long as `self`: waiting cannot fail.
        let total = reloads.wait_for(|count| *count > seen).await.map_or(seen + 1, |count| *count);
        let history = self.history.lock().unwrap_or_else(|p| p.into_inner());
        let dropped = total.saturating_sub(history.len());
        history.get(seen.saturating_sub(dropped)).cloned().expect("a reload was recorded")
    }

    /// Loads every slot of `policy` whose source changed, without putting anything in
    /// service.
    async fn stage(&self, policy: &Policy, startup: Startup) -> Staged {
        let sources = self.sources();
        let mut staged = Staged { changes: Vec::new(), problems: Vec::new() };
        for result in join_all(self.staging(policy, &sources, startup)).await {
            match result {
                Ok(change) => staged.changes.extend(change),
                Err(problems) => staged.problems.extend(problems),
            }
        }
        staged
    }

    /// What each slot loads (or `None` when unchanged), one future per slot.
    fn staging<'a>(
        &'a self,
        policy: &'a Policy,
        sources: &'a HashMap<SlotId, SlotSource>,
        startup: Startup,
    ) -> [SlotStaging<'a>; SlotId::ALL.len()] {
        struct Stage<'a>(&'a LiveHost, &'a Policy, &'a HashMap<SlotId, SlotSource>, Startup);
        impl<'a> KindVisitor for Stage<'a> {
            type Output = SlotStaging<'a>;
            fn visit<K: SlotKind>(self) -> Self::Output {
                let Stage(host, policy, sources, startup) = self;
                Box::pin(async move {
                    let change = host.stage_slot::<K>(policy, sources, startup).await?;
                    Ok(change.map(|change| Box::new(change) as Box<dyn Staging>))
                })
            }
        }
        SlotId::ALL.map(|id| with_kind(id, Stage(self, policy, sources, startup)))
    }

    /// What each slot serves now.
    fn sources(&self) -> HashMap<SlotId, SlotSource> {
        self.sources.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `None` when the slot is unchanged.
    async fn stage_slot<K: SlotKind>(
        &self,
        policy: &Policy,
        sources: &HashMap<SlotId, SlotSource>,
        startup: Startup,
    ) -> Result<Option<Change<K>>, Vec<String>> {
        let Some(slot) = policy.slot(K::ID) else {
            return Ok(sources.contains_key(&K::ID).then_some(Change::Remove));
        };
        let (source, bytes) = SlotSource::read(slot, policy).await?;
        if sources.get(&K::ID) == Some(&source) {
            return Ok(None);
        }
        let spec = slot.spec(&policy.path, &policy.host);
        if startup == Startup::CompileInBackground && !self.runtime.is_compiled(&source.sha256) {
            // What can be checked without the compiler is checked before the host serves.
            let refused = |problem| slot.explain(&LoadError { path: slot.plugin.clone(), slot: K::ID.name(), problem });
            check_header(&bytes).map_err(refused)?;
            spec.integrity.check(&slot.plugin, &bytes, &source.sha256).map_err(refused)?;
            let name = slot.plugin.file_stem().map_or("plugin".into(), |s| s.to_string_lossy().into_owned());
            let compiling = Compiling { name, path: source.path.clone(), sha256: source.sha256, since_ms: now_ms() };
            return Ok(Some(Change::Await(Box::new(compiling), spec.config)));
        }
        match self.runtime.load::<K>(&spec).await {
            Ok(plugin) => Ok(Some(Change::Load(Box::new(plugin), Box::new(source)))),
            Err(error) => Err(slot.explain(&error)),
        }
    }

    /// What runs beside the slots' plugins as `policy` asks: each slot's recorder and shadow.
    async fn beside(&self, policy: &Policy) -> Result<Beside, Vec<String>> {
        let recorders = recording::prepare(&self.plugins, policy)?;
        let running = self.shadow_sources.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let shadows = shadows::prepare(&self.runtime, &running, policy).await?;
        Ok((recorders, shadows))
    }

    /// Puts what `stage` and `beside` prepared in service, with the new policy.
    fn commit(&self, policy: Arc<Policy>, staged: Staged, (recorders, shadows): Beside, probation: u32) {
        let mut sources = self.sources.lock().unwrap_or_else(|p| p.into_inner());
        for change in staged.changes {
            change.commit(&self.plugins, &mut sources, probation);
        }
        recording::commit(&self.plugins, recorders);
        shadows::commit(&self.plugins, &mut self.shadow_sources.lock().unwrap_or_else(|p| p.into_inner()), shadows);
        self.policy.store(policy);
    }

    /// The current versions, counters and reload history.
    pub fn status(&self) -> Status {
        let policy = self.policy();
        let files = policy
            .layers
            .files
            .iter()
            .map(|f| WatchedFile { path: f.path.clone(), sha256: sha256_hex(f.text.as_bytes()) })
            .collect();
        struct Statuses(Vec<SlotStatus>);
        impl SlotVisitor for Statuses {
            fn visit<K: SlotKind>(&mut self, slot: &Slot<K>) {
                self.0.push(SlotStatus::of(slot));
            }
        }
        let mut slots = Statuses(Vec::new());
        self.plugins.visit(&mut slots);
        let slots = slots.0;
        let reloads = self.history.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect();
        Status { policy: policy.path.clone(), files, slots, reloads }
    }
}

/// What runs beside the slots' plugins: their recorders and shadows.
type Beside = (recording::Recorders, shadows::Shadows);

enum Change<K: SlotKind> {
    Load(Box<LoadedPlugin<K>>, Box<SlotSource>),
    /// The plugin is checked as far as it can be without compiling it; the fallback
    /// decides with its config until it is compiled.
    Await(Box<Compiling>, Arc<PluginConfig>),
    Remove,
}

/// Loading one slot: its change (`None`: unchanged), or why its plugin was refused.
type SlotStaging<'a> = BoxFuture<'a, Result<Option<Box<dyn Staging>>, Vec<String>>>;

/// What `stage` prepared, to be put in service by `commit`.
struct Staged {
    changes: Vec<Box<dyn Staging>>,
    problems: Vec<String>,
}

impl Staged {
    /// Whether a slot waits for a plugin to be compiled.
    fn awaits_compiler(&self) -> bool {
        self.changes.iter().any(|change| change.awaits_compiler())
    }

    fn describe(&self) -> Vec<String> {
        self.changes.iter().map(|change| change.describe()).collect()
    }
}

/// A slot's [`Change`], whatever the slot's kind.
trait Staging: Send {
    fn awaits_compiler(&self) -> bool;
    fn describe(&self) -> String;
    fn commit(self: Box<Self>, plugins: &Plugins, sources: &mut HashMap<SlotId, SlotSource>, probation: u32);
}

impl<K: SlotKind> Staging for Change<K> {
    fn awaits_compiler(&self) -> bool {
        matches!(self, Change::Await(..))
    }

    fn describe(&self) -> String {
        match self {
            Change::Load(plugin, source) => {
                format!("slots.{}: {} (sha256 {}…)", K::ID, plugin.info.name, &source.sha256[..12])
            }
            Change::Await(plugin, _) => format!(
                "slots.{}: {} (sha256 {}…) is being compiled; the built-in fallback decides until it is ready",
                K::ID,
                plugin.name,
                &plugin.sha256[..12]
            ),
            Change::Remove => format!("slots.{}: removed; the built-in fallback decides", K::ID),
        }
    }

    fn commit(self: Box<Self>, plugins: &Plugins, sources: &mut HashMap<SlotId, SlotSource>, probation: u32) {
        let slot = plugins.slot::<K>();
        match *self {
            Change::Remove => {
                sources.remove(&K::ID);
                slot.replace(None);
            }
            Change::Load(plugin, source) => {
                sources.insert(K::ID, *source);
                slot.replace_on_probation(*plugin, probation);
            }
            Change::Await(plugin, config) => {
                sources.remove(&K::ID);
                slot.wait_for(*plugin, config);
            }
        }
    }
}

/// The host settings that changed; those read only at start-up say so.
fn host_changes(old: &Policy, new: &Policy) -> Vec<String> {
    let (old, new) = (&old.host, &new.host);
    let mut changes = Vec::new();
    let mut compare = |key: &str, before: String, after: String, restart: bool| {
        if before != after {
            let note = if restart { " (takes effect at the next start)" } else { "" };
            changes.push(format!("host.{key}: {before} -> {after}{note}"));
        }
    };
    compare("workstation", old.workstation.clone(), new.workstation.clone(), true);
    compare("locale", old.locale.clone(), new.locale.clone(), false);
    compare("database", format!("{:?}", old.database), format!("{:?}", new.database), true);
    compare("cache-dir", format!("{:?}", old.cache_dir), format!("{:?}", new.cache_dir), true);
    compare("customers.mode", format!("{:?}", old.customers.mode), format!("{:?}", new.customers.mode), true);
    compare("erp.url", format!("{:?}", old.erp.url), format!("{:?}", new.erp.url), true);
    compare("erp.timeout-ms", old.erp.timeout_ms.to_string(), new.erp.timeout_ms.to_string(), true);
    compare("erp.online-search", old.erp.online_search.to_string(), new.erp.online_search.to_string(), false);
    compare("webshop.url", format!("{:?}", old.webshop.url), format!("{:?}", new.webshop.url), true);
    compare("webshop.timeout-ms", old.webshop.timeout_ms.to_string(), new.webshop.timeout_ms.to_string(), true);
    changes
}
