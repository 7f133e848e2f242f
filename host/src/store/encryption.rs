//! Encryption at rest: the customer database is a SQLCipher file (AES-256 pages, each with
//! an HMAC) whose key comes from a file only the host's user may read, or from the
//! environment, as `host.database-key` names it. The key is 32 random bytes written as 64
//! hex digits and given to SQLCipher as a raw key: no passphrase, so no key derivation to
//! pay at each of the store's connections.
//!
//! `encrypt` and `rekey` never change the database in place: they write the whole database
//! into a new file beside it, encrypted with the new key, make that file durable, and rename
//! it over the old one, so that a kill at any point leaves one whole file that opens with
//! the old key or the new one. `rekey` keeps the new key in `<key file>.next` until the
//! rename, and the next open of the database finishes (or forgets) a rekey that was killed.

use super::StoreError;
use crate::caps::SecretSource;
use rusqlite::{Connection, OpenFlags};
use std::fmt;
use std::path::{Path, PathBuf};

/// What `host.database-key` says.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum KeySetting {
    /// Absent: a new database is encrypted with the key in [`default_key_file`] (made on
    /// first use); an existing plain database stays plain, an encrypted one opens with that
    /// key.
    #[default]
    Default,
    /// `"none"`: the database is plain.
    Plain,
    /// `{ file = "..." }` or `{ env = "..." }`: the database is encrypted with this key.
    Key(SecretSource),
}

/// A database key: 32 bytes, as 64 hex digits.
#[derive(Clone, PartialEq)]
pub struct DatabaseKey(String);

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey(..)")
    }
}

impl DatabaseKey {
    /// A key from its 64 hex digits.
    pub fn parse(text: &str) -> Result<DatabaseKey, String> {
        let text = text.trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "it holds {} characters, not a key: expected 64 hex digits (32 random bytes, such as `openssl rand -hex 32` prints)",
                text.chars().count()
            ));
        }
        Ok(DatabaseKey(text.to_ascii_lowercase()))
    }

    /// A new random key.
    pub fn random() -> DatabaseKey {
        DatabaseKey(crate::secrets::random_hex())
    }

    /// The key as SQLCipher takes a raw one, in a `PRAGMA key` or an `ATTACH ... KEY`.
    fn raw(&self) -> String {
        format!("x'{}'", self.0)
    }

    fn apply(&self, connection: &Connection) -> rusqlite::Result<()> {
        // The digits were checked: nothing else can end up in the statement.
        connection.execute_batch(&format!("PRAGMA key = \"{}\"; {}", self.raw(), cipher_settings("main")))
    }
}

/// The settings of every database this host encrypts, which SQLCipher does not keep in the
/// file and every connection must repeat: the page HMAC is SHA-256 rather than SQLCipher's
/// default SHA-512, because processors of the last years compute SHA-256 in hardware and
/// SHA-512 not: a full synchronization of a million customers took 1.34 times the plain one
/// with SHA-512 (docs/benchmarks.md). AES-256 and 4 KiB pages stay as they are.
fn cipher_settings(schema: &str) -> String {
    format!(
        "PRAGMA {schema}.cipher_hmac_algorithm = HMAC_SHA256; PRAGMA {schema}.cipher_kdf_algorithm = PBKDF2_HMAC_SHA256;"
    )
}

/// How a [`Store`](super::Store) opens its file.
#[derive(Clone, Debug)]
pub enum Protection {
    /// A plain SQLite file.
    Plain,
    /// Encrypted with `key`, read from `from` (for messages).
    Encrypted { key: DatabaseKey, from: String },
}

impl Protection {
    /// Gives a new connection to the file at `path` the key, and checks that it opens it.
    pub fn unlock(&self, connection: &Connection, path: &Path) -> Result<(), StoreError> {
        // SQLCipher writes its own lines to stderr (a wrong key: "error decrypting page 1");
        // the store's error says it in the host's words.
        connection
            .query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))
            .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(()) } else { Err(e) })
            .map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
        if let Protection::Encrypted { key, .. } = self {
            key.apply(connection).map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
        }
        match connection.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(())) {
            Ok(()) => Ok(()),
            Err(error) if error.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
                Err(self.refused(path))
            }
            Err(source) => Err(StoreError::Open { path: path.to_owned(), source }),
        }
    }

    fn refused(&self, path: &Path) -> StoreError {
        let why = match self {
            Protection::Plain => {
                "it is encrypted, or not a SQLite database: `host.database-key` must name its key".into()
            }
            Protection::Encrypted { from, .. } => format!(
                "the key from {from} does not open it: it was encrypted with another key, or it is not a customer database"
            ),
        };
        StoreError::Key { path: path.to_owned(), why }
    }
}

/// The key file used when the policy names none: `database.key` in the host's state
/// directory, beside the API token.
pub fn default_key_file() -> Option<PathBuf> {
    crate::secrets::state_dir().map(|dir| dir.join("database.key"))
}

/// What the file at `path` is, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FileKind {
    /// No file, or an empty one: a new database.
    Missing,
    /// A plain SQLite database.
    Plain,
    /// Anything else: encrypted, or not a database at all.
    Other,
}

/// What the file at `path` is. A device or a pipe is refused before anything reads it.
pub fn file_kind(path: &Path) -> Result<FileKind, StoreError> {
    use std::io::Read;
    let unreadable =
        |e: &dyn fmt::Display| StoreError::Invalid(format!("the customer database {}: {e}", path.display()));
    match crate::files::check(path, u64::MAX) {
        Ok(()) => {}
        Err(error) if error.not_found() => return Ok(FileKind::Missing),
        Err(error) => return Err(unreadable(&error)),
    }
    let mut header = Vec::with_capacity(16);
    crate::files::open(path).and_then(|file| file.take(16).read_to_end(&mut header)).map_err(|e| unreadable(&e))?;
    Ok(match header.as_slice() {
        [] => FileKind::Missing,
        b"SQLite format 3\0" => FileKind::Plain,
        _ => FileKind::Other,
    })
}

/// Where `setting` reads the database key: the policy's source, or the default key file;
/// `None` for a plain database.
pub fn source_of(setting: &KeySetting) -> Result<Option<SecretSource>, String> {
    match setting {
        KeySetting::Plain => Ok(None),
        KeySetting::Key(source) => Ok(Some(source.clone())),
        KeySetting::Default => default_key_file()
            .map(|file| Some(SecretSource::File(file)))
            .ok_or_else(|| "no key file: neither XDG_STATE_HOME nor HOME is set".to_owned()),
    }
}

/// The key in `source`; a file must be readable by its owner only.
pub fn read_key(source: &SecretSource) -> Result<DatabaseKey, String> {
    let text = match source {
        SecretSource::File(path) => crate::secrets::read(path).map_err(|why| format!("{source}: {why}"))?,
        SecretSource::Env(_) => source.read()?,
    };
    DatabaseKey::parse(&text).map_err(|why| format!("{source}: {why}"))
}

/// The key in `source`, made (random) when `source` is a file that does not exist yet.
pub fn read_or_make_key(source: &SecretSource) -> Result<DatabaseKey, String> {
    match source {
        SecretSource::File(path) if !path.exists() => {
            let text = crate::secrets::load_or_create(path).map_err(|why| format!("{source}: {why}"))?;
            crate::files::sync_parent(path).map_err(|e| format!("{source}: {e}"))?;
            DatabaseKey::parse(&text).map_err(|why| format!("{source}: {why}"))
        }
        _ => read_key(source),
    }
}

/// How the database at `path` opens under `setting`, finishing a rekey a kill interrupted.
pub fn protection(path: &Path, setting: &KeySetting) -> Result<Protection, StoreError> {
    let key_error = |why: String| StoreError::Key { path: path.to_owned(), why };
    let kind = file_kind(path)?;
    let source = match (setting, kind) {
        (KeySetting::Default, FileKind::Plain) => None,
        (KeySetting::Key(_), FileKind::Plain) => {
            return Err(key_error(
                "it is not encrypted, and `host.database-key` names a key: run `pos-host db encrypt` to encrypt it"
                    .into(),
            ));
        }
        _ => source_of(setting).map_err(key_error)?,
    };
    let Some(source) = source else { return Ok(Protection::Plain) };
    let key = match kind {
        FileKind::Missing => read_or_make_key(&source),
        _ => read_key(&source),
    }
    .map_err(key_error)?;
    let current = Protection::Encrypted { key, from: source.to_string() };
    let SecretSource::File(file) = &source else { return Ok(current) };
    let next = next_key_file(file);
    if kind == FileKind::Missing || !next.exists() {
        return Ok(current);
    }
    // A rekey was killed: the database opens with the old key (the rename of the database
    // had not happened: the new key is dropped) or with the new one (the rename of the key
    // file had not: it is done now).
    if opens(path, &current)? {
        std::fs::remove_file(&next).map_err(|e| key_error(format!("cannot remove {}: {e}", next.display())))?;
        return Ok(current);
    }
    let key = read_key(&SecretSource::File(next.clone())).map_err(key_error)?;
    let pending = Protection::Encrypted { key, from: source.to_string() };
    if !opens(path, &pending)? {
        return Err(current.refused(path));
    }
    replace(&next, file)
        .map_err(|e| key_error(format!("cannot move {} to {}: {e}", next.display(), file.display())))?;
    tracing::info!(key_file = %file.display(), "finished the change of the customer database's key a stop had interrupted");
    Ok(pending)
}

/// Where `rekey` keeps the new key until the database is encrypted with it.
pub fn next_key_file(file: &Path) -> PathBuf {
    suffixed(file, ".next")
}

/// Whether `protection` opens the database at `path` (reading only).
fn opens(path: &Path, protection: &Protection) -> Result<bool, StoreError> {
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
    match protection.unlock(&connection, path) {
        Ok(()) => Ok(true),
        Err(StoreError::Key { .. }) => Ok(false),
        Err(error) => Err(error),
    }
}

/// Renames `from` to `to` and makes the rename durable.
fn replace(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::rename(from, to)?;
    crate::files::sync_parent(to)
}

/// What `encrypt` or `rekey` did.
#[derive(Debug)]
pub struct Rewritten {
    /// The database's size in bytes afterwards.
    pub bytes: u64,
}

/// Encrypts the plain database at `path` with `key`: see the module's comment for why a kill
/// at any point leaves a database that opens (plain, or with `key`).
pub fn encrypt(path: &Path, key: &DatabaseKey) -> Result<Rewritten, StoreError> {
    match file_kind(path)? {
        FileKind::Plain => rekey(path, &Protection::Plain, key),
        FileKind::Missing => Err(StoreError::Invalid(format!("there is no customer database at {}", path.display()))),
        FileKind::Other => {
            Err(StoreError::Invalid(format!("{} is already encrypted (or not a SQLite database)", path.display())))
        }
    }
}

/// Encrypts the database at `path`, which `current` opens, with a new key for `file`: the new key waits in `<file>.next` until the database is rewritten, then
/// replaces the file's key.
pub fn rekey_file(path: &Path, current: &Protection, file: &Path) -> Result<Rewritten, StoreError> {
    let next = next_key_file(file);
    let key_error = |why: String| StoreError::Key { path: path.to_owned(), why };
    // A stale one from an earlier rekey is replaced: the database does not open with it
    // (`protection` checked on the way here).
    remove_leftover(&next).map_err(|e| key_error(format!("cannot remove {}: {e}", next.display())))?;
    let key = read_or_make_key(&SecretSource::File(next.clone())).map_err(key_error)?;
    let rewritten = rekey(path, current, &key)?;
    replace(&next, file)
        .map_err(|e| key_error(format!("cannot move {} to {}: {e}", next.display(), file.display())))?;
    Ok(rewritten)
}

/// Encrypts the database at `path`, which `current` opens, with `key`: writes it into a new
/// file encrypted with `key` and renames that over it.
pub fn rekey(path: &Path, current: &Protection, key: &DatabaseKey) -> Result<Rewritten, StoreError> {
    let failed = |step: &str, e: &dyn fmt::Display| StoreError::Invalid(format!("{}: {step}: {e}", path.display()));
    let temporary = suffixed(path, ".rewriting");
    for leftover in [temporary.clone(), suffixed(&temporary, "-journal")] {
        remove_leftover(&leftover).map_err(|e| failed(&format!("cannot remove {}", leftover.display()), &e))?;
    }
    // CREATE lets the connection make the new file it attaches; the callers found `path`.
    let connection =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
            .map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
    current.unlock(&connection, path)?;
    // Only this process may touch the file from here on: out of WAL mode (which SQLite
    // refuses while another connection has the file open) the log is copied back in and
    // removed, and the exclusive lock is kept until the connection closes.
    connection.busy_timeout(std::time::Duration::ZERO).map_err(|e| failed("cannot set up", &e))?;
    connection.pragma_update(None, "locking_mode", "EXCLUSIVE").map_err(|e| failed("cannot lock it", &e))?;
    let mode: String =
        connection.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get(0)).map_err(|_| in_use(path))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(in_use(path));
    }
    connection.execute_batch("BEGIN EXCLUSIVE; COMMIT;").map_err(|_| in_use(path))?;
    let version: i64 =
        connection.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|e| failed("cannot read it", &e))?;
    connection
        .execute("ATTACH DATABASE ?1 AS rewritten KEY ?2", (temporary.to_string_lossy(), key.raw()))
        .map_err(|e| failed(&format!("cannot create {}", temporary.display()), &e))?;
    connection
        .execute_batch(&cipher_settings("rewritten"))
        .and_then(|()| connection.query_row("SELECT sqlcipher_export('rewritten')", [], |_| Ok(())))
        .and_then(|()| connection.pragma_update(Some("rewritten"), "user_version", version))
        .and_then(|()| connection.execute_batch("DETACH DATABASE rewritten"))
        .map_err(|e| failed(&format!("cannot write {}", temporary.display()), &e))?;
    let file = std::fs::File::open(&temporary).map_err(|e| failed("cannot reopen the new file", &e))?;
    file.sync_all().map_err(|e| failed("cannot make the new file durable", &e))?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    // The shared-memory index of the old file's log means nothing for the new file.
    let _ = std::fs::remove_file(suffixed(path, "-shm"));
    replace(&temporary, path).map_err(|e| failed(&format!("cannot rename {} over it", temporary.display()), &e))?;
    drop(connection);
    Ok(Rewritten { bytes })
}

fn in_use(path: &Path) -> StoreError {
    StoreError::Invalid(format!(
        "{} is in use by another process (a running `pos-host serve`?): stop it first",
        path.display()
    ))
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes what an interrupted run left at `path`, if anything.
fn remove_leftover(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_64_hex_digits_and_never_printed() {
        let key = DatabaseKey::parse(&"Ab".repeat(32)).unwrap();
        assert_eq!(key.raw(), format!("x'{}'", "ab".repeat(32)));
        assert_eq!(format!("{key:?}"), "DatabaseKey(..)");
        let error = DatabaseKey::parse("correct horse battery staple").unwrap_err();
        assert!(error.contains("28 characters") && error.contains("64 hex digits"), "{error}");
        assert!(!error.contains("horse"), "the message does not repeat the secret: {error}");
        assert!(DatabaseKey::parse(&"g".repeat(64)).is_err());
    }

    #[test]
    fn a_database_is_encrypted_with_the_hosts_cipher_settings_which_every_reader_needs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("customers.sqlite");
        let key = DatabaseKey::random();
        let protection = Protection::Encrypted { key: key.clone(), from: "the test".into() };
        drop(super::super::Store::open_with(&path, &protection).unwrap());
        let reader = |settings: &str| {
            let connection = Connection::open(&path).unwrap();
            connection.execute_batch(&format!("PRAGMA key = \"{}\"; {settings}", key.raw())).unwrap();
            connection.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))
        };
        assert!(reader(&cipher_settings("main")).unwrap() > 0);
        let with_defaults = reader("").unwrap_err();
        assert_eq!(with_defaults.sqlite_error_code(), Some(rusqlite::ErrorCode::NotADatabase), "SHA-512 opens it");
    }

    /// Every block of the full-text index fits in one page of its database: in an encrypted
    /// page, which keeps 80 bytes for the cipher, FTS5's default blocks spilled into a second
    /// page, read and decrypted with each.
    #[test]
    fn the_search_index_blocks_fit_in_one_page_encrypted_or_not() {
        use crate::bindings::{Customer, Origin};
        let dir = tempfile::tempdir().unwrap();
        let protections =
            [Protection::Plain, Protection::Encrypted { key: DatabaseKey::random(), from: "the test".into() }];
        for (name, protection) in ["plain", "encrypted"].into_iter().zip(&protections) {
            let store = super::super::Store::open_with(&dir.path().join(format!("{name}.sqlite")), protection).unwrap();
            store
                .write_blocking(|tx| -> rusqlite::Result<()> {
                    super::super::begin_bulk_index(tx)?;
                    for i in 0..5000 {
                        let customer = Customer {
                            number: Some(format!("K-{i:07}")),
                            web_id: None,
                            first_name: ["Zofia", "Jan", "Anna", "Piotr"][i % 4].into(),
                            last_name: format!("Kowalsk{}{i}", ["i", "a"][i % 2]),
                            company: None,
                            tax_id: None,
                            email: Some(format!("k{i}@example.pl")),
                            phone: Some(format!("601 {i:06}")),
                            street: Some(format!("ul. Długa {i}")),
                            postal_code: Some("00-950".into()),
                            city: Some(["Łódź", "Kraków", "Gdańsk"][i % 3].into()),
                            country: Some("PL".into()),
                            active: true,
                            origin: Origin::Erp,
                            version: 1,
                            updated_at: 0,
                            previewable: true,
                            editable: true,
                        };
                        super::super::insert_new(tx, &customer, None)?;
                    }
                    super::super::optimize_index(tx);
                    Ok(())
                })
                .unwrap();
            let (blocks, largest, reserved) = store
                .read_blocking(|c| {
                    let (blocks, largest) =
                        c.query_row("SELECT count(*), max(length(block)) FROM customers_fts_data", [], |r| {
                            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                        })?;
                    Ok((blocks, largest, super::super::customers::reserved_bytes(c)))
                })
                .unwrap();
            // A table leaf page keeps a row whole up to the page's usable size less 35 bytes;
            // the block's row adds 4.
            let usable = 4096 - reserved;
            assert!(blocks > 20, "{name}: the index spans many blocks ({blocks})");
            assert!(largest + 4 <= usable - 35, "{name}: a block of {largest} bytes spills over a page of {usable}");
            assert_eq!(reserved, [0, 80][usize::from(name == "encrypted")], "{name}");
        }
    }
}
