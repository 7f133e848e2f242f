//! The ERP's online-search setting, kept for a few seconds.
//!
//! Every local search needs it (it decides whether [Search] is offered), and reading it is a
//! request through the connector to the ERP: one per search, the ERP's busiest request at
//! many tills, and a wait of up to 300 ms for the operator whenever the ERP answers slowly
//! (see docs/benchmarks.md). The answer is kept for `fresh_for`; after that the next caller
//! still gets it at once, while one request reads it again in the background. Only the very
//! first callers wait, for that one request.

use super::Erp;
use crate::bindings::erp::{ErpError, ErpPage};
use crate::bindings::{Customer, SearchQuery};
use async_trait::async_trait;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long an answer of the ERP's online-search setting is used before it is read again:
/// a change made on the ERP side reaches the till's next search after this at the latest.
pub const ONLINE_SEARCH_FRESH: Duration = Duration::from_secs(10);

/// `erp` with its online-search setting kept for `fresh_for`; searches and fetches go
/// straight through.
pub struct SettingKept {
    erp: Arc<dyn Erp>,
    fresh_for: Duration,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    kept: Mutex<Kept>,
    read: Notify,
}

#[derive(Default)]
struct Kept {
    answer: Option<(Result<bool, ErpError>, Instant)>,
    reading: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SettingKept {
    pub fn new(erp: Arc<dyn Erp>, fresh_for: Duration) -> SettingKept {
        SettingKept { erp, fresh_for, shared: Arc::default() }
    }

    /// Reads the setting on a task of its own, so that a caller that stops waiting (the
    /// search waits 300 ms at most) does not leave the read half done.
    fn read_in_background(&self) {
        let (erp, shared) = (self.erp.clone(), self.shared.clone());
        tokio::spawn(async move {
            let answer = erp.online_search_enabled().await;
            let mut kept = shared.lock();
            kept.answer = Some((answer, Instant::now()));
            kept.reading = false;
            drop(kept);
            shared.read.notify_waiters();
        });
    }
}

#[async_trait]
impl Erp for SettingKept {
    async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        loop {
            // Registered before the answer is looked at, so that a read ending in between
            // still wakes this caller.
            let read = self.shared.read.notified();
            tokio::pin!(read);
            read.as_mut().enable();
            {
                let mut kept = self.shared.lock();
                let stale = kept.answer.as_ref().is_none_or(|(_, at)| at.elapsed() >= self.fresh_for);
                if stale && !kept.reading {
                    kept.reading = true;
                    self.read_in_background();
                }
                if let Some((answer, _)) = &kept.answer {
                    return answer.clone();
                }
            }
            read.await;
        }
    }

    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<ErpPage, ErpError> {
        self.erp.search(query, limit).await
    }

    async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError> {
        self.erp.fetch(number).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::Semaphore;

    /// An ERP whose setting reads are counted and answer when the test lets them.
    struct Counted {
        reads: AtomicUsize,
        answers: Semaphore,
        enabled: Mutex<Result<bool, ErpError>>,
    }

    impl Counted {
        fn new() -> Arc<Counted> {
            Arc::new(Counted { reads: AtomicUsize::new(0), answers: Semaphore::new(0), enabled: Mutex::new(Ok(true)) })
        }

        fn reads(&self) -> usize {
            self.reads.load(Ordering::SeqCst)
        }
    }

    #[async_trait]
    impl Erp for Counted {
        async fn online_search_enabled(&self) -> Result<bool, ErpError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.answers.acquire().await.unwrap().forget();
            self.enabled.lock().unwrap().clone()
        }

        async fn search(&self, _query: &SearchQuery, _limit: u32) -> Result<ErpPage, ErpError> {
            unreachable!()
        }

        async fn fetch(&self, _number: &str) -> Result<Option<Customer>, ErpError> {
            unreachable!()
        }
    }

    #[tokio::test]
    async fn the_first_callers_share_one_read_and_later_ones_ask_nothing() {
        let erp = Counted::new();
        let kept = Arc::new(SettingKept::new(erp.clone(), Duration::from_secs(3600)));
        let callers: Vec<_> = (0..5)
            .map(|_| {
                let kept = kept.clone();
                tokio::spawn(async move { kept.online_search_enabled().await })
            })
            .collect();
        erp.answers.add_permits(1);
        for caller in callers {
            assert_eq!(caller.await.unwrap(), Ok(true));
        }
        for _ in 0..100 {
            assert_eq!(kept.online_search_enabled().await, Ok(true));
        }
        assert_eq!(erp.reads(), 1);
    }

    #[tokio::test]
    async fn a_stale_answer_is_given_at_once_while_one_read_renews_it() {
        let erp = Counted::new();
        let kept = SettingKept::new(erp.clone(), Duration::ZERO);
        erp.answers.add_permits(1);
        assert_eq!(kept.online_search_enabled().await, Ok(true));
        // The ERP switches online search off and its next answer waits: callers meanwhile
        // get the answer they had, and start no second read.
        *erp.enabled.lock().unwrap() = Ok(false);
        for _ in 0..10 {
            assert_eq!(kept.online_search_enabled().await, Ok(true));
        }
        assert!(kept.shared.lock().reading);
        erp.answers.add_permits(1);
        read_ended(&kept).await;
        assert_eq!(erp.reads(), 2, "one read renewed the answer");
        assert_eq!(kept.shared.lock().answer.as_ref().map(|(a, _)| a.clone()), Some(Ok(false)));
    }

    async fn read_ended(kept: &SettingKept) {
        loop {
            let read = kept.shared.read.notified();
            tokio::pin!(read);
            read.as_mut().enable();
            if !kept.shared.lock().reading {
                return;
            }
            read.await;
        }
    }

    #[tokio::test]
    async fn a_failed_read_is_kept_as_its_answer() {
        let erp = Counted::new();
        *erp.enabled.lock().unwrap() = Err(ErpError::Unavailable("refused".into()));
        let kept = SettingKept::new(erp.clone(), Duration::from_secs(3600));
        erp.answers.add_permits(1);
        assert_eq!(kept.online_search_enabled().await, Err(ErpError::Unavailable("refused".into())));
        assert_eq!(kept.online_search_enabled().await, Err(ErpError::Unavailable("refused".into())));
        assert_eq!(erp.reads(), 1);
    }
}
