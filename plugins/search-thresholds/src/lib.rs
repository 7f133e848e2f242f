//! The seed-1 search decisions: when to offer the ERP search, and what follows it.
//!
//! Config (all optional): `offer-erp-at-most` (1..=99, default 6), `erp-show-at-most`
//! (1..=99, default 6), `waiting-window-after-ms` (0..=60000, default 700).

use pos_plugin_sdk::erp::ErpError;
use pos_plugin_sdk::search_policy::{
    ErpDecision, ErpSearchOutcome, Guest, LocalDecision, LocalSearchOutcome, RetrieveAction, RetrieveDecision,
};
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, SearchQuery};
use pos_plugin_sdk::{Config, ConfigErrors, seed};
use pos_seed_rules::search::{self as rules, MAX_THRESHOLD, Thresholds};

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

impl Guest for SearchThresholds {
    fn after_local_search(outcome: LocalSearchOutcome) -> LocalDecision {
        seed::local_decision(rules::after_local_search(
            &current(),
            outcome.result_count,
            outcome.criteria_changed,
            outcome.online_search_enabled,
        ))
    }

    fn after_erp_search(_query: SearchQuery, outcome: ErpSearchOutcome) -> ErpDecision {
        seed::after_erp_search(&current(), outcome)
    }

    fn after_erp_retrieve_failed(_action: RetrieveAction, error: ErpError) -> RetrieveDecision {
        seed::after_erp_retrieve_failed(&error)
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        thresholds(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::search_policy::export!(SearchThresholds);
