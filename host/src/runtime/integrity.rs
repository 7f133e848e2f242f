//! What a plugin file must be before it is compiled: the one whose SHA-256 its policy pins,
//! and signed (with the standard `minisign` tool) by a key the policy trusts. Both are
//! checked on the bytes that are then compiled, never on a second read of the file.

use super::error::LoadProblem;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A minisign public key a policy trusts, as written there.
#[derive(Clone)]
pub struct TrustedKey {
    /// The key as the policy gives it (the base64 line of a `minisign.pub` file).
    pub text: String,
    key: minisign_verify::PublicKey,
}

impl std::fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrustedKey({})", self.text)
    }
}

impl PartialEq for TrustedKey {
    fn eq(&self, other: &TrustedKey) -> bool {
        self.text == other.text
    }
}

impl TrustedKey {
    /// The key in `text`: the base64 line of a `minisign.pub` file, or the whole file.
    pub fn parse(text: &str) -> Result<TrustedKey, String> {
        let line = text.lines().map(str::trim).rfind(|line| !line.is_empty()).unwrap_or_default();
        match minisign_verify::PublicKey::from_base64(line) {
            Ok(key) => Ok(TrustedKey { text: line.to_owned(), key }),
            Err(error) => Err(format!(
                "`{}` is not a minisign public key (the line after `untrusted comment:` in a .pub file): {error}",
                line.chars().take(60).collect::<String>()
            )),
        }
    }
}

/// What a slot's plugin file must be.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Integrity {
    /// The SHA-256 the file must have, lowercase hex.
    pub sha256: Option<String>,
    /// When not empty, the file must be signed by one of these keys.
    pub trusted_keys: Arc<[TrustedKey]>,
    /// The signature file; `<plugin>.minisig` when `None`.
    pub signature: Option<PathBuf>,
}

impl Integrity {
    /// The signature file of the plugin at `plugin`.
    pub fn signature_of(&self, plugin: &Path) -> PathBuf {
        self.signature.clone().unwrap_or_else(|| {
            let mut name = plugin.as_os_str().to_owned();
            name.push(".minisig");
            PathBuf::from(name)
        })
    }

    /// Checks `bytes`, read from `plugin`, whose SHA-256 is `sha256`.
    pub fn check(&self, plugin: &Path, bytes: &[u8], sha256: &str) -> Result<(), LoadProblem> {
        if let Some(expected) = &self.sha256
            && expected != sha256
        {
            return Err(LoadProblem::Sha256Mismatch { expected: expected.clone(), found: sha256.to_owned() });
        }
        if self.trusted_keys.is_empty() {
            return Ok(());
        }
        let path = self.signature_of(plugin);
        let unsigned = |why: String| LoadProblem::Unsigned { signature: path.clone(), why };
        let text =
            crate::files::read_text(&path, crate::files::MAX_SMALL_FILE_BYTES).map_err(|e| unsigned(e.to_string()))?;
        let signature = minisign_verify::Signature::decode(&text)
            .map_err(|e| unsigned(format!("not a minisign signature: {e}")))?;
        let mut verdicts = self.trusted_keys.iter().map(|trusted| trusted.key.verify(bytes, &signature, false));
        if verdicts.any(|verdict| verdict.is_ok()) {
            return Ok(());
        }
        // Each key either is not the signer's or finds the file changed since signing.
        let signer_trusted = self.trusted_keys.iter().any(|trusted| {
            !matches!(trusted.key.verify(bytes, &signature, false), Err(minisign_verify::Error::UnexpectedKeyId))
        });
        Err(if signer_trusted {
            LoadProblem::BadSignature { signature: path }
        } else {
            LoadProblem::UntrustedSignature { signature: path }
        })
    }
}
