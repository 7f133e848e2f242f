//! The HTTP API's request bodies and query strings, in process through the router:
//! whatever a client sends, the answer is JSON, never a `500`, and a refusal names its kind
//! (and the field, where there is one). `POS_FUZZ_CASES` cases per route.

use super::{Cost, cases, runtime};
use crate::customer;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use pos_tests::served::{self, ServedHost};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt;

/// JSON of any shape, with the strings an attacker or a bug would send.
fn json_value() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        ".{0,40}",
        Just("\u{202e}\u{200b}\u{feff}".to_owned()),
        Just("x".repeat(2000)),
        Just("K-1".to_owned()),
        Just("\"'; DROP TABLE customers; --".to_owned()),
        Just("NEAR(a b) * ^ : ( ) -".to_owned()),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        text.prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        let keys = prop_oneof![
            Just("phrase".to_owned()),
            Just("filters".to_owned()),
            Just("field".to_owned()),
            Just("value".to_owned()),
            Just("number".to_owned()),
            Just("action".to_owned()),
            Just("key".to_owned()),
            Just("args".to_owned()),
            Just("choice".to_owned()),
            Just("last_name".to_owned()),
            Just("city".to_owned()),
            Just("include_inactive".to_owned()),
            "[a-z_]{1,12}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(keys, inner, 0..6).prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A body as sent: JSON, or bytes that are not.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => json_value().prop_map(|value| serde_json::to_vec(&value).unwrap()),
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => ".{0,100}".prop_map(String::into_bytes),
    ]
}

async fn answer(s: &ServedHost, method: Method, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1")
        .header("authorization", format!("Bearer {}", s.token.expose()))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = s.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({ "not-json": String::from_utf8_lossy(&bytes) })))
}

#[test]
fn every_request_body_and_query_gets_a_located_answer_never_a_500() {
    let tokio = runtime();
    let s = tokio.block_on(served::serve(
        vec![customer(Some("K-1"), "Jan", "Nowak")],
        Vec::new(),
        Duration::from_millis(1),
        None,
    ));
    let session = tokio.block_on(answer(&s, Method::POST, "/api/search/sessions", b"{}".to_vec())).1["session"]
        .as_str()
        .unwrap()
        .to_owned();
    let routes: Vec<(Method, String)> = vec![
        (Method::POST, format!("/api/search/sessions/{session}/local")),
        (Method::POST, format!("/api/search/sessions/{session}/open")),
        (Method::POST, "/api/texts".into()),
        (Method::PATCH, "/api/customers/K-1".into()),
        (Method::POST, "/api/web/edits/W-1/take-over-local".into()),
        (Method::POST, "/api/prompts/1".into()),
    ];
    let encoded = |(name, value): (String, String)| {
        let value: String = value
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        format!("{name}={value}")
    };
    let query = prop_oneof![
        Just(String::new()),
        ("(locale|search|limit|wait_ms|[a-z_]{1,10})", ".{0,20}").prop_map(encoded),
        Just("locale=xx".to_owned()),
    ];
    let mut total = 0;
    for (method, path) in routes {
        let mut runner =
            TestRunner::new(Config { cases: cases(Cost::Cheap), failure_persistence: None, ..Config::default() });
        runner
            .run(&(body(), query.clone()), |(body, query)| {
                let target = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
                let (status, answer) = tokio.block_on(answer(&s, method.clone(), &target, body));
                prop_assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "{method} {target}: {answer}");
                prop_assert!(answer.get("not-json").is_none(), "{method} {target}: {answer}");
                if status.is_client_error() {
                    prop_assert!(answer["kind"].is_string() && answer["error"].is_string(), "{answer}");
                }
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{method} {path}: {failure}"));
        total += cases(Cost::Cheap);
    }
    let mut runner =
        TestRunner::new(Config { cases: cases(Cost::Cheap), failure_persistence: None, ..Config::default() });
    runner
        .run(&("[ -~]{0,30}", prop_oneof!["[a-z/_-]{0,20}", "/(%[0-9A-F]{2}){1,6}"]), |(query, tail)| {
            for base in
                ["/api/web/audit", "/api/operations/op-1", "/api/prompts", "/api/customers", "/api/search/sessions"]
            {
                let target = format!("{base}{tail}?{query}");
                let Ok(uri) = target.parse::<axum::http::Uri>() else { continue };
                let (status, answer) = tokio.block_on(answer(&s, Method::GET, &uri.to_string(), Vec::new()));
                prop_assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "GET {target}: {answer}");
                prop_assert!(answer.get("not-json").is_none(), "GET {target}: {answer}");
            }
            Ok(())
        })
        .unwrap();
    total += cases(Cost::Cheap) * 5;
    eprintln!("fuzz HTTP API: {total} requests, no 500, every answer JSON");
}
