//! Spans, for traces: every flow step (`step`, at `info`), hook call (`hook`, at `info`, see
//! [`crate::runtime::Slot::decide`]) and capability call (`capability`, at `debug`) runs in a
//! span that says how it ended. `pos-host --log-format json` writes each span as it closes,
//! with its time. No span carries personal data: the names of steps, slots, plugins and
//! capabilities, SHA-256s and outcomes only.

use std::future::Future;
use tracing::field::Empty;
use tracing::{Instrument, Span};

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
    let closing = Closing::new(&span);
    let ended = run.instrument(span).await;
    closing.ended(ended.outcome());
    ended
}

/// Runs a call of `slot`'s plugin `plugin` (`None`: no plugin serves) through `hook` in its
/// span.
pub async fn hook<R: Ended>(
    slot: &'static str,
    hook: &'static str,
    plugin: Option<&crate::runtime::PluginInfo>,
    run: impl Future<Output = R>,
) -> R {
    let span = tracing::info_span!(
        "hook",
        slot,
        hook,
        plugin = plugin.map(|plugin| &*plugin.name),
        sha256 = plugin.map(|plugin| plugin.sha256.as_str()),
        outcome = Empty
    );
    let closing = Closing::new(&span);
    let ended = run.instrument(span).await;
    closing.ended(ended.outcome());
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
    let closing = Closing::new(&span);
    let ended = run.instrument(span).await;
    closing.ended(outcome(&ended));
    ended
}

/// A span's outcome to be recorded: `cancelled` when the call is dropped before it ends (an
/// operation cancelled, a plugin's call stopped at its time limit).
pub(crate) struct Closing(Option<Span>);

impl Closing {
    pub(crate) fn new(span: &Span) -> Closing {
        Closing(Some(span.clone()))
    }

    pub(crate) fn ended(mut self, outcome: &'static str) {
        if let Some(span) = self.0.take() {
            span.record("outcome", outcome);
        }
    }
}

impl Drop for Closing {
    fn drop(&mut self) {
        if let Some(span) = self.0.take() {
            span.record("outcome", "cancelled");
        }
    }
}
