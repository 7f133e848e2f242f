//! The local customer database: SQLite in WAL mode, append-only migrations, customers with a
//! folded full-text index, synchronization state and the outbox to the ERP.
//!
//! Blocking SQLite work runs on tokio's blocking threads; one writer connection and a few
//! readers let searches run while a synchronization writes.

mod checkpoint;
mod customers;
pub mod encryption;
pub mod erasures;
pub mod holdings;
pub mod index_merge;
mod migrations;
pub mod outbox;
mod rank;
mod readers;
pub mod retention;
mod search;
pub mod sync_state;
pub mod web;

pub use customers::{
    FieldsError, MAX_FIELD_BYTES, begin_bulk_index, check_fields, check_person, check_text, delete, delete_unlisted,
    get, index_columns, insert_new, is_blank, mark_listed, optimize_index, origin_name, replace, upsert,
};
pub use encryption::{KeySetting, Protection};
pub use migrations::{MigrationReport, current_version};
pub use search::{MAX_PHRASE_WORDS, match_expression};

use crate::bindings::local_db::DbError;
use crate::bindings::{Customer, SearchQuery};
use crate::caps::LocalDb;
use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, Transaction};
use std::cell::RefCell;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many read connections serve searches next to the writer.
const READERS: usize = 3;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the customer database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error(
        "the customer database {path} has schema version {found}, newer than this host's {supported}; use a newer host"
    )]
    NewerSchema { path: PathBuf, found: usize, supported: usize },
    /// The key does not open the database, or cannot be read: `why` says which.
    #[error("cannot open the customer database {path}: {why}")]
    Key { path: PathBuf, why: String },
    #[error("customer database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("there is no customer {0}")]
    NoCustomer(String),
    #[error("the ERP does not allow editing customer {0}")]
    NotEditable(String),
    #[error("customer number {0} is taken: a new customer cannot have it")]
    NumberTaken(String),
    #[error("the customer database task failed: {0}")]
    Task(String),
}

impl StoreError {
    /// Whether another connection held the database locked for longer than the store waits.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(error)
                if matches!(error.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
        )
    }
}

impl From<StoreError> for DbError {
    fn from(error: StoreError) -> DbError {
        DbError::Unavailable(error.to_string())
    }
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: readers::Readers,
    checkpointer: checkpoint::Checkpointer,
    /// Told of every erasure committed, for what lies outside the store (recorded calls).
    erased: Arc<tokio::sync::Notify>,
}

/// The local customer database.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl Store {
    /// Opens (creating if needed) the plain database at `path` and brings its schema up to
    /// date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, &Protection::Plain)
    }

    /// Opens (creating if needed) the database at `path`, plain or encrypted as `protection`
    /// says, and brings its schema up to date. A wrong key is refused before anything is
    /// written.
    pub fn open_with(path: &Path, protection: &Protection) -> Result<Store, StoreError> {
        let open_error = |source| StoreError::Open { path: path.to_owned(), source };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Invalid(format!("cannot create {}: {e}", parent.display())))?;
        }
        let connect = |flags| -> Result<Connection, StoreError> {
            let connection = Connection::open_with_flags(path, flags).map_err(open_error)?;
            protection.unlock(&connection, path)?;
            configure(&connection).map_err(open_error)?;
            Ok(connection)
        };
        let mut writer = connect(OpenFlags::default())?;
        let report = migrations::migrate(&mut writer).map_err(open_error)?;
        if report.newer_than_host {
            return Err(StoreError::NewerSchema {
                path: path.to_owned(),
                found: report.from,
                supported: current_version(),
            });
        }
        customers::fit_index_blocks(&writer).map_err(open_error)?;
        // The log is copied back into the database file by the checkpointer, not in commits.
        writer.pragma_update(None, "wal_autocheckpoint", 0).map_err(open_error)?;
        let checkpoints = connect(OpenFlags::default())?;
        let checkpointer = checkpoint::Checkpointer::start(checkpoints).map_err(|e| {
            StoreError::Invalid(format!("cannot start the checkpoint thread of {}: {e}", path.display()))
        })?;
        checkpointer.watch(&mut writer).map_err(open_error)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(connect(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?);
        }
        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: readers::Readers::new(readers),
                checkpointer,
                erased: Arc::new(tokio::sync::Notify::new()),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `read` on a read connection, blocking the calling thread.
    pub fn read_blocking<R>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> Result<R, StoreError> {
        let turn = self.inner.readers.turn_blocking();
        Ok(self.inner.readers.with(&turn, read)?)
    }

    /// Runs `write` in one transaction on the writer, blocking the calling thread; nothing
    /// is written unless `write` succeeds.
    pub fn write_blocking<R, E>(&self, write: impl FnOnce(&WriteTx) -> Result<R, E>) -> Result<R, E>
    where
        E: From<rusqlite::Error>,
    {
        // The checkpoint of the last commits runs while the caller prepares this one, and
        // while this one writes unless the log is long (see `Checkpointer::make_room`).
        self.inner.checkpointer.make_room();
        let mut writer = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = WriteTx {
            tx: writer.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?,
            index: RefCell::default(),
        };
        let result = write(&tx)?;
        tx.commit()?;
        drop(writer);
        self.inner.checkpointer.nudge();
        Ok(result)
    }

    /// Notified of every erasure committed (its `notified()` ends at once when one was
    /// committed since the last wait ended): for what lies outside the store.
    pub fn erasures_committed(&self) -> Arc<tokio::sync::Notify> {
        self.inner.erased.clone()
    }

    /// Erases the person `key` names ([`holdings::erase`]) as [`Store::erasing`] does.
    pub async fn erase(
        &self,
        key: &str,
        source: holdings::ErasureSource,
        workstation: &str,
    ) -> Result<Option<holdings::Erased>, StoreError> {
        let (key, workstation) = (key.to_owned(), workstation.to_owned());
        self.erasing(true, move |tx| {
            let erased = holdings::erase(tx, &key, source, &workstation, crate::runtime::now_ms() as i64)?;
            let any = erased.is_some();
            Ok((erased, any))
        })
        .await
    }

    /// Runs `write` as [`Store::write`] does, and when it `may_erase` and says it erased
    /// someone, removes the copies SQLite keeps of what was removed: what the transaction frees is
    /// overwritten (`secure_delete`), the database is rebuilt (`VACUUM`: an earlier edit of
    /// the customer left its old row in a page's free space, and merges of the search index
    /// left old entries in free pages), and the log is copied into the database and
    /// emptied, so that no byte of the files still holds them.
    /// A write that may not erase anyone pays nothing for it: overwriting what a write frees
    /// costs every update.
    pub async fn erasing<R, E>(
        &self,
        may_erase: bool,
        write: impl FnOnce(&WriteTx) -> Result<(R, bool), E> + Send + 'static,
    ) -> Result<R, E>
    where
        R: Send + 'static,
        E: From<rusqlite::Error> + From<StoreError> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            if !may_erase {
                return store.write_blocking(write).map(|(result, _)| result);
            }
            let written = store.write_blocking(|tx| {
                tx.pragma_update(None, "secure_delete", true)?;
                write(tx)
            });
            let writer = store.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            // Only an erasure pays for overwriting what it frees.
            writer.pragma_update(None, "secure_delete", false)?;
            let (result, erased) = written?;
            if erased {
                store.inner.erased.notify_one();
                writer.execute_batch("VACUUM")?;
                store.empty_log(&writer)?;
            }
            Ok(result)
        })
        .await
        .map_err(|e| E::from(StoreError::Task(e.to_string())))?
    }

    /// Copies the whole log into the database and empties it, waiting for the checkpoint
    /// thread's round and for readers still on older pages.
    fn empty_log(&self, writer: &Connection) -> Result<(), StoreError> {
        for _ in 0..100 {
            self.inner.checkpointer.wait();
            let busy: i64 = writer.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
            if busy == 0 {
                return Ok(());
            }
        }
        Err(StoreError::Invalid("the customer database's log could not be emptied: readers keep it busy".into()))
    }

    /// Waits until the log holds nothing written before this call that a checkpoint could
    /// copy to the database file (readers may hold some back).
    pub fn wait_for_checkpoint(&self) {
        self.inner.checkpointer.wait();
    }

    /// `read_blocking` on a blocking thread.
    pub async fn read<R: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R, StoreError> {
        // The turn is waited for here, so that a queued read holds no thread.
        let turn = self.inner.readers.turn().await;
        let store = self.clone();
        tokio::task::spawn_blocking(move || Ok(store.inner.readers.with(&turn, read)?))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// `write_blocking` on a blocking thread.
    pub async fn write<R: Send + 'static, E: From<rusqlite::Error> + From<StoreError> + Send + 'static>(
        &self,
        write: impl FnOnce(&WriteTx) -> Result<R, E> + Send + 'static,
    ) -> Result<R, E> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.write_blocking(write))
            .await
            .map_err(|e| E::from(StoreError::Task(e.to_string())))?
    }

    /// The customer with this number.
    pub async fn customer(&self, number: &str) -> Result<Option<Customer>, StoreError> {
        let number = number.to_owned();
        self.read(move |conn| customers::get(conn, &number)).await
    }

    /// Full-text search: every word of the phrase prefix-matches a word of a searchable
    /// field, every filter holds; best matches first, at most `limit`.
    pub async fn search(&self, query: &SearchQuery, limit: u32) -> Result<Vec<Customer>, StoreError> {
        let query = query.clone();
        self.read(move |conn| search::search(conn, &query, limit)).await
    }

    /// Saves `customer` (inserted, or replacing the one with its number).
    pub async fn save(&self, customer: Customer) -> Result<(), StoreError> {
        check_fields(&customer).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.write(move |tx| customers::upsert(tx, &customer, None).map_err(StoreError::from)).await
    }

    /// Notes how an operator opened customer `number` (`previewed`, or selected or edited),
    /// and whether it was `saved` from the ERP for it: what retention needs to know.
    pub async fn note_opened(&self, number: &str, previewed: bool, saved: bool) -> Result<(), StoreError> {
        let (number, now) = (number.to_owned(), crate::runtime::now_ms() as i64);
        // Most opens concern a customer that is not on the list: they are answered by a
        // reader, and never wait for the writer (a synchronization may hold it for long).
        let listed = number.clone();
        if !saved && !self.read(move |conn| retention::is_looked_up(conn, &listed)).await? {
            return Ok(());
        }
        self.write(move |tx| match previewed {
            true => Ok(retention::looked_up(tx, &number, saved, now)?),
            false => Ok(retention::kept(tx, &number)?),
        })
        .await
    }

    /// Applies `policy` as of `now` (milliseconds since the Unix epoch): see
    /// [`retention::apply`].
    pub async fn apply_retention(
        &self,
        policy: retention::Retention,
        now: i64,
        local_only: bool,
    ) -> Result<retention::Pruned, StoreError> {
        self.write(move |tx| Ok(retention::apply(tx, &policy, now, local_only)?)).await
    }

    /// Merges the full-text index into one segment when it holds more, a slice per write
    /// transaction so that other writes go on between them: see [`index_merge`].
    pub async fn merge_index(&self) -> Result<index_merge::IndexMerge, StoreError> {
        let segments = self.read(index_merge::segments).await?;
        let mut merge = index_merge::IndexMerge { segments, slices: 0 };
        if segments > 1 {
            while self.write(|tx| Ok::<_, StoreError>(index_merge::merge_slice(tx)?)).await? {
                merge.slices += 1;
            }
        }
        Ok(merge)
    }

    /// How many customers the database holds.
    pub async fn count(&self) -> Result<u64, StoreError> {
        self.read(customers::count).await
    }

    /// Every customer, by number; for comparisons and exports.
    pub async fn all(&self) -> Result<Vec<Customer>, StoreError> {
        self.read(customers::all).await
    }
}

/// A write transaction: SQLite's, plus the full-text index changes its customer writes
/// queued, which are written last, just before the commit (see `customers::IndexQueue`
/// for why). Everything else of a transaction goes through it as through a
/// [`Transaction`].
pub struct WriteTx<'c> {
    tx: Transaction<'c>,
    index: RefCell<customers::IndexQueue>,
}

impl WriteTx<'_> {
    fn commit(self) -> rusqlite::Result<()> {
        self.index.into_inner().write(&self.tx)?;
        self.tx.commit()
    }
}

impl<'c> Deref for WriteTx<'c> {
    type Target = Transaction<'c>;

    fn deref(&self) -> &Transaction<'c> {
        &self.tx
    }
}

/// Tunes the C allocator SQLite uses, once per process; call it at start-up. The full-text
/// index allocates and frees large buffers in every transaction, and glibc by default hands
/// the freed memory back to the kernel each time, only to fault it in again: keeping up to
/// 256 MiB made a synchronization 1.6 times faster. A no-op where the allocator is not glibc.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's thresholds; it is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(Duration::from_secs(10))?;
    // WAL lets searches read while a synchronization writes; FULL makes every commit
    // survive a power cut, which the outbox's promise needs.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "cache_size", -32_000)?;
    // Every statement the store runs stays prepared; re-preparing costs more than running.
    connection.set_prepared_statement_cache_capacity(64);
    // Without the planner's stability guarantee, a new value bound to a statement's search
    // expression made SQLite compile the statement again at every search (and FTS5's own
    // statements with it): 15 % of a search's time (docs/benchmarks.md).
    connection.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    rank::register(connection)
}

#[async_trait]
impl LocalDb for Store {
    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<Vec<Customer>, DbError> {
        Ok(Store::search(self, query, limit).await?)
    }

    async fn get(&self, number: &str) -> Result<Option<Customer>, DbError> {
        Ok(self.customer(number).await?)
    }

    async fn find_by_last_name(&self, last_name: &str, limit: u32) -> Result<Vec<Customer>, DbError> {
        let last_name = last_name.to_owned();
        Ok(self.read(move |conn| customers::find_by_last_name(conn, &last_name, limit)).await?)
    }
}
