//! The JSON the web shop speaks (docs/webshop-api.md), and its conversion to and from the
//! host's customers, checked field by field.

use crate::bindings::{Customer, Origin};
use crate::store::check_person;
use serde::{Deserialize, Serialize};

/// A web customer as the web shop sends it.
#[derive(Debug, Deserialize)]
pub struct WireWebCustomer {
    pub id: String,
    #[serde(default)]
    pub customer_number: Option<String>,
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
    pub version: u64,
    pub updated_at: i64,
}

impl WireWebCustomer {
    /// The host's customer (origin `web`), refused when a field breaks the store's rules.
    pub fn into_customer(self) -> Result<Customer, String> {
        if crate::store::is_blank(&self.id) {
            return Err("a web customer has an empty id".into());
        }
        let customer = Customer {
            number: self.customer_number.filter(|n| !crate::store::is_blank(n)),
            web_id: Some(self.id),
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
            active: true,
            origin: Origin::Web,
            version: self.version,
            updated_at: self.updated_at,
            previewable: true,
            editable: true,
        };
        check_person(&customer).map_err(|e| format!("web customer {}: {e}", customer.web_id.as_deref().unwrap()))?;
        Ok(customer)
    }
}

/// A web customer's data as the host sends it in a `PUT`.
#[derive(Debug, Serialize)]
pub struct OutgoingWebCustomer<'a> {
    pub customer_number: Option<&'a str>,
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
}

impl<'a> OutgoingWebCustomer<'a> {
    pub fn of(customer: &'a Customer) -> OutgoingWebCustomer<'a> {
        OutgoingWebCustomer {
            customer_number: customer.number.as_deref(),
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
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Change {
    pub version: u64,
    pub id: String,
    #[serde(default)]
    pub deleted_at: Option<i64>,
    #[serde(default)]
    pub customer: Option<WireWebCustomer>,
}

#[derive(Debug, Deserialize)]
pub struct RegistrationsPage {
    pub changes: Vec<Change>,
    pub next: u64,
    pub has_more: bool,
}
