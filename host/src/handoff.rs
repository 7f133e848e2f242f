//! Work handed from the operator's path to a thread of its own, without waking that thread.
//! Waking a sleeping thread costs the waker a system call, several microseconds, more than
//! a hook call itself; so while work keeps coming the receiving thread looks at its queue
//! every few milliseconds instead of sleeping on it, and a sender finds it awake. After a
//! quiet second it sleeps on the queue again, and an idle host spends nothing on it.

use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

/// How often a busy receiver looks at its queue.
const POLL: Duration = Duration::from_millis(5);
/// How long without work before the receiver sleeps on its queue.
const QUIET: Duration = Duration::from_secs(1);

/// The receiving end.
pub struct Taker<T> {
    receiver: Receiver<T>,
    last: Instant,
}

impl<T> Taker<T> {
    pub fn new(receiver: Receiver<T>) -> Taker<T> {
        Taker { receiver, last: Instant::now() }
    }

    /// The next item, waiting for it on this thread; `None` once every sender is gone.
    pub fn next(&mut self) -> Option<T> {
        loop {
            match self.poll() {
                Poll::Item(item) => return Some(item),
                Poll::Closed => return None,
                Poll::Empty if self.last.elapsed() > QUIET => return self.sleep(),
                Poll::Empty => std::thread::sleep(POLL),
            }
        }
    }

    /// The next item, waiting for it within a runtime on this thread; the thread sleeps on
    /// the queue (stopping the runtime) only after a quiet second and when `may_block`
    /// says nothing else runs on it.
    pub async fn next_async(&mut self, may_block: impl Fn() -> bool) -> Option<T> {
        loop {
            match self.poll() {
                Poll::Item(item) => return Some(item),
                Poll::Closed => return None,
                Poll::Empty if self.last.elapsed() > QUIET && may_block() => return self.sleep(),
                Poll::Empty => tokio::time::sleep(POLL).await,
            }
        }
    }

    fn poll(&mut self) -> Poll<T> {
        match self.receiver.try_recv() {
            Ok(item) => {
                self.last = Instant::now();
                Poll::Item(item)
            }
            Err(TryRecvError::Empty) => Poll::Empty,
            Err(TryRecvError::Disconnected) => Poll::Closed,
        }
    }

    fn sleep(&mut self) -> Option<T> {
        let item = self.receiver.recv().ok();
        self.last = Instant::now();
        item
    }
}

enum Poll<T> {
    Item(T),
    Empty,
    Closed,
}
