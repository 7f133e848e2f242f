//! The `erp-connector` slot: the host's ERP operations, mapped by a plugin to one ERP's API.
//! A connector that fails (traps, runs out of a limit, answers nonsense) is an ERP that
//! failed: the operation ends in an [`ErpError`], and nothing local changes. There is no
//! built-in fallback to decide instead: only the connector knows its ERP.

use super::SlotId;
use crate::bindings::connector::{Change, ChangesError, ChangesPage, ErpInfo, Found, ListingPage, WriteError};
use crate::bindings::v0_2::erp_connector::{ErpConnector, ErpConnectorPre};
use crate::bindings::{ConfigEntry, ConfigError, Customer, ErpError, Origin, SearchQuery};
use crate::contract::Version;
use crate::personal::Known;
use crate::runtime::{CallState, Decided, Slot, SlotKind, Source};
use crate::store::check_fields;
use std::future::{Future, ready};
use wasmtime::Store;
use wasmtime::component::InstancePre;

/// The longest cursor or listing position a connector may hand the host to keep.
pub const MAX_CURSOR_BYTES: usize = 4096;

/// The slot's bindings; the world exists from `pos:plugin@0.2.0` on.
pub struct ErpConnectorKind;

impl SlotKind for ErpConnectorKind {
    const ID: SlotId = SlotId::ErpConnector;
    type Pre = ErpConnectorPre<CallState>;
    type Bindings = ErpConnector;

    fn pre(instance_pre: InstancePre<CallState>, version: Version) -> wasmtime::Result<Self::Pre> {
        match version {
            Version::V0_2 => ErpConnectorPre::new(instance_pre),
            Version::V0_1 => Err(wasmtime::format_err!("the erp-connector slot exists from pos:plugin@0.2.0 on")),
        }
    }

    async fn instantiate(pre: &Self::Pre, store: &mut Store<CallState>) -> wasmtime::Result<Self::Bindings> {
        pre.instantiate_async(store).await
    }

    async fn validate_config(
        mut store: Store<CallState>,
        bindings: Self::Bindings,
        config: Vec<ConfigEntry>,
    ) -> (Store<CallState>, wasmtime::Result<Result<(), Vec<ConfigError>>>) {
        let result = bindings.pos_plugin_connector().call_validate_config(&mut store, &config).await;
        (store, result)
    }
}

/// An error of one connector operation, which a failed or absent connector, or a request
/// the host refused, also ends in.
pub trait OperationError: Sized {
    fn from_erp(error: ErpError) -> Self;
    /// The text inside, passed through `f` (to hide secrets).
    fn map_text(self, f: impl Fn(&str) -> String) -> Self;
}

impl OperationError for ErpError {
    fn from_erp(error: ErpError) -> Self {
        error
    }

    fn map_text(self, f: impl Fn(&str) -> String) -> Self {
        match self {
            ErpError::Unavailable(why) => ErpError::Unavailable(f(&why)),
            ErpError::Rejected(why) => ErpError::Rejected(f(&why)),
            other => other,
        }
    }
}

impl OperationError for ChangesError {
    fn from_erp(error: ErpError) -> Self {
        ChangesError::Failed(error)
    }

    fn map_text(self, f: impl Fn(&str) -> String) -> Self {
        match self {
            ChangesError::Failed(error) => ChangesError::Failed(error.map_text(f)),
            other => other,
        }
    }
}

impl OperationError for WriteError {
    fn from_erp(error: ErpError) -> Self {
        WriteError::Failed(error)
    }

    fn map_text(self, f: impl Fn(&str) -> String) -> Self {
        match self {
            WriteError::Failed(error) => WriteError::Failed(error.map_text(f)),
            WriteError::Refused(why) => WriteError::Refused(f(&why)),
        }
    }
}

impl Slot<ErpConnectorKind> {
    /// Runs one operation: the plugin's answer, checked; or the ERP error a failed, absent
    /// or still compiling connector amounts to. A request the host refused to send is the
    /// error, whatever the connector made of it, so that the operator and the log read
    /// which address and which policy key.
    async fn operation<T, E, F, Fut>(
        &self,
        hook: &'static str,
        call: F,
        check: impl FnOnce(&T) -> Result<(), String>,
    ) -> Result<T, E>
    where
        E: OperationError,
        F: FnOnce(Store<CallState>, ErpConnector) -> Fut,
        Fut: Future<Output = (Store<CallState>, wasmtime::Result<Result<T, E>>)>,
    {
        let redact = crate::caps::connection::redact;
        let decided: Decided<Result<T, E>> = self
            .decide(
                hook,
                None,
                |store, bindings| async move {
                    let (store, result) = call(store, bindings).await;
                    let refused = store.data().refused_request().map(str::to_owned);
                    let result = match (result, refused) {
                        (Ok(Err(_)), Some(refused)) => Ok(Err(E::from_erp(ErpError::Unavailable(refused)))),
                        (result, _) => result,
                    };
                    (store, result)
                },
                |result| match result {
                    Ok(value) => check(value),
                    Err(_) => Ok(()),
                },
                |_| ready(Err(E::from_erp(ErpError::Unavailable(String::new())))),
            )
            .await;
        let why = match decided.source {
            Source::Plugin(_) => return decided.value.map_err(|e| e.map_text(redact)),
            Source::NoPlugin => "no ERP connector is configured (slots.erp-connector)".to_owned(),
            Source::Compiling(plugin) => format!("the ERP connector {plugin} is still being compiled"),
            Source::Fallback { plugin, failure } => redact(&format!("the ERP connector {plugin} {failure}")),
        };
        Err(E::from_erp(ErpError::Unavailable(why)))
    }

    /// Which ERP the connector reaches.
    pub async fn describe(&self) -> Result<ErpInfo, ErpError> {
        self.operation(
            "describe",
            |mut store, b| async move {
                let result = b.pos_plugin_connector().call_describe(&mut store).await;
                (store, result)
            },
            |info| {
                for (name, text) in [("product", &info.product), ("version", &info.version), ("location", &info.location)]
                {
                    if text.len() > 1024 {
                        return Err(format!("the {name} is longer than 1024 bytes"));
                    }
                }
                Ok(())
            },
        )
        .await
    }

    /// Whether online customer search is activated on the ERP side.
    pub async fn online_search_enabled(&self) -> Result<bool, ErpError> {
        self.operation(
            "online-search-enabled",
            |mut store, b| async move {
                let result = b.pos_plugin_connector().call_online_search_enabled(&mut store).await;
                (store, result)
            },
            |_| Ok(()),
        )
        .await
    }

    /// At most `limit` customers matching `query`.
    pub async fn search(&self, query: &SearchQuery, limit: u32) -> Result<Found, ErpError> {
        self.operation(
            "search",
            |mut store, b| async move {
                store.data_mut().known().query(query);
                let result = b.pos_plugin_connector().call_search(&mut store, query, limit).await;
                let result = result.map(|r| r.map(|found| Found { customers: as_erp(found.customers), ..found }));
                noted(store, result, |found, known| known.customers(&found.customers))
            },
            |found| {
                at_most(found.customers.len(), limit)?;
                customers(&found.customers)
            },
        )
        .await
    }

    /// One customer by number.
    pub async fn fetch(&self, number: &str) -> Result<Option<Customer>, ErpError> {
        self.operation(
            "fetch",
            |mut store, b| async move {
                let result = b.pos_plugin_connector().call_fetch(&mut store, number).await;
                noted(store, result.map(|r| r.map(|found| found.map(erp))), |found, known| known.customers(found))
            },
            |found| match found {
                Some(customer) if customer.number.as_deref() != Some(number) => Err(format!(
                    "asked for customer {number}, it returned {}",
                    customer.number.as_deref().unwrap_or("one without a number")
                )),
                Some(customer) => customers(std::slice::from_ref(customer)),
                None => Ok(()),
            },
        )
        .await
    }

    /// A page of the full listing.
    pub async fn listing(&self, after: Option<&str>, limit: u32) -> Result<ListingPage, ErpError> {
        let after = after.map(str::to_owned);
        self.operation(
            "listing",
            |mut store, b| async move {
                let result = b.pos_plugin_connector().call_listing(&mut store, after.as_deref(), limit).await;
                let result = result.map(|r| r.map(|page| ListingPage { customers: as_erp(page.customers), ..page }));
                noted(store, result, |page, known| known.customers(&page.customers))
            },
            |page| {
                at_most(page.customers.len(), limit)?;
                cursor("changes-from", &page.changes_from)?;
                if let Some(next) = &page.next_after {
                    cursor("next-after", next)?;
                    if page.customers.is_empty() {
                        return Err("a page with no customers that is not the last".into());
                    }
                }
                customers(&page.customers)
            },
        )
        .await
    }

    /// Changes after `cursor`.
    pub async fn changes(&self, from: &str, limit: u32) -> Result<ChangesPage, ChangesError> {
        self.operation(
            "changes",
            |mut store, b| async move {
                let result = b.pos_plugin_connector().call_changes(&mut store, from, limit).await;
                let page = |page: ChangesPage| ChangesPage {
                    changes: page
                        .changes
                        .into_iter()
                        .map(|change| match change {
                            Change::Upsert(customer) => Change::Upsert(erp(customer)),
                            removed => removed,
                        })
                        .collect(),
                    ..page
                };
                noted(store, result.map(|r| r.map(page)), |page, known| {
                    for change in &page.changes {
                        if let Change::Upsert(customer) = change {
                            known.customer(customer);
                        }
                    }
                })
            },
            |page| {
                at_most(page.changes.len(), limit)?;
                cursor("next", &page.next)?;
                for change in &page.changes {
                    match change {
                        Change::Upsert(customer) => {
                            customers(std::slice::from_ref(customer))?
                        }
                        Change::Removed(number) if number.trim().is_empty() => {
                            return Err("a removal names no customer number".into());
                        }
                        Change::Removed(_) => {}
                    }
                }
                Ok(())
            },
        )
        .await
    }

    /// Sends a customer created at the POS.
    pub async fn create(&self, customer: &Customer, idempotency_key: &str) -> Result<Customer, WriteError> {
        self.operation(
            "create",
            |mut store, b| async move {
                store.data_mut().known().customer(customer);
                let result = b.pos_plugin_connector().call_create(&mut store, customer, idempotency_key).await;
                noted(store, result.map(|r| r.map(erp)), |accepted, known| known.customer(accepted))
            },
            |accepted| same_customer(customer, accepted),
        )
        .await
    }

    /// Sends an edit of a customer whose ERP version is `expected_version`.
    pub async fn update(
        &self,
        customer: &Customer,
        expected_version: u64,
        idempotency_key: &str,
    ) -> Result<Customer, WriteError> {
        self.operation(
            "update",
            |mut store, b| async move {
                store.data_mut().known().customer(customer);
                let result = b
                    .pos_plugin_connector()
                    .call_update(&mut store, customer, expected_version, idempotency_key)
                    .await;
                noted(store, result.map(|r| r.map(erp)), |accepted, known| known.customer(accepted))
            },
            |accepted| same_customer(customer, accepted),
        )
        .await
    }
}

/// `result` as the call returned it, its customers noted as values the plugin's log lines
/// and output must not carry into the host's log.
fn noted<T, E>(
    mut store: Store<CallState>,
    result: wasmtime::Result<Result<T, E>>,
    note: impl FnOnce(&T, &mut Known),
) -> (Store<CallState>, wasmtime::Result<Result<T, E>>) {
    if let Ok(Ok(value)) = &result {
        note(value, store.data_mut().known());
    }
    (store, result)
}

/// A customer from the ERP is the ERP's, whatever the connector said.
fn erp(customer: Customer) -> Customer {
    Customer { origin: Origin::Erp, ..customer }
}

fn as_erp(customers: Vec<Customer>) -> Vec<Customer> {
    customers.into_iter().map(erp).collect()
}

fn at_most(count: usize, limit: u32) -> Result<(), String> {
    if count > limit as usize {
        return Err(format!("asked for at most {limit}, it returned {count}"));
    }
    Ok(())
}

fn cursor(name: &str, value: &str) -> Result<(), String> {
    if value.len() > MAX_CURSOR_BYTES {
        return Err(format!("{name} is longer than {MAX_CURSOR_BYTES} bytes"));
    }
    Ok(())
}

fn customers(customers: &[Customer]) -> Result<(), String> {
    for customer in customers {
        check_fields(customer).map_err(|error| {
            format!("customer {}: {error}", customer.number.as_deref().unwrap_or("without a number"))
        })?;
    }
    Ok(())
}

/// What a write returns must be the customer that was sent.
fn same_customer(sent: &Customer, accepted: &Customer) -> Result<(), String> {
    if accepted.number != sent.number {
        return Err(format!(
            "sent customer {}, it returned {}",
            sent.number.as_deref().unwrap_or_default(),
            accepted.number.as_deref().unwrap_or("one without a number")
        ));
    }
    customers(std::slice::from_ref(accepted))
}
