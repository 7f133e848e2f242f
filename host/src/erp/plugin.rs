//! The ERP through the `erp-connector` slot. The host keeps what is not the ERP's: the time
//! limits (each request the connector sends ends after `host.erp.timeout-ms`, each operation,
//! retries included, after the slot's `limits.timeout-ms`), retries of reads that found the
//! ERP unavailable, and cancel (dropping the operation ends the call).

use super::{Change, ChangesError, ChangesPage, Connector, ListPage, READ_RETRIES, WriteError};
use crate::bindings::connector::{self as wit, ErpInfo};
use crate::bindings::erp::{ErpError, ErpPage};
use crate::bindings::{Customer, SearchQuery};
use crate::caps::Erp;
use crate::runtime::Slot;
use crate::slots::{ErpConnectorKind, Plugins};
use async_trait::async_trait;
use std::future::Future;
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

/// The connector slot of a host's plugins. Created before the plugins are (the plugins'
/// capabilities hold it), and pointed at them once they are ([`PluginConnector::attach`]).
pub struct PluginConnector {
    plugins: OnceLock<Weak<Plugins>>,
    timeout: Duration,
}

impl PluginConnector {
    /// A connector whose operations, retries included, end after `timeout`: the slot's
    /// `limits.timeout-ms`, since one operation may send many requests.
    pub fn new(timeout: Duration) -> PluginConnector {
        PluginConnector { plugins: OnceLock::new(), timeout }
    }

    /// Points it at the plugins of the host; the first call wins.
    pub fn attach(&self, plugins: &Arc<Plugins>) {
        let _ = self.plugins.set(Arc::downgrade(plugins));
    }

    fn gone() -> ErpError {
        ErpError::Unavailable("the host is shutting down".into())
    }

    /// Runs `operation` on the slot within the time limit.
    async fn run<T, E, Fut>(
        &self,
        operation: impl FnOnce(Arc<Plugins>) -> Fut,
        from: impl Fn(ErpError) -> E,
    ) -> Result<T, E>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        let plugins = self.plugins.get().and_then(Weak::upgrade).ok_or_else(|| from(Self::gone()))?;
        tokio::time::timeout(self.timeout, operation(plugins)).await.unwrap_or_else(|_| Err(from(ErpError::Timeout)))
    }

    /// Runs a read, retried while the ERP is unavailable, within the time limit.
    async fn read<T, Fut>(&self, operation: impl Fn(Arc<Plugins>) -> Fut) -> Result<T, ErpError>
    where
        Fut: Future<Output = Result<T, ErpError>>,
    {
        self.retried(operation, |e| e, |error| matches!(error, ErpError::Unavailable(_))).await
    }

    /// Runs `operation`, again while `unavailable` says its error is the ERP's being
    /// unavailable, within the time limit.
    async fn retried<T, E: std::fmt::Debug, Fut>(
        &self,
        operation: impl Fn(Arc<Plugins>) -> Fut,
        from: impl Fn(ErpError) -> E,
        unavailable: impl Fn(&E) -> bool,
    ) -> Result<T, E>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        let plugins = self.plugins.get().and_then(Weak::upgrade).ok_or_else(|| from(Self::gone()))?;
        crate::http::with_retries(
            self.timeout,
            READ_RETRIES,
            || operation(plugins.clone()),
            unavailable,
            || from(ErpError::Timeout),
        )
        .await
    }
}

fn slot(plugins: &Plugins) -> &Slot<ErpConnectorKind> {
    plugins.slot::<ErpConnectorKind>()
}

#[async_trait]
impl Erp for PluginConnector {
    async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        self.read(|plugins| async move { slot(&plugins).online_search_enabled().await }).await
    }

    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<ErpPage, ErpError> {
        let found = self.read(|plugins| async move { slot(&plugins).search(query, limit).await }).await?;
        Ok(ErpPage { customers: found.customers, has_more: found.has_more })
    }

    async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError> {
        self.read(|plugins| async move { slot(&plugins).fetch(number).await }).await
    }
}

#[async_trait]
impl Connector for PluginConnector {
    async fn describe(&self) -> Result<ErpInfo, ErpError> {
        self.read(|plugins| async move { slot(&plugins).describe().await }).await
    }

    async fn list(&self, after: Option<&str>, limit: u32) -> Result<ListPage, ErpError> {
        let page = self.read(|plugins| async move { slot(&plugins).listing(after, limit).await }).await?;
        Ok(ListPage {
            customers: page.customers,
            next_after: page.next_after,
            changes_from: page.changes_from,
            total: page.total,
        })
    }

    async fn changes(&self, cursor: &str, limit: u32) -> Result<ChangesPage, ChangesError> {
        let page = self
            .retried(
                |plugins| async move { slot(&plugins).changes(cursor, limit).await },
                wit::ChangesError::Failed,
                |error| matches!(error, wit::ChangesError::Failed(ErpError::Unavailable(_))),
            )
            .await
            .map_err(|error| match error {
                wit::ChangesError::CursorExpired => ChangesError::CursorExpired,
                wit::ChangesError::Failed(error) => ChangesError::Erp(error),
            })?;
        let changes = page
            .changes
            .into_iter()
            .map(|change| match change {
                wit::Change::Upsert(customer) => Change::Upsert(Box::new(customer)),
                wit::Change::Removed(number) => Change::Removed { number },
            })
            .collect();
        Ok(ChangesPage { changes, next: page.next, has_more: page.has_more, available: page.available })
    }

    async fn create(&self, customer: &Customer, idempotency_key: &str) -> Result<Customer, WriteError> {
        self.run(
            |plugins| async move { slot(&plugins).create(customer, idempotency_key).await },
            wit::WriteError::Failed,
        )
        .await
        .map_err(write_error)
    }

    async fn update(
        &self,
        customer: &Customer,
        expected_version: u64,
        idempotency_key: &str,
    ) -> Result<Customer, WriteError> {
        self.run(
            |plugins| async move { slot(&plugins).update(customer, expected_version, idempotency_key).await },
            wit::WriteError::Failed,
        )
        .await
        .map_err(write_error)
    }
}

fn write_error(error: wit::WriteError) -> WriteError {
    match error {
        wit::WriteError::Refused(why) => WriteError::Refused(why),
        wit::WriteError::Failed(error) => WriteError::Retry(error),
    }
}
