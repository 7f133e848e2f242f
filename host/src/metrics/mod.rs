//! What a host counts and times, in the Prometheus text format: `GET /metrics` on a served
//! host, [`crate::embed::Host::metrics`] for an application that embeds one.
//!
//! Each host has its own registry rather than the process-wide one: an application that
//! embeds two hosts, or a test process that starts hundreds, reads each host's own figures.
//! Series are made at the event they count (a plugin version's at its load, an ERP
//! operation's at its first request), except the few every scrape must show (the backlog,
//! the reloads by outcome).

mod backlog;
mod plugins;
mod remote;

pub use backlog::Backlog;
pub use plugins::{KEPT_VERSIONS, PluginMeter, SlotMeter};
pub use remote::{MeasuredErp, Outcome, Remote};

use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::sync::Mutex;
use std::time::Duration;

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A plugin call's duration, in seconds: a fresh instance takes about 10 µs, a JavaScript
/// one a millisecond, and the slots' time limits end at seconds.
const CALL_SECONDS: &[f64] =
    &[0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5];
/// Fuel burnt by one call, in powers of ten up to the largest budget a policy may give.
const CALL_FUEL: &[f64] = &[1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
/// A request to the ERP or the web shop: loopback answers in a millisecond, a remote ERP in
/// tens to hundreds, and the time limits end at tens of seconds.
const REMOTE_SECONDS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
/// An answer of the HTTP API; a question to the operator may wait minutes.
const HTTP_SECONDS: &[f64] =
    &[0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0];

/// A synchronization being counted (see [`Metrics::sync_run`]).
pub struct SyncRun<'a>(Option<&'a Metrics>);

impl SyncRun<'_> {
    /// It ended: `Some((removed, sent, parked))` when it succeeded.
    pub fn ended(mut self, done: Option<(u64, u64, u64)>) {
        let Some(metrics) = self.0.take() else { return };
        match done {
            Some((removed, sent, parked)) => {
                metrics.sync_runs.with_label_values(&["ok"]).inc();
                metrics.sync_removed.inc_by(removed);
                metrics.outbox_sent.inc_by(sent);
                metrics.outbox_parked.inc_by(parked);
            }
            None => metrics.sync_runs.with_label_values(&["failed"]).inc(),
        }
    }
}

impl Drop for SyncRun<'_> {
    fn drop(&mut self) {
        if let Some(metrics) = self.0.take() {
            metrics.sync_runs.with_label_values(&["cancelled"]).inc();
        }
    }
}

/// One host's counters, gauges and histograms.
pub struct Metrics {
    registry: Registry,
    plugin_calls: IntCounterVec,
    plugin_failures: IntCounterVec,
    plugin_seconds: HistogramVec,
    plugin_fuel: HistogramVec,
    fallbacks: IntCounterVec,
    rollbacks: IntCounterVec,
    shadow_calls: IntCounterVec,
    reloads: IntCounterVec,
    /// The plugin versions that have series, per slot, oldest first.
    versions: Mutex<plugins::Versions>,
    remote_requests: IntCounterVec,
    remote_seconds: HistogramVec,
    sync_runs: IntCounterVec,
    sync_listed: IntCounter,
    sync_changes: IntCounter,
    sync_removed: IntCounter,
    outbox_sent: IntCounter,
    outbox_parked: IntCounter,
    sync_phase: IntGaugeVec,
    caught_up: Gauge,
    lag: GaugeVec,
    outbox: IntGaugeVec,
    outbox_oldest: Gauge,
    web_writes: IntGauge,
    http_requests: IntCounterVec,
    http_seconds: HistogramVec,
    info: IntGaugeVec,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let r = &registry;
        let version = ["slot", "plugin", "sha256"];
        let metrics = Metrics {
            plugin_calls: counter(r, "pos_plugin_calls_total", "Hook calls made to a plugin version.", &version),
            plugin_failures: counter(
                r,
                "pos_plugin_failures_total",
                "Hook calls whose plugin failed, by kind (trap, out-of-fuel, memory-cap, timeout, instantiate, \
                 invalid-result); the built-in fallback decided each.",
                &["slot", "plugin", "sha256", "kind"],
            ),
            plugin_seconds: histogram(
                r,
                "pos_plugin_call_duration_seconds",
                "Time of a hook call, a fresh instance included.",
                &version,
                CALL_SECONDS,
            ),
            plugin_fuel: histogram(
                r,
                "pos_plugin_call_fuel",
                "Fuel (WebAssembly instructions, roughly) one hook call used of its slot's limits.fuel.",
                &version,
                CALL_FUEL,
            ),
            fallbacks: counter(
                r,
                "pos_plugin_fallbacks_total",
                "Decisions the built-in fallback made, by why: no-plugin, compiling (the plugin is not ready \
                 yet), failure.",
                &["slot", "reason"],
            ),
            rollbacks: counter(
                r,
                "pos_plugin_rollbacks_total",
                "New plugin versions taken out of service because one of their first calls failed.",
                &["slot"],
            ),
            shadow_calls: counter(
                r,
                "pos_shadow_calls_total",
                "Calls of a slot's shadow plugin, by outcome: agreed (it decided as the live plugin did), \
                 differed, failed, skipped (too many shadow calls at once).",
                &["slot", "outcome"],
            ),
            reloads: counter(
                r,
                "pos_reloads_total",
                "Reloads of the policy and plugins, by outcome: applied, unchanged, failed (the last good \
                 version kept serving).",
                &["outcome"],
            ),
            versions: Mutex::default(),
            remote_requests: counter(
                r,
                "pos_remote_requests_total",
                "Operations asked of the ERP (through its connector) and the web shop, retries included, by \
                 outcome: ok, unavailable, timeout, cancelled, rejected, cursor-expired, refused, changed, \
                 not-found.",
                &["remote", "operation", "outcome"],
            ),
            remote_seconds: histogram(
                r,
                "pos_remote_request_duration_seconds",
                "Time of an operation asked of the ERP or the web shop, retries included.",
                &["remote", "operation"],
                REMOTE_SECONDS,
            ),
            sync_runs: counter(r, "pos_sync_runs_total", "Synchronizations with the ERP, by outcome.", &["outcome"]),
            sync_listed: plain_counter(r, "pos_sync_customers_listed_total", "Customers read from the ERP's listing."),
            sync_changes: plain_counter(r, "pos_sync_changes_applied_total", "Changes of the ERP's feed applied."),
            sync_removed: plain_counter(
                r,
                "pos_sync_customers_removed_total",
                "Customers removed because the ERP no longer lists them.",
            ),
            outbox_sent: plain_counter(r, "pos_outbox_sent_total", "Changes made here that the ERP accepted."),
            outbox_parked: plain_counter(
                r,
                "pos_outbox_parked_total",
                "Changes made here that the ERP refused for good, kept aside with the reason.",
            ),
            sync_phase: int_gauge(
                r,
                "pos_sync_phase",
                "1 for the synchronization's phase: new (never synchronized), full (listing every customer), \
                 incremental (following the change feed).",
                &["phase"],
            ),
            caught_up: plain_gauge(
                r,
                "pos_sync_caught_up_timestamp_seconds",
                "When a synchronization last reached the end of the ERP's change feed (0: never).",
            ),
            lag: gauge(
                r,
                "pos_sync_lag_seconds",
                "Seconds since a synchronization last reached the end of the ERP's change feed; +Inf when none \
                 ever did. Only in sync-all mode.",
                &[],
            ),
            outbox: int_gauge(
                r,
                "pos_outbox_entries",
                "Changes made here waiting for the ERP (pending) or refused for good (conflict).",
                &["state"],
            ),
            outbox_oldest: plain_gauge(
                r,
                "pos_outbox_oldest_age_seconds",
                "Age of the oldest change waiting for the ERP (0: none waits).",
            ),
            web_writes: registered(
                r,
                IntGauge::with_opts(Opts::new(
                    "pos_webshop_writes_waiting",
                    "Writes sent to the web shop whose answer has not been applied here yet.",
                )),
            ),
            http_requests: counter(
                r,
                "pos_http_requests_total",
                "Requests to the HTTP API and the console, by route (unrouted: refused before routing, or no \
                 such route), method and status.",
                &["route", "method", "status"],
            ),
            http_seconds: histogram(
                r,
                "pos_http_request_duration_seconds",
                "Time until the answer's head, by route.",
                &["route"],
                HTTP_SECONDS,
            ),
            info: int_gauge(
                r,
                "pos_host_info",
                "1, labelled with the host's version and the workstation.",
                &["version", "workstation"],
            ),
            registry,
        };
        // Series that exist from the start, so that the first of each is a step from 0.
        for outcome in ["applied", "unchanged", "failed"] {
            metrics.reloads.with_label_values(&[outcome]);
        }
        for outcome in ["ok", "failed", "cancelled"] {
            metrics.sync_runs.with_label_values(&[outcome]);
        }
        metrics
    }

    /// The whole registry in the Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text).expect("the registry's metrics are valid");
        String::from_utf8(text).expect("the text format is UTF-8")
    }

    /// Names the workstation the host serves (its policy may change it at a restart).
    pub fn workstation(&self, workstation: &str) {
        self.info.reset();
        self.info.with_label_values(&[env!("CARGO_PKG_VERSION"), workstation]).set(1);
    }

    /// A reload ended with `outcome` (`applied`, `unchanged`, `failed`).
    pub fn reloaded(&self, outcome: &str) {
        self.reloads.with_label_values(&[outcome]).inc();
    }

    /// A synchronization listed `listed` more customers, applied `changes` more changes.
    pub fn synced_pages(&self, listed: u64, changes: u64) {
        self.sync_listed.inc_by(listed);
        self.sync_changes.inc_by(changes);
    }

    /// A synchronization begins: counted by how it ends, as cancelled when it is dropped
    /// before.
    pub fn sync_run(&self) -> SyncRun<'_> {
        SyncRun(Some(self))
    }

    /// An answer of the HTTP API.
    pub fn http_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.http_requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.http_seconds.with_label_values(&[route]).observe(took.as_secs_f64());
    }
}

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    registered(registry, IntCounterVec::new(Opts::new(name, help), labels))
}

fn plain_counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    registered(registry, IntCounter::with_opts(Opts::new(name, help)))
}

fn int_gauge(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    registered(registry, IntGaugeVec::new(Opts::new(name, help), labels))
}

fn gauge(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> GaugeVec {
    registered(registry, GaugeVec::new(Opts::new(name, help), labels))
}

fn plain_gauge(registry: &Registry, name: &str, help: &str) -> Gauge {
    registered(registry, Gauge::with_opts(Opts::new(name, help)))
}

fn histogram(registry: &Registry, name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
    registered(registry, HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets.to_vec()), labels))
}

fn registered<C: prometheus::core::Collector + Clone + 'static>(registry: &Registry, made: prometheus::Result<C>) -> C {
    let collector = made.expect("a valid metric");
    registry.register(Box::new(collector.clone())).expect("each metric is registered once");
    collector
}

#[cfg(test)]
mod tests;
