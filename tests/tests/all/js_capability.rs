//! The plugin guide's JavaScript plugin that calls a capability
//! (`tests/fixtures/js/same-last-name`, built by `cargo xtask js-plugin`): a `web-merge-rules`
//! plugin whose world includes the shipped slot world and imports `local-db`. The host refuses
//! it where the policy does not grant `local-db`, naming the capability and the key to change;
//! granted, `candidates` answers from the local customers, and a failed lookup is its error.

use crate::{customer, web_customer};
use pos_host::bindings::local_db::DbError;
use pos_host::bindings::merge::MatchReason;
use pos_host::caps::{Capabilities, InMemoryCustomers, LocalDb};
use pos_host::{Plugins, Policy, Source};
use pos_tests::{GoneLocalDb, js_plugin, runtime};
use std::sync::Arc;

/// Loads the policy `[slots.web-merge-rules]` with `grants`, the plugin reaching `local_db`; a
/// refusal as the host reports it, at its place in the policy.
async fn load(grants: &str, local_db: Arc<dyn LocalDb>) -> (String, Result<Plugins, String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    let plugin = js_plugin::fixture("same-last-name-js.wasm");
    std::fs::write(&path, format!("[slots.web-merge-rules]\nplugin = {plugin:?}\ngrants = {grants}\n")).unwrap();
    let policy = Policy::load(&path).unwrap_or_else(|errors| panic!("{errors}"));
    let caps = Capabilities { local_db, ..Capabilities::default() };
    let loaded = Plugins::load(&runtime(caps), &policy).await;
    let loaded =
        loaded.map_err(|errors| errors.iter().flat_map(|error| policy.explain(error)).collect::<Vec<_>>().join("\n"));
    (path.display().to_string(), loaded)
}

#[tokio::test]
async fn loads_only_where_local_db_is_granted_and_asks_it() {
    let locals = vec![
        customer(Some("K-1"), "Anna", "Nowak"),
        customer(Some("K-2"), "Jan", "Kowalski"),
        customer(Some("K-3"), "Piotr", "nowak"),
    ];
    let locals: Arc<dyn LocalDb> = Arc::new(InMemoryCustomers::new(locals));

    let (policy, refused) = load("[]", locals.clone()).await;
    let refused = refused.err().expect("refused without the grant");
    for expected in [
        format!("{policy}:3:10: slots.web-merge-rules.grants: cannot load plugin "),
        "it imports the `local-db` capability (`pos:plugin/local-db@0.2.0`), which the slot does not grant".into(),
        "add \"local-db\" to the slot's `grants`".into(),
    ] {
        assert!(refused.contains(&expected), "{expected:?} in {refused}");
    }

    let (_, granted) = load("[\"local-db\"]", locals.clone()).await;
    let plugins = granted.unwrap_or_else(|errors| panic!("{errors}"));
    let web = web_customer("W-1", None, "Anna", "Nowak");
    let decided = plugins.merge.candidates(&*locals, &web).await;
    assert_eq!(decided.source, Source::Plugin("same-last-name-js".into()));
    let found: Vec<(String, Vec<MatchReason>, u8)> =
        decided.value.unwrap().into_iter().map(|c| (c.customer.number.unwrap(), c.reasons, c.score)).collect();
    let same = |number: &str| (number.to_owned(), vec![MatchReason::SameLastName], 60);
    assert_eq!(found, [same("K-1"), same("K-3")]);

    let (_, gone) = load("[\"local-db\"]", Arc::new(GoneLocalDb)).await;
    let decided = gone.unwrap_or_else(|errors| panic!("{errors}")).merge.candidates(&GoneLocalDb, &web).await;
    assert_eq!(decided.source, Source::Plugin("same-last-name-js".into()), "the plugin answered with the error");
    assert_eq!(decided.value, Err(DbError::Unavailable("the disk is gone".into())));
}
