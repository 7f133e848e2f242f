//! The client of the web shop's customer API (docs/webshop-api.md): time-limited requests,
//! reads retried on connection failures and 503, writes described as [`WebWrite`]s that the
//! caller stores before sending, so that a retry repeats the very same request with the same
//! idempotency key.

mod wire;

use crate::bindings::Customer;
use crate::http::{self, Answer, MAX_BODY_BYTES, Transport, encode_segment};
use crate::metrics::{Metrics, Remote};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How often a read is retried after a connection failure or a 503.
const READ_RETRIES: u32 = 2;

/// Where the web shop is and how patient to be.
#[derive(Clone, Debug)]
pub struct WebshopConfig {
    /// Such as `http://127.0.0.1:8782`.
    pub url: String,
    /// Sent as `X-Workstation`.
    pub workstation: String,
    /// The limit of one request, retries included.
    pub timeout: Duration,
}

/// Why a request to the web shop failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebshopError {
    /// The web shop cannot be reached or answered that it failed (5xx); the text says why.
    Unavailable(String),
    /// The request was sent but its answer was lost (the connection broke) or cannot be
    /// read; for a write, whether it was carried out is unknown.
    NoAnswer(String),
    /// No answer within the time limit; for a write, whether it was carried out is unknown.
    Timeout,
    /// `412`: the web customer changed since the version the write names.
    Changed,
    /// `404`: no such web customer.
    NotFound,
    /// `410`: the registrations cursor expired.
    CursorExpired,
    /// Any other refusal, such as `409 number_taken`.
    Rejected { code: String, message: String },
}

impl WebshopError {
    /// Whether a write that failed this way may have been carried out all the same.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, WebshopError::NoAnswer(_) | WebshopError::Timeout)
    }

    /// Whether the same request may succeed later: the web shop was unreachable, failed,
    /// or its answer was lost.
    pub fn transient(&self) -> bool {
        matches!(self, WebshopError::Unavailable(_)) || self.outcome_unknown()
    }
}

impl fmt::Display for WebshopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebshopError::Unavailable(why) => write!(f, "the web shop is unavailable: {why}"),
            WebshopError::NoAnswer(why) => write!(f, "the web shop's answer was lost: {why}"),
            WebshopError::Timeout => f.write_str("the web shop did not answer in time"),
            WebshopError::Changed => f.write_str("the web customer was changed on the web shop in the meantime"),
            WebshopError::NotFound => f.write_str("the web shop does not know this web customer"),
            WebshopError::CursorExpired => f.write_str("the web shop no longer keeps the registrations cursor"),
            WebshopError::Rejected { code, message } => {
                write!(f, "the web shop refused the request: {code}: {message}")
            }
        }
    }
}

impl std::error::Error for WebshopError {}

/// One change of the registrations feed.
#[derive(Debug)]
pub enum Registration {
    /// A web customer registered or changed their data.
    Changed(Box<Customer>),
    /// A web customer was deleted.
    Deleted { web_id: String, version: u64 },
    /// A registration whose data cannot be stored (no last name, an over-long field,
    /// control or text-direction characters): it is left out, and the rest of the feed is
    /// read, so that one registration cannot stop the list for everyone.
    Refused { web_id: String, reason: String },
}

/// A page of the registrations feed.
#[derive(Debug)]
pub struct RegistrationsPage {
    pub changes: Vec<Registration>,
    pub next: u64,
    pub has_more: bool,
}

/// What a write does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    /// `PUT /customers/{id}`: replaces the web customer's data.
    Update,
    /// `PUT /customers/{id}/customer-number`: gives it a customer number.
    AssignNumber,
    /// `DELETE /customers/{id}`.
    Delete,
}

/// A write to the web shop, complete with its idempotency key: stored before it is sent and
/// sent again unchanged until an answer arrives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebWrite {
    pub kind: WriteKind,
    pub web_id: String,
    /// The version the web customer must still have.
    pub if_match: u64,
    /// The JSON body, if the write has one.
    pub body: Option<String>,
    pub idempotency_key: String,
}

impl WebWrite {
    /// Replaces the data of web customer `web_id` at `version` with `customer`'s.
    pub fn update(web_id: &str, version: u64, customer: &Customer) -> WebWrite {
        let body = serde_json::to_string(&wire::OutgoingWebCustomer::of(customer)).expect("a customer serializes");
        WebWrite::new(WriteKind::Update, web_id, version, Some(body))
    }

    /// Gives web customer `web_id` at `version` the customer number `number`.
    pub fn assign_number(web_id: &str, version: u64, number: &str) -> WebWrite {
        let body = serde_json::json!({ "customer_number": number }).to_string();
        WebWrite::new(WriteKind::AssignNumber, web_id, version, Some(body))
    }

    /// Deletes web customer `web_id` at `version`.
    pub fn delete(web_id: &str, version: u64) -> WebWrite {
        WebWrite::new(WriteKind::Delete, web_id, version, None)
    }

    fn new(kind: WriteKind, web_id: &str, if_match: u64, body: Option<String>) -> WebWrite {
        WebWrite { kind, web_id: web_id.to_owned(), if_match, body, idempotency_key: random_key() }
    }

    fn path(&self) -> String {
        let id = encode_segment(&self.web_id);
        match self.kind {
            WriteKind::Update | WriteKind::Delete => format!("/customers/{id}"),
            WriteKind::AssignNumber => format!("/customers/{id}/customer-number"),
        }
    }
}

/// 128 random bits in hex.
fn random_key() -> String {
    format!("{:016x}{:016x}", http::random_u64(), http::random_u64())
}

/// The client. Cheap to clone.
#[derive(Clone)]
pub struct WebshopClient {
    http: reqwest::Client,
    config: WebshopConfig,
    metrics: Option<Arc<Metrics>>,
}

impl WebshopClient {
    pub fn new(config: WebshopConfig) -> anyhow::Result<WebshopClient> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("pos-host/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(WebshopClient { http, config, metrics: None })
    }

    /// The client, its requests counted in `metrics` (a host's own registry).
    pub fn measured_by(self, metrics: Arc<Metrics>) -> WebshopClient {
        WebshopClient { metrics: Some(metrics), ..self }
    }

    async fn measure<T>(
        &self,
        operation: &str,
        asked: impl Future<Output = Result<T, WebshopError>>,
    ) -> Result<T, WebshopError> {
        match &self.metrics {
            Some(metrics) => metrics.measure(Remote::Webshop, operation, asked).await,
            None => asked.await,
        }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = format!("{}{path}", self.config.url.trim_end_matches('/'));
        self.http.request(method, url).header("X-Workstation", &self.config.workstation)
    }

    async fn read<T: DeserializeOwned>(&self, make: impl Fn() -> RequestBuilder) -> Result<Option<T>, WebshopError> {
        http::with_retries(
            self.config.timeout,
            READ_RETRIES,
            || async { parse(send(make()).await?) },
            WebshopError::transient,
            || WebshopError::Timeout,
        )
        .await
    }

    /// The registrations that changed after `since`.
    pub async fn registrations(&self, since: u64, limit: u32) -> Result<RegistrationsPage, WebshopError> {
        self.measure("registrations", self.read_registrations(since, limit)).await
    }

    async fn read_registrations(&self, since: u64, limit: u32) -> Result<RegistrationsPage, WebshopError> {
        let params = [("since", since.to_string()), ("limit", limit.to_string())];
        let page: wire::RegistrationsPage = self
            .read(|| self.request(Method::GET, "/registrations").query(&params))
            .await?
            .ok_or_else(|| malformed("the web shop does not offer /registrations"))?;
        Ok(registrations_page(page))
    }

    /// The web customer `web_id` as it is now; `None` when the web shop does not know it.
    pub async fn get(&self, web_id: &str) -> Result<Option<Customer>, WebshopError> {
        self.measure("get", self.read_customer(web_id)).await
    }

    async fn read_customer(&self, web_id: &str) -> Result<Option<Customer>, WebshopError> {
        let path = format!("/customers/{}", encode_segment(web_id));
        let customer: Option<wire::WireWebCustomer> = self.read(|| self.request(Method::GET, &path)).await?;
        customer.map(|c| c.into_customer().map_err(malformed)).transpose()
    }

    /// Sends `write`: the web customer as it is after it, or `None` after a deletion.
    pub async fn send(&self, write: &WebWrite) -> Result<Option<Customer>, WebshopError> {
        let operation = if write.kind == WriteKind::Delete { "delete" } else { "put" };
        self.measure(operation, self.write(write)).await
    }

    async fn write(&self, write: &WebWrite) -> Result<Option<Customer>, WebshopError> {
        let method = if write.kind == WriteKind::Delete { Method::DELETE } else { Method::PUT };
        let mut request = self
            .request(method, &write.path())
            .header("If-Match", format!("\"{}\"", write.if_match))
            .header("Idempotency-Key", &write.idempotency_key);
        if let Some(body) = &write.body {
            request = request.header("Content-Type", "application/json").body(body.clone());
        }
        let answer =
            tokio::time::timeout(self.config.timeout, send(request)).await.map_err(|_| WebshopError::Timeout)??;
        match parse::<wire::WireWebCustomer>(answer)? {
            Some(customer) => Ok(Some(customer.into_customer().map_err(malformed)?)),
            None if write.kind == WriteKind::Delete => Ok(None),
            None => Err(WebshopError::NotFound),
        }
    }
}

async fn send(request: RequestBuilder) -> Result<Answer, WebshopError> {
    http::receive(request).await.map_err(|problem| match problem {
        Transport::Timeout => WebshopError::Timeout,
        Transport::Refused(why) => WebshopError::Unavailable(format!("no connection: {why}")),
        Transport::Connection(why) => WebshopError::NoAnswer(format!("the connection broke: {why}")),
        Transport::TooLarge => {
            WebshopError::Unavailable(format!("a response larger than {} MiB", MAX_BODY_BYTES >> 20))
        }
    })
}

/// The body of a success parsed (`None` for `204`), or the error the status means.
fn parse<T: DeserializeOwned>(answer: Answer) -> Result<Option<T>, WebshopError> {
    match answer.status {
        StatusCode::NO_CONTENT => Ok(None),
        status if status.is_success() => from_json(&answer.body).map(Some),
        StatusCode::NOT_FOUND => Err(WebshopError::NotFound),
        StatusCode::PRECONDITION_FAILED => Err(WebshopError::Changed),
        StatusCode::GONE => Err(WebshopError::CursorExpired),
        status if status.is_server_error() => {
            Err(WebshopError::Unavailable(format!("the web shop failed ({status}): {}", answer.error_detail())))
        }
        status => {
            let (code, message) = answer.error().unwrap_or_else(|| (status.as_u16().to_string(), String::new()));
            Err(WebshopError::Rejected { code, message })
        }
    }
}

fn malformed(why: impl fmt::Display) -> WebshopError {
    WebshopError::NoAnswer(format!("a malformed response: {why}"))
}

/// The body of a `2xx` answer.
fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebshopError> {
    serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))
}

fn registrations_page(page: wire::RegistrationsPage) -> RegistrationsPage {
    let mut changes = Vec::with_capacity(page.changes.len());
    for change in page.changes {
        changes.push(match (change.deleted_at, change.customer) {
            (None, Some(customer)) => match customer.into_customer() {
                Ok(customer) => Registration::Changed(Box::new(customer)),
                Err(reason) => Registration::Refused { web_id: change.id, reason },
            },
            _ => Registration::Deleted { web_id: change.id, version: change.version },
        });
    }
    RegistrationsPage { changes, next: page.next, has_more: page.has_more }
}

/// What the client makes of the body of a `2xx` answer from each endpoint it reads, the very
/// path its requests take, without a server: for fuzzing (`tests/tests/all/fuzz/`).
#[doc(hidden)]
pub mod decode {
    use super::*;

    /// `GET /registrations`.
    pub fn registrations_page(body: &[u8]) -> Result<RegistrationsPage, WebshopError> {
        Ok(super::registrations_page(from_json(body)?))
    }

    /// `GET /customers/{id}`, and the answer to a write.
    pub fn customer(body: &[u8]) -> Result<Customer, WebshopError> {
        from_json::<wire::WireWebCustomer>(body)?.into_customer().map_err(malformed)
    }
}
