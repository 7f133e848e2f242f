//! The console at the widths tills have, and to assistive technology: every screen, in the
//! states that stretch it (a cut list of long names, the customer panel open, 50 candidates
//! and a search beside them, the comparison of a local edit, a long reload failure, a
//! question), at 1024, 1280 and 1920 px wide, measured in the page: nothing may spill over
//! its pane, scroll sideways, leave the screen or lie over something else; and axe-core, run
//! in the page, finds no serious or critical violation. A 800x600 customer-facing screen
//! shows at least the search and the first results. The screenshots of every state and
//! width are left in `target/console-screenshots/layout/`.

use super::{Console, SHOWN, web_locals};
use pos_host::bindings::Customer;
use pos_host::flows::local_changes::CustomerChanges;
use pos_tests::customer;
use pos_tests::sim::WebCustomerFields;
use pos_tests::webdriver::screenshot_dir;
use serde_json::Value;

/// Runs in the page; returns what is wrong with the layout as sentences, none when it holds.
///
/// Only the top layer is measured: an open dialog or menu, else the page. An element counts
/// as shown when it has a box and is not clipped away by a scrolled ancestor; the parts of it
/// that such an ancestor clips are not counted either.
const LAYOUT_PROBLEMS: &str = r#"
const problems = [];
const name = (e) => {
  let s = e.tagName.toLowerCase();
  if (e.id) s += '#' + e.id;
  else if (e.dataset && e.dataset.testid) s += `[data-testid=${e.dataset.testid}]`;
  else if (typeof e.className === 'string' && e.className.trim()) s += '.' + e.className.trim().split(/\s+/).join('.');
  const owner = e.id ? null : e.parentElement && e.parentElement.closest('[id]');
  const text = (e.innerText || e.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return (owner ? `#${owner.id} ` : '') + s + (text ? ` "${text}"` : '');
};
const displayed = (e) => {
  const style = getComputedStyle(e);
  if (style.display === 'none' || style.visibility === 'hidden') return false;
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
/** The part of `e` not clipped by an ancestor that scrolls or hides its overflow. */
const visible = (e) => {
  const r = e.getBoundingClientRect();
  let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
  for (let p = e.parentElement; p && p !== document.documentElement; p = p.parentElement) {
    const style = getComputedStyle(p);
    if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
    const c = p.getBoundingClientRect();
    left = Math.max(left, c.left); top = Math.max(top, c.top);
    right = Math.min(right, c.right); bottom = Math.min(bottom, c.bottom);
  }
  return right - left > 1 && bottom - top > 1 ? { left, top, right, bottom } : null;
};
const layers = [...document.querySelectorAll('.dialog, .context-menu')].filter((d) => !d.hidden && displayed(d));
const root = layers.length ? layers[layers.length - 1] : document.body;
const width = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth > width + 1) {
  problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
}
const all = [root, ...root.querySelectorAll('*')].filter(displayed);
for (const e of all) {
  if (['INPUT', 'SELECT', 'TEXTAREA', 'OPTION'].includes(e.tagName) || e.clientWidth === 0) continue;
  if (e.closest('.visually-hidden')) continue;
  if (getComputedStyle(e).textOverflow === 'ellipsis') continue;
  if (e.scrollWidth > e.clientWidth + 1) {
    problems.push(`${name(e)} holds ${e.scrollWidth}px in ${e.clientWidth}px: it spills over or scrolls sideways`);
  }
}
const atoms = all.filter((e) => e.matches(
  'button, input, select, label, th, td, h1, h2, h3, p, dt, dd, legend, li[role=option], .badge, .tag, .score')
  && !e.closest('.visually-hidden'));
const boxes = [];
for (const e of atoms) {
  const box = visible(e);
  if (!box) continue;
  if (box.left < -1 || box.right > width + 1) problems.push(`${name(e)} is off the screen (${Math.round(box.left)}..${Math.round(box.right)} of ${width}px)`);
  boxes.push([e, box]);
}
for (let i = 0; i < boxes.length; i++) {
  for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i];
    const [b, rb] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (x > 1 && y > 1) problems.push(`${name(a)} and ${name(b)} overlap by ${Math.round(x)}x${Math.round(y)}px`);
  }
}
return problems;
"#;

/// Runs axe-core (installed by `cargo xtask test` into `tests/axe`) in the page; passes on
/// its serious and critical violations as sentences.
const AXE_VIOLATIONS: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then((results) => done(results.violations
  .filter((v) => v.impact === 'serious' || v.impact === 'critical')
  .map((v) => `axe ${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`)),
  (error) => done([`axe did not run: ${error}`]));
"#;

/// axe-core's script, for the page to run.
fn axe_script() -> String {
    let path = pos_tests::root().join("tests/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; `cargo xtask test` installs axe-core there", path.display()))
}

/// The widths of the tills' screens, each with a usual height.
const SCREENS: [(u32, u32); 3] = [(1024, 768), (1280, 900), (1920, 1080)];

impl Console {
    /// Measures the page as it is at each till width; returns the problems, each named with
    /// `state` and the width. Leaves a screenshot of each in
    /// `target/console-screenshots/layout/`, for a person to look at too.
    async fn layout_problems(&self, state: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let lang = self.browser.execute("return document.documentElement.lang", vec![]).await.unwrap();
        let lang = lang.as_str().unwrap_or("en").to_owned();
        for (width, height) in SCREENS {
            self.browser.set_viewport(width, height).await.unwrap();
            let found = self.browser.execute(LAYOUT_PROBLEMS, vec![]).await.unwrap();
            let slug: String = state.chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
            let picture = screenshot_dir().join("layout").join(format!("{lang}-{slug}-{width}.png"));
            self.browser.save_screenshot(&picture).await.unwrap();
            for problem in found.as_array().into_iter().flatten().filter_map(Value::as_str) {
                problems.push(format!("{state}, {width} px: {problem}"));
            }
        }
        self.browser.set_viewport(1280, 900).await.unwrap();
        problems
    }

    /// [`Console::layout_problems`], and what axe-core finds serious or critical on the page
    /// as it is.
    async fn problems(&self, state: &str, axe: &str) -> Vec<String> {
        let mut problems = self.layout_problems(state).await;
        let installed = self.browser.execute("return typeof axe !== 'undefined'", vec![]).await.unwrap();
        if installed != Value::Bool(true) {
            self.browser.execute(axe, vec![]).await.unwrap();
        }
        let found = self.browser.execute_async(AXE_VIOLATIONS, vec![]).await.unwrap();
        for problem in found.as_array().into_iter().flatten().filter_map(Value::as_str) {
            problems.push(format!("{state}: {problem}"));
        }
        problems
    }
}

/// Customers with the long names, companies and cities tills meet.
fn long_named(n: usize) -> Vec<Customer> {
    (1..=n)
        .map(|i| Customer {
            company: Some(format!("Przedsiębiorstwo Handlowo-Usługowe Maksymilian i Synowie {i} sp. z o.o.")),
            city: Some("Konstantynów Łódzki-Południe".into()),
            ..customer(
                Some(&format!("K-{i:07}")),
                "Maksymilianna-Konstancja",
                "Kowalska-Wiśniewska-Brzęczyszczykiewicz",
            )
        })
        .collect()
}

#[tokio::test]
async fn every_screen_fits_at_1024_1280_and_1920_px_and_passes_axe() {
    every_screen_in("en").await;
}

/// Polish says most in the longest words.
#[tokio::test]
async fn every_screen_fits_and_passes_axe_in_polish() {
    every_screen_in("pl").await;
}

#[tokio::test]
async fn every_screen_fits_and_passes_axe_in_dutch() {
    every_screen_in("nl").await;
}

/// Walks every screen through its states in `locale`, measuring each; fails with every
/// problem found.
async fn every_screen_in(locale: &str) {
    let mut locals = long_named(120);
    locals.extend(web_locals());
    let console = Console::start(locals, vec![]).await;
    if locale != "en" {
        console.locale(locale).await;
    }
    let axe = axe_script();
    let mut problems = Vec::new();

    problems.extend(console.problems("search, before any search", &axe).await);
    // Search: a cut list of long names, then the customer panel open beside it.
    console.search("Kowalska-Wiśniewska").await;
    problems.extend(console.problems("search results", &axe).await);
    console.browser.find("#edit-K-0000003").await.unwrap().click().await.unwrap();
    console.browser.wait_for("#customer-panel", SHOWN).await.unwrap();
    problems.extend(console.problems("search, customer panel open", &axe).await);

    // Web customers: 50 candidates, a search for another local customer, an outcome.
    let register = |first: &str, number: Option<&str>| WebCustomerFields {
        first_name: first.into(),
        last_name: "Kowalska-Wiśniewska-Brzęczyszczykiewicz".into(),
        customer_number: number.map(str::to_owned),
        email: Some(format!("{}.kowalska-wisniewska@przyklad-bardzo-dlugi.example.pl", first.to_lowercase())),
        ..WebCustomerFields::default()
    };
    let web = console.register(register("Maksymilianna", Some("K-0000001"))).await;
    let other = console.register(register("Ewa", None)).await;
    console.tab("web").await;
    let entry = |id: &str| format!("[data-testid=web-entry][data-web-id='{id}']");
    console.browser.wait_for(&entry(&other.id), SHOWN).await.unwrap();
    console.browser.find(&entry(&web.id)).await.unwrap().click().await.unwrap();
    console.browser.wait_for("[data-testid=candidate][data-group=proposed]", SHOWN).await.unwrap();
    let input = console.browser.find("#candidate-search").await.unwrap();
    input.send_keys("Nowak\u{E007}").await.unwrap();
    console.browser.wait_for("[data-testid=candidate][data-group=search]", SHOWN).await.unwrap();
    problems.extend(console.problems("web customers, 50 candidates and a search", &axe).await);
    // Taken over as Piotr Nowak, found by the search: the last names differ, and it asks.
    console
        .browser
        .find("[data-testid=candidate][data-group=search][data-number='K-3']")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    console.browser.find("#take-over-local").await.unwrap().click().await.unwrap();
    console.browser.wait_for("#prompt-dialog", SHOWN).await.unwrap();
    problems.extend(console.problems("web customers, the last-name warning", &axe).await);
    console.browser.find("[data-testid=prompt-choice][data-choice=cancel]").await.unwrap().click().await.unwrap();
    console.browser.wait_for("#web-outcome", SHOWN).await.unwrap();
    problems.extend(console.problems("web customers, an outcome", &axe).await);

    // Local edits: the comparison of what "Take over local info" sends.
    let flow = console.host.web().unwrap();
    let number = flow.take_over_web(&other.id).await.unwrap().number.unwrap();
    let phone = CustomerChanges { phone: Some(Some("+48 600 999 999".into())), ..CustomerChanges::default() };
    console.host.edit_customer(&number, phone).await.unwrap();
    console.tab("local").await;
    let entry = format!("[data-testid=local-edit][data-number='{number}']");
    console.browser.wait_for(&entry, SHOWN).await.unwrap().click().await.unwrap();
    console.browser.wait_for("[data-testid=local-sends] table", SHOWN).await.unwrap();
    problems.extend(console.problems("local edits, what is sent", &axe).await);

    // Status: a reload that failed for a long reason.
    let missing =
        format!("{}/plugins/{}/search-thresholds-for-the-client-with-a-long-name.wasm", "/opt/pos", "x".repeat(60));
    let text = std::fs::read_to_string(&console.policy).unwrap();
    let broken = text.replacen(
        "[slots.search-policy]\nplugin = ",
        &format!("[slots.search-policy]\nplugin = {missing:?}\n# was "),
        1,
    );
    std::fs::write(&console.policy, broken).unwrap();
    console.tab("status").await;
    console.browser.find("#reload").await.unwrap().click().await.unwrap();
    console.browser.wait_for("[data-testid=status-reload][data-outcome=failed]", SHOWN).await.unwrap();
    let kept = console.text("[data-testid=status-reload][data-outcome=failed] [data-testid=kept-serving]").await;
    if locale == "en" {
        assert_eq!(kept, "The last good version keeps serving.");
    }
    problems.extend(console.problems("status, a failed reload", &axe).await);

    assert!(problems.is_empty(), "{} problems in {locale}:\n{}", problems.len(), problems.join("\n"));
}

/// A 800x600 screen facing the customer shows the search and the first results without
/// scrolling or spilling.
#[tokio::test]
async fn a_800_by_600_screen_shows_the_search_and_the_results() {
    let console = Console::start(long_named(20), vec![]).await;
    console.browser.set_viewport(800, 600).await.unwrap();
    console.search("Kowalska-Wiśniewska").await;
    let in_window = r#"
        const e = document.querySelector(arguments[0]);
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight;"#;
    for selector in
        ["#search-phrase", "#search-local", "#results-title", "[data-testid=result-row]", "#select-K-0000001"]
    {
        let shown = console.browser.execute(in_window, vec![selector.into()]).await.unwrap();
        assert_eq!(shown, Value::Bool(true), "{selector} is in the 800x600 window");
    }
    let problems = console.browser.execute(LAYOUT_PROBLEMS, vec![]).await.unwrap();
    assert_eq!(problems, Value::Array(vec![]), "the 800x600 layout");
}
