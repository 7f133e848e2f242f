//! The API token: a secret every request to `/api/` carries, so that nothing but the console
//! the host served and the clients that can read the token file may use the API. The token
//! is made once per installation and kept in a file only the host's user can read.

use std::fmt;
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
        ApiToken(crate::secrets::random_hex().into())
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
        let fail = |why: String| TokenError::File { path: path.to_owned(), why };
        let text = crate::secrets::load_or_create(path).map_err(fail)?;
        ApiToken::new(&text).map_err(|e| fail(e.to_string()))
    }

    /// The token kept in `path`, which must be a small regular file that only its owner
    /// can read or write.
    pub fn read(path: &Path) -> Result<ApiToken, TokenError> {
        let fail = |why: String| TokenError::File { path: path.to_owned(), why };
        ApiToken::new(&crate::secrets::read(path).map_err(fail)?).map_err(|e| fail(e.to_string()))
    }

    /// Where the token of this user's hosts is kept: `$XDG_STATE_HOME/pos-host/api-token`,
    /// else `~/.local/state/pos-host/api-token`.
    pub fn default_path() -> Option<PathBuf> {
        Some(crate::secrets::state_dir()?.join("api-token"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_long_enough_and_fits_a_header() {
        let dir = tempfile::tempdir().unwrap();
        let made = ApiToken::load_or_create(&dir.path().join("api-token")).unwrap();
        assert_eq!(made.expose().len(), 64);
        assert!(made.matches(made.expose()) && !made.matches("a-wrong-token-of-some-length"));
        assert!(ApiToken::new("short").is_err());
        assert!(ApiToken::new("a token with spaces in it").is_err());
    }
}
