//! An erasure request, and the recorded plugin calls of every erasure.
//!
//! The store erases a person in one transaction, whoever asked (the operator, the ERP's or
//! the web shop's feed); the recordings are files beside it. Each erasure record stays
//! pending until they no longer name the person (store/erasures.rs): a task removes them
//! after every erasure committed, when the host starts (for the ones a kill left), and a
//! minute after a removal failed.

use super::{Host, Inner};
use crate::store::StoreError;
use crate::store::erasures;
use crate::store::holdings::{Erased, ErasureSource};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How soon a removal that failed (a recording unreadable, the disk full) is tried again.
const RETRY: Duration = Duration::from_secs(60);

impl Host {
    /// Erases everything this till holds about the person with customer number or web id
    /// `key` (an erasure request): the record, both edit lists' entries, the changes not
    /// sent yet, the recorded plugin calls naming them; the audit keeps each decision
    /// without their personal data. `None` when the till holds nothing about them. The ERP
    /// and the web shop keep their own records.
    pub async fn erase(&self, key: &str) -> Result<Option<Erased>, StoreError> {
        crate::trace::step("customer.erase", async move {
            let erased = self.inner.store.erase(key, ErasureSource::Operator, &self.inner.workstation).await?;
            let Some(mut erased) = erased else { return Ok(None) };
            self.erase_recorded().await.map_err(|error| {
                StoreError::Invalid(format!(
                    "{key} is erased from the customer database, not yet from the recorded plugin calls \
                     (tried again in a minute): {error}"
                ))
            })?;
            let record = erased.record;
            erased.recorded_calls =
                self.inner.store.read(move |conn| erasures::recorded_calls(conn, record)).await?.unwrap_or(0);
            Ok(Some(erased))
        })
        .await
    }

    /// Waits until no erasure's recorded calls are still to be removed: the host removes them
    /// by itself after each erasure, and this is for a caller that must know they are gone
    /// (after a synchronization or a reading of the web shop's feed that erased someone).
    pub async fn erasures_completed(&self) -> Result<(), StoreError> {
        // Watched before looking, so that a pass ending in between is not missed.
        let mut passes = self.inner.eraser_passes.subscribe();
        while !self.inner.store.read(erasures::pending).await?.is_empty() {
            passes.changed().await.map_err(|_| StoreError::Task("the erasures' task stopped".into()))?;
        }
        Ok(())
    }

    /// Removes the recorded calls that name the people of the erasures still pending from
    /// every recording (the ones being written by their recorders, the others here), and
    /// notes in each erasure record how many; how many in all.
    pub(super) async fn erase_recorded(&self) -> Result<u64, StoreError> {
        let _one_at_a_time = self.inner.erasing_recorded.lock().await;
        let pending = self.inner.store.read(erasures::pending).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let failed = |error: std::io::Error| StoreError::Invalid(format!("recorded calls: {error}"));
        let people: Arc<[Vec<String>]> = pending.iter().map(|erasure| erasure.keys.clone()).collect();
        let mut counts = vec![0; pending.len()];
        let mut add = |more: Vec<u64>| counts.iter_mut().zip(more).for_each(|(count, more)| *count += more);
        let recorders = self.plugins().recorders();
        for recorder in &recorders {
            add(recorder.erase(people.clone()).await.map_err(failed)?);
        }
        if let Some(dir) = self.policy().host.recordings.clone() {
            let writing: Vec<_> = recorders.iter().map(|recorder| recorder.status().file).collect();
            let people = people.clone();
            add(tokio::task::spawn_blocking(move || crate::recording::erase_cases(&dir, &people, &writing))
                .await
                .map_err(|error| StoreError::Task(error.to_string()))?
                .map_err(failed)?);
        }
        let done: Vec<(i64, u64)> = pending.iter().map(|erasure| erasure.id).zip(counts.iter().copied()).collect();
        self.inner
            .store
            .write(move |tx| -> Result<(), StoreError> {
                for (id, count) in &done {
                    erasures::recorded(tx, *id, *count)?;
                }
                Ok(())
            })
            .await?;
        Ok(counts.iter().sum())
    }
}

/// The task removing erased people's recorded calls; stops when dropped.
pub(super) struct RecordingsEraser {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RecordingsEraser {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RecordingsEraser {
    /// Starts `host`'s, which holds it; must be called within a tokio runtime.
    pub(super) fn start(host: &Host) {
        let weak: Weak<Inner> = Arc::downgrade(&host.inner);
        // Not the store: it would stay open after the host is dropped, until the task ends.
        let committed = host.inner.store.erasures_committed();
        let task = tokio::spawn(async move {
            loop {
                // The host is held for one pass only, so that dropping it ends the task.
                let Some(inner) = weak.upgrade() else { return };
                let host = Host { inner };
                let passed = host.erase_recorded().await;
                host.inner.eraser_passes.send_modify(|passes| *passes += 1);
                drop(host);
                match passed {
                    Ok(_) => committed.notified().await,
                    Err(error) => {
                        tracing::warn!(
                            "the recorded plugin calls of an erasure could not be removed (tried again in a minute): {error}"
                        );
                        let _ = tokio::time::timeout(RETRY, committed.notified()).await;
                    }
                }
            }
        });
        let _ = host.inner.recordings_eraser.set(RecordingsEraser { task });
    }
}
