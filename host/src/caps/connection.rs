//! `connection`: what a connector learns of the installation it runs in: the ERP's address,
//! the workstation, the secrets its policy names (read when asked, from the environment or a
//! file, and hidden from every log line and error text afterwards), and a few values it keeps
//! between calls, such as an ERP session.

use super::CallCaps;
use crate::bindings::connection::Host;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

/// At most this many values kept by `remember`.
pub const MAX_REMEMBERED: usize = 64;
/// The longest key or value `remember` keeps.
pub const MAX_REMEMBERED_BYTES: usize = 4096;

/// Where a secret is read from: `{ env = "NAME" }` or `{ file = "path" }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    Env(String),
    File(PathBuf),
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env(name) => write!(f, "the environment variable {name}"),
            SecretSource::File(path) => write!(f, "the file {}", path.display()),
        }
    }
}

impl SecretSource {
    /// The secret, trimmed of the line end a file usually has.
    pub fn read(&self) -> Result<String, String> {
        let value = match self {
            SecretSource::Env(name) => std::env::var(name).map_err(|_| format!("{self} is not set"))?,
            SecretSource::File(path) => crate::files::read_text(path, crate::files::MAX_SMALL_FILE_BYTES)
                .map_err(|e| format!("{self} cannot be read: {e}"))?,
        };
        let value = value.trim_end_matches(['\r', '\n']).to_owned();
        if value.is_empty() {
            return Err(format!("{self} is empty"));
        }
        Ok(value)
    }
}

/// How many secret values [`redact`] remembers: a secret file rewritten on every rotation
/// does not grow the list without bound.
const MAX_REVEALED: usize = 64;

/// Every secret value handed to a plugin in this process. Kept for the process rather than
/// for one loaded version: a version swapped out may have put a secret in a text the host
/// writes after the swap, and a failure is logged by the slot, away from the plugin.
static REVEALED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn reveal(value: &str) {
    let mut revealed = REVEALED.lock().unwrap_or_else(|p| p.into_inner());
    if !value.is_empty() && !revealed.iter().any(|known| known == value) {
        if revealed.len() == MAX_REVEALED {
            revealed.remove(0);
        }
        revealed.push(value.to_owned());
    }
}

/// `text` with every secret handed to a plugin so far replaced by `[secret]`: for whatever a
/// plugin's words reach (its log lines and output, its errors, the failures logged of it).
pub fn redact(text: &str) -> String {
    let revealed = REVEALED.lock().unwrap_or_else(|p| p.into_inner());
    revealed.iter().fold(text.to_owned(), |text, secret| text.replace(secret.as_str(), "[secret]"))
}

/// One connector's view of the installation; shared by every call of one loaded version.
pub struct Connection {
    /// `host.erp.url`.
    pub erp_url: Option<String>,
    /// `host.workstation`.
    pub workstation: String,
    /// `slots.erp-connector.secrets`, by name.
    secrets: Vec<(String, SecretSource)>,
    remembered: Mutex<HashMap<String, String>>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("erp_url", &self.erp_url)
            .field("workstation", &self.workstation)
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl Connection {
    pub fn new(erp_url: Option<String>, workstation: String, secrets: Vec<(String, SecretSource)>) -> Connection {
        Connection { erp_url, workstation, secrets, remembered: Mutex::default() }
    }

    /// A fresh copy for a newly loaded version: the same settings, nothing remembered.
    pub fn fresh(&self) -> Connection {
        Connection::new(self.erp_url.clone(), self.workstation.clone(), self.secrets.clone())
    }

    /// The secret `name`, or why there is none, naming the policy key.
    pub fn secret(&self, name: &str) -> Result<String, String> {
        let key = format!("slots.erp-connector.secrets.{name}");
        let Some((_, source)) = self.secrets.iter().find(|(n, _)| n == name) else {
            return Err(format!("{key} is not set in the policy"));
        };
        let value = source.read().map_err(|why| format!("{key}: {why}"))?;
        reveal(&value);
        Ok(value)
    }

    fn recall(&self, key: &str) -> Option<String> {
        self.remembered.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned()
    }

    fn remember(&self, key: String, value: Option<String>) -> Result<(), String> {
        let mut remembered = self.remembered.lock().unwrap_or_else(|p| p.into_inner());
        let Some(value) = value else {
            remembered.remove(&key);
            return Ok(());
        };
        if key.len() > MAX_REMEMBERED_BYTES || value.len() > MAX_REMEMBERED_BYTES {
            return Err(format!("remember: keys and values are at most {MAX_REMEMBERED_BYTES} bytes"));
        }
        if remembered.len() >= MAX_REMEMBERED && !remembered.contains_key(&key) {
            return Err(format!("remember: at most {MAX_REMEMBERED} values are kept"));
        }
        remembered.insert(key, value);
        Ok(())
    }
}

impl Host for CallCaps {
    async fn erp_url(&mut self) -> Option<String> {
        self.connection.as_ref().and_then(|c| c.erp_url.clone())
    }

    async fn workstation(&mut self) -> String {
        self.connection.as_ref().map(|c| c.workstation.clone()).unwrap_or_default()
    }

    async fn secret(&mut self, name: String) -> Result<String, String> {
        match &self.connection {
            Some(connection) => connection.secret(&name),
            None => Err("only the erp-connector slot is given secrets".into()),
        }
    }

    async fn recall(&mut self, key: String) -> Option<String> {
        self.connection.as_ref().and_then(|c| c.recall(&key))
    }

    async fn remember(&mut self, key: String, value: Option<String>) {
        if let Some(connection) = &self.connection
            && let Err(why) = connection.remember(key, value)
        {
            tracing::warn!(plugin = &*self.plugin, "{why}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_read_when_asked_and_hidden_afterwards() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("password");
        std::fs::write(&file, "s3cret-Pass\n").unwrap();
        let connection =
            Connection::new(None, "POS-01".into(), vec![("password".into(), SecretSource::File(file.clone()))]);
        assert_eq!(redact("login s3cret-Pass"), "login s3cret-Pass", "not read yet");
        assert_eq!(connection.secret("password").unwrap(), "s3cret-Pass");
        assert_eq!(redact("login s3cret-Pass failed"), "login [secret] failed");
        let missing = connection.secret("token").unwrap_err();
        assert_eq!(missing, "slots.erp-connector.secrets.token is not set in the policy");
        std::fs::remove_file(&file).unwrap();
        let gone = connection.secret("password").unwrap_err();
        assert!(gone.starts_with("slots.erp-connector.secrets.password: the file"), "{gone}");
        drop(connection);
        assert_eq!(redact("s3cret-Pass"), "[secret]", "hidden after the version that read it is gone");
        let unset = SecretSource::Env("POS_TEST_SURELY_UNSET_VARIABLE".into()).read().unwrap_err();
        assert_eq!(unset, "the environment variable POS_TEST_SURELY_UNSET_VARIABLE is not set");
    }

    #[test]
    fn remembered_values_are_bounded() {
        let connection = Connection::new(None, "POS-01".into(), Vec::new());
        for i in 0..MAX_REMEMBERED {
            connection.remember(format!("k{i}"), Some("v".into())).unwrap();
        }
        assert!(connection.remember("one more".into(), Some("v".into())).is_err());
        connection.remember("k0".into(), Some("replaced".into())).unwrap();
        assert_eq!(connection.recall("k0").as_deref(), Some("replaced"));
        connection.remember("k0".into(), None).unwrap();
        assert_eq!(connection.recall("k0"), None);
        assert!(connection.remember("big".into(), Some("x".repeat(MAX_REMEMBERED_BYTES + 1))).is_err());
    }
}
