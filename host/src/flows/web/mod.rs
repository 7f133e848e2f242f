//! Seed 2: reconciling the web shop's registrations with the local customers.
//!
//! The web edit list holds web customers whose registration changed; for the selected one
//! the `web-merge-rules` slot proposes local candidates, and the operator takes over the
//! local info, takes over the internet info, discards the web customer or removes it from
//! the list. The local edit list holds linked local customers whose local information
//! changed; the operator pushes them to the web or drops them from the list.
//!
//! Every decision is applied as one plan (see `apply.rs`): the web write first, guarded by
//! the version the operator was shown and stored with its idempotency key before it is
//! sent, then everything local in one transaction with its audit entry. A web shop that is
//! down, answers with an error or drops the connection leaves both lists and the local
//! customers as they were, and repeating the command finishes the job.

mod apply;
mod decide;

pub use apply::{Action, Decision, Outcome};

use crate::bindings::merge::{Candidate, WebChange};
use crate::bindings::{Customer, SearchQuery};
use crate::caps::{Erp, Operator};
use crate::slots::Plugins;
use crate::store::holdings::{self, ErasureSource};
use crate::store::web::{self as lists, LocalEdit, WebEdit};
use crate::store::{Store, StoreError, WriteTx};
use crate::webshop::{Registration, WebshopClient, WebshopError};
use serde::Serialize;
use std::sync::Arc;

use super::now_ms;

/// How many registrations one feed request asks for.
const PAGE: u32 = 200;
/// How many entries a list shows.
pub const LIST_LIMIT: u32 = 500;
/// How many local customers the search beside the candidates shows.
pub const SEARCH_LIMIT: u32 = 20;
/// How many web customers are fetched at once for the local edit list.
const FETCH_AT_ONCE: usize = 8;

/// What the web shop flow needs.
#[derive(Clone)]
pub struct WebFlow {
    pub store: Store,
    pub webshop: WebshopClient,
    pub plugins: Arc<Plugins>,
    /// Asks the plans' confirmations.
    pub operator: Arc<dyn Operator>,
    /// Written to the audit trail, and the prefix of the numbers of new local customers.
    pub workstation: String,
    /// The ERP, asked whether a number a web customer brings is taken there; `None` when
    /// the workstation has no ERP.
    pub erp: Option<Arc<dyn Erp>>,
}

/// Why a web shop action could not be carried out. In every case nothing was changed that
/// the message does not mention.
#[derive(Debug, thiserror::Error)]
pub enum WebFlowError {
    #[error("web customer {0} is not on the web edit list")]
    NotListed(String),
    #[error("there is no local customer {0}")]
    NoLocalCustomer(String),
    #[error("customer {0} is not on the local edit list")]
    NotOnLocalEditList(String),
    #[error(
        "web customer {web_id} was changed on the web shop after it was listed; nothing was changed. \
         The list now shows the web customer as it is: check it and decide again"
    )]
    Changed { web_id: String, current: Option<Box<Customer>> },
    #[error("web customer {0} no longer exists on the web shop; it left the web edit list")]
    Gone(String),
    #[error("{0}. Nothing was changed here and both edit lists are as they were; try again later")]
    Webshop(WebshopError),
    #[error(
        "{0}. Whether the web shop carried out the change is not known; it is kept and will be \
         sent again, unchanged, the next time this web customer is acted on"
    )]
    Unanswered(WebshopError),
    #[error(
        "web customer {web_id} carries customer number {number}, which is {} {name}; a new customer cannot take it \
         and nothing was changed. If they are the same person, select {number} and take over local info; \
         otherwise discard the web customer or remove it from the list",
        if *in_erp { "ERP customer" } else { "local customer" }
    )]
    NumberTaken { web_id: String, number: String, in_erp: bool, name: String },
    #[error(
        "cannot check with the ERP whether customer number {number} is free ({why}); nothing was changed: \
         try again when the ERP answers"
    )]
    NumberUnverified { number: String, why: String },
    #[error("the merge rules' plan cannot be applied: {0}; nothing was changed")]
    Plan(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WebFlowError {
    /// The refusal in the operator's words: a key of the label table the console and the
    /// command line share, with its arguments; `None` for what only the host's words say.
    pub fn label(&self) -> Option<(&'static str, Vec<(&'static str, String)>)> {
        Some(match self {
            WebFlowError::NotListed(web_id) => ("error.notListed", vec![("web-id", web_id.clone())]),
            WebFlowError::NoLocalCustomer(number) => ("error.noLocalCustomer", vec![("number", number.clone())]),
            WebFlowError::NotOnLocalEditList(number) => ("error.notOnLocalEditList", vec![("number", number.clone())]),
            WebFlowError::NumberTaken { web_id, number, in_erp, name } => (
                if *in_erp { "error.numberTakenErp" } else { "error.numberTakenLocal" },
                vec![("web-id", web_id.clone()), ("number", number.clone()), ("name", name.clone())],
            ),
            WebFlowError::NumberUnverified { number, why } => {
                ("error.numberUnverified", vec![("number", number.clone()), ("error", why.clone())])
            }
            _ => return None,
        })
    }
}

impl From<rusqlite::Error> for WebFlowError {
    fn from(error: rusqlite::Error) -> WebFlowError {
        WebFlowError::Store(error.into())
    }
}

/// What reading the registrations feed did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Refreshed {
    /// Web customers that entered the list or show a newer version.
    pub opened: u64,
    /// Changes the list already knew, such as this workstation's own writes.
    pub unchanged: u64,
    /// Web customers deleted on the web.
    pub gone: u64,
    /// The cursor had expired and the feed was read again from the start.
    pub restarted: bool,
    /// Registrations left out because their data cannot be stored, with the reason.
    pub refused: Vec<RefusedRegistration>,
}

/// A registration the feed carried that cannot be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefusedRegistration {
    pub web_id: String,
    pub reason: String,
}

/// The web edit list as "Check web customers" shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WebList {
    pub entries: Vec<WebEdit>,
    /// What reading the feed did, or why it failed (the list is then the one stored).
    pub refreshed: Result<Refreshed, String>,
}

/// The local candidates for one web customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidates {
    pub web: Customer,
    pub candidates: Vec<Candidate>,
    /// Local customers found by the operator's own search, if one was given.
    pub search: Vec<Customer>,
    /// The plugin that proposed them, or `built-in`.
    pub decided_by: String,
}

/// One entry of the local edit list with the linked web customer beside it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LocalEditView {
    pub edit: LocalEdit,
    /// The web customer as it is now; `None` when the web shop no longer has it.
    pub web: Result<Option<Customer>, String>,
    /// The web customer as "Take over local info" would leave it, by the merge rules
    /// serving now: what the operator agrees to send. `None` when there is no web customer
    /// or the rules would not change it.
    pub sends: Option<Customer>,
}

impl WebFlow {
    /// Reads the registrations feed into the web edit list, page by page, each page and
    /// the cursor after it in one transaction.
    pub async fn refresh(&self) -> Result<Refreshed, WebFlowError> {
        crate::trace::step("web.refresh", async move {
            let mut refreshed = Refreshed::default();
            let mut cursor = self.store.read(lists::registrations_cursor).await?;
            loop {
                let page = match self.webshop.registrations(cursor, PAGE).await {
                    Ok(page) => page,
                    Err(WebshopError::CursorExpired) if cursor != 0 => {
                        cursor = 0;
                        refreshed.restarted = true;
                        continue;
                    }
                    Err(error) => return Err(WebFlowError::Webshop(error)),
                };
                let (next, has_more) = (page.next, page.has_more);
                let deletions = page.changes.iter().any(|change| matches!(change, Registration::Deleted { .. }));
                let workstation = self.workstation.clone();
                let write = move |tx: &WriteTx| -> Result<(Refreshed, bool), StoreError> {
                    let (mut counts, mut erased) = (Refreshed::default(), false);
                    let now = now_ms();
                    for change in page.changes {
                        match change {
                            Registration::Changed(customer) => match lists::list_web_customer(tx, &customer, now)? {
                                lists::Listed::Opened => counts.opened += 1,
                                lists::Listed::Unchanged => counts.unchanged += 1,
                            },
                            Registration::Deleted { web_id, version } => {
                                lists::web_customer_gone(tx, &web_id, version)?;
                                lists::unlink(tx, &web_id)?;
                                erased |= erase_deleted(tx, &web_id, version, &workstation, now)?;
                                counts.gone += 1;
                            }
                            Registration::Refused { web_id, reason } => {
                                tracing::warn!(web_id, "a web registration was left out: {reason}");
                                counts.refused.push(RefusedRegistration { web_id, reason });
                            }
                        }
                    }
                    lists::set_registrations_cursor(tx, next)?;
                    Ok((counts, erased))
                };
                let counts = self.store.erasing(deletions, write).await?;
                refreshed.opened += counts.opened;
                refreshed.unchanged += counts.unchanged;
                refreshed.gone += counts.gone;
                refreshed.refused.extend(counts.refused);
                if !has_more || next <= cursor {
                    return Ok(refreshed);
                }
                cursor = next;
            }
        })
        .await
    }

    /// "Check web customers": reads the feed, then lists the open entries. A web shop that
    /// cannot be reached leaves the stored list to work on.
    pub async fn check(&self) -> Result<WebList, WebFlowError> {
        crate::trace::step("web.check", async move {
            let refreshed = match self.refresh().await {
                Ok(refreshed) => Ok(refreshed),
                Err(WebFlowError::Webshop(error)) => Err(error.to_string()),
                Err(error) => return Err(error),
            };
            let entries = self.store.read(|conn| lists::open_web_edits(conn, LIST_LIMIT)).await?;
            Ok(WebList { entries, refreshed })
        })
        .await
    }

    /// The open entry of `web_id`.
    async fn open_entry(&self, web_id: &str) -> Result<WebEdit, WebFlowError> {
        let id = web_id.to_owned();
        match self.store.read(move |conn| lists::web_edit(conn, &id)).await? {
            Some(entry) if entry.state == lists::WebEditState::Open => Ok(entry),
            _ => Err(WebFlowError::NotListed(web_id.to_owned())),
        }
    }

    /// The local customers that may be web customer `web_id`, best first, and those the
    /// operator's `search` phrase finds, if given.
    pub async fn candidates(&self, web_id: &str, search: Option<&str>) -> Result<Candidates, WebFlowError> {
        crate::trace::step("web.candidates", async move {
            let web = self.open_entry(web_id).await?.customer;
            let decided = self.plugins.merge.candidates(&self.store, &web).await;
            let candidates = decided.value.map_err(|e| StoreError::Invalid(format!("{e:?}")))?;
            let search = match search.map(str::trim).filter(|phrase| !phrase.is_empty()) {
                Some(phrase) => {
                    let query = SearchQuery { phrase: phrase.to_owned(), filters: Vec::new(), include_inactive: false };
                    self.store.search(&query, SEARCH_LIMIT).await?
                }
                None => Vec::new(),
            };
            Ok(Candidates { web, candidates, search, decided_by: decided.source.decided_by() })
        })
        .await
    }

    /// "Check local customer edits": the local edit list, each entry with the linked web
    /// customer as the web shop has it now. The web version shown is recorded: a push must
    /// still find it.
    pub async fn local_edits(&self) -> Result<Vec<LocalEditView>, WebFlowError> {
        use futures_util::StreamExt;
        let edits = self.store.read(|conn| lists::local_edits(conn, LIST_LIMIT)).await?;
        let views: Vec<LocalEditView> = futures_util::stream::iter(edits)
            .map(|edit| async move {
                let web = self.webshop.get(&edit.web_id).await.map_err(|e| e.to_string());
                let sends = match &web {
                    Ok(Some(web)) => match self.plugins.merge.push_local(&edit.customer, web).await.value.web {
                        WebChange::Update(after) => Some(after),
                        WebChange::Keep => None,
                    },
                    _ => None,
                };
                LocalEditView { edit, web, sends }
            })
            .buffered(FETCH_AT_ONCE)
            .collect()
            .await;
        let shown: Vec<(String, u64)> = views
            .iter()
            .filter_map(|v| Some((v.edit.customer.number.clone()?, v.web.as_ref().ok()?.as_ref()?.version)))
            .collect();
        self.store
            .write(move |tx| -> Result<(), StoreError> {
                for (number, version) in &shown {
                    lists::show_web_version(tx, number, *version)?;
                }
                Ok(())
            })
            .await?;
        Ok(views)
    }

    /// The latest `limit` decisions, newest first.
    pub async fn audit_trail(&self, limit: u32) -> Result<Vec<lists::AuditEntry>, WebFlowError> {
        Ok(self.store.read(move |conn| lists::audit_trail(conn, limit)).await?)
    }
}

/// Erases what the till holds from the web shop about a web customer deleted there (the
/// web shop's erasure of a person reaches the till this way): the entry's record, the writes
/// waiting for it, and the personal data of the audit entries about it, with an erasure
/// record (`source` `webshop`). A local customer it was linked to stays, unlinked: that
/// record is the ERP's. The entry stays as a tombstone without personal data, so that an
/// older copy the feed brings again is not listed.
fn erase_deleted(tx: &WriteTx, web_id: &str, version: u64, workstation: &str, now: i64) -> rusqlite::Result<bool> {
    let listed = lists::web_edit(tx, web_id)?.map(|entry| entry.customer.version.max(version));
    let erased = holdings::erase(tx, web_id, ErasureSource::Webshop, workstation, now)?.is_some();
    if let Some(version) = listed {
        lists::tombstone(tx, web_id, version, now)?;
    }
    Ok(erased)
}
