//! The `search-thresholds` plugin, called through the runtime: every row of the seed-1 table.

use pos_host::Source;
use pos_host::bindings::erp::ErpError;
use pos_host::bindings::search::{
    ErpFound, ErpSearchOutcome, LocalSearchOutcome, ResultList, RetrieveAction, SearchButton,
};
use pos_host::bindings::{SearchQuery, Severity};
use pos_host::caps::Capabilities;
use pos_host::runtime::{LoadProblem, Slot};
use pos_host::slots::SearchPolicyKind;
use pos_host::slots::search_policy::{fallback_erp, fallback_local};
use pos_tests::{artifacts, load, runtime, spec};

async fn slot(config: &str) -> Slot<SearchPolicyKind> {
    let runtime = runtime(Capabilities::default());
    Slot::new(Some(load(&runtime, &spec(artifacts::SEARCH_THRESHOLDS, &[], config)).await.unwrap()))
}

fn query() -> SearchQuery {
    SearchQuery { phrase: "Kowalski".into(), filters: Vec::new(), include_inactive: false }
}

fn local(count: u32, criteria_changed: bool) -> LocalSearchOutcome {
    LocalSearchOutcome { query: query(), result_count: count, criteria_changed, online_search_enabled: true }
}

fn found(count: u32, has_more: bool) -> ErpSearchOutcome {
    ErpSearchOutcome::Found(ErpFound { count, has_more })
}

fn key(notice: &Option<pos_host::bindings::Notice>) -> Option<&str> {
    notice.as_ref().map(|n| n.message.key.as_str())
}

#[tokio::test]
async fn no_local_results_offers_the_erp() {
    let slot = slot("").await;
    let decided = slot.after_local_search(&local(0, false)).await;
    assert_eq!(decided.source, Source::Plugin("search_thresholds".into()));
    assert_eq!(key(&decided.value.notice), Some("local-no-results"));
    assert_eq!(decided.value.search_button, SearchButton::Suggested);
    assert_eq!(decided.value.erp_limit, 7, "ask for 7 to know 'more than 6'");
    assert_eq!(decided.value.waiting_window_after_ms, 700);
}

#[tokio::test]
async fn changed_criteria_with_up_to_six_results_offers_the_erp() {
    let slot = slot("").await;
    for count in 1..=6 {
        let decided = slot.after_local_search(&local(count, true)).await;
        assert_eq!(key(&decided.value.notice), Some("local-no-exact-results"), "{count} results");
        assert_eq!(decided.value.search_button, SearchButton::Suggested);
    }
    let seven = slot.after_local_search(&local(7, true)).await.value;
    assert_eq!((seven.notice, seven.search_button), (None, SearchButton::Available));
    let first_search = slot.after_local_search(&local(3, false)).await.value;
    assert_eq!((first_search.notice, first_search.search_button), (None, SearchButton::Available));
}

#[tokio::test]
async fn online_search_disabled_hides_the_button() {
    let slot = slot("").await;
    let outcome = LocalSearchOutcome { online_search_enabled: false, ..local(0, false) };
    let decided = slot.after_local_search(&outcome).await.value;
    assert_eq!((decided.notice, decided.search_button), (None, SearchButton::Hidden));
}

#[tokio::test]
async fn the_four_outcomes_of_search() {
    let slot = slot("").await;
    let no_connection = ErpSearchOutcome::Failed(ErpError::Unavailable("connection refused".into()));
    let decided = slot.after_erp_search(&query(), &no_connection).await;
    assert!(!decided.is_fallback());
    assert_eq!(decided.value.show, ResultList::Local);
    assert_eq!(key(&decided.value.notice), Some("erp-connection-failed"));
    assert_eq!(decided.value.notice.unwrap().severity, Severity::Error);

    let timeout = slot.after_erp_search(&query(), &ErpSearchOutcome::Failed(ErpError::Timeout)).await.value;
    assert_eq!(key(&timeout.notice), Some("erp-connection-failed"));

    for count in 1..=6 {
        let shown = slot.after_erp_search(&query(), &found(count, false)).await.value;
        assert_eq!((shown.show, shown.notice), (ResultList::Erp, None), "{count} ERP results");
    }
    for (count, has_more) in [(7, false), (7, true), (6, true)] {
        let too_many = slot.after_erp_search(&query(), &found(count, has_more)).await.value;
        assert_eq!(too_many.show, ResultList::Local);
        assert_eq!(key(&too_many.notice), Some("erp-too-many-results"));
    }
    let none = slot.after_erp_search(&query(), &found(0, false)).await.value;
    assert_eq!(none.show, ResultList::Local);
    assert_eq!(key(&none.notice), Some("erp-no-results"));

    let cancelled = slot.after_erp_search(&query(), &ErpSearchOutcome::Failed(ErpError::Cancelled)).await.value;
    assert_eq!((cancelled.show, cancelled.notice), (ResultList::Local, None));
}

#[tokio::test]
async fn connection_lost_while_retrieving_clears_the_erp_list() {
    let slot = slot("").await;
    for action in [RetrieveAction::Select, RetrieveAction::Edit, RetrieveAction::Preview] {
        let decided = slot.after_erp_retrieve_failed(action, &ErpError::Unavailable("reset".into())).await.value;
        assert!(decided.clear_erp_results);
        assert_eq!(key(&decided.notice), Some("erp-retrieve-failed"));
    }
    let cancelled = slot.after_erp_retrieve_failed(RetrieveAction::Select, &ErpError::Cancelled).await.value;
    assert!(!cancelled.clear_erp_results);
    assert_eq!(cancelled.notice, None);
}

#[tokio::test]
async fn thresholds_come_from_config() {
    let slot = slot("offer-erp-at-most = 3\nerp-show-at-most = 10\nwaiting-window-after-ms = 250").await;
    assert_eq!(slot.after_local_search(&local(4, true)).await.value.notice, None);
    assert_eq!(key(&slot.after_local_search(&local(3, true)).await.value.notice), Some("local-no-exact-results"));
    let decision = slot.after_local_search(&local(0, false)).await.value;
    assert_eq!((decision.erp_limit, decision.waiting_window_after_ms), (11, 250));
    assert_eq!(slot.after_erp_search(&query(), &found(10, false)).await.value.show, ResultList::Erp);
    assert_eq!(slot.after_erp_search(&query(), &found(11, false)).await.value.show, ResultList::Local);
}

#[tokio::test]
async fn the_plugin_agrees_with_the_built_in_fallback() {
    for config in ["", "offer-erp-at-most = 3\nerp-show-at-most = 10\nwaiting-window-after-ms = 250"] {
        let slot = slot(config).await;
        let fallback = slot.config();
        for count in 0..=12 {
            for changed in [false, true] {
                for online in [false, true] {
                    let outcome = LocalSearchOutcome { online_search_enabled: online, ..local(count, changed) };
                    let plugin = slot.after_local_search(&outcome).await.value;
                    assert_eq!(plugin, fallback_local(&fallback, &outcome), "{config}: {outcome:?}");
                }
            }
            for has_more in [false, true] {
                let outcome = found(count, has_more);
                let plugin = slot.after_erp_search(&query(), &outcome).await.value;
                assert_eq!(plugin, fallback_erp(&fallback, &outcome), "{config}: {outcome:?}");
            }
        }
    }
}

#[tokio::test]
async fn bad_thresholds_are_refused_naming_the_key() {
    let runtime = runtime(Capabilities::default());
    let bad = spec(artifacts::SEARCH_THRESHOLDS, &[], "offer-erp-at-most = 0\nerp-show-at-most = \"six\"\nwaiting = 1");
    let error = load::<SearchPolicyKind>(&runtime, &bad).await.err().expect("refused");
    let LoadProblem::Config(problems) = &error.problem else { panic!("{error}") };
    assert_eq!(problems.len(), 3, "{problems:?}");
    let all = problems.join("\n");
    assert!(
        all.contains("test.toml:4:21: slots.search-policy.config.offer-erp-at-most: must be between 1 and 99, found 0"),
        "{all}"
    );
    assert!(all.contains("slots.search-policy.config.erp-show-at-most: must be an integer, found a string"), "{all}");
    assert!(all.contains("slots.search-policy.config.waiting: unknown key"), "{all}");
}
