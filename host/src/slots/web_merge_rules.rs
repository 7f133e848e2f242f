//! The `web-merge-rules` slot: matching web shop customers with local ones, and the plans
//! that say what each side becomes.

use super::{SlotId, check};
use crate::bindings::caps::pos::plugin::local_db::DbError;
use crate::bindings::caps::pos::plugin::ui::Choice;
use crate::bindings::web_merge_rules::exports::pos::plugin::merge_rules::{
    Candidate, Confirmation, LocalChange, MatchReason, Plan, WebChange,
};
use crate::bindings::web_merge_rules::{WebMergeRules, WebMergeRulesPre};
use crate::bindings::{Argument, ConfigEntry, ConfigError, Customer, Message, Notice, Severity};
use crate::caps::LocalDb;
use crate::runtime::{CallState, Decided, Slot, SlotKind};
use pos_seed_rules::merge::{self as rules, MAX_CANDIDATES, Reason};
use std::future::ready;
use wasmtime::Store;
use wasmtime::component::InstancePre;

/// The most candidates a plugin may propose.
pub const MAX_PLUGIN_CANDIDATES: usize = 1000;
/// The most confirmations one plan may ask.
pub const MAX_CONFIRMATIONS: usize = 8;

/// The `web-merge-rules` slot's bindings.
pub struct WebMergeRulesKind;

impl SlotKind for WebMergeRulesKind {
    const ID: SlotId = SlotId::WebMergeRules;
    type Pre = WebMergeRulesPre<CallState>;
    type Bindings = WebMergeRules;

    fn pre(instance_pre: InstancePre<CallState>) -> wasmtime::Result<Self::Pre> {
        WebMergeRulesPre::new(instance_pre)
    }

    fn instantiate(
        pre: &Self::Pre,
        store: &mut Store<CallState>,
    ) -> impl Future<Output = wasmtime::Result<WebMergeRules>> + Send {
        pre.instantiate_async(store)
    }

    async fn validate_config(
        mut store: Store<CallState>,
        bindings: WebMergeRules,
        config: Vec<ConfigEntry>,
    ) -> (Store<CallState>, wasmtime::Result<Result<(), Vec<ConfigError>>>) {
        let result = bindings.pos_plugin_merge_rules().call_validate_config(&mut store, &config).await;
        (store, result)
    }
}

impl Slot<WebMergeRulesKind> {
    /// Local customers that may be `web`, best first; the fallback searches `local_db`.
    pub async fn candidates(&self, local_db: &dyn LocalDb, web: &Customer) -> Decided<Result<Vec<Candidate>, DbError>> {
        self.decide(
            "candidates",
            |mut store, bindings| async move {
                let result = bindings.pos_plugin_merge_rules().call_candidates(&mut store, web).await;
                (store, result)
            },
            |found| match found {
                Ok(candidates) if candidates.len() > MAX_PLUGIN_CANDIDATES => {
                    Err(format!("{} candidates, more than {MAX_PLUGIN_CANDIDATES}", candidates.len()))
                }
                Ok(candidates) => candidates.iter().try_for_each(|c| {
                    check::customer(&c.customer)?;
                    if c.customer.number.is_none() || c.reasons.is_empty() {
                        return Err("a candidate without a customer number or without a reason".into());
                    }
                    Ok(())
                }),
                Err(_) => Ok(()),
            },
            || fallback_candidates(local_db, web),
        )
        .await
    }

    /// "Take over local info": the web customer is the existing local customer.
    pub async fn take_over_local(&self, web: &Customer, local: &Customer) -> Decided<Plan> {
        self.decide(
            "take-over-local",
            |mut store, bindings| async move {
                let result = bindings.pos_plugin_merge_rules().call_take_over_local(&mut store, web, local).await;
                (store, result)
            },
            |plan| check_plan(plan, Some(web), Some(local)),
            || ready(fallback_take_over_local(web, local)),
        )
        .await
    }

    /// "Take over internet info": the web customer joins the local customers.
    pub async fn take_over_web(&self, web: &Customer) -> Decided<Plan> {
        self.decide(
            "take-over-web",
            |mut store, bindings| async move {
                let result = bindings.pos_plugin_merge_rules().call_take_over_web(&mut store, web).await;
                (store, result)
            },
            |plan| check_plan(plan, Some(web), None),
            || ready(fallback_take_over_web(web)),
        )
        .await
    }

    /// "Take over local info" for a local edit: the web shop gets the local changes.
    pub async fn push_local(&self, local: &Customer, web: &Customer) -> Decided<Plan> {
        self.decide(
            "push-local",
            |mut store, bindings| async move {
                let result = bindings.pos_plugin_merge_rules().call_push_local(&mut store, local, web).await;
                (store, result)
            },
            |plan| check_plan(plan, Some(web), Some(local)),
            || ready(fallback_push_local(local, web)),
        )
        .await
    }
}

/// A plan may only change the records it was given: the web side keeps its web id, an
/// updated local side keeps its customer number.
fn check_plan(plan: &Plan, web: Option<&Customer>, local: Option<&Customer>) -> Result<(), String> {
    check::message(&plan.summary)?;
    match &plan.local {
        LocalChange::Keep => {}
        LocalChange::Create(customer) => check::customer(customer)?,
        LocalChange::Update(customer) => {
            check::customer(customer)?;
            if local.is_none_or(|local| local.number != customer.number || customer.number.is_none()) {
                return Err("the plan updates a local customer other than the one it was given".into());
            }
        }
    }
    if let WebChange::Update(customer) = &plan.web {
        check::customer(customer)?;
        if web.is_none_or(|web| web.web_id != customer.web_id) {
            return Err("the plan updates a web customer other than the one it was given".into());
        }
    }
    if plan.confirmations.len() > MAX_CONFIRMATIONS {
        return Err(format!("{} confirmations, more than {MAX_CONFIRMATIONS}", plan.confirmations.len()));
    }
    for confirmation in &plan.confirmations {
        check::notice(&confirmation.notice)?;
        if confirmation.choices.is_empty() || confirmation.choices.len() > 8 {
            return Err("a confirmation needs 1 to 8 choices".into());
        }
        for choice in &confirmation.choices {
            check::message(&choice.label)?;
        }
        if !confirmation.choices.iter().any(|choice| choice.id == confirmation.proceed) {
            return Err(format!("confirmation's `proceed` {:?} is not one of its choices", confirmation.proceed));
        }
    }
    Ok(())
}

async fn fallback_candidates(local_db: &dyn LocalDb, web: &Customer) -> Result<Vec<Candidate>, DbError> {
    let mut found = Vec::new();
    if let Some(number) = web.number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        found.extend(local_db.get(number).await?);
    }
    if !web.last_name.trim().is_empty() {
        found.extend(local_db.find_by_last_name(&web.last_name, MAX_CANDIDATES).await?);
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    for local in found {
        if candidates.iter().any(|c| c.customer.number == local.number) {
            continue;
        }
        let reasons: Vec<MatchReason> =
            rules::reasons(web.number.as_deref(), &web.last_name, local.number.as_deref(), &local.last_name)
                .into_iter()
                .map(|reason| match reason {
                    Reason::SameNumber => MatchReason::SameNumber,
                    Reason::SameLastName => MatchReason::SameLastName,
                })
                .collect();
        if !reasons.is_empty() {
            candidates.push(Candidate { customer: local, reasons, score: 0 });
        }
    }
    candidates.sort_by_key(|c| c.reasons.first() != Some(&MatchReason::SameNumber));
    candidates.truncate(MAX_CANDIDATES as usize);
    Ok(candidates)
}

fn message(key: &str, args: &[(&str, &str)]) -> Message {
    Message {
        key: key.into(),
        args: args.iter().map(|(name, value)| Argument { name: (*name).into(), value: (*value).into() }).collect(),
    }
}

/// `target` with the person's data of `source`.
fn with_person_of(target: &Customer, source: &Customer) -> Customer {
    Customer {
        number: source.number.clone(),
        first_name: source.first_name.clone(),
        last_name: source.last_name.clone(),
        company: source.company.clone(),
        tax_id: source.tax_id.clone(),
        email: source.email.clone(),
        phone: source.phone.clone(),
        street: source.street.clone(),
        postal_code: source.postal_code.clone(),
        city: source.city.clone(),
        country: source.country.clone(),
        ..target.clone()
    }
}

pub fn fallback_take_over_local(web: &Customer, local: &Customer) -> Plan {
    let mut confirmations = Vec::new();
    if rules::last_names_differ(&web.last_name, &local.last_name) {
        confirmations.push(Confirmation {
            notice: Notice {
                severity: Severity::Warning,
                message: message(
                    "existing-customer-overwritten",
                    &[("web-last-name", &web.last_name), ("local-last-name", &local.last_name)],
                ),
            },
            choices: vec![
                Choice { id: "cancel".into(), label: message("action-cancel", &[]) },
                Choice { id: "continue".into(), label: message("action-continue", &[]) },
            ],
            proceed: "continue".into(),
        });
    }
    Plan {
        summary: message(
            "merge-linked-to-local",
            &[("web-id", web.web_id.as_deref().unwrap_or("")), ("number", local.number.as_deref().unwrap_or(""))],
        ),
        web: WebChange::Update(with_person_of(web, local)),
        local: LocalChange::Update(Customer { web_id: web.web_id.clone(), ..local.clone() }),
        confirmations,
    }
}

pub fn fallback_take_over_web(web: &Customer) -> Plan {
    Plan {
        summary: message("merge-added-from-web", &[("web-id", web.web_id.as_deref().unwrap_or(""))]),
        local: LocalChange::Create(web.clone()),
        web: WebChange::Update(web.clone()),
        confirmations: Vec::new(),
    }
}

pub fn fallback_push_local(local: &Customer, web: &Customer) -> Plan {
    Plan {
        summary: message("merge-pushed-to-web", &[("number", local.number.as_deref().unwrap_or(""))]),
        web: WebChange::Update(with_person_of(web, local)),
        local: LocalChange::Keep,
        confirmations: Vec::new(),
    }
}
