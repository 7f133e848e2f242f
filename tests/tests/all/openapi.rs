//! The OpenAPI document of `pos-host serve`: served at `/api/openapi.json` behind the token,
//! accepted by a real validator, naming exactly the routes the router serves; and the check
//! the API tests put every answer through catches an answer that strays from it.

use crate::customer;
use crate::http_api::{Served, serve};
use pos_tests::openapi::{self, Contract, served_routes};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

async fn served() -> Served {
    serve(vec![customer(Some("K-1"), "Jan", "Nowak")], Vec::new(), Duration::from_secs(30), None).await
}

#[tokio::test]
async fn the_document_is_served_behind_the_token_and_a_real_validator_accepts_it() {
    let s = served().await;
    let client = reqwest::Client::new();
    let answer = s.api(&client, Method::GET, "/api/openapi.json").send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/json");
    let text = answer.text().await.unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(
        document,
        serde_json::to_value(pos_host::serve::openapi()).unwrap(),
        "the served document is the host's"
    );
    openapi::validate(&text).unwrap_or_else(|rejection| panic!("{rejection}"));

    let anonymous = client.get(format!("{}/api/openapi.json", s.url)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn the_validator_rejects_a_document_that_is_wrong() {
    let mut document = serde_json::to_value(pos_host::serve::openapi()).unwrap();
    document["components"]["schemas"].as_object_mut().unwrap().remove("ScreenJson");
    let rejection = openapi::validate(&document.to_string()).unwrap_err();
    assert!(rejection.contains("ScreenJson"), "{rejection}");
}

#[tokio::test]
async fn every_route_the_router_serves_is_in_the_document_and_nothing_else() {
    let s = served().await;
    let served = served_routes(&s.router);
    let documented = Contract::host().operations();
    // A router printed in a way this reading no longer understands must not pass as empty.
    assert!(served.len() >= 30, "{served:?}");
    let undocumented: BTreeSet<_> = served.difference(&documented).collect();
    let unserved: BTreeSet<_> = documented.difference(&served).collect();
    assert!(undocumented.is_empty(), "served but not in the document: {undocumented:?}");
    assert!(unserved.is_empty(), "in the document but not served: {unserved:?}");
    for route in ["/", "/metrics", "/api/openapi.json", "/api/customers/{number}", "/api/web/audit"] {
        assert!(served.iter().any(|(path, _)| path == route), "{route} in {served:?}");
    }
}

#[tokio::test]
async fn an_answer_that_strays_from_its_schema_is_caught() {
    let s = served().await;
    let contract = Contract::host();
    let session = s.session().await;
    let path = format!("/api/search/sessions/{session}/local");
    let (status, screen) = s.call(Method::POST, &path, Some(json!({ "phrase": "Nowak" }))).await;
    assert_eq!(status, 200);
    contract.check("POST", &path, 200, &screen).unwrap();

    let strayed = |change: &dyn Fn(&mut Value)| {
        let mut answer = screen.clone();
        change(&mut answer);
        contract.check("POST", &path, 200, &answer).unwrap_err()
    };
    let wrong_value = strayed(&|a| a["search_button"] = json!("maybe"));
    assert!(wrong_value.contains("/search_button"), "{wrong_value}");
    let missing = strayed(&|a| drop(a.as_object_mut().unwrap().remove("more")));
    assert!(missing.contains("more"), "{missing}");
    let wrong_type = strayed(&|a| a["customers"][0]["version"] = json!("1"));
    assert!(wrong_type.contains("/customers/0/version"), "{wrong_type}");

    // Refusals are `ApiError`s; an answer no route documents is caught.
    let refusal = json!({ "error": "phrase: is longer than 200 characters", "kind": "invalid", "field": "phrase" });
    contract.check("POST", &path, 422, &refusal).unwrap();
    assert!(contract.check("POST", &path, 422, &json!({ "message": "no" })).is_err());
    assert!(contract.check("GET", "/api/nowhere", 200, &json!({})).is_err());
    contract.check("GET", "/api/nowhere", 404, &json!({ "error": "no such endpoint", "kind": "not-found" })).unwrap();
    let closed = format!("/api/search/sessions/{session}");
    assert!(contract.check("DELETE", &closed, 204, &json!({ "closed": true })).is_err(), "204 has no body");
    contract.check("DELETE", &closed, 204, &Value::Null).unwrap();
}
