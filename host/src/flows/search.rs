//! Seed 1: searching customers. Local search first; when it falls short the operator is
//! offered the ERP; `[Search]` searches the ERP with the same phrase and filters, behind a
//! waiting window that can be cancelled. Every decision comes from the `search-policy`
//! slot and every text from `notification-texts`. ERP results are kept in memory only: a
//! customer is saved locally when it is selected, edited or previewed.

use crate::bindings::erp::ErpError;
use crate::bindings::search::{
    ErpFound, ErpSearchOutcome, LocalDecision, LocalSearchOutcome, ResultList, RetrieveAction, SearchButton,
};
use crate::bindings::{Customer, Message, Notice, Origin, SearchQuery, Severity};
use crate::caps::Erp;
use crate::slots::Plugins;
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How many local results the list shows.
pub const LIST_LIMIT: u32 = 100;

/// How long the local search waits to learn whether online search is enabled; past it,
/// the last known answer is used.
const SETTINGS_WAIT: Duration = Duration::from_millis(300);

/// What the search flow needs.
#[derive(Clone)]
pub struct SearchFlow {
    pub store: Store,
    pub erp: Arc<dyn Erp>,
    pub plugins: Arc<Plugins>,
    pub locale: String,
    /// `false` never offers the ERP search here, whatever the ERP allows (the policy's
    /// `host.erp.online-search`).
    pub online_search: bool,
}

/// A notice as the operator reads it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShownNotice {
    pub severity: Severity,
    pub key: String,
    pub text: String,
}

/// What the operator's screen shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Screen {
    /// Which list is shown.
    pub list: ResultList,
    pub customers: Vec<Customer>,
    pub notice: Option<ShownNotice>,
    pub search_button: SearchButton,
    /// More customers match than the list holds (the local list stops at [`LIST_LIMIT`],
    /// the ERP's at the policy's limit): the operator should narrow the search.
    pub more: bool,
}

/// A customer opened from the list, saved locally.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Opened {
    pub customer: Customer,
    /// Whether the form may be changed.
    pub editable: bool,
}

/// One operator's search, from the first phrase to the chosen customer.
pub struct SearchSession {
    flow: SearchFlow,
    previous: Option<SearchQuery>,
    local: Vec<Customer>,
    erp: Vec<Customer>,
    /// Whether more customers match than `local`, resp. `erp`, holds.
    local_more: bool,
    erp_more: bool,
    shown: ResultList,
    decision: Option<LocalDecision>,
    online_search_enabled: bool,
    /// The notice on the screen, kept to be shown again in another locale.
    notice: Option<Notice>,
}

impl SearchFlow {
    /// A new search session.
    pub fn session(&self) -> SearchSession {
        SearchSession {
            flow: self.clone(),
            previous: None,
            local: Vec::new(),
            erp: Vec::new(),
            local_more: false,
            erp_more: false,
            shown: ResultList::Local,
            decision: None,
            online_search_enabled: true,
            notice: None,
        }
    }

    async fn show(&self, notice: Option<Notice>) -> Option<ShownNotice> {
        let notice = notice?;
        let text = self.plugins.texts.render(&notice.message, &self.locale).await.value;
        Some(ShownNotice { severity: notice.severity, key: notice.message.key, text })
    }
}

impl SearchSession {
    /// Changes the locale of the texts and whether the ERP may be offered, from the next
    /// step on: a host following its policy passes what the policy says now.
    pub fn configure(&mut self, locale: String, online_search: bool) {
        self.flow.locale = locale;
        self.flow.online_search = online_search;
    }

    /// Searches the local database.
    pub async fn search(&mut self, query: SearchQuery) -> Result<Screen, StoreError> {
        crate::trace::step("search.local", async move {
            let flow = self.flow.clone();
            let settings = async {
                match tokio::time::timeout(SETTINGS_WAIT, flow.erp.online_search_enabled()).await {
                    Ok(Ok(enabled)) => Some(enabled),
                    _ => None,
                }
            };
            // One more than the list holds, to know whether it was cut.
            let (found, enabled) = tokio::join!(flow.store.search(&query, LIST_LIMIT + 1), settings);
            // Unknown (the ERP unreachable) keeps the last known answer, so that [Search] can
            // still report the missing connection.
            if let Some(enabled) = enabled {
                self.online_search_enabled = enabled;
            }
            self.local = found?;
            self.local_more = self.local.len() > LIST_LIMIT as usize;
            self.local.truncate(LIST_LIMIT as usize);
            self.erp.clear();
            self.erp_more = false;
            self.shown = ResultList::Local;
            let outcome = LocalSearchOutcome {
                query: query.clone(),
                result_count: self.local.len() as u32,
                criteria_changed: self.previous.as_ref().is_some_and(|previous| *previous != query),
                online_search_enabled: flow.online_search && self.online_search_enabled,
            };
            self.previous = Some(query);
            let decision = flow.plugins.search.after_local_search(&outcome).await.value;
            self.decision = Some(decision.clone());
            Ok(self.screen(decision.notice).await)
        })
        .await
    }

    /// `[Search]`: searches the ERP with the last phrase and filters. `waiting` is called once
    /// when the search takes longer than the waiting-window threshold; cancelling `cancel`
    /// stops the search at once and keeps the local results.
    pub async fn search_erp(&mut self, cancel: &CancellationToken, waiting: impl FnOnce()) -> Screen {
        let searched = crate::trace::step("search.erp", async move {
            let flow = self.flow.clone();
            let query = self.previous.clone().unwrap_or(SearchQuery {
                phrase: String::new(),
                filters: Vec::new(),
                include_inactive: false,
            });
            let decision = self.decision.clone().unwrap_or_else(|| {
                crate::slots::search_policy::fallback_local(
                    &flow.plugins.search.config(),
                    &LocalSearchOutcome {
                        query: query.clone(),
                        result_count: 0,
                        criteria_changed: false,
                        online_search_enabled: true,
                    },
                )
            });
            let threshold = Duration::from_millis(decision.waiting_window_after_ms.into());
            let search = flow.erp.search(&query, decision.erp_limit);
            tokio::pin!(search);
            let mut waiting = Some(waiting);
            let result = loop {
                tokio::select! {
                    result = &mut search => break result,
                    () = cancel.cancelled() => break Err(ErpError::Cancelled),
                    () = tokio::time::sleep(threshold), if waiting.is_some() => {
                        if let Some(waiting) = waiting.take() {
                            waiting();
                        }
                    }
                }
            };
            let ended = result.as_ref().map_or_else(crate::metrics::Outcome::outcome, |_| "ok");
            let outcome = match &result {
                Ok(page) => {
                    ErpSearchOutcome::Found(ErpFound { count: page.customers.len() as u32, has_more: page.has_more })
                }
                Err(error) => ErpSearchOutcome::Failed(error.clone()),
            };
            let decided = flow.plugins.search.after_erp_search(&query, &outcome).await.value;
            self.shown = decided.show;
            (self.erp, self.erp_more) = match (decided.show, result) {
                (ResultList::Erp, Ok(page)) => (page.customers, page.has_more),
                _ => (Vec::new(), false),
            };
            if self.shown == ResultList::Erp && self.erp.is_empty() {
                self.shown = ResultList::Local;
            }
            // Cancelled, the question the local search asked stays open: the operator may still
            // press [Search] again, and the screen should say why.
            let notice = match (&outcome, decided.notice) {
                (ErpSearchOutcome::Failed(ErpError::Cancelled), None) => decision.notice,
                (_, notice) => notice,
            };
            (self.screen(notice).await, ended)
        })
        .await;
        searched.0
    }

    /// Opens customer `number` from the list shown, to select it on a document, edit or
    /// preview it. An ERP customer is retrieved afresh and saved locally; when that fails,
    /// the ERP list is cleared (as the policy decides) and the screen says why.
    pub async fn open(&mut self, number: &str, action: RetrieveAction) -> Result<Result<Opened, Screen>, StoreError> {
        crate::trace::step("search.open", async move {
            let flow = self.flow.clone();
            let in_erp_list =
                self.shown == ResultList::Erp && self.erp.iter().any(|c| c.number.as_deref() == Some(number));
            // A customer not in the local database is retrieved from the ERP, as if found there.
            let local = if in_erp_list { None } else { flow.store.customer(number).await? };
            let from_erp = local.is_none();
            let customer = match local {
                Some(customer) => customer,
                None => match flow.erp.fetch(number).await {
                    Ok(Some(customer)) => customer,
                    Ok(None) => {
                        return Ok(Err(self.screen(host_notice(Severity::Error, "customer-not-found")).await));
                    }
                    Err(error) => return Ok(Err(self.retrieve_failed(action, error).await)),
                },
            };
            let allowed = match action {
                RetrieveAction::Select => true,
                RetrieveAction::Preview => customer.previewable,
                RetrieveAction::Edit => customer.editable,
            };
            if !allowed {
                let key = if action == RetrieveAction::Edit {
                    "customer-form-not-editable"
                } else {
                    "customer-form-not-previewable"
                };
                return Ok(Err(self.screen(host_notice(Severity::Warning, key)).await));
            }
            let mut saved = false;
            if from_erp {
                let existing = flow.store.customer(number).await?;
                saved = existing.is_none();
                let customer = Customer {
                    origin: existing.as_ref().map_or(Origin::Erp, |e| e.origin),
                    web_id: existing.and_then(|e| e.web_id),
                    ..customer.clone()
                };
                flow.store.save(customer).await?;
            }
            // Retention removes, after a while, an ERP customer that was only looked up. The
            // customer is open whether or not this is noted: a failure only keeps it longer.
            if let Err(error) = flow.store.note_opened(number, action == RetrieveAction::Preview, saved).await {
                tracing::warn!(number, "cannot note how the customer was opened, for retention: {error}");
            }
            let editable = customer.editable;
            Ok(Ok(Opened { customer, editable }))
        })
        .await
    }

    async fn retrieve_failed(&mut self, action: RetrieveAction, error: ErpError) -> Screen {
        let decided = self.flow.plugins.search.after_erp_retrieve_failed(action, &error).await.value;
        if decided.clear_erp_results {
            self.erp.clear();
            self.erp_more = false;
            self.shown = ResultList::Local;
        }
        self.screen(decided.notice).await
    }

    fn button(&self) -> SearchButton {
        self.decision.as_ref().map_or(SearchButton::Available, |d| d.search_button)
    }

    /// The screen as it is, its notice in the session's locale now.
    pub async fn current(&self) -> Screen {
        let notice = self.flow.show(self.notice.clone()).await;
        self.screen_with(notice)
    }

    /// The screen with `notice`, which stays on it until the next step.
    async fn screen(&mut self, notice: Option<Notice>) -> Screen {
        self.notice = notice;
        self.current().await
    }

    fn screen_with(&self, notice: Option<ShownNotice>) -> Screen {
        let (customers, more) = match self.shown {
            ResultList::Local => (self.local.clone(), self.local_more),
            ResultList::Erp => (self.erp.clone(), self.erp_more),
        };
        Screen { list: self.shown, customers, notice, search_button: self.button(), more }
    }
}

/// A notice of the host's own, such as a form the ERP does not allow.
fn host_notice(severity: Severity, key: &str) -> Option<Notice> {
    Some(Notice { severity, message: Message { key: key.into(), args: Vec::new() } })
}
