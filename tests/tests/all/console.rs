//! The operator console in headless Chromium, driven through the seed scenarios against a
//! real host (its HTTP API on loopback) and the simulator. A failing test leaves a
//! screenshot in `target/console-screenshots/<test>.png`.

use crate::customer;
use pos_host::bindings::Customer;
use pos_host::flows::local_changes::CustomerChanges;
use pos_tests::served::{self, ServedHost};
use pos_tests::sim::{AdminCustomer, Fault, FaultMode, WebCustomer, WebCustomerFields};
use pos_tests::webdriver::{Browser, keys};
use std::time::{Duration, Instant};

const NO_RESULTS_EN: &str = "No search results. Do you want to continue searching also in the ERP system?";
const NO_RESULTS_NL: &str = "Geen zoekresultaten. Wilt u ook verder zoeken in het ERP-systeem?";
const NO_RESULTS_PL: &str = "Brak wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?";
const NO_EXACT_EN: &str = "No exact search results. Do you want to continue searching also in the ERP system?";
const FAILED_EN: &str = "Failed to search in the ERP system. Connection with data service not established.";
const TOO_MANY_EN: &str =
    "A considerable number of results have been found in the ERP system. Enter additional data and search again.";
const NONE_EN: &str = "No search results found in ERP system";
const RETRIEVE_EN: &str = "Unable to retrieve the customer. Connection with the data service not established";
const NOT_PREVIEWABLE_EN: &str = "The ERP system does not allow previewing this customer's form.";
const WAITING_EN: &str = "Searching for customers in the ERP system…";
const OVERWRITTEN_EN: &str = "The existing customer will be overwritten: the last name on the web (Nowak-Kowalska) \
                              differs from the local last name (Kowalska). Continuing overwrites the web last name \
                              with the local one.";

/// How long the console may take to show what a step did.
const SHOWN: Duration = Duration::from_secs(10);

mod keyboard;
mod layout;

/// A host serving the API and the console, the simulator behind it, and a browser on it.
/// The browser is declared first so that it is dropped (and takes its failure screenshot)
/// while everything else still runs.
struct Console {
    browser: Browser,
    served: ServedHost,
}

impl std::ops::Deref for Console {
    type Target = ServedHost;

    fn deref(&self) -> &ServedHost {
        &self.served
    }
}

impl Console {
    /// A POS with `local` customers and an ERP with `erp` customers, and the console open.
    async fn start(local: Vec<Customer>, erp: Vec<AdminCustomer>) -> Console {
        let (browser, served) = tokio::join!(
            async { Browser::start().await.expect("headless Chromium starts") },
            served::serve(local, erp, Duration::from_secs(30), None)
        );
        let console = Console { browser, served };
        console.browser.goto(&format!("{}/", console.url)).await.unwrap();
        console.browser.wait_for("body[data-ready=true]", SHOWN).await.unwrap();
        console
    }

    /// How many screens the search screen has shown so far.
    async fn screens_shown(&self) -> String {
        self.browser.find("#screen-search").await.unwrap().attribute("data-shown").await.unwrap().unwrap_or_default()
    }

    /// Waits until the search screen shows a screen after the `before`th.
    async fn next_screen(&self, before: &str) {
        self.browser
            .wait_until("the next search screen", SHOWN, || async {
                let shown = self.screens_shown().await;
                let busy = self.browser.find("#search-form").await?.attribute("data-busy").await?;
                Ok((shown != before && busy.as_deref() != Some("true")).then_some(()))
            })
            .await
            .unwrap();
    }

    /// Types `phrase` into the phrase box and presses Enter: a local search.
    async fn search(&self, phrase: &str) {
        let before = self.screens_shown().await;
        let input = self.browser.find("#search-phrase").await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(&format!("{phrase}{}", keys::ENTER)).await.unwrap();
        self.next_screen(&before).await;
    }

    /// Presses [Search] and waits for the ERP's screen.
    async fn press_search(&self) {
        let before = self.screens_shown().await;
        self.browser.find("#search-erp").await.unwrap().click().await.unwrap();
        self.next_screen(&before).await;
    }

    /// The notice bar's text, `None` when it is hidden.
    async fn notice(&self) -> Option<String> {
        let bar = self.browser.find("#search-notice").await.unwrap();
        match bar.is_displayed().await.unwrap() {
            true => Some(self.browser.find("#search-notice-text").await.unwrap().text().await.unwrap()),
            false => None,
        }
    }

    /// Waits until the notice bar reads `text`, as after a locale switch.
    async fn notice_becomes(&self, text: &str) {
        self.browser
            .wait_until(&format!("the notice {text:?}"), SHOWN, || async {
                Ok((self.notice().await.as_deref() == Some(text)).then_some(()))
            })
            .await
            .unwrap();
    }

    /// The [Search] button: `hidden`, `available` or `suggested`.
    async fn search_button(&self) -> String {
        let button = self.browser.find("#search-erp").await.unwrap();
        let state = button.attribute("data-state").await.unwrap().unwrap_or_default();
        assert_eq!(button.is_displayed().await.unwrap(), state != "hidden", "[Search] is shown unless hidden");
        state
    }

    /// The numbers on the result list, and which list it is.
    async fn results(&self) -> (String, Vec<String>) {
        let list = self.browser.find("#results-title").await.unwrap().attribute("data-list").await.unwrap().unwrap();
        let mut numbers = Vec::new();
        for row in self.browser.find_all("[data-testid=result-row]").await.unwrap() {
            numbers.push(row.attribute("data-number").await.unwrap().unwrap());
        }
        (list, numbers)
    }

    /// The origin badges of the result list, as the operator reads them.
    async fn badges(&self) -> Vec<String> {
        let mut badges = Vec::new();
        for badge in self.browser.find_all("[data-testid=result-row] [data-testid=origin-badge]").await.unwrap() {
            badges.push(badge.text().await.unwrap());
        }
        badges
    }

    async fn fault(&self, mode: FaultMode) {
        self.sim.set_fault(Fault::new(mode)).await.unwrap();
    }

    /// Opens a screen by its tab.
    async fn tab(&self, tab: &str) {
        self.browser.find(&format!("#tab-{tab}")).await.unwrap().click().await.unwrap();
        self.browser.wait_for(&format!("#screen-{tab}"), SHOWN).await.unwrap();
    }

    /// Chooses a locale in the header.
    async fn locale(&self, locale: &str) {
        self.browser.find(&format!("#locale option[value={locale}]")).await.unwrap().click().await.unwrap();
        self.browser
            .wait_until(&format!("the locale {locale}"), SHOWN, || async {
                let lang = self.browser.execute("return document.documentElement.lang", vec![]).await?;
                Ok((lang.as_str() == Some(locale)).then_some(()))
            })
            .await
            .unwrap();
    }

    /// Registers a web customer on the web shop, as a shopper does.
    async fn register(&self, fields: WebCustomerFields) -> WebCustomer {
        self.sim.register_web_customer(fields).await.unwrap()
    }

    async fn text(&self, selector: &str) -> String {
        self.browser.find(selector).await.unwrap().text().await.unwrap()
    }
}

/// `n` local customers named Kowalski, `L-0001`...
fn local_kowalskis(n: usize) -> Vec<Customer> {
    (1..=n).map(|i| customer(Some(&format!("L-{i:04}")), &format!("Adam{i}"), "Kowalski")).collect()
}

/// The list stops at 100: its title counts the rows, and a cut list says so above them, in
/// the operator's locale.
#[tokio::test]
async fn a_cut_list_says_how_many_are_shown_and_that_more_match() {
    let console = Console::start(local_kowalskis(101), vec![]).await;
    console.search("Kowalski").await;
    assert_eq!(console.results().await.1.len(), 100);
    assert_eq!(console.text("#results-title").await, "Local results (100)");
    let more = console.browser.find("#results-more").await.unwrap();
    assert!(more.is_displayed().await.unwrap());
    assert_eq!(more.text().await.unwrap(), "The first 100 are shown; more customers match: narrow the search.");
    console.locale("pl").await;
    assert_eq!(console.text("#results-title").await, "Wyniki lokalne (100)");
    assert_eq!(
        console.text("#results-more").await,
        "Pokazano pierwszych 100; pasuje więcej klientów: zawęź wyszukiwanie."
    );
    console.search("Adam1").await;
    assert!(!console.browser.find("#results-more").await.unwrap().is_displayed().await.unwrap());
}

/// `n` ERP customers named Nowak, `E-0001`...
fn erp_nowaks(n: usize) -> Vec<AdminCustomer> {
    (1..=n).map(|i| AdminCustomer::new(&format!("E-{i:04}"), &format!("Jan{i}"), "Nowak")).collect()
}

#[tokio::test]
async fn the_search_screen_shows_each_seed_text() {
    let console = Console::start(local_kowalskis(9), erp_nowaks(7)).await;

    // Nothing locally: the notice, with the active (suggested) button [Search].
    console.search("Wiśniewski").await;
    assert_eq!(console.notice().await.as_deref(), Some(NO_RESULTS_EN));
    assert_eq!(console.search_button().await, "suggested");
    assert_eq!(console.results().await, ("local".into(), vec![]));
    let severity = console.browser.find("#search-notice").await.unwrap().attribute("data-severity").await.unwrap();
    assert!(severity.is_some(), "the notice shows its severity");

    // Nine results, more than the policy's six: no notice, [Search] stays available.
    console.search("Kowalski").await;
    assert_eq!(console.results().await.1.len(), 9);
    assert_eq!(console.notice().await, None);
    assert_eq!(console.search_button().await, "available");

    // Changed criteria with up to six results.
    console.search("Kowalski Adam1").await;
    assert_eq!(console.results().await, ("local".into(), vec!["L-0001".to_owned()]));
    assert_eq!(console.notice().await.as_deref(), Some(NO_EXACT_EN));
    assert_eq!(console.search_button().await, "suggested");

    // [Search]: nobody of that name in the ERP.
    console.press_search().await;
    assert_eq!(console.notice().await.as_deref(), Some(NONE_EN));

    // More than six in the ERP: the local results stay.
    console.search("Nowak").await;
    assert_eq!(console.notice().await.as_deref(), Some(NO_RESULTS_EN));
    console.press_search().await;
    assert_eq!(console.notice().await.as_deref(), Some(TOO_MANY_EN));
    assert_eq!(console.results().await, ("local".into(), vec![]));

    // No connection with the data service: the local results stay.
    console.search("Kowalski").await;
    console.fault(FaultMode::Refuse).await;
    console.press_search().await;
    assert_eq!(console.notice().await.as_deref(), Some(FAILED_EN));
    assert_eq!(console.results().await.1.len(), 9);
}

#[tokio::test]
async fn search_shows_erp_results_that_open_as_the_erp_allows() {
    let mut erp = erp_nowaks(3);
    erp[2].fields.previewable = Some(false);
    erp[2].fields.editable = Some(false);
    let console = Console::start(vec![customer(Some("L-0100"), "Piotr", "Nowak")], erp).await;
    console.search("Nowak").await;
    assert_eq!(console.results().await, ("local".into(), vec!["L-0100".to_owned()]));
    assert_eq!(console.badges().await, ["Local"]);

    console.press_search().await;
    assert_eq!(console.results().await, ("erp".into(), vec!["E-0001".into(), "E-0002".into(), "E-0003".into()]));
    assert_eq!(console.badges().await, ["ERP", "ERP", "ERP"]);
    assert_eq!(console.text("#results-title").await, "ERP results (3)");
    assert_eq!(console.notice().await, None);
    assert!(console.host.customer("E-0001").await.unwrap().is_none(), "ERP results are not saved locally");

    // The ERP's flags: E-0003 may be neither previewed nor edited.
    let preview = console.browser.find("#preview-E-0003").await.unwrap();
    let edit = console.browser.find("#edit-E-0003").await.unwrap();
    assert!(!preview.is_enabled().await.unwrap() && !edit.is_enabled().await.unwrap());
    // Preview shows the form read-only, and saves the customer locally.
    console.browser.find("#preview-E-0002").await.unwrap().click().await.unwrap();
    console.browser.wait_text("#customer-panel-title", SHOWN, |t| t == "Customer form (preview)").await.unwrap();
    let last_name = console.browser.find("#customer-field-last_name").await.unwrap();
    assert_eq!(last_name.property("value").await.unwrap(), "Nowak");
    assert_eq!(last_name.attribute("readonly").await.unwrap().as_deref(), Some("true"));
    assert!(!console.browser.find("#customer-save").await.unwrap().is_displayed().await.unwrap());
    assert!(console.host.customer("E-0002").await.unwrap().is_some(), "previewed: saved locally");

    // Edit: an empty last name is refused next to the field; a new city is saved.
    console.browser.find("#edit-E-0001").await.unwrap().click().await.unwrap();
    console.browser.wait_text("#customer-panel-title", SHOWN, |t| t == "Edit customer").await.unwrap();
    console.browser.find("#customer-field-last_name").await.unwrap().clear().await.unwrap();
    console.browser.find("#customer-save").await.unwrap().click().await.unwrap();
    let error = console.browser.wait_for("[data-testid=field-error][data-field=last_name]", SHOWN).await.unwrap();
    assert!(!error.text().await.unwrap().is_empty());
    console.browser.find("#customer-field-last_name").await.unwrap().send_keys("Nowak").await.unwrap();
    let city = console.browser.find("#customer-field-city").await.unwrap();
    city.clear().await.unwrap();
    city.send_keys("Gdańsk").await.unwrap();
    console.browser.find("#customer-save").await.unwrap().click().await.unwrap();
    console
        .browser
        .wait_text("#customer-message", SHOWN, |t| t == "Saved; the change is queued for the ERP system.")
        .await
        .unwrap();
    assert_eq!(console.host.customer("E-0001").await.unwrap().unwrap().city.as_deref(), Some("Gdańsk"));

    // The server's refusal shows as the screen's notice (the button of a form the ERP does
    // not allow is disabled; the host's answer is the same when asked anyway).
    console.browser.execute("document.getElementById('preview-E-0003').disabled = false", vec![]).await.unwrap();
    let before = console.screens_shown().await;
    console.browser.find("#preview-E-0003").await.unwrap().click().await.unwrap();
    console.next_screen(&before).await;
    assert_eq!(console.notice().await.as_deref(), Some(NOT_PREVIEWABLE_EN));

    // The connection lost while selecting: the ERP list is cleared.
    console.fault(FaultMode::Refuse).await;
    let before = console.screens_shown().await;
    console.browser.find("#select-E-0003").await.unwrap().click().await.unwrap();
    console.next_screen(&before).await;
    assert_eq!(console.notice().await.as_deref(), Some(RETRIEVE_EN));
    assert_eq!(console.results().await, ("local".into(), vec!["L-0100".to_owned()]));
}

#[tokio::test]
async fn a_slow_erp_search_is_cancelled_from_the_waiting_window() {
    let console = Console::start(local_kowalskis(2), erp_nowaks(2)).await;
    console.search("Adam").await;
    console.search("Kowalski").await;
    assert_eq!(console.notice().await.as_deref(), Some(NO_EXACT_EN));
    console.fault(FaultMode::Slow { delay_ms: 20_000 }).await;
    let pressed = Instant::now();
    console.browser.find("#search-erp").await.unwrap().click().await.unwrap();
    let dialog = console.browser.wait_for("#waiting-dialog", SHOWN).await.unwrap();
    assert!(pressed.elapsed() >= Duration::from_millis(600), "not before the policy's 700 ms");
    assert_eq!(dialog.attribute("role").await.unwrap().as_deref(), Some("dialog"));
    assert_eq!(console.text("#waiting-text").await, WAITING_EN);

    let before = console.screens_shown().await;
    console.browser.find("#waiting-cancel").await.unwrap().click().await.unwrap();
    console.next_screen(&before).await;
    console.browser.wait_gone("#waiting-dialog", SHOWN).await.unwrap();
    assert!(pressed.elapsed() < Duration::from_secs(8), "cancel stops the search promptly: {:?}", pressed.elapsed());
    assert_eq!(console.results().await, ("local".into(), vec!["L-0001".into(), "L-0002".into()]));
    assert_eq!(console.badges().await, ["Local", "Local"]);
    // The question stays, and so does [Search] to answer it again.
    assert_eq!(console.notice().await.as_deref(), Some(NO_EXACT_EN));
    assert_eq!(console.search_button().await, "suggested");
}

/// A registration with just a name; the tests add what they need.
fn named(first: &str, last: &str) -> WebCustomerFields {
    WebCustomerFields { first_name: first.into(), last_name: last.into(), ..WebCustomerFields::default() }
}

/// The local customers of the web shop tests.
fn web_locals() -> Vec<Customer> {
    vec![
        Customer { email: Some("anna.kowalska@example.pl".into()), ..customer(Some("K-1"), "Anna", "Kowalska") },
        customer(Some("K-2"), "Jan", "van der Berg"),
        customer(Some("K-3"), "Piotr", "Nowak"),
    ]
}

#[tokio::test]
async fn take_over_local_info_warns_about_the_last_name_cancel_then_continue() {
    let console = Console::start(web_locals(), vec![]).await;
    let web = console
        .register(WebCustomerFields {
            email: Some("anna@example.com".into()),
            city: Some("Kraków".into()),
            ..named("Anna", "Nowak-Kowalska")
        })
        .await;
    let entry = format!("[data-testid=web-entry][data-web-id='{}']", web.id);
    let local_before = console.host.store().all().await.unwrap();

    console.tab("web").await;
    console.browser.wait_for(&entry, SHOWN).await.unwrap().click().await.unwrap();
    let k1 = "[data-testid=candidate][data-group=proposed][data-number='K-1']";
    console.browser.wait_for(k1, SHOWN).await.unwrap().click().await.unwrap();
    let reasons = console.text(&format!("{k1} [data-testid=candidate-reasons]")).await;
    assert!(!reasons.is_empty(), "the candidate says why it is proposed");

    // The warning, cancelled: nothing changes on the web or here.
    console.browser.find("#take-over-local").await.unwrap().click().await.unwrap();
    console.browser.wait_text("#prompt-text", SHOWN, |t| t == OVERWRITTEN_EN).await.unwrap();
    let choices = console.browser.find_all("[data-testid=prompt-choice]").await.unwrap();
    let mut labels = Vec::new();
    for choice in &choices {
        labels.push(choice.text().await.unwrap());
    }
    assert_eq!(labels, ["Cancel", "Continue"]);
    console.browser.find("[data-testid=prompt-choice][data-choice=cancel]").await.unwrap().click().await.unwrap();
    console.browser.wait_text("#web-outcome-text", SHOWN, |t| t == "Cancelled: nothing was changed.").await.unwrap();
    console.browser.wait_gone("#prompt-dialog", SHOWN).await.unwrap();
    assert_eq!(console.sim.web_customer(&web.id).await.unwrap().as_ref(), Some(&web), "the web customer is untouched");
    assert_eq!(console.host.store().all().await.unwrap(), local_before, "the local customers are untouched");
    assert!(console.sim.webshop_received_writes().await.unwrap().is_empty());
    console.browser.wait_for(&entry, SHOWN).await.unwrap();

    // Again, continued: the web last name is overwritten and the numbers are linked.
    console.browser.wait_for(k1, SHOWN).await.unwrap().click().await.unwrap();
    console.browser.find("#take-over-local").await.unwrap().click().await.unwrap();
    console.browser.wait_text("#prompt-text", SHOWN, |t| t == OVERWRITTEN_EN).await.unwrap();
    console.browser.find("[data-testid=prompt-choice][data-choice=continue]").await.unwrap().click().await.unwrap();
    let applied = format!("Web customer {} took over local customer K-1", web.id);
    console.browser.wait_text("#web-outcome-text", SHOWN, |t| t == applied).await.unwrap();
    let on_web = console.sim.web_customer(&web.id).await.unwrap().unwrap();
    assert_eq!((on_web.customer_number.as_deref(), on_web.last_name.as_str()), (Some("K-1"), "Kowalska"));
    let local = console.host.customer("K-1").await.unwrap().unwrap();
    assert_eq!(local.web_id.as_deref(), Some(web.id.as_str()));
    console.browser.wait_gone(&entry, SHOWN).await.unwrap();
}

/// What a web decision left on the screen is said again in the new locale (the host renders
/// its summary again), and leaves with the web customer it was about.
#[tokio::test]
async fn web_outcomes_follow_the_locale_and_leave_with_their_customer() {
    let console = Console::start(web_locals(), vec![]).await;
    let anna = console
        .register(WebCustomerFields { email: Some("anna@example.com".into()), ..named("Anna", "Nowak-Kowalska") })
        .await;
    let ewa = console.register(named("Ewa", "Zielińska")).await;
    let entry = |id: &str| format!("[data-testid=web-entry][data-web-id='{id}']");
    let k1 = "[data-testid=candidate][data-group=proposed][data-number='K-1']";
    console.tab("web").await;
    console.browser.wait_text("#web-refresh", SHOWN, |t| t.starts_with("List read: 2 new or changed")).await.unwrap();

    // Cancelled, then the locale switched: the list's line and the outcome in Dutch.
    console.browser.wait_for(&entry(&anna.id), SHOWN).await.unwrap().click().await.unwrap();
    console.browser.wait_for(k1, SHOWN).await.unwrap().click().await.unwrap();
    console.browser.find("#take-over-local").await.unwrap().click().await.unwrap();
    console
        .browser
        .wait_for("[data-testid=prompt-choice][data-choice=cancel]", SHOWN)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    console.browser.wait_text("#web-outcome-text", SHOWN, |t| t == "Cancelled: nothing was changed.").await.unwrap();
    console.locale("nl").await;
    console
        .browser
        .wait_text("#web-outcome-text", SHOWN, |t| t == "Geannuleerd: er is niets gewijzigd.")
        .await
        .unwrap();
    console
        .browser
        .wait_text("#web-refresh", SHOWN, |t| t == "Lijst gelezen: 0 nieuw of gewijzigd, 0 verdwenen")
        .await
        .unwrap();

    // Applied in Dutch, then read in Polish: the host's summary, rendered again.
    console.browser.wait_for(k1, SHOWN).await.unwrap().click().await.unwrap();
    console.browser.find("#take-over-local").await.unwrap().click().await.unwrap();
    console
        .browser
        .wait_for("[data-testid=prompt-choice][data-choice=continue]", SHOWN)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let dutch = format!("Webklant {} heeft de gegevens van lokale klant K-1 overgenomen", anna.id);
    console.browser.wait_text("#web-outcome-text", SHOWN, |t| t == dutch).await.unwrap();
    console.locale("pl").await;
    let polish = format!("Klient internetowy {} przejął dane klienta lokalnego K-1", anna.id);
    console.browser.wait_text("#web-outcome-text", SHOWN, |t| t == polish).await.unwrap();

    // Another web customer selected: the outcome was about Anna, and goes.
    console.browser.wait_for(&entry(&ewa.id), SHOWN).await.unwrap().click().await.unwrap();
    console.browser.wait_gone("#web-outcome", SHOWN).await.unwrap();
}

/// Whether the first element matching `selector` lies wholly inside the visible part of the
/// scrolled list around it.
const IN_VIEW: &str = "const item = document.querySelector(arguments[0]); \
    if (!item) return null; \
    const list = item.closest('.pick-list'); \
    const a = item.getBoundingClientRect(), b = list.getBoundingClientRect(); \
    return a.top >= b.top - 1 && a.bottom <= b.bottom + 1;";

/// The candidates open at their best match for each web customer, and a search for another
/// local customer shows its results where the operator looks, not below 50 candidates.
#[tokio::test]
async fn the_candidates_open_at_the_best_match_and_show_the_search_in_view() {
    let mut locals: Vec<Customer> =
        (1..=60).map(|i| customer(Some(&format!("K-{i:04}")), &format!("Ola{i}"), "Kowalska")).collect();
    locals.push(customer(Some("K-0100"), "Piotr", "Nowak"));
    let console = Console::start(locals, vec![]).await;
    let register = |first: &str, number: &str| WebCustomerFields {
        customer_number: Some(number.into()),
        ..named(first, "Kowalska")
    };
    let ewa = console.register(register("Ewa", "K-0001")).await;
    let maria = console.register(register("Maria", "K-0002")).await;
    let entry = |id: &str| format!("[data-testid=web-entry][data-web-id='{id}']");
    let first_candidate = "[data-testid=candidate][data-group=proposed]";
    let in_view = |selector: &str| {
        let selector = selector.to_owned();
        let browser = &console.browser;
        async move { browser.execute(IN_VIEW, vec![selector.into()]).await.unwrap() }
    };
    console.tab("web").await;

    console.browser.wait_for(&entry(&ewa.id), SHOWN).await.unwrap().click().await.unwrap();
    console.browser.wait_for(first_candidate, SHOWN).await.unwrap();
    assert_eq!(console.browser.find_all(first_candidate).await.unwrap().len(), 50);
    let best = console.browser.find(first_candidate).await.unwrap();
    assert_eq!(best.attribute("data-number").await.unwrap().as_deref(), Some("K-0001"));
    // The operator scrolls down through the candidates, then picks the next web customer.
    console
        .browser
        .execute("const l = document.getElementById('candidates'); l.scrollTop = l.scrollHeight", vec![])
        .await
        .unwrap();
    assert_eq!(in_view(first_candidate).await, false, "scrolled away from the best match");
    console.browser.find(&entry(&maria.id)).await.unwrap().click().await.unwrap();
    let best = format!("{first_candidate}[data-number='K-0002']");
    console.browser.wait_for(&best, SHOWN).await.unwrap();
    assert_eq!(
        console.browser.find(first_candidate).await.unwrap().attribute("data-number").await.unwrap().as_deref(),
        Some("K-0002")
    );
    assert_eq!(in_view(&best).await, true, "the next web customer's best match is in view");

    // The search for another local customer: its result is in view, above the proposals.
    console
        .browser
        .execute("const l = document.getElementById('candidates'); l.scrollTop = l.scrollHeight", vec![])
        .await
        .unwrap();
    let input = console.browser.find("#candidate-search").await.unwrap();
    input.send_keys(&format!("Nowak{}", keys::ENTER)).await.unwrap();
    let found = "[data-testid=candidate][data-group=search][data-number='K-0100']";
    console.browser.wait_for(found, SHOWN).await.unwrap();
    assert_eq!(in_view(found).await, true, "the search result is in view");
}

/// "Check local customer edits": the operator sees, field by field, what "Take over local
/// info" sends to the web shop before pressing it: here the changed phone number.
#[tokio::test]
async fn a_local_edit_shows_what_take_over_local_info_sends() {
    let console = Console::start(web_locals(), vec![]).await;
    let jan = console
        .register(WebCustomerFields {
            phone: Some("+48 600 100 200".into()),
            city: Some("Lublin".into()),
            ..named("Jan", "Wiśniewski")
        })
        .await;
    let web = console.host.web().unwrap();
    web.refresh().await.unwrap();
    let number = web.take_over_web(&jan.id).await.unwrap().number.expect("a new local customer");
    let changes = CustomerChanges { phone: Some(Some("+48 600 999 999".into())), ..CustomerChanges::default() };
    console.host.edit_customer(&number, changes).await.unwrap();

    console.tab("local").await;
    let entry = format!("[data-testid=local-edit][data-number='{number}']");
    console.browser.wait_for(&entry, SHOWN).await.unwrap().click().await.unwrap();
    let phone = console.browser.wait_for("[data-testid=local-sends] tr[data-field=phone]", SHOWN).await.unwrap();
    assert_eq!(phone.attribute("data-changed").await.unwrap().as_deref(), Some("true"));
    assert_eq!(phone.text().await.unwrap(), "Phone +48 600 100 200 +48 600 999 999 changed");
    let city = console.browser.find("[data-testid=local-sends] tr[data-field=city]").await.unwrap();
    assert_eq!(city.attribute("data-changed").await.unwrap().as_deref(), Some("false"));
    assert_eq!(console.browser.find_all("[data-testid=local-sends] tr[data-changed=true]").await.unwrap().len(), 1);

    console.browser.find("#push-local").await.unwrap().click().await.unwrap();
    let sent = format!("Local customer {number} was sent to the web shop");
    console.browser.wait_text("#local-outcome-text", SHOWN, |t| t == sent).await.unwrap();
    let on_web = console.sim.web_customer(&jan.id).await.unwrap().unwrap();
    assert_eq!(on_web.phone.as_deref(), Some("+48 600 999 999"));
    console.browser.wait_gone(&entry, SHOWN).await.unwrap();
}

/// A registration that reuses a local customer's number is refused, and the operator reads
/// why and what to do in the chosen locale (the host sends the refusal's label with it).
#[tokio::test]
async fn a_registration_reusing_a_local_number_is_refused_in_the_operators_words() {
    let console = Console::start(web_locals(), vec![]).await;
    let fields = WebCustomerFields { customer_number: Some("K-1".into()), ..named("Mallory", "Evil") };
    let mallory = console.register(fields).await;
    console.locale("pl").await;
    console.tab("web").await;
    let entry = format!("[data-testid=web-entry][data-web-id='{}']", mallory.id);
    console.browser.wait_for(&entry, SHOWN).await.unwrap().click().await.unwrap();
    console.browser.wait_for("[data-testid=candidate]", SHOWN).await.unwrap();
    console.browser.find("#take-over-web").await.unwrap().click().await.unwrap();
    let polish = format!(
        "Klient internetowy {} ma numer klienta K-1, który należy do klienta lokalnego Anna Kowalska; nowy klient \
         nie może go otrzymać i nic nie zostało zmienione. Jeśli to ta sama osoba, wybierz K-1 i przejmij dane \
         lokalne; w przeciwnym razie odrzuć klienta internetowego lub usuń go z listy.",
        mallory.id
    );
    console.browser.wait_text("#web-outcome-text", SHOWN, |t| t == polish).await.unwrap();
    assert_eq!(console.host.customer("K-1").await.unwrap().unwrap().first_name, "Anna", "K-1 is untouched");
    console.locale("nl").await;
    let dutch = format!("Webklant {} heeft klantnummer K-1, dat van lokale klant Anna Kowalska is;", mallory.id);
    console.browser.wait_text("#web-outcome-text", SHOWN, |t| t.starts_with(&dutch)).await.unwrap();
}

#[tokio::test]
async fn the_locale_switch_shows_labels_and_notices_in_dutch_and_polish() {
    let console = Console::start(local_kowalskis(2), vec![]).await;
    console.search("Wiśniewski").await;
    assert_eq!(console.notice().await.as_deref(), Some(NO_RESULTS_EN));

    console.locale("nl").await;
    // The notice on the screen is rendered again in Dutch, without searching again.
    console.notice_becomes(NO_RESULTS_NL).await;
    assert_eq!(console.text("#tab-web").await, "Check webklanten");
    assert_eq!(console.text("#tab-local").await, "Check lokale klantedits");
    assert_eq!(console.text("#search-erp [data-label]").await, "Zoeken");
    console.search("Wiśniewski").await;
    assert_eq!(console.notice().await.as_deref(), Some(NO_RESULTS_NL));

    console.locale("pl").await;
    console.notice_becomes(NO_RESULTS_PL).await;
    assert_eq!(console.text("#tab-web").await, "Sprawdź klientów internetowych");
    console.search("Wiśniewski").await;
    assert_eq!(console.notice().await.as_deref(), Some(NO_RESULTS_PL));
    console.tab("web").await;
    assert_eq!(console.text("#take-over-local [data-label]").await, "Przejmij dane lokalne");
    assert_eq!(console.text("#take-over-web [data-label]").await, "Przejmij dane internetowe");

    console.locale("nl").await;
    assert_eq!(console.text("#take-over-local [data-label]").await, "Neem lokale info over");
    assert_eq!(console.text("#take-over-web [data-label]").await, "Neem internetinfo over");
    assert_eq!(console.text("#web-check").await, "Check webklanten");
}

#[tokio::test]
async fn the_context_menu_discards_or_removes_a_web_customer() {
    let console = Console::start(web_locals(), vec![]).await;
    let register = |first: &str, last: &str| WebCustomerFields {
        email: Some(format!("{}@example.com", first.to_lowercase())),
        ..named(first, last)
    };
    let ewa = console.register(register("Ewa", "Zielińska")).await;
    let tomasz = console.register(register("Tomasz", "Wróbel")).await;
    let entry = |id: &str| format!("[data-testid=web-entry][data-web-id='{id}']");
    console.tab("web").await;

    // Right-click opens the menu; Escape closes it.
    let first = console.browser.wait_for(&entry(&ewa.id), SHOWN).await.unwrap();
    console.browser.context_click(&first).await.unwrap();
    console.browser.wait_for("#web-menu", SHOWN).await.unwrap();
    assert_eq!(console.text("#menu-discard").await, "Discard web customer");
    assert_eq!(console.text("#menu-ignore").await, "Remove from web edit list");
    console.browser.press(keys::ESCAPE).await.unwrap();
    console.browser.wait_gone("#web-menu", SHOWN).await.unwrap();

    // [Remove from web edit list]: off the list, untouched on the web.
    console.browser.context_click(&first).await.unwrap();
    console.browser.wait_for("#menu-ignore", SHOWN).await.unwrap().click().await.unwrap();
    let removed =
        format!("Web customer {} was removed from the web edit list; it comes back when it changes again", ewa.id);
    console.browser.wait_text("#web-outcome-text", SHOWN, |t| t == removed).await.unwrap();
    console.browser.wait_gone(&entry(&ewa.id), SHOWN).await.unwrap();
    assert_eq!(console.sim.web_customer(&ewa.id).await.unwrap().as_ref(), Some(&ewa));

    // [Discard web customer] asks first; confirmed, the registration is deleted on the web.
    let second = console.browser.wait_for(&entry(&tomasz.id), SHOWN).await.unwrap();
    console.browser.context_click(&second).await.unwrap();
    console.browser.wait_for("#menu-discard", SHOWN).await.unwrap().click().await.unwrap();
    let question = format!("Discard web customer {} (Tomasz Wróbel)?", tomasz.id);
    console.browser.wait_text("#prompt-text", SHOWN, |t| t.starts_with(&question)).await.unwrap();
    console.browser.find("[data-testid=prompt-choice][data-choice=discard]").await.unwrap().click().await.unwrap();
    console
        .browser
        .wait_text("#web-outcome", SHOWN, |t| t.contains(&format!("Web customer {} (Tomasz Wróbel)", tomasz.id)))
        .await
        .unwrap();
    console.browser.wait_gone(&entry(&tomasz.id), SHOWN).await.unwrap();
    assert_eq!(console.sim.web_customer(&tomasz.id).await.unwrap(), None);
}

#[tokio::test]
async fn the_status_screen_shows_the_plugins_and_a_reload() {
    let console = Console::start(vec![], vec![]).await;
    console.search("Kowalski").await;
    console.tab("status").await;
    console.browser.wait_for("[data-testid=status-slot][data-slot=search-policy]", SHOWN).await.unwrap();
    let mut plugins = Vec::new();
    for slot in ["search-policy", "notification-texts", "web-merge-rules"] {
        let row = console.browser.find(&format!("[data-testid=status-slot][data-slot={slot}]")).await.unwrap();
        plugins.push(row.find("td:nth-child(2)").await.unwrap().text().await.unwrap());
    }
    assert_eq!(plugins, ["search_thresholds", "notification_texts", "web_merge_rules"]);
    console.browser.find("#reload").await.unwrap().click().await.unwrap();
    console.browser.wait_text("#reload-result", SHOWN, |t| t == "Reload: unchanged").await.unwrap();
    console.browser.wait_for("[data-testid=status-reload][data-outcome=unchanged]", SHOWN).await.unwrap();

    // A local change, sent to the ERP by [Synchronize]; the ERP never had the customer, so
    // it refuses it, and the change is parked rather than lost.
    console.host.create_customer(customer(None, "Ola", "Nowa")).await.unwrap();
    console.browser.find("#sync").await.unwrap().click().await.unwrap();
    console
        .browser
        .wait_text("#sync-result", SHOWN, |t| t.starts_with("Synchronized: 1 changes sent, 0 refused"))
        .await
        .unwrap();
}
