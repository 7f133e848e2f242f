//! A plugin slot: the current plugin behind an atomic pointer, the built-in fallback, and
//! the counters of what happened.

use super::call::{CallFailure, CallState};
use super::kind::SlotKind;
use super::plugin::LoadedPlugin;
use super::shadow::Shadow;
use crate::caps::PluginConfig;
use crate::cases::{Shown, Wit};
use crate::metrics::SlotMeter;
use crate::recording::{Recorded, RecordedCall, Recorder};
use arc_swap::{ArcSwap, ArcSwapOption};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use wasmtime::Store;

/// Where a decision came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The slot's plugin.
    Plugin(Arc<str>),
    /// The built-in fallback, because the slot has no plugin.
    NoPlugin,
    /// The built-in fallback, because the slot's plugin is still being compiled.
    Compiling(Arc<str>),
    /// The built-in fallback, because the plugin failed.
    Fallback { plugin: Arc<str>, failure: CallFailure },
}

impl Source {
    /// Who decided, as an operator or an audit reads it: the plugin's name, or `built-in`.
    pub fn decided_by(&self) -> String {
        match self {
            Source::Plugin(name) => name.to_string(),
            Source::NoPlugin => "built-in".into(),
            Source::Compiling(plugin) => format!("built-in (plugin {plugin} is being compiled)"),
            Source::Fallback { plugin, .. } => format!("built-in (plugin {plugin} failed)"),
        }
    }
}

/// A decision and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Decided<T> {
    pub value: T,
    pub source: Source,
}

/// The `outcome` of a hook's span.
impl<T> crate::trace::Ended for Decided<T> {
    fn outcome(&self) -> &'static str {
        match &self.source {
            Source::Plugin(_) => "ok",
            Source::NoPlugin => "no-plugin",
            Source::Compiling(_) => "compiling",
            Source::Fallback { failure, .. } => failure.kind(),
        }
    }
}

impl<T> Decided<T> {
    /// Whether the built-in fallback decided.
    pub fn is_fallback(&self) -> bool {
        !matches!(self.source, Source::Plugin(_))
    }
}

/// What a slot has done since the host started.
#[derive(Debug, Default)]
pub struct SlotStats {
    calls: AtomicU64,
    failures: AtomicU64,
    last_failure: Mutex<Option<String>>,
    rollbacks: Mutex<Vec<Rollback>>,
}

/// A new plugin version taken out of service because one of its first calls failed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Rollback {
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The version taken out: its name and SHA-256.
    pub plugin: String,
    pub sha256: String,
    /// The plugin serving again (`None`: the built-in fallback).
    pub restored: Option<String>,
    /// The failure, described.
    pub reason: String,
}

impl SlotStats {
    /// Hook calls made to a plugin.
    pub fn calls(&self) -> u64 {
        self.calls.load(Relaxed)
    }

    /// Hook calls whose plugin failed, so that the fallback decided.
    pub fn failures(&self) -> u64 {
        self.failures.load(Relaxed)
    }

    /// The last failure, described.
    pub fn last_failure(&self) -> Option<String> {
        self.last_failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Every automatic rollback, oldest first.
    pub fn rollbacks(&self) -> Vec<Rollback> {
        self.rollbacks.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// A plugin a slot waits for while it is compiled in the background.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Compiling {
    pub name: String,
    #[schema(value_type = String)]
    pub path: std::path::PathBuf,
    pub sha256: String,
    /// Since when, in milliseconds since the Unix epoch.
    pub since_ms: u64,
}

/// A slot holding at most one plugin, swapped atomically. A version put in service with
/// [`Slot::replace_on_probation`] is rolled back to the one it replaced if any of its
/// first calls fails.
pub struct Slot<K: SlotKind> {
    current: ArcSwapOption<LoadedPlugin<K>>,
    /// The plugin being compiled for the slot while none serves yet.
    compiling: ArcSwapOption<Compiling>,
    /// The config the policy gives the slot now: what the fallback decides with when no
    /// plugin serves.
    config: ArcSwap<PluginConfig>,
    /// While `current` is on probation: the version it replaced, and how many of its
    /// calls must still succeed.
    probation: Mutex<Option<Probation<K>>>,
    stats: SlotStats,
    /// What the slot's fallbacks and rollbacks count into, once its host is measured.
    meter: OnceLock<SlotMeter>,
    /// Where the slot's calls are recorded, while it records.
    recorder: ArcSwapOption<Recorder>,
    /// The plugin called beside the live one, to compare decisions.
    shadow: ArcSwapOption<Shadow<K>>,
}

/// How a recording slot shows a call: the hook's arguments, and the decision.
pub struct Shows<'a, R> {
    inputs: &'a (dyn Fn() -> Vec<Shown> + Sync),
    answer: fn(&R) -> Shown,
}

impl<'a, R: Wit> Shows<'a, R> {
    /// Shows a call whose arguments `inputs` shows, in the order of the hook's parameters.
    pub fn new(inputs: &'a (dyn Fn() -> Vec<Shown> + Sync)) -> Shows<'a, R> {
        Shows { inputs, answer: R::show }
    }
}

struct Probation<K: SlotKind> {
    previous: Option<Arc<LoadedPlugin<K>>>,
    candidate: Arc<LoadedPlugin<K>>,
    calls_left: u32,
}

impl<K: SlotKind> Default for Slot<K> {
    fn default() -> Self {
        Slot {
            current: ArcSwapOption::empty(),
            compiling: ArcSwapOption::empty(),
            config: ArcSwap::default(),
            probation: Mutex::new(None),
            stats: SlotStats::default(),
            meter: OnceLock::new(),
            recorder: ArcSwapOption::empty(),
            shadow: ArcSwapOption::empty(),
        }
    }
}

impl<K: SlotKind> Slot<K> {
    /// A slot serving `plugin`.
    pub fn new(plugin: Option<LoadedPlugin<K>>) -> Slot<K> {
        let slot = Slot::default();
        slot.replace(plugin);
        slot
    }

    /// Counts the slot's fallbacks and rollbacks into `meter` from now on; the first call wins.
    pub fn measure(&self, meter: SlotMeter) {
        let _ = self.meter.set(meter);
    }

    /// Records the slot's calls with `recorder` from now on (`None`: stops recording).
    pub fn record_with(&self, recorder: Option<Arc<Recorder>>) {
        self.recorder.store(recorder);
    }

    /// The recorder of the slot's calls, while it records.
    pub fn recorder(&self) -> Option<Arc<Recorder>> {
        self.recorder.load_full()
    }

    /// Calls `shadow` beside the live plugin from now on (`None`: no more).
    pub fn shadow_with(&self, shadow: Option<Arc<Shadow<K>>>) {
        self.shadow.store(shadow);
    }

    /// The slot's shadow plugin, if it has one.
    pub fn shadow_plugin(&self) -> Option<Arc<Shadow<K>>> {
        self.shadow.load_full()
    }

    /// What the slot counts into, once its host is measured.
    pub fn meter(&self) -> Option<&SlotMeter> {
        self.meter.get()
    }

    /// The config the policy gives the slot now.
    pub fn config(&self) -> Arc<PluginConfig> {
        self.config.load_full()
    }

    /// The plugin serving now.
    pub fn current(&self) -> Option<Arc<LoadedPlugin<K>>> {
        self.current.load_full()
    }

    /// The plugin being compiled for the slot, while the fallback decides in its place.
    pub fn compiling(&self) -> Option<Arc<Compiling>> {
        self.compiling.load_full()
    }

    /// Has the fallback decide with `config`, the config `plugin` will get, until `plugin`
    /// is compiled and put in service (or refused, [`Slot::stop_waiting`]).
    pub fn wait_for(&self, plugin: Compiling, config: Arc<PluginConfig>) {
        *self.probation() = None;
        self.config.store(config);
        self.current.store(None);
        self.compiling.store(Some(Arc::new(plugin)));
    }

    /// The plugin waited for was refused: the fallback decides as if the slot had none.
    pub fn stop_waiting(&self) {
        self.compiling.store(None);
    }

    /// Puts `plugin` in service; calls already running finish on the previous one.
    pub fn replace(&self, plugin: Option<LoadedPlugin<K>>) -> Option<Arc<LoadedPlugin<K>>> {
        *self.probation() = None;
        self.compiling.store(None);
        self.config.store(plugin.as_ref().map(|plugin| plugin.config().clone()).unwrap_or_default());
        self.current.swap(plugin.map(Arc::new))
    }

    /// Puts `plugin` in service on probation: if one of its first `calls` calls fails, the
    /// last version that passed (or never had) probation serves again. Calls already
    /// running finish on the version they started with.
    pub fn replace_on_probation(&self, plugin: LoadedPlugin<K>, calls: u32) {
        let candidate = Arc::new(plugin);
        let mut probation = self.probation();
        self.compiling.store(None);
        self.config.store(candidate.config().clone());
        let replaced = self.current.swap(Some(candidate.clone()));
        // A version replaced while still on probation was never trusted: keep the one before.
        let previous = match probation.take() {
            Some(untrusted) => untrusted.previous,
            None => replaced,
        };
        *probation = (calls > 0).then_some(Probation { previous, candidate, calls_left: calls });
    }

    /// Whether the plugin serving now is on probation.
    pub fn on_probation(&self) -> bool {
        self.probation().is_some()
    }

    fn probation(&self) -> std::sync::MutexGuard<'_, Option<Probation<K>>> {
        self.probation.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a call of `plugin` towards its probation, rolling it back on `failure`.
    fn judge(&self, plugin: &Arc<LoadedPlugin<K>>, failure: Option<&CallFailure>) {
        let mut guard = self.probation();
        let Some(probation) = guard.as_mut().filter(|p| Arc::ptr_eq(&p.candidate, plugin)) else { return };
        match failure {
            None => {
                probation.calls_left -= 1;
                if probation.calls_left == 0 {
                    *guard = None;
                }
            }
            Some(failure) => {
                let Probation { previous, candidate, .. } = guard.take().expect("on probation");
                let restored = previous.as_ref().map(|p| p.info.name.to_string());
                if let Some(meter) = self.meter.get() {
                    meter.rolled_back();
                }
                self.current.store(previous);
                tracing::warn!(
                    slot = K::ID.name(),
                    plugin = &*candidate.info.name,
                    "the new plugin version failed one of its first calls ({failure}); rolled back to {}",
                    restored.as_deref().unwrap_or("the built-in fallback")
                );
                self.stats.rollbacks.lock().unwrap_or_else(|p| p.into_inner()).push(Rollback {
                    at_ms: super::now_ms(),
                    plugin: candidate.info.name.to_string(),
                    sha256: candidate.info.sha256.clone(),
                    restored,
                    reason: failure.to_string(),
                });
            }
        }
    }

    /// The slot's counters.
    pub fn stats(&self) -> &SlotStats {
        &self.stats
    }

    /// Asks the plugin through `hook`, checks the answer with `check`, and falls back to
    /// `fallback` when there is no plugin or it failed in any way. The fallback decides with
    /// the config of the plugin that failed, or the slot's when none serves: a client's
    /// configured values hold while its plugin fails. The whole runs in a `hook` span (at
    /// `info`) naming the slot, the hook, the plugin and its SHA-256, and the outcome: `ok`,
    /// the failure's kind, `no-plugin`, `compiling`, or `cancelled` when the call is dropped.
    ///
    /// While the slot records, a call that `shows` is recorded: its arguments, the capability
    /// calls it made with their answers, and the decision.
    pub async fn decide<R, F, Fut, Fb, FbFut>(
        &self,
        hook: &'static str,
        shows: Option<Shows<'_, R>>,
        call: F,
        check: impl FnOnce(&R) -> Result<(), String>,
        fallback: Fb,
    ) -> Decided<R>
    where
        F: FnOnce(Store<CallState>, K::Bindings) -> Fut,
        Fut: Future<Output = (Store<CallState>, wasmtime::Result<R>)>,
        Fb: FnOnce(Arc<PluginConfig>) -> FbFut,
        FbFut: Future<Output = R>,
    {
        let plugin = self.current();
        let info = plugin.as_deref().map(|plugin| &plugin.info);
        let recorder = shows.as_ref().and(self.recorder());
        let capturing = crate::recording::is_capturing();
        let record = recorder.is_some() || capturing;
        crate::trace::hook(K::ID.name(), hook, info, async {
            let (decided, calls) = self.decide_with(plugin.as_ref(), hook, record, call, check, fallback).await;
            let (Some(recorder), Some(shows)) = (&recorder, &shows) else {
                crate::recording::captured(calls);
                return decided;
            };
            if capturing {
                crate::recording::captured(calls.clone());
            }
            let decided_by = match (&decided.source, &plugin) {
                (Source::Plugin(name), Some(plugin)) => format!("{name} (sha256 {})", plugin.info.sha256),
                (source, _) => source.decided_by(),
            };
            recorder.record(Recorded {
                hook,
                inputs: (shows.inputs)(),
                calls,
                answer: (shows.answer)(&decided.value),
                decided_by,
                instead: None,
                at_ms: super::now_ms(),
            });
            decided
        })
        .await
    }

    /// The body of [`Slot::decide`]: the decision, and the capability calls the plugin made
    /// when `record`.
    async fn decide_with<R, F, Fut, Fb, FbFut>(
        &self,
        plugin: Option<&Arc<LoadedPlugin<K>>>,
        hook: &'static str,
        record: bool,
        call: F,
        check: impl FnOnce(&R) -> Result<(), String>,
        fallback: Fb,
    ) -> (Decided<R>, Vec<RecordedCall>)
    where
        F: FnOnce(Store<CallState>, K::Bindings) -> Fut,
        Fut: Future<Output = (Store<CallState>, wasmtime::Result<R>)>,
        Fb: FnOnce(Arc<PluginConfig>) -> FbFut,
        FbFut: Future<Output = R>,
    {
        let Some(plugin) = plugin else {
            let source = match self.compiling() {
                Some(compiling) => Source::Compiling(compiling.name.as_str().into()),
                None => Source::NoPlugin,
            };
            if let Some(meter) = self.meter.get() {
                meter.fallback(matches!(source, Source::Compiling(_)));
            }
            return (Decided { value: fallback(self.config()).await, source }, Vec::new());
        };
        self.stats.calls.fetch_add(1, Relaxed);
        let (result, calls) = plugin.call_recording(call, record).await;
        let result = result.and_then(|value| match check(&value) {
            Ok(()) => Ok(value),
            Err(why) => Err(CallFailure::Invalid(why)),
        });
        self.judge(plugin, result.as_ref().err());
        // A call that never waits runs to its end without yielding; counted against tokio's
        // cooperative budget, a busy stream of calls cannot starve the host's other tasks
        // (the reload watcher, timers) on the same thread.
        tokio::task::consume_budget().await;
        let decided = match result {
            Ok(value) => Decided { value, source: Source::Plugin(plugin.info.name.clone()) },
            Err(failure) => {
                self.stats.failures.fetch_add(1, Relaxed);
                if let Some(meter) = plugin.meter() {
                    meter.failed(failure.kind());
                }
                let name = &plugin.info.name;
                // A trap's message is the plugin's words, which may hold a secret it was given.
                let described = crate::caps::connection::redact(&failure.to_string());
                let instead = match K::ID {
                    crate::contract::SlotId::ErpConnector => "the ERP is unavailable",
                    _ => "using the built-in fallback",
                };
                tracing::warn!(
                    slot = K::ID.name(),
                    plugin = &**name,
                    hook,
                    kind = failure.kind(),
                    "plugin {described}; {instead}"
                );
                *self.stats.last_failure.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(format!("{hook}: {described}"));
                let value = fallback(plugin.config().clone()).await;
                Decided { value, source: Source::Fallback { plugin: name.clone(), failure } }
            }
        };
        (decided, calls)
    }
}
