//! The API token: a secret every request to `/api/` carries, so that nothing but the console
//! the host served and the clients that can read the token file may use the API. The token
//! is made once per installation and kept in a file only the host's user can read.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The shortest token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;

/// An API token. Its `Debug` form does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(Arc<str>);

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(..)")
    }
}

/// Why a token could not be had.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is {0} characters; use at least {MIN_TOKEN_CHARS}")]
    TooShort(usize),
    #[error("the token contains characters other than letters, digits, `-`, `_` and `.`")]
    Characters,
    #[error("the token file {path}: {why}")]
    File { path: PathBuf, why: String },
}

impl ApiToken {
    /// `text` as a token, refused when short or holding characters a header cannot carry.
    pub fn new(text: &str) -> Result<ApiToken, TokenError> {
        let text = text.trim();
        if text.chars().count() < MIN_TOKEN_CHARS {
            return Err(TokenError::TooShort(text.chars().count()));
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(TokenError::Characters);
        }
        Ok(ApiToken(text.into()))
    }

    /// A new random token: 256 bits from the operating system, in hex.
    pub fn generate() -> ApiToken {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
        ApiToken(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>().into())
    }

    /// The token's text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` is this token, compared without stopping at the first difference so
    /// that timing tells nothing.
    pub fn matches(&self, given: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The token kept in `path`; made and written there (readable by this user only) when
    /// the file does not exist yet.
    pub fn load_or_create(path: &Path) -> Result<ApiToken, TokenError> {
        match ApiToken::read(path) {
            Err(TokenError::File { .. }) if !path.exists() => {}
            other => return other,
        }
        let fail = |why: String| TokenError::File { path: path.to_owned(), why };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create its directory: {e}")))?;
        }
        let token = ApiToken::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut file) => {
                writeln!(file, "{}", token.expose()).and_then(|()| file.sync_all()).map_err(|e| fail(e.to_string()))?;
                Ok(token)
            }
            // Another host made it meanwhile: use theirs.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => ApiToken::read(path),
            Err(error) => Err(fail(format!("cannot create it: {error}"))),
        }
    }

    /// The token kept in `path`, which must be a small regular file that only its owner
    /// can read or write.
    pub fn read(path: &Path) -> Result<ApiToken, TokenError> {
        let fail = |why: String| TokenError::File { path: path.to_owned(), why };
        let text = crate::files::read_text(path, crate::files::MAX_SMALL_FILE_BYTES)
            .map_err(|e| fail(format!("cannot read it: {e}")))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let metadata = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
            if metadata.mode() & 0o077 != 0 {
                return Err(fail(format!(
                    "other users may read or change it (mode {:o}); run `chmod 600 {}`",
                    metadata.mode() & 0o777,
                    path.display()
                )));
            }
        }
        ApiToken::new(&text).map_err(|e| fail(e.to_string()))
    }

    /// Where the token of this user's hosts is kept: `$XDG_STATE_HOME/pos-host/api-token`,
    /// else `~/.local/state/pos-host/api-token`.
    pub fn default_path() -> Option<PathBuf> {
        let state = std::env::var_os("XDG_STATE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state")))?;
        Some(state.join("pos-host/api-token"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_file_is_made_once_for_its_owner_only_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/pos-host/api-token");
        let made = ApiToken::load_or_create(&path).unwrap();
        assert_eq!(made.expose().len(), 64);
        assert_eq!(ApiToken::load_or_create(&path).unwrap(), made, "kept");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let refused = ApiToken::read(&path).unwrap_err().to_string();
            assert!(refused.contains("other users may read or change it (mode 644)"), "{refused}");
        }
        assert!(made.matches(made.expose()) && !made.matches("a-wrong-token-of-some-length"));
        assert!(ApiToken::new("short").is_err());
        assert!(ApiToken::new("a token with spaces in it").is_err());
    }
}
