//! Customer rows and their full-text index entries, always written together.

use crate::bindings::{Customer, Origin};
use pos_seed_rules::fold::fold;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
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
/// longer than [`MAX_FIELD_BYTES`] or holding control characters.
pub fn check_fields(customer: &Customer) -> Result<(), FieldsError> {
    let number = customer.number.as_deref().unwrap_or("");
    if number.trim().is_empty() {
        return Err(FieldsError("the customer has no number".into()));
    }
    if customer.last_name.trim().is_empty() {
        return Err(FieldsError(format!("customer {number} has no last name")));
    }
    let fields = [
        ("number", Some(number)),
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
        let Some(value) = value else { continue };
        if value.len() > MAX_FIELD_BYTES {
            return Err(FieldsError(format!("customer {number}: the {name} is longer than {MAX_FIELD_BYTES} bytes")));
        }
        if value.chars().any(char::is_control) {
            return Err(FieldsError(format!("customer {number}: the {name} contains control characters")));
        }
    }
    Ok(())
}

fn origin_name(origin: Origin) -> &'static str {
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

pub fn find_by_last_name(conn: &Connection, last_name: &str, limit: u32) -> rusqlite::Result<Vec<Customer>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM customers WHERE last_name_key = ?1 ORDER BY first_name, number LIMIT ?2"
    ))?;
    statement.query_map(params![fold(last_name), limit], |row| from_row(row, 0))?.collect()
}

/// Marks a customer as listed by full synchronization `generation` without changing it.
pub fn mark_listed(tx: &Transaction, number: &str, generation: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE customers SET sync_generation = ?2 WHERE number = ?1")?
        .execute(params![number, generation])?;
    Ok(())
}

/// Inserts `customer`, or replaces the one with its number; `generation` marks it as listed
/// by that full synchronization.
pub fn upsert(tx: &Transaction, customer: &Customer, generation: Option<i64>) -> rusqlite::Result<()> {
    write(tx, customer, generation, false)
}

/// `upsert` of a customer the caller knows is not stored yet: its index entry needs no
/// removal first, which makes a first synchronization much faster.
pub fn insert_new(tx: &Transaction, customer: &Customer, generation: Option<i64>) -> rusqlite::Result<()> {
    write(tx, customer, generation, true)
}

fn write(tx: &Transaction, customer: &Customer, generation: Option<i64>, new: bool) -> rusqlite::Result<()> {
    let number = customer.number.as_deref().unwrap_or_default();
    let mut statement = tx.prepare_cached(&format!(
        "INSERT INTO customers ({COLUMNS}, last_name_key, sync_generation)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, coalesce(?20, 0))
         ON CONFLICT (number) DO UPDATE SET
             web_id = excluded.web_id, first_name = excluded.first_name, last_name = excluded.last_name,
             company = excluded.company, tax_id = excluded.tax_id, email = excluded.email,
             phone = excluded.phone, street = excluded.street, postal_code = excluded.postal_code,
             city = excluded.city, country = excluded.country, active = excluded.active,
             origin = excluded.origin, version = excluded.version, updated_at = excluded.updated_at,
             previewable = excluded.previewable, editable = excluded.editable,
             last_name_key = excluded.last_name_key,
             sync_generation = coalesce(?20, sync_generation)
         RETURNING id"
    ))?;
    let id: i64 = statement.query_row(
        params![
            number,
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
    if !new {
        tx.prepare_cached("DELETE FROM customers_fts WHERE rowid = ?1")?.execute([id])?;
    }
    index(tx, id, customer)
}

/// Removes a customer; `false` when there was none.
pub fn delete(tx: &Transaction, number: &str) -> rusqlite::Result<bool> {
    let id: Option<i64> = tx
        .prepare_cached("DELETE FROM customers WHERE number = ?1 RETURNING id")?
        .query_row([number], |row| row.get(0))
        .optional()?;
    if let Some(id) = id {
        tx.prepare_cached("DELETE FROM customers_fts WHERE rowid = ?1")?.execute([id])?;
    }
    Ok(id.is_some())
}

/// Merges the full-text index into one segment: after a bulk load, searches then read one
/// list per word instead of many.
pub fn optimize_index(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute("INSERT INTO customers_fts (customers_fts) VALUES ('optimize')", [])?;
    Ok(())
}

/// Removes the ERP customers a full synchronization (`generation`) did not list.
pub fn delete_unlisted(tx: &Transaction, generation: i64) -> rusqlite::Result<usize> {
    let ids: Vec<i64> = tx
        .prepare_cached("DELETE FROM customers WHERE origin = 'erp' AND sync_generation != ?1 RETURNING id")?
        .query_map([generation], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut unindex = tx.prepare_cached("DELETE FROM customers_fts WHERE rowid = ?1")?;
    for id in &ids {
        unindex.execute([id])?;
    }
    Ok(ids.len())
}

/// Writes the folded index entry of customer `id`.
fn index(tx: &Transaction, id: i64, customer: &Customer) -> rusqlite::Result<()> {
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
    tx.prepare_cached(
        "INSERT INTO customers_fts (rowid, number, first_name, last_name, company, tax_id, email, phone,
             city, street, postal_code, country, extra)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        id,
        folded(&customer.number),
        fold(&customer.first_name),
        fold(&customer.last_name),
        folded(&customer.company),
        folded(&customer.tax_id),
        folded(&customer.email),
        folded(&customer.phone),
        folded(&customer.city),
        folded(&customer.street),
        folded(&customer.postal_code),
        folded(&customer.country),
        extra.join(" "),
    ])?;
    Ok(())
}
