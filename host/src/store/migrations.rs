//! Schema migrations, append-only: each entry moves `user_version` up by one. A released
//! migration is never edited; a change of schema is a new entry at the end.

use rusqlite::Connection;

/// The migrations, in order; the database's `user_version` counts how many were applied.
const MIGRATIONS: &[&str] = &[
    // 1: customers with a full-text index, synchronization state, the outbox to the ERP.
    r#"
    CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        web_id TEXT UNIQUE,
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
        origin TEXT NOT NULL CHECK (origin IN ('local', 'erp', 'web')),
        version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        previewable INTEGER NOT NULL,
        editable INTEGER NOT NULL,
        -- The folded last name, for matching web customers by last name.
        last_name_key TEXT NOT NULL,
        -- The full synchronization that last listed this customer, to drop the ones that
        -- vanished from the ERP while a cursor was expired.
        sync_generation INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX customers_last_name_key ON customers (last_name_key, first_name);
    CREATE INDEX customers_origin_generation ON customers (origin, sync_generation);

    -- Folded copies of the searchable fields (see store::fold_row); contentless, so the
    -- index costs no second copy of the data.
    CREATE VIRTUAL TABLE customers_fts USING fts5 (
        number, first_name, last_name, company, tax_id, email, phone, city, street,
        postal_code, country, extra,
        content = '', contentless_delete = 1, prefix = '2 3',
        tokenize = 'unicode61 remove_diacritics 2'
    );

    CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        number TEXT NOT NULL,
        operation TEXT NOT NULL CHECK (operation IN ('create', 'update')),
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        -- 'pending' until the ERP accepted it; 'conflict' when the ERP refused it for good.
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'conflict'))
    );
    CREATE INDEX outbox_number ON outbox (number, id);

    CREATE TABLE local_numbers (
        prefix TEXT PRIMARY KEY,
        last INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
];

/// Applies the migrations the database has not seen, each in its own transaction.
pub fn migrate(connection: &mut Connection) -> rusqlite::Result<MigrationReport> {
    let from = connection.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))? as usize;
    if from > MIGRATIONS.len() {
        return Ok(MigrationReport { from, to: from, newer_than_host: true });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from) {
        let tx = connection.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(MigrationReport { from, to: MIGRATIONS.len(), newer_than_host: false })
}

/// What `migrate` did.
#[derive(Debug, PartialEq, Eq)]
pub struct MigrationReport {
    pub from: usize,
    pub to: usize,
    /// The database was written by a newer host; it is left untouched.
    pub newer_than_host: bool,
}

/// The schema version this host writes.
pub fn current_version() -> usize {
    MIGRATIONS.len()
}
