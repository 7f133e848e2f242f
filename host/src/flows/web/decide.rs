//! The operator's actions on both lists.

use super::apply::{Action, Decision, LocalStep, Pending};
use super::{WebFlow, WebFlowError};
use crate::bindings::merge::{Confirmation, LocalChange, MatchReason, Plan};
use crate::bindings::ui::Choice;
use crate::bindings::{Argument, Customer, Message, Notice, Severity};
use crate::policy::PluginConfig;
use crate::runtime::Source;
use crate::slots::web_merge_rules::fallback_candidates;
use crate::store::StoreError;
use crate::store::web::{self as lists, LocalEdit};
use crate::webshop::WebWrite;

fn message(key: &str, args: &[(&str, &str)]) -> Message {
    Message {
        key: key.into(),
        args: args.iter().map(|(name, value)| Argument { name: (*name).into(), value: (*value).into() }).collect(),
    }
}

impl WebFlow {
    /// Asks the confirmations in order; `false` as soon as one is not answered with its
    /// `proceed` choice (cancelled, dismissed or timed out).
    async fn confirmed(&self, confirmations: &[Confirmation]) -> bool {
        for confirmation in confirmations {
            let answer = self.operator.confirm(&confirmation.notice, &confirmation.choices).await;
            if answer.as_deref() != Some(confirmation.proceed.as_str()) {
                return false;
            }
        }
        true
    }

    /// Carries out a plan of the merge rules, after its confirmations.
    async fn decide(
        &self,
        action: Action,
        web: &Customer,
        local: Option<&Customer>,
        plan: Plan,
        source: &Source,
    ) -> Result<Decision, WebFlowError> {
        let confirmations = plan.confirmations.clone();
        let pending = self.pending(action, web, local, plan, source).await?;
        if !self.confirmed(&confirmations).await {
            return self.cancelled(pending).await;
        }
        self.carry_out(pending).await
    }

    /// "Take over local info": web customer `web_id` is the existing local customer
    /// `number`; the web customer gets the local number (and, when the operator confirms
    /// the warning, the local last name).
    pub async fn take_over_local(&self, web_id: &str, number: &str) -> Result<Decision, WebFlowError> {
        crate::trace::step("web.take-over-local", async move {
            if let Some(done) = self.resume(web_id).await? {
                return Ok(done);
            }
            let web = self.open_entry(web_id).await?.customer;
            let local =
                self.store.customer(number).await?.ok_or_else(|| WebFlowError::NoLocalCustomer(number.to_owned()))?;
            let plan = self.plugins.merge.take_over_local(&web, &local).await;
            self.decide(Action::TakeOverLocal, &web, Some(&local), plan.value, &plan.source).await
        })
        .await
    }

    /// "Take over internet info": web customer `web_id` becomes a new local customer,
    /// linked to it. A registration never overwrites an existing customer: a number taken
    /// here or in the ERP is refused, and a local customer with the same tax id or e-mail
    /// address is confirmed by the operator first.
    pub async fn take_over_web(&self, web_id: &str) -> Result<Decision, WebFlowError> {
        crate::trace::step("web.take-over-web", async move {
            if let Some(done) = self.resume(web_id).await? {
                return Ok(done);
            }
            let web = self.open_entry(web_id).await?.customer;
            let mut plan = self.plugins.merge.take_over_web(&web).await;
            if let LocalChange::Create(new) = &plan.value.local
                && let Some(number) = new.number.as_deref()
            {
                self.number_is_free(&web, number).await?;
            }
            let mut confirmations = self.same_identity(&web).await?;
            confirmations.append(&mut plan.value.confirmations);
            plan.value.confirmations = confirmations;
            self.decide(Action::TakeOverWeb, &web, None, plan.value, &plan.source).await
        })
        .await
    }

    /// Refuses `number` for a new customer made of `web` when a local or ERP customer has
    /// it; the refusal is in the audit trail with the customer as it is.
    async fn number_is_free(&self, web: &Customer, number: &str) -> Result<(), WebFlowError> {
        let web_id = web.web_id.clone().unwrap_or_default();
        let (in_erp, existing) = match self.store.customer(number).await? {
            Some(local) => (false, local),
            None => match &self.erp {
                None => return Ok(()),
                Some(erp) => match erp.fetch(number).await {
                    Ok(None) => return Ok(()),
                    Ok(Some(customer)) => (true, customer),
                    Err(error) => {
                        return Err(WebFlowError::NumberUnverified {
                            number: number.into(),
                            why: crate::erp::describe(&error),
                        });
                    }
                },
            },
        };
        let name = format!("{} {}", existing.first_name, existing.last_name);
        let refused = WebFlowError::NumberTaken {
            web_id: web_id.clone(),
            number: number.into(),
            in_erp,
            name: name.trim().to_owned(),
        };
        let pending = Pending {
            action: Action::TakeOverWeb,
            web_id,
            web_plan: None,
            write: None,
            web_before: Some(web.clone()),
            local_before: Some(existing),
            local: LocalStep::Keep,
            summary: None,
            decided_by: "built-in".into(),
            plugin_version: None,
        };
        let entry = self.audit_entry(&pending, "refused", None, Some(refused.to_string()));
        self.store.write(move |tx| lists::audit(tx, &entry).map_err(StoreError::from)).await?;
        Err(refused)
    }

    /// A confirmation for each local customer with the same tax id or e-mail address as
    /// `web`, found by the seed's lookups whatever the merge rules plugin proposes.
    async fn same_identity(&self, web: &Customer) -> Result<Vec<Confirmation>, WebFlowError> {
        let found = fallback_candidates(&PluginConfig::default(), &self.store, web)
            .await
            .map_err(|error| StoreError::Invalid(format!("{error:?}")))?;
        let web_id = web.web_id.as_deref().unwrap_or_default();
        let mut confirmations = Vec::new();
        for (reason, key) in [
            (MatchReason::SameTaxId, "confirm-new-customer-same-tax-id"),
            (MatchReason::SameEmail, "confirm-new-customer-same-email"),
        ] {
            let Some(local) = found.iter().find(|c| c.reasons.contains(&reason)).map(|c| &c.customer) else {
                continue;
            };
            let name = format!("{} {}", local.first_name, local.last_name);
            let number = local.number.as_deref().unwrap_or_default();
            confirmations.push(Confirmation {
                notice: Notice {
                    severity: Severity::Warning,
                    message: message(key, &[("number", number), ("name", name.trim()), ("web-id", web_id)]),
                },
                choices: vec![
                    Choice { id: "cancel".into(), label: message("action-cancel", &[]) },
                    Choice { id: "continue".into(), label: message("action-continue", &[]) },
                ],
                proceed: "continue".into(),
            });
        }
        Ok(confirmations)
    }

    /// "Discard web customer", after the operator confirms: deleted on the web shop.
    pub async fn discard(&self, web_id: &str) -> Result<Decision, WebFlowError> {
        crate::trace::step("web.discard", async move {
            if let Some(done) = self.resume(web_id).await? {
                return Ok(done);
            }
            let web = self.open_entry(web_id).await?.customer;
            let name = format!("{} {}", web.first_name, web.last_name);
            let pending = Pending {
                action: Action::Discard,
                web_id: web_id.to_owned(),
                web_plan: None,
                write: Some(WebWrite::delete(web_id, web.version)),
                web_before: Some(web.clone()),
                local_before: None,
                local: LocalStep::Unlink,
                summary: Some(message("web-customer-discarded", &[("web-id", web_id), ("name", name.trim())])),
                decided_by: "built-in".into(),
                plugin_version: None,
            };
            let confirmation = Confirmation {
                notice: Notice {
                    severity: Severity::Warning,
                    message: message("confirm-discard-web-customer", &[("web-id", web_id), ("name", name.trim())]),
                },
                choices: vec![
                    Choice { id: "cancel".into(), label: message("action-cancel", &[]) },
                    Choice { id: "discard".into(), label: message("action-discard-web-customer", &[]) },
                ],
                proceed: "discard".into(),
            };
            if !self.confirmed(&[confirmation]).await {
                return self.cancelled(pending).await;
            }
            self.carry_out(pending).await
        })
        .await
    }

    /// "Remove from web edit list": nothing changes on the web; the web customer comes
    /// back only when it changes again.
    pub async fn ignore(&self, web_id: &str) -> Result<Decision, WebFlowError> {
        crate::trace::step("web.ignore", async move {
            if let Some(done) = self.resume(web_id).await? {
                return Ok(done);
            }
            let web = self.open_entry(web_id).await?.customer;
            let pending = Pending {
                action: Action::Ignore,
                web_id: web_id.to_owned(),
                web_plan: None,
                write: None,
                web_before: Some(web),
                local_before: None,
                local: LocalStep::Keep,
                summary: Some(message("web-customer-ignored", &[("web-id", web_id)])),
                decided_by: "built-in".into(),
                plugin_version: None,
            };
            self.carry_out(pending).await
        })
        .await
    }

    /// The local edit list entry of `number`.
    async fn local_edit(&self, number: &str) -> Result<LocalEdit, WebFlowError> {
        let owned = number.to_owned();
        self.store
            .read(move |conn| lists::local_edit(conn, &owned))
            .await?
            .ok_or_else(|| WebFlowError::NotOnLocalEditList(number.to_owned()))
    }

    /// The web customer beside a local edit, as the operator was shown it (fetched now if it
    /// was never shown).
    async fn shown_web(&self, edit: &LocalEdit) -> Result<Customer, WebFlowError> {
        let web = match self.webshop.get(&edit.web_id).await {
            Ok(Some(web)) => web,
            Ok(None) => return Err(WebFlowError::Gone(edit.web_id.clone())),
            Err(error) => return Err(WebFlowError::Webshop(error)),
        };
        match edit.web_version {
            Some(shown) if shown != web.version => {
                let (number, version) = (edit.customer.number.clone().unwrap_or_default(), web.version);
                self.store
                    .write(move |tx| lists::show_web_version(tx, &number, version).map_err(StoreError::from))
                    .await?;
                Err(WebFlowError::Changed { web_id: edit.web_id.clone(), current: Some(Box::new(web)) })
            }
            _ => Ok(web),
        }
    }

    /// "Take over local info" on the local edit list: the web customer linked to local
    /// customer `number` gets the local data.
    pub async fn push(&self, number: &str) -> Result<Decision, WebFlowError> {
        crate::trace::step("web.push", async move {
            let edit = self.local_edit(number).await?;
            if let Some(done) = self.resume(&edit.web_id).await? {
                return Ok(done);
            }
            let web = self.shown_web(&edit).await?;
            let plan = self.plugins.merge.push_local(&edit.customer, &web).await;
            self.decide(Action::Push, &web, Some(&edit.customer), plan.value, &plan.source).await
        })
        .await
    }

    /// "Remove from local edit list": the web is not touched.
    pub async fn drop_local_edit(&self, number: &str) -> Result<Decision, WebFlowError> {
        crate::trace::step("web.drop-local-edit", async move {
            let edit = self.local_edit(number).await?;
            if let Some(done) = self.resume(&edit.web_id).await? {
                return Ok(done);
            }
            let pending = Pending {
                action: Action::DropLocalEdit,
                web_id: edit.web_id.clone(),
                web_plan: None,
                write: None,
                web_before: None,
                local_before: Some(edit.customer),
                local: LocalStep::Keep,
                summary: Some(message("local-edit-dropped", &[("number", number)])),
                decided_by: "built-in".into(),
                plugin_version: None,
            };
            self.carry_out(pending).await
        })
        .await
    }
}
