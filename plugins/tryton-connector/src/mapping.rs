//! A Tryton party and the host's customer, both ways: the fields read, the party read into a
//! [`Customer`], and the values a create or an update writes.

use crate::config::{NameOrder, Settings};
use crate::time;
use pos_plugin_sdk::types::{Customer, Origin};
use serde_json::{Map, Value, json};

/// The fields read for a customer, with the children's dates: editing an address through
/// its own form does not change the party's `write_date`, so the version is the latest of all.
pub const FIELDS: [&str; 27] = [
    "code",
    "name",
    "active",
    "_timestamp",
    "write_date",
    "create_date",
    "categories.name",
    "addresses.street",
    "addresses.postal_code",
    "addresses.city",
    "addresses.country.code",
    "addresses.active",
    "addresses.write_date",
    "addresses.create_date",
    "contact_mechanisms.type",
    "contact_mechanisms.value",
    "contact_mechanisms.active",
    "contact_mechanisms.write_date",
    "contact_mechanisms.create_date",
    "identifiers.type",
    "identifiers.code",
    "identifiers.active",
    "identifiers.write_date",
    "identifiers.create_date",
    "tax_identifier.code",
    "tax_identifier.type",
    "rec_name",
];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Address {
    pub id: i64,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub active: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contact {
    pub id: i64,
    pub kind: String,
    pub value: String,
    pub active: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Identifier {
    pub id: i64,
    pub kind: Option<String>,
    pub code: String,
    pub active: bool,
}

/// A party as read with [`FIELDS`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Party {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
    /// As read, to be sent back in a write's context for Tryton's own concurrency check.
    pub timestamp: Option<String>,
    /// The latest date of the party and its children, in microseconds since the epoch.
    pub version: i64,
    pub categories: Vec<String>,
    pub addresses: Vec<Address>,
    pub contacts: Vec<Contact>,
    pub identifiers: Vec<Identifier>,
    /// Tryton's own tax identifier: the first identifier of a type it counts as one.
    pub tax_identifier: Option<Identifier>,
}

fn text(record: &Value, field: &str) -> Option<String> {
    record.get(field).and_then(Value::as_str).map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned)
}

/// Booleans come as integers on SQLite (`"active": 1`) and as booleans on PostgreSQL.
fn boolean(record: &Value, field: &str) -> bool {
    match record.get(field) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() != Some(0),
        _ => true,
    }
}

fn id(record: &Value) -> i64 {
    record.get("id").and_then(Value::as_i64).unwrap_or_default()
}

/// The latest of a record's `write_date` and `create_date`: `write_date` is empty until the
/// first write.
fn stamp(record: &Value) -> i64 {
    let write = record.get("write_date").and_then(time::micros);
    let create = record.get("create_date").and_then(time::micros);
    write.max(create).unwrap_or_default()
}

/// The related records of an x2many read (`"addresses."`, a list) or a Many2One (`"country."`,
/// an object or `null`).
fn related<'v>(record: &'v Value, field: &str) -> &'v [Value] {
    record.get(format!("{field}.")).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

impl Party {
    /// A party from a `read`/`search_read` row; `None` when it has no id.
    pub fn from_json(record: &Value) -> Option<Party> {
        let id = record.get("id")?.as_i64()?;
        let mut version = stamp(record);
        let mut children = |row: &Value| version = version.max(stamp(row));
        let addresses = related(record, "addresses")
            .iter()
            .inspect(|row| children(row))
            .map(|row| Address {
                id: self::id(row),
                street: text(row, "street"),
                postal_code: text(row, "postal_code"),
                city: text(row, "city"),
                country: row.get("country.").and_then(|country| text(country, "code")),
                active: boolean(row, "active"),
            })
            .collect();
        let contacts = related(record, "contact_mechanisms")
            .iter()
            .inspect(|row| children(row))
            .map(|row| Contact {
                id: self::id(row),
                kind: text(row, "type").unwrap_or_default(),
                value: text(row, "value").unwrap_or_default(),
                active: boolean(row, "active"),
            })
            .collect();
        let identifier = |row: &Value| Identifier {
            id: self::id(row),
            kind: text(row, "type"),
            code: text(row, "code").unwrap_or_default(),
            active: boolean(row, "active"),
        };
        let identifiers = related(record, "identifiers").iter().inspect(|row| children(row)).map(identifier).collect();
        let tax_identifier = record.get("tax_identifier.").filter(|row| row.is_object()).map(identifier);
        Some(Party {
            id,
            code: text(record, "code").unwrap_or_default(),
            name: text(record, "name").unwrap_or_default(),
            active: boolean(record, "active"),
            timestamp: record.get("_timestamp").and_then(Value::as_str).map(str::to_owned),
            version,
            categories: related(record, "categories").iter().filter_map(|row| text(row, "name")).collect(),
            addresses,
            contacts,
            identifiers,
            tax_identifier,
        })
    }

    fn has_category(&self, names: &[String]) -> bool {
        self.categories.iter().any(|category| names.contains(category))
    }

    /// Whether the workstation sees this party as a customer (active or not): it has the
    /// customer category, and the workstation's category when there is one.
    pub fn qualifies(&self, settings: &Settings, workstation: &str) -> bool {
        self.categories.contains(&settings.customer_category)
            && settings.available_to.category(workstation).is_none_or(|name| self.categories.contains(&name))
    }

    pub fn is_company(&self, settings: &Settings) -> bool {
        self.has_category(&settings.company_categories)
    }

    pub fn address(&self) -> Option<&Address> {
        self.addresses.iter().find(|address| address.active)
    }

    pub fn email(&self) -> Option<&Contact> {
        self.contacts.iter().find(|contact| contact.active && contact.kind == "email")
    }

    /// The first active contact mechanism of the first of `phone-types` the party has.
    pub fn phone(&self, settings: &Settings) -> Option<&Contact> {
        settings
            .phone_types
            .iter()
            .find_map(|kind| self.contacts.iter().find(|contact| contact.active && contact.kind == *kind))
    }

    pub fn tax_identifier(&self, settings: &Settings) -> Option<&Identifier> {
        match &settings.tax_identifier_types {
            None => self.tax_identifier.as_ref(),
            Some(types) => self.identifiers.iter().find(|identifier| {
                identifier.active && identifier.kind.as_ref().is_some_and(|kind| types.contains(kind))
            }),
        }
    }

    /// The customer the host sees.
    pub fn customer(&self, settings: &Settings) -> Customer {
        let (first_name, last_name, company) = if self.is_company(settings) {
            (String::new(), self.name.clone(), Some(self.name.clone()))
        } else {
            let (first, last) = split_name(&self.name, settings.name_order);
            (first, last, None)
        };
        let address = self.address();
        let field = |get: fn(&Address) -> &Option<String>| address.and_then(|a| get(a).clone());
        let hidden = self.has_category(&settings.hidden_categories);
        Customer {
            number: Some(self.code.clone()),
            web_id: None,
            first_name,
            last_name,
            company,
            tax_id: self.tax_identifier(settings).map(|identifier| identifier.code.clone()),
            email: self.email().map(|contact| contact.value.clone()),
            phone: self.phone(settings).map(|contact| contact.value.clone()),
            street: field(|a| &a.street),
            postal_code: field(|a| &a.postal_code),
            city: field(|a| &a.city),
            country: field(|a| &a.country),
            active: self.active,
            origin: Origin::Erp,
            version: u64::try_from(self.version).unwrap_or_default(),
            updated_at: self.version.div_euclid(1000),
            previewable: !hidden,
            editable: !hidden && !self.has_category(&settings.read_only_categories),
        }
    }
}

/// A party's single name as first and last name.
pub fn split_name(name: &str, order: NameOrder) -> (String, String) {
    let words: Vec<&str> = name.split_whitespace().collect();
    match (order, words.as_slice()) {
        (_, []) => (String::new(), String::new()),
        (NameOrder::LastOnly, _) | (_, [_]) => (String::new(), words.join(" ")),
        (NameOrder::FirstLast, [first @ .., last]) => (first.join(" "), (*last).to_owned()),
        (NameOrder::LastFirst, [last, first @ ..]) => (first.join(" "), (*last).to_owned()),
    }
}

/// The party name for a customer's names, the inverse of [`split_name`] for names of one
/// word each.
pub fn join_name(first: &str, last: &str, order: NameOrder) -> String {
    let (first, last) = (first.split_whitespace().collect::<Vec<_>>(), last.split_whitespace().collect::<Vec<_>>());
    let words = match order {
        NameOrder::FirstLast | NameOrder::LastOnly => [first, last].concat(),
        NameOrder::LastFirst => [last, first].concat(),
    };
    words.join(" ")
}

/// Whether the customer is a company only: no first name, and a last name that is empty or
/// the company's name.
fn company_only(customer: &Customer) -> Option<&str> {
    let company = customer.company.as_deref().map(str::trim).filter(|company| !company.is_empty())?;
    (customer.first_name.trim().is_empty()
        && (customer.last_name.trim().is_empty() || customer.last_name.trim() == company))
        .then_some(company)
}

/// The party's `name` for a customer: the company's for a company-only customer.
pub fn party_name(customer: &Customer, settings: &Settings) -> String {
    match company_only(customer) {
        Some(company) => company.to_owned(),
        None => join_name(&customer.first_name, &customer.last_name, settings.name_order),
    }
}

/// The tax identifier's code as written: an `eu_vat` code must start with its country's
/// prefix, which an operator often leaves out, so a code that starts with a digit gets the
/// customer's country (`EL` for Greece, as VAT numbers spell it).
pub fn tax_code(code: &str, kind: &str, country: Option<&str>) -> String {
    let code = code.trim();
    match country {
        Some(country) if kind == "eu_vat" && code.starts_with(|c: char| c.is_ascii_digit()) => {
            let prefix =
                if country.eq_ignore_ascii_case("GR") { "EL".to_owned() } else { country.to_ascii_uppercase() };
            format!("{prefix}{code}")
        }
        _ => code.to_owned(),
    }
}

fn some(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|text| !text.is_empty())
}

/// What a create or an update needs besides the customer: ids Tryton knows the records by.
pub struct Refs {
    /// The categories a new party gets: the customer category, the workstation's, and for a
    /// company-only customer the first company category.
    pub categories: Vec<i64>,
    /// The country's id, when the customer has a country.
    pub country: Option<i64>,
}

fn address_values(customer: &Customer, refs: &Refs) -> Value {
    json!({
        "street": some(&customer.street).unwrap_or_default(),
        "postal_code": some(&customer.postal_code).unwrap_or_default(),
        "city": some(&customer.city).unwrap_or_default(),
        "country": refs.country,
    })
}

fn has_address(customer: &Customer) -> bool {
    [&customer.street, &customer.postal_code, &customer.city, &customer.country].into_iter().any(|v| some(v).is_some())
}

/// The values of `party.party.create` for a new customer with `code`, in one call.
pub fn create_values(customer: &Customer, code: &str, settings: &Settings, refs: &Refs) -> Value {
    let mut values = Map::new();
    values.insert("code".into(), json!(code));
    values.insert("name".into(), json!(party_name(customer, settings)));
    values.insert("categories".into(), json!([["add", refs.categories]]));
    let mut contacts = Vec::new();
    if let Some(email) = some(&customer.email) {
        contacts.push(json!({"type": "email", "value": email}));
    }
    if let Some(phone) = some(&customer.phone) {
        contacts.push(json!({"type": settings.phone_types[0], "value": phone}));
    }
    if !contacts.is_empty() {
        values.insert("contact_mechanisms".into(), json!([["create", contacts]]));
    }
    if has_address(customer) {
        values.insert("addresses".into(), json!([["create", [address_values(customer, refs)]]]));
    }
    if let Some(code) = some(&customer.tax_id) {
        let kind = &settings.new_tax_identifier_type;
        let code = tax_code(code, kind, some(&customer.country));
        values.insert("identifiers".into(), json!([["create", [{"type": kind, "code": code}]]]));
    }
    Value::Object(values)
}

/// The action on the x2many record that holds a single value in `field`: write it in
/// place, delete it when the customer has none, create it when the party has none.
fn one_value(
    existing: Option<(i64, &str)>,
    wanted: Option<&str>,
    field: &str,
    create: impl FnOnce(&str) -> Value,
) -> Option<Value> {
    match (existing, wanted) {
        (Some((_, old)), Some(new)) if old == new => None,
        (Some((id, _)), None) => Some(json!(["delete", [id]])),
        (Some((id, _)), Some(new)) => Some(json!(["write", [id], {field: new}])),
        (None, Some(new)) => Some(json!(["create", [create(new)]])),
        (None, None) => None,
    }
}

/// The values of `party.party.write` that make `party` hold `customer`, changing the
/// children in place; empty when nothing differs.
pub fn update_values(party: &Party, customer: &Customer, settings: &Settings, refs: &Refs) -> Map<String, Value> {
    let mut values = Map::new();
    let name = party_name(customer, settings);
    if name != party.name {
        values.insert("name".into(), json!(name));
    }
    let mut contacts = Vec::new();
    let email = party.email().map(|c| (c.id, c.value.as_str()));
    contacts.extend(one_value(email, some(&customer.email), "value", |v| json!({"type": "email", "value": v})));
    let phone = party.phone(settings).map(|c| (c.id, c.value.as_str()));
    let phone_type = &settings.phone_types[0];
    contacts.extend(one_value(phone, some(&customer.phone), "value", |v| json!({"type": phone_type, "value": v})));
    if !contacts.is_empty() {
        values.insert("contact_mechanisms".into(), Value::Array(contacts));
    }
    let kind = &settings.new_tax_identifier_type;
    let tax = some(&customer.tax_id).map(|code| tax_code(code, kind, some(&customer.country)));
    let existing = party.tax_identifier(settings).map(|i| (i.id, i.code.as_str()));
    let same_tax = existing.zip(tax.as_deref()).is_some_and(|((_, old), new)| compact(old) == compact(new));
    if !same_tax
        && let Some(action) = one_value(existing, tax.as_deref(), "code", |code| json!({"type": kind, "code": code}))
    {
        values.insert("identifiers".into(), json!([action]));
    }
    let wanted = address_values(customer, refs);
    match party.address() {
        Some(address) => {
            let same = some(&address.street) == some(&customer.street)
                && some(&address.postal_code) == some(&customer.postal_code)
                && some(&address.city) == some(&customer.city)
                && address.country.as_deref().map(str::to_ascii_uppercase)
                    == some(&customer.country).map(str::to_ascii_uppercase);
            if !same {
                values.insert("addresses".into(), json!([["write", [address.id], wanted]]));
            }
        }
        None if has_address(customer) => {
            values.insert("addresses".into(), json!([["create", [wanted]]]));
        }
        None => {}
    }
    values
}

/// Letters and digits only, upper case: how tax ids and postal codes compare.
fn compact(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// Words in lower case, single-spaced.
fn words(text: &str) -> String {
    text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

fn digits(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()
}

/// Whether `party` already holds what `sent` asks for, as far as the connector writes it:
/// a create or an update sent again after a lost answer finds its own write.
pub fn holds(party: &Party, sent: &Customer, settings: &Settings) -> bool {
    let held = party.customer(settings);
    let option =
        |a: &Option<String>, b: &Option<String>, norm: fn(&str) -> String| some(a).map(norm) == some(b).map(norm);
    let tax = some(&sent.tax_id).map(|code| tax_code(code, &settings.new_tax_identifier_type, some(&sent.country)));
    words(&party.name) == words(&party_name(sent, settings))
        && option(&held.tax_id, &tax, compact)
        && option(&held.email, &sent.email, words)
        && option(&held.phone, &sent.phone, digits)
        && option(&held.street, &sent.street, words)
        && option(&held.postal_code, &sent.postal_code, compact)
        && option(&held.city, &sent.city, words)
        && option(&held.country, &sent.country, compact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pos_plugin_sdk::types::{ConfigEntry, ConfigValue};
    use pos_plugin_sdk::{Config, ConfigErrors};

    pub fn settings(extra: &[(&str, ConfigValue)]) -> Settings {
        let mut entries = vec![
            ConfigEntry { key: "database".into(), value: ConfigValue::Text("pos".into()) },
            ConfigEntry { key: "user".into(), value: ConfigValue::Text("admin".into()) },
        ];
        entries.extend(extra.iter().map(|(key, value)| ConfigEntry { key: (*key).into(), value: value.clone() }));
        let mut errors = ConfigErrors::default();
        let settings = Settings::read(&Config::new(entries), &mut errors);
        assert!(errors.0.is_empty());
        settings
    }

    fn date(second: i64, microsecond: i64) -> Value {
        json!({"__class__": "datetime", "year": 2026, "month": 12, "day": 5, "hour": 9, "minute": 8,
               "second": second, "microsecond": microsecond})
    }

    /// The shape the live server answered a `search_read` with [`FIELDS`] (SQLite: integers
    /// for booleans, no id list beside the `"categories."` objects).
    fn observed() -> Value {
        json!({
            "id": 1, "code": "C-1", "name": "Łukasz Kowalski", "active": 1, "rec_name": "Łukasz Kowalski",
            "_timestamp": "1796461704.86732", "write_date": date(24, 867318), "create_date": date(24, 867318),
            "categories.": [{"name": "Customer", "id": 1}, {"name": "POS-01", "id": 2}],
            "addresses.": [{"id": 1, "street": "ul. Długa 1", "postal_code": "00-001", "city": "Warszawa",
                            "country.": {"code": "PL", "id": 1}, "active": 1,
                            "write_date": date(58, 838426), "create_date": date(24, 867318)}],
            "contact_mechanisms.": [
                {"id": 4, "type": "phone", "value": "+48 22 100 200", "active": 0, "write_date": date(24, 900000), "create_date": date(24, 1)},
                {"id": 1, "type": "email", "value": "lk@example.com", "active": 1, "write_date": null, "create_date": date(24, 867318)},
                {"id": 2, "type": "mobile", "value": "+48 600 100 200", "active": 1, "write_date": date(24, 867318), "create_date": date(24, 867318)},
                {"id": 3, "type": "phone", "value": "+48 22 100 300", "active": 1, "write_date": date(24, 867318), "create_date": date(24, 867318)}],
            "identifiers.": [{"id": 1, "type": "eu_vat", "code": "PL5260250274", "active": 1,
                              "write_date": date(24, 977154), "create_date": date(24, 977154)}],
            "tax_identifier.": {"code": "PL5260250274", "type": "eu_vat", "id": 1}
        })
    }

    #[test]
    fn a_party_reads_as_the_host_s_customer() {
        let party = Party::from_json(&observed()).unwrap();
        let customer = party.customer(&settings(&[]));
        assert_eq!(customer.number.as_deref(), Some("C-1"));
        assert_eq!((customer.first_name.as_str(), customer.last_name.as_str()), ("Łukasz", "Kowalski"));
        assert_eq!(customer.company, None);
        assert_eq!(customer.tax_id.as_deref(), Some("PL5260250274"));
        assert_eq!(customer.email.as_deref(), Some("lk@example.com"));
        // The inactive phone is skipped; `phone` comes before `mobile` by default.
        assert_eq!(customer.phone.as_deref(), Some("+48 22 100 300"));
        assert_eq!(customer.street.as_deref(), Some("ul. Długa 1"));
        assert_eq!(customer.postal_code.as_deref(), Some("00-001"));
        assert_eq!(customer.city.as_deref(), Some("Warszawa"));
        assert_eq!(customer.country.as_deref(), Some("PL"));
        assert!(customer.active && customer.previewable && customer.editable);
        assert_eq!(customer.origin, Origin::Erp);
        // The address was edited last, through its own form: it gives the version.
        assert_eq!(customer.version, 1_796_461_738_838_426);
        assert_eq!(customer.updated_at, 1_796_461_738_838);
        assert_eq!(party.timestamp.as_deref(), Some("1796461704.86732"));
        assert!(party.qualifies(&settings(&[]), "pos-01"));
    }

    #[test]
    fn the_settings_choose_phone_tax_id_company_and_rights() {
        let list = |items: &[&str]| ConfigValue::TextList(items.iter().map(|s| s.to_string()).collect());
        let settings = settings(&[
            ("phone-types", list(&["mobile", "phone"])),
            ("tax-identifier-types", list(&["ch_vat"])),
            ("company-categories", list(&["POS-01"])),
            ("read-only-categories", list(&["Customer"])),
            ("available-to", ConfigValue::Text("Shop {workstation}".into())),
        ]);
        let party = Party::from_json(&observed()).unwrap();
        let customer = party.customer(&settings);
        assert_eq!(customer.phone.as_deref(), Some("+48 600 100 200"));
        assert_eq!(customer.tax_id, None);
        assert_eq!((customer.first_name.as_str(), customer.last_name.as_str()), ("", "Łukasz Kowalski"));
        assert_eq!(customer.company.as_deref(), Some("Łukasz Kowalski"));
        assert!(customer.previewable && !customer.editable);
        assert!(!party.qualifies(&settings, "pos-01"));
    }

    #[test]
    fn a_party_without_children_has_no_contact_data() {
        let party = Party::from_json(&json!({"id": 2, "code": "1", "name": "ACME sp. z o.o.", "active": true,
            "write_date": date(24, 996451), "create_date": date(24, 996451), "categories.": [], "addresses.": [],
            "contact_mechanisms.": [], "identifiers.": [], "tax_identifier.": null}))
        .unwrap();
        let customer = party.customer(&settings(&[]));
        assert_eq!((customer.email, customer.street, customer.tax_id), (None, None, None));
        assert_eq!(customer.last_name, "o.o.");
        assert!(!party.qualifies(&settings(&[]), "pos-01"));
    }

    #[test]
    fn names_split_and_join_by_the_configured_order() {
        use NameOrder::*;
        let split = |name, order| split_name(name, order);
        assert_eq!(split("Jan Maria  Kowalski", FirstLast), ("Jan Maria".into(), "Kowalski".into()));
        assert_eq!(split("Kowalski Jan Maria", LastFirst), ("Jan Maria".into(), "Kowalski".into()));
        assert_eq!(split("van der Berg", LastOnly), (String::new(), "van der Berg".into()));
        assert_eq!(split("Madonna", FirstLast), (String::new(), "Madonna".into()));
        assert_eq!(split("  ", LastFirst), (String::new(), String::new()));
        assert_eq!(join_name("Jan Maria", "Kowalski", FirstLast), "Jan Maria Kowalski");
        assert_eq!(join_name("Jan", "Kowalski", LastFirst), "Kowalski Jan");
        assert_eq!(join_name("", "Madonna", FirstLast), "Madonna");
    }

    fn customer() -> Customer {
        Customer {
            number: Some("P-7".into()),
            web_id: None,
            first_name: "Anna".into(),
            last_name: "Nowak".into(),
            company: None,
            tax_id: Some("5260250274".into()),
            email: Some("anna@example.com".into()),
            phone: Some("+48 600 000 001".into()),
            street: Some("Polna 2".into()),
            postal_code: Some("00-002".into()),
            city: Some("Łódź".into()),
            country: Some("PL".into()),
            active: true,
            origin: Origin::Local,
            version: 0,
            updated_at: 0,
            previewable: true,
            editable: true,
        }
    }

    #[test]
    fn a_create_is_one_call_with_every_child() {
        let refs = Refs { categories: vec![1, 2], country: Some(7) };
        let values = create_values(&customer(), "P-7", &settings(&[]), &refs);
        assert_eq!(
            values,
            json!({
                "code": "P-7", "name": "Anna Nowak", "categories": [["add", [1, 2]]],
                "contact_mechanisms": [["create", [{"type": "email", "value": "anna@example.com"},
                                                   {"type": "phone", "value": "+48 600 000 001"}]]],
                "addresses": [["create", [{"street": "Polna 2", "postal_code": "00-002", "city": "Łódź", "country": 7}]]],
                "identifiers": [["create", [{"type": "eu_vat", "code": "PL5260250274"}]]]
            })
        );
        let mut company = customer();
        (company.first_name, company.last_name, company.company) = (String::new(), "ACME".into(), Some("ACME".into()));
        (
            company.email,
            company.phone,
            company.tax_id,
            company.street,
            company.postal_code,
            company.city,
            company.country,
        ) = (None, None, None, None, None, None, None);
        let values = create_values(&company, "P-8", &settings(&[]), &Refs { categories: vec![1], country: None });
        assert_eq!(values, json!({"code": "P-8", "name": "ACME", "categories": [["add", [1]]]}));
    }

    #[test]
    fn the_eu_vat_prefix_comes_from_the_country() {
        assert_eq!(tax_code("5260250274", "eu_vat", Some("pl")), "PL5260250274");
        assert_eq!(tax_code("094259216", "eu_vat", Some("GR")), "EL094259216");
        assert_eq!(tax_code("BE0123456789", "eu_vat", Some("NL")), "BE0123456789");
        assert_eq!(tax_code("5260250274", "ch_vat", Some("PL")), "5260250274");
        assert_eq!(tax_code("5260250274", "eu_vat", None), "5260250274");
    }

    #[test]
    fn an_update_changes_children_in_place() {
        let settings = settings(&[]);
        let party = Party::from_json(&observed()).unwrap();
        let mut wanted = party.customer(&settings);
        assert!(update_values(&party, &wanted, &settings, &Refs { categories: vec![], country: Some(1) }).is_empty());
        assert!(holds(&party, &wanted, &settings));
        wanted.email = Some("new@example.com".into());
        wanted.phone = None;
        wanted.tax_id = Some("5260250274".into()); // the same number without its prefix
        wanted.city = Some("Kraków".into());
        wanted.last_name = "Kowalska".into();
        let values = update_values(&party, &wanted, &settings, &Refs { categories: vec![], country: Some(1) });
        assert_eq!(
            Value::Object(values),
            json!({
                "name": "Łukasz Kowalska",
                "contact_mechanisms": [["write", [1], {"value": "new@example.com"}], ["delete", [3]]],
                "addresses": [["write", [1], {"street": "ul. Długa 1", "postal_code": "00-001", "city": "Kraków", "country": 1}]]
            })
        );
        assert!(!holds(&party, &wanted, &settings));
        wanted.tax_id = Some("PL1234563218".into());
        let values = update_values(&party, &wanted, &settings, &Refs { categories: vec![], country: Some(1) });
        assert_eq!(values["identifiers"], json!([["write", [1], {"code": "PL1234563218"}]]));
    }

    #[test]
    fn a_replay_is_recognised_despite_tryton_s_formatting() {
        let settings = settings(&[]);
        let party = Party::from_json(&observed()).unwrap();
        let mut sent = customer();
        (sent.first_name, sent.last_name) = ("łukasz".into(), "KOWALSKI".into());
        (sent.tax_id, sent.email, sent.phone) =
            (Some("5260250274".into()), Some("LK@example.com".into()), Some("+4822100300".into()));
        (sent.street, sent.postal_code, sent.city, sent.country) =
            (Some("ul. Długa 1".into()), Some("00001".into()), Some("warszawa".into()), Some("pl".into()));
        assert!(holds(&party, &sent, &settings));
        sent.city = Some("Kraków".into());
        assert!(!holds(&party, &sent, &settings));
    }
}
