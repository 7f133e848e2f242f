//! The console from the keyboard alone, as at a till without a mouse: both seeds run with
//! key presses only, and the page counts every pointer event to prove it.

use super::{Console, NO_EXACT_EN, SHOWN, local_kowalskis, named, web_locals};
use pos_tests::sim::{FaultMode, WebCustomerFields};
use pos_tests::webdriver::keys;

/// Counts, in the page, every event a mouse or a touch would cause.
const COUNT_POINTER_EVENTS: &str = "window.pointerEvents = 0; \
    for (const type of ['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'contextmenu', 'wheel', 'touchstart']) \
      document.addEventListener(type, () => { window.pointerEvents += 1; }, true); \
    document.addEventListener('click', (event) => { if (event.detail > 0) window.pointerEvents += 1; }, true);";

impl Console {
    /// The id of the element with the focus (or its test id, or its tag).
    async fn focused(&self) -> String {
        let script = "const e = document.activeElement; \
            return e.id || e.dataset.testid && `[${e.dataset.testid}]` + (e.dataset.number || e.dataset.webId || '') || e.tagName;";
        self.browser.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the element with the focus is `expected` (as [`Console::focused`] names it).
    async fn focus_on(&self, expected: &str) {
        let seen = std::cell::RefCell::new(String::new());
        let found = self
            .browser
            .wait_until(&format!("the focus on {expected}"), SHOWN, || async {
                let focused = self.focused().await;
                let ok = focused == expected;
                *seen.borrow_mut() = focused;
                Ok(ok.then_some(()))
            })
            .await;
        if let Err(error) = found {
            panic!("{error}: the focus is on {}", seen.borrow());
        }
    }

    /// Presses `key` and waits for the search screen's next screen.
    async fn press_for_screen(&self, key: &str) {
        let before = self.screens_shown().await;
        self.browser.press(key).await.unwrap();
        self.next_screen(&before).await;
    }
}

#[tokio::test]
async fn both_seeds_run_from_the_keyboard_alone() {
    let mut locals = local_kowalskis(2);
    locals.extend(web_locals());
    let console = Console::start(locals, super::erp_nowaks(2)).await;
    console.browser.execute(COUNT_POINTER_EVENTS, vec![]).await.unwrap();
    let browser = &console.browser;

    // Seed 1: the phrase has the focus; Enter searches locally, then again with changed
    // criteria.
    console.focus_on("search-phrase").await;
    browser.type_text("Adam").await.unwrap();
    console.press_for_screen(keys::ENTER).await;
    browser.type_text(" Kowalski").await.unwrap();
    console.press_for_screen(keys::ENTER).await;
    assert_eq!(console.results().await.1, ["L-0001", "L-0002"]);
    assert_eq!(console.notice().await.as_deref(), Some(NO_EXACT_EN));
    // F3 is [Search], as its button shows; the waiting window takes the focus on [Cancel],
    // and Escape cancels.
    assert_eq!(console.text("#search-erp kbd").await, "F3");
    console.fault(FaultMode::Slow { delay_ms: 20_000 }).await;
    let before = console.screens_shown().await;
    browser.press(keys::F3).await.unwrap();
    browser.wait_for("#waiting-dialog", SHOWN).await.unwrap();
    console.focus_on("waiting-cancel").await;
    browser.press(keys::ESCAPE).await.unwrap();
    console.next_screen(&before).await;
    browser.wait_gone("#waiting-dialog", SHOWN).await.unwrap();
    assert_eq!(console.notice().await.as_deref(), Some(NO_EXACT_EN));
    console.focus_on("search-phrase").await;
    // Down into the list, down again, Enter selects; Escape closes the panel and gives the
    // focus back to the row.
    browser.press(keys::ARROW_DOWN).await.unwrap();
    console.focus_on("[result-row]L-0001").await;
    browser.press(keys::ARROW_DOWN).await.unwrap();
    console.focus_on("[result-row]L-0002").await;
    // The row the keyboard is on shows its keys on its buttons.
    let hint = browser.find("#select-L-0002 kbd").await.unwrap();
    assert!(hint.is_displayed().await.unwrap(), "Enter shows on [Select]");
    assert_eq!(console.text("#edit-L-0002 kbd").await, "E");
    assert!(!browser.find("#select-L-0001 kbd").await.unwrap().is_displayed().await.unwrap());
    browser.press(keys::ENTER).await.unwrap();
    browser.wait_text("#customer-panel-title", SHOWN, |t| t == "Selected customer").await.unwrap();
    let panel = browser.find("#customer-panel").await.unwrap();
    assert_eq!(panel.attribute("data-number").await.unwrap().as_deref(), Some("L-0002"));
    browser.press(keys::ESCAPE).await.unwrap();
    browser.wait_gone("#customer-panel", SHOWN).await.unwrap();
    console.focus_on("[result-row]L-0002").await;

    // Seed 2: Alt+2 opens "Check web customers" with the focus in its list; Down selects the
    // web customer, Right crosses to the local customers, Down picks the first proposed.
    let anna = console
        .register(WebCustomerFields {
            email: Some("anna.kowalska@example.pl".into()),
            ..named("Anna", "Nowak-Kowalska")
        })
        .await;
    browser.chord(keys::ALT, "2").await.unwrap();
    browser.wait_for("#screen-web", SHOWN).await.unwrap();
    let entry = format!("[data-testid=web-entry][data-web-id='{}']", anna.id);
    browser.wait_for(&entry, SHOWN).await.unwrap();
    console.focus_on("web-list").await;
    browser.press(keys::ARROW_DOWN).await.unwrap();
    console.focus_on(&format!("web-entry-{}", anna.id)).await;
    let k1 = "[data-testid=candidate][data-group=proposed][data-number='K-1']";
    browser.wait_for(k1, SHOWN).await.unwrap();
    browser.press(keys::ARROW_RIGHT).await.unwrap();
    console.focus_on("candidates").await;
    browser.press(keys::ARROW_DOWN).await.unwrap();
    console.focus_on("candidate-proposed-K-1").await;
    assert_eq!(browser.find(k1).await.unwrap().attribute("aria-selected").await.unwrap().as_deref(), Some("true"));
    // Alt+L is "Take over local info"; the warning takes the focus on [Cancel], Tab moves
    // to [Continue], Enter answers.
    assert_eq!(console.text("#take-over-local kbd").await, "Alt+L");
    browser.chord(keys::ALT, "l").await.unwrap();
    browser.wait_for("#prompt-dialog", SHOWN).await.unwrap();
    console.focus_on("prompt-choice-cancel").await;
    browser.press(keys::TAB).await.unwrap();
    console.focus_on("prompt-choice-continue").await;
    browser.press(keys::ENTER).await.unwrap();
    let applied = format!("Web customer {} took over local customer K-1", anna.id);
    browser.wait_text("#web-outcome-text", SHOWN, |t| t == applied).await.unwrap();
    assert_eq!(console.sim.web_customer(&anna.id).await.unwrap().unwrap().customer_number.as_deref(), Some("K-1"));

    let pointer = browser.execute("return window.pointerEvents", vec![]).await.unwrap();
    assert_eq!(pointer, 0, "no mouse event was needed");
}
