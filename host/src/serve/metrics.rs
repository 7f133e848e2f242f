//! `GET /metrics` for Prometheus, behind the same checks as the API (the token as a bearer
//! credential), and the count and time of every answer, by route.

use super::AppState;
use crate::metrics::{CONTENT_TYPE, Metrics};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Instant;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(scrape))
}

/// The host's metrics, for Prometheus (see docs/operations.md).
#[utoipa::path(get, path = "/metrics", tag = "metrics", operation_id = "metrics", responses((status = 200,
    description = "The Prometheus text format 0.0.4", content_type = "text/plain; version=0.0.4", body = String)))]
async fn scrape(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, CONTENT_TYPE), (header::CACHE_CONTROL, "no-store")], state.host.metrics_text().await)
}

/// The route an answer came from, as the router matched it: `/api/customers/{number}`, not
/// the customer's number, so that no request can add a series of its own.
#[derive(Clone)]
struct Route(Arc<str>);

/// Notes the matched route on the answer, for [`count`] outside the router to read.
pub(super) async fn note_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|path| Route(path.as_str().into()));
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Counts every answer, those refused before routing included (`unrouted`).
pub(super) async fn count(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let method = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    };
    let started = Instant::now();
    let response = next.run(request).await;
    let route = response.extensions().get::<Route>().map_or("unrouted", |route| &route.0);
    metrics.http_request(route, method, response.status().as_u16(), started.elapsed());
    response
}
