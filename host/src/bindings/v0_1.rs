//! `pos:plugin@0.1.0`, frozen: its plugins keep loading. The types it shares unchanged with
//! 0.2.0 (customers, queries, messages, config) are 0.2.0's Rust types; the few that moved
//! (`db-error`, `erp-error`, `choice`) or belong to its exports are its own, converted here.

use super::v0_2::caps::pos::plugin as now;
use super::v0_2::search_policy::exports::pos::plugin::search_decisions as search_now;
use super::v0_2::web_merge_rules::exports::pos::plugin::merge_rules as merge_now;

/// The capabilities, as 0.1.0 plugins import them.
pub mod caps {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1.0",
        world: "capabilities",
        imports: { default: async },
        with: { "pos:plugin/types": crate::bindings::v0_2::caps::pos::plugin::types },
    });
}

/// Generates the bindings of one 0.1.0 slot world over the shared capabilities.
macro_rules! slot_world {
    ($world:literal) => {
        wasmtime::component::bindgen!({
            path: "../wit/v0.1.0",
            world: $world,
            imports: { default: async },
            exports: { default: async },
            with: {
                "pos:plugin/types": crate::bindings::v0_2::caps::pos::plugin::types,
                "pos:plugin/local-db": crate::bindings::v0_1::caps::pos::plugin::local_db,
                "pos:plugin/erp": crate::bindings::v0_1::caps::pos::plugin::erp,
                "pos:plugin/ui": crate::bindings::v0_1::caps::pos::plugin::ui,
                "pos:plugin/log": crate::bindings::v0_1::caps::pos::plugin::log,
                "pos:plugin/config": crate::bindings::v0_1::caps::pos::plugin::config,
            },
        });
    };
}

/// The `search-policy` slot.
pub mod search_policy {
    slot_world!("search-policy");
}

/// The `notification-texts` slot.
pub mod notification_texts {
    slot_world!("notification-texts");
}

/// The `web-merge-rules` slot.
pub mod web_merge_rules {
    slot_world!("web-merge-rules");
}

use caps::pos::plugin as then;
use search_policy::exports::pos::plugin::search_decisions as search_then;
use web_merge_rules::exports::pos::plugin::merge_rules as merge_then;

// ----- capabilities: what the host answers, in 0.1.0's types -----

impl From<now::types::DbError> for then::local_db::DbError {
    fn from(error: now::types::DbError) -> Self {
        match error {
            now::types::DbError::Unavailable(why) => Self::Unavailable(why),
            now::types::DbError::InvalidRequest(why) => Self::InvalidRequest(why),
        }
    }
}

impl From<now::types::ErpError> for then::erp::ErpError {
    fn from(error: now::types::ErpError) -> Self {
        match error {
            now::types::ErpError::Unavailable(why) => Self::Unavailable(why),
            now::types::ErpError::Timeout => Self::Timeout,
            now::types::ErpError::Cancelled => Self::Cancelled,
            now::types::ErpError::Rejected(why) => Self::Rejected(why),
        }
    }
}

impl From<then::erp::ErpError> for now::types::ErpError {
    fn from(error: then::erp::ErpError) -> Self {
        match error {
            then::erp::ErpError::Unavailable(why) => Self::Unavailable(why),
            then::erp::ErpError::Timeout => Self::Timeout,
            then::erp::ErpError::Cancelled => Self::Cancelled,
            then::erp::ErpError::Rejected(why) => Self::Rejected(why),
        }
    }
}

impl From<now::erp::ErpPage> for then::erp::ErpPage {
    fn from(page: now::erp::ErpPage) -> Self {
        Self { customers: page.customers, has_more: page.has_more }
    }
}

impl From<then::ui::Choice> for now::types::Choice {
    fn from(choice: then::ui::Choice) -> Self {
        Self { id: choice.id, label: choice.label }
    }
}

impl From<then::log::Level> for now::log::Level {
    fn from(level: then::log::Level) -> Self {
        match level {
            then::log::Level::Trace => Self::Trace,
            then::log::Level::Debug => Self::Debug,
            then::log::Level::Info => Self::Info,
            then::log::Level::Warn => Self::Warn,
            then::log::Level::Error => Self::Error,
        }
    }
}

// ----- search-policy: hook arguments to 0.1.0, decisions back -----

impl From<&search_now::LocalSearchOutcome> for search_then::LocalSearchOutcome {
    fn from(outcome: &search_now::LocalSearchOutcome) -> Self {
        Self {
            query: outcome.query.clone(),
            result_count: outcome.result_count,
            criteria_changed: outcome.criteria_changed,
            online_search_enabled: outcome.online_search_enabled,
        }
    }
}

impl From<search_then::LocalDecision> for search_now::LocalDecision {
    fn from(decision: search_then::LocalDecision) -> Self {
        Self {
            notice: decision.notice,
            search_button: match decision.search_button {
                search_then::SearchButton::Hidden => search_now::SearchButton::Hidden,
                search_then::SearchButton::Available => search_now::SearchButton::Available,
                search_then::SearchButton::Suggested => search_now::SearchButton::Suggested,
            },
            erp_limit: decision.erp_limit,
            waiting_window_after_ms: decision.waiting_window_after_ms,
        }
    }
}

impl From<&search_now::ErpSearchOutcome> for search_then::ErpSearchOutcome {
    fn from(outcome: &search_now::ErpSearchOutcome) -> Self {
        match outcome {
            search_now::ErpSearchOutcome::Found(found) => {
                Self::Found(search_then::ErpFound { count: found.count, has_more: found.has_more })
            }
            search_now::ErpSearchOutcome::Failed(error) => Self::Failed(error.clone().into()),
        }
    }
}

impl From<search_then::ErpDecision> for search_now::ErpDecision {
    fn from(decision: search_then::ErpDecision) -> Self {
        Self {
            show: match decision.show {
                search_then::ResultList::Local => search_now::ResultList::Local,
                search_then::ResultList::Erp => search_now::ResultList::Erp,
            },
            notice: decision.notice,
        }
    }
}

impl From<search_now::RetrieveAction> for search_then::RetrieveAction {
    fn from(action: search_now::RetrieveAction) -> Self {
        match action {
            search_now::RetrieveAction::Select => Self::Select,
            search_now::RetrieveAction::Edit => Self::Edit,
            search_now::RetrieveAction::Preview => Self::Preview,
        }
    }
}

impl From<search_then::RetrieveDecision> for search_now::RetrieveDecision {
    fn from(decision: search_then::RetrieveDecision) -> Self {
        Self { clear_erp_results: decision.clear_erp_results, notice: decision.notice }
    }
}

// ----- web-merge-rules: answers back -----

impl From<then::local_db::DbError> for now::types::DbError {
    fn from(error: then::local_db::DbError) -> Self {
        match error {
            then::local_db::DbError::Unavailable(why) => Self::Unavailable(why),
            then::local_db::DbError::InvalidRequest(why) => Self::InvalidRequest(why),
        }
    }
}

impl From<merge_then::Candidate> for merge_now::Candidate {
    fn from(candidate: merge_then::Candidate) -> Self {
        let reasons = candidate.reasons.into_iter().map(|reason| match reason {
            merge_then::MatchReason::SameLastName => merge_now::MatchReason::SameLastName,
            merge_then::MatchReason::SameNumber => merge_now::MatchReason::SameNumber,
            merge_then::MatchReason::SameEmail => merge_now::MatchReason::SameEmail,
            merge_then::MatchReason::SameTaxId => merge_now::MatchReason::SameTaxId,
            merge_then::MatchReason::SameFirstName => merge_now::MatchReason::SameFirstName,
            merge_then::MatchReason::SameLastNameWithoutPrefix => merge_now::MatchReason::SameLastNameWithoutPrefix,
            merge_then::MatchReason::LastNamePart => merge_now::MatchReason::LastNamePart,
            merge_then::MatchReason::GenderedLastName => merge_now::MatchReason::GenderedLastName,
        });
        Self { customer: candidate.customer, reasons: reasons.collect(), score: candidate.score }
    }
}

impl From<merge_then::Plan> for merge_now::Plan {
    fn from(plan: merge_then::Plan) -> Self {
        Self {
            local: match plan.local {
                merge_then::LocalChange::Keep => merge_now::LocalChange::Keep,
                merge_then::LocalChange::Create(customer) => merge_now::LocalChange::Create(customer),
                merge_then::LocalChange::Update(customer) => merge_now::LocalChange::Update(customer),
            },
            web: match plan.web {
                merge_then::WebChange::Keep => merge_now::WebChange::Keep,
                merge_then::WebChange::Update(customer) => merge_now::WebChange::Update(customer),
            },
            confirmations: plan
                .confirmations
                .into_iter()
                .map(|confirmation| merge_now::Confirmation {
                    notice: confirmation.notice,
                    choices: confirmation.choices.into_iter().map(Into::into).collect(),
                    proceed: confirmation.proceed,
                })
                .collect(),
            summary: plan.summary,
        }
    }
}
