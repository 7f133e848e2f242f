//! The simulator's SQLite file: schema, customer rows, the change feed and the service
//! state (version counter, cursor horizon, settings). The web shop's tables are in the same
//! file; `webshop/data.rs` reads and writes them.
//!
//! Every write bumps the service-wide version and records a change. The change table keeps
//! only the latest change of each customer (older ones are superseded, as in a compacted
//! log), so following the feed from any retained cursor yields each changed customer once in
//! its current state. Cursor expiry is tracked separately as a horizon: a cursor older than
//! the horizon gets `410`, independent of compaction.

use super::model::{Customer, SimCustomer};
use super::text::{SearchWords, fold};
use anyhow::Context;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// Append-only migrations, applied in order and tracked with `pragma user_version`.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL,
        horizon INTEGER NOT NULL,
        online_search INTEGER NOT NULL,
        seed INTEGER,
        seeded INTEGER
    );
    INSERT INTO state (id, version, horizon, online_search) VALUES (1, 0, 0, 1);
    CREATE TABLE customers (
        number TEXT PRIMARY KEY,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        company TEXT,
        tax_id TEXT,
        email TEXT,
        phone TEXT,
        street TEXT,
        postal_code TEXT,
        city TEXT,
        country TEXT,
        active INTEGER NOT NULL,
        version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        previewable INTEGER NOT NULL,
        editable INTEGER NOT NULL,
        -- ',Customer,Supplier,': delimited so that instr() finds whole entries.
        tags TEXT NOT NULL,
        -- NULL: every workstation; else ',POS-02,POS-03,'.
        workstations TEXT,
        -- Folded search words, each preceded by a space (see text::SearchWords).
        search TEXT NOT NULL
    );
    CREATE TABLE changes (
        version INTEGER PRIMARY KEY,
        number TEXT NOT NULL,
        deleted_at INTEGER
    );
    CREATE INDEX changes_number ON changes (number);
    CREATE TABLE received (
        id INTEGER PRIMARY KEY,
        idempotency_key TEXT NOT NULL,
        method TEXT NOT NULL,
        number TEXT NOT NULL,
        workstation TEXT NOT NULL,
        if_match TEXT,
        body TEXT NOT NULL,
        status INTEGER NOT NULL,
        response TEXT NOT NULL,
        replay INTEGER NOT NULL,
        received_at INTEGER NOT NULL
    );
    CREATE INDEX received_key ON received (idempotency_key);
",
    "
    -- The web shop (webshop/data.rs): its own version counter, cursor horizon and id counter.
    CREATE TABLE web_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL,
        horizon INTEGER NOT NULL,
        -- The number of the last assigned `W-000001`-style id.
        last_id INTEGER NOT NULL,
        seeded INTEGER
    );
    INSERT INTO web_state (id, version, horizon, last_id) VALUES (1, 0, 0, 0);
    CREATE TABLE web_customers (
        id TEXT PRIMARY KEY,
        customer_number TEXT,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        company TEXT,
        tax_id TEXT,
        email TEXT,
        phone TEXT,
        street TEXT,
        postal_code TEXT,
        city TEXT,
        country TEXT,
        version INTEGER NOT NULL,
        registered_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        -- Set when the account is closed: the row stays so that its id is never reused.
        deleted_at INTEGER
    );
    CREATE INDEX web_customers_number ON web_customers (customer_number);
    CREATE TABLE web_changes (
        version INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        deleted_at INTEGER
    );
    CREATE INDEX web_changes_id ON web_changes (id);
    CREATE TABLE web_received (
        id INTEGER PRIMARY KEY,
        idempotency_key TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        web_id TEXT NOT NULL,
        workstation TEXT NOT NULL,
        if_match TEXT,
        body TEXT NOT NULL,
        status INTEGER NOT NULL,
        response TEXT NOT NULL,
        replay INTEGER NOT NULL,
        received_at INTEGER NOT NULL
    );
    CREATE INDEX web_received_key ON web_received (idempotency_key);
",
];

/// The customer columns in the order [`read_customer`] expects.
const COLUMNS: [&str; 18] = [
    "number",
    "first_name",
    "last_name",
    "company",
    "tax_id",
    "email",
    "phone",
    "street",
    "postal_code",
    "city",
    "country",
    "active",
    "version",
    "updated_at",
    "previewable",
    "editable",
    "tags",
    "workstations",
];

/// The SQL condition "visible to the workstation bound as `:ws`".
const VISIBLE: &str = "instr(tags, ',Customer,') > 0 \
    AND (workstations IS NULL OR instr(workstations, ',' || :ws || ',') > 0)";

/// The simulator's database: one connection for writes and one for reads, which WAL lets
/// run side by side. Every method blocks; callers run them off the async threads through
/// [`Store::call`].
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    /// Active customers per workstation, with the version they were counted at.
    totals: Mutex<HashMap<String, (i64, u64)>>,
}

/// The service state row.
#[derive(Clone, Copy, Debug)]
pub struct State {
    pub version: i64,
    pub horizon: i64,
    pub online_search: bool,
    pub seed: Option<u64>,
    pub seeded: Option<u64>,
}

/// A search's filters: `(column, folded prefix)`.
pub type Filters = Vec<(&'static str, String)>;

/// The field names the search accepts as filters, which are also their column names.
pub const FILTER_FIELDS: [&str; 10] =
    ["city", "postal_code", "country", "tax_id", "company", "email", "phone", "first_name", "last_name", "number"];

/// A page of the full list.
pub struct Page {
    pub customers: Vec<Customer>,
    /// The number to continue after; `None` after the last page.
    pub next_after: Option<String>,
    /// The version the page reflects.
    pub as_of: i64,
    /// How many customers the whole listing has.
    pub total: u64,
}

/// One entry of the change feed as a workstation sees it.
pub struct Change {
    pub version: i64,
    pub number: String,
    pub deleted_at: Option<i64>,
    pub customer: Option<Customer>,
}

/// Why a change cursor cannot be served.
#[derive(Debug)]
pub enum CursorError {
    /// Older than the horizon: the history it needs was dropped.
    Expired { horizon: i64 },
    /// Newer than the service's version: it comes from another data set.
    Ahead { version: i64 },
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        let writer = connect(path)?;
        migrate(&writer).with_context(|| format!("failed to migrate {}", path.display()))?;
        let reader = connect(path)?;
        Ok(Store {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            totals: Mutex::new(HashMap::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a blocking thread.
    pub async fn call<T, F>(self: &Arc<Self>, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> anyhow::Result<T> + Send + 'static,
    {
        let store = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&store)).await.context("a database task failed")?
    }

    /// The write connection, for seeding and write transactions.
    pub fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reader.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in an immediate write transaction and commits if it succeeds.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let result = f(&tx)?;
        tx.commit()?;
        Ok(result)
    }

    /// Runs `f` in a read transaction, so that everything it reads is one snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        let result = f(&tx)?;
        tx.commit()?;
        Ok(result)
    }

    /// The service state.
    pub fn state(&self) -> anyhow::Result<State> {
        self.read(|tx| state(tx))
    }

    /// Turns searching the ERP from the POS on or off.
    pub fn set_online_search(&self, enabled: bool) -> anyhow::Result<()> {
        self.write(|tx| {
            tx.execute("UPDATE state SET online_search = ?1", [enabled])?;
            Ok(())
        })
    }

    /// The customer `number` with its tags and workstations, whoever may see it.
    pub fn get(&self, number: &str) -> anyhow::Result<Option<SimCustomer>> {
        self.read(|tx| get(tx, number))
    }

    /// Up to `limit` active customers visible to `workstation` that match every search word
    /// and filter, in number order, and whether more match.
    pub fn search(
        &self,
        workstation: &str,
        words: &[String],
        filters: &Filters,
        limit: u32,
    ) -> anyhow::Result<(Vec<Customer>, bool)> {
        let mut sql = format!("SELECT {} FROM customers WHERE active = 1 AND {VISIBLE}", COLUMNS.join(", "));
        // Only named parameters: SQLite numbers a named parameter after the highest index
        // seen so far, so mixing it with `?N` would make two parameters share an index.
        let mut values: Vec<(String, String)> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            values.push((format!(":w{i}"), format!("% {word}%")));
            sql.push_str(&format!(" AND search LIKE :w{i}"));
        }
        for (i, (column, prefix)) in filters.iter().enumerate() {
            values.push((format!(":f{i}"), prefix.clone()));
            sql.push_str(&format!(" AND substr(sim_fold({column}), 1, length(:f{i})) = :f{i}"));
        }
        sql.push_str(&format!(" ORDER BY number LIMIT {}", u64::from(limit) + 1));
        self.read(|tx| {
            let mut stmt = tx.prepare(&sql)?;
            let mut bind = |name: &str, value: &str| -> anyhow::Result<()> {
                let index =
                    stmt.parameter_index(name)?.with_context(|| format!("the search has no {name} parameter"))?;
                stmt.raw_bind_parameter(index, value)?;
                Ok(())
            };
            bind(":ws", workstation)?;
            for (name, value) in &values {
                bind(name, value)?;
            }
            let mut customers = Vec::new();
            let mut rows = stmt.raw_query();
            while let Some(row) = rows.next()? {
                customers.push(read_customer(row, 0)?.customer);
            }
            let has_more = customers.len() > limit as usize;
            customers.truncate(limit as usize);
            Ok((customers, has_more))
        })
    }

    /// A page of the full list: active customers visible to `workstation` with a number
    /// after `after`.
    pub fn page(&self, workstation: &str, after: &str, limit: u32) -> anyhow::Result<Page> {
        let sql = format!(
            "SELECT {} FROM customers WHERE number > :after AND active = 1 AND {VISIBLE} \
             ORDER BY number LIMIT :limit",
            COLUMNS.join(", ")
        );
        self.read(|tx| {
            let as_of = state(tx)?.version;
            let mut stmt = tx.prepare_cached(&sql)?;
            let mut customers = stmt
                .query_map(
                    rusqlite::named_params! {
                        ":after": after,
                        ":ws": workstation,
                        ":limit": i64::from(limit) + 1,
                    },
                    |row| read_customer(row, 0).map(|c| c.customer),
                )?
                .collect::<Result<Vec<_>, _>>()?;
            let next_after = if customers.len() > limit as usize {
                customers.truncate(limit as usize);
                customers.last().map(|c| c.number.clone())
            } else {
                None
            };
            let total = self.total(tx, workstation, as_of)?;
            Ok(Page { customers, next_after, as_of, total })
        })
    }

    /// How many active customers `workstation` may see at version `as_of`. Counting scans
    /// every customer, so the count is kept until the version changes: a full
    /// synchronization's pages then count once, not once per page.
    fn total(&self, conn: &Connection, workstation: &str, as_of: i64) -> anyhow::Result<u64> {
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&(version, total)) = totals.get(workstation)
            && version == as_of
        {
            return Ok(total);
        }
        let sql = format!("SELECT count(*) FROM customers WHERE active = 1 AND {VISIBLE}");
        let total: i64 =
            conn.prepare_cached(&sql)?.query_row(rusqlite::named_params! { ":ws": workstation }, |row| row.get(0))?;
        totals.insert(workstation.to_owned(), (as_of, total as u64));
        Ok(total as u64)
    }

    /// Up to `limit` changes after `since` as `workstation` sees them, and whether more
    /// follow. A change to a customer the workstation may not see is a tombstone.
    pub fn changes(
        &self,
        workstation: &str,
        since: i64,
        limit: u32,
    ) -> anyhow::Result<Result<(Vec<Change>, bool), CursorError>> {
        let columns: Vec<String> = COLUMNS.iter().map(|c| format!("cu.{c}")).collect();
        let sql = format!(
            "SELECT ch.version, ch.number, ch.deleted_at, {} FROM changes ch \
             LEFT JOIN customers cu ON cu.number = ch.number AND ch.deleted_at IS NULL \
             WHERE ch.version > ?1 ORDER BY ch.version LIMIT ?2",
            columns.join(", ")
        );
        self.read(|tx| {
            let state = state(tx)?;
            if since < state.horizon {
                return Ok(Err(CursorError::Expired { horizon: state.horizon }));
            }
            if since > state.version {
                return Ok(Err(CursorError::Ahead { version: state.version }));
            }
            let mut stmt = tx.prepare_cached(&sql)?;
            let mut rows = stmt.query(params![since, i64::from(limit) + 1])?;
            let mut changes = Vec::new();
            while let Some(row) = rows.next()? {
                let version: i64 = row.get(0)?;
                let number: String = row.get(1)?;
                let mut deleted_at: Option<i64> = row.get(2)?;
                let found: Option<String> = row.get(3)?;
                let customer = match found {
                    Some(_) => Some(read_customer(row, 3)?),
                    None => None,
                };
                let customer = match customer {
                    Some(c) if c.visible_to(workstation) => Some(c.customer),
                    Some(c) => {
                        deleted_at = Some(c.customer.updated_at);
                        None
                    }
                    None => {
                        deleted_at = deleted_at.or(Some(now_ms()));
                        None
                    }
                };
                changes.push(Change { version, number, deleted_at, customer });
            }
            let has_more = changes.len() > limit as usize;
            changes.truncate(limit as usize);
            Ok(Ok((changes, has_more)))
        })
    }

    /// Every customer visible to `workstation` (only active ones if `active_only`), in
    /// number order.
    pub fn visible(&self, workstation: &str, active_only: bool) -> anyhow::Result<Vec<Customer>> {
        let active = if active_only { "active = 1 AND" } else { "" };
        let sql = format!("SELECT {} FROM customers WHERE {active} {VISIBLE} ORDER BY number", COLUMNS.join(", "));
        self.read(|tx| {
            let mut stmt = tx.prepare(&sql)?;
            let customers = stmt
                .query_map(rusqlite::named_params! { ":ws": workstation }, |row| {
                    read_customer(row, 0).map(|c| c.customer)
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(customers)
        })
    }

    /// How many customers `workstation` may see (only active ones if `active_only`).
    pub fn count_visible(&self, workstation: &str, active_only: bool) -> anyhow::Result<u64> {
        let active = if active_only { "active = 1 AND" } else { "" };
        let sql = format!("SELECT count(*) FROM customers WHERE {active} {VISIBLE}");
        self.read(|tx| {
            let count: i64 = tx.query_row(&sql, rusqlite::named_params! { ":ws": workstation }, |row| row.get(0))?;
            Ok(count as u64)
        })
    }

    /// Drops the change history up to the current version: older cursors get `410`.
    /// Returns the new horizon.
    pub fn expire_cursors(&self) -> anyhow::Result<i64> {
        self.write(|tx| {
            let horizon = state(tx)?.version;
            tx.execute("UPDATE state SET horizon = ?1", [horizon])?;
            tx.execute("DELETE FROM changes WHERE version <= ?1", [horizon])?;
            Ok(horizon)
        })
    }
}

/// Opens one connection with the pragmas every connection needs.
fn connect(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path).with_context(|| format!("failed to open {}", path.display()))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // The simulator's data is disposable: durability against power loss is not worth the
    // fsyncs.
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.create_scalar_function(
        "sim_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|text| fold(&text))),
    )?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> anyhow::Result<()> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(usize::MAX);
    if applied > MIGRATIONS.len() {
        anyhow::bail!("the database has schema version {applied}, newer than this simulator's {}", MIGRATIONS.len());
    }
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        conn.execute_batch(&format!("BEGIN; {migration}; PRAGMA user_version = {}; COMMIT;", i + 1))?;
    }
    Ok(())
}

/// The service state as seen by `conn`.
pub fn state(conn: &Connection) -> anyhow::Result<State> {
    let state = conn.query_row("SELECT version, horizon, online_search, seed, seeded FROM state", [], |row| {
        Ok(State {
            version: row.get(0)?,
            horizon: row.get(1)?,
            online_search: row.get(2)?,
            seed: row.get::<_, Option<i64>>(3)?.map(|s| s as u64),
            seeded: row.get::<_, Option<i64>>(4)?.map(|s| s as u64),
        })
    })?;
    Ok(state)
}

/// The customer `number`, whoever may see it.
pub fn get(conn: &Connection, number: &str) -> anyhow::Result<Option<SimCustomer>> {
    let sql = format!("SELECT {} FROM customers WHERE number = ?1", COLUMNS.join(", "));
    let found = conn.prepare_cached(&sql)?.query_row([number], |row| read_customer(row, 0)).optional()?;
    Ok(found)
}

/// Stores `customer` as given (creating or replacing it) and records its change. The
/// caller has set its `version` from [`next_version`].
pub fn put(conn: &Connection, customer: &SimCustomer) -> anyhow::Result<()> {
    insert_row(conn, customer)?;
    record_change(conn, customer.customer.version, &customer.customer.number, None)
}

/// Deletes customer `number` and records a tombstone; `None` if there is no such customer.
pub fn delete(conn: &Connection, number: &str) -> anyhow::Result<Option<i64>> {
    if conn.execute("DELETE FROM customers WHERE number = ?1", [number])? == 0 {
        return Ok(None);
    }
    let version = next_version(conn)?;
    record_change(conn, version, number, Some(now_ms()))?;
    Ok(Some(version))
}

/// Takes the next service-wide version.
pub fn next_version(conn: &Connection) -> anyhow::Result<i64> {
    let version = conn.query_row("UPDATE state SET version = version + 1 RETURNING version", [], |row| row.get(0))?;
    Ok(version)
}

/// Records the latest change of `number`, superseding its earlier ones.
fn record_change(conn: &Connection, version: i64, number: &str, deleted_at: Option<i64>) -> anyhow::Result<()> {
    conn.prepare_cached("DELETE FROM changes WHERE number = ?1")?.execute([number])?;
    conn.prepare_cached("INSERT INTO changes (version, number, deleted_at) VALUES (?1, ?2, ?3)")?
        .execute(params![version, number, deleted_at])?;
    Ok(())
}

/// Inserts or replaces the customer row, with its search words.
pub fn insert_row(conn: &Connection, sim: &SimCustomer) -> anyhow::Result<()> {
    let c = &sim.customer;
    let mut words = SearchWords::default();
    words.add(Some(&c.number));
    words.add(Some(&c.first_name));
    words.add(Some(&c.last_name));
    words.add(c.company.as_deref());
    words.add_tax_id(c.tax_id.as_deref());
    words.add(c.email.as_deref());
    words.add_phone(c.phone.as_deref());
    words.add(c.city.as_deref());
    let placeholders: Vec<String> = (1..=COLUMNS.len() + 1).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT OR REPLACE INTO customers ({}, search) VALUES ({})",
        COLUMNS.join(", "),
        placeholders.join(", ")
    );
    conn.prepare_cached(&sql)?.execute(params![
        c.number,
        c.first_name,
        c.last_name,
        c.company,
        c.tax_id,
        c.email,
        c.phone,
        c.street,
        c.postal_code,
        c.city,
        c.country,
        c.active,
        c.version,
        c.updated_at,
        c.previewable,
        c.editable,
        encode_list(&sim.tags),
        sim.workstations.as_deref().map(encode_list),
        words.into_column(),
    ])?;
    Ok(())
}

/// Records the initial creation of a seeded customer as change `version`.
pub fn insert_seeded_change(conn: &Connection, version: i64, number: &str) -> anyhow::Result<()> {
    conn.prepare_cached("INSERT INTO changes (version, number, deleted_at) VALUES (?1, ?2, NULL)")?
        .execute(params![version, number])?;
    Ok(())
}

/// Reads a customer from `row`, whose columns from `offset` on are [`COLUMNS`].
fn read_customer(row: &Row<'_>, offset: usize) -> rusqlite::Result<SimCustomer> {
    let at = |i: usize| offset + i;
    Ok(SimCustomer {
        customer: Customer {
            number: row.get(at(0))?,
            first_name: row.get(at(1))?,
            last_name: row.get(at(2))?,
            company: row.get(at(3))?,
            tax_id: row.get(at(4))?,
            email: row.get(at(5))?,
            phone: row.get(at(6))?,
            street: row.get(at(7))?,
            postal_code: row.get(at(8))?,
            city: row.get(at(9))?,
            country: row.get(at(10))?,
            active: row.get(at(11))?,
            version: row.get(at(12))?,
            updated_at: row.get(at(13))?,
            previewable: row.get(at(14))?,
            editable: row.get(at(15))?,
        },
        tags: decode_list(&row.get::<_, String>(at(16))?),
        workstations: row.get::<_, Option<String>>(at(17))?.map(|list| decode_list(&list)),
    })
}

fn encode_list(items: &[String]) -> String {
    format!(",{},", items.join(","))
}

fn decode_list(list: &str) -> Vec<String> {
    list.split(',').filter(|item| !item.is_empty()).map(str::to_owned).collect()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
