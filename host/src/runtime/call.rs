//! One hook call: a fresh store with its limits, deny-all WASI and captured output, and the
//! classification of whatever went wrong.

use super::egress::{Egress, EgressHooks};
use super::limits::Limits;
use super::output::CapturedOutput;
use crate::caps::{CallCaps, Capabilities, CapsView, Connection, PluginConfig};
use crate::personal::Known;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::ResourceTable;
use wasmtime::{Engine, ResourceLimiter, Store, Trap, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// The data of one call's store.
pub struct CallState {
    caps: CallCaps,
    limits: Limits,
    started: Instant,
    memory: MemoryCap,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    egress: EgressHooks,
    table: ResourceTable,
}

impl CallState {
    /// The personal values the call was given or returned, for the masks of its free text.
    pub fn known(&mut self) -> &mut Known {
        &mut self.caps.known
    }

    /// Writes the call's log lines and output to the host log, masked.
    pub fn flush_to_log(&mut self, plugin: &str, output: &CallOutput) {
        self.caps.flush_log();
        output.stdout.flush_to_log(plugin, "stdout", &self.caps.known);
        output.stderr.flush_to_log(plugin, "stderr", &self.caps.known);
    }

    /// What `error` says went wrong, the plugin's words in it masked.
    pub fn failure(&self, error: &wasmtime::Error, output: &CallOutput) -> CallFailure {
        CallFailure::classify(error, output, |words| self.caps.known.mask(words))
    }

    /// Why the call's first refused request (`wasi:http`) was refused, naming the policy key
    /// that would allow it.
    pub fn refused_request(&self) -> Option<&str> {
        self.egress.refused()
    }
}

impl CapsView for CallState {
    fn caps(&mut self) -> &mut CallCaps {
        &mut self.caps
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.egress }
    }
}

/// The captured stdout and stderr of a call, kept outside the store so that they survive it.
#[derive(Clone, Default)]
pub struct CallOutput {
    pub stdout: CapturedOutput,
    pub stderr: CapturedOutput,
}

/// What one call of a plugin is given besides the capabilities: its slot's config table,
/// where it may connect, and, for a connector, the installation.
#[derive(Clone, Debug, Default)]
pub struct CallEnv {
    pub config: Arc<PluginConfig>,
    pub egress: Arc<Egress>,
    pub connection: Option<Arc<Connection>>,
}

/// Builds the store of one call.
pub fn new_store(
    engine: &Engine,
    plugin: Arc<str>,
    caps: Capabilities,
    env: &CallEnv,
    limits: Limits,
) -> (Store<CallState>, CallOutput) {
    let output = CallOutput::default();
    // No preopened directories, environment, arguments, sockets or name lookups: the only way
    // out is `wasi:http`, through the slot's egress policy.
    let wasi = WasiCtx::builder()
        .stdout(output.stdout.clone())
        .stderr(output.stderr.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .build();
    let state = CallState {
        caps: CallCaps::new(caps, plugin, env.config.clone(), limits.prompt_timeout())
            .with_connection(env.connection.clone()),
        limits,
        started: Instant::now(),
        memory: MemoryCap { limit: limits.memory_bytes() },
        wasi,
        http: WasiHttpCtx::new(),
        egress: EgressHooks::new(env.egress.clone()),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.memory);
    store.set_fuel(limits.fuel).expect("fuel is enabled on the engine");
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|store| {
        let state = store.data();
        let running = state.started.elapsed().saturating_sub(state.caps.waited());
        if running > state.limits.timeout() {
            return Err(TimeLimitExceeded(state.limits.timeout()).into());
        }
        Ok(UpdateDeadline::Yield(1))
    });
    (store, output)
}

/// Refuses memory growth beyond the slot's cap, as a trap the host can recognize.
struct MemoryCap {
    limit: usize,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.limit {
            return Err(MemoryCapExceeded(self.limit).into());
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

#[derive(Debug)]
struct TimeLimitExceeded(Duration);

impl fmt::Display for TimeLimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wall-clock limit of {} ms exceeded", self.0.as_millis())
    }
}

impl std::error::Error for TimeLimitExceeded {}

#[derive(Debug)]
struct MemoryCapExceeded(usize);

impl fmt::Display for MemoryCapExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "memory cap of {} MiB exceeded", self.0 / (1024 * 1024))
    }
}

impl std::error::Error for MemoryCapExceeded {}

/// Why a call did not produce a usable answer; the flow then uses the slot's fallback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallFailure {
    /// The plugin trapped or panicked; the text says where.
    Trap(String),
    /// The CPU budget ran out.
    OutOfFuel,
    /// The plugin tried to grow its memory past the cap.
    MemoryCap,
    /// The call ran past its wall-clock limit.
    Timeout,
    /// The plugin could not be instantiated.
    Instantiate(String),
    /// The plugin answered something the host does not accept; the text says what.
    Invalid(String),
}

impl CallFailure {
    /// Every [`CallFailure::kind`].
    pub const KINDS: [&'static str; 6] =
        ["trap", "out-of-fuel", "memory-cap", "timeout", "instantiate", "invalid-result"];

    /// A short, stable name for counters and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            CallFailure::Trap(_) => "trap",
            CallFailure::OutOfFuel => "out-of-fuel",
            CallFailure::MemoryCap => "memory-cap",
            CallFailure::Timeout => "timeout",
            CallFailure::Instantiate(_) => "instantiate",
            CallFailure::Invalid(_) => "invalid-result",
        }
    }

    /// Classifies an error returned by a call; `output` supplies a panic message if any, the
    /// plugin's words, which `mask` makes fit for the log.
    pub fn classify(error: &wasmtime::Error, output: &CallOutput, mask: impl Fn(&str) -> String) -> CallFailure {
        if error.downcast_ref::<TimeLimitExceeded>().is_some() {
            return CallFailure::Timeout;
        }
        if error.downcast_ref::<MemoryCapExceeded>().is_some() {
            return CallFailure::MemoryCap;
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => CallFailure::OutOfFuel,
            Some(trap) => {
                let panic = output.stderr.panic_message().map(|p| format!(" ({})", mask(&p))).unwrap_or_default();
                CallFailure::Trap(format!("{trap}{panic}"))
            }
            None => CallFailure::Trap(format!("{error:#}")),
        }
    }
}

impl fmt::Display for CallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallFailure::Trap(what) => write!(f, "trapped: {what}"),
            CallFailure::OutOfFuel => f.write_str("ran out of its CPU budget (fuel)"),
            CallFailure::MemoryCap => f.write_str("tried to grow its memory past the cap"),
            CallFailure::Timeout => f.write_str("ran past its wall-clock limit"),
            CallFailure::Instantiate(what) => write!(f, "could not be instantiated: {what}"),
            CallFailure::Invalid(what) => write!(f, "returned an invalid result: {what}"),
        }
    }
}
