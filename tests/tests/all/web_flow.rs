//! Seed 2, action by action: the web shop flow against the simulator's web shop over
//! loopback, with the default merge rules plugin, checking the web and local records and
//! both lists afterwards, and what every fault leaves behind.

use crate::customer;
use async_trait::async_trait;
use pos_host::bindings::merge::MatchReason;
use pos_host::bindings::ui::Choice;
use pos_host::bindings::{Customer, Notice, Origin};
use pos_host::caps::{Capabilities, Operator};
use pos_host::erp::{ErpClient, ErpConfig};
use pos_host::flows::local_changes;
use pos_host::flows::web::{Action, Outcome, WebFlow, WebFlowError};
use pos_host::policy::Policy;
use pos_host::store::Store;
use pos_host::store::web::WebEditState;
use pos_host::webshop::{WebshopClient, WebshopConfig, WebshopError};
use pos_host::{Plugins, Runtime};
use pos_tests::sim::{self, AdminCustomer, Fault, FaultMode, SimConfig, Simulator, WebCustomer, WebCustomerFields};
use pos_tests::{artifacts, shared_cache};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An operator who gives the scripted answers in turn, and remembers what was asked.
#[derive(Default)]
struct Scripted {
    answers: Mutex<VecDeque<&'static str>>,
    asked: Mutex<Vec<String>>,
}

impl Scripted {
    fn answer(&self, answers: &[&'static str]) {
        self.answers.lock().unwrap().extend(answers);
    }

    fn asked(&self) -> Vec<String> {
        std::mem::take(&mut self.asked.lock().unwrap())
    }
}

#[async_trait]
impl Operator for Scripted {
    async fn notify(&self, _notice: &Notice) {}

    async fn confirm(&self, notice: &Notice, _choices: &[Choice]) -> Option<String> {
        self.asked.lock().unwrap().push(notice.message.key.clone());
        self.answers.lock().unwrap().pop_front().map(String::from)
    }
}

struct Harness {
    sim: Simulator,
    store: Store,
    flow: WebFlow,
    operator: Arc<Scripted>,
    _dir: tempfile::TempDir,
}

/// The local customers every test starts with.
fn locals() -> Vec<Customer> {
    vec![
        Customer { email: Some("anna.kowalska@example.pl".into()), ..customer(Some("K-1"), "Anna", "Kowalska") },
        customer(Some("K-2"), "Jan", "van der Berg"),
        customer(Some("K-3"), "Piotr", "Nowak"),
    ]
}

fn person(first: &str, last: &str) -> WebCustomerFields {
    WebCustomerFields {
        first_name: first.into(),
        last_name: last.into(),
        email: Some(format!("{}@example.com", first.to_lowercase())),
        city: Some("Kraków".into()),
        ..WebCustomerFields::default()
    }
}

impl Harness {
    async fn new() -> Harness {
        let sim = sim::start(SimConfig::new(0, 1)).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pos.sqlite")).unwrap();
        for customer in locals() {
            store.save(customer).await.unwrap();
        }
        let operator = Arc::new(Scripted::default());
        let caps =
            Capabilities { local_db: Arc::new(store.clone()), operator: operator.clone(), ..Capabilities::default() };
        let runtime = Runtime::new(caps, Some(shared_cache())).unwrap();
        let policy = Policy::parse(
            Path::new("test.toml"),
            &format!(
                "[slots.web-merge-rules]\nplugin = {:?}\ngrants = [\"local-db\"]\n\
                 [slots.notification-texts]\nplugin = {:?}\n",
                artifacts::WEB_MERGE_RULES,
                artifacts::NOTIFICATION_TEXTS
            ),
        )
        .unwrap();
        let plugins = Arc::new(Plugins::load(&runtime, &policy).await.map_err(|e| format!("{e:?}")).unwrap());
        let webshop = WebshopClient::new(WebshopConfig {
            url: sim.webshop_url(),
            workstation: "POS-01".into(),
            timeout: Duration::from_secs(2),
        })
        .unwrap();
        let flow = WebFlow {
            store: store.clone(),
            webshop,
            plugins,
            operator: operator.clone(),
            workstation: "POS-01".into(),
            erp: Some(Arc::new(
                ErpClient::new(ErpConfig {
                    url: sim.erp_url(),
                    workstation: "POS-01".into(),
                    timeout: Duration::from_secs(2),
                })
                .unwrap(),
            )),
        };
        Harness { sim, store, flow, operator, _dir: dir }
    }

    /// Registers `fields` on the web and reads the feed: the web customer is on the list.
    async fn listed(&self, fields: WebCustomerFields) -> WebCustomer {
        let web = self.sim.register_web_customer(fields).await.unwrap();
        let list = self.flow.check().await.unwrap();
        assert!(list.entries.iter().any(|e| e.customer.web_id.as_deref() == Some(web.id.as_str())));
        web
    }

    async fn open_ids(&self) -> Vec<String> {
        let list = self.flow.check().await.unwrap();
        assert!(list.refreshed.is_ok(), "{:?}", list.refreshed);
        list.entries.into_iter().map(|e| e.customer.web_id.unwrap()).collect()
    }

    async fn web(&self, id: &str) -> Option<WebCustomer> {
        self.sim.web_customer(id).await.unwrap()
    }

    async fn local(&self, number: &str) -> Customer {
        self.store.customer(number).await.unwrap().unwrap()
    }

    async fn webshop_fault(&self, mode: FaultMode) {
        self.sim.set_webshop_fault(Fault::new(mode)).await.unwrap();
    }

    /// The local customers, every field, to compare before and after.
    async fn all_local(&self) -> Vec<Customer> {
        self.store.all().await.unwrap()
    }
}

#[tokio::test]
async fn check_lists_new_and_changed_registrations_once() {
    let h = Harness::new().await;
    let first = h.sim.register_web_customer(person("Ewa", "Zielińska")).await.unwrap();
    let second = h.sim.register_web_customer(person("Tomasz", "Wróbel")).await.unwrap();
    assert_eq!(h.open_ids().await, [first.id.clone(), second.id.clone()]);
    // Reading again lists nothing new; the list still shows both.
    let again = h.flow.check().await.unwrap();
    assert_eq!(again.refreshed.as_ref().unwrap().opened, 0);
    assert_eq!(again.entries.len(), 2);
    // A change on the web shows the new version.
    let edited = h
        .sim
        .edit_web_customer(
            &first.id,
            WebCustomerFields { phone: Some("+48 600 100 200".into()), ..person("Ewa", "Zielińska") },
        )
        .await
        .unwrap();
    let list = h.flow.check().await.unwrap();
    let entry = list.entries.iter().find(|e| e.customer.web_id.as_deref() == Some(first.id.as_str())).unwrap();
    assert_eq!(entry.customer.version, edited.version as u64);
    assert_eq!(entry.customer.phone.as_deref(), Some("+48 600 100 200"));
}

#[tokio::test]
async fn candidates_come_with_their_reasons_and_the_operators_search() {
    let h = Harness::new().await;
    let web = h
        .listed(WebCustomerFields { email: Some("anna.kowalska@example.pl".into()), ..person("Anna", "Kowalska") })
        .await;
    let found = h.flow.candidates(&web.id, Some("Nowak")).await.unwrap();
    assert_eq!(found.decided_by, "web_merge_rules");
    assert_eq!(found.candidates[0].customer.number.as_deref(), Some("K-1"));
    assert!(!found.candidates[0].reasons.is_empty());
    assert_eq!(found.search.iter().map(|c| c.number.clone().unwrap()).collect::<Vec<_>>(), ["K-3"]);
    let err = h.flow.candidates("W-999999", None).await.unwrap_err();
    assert!(matches!(err, WebFlowError::NotListed(_)), "{err}");
}

/// Registered on the web without umlauts, "Jürgen Müller" of the local customers is offered.
#[tokio::test]
async fn a_registration_spelled_without_umlauts_finds_the_local_customer_with_them() {
    let h = Harness::new().await;
    h.store.save(customer(Some("K-4"), "Jürgen", "Müller")).await.unwrap();
    let web = h.listed(person("Juergen", "Mueller")).await;
    let found = h.flow.candidates(&web.id, None).await.unwrap();
    let offered: Vec<(&str, &[MatchReason])> =
        found.candidates.iter().map(|c| (c.customer.number.as_deref().unwrap(), c.reasons.as_slice())).collect();
    assert_eq!(offered, [("K-4", &[MatchReason::SameLastName, MatchReason::SameFirstName][..])]);
}

#[tokio::test]
async fn take_over_local_with_the_same_last_name_links_both_without_asking() {
    let h = Harness::new().await;
    let web = h.listed(person("Anna", "KOWALSKA")).await;
    let decision = h.flow.take_over_local(&web.id, "K-1").await.unwrap();
    assert_eq!(decision.outcome, Outcome::Applied);
    assert!(h.operator.asked().is_empty(), "the last names are the same once folded: no warning");
    let on_web = h.web(&web.id).await.unwrap();
    assert_eq!(on_web.customer_number.as_deref(), Some("K-1"));
    assert_eq!(on_web.last_name, "Kowalska", "the web takes over the local info");
    assert_eq!(on_web.email.as_deref(), Some("anna.kowalska@example.pl"));
    let local = h.local("K-1").await;
    assert_eq!(local.web_id.as_deref(), Some(web.id.as_str()));
    assert_eq!(local.last_name, "Kowalska");
    assert!(h.open_ids().await.is_empty(), "taken over, and the host's own write does not reopen it");
    let audit = h.flow.audit_trail(1).await.unwrap().remove(0);
    assert_eq!((audit.action.as_str(), audit.outcome.as_str()), ("take-over-local", "applied"));
    assert_eq!((audit.web_id.as_deref(), audit.number.as_deref()), (Some(web.id.as_str()), Some("K-1")));
    assert_eq!(audit.plugin, "web_merge_rules");
    assert_eq!(audit.plugin_version.as_ref().map(String::len), Some(64), "the plugin's SHA-256");
    assert_eq!(audit.workstation, "POS-01");
    assert!(audit.before.is_some() && audit.after.is_some());
}

#[tokio::test]
async fn take_over_local_with_another_last_name_warns_and_cancel_changes_nothing() {
    let h = Harness::new().await;
    let web = h.listed(person("Anna", "Nowak-Kowalska")).await;
    let locals_before = h.all_local().await;
    h.operator.answer(&["cancel"]);
    let decision = h.flow.take_over_local(&web.id, "K-1").await.unwrap();
    assert_eq!(decision.outcome, Outcome::Cancelled);
    assert_eq!(h.operator.asked(), ["existing-customer-overwritten"]);
    assert_eq!(h.web(&web.id).await.unwrap(), web, "the web customer is untouched");
    assert_eq!(h.all_local().await, locals_before);
    assert_eq!(h.open_ids().await, [web.id.as_str()], "still on the list");
    assert_eq!(h.flow.audit_trail(1).await.unwrap()[0].outcome, "cancelled");
    assert!(h.sim.webshop_received_writes().await.unwrap().is_empty());
}

#[tokio::test]
async fn take_over_local_with_another_last_name_continued_overwrites_the_web_last_name() {
    let h = Harness::new().await;
    let web = h.listed(person("Anna", "Nowak-Kowalska")).await;
    h.operator.answer(&["continue"]);
    let decision = h.flow.take_over_local(&web.id, "K-1").await.unwrap();
    assert_eq!(decision.outcome, Outcome::Applied);
    assert_eq!(h.operator.asked(), ["existing-customer-overwritten"]);
    let on_web = h.web(&web.id).await.unwrap();
    assert_eq!((on_web.customer_number.as_deref(), on_web.last_name.as_str()), (Some("K-1"), "Kowalska"));
    assert_eq!(h.local("K-1").await.web_id.as_deref(), Some(web.id.as_str()));
    assert!(h.open_ids().await.is_empty());
}

#[tokio::test]
async fn a_dismissed_warning_is_a_cancel() {
    let h = Harness::new().await;
    let web = h.listed(person("Jan", "Berg")).await;
    // No scripted answer: the operator closes the dialog.
    let decision = h.flow.take_over_local(&web.id, "K-2").await.unwrap();
    assert_eq!(decision.outcome, Outcome::Cancelled);
    assert_eq!(h.web(&web.id).await.unwrap(), web);
}

#[tokio::test]
async fn take_over_web_adds_a_linked_local_customer_and_numbers_the_web_customer() {
    let h = Harness::new().await;
    let web = h.listed(WebCustomerFields { phone: Some("+31 6 1234 5678".into()), ..person("Sanne", "de Jong") }).await;
    let decision = h.flow.take_over_web(&web.id).await.unwrap();
    let number = decision.number.clone().unwrap();
    assert_eq!(number, "POS-01-000001");
    let local = h.local(&number).await;
    assert_eq!((local.first_name.as_str(), local.last_name.as_str()), ("Sanne", "de Jong"));
    assert_eq!((local.web_id.as_deref(), local.origin), (Some(web.id.as_str()), Origin::Web));
    assert_eq!(local.phone.as_deref(), Some("+31 6 1234 5678"));
    let on_web = h.web(&web.id).await.unwrap();
    assert_eq!(on_web.customer_number.as_deref(), Some(number.as_str()));
    assert_eq!(on_web.last_name, "de Jong");
    let queued = h.store.read(pos_host::store::outbox::next).await.unwrap().unwrap();
    assert_eq!(queued.number, number, "the new customer is queued for the ERP");
    assert!(h.open_ids().await.is_empty());
}

#[tokio::test]
async fn discard_asks_first_and_deletes_the_web_customer() {
    let h = Harness::new().await;
    let web = h.listed(person("Spam", "Bot")).await;
    h.operator.answer(&["cancel"]);
    assert_eq!(h.flow.discard(&web.id).await.unwrap().outcome, Outcome::Cancelled);
    assert_eq!(h.operator.asked(), ["confirm-discard-web-customer"]);
    assert!(h.web(&web.id).await.is_some());
    assert_eq!(h.open_ids().await, [web.id.as_str()]);

    h.operator.answer(&["discard"]);
    let decision = h.flow.discard(&web.id).await.unwrap();
    assert_eq!((decision.action, decision.outcome), (Action::Discard, Outcome::Applied));
    assert!(h.web(&web.id).await.is_none(), "deleted on the web");
    assert!(h.open_ids().await.is_empty(), "and its tombstone does not bring it back");
    assert_eq!(h.all_local().await.len(), 3);
}

#[tokio::test]
async fn ignore_leaves_the_web_alone_until_the_customer_changes_again() {
    let h = Harness::new().await;
    let web = h.listed(person("Piotr", "Nowak")).await;
    let decision = h.flow.ignore(&web.id).await.unwrap();
    assert_eq!(decision.outcome, Outcome::Applied);
    assert_eq!(h.web(&web.id).await.unwrap(), web, "nothing changes on the web");
    assert!(h.open_ids().await.is_empty());
    assert!(h.open_ids().await.is_empty(), "reading the feed again does not bring it back");
    let entry = h.store.read({
        let id = web.id.clone();
        move |conn| pos_host::store::web::web_edit(conn, &id)
    });
    assert_eq!(entry.await.unwrap().unwrap().state, WebEditState::Ignored);

    h.sim
        .edit_web_customer(&web.id, WebCustomerFields { city: Some("Gdańsk".into()), ..person("Piotr", "Nowak") })
        .await
        .unwrap();
    assert_eq!(h.open_ids().await, [web.id.as_str()], "it changed again: back on the list");
}

/// Links web customer `fields` to local customer K-1 through "take over local info".
async fn linked(h: &Harness, fields: WebCustomerFields) -> WebCustomer {
    let web = h.listed(fields).await;
    h.flow.take_over_local(&web.id, "K-1").await.unwrap();
    h.web(&web.id).await.unwrap()
}

#[tokio::test]
async fn a_local_edit_of_a_linked_customer_enters_the_local_edit_list_and_push_sends_it() {
    let h = Harness::new().await;
    let web = linked(&h, person("Anna", "Kowalska")).await;
    assert!(h.flow.local_edits().await.unwrap().is_empty(), "linking alone is not a local edit");

    let mut edited = h.local("K-1").await;
    edited.phone = Some("+48 12 000 11 22".into());
    local_changes::edit(&h.store, edited).await.unwrap();
    // An edit of a customer that is not linked stays off the list.
    let mut other = h.local("K-3").await;
    other.city = Some("Łódź".into());
    local_changes::edit(&h.store, other).await.unwrap();

    let views = h.flow.local_edits().await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].edit.customer.number.as_deref(), Some("K-1"));
    assert_eq!(views[0].web.as_ref().unwrap().as_ref().unwrap().phone, web.phone, "the web side, as it is");

    let decision = h.flow.push("K-1").await.unwrap();
    assert_eq!((decision.action, decision.outcome), (Action::Push, Outcome::Applied));
    let on_web = h.web(&web.id).await.unwrap();
    assert_eq!(on_web.phone.as_deref(), Some("+48 12 000 11 22"));
    assert_eq!(on_web.customer_number.as_deref(), Some("K-1"));
    assert!(h.flow.local_edits().await.unwrap().is_empty());
    assert!(h.open_ids().await.is_empty(), "the push is the host's own write: not a web edit");
}

#[tokio::test]
async fn drop_removes_a_local_edit_without_touching_the_web() {
    let h = Harness::new().await;
    let web = linked(&h, person("Anna", "Kowalska")).await;
    let mut edited = h.local("K-1").await;
    edited.street = Some("ul. Nowa 1".into());
    local_changes::edit(&h.store, edited).await.unwrap();
    assert_eq!(h.flow.local_edits().await.unwrap().len(), 1);
    let decision = h.flow.drop_local_edit("K-1").await.unwrap();
    assert_eq!((decision.action, decision.outcome), (Action::DropLocalEdit, Outcome::Applied));
    assert!(h.flow.local_edits().await.unwrap().is_empty());
    assert_eq!(h.web(&web.id).await.unwrap(), web);
    assert_eq!(h.local("K-1").await.street.as_deref(), Some("ul. Nowa 1"), "the local edit stays");
    let err = h.flow.push("K-1").await.unwrap_err();
    assert!(matches!(err, WebFlowError::NotOnLocalEditList(_)), "{err}");
}

#[tokio::test]
async fn a_web_customer_changed_after_listing_is_not_overwritten() {
    let h = Harness::new().await;
    let web = h.listed(person("Anna", "Nowak-Kowalska")).await;
    // The customer changes their registration while the operator decides.
    let changed = h
        .sim
        .edit_web_customer(
            &web.id,
            WebCustomerFields { phone: Some("+48 500 500 500".into()), ..person("Anna", "Nowak-Kowalska") },
        )
        .await
        .unwrap();
    let locals_before = h.all_local().await;
    h.operator.answer(&["continue"]);
    let err = h.flow.take_over_local(&web.id, "K-1").await.unwrap_err();
    let WebFlowError::Changed { current: Some(current), .. } = &err else { panic!("{err}") };
    assert_eq!(current.version, changed.version as u64);
    assert!(err.to_string().contains("changed on the web shop after it was listed"), "{err}");
    assert_eq!(h.web(&web.id).await.unwrap(), changed, "the customer's own change stands");
    assert_eq!(h.all_local().await, locals_before);
    assert_eq!(h.flow.audit_trail(1).await.unwrap()[0].outcome, "changed");
    // The list now shows the current version; deciding again on it succeeds.
    let list = h.flow.check().await.unwrap();
    assert_eq!(list.entries[0].customer.version, changed.version as u64);
    h.operator.answer(&["continue"]);
    h.flow.take_over_local(&web.id, "K-1").await.unwrap();
    let on_web = h.web(&web.id).await.unwrap();
    assert_eq!((on_web.customer_number.as_deref(), on_web.last_name.as_str()), (Some("K-1"), "Kowalska"));
    assert!(on_web.version > changed.version);
}

#[tokio::test]
async fn a_push_over_a_web_change_is_refused_until_the_operator_has_seen_it() {
    let h = Harness::new().await;
    let web = linked(&h, person("Anna", "Kowalska")).await;
    let mut edited = h.local("K-1").await;
    edited.phone = Some("+48 12 000 11 22".into());
    local_changes::edit(&h.store, edited).await.unwrap();
    h.flow.local_edits().await.unwrap();
    let fields = WebCustomerFields {
        customer_number: Some("K-1".into()),
        email: Some("new@example.pl".into()),
        ..person("Anna", "Kowalska")
    };
    let changed = h.sim.edit_web_customer(&web.id, fields).await.unwrap();
    let err = h.flow.push("K-1").await.unwrap_err();
    assert!(matches!(err, WebFlowError::Changed { .. }), "{err}");
    assert_eq!(h.web(&web.id).await.unwrap(), changed);
    // Shown again, the push goes ahead.
    h.flow.local_edits().await.unwrap();
    h.flow.push("K-1").await.unwrap();
    assert_eq!(h.web(&web.id).await.unwrap().phone.as_deref(), Some("+48 12 000 11 22"));
}

/// Every fault leaves the web record, the local customers and both lists as they were, with
/// a message that says so; the same command succeeds once the web shop is back.
#[tokio::test]
async fn web_shop_faults_lose_nothing_and_a_retry_succeeds() {
    for mode in [FaultMode::Down, FaultMode::Error { status: 500 }, FaultMode::Refuse] {
        let h = Harness::new().await;
        let web = h.listed(person("Anna", "Kowalska")).await;
        let locals_before = h.all_local().await;
        h.webshop_fault(mode.clone()).await;
        let err = h.flow.take_over_local(&web.id, "K-1").await.unwrap_err();
        assert!(matches!(err, WebFlowError::Webshop(WebshopError::Unavailable(_))), "{mode:?}: {err}");
        assert!(err.to_string().contains("Nothing was changed here"), "{err}");
        // Reading the list while the web shop is down shows the stored list.
        let list = h.flow.check().await.unwrap();
        assert!(list.refreshed.is_err(), "{mode:?}");
        assert_eq!(list.entries.len(), 1);
        h.webshop_fault(FaultMode::None).await;
        assert_eq!(h.web(&web.id).await.unwrap(), web, "{mode:?}");
        assert_eq!(h.all_local().await, locals_before, "{mode:?}");

        let decision = h.flow.take_over_local(&web.id, "K-1").await.unwrap();
        assert_eq!(decision.outcome, Outcome::Applied, "{mode:?}");
        assert_eq!(h.web(&web.id).await.unwrap().customer_number.as_deref(), Some("K-1"));
        assert_eq!(h.local("K-1").await.web_id.as_deref(), Some(web.id.as_str()));
    }
}

#[tokio::test]
async fn a_connection_dropped_mid_update_is_completed_once_by_the_retry() {
    let h = Harness::new().await;
    let web = h.listed(person("Sanne", "de Jong")).await;
    h.webshop_fault(FaultMode::Drop).await;
    let err = h.flow.take_over_web(&web.id).await.unwrap_err();
    assert!(matches!(err, WebFlowError::Unanswered(_)), "{err}");
    assert!(err.to_string().contains("will be sent again"), "{err}");
    // The web shop did assign the number, but the answer was lost: nothing local yet.
    assert_eq!(h.all_local().await.len(), 3);
    assert_eq!(h.open_ids_without_reading().await, [web.id.as_str()]);
    h.webshop_fault(FaultMode::None).await;

    let decision = h.flow.take_over_web(&web.id).await.unwrap();
    assert!(decision.resumed);
    let number = decision.number.unwrap();
    assert_eq!(number, "POS-01-000001", "the number assigned before the first attempt");
    assert_eq!(h.web(&web.id).await.unwrap().customer_number.as_deref(), Some(number.as_str()));
    assert_eq!(h.local(&number).await.web_id.as_deref(), Some(web.id.as_str()));
    let writes = h.sim.webshop_received_writes().await.unwrap();
    assert_eq!(writes.len(), 2, "sent twice");
    assert_eq!(writes[0].idempotency_key, writes[1].idempotency_key, "with the same key: carried out once");
    assert!(h.open_ids().await.is_empty());
}

impl Harness {
    async fn open_ids_without_reading(&self) -> Vec<String> {
        let entries = self.store.read(|conn| pos_host::store::web::open_web_edits(conn, 100)).await.unwrap();
        entries.into_iter().map(|e| e.customer.web_id.unwrap()).collect()
    }
}

#[tokio::test]
async fn a_registration_deleted_on_the_web_leaves_the_list() {
    let h = Harness::new().await;
    let web = h.listed(person("Ewa", "Zielińska")).await;
    h.sim.delete_web_customer(&web.id).await.unwrap();
    let err = h.flow.take_over_web(&web.id).await.unwrap_err();
    assert!(matches!(err, WebFlowError::Gone(_)), "{err}");
    assert!(h.open_ids().await.is_empty());
    assert_eq!(h.all_local().await.len(), 3);
}

#[tokio::test]
async fn an_expired_cursor_reads_the_feed_again_without_reopening_decisions() {
    let h = Harness::new().await;
    let taken = h.listed(person("Anna", "Kowalska")).await;
    h.flow.take_over_local(&taken.id, "K-1").await.unwrap();
    let open = h.sim.register_web_customer(person("Tomasz", "Wróbel")).await.unwrap();
    h.sim.expire_webshop_cursors().await.unwrap();
    let list = h.flow.check().await.unwrap();
    assert!(list.refreshed.as_ref().unwrap().restarted);
    let ids: Vec<String> = list.entries.into_iter().map(|e| e.customer.web_id.unwrap()).collect();
    assert_eq!(ids, [open.id]);
}

#[tokio::test]
async fn a_web_customer_relinked_to_another_local_customer_leaves_the_first() {
    let h = Harness::new().await;
    let web = linked(&h, person("Anna", "Kowalska")).await;
    // The customer changes on the web; the operator now decides it is K-3 after all.
    let fields = WebCustomerFields { customer_number: Some("K-1".into()), ..person("Piotr", "Nowak") };
    h.sim.edit_web_customer(&web.id, fields).await.unwrap();
    assert_eq!(h.open_ids().await, [web.id.as_str()]);
    h.flow.take_over_local(&web.id, "K-3").await.unwrap();
    assert_eq!(h.local("K-1").await.web_id, None);
    assert_eq!(h.local("K-3").await.web_id.as_deref(), Some(web.id.as_str()));
    assert_eq!(h.web(&web.id).await.unwrap().customer_number.as_deref(), Some("K-3"));
}

/// A registration the store cannot take (a name that shows nothing, text that reads
/// reversed) is left out with its reason; the registrations after it are still listed.
#[tokio::test]
async fn a_registration_that_cannot_be_stored_is_left_out_and_the_rest_listed() {
    let h = Harness::new().await;
    let blank = h.sim.register_web_customer(person("Ghost", "\u{200b}\u{feff}")).await.unwrap();
    let reversed = h.sim.register_web_customer(person("Anna", "\u{202e}akswolaK")).await.unwrap();
    let fine = h.sim.register_web_customer(person("Ewa", "Zielińska")).await.unwrap();
    let list = h.flow.check().await.unwrap();
    let refreshed = list.refreshed.expect("the feed was read to its end");
    let refused: Vec<(&str, &str)> = refreshed.refused.iter().map(|r| (r.web_id.as_str(), r.reason.as_str())).collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(refused[0].0, blank.id);
    assert!(refused[0].1.contains("has no last name"), "{}", refused[0].1);
    assert_eq!(refused[1].0, reversed.id);
    assert!(refused[1].1.contains("U+202E"), "{}", refused[1].1);
    let ids: Vec<String> = list.entries.into_iter().map(|e| e.customer.web_id.unwrap()).collect();
    assert_eq!(ids, [fine.id], "only the registration that can be stored is listed");
}

/// What a refused "take over internet info" must leave: the local customers, the outbox,
/// the web customer and the list as they were, and an audit entry with the record kept.
async fn nothing_changed(h: &Harness, web: &WebCustomer, locals_before: &[Customer]) {
    assert_eq!(h.all_local().await, locals_before, "no local customer was created or overwritten");
    assert!(h.store.read(pos_host::store::outbox::next).await.unwrap().is_none(), "nothing queued for the ERP");
    assert_eq!(h.web(&web.id).await.unwrap(), *web, "the web customer is as it was");
    assert_eq!(h.open_ids().await, [web.id.as_str()], "and still on the list to decide");
}

#[tokio::test]
async fn a_registration_carrying_a_local_customers_number_never_overwrites_it() {
    let h = Harness::new().await;
    let locals_before = h.all_local().await;
    let web = h.listed(WebCustomerFields { customer_number: Some("K-1".into()), ..person("Mallory", "Evil") }).await;
    let error = h.flow.take_over_web(&web.id).await.unwrap_err();
    assert!(matches!(&error, WebFlowError::NumberTaken { number, .. } if number == "K-1"), "{error}");
    assert!(error.to_string().contains("local customer Anna Kowalska"), "{error}");
    assert!(error.to_string().contains("take over local info"), "{error}");
    nothing_changed(&h, &web, &locals_before).await;
    let audit = h.flow.audit_trail(1).await.unwrap().remove(0);
    assert_eq!((audit.action.as_str(), audit.outcome.as_str()), ("take-over-web", "refused"));
    let kept = &audit.before.unwrap()["local"];
    assert_eq!((kept["number"].as_str(), kept["last_name"].as_str()), (Some("K-1"), Some("Kowalska")));

    // The operator's way for the same person: take over local info, with its warning.
    h.operator.answer(&["cancel"]);
    let decision = h.flow.take_over_local(&web.id, "K-1").await.unwrap();
    assert_eq!(decision.outcome, Outcome::Cancelled);
    assert_eq!(h.operator.asked(), ["existing-customer-overwritten"]);
}

#[tokio::test]
async fn a_registration_carrying_an_erp_customers_number_is_refused_and_nothing_sent() {
    let h = Harness::new().await;
    h.sim.upsert_customer(AdminCustomer::new("K-0005559", "Jan", "Wiśniewski")).await.unwrap();
    let locals_before = h.all_local().await;
    let web =
        h.listed(WebCustomerFields { customer_number: Some("K-0005559".into()), ..person("Mallory", "Evil") }).await;
    let error = h.flow.take_over_web(&web.id).await.unwrap_err();
    assert!(error.to_string().contains("ERP customer Jan Wiśniewski"), "{error}");
    nothing_changed(&h, &web, &locals_before).await;
    assert!(h.sim.received_writes().await.unwrap().is_empty(), "the ERP received no create");

    h.sim.set_fault(Fault::new(FaultMode::Down)).await.unwrap();
    let error = h.flow.take_over_web(&web.id).await.unwrap_err();
    assert!(matches!(error, WebFlowError::NumberUnverified { .. }), "{error}");
    nothing_changed(&h, &web, &locals_before).await;
}

#[tokio::test]
async fn a_registration_with_a_local_customers_tax_id_or_email_is_confirmed_first() {
    let h = Harness::new().await;
    let locals_before = h.all_local().await;
    let fields = WebCustomerFields {
        email: Some("ANNA.kowalska@example.pl".into()),
        tax_id: Some("PL 123-456-78-90".into()),
        ..person("Anna", "Nowak")
    };
    h.store.save(Customer { tax_id: Some("1234567890".into()), ..customer(Some("K-8"), "Anna", "Lis") }).await.unwrap();
    let locals_before = [locals_before, vec![h.local("K-8").await]].concat();
    let web = h.listed(fields).await;
    h.operator.answer(&["continue", "cancel"]);
    assert_eq!(h.flow.take_over_web(&web.id).await.unwrap().outcome, Outcome::Cancelled);
    assert_eq!(h.operator.asked(), ["confirm-new-customer-same-tax-id", "confirm-new-customer-same-email"]);
    let mut all = h.all_local().await;
    all.sort_by(|a, b| a.number.cmp(&b.number));
    let mut before = locals_before.clone();
    before.sort_by(|a, b| a.number.cmp(&b.number));
    assert_eq!(all, before, "cancelled: nothing changed");

    h.operator.answer(&["continue", "continue"]);
    let decision = h.flow.take_over_web(&web.id).await.unwrap();
    assert_eq!(decision.outcome, Outcome::Applied);
    assert_eq!(decision.number.as_deref(), Some("POS-01-000001"), "a new customer, with a new number");
    assert_eq!(h.local("K-1").await, locals_before[0], "the customer with the same e-mail is untouched");
}
