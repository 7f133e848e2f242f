//! Plugins built against `pos:plugin@0.1.0` (the shipped plugins as they were built before
//! 0.2.0, kept in `tests/fixtures/v0.1.0`) load beside 0.2.0 ones and decide the same.

use crate::{customer, web_customer};
use pos_host::bindings::search::{ErpFound, ErpSearchOutcome, LocalSearchOutcome, RetrieveAction};
use pos_host::bindings::{Argument, ErpError, Message, SearchQuery};
use pos_host::caps::{Capabilities, InMemoryCustomers};
use pos_host::contract::Version;
use pos_host::runtime::{LoadProblem, Slot, SlotKind};
use pos_host::slots::{NotificationTextsKind, SearchPolicyKind, WebMergeRulesKind};
use pos_host::{Capability, Source};
use pos_tests::{artifacts, load, runtime, spec};
use std::sync::Arc;

/// A 0.1.0 build of a shipped plugin.
fn v0_1(plugin: &str) -> String {
    format!("{}/fixtures/v0.1.0/{plugin}.wasm", env!("CARGO_MANIFEST_DIR"))
}

/// The slot serving the 0.1.0 build and the slot serving today's build of one plugin.
async fn both<K: SlotKind>(caps: Capabilities, old: &str, new: &str, grants: &[Capability]) -> [Slot<K>; 2] {
    let runtime = runtime(caps);
    let old = load::<K>(&runtime, &spec(&v0_1(old), grants, "")).await.unwrap();
    let new = load::<K>(&runtime, &spec(new, grants, "")).await.unwrap();
    assert_eq!((old.info.version, new.info.version), (Version::V0_1, Version::V0_2));
    [Slot::new(Some(old)), Slot::new(Some(new))]
}

fn query() -> SearchQuery {
    SearchQuery { phrase: "Kowalski".into(), filters: Vec::new(), include_inactive: false }
}

#[tokio::test]
async fn a_search_policy_plugin_of_0_1_decides_as_its_0_2_build() {
    let [old, new] =
        both::<SearchPolicyKind>(Capabilities::default(), "search-thresholds", artifacts::SEARCH_THRESHOLDS, &[]).await;
    for (count, changed) in [(0, false), (3, false), (3, true), (60, false)] {
        let outcome = LocalSearchOutcome {
            query: query(),
            result_count: count,
            criteria_changed: changed,
            online_search_enabled: true,
        };
        let (was, is) = (old.after_local_search(&outcome).await, new.after_local_search(&outcome).await);
        assert!(matches!(was.source, Source::Plugin(_)), "{was:?}");
        assert_eq!(was.value, is.value, "after a local search finding {count}");
    }
    let outcomes = [
        ErpSearchOutcome::Found(ErpFound { count: 0, has_more: false }),
        ErpSearchOutcome::Found(ErpFound { count: 7, has_more: true }),
        ErpSearchOutcome::Failed(ErpError::Unavailable("connection refused".into())),
        ErpSearchOutcome::Failed(ErpError::Cancelled),
    ];
    for outcome in outcomes {
        let (was, is) =
            (old.after_erp_search(&query(), &outcome).await, new.after_erp_search(&query(), &outcome).await);
        assert!(matches!(was.source, Source::Plugin(_)), "{was:?}");
        assert_eq!(was.value, is.value, "after an ERP search: {outcome:?}");
    }
    for error in [ErpError::Timeout, ErpError::Cancelled] {
        let was = old.after_erp_retrieve_failed(RetrieveAction::Edit, &error).await;
        let is = new.after_erp_retrieve_failed(RetrieveAction::Edit, &error).await;
        assert!(matches!(was.source, Source::Plugin(_)), "{was:?}");
        assert_eq!(was.value, is.value, "after retrieving failed: {error:?}");
    }
}

#[tokio::test]
async fn a_notification_texts_plugin_of_0_1_renders_as_its_0_2_build() {
    let [old, new] = both::<NotificationTextsKind>(
        Capabilities::default(),
        "notification-texts",
        artifacts::NOTIFICATION_TEXTS,
        &[],
    )
    .await;
    let message = Message {
        key: "erp-too-many-results".into(),
        args: vec![Argument { name: "count".into(), value: "100".into() }],
    };
    for locale in ["en", "pl", "nl"] {
        let (was, is) = (old.render_raw(&message, locale).await, new.render_raw(&message, locale).await);
        assert!(matches!(was.source, Source::Plugin(_)), "{was:?}");
        assert!(was.value.is_some());
        assert_eq!(was.value, is.value, "in {locale}");
    }
}

#[tokio::test]
async fn a_web_merge_rules_plugin_of_0_1_looks_up_and_plans_as_its_0_2_build() {
    let locals = vec![
        customer(Some("K-1"), "Anna", "Wójcik"),
        customer(Some("K-2"), "Piotr", "Kowalski"),
        customer(Some("K-3"), "Jan", "Nowak"),
    ];
    let caps = Capabilities { local_db: Arc::new(InMemoryCustomers::new(locals.clone())), ..Capabilities::default() };
    let [old, new] =
        both::<WebMergeRulesKind>(caps.clone(), "web-merge-rules", artifacts::WEB_MERGE_RULES, &[Capability::LocalDb])
            .await;
    // Through 0.1.0's `local-db`, reasons and scores in 0.1.0's types.
    let web = web_customer("W-7", Some("K-3"), "Anna", "Wojcik");
    let (was, is) = (old.candidates(&*caps.local_db, &web).await, new.candidates(&*caps.local_db, &web).await);
    assert!(matches!(was.source, Source::Plugin(_)), "{was:?}");
    assert_eq!(was.value.as_ref().unwrap().len(), 2);
    assert_eq!(was.value, is.value);
    // A plan that asks the operator, with 0.1.0's choices.
    let other = web_customer("W-8", Some("K-2"), "Anna", "Nowak");
    let (was, is) = (old.take_over_local(&other, &locals[1]).await, new.take_over_local(&other, &locals[1]).await);
    assert!(matches!(was.source, Source::Plugin(_)), "{was:?}");
    assert!(!was.value.confirmations.is_empty(), "the last names differ: {:?}", was.value);
    assert_eq!(was.value, is.value);
    let (was, is) = (old.take_over_web(&web).await, new.take_over_web(&web).await);
    assert_eq!(was.value, is.value);
}

/// In 0.1.0 a search-policy world imported the `erp` interface for `erp-error`; importing it
/// for its types only needs no grant. In 0.2.0 the type lives in `types`, and a search-policy
/// plugin imports no capability at all.
#[tokio::test]
async fn types_only_imports_need_no_grant() {
    let runtime = runtime(Capabilities::default());
    let old = load::<SearchPolicyKind>(&runtime, &spec(&v0_1("search-thresholds"), &[], "")).await.unwrap();
    assert!(old.info.imports.iter().any(|i| i.name == "pos:plugin/erp@0.1.0" && !i.functions));
    let new = load::<SearchPolicyKind>(&runtime, &spec(artifacts::SEARCH_THRESHOLDS, &[], "")).await.unwrap();
    let ours: Vec<&str> =
        new.info.imports.iter().map(|i| i.name.as_str()).filter(|n| n.starts_with("pos:plugin/")).collect();
    assert_eq!(ours, ["pos:plugin/types@0.2.0", "pos:plugin/config@0.2.0"]);
    for old_or_new in [v0_1("web-merge-rules"), artifacts::WEB_MERGE_RULES.to_owned()] {
        let refused = load::<WebMergeRulesKind>(&runtime, &spec(&old_or_new, &[], "")).await.err().unwrap();
        assert!(matches!(refused.problem, LoadProblem::Ungranted { capability: Capability::LocalDb, .. }), "{refused}");
    }
}
