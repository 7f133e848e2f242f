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
    // Written whole under a name of its own, then linked to `path`, which fails if `path`
    // exists: another process starting at the same moment never reads a file half written.
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{}", &random_hex()[..16]));
    let whole = PathBuf::from(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(&whole)
        .and_then(|mut file| writeln!(file, "{secret}").and_then(|()| file.sync_all()))
        .map_err(|e| format!("cannot create it: {e}"));
    let linked = written.and_then(|()| match std::fs::hard_link(&whole, path) {
        Ok(()) => Ok(Some(secret)),
        // Another host made it meanwhile: use theirs.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(error) => Err(format!("cannot create it: {error}")),
    });
    let _ = std::fs::remove_file(&whole);
    match linked? {
        Some(secret) => Ok(secret),
        None => read(path),
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

    #[test]
    fn hosts_starting_together_all_get_the_one_secret_made() {
        let dir = tempfile::tempdir().unwrap();
        for round in 0..40 {
            let path = dir.path().join(format!("secret-{round}"));
            let secrets: Vec<String> = std::thread::scope(|scope| {
                let started: Vec<_> = (0..8).map(|_| scope.spawn(|| load_or_create(&path).unwrap())).collect();
                started.into_iter().map(|t| t.join().unwrap()).collect()
            });
            assert!(secrets.iter().all(|s| s.len() == 64 && *s == secrets[0]), "round {round}: {secrets:?}");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 40, "no file written on the way is left: {left:?}");
    }
}
