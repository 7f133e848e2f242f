//! What the workflows ask of an ERP, whichever way it is reached.

use super::{ChangesError, ChangesPage, ErpClient, ListPage, WriteError};
use crate::bindings::Customer;
use crate::bindings::connector::ErpInfo;
use crate::bindings::erp::ErpError;
use crate::caps::Erp;
use async_trait::async_trait;

/// The ERP's operations: the searches plugins may also make ([`Erp`]), the listing and
/// change feed a synchronization follows, and the writes the outbox sends.
#[async_trait]
pub trait Connector: Erp {
    /// Which ERP this is; checks that it can be reached and read.
    async fn describe(&self) -> Result<ErpInfo, ErpError>;
    /// A page of the full listing after `after`.
    async fn list(&self, after: Option<&str>, limit: u32) -> Result<ListPage, ErpError>;
    /// Changes after `cursor`.
    async fn changes(&self, cursor: &str, limit: u32) -> Result<ChangesPage, ChangesError>;
    /// Sends a customer created at the POS.
    async fn create(&self, customer: &Customer, idempotency_key: &str) -> Result<Customer, WriteError>;
    /// Sends an edit of a customer whose ERP version is `expected_version`.
    async fn update(
        &self,
        customer: &Customer,
        expected_version: u64,
        idempotency_key: &str,
    ) -> Result<Customer, WriteError>;
}

#[async_trait]
impl Connector for ErpClient {
    async fn describe(&self) -> Result<ErpInfo, ErpError> {
        ErpClient::describe(self).await
    }

    async fn list(&self, after: Option<&str>, limit: u32) -> Result<ListPage, ErpError> {
        ErpClient::list(self, after, limit).await
    }

    async fn changes(&self, cursor: &str, limit: u32) -> Result<ChangesPage, ChangesError> {
        ErpClient::changes(self, cursor, limit).await
    }

    async fn create(&self, customer: &Customer, idempotency_key: &str) -> Result<Customer, WriteError> {
        ErpClient::create(self, customer, idempotency_key).await
    }

    async fn update(
        &self,
        customer: &Customer,
        expected_version: u64,
        idempotency_key: &str,
    ) -> Result<Customer, WriteError> {
        ErpClient::update(self, customer, expected_version, idempotency_key).await
    }
}

#[async_trait]
impl<T: Connector + ?Sized> Connector for std::sync::Arc<T> {
    async fn describe(&self) -> Result<ErpInfo, ErpError> {
        (**self).describe().await
    }

    async fn list(&self, after: Option<&str>, limit: u32) -> Result<ListPage, ErpError> {
        (**self).list(after, limit).await
    }

    async fn changes(&self, cursor: &str, limit: u32) -> Result<ChangesPage, ChangesError> {
        (**self).changes(cursor, limit).await
    }

    async fn create(&self, customer: &Customer, idempotency_key: &str) -> Result<Customer, WriteError> {
        (**self).create(customer, idempotency_key).await
    }

    async fn update(
        &self,
        customer: &Customer,
        expected_version: u64,
        idempotency_key: &str,
    ) -> Result<Customer, WriteError> {
        (**self).update(customer, expected_version, idempotency_key).await
    }
}
