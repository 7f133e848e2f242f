//! The simulator's web shop against its contract (`docs/webshop-api.md`), over loopback
//! HTTP: the registrations feed, reading and writing web customers with `If-Match` and
//! `Idempotency-Key`, faults apart from the ERP's, seeding and the admin API.

use pos_tests::sim::{self, Fault, FaultMode, SimConfig, Simulator, WebCustomerFields, fold};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A simulator with 30 customers and `web` web customers from seed 7.
async fn simulator(web: u64) -> Simulator {
    start(SimConfig { web_customers: web, ..SimConfig::new(30, 7) }).await
}

async fn start(config: SimConfig) -> Simulator {
    sim::start(config).await.expect("the simulator starts")
}

fn client() -> Client {
    Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().expect("the client builds")
}

/// A web shop request from workstation `POS-01`.
fn shop(sim: &Simulator, method: Method, path: &str) -> RequestBuilder {
    client().request(method, format!("{}{path}", sim.webshop_url())).header("X-Workstation", "POS-01")
}

/// Sends `request` and returns the status and the JSON body (`null` when empty).
async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("the request is answered");
    let status = response.status();
    let bytes = response.bytes().await.expect("the body arrives");
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("the body is JSON") };
    (status, body)
}

async fn get(sim: &Simulator, path: &str) -> (StatusCode, Value) {
    send(shop(sim, Method::GET, path)).await
}

/// A write with `Idempotency-Key: key` and, if given, `If-Match: "<version>"`.
fn write(sim: &Simulator, method: Method, path: &str, key: &str, version: Option<i64>) -> RequestBuilder {
    let request = shop(sim, method, path).header("Idempotency-Key", key);
    match version {
        Some(version) => request.header("If-Match", format!("\"{version}\"")),
        None => request,
    }
}

fn put(sim: &Simulator, id: &str, key: &str, version: Option<i64>, body: &Value) -> RequestBuilder {
    write(sim, Method::PUT, &format!("/customers/{id}"), key, version).json(body)
}

fn put_number(sim: &Simulator, id: &str, key: &str, version: Option<i64>, number: &str) -> RequestBuilder {
    let path = format!("/customers/{id}/customer-number");
    write(sim, Method::PUT, &path, key, version).json(&json!({ "customer_number": number }))
}

fn delete(sim: &Simulator, id: &str, key: &str, version: Option<i64>) -> RequestBuilder {
    write(sim, Method::DELETE, &format!("/customers/{id}"), key, version)
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

/// The ids of a feed page's changes.
fn ids(feed: &Value) -> Vec<String> {
    changes(feed).iter().map(|c| c["id"].as_str().expect("an id").to_owned()).collect()
}

fn changes(feed: &Value) -> &Vec<Value> {
    feed["changes"].as_array().expect("a list of changes")
}

/// A web customer body as the host sends it: the object without the fields the shop sets.
fn body_of(customer: &Value) -> Value {
    let mut body = customer.clone();
    for field in ["id", "version", "registered_at", "updated_at"] {
        body.as_object_mut().unwrap().remove(field);
    }
    body
}

fn anna() -> WebCustomerFields {
    WebCustomerFields {
        email: Some("anna.kowalska@example.pl".into()),
        phone: Some("+48 601 234 567".into()),
        street: Some("ul. Długa 5".into()),
        postal_code: Some("31-147".into()),
        city: Some("Kraków".into()),
        country: Some("PL".into()),
        ..WebCustomerFields::new("Anna", "Kowalska-Nowak")
    }
}

#[tokio::test]
async fn the_feed_pages_with_a_cursor() {
    let sim = simulator(25).await;
    let (status, first) = get(&sim, "/registrations?since=0&limit=10").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(ids(&first)[..2], ["W-000001", "W-000002"]);
    assert_eq!((first["next"].clone(), first["has_more"].clone()), (json!(10), json!(true)));
    let (_, second) = get(&sim, "/registrations?since=10&limit=10").await;
    assert_eq!((second["next"].clone(), second["has_more"].clone()), (json!(20), json!(true)));
    let (_, last) = get(&sim, "/registrations?since=20&limit=10").await;
    assert_eq!(ids(&last), ["W-000021", "W-000022", "W-000023", "W-000024", "W-000025"]);
    assert_eq!((last["next"].clone(), last["has_more"].clone()), (json!(25), json!(false)));

    // The default limit (100) takes all, each a change of the customer in its current state.
    let (_, all) = get(&sim, "/registrations?since=0").await;
    assert_eq!(all["has_more"], false);
    let customers: Vec<Value> = changes(&all).iter().map(|c| c["customer"].clone()).collect();
    assert_eq!(customers, serde_json::to_value(sim.web_customers().await.unwrap()).unwrap().as_array().unwrap()[..]);
    for change in changes(&all) {
        assert_eq!(change["version"], change["customer"]["version"]);
        assert_eq!(change["id"], change["customer"]["id"]);
        assert!(change["deleted_at"].is_null());
    }
    let (_, empty) = get(&sim, "/registrations?since=25").await;
    assert_eq!(empty, json!({ "changes": [], "next": 25, "has_more": false }));

    for (path, named) in [
        ("/registrations?since=0&limit=0", "limit"),
        ("/registrations?since=0&limit=1001", "limit"),
        ("/registrations?since=-1", "since"),
        ("/registrations", "since"),
        ("/registrations?since=0&after=3", "after"),
    ] {
        let (status, body) = get(&sim, path).await;
        assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{path}");
        assert!(message(&body).contains(named), "{path}: {body}");
    }
    let anonymous = client().get(format!("{}/registrations?since=0", sim.webshop_url()));
    let (status, body) = send(anonymous).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("X-Workstation"), "{body}");
    let (status, body) = get(&sim, "/registrations/all").await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn the_feed_is_compacted_and_has_tombstones() {
    let sim = simulator(5).await;
    let edited = WebCustomerFields { city: Some("Gdańsk".into()), ..anna() };
    sim.edit_web_customer("W-000002", anna()).await.unwrap();
    let twice = sim.edit_web_customer("W-000002", edited).await.unwrap();
    assert_eq!(twice.version, 7);
    sim.delete_web_customer("W-000003").await.unwrap();

    let (_, feed) = get(&sim, "/registrations?since=5").await;
    assert_eq!(ids(&feed), ["W-000002", "W-000003"], "changed twice, listed once");
    let [edit, tombstone] = &changes(&feed)[..] else { panic!("two changes: {feed}") };
    assert_eq!(edit["version"], 7);
    assert_eq!(edit["customer"], serde_json::to_value(&twice).unwrap());
    assert_eq!(edit["customer"]["city"], "Gdańsk");
    assert_eq!(tombstone["version"], 8);
    assert!(tombstone["deleted_at"].is_i64(), "{tombstone}");
    assert!(tombstone["customer"].is_null());
    assert_eq!(feed["next"], 8);
    let (_, from_start) = get(&sim, "/registrations?since=0").await;
    assert_eq!(ids(&from_start), ["W-000001", "W-000004", "W-000005", "W-000002", "W-000003"]);

    let (status, body) = get(&sim, "/customers/W-000003").await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(sim.web_customer("W-000003").await.unwrap(), None);
    let live: Vec<String> = sim.web_customers().await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(live, ["W-000001", "W-000002", "W-000004", "W-000005"]);

    // A registration on the web is the next change, under the next id.
    let registered = sim.register_web_customer(WebCustomerFields::new("Zoë", "de Vries")).await.unwrap();
    assert_eq!((registered.id.as_str(), registered.version), ("W-000006", 9));
    assert_eq!(registered.registered_at, registered.updated_at);
    let (_, feed) = get(&sim, "/registrations?since=8").await;
    assert_eq!(ids(&feed), ["W-000006"]);
    assert_eq!(feed["changes"][0]["customer"], serde_json::to_value(&registered).unwrap());
    assert_eq!(feed["changes"][0]["customer"]["customer_number"], Value::Null);
}

#[tokio::test]
async fn expired_cursors_get_410() {
    let sim = simulator(5).await;
    sim.delete_web_customer("W-000001").await.unwrap();
    assert_eq!(sim.expire_webshop_cursors().await.unwrap(), 6);
    for since in [3, 5, 7] {
        let (status, body) = get(&sim, &format!("/registrations?since={since}")).await;
        assert_eq!((status, error_code(&body)), (StatusCode::GONE, "cursor_expired"), "since={since}");
    }
    // Listing again from 0 works: every live customer, without the dropped tombstone.
    let (status, body) = get(&sim, "/registrations?since=0").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&body), ["W-000002", "W-000003", "W-000004", "W-000005"]);
    let (_, body) = get(&sim, "/registrations?since=6").await;
    assert_eq!(body, json!({ "changes": [], "next": 6, "has_more": false }));
    // The ERP's feed is another system's.
    let erp = client().get(format!("{}/changes?since=1", sim.erp_url())).header("X-Workstation", "POS-01");
    assert_eq!(send(erp).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_web_customer_is_read_with_its_etag() {
    let sim = simulator(3).await;
    let response = shop(&sim, Method::GET, "/customers/W-000002").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::to_value(sim.web_customer("W-000002").await.unwrap().unwrap()).unwrap());
    for field in ["id", "first_name", "last_name", "version", "registered_at", "updated_at", "customer_number"] {
        assert!(body.get(field).is_some(), "{field} in {body}");
    }
    let (status, body) = get(&sim, "/customers/W-999999").await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let anonymous = client().get(format!("{}/customers/W-000002", sim.webshop_url()));
    assert_eq!(send(anonymous).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn puts_need_the_current_version() {
    let sim = simulator(0).await;
    let anna = sim.register_web_customer(anna()).await.unwrap();
    let (_, current) = get(&sim, "/customers/W-000001").await;
    let mut changed = body_of(&current);
    changed["customer_number"] = json!("K-0000017");
    changed["last_name"] = json!("Kowalska");

    let (status, body) = send(put(&sim, "W-000001", "p-1", None, &changed)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::PRECONDITION_REQUIRED, "precondition_required"));
    let (status, body) = send(put(&sim, "W-000001", "p-1", Some(5), &changed)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::PRECONDITION_FAILED, "version_mismatch"));
    assert_eq!(get(&sim, "/customers/W-000001").await.1, current, "a 412 changes nothing");
    assert_eq!(sim.webshop_state().await.unwrap().version, 1);
    let (status, body) = send(put(&sim, "W-999999", "p-1", Some(1), &changed)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));

    let response = put(&sim, "W-000001", "p-1", Some(1), &changed).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let updated: Value = response.json().await.unwrap();
    assert_eq!(body_of(&updated), changed);
    assert_eq!((updated["id"].clone(), updated["version"].clone()), (json!("W-000001"), json!(2)));
    assert_eq!(updated["registered_at"], anna.registered_at);
    assert!(updated["updated_at"].as_i64().unwrap() >= anna.updated_at);

    // The same request again is answered as the first time; another one with the key is not.
    let (status, replayed) = send(put(&sim, "W-000001", "p-1", Some(1), &changed)).await;
    assert_eq!((status, &replayed), (StatusCode::OK, &updated));
    assert_eq!(sim.webshop_state().await.unwrap().version, 2, "written once");
    let mut other = changed.clone();
    other["city"] = json!("Gdańsk");
    let (status, body) = send(put(&sim, "W-000001", "p-1", Some(1), &other)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_conflict"));
    let (status, body) = send(put(&sim, "W-000001", "p-1", Some(2), &changed)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_conflict"));
    let (status, _) = send(put(&sim, "W-000001", "p-2", Some(2), &other)).await;
    assert_eq!(status, StatusCode::OK);

    let with = |field: &str, value: Value| {
        let mut body = changed.clone();
        body[field] = value;
        body
    };
    let mut without_last_name = changed.clone();
    without_last_name.as_object_mut().unwrap().remove("last_name");
    for (body, named) in [
        (with("nickname", json!("Ania")), "nickname"),
        (with("id", json!("W-000001")), "id"),
        (with("version", json!(3)), "version"),
        (without_last_name, "last_name"),
        (with("last_name", json!("  ")), "last_name"),
        (with("first_name", Value::Null), "first_name"),
        (with("phone", json!(601234567)), "phone"),
        (with("city", json!("Kra\u{7}ków")), "city"),
        (with("street", json!("ul. Długa ".repeat(30))), "street"),
        (with("customer_number", json!("")), "customer_number"),
    ] {
        let (status, response) = send(put(&sim, "W-000001", "p-3", Some(3), &body)).await;
        assert_eq!((status, error_code(&response)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");
        assert!(message(&response).contains(&format!("`{named}`")), "{named}: {response}");
    }
    let not_json = put(&sim, "W-000001", "p-3", Some(3), &json!(null)).body("{not json");
    let no_key = shop(&sim, Method::PUT, "/customers/W-000001").header("If-Match", "\"3\"").json(&changed);
    let no_workstation = client()
        .put(format!("{}/customers/W-000001", sim.webshop_url()))
        .header("If-Match", "\"3\"")
        .header("Idempotency-Key", "p-3")
        .json(&changed);
    for (request, named) in [(not_json, "JSON"), (no_key, "Idempotency-Key"), (no_workstation, "X-Workstation")] {
        let (status, body) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(message(&body).contains(named), "{body}");
    }
    assert_eq!(sim.webshop_state().await.unwrap().version, 3, "nothing invalid was written");

    let received = sim.webshop_received_writes().await.unwrap();
    let seen: Vec<(&str, Option<&str>, u16, bool)> =
        received.iter().map(|w| (w.idempotency_key.as_str(), w.if_match.as_deref(), w.status, w.replay)).collect();
    assert_eq!(
        seen,
        [
            ("p-1", Some("\"5\""), 412, false),
            ("p-1", Some("\"1\""), 404, false),
            ("p-1", Some("\"1\""), 200, false),
            ("p-1", Some("\"1\""), 200, true),
            ("p-1", Some("\"1\""), 422, false),
            ("p-1", Some("\"2\""), 422, false),
            ("p-2", Some("\"2\""), 200, false),
        ]
    );
    assert!(received.iter().all(|w| w.method == "PUT" && w.workstation == "POS-01"));
    assert_eq!((received[2].path.as_str(), received[2].web_id.as_str()), ("/customers/W-000001", "W-000001"));
    assert_eq!(received[2].body, changed);
    assert_eq!(received[2].response, updated);
}

#[tokio::test]
async fn a_customer_number_belongs_to_one_web_customer() {
    let sim = simulator(0).await;
    let linked = WebCustomerFields { customer_number: Some("K-0000001".into()), ..anna() };
    sim.register_web_customer(linked).await.unwrap();
    let other = sim.register_web_customer(WebCustomerFields::new("Jan", "Kowalski")).await.unwrap();
    assert_eq!(other.id, "W-000002");

    let mut body = body_of(&get(&sim, "/customers/W-000002").await.1);
    body["customer_number"] = json!("K-0000001");
    let (status, response) = send(put(&sim, "W-000002", "n-1", Some(2), &body)).await;
    assert_eq!((status, error_code(&response)), (StatusCode::CONFLICT, "number_taken"));
    assert!(message(&response).contains("W-000001"), "{response}");
    let (status, response) = send(put_number(&sim, "W-000002", "n-2", Some(2), "K-0000001")).await;
    assert_eq!((status, error_code(&response)), (StatusCode::CONFLICT, "number_taken"));
    assert_eq!(sim.web_customer("W-000002").await.unwrap().unwrap(), other, "a 409 changes nothing");

    // Assigning the number changes nothing else.
    let (status, numbered) = send(put_number(&sim, "W-000002", "n-3", Some(2), "K-0000002")).await;
    assert_eq!(status, StatusCode::OK, "{numbered}");
    let mut expected = serde_json::to_value(&other).unwrap();
    expected["customer_number"] = json!("K-0000002");
    expected["version"] = json!(3);
    expected["updated_at"] = numbered["updated_at"].clone();
    assert_eq!(numbered, expected);
    let (status, replayed) = send(put_number(&sim, "W-000002", "n-3", Some(2), "K-0000002")).await;
    assert_eq!((status, replayed), (StatusCode::OK, numbered));
    let (status, response) = send(put_number(&sim, "W-000002", "n-4", Some(2), "K-0000003")).await;
    assert_eq!((status, error_code(&response)), (StatusCode::PRECONDITION_FAILED, "version_mismatch"));
    let (status, response) = send(put_number(&sim, "W-000009", "n-4", Some(3), "K-0000003")).await;
    assert_eq!((status, error_code(&response)), (StatusCode::NOT_FOUND, "not_found"));
    let no_if_match = shop(&sim, Method::PUT, "/customers/W-000002/customer-number")
        .header("Idempotency-Key", "n-4")
        .json(&json!({ "customer_number": "K-0000003" }));
    assert_eq!(send(no_if_match).await.0, StatusCode::PRECONDITION_REQUIRED);
    for body in [json!({}), json!({ "customer_number": "K-1", "last_name": "X" }), json!({ "customer_number": 7 })] {
        let request = write(&sim, Method::PUT, "/customers/W-000002/customer-number", "n-5", Some(3)).json(&body);
        let (status, response) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(message(&response).contains('`'), "names the field: {response}");
    }

    // A closed account's number is free again.
    sim.delete_web_customer("W-000001").await.unwrap();
    let (status, _) = send(put_number(&sim, "W-000002", "n-6", Some(3), "K-0000001")).await;
    assert_eq!(status, StatusCode::OK);
    let taken = WebCustomerFields { customer_number: Some("K-0000001".into()), ..anna() };
    let error = sim.register_web_customer(taken).await.unwrap_err();
    assert!(error.to_string().contains("number_taken"), "{error}");
}

#[tokio::test]
async fn deletes_leave_tombstones() {
    let sim = simulator(2).await;
    let (status, body) = send(delete(&sim, "W-000001", "d-1", None)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::PRECONDITION_REQUIRED, "precondition_required"));
    let (status, body) = send(delete(&sim, "W-000001", "d-1", Some(2))).await;
    assert_eq!((status, error_code(&body)), (StatusCode::PRECONDITION_FAILED, "version_mismatch"));
    assert!(sim.web_customer("W-000001").await.unwrap().is_some());
    let no_key = shop(&sim, Method::DELETE, "/customers/W-000001").header("If-Match", "\"1\"");
    assert_eq!(send(no_key).await.0, StatusCode::BAD_REQUEST);

    let response = delete(&sim, "W-000001", "d-1", Some(1)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    assert_eq!(send(delete(&sim, "W-000001", "d-1", Some(1))).await, (StatusCode::NO_CONTENT, Value::Null));
    let (status, body) = send(delete(&sim, "W-000001", "d-2", Some(1))).await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(get(&sim, "/customers/W-000001").await.0, StatusCode::NOT_FOUND);

    let (_, feed) = get(&sim, "/registrations?since=2").await;
    assert_eq!(ids(&feed), ["W-000001"]);
    assert_eq!(feed["changes"][0]["version"], 3);
    assert!(feed["changes"][0]["deleted_at"].is_i64());
    assert!(feed["changes"][0]["customer"].is_null());
    let done: Vec<(u16, bool)> =
        sim.webshop_received_writes().await.unwrap().iter().map(|w| (w.status, w.replay)).collect();
    assert_eq!(done, [(412, false), (204, false), (204, true), (404, false)]);
    assert_eq!(sim.webshop_state().await.unwrap().version, 3, "deleted once");
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_done_once() {
    let sim = simulator(2).await;
    let mut body = body_of(&get(&sim, "/customers/W-000001").await.1);
    body["customer_number"] = json!("K-0000005");
    sim.set_webshop_fault(Fault::new(FaultMode::Drop).on_paths(&["/customers"])).await.unwrap();
    let response = put(&sim, "W-000001", "lost-1", Some(1), &body).send().await.unwrap();
    assert!(response.bytes().await.is_err(), "the answer is cut off");
    let error = delete(&sim, "W-000002", "lost-2", Some(2)).send().await.expect_err("a 204 is not sent at all");
    assert!(!error.is_timeout(), "{error:?}");
    sim.set_webshop_fault(Fault::none()).await.unwrap();
    assert_eq!(sim.webshop_state().await.unwrap().version, 4, "both writes were carried out");

    // The retries get the first answers, not a 412 caused by their own success.
    let (status, updated) = send(put(&sim, "W-000001", "lost-1", Some(1), &body)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!((updated["version"].clone(), updated["customer_number"].clone()), (json!(3), json!("K-0000005")));
    assert_eq!(send(delete(&sim, "W-000002", "lost-2", Some(2))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(sim.webshop_state().await.unwrap().version, 4, "each written once");
    let done: Vec<(String, bool)> =
        sim.webshop_received_writes().await.unwrap().into_iter().map(|w| (w.idempotency_key, w.replay)).collect();
    let expected = [("lost-1", false), ("lost-2", false), ("lost-1", true), ("lost-2", true)];
    assert_eq!(done, expected.map(|(key, replay)| (key.to_owned(), replay)));
}

/// Whether the web shop API answers `GET /health` with `200`.
async fn webshop_healthy(sim: &Simulator) -> bool {
    match shop(sim, Method::GET, "/health").send().await {
        Ok(response) => response.status() == StatusCode::OK && response.json::<Value>().await.is_ok(),
        Err(_) => false,
    }
}

/// Whether the ERP API answers `GET /health` with `200`.
async fn erp_healthy(sim: &Simulator) -> bool {
    let request = client().get(format!("{}/health", sim.erp_url())).header("X-Workstation", "POS-01");
    match request.send().await {
        Ok(response) => response.status() == StatusCode::OK && response.json::<Value>().await.is_ok(),
        Err(_) => false,
    }
}

#[tokio::test]
async fn faults_of_one_api_leave_the_other_answering() {
    let sim = simulator(3).await;
    assert!(webshop_healthy(&sim).await && erp_healthy(&sim).await);
    let modes = [
        FaultMode::Down,
        FaultMode::Refuse,
        FaultMode::Slow { delay_ms: 300 },
        FaultMode::Error { status: 500 },
        FaultMode::Malformed { body: None },
        FaultMode::Drop,
    ];
    for mode in modes.clone() {
        sim.set_webshop_fault(Fault::new(mode.clone())).await.unwrap();
        assert_eq!(sim.webshop_fault(), Fault::new(mode.clone()));
        assert_eq!(sim.fault(), Fault::none());
        let started = Instant::now();
        let healthy = webshop_healthy(&sim).await;
        match mode {
            FaultMode::Slow { .. } => assert!(healthy && started.elapsed() >= Duration::from_millis(300)),
            _ => assert!(!healthy, "{mode:?}"),
        }
        assert!(erp_healthy(&sim).await, "the ERP answers while the web shop has {mode:?}");
        sim.set_webshop_fault(Fault::none()).await.unwrap();
        assert!(webshop_healthy(&sim).await, "{mode:?} is switched off");
    }
    for mode in modes {
        sim.set_fault(Fault::new(mode.clone())).await.unwrap();
        assert_eq!(sim.webshop_fault(), Fault::none());
        assert!(webshop_healthy(&sim).await, "the web shop answers while the ERP has {mode:?}");
        let (status, feed) = get(&sim, "/registrations?since=0").await;
        assert_eq!((status, ids(&feed).len()), (StatusCode::OK, 3));
        sim.set_fault(Fault::none()).await.unwrap();
    }
}

#[tokio::test]
async fn web_shop_faults_answer_as_configured() {
    let sim = simulator(3).await;
    sim.set_webshop_fault(Fault::new(FaultMode::Down)).await.unwrap();
    for path in ["/health", "/registrations?since=0", "/customers/W-000001"] {
        let (status, body) = get(&sim, path).await;
        assert_eq!((status, error_code(&body)), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"), "{path}");
    }
    sim.set_webshop_fault(Fault::new(FaultMode::Error { status: 502 }).on_paths(&["/registrations"])).await.unwrap();
    assert_eq!(get(&sim, "/registrations?since=0").await.0, StatusCode::BAD_GATEWAY);
    assert_eq!(get(&sim, "/customers/W-000001").await.0, StatusCode::OK);

    sim.set_webshop_fault(Fault::new(FaultMode::Malformed { body: None })).await.unwrap();
    let response = shop(&sim, Method::GET, "/registrations?since=0").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.json::<Value>().await.is_err());
    let wrong_types = r#"{"changes": "none", "next": "later", "has_more": 1}"#;
    sim.set_webshop_fault(Fault::new(FaultMode::Malformed { body: Some(wrong_types.into()) })).await.unwrap();
    assert_eq!(get(&sim, "/registrations?since=0").await.1["changes"], "none");

    sim.set_webshop_fault(Fault::new(FaultMode::Drop)).await.unwrap();
    let response = shop(&sim, Method::GET, "/registrations?since=0").send().await.unwrap();
    assert!(response.content_length().unwrap() > 0);
    let error = response.bytes().await.expect_err("the body is cut off");
    assert!(error.is_body() || error.is_decode(), "{error:?}");

    // A pooled keep-alive connection is cut too, and the port serves again after.
    sim.set_webshop_fault(Fault::none()).await.unwrap();
    let url = sim.webshop_url();
    let client = client();
    let health = || client.get(format!("{url}/health")).header("X-Workstation", "POS-01");
    assert_eq!(health().send().await.unwrap().status(), StatusCode::OK);
    sim.set_webshop_fault(Fault::new(FaultMode::Refuse)).await.unwrap();
    let error = health().send().await.expect_err("the connection is refused");
    assert!(error.is_connect(), "{error:?}");
    sim.set_webshop_fault(Fault::none()).await.unwrap();
    assert_eq!(sim.webshop_url(), url);
    assert_eq!(health().send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_web_customers() {
    let config = SimConfig { web_customers: 20, ..SimConfig::new(100, 7) };
    let (a, b) = (start(config.clone()).await, start(config.clone()).await);
    let other = start(SimConfig { seed: 8, ..config }).await;
    let first = a.web_customers().await.unwrap();
    assert_eq!(first, b.web_customers().await.unwrap());
    assert_ne!(first, other.web_customers().await.unwrap());
    assert_eq!(a.seeded_web_customers(), 20);
    let ids: Vec<&str> = first.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids[..3], ["W-000001", "W-000002", "W-000003"]);
    assert!(first.iter().enumerate().all(|(i, c)| c.version == i as i64 + 1));
    assert_eq!(a.webshop_state().await.unwrap().version, 20);
    assert_eq!(a.state().await.unwrap().version, 100, "the ERP's versions are its own");

    // Linked web customers carry the number of an ERP customer of the same name.
    let mut linked = 0;
    for seed in [7, 8] {
        let sim = if seed == 7 { &a } else { &other };
        for web in sim.web_customers().await.unwrap() {
            let Some(number) = web.customer_number else { continue };
            let erp = sim.customer(&number).await.unwrap().expect("the number is an ERP customer's").customer;
            assert_eq!(fold(&erp.last_name), fold(&web.last_name));
            linked += 1;
        }
    }
    assert!(linked > 0, "some web customers are linked");
}

#[tokio::test]
async fn an_existing_data_file_keeps_its_web_customers() {
    let dir = tempfile::tempdir().unwrap();
    let config = SimConfig { data: Some(dir.path().join("sim.sqlite")), web_customers: 4, ..SimConfig::new(20, 7) };
    let first = start(config.clone()).await;
    first.register_web_customer(WebCustomerFields::new("Harry", "Brontë")).await.unwrap();
    first.shutdown().await;

    let second = start(SimConfig { web_customers: 10, ..config }).await;
    assert!(second.reused_data());
    assert_eq!(second.seeded_web_customers(), 4);
    let (status, body) = get(&second, "/customers/W-000005").await;
    assert_eq!((status, body["last_name"].clone()), (StatusCode::OK, json!("Brontë")));
    assert_eq!(second.web_customers().await.unwrap().len(), 5);
}

#[tokio::test]
async fn the_web_shop_admin_api_works_over_http() {
    let sim = simulator(0).await;
    let admin = |method: Method, path: &str| client().request(method, format!("{}{path}", sim.admin_url()));
    let customers = "/admin/webshop/customers";

    let (status, created) = send(admin(Method::POST, customers).json(&anna())).await;
    assert_eq!(
        (status, created["id"].clone(), created["version"].clone()),
        (StatusCode::CREATED, json!("W-000001"), json!(1))
    );
    let chosen = json!({ "id": "W-900000", "first_name": "Seán", "last_name": "O'Connor" });
    let (status, _) = send(admin(Method::POST, customers).json(&chosen)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = send(admin(Method::POST, customers).json(&chosen)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "conflict"));
    let (status, body) =
        send(admin(Method::POST, customers).json(&json!({ "first_name": "A", "lastname": "B" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("lastname"), "{body}");

    // An edit on the web keeps the linked number unless it names one.
    sim.edit_web_customer("W-000001", WebCustomerFields { customer_number: Some("K-0000003".into()), ..anna() })
        .await
        .unwrap();
    let edit = json!({ "first_name": "Anna", "last_name": "Nowak", "city": "Gdańsk" });
    let (status, edited) = send(admin(Method::PUT, "/admin/webshop/customers/W-000001").json(&edit)).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!((edited["version"].clone(), edited["customer_number"].clone()), (json!(4), json!("K-0000003")));
    assert_eq!((edited["phone"].clone(), edited["city"].clone()), (Value::Null, json!("Gdańsk")));
    let (status, _) = send(admin(Method::PUT, "/admin/webshop/customers/W-000404").json(&edit)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, fetched) = send(admin(Method::GET, "/admin/webshop/customers/W-000001")).await;
    assert_eq!(fetched, edited);
    let (_, list) = send(admin(Method::GET, customers)).await;
    assert_eq!(list["count"], 2);

    let (status, body) = send(admin(Method::DELETE, "/admin/webshop/customers/W-900000")).await;
    assert_eq!((status, body["version"].clone()), (StatusCode::OK, json!(5)));
    let (status, _) = send(admin(Method::DELETE, "/admin/webshop/customers/W-900000")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(admin(Method::GET, "/admin/webshop/customers/W-900000")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let fault = json!({ "mode": "down", "paths": ["/registrations"] });
    let (status, body) = send(admin(Method::POST, "/admin/webshop/fault").json(&fault)).await;
    assert_eq!((status, body["fault"].clone()), (StatusCode::OK, fault));
    assert_eq!(get(&sim, "/registrations?since=0").await.0, StatusCode::SERVICE_UNAVAILABLE);
    let (_, erp_fault) = send(admin(Method::GET, "/admin/fault")).await;
    assert_eq!(erp_fault["fault"]["mode"], "none");
    let (status, body) = send(admin(Method::POST, "/admin/webshop/fault").json(&json!({ "mode": "slow" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("delay_ms"), "{body}");
    send(admin(Method::POST, "/admin/webshop/fault").json(&json!({ "mode": "none" }))).await;
    let (_, body) = send(admin(Method::GET, "/admin/webshop/fault")).await;
    assert_eq!(body["fault"]["mode"], "none");

    let (status, body) = send(admin(Method::POST, "/admin/webshop/expire-cursors")).await;
    assert_eq!((status, body["horizon"].clone()), (StatusCode::OK, json!(5)));
    let (_, state) = send(admin(Method::GET, "/admin/webshop/state")).await;
    assert_eq!((state["version"].clone(), state["horizon"].clone()), (json!(5), json!(5)));
    send(put_number(&sim, "W-000001", "a-1", Some(4), "K-0000004")).await;
    let (_, body) = send(admin(Method::GET, "/admin/webshop/received")).await;
    assert_eq!(body["writes"].as_array().unwrap().len(), 1);
    assert_eq!(body["writes"][0]["path"], "/customers/W-000001/customer-number");
    assert_eq!(body["writes"][0]["status"], 200);
}
