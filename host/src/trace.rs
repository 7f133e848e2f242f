//! Spans, for traces: every flow step (`step`, at `info`), hook call (`hook`, at `info`, see
//! [`crate::runtime::Slot::decide`]) and capability call (`capability`, at `debug`) runs in a
//! span that says how it ended. `pos-host --log-format json` writes each span as it closes,
//! with its time. No span carries personal data: the names of steps, slots, plugins and
//! capabilities, SHA-256s and outcomes only.

use std::future::Future;
use tracing::Instrument;
use tracing::field::Empty;

/// How a call ended, as its span's `outcome` says.
pub trait Ended {
    fn outcome(&self) -> &'static str;
}

impl<T, E> Ended for Result<T, E> {
    fn outcome(&self) -> &'static str {
        if self.is_ok() { "ok" } else { "error" }
    }
}

/// An answer, and how the step that made it ended.
impl<T> Ended for (T, &'static str) {
    fn outcome(&self) -> &'static str {
        self.1
    }
}

/// Runs the flow step `step` in its span.
pub async fn step<R: Ended>(step: &'static str, run: impl Future<Output = R>) -> R {
    let span = tracing::info_span!("step", step, outcome = Empty);
    let ended = run.instrument(span.clone()).await;
    span.record("outcome", ended.outcome());
    ended
}

/// Runs a plugin's call `call` of `capability` in its span; `outcome` says how it ended.
pub async fn capability<R>(
    capability: &'static str,
    call: &'static str,
    run: impl Future<Output = R>,
    outcome: impl FnOnce(&R) -> &'static str,
) -> R {
    let span = tracing::debug_span!("capability", capability, call, outcome = Empty);
    let ended = run.instrument(span.clone()).await;
    span.record("outcome", outcome(&ended));
    ended
}
