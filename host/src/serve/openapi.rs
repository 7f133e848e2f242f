//! The OpenAPI 3.1 document of everything `serve` answers, made from the handlers
//! themselves: each module's routes are added to the router and to the document in one step
//! (`utoipa_axum::routes!`), so that no route is served undocumented. Served at
//! `/api/openapi.json`, behind the token like the rest of the API.

use super::AppState;
use super::error::ApiError;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The security scheme every operation but the console's files asks for.
const TOKEN: &str = "token";

/// Title, version, the bearer token and the error answer every operation may give, around
/// the paths the routes made.
pub(super) fn finish(mut document: OpenApi) -> OpenApi {
    document.info.title = "POS plugin host".into();
    document.info.version = env!("CARGO_PKG_VERSION").into();
    document.info.description = Some(
        "The HTTP API of `pos-host serve`: the two seed workflows (customer search, web and local \
         edits), the operator's questions, synchronization, and the host's state. Every `/api/` \
         request and `/metrics` carry `Authorization: Bearer <token>`; the console's own files do \
         not. A refusal is an `ApiError` naming what was wrong and, where there is one, the field. \
         See docs/http-api.md."
            .into(),
    );
    document.info.license = None;
    document.info.contact = None;
    let components = document.components.get_or_insert_default();
    components.add_security_scheme(TOKEN, SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    let mut schemas = vec![(ApiError::name().into_owned(), ApiError::schema())];
    ApiError::schemas(&mut schemas);
    components.schemas.extend(schemas);
    let error = ResponseBuilder::new()
        .description(
            "Refused or failed: `400` malformed, `401` no token, `403` another origin or host name, `404`, \
             `405`, `409` a conflict, `413` too large, `415` not JSON, `422` a bad value (its `field`), \
             `429` too many sessions, `502`/`504` the ERP or web shop, `503` busy (with `Retry-After`)",
        )
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name(ApiError::name()))).build(),
        )
        .build();
    for (path, item) in document.paths.paths.iter_mut() {
        let console = !(path.starts_with("/api/") || path == "/metrics");
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            complete(operation, console, &error);
        }
    }
    document
}

fn complete(operation: &mut Operation, console: bool, error: &utoipa::openapi::Response) {
    for (status, response) in &mut operation.responses.responses {
        if let RefOr::T(response) = response
            && response.description.is_empty()
        {
            let reason = status.parse::<u16>().ok().and_then(|code| StatusCode::from_u16(code).ok());
            response.description = reason.and_then(|code| code.canonical_reason()).unwrap_or("Answered").into();
        }
    }
    operation.responses.responses.entry("default".into()).or_insert_with(|| error.clone().into());
    operation.security =
        Some(if console { Vec::new() } else { vec![SecurityRequirement::new(TOKEN, Vec::<String>::new())] });
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "host", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = serde_json::Value)))]
async fn document(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], state.openapi.to_string())
}

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(document))
}
