//! Pages of other sites in the operator's browser, in headless Chromium: a page on another
//! loopback port tries every kind of request a page can make to the till (fetch, `no-cors`,
//! a form), and a DNS-rebinding page tries the same from the till's own port under its own
//! name. Each must leave the local customers, the outbox, the web shop, the audit trail, the
//! prompts and the policy as they were, and read nothing.

use crate::customer;
use pos_tests::served::{self, ServedHost};
use pos_tests::sim::{WebCustomer, WebCustomerFields};
use pos_tests::webdriver::Browser;
use serde_json::{Value, json};
use std::time::Duration;

/// Everything a request from a page could change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    local: Vec<pos_host::bindings::Customer>,
    queued: i64,
    web: Vec<WebCustomer>,
    web_writes: usize,
    audit: usize,
    reloads: usize,
    prompts: Value,
}

async fn snapshot(s: &ServedHost) -> Snapshot {
    let store = s.host.store();
    let queued = store.read(|conn| conn.query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))).await.unwrap();
    let client = reqwest::Client::new();
    let prompts: Value =
        s.api(&client, reqwest::Method::GET, "/api/prompts?wait_ms=0").send().await.unwrap().json().await.unwrap();
    Snapshot {
        local: store.all().await.unwrap(),
        queued,
        web: s.sim.web_customers().await.unwrap(),
        web_writes: s.sim.webshop_received_writes().await.unwrap().len(),
        audit: s.host.web().unwrap().audit_trail(1000).await.unwrap().len(),
        reloads: s.host.status().reloads.len(),
        prompts: prompts["prompts"].clone(),
    }
}

/// A till with a local customer and two web registrations on its web edit list.
async fn till(listener: tokio::net::TcpListener) -> (ServedHost, [String; 2]) {
    let s = served::serve_on(
        listener,
        vec![customer(Some("K-1"), "Jan", "Nowak")],
        Vec::new(),
        Duration::from_secs(30),
        None,
    )
    .await;
    let mut ids = Vec::new();
    for (first, last) in [("Mallory", "Evil"), ("Eve", "Spy")] {
        ids.push(s.sim.register_web_customer(WebCustomerFields::new(first, last)).await.unwrap().id);
    }
    let client = reqwest::Client::new();
    let listed = s.api(&client, reqwest::Method::GET, "/api/web/edits").send().await.unwrap();
    assert!(listed.status().is_success());
    (s, [ids[0].clone(), ids[1].clone()])
}

/// Serves `page` at `/` on `listener`, closing each connection after its answer so that the
/// browser's next request opens a new one.
fn serve_page(listener: tokio::net::TcpListener, page: &'static str) -> tokio::task::JoinHandle<()> {
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move {
            ([("content-type", "text/html; charset=utf-8"), ("connection", "close")], page)
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() })
}

/// The attacks, as a page's script: `attack(till, webIds)` resolves with what the page could
/// observe of each.
const ATTACKS: &str = r#"<!doctype html><title>A shop's offers</title><body><script>
async function attack(till, [w1, w2]) {
  const seen = {};
  const tryIt = async (name, request) => {
    try { const r = await request(); seen[name] = r.type === 'opaque' ? 'opaque' : 'read ' + r.status + ' ' + (await r.text()); }
    catch (e) { seen[name] = 'blocked'; }
  };
  const noCors = (path, method, body) => fetch(till + path, { method, mode: 'no-cors', body,
    headers: body ? { 'Content-Type': 'text/plain' } : {} });
  await tryIt('take-over-web', () => noCors(`/api/web/edits/${w1}/take-over-web`, 'POST'));
  await tryIt('discard', () => noCors(`/api/web/edits/${w2}/discard`, 'POST'));
  await tryIt('answer', () => noCors('/api/prompts/1', 'POST', '{"choice":"discard"}'));
  await tryIt('edit', () => noCors('/api/customers/K-1', 'POST', '{"city":"Evil"}'));
  await tryIt('sync', () => noCors('/api/sync', 'POST'));
  await tryIt('reload', () => noCors('/api/reload', 'POST'));
  await tryIt('read', () => fetch(till + '/api/customers/K-1'));
  await tryIt('read-with-guess', () => fetch(till + '/api/customers/K-1', { headers: { Authorization: 'Bearer 0123456789abcdef' } }));
  await tryIt('patch', () => fetch(till + '/api/customers/K-1', { method: 'PATCH', body: '{"city":"Evil"}',
    headers: { 'Content-Type': 'application/json' } }));
  await tryIt('console', () => fetch(till + '/'));
  for (const [name, path, enctype] of [['form', `/api/web/edits/${w1}/take-over-web`, 'text/plain'],
                                       ['form-urlencoded', '/api/reload', 'application/x-www-form-urlencoded']]) {
    const frame = document.createElement('iframe');
    frame.name = 'sink-' + name;
    document.body.append(frame);
    const form = document.createElement('form');
    Object.assign(form, { method: 'POST', action: till + path, enctype, target: frame.name });
    const field = document.createElement('input');
    Object.assign(field, { name: '{"a":"', value: '"}' });
    form.append(field);
    document.body.append(form);
    await new Promise((done) => { frame.addEventListener('load', done, { once: true }); form.submit(); });
    seen[name] = 'submitted';
  }
  return seen;
}
</script></body>"#;

async fn browser(test: &str, args: &[String]) -> Browser {
    Browser::start_with(test, args).await.expect("headless Chromium starts")
}

#[tokio::test]
async fn a_page_on_another_loopback_port_cannot_act_or_read() {
    let (s, ids) = till(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()).await;
    let before = snapshot(&s).await;
    let page = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page_url = format!("http://{}/", page.local_addr().unwrap());
    let _page = serve_page(page, ATTACKS);
    let browser = browser("a_page_on_another_loopback_port_cannot_act_or_read", &[]).await;
    browser.goto(&page_url).await.unwrap();
    let seen =
        browser.execute("return attack(arguments[0], arguments[1]);", vec![json!(s.url), json!(ids)]).await.unwrap();
    for read in ["read", "read-with-guess", "patch", "console"] {
        assert_eq!(seen[read], "blocked", "{read}: the page read nothing: {seen}");
    }
    assert_eq!(seen["form"], "submitted", "{seen}");
    assert_eq!(snapshot(&s).await, before, "nothing changed; the page saw {seen}");
}

#[tokio::test]
async fn a_dns_rebinding_page_on_the_tills_port_cannot_act_or_read() {
    // The attacker's name leads to loopback; first its own server answers on the port the
    // till will use, then (as after rebinding) the till does, under the attacker's name.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = port.local_addr().unwrap();
    let attacker = serve_page(port, ATTACKS);
    let rules = "--host-resolver-rules=MAP evil.example 127.0.0.1".to_owned();
    let browser = browser("a_dns_rebinding_page_on_the_tills_port_cannot_act_or_read", &[rules]).await;
    let origin = format!("http://evil.example:{}", address.port());
    browser.goto(&format!("{origin}/")).await.unwrap();
    attacker.abort();
    let _ = attacker.await;
    let (s, ids) = till(tokio::net::TcpListener::bind(address).await.unwrap()).await;
    let before = snapshot(&s).await;
    let seen =
        browser.execute("return attack(arguments[0], arguments[1]);", vec![json!(origin), json!(ids)]).await.unwrap();
    // Same origin now: the page can read the answers, which must all be refusals.
    for (name, observed) in seen.as_object().unwrap() {
        let observed = observed.as_str().unwrap();
        assert!(
            observed == "submitted" || observed.starts_with("read 403 "),
            "{name}: the till answered a request addressed to evil.example: {observed}"
        );
        assert!(!observed.contains(s.token.expose()), "{name}: the token leaked");
    }
    assert!(seen["console"].as_str().unwrap().contains("addressed to `evil.example`"), "{seen}");
    assert_eq!(snapshot(&s).await, before, "nothing changed; the page saw {seen}");
}
