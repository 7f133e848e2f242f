//! What the clients of the remote services (the ERP, the web shop) share: receiving a
//! bounded response body, the error body both services send, and path segments.

use reqwest::{RequestBuilder, StatusCode};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// The largest response body accepted; a bigger one is refused, not buffered.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// A response received in full.
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// Why no complete response arrived.
#[derive(Debug)]
pub enum Transport {
    /// reqwest's own time limit (the connect timeout) ran out.
    Timeout,
    /// No connection could be made: the request was not sent.
    Refused(String),
    /// The connection broke after the request was sent, before the whole answer arrived.
    Connection(String),
    /// The body was larger than [`MAX_BODY_BYTES`].
    TooLarge,
}

/// Sends `request` and reads the whole body, at most [`MAX_BODY_BYTES`].
pub async fn receive(request: RequestBuilder) -> Result<Answer, Transport> {
    let mut response = request.send().await.map_err(transport)?;
    let status = response.status();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(Transport::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer { status, body })
}

fn transport(error: reqwest::Error) -> Transport {
    if error.is_timeout() {
        return Transport::Timeout;
    }
    let mut why = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        why = format!("{why}: {inner}");
        source = inner.source();
    }
    if error.is_connect() { Transport::Refused(why) } else { Transport::Connection(why) }
}

/// `{"error": {"code": ..., "message": ...}}`, the error body of both services.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    code: String,
    #[serde(default)]
    message: String,
}

impl Answer {
    /// The error code and message of an error answer, if its body is the services' error
    /// body.
    pub fn error(&self) -> Option<(String, String)> {
        serde_json::from_slice::<ErrorBody>(&self.body).ok().map(|b| (b.error.code, b.error.message))
    }

    /// `code: message` of an error answer, or the status when the body says nothing.
    pub fn error_detail(&self) -> String {
        match self.error() {
            Some((code, message)) => format!("{code}: {message}"),
            None => format!("HTTP {}", self.status),
        }
    }
}

/// 64 random bits for idempotency keys, from the operating system's random source (each
/// `RandomState` is keyed afresh from it).
pub fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new().build_hasher().finish()
}

/// Percent-encodes an identifier (a customer number, a web id) for use as one path segment.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Runs a read (`attempt`) within `timeout`, retries included: after an error that
/// `retryable` accepts, up to `retries` more times, pausing 100 ms, 300 ms, 900 ms... as
/// long as the pause ends before the time limit. `timed_out` is the error once it is over.
pub async fn with_retries<T, E: std::fmt::Debug, F: Future<Output = Result<T, E>>>(
    timeout: Duration,
    retries: u32,
    attempt: impl Fn() -> F,
    retryable: impl Fn(&E) -> bool,
    timed_out: impl Fn() -> E,
) -> Result<T, E> {
    let started = Instant::now();
    let mut retried = 0;
    loop {
        let remaining = timeout.saturating_sub(started.elapsed());
        let result = tokio::time::timeout(remaining, attempt()).await.map_err(|_| timed_out())?;
        match result {
            Err(error) if retried < retries && retryable(&error) => {
                retried += 1;
                let pause = Duration::from_millis(100 * 3u64.pow(retried - 1));
                if started.elapsed() + pause >= timeout {
                    return Err(error);
                }
                tracing::debug!(attempt = retried, "retrying a read: {error:?}");
                tokio::time::sleep(pause).await;
            }
            other => return other,
        }
    }
}
