//! The read connections, handed out in the order they were asked for.
//!
//! Searches from many clients at once queue for a few connections. With a lock per
//! connection and waiters on the first one, the lock chose among them at random, and one
//! search waited while later ones went by: at 32 clients, p50 7 ms and p99 175 ms (see
//! docs/benchmarks.md). A fair semaphore queues them instead, and an async caller waits
//! without holding a thread.

use rusqlite::Connection;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Readers {
    free: Mutex<Vec<Connection>>,
    /// One per connection; taken first in, first out.
    permits: Arc<Semaphore>,
}

/// The right to one read connection, held from the queue until the read ends.
pub struct Turn {
    _permit: OwnedSemaphorePermit,
}

impl Readers {
    pub fn new(connections: Vec<Connection>) -> Readers {
        Readers { permits: Arc::new(Semaphore::new(connections.len())), free: Mutex::new(connections) }
    }

    /// Waits for this caller's turn.
    pub async fn turn(&self) -> Turn {
        let permit = self.permits.clone().acquire_owned().await.expect("the readers' semaphore is never closed");
        Turn { _permit: permit }
    }

    /// [`Readers::turn`], blocking the calling thread.
    pub fn turn_blocking(&self) -> Turn {
        block_on(self.turn())
    }

    /// Runs `read` on a free connection; `turn` guarantees there is one.
    pub fn with<R>(&self, _turn: &Turn, read: impl FnOnce(&Connection) -> R) -> R {
        let connection = self.lock().pop().expect("a turn leaves a connection free");
        // Given back even if `read` panics, so that the pool keeps its size.
        let given_back = GiveBack { readers: self, connection: Some(connection) };
        read(given_back.connection.as_ref().expect("taken above"))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.free.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct GiveBack<'r> {
    readers: &'r Readers,
    connection: Option<Connection>,
}

impl Drop for GiveBack<'_> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            self.readers.lock().push(connection);
        }
    }
}

/// Polls `future` on this thread, parking between wake-ups.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readers(n: usize) -> Readers {
        Readers::new((0..n).map(|_| Connection::open_in_memory().unwrap()).collect())
    }

    #[test]
    fn turns_are_given_in_the_order_they_were_asked_for() {
        let readers = readers(1);
        let held = readers.turn_blocking();
        let mut context = Context::from_waker(Waker::noop());
        let mut waiting: Vec<_> = (0..20).map(|_| Box::pin(readers.turn())).collect();
        for turn in &mut waiting {
            assert!(turn.as_mut().poll(&mut context).is_pending());
        }
        drop(held);
        for first in 0..waiting.len() {
            // Those behind in the line ask again first, and still wait.
            for later in (first + 1..waiting.len()).rev() {
                assert!(waiting[later].as_mut().poll(&mut context).is_pending(), "{later} went before {first}");
            }
            let Poll::Ready(turn) = waiting[first].as_mut().poll(&mut context) else {
                panic!("{first}, first in line, still waits");
            };
            drop(turn);
        }
    }

    #[test]
    fn a_read_that_panics_gives_its_connection_back() {
        let readers = readers(1);
        let turn = readers.turn_blocking();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            readers.with(&turn, |_| panic!("a read panics"));
        }));
        assert!(panicked.is_err());
        drop(turn);
        let turn = readers.turn_blocking();
        assert_eq!(readers.with(&turn, |c| c.query_row("SELECT 7", [], |r| r.get::<_, i64>(0)).unwrap()), 7);
    }
}
