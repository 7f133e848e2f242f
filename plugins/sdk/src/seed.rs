//! The seed-1 search rules (`pos-seed-rules`, plain Rust shared with the host's fallbacks)
//! in the WIT types of the `search-policy` slot, for plugins that build on the seed
//! behaviour and change only part of it. Enabled by the `seed-rules` feature.

use crate::erp::ErpError;
use crate::search_policy::{ErpDecision, ErpSearchOutcome, LocalDecision, ResultList, RetrieveDecision, SearchButton};
use crate::types::{Notice, Severity};
use pos_seed_rules::search::{self as rules, Button, ErpOutcome, List, Thresholds};

/// A seed notice as the WIT notice.
pub fn notice(rule: Option<rules::Notice>) -> Option<Notice> {
    rule.map(|rule| {
        let severity = match rule.severity {
            rules::Severity::Info => Severity::Info,
            rules::Severity::Warning => Severity::Warning,
            rules::Severity::Error => Severity::Error,
        };
        crate::notice(severity, rule.key)
    })
}

/// A seed decision after a local search as the WIT decision.
pub fn local_decision(decision: rules::LocalDecision) -> LocalDecision {
    LocalDecision {
        notice: notice(decision.notice),
        search_button: match decision.button {
            Button::Hidden => SearchButton::Hidden,
            Button::Available => SearchButton::Available,
            Button::Suggested => SearchButton::Suggested,
        },
        erp_limit: decision.erp_limit,
        waiting_window_after_ms: decision.waiting_window_after_ms,
    }
}

/// The seed's decision after an ERP search.
pub fn after_erp_search(thresholds: &Thresholds, outcome: ErpSearchOutcome) -> ErpDecision {
    let outcome = match outcome {
        ErpSearchOutcome::Found(found) => ErpOutcome::Found { count: found.count, has_more: found.has_more },
        ErpSearchOutcome::Failed(ErpError::Cancelled) => ErpOutcome::Cancelled,
        ErpSearchOutcome::Failed(_) => ErpOutcome::Failed,
    };
    let (list, rule) = rules::after_erp_search(thresholds, outcome);
    ErpDecision {
        show: match list {
            List::Local => ResultList::Local,
            List::Erp => ResultList::Erp,
        },
        notice: notice(rule),
    }
}

/// The seed's decision after retrieving an ERP customer failed.
pub fn after_erp_retrieve_failed(error: &ErpError) -> RetrieveDecision {
    let (clear, rule) = rules::after_retrieve_failed(matches!(error, ErpError::Cancelled));
    RetrieveDecision { clear_erp_results: clear, notice: notice(rule) }
}
