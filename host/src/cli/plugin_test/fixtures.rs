//! The capabilities a plugin under test reaches: what a cases file says the local database
//! and the ERP hold, and how the operator answers. The runtime's capabilities are fixed when
//! it starts, so each case swaps in its own data before it runs (cases run one at a time).

use super::wit::record;
use async_trait::async_trait;
use pos_host::bindings::erp::{ErpError, ErpPage};
use pos_host::bindings::local_db::DbError;
use pos_host::bindings::ui::Choice;
use pos_host::bindings::{Customer, Notice, SearchQuery};
use pos_host::caps::{Capabilities, Erp, InMemoryCustomers, LocalDb, Operator};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// What the capabilities hold for one case.
#[derive(Clone, Default)]
pub struct Fixture {
    /// The customers `local-db` holds.
    pub local_db: Vec<Customer>,
    pub erp: ErpFixture,
    pub ui: UiFixture,
}

/// What `erp` holds and answers.
#[derive(Clone)]
pub struct ErpFixture {
    /// What `online-search-enabled` answers.
    pub online_search: bool,
    /// The customers it finds.
    pub customers: Vec<Customer>,
    /// When set, every request fails with it.
    pub error: Option<ErpError>,
}

impl Default for ErpFixture {
    fn default() -> Self {
        ErpFixture { online_search: true, customers: Vec::new(), error: None }
    }
}

/// How the operator answers.
#[derive(Clone, Default)]
pub struct UiFixture {
    /// The ids chosen in `confirm` prompts, in order; prompts past these are dismissed.
    pub answers: Vec<String>,
}

record! {
    ErpFixture => "the `erp` fixture" { online_search = true, customers, error }
    UiFixture => "the `ui` fixture" { answers }
}

/// The providers behind the capabilities, holding the current case's fixture.
#[derive(Default)]
pub struct Fixtures {
    current: Mutex<Current>,
}

#[derive(Default)]
struct Current {
    local_db: Arc<InMemoryCustomers>,
    erp_customers: Arc<InMemoryCustomers>,
    erp: Option<ErpFixture>,
    answers: VecDeque<String>,
}

impl Fixtures {
    /// Capabilities backed by `fixtures`.
    pub fn capabilities(fixtures: &Arc<Fixtures>) -> Capabilities {
        Capabilities { local_db: fixtures.clone(), erp: fixtures.clone(), operator: fixtures.clone() }
    }

    /// Makes `fixture` what the capabilities hold.
    pub fn set(&self, fixture: &Fixture) {
        *self.current() = Current {
            local_db: Arc::new(InMemoryCustomers::new(fixture.local_db.clone())),
            erp_customers: Arc::new(InMemoryCustomers::new(fixture.erp.customers.clone())),
            erp: Some(fixture.erp.clone()),
            answers: fixture.ui.answers.iter().cloned().collect(),
        };
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn local_db(&self) -> Arc<InMemoryCustomers> {
        self.current().local_db.clone()
    }

    /// The ERP's customers, or the error every request fails with.
    fn erp(&self) -> Result<(Arc<InMemoryCustomers>, bool), ErpError> {
        let current = self.current();
        let erp = current.erp.clone().unwrap_or_default();
        match erp.error {
            Some(error) => Err(error),
            None => Ok((current.erp_customers.clone(), erp.online_search)),
        }
    }
}

#[async_trait]
impl LocalDb for Fixtures {
    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<Vec<Customer>, DbError> {
        self.local_db().search(query, limit).await
    }

    async fn get(&self, number: &str) -> Result<Option<Customer>, DbError> {
        self.local_db().get(number).await
    }

    async fn find_by_last_name(&self, last_name: &str, limit: u32) -> Result<Vec<Customer>, DbError> {
        self.local_db().find_by_last_name(last_name, limit).await
    }
}

/// Turns a local-database answer into the ERP's: the in-memory search never fails.
fn found<T>(answer: Result<T, DbError>) -> Result<T, ErpError> {
    answer.map_err(|error| ErpError::Rejected(format!("{error:?}")))
}

#[async_trait]
impl Erp for Fixtures {
    async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        self.erp().map(|(_, online_search)| online_search)
    }

    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<ErpPage, ErpError> {
        let (customers, _) = self.erp()?;
        let mut page = found(customers.search(query, limit.saturating_add(1)).await)?;
        let has_more = page.len() > limit as usize;
        page.truncate(limit as usize);
        Ok(ErpPage { customers: page, has_more })
    }

    async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError> {
        let (customers, _) = self.erp()?;
        found(customers.get(number).await)
    }
}

#[async_trait]
impl Operator for Fixtures {
    async fn notify(&self, _notice: &Notice) {}

    async fn confirm(&self, _notice: &Notice, _choices: &[Choice]) -> Option<String> {
        self.current().answers.pop_front()
    }
}
