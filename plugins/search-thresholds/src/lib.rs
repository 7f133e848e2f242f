//! The seed-1 search decisions: when to offer the ERP search, and what follows it.
//!
//! Config (all optional): `offer-erp-at-most` (1..=99, default 6), `erp-show-at-most`
//! (1..=99, default 6), `waiting-window-after-ms` (0..=60000, default 700).

use pos_plugin_sdk::erp::ErpError;
use pos_plugin_sdk::search_policy::{
    ErpDecision, ErpSearchOutcome, Guest, LocalDecision, LocalSearchOutcome, ResultList, RetrieveAction,
    RetrieveDecision, SearchButton,
};
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, Notice, SearchQuery, Severity};
use pos_plugin_sdk::{Config, ConfigErrors, notice};
use pos_seed_rules::search::{self as rules, Button, ErpOutcome, List, MAX_THRESHOLD, Thresholds};

struct SearchThresholds;

/// Reads the thresholds, recording every problem in `errors`.
fn thresholds(config: &Config, errors: &mut ConfigErrors) -> Thresholds {
    let default = Thresholds::default();
    config.reject_unknown(&["offer-erp-at-most", "erp-show-at-most", "waiting-window-after-ms"], &[], errors);
    Thresholds {
        offer_erp_at_most: config.u32_in("offer-erp-at-most", default.offer_erp_at_most, 1..=MAX_THRESHOLD, errors),
        erp_show_at_most: config.u32_in("erp-show-at-most", default.erp_show_at_most, 1..=MAX_THRESHOLD, errors),
        waiting_window_after_ms: config.u32_in(
            "waiting-window-after-ms",
            default.waiting_window_after_ms,
            0..=60_000,
            errors,
        ),
    }
}

/// The thresholds of the running call; the host validated them at load.
fn current() -> Thresholds {
    thresholds(&Config::load(), &mut ConfigErrors::default())
}

fn to_notice(rule: Option<rules::Notice>) -> Option<Notice> {
    rule.map(|rule| {
        let severity = match rule.severity {
            rules::Severity::Info => Severity::Info,
            rules::Severity::Warning => Severity::Warning,
            rules::Severity::Error => Severity::Error,
        };
        notice(severity, rule.key)
    })
}

impl Guest for SearchThresholds {
    fn after_local_search(outcome: LocalSearchOutcome) -> LocalDecision {
        let decision = rules::after_local_search(
            &current(),
            outcome.result_count,
            outcome.criteria_changed,
            outcome.online_search_enabled,
        );
        LocalDecision {
            notice: to_notice(decision.notice),
            search_button: match decision.button {
                Button::Hidden => SearchButton::Hidden,
                Button::Available => SearchButton::Available,
                Button::Suggested => SearchButton::Suggested,
            },
            erp_limit: decision.erp_limit,
            waiting_window_after_ms: decision.waiting_window_after_ms,
        }
    }

    fn after_erp_search(_query: SearchQuery, outcome: ErpSearchOutcome) -> ErpDecision {
        let outcome = match outcome {
            ErpSearchOutcome::Found(found) => ErpOutcome::Found { count: found.count, has_more: found.has_more },
            ErpSearchOutcome::Failed(ErpError::Cancelled) => ErpOutcome::Cancelled,
            ErpSearchOutcome::Failed(_) => ErpOutcome::Failed,
        };
        let (list, notice) = rules::after_erp_search(&current(), outcome);
        ErpDecision {
            show: match list {
                List::Local => ResultList::Local,
                List::Erp => ResultList::Erp,
            },
            notice: to_notice(notice),
        }
    }

    fn after_erp_retrieve_failed(_action: RetrieveAction, error: ErpError) -> RetrieveDecision {
        let (clear, notice) = rules::after_retrieve_failed(matches!(error, ErpError::Cancelled));
        RetrieveDecision { clear_erp_results: clear, notice: to_notice(notice) }
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        thresholds(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::search_policy::export!(SearchThresholds);
