//! Operations asked of the ERP and the web shop, by outcome and time: [`MeasuredErp`] wraps
//! whichever connector reaches the ERP, so the built-in client and a connector plugin are
//! counted alike; the web shop's client counts its own.

use super::Metrics;
use crate::bindings::connector::ErpInfo;
use crate::bindings::erp::{ErpError, ErpPage};
use crate::bindings::{Customer, SearchQuery};
use crate::caps::Erp;
use crate::erp::{ChangesError, ChangesPage, Connector, ListPage, WriteError};
use crate::webshop::WebshopError;
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// Which remote system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remote {
    Erp,
    Webshop,
}

impl Remote {
    fn label(self) -> &'static str {
        match self {
            Remote::Erp => "erp",
            Remote::Webshop => "webshop",
        }
    }
}

/// An error's outcome label.
pub trait Outcome {
    fn outcome(&self) -> &'static str;
}

impl Outcome for ErpError {
    fn outcome(&self) -> &'static str {
        match self {
            ErpError::Unavailable(_) => "unavailable",
            ErpError::Timeout => "timeout",
            ErpError::Cancelled => "cancelled",
            ErpError::Rejected(_) => "rejected",
        }
    }
}

impl Outcome for ChangesError {
    fn outcome(&self) -> &'static str {
        match self {
            ChangesError::CursorExpired => "cursor-expired",
            ChangesError::Erp(error) => error.outcome(),
        }
    }
}

impl Outcome for WriteError {
    fn outcome(&self) -> &'static str {
        match self {
            WriteError::Refused(_) => "refused",
            WriteError::Retry(error) => error.outcome(),
        }
    }
}

impl Outcome for WebshopError {
    fn outcome(&self) -> &'static str {
        match self {
            WebshopError::Unavailable(_) => "unavailable",
            WebshopError::NoAnswer(_) => "no-answer",
            WebshopError::Timeout => "timeout",
            WebshopError::Changed => "changed",
            WebshopError::NotFound => "not-found",
            WebshopError::CursorExpired => "cursor-expired",
            WebshopError::Rejected { .. } => "rejected",
        }
    }
}

impl Metrics {
    /// Runs `operation` of `remote`, counting its outcome and time.
    pub async fn measure<T, E: Outcome>(
        &self,
        remote: Remote,
        operation: &str,
        asked: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let started = Instant::now();
        let result = asked.await;
        let outcome = result.as_ref().map_or_else(Outcome::outcome, |_| "ok");
        let labels = [remote.label(), operation];
        self.remote_requests.with_label_values(&[labels[0], labels[1], outcome]).inc();
        self.remote_seconds.with_label_values(&labels).observe(started.elapsed().as_secs_f64());
        result
    }
}

/// A connector whose every operation is counted.
pub struct MeasuredErp {
    connector: Arc<dyn Connector>,
    metrics: Arc<Metrics>,
}

impl MeasuredErp {
    pub fn new(connector: Arc<dyn Connector>, metrics: Arc<Metrics>) -> MeasuredErp {
        MeasuredErp { connector, metrics }
    }

    async fn measure<T, E: Outcome>(&self, operation: &str, asked: impl Future<Output = Result<T, E>>) -> Result<T, E> {
        self.metrics.measure(Remote::Erp, operation, asked).await
    }
}

#[async_trait]
impl Erp for MeasuredErp {
    async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        self.measure("online-search-enabled", self.connector.online_search_enabled()).await
    }

    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<ErpPage, ErpError> {
        self.measure("search", self.connector.search(query, limit)).await
    }

    async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError> {
        self.measure("fetch", self.connector.fetch(number)).await
    }
}

#[async_trait]
impl Connector for MeasuredErp {
    async fn describe(&self) -> Result<ErpInfo, ErpError> {
        self.measure("describe", self.connector.describe()).await
    }

    async fn list(&self, after: Option<&str>, limit: u32) -> Result<ListPage, ErpError> {
        self.measure("list", self.connector.list(after, limit)).await
    }

    async fn changes(&self, cursor: &str, limit: u32) -> Result<ChangesPage, ChangesError> {
        self.measure("changes", self.connector.changes(cursor, limit)).await
    }

    async fn create(&self, customer: &Customer, idempotency_key: &str) -> Result<Customer, WriteError> {
        self.measure("create", self.connector.create(customer, idempotency_key)).await
    }

    async fn update(
        &self,
        customer: &Customer,
        expected_version: u64,
        idempotency_key: &str,
    ) -> Result<Customer, WriteError> {
        self.measure("update", self.connector.update(customer, expected_version, idempotency_key)).await
    }
}
