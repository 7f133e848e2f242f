//! What `pos-host status` shows of a running host: the files it serves, the plugin version
//! in each slot, its counters, and the reload history.

use crate::recording::RecordingStatus;
use crate::runtime::ShadowStatus;
use crate::runtime::{Compiling, Rollback, Slot, SlotKind};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Status {
    /// The policy file the host was started with.
    #[schema(value_type = String)]
    pub policy: PathBuf,
    /// The files it is made of, least specific first.
    pub files: Vec<WatchedFile>,
    pub slots: Vec<SlotStatus>,
    /// The latest reloads, oldest first.
    pub reloads: Vec<ReloadRecord>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WatchedFile {
    #[schema(value_type = String)]
    pub path: PathBuf,
    pub sha256: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlotStatus {
    pub slot: String,
    /// `None`: no plugin, the built-in fallback decides.
    pub plugin: Option<PluginVersion>,
    /// The plugin being compiled for the slot while the built-in fallback decides.
    #[serde(default)]
    pub compiling: Option<Compiling>,
    /// Whether the plugin is new and its first calls are still being watched.
    pub on_probation: bool,
    /// Hook calls made to plugins of this slot since the host started, and how many failed.
    pub calls: u64,
    pub failures: u64,
    pub last_failure: Option<String>,
    pub rollbacks: Vec<Rollback>,
    /// What the slot's recorder has written, while the slot records (`record = true`).
    #[serde(default)]
    pub recording: Option<RecordingStatus>,
    /// What the slot's shadow plugin has decided, compared with the live one.
    #[serde(default)]
    pub shadow: Option<ShadowStatus>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PluginVersion {
    pub name: String,
    #[schema(value_type = String)]
    pub path: PathBuf,
    pub sha256: String,
    /// Milliseconds since the Unix epoch.
    pub loaded_at_ms: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReloadRecord {
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The files whose change started it; empty when asked for.
    #[schema(value_type = Vec<String>)]
    pub trigger: Vec<PathBuf>,
    pub outcome: Outcome,
    /// What was swapped in.
    pub changes: Vec<String>,
    /// Why nothing was (with file, line and column).
    pub problems: Vec<String>,
    pub took_ms: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(as = ReloadOutcome)]
pub enum Outcome {
    Applied,
    Unchanged,
    /// Nothing was swapped: the last good version keeps serving.
    Failed,
}

impl Outcome {
    /// As counters name it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
        }
    }
}

impl SlotStatus {
    pub fn of<K: SlotKind>(slot: &Slot<K>) -> SlotStatus {
        let stats = slot.stats();
        SlotStatus {
            slot: K::ID.name().to_owned(),
            plugin: slot.current().map(|plugin| PluginVersion {
                name: plugin.info.name.to_string(),
                path: plugin.info.path.clone(),
                sha256: plugin.info.sha256.clone(),
                loaded_at_ms: plugin.info.loaded_at_ms,
            }),
            compiling: slot.compiling().map(|compiling| (*compiling).clone()),
            on_probation: slot.on_probation(),
            calls: stats.calls(),
            failures: stats.failures(),
            last_failure: stats.last_failure(),
            rollbacks: stats.rollbacks(),
            recording: slot.recorder().map(|recorder| recorder.status()),
            shadow: slot.shadow_plugin().and_then(|shadow| shadow.status()),
        }
    }
}
