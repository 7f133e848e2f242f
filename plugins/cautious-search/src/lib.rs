//! Search decisions for a Polish chain whose ERP is slow and billed per query: the operator
//! is steered to the ERP only when the local database has nothing to show, and never for a
//! phrase too short to narrow an ERP search down.
//!
//! Differences from `search-thresholds` (the default plugin):
//! - after a local search with results, changed criteria or not, [Search] stays Available
//!   with no notice: `local-no-exact-results` is never shown, since each suggested search
//!   that finds what the local list already had is a query the client pays for;
//! - a phrase with fewer than `min-erp-phrase-chars` letters and digits hides [Search]
//!   altogether, even with no local results: on this ERP such a search is slow, billed,
//!   and likely to end in `erp-too-many-results`.
//!
//! What follows an ERP search or a failed retrieval is the seed's, unchanged.
//!
//! Config (all optional): `min-erp-phrase-chars` (1..=20, default 3), `erp-show-at-most`
//! (1..=99, default 6), `waiting-window-after-ms` (0..=60000, default 300: the ERP is slow,
//! so the operator sees [Cancel] early).

use pos_plugin_sdk::erp::ErpError;
use pos_plugin_sdk::search_policy::{
    ErpDecision, ErpSearchOutcome, Guest, LocalDecision, LocalSearchOutcome, RetrieveAction, RetrieveDecision,
};
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, SearchQuery};
use pos_plugin_sdk::{Config, ConfigErrors, seed};
use pos_seed_rules::search::{self as rules, Button, MAX_THRESHOLD, Thresholds};

struct CautiousSearch;

/// The settings of the plugin.
struct Settings {
    thresholds: Thresholds,
    min_erp_phrase_chars: u32,
}

/// Reads the settings, recording every problem in `errors`.
fn settings(config: &Config, errors: &mut ConfigErrors) -> Settings {
    let default = Thresholds::default();
    config.reject_unknown(&["min-erp-phrase-chars", "erp-show-at-most", "waiting-window-after-ms"], &[], errors);
    Settings {
        thresholds: Thresholds {
            erp_show_at_most: config.u32_in("erp-show-at-most", default.erp_show_at_most, 1..=MAX_THRESHOLD, errors),
            waiting_window_after_ms: config.u32_in("waiting-window-after-ms", 300, 0..=60_000, errors),
            ..default
        },
        min_erp_phrase_chars: config.u32_in("min-erp-phrase-chars", 3, 1..=20, errors),
    }
}

/// The settings of the running call; the host validated them at load.
fn current() -> Settings {
    settings(&Config::load(), &mut ConfigErrors::default())
}

/// The letters and digits of `phrase`: spaces and punctuation do not narrow an ERP search.
fn searchable_chars(phrase: &str) -> u32 {
    phrase.trim().chars().filter(|ch| ch.is_alphanumeric()).count() as u32
}

impl Guest for CautiousSearch {
    fn after_local_search(outcome: LocalSearchOutcome) -> LocalDecision {
        let settings = current();
        // The seed rules without changed criteria are exactly this client's rule: offer the
        // ERP on no results, leave it merely available otherwise.
        let mut decision =
            rules::after_local_search(&settings.thresholds, outcome.result_count, false, outcome.online_search_enabled);
        if searchable_chars(&outcome.query.phrase) < settings.min_erp_phrase_chars {
            decision.notice = None;
            decision.button = Button::Hidden;
        }
        seed::local_decision(decision)
    }

    fn after_erp_search(_query: SearchQuery, outcome: ErpSearchOutcome) -> ErpDecision {
        seed::after_erp_search(&current().thresholds, outcome)
    }

    fn after_erp_retrieve_failed(_action: RetrieveAction, error: ErpError) -> RetrieveDecision {
        seed::after_erp_retrieve_failed(&error)
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        settings(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::search_policy::export!(CautiousSearch);
