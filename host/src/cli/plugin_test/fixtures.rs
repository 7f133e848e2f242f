//! The capabilities a plugin under test reaches: what a cases file says the local database
//! and the ERP hold, and how the operator answers. The runtime's capabilities are fixed when
//! it starts, so each case swaps in its own data before it runs (cases run one at a time).

use super::replay::{self, Answer, RecordedCall};
use async_trait::async_trait;
use pos_host::bindings::erp::{ErpError, ErpPage};
use pos_host::bindings::local_db::DbError;
use pos_host::bindings::ui::Choice;
use pos_host::bindings::{Customer, Notice, SearchQuery};
use pos_host::caps::{Capabilities, Erp, InMemoryCustomers, LocalDb, Operator};
use pos_host::cases::wit::{Shown, Wit, record};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// What the capabilities hold for one case.
#[derive(Clone, Default)]
pub struct Fixture {
    /// The customers `local-db` holds.
    pub local_db: Vec<Customer>,
    pub erp: ErpFixture,
    pub ui: UiFixture,
    /// A recorded case's capability calls and their answers, which replace the fixture's.
    pub calls: Option<Arc<Vec<RecordedCall>>>,
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
    /// A recorded case's capability calls, each used once.
    recorded: Option<(Arc<Vec<RecordedCall>>, Vec<bool>)>,
    /// The calls the recording had no answer for.
    unanswered: Vec<String>,
}

/// What a recorded case answers a capability call with.
enum Replayed<T> {
    /// The case is not a recorded one: its fixture answers.
    NotRecorded,
    Answer(T),
    /// The recording has no answer for the call.
    Missing,
}

/// Why a call the recording has no answer for fails.
const NOT_RECORDED: &str = "the recording holds no answer for this call";

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
            recorded: fixture.calls.clone().map(|calls| {
                let used = vec![false; calls.len()];
                (calls, used)
            }),
            unanswered: Vec::new(),
        };
    }

    /// The capability calls of the case that ran last which its recording had no answer for.
    pub fn unanswered(&self) -> Vec<String> {
        std::mem::take(&mut self.current().unanswered)
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer of the first unused recorded call of `function` with `args`.
    fn replay<T>(&self, function: &str, args: Vec<(&str, Shown)>, pick: fn(&Answer) -> Option<T>) -> Replayed<T> {
        let mut current = self.current();
        let Some((calls, used)) = &mut current.recorded else { return Replayed::NotRecorded };
        let args = replay::args(args);
        let found =
            calls.iter().enumerate().find(|(i, call)| !used[*i] && call.function == function && call.args == args);
        match found.and_then(|(i, call)| pick(&call.answer).map(|answer| (i, answer))) {
            Some((i, answer)) => {
                used[i] = true;
                Replayed::Answer(answer)
            }
            None => {
                current.unanswered.push(replay::describe(function, &args));
                Replayed::Missing
            }
        }
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

/// Turns a local-database answer into the ERP's: the in-memory search never fails.
fn found<T>(answer: Result<T, DbError>) -> Result<T, ErpError> {
    answer.map_err(|error| ErpError::Rejected(format!("{error:?}")))
}

#[async_trait]
impl LocalDb for Fixtures {
    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<Vec<Customer>, DbError> {
        let args = vec![("query", query.show()), ("limit", limit.show())];
        match self.replay("local-db.search", args, |answer| match answer {
            Answer::Customers(found) => Some(found.clone()),
            _ => None,
        }) {
            Replayed::Answer(found) => found,
            Replayed::Missing => Err(DbError::Unavailable(NOT_RECORDED.into())),
            Replayed::NotRecorded => self.local_db().search(query, limit).await,
        }
    }

    async fn get(&self, number: &str) -> Result<Option<Customer>, DbError> {
        match self.replay("local-db.get", vec![("number", number.to_owned().show())], |answer| match answer {
            Answer::Customer(found) => Some(found.clone()),
            _ => None,
        }) {
            Replayed::Answer(found) => found,
            Replayed::Missing => Err(DbError::Unavailable(NOT_RECORDED.into())),
            Replayed::NotRecorded => self.local_db().get(number).await,
        }
    }

    async fn find_by_last_name(&self, last_name: &str, limit: u32) -> Result<Vec<Customer>, DbError> {
        let args = vec![("last-name", last_name.to_owned().show()), ("limit", limit.show())];
        match self.replay("local-db.find-by-last-name", args, |answer| match answer {
            Answer::Customers(found) => Some(found.clone()),
            _ => None,
        }) {
            Replayed::Answer(found) => found,
            Replayed::Missing => Err(DbError::Unavailable(NOT_RECORDED.into())),
            Replayed::NotRecorded => self.local_db().find_by_last_name(last_name, limit).await,
        }
    }
}

#[async_trait]
impl Erp for Fixtures {
    async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        match self.replay("erp.online-search-enabled", Vec::new(), |answer| match answer {
            Answer::Enabled(enabled) => Some(enabled.clone()),
            _ => None,
        }) {
            Replayed::Answer(enabled) => enabled,
            Replayed::Missing => Err(ErpError::Unavailable(NOT_RECORDED.into())),
            Replayed::NotRecorded => self.erp().map(|(_, online_search)| online_search),
        }
    }

    async fn search(&self, query: &SearchQuery, limit: u32) -> Result<ErpPage, ErpError> {
        let args = vec![("query", query.show()), ("limit", limit.show())];
        match self.replay("erp.search", args, |answer| match answer {
            Answer::Page(page) => Some(page.clone()),
            _ => None,
        }) {
            Replayed::Answer(page) => return page,
            Replayed::Missing => return Err(ErpError::Unavailable(NOT_RECORDED.into())),
            Replayed::NotRecorded => {}
        }
        let (customers, _) = self.erp()?;
        let mut page = found(customers.search(query, limit.saturating_add(1)).await)?;
        let has_more = page.len() > limit as usize;
        page.truncate(limit as usize);
        Ok(ErpPage { customers: page, has_more })
    }

    async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError> {
        match self.replay("erp.fetch", vec![("number", number.to_owned().show())], |answer| match answer {
            Answer::Fetched(found) => Some(found.clone()),
            _ => None,
        }) {
            Replayed::Answer(found) => return found,
            Replayed::Missing => return Err(ErpError::Unavailable(NOT_RECORDED.into())),
            Replayed::NotRecorded => {}
        }
        let (customers, _) = self.erp()?;
        found(customers.get(number).await)
    }
}

#[async_trait]
impl Operator for Fixtures {
    async fn notify(&self, notice: &Notice) {
        // A notice the recording lacks is still a call the till was never asked to make.
        let _ = self.replay("ui.notify", vec![("notice", notice.show())], |answer| match answer {
            Answer::Notified => Some(()),
            _ => None,
        });
    }

    async fn confirm(&self, notice: &Notice, choices: &[Choice]) -> Option<String> {
        let args = vec![("notice", notice.show()), ("choices", choices.to_vec().show())];
        match self.replay("ui.confirm", args, |answer| match answer {
            Answer::Confirmed(chosen) => Some(chosen.clone()),
            _ => None,
        }) {
            Replayed::Answer(chosen) => chosen,
            Replayed::Missing => None,
            Replayed::NotRecorded => self.current().answers.pop_front(),
        }
    }
}
