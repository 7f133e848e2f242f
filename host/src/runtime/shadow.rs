//! Shadow runs: a slot may name a second plugin (`[slots.<name>.shadow]`) that the host calls
//! after the live one with the same input, off the operator's path: on a thread of its own,
//! under its own limits, never more than a few calls at once (a call beyond those is skipped
//! and counted), its answer never used. Each of its decisions is compared with the live one;
//! agreements and differences are counted in the status and the metrics, and each differing
//! call is written as a `plugin test` case (the live decision expected, the shadow's beside
//! it), so that the difference can be replayed and looked at.

use super::kind::SlotKind;
use super::slot::{Decided, Slot, Source};
use crate::cases::{Shown, Wit};
use crate::recording::{Recorded, Recorder, RecordingStatus};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use tokio::sync::Semaphore;

/// Shadow calls running at once; more are skipped rather than queued behind the operator.
const AT_ONCE: usize = 4;

/// How one shadow call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShadowOutcome {
    /// It decided what the live plugin decided.
    Agreed,
    Differed,
    /// It failed (the live plugin's answer stood, as always).
    Failed,
    /// Too many shadow calls were running.
    Skipped,
}

/// A slot's shadow plugin, in a slot of its own, with its counters.
pub struct Shadow<K: SlotKind> {
    pub slot: Slot<K>,
    agreed: AtomicU64,
    differed: AtomicU64,
    failed: AtomicU64,
    skipped: AtomicU64,
    /// Where differing calls are written.
    differences: Option<Arc<Recorder>>,
    at_once: Arc<Semaphore>,
    runner: Runner,
}

/// What a slot's shadow plugin has done, as `/api/status` shows it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShadowStatus {
    pub plugin: String,
    pub sha256: String,
    /// Calls it decided as the live plugin did.
    pub agreed: u64,
    /// Calls it decided otherwise.
    pub differed: u64,
    /// Calls it failed.
    pub failed: u64,
    /// Calls not made because too many were running.
    pub skipped: u64,
    /// Where the differing calls are written.
    pub differences: Option<RecordingStatus>,
}

impl<K: SlotKind> Shadow<K> {
    /// A shadow running `slot`'s plugin; differing calls go to `differences`.
    pub fn new(slot: Slot<K>, differences: Option<Arc<Recorder>>) -> std::io::Result<Shadow<K>> {
        let at_once = Arc::new(Semaphore::new(AT_ONCE));
        Ok(Shadow {
            runner: Runner::start(K::ID.name(), at_once.clone())?,
            slot,
            agreed: AtomicU64::new(0),
            differed: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            differences,
            at_once,
        })
    }

    pub fn status(&self) -> Option<ShadowStatus> {
        let plugin = self.slot.current()?;
        Some(ShadowStatus {
            plugin: plugin.info.name.to_string(),
            sha256: plugin.info.sha256.clone(),
            agreed: self.agreed.load(Relaxed),
            differed: self.differed.load(Relaxed),
            failed: self.failed.load(Relaxed),
            skipped: self.skipped.load(Relaxed),
            differences: self.differences.as_ref().map(|recorder| recorder.status()),
        })
    }

    /// Where the differing calls are written.
    pub fn differences(&self) -> Option<Arc<Recorder>> {
        self.differences.clone()
    }

    /// Waits until every shadow call started so far has ended and its difference, if any,
    /// is written.
    pub async fn settled(&self) {
        let _all = self.at_once.acquire_many(AT_ONCE as u32).await;
        if let Some(recorder) = &self.differences {
            recorder.flush().await;
        }
    }
}

impl<K: SlotKind> Slot<K> {
    /// The live decision `ask` makes; then, if the slot has a shadow plugin, calls it with
    /// `run` on the input `input` makes, off the operator's path, and compares the two
    /// decisions. `show` shows the input as the hook's arguments, for the case written when
    /// they differ, which holds the capability calls of both plugins, so that it replays
    /// against either.
    pub async fn shadowed<I, R, Ask, Fut>(
        &self,
        hook: &'static str,
        ask: Ask,
        input: impl FnOnce() -> I,
        show: fn(&I) -> Vec<Shown>,
        run: impl FnOnce(Arc<Shadow<K>>, I) -> Fut + Send + 'static,
    ) -> Decided<R>
    where
        Ask: Future<Output = Decided<R>>,
        I: Send + 'static,
        R: Wit + PartialEq + Clone + Send + Sync + 'static,
        Fut: Future<Output = Decided<R>> + Send + 'static,
    {
        let Some(shadow) = self.shadow_plugin() else { return ask.await };
        // Only a plugin that calls a capability has calls to keep (search-policy's mostly
        // call none): keeping them costs the live call half a microsecond.
        let (decided, live_calls) = match self.current().is_some_and(|live| live.info.calls_capabilities()) {
            true => crate::recording::capturing(ask).await,
            false => (ask.await, Vec::new()),
        };
        let Ok(permit) = shadow.at_once.clone().try_acquire_owned() else {
            shadow.tally(self.meter(), ShadowOutcome::Skipped);
            return decided;
        };
        let (input, live, live_source) = (input(), decided.value.clone(), decided.source.clone());
        let meter = self.meter().cloned();
        let runner = shadow.runner.jobs.clone();
        let job = Box::pin(async move {
            let _permit = permit;
            let shown = shadow.differences.as_ref().map(|_| show(&input));
            let (theirs, their_calls) = crate::recording::capturing(run(shadow.clone(), input)).await;
            let outcome = match (&theirs.source, theirs.value == live) {
                (Source::Plugin(_), true) => ShadowOutcome::Agreed,
                (Source::Plugin(_), false) => ShadowOutcome::Differed,
                _ => ShadowOutcome::Failed,
            };
            shadow.tally(meter.as_ref(), outcome);
            if let (ShadowOutcome::Differed, Some(recorder), Some(inputs)) = (outcome, &shadow.differences, shown) {
                recorder.record(Recorded {
                    hook,
                    inputs,
                    calls: [live_calls, their_calls].concat(),
                    answer: live.show(),
                    decided_by: format!("{} (live)", live_source.decided_by()),
                    instead: Some(theirs.value.show()),
                    at_ms: super::now_ms(),
                });
            }
        });
        // The permit taken above leaves room in the queue: this never waits.
        let _ = runner.try_send(job);
        decided
    }
}

impl<K: SlotKind> Shadow<K> {
    fn tally(&self, meter: Option<&crate::metrics::SlotMeter>, outcome: ShadowOutcome) {
        let counter = match outcome {
            ShadowOutcome::Agreed => &self.agreed,
            ShadowOutcome::Differed => &self.differed,
            ShadowOutcome::Failed => &self.failed,
            ShadowOutcome::Skipped => &self.skipped,
        };
        counter.fetch_add(1, Relaxed);
        if let Some(meter) = meter {
            meter.shadowed(outcome);
        }
    }
}

/// The thread shadow calls run on: a runtime of its own, so that they never take a worker of
/// the host's, at a lower scheduling priority than the host's threads where the system
/// allows it; calls are handed to it without waking it (see `handoff`). It stops when the
/// shadow is dropped.
struct Runner {
    jobs: std::sync::mpsc::SyncSender<Job>,
}

type Job = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

impl Runner {
    fn start(slot: &str, at_once: Arc<Semaphore>) -> std::io::Result<Runner> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
        // More than can run at once never wait: a call without a permit is skipped first.
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<Job>(AT_ONCE);
        std::thread::Builder::new().name(format!("shadow-{slot}")).spawn(move || {
            lower_priority();
            let mut taker = crate::handoff::Taker::new(receiver);
            let idle = || at_once.available_permits() == AT_ONCE;
            runtime.block_on(async {
                while let Some(job) = taker.next_async(idle).await {
                    tokio::spawn(job);
                }
            });
        })?;
        Ok(Runner { jobs })
    }
}

/// Makes the calling thread yield the processor to the host's threads.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid has no preconditions; setpriority reads its arguments only. On Linux
    // the nice value is the thread's, and the thread is named by its id.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
}
