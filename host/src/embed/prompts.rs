//! A bridge for front-ends in another process: the plugins' and the plans' questions wait
//! here as pending prompts until a client answers them, or until they time out to the safe
//! answer (dismissed: a plugin then keeps to what it would do unasked, a plan is cancelled).

use crate::bindings::Notice;
use crate::bindings::ui::Choice;
use crate::caps::Operator;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{Notify, oneshot};

/// A question waiting for its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Prompt {
    pub id: u64,
    pub notice: Notice,
    pub choices: Vec<Choice>,
    /// When it was asked, in milliseconds since the Unix epoch.
    pub asked_at_ms: u64,
    /// When it will count as dismissed.
    pub expires_at_ms: u64,
}

/// Why an answer was not taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("there is no pending prompt {0}: it was answered, or it timed out and counted as dismissed")]
    NoPrompt(u64),
    #[error("prompt {id} has no choice `{choice}`; its choices are {}", .choices.join(", "))]
    NoChoice { id: u64, choice: String, choices: Vec<String> },
}

/// The pending prompts; an [`Operator`] whose answers come from [`Prompts::answer`].
pub struct Prompts {
    timeout: Duration,
    state: Mutex<State>,
    /// Wakes those waiting for a prompt to appear.
    asked: Notify,
}

#[derive(Default)]
struct State {
    next: u64,
    pending: BTreeMap<u64, Waiting>,
}

struct Waiting {
    prompt: Prompt,
    answer: oneshot::Sender<Option<String>>,
}

impl Prompts {
    /// Prompts that count as dismissed after `timeout`.
    pub fn new(timeout: Duration) -> Prompts {
        Prompts { timeout, state: Mutex::default(), asked: Notify::new() }
    }

    /// How long a prompt waits for its answer.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The prompts waiting now, oldest first.
    pub fn pending(&self) -> Vec<Prompt> {
        self.state().pending.values().map(|w| w.prompt.clone()).collect()
    }

    /// The prompts waiting, as soon as there is one or `wait` has passed.
    pub async fn wait_pending(&self, wait: Duration) -> Vec<Prompt> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let asked = self.asked.notified();
            let pending = self.pending();
            if !pending.is_empty() {
                return pending;
            }
            if tokio::time::timeout_at(deadline, asked).await.is_err() {
                return Vec::new();
            }
        }
    }

    /// Answers prompt `id` with choice `choice` (`None`: dismissed).
    pub fn answer(&self, id: u64, choice: Option<String>) -> Result<(), AnswerError> {
        let mut state = self.state();
        let waiting = state.pending.get(&id).ok_or(AnswerError::NoPrompt(id))?;
        if let Some(choice) = &choice
            && !waiting.prompt.choices.iter().any(|c| &c.id == choice)
        {
            return Err(AnswerError::NoChoice {
                id,
                choice: choice.clone(),
                choices: waiting.prompt.choices.iter().map(|c| c.id.clone()).collect(),
            });
        }
        let waiting = state.pending.remove(&id).expect("looked up above");
        // The asker may have given up (timed out) in the meantime; then nothing is waiting.
        let _ = waiting.answer.send(choice);
        Ok(())
    }
}

#[async_trait]
impl Operator for Prompts {
    async fn notify(&self, notice: &Notice) {
        tracing::info!(key = %notice.message.key, "notice for the operator");
    }

    async fn confirm(&self, notice: &Notice, choices: &[Choice]) -> Option<String> {
        let now = crate::runtime::now_ms();
        let (sender, receiver) = oneshot::channel();
        let id = {
            let mut state = self.state();
            state.next += 1;
            let id = state.next;
            let prompt = Prompt {
                id,
                notice: notice.clone(),
                choices: choices.to_vec(),
                asked_at_ms: now,
                expires_at_ms: now + self.timeout.as_millis() as u64,
            };
            state.pending.insert(id, Waiting { prompt, answer: sender });
            id
        };
        self.asked.notify_waiters();
        // Removed however this ends: answered, timed out, or the asker dropped (its request
        // was abandoned), so that no prompt waits for an answer nobody will read.
        struct Remove<'a>(&'a Prompts, u64);
        impl Drop for Remove<'_> {
            fn drop(&mut self) {
                self.0.state().pending.remove(&self.1);
            }
        }
        let _remove = Remove(self, id);
        match tokio::time::timeout(self.timeout, receiver).await {
            Ok(Ok(answer)) => answer,
            _ => {
                tracing::info!(key = %notice.message.key, "prompt {id} unanswered: dismissed");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{Message, Severity};
    use std::sync::Arc;

    fn warning() -> (Notice, Vec<Choice>) {
        let message = |key: &str| Message { key: key.into(), args: Vec::new() };
        let choices = ["cancel", "continue"].map(|id| Choice { id: id.into(), label: message(id) }).to_vec();
        (Notice { severity: Severity::Warning, message: message("existing-customer-overwritten") }, choices)
    }

    /// The warning, asked in a task of its own as a flow would.
    fn ask(prompts: &Arc<Prompts>) -> tokio::task::JoinHandle<Option<String>> {
        let prompts = prompts.clone();
        tokio::spawn(async move {
            let (notice, choices) = warning();
            prompts.confirm(&notice, &choices).await
        })
    }

    #[tokio::test]
    async fn a_prompt_waits_for_its_answer_and_then_leaves() {
        let prompts = Arc::new(Prompts::new(Duration::from_secs(30)));
        let asker = ask(&prompts);
        let pending = prompts.wait_pending(Duration::from_secs(5)).await;
        assert_eq!(pending.len(), 1);
        let id = pending[0].id;
        assert_eq!(pending[0].expires_at_ms - pending[0].asked_at_ms, 30_000);
        assert_eq!(
            prompts.answer(id, Some("maybe".into())),
            Err(AnswerError::NoChoice {
                id,
                choice: "maybe".into(),
                choices: vec!["cancel".into(), "continue".into()]
            })
        );
        assert_eq!(prompts.answer(id, Some("continue".into())), Ok(()));
        assert_eq!(asker.await.unwrap().as_deref(), Some("continue"));
        assert!(prompts.pending().is_empty());
        assert_eq!(prompts.answer(id, None), Err(AnswerError::NoPrompt(id)), "answered once only");
    }

    #[tokio::test]
    async fn an_unanswered_prompt_is_dismissed_after_the_timeout() {
        let prompts = Prompts::new(Duration::from_millis(50));
        let (notice, choices) = warning();
        assert_eq!(prompts.confirm(&notice, &choices).await, None);
        assert!(prompts.pending().is_empty());
    }

    #[tokio::test]
    async fn an_abandoned_question_leaves_no_prompt_behind() {
        let prompts = Arc::new(Prompts::new(Duration::from_secs(30)));
        let asker = ask(&prompts);
        assert_eq!(prompts.wait_pending(Duration::from_secs(5)).await.len(), 1);
        asker.abort();
        let _ = asker.await;
        assert!(prompts.pending().is_empty());
        assert!(prompts.wait_pending(Duration::from_millis(20)).await.is_empty(), "waiting ends empty-handed");
    }

    #[tokio::test]
    async fn a_dismissal_is_an_answer() {
        let prompts = Arc::new(Prompts::new(Duration::from_secs(30)));
        let asker = ask(&prompts);
        let id = prompts.wait_pending(Duration::from_secs(5)).await[0].id;
        prompts.answer(id, None).unwrap();
        assert_eq!(asker.await.unwrap(), None);
    }
}
