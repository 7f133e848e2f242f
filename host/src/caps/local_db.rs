//! `local-db`: read-only access to the local customer database.

use super::CallCaps;
use crate::bindings::local_db::{DbError, Host};
use crate::bindings::{Customer, SearchQuery};
use crate::cases::Wit;
use crate::recording::RecordedCall;
use async_trait::async_trait;
use pos_seed_rules::fold::{fold, same};

/// The most customers one request may ask for.
pub const MAX_LIMIT: u32 = 1000;

/// The local customer database, as plugins see it.
#[async_trait]
pub trait LocalDb: Send + Sync {
    /// Full-text search, best match first, at most `limit` customers.
    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<Vec<Customer>, DbError>;
    /// The customer with this number.
    async fn get(&self, number: &str) -> Result<Option<Customer>, DbError>;
    /// Customers with this last name (case and diacritics folded), at most `limit`.
    async fn find_by_last_name(&self, last_name: &str, limit: u32) -> Result<Vec<Customer>, DbError>;
}

/// A customer list held in memory: for an embedding without a database, and for tests.
#[derive(Default)]
pub struct InMemoryCustomers {
    customers: Vec<Customer>,
}

impl InMemoryCustomers {
    /// A database holding `customers`.
    pub fn new(customers: Vec<Customer>) -> InMemoryCustomers {
        InMemoryCustomers { customers }
    }
}

#[async_trait]
impl LocalDb for InMemoryCustomers {
    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<Vec<Customer>, DbError> {
        let words: Vec<String> = fold(&query.phrase).split(' ').filter(|w| !w.is_empty()).map(String::from).collect();
        let found = self.customers.iter().filter(|c| {
            let text = fold(&format!(
                "{} {} {} {} {}",
                c.number.as_deref().unwrap_or(""),
                c.first_name,
                c.last_name,
                c.company.as_deref().unwrap_or(""),
                c.city.as_deref().unwrap_or("")
            ));
            (query.include_inactive || c.active) && words.iter().all(|w| text.contains(w.as_str()))
        });
        Ok(found.take(limit as usize).cloned().collect())
    }

    async fn get(&self, number: &str) -> Result<Option<Customer>, DbError> {
        Ok(self.customers.iter().find(|c| c.number.as_deref() == Some(number)).cloned())
    }

    async fn find_by_last_name(&self, last_name: &str, limit: u32) -> Result<Vec<Customer>, DbError> {
        let found = self.customers.iter().filter(|c| same(&c.last_name, last_name));
        Ok(found.take(limit as usize).cloned().collect())
    }
}

fn check_limit(limit: u32) -> Result<(), DbError> {
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(())
    } else {
        Err(DbError::InvalidRequest(format!("limit must be between 1 and {MAX_LIMIT}, got {limit}")))
    }
}

impl Host for CallCaps {
    async fn search(&mut self, query: SearchQuery, limit: u32) -> Result<Vec<Customer>, DbError> {
        check_limit(limit)?;
        self.known.query(&query);
        let found = traced("search", self.providers.local_db.search(&query, limit)).await;
        self.known.customers(found.iter().flatten());
        self.record(|| {
            RecordedCall::new("local-db.search", vec![("query", query.show()), ("limit", limit.show())], &found)
        });
        found
    }

    async fn get(&mut self, number: String) -> Result<Option<Customer>, DbError> {
        let found = traced("get", self.providers.local_db.get(&number)).await;
        self.known.customers(found.iter().flatten());
        self.record(|| RecordedCall::new("local-db.get", vec![("number", number.show())], &found));
        found
    }

    async fn find_by_last_name(&mut self, last_name: String, limit: u32) -> Result<Vec<Customer>, DbError> {
        check_limit(limit)?;
        self.known.value(&last_name);
        let found = traced("find-by-last-name", self.providers.local_db.find_by_last_name(&last_name, limit)).await;
        self.known.customers(found.iter().flatten());
        let args = || vec![("last-name", last_name.show()), ("limit", limit.show())];
        self.record(|| RecordedCall::new("local-db.find-by-last-name", args(), &found));
        found
    }
}

async fn traced<T>(call: &'static str, run: impl Future<Output = Result<T, DbError>>) -> Result<T, DbError> {
    crate::trace::capability("local-db", call, run, crate::trace::Ended::outcome).await
}
