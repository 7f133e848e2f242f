//! The operator console: four static files, compiled into the binary. The page carries the
//! API token when the host gives it (see `Options::console_token`).

use super::AppState;
use super::token::ApiToken;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const INDEX: &str = include_str!("console/index.html");
/// Where the page receives the token; the console reads it from this `<meta>` element.
const TOKEN_PLACE: &str = "<meta name=\"pos-api-token\" content=\"\">";

/// The console page, carrying `token` if given.
pub(super) fn page(token: Option<&ApiToken>) -> String {
    debug_assert!(INDEX.contains(TOKEN_PLACE));
    match token {
        // A token holds only letters, digits, `-`, `_` and `.`: nothing to escape.
        Some(token) => {
            INDEX.replace(TOKEN_PLACE, &format!("<meta name=\"pos-api-token\" content=\"{}\">", token.expose()))
        }
        None => INDEX.to_owned(),
    }
}

fn file(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body)
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            // The page may carry the token: never stored by the browser or a proxy.
            get(|State(state): State<AppState>| async move {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
                    state.console.to_string(),
                )
            }),
        )
        // The labels as a script of their own, so that the console and the command line read
        // one table (the command line reads it in `cli/labels.rs`).
        .route(
            "/labels.js",
            get(|| async {
                file(
                    "text/javascript; charset=utf-8",
                    concat!("globalThis.POS_LABELS = ", include_str!("console/labels.json"), ";\n"),
                )
            }),
        )
        .route(
            "/console.js",
            get(|| async { file("text/javascript; charset=utf-8", include_str!("console/console.js")) }),
        )
        .route("/console.css", get(|| async { file("text/css; charset=utf-8", include_str!("console/console.css")) }))
}
