//! Policies: the TOML file that names, per slot, the plugin component, its grants, its
//! config table and its limits, plus the host's own settings. Every error names the file,
//! line and column.

mod config_table;
mod location;

pub use config_table::PluginConfig;
pub use location::{Location, Locator};

use crate::caps::Capability;
use crate::runtime::Limits;
use crate::slots::SlotId;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// A loaded policy.
#[derive(Debug)]
pub struct Policy {
    /// The policy file.
    pub path: PathBuf,
    /// The host's own settings.
    pub host: HostSettings,
    /// The configured slots; a slot left out runs on its built-in fallback.
    pub slots: Vec<SlotPolicy>,
}

/// The `[host]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct HostSettings {
    /// This POS workstation's id.
    pub workstation: String,
    /// The operator's locale: `en`, `pl` or `nl` ship with the host.
    pub locale: String,
    /// Where compiled plugins are cached, relative to the policy file; the user's cache
    /// directory when absent.
    pub cache_dir: Option<PathBuf>,
    /// The local customer database, relative to the policy file; the user's data
    /// directory when absent.
    pub database: Option<PathBuf>,
    /// Which customers the workstation keeps.
    pub customers: CustomerSettings,
    /// The ERP's data synchronization service.
    pub erp: ErpSettings,
}

impl Default for HostSettings {
    fn default() -> Self {
        HostSettings {
            workstation: "POS-01".into(),
            locale: "en".into(),
            cache_dir: None,
            database: None,
            customers: CustomerSettings::default(),
            erp: ErpSettings::default(),
        }
    }
}

/// The `[host.customers]` table.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CustomerSettings {
    pub mode: SyncMode,
}

/// Which customers the workstation keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncMode {
    /// Customers added here, plus ERP customers saved when selected, edited or previewed;
    /// the ERP is searched online on demand.
    #[default]
    LocalOnly,
    /// Every active ERP customer tagged Customer and available to this workstation.
    SyncAll,
}

/// The `[host.erp]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ErpSettings {
    /// Such as `http://127.0.0.1:8780`; no ERP when absent.
    pub url: Option<String>,
    /// The limit of one request, retries included.
    pub timeout_ms: u64,
    /// `false` never offers the ERP search at this workstation, whatever the ERP allows.
    pub online_search: bool,
}

impl Default for ErpSettings {
    fn default() -> Self {
        ErpSettings { url: None, timeout_ms: 5_000, online_search: true }
    }
}

/// One `[slots.<name>]` table.
#[derive(Debug)]
pub struct SlotPolicy {
    pub slot: SlotId,
    /// The component file, resolved against the policy file's directory.
    pub plugin: PathBuf,
    pub grants: Vec<Capability>,
    pub config: PluginConfig,
    pub limits: Limits,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PolicyFile {
    #[serde(default)]
    host: HostSettings,
    #[serde(default)]
    slots: SlotsFile,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SlotsFile {
    search_policy: Option<SlotFile>,
    notification_texts: Option<SlotFile>,
    web_merge_rules: Option<SlotFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SlotFile {
    plugin: PathBuf,
    #[serde(default)]
    grants: Vec<Capability>,
    #[serde(default)]
    config: toml::Table,
    #[serde(default)]
    limits: Limits,
}

/// A policy that cannot be used, with where and why.
#[derive(Debug)]
pub struct PolicyError {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// Reads and checks the policy at `path`.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|error| PolicyError {
            location: Location::file(path),
            message: format!("cannot read the policy: {error}"),
        })?;
        Policy::parse(path, &text)
    }

    /// Checks the policy `text` read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Policy, PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|error| PolicyError {
            location: Location::of_span(path, text, error.span()),
            message: error.message().trim_end().to_owned(),
        })?;
        let locator = Locator::new(path, text);
        let base = path.parent().unwrap_or(Path::new("."));
        let mut slots = Vec::new();
        for (slot, file_slot) in [
            (SlotId::SearchPolicy, file.slots.search_policy),
            (SlotId::NotificationTexts, file.slots.notification_texts),
            (SlotId::WebMergeRules, file.slots.web_merge_rules),
        ] {
            let Some(file_slot) = file_slot else { continue };
            let table_path = ["slots", slot.name()];
            if let Err(problem) = file_slot.limits.check() {
                return Err(PolicyError {
                    location: locator.at(&[&table_path[..], &["limits"]].concat()),
                    message: format!("slots.{}.limits: {problem}", slot.name()),
                });
            }
            let config = PluginConfig::from_table(&locator, slot, &file_slot.config)?;
            let mut grants = file_slot.grants;
            grants.sort();
            grants.dedup();
            slots.push(SlotPolicy {
                slot,
                plugin: base.join(&file_slot.plugin),
                grants,
                config,
                limits: file_slot.limits,
            });
        }
        let mut host = file.host;
        host.cache_dir = host.cache_dir.map(|dir| base.join(dir));
        host.database = host.database.map(|file| base.join(file));
        if !(1..=600_000).contains(&host.erp.timeout_ms) {
            return Err(PolicyError {
                location: locator.at(&["host", "erp", "timeout-ms"]),
                message: "host.erp.timeout-ms: must be between 1 and 600000".into(),
            });
        }
        if let Some(url) = &host.erp.url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(PolicyError {
                location: locator.at(&["host", "erp", "url"]),
                message: format!("host.erp.url: `{url}` is not an http:// or https:// URL"),
            });
        }
        Ok(Policy { path: path.to_owned(), host, slots })
    }

    /// The policy of `slot`, if configured.
    pub fn slot(&self, slot: SlotId) -> Option<&SlotPolicy> {
        self.slots.iter().find(|s| s.slot == slot)
    }
}
