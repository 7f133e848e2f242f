//! Customer rows and their full-text index entries, always written in the same transaction.

use super::WriteTx;
use crate::bindings::{Customer, Origin};
use pos_seed_rules::fold::fold;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, Transaction, params};
use std::collections::BTreeMap;
use std::fmt;

/// The longest value a customer field may hold, in bytes.
pub const MAX_FIELD_BYTES: usize = 1024;

const COLUMNS: &str = "number, web_id, first_name, last_name, company, tax_id, email, phone, street, \
     postal_code, city, country, active, origin, version, updated_at, previewable, editable";

/// A customer that cannot be stored, and why.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldsError(pub String);

impl fmt::Display for FieldsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FieldsError {}

/// Checks what the database requires of a customer: a number and a last name, and no field
/// that [`check_text`] refuses.
pub fn check_fields(customer: &Customer) -> Result<(), FieldsError> {
    if is_blank(customer.number.as_deref().unwrap_or("")) {
        return Err(FieldsError("the customer has no number".into()));
    }
    check_person(customer)
}

/// [`check_fields`] without requiring a number, as for a web registration not yet linked.
pub fn check_person(customer: &Customer) -> Result<(), FieldsError> {
    let number = customer.number.as_deref().or(customer.web_id.as_deref()).unwrap_or("");
    if is_blank(&customer.last_name) {
        return Err(FieldsError(format!("customer {number} has no last name")));
    }
    let fields = [
        ("number", customer.number.as_deref()),
        ("web id", customer.web_id.as_deref()),
        ("first name", Some(customer.first_name.as_str())),
        ("last name", Some(customer.last_name.as_str())),
        ("company", customer.company.as_deref()),
        ("tax id", customer.tax_id.as_deref()),
        ("e-mail", customer.email.as_deref()),
        ("phone", customer.phone.as_deref()),
        ("street", customer.street.as_deref()),
        ("postal code", customer.postal_code.as_deref()),
        ("city", customer.city.as_deref()),
        ("country", customer.country.as_deref()),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            check_text(value).map_err(|why| FieldsError(format!("customer {number}: the {name} {why}")))?;
        }
    }
    Ok(())
}

/// Why a customer field's text cannot be stored: longer than [`MAX_FIELD_BYTES`], holding
/// control characters, or characters that change the direction text is shown in (so that
/// what the operator reads is not what is stored, compared and sent).
pub fn check_text(value: &str) -> Result<(), String> {
    if value.len() > MAX_FIELD_BYTES {
        return Err(format!("is longer than {MAX_FIELD_BYTES} bytes"));
    }
    if value.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    if let Some(found) = value.chars().find(|c| is_bidi_control(*c)) {
        return Err(format!(
            "contains the bidirectional control character U+{:04X}, which makes text read otherwise than it is stored",
            found as u32
        ));
    }
    Ok(())
}

/// Whether `value` shows nothing: only white space and characters without a glyph (zero
/// width spaces and joiners, the byte order mark, soft hyphens, Hangul fillers, variation
/// selectors and tags).
pub fn is_blank(value: &str) -> bool {
    value.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// The Unicode bidirectional formatting characters: embeddings, overrides, isolates and
/// the implicit marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// An origin as the database, the HTTP API and the console spell it.
pub fn origin_name(origin: Origin) -> &'static str {
    match origin {
        Origin::Local => "local",
        Origin::Erp => "erp",
        Origin::Web => "web",
    }
}

fn origin_of(name: &str) -> Origin {
    match name {
        "erp" => Origin::Erp,
        "web" => Origin::Web,
        _ => Origin::Local,
    }
}

/// Reads a customer from a row selected with `COLUMNS`, starting at column `first`.
pub fn from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Customer> {
    let origin: String = row.get(first + 13)?;
    Ok(Customer {
        number: Some(row.get(first)?),
        web_id: row.get(first + 1)?,
        first_name: row.get(first + 2)?,
        last_name: row.get(first + 3)?,
        company: row.get(first + 4)?,
        tax_id: row.get(first + 5)?,
        email: row.get(first + 6)?,
        phone: row.get(first + 7)?,
        street: row.get(first + 8)?,
        postal_code: row.get(first + 9)?,
        city: row.get(first + 10)?,
        country: row.get(first + 11)?,
        active: row.get(first + 12)?,
        origin: origin_of(&origin),
        version: row.get::<_, i64>(first + 14)? as u64,
        updated_at: row.get(first + 15)?,
        previewable: row.get(first + 16)?,
        editable: row.get(first + 17)?,
    })
}

/// `SELECT <columns> FROM customers c`, for the search module.
pub fn select_columns(alias: &str) -> String {
    COLUMNS.split(", ").map(|column| format!("{alias}.{column}")).collect::<Vec<_>>().join(", ")
}

pub fn get(conn: &Connection, number: &str) -> rusqlite::Result<Option<Customer>> {
    let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM customers WHERE number = ?1"))?;
    statement.query_row([number], |row| from_row(row, 0)).optional()
}

pub fn count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT count(*) FROM customers", [], |row| row.get::<_, i64>(0)).map(|n| n as u64)
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Customer>> {
    let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM customers ORDER BY number"))?;
    statement.query_map([], |row| from_row(row, 0))?.collect()
}

/// Customers whose last name is `last_name` (folded), by first name and number; then, up
/// to `limit` in all, those who have its words, in this order, within a longer last name
/// ("Berg" finds "van der Berg", "Nowak" finds "Kowalska-Nowak"; "van der Berg" finds
/// "Jansen-van der Berg" but not "Berg, van der"), in storage order. The first part reads
/// the `last_name_key` index; the second the full-text index, and only when the first
/// found fewer than `limit`, so that a common name costs no more than `limit` rows.
pub fn find_by_last_name(conn: &Connection, last_name: &str, limit: u32) -> rusqlite::Result<Vec<Customer>> {
    let key = fold(last_name);
    let mut found: Vec<Customer> = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM customers WHERE last_name_key = ?1 ORDER BY first_name, number LIMIT ?2"
        ))?
        .query_map(params![key, limit], |row| from_row(row, 0))?
        .collect::<rusqlite::Result<_>>()?;
    let rest = limit.saturating_sub(found.len() as u32);
    let Some(phrase) = last_name_phrase(&key).filter(|_| rest > 0) else { return Ok(found) };
    // The rows of the first part are exactly those with this key: all of them were read.
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {} FROM customers_fts JOIN customers c ON c.id = customers_fts.rowid
         WHERE customers_fts MATCH ?1 AND c.last_name_key != ?2 LIMIT ?3",
        select_columns("c")
    ))?;
    for customer in statement.query_map(params![phrase, key, rest], |row| from_row(row, 0))? {
        found.push(customer?);
    }
    Ok(found)
}

/// The most words of a last name looked up as a phrase, and the longest word.
const MAX_LAST_NAME_WORDS: usize = 16;
const MAX_LAST_NAME_WORD_CHARS: usize = 64;

/// The FTS5 query for the words of a folded last name, in order, in the last-name column:
/// `last_name : "van der berg"`. Only letters and digits reach the query (they are what the
/// index's tokenizer keeps), so quotes, operators and column names in a name are just
/// separators. `None` when there is no word.
fn last_name_phrase(folded: &str) -> Option<String> {
    let words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(MAX_LAST_NAME_WORDS)
        .map(|word| word.chars().take(MAX_LAST_NAME_WORD_CHARS).collect())
        .collect();
    (!words.is_empty()).then(|| format!("last_name : \"{}\"", words.join(" ")))
}

/// Folds anew the last-name key and the index entry of each customer with a capital ẞ or a
/// combining diacritic in its text: folding once left those as written, so that "STRAUẞ"
/// was stored as "strauß" while "Strauß" and "Strauss" are looked up as "strauss". Only
/// those customers are written; finding them is one scan of the table.
pub(super) fn refold(tx: &Transaction) -> rusqlite::Result<()> {
    let folded_columns = [
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
    ];
    let text = folded_columns.map(|column| format!("coalesce({column}, '')")).join(" || ' ' || ");
    let mut statement = tx.prepare(&format!("SELECT id, {COLUMNS} FROM customers WHERE ({text}) GLOB ?1"))?;
    let rows: Vec<(i64, Customer)> = statement
        .query_map(["*[\u{1e9e}\u{300}-\u{36f}]*"], |row| Ok((row.get(0)?, from_row(row, 1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut rekey = tx.prepare("UPDATE customers SET last_name_key = ?2 WHERE id = ?1")?;
    let mut index = IndexQueue::default();
    for (id, customer) in &rows {
        rekey.execute(params![id, fold(&customer.last_name)])?;
        index.add(*id, entry(customer), true);
    }
    index.write(tx)
}

/// Marks a customer as listed by full synchronization `generation` without changing it.
pub fn mark_listed(tx: &WriteTx, number: &str, generation: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE customers SET sync_generation = ?2 WHERE number = ?1")?
        .execute(params![number, generation])?;
    Ok(())
}

/// Inserts `customer`, or replaces the one with its number; `generation` marks it as listed
/// by that full synchronization.
pub fn upsert(tx: &WriteTx, customer: &Customer, generation: Option<i64>) -> rusqlite::Result<()> {
    match get(tx, customer.number.as_deref().unwrap_or_default())? {
        Some(stored) => replace(tx, &stored, customer, generation),
        None => insert_new(tx, customer, generation),
    }
}

/// Replaces `stored` (as read in this transaction) with `customer`, which has its number;
/// `generation` marks it as listed by that full synchronization. The web link is this
/// workstation's: a copy from the ERP, which has none, keeps it.
///
/// Only the columns that change are set: SQLite rewrites the entry of every index whose
/// column an UPDATE sets, even to the same value, and an entry is a page of the database
/// log; setting every column made a change to a customer write four pages instead of one
/// or two. The full-text entry is replaced only if a searchable field changed.
pub fn replace(tx: &WriteTx, stored: &Customer, customer: &Customer, generation: Option<i64>) -> rusqlite::Result<()> {
    let number = customer.number.as_deref().unwrap_or_default();
    let web_id = customer.web_id.as_ref().or(stored.web_id.as_ref());
    let last_name_key = fold(&customer.last_name);
    let (version, origin) = (customer.version as i64, origin_name(customer.origin));
    let mut set: Vec<(&str, &dyn ToSql)> = vec![
        ("last_name", &customer.last_name),
        ("company", &customer.company),
        ("tax_id", &customer.tax_id),
        ("email", &customer.email),
        ("phone", &customer.phone),
        ("street", &customer.street),
        ("postal_code", &customer.postal_code),
        ("city", &customer.city),
        ("country", &customer.country),
        ("active", &customer.active),
        ("version", &version),
        ("updated_at", &customer.updated_at),
        ("previewable", &customer.previewable),
        ("editable", &customer.editable),
    ];
    if web_id != stored.web_id.as_ref() {
        set.push(("web_id", &web_id));
    }
    if customer.first_name != stored.first_name || last_name_key != fold(&stored.last_name) {
        set.extend([("first_name", &customer.first_name as &dyn ToSql), ("last_name_key", &last_name_key)]);
    }
    if customer.origin != stored.origin {
        set.push(("origin", &origin));
    }
    if let Some(generation) = &generation {
        set.push(("sync_generation", generation));
    }
    let assignments: Vec<String> =
        set.iter().enumerate().map(|(i, (column, _))| format!("{column} = ?{}", i + 2)).collect();
    let mut statement =
        tx.prepare_cached(&format!("UPDATE customers SET {} WHERE number = ?1 RETURNING id", assignments.join(", ")))?;
    let values = std::iter::once(&number as &dyn ToSql).chain(set.iter().map(|(_, value)| *value));
    let id: i64 = statement.query_row(rusqlite::params_from_iter(values), |row| row.get(0))?;
    let entry = entry(customer);
    if entry.0 != index_columns(stored) {
        tx.index.borrow_mut().add(id, entry, true);
    }
    Ok(())
}

/// Inserts `customer`, whose number no stored customer has (an error if one has);
/// `generation` marks it as listed by that full synchronization.
pub fn insert_new(tx: &WriteTx, customer: &Customer, generation: Option<i64>) -> rusqlite::Result<()> {
    let mut statement = tx.prepare_cached(&format!(
        "INSERT INTO customers ({COLUMNS}, last_name_key, sync_generation)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, coalesce(?20, 0))
         RETURNING id"
    ))?;
    let id: i64 = statement.query_row(
        params![
            customer.number.as_deref().unwrap_or_default(),
            customer.web_id,
            customer.first_name,
            customer.last_name,
            customer.company,
            customer.tax_id,
            customer.email,
            customer.phone,
            customer.street,
            customer.postal_code,
            customer.city,
            customer.country,
            customer.active,
            origin_name(customer.origin),
            customer.version as i64,
            customer.updated_at,
            customer.previewable,
            customer.editable,
            fold(&customer.last_name),
            generation,
        ],
        |row| row.get(0),
    )?;
    // A new row has no index entry to remove first.
    tx.index.borrow_mut().add(id, entry(customer), false);
    Ok(())
}

/// Removes a customer; `false` when there was none.
pub fn delete(tx: &WriteTx, number: &str) -> rusqlite::Result<bool> {
    let id: Option<i64> = tx
        .prepare_cached("DELETE FROM customers WHERE number = ?1 RETURNING id")?
        .query_row([number], |row| row.get(0))
        .optional()?;
    if let Some(id) = id {
        tx.index.borrow_mut().remove(id);
    }
    Ok(id.is_some())
}

/// FTS5 merges the index's segments as soon as 4 of a size exist (its `automerge`
/// setting); during a bulk load it waits for this many, which makes a full synchronization
/// a quarter faster. [`optimize_index`] merges everything at the end anyway.
const BULK_AUTOMERGE: u32 = 16;
const AUTOMERGE: u32 = 4;

/// FTS5 writes its index in blocks of at most `pgsz` bytes, 4050 by default: sized to fit
/// a 4096-byte page. An encrypted page keeps 80 of its bytes for the cipher (its IV and
/// HMAC), and a block larger than what is left spills into an overflow page: each block read
/// past SQLite's cache then reads and decrypts two pages instead of one. Blocks written from
/// now on are made to fit the page of `connection`'s database (the ones written before
/// spill until a merge rewrites them).
pub fn fit_index_blocks(connection: &Connection) -> rusqlite::Result<()> {
    let reserved = reserved_bytes(connection);
    if reserved == 0 {
        return Ok(());
    }
    // SQLCipher answers for an encrypted database with its `cipher_page_size`, as text.
    let page: i64 = connection.query_row("PRAGMA page_size", [], |row| match row.get_ref(0)? {
        rusqlite::types::ValueRef::Integer(size) => Ok(size),
        value => Ok(value.as_str()?.parse().unwrap_or(4096)),
    })?;
    // A block's row adds up to 39 bytes to it (the cell's and the record's headers), and
    // FTS5 lets a block pass its size by a few bytes.
    let fits = page - reserved - 50;
    let set: Option<i64> =
        connection.query_row("SELECT v FROM customers_fts_config WHERE k = 'pgsz'", [], |row| row.get(0)).optional()?;
    if set != Some(fits) {
        connection.execute("INSERT INTO customers_fts (customers_fts, rank) VALUES ('pgsz', ?1)", [fits])?;
    }
    Ok(())
}

/// The bytes at the end of each page of `connection`'s database that SQLite leaves to the
/// cipher; 0 for a plain database.
pub(super) fn reserved_bytes(connection: &Connection) -> i64 {
    let mut reserved: std::ffi::c_int = -1;
    // SAFETY: the handle is the connection's own, open for the call; with -1 the call only
    // writes the current value into `reserved`, a local.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_file_control(
            connection.handle(),
            c"main".as_ptr(),
            rusqlite::ffi::SQLITE_FCNTL_RESERVE_BYTES,
            (&raw mut reserved).cast(),
        )
    };
    if rc == rusqlite::ffi::SQLITE_OK { i64::from(reserved.max(0)) } else { 0 }
}

/// Prepares the full-text index for a bulk load, until [`optimize_index`].
pub fn begin_bulk_index(tx: &WriteTx) -> rusqlite::Result<()> {
    set_automerge(tx, BULK_AUTOMERGE)
}

fn set_automerge(tx: &Transaction, segments: u32) -> rusqlite::Result<()> {
    tx.execute("INSERT INTO customers_fts (customers_fts, rank) VALUES ('automerge', ?1)", [segments])?;
    Ok(())
}

/// Merges the full-text index into one segment when the transaction commits, and ends a
/// bulk load: after it, searches read one list per word instead of many.
pub fn optimize_index(tx: &WriteTx) {
    tx.index.borrow_mut().optimize = true;
}

/// Removes the ERP customers a full synchronization (`generation`) did not list.
pub fn delete_unlisted(tx: &WriteTx, generation: i64) -> rusqlite::Result<usize> {
    let ids: Vec<i64> = tx
        // A customer whose local change still waits is kept: the operator's edit is not lost
        // because the ERP stopped listing the customer meanwhile.
        .prepare_cached(
            "DELETE FROM customers WHERE origin = 'erp' AND sync_generation != ?1 \
             AND number NOT IN (SELECT number FROM outbox) RETURNING id",
        )?
        .query_map([generation], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut queue = tx.index.borrow_mut();
    for &id in &ids {
        queue.remove(id);
    }
    Ok(ids.len())
}

/// The full-text index changes of a transaction, written after all its other statements
/// (see [`WriteTx`]): FTS5 writes the terms it holds to a new segment whenever another
/// statement of the transaction opens a savepoint, as an upsert does, or when it is given
/// a smaller rowid than the last, so indexing each customer next to its row made a
/// segment per customer, and merging those took half of a full synchronization. Queued,
/// the removals are written first and the entries then in rowid order.
#[derive(Default)]
pub(super) struct IndexQueue {
    rows: BTreeMap<i64, Queued>,
    optimize: bool,
}

/// What happens to one row's index entry.
struct Queued {
    /// The entry the index held before the transaction goes.
    remove_stored: bool,
    /// The entry it holds after.
    entry: Option<Box<IndexEntry>>,
}

/// The index columns of one customer: number, first name, last name, company, tax id,
/// e-mail, phone, city, street, postal code, country (folded), and the compact forms.
struct IndexEntry([Option<String>; 12]);

impl IndexQueue {
    /// Indexes row `id` as `entry`, replacing the stored entry if `replace`.
    fn add(&mut self, id: i64, entry: IndexEntry, replace: bool) {
        self.rows.entry(id).or_insert(Queued { remove_stored: replace, entry: None }).entry = Some(Box::new(entry));
    }

    /// Removes row `id` from the index, whether it was stored or added in this transaction.
    fn remove(&mut self, id: i64) {
        self.rows.entry(id).or_insert(Queued { remove_stored: true, entry: None }).entry = None;
    }

    /// Writes the queued changes in `tx`.
    pub(super) fn write(self, tx: &Transaction) -> rusqlite::Result<()> {
        let mut remove = tx.prepare_cached("DELETE FROM customers_fts WHERE rowid = ?1")?;
        for (id, _) in self.rows.iter().filter(|(_, queued)| queued.remove_stored) {
            remove.execute([id])?;
        }
        let mut add = tx.prepare_cached(
            "INSERT INTO customers_fts (rowid, number, first_name, last_name, company, tax_id, email, phone,
                 city, street, postal_code, country, extra)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        for (id, entry) in self.rows.iter().filter_map(|(id, queued)| Some((id, queued.entry.as_deref()?))) {
            let [a, b, c, d, e, f, g, h, i, j, k, l] = &entry.0;
            add.execute(params![id, a, b, c, d, e, f, g, h, i, j, k, l])?;
        }
        if self.optimize {
            tx.execute("INSERT INTO customers_fts (customers_fts) VALUES ('optimize')", [])?;
            set_automerge(tx, AUTOMERGE)?;
        }
        Ok(())
    }
}

/// The folded index entry of `customer`.
fn entry(customer: &Customer) -> IndexEntry {
    IndexEntry(index_columns(customer))
}

/// What the full-text index holds of `customer`, column by column (number, first name, last
/// name, company, tax id, e-mail, phone, city, street, postal code, country, and the compact
/// forms), as `customers_fts` is written.
pub fn index_columns(customer: &Customer) -> [Option<String>; 12] {
    let folded = |value: &Option<String>| value.as_deref().map(fold);
    // Numbers, phones and tax ids are also indexed without punctuation, and phones also
    // without their country code (their last 9 and 10 digits), so that "123456789" finds
    // "+48 12 345 67 89".
    let compact = |value: &Option<String>| {
        value.as_deref().map(|v| v.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase())
    };
    let phone = compact(&customer.phone).unwrap_or_default();
    let national = [9, 10].map(|digits| phone.get(phone.len().saturating_sub(digits)..).unwrap_or("").to_owned());
    // Tax ids also without their country prefix: "5261040828" finds "PL 526-104-08-28".
    let tax_digits = customer.tax_id.as_deref().map(|v| v.chars().filter(char::is_ascii_digit).collect::<String>());
    let extra: Vec<String> = [compact(&customer.number), compact(&customer.tax_id), tax_digits, Some(phone.clone())]
        .into_iter()
        .flatten()
        .chain(national.into_iter().filter(|n| n.len() < phone.len()))
        .filter(|v| !v.is_empty())
        .collect();
    [
        folded(&customer.number),
        Some(fold(&customer.first_name)),
        Some(fold(&customer.last_name)),
        folded(&customer.company),
        folded(&customer.tax_id),
        folded(&customer.email),
        folded(&customer.phone),
        folded(&customer.city),
        folded(&customer.street),
        folded(&customer.postal_code),
        folded(&customer.country),
        Some(extra.join(" ")),
    ]
}
