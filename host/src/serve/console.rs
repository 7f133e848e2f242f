//! The operator console: four static files, compiled into the binary. The page carries the
//! API token when the host gives it (see `Options::console_token`).

use super::AppState;
use super::token::ApiToken;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

/// The operator console.
#[utoipa::path(get, path = "/", tag = "console", operation_id = "console",
    responses((status = 200, description = "The console page", content_type = "text/html", body = String)))]
async fn index(State(state): State<AppState>) -> impl IntoResponse {
    // The page may carry the token: never stored by the browser or a proxy.
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
        state.console.to_string(),
    )
}

/// The console's and the command line's labels in every locale, as a script of their own, so
/// that both read one table (the command line reads it in `cli/labels.rs`).
#[utoipa::path(get, path = "/labels.js", tag = "console",
    responses((status = 200, description = "`globalThis.POS_LABELS`", content_type = "text/javascript", body = String)))]
async fn labels() -> impl IntoResponse {
    file(
        "text/javascript; charset=utf-8",
        concat!("globalThis.POS_LABELS = ", include_str!("console/labels.json"), ";\n"),
    )
}

/// The console's script.
#[utoipa::path(get, path = "/console.js", tag = "console", operation_id = "console_script",
    responses((status = 200, description = "The console's script", content_type = "text/javascript", body = String)))]
async fn script() -> impl IntoResponse {
    file("text/javascript; charset=utf-8", include_str!("console/console.js"))
}

/// The console's style sheet.
#[utoipa::path(get, path = "/console.css", tag = "console", operation_id = "console_style",
    responses((status = 200, description = "The console's style sheet", content_type = "text/css", body = String)))]
async fn style() -> impl IntoResponse {
    file("text/css; charset=utf-8", include_str!("console/console.css"))
}

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(index)).routes(routes!(labels)).routes(routes!(script)).routes(routes!(style))
}
