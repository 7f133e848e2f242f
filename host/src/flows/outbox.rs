//! Sending the outbox: the oldest change first, each with the idempotency key it was
//! written with. A change the ERP refuses for good is parked with the reason; the first
//! change that cannot be delivered stops the run, so that order per customer is kept.

use crate::erp::{Connector, OutboxCustomer, WriteError};
use crate::personal::Known;
use crate::store::outbox::{self, Operation};
use crate::store::{Store, StoreError};

/// What a drain did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// Changes the ERP accepted.
    pub sent: u64,
    /// Changes the ERP refused for good, parked as conflicts.
    pub parked: u64,
    /// Why sending stopped early, if it did (the ERP unreachable, say).
    pub stopped: Option<String>,
}

/// Sends pending changes until the outbox is empty or the ERP cannot be reached.
pub async fn drain(store: &Store, erp: &dyn Connector) -> Result<DrainReport, StoreError> {
    crate::trace::step("sync.outbox", send(store, erp)).await
}

async fn send(store: &Store, erp: &dyn Connector) -> Result<DrainReport, StoreError> {
    let mut report = DrainReport::default();
    while let Some(entry) = store.read(outbox::next).await? {
        let customer = match serde_json::from_str::<OutboxCustomer>(&entry.body) {
            Ok(customer) => customer.into_customer(),
            Err(error) => Err(StoreError::Invalid(format!("outbox entry {} cannot be read: {error}", entry.id)))?,
        };
        let result = match entry.operation {
            Operation::Create => erp.create(&customer, &entry.idempotency_key).await,
            Operation::Update => {
                let number = entry.number.clone();
                let version = store.customer(&number).await?.map_or(0, |c| c.version);
                erp.update(&customer, version, &entry.idempotency_key).await
            }
        };
        match result {
            Ok(accepted) => {
                let id = entry.id;
                store
                    .write(move |tx| -> Result<(), StoreError> {
                        outbox::done(tx, id)?;
                        // The ERP's version is what the next edit must match.
                        let number = accepted.number.as_deref().unwrap_or_default();
                        tx.prepare_cached("UPDATE customers SET version = ?2 WHERE number = ?1")?
                            .execute(rusqlite::params![number, accepted.version as i64])?;
                        Ok(())
                    })
                    .await?;
                report.sent += 1;
            }
            Err(WriteError::Refused(why)) => {
                // An ERP's refusal often quotes the record it refuses.
                let said = Known::of(&customer).mask(&why);
                tracing::warn!(number = %entry.number, key = %entry.idempotency_key, "the ERP refused a change: {said}");
                let id = entry.id;
                store.write(move |tx| -> Result<(), StoreError> { Ok(outbox::failed(tx, id, &why, true)?) }).await?;
                report.parked += 1;
            }
            Err(WriteError::Retry(error)) => {
                let why = crate::erp::describe(&error);
                let id = entry.id;
                let recorded = why.clone();
                store
                    .write(move |tx| -> Result<(), StoreError> { Ok(outbox::failed(tx, id, &recorded, false)?) })
                    .await?;
                report.stopped = Some(why);
                break;
            }
        }
    }
    Ok(report)
}
