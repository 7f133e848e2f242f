//! The JSON of the data synchronization service (docs/erp-api.md), and its conversion to
//! and from the contract's customers.

use pos_plugin_sdk::types::{Customer, Origin};
use serde::{Deserialize, Serialize};

/// A customer as the service sends it.
#[derive(Debug, Deserialize)]
pub struct WireCustomer {
    pub number: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub tax_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    pub active: bool,
    pub version: u64,
    pub updated_at: i64,
    #[serde(default = "yes")]
    pub previewable: bool,
    #[serde(default = "yes")]
    pub editable: bool,
}

fn yes() -> bool {
    true
}

impl From<WireCustomer> for Customer {
    fn from(c: WireCustomer) -> Customer {
        Customer {
            number: Some(c.number),
            web_id: None,
            first_name: c.first_name,
            last_name: c.last_name,
            company: c.company,
            tax_id: c.tax_id,
            email: c.email,
            phone: c.phone,
            street: c.street,
            postal_code: c.postal_code,
            city: c.city,
            country: c.country,
            active: c.active,
            origin: Origin::Erp,
            version: c.version,
            updated_at: c.updated_at,
            previewable: c.previewable,
            editable: c.editable,
        }
    }
}

/// A customer as the POS sends it for a create or an update.
#[derive(Debug, Serialize)]
pub struct OutgoingCustomer<'a> {
    pub number: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub company: Option<&'a str>,
    pub tax_id: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub street: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub city: Option<&'a str>,
    pub country: Option<&'a str>,
    pub active: bool,
}

impl<'a> OutgoingCustomer<'a> {
    pub fn of(c: &'a Customer) -> OutgoingCustomer<'a> {
        OutgoingCustomer {
            number: c.number.as_deref().unwrap_or_default(),
            first_name: &c.first_name,
            last_name: &c.last_name,
            company: c.company.as_deref(),
            tax_id: c.tax_id.as_deref(),
            email: c.email.as_deref(),
            phone: c.phone.as_deref(),
            street: c.street.as_deref(),
            postal_code: c.postal_code.as_deref(),
            city: c.city.as_deref(),
            country: c.country.as_deref(),
            active: c.active,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Health {
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Settings {
    pub online_search_enabled: bool,
}

#[derive(Debug, Deserialize)]
pub struct SearchPage {
    pub customers: Vec<WireCustomer>,
    pub has_more: bool,
}

#[derive(Debug, Deserialize)]
pub struct ListPage {
    pub customers: Vec<WireCustomer>,
    pub next_after: Option<String>,
    pub as_of: u64,
    #[serde(default)]
    pub total: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct Change {
    pub number: String,
    #[serde(default)]
    pub deleted_at: Option<i64>,
    #[serde(default)]
    pub customer: Option<WireCustomer>,
}

#[derive(Debug, Deserialize)]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    pub next: u64,
    pub has_more: bool,
}

/// `{"error": {"code": ..., "message": ...}}`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    #[serde(default)]
    pub message: String,
}
