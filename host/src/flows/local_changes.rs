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
}

/// Saves an edit of an existing customer and queues it for the ERP.
pub async fn edit(store: &Store, customer: Customer) -> Result<Customer, StoreError> {
    store
        .write(move |tx| -> Result<Customer, StoreError> {
            let number = customer.number.clone().unwrap_or_default();
            let Some(existing) = crate::store::get(tx, &number)? else {
                return Err(StoreError::Invalid(format!("there is no customer {number}")));
            };
            if !existing.editable {
                return Err(StoreError::Invalid(format!("the ERP does not allow editing customer {number}")));
            }
            let customer = Customer {
                origin: existing.origin,
                version: existing.version,
                web_id: existing.web_id,
                previewable: existing.previewable,
                editable: existing.editable,
                updated_at: now_ms(),
                ..customer
            };
            save_and_queue(tx, &customer, Operation::Update)?;
            Ok(customer)
        })
        .await
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
