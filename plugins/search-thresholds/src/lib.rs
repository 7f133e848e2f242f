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
use pos_seed_rules::config::Ignore;
use pos_seed_rules::search::{self as rules, THRESHOLD_KEYS, Thresholds};

struct SearchThresholds;

/// Reads the thresholds, recording every problem in `errors`.
fn thresholds(config: &Config, errors: &mut ConfigErrors) -> Thresholds {
    config.reject_unknown(&THRESHOLD_KEYS, &[], errors);
    Thresholds::read(config, errors)
}

/// The thresholds of the running call; the host validated them at load.
fn current() -> Thresholds {
    Thresholds::read(&Config::load(), &mut Ignore)
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
