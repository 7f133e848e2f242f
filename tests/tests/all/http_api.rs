//! The HTTP API of `pos-host serve`: every operation over a real loopback socket against
//! the simulator, prompts answered and timed out, cancel, and the 4xx answers in process
//! through the router.

use crate::customer;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use pos_host::bindings::Customer;
use pos_host::store::{KeySetting, encryption};
use pos_tests::openapi::Contract;
use pos_tests::served::{self, ServedHost};
use pos_tests::sim::{AdminCustomer, Fault, FaultMode, WebCustomerFields};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// A served host and an HTTP client for it.
pub(crate) struct Served {
    served: ServedHost,
    client: reqwest::Client,
}

impl std::ops::Deref for Served {
    type Target = ServedHost;

    fn deref(&self) -> &ServedHost {
        &self.served
    }
}

pub(crate) async fn serve(
    local: Vec<Customer>,
    erp: Vec<AdminCustomer>,
    prompt_timeout: Duration,
    token: Option<&str>,
) -> Served {
    Served { served: served::serve(local, erp, prompt_timeout, token).await, client: reqwest::Client::new() }
}

/// [`serve`] on a plain (not encrypted) database, with `local` customers and `erp` ones.
pub(crate) async fn serve_plain(local: Vec<Customer>, erp: Vec<AdminCustomer>) -> Served {
    Served { served: served::serve_plain(local, erp, Duration::from_secs(30)).await, client: reqwest::Client::new() }
}

/// [`serve`] with the policy `policy`.
pub(crate) async fn serve_policy(local: Vec<Customer>, erp: Vec<AdminCustomer>, policy: String) -> Served {
    let served = served::serve_policy(local, erp, Duration::from_secs(30), policy).await;
    Served { served, client: reqwest::Client::new() }
}

async fn plain() -> Served {
    serve(Vec::new(), Vec::new(), Duration::from_secs(30), None).await
}

impl Served {
    /// The answer to a request, checked against the OpenAPI document.
    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.api(&self.client, method.clone(), path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        Contract::host().check(method.as_str(), path, status.as_u16(), &body).unwrap_or_else(|e| panic!("{e}"));
        (status, body)
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// An answer of the router itself, without a socket, to `request` as a client on this
    /// machine sends it (addressed to the host, with the token, unless it says otherwise),
    /// checked against the OpenAPI document.
    async fn in_process(&self, mut request: Request<Body>) -> (StatusCode, Value) {
        let (method, path) = (request.method().clone(), request.uri().path().to_owned());
        let headers = request.headers_mut();
        headers.entry("host").or_insert_with(|| "127.0.0.1:8740".parse().unwrap());
        headers.entry("authorization").or_insert_with(|| format!("Bearer {}", self.token.expose()).parse().unwrap());
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Contract::host().check(method.as_str(), &path, status.as_u16(), &body).unwrap_or_else(|e| panic!("{e}"));
        (status, body)
    }

    pub(crate) async fn session(&self) -> String {
        let (status, body) = self.post("/api/search/sessions", json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["session"].as_str().unwrap().to_owned()
    }

    /// The operation once it is done, following it as a client would.
    pub(crate) async fn finished(&self, operation: &Value) -> Value {
        let id = operation["id"].as_str().unwrap();
        for _ in 0..20 {
            let (status, op) = self.get(&format!("/api/operations/{id}?wait_ms=1000")).await;
            assert_eq!(status, StatusCode::OK, "{op}");
            if op["status"] == "done" {
                return op;
            }
        }
        panic!("operation {id} did not finish");
    }

    /// The prompts once there is one.
    pub(crate) async fn prompts(&self, locale: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/api/prompts?wait_ms=5000&locale={locale}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["prompts"].as_array().unwrap().clone()
    }
}

fn json_request(method: Method, path: &str, body: impl Into<String>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(body.into()))
        .unwrap()
}

fn numbers(screen: &Value) -> Vec<&str> {
    screen["customers"].as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap()).collect()
}

/// `(status, kind, field)` of an error answer.
fn error(answer: &(StatusCode, Value)) -> (u16, &str, Option<&str>) {
    (answer.0.as_u16(), answer.1["kind"].as_str().unwrap_or("?"), answer.1["field"].as_str())
}

#[tokio::test]
async fn bad_requests_are_refused_naming_what_and_where() {
    let s = plain().await;
    let session = s.session().await;
    let local = format!("/api/search/sessions/{session}/local");
    let no_type = Request::builder().method(Method::POST).uri(&local).body(Body::from("{}")).unwrap();
    assert_eq!(error(&s.in_process(no_type).await), (415, "unsupported-media-type", None));
    let wrong_type = s.in_process(json_request(Method::POST, &local, r#"{"phrase": 5}"#)).await;
    assert_eq!(error(&wrong_type), (400, "malformed", Some("phrase")));
    assert!(wrong_type.1["error"].as_str().unwrap().contains("line 1"), "{}", wrong_type.1);
    let not_json = s.in_process(json_request(Method::POST, &local, "{\"phrase\": ")).await;
    assert_eq!(error(&not_json).1, "malformed");
    let unknown = s.in_process(json_request(Method::POST, &local, r#"{"phrase": "x", "colour": 1}"#)).await;
    assert_eq!(error(&unknown).0, 400);
    assert!(unknown.1["error"].as_str().unwrap().contains("colour"), "{}", unknown.1);
    let long = json!({ "phrase": "x".repeat(201) }).to_string();
    assert_eq!(error(&s.in_process(json_request(Method::POST, &local, long)).await), (422, "invalid", Some("phrase")));
    let filter =
        json!({ "phrase": "x", "filters": [{ "field": "city", "value": "K" }, { "field": "shoe", "value": "4" }] });
    let answer = s.in_process(json_request(Method::POST, &local, filter.to_string())).await;
    assert_eq!(error(&answer), (422, "invalid", Some("filters[1].field")));
    assert!(answer.1["error"].as_str().unwrap().contains("postal-code"), "the error lists the fields: {}", answer.1);
    let control = json!({ "phrase": "a\u{7}b" }).to_string();
    assert_eq!(error(&s.in_process(json_request(Method::POST, &local, control)).await).2, Some("phrase"));
    let german = s.in_process(json_request(Method::POST, &format!("{local}?locale=de"), r#"{"phrase":"x"}"#)).await;
    assert_eq!(error(&german), (422, "invalid", Some("locale")));
    let huge = json!({ "phrase": "x".repeat(70 * 1024) }).to_string();
    assert_eq!(error(&s.in_process(json_request(Method::POST, &local, huge)).await), (413, "too-large", None));
    let gone = s.in_process(json_request(Method::POST, "/api/search/sessions/s-999/local", r#"{"phrase":"x"}"#)).await;
    assert_eq!(error(&gone), (404, "not-found", None));
    assert_eq!(error(&s.get("/api/operations/op-999").await), (404, "not-found", None));
    assert_eq!(error(&s.get("/api/no-such-thing").await), (404, "not-found", None));
    assert_eq!(error(&s.get("/api/prompts?wait_ms=40000").await), (422, "invalid", Some("wait_ms")));
    assert_eq!(error(&s.get("/api/prompts?wait_ms=soon").await), (400, "malformed", None));
    assert_eq!(error(&s.get("/api/web/audit?limit=0").await), (422, "invalid", Some("limit")));
    assert_eq!(error(&s.post("/api/prompts/7", json!({ "choice": "continue" })).await), (404, "not-found", None));
    let open =
        s.post(&format!("/api/search/sessions/{session}/open"), json!({ "number": "K-1", "action": "steal" })).await;
    assert_eq!(error(&open), (400, "malformed", Some("action")));
    let take = s.post("/api/web/edits/W-1/take-over-local", json!({ "number": " " })).await;
    assert_eq!(error(&take), (422, "invalid", Some("number")));
    assert_eq!(error(&s.post("/api/web/edits/W-404/take-over-web", json!({})).await), (404, "not-found", None));
}

#[tokio::test]
async fn customer_edits_honour_the_erp_flags_and_name_the_bad_field() {
    let fixed = Customer { editable: false, ..customer(Some("K-2"), "Ewa", "Stała") };
    let s = serve(vec![customer(Some("K-1"), "Jan", "Nowak"), fixed], vec![], Duration::from_secs(30), None).await;
    let (status, edited) =
        s.call(Method::PATCH, "/api/customers/K-1", Some(json!({ "city": "Gdańsk", "phone": null }))).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!((edited["city"].as_str(), edited["last_name"].as_str()), (Some("Gdańsk"), Some("Nowak")));
    assert_eq!(s.get("/api/customers/K-1").await.1["city"], "Gdańsk");
    let empty = s.call(Method::PATCH, "/api/customers/K-1", Some(json!({ "last_name": "  " }))).await;
    assert_eq!(error(&empty), (422, "invalid", Some("last_name")));
    let bell = s.call(Method::PATCH, "/api/customers/K-1", Some(json!({ "city": "Gda\u{7}" }))).await;
    assert_eq!(error(&bell), (422, "invalid", Some("city")));
    let long = s.call(Method::PATCH, "/api/customers/K-1", Some(json!({ "email": "x".repeat(1025) }))).await;
    assert_eq!(error(&long), (422, "invalid", Some("email")));
    let unknown = s.call(Method::PATCH, "/api/customers/K-1", Some(json!({ "shoe_size": 44 }))).await;
    assert_eq!(error(&unknown).0, 400);
    let refused = s.call(Method::PATCH, "/api/customers/K-2", Some(json!({ "city": "Gdańsk" }))).await;
    assert_eq!(error(&refused), (409, "not-editable", None));
    assert_eq!(error(&s.call(Method::PATCH, "/api/customers/K-9", Some(json!({ "city": "X" }))).await).0, 404);
    assert_eq!(error(&s.get("/api/customers/K-9").await), (404, "not-found", None));
    assert_eq!(s.host.customer("K-2").await.unwrap().unwrap().city.as_deref(), Some("Kraków"), "refused, unchanged");
}

#[tokio::test]
async fn a_token_guards_the_api_and_the_console_page_carries_it() {
    let s = serve(Vec::new(), Vec::new(), Duration::from_secs(30), Some("a-long-enough-secret")).await;
    let ask = |token: &str| {
        Request::builder().uri("/api/settings").header("authorization", token).body(Body::empty()).unwrap()
    };
    assert_eq!(error(&s.in_process(ask("")).await), (401, "unauthorized", None));
    assert_eq!(error(&s.in_process(ask("Bearer a-long-enough-secreT")).await), (401, "unauthorized", None));
    let (status, settings) = s.in_process(ask("Bearer a-long-enough-secret")).await;
    assert_eq!((status, settings["workstation"].as_str()), (StatusCode::OK, Some("POS-01")));
    let page = s.client.get(format!("{}/", s.url)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<meta name="pos-api-token" content="a-long-enough-secret">"#));
}

#[tokio::test]
async fn a_search_shows_the_seed_texts_then_erp_results_which_are_saved_when_opened() {
    let erp = (1..=3).map(|i| AdminCustomer::new(&format!("E-{i:04}"), &format!("Jan{i}"), "Nowak")).collect();
    let s = serve(Vec::new(), erp, Duration::from_secs(30), None).await;
    let (status, settings) = s.get("/api/settings").await;
    assert_eq!(
        (status, settings["locale"].as_str(), settings["erp"].as_bool()),
        (StatusCode::OK, Some("en"), Some(true))
    );
    let session = s.session().await;
    let (status, screen) = s.post(&format!("/api/search/sessions/{session}/local"), json!({ "phrase": "Nowak" })).await;
    assert_eq!(status, StatusCode::OK, "{screen}");
    assert_eq!(
        screen["notice"]["text"],
        "No search results. Do you want to continue searching also in the ERP system?"
    );
    assert_eq!((screen["list"].as_str(), screen["search_button"].as_str()), (Some("local"), Some("suggested")));
    let (status, dutch) =
        s.post(&format!("/api/search/sessions/{session}/local?locale=nl"), json!({ "phrase": "Nowak" })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dutch["notice"]["key"], "local-no-results");
    assert_ne!(dutch["notice"]["text"], screen["notice"]["text"], "the texts follow the locale");
    let (status, polish) = s.get(&format!("/api/search/sessions/{session}?locale=pl")).await;
    assert_eq!((status, polish["notice"]["key"].as_str()), (StatusCode::OK, Some("local-no-results")));
    assert_eq!(
        polish["notice"]["text"],
        "Brak wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?"
    );

    let (status, started) = s.post(&format!("/api/search/sessions/{session}/erp?locale=en"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    assert_eq!(started["kind"], "erp-search");
    assert_eq!(started["waiting_text"], "Searching for customers in the ERP system…");
    let done = s.finished(&started).await;
    assert_eq!(done["cancelled"], false);
    let screen = &done["screen"];
    assert_eq!((screen["list"].as_str(), numbers(screen)), (Some("erp"), vec!["E-0001", "E-0002", "E-0003"]));
    assert!(screen["customers"].as_array().unwrap().iter().all(|c| c["origin"] == "erp"));
    assert_eq!(s.get("/api/customers/E-0002").await.0, StatusCode::NOT_FOUND, "ERP results are not saved locally");

    let (status, opened) = s
        .post(&format!("/api/search/sessions/{session}/open"), json!({ "number": "E-0002", "action": "select" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_eq!(opened["opened"]["customer"]["first_name"], "Jan2");
    let (status, saved) = s.get("/api/customers/E-0002").await;
    assert_eq!((status, saved["origin"].as_str()), (StatusCode::OK, Some("erp")), "selected: saved locally");
    let (status, missing) = s
        .post(&format!("/api/search/sessions/{session}/open"), json!({ "number": "E-0404", "action": "preview" }))
        .await;
    assert_eq!((status, missing["screen"]["notice"]["key"].as_str()), (StatusCode::OK, Some("customer-not-found")));
    assert_eq!(
        s.call(Method::DELETE, &format!("/api/search/sessions/{session}"), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(s.post(&format!("/api/search/sessions/{session}/erp"), json!({})).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_slow_erp_search_shows_the_waiting_window_and_cancel_keeps_the_local_results() {
    let local = (1..=2).map(|i| customer(Some(&format!("L-{i}")), "Adam", "Kowalski")).collect();
    let s = serve(local, Vec::new(), Duration::from_secs(30), None).await;
    let session = s.session().await;
    let (_, screen) = s.post(&format!("/api/search/sessions/{session}/local"), json!({ "phrase": "Kowalski" })).await;
    assert_eq!(numbers(&screen), vec!["L-1", "L-2"]);
    s.sim.set_fault(Fault::new(FaultMode::Slow { delay_ms: 20_000 })).await.unwrap();
    let (_, started) = s.post(&format!("/api/search/sessions/{session}/erp"), json!({})).await;
    let id = started["id"].as_str().unwrap();
    let (_, waiting) = s.get(&format!("/api/operations/{id}?wait_ms=10000")).await;
    assert_eq!(waiting["status"], "waiting", "past the threshold the waiting window shows: {waiting}");
    let (status, cancelled) = s.post(&format!("/api/operations/{id}/cancel"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((cancelled["status"].as_str(), cancelled["cancelled"].as_bool()), (Some("done"), Some(true)));
    let screen = &cancelled["screen"];
    assert_eq!((screen["list"].as_str(), numbers(screen)), (Some("local"), vec!["L-1", "L-2"]));
    assert_eq!(s.get(&format!("/api/operations/{id}")).await.1["status"], "done", "it stays readable");
}

/// Registers a web customer and reads the feed through the API.
async fn listed(s: &Served, first: &str, last: &str) -> String {
    let fields = WebCustomerFields {
        first_name: first.into(),
        last_name: last.into(),
        email: Some(format!("{}@example.com", first.to_lowercase())),
        ..WebCustomerFields::default()
    };
    let web = s.sim.register_web_customer(fields).await.unwrap();
    let (status, list) = s.get("/api/web/edits").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list["entries"].as_array().unwrap().iter().any(|e| e["customer"]["web_id"] == web.id.as_str()), "{list}");
    web.id
}

#[tokio::test]
async fn the_last_name_warning_waits_for_the_clients_answer() {
    let local = vec![customer(Some("K-1"), "Anna", "Kowalska")];
    let s = Arc::new(serve(local, Vec::new(), Duration::from_secs(30), None).await);
    let id = listed(&s, "Anna", "Nowak").await;
    let (status, candidates) = s.get(&format!("/api/web/edits/{id}/candidates?search=Kowalska&locale=pl")).await;
    assert_eq!(status, StatusCode::OK, "{candidates}");
    assert_eq!(candidates["web"]["last_name"], "Nowak");
    assert_eq!(candidates["search"][0]["number"], "K-1", "the operator's own search");

    let take = |s: Arc<Served>, id: String| async move {
        s.post(&format!("/api/web/edits/{id}/take-over-local?locale=nl"), json!({ "number": "K-1" })).await
    };
    let first = tokio::spawn(take(s.clone(), id.clone()));
    let prompts = s.prompts("nl").await;
    assert_eq!(prompts.len(), 1);
    assert_eq!(
        (prompts[0]["key"].as_str(), prompts[0]["severity"].as_str()),
        (Some("existing-customer-overwritten"), Some("warning"))
    );
    assert!(prompts[0]["text"].as_str().unwrap().contains("Kowalska"), "{}", prompts[0]);
    let choices: Vec<&str> =
        prompts[0]["choices"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(choices, vec!["cancel", "continue"]);
    assert_eq!(prompts[0]["choices"][1]["label"], "Doorgaan");
    let prompt = format!("/api/prompts/{}", prompts[0]["id"]);
    assert_eq!(error(&s.post(&prompt, json!({ "choice": "maybe" })).await), (422, "invalid", Some("choice")));
    assert_eq!(s.post(&prompt, json!({ "choice": "cancel" })).await.0, StatusCode::NO_CONTENT);
    let (status, decision) = first.await.unwrap();
    assert_eq!((status, decision["outcome"].as_str()), (StatusCode::OK, Some("cancelled")), "{decision}");
    let web = s.sim.web_customer(&id).await.unwrap().unwrap();
    assert_eq!((web.last_name.as_str(), web.customer_number.as_deref()), ("Nowak", None), "cancelled: unchanged");

    let again = tokio::spawn(take(s.clone(), id.clone()));
    let prompts = s.prompts("en").await;
    assert_eq!(
        s.post(&format!("/api/prompts/{}", prompts[0]["id"]), json!({ "choice": "continue" })).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, decision) = again.await.unwrap();
    assert_eq!((status, decision["outcome"].as_str()), (StatusCode::OK, Some("applied")), "{decision}");
    assert_eq!(decision["web"]["last_name"], "Kowalska");
    let web = s.sim.web_customer(&id).await.unwrap().unwrap();
    assert_eq!((web.last_name.as_str(), web.customer_number.as_deref()), ("Kowalska", Some("K-1")));
    let (_, audit) = s.get("/api/web/audit?limit=5").await;
    let outcomes: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, vec!["applied", "cancelled"]);
    assert_eq!(audit[0]["before"]["local"]["origin"], "local", "the records in the API's shape: {}", audit[0]);
    assert_eq!(audit[0]["before"]["web"]["last_name"], "Nowak");
}

/// An access request: everything the till holds about one person, by customer number or
/// web id, and nothing about anyone else.
#[tokio::test]
async fn an_export_holds_everything_the_till_keeps_about_one_person() {
    let local = vec![customer(Some("K-1"), "Anna", "Kowalska"), customer(Some("K-2"), "Jan", "Kowal")];
    let s = Arc::new(serve(local, Vec::new(), Duration::from_secs(30), None).await);
    let id = listed(&s, "Anna", "Nowak").await;
    let took = {
        let s = s.clone();
        let path = format!("/api/web/edits/{id}/take-over-local");
        tokio::spawn(async move { s.post(&path, json!({ "number": "K-1" })).await })
    };
    let prompts = s.prompts("en").await;
    let prompt = format!("/api/prompts/{}", prompts[0]["id"]);
    assert_eq!(s.post(&prompt, json!({ "choice": "continue" })).await.0, StatusCode::NO_CONTENT);
    assert_eq!(took.await.unwrap().1["outcome"], "applied");
    let edit = s.call(Method::PATCH, "/api/customers/K-1", Some(json!({ "phone": "+48 601 234 567" }))).await;
    assert_eq!(edit.0, StatusCode::OK, "{}", edit.1);
    s.call(Method::PATCH, "/api/customers/K-2", Some(json!({ "city": "Gdańsk" }))).await;

    let (status, export) = s.get("/api/customers/K-1/export").await;
    assert_eq!(status, StatusCode::OK, "{export}");
    assert_eq!((export["key"].as_str(), export["workstation"].as_str()), (Some("K-1"), Some("POS-01")));
    assert_eq!(export["customer"]["phone"], "+48 601 234 567");
    assert_eq!(export["customer"]["web_id"], id.as_str());
    assert_eq!(export["web_edit"]["state"], "done", "{export}");
    assert_eq!(export["web_edit"]["customer"]["web_id"], id.as_str(), "the web record, as the decision left it");
    assert_eq!(export["local_edit"]["web_id"], id.as_str(), "{export}");
    let outbox = export["outbox"].as_array().unwrap();
    assert!(outbox.iter().any(|c| c["body"]["phone"] == "+48 601 234 567" && c["state"] == "pending"), "{export}");
    let audit = export["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 1, "{export}");
    assert_eq!((audit[0]["action"].as_str(), audit[0]["outcome"].as_str()), (Some("take-over-local"), Some("applied")));
    assert_eq!(audit[0]["before"]["web"]["last_name"], "Nowak");
    let text = export.to_string();
    assert!(!text.contains("Kowal\"") && !text.contains("Gdańsk"), "another customer's data: {text}");

    let (status, by_web_id) = s.get(&format!("/api/customers/{id}/export")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_web_id["customer"], export["customer"], "the same person by web id");
    assert_eq!(by_web_id["audit"], export["audit"]);
    let nobody = s.get("/api/customers/K-404/export").await;
    assert_eq!(error(&nobody), (404, "not-found", None));
    assert!(nobody.1["error"].as_str().unwrap().contains("the till holds nothing about K-404"), "{}", nobody.1);
}

#[tokio::test]
async fn an_unanswered_prompt_times_out_to_the_safe_answer() {
    let local = vec![customer(Some("K-1"), "Anna", "Kowalska")];
    let s = serve(local, Vec::new(), Duration::from_millis(300), None).await;
    let id = listed(&s, "Anna", "Nowak").await;
    let (status, decision) = s.post(&format!("/api/web/edits/{id}/take-over-local"), json!({ "number": "K-1" })).await;
    assert_eq!((status, decision["outcome"].as_str()), (StatusCode::OK, Some("cancelled")), "{decision}");
    assert_eq!(s.get("/api/prompts").await.1["prompts"], json!([]), "the prompt left with its timeout");
    let web = s.sim.web_customer(&id).await.unwrap().unwrap();
    assert_eq!((web.last_name.as_str(), web.customer_number.as_deref()), ("Nowak", None));
    assert_eq!(error(&s.post("/api/prompts/1", json!({ "choice": "continue" })).await), (404, "not-found", None));
}

#[tokio::test]
async fn every_web_action_over_http() {
    let local = vec![customer(Some("K-1"), "Piotr", "Nowak")];
    let s = Arc::new(serve(local, Vec::new(), Duration::from_secs(30), None).await);
    // Take over internet info: a new local customer, linked.
    let new = listed(&s, "Ola", "Zielińska").await;
    let (status, decision) = s.post(&format!("/api/web/edits/{new}/take-over-web"), json!({})).await;
    assert_eq!((status, decision["outcome"].as_str()), (StatusCode::OK, Some("applied")), "{decision}");
    let number = decision["local"]["number"].as_str().unwrap().to_owned();
    assert_eq!(s.get(&format!("/api/customers/{number}")).await.1["web_id"], new.as_str());
    // Remove from web edit list.
    let ignored = listed(&s, "Kees", "Bakker").await;
    let (_, decision) = s.post(&format!("/api/web/edits/{ignored}/ignore"), json!({})).await;
    assert_eq!(decision["outcome"], "applied");
    let (_, list) = s.get("/api/web/edits").await;
    assert!(!list["entries"].as_array().unwrap().iter().any(|e| e["customer"]["web_id"] == ignored.as_str()));
    // Discard asks first.
    let spam = listed(&s, "Spam", "Bot").await;
    let discard = tokio::spawn({
        let (s, spam) = (s.clone(), spam.clone());
        async move { s.post(&format!("/api/web/edits/{spam}/discard"), json!({})).await }
    });
    let prompts = s.prompts("en").await;
    let proceed = prompts[0]["choices"].as_array().unwrap().iter().find(|c| c["id"] != "cancel").unwrap()["id"].clone();
    s.post(&format!("/api/prompts/{}", prompts[0]["id"]), json!({ "choice": proceed })).await;
    let (_, decision) = discard.await.unwrap();
    assert_eq!(decision["outcome"], "applied", "{decision}");
    assert!(s.sim.web_customer(&spam).await.unwrap().is_none(), "deleted on the web");
    // A local edit of the linked customer: on the local edit list, then pushed.
    let (status, _) =
        s.call(Method::PATCH, &format!("/api/customers/{number}"), Some(json!({ "city": "Poznań" }))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, edits) = s.get("/api/web/local-edits").await;
    assert_eq!(status, StatusCode::OK, "{edits}");
    assert_eq!(edits[0]["edit"]["customer"]["number"], number.as_str());
    assert_eq!(edits[0]["web"]["web_id"], new.as_str());
    let (_, decision) = s.post(&format!("/api/web/local-edits/{number}/push"), json!({})).await;
    assert_eq!(decision["outcome"], "applied", "{decision}");
    assert_eq!(s.sim.web_customer(&new).await.unwrap().unwrap().city.as_deref(), Some("Poznań"));
    // Another edit, dropped from the list: the web keeps its city.
    s.call(Method::PATCH, &format!("/api/customers/{number}"), Some(json!({ "city": "Gniezno" }))).await;
    s.get("/api/web/local-edits").await;
    let (_, decision) = s.post(&format!("/api/web/local-edits/{number}/drop"), json!({})).await;
    assert_eq!(decision["outcome"], "applied", "{decision}");
    assert_eq!(s.get("/api/web/local-edits").await.1, json!([]));
    assert_eq!(s.sim.web_customer(&new).await.unwrap().unwrap().city.as_deref(), Some("Poznań"));
    assert_eq!(error(&s.post(&format!("/api/web/local-edits/{number}/push"), json!({})).await).0, 404);
    // Changed on the web after listing: refused, nothing overwritten.
    let changed = listed(&s, "Jan", "Smit").await;
    let edit =
        WebCustomerFields { first_name: "Johan".into(), last_name: "Smit".into(), ..WebCustomerFields::default() };
    s.sim.edit_web_customer(&changed, edit).await.unwrap();
    let answer = s.post(&format!("/api/web/edits/{changed}/take-over-web"), json!({})).await;
    assert_eq!(error(&answer), (409, "changed", None));
    // The web shop down: nothing changes, and the list stays.
    s.sim.set_webshop_fault(Fault::new(FaultMode::Down)).await.unwrap();
    let answer = s.post(&format!("/api/web/edits/{changed}/take-over-web"), json!({})).await;
    assert_eq!(error(&answer), (502, "unavailable", None));
    let (status, list) = s.get("/api/web/edits").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list["refresh_error"].is_string(), "{list}");
    assert!(list["entries"].as_array().unwrap().iter().any(|e| e["customer"]["web_id"] == changed.as_str()));
}

#[tokio::test]
async fn status_and_reload() {
    let s = plain().await;
    let (status, body) = s.get("/api/status").await;
    assert_eq!(status, StatusCode::OK);
    let slots: Vec<&str> = body["slots"].as_array().unwrap().iter().map(|s| s["slot"].as_str().unwrap()).collect();
    assert_eq!(slots, vec!["search-policy", "notification-texts", "web-merge-rules", "erp-connector"]);
    let (status, reload) = s.post("/api/reload", json!({})).await;
    assert_eq!((status, reload["outcome"].as_str()), (StatusCode::OK, Some("unchanged")), "{reload}");
}

impl Served {
    /// Starts a synchronization and follows it to its end: its report, or why it stopped.
    pub(crate) async fn sync(&self) -> Value {
        let (status, started) = self.post("/api/sync", json!({})).await;
        assert_eq!((status, started["kind"].as_str()), (StatusCode::ACCEPTED, Some("sync")), "{started}");
        self.finished(&started).await
    }
}

#[tokio::test]
async fn a_synchronization_is_an_operation_that_keeps_what_the_erp_refuses() {
    let erp = (1..=5).map(|i| AdminCustomer::new(&format!("E-{i:04}"), "Jan", "Nowak")).collect();
    let s = serve(vec![customer(Some("K-1"), "Jan", "Nowak")], erp, Duration::from_secs(30), None).await;
    let synced = s.sync().await;
    assert_eq!(
        (synced["report"]["customers"].clone(), synced["error"].clone()),
        (Value::Null, Value::Null),
        "local-only"
    );
    assert_eq!(s.get("/api/customers/E-0001").await.0, StatusCode::NOT_FOUND);
    let policy = std::fs::read_to_string(&s.policy).unwrap();
    std::fs::write(&s.policy, policy.replace("locale = \"en\"", "locale = \"en\"\ncustomers.mode = \"sync-all\""))
        .unwrap();
    assert_eq!(s.post("/api/reload", json!({})).await.1["outcome"], "applied");
    let synced = s.sync().await;
    assert_eq!(synced["report"]["customers"]["listed"], 5, "{synced}");
    assert_eq!(s.get("/api/customers/E-0001").await.0, StatusCode::OK, "sync-all keeps every ERP customer");

    s.sim.set_fault(Fault::new(FaultMode::Down)).await.unwrap();
    assert_eq!(s.call(Method::PATCH, "/api/customers/K-1", Some(json!({ "city": "Gdańsk" }))).await.0, StatusCode::OK);
    let failed = s.sync().await;
    assert!(failed["error"].is_string(), "the ERP is down: {failed}");
    s.sim.set_fault(Fault::new(FaultMode::None)).await.unwrap();
    let synced = s.sync().await;
    // The ERP never had K-1: it refuses the update, which is parked with the reason.
    let report = &synced["report"];
    let delivered = report["sent"].as_u64().unwrap() + report["parked"].as_u64().unwrap();
    assert_eq!((delivered, report["stopped"].clone()), (1, Value::Null), "{synced}");

    s.sim.set_fault(Fault::new(FaultMode::Slow { delay_ms: 20_000 })).await.unwrap();
    let (_, started) = s.post("/api/sync", json!({})).await;
    let (status, cancelled) =
        s.post(&format!("/api/operations/{}/cancel", started["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["cancelled"].as_bool()),
        (Some("done"), Some(true)),
        "{cancelled}"
    );
    assert!(cancelled["error"].as_str().unwrap().starts_with("cancelled"), "{cancelled}");
}

#[tokio::test]
async fn requests_follow_the_policy_as_it_is_now() {
    let s = plain().await;
    let session = s.session().await;
    let local = format!("/api/search/sessions/{session}/local");
    let (_, screen) = s.post(&local, json!({ "phrase": "Nobody" })).await;
    assert_eq!(
        (screen["notice"]["key"].as_str(), screen["search_button"].as_str()),
        (Some("local-no-results"), Some("suggested"))
    );
    let english = screen["notice"]["text"].clone();
    let policy = std::fs::read_to_string(&s.policy).unwrap();
    let reload_with = |host: &str| {
        std::fs::write(&s.policy, policy.replace("locale = \"en\"", host)).unwrap();
        s.post("/api/reload", json!({}))
    };
    assert_eq!(reload_with("locale = \"nl\"").await.1["outcome"], "applied");
    assert_eq!(s.get("/api/settings").await.1["locale"], "nl");
    let (_, screen) = s.post(&local, json!({ "phrase": "Nobody" })).await;
    assert_eq!(screen["notice"]["key"], "local-no-results");
    assert_ne!(screen["notice"]["text"], english, "the same session speaks Dutch now: {screen}");
    let (_, nl) = s.get("/api/settings").await;
    assert_eq!(nl["online_search"], true);
    assert_eq!(reload_with("locale = \"nl\"\nerp.online-search = false").await.1["outcome"], "applied");
    let (_, screen) = s.post(&local, json!({ "phrase": "Nobody" })).await;
    assert_eq!((screen["search_button"].as_str(), &screen["notice"]), (Some("hidden"), &Value::Null), "{screen}");
    let (_, prompts) = s.get("/api/prompts?locale=pl").await;
    assert_eq!(prompts["prompts"], json!([]));
}

#[tokio::test]
async fn texts_are_rendered_by_the_plugin_serving_now() {
    let s = plain().await;
    let args = json!({ "web-last-name": "Jansen", "local-last-name": "de Vries" });
    let (status, text) =
        s.post("/api/texts?locale=nl", json!({ "key": "existing-customer-overwritten", "args": args })).await;
    assert_eq!((status, text["decided_by"].as_str()), (StatusCode::OK, Some("notification_texts")), "{text}");
    let words = text["text"].as_str().unwrap();
    assert!(words.contains("Jansen") && words.contains("de Vries"), "{words}");
    assert_eq!(error(&s.post("/api/texts", json!({ "key": " " })).await), (422, "invalid", Some("key")));
    assert_eq!(
        error(&s.post("/api/texts", json!({ "key": "x", "args": ["a"] })).await),
        (400, "malformed", Some("args"))
    );
}

/// The outbox entries waiting to go to the ERP.
async fn queued(s: &Served) -> i64 {
    s.host.store().read(|conn| conn.query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))).await.unwrap()
}

#[tokio::test]
async fn names_that_show_nothing_or_read_reversed_are_refused_and_an_empty_edit_changes_nothing() {
    let s = serve(vec![customer(Some("K-1"), "Jan", "Nowak")], vec![], Duration::from_secs(30), None).await;
    let before = s.host.customer("K-1").await.unwrap().unwrap();
    let patch = |body: Value| s.call(Method::PATCH, "/api/customers/K-1", Some(body));
    for invisible in ["\u{feff}", "\u{200b}", " \u{200b}\u{2060} ", "\u{00ad}"] {
        let answer = patch(json!({ "last_name": invisible })).await;
        assert_eq!(error(&answer), (422, "invalid", Some("last_name")), "{invisible:?}: {}", answer.1);
    }
    let reversed = patch(json!({ "city": "\u{202e}ksńadG" })).await;
    assert_eq!(error(&reversed), (422, "invalid", Some("city")), "{}", reversed.1);
    assert!(reversed.1["error"].as_str().unwrap().contains("U+202E"), "{}", reversed.1);
    let isolate = patch(json!({ "first_name": "Jan\u{2067}" })).await;
    assert_eq!(error(&isolate), (422, "invalid", Some("first_name")));

    let (status, same) = patch(json!({})).await;
    assert_eq!(status, StatusCode::OK, "{same}");
    let (status, _) = patch(json!({ "city": "Kraków" })).await;
    assert_eq!(status, StatusCode::OK, "the city it already has");
    assert_eq!(s.host.customer("K-1").await.unwrap().unwrap(), before, "nothing changed");
    assert_eq!(queued(&s).await, 0, "nothing is sent to the ERP for an edit that changes nothing");
}

#[tokio::test]
async fn a_full_session_table_says_so_and_keeps_every_session_working() {
    let s = plain().await;
    let mut sessions = Vec::new();
    for _ in 0..64 {
        sessions.push(s.session().await);
    }
    let response = s.api(&s.client, Method::POST, "/api/search/sessions").json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "60");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["kind"], "too-many-sessions", "{body}");
    assert!(body["error"].as_str().unwrap().contains("DELETE /api/search/sessions/"), "{body}");
    for session in &sessions {
        let (status, screen) = s.get(&format!("/api/search/sessions/{session}")).await;
        assert_eq!(status, StatusCode::OK, "{session} still answers: {screen}");
    }
    let (status, _) = s.call(Method::DELETE, &format!("/api/search/sessions/{}", sessions[0]), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, closed) = s.get(&format!("/api/search/sessions/{}", sessions[0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(closed["error"].as_str().unwrap().contains("its client closed it"), "{closed}");
    s.session().await;
}

#[tokio::test]
async fn a_database_locked_by_another_program_is_busy_with_retry_after() {
    let s = serve(vec![customer(Some("K-1"), "Jan", "Nowak")], vec![], Duration::from_secs(30), None).await;
    let path = s.host.store().path();
    let other = rusqlite::Connection::open(path).unwrap();
    encryption::protection(path, &KeySetting::Default).unwrap().unlock(&other, path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let response =
        s.api(&s.client, Method::PATCH, "/api/customers/K-1").json(&json!({ "city": "Gdańsk" })).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["kind"], "busy", "{body}");
    other.execute_batch("COMMIT").unwrap();
    assert_eq!(s.host.customer("K-1").await.unwrap().unwrap().city.as_deref(), Some("Kraków"), "nothing changed");
    let (status, edited) = s.call(Method::PATCH, "/api/customers/K-1", Some(json!({ "city": "Gdańsk" }))).await;
    assert_eq!((status, edited["city"].as_str()), (StatusCode::OK, Some("Gdańsk")));
}
