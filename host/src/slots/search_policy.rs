//! The `search-policy` slot: the decisions of the customer search flow.

use super::{SlotId, check, seed};
use crate::bindings::search::{
    ErpDecision, ErpSearchOutcome, LocalDecision, LocalSearchOutcome, RetrieveAction, RetrieveDecision,
};
use crate::bindings::{ErpError, SearchQuery};
use crate::caps::erp;
use crate::policy::PluginConfig;
use crate::cases::Wit;
use crate::runtime::{Decided, Shows, Slot};
use pos_seed_rules::config::Ignore;
use pos_seed_rules::search::{self as rules, Thresholds};
use std::future::ready;

/// The longest waiting-window delay a plugin may ask for.
pub use pos_seed_rules::search::MAX_WAITING_WINDOW_MS;

versioned_slot!(
    SearchPolicyKind,
    SlotId::SearchPolicy,
    search_policy::{SearchPolicy, SearchPolicyPre},
    pos_plugin_search_decisions
);

impl Slot<SearchPolicyKind> {
    /// What follows a local search.
    pub async fn after_local_search(&self, outcome: &LocalSearchOutcome) -> Decided<LocalDecision> {
        self.shadowed(
            "after-local-search",
            self.ask_after_local_search(outcome),
            || outcome.clone(),
            |outcome| vec![outcome.show()],
            |shadow, outcome| async move { shadow.slot.ask_after_local_search(&outcome).await },
        )
        .await
    }

    /// [`Slot::after_local_search`] without the shadow plugin.
    async fn ask_after_local_search(&self, outcome: &LocalSearchOutcome) -> Decided<LocalDecision> {
        self.decide(
            "after-local-search",
            Some(Shows::new(&|| vec![outcome.show()])),
            |mut store, bindings| async move {
                store.data_mut().known().query(&outcome.query);
                let result = match bindings {
                    Bindings::V0_2(b) => {
                        b.pos_plugin_search_decisions().call_after_local_search(&mut store, outcome).await
                    }
                    Bindings::V0_1(b) => {
                        let outcome = outcome.into();
                        let decided =
                            b.pos_plugin_search_decisions().call_after_local_search(&mut store, &outcome).await;
                        decided.map(Into::into)
                    }
                };
                (store, result)
            },
            |decision| {
                check::optional_notice(&decision.notice)?;
                if !(1..=erp::MAX_LIMIT).contains(&decision.erp_limit) {
                    return Err(format!("erp-limit {} is outside 1..={}", decision.erp_limit, erp::MAX_LIMIT));
                }
                if decision.waiting_window_after_ms > MAX_WAITING_WINDOW_MS {
                    return Err(format!("waiting-window-after-ms is above {MAX_WAITING_WINDOW_MS}"));
                }
                Ok(())
            },
            |config| ready(fallback_local(&config, outcome)),
        )
        .await
    }

    /// What follows an ERP search.
    pub async fn after_erp_search(&self, query: &SearchQuery, outcome: &ErpSearchOutcome) -> Decided<ErpDecision> {
        self.shadowed(
            "after-erp-search",
            self.ask_after_erp_search(query, outcome),
            || (query.clone(), outcome.clone()),
            |(query, outcome)| vec![query.show(), outcome.show()],
            |shadow, (query, outcome)| async move { shadow.slot.ask_after_erp_search(&query, &outcome).await },
        )
        .await
    }

    /// [`Slot::after_erp_search`] without the shadow plugin.
    async fn ask_after_erp_search(&self, query: &SearchQuery, outcome: &ErpSearchOutcome) -> Decided<ErpDecision> {
        self.decide(
            "after-erp-search",
            Some(Shows::new(&|| vec![query.show(), outcome.show()])),
            |mut store, bindings| async move {
                store.data_mut().known().query(query);
                let result = match bindings {
                    Bindings::V0_2(b) => {
                        b.pos_plugin_search_decisions().call_after_erp_search(&mut store, query, outcome).await
                    }
                    Bindings::V0_1(b) => {
                        let outcome = outcome.into();
                        let decided =
                            b.pos_plugin_search_decisions().call_after_erp_search(&mut store, query, &outcome).await;
                        decided.map(Into::into)
                    }
                };
                (store, result)
            },
            |decision| check::optional_notice(&decision.notice),
            |config| ready(fallback_erp(&config, outcome)),
        )
        .await
    }

    /// What follows a failure to retrieve an ERP customer.
    pub async fn after_erp_retrieve_failed(&self, action: RetrieveAction, error: &ErpError) -> Decided<RetrieveDecision> {
        self.shadowed(
            "after-erp-retrieve-failed",
            self.ask_after_erp_retrieve_failed(action, error),
            || (action, error.clone()),
            |(action, error)| vec![action.show(), error.show()],
            |shadow, (action, error)| async move { shadow.slot.ask_after_erp_retrieve_failed(action, &error).await },
        )
        .await
    }

    /// [`Slot::after_erp_retrieve_failed`] without the shadow plugin.
    async fn ask_after_erp_retrieve_failed(
        &self,
        action: RetrieveAction,
        error: &ErpError,
    ) -> Decided<RetrieveDecision> {
        self.decide(
            "after-erp-retrieve-failed",
            Some(Shows::new(&|| vec![action.show(), error.show()])),
            |mut store, bindings| async move {
                let result = match bindings {
                    Bindings::V0_2(b) => {
                        b.pos_plugin_search_decisions().call_after_erp_retrieve_failed(&mut store, action, error).await
                    }
                    Bindings::V0_1(b) => {
                        let error = error.clone().into();
                        let decided = b
                            .pos_plugin_search_decisions()
                            .call_after_erp_retrieve_failed(&mut store, action.into(), &error)
                            .await;
                        decided.map(Into::into)
                    }
                };
                (store, result)
            },
            |decision| check::optional_notice(&decision.notice),
            |_| ready(fallback_retrieve(error)),
        )
        .await
    }
}

/// The seed behaviour with the thresholds `config` sets (the seed's where it sets none).
pub fn fallback_local(config: &PluginConfig, outcome: &LocalSearchOutcome) -> LocalDecision {
    seed::local_decision(rules::after_local_search(
        &Thresholds::read(config, &mut Ignore),
        outcome.result_count,
        outcome.criteria_changed,
        outcome.online_search_enabled,
    ))
}

/// The seed behaviour with the thresholds `config` sets (the seed's where it sets none).
pub fn fallback_erp(config: &PluginConfig, outcome: &ErpSearchOutcome) -> ErpDecision {
    seed::erp_decision(&Thresholds::read(config, &mut Ignore), outcome)
}

/// The seed behaviour.
pub fn fallback_retrieve(error: &ErpError) -> RetrieveDecision {
    seed::retrieve_decision(error)
}
