//! The connector of the data synchronization service protocol (docs/erp-api.md): the ERP
//! the shipped policies and the simulator speak. Every operation is one or two requests to
//! `host.erp.url`, with this workstation's id in `X-Workstation`; the change cursor is the
//! service's change version, in decimal.
//!
//! Config: none.

mod service;
mod wire;

use pos_plugin_sdk::erp_connector::{
    Change, ChangesError, ChangesPage, ErpInfo, Found, Guest, ListingPage, WriteError,
};
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, Customer, ErpError, SearchQuery};
use pos_plugin_sdk::{Config, ConfigErrors};
use service::{Answer, Service, encode, query};
use wire::{OutgoingCustomer, WireCustomer};

struct SyncServiceConnector;

/// The query parameter of a filter's field.
fn field_name(field: pos_plugin_sdk::types::Field) -> &'static str {
    use pos_plugin_sdk::types::Field;
    match field {
        Field::Number => "number",
        Field::FirstName => "first_name",
        Field::LastName => "last_name",
        Field::Company => "company",
        Field::TaxId => "tax_id",
        Field::Email => "email",
        Field::Phone => "phone",
        Field::Street => "street",
        Field::PostalCode => "postal_code",
        Field::City => "city",
        Field::Country => "country",
    }
}

fn not_offered(path: &str) -> ErpError {
    ErpError::Rejected(format!("not_found: the data service does not offer {path}"))
}

/// A write: `201`/`200` with the customer, else refused for good or to be retried.
fn write(
    service: &Service,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    customer: &Customer,
) -> Result<Customer, WriteError> {
    let body = serde_json::to_vec(&OutgoingCustomer::of(customer))
        .map_err(|e| WriteError::Refused(format!("the customer cannot be sent: {e}")))?;
    match service.send::<WireCustomer>(method, path, headers, Some(&body)) {
        Ok(Answer::Found(customer)) => Ok(customer.into()),
        Ok(Answer::NotFound) => Err(WriteError::Refused("not_found: the ERP does not know this customer".into())),
        Ok(Answer::Refused { reason, .. }) => Err(WriteError::Refused(reason)),
        Err(error) => Err(WriteError::Failed(error)),
    }
}

impl Guest for SyncServiceConnector {
    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        Config::new(config).reject_unknown(&[], &[], &mut errors);
        errors.into_result()
    }

    fn describe() -> Result<ErpInfo, ErpError> {
        let service = Service::from_policy()?;
        let health: wire::Health = service.read("/health")?.ok_or_else(|| not_offered("/health"))?;
        // Settings are what every workstation reads first: a service that answers health but
        // refuses them is not usable.
        Self::online_search_enabled()?;
        Ok(ErpInfo {
            product: health.service.unwrap_or_else(|| "data synchronization service".into()),
            version: health.version.unwrap_or_else(|| "unknown".into()),
            location: format!(
                "{} as {}",
                pos_plugin_sdk::erp_connector::connection::erp_url().unwrap_or_default(),
                pos_plugin_sdk::erp_connector::connection::workstation()
            ),
        })
    }

    fn online_search_enabled() -> Result<bool, ErpError> {
        let settings: wire::Settings =
            Service::from_policy()?.read("/settings")?.ok_or_else(|| not_offered("/settings"))?;
        Ok(settings.online_search_enabled)
    }

    fn search(query_: SearchQuery, limit: u32) -> Result<Found, ErpError> {
        let limit_text = limit.to_string();
        let mut params = vec![("q", query_.phrase.as_str()), ("limit", limit_text.as_str())];
        params.extend(query_.filters.iter().map(|f| (field_name(f.field), f.value.as_str())));
        let path = format!("/customers/search{}", query(&params));
        let page: wire::SearchPage =
            Service::from_policy()?.read(&path)?.ok_or_else(|| not_offered("/customers/search"))?;
        Ok(Found { customers: page.customers.into_iter().map(Into::into).collect(), has_more: page.has_more })
    }

    fn fetch(number: String) -> Result<Option<Customer>, ErpError> {
        let found: Option<WireCustomer> = Service::from_policy()?.read(&format!("/customers/{}", encode(&number)))?;
        Ok(found.map(Into::into))
    }

    fn listing(after: Option<String>, limit: u32) -> Result<ListingPage, ErpError> {
        let limit_text = limit.to_string();
        let mut params = vec![("limit", limit_text.as_str())];
        if let Some(after) = &after {
            params.push(("after", after));
        }
        let page: wire::ListPage = Service::from_policy()?
            .read(&format!("/customers{}", query(&params)))?
            .ok_or_else(|| not_offered("/customers"))?;
        Ok(ListingPage {
            customers: page.customers.into_iter().map(Into::into).collect(),
            next_after: page.next_after,
            changes_from: page.as_of.to_string(),
            total: page.total,
        })
    }

    fn changes(cursor: String, limit: u32) -> Result<ChangesPage, ChangesError> {
        // A cursor this connector did not make (another connector's, say) cannot be followed.
        let Ok(since) = cursor.parse::<u64>() else { return Err(ChangesError::CursorExpired) };
        let service = Service::from_policy().map_err(ChangesError::Failed)?;
        let path = format!("/changes{}", query(&[("since", &since.to_string()), ("limit", &limit.to_string())]));
        let page: wire::ChangesPage = match service.send("GET", &path, &[], None).map_err(ChangesError::Failed)? {
            Answer::Found(page) => page,
            Answer::NotFound => return Err(ChangesError::Failed(not_offered("/changes"))),
            Answer::Refused { status: 410, .. } => return Err(ChangesError::CursorExpired),
            Answer::Refused { reason, .. } => return Err(ChangesError::Failed(ErpError::Rejected(reason))),
        };
        let changes = page
            .changes
            .into_iter()
            .map(|change| match (change.deleted_at, change.customer) {
                (None, Some(customer)) => Change::Upsert(customer.into()),
                _ => Change::Removed(change.number),
            })
            .collect();
        Ok(ChangesPage { changes, next: page.next.max(since).to_string(), has_more: page.has_more, available: None })
    }

    fn create(customer: Customer, idempotency_key: String) -> Result<Customer, WriteError> {
        let service = Service::from_policy().map_err(WriteError::Failed)?;
        write(&service, "POST", "/customers", &[("idempotency-key", &idempotency_key)], &customer)
    }

    fn update(customer: Customer, expected_version: u64, idempotency_key: String) -> Result<Customer, WriteError> {
        let service = Service::from_policy().map_err(WriteError::Failed)?;
        let path = format!("/customers/{}", encode(customer.number.as_deref().unwrap_or_default()));
        let if_match = format!("\"{expected_version}\"");
        write(&service, "PUT", &path, &[("if-match", &if_match), ("idempotency-key", &idempotency_key)], &customer)
    }
}

pos_plugin_sdk::erp_connector::export!(SyncServiceConnector);
