//! The ERP as the workflows see it ([`Connector`]): through the `erp-connector` slot's plugin
//! ([`PluginConnector`]), or, when a policy configures no connector, through the built-in
//! client of the data synchronization service (docs/erp-api.md, [`ErpClient`]): time-limited
//! requests, reads retried on connection failures and 503, writes sent only with their
//! idempotency key, bounded response bodies, and every failure mapped to the WIT `erp-error`.

mod connector;
mod plugin;
mod wire;

pub use connector::Connector;
pub use plugin::PluginConnector;
pub use wire::{OutboxCustomer, OutgoingCustomer};

use crate::bindings::connector::ErpInfo;
use crate::bindings::erp::{ErpError, ErpPage};
use crate::bindings::{Customer, SearchQuery, field_name};
use crate::caps::Erp;
use crate::http::{self, Transport, encode_segment};
use async_trait::async_trait;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;

pub use crate::http::MAX_BODY_BYTES;

/// How often a read is retried after a connection failure or a 503.
pub(crate) const READ_RETRIES: u32 = 2;

/// Where the service is and how patient to be.
#[derive(Clone, Debug)]
pub struct ErpConfig {
    /// Such as `http://127.0.0.1:8780`.
    pub url: String,
    /// Sent as `X-Workstation`.
    pub workstation: String,
    /// The limit of one request, retries included.
    pub timeout: Duration,
}

/// A page of the full customer list.
#[derive(Debug)]
pub struct ListPage {
    pub customers: Vec<Customer>,
    /// Where the next page starts; `None` on the last page.
    pub next_after: Option<String>,
    /// The change cursor that covers everything since this page was read.
    pub changes_from: String,
    /// How many customers the whole listing holds, when the ERP says.
    pub total: Option<u64>,
}

/// One change of the feed: a customer's new state, or its removal.
#[derive(Debug)]
pub enum Change {
    Upsert(Box<Customer>),
    Removed { number: String },
}

/// A page of the change feed.
#[derive(Debug)]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    /// The cursor to continue from.
    pub next: String,
    pub has_more: bool,
    /// When set, every number the ERP offers the workstation now: the others are gone.
    pub available: Option<Vec<String>>,
}

/// Why reading the change feed failed.
#[derive(Debug)]
pub enum ChangesError {
    /// The cursor is older than the feed keeps: a full synchronization is needed.
    CursorExpired,
    Erp(ErpError),
}

impl From<ErpError> for ChangesError {
    fn from(error: ErpError) -> ChangesError {
        ChangesError::Erp(error)
    }
}

/// The outcome of sending a write.
#[derive(Debug)]
pub enum WriteError {
    /// The ERP refused the change for good (a version or idempotency conflict, a bad
    /// request); retrying will not help.
    Refused(String),
    /// The ERP could not be reached or failed; retry later with the same key.
    Retry(ErpError),
}

/// The client. Cheap to clone.
#[derive(Clone)]
pub struct ErpClient {
    http: reqwest::Client,
    config: ErpConfig,
}

impl ErpClient {
    pub fn new(config: ErpConfig) -> anyhow::Result<ErpClient> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("pos-host/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ErpClient { http, config })
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = format!("{}{path}", self.config.url.trim_end_matches('/'));
        self.http.request(method, url).header("X-Workstation", &self.config.workstation)
    }

    /// Sends a read, retrying connection failures and 503 within the time limit.
    async fn read<T: DeserializeOwned>(&self, make: impl Fn() -> RequestBuilder) -> Result<Option<T>, ErpError> {
        http::with_retries(
            self.config.timeout,
            READ_RETRIES,
            || send::<T>(make()),
            |error| matches!(error, ErpError::Unavailable(_)),
            || ErpError::Timeout,
        )
        .await
    }

    /// Which service this is, and that it answers: `GET /health` and `GET /settings`.
    pub async fn describe(&self) -> Result<ErpInfo, ErpError> {
        let health: wire::Health = self.read(|| self.request(Method::GET, "/health")).await?.ok_or_else(not_found)?;
        self.online_search_enabled().await?;
        Ok(ErpInfo {
            product: health.service.unwrap_or_else(|| "data synchronization service".into()),
            version: health.version.unwrap_or_else(|| "unknown".into()),
            location: format!("{} as {} (built-in client)", self.config.url, self.config.workstation),
        })
    }

    /// Whether online customer search is activated on the ERP side.
    pub async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        let settings: wire::Settings =
            self.read(|| self.request(Method::GET, "/settings")).await?.ok_or_else(not_found)?;
        Ok(settings.online_search_enabled)
    }

    /// At most `limit` customers matching the operator's phrase and filters.
    pub async fn search(&self, query: &SearchQuery, limit: u32) -> Result<ErpPage, ErpError> {
        let mut params = vec![("q".to_owned(), query.phrase.clone()), ("limit".to_owned(), limit.to_string())];
        params.extend(query.filters.iter().map(|f| (field_name(f.field).to_owned(), f.value.clone())));
        let page: wire::SearchPage =
            self.read(|| self.request(Method::GET, "/customers/search").query(&params)).await?.ok_or_else(not_found)?;
        search_page(page)
    }

    /// One customer by number; `None` when the ERP does not know it.
    pub async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError> {
        let path = format!("/customers/{}", encode_segment(number));
        match self.read::<wire::WireCustomer>(|| self.request(Method::GET, &path)).await? {
            Some(customer) => Ok(Some(customer.into_customer().map_err(malformed)?)),
            None => Ok(None),
        }
    }

    /// A page of the full customer list after `after`.
    pub async fn list(&self, after: Option<&str>, limit: u32) -> Result<ListPage, ErpError> {
        let mut params = vec![("limit", limit.to_string())];
        params.extend(after.map(|a| ("after", a.to_owned())));
        let page: wire::ListPage =
            self.read(|| self.request(Method::GET, "/customers").query(&params)).await?.ok_or_else(not_found)?;
        list_page(page)
    }

    /// Changes after `cursor`, a change version this client made.
    pub async fn changes(&self, cursor: &str, limit: u32) -> Result<ChangesPage, ChangesError> {
        let Ok(since) = cursor.parse::<u64>() else { return Err(ChangesError::CursorExpired) };
        let params = [("since", since.to_string()), ("limit", limit.to_string())];
        let page: wire::ChangesPage = match self.read(|| self.request(Method::GET, "/changes").query(&params)).await {
            Ok(Some(page)) => page,
            Ok(None) => return Err(ChangesError::Erp(not_found())),
            Err(ErpError::Rejected(why)) if why.starts_with("cursor_expired") => {
                return Err(ChangesError::CursorExpired);
            }
            Err(error) => return Err(ChangesError::Erp(error)),
        };
        let mut page = changes_page(page).map_err(ChangesError::Erp)?;
        page.next = page.next.parse::<u64>().map_or(since, |next| next.max(since)).to_string();
        Ok(page)
    }

    /// Sends a customer created at the POS.
    pub async fn create(&self, customer: &Customer, idempotency_key: &str) -> Result<Customer, WriteError> {
        let request = self
            .request(Method::POST, "/customers")
            .header("Idempotency-Key", idempotency_key)
            .header("Content-Type", "application/json")
            .body(body(customer)?);
        self.write(request).await
    }

    /// Sends an edit of a customer whose ERP version is `version`.
    pub async fn update(
        &self,
        customer: &Customer,
        version: u64,
        idempotency_key: &str,
    ) -> Result<Customer, WriteError> {
        let number = customer.number.as_deref().unwrap_or_default();
        let request = self
            .request(Method::PUT, &format!("/customers/{}", encode_segment(number)))
            .header("If-Match", format!("\"{version}\""))
            .header("Idempotency-Key", idempotency_key)
            .header("Content-Type", "application/json")
            .body(body(customer)?);
        self.write(request).await
    }

    async fn write(&self, request: RequestBuilder) -> Result<Customer, WriteError> {
        let result = match tokio::time::timeout(self.config.timeout, send::<wire::WireCustomer>(request)).await {
            Err(_) => return Err(WriteError::Retry(ErpError::Timeout)),
            Ok(result) => result,
        };
        match result {
            Ok(Some(customer)) => customer.into_customer().map_err(|e| WriteError::Retry(malformed(e))),
            Ok(None) => Err(WriteError::Refused("not_found: the ERP does not know this customer".into())),
            Err(ErpError::Rejected(why)) => Err(WriteError::Refused(why)),
            Err(error) => Err(WriteError::Retry(error)),
        }
    }
}

/// A customer as the service takes it.
fn body(customer: &Customer) -> Result<String, WriteError> {
    serde_json::to_string(&OutgoingCustomer::of(customer))
        .map_err(|e| WriteError::Refused(format!("the customer cannot be sent: {e}")))
}

/// An ERP failure in words, for logs and command output.
pub fn describe(error: &ErpError) -> String {
    match error {
        ErpError::Unavailable(why) => format!("the ERP data service is unavailable: {why}"),
        ErpError::Timeout => "the ERP data service did not answer in time".into(),
        ErpError::Cancelled => "the request to the ERP data service was cancelled".into(),
        ErpError::Rejected(why) => format!("the ERP data service refused the request: {why}"),
    }
}

/// Sends one request: `Ok(None)` for 404, the body parsed for 2xx, an `ErpError` otherwise.
async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<Option<T>, ErpError> {
    let answer = http::receive(request).await.map_err(|problem| match problem {
        Transport::Timeout => ErpError::Timeout,
        Transport::Refused(why) | Transport::Connection(why) => {
            ErpError::Unavailable(format!("no connection with the data service: {why}"))
        }
        Transport::TooLarge => {
            ErpError::Unavailable(format!("the data service sent a response larger than {} MiB", MAX_BODY_BYTES >> 20))
        }
    })?;
    let status = answer.status;
    if status == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if status.is_success() {
        return from_json(&answer.body).map(Some);
    }
    let detail = answer.error_detail();
    if status.is_server_error() {
        Err(ErpError::Unavailable(format!("the data service failed ({status}): {detail}")))
    } else {
        Err(ErpError::Rejected(detail))
    }
}

fn malformed(why: impl std::fmt::Display) -> ErpError {
    ErpError::Unavailable(format!("the data service sent a malformed response: {why}"))
}

fn not_found() -> ErpError {
    ErpError::Rejected("not_found: the data service does not offer this endpoint".into())
}

/// The body of a `2xx` answer.
fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ErpError> {
    serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))
}

fn convert_all(customers: Vec<wire::WireCustomer>) -> Result<Vec<Customer>, ErpError> {
    customers.into_iter().map(|c| c.into_customer().map_err(malformed)).collect()
}

fn search_page(page: wire::SearchPage) -> Result<ErpPage, ErpError> {
    Ok(ErpPage { customers: convert_all(page.customers)?, has_more: page.has_more })
}

fn list_page(page: wire::ListPage) -> Result<ListPage, ErpError> {
    Ok(ListPage {
        customers: convert_all(page.customers)?,
        next_after: page.next_after,
        changes_from: page.as_of.to_string(),
        total: page.total,
    })
}

fn changes_page(page: wire::ChangesPage) -> Result<ChangesPage, ErpError> {
    let mut changes = Vec::with_capacity(page.changes.len());
    for change in page.changes {
        changes.push(match (change.deleted_at, change.customer) {
            (None, Some(customer)) => Change::Upsert(Box::new(customer.into_customer().map_err(malformed)?)),
            (_, _) => Change::Removed { number: change.number },
        });
    }
    Ok(ChangesPage { changes, next: page.next.to_string(), has_more: page.has_more, available: None })
}

/// What the client makes of the body of a `2xx` answer from each endpoint it reads, the very
/// path its requests take, without a server: for fuzzing (`tests/tests/all/fuzz/`).
#[doc(hidden)]
pub mod decode {
    use super::*;

    /// `GET /customers/search`.
    pub fn search_page(body: &[u8]) -> Result<ErpPage, ErpError> {
        super::search_page(from_json(body)?)
    }

    /// `GET /customers/{number}`, and the answer to a create or an update.
    pub fn customer(body: &[u8]) -> Result<Customer, ErpError> {
        from_json::<wire::WireCustomer>(body)?.into_customer().map_err(malformed)
    }

    /// `GET /customers`.
    pub fn list_page(body: &[u8]) -> Result<ListPage, ErpError> {
        super::list_page(from_json(body)?)
    }

    /// `GET /changes`.
    pub fn changes_page(body: &[u8]) -> Result<ChangesPage, ErpError> {
        super::changes_page(from_json(body)?)
    }
}

#[async_trait]
impl Erp for ErpClient {
    async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        ErpClient::online_search_enabled(self).await
    }

    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<ErpPage, ErpError> {
        ErpClient::search(self, query, limit).await
    }

    async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError> {
        ErpClient::fetch(self, number).await
    }
}
