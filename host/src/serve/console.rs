//! The operator console: three static files, compiled into the binary.

use super::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

fn file(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body)
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { file("text/html; charset=utf-8", include_str!("console/index.html")) }))
        .route(
            "/console.js",
            get(|| async { file("text/javascript; charset=utf-8", include_str!("console/console.js")) }),
        )
        .route("/console.css", get(|| async { file("text/css; charset=utf-8", include_str!("console/console.css")) }))
}
