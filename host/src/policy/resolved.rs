//! The effective value of every setting of a policy and where it came from: a file, line
//! and column, or the host's built-in default.

use super::{Location, Policy, SyncMode};
use crate::caps::SecretSource;
use crate::store::KeySetting;
use std::path::Path;

/// One setting as resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The key path, such as `host.erp.timeout-ms`.
    pub key: String,
    /// The value, in TOML syntax.
    pub value: String,
    /// The place that set it; `None` for a built-in default.
    pub source: Option<Location>,
}

impl Policy {
    /// Every setting with its effective value and where it came from, host settings first,
    /// then each configured slot.
    pub fn resolved(&self) -> Vec<Resolved> {
        let host = &self.host;
        let text = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let path = |p: &Option<std::path::PathBuf>| p.as_deref().map(Path::display).map(|d| text(&d.to_string()));
        let optional = |v: Option<String>| v.unwrap_or_else(|| "(none)".into());
        let mut out = Vec::new();
        let mut push = |keys: &[&str], value: String| {
            let set = self.layers.is_set(keys);
            out.push(Resolved { key: keys.join("."), value, source: set.then(|| self.layers.locate(keys)) });
        };
        push(&["host", "workstation"], text(&host.workstation));
        push(&["host", "locale"], text(&host.locale));
        push(&["host", "cache-dir"], optional(path(&host.cache_dir)));
        push(&["host", "database"], optional(path(&host.database)));
        let key = match &host.database_key {
            KeySetting::Default => {
                "(the key file in the host's state directory; an existing plain database stays plain)".into()
            }
            KeySetting::Plain => text("none"),
            KeySetting::Key(SecretSource::File(file)) => format!("{{ file = {} }}", text(&file.display().to_string())),
            KeySetting::Key(SecretSource::Env(variable)) => format!("{{ env = {} }}", text(variable)),
        };
        push(&["host", "database-key"], key);
        let days = |d: Option<u32>| d.map_or_else(|| text("forever"), |d| d.to_string());
        push(&["host", "retention", "audit-personal-days"], days(host.retention.audit_personal_days));
        push(&["host", "retention", "looked-up-days"], days(host.retention.looked_up_days));
        let mode = match host.customers.mode {
            SyncMode::LocalOnly => "local-only",
            SyncMode::SyncAll => "sync-all",
        };
        push(&["host", "customers", "mode"], text(mode));
        push(&["host", "erp", "url"], optional(host.erp.url.as_deref().map(text)));
        push(&["host", "erp", "timeout-ms"], host.erp.timeout_ms.to_string());
        push(&["host", "erp", "online-search"], host.erp.online_search.to_string());
        push(&["host", "webshop", "url"], optional(host.webshop.url.as_deref().map(text)));
        push(&["host", "webshop", "timeout-ms"], host.webshop.timeout_ms.to_string());
        let keys: Vec<String> = host.trusted_keys.iter().map(|k| text(&k.text)).collect();
        push(&["host", "trusted-keys"], format!("[{}]", keys.join(", ")));
        for slot in &self.slots {
            let name = slot.slot.name();
            push(&["slots", name, "plugin"], text(&slot.plugin.display().to_string()));
            let grants: Vec<String> = slot.grants.iter().map(|g| text(g.name())).collect();
            push(&["slots", name, "grants"], format!("[{}]", grants.join(", ")));
            push(&["slots", name, "sha256"], optional(slot.integrity.sha256.as_deref().map(text)));
            if !slot.integrity.trusted_keys.is_empty() {
                let signature = slot.integrity.signature_of(&slot.plugin);
                push(&["slots", name, "signature"], text(&signature.display().to_string()));
            }
            let limits = &slot.limits;
            for (key, value) in [
                ("fuel", limits.fuel),
                ("memory-mib", limits.memory_mib as u64),
                ("timeout-ms", limits.timeout_ms),
                ("prompt-timeout-ms", limits.prompt_timeout_ms),
            ] {
                push(&["slots", name, "limits", key], value.to_string());
            }
            for entry in slot.config.entries() {
                let keys: Vec<&str> = ["slots", name, "config"].into_iter().chain(entry.key.split('.')).collect();
                push(&keys, super::config_table::to_toml(&entry.value));
            }
        }
        out
    }
}
