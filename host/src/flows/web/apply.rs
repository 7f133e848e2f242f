//! Applying a decision: the web write, then the local changes, list changes and audit entry
//! in one transaction.
//!
//! The write is stored (`web_writes`) before it is sent. When no answer arrives, whether
//! the web shop carried it out is unknown; the write stays, and the next action on the same
//! web customer first sends it again, unchanged, with its idempotency key: the web shop
//! answers a repeat with its first answer, so the decision completes exactly once.

use super::{WebFlow, WebFlowError};
use crate::bindings::merge::{LocalChange, Plan, WebChange};
use crate::bindings::{Customer, Message, Origin};
use crate::flows::local_changes::{next_number, same_person, save_and_queue};
use crate::flows::now_ms;
use crate::runtime::Source;
use crate::store::outbox::Operation;
use crate::store::web::{self as lists, AuditEntry, WebEditState};
use crate::store::{StoreError, WriteTx, check_fields};
use crate::webshop::{WebWrite, WebshopError};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An operator's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(as = WebAction)]
pub enum Action {
    /// "Take over local info" for a web customer: it is an existing local customer.
    TakeOverLocal,
    /// "Take over internet info": the web customer becomes a new local customer.
    TakeOverWeb,
    /// "Discard web customer": deleted on the web.
    Discard,
    /// "Remove from web edit list".
    Ignore,
    /// "Take over local info" for a local edit: the web gets the local data.
    Push,
    /// "Remove from local edit list".
    DropLocalEdit,
}

impl Action {
    /// The name in the audit trail, such as `take-over-local`.
    pub fn name(self) -> &'static str {
        match self {
            Action::TakeOverLocal => "take-over-local",
            Action::TakeOverWeb => "take-over-web",
            Action::Discard => "discard",
            Action::Ignore => "ignore",
            Action::Push => "push",
            Action::DropLocalEdit => "drop-local-edit",
        }
    }
}

/// How a decision ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Carried out, on the web and here.
    Applied,
    /// The operator cancelled at a confirmation; nothing changed.
    Cancelled,
}

/// A decision carried out or cancelled, as the operator is told.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub action: Action,
    pub outcome: Outcome,
    pub web_id: Option<String>,
    pub number: Option<String>,
    /// The plan's summary.
    pub summary: Option<Message>,
    /// The web customer after the decision; `None` when deleted or not involved.
    pub web: Option<Customer>,
    /// The local customer after the decision.
    pub local: Option<Customer>,
    /// The plugin that made the plan, or `built-in`.
    pub decided_by: String,
    /// The audit entry.
    pub audit_id: i64,
    /// This completes a decision taken earlier whose web write had gone unanswered.
    pub resumed: bool,
}

/// What happens locally once the web shop accepted the write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) enum LocalStep {
    Keep,
    /// A new customer, its number already assigned.
    Create(Customer),
    Update(Customer),
    /// The web customer was deleted: the local customer linked to it loses the link.
    Unlink,
}

/// A decision ready to be applied, stored with its web write until the answer is applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Pending {
    pub action: Action,
    pub web_id: String,
    /// What the web customer is to become, as the plan says; turned into `write` when the
    /// decision is stored.
    pub web_plan: Option<Customer>,
    pub write: Option<WebWrite>,
    /// The web customer as the operator was shown it; `None` when the decision does not
    /// concern the web side (dropping a local edit).
    pub web_before: Option<Customer>,
    pub local_before: Option<Customer>,
    pub local: LocalStep,
    pub summary: Option<Message>,
    pub decided_by: String,
    pub plugin_version: Option<String>,
}

impl WebFlow {
    /// The plugin's SHA-256 when `source` is the merge rules plugin.
    pub(super) fn plugin_version(&self, source: &Source) -> Option<String> {
        match source {
            Source::Plugin(_) => self.plugins.merge.current().map(|plugin| plugin.info.sha256.clone()),
            _ => None,
        }
    }

    /// Turns a plan of the merge rules into the write and the local step, checking that the
    /// store can take the result.
    pub(super) async fn pending(
        &self,
        action: Action,
        web: &Customer,
        local: Option<&Customer>,
        plan: Plan,
        source: &Source,
    ) -> Result<Pending, WebFlowError> {
        let web_id = web.web_id.clone().unwrap_or_default();
        let local_step = match plan.local {
            LocalChange::Keep => LocalStep::Keep,
            LocalChange::Create(customer) => LocalStep::Create(Customer {
                web_id: Some(web_id.clone()),
                origin: Origin::Web,
                version: 0,
                updated_at: now_ms(),
                ..customer
            }),
            LocalChange::Update(customer) => {
                let local =
                    local.ok_or_else(|| WebFlowError::Plan("it updates a local customer it was not given".into()))?;
                let changed = !same_person(&customer, local);
                if changed && !local.editable {
                    return Err(WebFlowError::Plan(format!(
                        "it changes customer {}, which the ERP does not allow editing",
                        local.number.as_deref().unwrap_or_default()
                    )));
                }
                LocalStep::Update(Customer { web_id: Some(web_id.clone()), updated_at: now_ms(), ..customer })
            }
        };
        if let LocalStep::Update(customer) = &local_step {
            check_fields(customer).map_err(|e| WebFlowError::Plan(e.to_string()))?;
        }
        Ok(Pending {
            action,
            web_id,
            web_plan: match plan.web {
                WebChange::Keep => None,
                WebChange::Update(after) => Some(after),
            },
            write: None,
            web_before: Some(web.clone()),
            local_before: local.cloned(),
            local: local_step,
            summary: Some(plan.summary),
            decided_by: source.decided_by(),
            plugin_version: self.plugin_version(source),
        })
    }

    /// Stores `pending` (assigning the new local customer's number first, for the web to
    /// receive it too), sends its write and applies it.
    pub(super) async fn carry_out(&self, mut pending: Pending) -> Result<Decision, WebFlowError> {
        let prefix = self.workstation.clone();
        pending = self
            .store
            .write(move |tx| -> Result<Pending, StoreError> {
                if let LocalStep::Create(customer) = &mut pending.local
                    && customer.number.is_none()
                {
                    customer.number = Some(next_number(tx, &prefix)?);
                }
                if let (Some(after), Some(before)) = (&pending.web_plan, &pending.web_before) {
                    let number = match &pending.local {
                        LocalStep::Create(customer) => customer.number.clone(),
                        _ => None,
                    };
                    pending.write = Some(web_write(before, after, number));
                }
                if let LocalStep::Create(customer) = &pending.local {
                    check_fields(customer).map_err(|e| StoreError::Invalid(e.to_string()))?;
                }
                if pending.write.is_some() {
                    lists::save_web_write(tx, &pending.web_id, &pending, now_ms())?;
                }
                Ok(pending)
            })
            .await
            .map_err(|e| match e {
                StoreError::Invalid(why) => WebFlowError::Plan(why),
                other => WebFlowError::Store(other),
            })?;
        self.send_and_apply(pending, false).await
    }

    /// Sends the write of `pending` (if any) and applies the answer.
    pub(super) async fn send_and_apply(&self, pending: Pending, resumed: bool) -> Result<Decision, WebFlowError> {
        let web_after = match &pending.write {
            None => pending.web_before.clone(),
            Some(write) => match self.webshop.send(write).await {
                Ok(after) => after,
                Err(error) => return Err(self.write_failed(pending, error).await),
            },
        };
        self.apply(pending, web_after, resumed).await
    }

    /// Records why a write failed; what the operator is told.
    async fn write_failed(&self, pending: Pending, error: WebshopError) -> WebFlowError {
        let detail = error.to_string();
        if error.transient() {
            // The write stays stored: the next attempt sends it again, unchanged.
            let outcome = if error.outcome_unknown() { "unanswered" } else { "failed" };
            let entry = self.audit_entry(&pending, outcome, None, Some(detail));
            if let Err(store) = self.store.write(move |tx| lists::audit(tx, &entry).map_err(StoreError::from)).await {
                return store.into();
            }
            return if error.outcome_unknown() {
                WebFlowError::Unanswered(error)
            } else {
                WebFlowError::Webshop(error)
            };
        }
        let web_id = pending.web_id.clone();
        let current = match &error {
            WebshopError::Changed => self.webshop.get(&web_id).await.ok().flatten(),
            _ => None,
        };
        let outcome = match &error {
            WebshopError::Changed => "changed",
            _ => "failed",
        };
        let entry = self.audit_entry(&pending, outcome, None, Some(detail));
        let gone = pending.web_before.clone().filter(|_| error == WebshopError::NotFound);
        let shown = current.clone();
        let stored = self
            .store
            .write(move |tx| -> Result<(), StoreError> {
                lists::forget_web_write(tx, &web_id)?;
                if let Some(current) = &shown {
                    lists::list_web_customer(tx, current, now_ms())?;
                }
                if let Some(web) = &gone {
                    lists::close_web_edit(tx, web, WebEditState::Gone, now_ms())?;
                }
                lists::audit(tx, &entry)?;
                Ok(())
            })
            .await;
        if let Err(store) = stored {
            return store.into();
        }
        match error {
            WebshopError::Changed => WebFlowError::Changed { web_id: pending.web_id, current: current.map(Box::new) },
            WebshopError::NotFound => WebFlowError::Gone(pending.web_id),
            other => WebFlowError::Webshop(other),
        }
    }

    /// Applies an accepted decision here: the local customer, both lists, the audit entry,
    /// all in one transaction.
    async fn apply(
        &self,
        pending: Pending,
        web_after: Option<Customer>,
        resumed: bool,
    ) -> Result<Decision, WebFlowError> {
        let flow = self.clone();
        let decision = self
            .store
            .write(move |tx| -> Result<Decision, StoreError> {
                let now = now_ms();
                let local_after = apply_local(tx, &pending)?;
                let state = match pending.action {
                    Action::Ignore => WebEditState::Ignored,
                    Action::Discard => WebEditState::Gone,
                    _ => WebEditState::Done,
                };
                // The host's own write comes back through the feed; the closed entry, at
                // the version the write made, keeps it from reopening the list.
                if let Some(closed) = web_after.as_ref().or(pending.web_before.as_ref()) {
                    lists::close_web_edit(tx, closed, state, now)?;
                }
                let number = local_after.as_ref().and_then(|c| c.number.clone());
                if let Some(number) = &number
                    && matches!(pending.action, Action::TakeOverLocal | Action::Push | Action::DropLocalEdit)
                {
                    lists::remove_local_edit(tx, number)?;
                }
                lists::forget_web_write(tx, &pending.web_id)?;
                let after = json!({ "web": web_after, "local": local_after });
                let entry = flow.audit_entry(&pending, "applied", Some(after), None);
                let audit_id = lists::audit(tx, &entry)?;
                Ok(Decision {
                    action: pending.action,
                    outcome: Outcome::Applied,
                    web_id: Some(pending.web_id.clone()),
                    number,
                    summary: pending.summary.clone(),
                    web: web_after,
                    local: local_after,
                    decided_by: pending.decided_by.clone(),
                    audit_id,
                    resumed,
                })
            })
            .await?;
        Ok(decision)
    }

    /// Records a decision the operator cancelled at a confirmation.
    pub(super) async fn cancelled(&self, pending: Pending) -> Result<Decision, WebFlowError> {
        let entry = self.audit_entry(&pending, "cancelled", None, None);
        let audit_id = self.store.write(move |tx| lists::audit(tx, &entry).map_err(StoreError::from)).await?;
        Ok(Decision {
            action: pending.action,
            outcome: Outcome::Cancelled,
            web_id: Some(pending.web_id),
            number: pending.local_before.and_then(|c| c.number),
            summary: pending.summary,
            web: pending.web_before,
            local: None,
            decided_by: pending.decided_by,
            audit_id,
            resumed: false,
        })
    }

    /// Completes the decision about `web_id` whose write got no answer, if there is one:
    /// `Ok(None)` when there was none. When it fails now, the operator is told as for a new
    /// decision; if it failed for good, it is forgotten, and the next action decides afresh.
    pub(super) async fn resume(&self, web_id: &str) -> Result<Option<Decision>, WebFlowError> {
        let id = web_id.to_owned();
        match self.store.read(move |conn| lists::web_write::<Pending>(conn, &id)).await? {
            Some(pending) => self.send_and_apply(pending, true).await.map(Some),
            None => Ok(None),
        }
    }

    pub(super) fn audit_entry(
        &self,
        pending: &Pending,
        outcome: &str,
        after: Option<serde_json::Value>,
        detail: Option<String>,
    ) -> AuditEntry {
        AuditEntry {
            id: 0,
            at: now_ms(),
            workstation: self.workstation.clone(),
            action: pending.action.name().into(),
            web_id: Some(pending.web_id.clone()),
            number: match &pending.local {
                LocalStep::Create(customer) | LocalStep::Update(customer) => customer.number.clone(),
                _ => pending.local_before.as_ref().and_then(|c| c.number.clone()),
            },
            outcome: outcome.into(),
            before: Some(json!({ "web": pending.web_before, "local": pending.local_before })),
            after,
            summary: pending.summary.as_ref().map(|m| json!(m)),
            plugin: pending.decided_by.clone(),
            plugin_version: pending.plugin_version.clone(),
            detail,
        }
    }
}

/// The write that makes web customer `before` into `after`, if it still has the version
/// the operator was shown: a customer number alone is assigned, anything else replaces the
/// data. `number` is the number a new local customer was given, for a plan that left it to
/// the host.
fn web_write(before: &Customer, after: &Customer, number: Option<String>) -> WebWrite {
    let web_id = before.web_id.as_deref().unwrap_or_default();
    let if_match = before.version;
    let after = Customer { number: after.number.clone().or(number), ..after.clone() };
    if same_person(before, &after)
        && let Some(number) = after.number.as_deref().filter(|n| before.number.as_deref() != Some(*n))
    {
        return WebWrite::assign_number(web_id, if_match, number);
    }
    WebWrite::update(web_id, if_match, &after)
}

/// The local side of an accepted decision; the local customer after it.
fn apply_local(tx: &WriteTx, pending: &Pending) -> Result<Option<Customer>, StoreError> {
    match &pending.local {
        LocalStep::Keep => Ok(pending.local_before.clone()),
        LocalStep::Unlink => {
            lists::unlink(tx, &pending.web_id)?;
            Ok(None)
        }
        LocalStep::Create(customer) => {
            // A web customer is one person: it is linked to one local customer at most.
            lists::unlink(tx, &pending.web_id)?;
            save_and_queue(tx, customer, Operation::Create)?;
            Ok(crate::store::get(tx, customer.number.as_deref().unwrap_or_default())?)
        }
        LocalStep::Update(customer) => {
            let number = customer.number.as_deref().unwrap_or_default();
            let Some(existing) = crate::store::get(tx, number)? else {
                return Err(StoreError::Invalid(format!("local customer {number} was removed meanwhile")));
            };
            lists::link(tx, number, &pending.web_id)?;
            if !same_person(&existing, customer) {
                let updated = Customer {
                    web_id: Some(pending.web_id.clone()),
                    origin: existing.origin,
                    version: existing.version,
                    previewable: existing.previewable,
                    editable: existing.editable,
                    ..customer.clone()
                };
                save_and_queue(tx, &updated, Operation::Update)?;
            }
            Ok(crate::store::get(tx, number)?)
        }
    }
}
