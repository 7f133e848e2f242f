//! The web customer object of the web shop API, the fields a writer supplies, and their
//! checks.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A web customer as the web shop API sends it (`docs/webshop-api.md`, "The web customer
/// object").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebCustomer {
    pub id: String,
    /// `None` until the web customer is linked to a POS customer.
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
    /// The web shop's version of the customer's last change.
    pub version: i64,
    pub registered_at: i64,
    pub updated_at: i64,
}

/// The fields of a web customer that a writer supplies: the body of `PUT /customers/{id}`
/// (without `id`), and of the admin registration and edit. The web shop assigns `version`,
/// `registered_at` and `updated_at`. Unknown fields are refused, so that a client sending a
/// misspelt field learns of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebCustomerFields {
    /// Registration only: the id to register under; absent, the next `W-000001`-style id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
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
}

/// Every field a writer may supply, with its longest value in characters, in the order of
/// [`WebCustomerFields`]: `id` first, as only a registration may give it.
const FIELDS: [(&str, usize); 12] = [
    ("id", 64),
    ("customer_number", 64),
    ("first_name", 100),
    ("last_name", 100),
    ("company", 200),
    ("tax_id", 32),
    ("email", 254),
    ("phone", 32),
    ("street", 200),
    ("postal_code", 16),
    ("city", 100),
    ("country", 64),
];

impl WebCustomerFields {
    /// A web customer with only a name, for tests to extend with struct-update syntax.
    pub fn new(first_name: &str, last_name: &str) -> WebCustomerFields {
        WebCustomerFields {
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            ..WebCustomerFields::default()
        }
    }

    /// Checks what serde cannot: lengths, control characters, a non-blank last name, and
    /// ids and numbers usable in a path. The message names the field.
    pub fn validate(&self) -> Result<(), String> {
        let values = [
            self.id.as_deref(),
            self.customer_number.as_deref(),
            Some(self.first_name.as_str()),
            Some(self.last_name.as_str()),
            self.company.as_deref(),
            self.tax_id.as_deref(),
            self.email.as_deref(),
            self.phone.as_deref(),
            self.street.as_deref(),
            self.postal_code.as_deref(),
            self.city.as_deref(),
            self.country.as_deref(),
        ];
        for ((name, max), value) in FIELDS.iter().zip(values) {
            if let Some(value) = value {
                check_text(name, value, *max)?;
            }
        }
        if self.last_name.trim().is_empty() {
            return Err("`last_name` must not be blank".into());
        }
        if let Some(id) = &self.id {
            check_key("id", id)?;
        }
        if let Some(number) = &self.customer_number {
            check_key("customer_number", number)?;
        }
        Ok(())
    }

    /// The fields of `body`, a JSON object with only known fields (`id` only if `with_id`),
    /// each a string (or `null` where optional). Every message names the field, which
    /// serde's type errors do not.
    pub fn from_json(body: &Value, with_id: bool) -> Result<WebCustomerFields, String> {
        let object = body.as_object().ok_or("the body must be a JSON object")?;
        let allowed: Vec<&str> = FIELDS.iter().skip(usize::from(!with_id)).map(|(name, _)| *name).collect();
        check_strings(object, &allowed, &["first_name", "last_name"])?;
        let fields: WebCustomerFields = serde_json::from_value(body.clone()).map_err(|e| e.to_string())?;
        fields.validate()?;
        Ok(fields)
    }
}

/// The body of `PUT /customers/{id}/customer-number`: `{"customer_number": "K-000117"}`.
pub fn customer_number_from_json(body: &Value) -> Result<String, String> {
    let object = body.as_object().ok_or("the body must be a JSON object")?;
    check_strings(object, &["customer_number"], &["customer_number"])?;
    let number = object["customer_number"].as_str().unwrap_or_default();
    check_text("customer_number", number, 64)?;
    check_key("customer_number", number)?;
    Ok(number.to_owned())
}

/// Checks that `object` has only `allowed` fields, every one in `required`, and that each is
/// a string or (unless required) `null`.
fn check_strings(object: &Map<String, Value>, allowed: &[&str], required: &[&str]) -> Result<(), String> {
    for (name, value) in object {
        if !allowed.contains(&name.as_str()) {
            return Err(format!("unknown field `{name}`; the body takes {}", allowed.join(", ")));
        }
        match value {
            Value::String(_) => {}
            Value::Null if !required.contains(&name.as_str()) => {}
            _ if required.contains(&name.as_str()) => return Err(format!("`{name}` must be a string")),
            _ => return Err(format!("`{name}` must be a string or null")),
        }
    }
    match required.iter().find(|name| !object.contains_key(**name)) {
        Some(missing) => Err(format!("`{missing}` is required")),
        None => Ok(()),
    }
}

fn check_text(name: &str, value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        return Err(format!("`{name}` must be at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("`{name}` must not contain control characters"));
    }
    Ok(())
}

/// Ids and customer numbers end up in paths and in the ERP, whose numbers have no `/`.
fn check_key(name: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() || value.trim() != value || value.contains('/') {
        return Err(format!("`{name}` must not be blank, have spaces around it, or contain `/`"));
    }
    Ok(())
}

impl From<WebCustomer> for WebCustomerFields {
    /// The current data of a web customer, to change a field of and write back.
    fn from(customer: WebCustomer) -> WebCustomerFields {
        WebCustomerFields {
            id: None,
            customer_number: customer.customer_number,
            first_name: customer.first_name,
            last_name: customer.last_name,
            company: customer.company,
            tax_id: customer.tax_id,
            email: customer.email,
            phone: customer.phone,
            street: customer.street,
            postal_code: customer.postal_code,
            city: customer.city,
            country: customer.country,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_are_checked_field_by_field() {
        let fields = WebCustomerFields::from_json(&json!({ "first_name": "", "last_name": "Wójcik" }), false).unwrap();
        assert_eq!(fields, WebCustomerFields::new("", "Wójcik"));
        for (body, named) in [
            (json!({ "first_name": "A", "last_name": "B", "nickname": "x" }), "nickname"),
            (json!({ "first_name": "A", "last_name": "B", "id": "W-1" }), "id"),
            (json!({ "first_name": "A" }), "last_name"),
            (json!({ "first_name": "A", "last_name": " " }), "last_name"),
            (json!({ "first_name": 5, "last_name": "B" }), "first_name"),
            (json!({ "first_name": "A", "last_name": "B", "phone": 5 }), "phone"),
            (json!({ "first_name": "A", "last_name": "B", "city": "x\ny" }), "city"),
            (json!({ "first_name": "A", "last_name": "B", "tax_id": "1".repeat(33) }), "tax_id"),
            (json!({ "first_name": "A", "last_name": "B", "customer_number": "K/1" }), "customer_number"),
        ] {
            let error = WebCustomerFields::from_json(&body, false).unwrap_err();
            assert!(error.contains(&format!("`{named}`")), "{body}: {error}");
        }
        let with_id = json!({ "id": "W-9", "first_name": "A", "last_name": "B" });
        assert_eq!(WebCustomerFields::from_json(&with_id, true).unwrap().id.as_deref(), Some("W-9"));
        assert_eq!(customer_number_from_json(&json!({ "customer_number": "K-1" })), Ok("K-1".into()));
        for body in [json!({}), json!({ "customer_number": null }), json!({ "customer_number": "K-1", "x": 1 })] {
            assert!(customer_number_from_json(&body).is_err(), "{body}");
        }
    }
}
