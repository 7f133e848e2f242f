//! The host's ERP operations as Tryton calls.

use crate::client::Client;
use crate::config::Settings;
use crate::cursor::Cursor;
use crate::domain;
use crate::feed::{self, Event};
use crate::mapping::{self, FIELDS, Party, Refs};
use crate::time;
use pos_plugin_sdk::erp_connector::{
    Change, ChangesError, ChangesPage, ErpInfo, Found, ListingPage, WriteError, connection,
};
use pos_plugin_sdk::log::{Level, log};
use pos_plugin_sdk::types::{Customer, ErpError, SearchQuery};
use serde_json::{Value, json};

const PARTY: &str = "party.party";

/// The most rows of one model a page of the change feed reads: beyond, a full listing is
/// cheaper than the feed, and the cursor is answered as expired.
const FEED_ROWS: usize = 20_000;

/// How many numbers one call reads for the list of available customers.
const AVAILABLE_CHUNK: usize = 5_000;

/// Parties by `domain`, in `order`, read whole.
fn parties(
    client: &mut Client,
    domain: Value,
    offset: usize,
    limit: Option<usize>,
    order: Value,
) -> Result<Vec<Party>, ErpError> {
    let rows = client.search_read(PARTY, domain, offset, limit, order, &FIELDS)?;
    Ok(rows.iter().filter_map(Party::from_json).collect())
}

/// The party with `code`, active or not, a customer here or not.
fn by_code(client: &mut Client, code: &str) -> Result<Option<Party>, ErpError> {
    Ok(parties(client, json!([["code", "=", code]]), 0, Some(1), json!([]))?.into_iter().next())
}

fn by_id(client: &mut Client, id: i64) -> Result<Option<Party>, ErpError> {
    Ok(parties(client, json!([["id", "=", id]]), 0, Some(1), json!([]))?.into_iter().next())
}

/// The id of the record of `model` whose `field` is `value`.
fn lookup(client: &mut Client, model: &str, field: &str, value: &str) -> Result<Option<i64>, ErpError> {
    let rows = client.search_read(model, json!([[field, "=", value]]), 0, Some(1), json!([]), &["id"])?;
    Ok(rows.first().and_then(|row| row.get("id")).and_then(Value::as_i64))
}

/// The customer clauses: the customer category (and the workstation's).
fn customers(settings: &Settings) -> Vec<Value> {
    domain::customers(settings, &connection::workstation())
}

pub fn describe(settings: &Settings) -> Result<ErpInfo, ErpError> {
    let mut client = Client::new(settings)?;
    let version = client.version()?;
    client.search_count(PARTY, json!([]))?;
    let mut categories = vec![(&settings.customer_category, "customer-category")];
    let workstation = settings.available_to.category(&connection::workstation());
    categories.extend(workstation.as_ref().map(|name| (name, "available-to")));
    for (name, key) in categories {
        if lookup(&mut client, "party.category", "name", name)?.is_none() {
            return Err(ErpError::Rejected(format!(
                "Tryton has no party category `{name}` (the slot's config key `{key}`)"
            )));
        }
    }
    Ok(ErpInfo { product: "Tryton".into(), version, location: format!("{} as {}", client.location(), settings.user) })
}

pub fn search(settings: &Settings, query: &SearchQuery, limit: u32) -> Result<Found, ErpError> {
    let mut client = Client::new(settings)?;
    let limit = limit.clamp(1, 100) as usize;
    let domain =
        domain::search(settings, &connection::workstation(), &query.phrase, &query.filters, query.include_inactive);
    let order = json!([["name", "ASC"], ["id", "ASC"]]);
    let mut found = Vec::new();
    // The filters are checked here after a wider search: a page they thin out is followed
    // by the next, a few times at most.
    let (batch, mut offset) = (limit + 1, 0);
    for _ in 0..5 {
        let page = parties(&mut client, domain.clone(), offset, Some(batch), order.clone())?;
        let read = page.len();
        found.extend(
            page.iter()
                .map(|party| party.customer(settings))
                .filter(|customer| query.filters.iter().all(|filter| domain::accepts(customer, filter))),
        );
        offset += read;
        if found.len() > limit || read < batch {
            break;
        }
    }
    let has_more = found.len() > limit;
    found.truncate(limit);
    Ok(Found { customers: found, has_more })
}

pub fn fetch(settings: &Settings, number: &str) -> Result<Option<Customer>, ErpError> {
    let mut client = Client::new(settings)?;
    let mut domain = customers(settings);
    domain.push(json!(["code", "=", number]));
    let found = parties(&mut client, Value::Array(domain), 0, Some(1), json!([]))?;
    Ok(found.first().map(|party| party.customer(settings)))
}

/// A cursor from which the feed sends every change made from now on: it starts an overlap
/// before the server's time, to catch the transactions still running.
fn cursor_now(client: &mut Client) -> Result<Cursor, ErpError> {
    let log = last_deletion(client, 0).unwrap_or(None).unwrap_or(0);
    let now = client.now_micros();
    Ok(Cursor {
        stamp: now - i64::from(client.settings.overlap_seconds) * 1_000_000,
        party: 0,
        log,
        available_at: now / 1_000_000,
    })
}

pub fn listing(settings: &Settings, after: Option<String>, limit: u32) -> Result<ListingPage, ErpError> {
    let mut client = Client::new(settings)?;
    let after: i64 = match after.as_deref() {
        None => 0,
        Some(text) => text
            .parse()
            .map_err(|_| ErpError::Rejected(format!("`{text}` is not a listing position of the Tryton connector")))?,
    };
    let limit = limit.clamp(1, 5000) as usize;
    let mut domain = customers(settings);
    domain.push(domain::active());
    let total = client.search_count(PARTY, Value::Array(domain.clone()))?;
    domain.push(json!(["id", ">", after]));
    let mut page = parties(&mut client, Value::Array(domain), 0, Some(limit + 1), json!([["id", "ASC"]]))?;
    let more = page.len() > limit;
    page.truncate(limit);
    let next_after = if more { page.last().map(|party| party.id.to_string()) } else { None };
    let changes_from = cursor_now(&mut client)?.encode();
    Ok(ListingPage {
        customers: page.iter().map(|party| party.customer(settings)).collect(),
        next_after,
        changes_from,
        total: Some(total),
    })
}

/// The id of the latest deletion of a party in `ir.model.log` after `after`: `Ok(None)` when
/// none; an error when the log cannot be read (a user without the administration group).
fn last_deletion(client: &mut Client, after: i64) -> Result<Option<i64>, ErpError> {
    let domain = json!([["event", "=", "delete"], ["resource", "like", "party.party,%"], ["id", ">", after]]);
    let rows = client.search_read("ir.model.log", domain, 0, Some(1), json!([["id", "DESC"]]), &["id"])?;
    Ok(rows.first().and_then(|row| row.get("id")).and_then(Value::as_i64))
}

/// The numbers of every customer available here, active or not: a deactivated customer is
/// still the till's (hidden), and a number left out of this list is removed there.
fn available(client: &mut Client) -> Result<Vec<String>, ErpError> {
    let (mut numbers, mut after) = (Vec::new(), 0);
    loop {
        let mut domain = customers(client.settings);
        domain.push(json!(["id", ">", after]));
        let rows = client.search_read(
            PARTY,
            Value::Array(domain),
            0,
            Some(AVAILABLE_CHUNK),
            json!([["id", "ASC"]]),
            &["code"],
        )?;
        numbers.extend(rows.iter().filter_map(|row| row.get("code")?.as_str().map(str::to_owned)));
        match rows.last().and_then(|row| row.get("id")).and_then(Value::as_i64) {
            Some(last) if rows.len() == AVAILABLE_CHUNK => after = last,
            _ => return Ok(numbers),
        }
    }
}

pub fn changes(settings: &Settings, cursor: &str, limit: u32) -> Result<ChangesPage, ChangesError> {
    let cursor = Cursor::decode(cursor).ok_or(ChangesError::CursorExpired)?;
    let failed = ChangesError::Failed;
    let mut client = Client::new(settings).map_err(failed)?;
    let since = time::datetime(cursor.stamp);
    let window = json!(["OR", ["write_date", ">=", since], ["create_date", ">=", since]]);
    let mut events = Vec::new();
    for (model, party_field) in
        [(PARTY, "id"), ("party.address", "party"), ("party.contact_mechanism", "party"), ("party.identifier", "party")]
    {
        let fields = [party_field, "write_date", "create_date"];
        let rows = client
            .search_read(model, json!([window]), 0, Some(FEED_ROWS + 1), json!([["id", "ASC"]]), &fields)
            .map_err(failed)?;
        if rows.len() > FEED_ROWS {
            log(
                Level::Info,
                &format!("more than {FEED_ROWS} {model} rows changed since the cursor: a full listing is cheaper"),
            );
            return Err(ChangesError::CursorExpired);
        }
        events.extend(rows.iter().filter_map(|row| {
            let party = row.get(party_field)?.as_i64()?;
            let stamp =
                ["write_date", "create_date"].iter().filter_map(|f| row.get(*f).and_then(time::micros)).max()?;
            Some(Event { party, stamp })
        }));
    }
    let now = client.now_micros();
    let horizon = now - i64::from(settings.overlap_seconds) * 1_000_000;
    let page = feed::page(&events, &cursor, horizon, limit.clamp(1, 5000) as usize);
    let read = if page.parties.is_empty() {
        Vec::new()
    } else {
        parties(&mut client, json!([["id", "in", page.parties]]), 0, None, json!([])).map_err(failed)?
    };
    let workstation = connection::workstation();
    // Oldest change first; a party deleted since its change is left to the deletion check.
    let changes = page
        .parties
        .iter()
        .filter_map(|id| read.iter().find(|party| party.id == *id))
        .map(|party| match party.qualifies(settings, &workstation) {
            true => Change::Upsert(party.customer(settings)),
            false => Change::Removed(party.code.clone()),
        })
        .collect();
    let mut next = Cursor { stamp: page.next.0, party: page.next.1, ..cursor };
    let mut numbers = None;
    if !page.has_more {
        let deleted = match last_deletion(&mut client, cursor.log) {
            Ok(Some(id)) => {
                next.log = id;
                true
            }
            Ok(None) => false,
            Err(error) => {
                log(Level::Debug, &format!("deletions are checked every `available-every-minutes` only: {error:?}"));
                false
            }
        };
        let every = i64::from(settings.available_every_minutes) * 60;
        let due = every > 0 && now / 1_000_000 - cursor.available_at >= every;
        if deleted || due {
            numbers = Some(available(&mut client).map_err(failed)?);
            next.available_at = now / 1_000_000;
        }
    }
    Ok(ChangesPage { changes, next: next.encode(), has_more: page.has_more, available: numbers })
}

/// The category ids a new party gets, or why it cannot be created.
fn new_categories(client: &mut Client, customer: &Customer) -> Result<Vec<i64>, WriteError> {
    let settings = client.settings;
    let mut names = vec![(settings.customer_category.clone(), "customer-category")];
    names.extend(settings.available_to.category(&connection::workstation()).map(|name| (name, "available-to")));
    let company =
        customer.company.as_deref().is_some_and(|c| !c.trim().is_empty()) && customer.first_name.trim().is_empty();
    if company && let Some(name) = settings.company_categories.first() {
        names.push((name.clone(), "company-categories"));
    }
    let mut ids = Vec::new();
    for (name, key) in names {
        match lookup(client, "party.category", "name", &name).map_err(WriteError::Failed)? {
            Some(id) => ids.push(id),
            None => {
                return Err(WriteError::Refused(format!(
                    "Tryton has no party category `{name}` (the slot's config key `{key}`)"
                )));
            }
        }
    }
    Ok(ids)
}

fn country(client: &mut Client, customer: &Customer) -> Result<Option<i64>, WriteError> {
    let Some(code) = customer.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) else { return Ok(None) };
    let code = code.to_ascii_uppercase();
    match lookup(client, "country.country", "code", &code).map_err(WriteError::Failed)? {
        Some(id) => Ok(Some(id)),
        None => Err(WriteError::Refused(format!("Tryton knows no country with the code `{code}`"))),
    }
}

fn number(customer: &Customer) -> Result<&str, WriteError> {
    customer
        .number
        .as_deref()
        .map(str::trim)
        .filter(|number| !number.is_empty())
        .ok_or_else(|| WriteError::Refused("the customer has no number, which Tryton keeps as the party's code".into()))
}

fn reread(client: &mut Client, id: i64) -> Result<Customer, WriteError> {
    match by_id(client, id).map_err(WriteError::Failed)? {
        Some(party) => Ok(party.customer(client.settings)),
        None => {
            Err(WriteError::Failed(ErpError::Unavailable(format!("the party {id} is gone right after it was written"))))
        }
    }
}

/// The customer already in Tryton under `code` when it holds what was sent (a create sent
/// again after a lost answer); a refusal when another party has the number; `None` when no
/// party has it.
fn replay(client: &mut Client, code: &str, customer: &Customer, key: &str) -> Result<Option<Customer>, WriteError> {
    let settings = client.settings;
    match by_code(client, code).map_err(WriteError::Failed)? {
        Some(party)
            if party.qualifies(settings, &connection::workstation()) && mapping::holds(&party, customer, settings) =>
        {
            log(Level::Info, &format!("customer {code} (key {key}) is already in Tryton as sent: a replay"));
            Ok(Some(party.customer(settings)))
        }
        Some(party) => Err(WriteError::Refused(format!(
            "the number {code} is already taken in Tryton by the party `{}`",
            party.name
        ))),
        None => Ok(None),
    }
}

pub fn create(settings: &Settings, customer: &Customer, key: &str) -> Result<Customer, WriteError> {
    let mut client = Client::new(settings).map_err(WriteError::Failed)?;
    let code = number(customer)?;
    if let Some(held) = replay(&mut client, code, customer, key)? {
        return Ok(held);
    }
    let refs = Refs { categories: new_categories(&mut client, customer)?, country: country(&mut client, customer)? };
    let values = mapping::create_values(customer, code, settings, &refs);
    let context = client.context();
    match client.try_call("model.party.party.create", json!([[values], context])).map_err(WriteError::Failed)? {
        Ok(ids) => match ids.get(0).and_then(Value::as_i64) {
            Some(id) => reread(&mut client, id),
            None => Err(WriteError::Failed(ErpError::Unavailable(format!("Tryton answered the create with {ids}")))),
        },
        // Another create of the same number may have won meanwhile: the same customer is a
        // replay, another one a refusal; otherwise Tryton's reason.
        Err(failure) => match failure.business() {
            Some(why) => replay(&mut client, code, customer, key)?.ok_or(WriteError::Refused(why)),
            None => Err(WriteError::Failed(failure.erp_error("model.party.party.create", settings))),
        },
    }
}

pub fn update(settings: &Settings, customer: &Customer, expected: u64, key: &str) -> Result<Customer, WriteError> {
    let mut client = Client::new(settings).map_err(WriteError::Failed)?;
    let code = number(customer)?;
    let Some(party) = by_code(&mut client, code).map_err(WriteError::Failed)? else {
        return Err(WriteError::Refused(format!("the customer {code} no longer exists in Tryton")));
    };
    if !party.qualifies(settings, &connection::workstation()) {
        return Err(WriteError::Refused(format!(
            "the party {code} is no longer a customer of this workstation in Tryton"
        )));
    }
    let current = party.customer(settings);
    if current.version != expected {
        if mapping::holds(&party, customer, settings) {
            log(Level::Info, &format!("customer {code} (key {key}) already holds the update: a replay"));
            return Ok(current);
        }
        return Err(WriteError::Refused(format!(
            "the customer {code} changed in the ERP meanwhile (version {}, the POS edited version {expected})",
            current.version
        )));
    }
    if !current.editable {
        return Err(WriteError::Refused(format!("the customer {code} may not be edited at the POS (Tryton category)")));
    }
    let refs = Refs { categories: Vec::new(), country: country(&mut client, customer)? };
    let values = mapping::update_values(&party, customer, settings, &refs);
    if values.is_empty() {
        return Ok(current);
    }
    // Tryton's own check: the write fails if the party row changed since it was read.
    let mut context = client.context();
    if let Some(timestamp) = &party.timestamp {
        context["_timestamp"] = json!({ format!("party.party,{}", party.id): timestamp });
    }
    let params = json!([[party.id], values, context]);
    match client.try_call("model.party.party.write", params).map_err(WriteError::Failed)? {
        Ok(_) => reread(&mut client, party.id),
        Err(failure) => Err(match failure.business() {
            Some(why) => WriteError::Refused(why),
            None => WriteError::Failed(failure.erp_error("model.party.party.write", settings)),
        }),
    }
}
