//! The JSON the data synchronization service speaks (docs/erp-api.md), and its conversion
//! to and from the host's customers, checked field by field.

use crate::bindings::{Customer, Origin};
use crate::store::check_fields;
use serde::{Deserialize, Serialize};

/// A customer as the ERP sends it.
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

impl WireCustomer {
    /// The host's customer, refused when a field breaks the store's rules.
    pub fn into_customer(self) -> Result<Customer, String> {
        let customer = Customer {
            number: Some(self.number),
            web_id: None,
            first_name: self.first_name,
            last_name: self.last_name,
            company: self.company,
            tax_id: self.tax_id,
            email: self.email,
            phone: self.phone,
            street: self.street,
            postal_code: self.postal_code,
            city: self.city,
            country: self.country,
            active: self.active,
            origin: Origin::Erp,
            version: self.version,
            updated_at: self.updated_at,
            previewable: self.previewable,
            editable: self.editable,
        };
        check_fields(&customer).map_err(|e| e.to_string())?;
        Ok(customer)
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
    pub fn of(customer: &'a Customer) -> OutgoingCustomer<'a> {
        OutgoingCustomer {
            number: customer.number.as_deref().unwrap_or_default(),
            first_name: &customer.first_name,
            last_name: &customer.last_name,
            company: customer.company.as_deref(),
            tax_id: customer.tax_id.as_deref(),
            email: customer.email.as_deref(),
            phone: customer.phone.as_deref(),
            street: customer.street.as_deref(),
            postal_code: customer.postal_code.as_deref(),
            city: customer.city.as_deref(),
            country: customer.country.as_deref(),
            active: customer.active,
        }
    }
}

/// A customer as the outbox keeps it: what [`OutgoingCustomer`] wrote when the change was
/// made, read back to be sent.
#[derive(Debug, Deserialize)]
pub struct OutboxCustomer {
    pub number: String,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub tax_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub active: bool,
}

impl OutboxCustomer {
    /// The customer to send; the ERP sets its version and time.
    pub fn into_customer(self) -> Customer {
        Customer {
            number: Some(self.number),
            web_id: None,
            first_name: self.first_name,
            last_name: self.last_name,
            company: self.company,
            tax_id: self.tax_id,
            email: self.email,
            phone: self.phone,
            street: self.street,
            postal_code: self.postal_code,
            city: self.city,
            country: self.country,
            active: self.active,
            origin: Origin::Local,
            version: 0,
            updated_at: 0,
            previewable: true,
            editable: true,
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
    /// Required by the protocol; the host follows the page's `next` rather than each change's.
    #[serde(rename = "version")]
    pub _version: u64,
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
