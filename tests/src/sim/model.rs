//! The customer object of the ERP API and the simulator's own view of a customer.

use serde::{Deserialize, Serialize};

/// The tag a customer needs to be served to the POS at all.
pub const CUSTOMER_TAG: &str = "Customer";

/// A customer as the ERP API sends it (`docs/erp-api.md`, "The customer object").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
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
    pub version: i64,
    pub updated_at: i64,
    pub previewable: bool,
    pub editable: bool,
}

/// A customer together with what only the ERP knows: its tags and the workstations it is
/// available to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimCustomer {
    #[serde(flatten)]
    pub customer: Customer,
    /// The POS sees only customers tagged [`CUSTOMER_TAG`].
    pub tags: Vec<String>,
    /// The workstations that may see the customer; `None` means every workstation.
    pub workstations: Option<Vec<String>>,
}

impl SimCustomer {
    /// Whether `workstation` may see this customer.
    pub fn visible_to(&self, workstation: &str) -> bool {
        self.tags.iter().any(|tag| tag == CUSTOMER_TAG)
            && self.workstations.as_ref().is_none_or(|list| list.iter().any(|w| w == workstation))
    }
}

/// The fields of a customer that a writer supplies: a `POST` or `PUT` body, or the body of
/// the admin upsert. `version` and `updated_at` are assigned by the service; unknown fields
/// are ignored, as the API ignores unknown fields everywhere.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFields {
    /// Required for `POST`; on `PUT` it may be absent, and must match the path if present.
    #[serde(default)]
    pub number: Option<String>,
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
    /// Absent: `true` for a new customer, unchanged for an existing one.
    #[serde(default)]
    pub active: Option<bool>,
    /// Absent: `true` for a new customer, unchanged for an existing one.
    #[serde(default)]
    pub previewable: Option<bool>,
    /// Absent: `true` for a new customer, unchanged for an existing one.
    #[serde(default)]
    pub editable: Option<bool>,
}

impl CustomerFields {
    /// Checks what serde cannot: required texts are not blank and the number is usable.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(number) = &self.number {
            if number.trim().is_empty() || number.len() > 64 {
                return Err("`number` must be 1 to 64 characters".into());
            }
            if number.contains('/') || number.chars().any(char::is_control) {
                return Err("`number` must not contain `/` or control characters".into());
            }
        }
        if self.first_name.trim().is_empty() && self.last_name.trim().is_empty() {
            return Err("`first_name` or `last_name` must not be blank".into());
        }
        Ok(())
    }
}

/// The admin upsert body: a full customer plus its tags and workstations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminCustomer {
    #[serde(flatten)]
    pub fields: CustomerFields,
    /// Default `["Customer"]`.
    #[serde(default = "default_tags")]
    pub tags: Vec<String>,
    /// Default `null`: every workstation.
    #[serde(default)]
    pub workstations: Option<Vec<String>>,
}

fn default_tags() -> Vec<String> {
    vec![CUSTOMER_TAG.to_owned()]
}

impl AdminCustomer {
    /// A visible, active customer with only a number and a name, for tests to extend with
    /// struct-update syntax.
    pub fn new(number: &str, first_name: &str, last_name: &str) -> AdminCustomer {
        AdminCustomer {
            fields: CustomerFields {
                number: Some(number.to_owned()),
                first_name: first_name.to_owned(),
                last_name: last_name.to_owned(),
                ..CustomerFields::default()
            },
            tags: default_tags(),
            workstations: None,
        }
    }
}

impl From<SimCustomer> for AdminCustomer {
    fn from(sim: SimCustomer) -> AdminCustomer {
        let c = sim.customer;
        AdminCustomer {
            fields: CustomerFields {
                number: Some(c.number),
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
                active: Some(c.active),
                previewable: Some(c.previewable),
                editable: Some(c.editable),
            },
            tags: sim.tags,
            workstations: sim.workstations,
        }
    }
}
