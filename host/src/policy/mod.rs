//! Policies: TOML files that name, per slot, the plugin component, its grants, its config
//! table and its limits, plus the host's own settings. A policy may `extends` another
//! (default -> client -> workstation); the most specific file wins key by key. Every
//! problem is reported at once, each with its file, line, column and key path.

mod checker;
mod config_table;
mod layers;
mod location;
mod resolved;

pub use crate::caps::PluginConfig;
pub use layers::{Layer, Layers};
pub use location::{KeyIndex, Location};
pub use resolved::Resolved;

use crate::caps::{Connection, SecretSource};
use crate::contract::Capability;
use crate::contract::SlotId;
use crate::files;
use crate::recording::PersonalData;
use crate::runtime::limits_allowed as allowed;
use crate::runtime::{AllowedHost, Egress, Integrity, Limits, LoadError, LoadProblem, PluginSpec, TrustedKey};
use crate::store::KeySetting;
use crate::store::retention::Retention;
use checker::Checker;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A loaded policy.
#[derive(Debug)]
pub struct Policy {
    /// The policy file (the most specific one).
    pub path: PathBuf,
    /// The host's own settings.
    pub host: HostSettings,
    /// The configured slots; a slot left out runs on its built-in fallback.
    pub slots: Vec<SlotPolicy>,
    /// The files the policy is made of, and which one set each value.
    pub layers: Layers,
}

/// The `[host]` table.
#[derive(Clone, Debug)]
pub struct HostSettings {
    /// This POS workstation's id.
    pub workstation: String,
    /// The operator's locale: `en`, `pl` or `nl` ship with the host.
    pub locale: String,
    /// Where compiled plugins are cached; the user's cache directory when absent.
    pub cache_dir: Option<PathBuf>,
    /// The local customer database; the user's data directory when absent.
    pub database: Option<PathBuf>,
    /// Where recording slots write (`host.recordings`); `serve` puts them beside the
    /// database when absent.
    pub recordings: Option<PathBuf>,
    /// Where the database's key comes from (`host.database-key`).
    pub database_key: KeySetting,
    /// How long personal data is kept (`host.retention`).
    pub retention: Retention,
    /// Which customers the workstation keeps.
    pub customers: CustomerSettings,
    /// The ERP's data synchronization service.
    pub erp: ErpSettings,
    /// The web shop's customer API.
    pub webshop: WebshopSettings,
    /// The minisign public keys plugins must be signed with; none: signatures are not
    /// required.
    pub trusted_keys: Vec<TrustedKey>,
}

impl Default for HostSettings {
    fn default() -> Self {
        HostSettings {
            workstation: "POS-01".into(),
            locale: "en".into(),
            cache_dir: None,
            database: None,
            recordings: None,
            database_key: KeySetting::Default,
            retention: Retention::default(),
            customers: CustomerSettings::default(),
            erp: ErpSettings::default(),
            webshop: WebshopSettings::default(),
            trusted_keys: Vec::new(),
        }
    }
}

/// The `[host.customers]` table.
#[derive(Clone, Debug, Default)]
pub struct CustomerSettings {
    pub mode: SyncMode,
}

/// Which customers the workstation keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SyncMode {
    /// Customers added here, plus ERP customers saved when selected, edited or previewed;
    /// the ERP is searched online on demand.
    #[default]
    LocalOnly,
    /// Every active ERP customer tagged Customer and available to this workstation.
    SyncAll,
}

/// The `[host.erp]` table.
#[derive(Clone, Debug)]
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

/// The `[host.webshop]` table.
#[derive(Clone, Debug)]
pub struct WebshopSettings {
    /// Such as `http://127.0.0.1:8782`; no web shop when absent.
    pub url: Option<String>,
    /// The limit of one request, retries included.
    pub timeout_ms: u64,
}

impl Default for WebshopSettings {
    fn default() -> Self {
        WebshopSettings { url: None, timeout_ms: 5_000 }
    }
}

/// One `[slots.<name>]` table.
#[derive(Debug)]
pub struct SlotPolicy {
    pub slot: SlotId,
    /// The component file, resolved against the directory of the policy file that names it.
    pub plugin: PathBuf,
    pub grants: Vec<Capability>,
    pub config: PluginConfig,
    pub limits: Limits,
    /// The SHA-256 (`sha256`) and signature (`signature`, `host.trusted-keys`) the plugin
    /// file must have.
    pub integrity: Integrity,
    /// Where the plugin may connect through `wasi:http` (`allowed-hosts`).
    pub allowed_hosts: Vec<AllowedHost>,
    /// Where the connector's secrets are read from (`secrets`), by name.
    pub secrets: Vec<(String, SecretSource)>,
    /// Whether the slot's calls are recorded (`record = true`), and what the recording keeps
    /// of the people in them (`record-personal-data`).
    pub record: Option<PersonalData>,
    /// The plugin called beside this one to compare decisions (`shadow`).
    pub shadow: Option<Box<SlotPolicy>>,
    /// The table's key path: `slots.<name>`, or `slots.<name>.shadow`.
    pub key: String,
    /// Where `plugin`, `grants`, `sha256` and `host.trusted-keys` are set, for problems found
    /// when loading the plugin.
    pub plugin_location: Location,
    pub grants_location: Location,
    pub sha256_location: Location,
    pub keys_location: Location,
}

/// A policy problem, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub location: Location,
    /// The key path, such as `host.erp.timeout-ms`; empty for the file as a whole.
    pub key: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.key.is_empty() {
            true => write!(f, "{}: {}", self.location, self.message),
            false => write!(f, "{}: {}: {}", self.location, self.key, self.message),
        }
    }
}

impl std::error::Error for PolicyError {}

/// Every problem of a policy.
#[derive(Debug)]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for PolicyErrors {}

impl From<PolicyError> for PolicyErrors {
    fn from(error: PolicyError) -> Self {
        PolicyErrors(vec![error])
    }
}

const SLOT_KEYS: &[&str] = &[
    "plugin",
    "grants",
    "config",
    "limits",
    "sha256",
    "signature",
    "allowed-hosts",
    "secrets",
    "record",
    "record-personal-data",
    "shadow",
];

/// The keys of `slots.<name>.shadow`.
const SHADOW_KEYS: &[&str] = &["plugin", "grants", "config", "limits", "sha256", "signature"];
const LIMIT_KEYS: &[&str] = &["fuel", "memory-mib", "timeout-ms", "prompt-timeout-ms"];

impl Policy {
    /// Reads and checks the policy at `path`, the files it extends, and that the plugin
    /// files it names exist.
    pub fn load(path: &Path) -> Result<Policy, PolicyErrors> {
        Policy::check(Layers::read(path)?, true).into_result()
    }

    /// Checks the policy `text` read from `path` (the files it extends are read from
    /// disk); plugin files are not looked for.
    pub fn parse(path: &Path, text: &str) -> Result<Policy, PolicyErrors> {
        Policy::check(Layers::parse(path, text.to_owned())?, false).into_result()
    }

    /// Like [`Policy::load`], but a policy with problems is returned with them, holding
    /// what is usable (a slot with a problem is left out); an error only when the files
    /// cannot be read or parsed at all.
    pub fn inspect(path: &Path) -> Result<(Policy, Vec<PolicyError>), PolicyErrors> {
        let Checked { policy, problems } = Policy::check(Layers::read(path)?, true);
        Ok((policy, problems))
    }

    fn check(layers: Layers, plugin_files: bool) -> Checked {
        let mut checker = Checker::new(&layers);
        checker.table(&[], &["extends", "host", "slots"]);
        let host = host_settings(&mut checker);
        let slot_names: Vec<&str> = SlotId::ALL.iter().map(|s| s.name()).collect();
        checker.table(&["slots"], &slot_names);
        let mut slots = Vec::new();
        for slot in SlotId::ALL {
            if let Some(policy) = slot_policy(&mut checker, slot, plugin_files, &host.trusted_keys) {
                slots.push(policy);
            }
        }
        let problems = checker.problems;
        let path = layers.files.last().expect("a policy has at least its own file").path.clone();
        Checked { policy: Policy { path, host, slots, layers }, problems }
    }

    /// A refusal of one of this policy's plugins, at the place in the policy to change
    /// (see [`SlotPolicy::explain`]).
    pub fn explain(&self, error: &LoadError) -> Vec<String> {
        match self.slots.iter().find(|slot| slot.slot.name() == error.slot) {
            Some(slot) => slot.explain(error),
            None => vec![error.to_string()],
        }
    }

    /// The policy of `slot`, if configured.
    pub fn slot(&self, slot: SlotId) -> Option<&SlotPolicy> {
        self.slots.iter().find(|s| s.slot == slot)
    }
}

struct Checked {
    policy: Policy,
    problems: Vec<PolicyError>,
}

impl Checked {
    fn into_result(self) -> Result<Policy, PolicyErrors> {
        if self.problems.is_empty() { Ok(self.policy) } else { Err(PolicyErrors(self.problems)) }
    }
}

impl SlotPolicy {
    /// What to load for this slot; `policy` is the policy file, named in errors, and `host`
    /// its `[host]` table, which tells a connector where the ERP is.
    pub fn spec(&self, policy: &Path, host: &HostSettings) -> PluginSpec {
        let connector = self.slot == SlotId::ErpConnector;
        let timeout = match connector {
            true => std::time::Duration::from_millis(host.erp.timeout_ms),
            false => self.limits.timeout(),
        };
        let erp_url = host.erp.url.as_deref();
        let egress = Egress::new(self.slot, self.allowed_hosts.clone(), erp_url, timeout);
        let connection = connector
            .then(|| Arc::new(Connection::new(host.erp.url.clone(), host.workstation.clone(), self.secrets.clone())));
        PluginSpec {
            path: self.plugin.clone(),
            grants: self.grants.clone(),
            config: Arc::new(self.config.clone()),
            limits: self.limits,
            policy: Some(policy.to_owned()),
            integrity: self.integrity.clone(),
            egress: Arc::new(egress),
            connection,
        }
    }

    /// A refusal of this slot's plugin, as lines naming the place in the policy to change:
    /// the grants for an import they do not cover, each config key the plugin refused, the
    /// plugin file for anything else.
    pub fn explain(&self, error: &LoadError) -> Vec<String> {
        let key = &self.key;
        match &error.problem {
            LoadProblem::Ungranted { .. } => vec![format!("{}: {key}.grants: {}", self.grants_location, error)],
            LoadProblem::Sha256Mismatch { .. } => {
                vec![format!("{}: {key}.sha256: {error}", self.sha256_location)]
            }
            LoadProblem::UntrustedSignature { .. } => {
                vec![format!("{}: host.trusted-keys: {error}", self.keys_location)]
            }
            LoadProblem::Config(problems) => problems.clone(),
            _ => vec![format!("{}: {key}.plugin: {error}", self.plugin_location)],
        }
    }
}

fn host_settings(c: &mut Checker) -> HostSettings {
    let mut host = HostSettings::default();
    c.table(
        &["host"],
        &[
            "workstation",
            "locale",
            "cache-dir",
            "database",
            "database-key",
            "recordings",
            "retention",
            "customers",
            "erp",
            "webshop",
            "trusted-keys",
        ],
    );
    if let Some(keys) = c.strings(&["host", "trusted-keys"]) {
        for key in keys {
            match TrustedKey::parse(key) {
                Ok(key) => host.trusted_keys.push(key),
                Err(why) => c.problem(&["host", "trusted-keys"], why),
            }
        }
    }
    if let Some(workstation) = c.string(&["host", "workstation"]) {
        if workstation.is_empty()
            || workstation.len() > 32
            || !workstation.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            c.problem(&["host", "workstation"], "expected 1 to 32 letters, digits, `-` or `_`, such as \"POS-01\"");
        }
        host.workstation = workstation.to_owned();
    }
    if let Some(locale) = c.string(&["host", "locale"]) {
        let (language, region) = locale.split_once('-').unwrap_or((locale, "AA"));
        let letters = |s: &str, n: std::ops::RangeInclusive<usize>| {
            n.contains(&s.len()) && s.chars().all(|ch| ch.is_ascii_alphabetic())
        };
        if !letters(language, 2..=3) || !letters(region, 2..=2) {
            c.problem(&["host", "locale"], format!("\"{locale}\" is not a locale such as \"en\", \"pl\" or \"nl-BE\""));
        }
        host.locale = locale.to_owned();
    }
    for (key, target) in
        [("cache-dir", &mut host.cache_dir), ("database", &mut host.database), ("recordings", &mut host.recordings)]
    {
        if let Some(path) = c.string(&["host", key]) {
            *target = Some(c.layers.resolve(&["host", key], path));
        }
    }
    host.database_key = database_key(c);
    c.table(&["host", "retention"], &["audit-personal-days", "looked-up-days", "recordings-days"]);
    for (key, target) in [
        ("audit-personal-days", &mut host.retention.audit_personal_days),
        ("looked-up-days", &mut host.retention.looked_up_days),
        ("recordings-days", &mut host.retention.recordings_days),
    ] {
        let keys = ["host", "retention", key];
        match c.value(&keys) {
            Some(toml::Value::String(forever)) if forever == "forever" => *target = None,
            Some(toml::Value::String(_)) => c.problem(&keys, "expected a number of days (1 to 36500) or \"forever\""),
            Some(_) => {
                if let Some(days) = c.integer(&keys, 1..=36_500) {
                    *target = Some(days as u32);
                }
            }
            None => {}
        }
    }
    c.table(&["host", "customers"], &["mode"]);
    if let Some(mode) = c.choice(&["host", "customers", "mode"], &["local-only", "sync-all"]) {
        host.customers.mode = if mode == "sync-all" { SyncMode::SyncAll } else { SyncMode::LocalOnly };
    }
    c.table(&["host", "erp"], &["url", "timeout-ms", "online-search"]);
    host.erp.url = url(c, &["host", "erp", "url"]);
    if let Some(ms) = c.integer(&["host", "erp", "timeout-ms"], 1..=600_000) {
        host.erp.timeout_ms = ms as u64;
    }
    if let Some(online) = c.boolean(&["host", "erp", "online-search"]) {
        host.erp.online_search = online;
    }
    c.table(&["host", "webshop"], &["url", "timeout-ms"]);
    host.webshop.url = url(c, &["host", "webshop", "url"]);
    if let Some(ms) = c.integer(&["host", "webshop", "timeout-ms"], 1..=600_000) {
        host.webshop.timeout_ms = ms as u64;
    }
    host
}

fn url(c: &mut Checker, keys: &[&str]) -> Option<String> {
    let url = c.string(keys)?;
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.contains(char::is_whitespace) {
        c.problem(keys, format!("`{url}` is not an http:// or https:// URL"));
        return None;
    }
    Some(url.to_owned())
}

fn slot_policy(c: &mut Checker, slot: SlotId, plugin_files: bool, trusted_keys: &[TrustedKey]) -> Option<SlotPolicy> {
    let base = ["slots", slot.name()];
    c.table(&base, SLOT_KEYS)?;
    let mut policy = plugin_table(c, slot, &base, plugin_files, trusted_keys);
    let record = record(c, slot);
    let shadow = shadow(c, slot, plugin_files, trusted_keys);
    if let Some(policy) = &mut policy {
        policy.allowed_hosts = allowed_hosts(c, slot.name());
        policy.secrets = secrets(c, slot, plugin_files);
        policy.record = record;
        policy.shadow = shadow.map(Box::new);
    }
    policy
}

/// `slots.<name>.shadow`: a plugin the slot also calls, off the operator's path, to compare
/// its decisions with the live plugin's.
fn shadow(c: &mut Checker, slot: SlotId, plugin_files: bool, trusted_keys: &[TrustedKey]) -> Option<SlotPolicy> {
    let base = ["slots", slot.name(), "shadow"];
    c.value(&base)?;
    if slot == SlotId::ErpConnector {
        c.problem(&base, "the ERP connector has no decisions to compare: only the search-policy, notification-texts and web-merge-rules slots take a shadow plugin");
        return None;
    }
    c.table(&base, SHADOW_KEYS)?;
    plugin_table(c, slot, &base, plugin_files, trusted_keys)
}

/// The plugin table at `base` (a slot's, or its shadow's): the plugin file, its grants,
/// config, limits and integrity.
fn plugin_table(
    c: &mut Checker,
    slot: SlotId,
    base: &[&str],
    plugin_files: bool,
    trusted_keys: &[TrustedKey],
) -> Option<SlotPolicy> {
    let at = |key: &'static str| -> Vec<&str> { base.iter().copied().chain([key]).collect() };
    let name = base.join(".");
    let plugin = match c.string(&at("plugin")) {
        Some(file) => {
            let path = c.layers.resolve(&at("plugin"), file);
            if plugin_files {
                match files::check(&path, files::MAX_PLUGIN_BYTES) {
                    Ok(()) => {}
                    Err(error) if error.not_found() => {
                        c.problem(&at("plugin"), format!("the plugin file {} does not exist", path.display()))
                    }
                    Err(error) => c.problem(&at("plugin"), format!("{}: {error}", path.display())),
                }
            }
            Some(path)
        }
        None => {
            if c.value(&at("plugin")).is_none() {
                c.problems.push(PolicyError {
                    location: c.layers.locate_key(base),
                    key: name.clone(),
                    message: "the slot names no `plugin` (the component file)".into(),
                });
            }
            None
        }
    };
    let names: Vec<&'static str> = Capability::ALL.iter().map(|cap| cap.name()).collect();
    let mut grants: Vec<Capability> = c
        .choices(&at("grants"), &names)
        .unwrap_or_default()
        .into_iter()
        .filter_map(Capability::from_interface)
        .collect();
    grants.sort();
    grants.dedup();
    // Any config key is the plugin's to judge; only what cannot be passed is refused here.
    let config = match c.any_table(&at("config")) {
        Some(table) => config_table::read(c, &at("config"), table),
        None => PluginConfig::default(),
    };
    if slot == SlotId::ErpConnector && grants.contains(&Capability::Erp) {
        c.problem(&at("grants"), "the ERP connector is the ERP: it cannot be granted `erp`");
    }
    let mut limits = Limits::for_slot(slot);
    if c.table(&at("limits"), LIMIT_KEYS).is_some() {
        let keys = |key: &'static str| -> Vec<&str> { base.iter().copied().chain(["limits", key]).collect() };
        if let Some(fuel) = c.integer(&keys("fuel"), allowed::FUEL) {
            limits.fuel = fuel as u64;
        }
        if let Some(mib) = c.integer(&keys("memory-mib"), allowed::MEMORY_MIB) {
            limits.memory_mib = mib as u32;
        }
        if let Some(ms) = c.integer(&keys("timeout-ms"), allowed::TIMEOUT_MS) {
            limits.timeout_ms = ms as u64;
        }
        if let Some(ms) = c.integer(&keys("prompt-timeout-ms"), allowed::PROMPT_TIMEOUT_MS) {
            limits.prompt_timeout_ms = ms as u64;
        }
    }
    let grants_location = match c.value(&at("grants")) {
        Some(_) => c.locate(&at("grants")),
        None => c.locate(base),
    };
    let sha256 = c.string(&at("sha256")).and_then(|pin| {
        let pin = pin.to_ascii_lowercase();
        if pin.len() == 64 && pin.chars().all(|ch| ch.is_ascii_hexdigit()) {
            Some(pin)
        } else {
            c.problem(&at("sha256"), "expected the 64 hexadecimal digits of a SHA-256 (sha256sum <plugin>)");
            None
        }
    });
    let signature = c.string(&at("signature")).map(|file| c.layers.resolve(&at("signature"), file));
    let integrity = Integrity { sha256, trusted_keys: trusted_keys.into(), signature };
    Some(SlotPolicy {
        slot,
        plugin: plugin?,
        grants,
        config,
        limits,
        integrity,
        allowed_hosts: Vec::new(),
        secrets: Vec::new(),
        record: None,
        shadow: None,
        key: name,
        plugin_location: c.locate(&at("plugin")),
        grants_location,
        sha256_location: c.locate(&at("sha256")),
        keys_location: c.locate(&["host", "trusted-keys"]),
    })
}

/// `slots.<name>.record` and `record-personal-data`: whether the slot's calls are recorded,
/// pseudonymized unless the policy asks for the people's data in full.
fn record(c: &mut Checker, slot: SlotId) -> Option<PersonalData> {
    let name = slot.name();
    let record = c.boolean(&["slots", name, "record"]).unwrap_or(false);
    let personal_data = match c.choice(&["slots", name, "record-personal-data"], &["pseudonymized", "full"]) {
        Some("full") => PersonalData::Full,
        _ => PersonalData::Pseudonymized,
    };
    if slot == SlotId::ErpConnector && record {
        c.problem(
            &["slots", name, "record"],
            "the ERP connector's calls are the ERP's traffic, not decisions to replay: only the search-policy, notification-texts and web-merge-rules slots record",
        );
        return None;
    }
    if !record && c.value(&["slots", name, "record-personal-data"]).is_some() {
        c.problem(
            &["slots", name, "record-personal-data"],
            "says what a recording keeps, but the slot does not record (`record = true`)",
        );
    }
    record.then_some(personal_data)
}

/// `slots.<name>.allowed-hosts`: the addresses the slot's plugin may connect to.
fn allowed_hosts(c: &mut Checker, name: &str) -> Vec<AllowedHost> {
    let keys = ["slots", name, "allowed-hosts"];
    let mut allowed = Vec::new();
    for entry in c.strings(&keys).unwrap_or_default() {
        match AllowedHost::parse(entry) {
            Ok(host) => allowed.push(host),
            Err(why) => c.problem(&keys, why),
        }
    }
    allowed
}

/// `host.database-key`: `"none"`, or where the key is read from.
fn database_key(c: &mut Checker) -> KeySetting {
    let keys = ["host", "database-key"];
    match c.value(&keys) {
        None => KeySetting::Default,
        Some(toml::Value::String(none)) if none == "none" => KeySetting::Plain,
        Some(toml::Value::String(_)) => {
            c.problem(&keys, "expected `{ file = \"path\" }`, `{ env = \"VARIABLE\" }` or \"none\": a key is never written in the policy");
            KeySetting::Default
        }
        Some(_) => secret_source(c, &keys).map(KeySetting::Key).unwrap_or_default(),
    }
}

/// A secret's source at `keys`: `{ env = "VARIABLE" }` or `{ file = "path" }`, a path
/// relative to the policy file that sets it.
fn secret_source<'k>(c: &mut Checker, keys: &[&'k str]) -> Option<SecretSource> {
    let at = |last: &'k str| [keys, &[last]].concat();
    let source = match c.value(keys)? {
        toml::Value::Table(source) if source.len() == 1 => {
            if let Some(variable) = c.string(&at("env")) {
                Some(SecretSource::Env(variable.to_owned()))
            } else {
                c.string(&at("file")).map(|file| SecretSource::File(c.layers.resolve(&at("file"), file)))
            }
        }
        _ => None,
    };
    if source.is_none() {
        c.problem(
            keys,
            "expected `{ env = \"VARIABLE\" }` or `{ file = \"path\" }`: a secret is never written in the policy",
        );
    }
    source
}

/// `slots.erp-connector.secrets`: each secret's name and where it is read from, never its
/// value. With `check_sources`, each must also be readable now.
fn secrets(c: &mut Checker, slot: SlotId, check_sources: bool) -> Vec<(String, SecretSource)> {
    let name = slot.name();
    let Some(table) = c.any_table(&["slots", name, "secrets"]) else { return Vec::new() };
    if slot != SlotId::ErpConnector {
        c.problem(&["slots", name, "secrets"], "only the erp-connector slot is given secrets");
        return Vec::new();
    }
    let mut secrets = Vec::new();
    for secret in table.keys() {
        let keys = ["slots", name, "secrets", secret.as_str()];
        if let Some(source) = secret_source(c, &keys) {
            if check_sources && let Err(why) = source.read() {
                c.problem(&keys, why);
            }
            secrets.push((secret.clone(), source));
        }
    }
    secrets
}
