//! Customers created or edited at the POS: the change is saved locally and queued in the
//! outbox in one transaction, so it can be neither lost nor sent without being saved.

use super::now_ms;
use crate::bindings::{Customer, Origin};
use crate::erp::OutgoingCustomer;
use crate::store::outbox::{self, Operation};
use crate::store::{Store, StoreError, check_fields};
use rusqlite::OptionalExtension;

/// Creates a customer at this workstation; its number is `<workstation>-<sequence>`.
pub async fn create(store: &Store, workstation: &str, customer: Customer) -> Result<Customer, StoreError> {
    crate::trace::step("customer.create", async move {
        let prefix = workstation.to_owned();
        store
            .write(move |tx| -> Result<Customer, StoreError> {
                let customer = Customer {
                    number: Some(next_number(tx, &prefix)?),
                    origin: Origin::Local,
                    version: 0,
                    updated_at: now_ms(),
                    previewable: true,
                    editable: true,
                    ..customer
                };
                save_and_queue(tx, &customer, Operation::Create)?;
                Ok(customer)
            })
            .await
    })
    .await
}

/// Saves an edit of an existing customer and queues it for the ERP.
pub async fn edit(store: &Store, customer: Customer) -> Result<Customer, StoreError> {
    crate::trace::step("customer.edit", async move {
        let number = customer.number.clone().unwrap_or_default();
        store.write(move |tx| edit_in(tx, &number, |_| customer)).await
    })
    .await
}

/// Makes the operator's `changes` to customer `number` as it is stored, reading and writing
/// in one transaction so that no change made meanwhile is lost, and queues it for the ERP.
pub async fn change(store: &Store, number: &str, changes: CustomerChanges) -> Result<Customer, StoreError> {
    crate::trace::step("customer.change", async move {
        let number = number.to_owned();
        store.write(move |tx| edit_in(tx, &number, |existing| changes.apply(existing))).await
    })
    .await
}

/// Saves what `edit` makes of stored customer `number`, keeping what only the ERP and the
/// web shop decide: origin, version, web link and the form's flags.
fn edit_in(
    tx: &crate::store::WriteTx,
    number: &str,
    edit: impl FnOnce(Customer) -> Customer,
) -> Result<Customer, StoreError> {
    let Some(existing) = crate::store::get(tx, number)? else {
        return Err(StoreError::NoCustomer(number.to_owned()));
    };
    if !existing.editable {
        return Err(StoreError::NotEditable(number.to_owned()));
    }
    let kept = (existing.origin, existing.version, existing.web_id.clone(), existing.previewable, existing.editable);
    let (origin, version, web_id, previewable, editable) = kept;
    let customer =
        Customer { origin, version, web_id, previewable, editable, updated_at: now_ms(), ..edit(existing.clone()) };
    // An edit that changes nothing is no change: nothing to save, nothing to send the ERP.
    if same_person(&customer, &existing) {
        return Ok(existing);
    }
    save_and_queue(tx, &customer, Operation::Update)?;
    Ok(customer)
}

/// Whether two records hold the same person's data (names, company, ids, contact, address).
pub(crate) fn same_person(a: &Customer, b: &Customer) -> bool {
    (&a.first_name, &a.last_name, &a.company, &a.tax_id, &a.email, &a.phone)
        == (&b.first_name, &b.last_name, &b.company, &b.tax_id, &b.email, &b.phone)
        && (&a.street, &a.postal_code, &a.city, &a.country) == (&b.street, &b.postal_code, &b.city, &b.country)
}

/// The next free number of a customer created at workstation `prefix`, taken in `tx`.
pub(crate) fn next_number(tx: &rusqlite::Transaction, prefix: &str) -> rusqlite::Result<String> {
    let last: Option<i64> = tx
        .prepare_cached("SELECT last FROM local_numbers WHERE prefix = ?1")?
        .query_row([prefix], |row| row.get(0))
        .optional()?;
    let sequence = last.unwrap_or(0) + 1;
    tx.prepare_cached(
        "INSERT INTO local_numbers (prefix, last) VALUES (?1, ?2) ON CONFLICT (prefix) DO UPDATE SET last = excluded.last",
    )?
    .execute(rusqlite::params![prefix, sequence])?;
    Ok(format!("{prefix}-{sequence:06}"))
}

/// Saves a customer and queues it for the ERP, in the caller's transaction.
pub(crate) fn save_and_queue(
    tx: &crate::store::WriteTx,
    customer: &Customer,
    operation: Operation,
) -> Result<(), StoreError> {
    check_fields(customer).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let number = customer.number.as_deref().unwrap_or_default();
    // A new customer never replaces one that has its number (a synchronized one, say).
    if operation == Operation::Create && crate::store::get(tx, number)?.is_some() {
        return Err(StoreError::NumberTaken(number.to_owned()));
    }
    crate::store::upsert(tx, customer, None)?;
    let body =
        serde_json::to_string(&OutgoingCustomer::of(customer)).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let key = idempotency_key(customer, operation);
    outbox::push(tx, &key, customer, operation, &body, customer.updated_at)?;
    Ok(())
}

/// A key unique to this change: the customer, the operation, the time and a random part.
fn idempotency_key(customer: &Customer, operation: Operation) -> String {
    let random = crate::http::random_u64();
    format!(
        "{}-{}-{}-{random:016x}",
        customer.number.as_deref().unwrap_or_default(),
        if operation == Operation::Create { "create" } else { "update" },
        customer.updated_at
    )
}

/// Changes to a customer's own fields, as an operator makes them on the form: a field left
/// out stays as it is; an optional field set to `None` (JSON `null`, or an empty value on
/// the command line) is cleared.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub company: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub tax_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub street: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub postal_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub city: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub country: Option<Option<String>>,
}

/// A field given as `null` is `Some(None)`, told apart from a field left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    <Option<String> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// The fields an operator may change, by their names on the command line and in the API.
pub const EDITABLE_FIELDS: [&str; 10] =
    ["first-name", "last-name", "company", "tax-id", "email", "phone", "street", "postal-code", "city", "country"];

impl CustomerChanges {
    /// Sets `field` (one of [`EDITABLE_FIELDS`], `_` or `-` separated) to `value`; an empty
    /// value clears an optional field.
    pub fn set(&mut self, field: &str, value: &str) -> Result<(), String> {
        let optional = Some((!value.is_empty()).then(|| value.to_owned()));
        match field.replace('_', "-").as_str() {
            "first-name" => self.first_name = Some(value.to_owned()),
            "last-name" => self.last_name = Some(value.to_owned()),
            "company" => self.company = optional,
            "tax-id" => self.tax_id = optional,
            "email" => self.email = optional,
            "phone" => self.phone = optional,
            "street" => self.street = optional,
            "postal-code" => self.postal_code = optional,
            "city" => self.city = optional,
            "country" => self.country = optional,
            other => return Err(format!("unknown field `{other}`; expected one of {}", EDITABLE_FIELDS.join(", "))),
        }
        Ok(())
    }

    /// `customer` with these changes made.
    pub fn apply(&self, customer: Customer) -> Customer {
        let pick = |change: &Option<Option<String>>, current: Option<String>| match change {
            Some(value) => value.clone(),
            None => current,
        };
        Customer {
            first_name: self.first_name.clone().unwrap_or(customer.first_name),
            last_name: self.last_name.clone().unwrap_or(customer.last_name),
            company: pick(&self.company, customer.company),
            tax_id: pick(&self.tax_id, customer.tax_id),
            email: pick(&self.email, customer.email),
            phone: pick(&self.phone, customer.phone),
            street: pick(&self.street, customer.street),
            postal_code: pick(&self.postal_code, customer.postal_code),
            city: pick(&self.city, customer.city),
            country: pick(&self.country, customer.country),
            ..customer
        }
    }
}
