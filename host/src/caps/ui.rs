//! `ui`: notices and confirmations shown to the operator.

use super::CallCaps;
use crate::bindings::Notice;
use crate::bindings::ui::{Choice, Host};
use crate::cases::Wit;
use crate::recording::RecordedCall;
use async_trait::async_trait;
use std::time::Instant;

/// The operator's screen.
#[async_trait]
pub trait Operator: Send + Sync {
    /// Shows a notice without waiting.
    async fn notify(&self, notice: &Notice);
    /// Asks and waits; the id of the chosen choice, or `None` when dismissed.
    async fn confirm(&self, notice: &Notice, choices: &[Choice]) -> Option<String>;
}

/// Nobody at the till: notices go to the log and every confirmation is dismissed.
pub struct Headless;

#[async_trait]
impl Operator for Headless {
    async fn notify(&self, notice: &Notice) {
        tracing::info!(key = %notice.message.key, "notice for the operator");
    }

    async fn confirm(&self, notice: &Notice, _choices: &[Choice]) -> Option<String> {
        tracing::info!(key = %notice.message.key, "confirmation dismissed: no operator");
        None
    }
}

impl Host for CallCaps {
    async fn notify(&mut self, notice: Notice) {
        crate::trace::capability("ui", "notify", self.providers.operator.notify(&notice), |_| "ok").await;
        self.record(|| RecordedCall::new("ui.notify", vec![("notice", notice.show())], &()));
    }

    async fn confirm(&mut self, notice: Notice, choices: Vec<Choice>) -> Option<String> {
        // Time spent waiting on the operator does not count against the call's time limit.
        let asked = Instant::now();
        let asking = tokio::time::timeout(self.prompt_timeout, self.providers.operator.confirm(&notice, &choices));
        let answer = crate::trace::capability("ui", "confirm", asking, |answer| match answer {
            Ok(Some(_)) => "answered",
            Ok(None) => "no-answer",
            Err(_) => "timeout",
        })
        .await;
        self.waited += asked.elapsed();
        let answer = answer.ok().flatten().filter(|answer| choices.iter().any(|choice| choice.id == *answer));
        self.record(|| {
            RecordedCall::new("ui.confirm", vec![("notice", notice.show()), ("choices", choices.show())], &answer)
        });
        answer
    }
}
