//! `erp`: the ERP data synchronization service.

use super::CallCaps;
use crate::bindings::erp::{ErpError, ErpPage, Host};
use crate::bindings::{Customer, SearchQuery};
use crate::cases::Wit;
use crate::metrics::Outcome;
use crate::recording::RecordedCall;
use async_trait::async_trait;

/// The most customers one ERP search may ask for.
pub const MAX_LIMIT: u32 = 100;

/// The ERP, as plugins and flows see it.
#[async_trait]
pub trait Erp: Send + Sync {
    /// Whether online customer search is activated on the ERP side.
    async fn online_search_enabled(&self) -> Result<bool, ErpError>;
    /// At most `limit` matches, and whether there are more.
    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<ErpPage, ErpError>;
    /// One customer by number.
    async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError>;
}

/// No ERP configured: every request fails as unavailable.
pub struct NoErp;

const NOT_CONFIGURED: &str = "no ERP data synchronization service is configured";

#[async_trait]
impl Erp for NoErp {
    async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        Err(ErpError::Unavailable(NOT_CONFIGURED.into()))
    }

    async fn search(&self, _query: &SearchQuery, _limit: u32) -> Result<ErpPage, ErpError> {
        Err(ErpError::Unavailable(NOT_CONFIGURED.into()))
    }

    async fn fetch(&self, _number: &str) -> Result<Option<Customer>, ErpError> {
        Err(ErpError::Unavailable(NOT_CONFIGURED.into()))
    }
}

impl Host for CallCaps {
    async fn online_search_enabled(&mut self) -> Result<bool, ErpError> {
        let enabled = traced("online-search-enabled", self.providers.erp.online_search_enabled()).await;
        self.record(|| RecordedCall::new("erp.online-search-enabled", Vec::new(), &enabled));
        enabled
    }

    async fn search(&mut self, query: SearchQuery, limit: u32) -> Result<ErpPage, ErpError> {
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ErpError::Rejected(format!("limit must be between 1 and {MAX_LIMIT}, got {limit}")));
        }
        self.known.query(&query);
        let found = traced("search", self.providers.erp.search(&query, limit)).await;
        if let Ok(page) = &found {
            self.known.customers(&page.customers);
        }
        self.record(|| RecordedCall::new("erp.search", vec![("query", query.show()), ("limit", limit.show())], &found));
        found
    }

    async fn fetch(&mut self, number: String) -> Result<Option<Customer>, ErpError> {
        let found = traced("fetch", self.providers.erp.fetch(&number)).await;
        self.known.customers(found.iter().flatten());
        self.record(|| RecordedCall::new("erp.fetch", vec![("number", number.show())], &found));
        found
    }
}

async fn traced<T>(call: &'static str, run: impl Future<Output = Result<T, ErpError>>) -> Result<T, ErpError> {
    let outcome = |ended: &Result<T, ErpError>| ended.as_ref().map_or_else(Outcome::outcome, |_| "ok");
    crate::trace::capability("erp", call, run, outcome).await
}

#[async_trait]
impl<T: Erp + ?Sized> Erp for std::sync::Arc<T> {
    async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        (**self).online_search_enabled().await
    }

    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<ErpPage, ErpError> {
        (**self).search(query, limit).await
    }

    async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError> {
        (**self).fetch(number).await
    }
}
