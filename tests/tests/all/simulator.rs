//! The ERP simulator against its contract (`docs/erp-api.md`), over loopback HTTP: seeded
//! data, search, paging, the change feed, idempotent writes and every fault mode.

use pos_tests::sim::{self, AdminCustomer, Fault, FaultMode, SimConfig, Simulator};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A simulator with `customers` customers from seed 7.
async fn simulator(customers: u64) -> Simulator {
    start(SimConfig::new(customers, 7)).await
}

async fn start(config: SimConfig) -> Simulator {
    sim::start(config).await.expect("the simulator starts")
}

fn client() -> Client {
    Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().expect("the client builds")
}

/// An ERP request from workstation `POS-01`.
fn erp(sim: &Simulator, method: reqwest::Method, path: &str) -> RequestBuilder {
    erp_as(sim, "POS-01", method, path)
}

fn erp_as(sim: &Simulator, workstation: &str, method: reqwest::Method, path: &str) -> RequestBuilder {
    client().request(method, format!("{}{path}", sim.erp_url())).header("X-Workstation", workstation)
}

/// Sends `request` and returns the status and the JSON body.
async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("the request is answered");
    let status = response.status();
    let body = response.json().await.expect("the body is JSON");
    (status, body)
}

async fn get(sim: &Simulator, path: &str) -> (StatusCode, Value) {
    send(erp(sim, reqwest::Method::GET, path)).await
}

fn numbers(customers: &Value) -> Vec<String> {
    customers
        .as_array()
        .expect("a list of customers")
        .iter()
        .map(|c| c["number"].as_str().expect("a number").to_owned())
        .collect()
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// A customer of company "Zażółć Gęślą Jaźń", which no seeded customer matches.
fn zazolc(number: &str, first: &str, last: &str, city: &str) -> AdminCustomer {
    let mut customer = AdminCustomer::new(number, first, last);
    customer.fields.company = Some("Zażółć Gęślą Jaźń sp. z o.o.".into());
    customer.fields.city = Some(city.into());
    customer.fields.country = Some("PL".into());
    customer
}

#[tokio::test]
async fn the_same_seed_gives_the_same_customers() {
    let (a, b) = (simulator(60).await, simulator(60).await);
    let other = start(SimConfig::new(60, 8)).await;
    let (_, first) = get(&a, "/customers?limit=20").await;
    let (_, second) = get(&b, "/customers?limit=20").await;
    let (_, third) = get(&other, "/customers?limit=20").await;
    assert_eq!(first, second);
    assert_ne!(first["customers"], third["customers"]);
    assert_eq!(first["customers"][0]["number"], "K-0000001");
    assert_eq!(first["as_of"], 60);
}

#[tokio::test]
async fn search_ignores_case_and_diacritics() {
    let sim = simulator(50).await;
    for customer in [
        zazolc("K-9000001", "Łukasz", "Wójcik", "Łódź"),
        zazolc("K-9000002", "Łucja", "Wójcik", "Łódź"),
        zazolc("K-9000003", "Żaneta", "O'Brien", "'s-Hertogenbosch"),
        AdminCustomer {
            workstations: Some(vec!["POS-02".into()]),
            ..zazolc("K-9000004", "Zoë", "de Vries", "Utrecht")
        },
    ] {
        sim.upsert_customer(customer).await.unwrap();
    }
    let mut inactive = zazolc("K-9000005", "Jan", "Nowak", "Kraków");
    inactive.fields.active = Some(false);
    sim.upsert_customer(inactive).await.unwrap();

    let search = |q: &str, limit: u32| format!("/customers/search?q={q}&limit={limit}");
    let (status, body) = get(&sim, &search("ZAZOLC", 2)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(numbers(&body["customers"]), ["K-9000001", "K-9000002"]);
    assert_eq!(body["has_more"], true);
    let (_, body) = get(&sim, &search("zażółć gęś", 3)).await;
    assert_eq!(numbers(&body["customers"]).len(), 3);
    assert_eq!(body["has_more"], false);

    let (_, body) = get(&sim, &search("lukasz%20WOJ%20zaz", 10)).await;
    assert_eq!(numbers(&body["customers"]), ["K-9000001"]);
    let (_, body) = get(&sim, &search("obrien%20zazolc", 10)).await;
    assert_eq!(numbers(&body["customers"]), ["K-9000003"]);
    let (_, body) = get(&sim, &search("hertogenbosch%20zaz", 10)).await;
    assert_eq!(numbers(&body["customers"]), ["K-9000003"]);
    let (_, body) = get(&sim, &search("K-9000002", 10)).await;
    assert_eq!(numbers(&body["customers"]), ["K-9000002"]);
    let (_, body) = get(&sim, "/customers/search?q=zazolc&city=LODZ&first_name=luk").await;
    assert_eq!(numbers(&body["customers"]), ["K-9000001"]);

    // Only POS-02 may see K-9000004.
    let (_, body) = get(&sim, &search("zoe%20zazolc", 10)).await;
    assert_eq!(numbers(&body["customers"]), Vec::<String>::new());
    let request = erp_as(&sim, "POS-02", reqwest::Method::GET, &search("zoe%20zazolc", 10));
    let (_, body) = send(request).await;
    assert_eq!(numbers(&body["customers"]), ["K-9000004"]);

    for (path, named) in [
        (search("anna", 0), "limit"),
        (search("anna", 101), "limit"),
        ("/customers/search?q=%20".into(), "q"),
        ("/customers/search?q=anna&zip=1".into(), "zip"),
    ] {
        let (status, body) = get(&sim, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(error_code(&body), "bad_request");
        assert!(body["error"]["message"].as_str().unwrap().contains(named), "{body}");
    }
}

#[tokio::test]
async fn paging_lists_every_visible_customer_once() {
    let sim = start(SimConfig { workstation_share: 0.1, ..SimConfig::new(300, 7) }).await;
    let mut counts = Vec::new();
    for workstation in ["POS-01", "POS-02"] {
        let mut listed: Vec<Value> = Vec::new();
        let mut after = String::new();
        let mut totals = Vec::new();
        loop {
            let path = format!("/customers?after={after}&limit=17");
            let (status, page) = send(erp_as(&sim, workstation, reqwest::Method::GET, &path)).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert_eq!(page["as_of"], 300);
            totals.push(page["total"].as_u64().expect("a total"));
            listed.extend(page["customers"].as_array().unwrap().iter().cloned());
            match page["next_after"].as_str() {
                Some(next) => after = next.to_owned(),
                None => break,
            }
        }
        assert!(totals.iter().all(|&total| total as usize == listed.len()), "{totals:?}");
        let listed_numbers = numbers(&Value::Array(listed.clone()));
        assert!(listed_numbers.is_sorted_by(|a, b| a < b), "ascending, each once");
        let expected = sim.visible_customers(workstation, true).await.unwrap();
        assert_eq!(listed, serde_json::to_value(&expected).unwrap().as_array().unwrap().clone());
        assert!(listed.iter().all(|c| c["active"] == true));
        assert_eq!(sim.count_visible(workstation, true).await.unwrap() as usize, listed.len());
        counts.push(listed.len());
    }
    assert_ne!(counts[0], counts[1], "some customers are only available to POS-02");

    let (status, body) = get(&sim, "/customers?limit=5001").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("limit"));
}

#[tokio::test]
async fn the_change_feed_sends_changes_and_tombstones() {
    let sim = simulator(40).await;
    let (_, first) = get(&sim, "/changes?since=0&limit=25").await;
    assert_eq!(first["changes"].as_array().unwrap().len(), 25);
    assert_eq!((first["next"].clone(), first["has_more"].clone()), (json!(25), json!(true)));
    let (_, rest) = get(&sim, "/changes?since=25&limit=25").await;
    assert_eq!(rest["changes"].as_array().unwrap().len(), 15);
    assert_eq!((rest["next"].clone(), rest["has_more"].clone()), (json!(40), json!(false)));

    let visible = sim.visible_customers("POS-01", true).await.unwrap();
    let (deleted, deactivated) = (&visible[0].number, &visible[1].number);
    sim.delete_customer(deleted).await.unwrap();
    sim.deactivate_customer(deactivated).await.unwrap();
    sim.upsert_customer(AdminCustomer::new("K-9000001", "Zoë", "van der Berg")).await.unwrap();
    let (_, feed) = get(&sim, "/changes?since=40").await;
    let changes = feed["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3, "{feed}");
    assert_eq!(changes[0]["version"], 41);
    assert_eq!(changes[0]["number"], deleted.as_str());
    assert!(changes[0]["deleted_at"].is_i64());
    assert!(changes[0]["customer"].is_null());
    assert_eq!(changes[1]["customer"]["active"], false);
    assert_eq!(changes[1]["customer"]["version"], 42);
    assert_eq!(changes[2]["customer"]["first_name"], "Zoë");
    assert!(changes[2]["deleted_at"].is_null());
    assert_eq!(feed["next"], 43);
    let (status, _) = get(&sim, &format!("/customers/{deleted}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // No longer available to POS-01: a tombstone for it, the customer for POS-02.
    sim.upsert_customer(AdminCustomer {
        workstations: Some(vec!["POS-02".into()]),
        ..AdminCustomer::new("K-9000001", "Zoë", "van der Berg")
    })
    .await
    .unwrap();
    let (_, feed) = get(&sim, "/changes?since=43").await;
    assert!(feed["changes"][0]["customer"].is_null(), "{feed}");
    assert!(feed["changes"][0]["deleted_at"].is_i64());
    let (_, feed) = send(erp_as(&sim, "POS-02", reqwest::Method::GET, "/changes?since=43")).await;
    assert_eq!(feed["changes"][0]["customer"]["number"], "K-9000001");

    let (status, body) = get(&sim, "/changes").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("since"));
}

#[tokio::test]
async fn expired_cursors_get_410() {
    let sim = simulator(20).await;
    let number = &sim.visible_customers("POS-01", true).await.unwrap()[0].number;
    sim.delete_customer(number).await.unwrap();
    assert_eq!(sim.expire_cursors().await.unwrap(), 21);
    for since in [0, 20, 22] {
        let (status, body) = get(&sim, &format!("/changes?since={since}")).await;
        assert_eq!(status, StatusCode::GONE, "since={since}");
        assert_eq!(error_code(&body), "cursor_expired");
    }
    let (status, body) = get(&sim, "/changes?since=21").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "changes": [], "next": 21, "has_more": false }));
    let (_, page) = get(&sim, "/customers?limit=1").await;
    assert_eq!(page["as_of"], 21);
}

fn post(sim: &Simulator, key: &str, body: &Value) -> RequestBuilder {
    erp(sim, reqwest::Method::POST, "/customers").header("Idempotency-Key", key).json(body)
}

#[tokio::test]
async fn posts_are_idempotent() {
    let sim = simulator(10).await;
    let customer = json!({
        "number": "K-9000001",
        "first_name": "Łucja",
        "last_name": "Żak",
        "city": "Gdańsk",
        "country": "PL",
    });
    let response = post(&sim, "key-1", &customer).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["etag"], "\"11\"");
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["version"], 11);
    assert_eq!(created["active"], true);

    let (status, replayed) = send(post(&sim, "key-1", &customer)).await;
    assert_eq!((status, &replayed), (StatusCode::CREATED, &created));
    let writes = sim.received_writes().await.unwrap();
    assert_eq!(writes.len(), 2);
    assert!(!writes[0].replay && writes[1].replay);
    assert_eq!(writes[0].response, created);
    assert_eq!(sim.state().await.unwrap().version, 11, "created once");

    let mut other = customer.clone();
    other["first_name"] = json!("Lucja");
    let (status, body) = send(post(&sim, "key-1", &other)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "idempotency_conflict");
    let (status, body) = send(post(&sim, "key-2", &customer)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "conflict");

    let no_key = erp(&sim, reqwest::Method::POST, "/customers").json(&customer);
    let not_json = post(&sim, "key-3", &json!(null)).body("{not json");
    let no_number = post(&sim, "key-4", &json!({ "first_name": "A", "last_name": "B" }));
    let no_workstation =
        client().post(format!("{}/customers", sim.erp_url())).header("Idempotency-Key", "key-5").json(&customer);
    for (request, named) in
        [(no_key, "Idempotency-Key"), (not_json, "JSON"), (no_number, "number"), (no_workstation, "X-Workstation")]
    {
        let (status, body) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(named), "{body}");
    }
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_done_once() {
    let sim = simulator(10).await;
    let customer = json!({ "number": "K-9000001", "first_name": "Daniëlle", "last_name": "de Groot" });
    sim.set_fault(Fault::new(FaultMode::Drop).on_paths(&["/customers"])).await.unwrap();
    let response = post(&sim, "lost-1", &customer).send().await.unwrap();
    assert!(response.bytes().await.is_err(), "the answer is cut off");
    sim.set_fault(Fault::none()).await.unwrap();
    let (status, created) = send(post(&sim, "lost-1", &customer)).await;
    assert_eq!((status, created["version"].clone()), (StatusCode::CREATED, json!(11)));

    // A client that gives up on a slow answer has still written.
    sim.set_fault(Fault::new(FaultMode::Slow { delay_ms: 2000 })).await.unwrap();
    let impatient = Client::builder().no_proxy().timeout(Duration::from_millis(200)).build().unwrap();
    let second = json!({ "number": "K-9000002", "first_name": "Noëlle", "last_name": "Bos" });
    let request = impatient
        .post(format!("{}/customers", sim.erp_url()))
        .header("X-Workstation", "POS-01")
        .header("Idempotency-Key", "slow-1")
        .json(&second);
    assert!(request.send().await.unwrap_err().is_timeout());
    let written = Instant::now();
    while sim.customer("K-9000002").await.unwrap().is_none() {
        assert!(written.elapsed() < Duration::from_secs(5), "the slow write is carried out");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sim.set_fault(Fault::none()).await.unwrap();
    let (status, _) = send(post(&sim, "slow-1", &second)).await;
    assert_eq!(status, StatusCode::CREATED);

    let writes = sim.received_writes().await.unwrap();
    let done: Vec<(&str, bool)> = writes.iter().map(|w| (w.idempotency_key.as_str(), w.replay)).collect();
    assert_eq!(done, [("lost-1", false), ("lost-1", true), ("slow-1", false), ("slow-1", true)]);
    assert_eq!(sim.state().await.unwrap().version, 12, "each customer created once");
}

#[tokio::test]
async fn puts_need_the_current_version() {
    let sim = simulator(10).await;
    sim.upsert_customer(AdminCustomer::new("K-9000001", "Seán", "O'Connor")).await.unwrap();
    let (_, current) = get(&sim, "/customers/K-9000001").await;
    assert_eq!(current["version"], 11);
    let mut changed = current.clone();
    changed["city"] = json!("Manchester");
    let put = |key: &str, if_match: Option<&str>, number: &str, body: &Value| {
        let request =
            erp(&sim, reqwest::Method::PUT, &format!("/customers/{number}")).header("Idempotency-Key", key).json(body);
        match if_match {
            Some(version) => request.header("If-Match", version),
            None => request,
        }
    };

    let (status, body) = send(put("p-1", None, "K-9000001", &changed)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::PRECONDITION_REQUIRED, "precondition_required"));
    let (status, body) = send(put("p-1", Some("\"5\""), "K-9000001", &changed)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::PRECONDITION_FAILED, "version_mismatch"));

    let response = put("p-1", Some("\"11\""), "K-9000001", &changed).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"12\"");
    let updated: Value = response.json().await.unwrap();
    assert_eq!((updated["version"].clone(), updated["city"].clone()), (json!(12), json!("Manchester")));
    let (status, replayed) = send(put("p-1", Some("\"11\""), "K-9000001", &changed)).await;
    assert_eq!((status, &replayed), (StatusCode::OK, &updated));
    assert_eq!(sim.state().await.unwrap().version, 12, "updated once");

    let mut unnumbered = changed.clone();
    unnumbered.as_object_mut().unwrap().remove("number");
    let (status, body) = send(put("p-2", Some("\"12\""), "K-9999999", &unnumbered)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, _) = send(put("p-3", Some("\"12\""), "K-0000001", &changed)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the body names another number");
}

#[tokio::test]
async fn down_and_error_faults_answer_with_errors() {
    let sim = simulator(10).await;
    sim.set_fault(Fault::new(FaultMode::Down)).await.unwrap();
    for path in ["/health", "/customers", "/customers/search?q=a"] {
        let (status, body) = get(&sim, path).await;
        assert_eq!((status, error_code(&body)), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"));
    }
    sim.set_fault(Fault::new(FaultMode::Error { status: 500 })).await.unwrap();
    let (status, _) = get(&sim, "/customers").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);

    // Restricted to search: everything else answers.
    sim.set_fault(Fault::new(FaultMode::Down).on_paths(&["/customers/search"])).await.unwrap();
    let (status, _) = get(&sim, "/customers/search?q=a").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, _) = get(&sim, "/customers?limit=1").await;
    assert_eq!(status, StatusCode::OK);

    sim.set_fault(Fault::none()).await.unwrap();
    let (status, _) = get(&sim, "/customers/search?q=a").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn refused_connections_recover_on_the_same_port() {
    let sim = simulator(10).await;
    let url = sim.erp_url();
    // A pooled keep-alive connection must be cut too, not only new ones refused.
    let client = client();
    let health = || client.get(format!("{url}/health")).header("X-Workstation", "POS-01");
    assert_eq!(health().send().await.unwrap().status(), StatusCode::OK);
    sim.set_fault(Fault::new(FaultMode::Refuse)).await.unwrap();
    let error = health().send().await.expect_err("the connection is refused");
    assert!(error.is_connect(), "{error:?}");
    sim.set_fault(Fault::none()).await.unwrap();
    assert_eq!(sim.erp_url(), url);
    assert_eq!(health().send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn slow_malformed_and_dropped_answers() {
    let sim = simulator(10).await;
    sim.set_fault(Fault::new(FaultMode::Slow { delay_ms: 300 })).await.unwrap();
    let started = Instant::now();
    let (status, _) = get(&sim, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    sim.set_fault(Fault::new(FaultMode::Malformed { body: None })).await.unwrap();
    let response = erp(&sim, reqwest::Method::GET, "/customers").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.json::<Value>().await.is_err());
    let wrong_types = r#"{"customers": "none", "next_after": 7, "as_of": "now"}"#;
    sim.set_fault(Fault::new(FaultMode::Malformed { body: Some(wrong_types.into()) })).await.unwrap();
    let (_, body) = get(&sim, "/customers").await;
    assert_eq!(body["customers"], "none");

    sim.set_fault(Fault::new(FaultMode::Drop)).await.unwrap();
    let response = erp(&sim, reqwest::Method::GET, "/customers").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.content_length().unwrap() > 0);
    let error = response.bytes().await.expect_err("the body is cut off");
    assert!(error.is_body() || error.is_decode(), "{error:?}");

    sim.set_fault(Fault::none()).await.unwrap();
    let (status, body) = get(&sim, "/customers?limit=3").await;
    assert_eq!((status, numbers(&body["customers"]).len()), (StatusCode::OK, 3));
}

#[tokio::test]
async fn the_admin_api_works_over_http() {
    let sim = simulator(10).await;
    let admin = |method: reqwest::Method, path: &str| client().request(method, format!("{}{path}", sim.admin_url()));
    let (status, body) = send(admin(reqwest::Method::POST, "/admin/fault").json(&json!({ "mode": "down" }))).await;
    assert_eq!((status, body["fault"]["mode"].as_str()), (StatusCode::OK, Some("down")));
    assert_eq!(get(&sim, "/health").await.0, StatusCode::SERVICE_UNAVAILABLE);
    send(admin(reqwest::Method::POST, "/admin/fault").json(&json!({ "mode": "none" }))).await;
    assert_eq!(get(&sim, "/health").await.0, StatusCode::OK);
    let (status, body) = send(admin(reqwest::Method::POST, "/admin/fault").json(&json!({ "mode": "slow" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("delay_ms"));
    let (status, _) = send(admin(reqwest::Method::POST, "/admin/fault").body("{")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let customer = json!({
        "number": "K-9000001", "first_name": "Bram", "last_name": "de Jong",
        "workstations": ["POS-02"],
    });
    let (status, body) = send(admin(reqwest::Method::POST, "/admin/customers").json(&customer)).await;
    assert_eq!((status, body["version"].clone()), (StatusCode::OK, json!(11)));
    let (_, pos01) = send(admin(reqwest::Method::GET, "/admin/customers?workstation=POS-01")).await;
    let (_, pos02) = send(admin(reqwest::Method::GET, "/admin/customers?workstation=POS-02")).await;
    assert!(!numbers(&pos01["customers"]).contains(&"K-9000001".to_owned()));
    assert!(numbers(&pos02["customers"]).contains(&"K-9000001".to_owned()));
    let (status, _) = send(admin(reqwest::Method::POST, "/admin/customers/K-9000001/deactivate")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(admin(reqwest::Method::DELETE, "/admin/customers/K-9000001")).await;
    assert_eq!((status, body["version"].clone()), (StatusCode::OK, json!(13)));
    let (status, _) = send(admin(reqwest::Method::DELETE, "/admin/customers/K-9000001")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, settings) = get(&sim, "/settings").await;
    assert_eq!(settings, json!({ "online_search_enabled": true }));
    send(admin(reqwest::Method::POST, "/admin/settings").json(&json!({ "online_search_enabled": false }))).await;
    let (_, settings) = get(&sim, "/settings").await;
    assert_eq!(settings, json!({ "online_search_enabled": false }));

    let (status, body) = send(admin(reqwest::Method::POST, "/admin/expire-cursors")).await;
    assert_eq!((status, body["horizon"].clone()), (StatusCode::OK, json!(13)));
    let (_, body) = send(admin(reqwest::Method::GET, "/admin/received")).await;
    assert_eq!(body, json!({ "writes": [] }));
}

#[tokio::test]
async fn an_existing_data_file_is_served_again() {
    let dir = tempfile::tempdir().unwrap();
    let config = SimConfig { data: Some(dir.path().join("erp.sqlite")), ..SimConfig::new(30, 7) };
    let first = start(config.clone()).await;
    assert!(!first.reused_data());
    first.upsert_customer(AdminCustomer::new("K-9000001", "Harry", "Brontë")).await.unwrap();
    first.shutdown().await;

    let second = start(SimConfig { customers: 500, ..config }).await;
    assert!(second.reused_data());
    assert_eq!(second.seeded_customers(), 30);
    let (status, body) = get(&second, "/customers/K-9000001").await;
    assert_eq!((status, body["last_name"].clone()), (StatusCode::OK, json!("Brontë")));
}
