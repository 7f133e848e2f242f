//! One operator's customer search (seed 1) on a [`Host`]: the search flow, told before every
//! step what the policy says now, so that a reload changes the locale and the ERP offer at
//! once.

use super::Host;
use crate::bindings::SearchQuery;
use crate::bindings::search::RetrieveAction;
use crate::flows::search::{Opened, Screen, SearchFlow, SearchSession};
use crate::store::StoreError;
use tokio_util::sync::CancellationToken;

/// A customer search: from the first phrase to the customer opened. Start one with
/// [`Host::search`].
pub struct CustomerSearch {
    host: Host,
    session: SearchSession,
    /// The locale the operator chose; `None` follows the policy.
    locale: Option<String>,
}

impl CustomerSearch {
    pub(super) fn new(host: Host, locale: Option<String>) -> CustomerSearch {
        let policy = host.policy();
        let flow = SearchFlow {
            store: host.store().clone(),
            erp: host.erp_capability(),
            plugins: host.plugins(),
            locale: policy.host.locale.clone(),
            online_search: policy.host.erp.online_search,
        };
        CustomerSearch { session: flow.session(), host, locale }
    }

    /// The locale of the texts from the next step on; `None` follows the policy.
    pub fn set_locale(&mut self, locale: Option<String>) {
        self.locale = locale;
    }

    /// The locale the texts are in now.
    pub fn locale(&self) -> String {
        self.locale.clone().unwrap_or_else(|| self.host.policy().host.locale.clone())
    }

    fn follow_policy(&mut self) {
        let policy = self.host.policy();
        let locale = self.locale.clone().unwrap_or_else(|| policy.host.locale.clone());
        self.session.configure(locale, policy.host.erp.online_search);
    }

    /// The screen as it is now, its notice in the current locale: after a locale switch.
    pub async fn current(&mut self) -> Screen {
        self.follow_policy();
        self.session.current().await
    }

    /// Searches the local database; the screen holds the result list, the notice and
    /// whether `[Search]` is offered.
    pub async fn search(&mut self, query: SearchQuery) -> Result<Screen, StoreError> {
        self.follow_policy();
        self.session.search(query).await
    }

    /// `[Search]`: the ERP with the last phrase and filters. `waiting` is called once when the
    /// search outlasts the policy's waiting-window threshold: show the waiting window then.
    /// Cancelling `cancel` (`[Cancel]` in the waiting window) stops it at once and keeps the
    /// local results.
    pub async fn search_erp(&mut self, cancel: &CancellationToken, waiting: impl FnOnce()) -> Screen {
        self.follow_policy();
        self.session.search_erp(cancel, waiting).await
    }

    /// Opens customer `number` from the list shown, to select it, preview or edit it: an
    /// ERP customer is retrieved afresh and saved locally. `Err` is the screen explaining why
    /// it cannot be opened (not found, the ERP's flags, the ERP unreachable).
    pub async fn open(&mut self, number: &str, action: RetrieveAction) -> Result<Result<Opened, Screen>, StoreError> {
        self.follow_policy();
        self.session.open(number, action).await
    }
}
