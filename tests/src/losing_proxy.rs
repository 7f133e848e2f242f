//! A loopback HTTP proxy in front of a real server that loses answers on demand: the request
//! reaches the server and is carried out, but its answer never comes back, as when a network
//! drops between the ERP and the till. What a retry after a lost answer must survive.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The proxy; it stops when dropped.
pub struct LosingProxy {
    /// Such as `http://127.0.0.1:40123`: the server's address, through the proxy.
    pub url: String,
    state: Arc<Losing>,
    server: tokio::task::JoinHandle<()>,
}

struct Losing {
    upstream: std::sync::Mutex<String>,
    client: reqwest::Client,
    /// Requests whose body contains this lose their answer, while `left` is not zero.
    marker: std::sync::Mutex<String>,
    left: AtomicUsize,
    /// How many answers were lost.
    lost: AtomicUsize,
}

impl Drop for LosingProxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl LosingProxy {
    /// A proxy that loses nothing yet, to the server [`LosingProxy::forward_to`] names.
    pub async fn start() -> LosingProxy {
        let state = Arc::new(Losing {
            upstream: std::sync::Mutex::new(String::new()),
            client: reqwest::Client::new(),
            marker: std::sync::Mutex::new(String::new()),
            left: AtomicUsize::new(0),
            lost: AtomicUsize::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(forward).with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        LosingProxy { url, state, server }
    }

    /// Forwards to `upstream`, such as `http://127.0.0.1:8000`.
    pub fn forward_to(&self, upstream: &str) {
        *self.state.upstream.lock().unwrap() = upstream.trim_end_matches('/').to_owned();
    }

    /// Loses the answers of the next `count` requests whose body contains `marker`.
    pub fn lose(&self, marker: &str, count: usize) {
        *self.state.marker.lock().unwrap() = marker.to_owned();
        self.state.left.store(count, Ordering::SeqCst);
    }

    /// How many answers were lost so far.
    pub fn lost(&self) -> usize {
        self.state.lost.load(Ordering::SeqCst)
    }
}

async fn forward(State(state): State<Arc<Losing>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let upstream = state.upstream.lock().unwrap().clone();
    let url = format!("{upstream}{}", parts.uri.path_and_query().map_or("/", |p| p.as_str()));
    let mut upstream = state.client.request(parts.method, url).body(body.clone());
    for (name, value) in &parts.headers {
        if name != axum::http::header::HOST && name != axum::http::header::CONTENT_LENGTH {
            upstream = upstream.header(name, value);
        }
    }
    let answer = upstream.send().await;
    let marker = state.marker.lock().unwrap().clone();
    let matches = !marker.is_empty() && String::from_utf8_lossy(&body).contains(&marker);
    if matches && state.left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
        state.lost.fetch_add(1, Ordering::SeqCst);
        // Carried out, never answered: the till waits until its own time limit.
        std::future::pending::<()>().await;
    }
    match answer {
        Ok(answer) => {
            let mut response = Response::builder().status(answer.status());
            for (name, value) in answer.headers() {
                if name != axum::http::header::TRANSFER_ENCODING && name != axum::http::header::CONTENT_LENGTH {
                    response = response.header(name, value);
                }
            }
            let body = answer.bytes().await.unwrap_or_default();
            response.body(Body::from(body)).unwrap()
        }
        Err(error) => Response::builder().status(502).body(Body::from(error.to_string())).unwrap(),
    }
}
