//! The `web-merge-rules` slot: matching web shop customers with local ones, and the plans
//! that say what each side becomes.

use super::{SlotId, check, seed};
use crate::bindings::merge::{Candidate, LocalChange, MatchReason, Plan, WebChange};
use crate::bindings::{Customer, DbError, Message};
use crate::caps::{InMemoryCustomers, LocalDb};
use crate::policy::PluginConfig;
use crate::cases::Wit;
use crate::runtime::{Decided, Shows, Slot};
use pos_seed_rules::config::Ignore;
use pos_seed_rules::merge::{self as rules, AsPerson, Lookup, MatchConfig, Reason};
use std::future::ready;

/// The most candidates a plugin may propose.
pub const MAX_PLUGIN_CANDIDATES: usize = 1000;
/// The most confirmations one plan may ask.
pub const MAX_CONFIRMATIONS: usize = 8;

versioned_slot!(
    WebMergeRulesKind,
    SlotId::WebMergeRules,
    web_merge_rules::{WebMergeRules, WebMergeRulesPre},
    pos_plugin_merge_rules
);

impl Slot<WebMergeRulesKind> {
    /// Local customers that may be `web`, best first; the fallback searches `local_db`.
    pub async fn candidates(&self, local_db: &dyn LocalDb, web: &Customer) -> Decided<Result<Vec<Candidate>, DbError>> {
        self.shadowed(
            "candidates",
            self.ask_candidates(local_db, web),
            || web.clone(),
            |web| vec![web.show()],
            |shadow, web| async move { shadow.slot.ask_candidates(&InMemoryCustomers::default(), &web).await },
        )
        .await
    }

    /// [`Slot::candidates`] without the shadow plugin.
    async fn ask_candidates(&self, local_db: &dyn LocalDb, web: &Customer) -> Decided<Result<Vec<Candidate>, DbError>> {
        self.decide(
            "candidates",
            Some(Shows::new(&|| vec![web.show()])),
            |mut store, bindings| async move {
                store.data_mut().known().customer(web);
                let result = match bindings {
                    Bindings::V0_2(b) => b.pos_plugin_merge_rules().call_candidates(&mut store, web).await,
                    Bindings::V0_1(b) => {
                        b.pos_plugin_merge_rules().call_candidates(&mut store, web).await.map(|found| {
                            found.map(|candidates| candidates.into_iter().map(Into::into).collect()).map_err(Into::into)
                        })
                    }
                };
                (store, result)
            },
            |found| match found {
                Ok(candidates) if candidates.len() > MAX_PLUGIN_CANDIDATES => {
                    Err(format!("{} candidates, more than {MAX_PLUGIN_CANDIDATES}", candidates.len()))
                }
                Ok(candidates) => {
                    candidates.iter().try_for_each(|c| {
                        check::customer(&c.customer)?;
                        if c.customer.number.is_none() || c.reasons.is_empty() {
                            return Err("a candidate without a customer number or without a reason".into());
                        }
                        if c.score > 100 {
                            return Err(format!("a candidate scored {}, more than 100", c.score));
                        }
                        Ok(())
                    })?;
                    if candidates.windows(2).any(|pair| pair[0].score < pair[1].score) {
                        return Err("the candidates are not sorted by score, highest first".into());
                    }
                    Ok(())
                }
                Err(_) => Ok(()),
            },
            |config| async move { fallback_candidates(&config, local_db, web).await },
        )
        .await
    }

    /// "Take over local info": the web customer is the existing local customer.
    pub async fn take_over_local(&self, web: &Customer, local: &Customer) -> Decided<Plan> {
        self.shadowed(
            "take-over-local",
            self.ask_take_over_local(web, local),
            || (web.clone(), local.clone()),
            |(web, local)| vec![web.show(), local.show()],
            |shadow, (web, local)| async move { shadow.slot.ask_take_over_local(&web, &local).await },
        )
        .await
    }

    /// [`Slot::take_over_local`] without the shadow plugin.
    async fn ask_take_over_local(&self, web: &Customer, local: &Customer) -> Decided<Plan> {
        self.decide(
            "take-over-local",
            Some(Shows::new(&|| vec![web.show(), local.show()])),
            |mut store, bindings| async move {
                store.data_mut().known().customers([web, local]);
                let result = match bindings {
                    Bindings::V0_2(b) => b.pos_plugin_merge_rules().call_take_over_local(&mut store, web, local).await,
                    Bindings::V0_1(b) => {
                        b.pos_plugin_merge_rules().call_take_over_local(&mut store, web, local).await.map(Into::into)
                    }
                };
                (store, result)
            },
            |plan| check_plan(plan, Some(web), Some(local)),
            |_| ready(fallback_take_over_local(web, local)),
        )
        .await
    }

    /// "Take over internet info": the web customer joins the local customers.
    pub async fn take_over_web(&self, web: &Customer) -> Decided<Plan> {
        self.shadowed(
            "take-over-web",
            self.ask_take_over_web(web),
            || web.clone(),
            |web| vec![web.show()],
            |shadow, web| async move { shadow.slot.ask_take_over_web(&web).await },
        )
        .await
    }

    /// [`Slot::take_over_web`] without the shadow plugin.
    async fn ask_take_over_web(&self, web: &Customer) -> Decided<Plan> {
        self.decide(
            "take-over-web",
            Some(Shows::new(&|| vec![web.show()])),
            |mut store, bindings| async move {
                store.data_mut().known().customer(web);
                let result = match bindings {
                    Bindings::V0_2(b) => b.pos_plugin_merge_rules().call_take_over_web(&mut store, web).await,
                    Bindings::V0_1(b) => {
                        b.pos_plugin_merge_rules().call_take_over_web(&mut store, web).await.map(Into::into)
                    }
                };
                (store, result)
            },
            |plan| check_plan(plan, Some(web), None),
            |_| ready(fallback_take_over_web(web)),
        )
        .await
    }

    /// "Take over local info" for a local edit: the web shop gets the local changes.
    pub async fn push_local(&self, local: &Customer, web: &Customer) -> Decided<Plan> {
        self.shadowed(
            "push-local",
            self.ask_push_local(local, web),
            || (local.clone(), web.clone()),
            |(local, web)| vec![local.show(), web.show()],
            |shadow, (local, web)| async move { shadow.slot.ask_push_local(&local, &web).await },
        )
        .await
    }

    /// [`Slot::push_local`] without the shadow plugin.
    async fn ask_push_local(&self, local: &Customer, web: &Customer) -> Decided<Plan> {
        self.decide(
            "push-local",
            Some(Shows::new(&|| vec![local.show(), web.show()])),
            |mut store, bindings| async move {
                store.data_mut().known().customers([local, web]);
                let result = match bindings {
                    Bindings::V0_2(b) => b.pos_plugin_merge_rules().call_push_local(&mut store, local, web).await,
                    Bindings::V0_1(b) => {
                        b.pos_plugin_merge_rules().call_push_local(&mut store, local, web).await.map(Into::into)
                    }
                };
                (store, result)
            },
            |plan| check_plan(plan, Some(web), Some(local)),
            |_| ready(fallback_push_local(local, web)),
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

/// The seed's candidates for `web` with the rules `config` sets: the same lookups and
/// ranking as the default plugin's (`pos_seed_rules::merge`).
pub async fn fallback_candidates(
    config: &PluginConfig,
    local_db: &dyn LocalDb,
    web: &Customer,
) -> Result<Vec<Candidate>, DbError> {
    let config = MatchConfig::read(config, &mut Ignore);
    let person = web.person();
    let mut found = Vec::new();
    for lookup in config.lookups(&person) {
        match lookup {
            Lookup::Number(number) => found.extend(local_db.get(&number).await?),
            Lookup::LastName { key, limit } => found.extend(local_db.find_by_last_name(&key, limit).await?),
            Lookup::Search(search) => found.extend(local_db.search(&seed::search_query(&search), search.limit).await?),
        }
    }
    Ok(seed::candidates_of(config.rank(&person, found)))
}

/// The operator's text for why a candidate was proposed (`pos_seed_rules::texts`).
pub fn reason_message(reason: MatchReason) -> Message {
    let rule = Reason::ALL.into_iter().find(|rule| seed::match_reason(*rule) == reason);
    Message { key: rule.map_or("", Reason::text_key).into(), args: Vec::new() }
}

/// The seed's "take over local info" (`pos_seed_rules::merge::take_over_local`).
pub fn fallback_take_over_local(web: &Customer, local: &Customer) -> Plan {
    seed::plan(rules::take_over_local(&web.person(), &local.person()), web, Some(local))
}

/// The seed's "take over internet info" (`pos_seed_rules::merge::take_over_web`).
pub fn fallback_take_over_web(web: &Customer) -> Plan {
    seed::plan(rules::take_over_web(&web.person()), web, None)
}

/// The seed's "take over local info" for a local edit (`pos_seed_rules::merge::push_local`).
pub fn fallback_push_local(local: &Customer, web: &Customer) -> Plan {
    seed::plan(rules::push_local(&local.person(), &web.person()), web, Some(local))
}
