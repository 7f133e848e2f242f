//! The series of a plugin version and of a slot, made when the version is loaded and the host
//! starts: a hook call counts through handles, without looking its labels up.

use super::Metrics;
use crate::runtime::CallFailure;
use prometheus::{Histogram, IntCounter};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// How many versions of a slot's plugin keep their series. A plugin developer's every save
/// is a new version; without a bound the scrape would grow for as long as the host runs.
pub const KEPT_VERSIONS: usize = 8;

/// Per slot, the versions with series (name and SHA-256), oldest first.
pub(super) type Versions = HashMap<&'static str, VecDeque<(String, String)>>;

/// What one plugin version's calls count into.
#[derive(Clone)]
pub struct PluginMeter {
    metrics: Arc<Metrics>,
    /// Slot, plugin name, SHA-256.
    labels: [String; 3],
    calls: IntCounter,
    seconds: Histogram,
    fuel: Histogram,
    fallbacks: IntCounter,
}

impl PluginMeter {
    /// A call ended after `took`, having used `fuel`.
    pub fn called(&self, took: Duration, fuel: u64) {
        self.calls.inc();
        self.seconds.observe(took.as_secs_f64());
        self.fuel.observe(fuel as f64);
    }

    /// A call failed so (its [`CallFailure::kind`]); the fallback decided instead.
    pub fn failed(&self, kind: &str) {
        let [slot, plugin, sha256] = &self.labels;
        self.metrics.plugin_failures.with_label_values(&[slot.as_str(), plugin, sha256, kind]).inc();
        self.fallbacks.inc();
    }
}

/// What a slot counts whatever its plugin.
#[derive(Clone)]
pub struct SlotMeter {
    no_plugin: IntCounter,
    compiling: IntCounter,
    rollbacks: IntCounter,
    shadow: ShadowCounters,
}

/// The outcomes of a slot's shadow calls.
#[derive(Clone)]
struct ShadowCounters {
    agreed: IntCounter,
    differed: IntCounter,
    failed: IntCounter,
    skipped: IntCounter,
}

impl SlotMeter {
    /// The fallback decided because the slot has no plugin (`compiling`: not ready yet).
    pub fn fallback(&self, compiling: bool) {
        if compiling { &self.compiling } else { &self.no_plugin }.inc();
    }

    /// A new version was taken out of service.
    pub fn rolled_back(&self) {
        self.rollbacks.inc();
    }

    /// A shadow call ended with `outcome`.
    pub fn shadowed(&self, outcome: crate::runtime::ShadowOutcome) {
        use crate::runtime::ShadowOutcome;
        let counter = match outcome {
            ShadowOutcome::Agreed => &self.shadow.agreed,
            ShadowOutcome::Differed => &self.shadow.differed,
            ShadowOutcome::Failed => &self.shadow.failed,
            ShadowOutcome::Skipped => &self.shadow.skipped,
        };
        counter.inc();
    }
}

impl Metrics {
    /// The series of version `sha256` of `plugin` in `slot`. The oldest of more than
    /// [`KEPT_VERSIONS`] versions of the slot loses its series.
    pub fn plugin(self: &Arc<Self>, slot: &'static str, plugin: &str, sha256: &str) -> PluginMeter {
        let mut versions = self.versions.lock().unwrap_or_else(|p| p.into_inner());
        let kept = versions.entry(slot).or_default();
        if !kept.iter().any(|(name, sha)| name == plugin && sha == sha256) {
            kept.push_back((plugin.to_owned(), sha256.to_owned()));
            if kept.len() > KEPT_VERSIONS {
                let (name, sha) = kept.pop_front().expect("more than one version");
                self.forget(slot, &name, &sha);
            }
        }
        drop(versions);
        let labels = [slot, plugin, sha256];
        PluginMeter {
            metrics: self.clone(),
            labels: labels.map(String::from),
            calls: self.plugin_calls.with_label_values(&labels),
            seconds: self.plugin_seconds.with_label_values(&labels),
            fuel: self.plugin_fuel.with_label_values(&labels),
            fallbacks: self.fallbacks.with_label_values(&[slot, "failure"]),
        }
    }

    fn forget(&self, slot: &str, plugin: &str, sha256: &str) {
        let labels = [slot, plugin, sha256];
        // A version that never failed, say, has no series of that kind: nothing to remove.
        let _ = self.plugin_calls.remove_label_values(&labels);
        let _ = self.plugin_seconds.remove_label_values(&labels);
        let _ = self.plugin_fuel.remove_label_values(&labels);
        for kind in CallFailure::KINDS {
            let _ = self.plugin_failures.remove_label_values(&[slot, plugin, sha256, kind]);
        }
    }

    /// The series of `slot` itself.
    pub fn slot(&self, slot: &str) -> SlotMeter {
        SlotMeter {
            no_plugin: self.fallbacks.with_label_values(&[slot, "no-plugin"]),
            compiling: self.fallbacks.with_label_values(&[slot, "compiling"]),
            rollbacks: self.rollbacks.with_label_values(&[slot]),
            shadow: ShadowCounters {
                agreed: self.shadow_calls.with_label_values(&[slot, "agreed"]),
                differed: self.shadow_calls.with_label_values(&[slot, "differed"]),
                failed: self.shadow_calls.with_label_values(&[slot, "failed"]),
                skipped: self.shadow_calls.with_label_values(&[slot, "skipped"]),
            },
        }
    }
}
