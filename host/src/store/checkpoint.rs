//! Copying the write-ahead log back into the database file, on a thread of its own.
//!
//! SQLite checkpoints by default inside the commit that fills the log past 1000 pages: that
//! commit then also copies every page back and flushes the database file, and a
//! synchronization's transaction waited for it (two thirds of a page of 5,000 changes, see
//! docs/benchmarks.md). The writer commits with the log flushed to disk (`synchronous =
//! FULL`), so a commit is durable before any checkpoint; checkpointing later changes when
//! the pages reach the database file, not whether a commit survives a crash (opening the
//! database replays the log).

use rusqlite::Connection;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// Checkpoints the log after commits, in `PASSIVE` mode: never waiting for readers or the
/// writer, so it copies what it can and the next round copies the rest.
pub struct Checkpointer {
    /// `None` once dropped, which ends the thread.
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    rounds: Arc<Rounds>,
    /// Pages in the log after the last commit, counted from its start.
    log_pages: Arc<AtomicU32>,
}

/// How many pages (of 4 KiB, so 64 MiB) the log may hold before a write waits for the
/// running checkpoint. Waiting before every write kept the log to one transaction, but a
/// synchronization's next page then waited for the last one's pages to be copied (a sixth
/// of an incremental synchronization, docs/benchmarks.md); the log starts over only when a
/// write begins after a checkpoint copied all of it, so some write must wait, or it grows
/// for as long as writes follow each other.
const LOG_LIMIT_PAGES: u32 = 16_384;

/// How many checkpoints were asked for and done, to wait for the ones asked.
#[derive(Default)]
struct Rounds {
    count: Mutex<(u64, u64)>,
    done: Condvar,
}

impl Checkpointer {
    /// Starts the thread, with its own `connection` to the database. It ends when the
    /// checkpointer is dropped.
    pub fn start(connection: Connection) -> std::io::Result<Checkpointer> {
        // Capacity 1: nudges that come while one waits are the same request.
        let (nudge, nudged) = sync_channel(1);
        let rounds = Arc::new(Rounds::default());
        let thread_rounds = rounds.clone();
        let thread = std::thread::Builder::new()
            .name("pos-host-checkpoint".into())
            .spawn(move || run(connection, nudged, thread_rounds))?;
        Ok(Checkpointer { nudge: Some(nudge), thread: Some(thread), rounds, log_pages: Arc::default() })
    }

    /// Counts the log's pages after each commit of `writer`.
    pub fn watch(&self, writer: &mut Connection) -> rusqlite::Result<()> {
        let log_pages = self.log_pages.clone();
        writer.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages: std::ffi::c_int| {
            log_pages.store(pages.max(0) as u32, Ordering::Relaxed);
            Ok(())
        }))
    }

    /// Before a write: waits for the running checkpoint if the log is long, so that the
    /// write starts the log over instead of making it longer.
    pub fn make_room(&self) {
        if self.log_pages.load(Ordering::Relaxed) > LOG_LIMIT_PAGES {
            self.wait();
        }
    }

    /// Asks for a checkpoint after a commit; returns at once.
    pub fn nudge(&self) {
        self.rounds.count.lock().unwrap_or_else(|p| p.into_inner()).0 += 1;
        // Full: a round is already asked for, and covers this commit.
        let sent = self.nudge.as_ref().map_or(Err(TrySendError::Disconnected(())), |nudge| nudge.try_send(()));
        if let Err(TrySendError::Disconnected(())) = sent {
            tracing::warn!("the customer database's checkpoint thread is gone; the log grows until the host restarts");
        }
    }

    /// Waits until a checkpoint has started after every nudge so far, and ended.
    pub fn wait(&self) {
        let rounds = &self.rounds;
        let mut count = rounds.count.lock().unwrap_or_else(|p| p.into_inner());
        let asked = count.0;
        while count.1 < asked {
            count = rounds.done.wait(count).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Checkpointer {
    /// Ends the thread and waits until it has closed its connection: a process that exits
    /// right after the store is dropped (a command that failed) must not have a thread
    /// closing an encrypted connection while the cipher library is torn down (it crashed).
    fn drop(&mut self) {
        self.nudge.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Releases every waiter when the thread ends, however it ends, so that no write waits
/// for a checkpoint that will never come.
struct ReleaseOnExit(Arc<Rounds>);

impl Drop for ReleaseOnExit {
    fn drop(&mut self) {
        self.0.count.lock().unwrap_or_else(|p| p.into_inner()).1 = u64::MAX;
        self.0.done.notify_all();
    }
}

fn run(connection: Connection, nudged: Receiver<()>, rounds: Arc<Rounds>) {
    let _release = ReleaseOnExit(rounds.clone());
    while nudged.recv().is_ok() {
        // Every nudge counted before this point is covered by this round.
        let asked = rounds.count.lock().unwrap_or_else(|p| p.into_inner()).0;
        let result = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        if let Err(error) = result {
            tracing::warn!(%error, "checkpointing the customer database's log failed; the next commit tries again");
        }
        let mut count = rounds.count.lock().unwrap_or_else(|p| p.into_inner());
        count.1 = count.1.max(asked);
        rounds.done.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::Checkpointer;

    #[test]
    fn dropping_it_ends_its_thread_before_it_returns() {
        let checkpointer = Checkpointer::start(rusqlite::Connection::open_in_memory().unwrap()).unwrap();
        checkpointer.nudge();
        checkpointer.wait();
        let rounds = checkpointer.rounds.clone();
        drop(checkpointer);
        assert_eq!(rounds.count.lock().unwrap().1, u64::MAX, "the thread has ended, its connection closed");
    }
}
