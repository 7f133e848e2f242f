//! A `search-policy` plugin written in JavaScript from the WIT alone
//! (`plugins/js/search-thresholds`), built with componentize-js against the shipped
//! `search-policy` world of `wit/v0.2.0` unchanged: it loads with no grant and decides as the
//! Rust plugin does, config included.

use pos_host::Source;
use pos_host::bindings::search::{ErpFound, ErpSearchOutcome, LocalSearchOutcome, RetrieveAction};
use pos_host::bindings::{ErpError, SearchQuery};
use pos_host::caps::Capabilities;
use pos_host::runtime::{LoadProblem, Slot};
use pos_host::slots::SearchPolicyKind;
use pos_tests::{artifacts, js_plugin, load, runtime, spec};
use tokio::sync::OnceCell;

/// Compiles the component into the shared cache once, before the tests load it.
async fn js_component() -> String {
    static COMPILED: OnceCell<()> = OnceCell::const_new();
    let path = js_plugin::search_thresholds().to_str().unwrap().to_owned();
    COMPILED
        .get_or_init(|| async {
            load::<SearchPolicyKind>(&runtime(Capabilities::default()), &spec(&path, &[], ""))
                .await
                .unwrap_or_else(|error| panic!("{error}"));
        })
        .await;
    path
}

/// The Rust plugin and the JavaScript one, each with `config` and no grant.
async fn both(config: &str) -> [Slot<SearchPolicyKind>; 2] {
    let js = js_component().await;
    let runtime = runtime(Capabilities::default());
    let rust = load(&runtime, &spec(artifacts::SEARCH_THRESHOLDS, &[], config)).await.unwrap();
    let js = load(&runtime, &spec(&js, &[], config)).await.unwrap_or_else(|error| panic!("{error}"));
    assert!(js.info.imports.iter().all(|import| import.capability.is_none()), "{:?}", js.info.imports);
    [Slot::new(Some(rust)), Slot::new(Some(js))]
}

fn query() -> SearchQuery {
    SearchQuery { phrase: "Kowalski".into(), filters: Vec::new(), include_inactive: false }
}

#[tokio::test]
async fn decides_every_seed_1_row_as_the_rust_plugin() {
    for config in ["", "offer-erp-at-most = 2\nerp-show-at-most = 10\nwaiting-window-after-ms = 0"] {
        let [rust, js] = both(config).await;
        for online in [true, false] {
            for (count, changed) in
                [(0, false), (0, true), (1, true), (2, true), (3, true), (6, true), (7, true), (5, false)]
            {
                let outcome = LocalSearchOutcome {
                    query: query(),
                    result_count: count,
                    criteria_changed: changed,
                    online_search_enabled: online,
                };
                let (want, got) = (rust.after_local_search(&outcome).await, js.after_local_search(&outcome).await);
                assert_eq!(got.source, Source::Plugin("search-thresholds-js".into()), "{got:?}");
                assert_eq!(got.value, want.value, "{config:?}: {outcome:?}");
            }
        }
        let mut outcomes: Vec<ErpSearchOutcome> =
            [(0, false), (0, true), (1, false), (6, false), (7, false), (10, false), (11, false), (3, true)]
                .into_iter()
                .map(|(count, has_more)| ErpSearchOutcome::Found(ErpFound { count, has_more }))
                .collect();
        outcomes.extend(
            [
                ErpError::Cancelled,
                ErpError::Timeout,
                ErpError::Unavailable("down".into()),
                ErpError::Rejected("no".into()),
            ]
            .map(ErpSearchOutcome::Failed),
        );
        for outcome in &outcomes {
            let (want, got) =
                (rust.after_erp_search(&query(), outcome).await, js.after_erp_search(&query(), outcome).await);
            assert!(!got.is_fallback(), "{got:?}");
            assert_eq!(got.value, want.value, "{config:?}: {outcome:?}");
        }
        for error in [ErpError::Cancelled, ErpError::Timeout] {
            let want = rust.after_erp_retrieve_failed(RetrieveAction::Select, &error).await;
            let got = js.after_erp_retrieve_failed(RetrieveAction::Select, &error).await;
            assert!(!got.is_fallback(), "{got:?}");
            assert_eq!(got.value, want.value, "{error:?}");
        }
    }
}

/// What `validate-config` says about `config`, problems sorted: `Ok` or the problems.
async fn verdict(component: &str, config: &str) -> Result<(), Vec<String>> {
    match load::<SearchPolicyKind>(&runtime(Capabilities::default()), &spec(component, &[], config)).await {
        Ok(_) => Ok(()),
        Err(error) => match error.problem {
            LoadProblem::Config(mut problems) => {
                problems.sort();
                Err(problems)
            }
            _ => panic!("{config:?}: {error}"),
        },
    }
}

#[tokio::test]
async fn refuses_the_configs_the_rust_plugin_refuses() {
    let js = js_component().await;
    let configs = [
        ("offer-erp-at-most = 1\nerp-show-at-most = 99\nwaiting-window-after-ms = 60000", true),
        ("offer-erp-at-most = 0", false),
        ("erp-show-at-most = 100\nwaiting-window-after-ms = -1", false),
        ("offer-erp-at-most = \"6\"\nerp-show-at-most = 6.5\nwaiting-window-after-ms = true", false),
        ("offer-erp-at-most = [\"a\"]\ncolour = \"red\"\nnested.key = 1", false),
        ("waiting-window-after-ms = 9223372036854775807", false),
    ];
    for (config, accepted) in configs {
        let from_rust = verdict(artifacts::SEARCH_THRESHOLDS, config).await;
        assert_eq!(from_rust.is_ok(), accepted, "{config:?}: {from_rust:?}");
        assert_eq!(verdict(&js, config).await, from_rust, "{config:?}");
    }
}
