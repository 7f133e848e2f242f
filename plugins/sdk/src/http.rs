//! Outgoing HTTP requests through `wasi:http`, for connectors: one call sends a request and
//! reads the whole answer. The host decides where a plugin may connect (`host.erp.url` and
//! the slot's `allowed-hosts`), how long a request may take and how large an answer may be;
//! a request it refuses fails with [`HttpError::Denied`].

use std::fmt;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, Scheme};
use wasip2::io::streams::StreamError;

/// The most bytes written to the request body at once (`check-write` of WASI streams).
const WRITE_CHUNK: usize = 4096;

/// An answer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case, with their values as sent.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (any case), if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| std::str::from_utf8(value).ok())
    }
}

/// Why a request got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The URL is not `http(s)://host[:port]/path`; the text says what is wrong.
    InvalidUrl(String),
    /// The host refused to send it: the address is not one this slot may reach. The host's
    /// log names the address and the policy key that would allow it.
    Denied,
    /// No answer in time: the connection, the first byte or the rest of the answer.
    Timeout,
    /// No connection: the name does not resolve, the connection is refused or dropped, TLS
    /// failed; the text says which.
    Connection(String),
    /// The answer broke the protocol or was larger than the host accepts.
    Protocol(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::InvalidUrl(why) => write!(f, "invalid URL: {why}"),
            HttpError::Denied => f.write_str("the host does not allow this address"),
            HttpError::Timeout => f.write_str("no answer in time"),
            HttpError::Connection(why) => write!(f, "no connection: {why}"),
            HttpError::Protocol(why) => write!(f, "bad answer: {why}"),
        }
    }
}

impl std::error::Error for HttpError {}

/// Sends `method url` with `headers` and `body`, and reads the whole answer.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Result<Response, HttpError> {
    let (scheme, authority, path) = split_url(url)?;
    let fields: Vec<(String, Vec<u8>)> =
        headers.iter().map(|(name, value)| (name.to_ascii_lowercase(), value.as_bytes().to_vec())).collect();
    let fields =
        Fields::from_list(&fields).map_err(|e| HttpError::InvalidUrl(format!("a header is refused: {e:?}")))?;
    let request = OutgoingRequest::new(fields);
    let method = match method {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "PATCH" => Method::Patch,
        "HEAD" => Method::Head,
        other => Method::Other(other.to_owned()),
    };
    let invalid = |what: &str| HttpError::InvalidUrl(format!("{what} is refused in {url}"));
    request.set_method(&method).map_err(|()| invalid("the method"))?;
    request.set_scheme(Some(&scheme)).map_err(|()| invalid("the scheme"))?;
    request.set_authority(Some(authority)).map_err(|()| invalid("the host"))?;
    request.set_path_with_query(Some(path)).map_err(|()| invalid("the path"))?;
    let outgoing = request.body().map_err(|()| HttpError::Protocol("the request body is unavailable".into()))?;
    let answer = outgoing_handler::handle(request, None).map_err(transport)?;
    if let Some(body) = body {
        let stream = outgoing.write().map_err(|()| HttpError::Protocol("the request body is unavailable".into()))?;
        for chunk in body.chunks(WRITE_CHUNK) {
            stream.blocking_write_and_flush(chunk).map_err(stream_error)?;
        }
    }
    OutgoingBody::finish(outgoing, None).map_err(transport)?;
    let response = loop {
        match answer.get() {
            Some(result) => {
                break result
                    .map_err(|()| HttpError::Protocol("the answer was taken twice".into()))?
                    .map_err(transport)?;
            }
            None => answer.subscribe().block(),
        }
    };
    let status = response.status();
    let headers = response.headers().entries();
    let incoming = response.consume().map_err(|()| HttpError::Protocol("the answer body is unavailable".into()))?;
    let mut bytes = Vec::new();
    {
        let stream = incoming.stream().map_err(|()| HttpError::Protocol("the answer body is unavailable".into()))?;
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => bytes.extend_from_slice(&chunk),
                Err(StreamError::Closed) => break,
                Err(error) => return Err(stream_error(error)),
            }
        }
    }
    drop(IncomingBody::finish(incoming));
    Ok(Response { status, headers, body: bytes })
}

/// `scheme://authority/path?query`, split.
fn split_url(url: &str) -> Result<(Scheme, &str, &str), HttpError> {
    let (scheme, rest) =
        url.split_once("://").ok_or_else(|| HttpError::InvalidUrl(format!("{url} does not start with http://")))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        other => return Err(HttpError::InvalidUrl(format!("{other}:// is not http:// or https:// in {url}"))),
    };
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    if authority.is_empty() {
        return Err(HttpError::InvalidUrl(format!("{url} names no host")));
    }
    Ok((scheme, authority, if path.is_empty() { "/" } else { path }))
}

fn stream_error(error: StreamError) -> HttpError {
    match error {
        StreamError::Closed => HttpError::Connection("the connection closed".into()),
        StreamError::LastOperationFailed(error) => match wasip2::http::types::http_error_code(&error) {
            Some(code) => transport(code),
            None => HttpError::Protocol(error.to_debug_string()),
        },
    }
}

fn transport(code: ErrorCode) -> HttpError {
    match code {
        ErrorCode::HttpRequestDenied => HttpError::Denied,
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout
        | ErrorCode::DnsTimeout => HttpError::Timeout,
        ErrorCode::DnsError(_) | ErrorCode::DestinationNotFound => {
            HttpError::Connection("the host name is not known".into())
        }
        ErrorCode::DestinationUnavailable | ErrorCode::DestinationIpUnroutable => {
            HttpError::Connection("the host cannot be reached".into())
        }
        ErrorCode::DestinationIpProhibited => HttpError::Connection("the address is prohibited".into()),
        ErrorCode::ConnectionRefused => HttpError::Connection("the connection was refused".into()),
        ErrorCode::ConnectionTerminated => HttpError::Connection("the connection was closed".into()),
        ErrorCode::ConnectionLimitReached => HttpError::Connection("too many connections".into()),
        ErrorCode::TlsProtocolError | ErrorCode::TlsCertificateError | ErrorCode::TlsAlertReceived(_) => {
            HttpError::Connection(format!("TLS failed ({code:?})"))
        }
        other => HttpError::Protocol(format!("{other:?}")),
    }
}
