//! The `web-merge-rules` plugin, called through the runtime: seed-2 matching and warnings.

use crate::{customer, web_customer};
use pos_host::bindings::Severity;
use pos_host::bindings::merge::{LocalChange, MatchReason, WebChange};
use pos_host::caps::{Capabilities, InMemoryCustomers};
use pos_host::runtime::Slot;
use pos_host::slots::WebMergeRulesKind;
use pos_host::slots::web_merge_rules::{
    fallback_candidates, fallback_push_local, fallback_take_over_local, fallback_take_over_web,
};
use pos_host::{Capability, Source};
use pos_tests::{artifacts, load, runtime, spec};
use std::sync::Arc;

fn locals() -> Vec<pos_host::bindings::Customer> {
    vec![
        customer(Some("K-1"), "Anna", "Wójcik"),
        customer(Some("K-2"), "Piotr", "WOJCIK"),
        customer(Some("K-3"), "Jan", "Nowak"),
        customer(Some("K-4"), "Eva", "Jansen"),
    ]
}

async fn slot() -> (Slot<WebMergeRulesKind>, Capabilities) {
    configured_slot("").await
}

async fn configured_slot(config: &str) -> (Slot<WebMergeRulesKind>, Capabilities) {
    let caps = Capabilities { local_db: Arc::new(InMemoryCustomers::new(locals())), ..Capabilities::default() };
    let runtime = runtime(caps.clone());
    let plugin = load(&runtime, &spec(artifacts::WEB_MERGE_RULES, &[Capability::LocalDb], config)).await.unwrap();
    (Slot::new(Some(plugin)), caps)
}

/// The built-in fallback ranks with the rules the slot's config sets, as the plugin does.
#[tokio::test]
async fn the_fallback_ranks_with_the_configured_rules() {
    let (slot, caps) = configured_slot("max-candidates = 2\nmin-score = 61").await;
    let web = web_customer("W-7", Some("K-3"), "Anna", "Wojcik");
    let plugin = slot.candidates(&*caps.local_db, &web).await.value.unwrap();
    let numbers: Vec<_> = plugin.iter().map(|c| c.customer.number.clone().unwrap()).collect();
    assert_eq!(numbers, ["K-3", "K-1"], "K-2 scores 60, under the configured 61");
    let fallback = fallback_candidates(&slot.config(), &*caps.local_db, &web).await.unwrap();
    assert_eq!(fallback, plugin);
}

#[tokio::test]
async fn candidates_share_the_last_name_or_the_number() {
    let (slot, caps) = slot().await;
    let web = web_customer("W-7", Some("K-3"), "Anna", "Wojcik");
    let decided = slot.candidates(&*caps.local_db, &web).await;
    assert_eq!(decided.source, Source::Plugin("web_merge_rules".into()));
    let found: Vec<(String, Vec<MatchReason>, u8)> =
        decided.value.unwrap().into_iter().map(|c| (c.customer.number.unwrap(), c.reasons, c.score)).collect();
    assert_eq!(
        found,
        [
            ("K-3".to_owned(), vec![MatchReason::SameNumber], 100),
            ("K-1".to_owned(), vec![MatchReason::SameLastName, MatchReason::SameFirstName], 75),
            ("K-2".to_owned(), vec![MatchReason::SameLastName], 60),
        ],
        "same number first, then same last name with case and diacritics folded, the same first name ranking higher"
    );
    let fallback = Slot::<WebMergeRulesKind>::new(None).candidates(&*caps.local_db, &web).await;
    assert_eq!(fallback.source, Source::NoPlugin);
    assert_eq!(fallback.value.unwrap(), slot.candidates(&*caps.local_db, &web).await.value.unwrap());
}

#[tokio::test]
async fn a_match_on_both_counts_once_with_both_reasons() {
    let (slot, caps) = slot().await;
    let web = web_customer("W-8", Some("K-4"), "Eva", "jansen");
    let found = slot.candidates(&*caps.local_db, &web).await.value.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].reasons, [MatchReason::SameNumber, MatchReason::SameLastName, MatchReason::SameFirstName]);
    assert_eq!(found[0].score, 100);
}

#[tokio::test]
async fn no_candidates_for_a_stranger() {
    let (slot, caps) = slot().await;
    let found = slot.candidates(&*caps.local_db, &web_customer("W-9", None, "Li", "Wang")).await.value.unwrap();
    assert!(found.is_empty());
}

#[tokio::test]
async fn taking_over_local_info_with_another_last_name_warns_first() {
    let (slot, _) = slot().await;
    let web = web_customer("W-1", None, "Eva", "Jansen-de Vries");
    let local = customer(Some("K-4"), "Eva", "Jansen");
    let decided = slot.take_over_local(&web, &local).await;
    assert!(!decided.is_fallback());
    let plan = decided.value;
    assert_eq!(plan.confirmations.len(), 1);
    let warning = &plan.confirmations[0];
    assert_eq!(warning.notice.severity, Severity::Warning);
    assert_eq!(warning.notice.message.key, "existing-customer-overwritten");
    let args: Vec<(&str, &str)> =
        warning.notice.message.args.iter().map(|a| (a.name.as_str(), a.value.as_str())).collect();
    assert_eq!(args, [("web-last-name", "Jansen-de Vries"), ("local-last-name", "Jansen")]);
    let choices: Vec<&str> = warning.choices.iter().map(|c| c.id.as_str()).collect();
    assert_eq!((choices, warning.proceed.as_str()), (vec!["cancel", "continue"], "continue"));
    let WebChange::Update(new_web) = &plan.web else { panic!("the web side changes") };
    assert_eq!(new_web.last_name, "Jansen", "continuing overwrites the web last name with the local one");
    assert_eq!(new_web.number.as_deref(), Some("K-4"), "the web customer gets the existing number");
    assert_eq!(new_web.web_id.as_deref(), Some("W-1"));
    let LocalChange::Update(new_local) = &plan.local else { panic!("the local side is linked") };
    assert_eq!(new_local.web_id.as_deref(), Some("W-1"));
    assert_eq!(plan, fallback_take_over_local(&web, &local));
}

#[tokio::test]
async fn same_last_name_needs_no_warning() {
    let (slot, _) = slot().await;
    let web = web_customer("W-2", None, "Piotr", "Wojcik");
    let plan = slot.take_over_local(&web, &customer(Some("K-2"), "Piotr", "WÓJCIK")).await.value;
    assert!(plan.confirmations.is_empty());
}

#[tokio::test]
async fn taking_over_internet_info_adds_a_local_customer() {
    let (slot, _) = slot().await;
    let web = web_customer("W-3", None, "Zoë", "Bakker");
    let plan = slot.take_over_web(&web).await.value;
    let LocalChange::Create(new_local) = &plan.local else { panic!("a local customer is added") };
    assert_eq!((new_local.last_name.as_str(), new_local.number.as_deref()), ("Bakker", None));
    assert!(plan.confirmations.is_empty());
    assert_eq!(plan.summary.key, "merge-added-from-web");
    assert_eq!(plan, fallback_take_over_web(&web));
}

#[tokio::test]
async fn pushing_a_local_edit_updates_only_the_web() {
    let (slot, _) = slot().await;
    let local = customer(Some("K-3"), "Jan", "Nowak-Kowalski");
    let web = web_customer("W-4", Some("K-3"), "Jan", "Nowak");
    let plan = slot.push_local(&local, &web).await.value;
    assert_eq!(plan.local, LocalChange::Keep);
    let WebChange::Update(new_web) = &plan.web else { panic!("the web side changes") };
    assert_eq!((new_web.last_name.as_str(), new_web.web_id.as_deref()), ("Nowak-Kowalski", Some("W-4")));
    assert_eq!(plan, fallback_push_local(&local, &web));
}
