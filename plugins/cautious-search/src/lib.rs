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
    ErpDecision, ErpSearchOutcome, Guest, LocalDecision, LocalSearchOutcome, ResultList, RetrieveAction,
    RetrieveDecision, SearchButton,
};
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, Notice, SearchQuery, Severity};
use pos_plugin_sdk::{Config, ConfigErrors, notice};
use pos_seed_rules::search::{self as rules, Button, ErpOutcome, List, MAX_THRESHOLD, Thresholds};

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
        let (list, notice) = rules::after_erp_search(&current().thresholds, outcome);
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
        settings(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::search_policy::export!(CautiousSearch);
