//! Seed 1, sentence by sentence: the search flow run against the simulator over loopback,
//! checking the exact text the operator reads, in English and in another locale.

use crate::customer;
use pos_host::bindings::search::{ResultList, RetrieveAction, SearchButton};
use pos_host::bindings::{Customer, SearchQuery};
use pos_host::caps::{Capabilities, Erp};
use pos_host::erp::{ErpClient, ErpConfig};
use pos_host::flows::search::{Screen, SearchFlow, SearchSession};
use pos_host::policy::Policy;
use pos_host::store::Store;
use pos_host::{Plugins, Runtime};
use pos_tests::sim::{self, AdminCustomer, Fault, FaultMode, SimConfig, Simulator};
use pos_tests::{artifacts, shared_cache};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const NO_RESULTS_EN: &str = "No search results. Do you want to continue searching also in the ERP system?";
const NO_RESULTS_PL: &str = "Brak wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?";
const NO_EXACT_EN: &str = "No exact search results. Do you want to continue searching also in the ERP system?";
const NO_EXACT_NL: &str = "Geen exacte zoekresultaten. Wilt u ook verder zoeken in het ERP-systeem?";
const FAILED_EN: &str = "Failed to search in the ERP system. Connection with data service not established.";
const FAILED_PL: &str = "Nie udało się wyszukać w systemie ERP. Nie nawiązano połączenia z usługą danych.";
const TOO_MANY_EN: &str =
    "A considerable number of results have been found in the ERP system. Enter additional data and search again.";
const TOO_MANY_NL: &str =
    "Er zijn veel resultaten gevonden in het ERP-systeem. Voer aanvullende gegevens in en zoek opnieuw.";
const NONE_EN: &str = "No search results found in ERP system";
const NONE_PL: &str = "Nie znaleziono wyników wyszukiwania w systemie ERP";
const RETRIEVE_EN: &str = "Unable to retrieve the customer. Connection with the data service not established";
const RETRIEVE_NL: &str = "Kan de klant niet ophalen. Er is geen verbinding met de dataservice";

struct Harness {
    sim: Simulator,
    store: Store,
    flow: SearchFlow,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// A POS with `local` customers, and an ERP (the simulator) with `erp` customers.
    async fn new(local: Vec<Customer>, erp: Vec<AdminCustomer>, locale: &str) -> Harness {
        let sim = sim::start(SimConfig::new(0, 1)).await.unwrap();
        for customer in erp {
            sim.upsert_customer(customer).await.unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pos.sqlite")).unwrap();
        for customer in local {
            store.save(customer).await.unwrap();
        }
        let client = ErpClient::new(ErpConfig {
            url: sim.erp_url(),
            workstation: "POS-01".into(),
            timeout: Duration::from_secs(2),
        })
        .unwrap();
        let erp: Arc<dyn Erp> = Arc::new(client);
        let caps = Capabilities { local_db: Arc::new(store.clone()), erp: erp.clone(), ..Capabilities::default() };
        let runtime = Runtime::new(caps, Some(shared_cache())).unwrap();
        let policy = Policy::parse(
            Path::new("test.toml"),
            &format!(
                "[slots.search-policy]\nplugin = {:?}\n[slots.notification-texts]\nplugin = {:?}\n",
                artifacts::SEARCH_THRESHOLDS,
                artifacts::NOTIFICATION_TEXTS
            ),
        )
        .unwrap();
        let plugins = Arc::new(Plugins::load(&runtime, &policy).await.map_err(|e| format!("{e:?}")).unwrap());
        let flow = SearchFlow { store: store.clone(), erp, plugins, locale: locale.into(), online_search: true };
        Harness { sim, store, flow, _dir: dir }
    }

    async fn fault(&self, mode: FaultMode) {
        self.sim.set_fault(Fault::new(mode)).await.unwrap();
    }
}

fn query(phrase: &str) -> SearchQuery {
    SearchQuery { phrase: phrase.into(), filters: Vec::new(), include_inactive: false }
}

fn text(screen: &Screen) -> Option<&str> {
    screen.notice.as_ref().map(|n| n.text.as_str())
}

fn numbers(screen: &Screen) -> Vec<&str> {
    screen.customers.iter().map(|c| c.number.as_deref().unwrap()).collect()
}

/// `n` ERP customers named Nowak.
fn erp_nowaks(n: usize) -> Vec<AdminCustomer> {
    (1..=n).map(|i| AdminCustomer::new(&format!("E-{i:04}"), &format!("Jan{i}"), "Nowak")).collect()
}

/// `n` local customers named Kowalski.
fn local_kowalskis(n: usize) -> Vec<Customer> {
    (1..=n).map(|i| customer(Some(&format!("L-{i:04}")), &format!("Adam{i}"), "Kowalski")).collect()
}

async fn search_erp(session: &mut SearchSession) -> Screen {
    session.search_erp(&CancellationToken::new(), || {}).await
}

#[tokio::test]
async fn online_search_active_lets_the_operator_press_search_after_any_local_search() {
    let h = Harness::new(local_kowalskis(9), vec![], "en").await;
    let mut session = h.flow.session();
    let screen = session.search(query("Kowalski")).await.unwrap();
    assert_eq!(
        (numbers(&screen).len(), screen.notice.clone(), screen.search_button),
        (9, None, SearchButton::Available)
    );
    // "The function of searching a customer in the online mode can be activated on the ERP
    // system's side."
    h.sim.set_online_search(false).await.unwrap();
    let screen = h.flow.session().search(query("Kowalski")).await.unwrap();
    assert_eq!(screen.search_button, SearchButton::Hidden);
    let screen = h.flow.session().search(query("nobody")).await.unwrap();
    assert_eq!((text(&screen), screen.search_button), (None, SearchButton::Hidden));
}

/// The local list stops at 100; the screen says whether more customers match, so that the
/// operator narrows the search instead of looking for a customer the list left out.
#[tokio::test]
async fn a_list_cut_at_one_hundred_says_so() {
    for (matching, shown, more) in [(100, 100, false), (101, 100, true)] {
        let h = Harness::new(local_kowalskis(matching), vec![], "en").await;
        let screen = h.flow.session().search(query("Kowalski")).await.unwrap();
        assert_eq!((screen.customers.len(), screen.more), (shown, more), "{matching} matching");
    }
}

#[tokio::test]
async fn no_local_results_offer_the_erp() {
    for (locale, expected) in [("en", NO_RESULTS_EN), ("pl", NO_RESULTS_PL)] {
        let h = Harness::new(local_kowalskis(2), vec![], locale).await;
        let screen = h.flow.session().search(query("Wiśniewski")).await.unwrap();
        assert_eq!(text(&screen), Some(expected));
        assert_eq!(screen.search_button, SearchButton::Suggested, "with the active button [Search]");
        assert!(screen.customers.is_empty());
    }
}

#[tokio::test]
async fn changed_criteria_with_up_to_six_results_offer_the_erp() {
    for (locale, expected) in [("en", NO_EXACT_EN), ("nl", NO_EXACT_NL)] {
        let h = Harness::new(local_kowalskis(9), vec![], locale).await;
        let mut session = h.flow.session();
        assert_eq!(text(&session.search(query("Kowalski")).await.unwrap()), None);
        let refined = session.search(query("Kowalski Adam1")).await.unwrap();
        assert_eq!(numbers(&refined), ["L-0001"]);
        assert_eq!(text(&refined), Some(expected));
        assert_eq!(refined.search_button, SearchButton::Suggested);
    }
}

#[tokio::test]
async fn search_without_a_connection_keeps_the_local_results() {
    for (locale, expected) in [("en", FAILED_EN), ("pl", FAILED_PL)] {
        for mode in [FaultMode::Refuse, FaultMode::Down, FaultMode::Drop, FaultMode::Malformed { body: None }] {
            let h = Harness::new(local_kowalskis(3), erp_nowaks(2), locale).await;
            let mut session = h.flow.session();
            session.search(query("Kowalski")).await.unwrap();
            h.fault(mode.clone()).await;
            let screen = search_erp(&mut session).await;
            assert_eq!(screen.list, ResultList::Local, "{mode:?}");
            assert_eq!(numbers(&screen), ["L-0001", "L-0002", "L-0003"], "{mode:?}");
            assert_eq!(text(&screen), Some(expected), "{mode:?}");
        }
    }
}

#[tokio::test]
async fn up_to_six_erp_results_are_shown() {
    let h = Harness::new(vec![], erp_nowaks(6), "en").await;
    let mut session = h.flow.session();
    assert_eq!(text(&session.search(query("Nowak")).await.unwrap()), Some(NO_RESULTS_EN));
    let screen = search_erp(&mut session).await;
    assert_eq!(screen.list, ResultList::Erp);
    assert_eq!(numbers(&screen), ["E-0001", "E-0002", "E-0003", "E-0004", "E-0005", "E-0006"]);
    assert_eq!(text(&screen), None);
}

#[tokio::test]
async fn more_than_six_erp_results_keep_the_local_list() {
    for (locale, expected) in [("en", TOO_MANY_EN), ("nl", TOO_MANY_NL)] {
        let mut local = local_kowalskis(1);
        local.push(customer(Some("L-0100"), "Piotr", "Nowak"));
        let h = Harness::new(local, erp_nowaks(7), locale).await;
        let mut session = h.flow.session();
        session.search(query("Nowak")).await.unwrap();
        let screen = search_erp(&mut session).await;
        assert_eq!((screen.list, numbers(&screen)), (ResultList::Local, vec!["L-0100"]));
        assert_eq!(text(&screen), Some(expected));
    }
}

#[tokio::test]
async fn no_erp_results_are_reported() {
    for (locale, expected) in [("en", NONE_EN), ("pl", NONE_PL)] {
        let h = Harness::new(vec![], erp_nowaks(3), locale).await;
        let mut session = h.flow.session();
        session.search(query("Zielińska")).await.unwrap();
        let screen = search_erp(&mut session).await;
        assert_eq!(text(&screen), Some(expected));
        assert!(screen.customers.is_empty());
    }
}

#[tokio::test]
async fn the_erp_search_uses_the_same_phrase_and_filters() {
    let mut erp = erp_nowaks(3);
    erp[1].fields.city = Some("Gdańsk".into());
    let h = Harness::new(vec![], erp, "en").await;
    let mut session = h.flow.session();
    let filters = vec![pos_host::bindings::Filter { field: pos_host::bindings::Field::City, value: "gdansk".into() }];
    session.search(SearchQuery { filters, ..query("nowak") }).await.unwrap();
    assert_eq!(numbers(&search_erp(&mut session).await), ["E-0002"]);
}

#[tokio::test]
async fn erp_results_are_saved_only_when_selected_edited_or_previewed() {
    let h = Harness::new(vec![], erp_nowaks(3), "en").await;
    let mut session = h.flow.session();
    session.search(query("Nowak")).await.unwrap();
    assert_eq!(search_erp(&mut session).await.list, ResultList::Erp);
    assert_eq!(h.store.count().await.unwrap(), 0, "ERP results are not saved by the POS database");
    for (number, action) in
        [("E-0001", RetrieveAction::Select), ("E-0002", RetrieveAction::Edit), ("E-0003", RetrieveAction::Preview)]
    {
        let opened = session.open(number, action).await.unwrap().expect("retrieved");
        assert_eq!(opened.customer.number.as_deref(), Some(number));
        let saved = h.store.customer(number).await.unwrap().expect("saved locally");
        assert_eq!(saved.origin, pos_host::bindings::Origin::Erp);
    }
    assert_eq!(h.store.count().await.unwrap(), 3);
}

#[tokio::test]
async fn the_erp_decides_whether_a_form_may_be_previewed_or_edited() {
    let mut erp = erp_nowaks(2);
    erp[0].fields.previewable = Some(false);
    erp[0].fields.editable = Some(false);
    let h = Harness::new(vec![], erp, "en").await;
    let mut session = h.flow.session();
    session.search(query("Nowak")).await.unwrap();
    search_erp(&mut session).await;
    let refused = session.open("E-0001", RetrieveAction::Preview).await.unwrap().expect_err("not previewable");
    assert_eq!(text(&refused), Some("The ERP system does not allow previewing this customer's form."));
    let refused = session.open("E-0001", RetrieveAction::Edit).await.unwrap().expect_err("not editable");
    assert_eq!(text(&refused), Some("The ERP system does not allow editing this customer's form."));
    assert!(h.store.customer("E-0001").await.unwrap().is_none());
    let selected = session.open("E-0001", RetrieveAction::Select).await.unwrap().expect("selectable");
    assert!(!selected.editable);
    let opened = session.open("E-0002", RetrieveAction::Edit).await.unwrap().expect("editable");
    assert!(opened.editable);
}

#[tokio::test]
async fn connection_lost_while_opening_clears_the_erp_list() {
    for (locale, expected) in [("en", RETRIEVE_EN), ("nl", RETRIEVE_NL)] {
        for action in [RetrieveAction::Select, RetrieveAction::Edit, RetrieveAction::Preview] {
            let h = Harness::new(local_kowalskis(1), erp_nowaks(3), locale).await;
            let mut session = h.flow.session();
            session.search(query("Nowak")).await.unwrap();
            assert_eq!(search_erp(&mut session).await.list, ResultList::Erp);
            h.fault(FaultMode::Refuse).await;
            let screen = session.open("E-0002", action).await.unwrap().expect_err("connection lost");
            assert_eq!(text(&screen), Some(expected));
            assert_eq!(screen.list, ResultList::Local, "the list of results from the ERP system is cleared");
            assert!(h.store.customer("E-0002").await.unwrap().is_none());
        }
    }
}

/// Cancelling in the waiting window leaves the screen as the local search left it: the
/// list, the notice that asked whether to search the ERP, and [Search] to ask again.
#[tokio::test]
async fn a_slow_erp_search_shows_the_waiting_window_and_can_be_cancelled() {
    let h = Harness::new(local_kowalskis(2), erp_nowaks(2), "en").await;
    let mut session = h.flow.session();
    session.search(query("Adam")).await.unwrap();
    let local = session.search(query("Kowalski")).await.unwrap();
    assert_eq!(text(&local), Some(NO_EXACT_EN));
    h.fault(FaultMode::Slow { delay_ms: 5_000 }).await;
    let cancel = CancellationToken::new();
    let started = Instant::now();
    let waiting_shown = std::cell::Cell::new(None);
    // The operator presses [Cancel] as soon as the waiting window shows.
    let screen = session
        .search_erp(&cancel, || {
            waiting_shown.set(Some(started.elapsed()));
            cancel.cancel();
        })
        .await;
    let shown_after = waiting_shown.get().expect("the waiting window was shown");
    assert!(shown_after >= Duration::from_millis(700), "not before the 700 ms threshold: {shown_after:?}");
    assert!(started.elapsed() < Duration::from_millis(4_000), "cancel stops the search promptly");
    assert_eq!((screen.list, numbers(&screen)), (ResultList::Local, vec!["L-0001", "L-0002"]));
    assert_eq!(text(&screen), Some(NO_EXACT_EN));
    assert_eq!(screen.search_button, local.search_button);
}

#[tokio::test]
async fn a_quick_erp_search_shows_no_waiting_window() {
    let h = Harness::new(vec![], erp_nowaks(2), "en").await;
    let mut session = h.flow.session();
    session.search(query("Nowak")).await.unwrap();
    let mut shown = false;
    session.search_erp(&CancellationToken::new(), || shown = true).await;
    assert!(!shown);
}
