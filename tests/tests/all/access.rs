//! Who may use the local API, over a real loopback socket: requests addressed to another
//! name (DNS rebinding), from other origins' pages, or without the token are refused before
//! any route runs, and change nothing; connections that never finish a request are closed.

use crate::customer;
use pos_host::serve::{self, Limits, Options};
use pos_tests::openapi::Contract;
use pos_tests::served::{self, ServedHost};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn host() -> ServedHost {
    served::serve(vec![customer(Some("K-1"), "Jan", "Nowak")], Vec::new(), Duration::from_secs(30), None).await
}

/// What a refused request must not have changed.
#[derive(Debug, PartialEq)]
struct Snapshot {
    local: Vec<pos_host::bindings::Customer>,
    reloads: usize,
    queued: i64,
}

async fn snapshot(s: &ServedHost) -> Snapshot {
    let queued =
        s.host.store().read(|conn| conn.query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))).await.unwrap();
    Snapshot { local: s.host.store().all().await.unwrap(), reloads: s.host.status().reloads.len(), queued }
}

/// `(status, kind)` of a request with `headers` and no token unless one is among them.
async fn send(s: &ServedHost, method: Method, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut request = client.request(method.clone(), format!("{}{path}", s.url)).body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    Contract::host().check(method.as_str(), path, status, &body).unwrap_or_else(|e| panic!("{e}"));
    (status, body)
}

#[tokio::test]
async fn requests_addressed_to_another_name_are_refused_even_for_the_console_page() {
    let s = host().await;
    let before = snapshot(&s).await;
    let bearer = format!("Bearer {}", s.token.expose());
    let evil = [("host", "evil.example:8740"), ("authorization", bearer.as_str())];
    let (status, body) = send(&s, Method::GET, "/api/customers/K-1", &evil, "").await;
    assert_eq!((status, body["kind"].as_str()), (403, Some("forbidden")), "{body}");
    assert!(body["error"].as_str().unwrap().contains("addressed to `evil.example`"), "{body}");
    assert!(body.get("first_name").is_none());
    let json_body =
        [("host", "evil.example"), ("authorization", bearer.as_str()), ("content-type", "application/json")];
    let (status, _) = send(&s, Method::PATCH, "/api/customers/K-1", &json_body, r#"{"city":"Evil"}"#).await;
    assert_eq!(status, 403);
    let (status, _) = send(&s, Method::POST, "/api/reload", &evil, "").await;
    assert_eq!(status, 403);
    // The console page carries the token: a rebinding page must not be able to read it.
    let page = reqwest::Client::new().get(format!("{}/", s.url)).header("host", "evil.example").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(!page.text().await.unwrap().contains(s.token.expose()));
    assert_eq!(snapshot(&s).await, before);

    for own in ["localhost", "localhost:1234", "127.0.0.1", "[::1]:8740", "LOCALHOST"] {
        let (status, body) =
            send(&s, Method::GET, "/api/customers/K-1", &[("host", own), ("authorization", &bearer)], "").await;
        assert_eq!(status, 200, "{own}: {body}");
    }
}

#[tokio::test]
async fn requests_from_other_origins_or_without_the_token_are_refused() {
    let s = host().await;
    let before = snapshot(&s).await;
    let bearer = format!("Bearer {}", s.token.expose());
    let path = "/api/customers/K-1";
    let patch = r#"{"city":"Evil"}"#;
    // A page on another loopback port, even with the token (it cannot have it, but the
    // origin check does not rely on that).
    for (name, value) in [
        ("origin", "http://127.0.0.1:9999"),
        ("origin", "null"),
        ("sec-fetch-site", "same-site"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let headers = [(name, value), ("authorization", bearer.as_str()), ("content-type", "application/json")];
        let (status, body) = send(&s, Method::PATCH, path, &headers, patch).await;
        assert_eq!((status, body["kind"].as_str()), (403, Some("forbidden")), "{name}: {value}: {body}");
    }
    // Simple cross-site requests: no token, `text/plain` or a form.
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let (status, body) = send(&s, Method::POST, "/api/reload", &[("content-type", content_type)], "x=1").await;
        assert_eq!((status, body["kind"].as_str()), (401, Some("unauthorized")), "{content_type}: {body}");
    }
    let (status, _) = send(&s, Method::GET, path, &[], "").await;
    assert_eq!(status, 401, "reading a customer needs the token");
    let (status, _) =
        send(&s, Method::GET, path, &[("authorization", "Bearer wrong-token-of-the-same-length")], "").await;
    assert_eq!(status, 401);
    // A CORS preflight is never answered with leave to go on.
    let client = reqwest::Client::new();
    let preflight = client
        .request(Method::OPTIONS, format!("{}{path}", s.url))
        .header("origin", "http://127.0.0.1:9999")
        .header("access-control-request-method", "PATCH")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::FORBIDDEN);
    assert!(preflight.headers().keys().all(|name| !name.as_str().starts_with("access-control-")));
    assert_eq!(snapshot(&s).await, before);

    // The console's own requests (same origin, with the token) pass.
    let own = format!("http://{}", s.url.trim_start_matches("http://"));
    let headers = [
        ("origin", own.as_str()),
        ("sec-fetch-site", "same-origin"),
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    let (status, body) = send(&s, Method::PATCH, path, &headers, patch).await;
    assert_eq!((status, body["city"].as_str()), (200, Some("Evil")), "{body}");
}

#[tokio::test]
async fn an_allowed_host_name_is_answered() {
    let s = host().await;
    let options = Options { allowed_hosts: vec!["Till-07.shop.lan".into()], ..Options::default() };
    let token = options.token.clone();
    let router = serve::router(
        s.host.clone(),
        std::sync::Arc::new(pos_host::embed::Prompts::new(Duration::from_secs(1))),
        options,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve::listen(listener, router, Limits::default(), std::future::pending()));
    let client = reqwest::Client::new();
    let ask = |host: &'static str| {
        client.get(format!("{url}/api/settings")).header("host", host).bearer_auth(token.expose()).send()
    };
    assert_eq!(ask("till-07.shop.lan:8740").await.unwrap().status(), StatusCode::OK);
    assert_eq!(ask("till-08.shop.lan").await.unwrap().status(), StatusCode::FORBIDDEN);
}

/// Reads from `stream` until the server closes it; the bytes it sent.
async fn until_closed(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut received))
        .await
        .expect("the server closes the connection")
        .unwrap();
    received
}

#[tokio::test]
async fn connections_that_never_finish_a_request_are_closed_and_free_their_place() {
    let s = host().await;
    let limits = Limits { connections: 2, header_read: Duration::from_secs(1), ..Limits::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve::listen(listener, s.router.clone(), limits, std::future::pending()));
    // Two clients take both places: one sends nothing, one half a request line.
    let mut silent = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut slow = tokio::net::TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /api/settings HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    // A third waits for a place, and is answered once the others are closed.
    let request = format!(
        "GET /api/settings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        s.token.expose()
    );
    let mut patient = tokio::net::TcpStream::connect(address).await.unwrap();
    patient.write_all(request.as_bytes()).await.unwrap();
    assert!(!String::from_utf8_lossy(&until_closed(&mut silent).await).contains("200 OK"));
    until_closed(&mut slow).await;
    let answer = String::from_utf8_lossy(&until_closed(&mut patient).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    // A connection kept alive after a request is closed when it idles as long.
    let mut idle = tokio::net::TcpStream::connect(address).await.unwrap();
    idle.write_all(request.replace("Connection: close\r\n", "").as_bytes()).await.unwrap();
    let answer = String::from_utf8_lossy(&until_closed(&mut idle).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

#[tokio::test]
async fn a_body_that_never_arrives_times_out() {
    let s = host().await;
    let address = s.url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/texts HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
        s.token.expose()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = String::from_utf8_lossy(&until_closed(&mut stream).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("the body did not arrive within 10 s"), "{answer}");
}
