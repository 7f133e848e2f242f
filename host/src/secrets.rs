//! Secrets this installation keeps on disk (the API token, the key that vouches for the
//! compilation cache): made once, on first use, in a file that only the host's user may read
//! or change; a file others can read or change is refused, never used.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The directory of this user's host state: `$XDG_STATE_HOME/pos-host`, else
/// `~/.local/state/pos-host`.
pub fn state_dir() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state")))?;
    Some(state.join("pos-host"))
}

/// 32 random bytes from the operating system, in hex.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The secret kept in `path`, or a new random one written there when the file does not
/// exist yet.
pub fn load_or_create(path: &Path) -> Result<String, String> {
    if path.exists() {
        return read(path);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create its directory: {e}"))?;
    }
    let secret = random_hex();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            writeln!(file, "{secret}").and_then(|()| file.sync_all()).map_err(|e| e.to_string())?;
            Ok(secret)
        }
        // Another host made it meanwhile: use theirs.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => read(path),
        Err(error) => Err(format!("cannot create it: {error}")),
    }
}

/// The secret kept in `path`, a small regular file that only its owner can read or write.
pub fn read(path: &Path) -> Result<String, String> {
    let text = crate::files::read_text(path, crate::files::MAX_SMALL_FILE_BYTES)
        .map_err(|e| format!("cannot read it: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let metadata = std::fs::metadata(path).map_err(|e| e.to_string())?;
        if metadata.mode() & 0o077 != 0 {
            return Err(format!(
                "other users may read or change it (mode {:o}); run `chmod 600 {}`",
                metadata.mode() & 0o777,
                path.display()
            ));
        }
    }
    Ok(text.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_made_once_for_its_owner_only_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/pos-host/secret");
        let made = load_or_create(&path).unwrap();
        assert_eq!(made.len(), 64);
        assert_eq!(load_or_create(&path).unwrap(), made, "kept");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let refused = read(&path).unwrap_err();
            assert!(refused.contains("other users may read or change it (mode 644)"), "{refused}");
        }
    }
}
