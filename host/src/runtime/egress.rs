//! Where a plugin may connect through `wasi:http`: nowhere, unless its slot's
//! `allowed-hosts` names the address (the erp-connector slot may also reach `host.erp.url`).
//! Every request goes through [`EgressHooks::send_request`], which refuses the others before
//! any connection is made, bounds the time of the whole exchange and the size of the answer.

use crate::contract::SlotId;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks, default_send_request};

/// The largest answer a plugin may receive.
pub const MAX_RESPONSE_BYTES: u64 = crate::http::MAX_BODY_BYTES as u64;

/// One entry of `allowed-hosts`: `scheme://host[:port]`, where the scheme may be `*`, the
/// host `*` or `*.example.com` (its subdomains), and the port `*`; without a port, only the
/// scheme's default port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedHost {
    scheme: Option<String>,
    host: HostPattern,
    port: Option<u16>,
    text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    SubdomainsOf(String),
}

impl AllowedHost {
    /// Reads an entry, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<AllowedHost, String> {
        let expected =
            "expected `scheme://host[:port]`, such as \"https://erp.example.com\" or \"http://10.0.0.5:8000\"";
        let (scheme, rest) = text.split_once("://").ok_or_else(|| format!("`{text}`: {expected}"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "*" => None,
            s @ ("http" | "https") => Some(s.to_owned()),
            other => return Err(format!("`{text}`: the scheme `{other}` is not http, https or *")),
        };
        if rest.contains(['/', '?', '#', '@']) || rest.is_empty() || rest.contains(char::is_whitespace) {
            return Err(format!("`{text}`: {expected}, without a path or user"));
        }
        let (host, port) = split_port(rest).ok_or_else(|| format!("`{text}`: {expected}"))?;
        let port = match port {
            None => default_port(scheme.as_deref())
                .map(Some)
                .ok_or_else(|| format!("`{text}`: with the scheme `*` the port must be given (`:*` for any)"))?,
            Some("*") => None,
            Some(port) => Some(
                port.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("`{text}`: the port `{port}` is not a number from 1 to 65535 or *"))?,
            ),
        };
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostPattern::Any
        } else if let Some(domain) = host.strip_prefix("*.") {
            if !valid_host(domain) {
                return Err(format!("`{text}`: `{domain}` is not a host name"));
            }
            HostPattern::SubdomainsOf(domain.to_owned())
        } else if valid_host(&host) {
            HostPattern::Exact(host)
        } else {
            return Err(format!("`{text}`: `{host}` is not a host name or an IP address"));
        };
        Ok(AllowedHost { scheme, host, port, text: text.to_owned() })
    }

    /// The origin of `url` (an `http(s)://` URL) as an entry.
    pub fn origin_of(url: &str) -> Option<AllowedHost> {
        let (scheme, rest) = url.split_once("://")?;
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        AllowedHost::parse(&format!("{}://{authority}", scheme.to_ascii_lowercase())).ok()
    }

    fn allows(&self, target: &Target) -> bool {
        let scheme = self.scheme.as_deref().is_none_or(|s| s == target.scheme);
        let port = self.port.is_none_or(|p| p == target.port);
        let host = match &self.host {
            HostPattern::Any => true,
            HostPattern::Exact(host) => *host == target.host,
            HostPattern::SubdomainsOf(domain) => {
                target.host.strip_suffix(domain.as_str()).is_some_and(|head| head.len() > 1 && head.ends_with('.'))
            }
        };
        scheme && port && host
    }
}

impl fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `host[:port]`, with IPv6 literals in brackets.
fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let host = &authority[..host.len() + 2];
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host, Some(port))),
        Some(_) => None,
        None => Some((authority, None)),
    }
}

fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn default_port(scheme: Option<&str>) -> Option<u16> {
    match scheme {
        Some("http") => Some(80),
        Some("https") => Some(443),
        _ => None,
    }
}

/// Where a request goes.
struct Target {
    scheme: String,
    host: String,
    port: u16,
}

impl Target {
    fn of(uri: &http::Uri) -> Option<Target> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let host = uri.host()?.to_ascii_lowercase();
        let port = uri.port_u16().or_else(|| default_port(Some(&scheme)))?;
        Some(Target { scheme, host, port })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// Where the plugins of one slot may connect, and how long and how much they may receive.
#[derive(Clone, Debug)]
pub struct Egress {
    slot: Option<SlotId>,
    allowed: Vec<AllowedHost>,
    /// The ERP's address (`host.erp.url`), which the connector may always reach.
    erp: Option<AllowedHost>,
    /// The limit of one request, from the connection to the last byte.
    pub timeout: Duration,
    pub max_response_bytes: u64,
}

impl Default for Egress {
    fn default() -> Self {
        Egress::deny_all(None)
    }
}

impl Egress {
    /// Nothing allowed.
    pub fn deny_all(slot: Option<SlotId>) -> Egress {
        Egress {
            slot,
            allowed: Vec::new(),
            erp: None,
            timeout: Duration::from_secs(5),
            max_response_bytes: MAX_RESPONSE_BYTES,
        }
    }

    /// The policy of `slot`: the entries of its `allowed-hosts`, plus the origin of
    /// `erp_url` for the erp-connector slot.
    pub fn new(slot: SlotId, allowed: Vec<AllowedHost>, erp_url: Option<&str>, timeout: Duration) -> Egress {
        let erp = match slot {
            SlotId::ErpConnector => erp_url.and_then(AllowedHost::origin_of),
            _ => None,
        };
        Egress { slot: Some(slot), allowed, erp, timeout, ..Egress::deny_all(Some(slot)) }
    }

    /// Whether anything at all is allowed.
    pub fn allows_any(&self) -> bool {
        self.erp.is_some() || !self.allowed.is_empty()
    }

    fn allows(&self, target: &Target) -> bool {
        self.erp.iter().chain(&self.allowed).any(|entry| entry.allows(target))
    }

    /// Why a request to `target` is refused, naming the policy key that would allow it.
    fn refusal(&self, target: &str) -> String {
        let key = match self.slot {
            Some(slot) => format!("slots.{slot}.allowed-hosts"),
            None => "allowed-hosts".into(),
        };
        let allowed: Vec<String> = self.allowed.iter().map(ToString::to_string).collect();
        let erp = match &self.erp {
            Some(erp) => format!("; host.erp.url allows {erp}"),
            None => String::new(),
        };
        let list = if allowed.is_empty() { "nothing".to_owned() } else { allowed.join(", ") };
        format!("the plugin may not connect to {target}: {key} allows {list}{erp}")
    }
}

/// The `wasi:http` hooks of one call: the slot's [`Egress`], and the first request it
/// refused, for the error the host reports.
pub struct EgressHooks {
    egress: Arc<Egress>,
    refused: Option<String>,
}

impl EgressHooks {
    pub fn new(egress: Arc<Egress>) -> EgressHooks {
        EgressHooks { egress, refused: None }
    }

    /// Why the first refused request of this call was refused.
    pub fn refused(&self) -> Option<&str> {
        self.refused.as_deref()
    }
}

type IoFuture = Box<dyn Future<Output = Result<(), HttpError>> + Send>;
type SendFuture = Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), HttpError>> + Send>;

impl WasiHttpHooks for EgressHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _io: IoFuture,
    ) -> SendFuture {
        let target = Target::of(request.uri());
        let allowed = target.as_ref().is_some_and(|t| self.egress.allows(t));
        if !allowed {
            let shown = target.map_or_else(|| request.uri().to_string(), |t| t.to_string());
            let why = self.egress.refusal(&shown);
            tracing::warn!("{why}");
            self.refused.get_or_insert(why);
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        // The plugin may ask for shorter waits, never longer ones; the TLS handshake, which
        // no option covers, falls under the limit of the whole exchange.
        let limit = self.egress.timeout;
        let clamp = |asked: Option<Duration>| Some(asked.map_or(limit, |d| d.min(limit)));
        let options = RequestOptions {
            connect_timeout: clamp(options.and_then(|o| o.connect_timeout)),
            first_byte_timeout: clamp(options.and_then(|o| o.first_byte_timeout)),
            between_bytes_timeout: clamp(options.and_then(|o| o.between_bytes_timeout)),
        };
        let max = self.egress.max_response_bytes;
        Box::new(async move {
            let (response, io) = tokio::time::timeout(limit, default_send_request(request, Some(options)))
                .await
                .map_err(|_| HttpError::ConnectionTimeout)??;
            let declared = response
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if let Some(length) = declared.filter(|length| *length > max) {
                return Err(HttpError::HttpResponseBodySize(Some(length)));
            }
            let response = response.map(|body| Capped { inner: body.boxed_unsync(), seen: 0, max }.boxed_unsync());
            Ok((response, Box::new(io) as IoFuture))
        })
    }
}

/// An answer body that fails once it passes `max` bytes.
struct Capped {
    inner: WasiBody,
    seen: u64,
    max: u64,
}

impl Body for Capped {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        let frame = ready!(Pin::new(&mut this.inner).poll_frame(cx));
        if let Some(Ok(frame)) = &frame
            && let Some(data) = frame.data_ref()
        {
            this.seen += data.len() as u64;
            if this.seen > this.max {
                return Poll::Ready(Some(Err(HttpError::HttpResponseBodySize(Some(this.seen)))));
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target::of(&url.parse().unwrap()).unwrap()
    }

    fn allows(entry: &str, url: &str) -> bool {
        AllowedHost::parse(entry).unwrap().allows(&target(url))
    }

    #[test]
    fn entries_allow_what_they_name_only() {
        assert!(allows("http://127.0.0.1:8000", "http://127.0.0.1:8000/pos/rpc/"));
        assert!(!allows("http://127.0.0.1:8000", "http://127.0.0.1:8001/"));
        assert!(!allows("http://127.0.0.1:8000", "https://127.0.0.1:8000/"));
        assert!(allows("https://erp.example.com", "https://ERP.example.com/x"));
        assert!(!allows("https://erp.example.com", "https://erp.example.com:8443/x"));
        assert!(allows("https://*.example.com", "https://a.b.example.com/"));
        assert!(!allows("https://*.example.com", "https://example.com/"));
        assert!(!allows("https://*.example.com", "https://evilexample.com/"));
        assert!(allows("*://*:*", "http://anything:1/"));
        assert!(allows("http://[::1]:8000", "http://[::1]:8000/"));
        assert!(allows("http://erp:*", "http://erp:9999/"));
    }

    #[test]
    fn bad_entries_say_what_is_wrong() {
        for (entry, says) in [
            ("erp.example.com", "scheme://host"),
            ("ftp://erp", "`ftp` is not http"),
            ("http://erp:0", "port `0`"),
            ("http://erp/path", "without a path"),
            ("*://erp", "port must be given"),
            ("http://user@erp", "without a path or user"),
            ("http://bad_host", "not a host name"),
        ] {
            let error = AllowedHost::parse(entry).unwrap_err();
            assert!(error.contains(says), "{entry}: {error}");
        }
    }

    #[test]
    fn the_erp_origin_is_allowed_to_the_connector_only() {
        let t = Duration::from_secs(1);
        let connector = Egress::new(SlotId::ErpConnector, Vec::new(), Some("http://127.0.0.1:8000/x"), t);
        assert!(connector.allows(&target("http://127.0.0.1:8000/pos/rpc/")));
        assert!(!connector.allows(&target("http://127.0.0.1:8001/")));
        let texts = Egress::new(SlotId::NotificationTexts, Vec::new(), Some("http://127.0.0.1:8000"), t);
        assert!(!texts.allows(&target("http://127.0.0.1:8000/")));
        let refusal = connector.refusal("http://203.0.113.9:80");
        assert!(refusal.contains("http://203.0.113.9:80"), "{refusal}");
        assert!(refusal.contains("slots.erp-connector.allowed-hosts"), "{refusal}");
    }
}
