//! Who may use the host: the checks every request passes before a route sees it.
//!
//! The operator's browser also visits other sites, and a page can make it send requests to
//! the till's loopback port. So:
//! - a request must be addressed to the till (`Host` a loopback name, an IP address, or a
//!   name the operator allowed): a DNS-rebinding page, addressed to its own name, is refused;
//! - a request from a page must come from the till's own origin (`Origin`,
//!   `Sec-Fetch-Site`): another site's page, even on another loopback port, is refused, and
//!   no CORS header is ever sent;
//! - every `/api/` and `/metrics` request carries the API token (`Authorization: Bearer`),
//!   which the console page receives from the host and other clients (Prometheus among them)
//!   read from the token file; a simple cross-site request (a form, `text/plain`, `no-cors`)
//!   cannot carry it.
//!
//! Every answer also tells the browser not to frame the console, guess content types or
//! send referrers.

use super::error::ApiError;
use super::token::ApiToken;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// What the guard lets through.
#[derive(Clone, Debug)]
pub struct Access {
    pub token: ApiToken,
    /// Host names besides `localhost` and IP addresses that requests may be addressed to,
    /// lowercase, without port.
    pub allowed_hosts: Arc<[String]>,
}

/// The content security policy of every answer: the console's own files and API only.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Refuses what is not addressed to the till, comes from another origin, or (for the API)
/// lacks the token; adds the security headers to every answer.
pub(super) async fn guard(State(access): State<Access>, request: Request, next: Next) -> Response {
    let mut response = match check(&access, &request) {
        Ok(()) => next.run(request).await,
        Err(refused) => refused.into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::HeaderName::from_static("cross-origin-resource-policy"), "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn check(access: &Access, request: &Request) -> Result<(), ApiError> {
    let headers = request.headers();
    let host = addressed_to(access, headers)?;
    let path = request.uri().path();
    let api = path.starts_with("/api/") || path == "/api" || path == "/metrics";
    from_this_origin(headers, host, api || request.method() != Method::GET)?;
    if request.method() == Method::OPTIONS {
        return Err(forbidden("no cross-origin requests are answered here"));
    }
    if api {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if !given.is_some_and(|given| access.token.matches(given.trim())) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this API needs `Authorization: Bearer <token>`: the console page carries it; other clients \
                 read it from the host's token file (pos-host ... --token-file) or are given it (--token)",
            ));
        }
    }
    Ok(())
}

/// The `Host` the request is addressed to, when it is this till; a name not allowed (a
/// DNS-rebinding page's own) is refused.
fn addressed_to<'h>(access: &Access, headers: &'h HeaderMap) -> Result<&'h str, ApiError> {
    let Some(host) = headers.get(header::HOST).and_then(|value| value.to_str().ok()) else {
        return Err(forbidden("the request names no Host"));
    };
    let name = host_name(host).to_ascii_lowercase();
    let ip = name.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_ok();
    if ip || name == "localhost" || access.allowed_hosts.contains(&name) {
        Ok(host)
    } else {
        Err(forbidden(format!(
            "this host answers requests addressed to localhost or an IP address{}; this one was addressed to \
             `{name}` (start `pos-host serve` with --allow-host {name} if that is this till's name)",
            if access.allowed_hosts.is_empty() {
                String::new()
            } else {
                format!(" or to {}", access.allowed_hosts.join(", "))
            }
        )))
    }
}

/// `host` without its port: `127.0.0.1:8740` -> `127.0.0.1`, `[::1]:8740` -> `[::1]`.
fn host_name(host: &str) -> &str {
    match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') && host[..colon].matches(':').count() == 0 => &host[..colon],
        Some(colon) if host.starts_with('[') && host[..colon].ends_with(']') => &host[..colon],
        _ => host,
    }
}

/// Refuses a request that a browser says comes from a page of another origin. `strict`
/// (the API, and anything but a page load) also refuses other sites' navigations.
fn from_this_origin(headers: &HeaderMap, host: &str, strict: bool) -> Result<(), ApiError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let own = [format!("http://{host}"), format!("https://{host}")];
        if !own.iter().any(|own| origin.as_bytes().eq_ignore_ascii_case(own.as_bytes())) {
            return Err(forbidden(format!(
                "requests from pages of other origins are refused; this one came from {}",
                origin.to_str().unwrap_or("an unreadable origin")
            )));
        }
    }
    let site = headers.get("sec-fetch-site").and_then(|value| value.to_str().ok()).unwrap_or("none");
    // `none`: typed by the operator or a bookmark; `same-origin`: the console itself.
    if strict && !matches!(site, "none" | "same-origin") {
        return Err(forbidden(format!("requests from other sites' pages are refused (Sec-Fetch-Site: {site})")));
    }
    Ok(())
}

fn forbidden(error: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", error)
}

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn host_names_lose_their_port_only() {
        assert_eq!(host_name("127.0.0.1:8740"), "127.0.0.1");
        assert_eq!(host_name("localhost"), "localhost");
        assert_eq!(host_name("[::1]:8740"), "[::1]");
        assert_eq!(host_name("[::1]"), "[::1]");
        assert_eq!(host_name("evil.example:8740"), "evil.example");
    }
}
