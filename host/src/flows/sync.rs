//! `sync-all`: a full listing of the ERP's customers, then the change feed from a cursor.
//! Every page is applied in one transaction together with the new position, so a sync
//! killed at any point leaves a consistent database and resumes where it stopped.

use crate::bindings::erp::ErpError;
use crate::bindings::{Customer, Origin};
use crate::erp::{Change, ChangesError, ChangesPage, Connector, ListPage};
use crate::store::holdings::{self, Erased, ErasureSource};
use crate::store::sync_state::{self, Phase};
use crate::store::{Store, StoreError, WriteTx, outbox};
use std::fmt;

/// Customers asked for per page.
pub const PAGE_SIZE: u32 = 5000;

/// How far a synchronization got, reported after every page.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// `listing` during the full synchronization, `changes` while following the feed.
    pub stage: &'static str,
    /// Customers listed so far in this run.
    pub listed: u64,
    /// How many customers the ERP lists in all, if it says.
    pub total: Option<u64>,
    /// Changes applied so far in this run.
    pub changes: u64,
}

/// What a synchronization did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub listed: u64,
    pub changes: u64,
    pub removed: u64,
    /// Whether the ERP expired the cursor, forcing a full synchronization.
    pub restarted_full: bool,
    /// The change cursor reached.
    pub cursor: String,
}

/// Why a synchronization stopped; what was committed before stays.
#[derive(Debug)]
pub enum SyncError {
    Erp(ErpError),
    Store(StoreError),
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Erp(error) => f.write_str(&crate::erp::describe(error)),
            SyncError::Store(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for SyncError {}

impl From<StoreError> for SyncError {
    fn from(error: StoreError) -> SyncError {
        SyncError::Store(error)
    }
}

impl From<rusqlite::Error> for SyncError {
    fn from(error: rusqlite::Error) -> SyncError {
        SyncError::Store(error.into())
    }
}

/// Brings the store up to date with the ERP, from wherever the last run stopped;
/// `workstation` signs the erasure records of the customers the ERP removed.
pub async fn sync_all<C: Connector + Clone + 'static>(
    store: &Store,
    erp: &C,
    workstation: &str,
    mut progress: impl FnMut(&Progress),
) -> Result<SyncReport, SyncError> {
    crate::trace::step("sync.customers", async move {
        let mut report = SyncReport::default();
        let mut seen = Progress::default();
        let mut next_page: Option<Prefetch<ListPage, ErpError>> = None;
        let mut next_changes: Option<Prefetch<ChangesPage, ChangesError>> = None;
        loop {
            match store.read(sync_state::phase).await? {
                Phase::New => start_full(store).await?,
                Phase::Full { after, changes_from, generation } => {
                    let page = match next_page.take() {
                        Some(prefetch) if Some(&prefetch.from) == after.as_ref() => prefetch.page().await,
                        _ => erp.list(after.as_deref(), PAGE_SIZE).await,
                    }
                    .map_err(SyncError::Erp)?;
                    // The next page travels while this one is written.
                    next_page = page.next_after.clone().map(|after| {
                        let erp = erp.clone();
                        Prefetch::start(after, move |from| async move { erp.list(Some(&from), PAGE_SIZE).await })
                    });
                    let count = page.customers.len() as u64;
                    // The first page's cursor covers every change made since the listing began.
                    let changes_from = changes_from.unwrap_or(page.changes_from);
                    let removed = store
                        .write(move |tx| -> Result<u64, SyncError> {
                            for customer in page.customers {
                                apply(tx, customer, Some(generation))?;
                            }
                            match page.next_after {
                                Some(after) => {
                                    set(
                                        tx,
                                        Phase::Full {
                                            after: Some(after),
                                            changes_from: Some(changes_from),
                                            generation,
                                        },
                                    )?;
                                    Ok(0)
                                }
                                None => {
                                    let removed = crate::store::delete_unlisted(tx, generation)? as u64;
                                    crate::store::optimize_index(tx);
                                    set(tx, Phase::Incremental { cursor: changes_from })?;
                                    Ok(removed)
                                }
                            }
                        })
                        .await?;
                    report.listed += count;
                    report.removed += removed;
                    seen = Progress {
                        stage: "listing",
                        listed: report.listed,
                        total: page.total,
                        changes: report.changes,
                    };
                    progress(&seen);
                }
                Phase::Incremental { cursor } => {
                    let page = match next_changes.take() {
                        Some(prefetch) if prefetch.from == cursor => prefetch.page().await,
                        _ => erp.changes(&cursor, PAGE_SIZE).await,
                    };
                    let page = match page {
                        Ok(page) => page,
                        Err(ChangesError::CursorExpired) => {
                            tracing::warn!(cursor, "the ERP expired the change cursor; running a full synchronization");
                            start_full(store).await?;
                            report.restarted_full = true;
                            continue;
                        }
                        Err(ChangesError::Erp(error)) => return Err(SyncError::Erp(error)),
                    };
                    let count = page.changes.len() as u64;
                    let (next, has_more) = (page.next.clone(), page.has_more);
                    // As for the listing, the next page travels while this one is written.
                    next_changes = has_more.then(|| {
                        let erp = erp.clone();
                        Prefetch::start(next.clone(), move |from| async move { erp.changes(&from, PAGE_SIZE).await })
                    });
                    let workstation = workstation.to_owned();
                    let removals = page.changes.iter().any(|change| matches!(change, Change::Removed { .. }));
                    let write = move |tx: &WriteTx| -> Result<(u64, bool), SyncError> {
                        let (mut removed, mut erased) = (0, false);
                        for change in page.changes {
                            match change {
                                Change::Upsert(customer) => apply(tx, *customer, None)?,
                                Change::Removed { number } => {
                                    let erasure = erase_removed(tx, &number, &workstation)?;
                                    removed += erasure.as_ref().map_or(0, |erasure| erasure.customer);
                                    erased |= erasure.is_some();
                                }
                            }
                        }
                        if let Some(available) = page.available {
                            removed += remove_unavailable(tx, available)?;
                        }
                        set(tx, Phase::Incremental { cursor: page.next })?;
                        Ok((removed, erased))
                    };
                    let removed = store.erasing(removals, write).await?;
                    report.changes += count;
                    report.removed += removed;
                    report.cursor = next;
                    seen = Progress { stage: "changes", changes: report.changes, ..seen };
                    progress(&seen);
                    if !has_more {
                        return Ok(report);
                    }
                }
            }
        }
    })
    .await
}

/// A page being fetched in the background from `from` (the listing's position or the
/// feed's cursor); dropping it stops the fetch.
struct Prefetch<T, E> {
    from: String,
    task: tokio::task::JoinHandle<Result<T, E>>,
}

impl<T: Send + 'static, E: From<ErpError> + Send + 'static> Prefetch<T, E> {
    fn start<F: Future<Output = Result<T, E>> + Send + 'static>(from: String, fetch: impl FnOnce(String) -> F) -> Self {
        Prefetch { task: tokio::spawn(fetch(from.clone())), from }
    }

    async fn page(mut self) -> Result<T, E> {
        (&mut self.task)
            .await
            .unwrap_or_else(|error| Err(ErpError::Unavailable(format!("the page fetch failed: {error}")).into()))
    }
}

impl<T, E> Drop for Prefetch<T, E> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn set(tx: &WriteTx, phase: Phase) -> Result<(), SyncError> {
    Ok(sync_state::set_phase(tx, &phase)?)
}

/// Starts a full listing: a new generation to mark the listed customers with, and the
/// index prepared for a bulk load.
async fn start_full(store: &Store) -> Result<(), SyncError> {
    let generation: i64 = store
        .read(|conn| conn.query_row("SELECT coalesce(max(sync_generation), 0) + 1 FROM customers", [], |r| r.get(0)))
        .await?;
    store
        .write(move |tx| {
            crate::store::begin_bulk_index(tx)?;
            set(tx, Phase::Full { after: None, changes_from: None, generation })
        })
        .await
}

/// Applies the ERP's copy of a customer, unless a local change of it still waits for the
/// ERP or the stored copy is newer. What the ERP does not know (the web shop link, where
/// the customer was first created) is kept.
fn apply(tx: &WriteTx, incoming: Customer, generation: Option<i64>) -> Result<(), SyncError> {
    let number = incoming.number.as_deref().unwrap_or_default();
    let existing = crate::store::get(tx, number)?;
    match existing {
        Some(existing) if outbox::has_pending(tx, number)? || existing.version > incoming.version => {
            // Still listed by this generation, so that it is not dropped as vanished.
            if let Some(generation) = generation {
                crate::store::mark_listed(tx, number, generation)?;
            }
        }
        Some(existing) => {
            let customer = Customer { web_id: existing.web_id.clone(), origin: existing.origin, ..incoming };
            if customer == existing {
                // The same customer listed again (a full synchronization after the ERP
                // expired the cursor lists every one): its row and index entry stay.
                if let (Some(generation), Some(number)) = (generation, &customer.number) {
                    crate::store::mark_listed(tx, number, generation)?;
                }
            } else {
                crate::store::replace(tx, &existing, &customer, generation)?;
            }
        }
        None => crate::store::insert_new(tx, &incoming, generation)?,
    }
    Ok(())
}

/// Removes the ERP's customers that are not `available` (an ERP that keeps no trace of
/// deletions tells this way); customers created here stay.
fn remove_unavailable(tx: &WriteTx, available: Vec<String>) -> Result<u64, SyncError> {
    let available: std::collections::HashSet<String> = available.into_iter().collect();
    let held: Vec<String> = tx
        .prepare_cached("SELECT number FROM customers WHERE origin = 'erp'")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut removed = 0;
    for number in held.iter().filter(|number| !available.contains(*number)) {
        removed += remove(tx, number)? as u64;
    }
    Ok(removed)
}

/// Erases what the till holds about a customer the ERP's feed says it removed, as an
/// operator's erasure does (the ERP's erasure of a person reaches every till this way): the
/// customer, the edit list entries, the web shop writes, and the personal data of the audit,
/// with an erasure record (`source` `erp`). The exceptions of a removal stay: a customer
/// created here, and one whose change made here still waits for the ERP (the operator's
/// edit is not lost; the ERP answers it).
fn erase_removed(tx: &WriteTx, number: &str, workstation: &str) -> Result<Option<Erased>, SyncError> {
    if let Some(held) = crate::store::get(tx, number)?
        && (held.origin != Origin::Erp || outbox::has_pending(tx, number)?)
    {
        return Ok(None);
    }
    Ok(holdings::erase(tx, number, ErasureSource::Erp, workstation, crate::runtime::now_ms() as i64)?)
}

/// Removes a customer the ERP no longer lists for this workstation; one whose change made
/// here still waits stays, and so do customers created here.
fn remove(tx: &WriteTx, number: &str) -> Result<bool, SyncError> {
    match crate::store::get(tx, number)? {
        Some(existing) if existing.origin == Origin::Erp && !outbox::has_pending(tx, number)? => {
            Ok(crate::store::delete(tx, number)?)
        }
        _ => Ok(false),
    }
}
