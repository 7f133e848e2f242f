//! A `search-policy` plugin: what the operator sees around a customer search.
//!
//! After a local search the host asks `after_local_search` whether to offer the ERP search
//! ([Search]) and with which notice; after an ERP search `after_erp_search` picks the list to
//! show; when retrieving an ERP customer fails, `after_erp_retrieve_failed` says what follows.
//! This starting point is the seed's behaviour with its thresholds read from the config.
//!
//! Config (all optional): `offer-erp-at-most` (1..=99, default 6): a refined search showing
//! this many customers or fewer suggests the ERP; `erp-show-at-most` (1..=99, default 6): more
//! ERP results than this keep the local list; `waiting-window-after-ms` (0..=60000, default
//! 700): when the waiting window with [Cancel] appears.

use pos_plugin_sdk::erp::ErpError;
use pos_plugin_sdk::notice;
use pos_plugin_sdk::search_policy::{
    ErpDecision, ErpSearchOutcome, Guest, LocalDecision, LocalSearchOutcome, ResultList, RetrieveAction,
    RetrieveDecision, SearchButton,
};
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, SearchQuery, Severity};
use pos_plugin_sdk::{Config, ConfigErrors};

/// What the config says.
struct Thresholds {
    offer_erp_at_most: u32,
    erp_show_at_most: u32,
    waiting_window_after_ms: u32,
}

/// Reads the config, recording every problem in `errors`.
fn thresholds(config: &Config, errors: &mut ConfigErrors) -> Thresholds {
    config.reject_unknown(&["offer-erp-at-most", "erp-show-at-most", "waiting-window-after-ms"], &[], errors);
    Thresholds {
        offer_erp_at_most: config.u32_in("offer-erp-at-most", 6, 1..=99, errors),
        erp_show_at_most: config.u32_in("erp-show-at-most", 6, 1..=99, errors),
        waiting_window_after_ms: config.u32_in("waiting-window-after-ms", 700, 0..=60_000, errors),
    }
}

fn after_local_search(outcome: &LocalSearchOutcome, thresholds: &Thresholds) -> LocalDecision {
    let (notice, search_button) = if !outcome.online_search_enabled {
        (None, SearchButton::Hidden)
    } else if outcome.result_count == 0 {
        (Some(notice(Severity::Info, "local-no-results")), SearchButton::Suggested)
    } else if outcome.criteria_changed && outcome.result_count <= thresholds.offer_erp_at_most {
        (Some(notice(Severity::Info, "local-no-exact-results")), SearchButton::Suggested)
    } else {
        (None, SearchButton::Available)
    };
    LocalDecision {
        notice,
        search_button,
        // One more than will be shown, to tell "more than N" from "N".
        erp_limit: thresholds.erp_show_at_most + 1,
        waiting_window_after_ms: thresholds.waiting_window_after_ms,
    }
}

fn after_erp_search(outcome: &ErpSearchOutcome, thresholds: &Thresholds) -> ErpDecision {
    let (show, notice) = match outcome {
        ErpSearchOutcome::Failed(ErpError::Cancelled) => (ResultList::Local, None),
        ErpSearchOutcome::Failed(_) => (ResultList::Local, Some(notice(Severity::Error, "erp-connection-failed"))),
        ErpSearchOutcome::Found(found) if found.count == 0 && !found.has_more => {
            (ResultList::Local, Some(notice(Severity::Info, "erp-no-results")))
        }
        ErpSearchOutcome::Found(found) if found.has_more || found.count > thresholds.erp_show_at_most => {
            (ResultList::Local, Some(notice(Severity::Warning, "erp-too-many-results")))
        }
        ErpSearchOutcome::Found(_) => (ResultList::Erp, None),
    };
    ErpDecision { show, notice }
}

fn after_erp_retrieve_failed(error: &ErpError) -> RetrieveDecision {
    match error {
        // The operator cancelled: nothing failed, the list stays.
        ErpError::Cancelled => RetrieveDecision { clear_erp_results: false, notice: None },
        _ => RetrieveDecision { clear_erp_results: true, notice: Some(notice(Severity::Error, "erp-retrieve-failed")) },
    }
}

/// The thresholds of the running call. The host refuses a config that `validate_config`
/// refuses, so no problem is left here.
fn current() -> Thresholds {
    thresholds(&Config::load(), &mut ConfigErrors::default())
}

struct Plugin;

impl Guest for Plugin {
    fn after_local_search(outcome: LocalSearchOutcome) -> LocalDecision {
        after_local_search(&outcome, &current())
    }

    fn after_erp_search(_query: SearchQuery, outcome: ErpSearchOutcome) -> ErpDecision {
        after_erp_search(&outcome, &current())
    }

    fn after_erp_retrieve_failed(_action: RetrieveAction, error: ErpError) -> RetrieveDecision {
        after_erp_retrieve_failed(&error)
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        thresholds(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::search_policy::export!(Plugin);

// The logic above is plain Rust: these tests run natively with `cargo test`, without the
// host. Calling a hook itself needs the host (`Config::load` asks it for the config); that is
// what `pos-host plugin test` does with cases.toml.
#[cfg(test)]
mod tests {
    use super::*;
    use pos_plugin_sdk::search_policy::ErpFound;
    use pos_plugin_sdk::types::ConfigValue;

    const SEED: Thresholds = Thresholds { offer_erp_at_most: 6, erp_show_at_most: 6, waiting_window_after_ms: 700 };

    fn local(result_count: u32, criteria_changed: bool) -> LocalDecision {
        let query = SearchQuery { phrase: "kowal".into(), filters: Vec::new(), include_inactive: false };
        let outcome = LocalSearchOutcome { query, result_count, criteria_changed, online_search_enabled: true };
        after_local_search(&outcome, &SEED)
    }

    fn notice_key(notice: &Option<pos_plugin_sdk::types::Notice>) -> Option<&str> {
        notice.as_ref().map(|notice| notice.message.key.as_str())
    }

    #[test]
    fn offers_the_erp_when_the_local_list_is_empty_or_short() {
        assert_eq!(notice_key(&local(0, false).notice), Some("local-no-results"));
        assert_eq!(notice_key(&local(6, true).notice), Some("local-no-exact-results"));
        assert_eq!(notice_key(&local(7, true).notice), None);
        assert_eq!(local(3, false).search_button, SearchButton::Available);
        assert_eq!(local(0, false).erp_limit, 7);
    }

    #[test]
    fn shows_the_erp_list_only_when_it_is_short() {
        let found = |count, has_more| after_erp_search(&ErpSearchOutcome::Found(ErpFound { count, has_more }), &SEED);
        assert_eq!(found(6, false).show, ResultList::Erp);
        assert_eq!(notice_key(&found(7, false).notice), Some("erp-too-many-results"));
        assert_eq!(notice_key(&found(0, false).notice), Some("erp-no-results"));
        let failed = after_erp_search(&ErpSearchOutcome::Failed(ErpError::Timeout), &SEED);
        assert_eq!((failed.show, notice_key(&failed.notice)), (ResultList::Local, Some("erp-connection-failed")));
    }

    #[test]
    fn refuses_a_bad_config() {
        let entry = |key: &str, value| ConfigEntry { key: key.into(), value: ConfigValue::Integer(value) };
        assert!(Plugin::validate_config(vec![entry("offer-erp-at-most", 3)]).is_ok());
        let errors = Plugin::validate_config(vec![entry("offer-erp-at-most", 0), entry("erp-show-at-most", 100)]);
        let keys: Vec<String> = errors.unwrap_err().into_iter().map(|e| e.key).collect();
        assert_eq!(keys, ["offer-erp-at-most", "erp-show-at-most"]);
    }
}
