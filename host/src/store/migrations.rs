//! Schema migrations, append-only: each entry moves `user_version` up by one. A released
//! migration is never edited; a change of schema is a new entry at the end.

use rusqlite::{Connection, Transaction};

/// One step of the schema.
enum Migration {
    Sql(&'static str),
    /// What SQL alone cannot do, such as folding text as the host folds it.
    Code(fn(&Transaction) -> rusqlite::Result<()>),
}

/// The migrations, in order; the database's `user_version` counts how many were applied.
const MIGRATIONS: &[Migration] = &[
    // 1: customers with a full-text index, synchronization state, the outbox to the ERP.
    Migration::Sql(
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
    ),
    // 2: the web shop: the web edit list, the local edit list filled by a trigger, web
    // writes waiting for their answer, and the audit trail of every decision.
    Migration::Sql(
        r#"
    -- Web customers whose registration changed. `version` is the web version the operator
    -- was shown; a newer one reopens the entry. Taken-over, discarded and ignored entries
    -- stay, closed, so that the feed does not bring back what was decided.
    CREATE TABLE web_edits (
        web_id TEXT PRIMARY KEY,
        customer TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'ignored', 'done', 'gone')),
        listed_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX web_edits_state ON web_edits (state, listed_at);

    -- Local customers linked to the web whose local information changed. `web_version` is
    -- the web version shown beside the entry, which a push must still find.
    CREATE TABLE local_edits (
        number TEXT PRIMARY KEY,
        web_id TEXT NOT NULL,
        changed_at INTEGER NOT NULL,
        web_version INTEGER
    ) WITHOUT ROWID;

    -- Every change of a linked customer's own data enters the local edit list, whoever
    -- made it; linking itself (web_id changing) does not.
    CREATE TRIGGER customers_local_edit AFTER UPDATE ON customers
    WHEN NEW.web_id IS NOT NULL AND NEW.web_id IS OLD.web_id AND (
        NEW.first_name IS NOT OLD.first_name OR NEW.last_name IS NOT OLD.last_name
        OR NEW.company IS NOT OLD.company OR NEW.tax_id IS NOT OLD.tax_id
        OR NEW.email IS NOT OLD.email OR NEW.phone IS NOT OLD.phone
        OR NEW.street IS NOT OLD.street OR NEW.postal_code IS NOT OLD.postal_code
        OR NEW.city IS NOT OLD.city OR NEW.country IS NOT OLD.country)
    BEGIN
        INSERT INTO local_edits (number, web_id, changed_at) VALUES (NEW.number, NEW.web_id, NEW.updated_at)
        ON CONFLICT (number) DO UPDATE SET web_id = excluded.web_id, changed_at = excluded.changed_at;
    END;

    -- A write sent to the web shop whose answer has not been applied here yet: a retry
    -- sends the same request with the same key, and gets the first answer if it was lost.
    CREATE TABLE web_writes (
        web_id TEXT PRIMARY KEY,
        write TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        workstation TEXT NOT NULL,
        action TEXT NOT NULL,
        web_id TEXT,
        number TEXT,
        outcome TEXT NOT NULL,
        before TEXT,
        after TEXT,
        summary TEXT,
        plugin TEXT NOT NULL,
        plugin_version TEXT,
        detail TEXT
    );
    CREATE INDEX audit_web_id ON audit (web_id);
    CREATE INDEX audit_number ON audit (number);
    "#,
    ),
    // 3: the last-name keys and index entries of the customers whose text folding used to
    // leave as written, a capital ẞ and letters followed by combining diacritics, folded as
    // the letters written as one ("STRAUẞ" as "strauss", as "Strauß" always was).
    Migration::Code(super::customers::refold),
    // 4: erasures, each a record without personal data: who asked, when, what was removed.
    Migration::Sql(
        r#"
    CREATE TABLE erasures (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        workstation TEXT NOT NULL,
        number TEXT,
        web_id TEXT,
        -- 'operator' (pos-host customer erase, the API), 'erp' or 'webshop' (a removal in
        -- their feed).
        source TEXT NOT NULL CHECK (source IN ('operator', 'erp', 'webshop')),
        -- How many records of each kind went, as JSON.
        removed TEXT NOT NULL
    );
    "#,
    ),
    // 5: retention (`host.retention`): which audit entries still hold personal data, and
    // which ERP customers are on the till only because an operator looked them up.
    Migration::Sql(
        r#"
    ALTER TABLE audit ADD COLUMN personal INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX audit_personal_at ON audit (at) WHERE personal;
    -- An ERP customer saved when previewed, and neither selected nor edited since; `at` is
    -- the last preview.
    CREATE TABLE looked_up (
        number TEXT PRIMARY KEY,
        at INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    ),
    // 6: how many recorded plugin calls each erasure removed; NULL until the recordings no
    // longer name the person (store/erasures.rs). The erasures made before are NULL too,
    // so the recordings are searched for them once.
    Migration::Sql(
        r#"
    ALTER TABLE erasures ADD COLUMN recorded_calls INTEGER;
    CREATE INDEX erasures_recordings_pending ON erasures (id) WHERE recorded_calls IS NULL;
    "#,
    ),
];

/// Applies the migrations the database has not seen, each in its own transaction.
pub fn migrate(connection: &mut Connection) -> rusqlite::Result<MigrationReport> {
    let from = connection.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))? as usize;
    if from > MIGRATIONS.len() {
        return Ok(MigrationReport { from, to: from, newer_than_host: true });
    }
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(from) {
        let tx = connection.transaction()?;
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Code(step) => step(&tx)?,
        }
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
