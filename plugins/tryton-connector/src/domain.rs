//! Tryton search domains: which parties are this workstation's customers, and what the
//! operator's phrase and filters ask for.
//!
//! Tryton's `ilike` folds only ASCII letters: `%Łukasz%` finds "Łukasz" but `%łukasz%` does
//! not. A word with other letters is therefore also searched as typed, in lower case, in upper
//! case and capitalised, which finds names written the usual ways; diacritics are not folded
//! ("lukasz" does not find "Łukasz"). The filters are sent as a wider `ilike` and checked here
//! afterwards, with case and the common diacritics folded.

use crate::config::Settings;
use pos_plugin_sdk::types::{Customer, Field, Filter};
use serde_json::{Value, json};

/// The clauses every customer of this workstation satisfies, active or not.
pub fn customers(settings: &Settings, workstation: &str) -> Vec<Value> {
    let mut clauses = vec![json!(["categories.name", "=", settings.customer_category])];
    if let Some(category) = settings.available_to.category(workstation) {
        clauses.push(json!(["categories.name", "=", category]));
    }
    clauses
}

/// The clause that keeps active parties only.
pub fn active() -> Value {
    json!(["active", "=", true])
}

/// `text` with Tryton's `like` wildcards escaped (its escape character is the backslash).
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The spellings a word is searched in, since `ilike` folds ASCII letters only.
pub fn case_variants(word: &str) -> Vec<String> {
    let mut variants = vec![word.to_owned()];
    if word.chars().any(|c| !c.is_ascii() && c.is_alphabetic()) {
        let lower = word.to_lowercase();
        let mut chars = lower.chars();
        let capitalised: String = chars.next().into_iter().flat_map(char::to_uppercase).chain(chars).collect();
        for variant in [lower, word.to_uppercase(), capitalised] {
            if !variants.contains(&variant) {
                variants.push(variant);
            }
        }
    }
    variants
}

/// One word of the phrase: in the name, the contact mechanisms or the city, or at the start
/// of the code or an identifier (which `rec_name` covers), or anywhere in an identifier, such
/// as a VAT number typed without its country prefix.
pub fn word(word: &str) -> Value {
    let mut clauses = vec![json!("OR")];
    for variant in case_variants(word) {
        let contains = format!("%{}%", escape(&variant));
        clauses.push(json!(["rec_name", "ilike", contains]));
        clauses.push(json!(["identifiers.code", "ilike", contains]));
        clauses.push(json!(["addresses.city", "ilike", contains]));
    }
    Value::Array(clauses)
}

/// The wider clause a filter is sent as: the field that holds the value, containing it
/// (a name's words are not separate fields in Tryton).
pub fn filter(filter: &Filter) -> Value {
    let (path, anywhere) = match filter.field {
        Field::Number => ("code", false),
        Field::FirstName | Field::LastName | Field::Company => ("name", true),
        Field::TaxId => ("identifiers.code", true),
        Field::Email | Field::Phone => ("contact_mechanisms.value", true),
        Field::Street => ("addresses.street", false),
        Field::PostalCode => ("addresses.postal_code", false),
        Field::City => ("addresses.city", false),
        Field::Country => ("addresses.country.code", false),
    };
    let mut clauses = vec![json!("OR")];
    for variant in case_variants(filter.value.trim()) {
        let pattern = if anywhere { format!("%{}%", escape(&variant)) } else { format!("{}%", escape(&variant)) };
        clauses.push(json!([path, "ilike", pattern]));
    }
    Value::Array(clauses)
}

/// The whole search domain.
pub fn search(settings: &Settings, workstation: &str, phrase: &str, filters: &[Filter], inactive: bool) -> Value {
    let mut clauses = customers(settings, workstation);
    if !inactive {
        clauses.push(active());
    }
    clauses.extend(phrase.split_whitespace().map(word));
    clauses.extend(filters.iter().filter(|f| !f.value.trim().is_empty()).map(filter));
    Value::Array(clauses)
}

/// Lower case without the diacritics of the Latin alphabets the POS meets.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ā' | 'ă' => 'a',
            'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => 'c',
            'ď' | 'đ' => 'd',
            'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' | 'ē' | 'ė' => 'e',
            'ğ' | 'ģ' => 'g',
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
            'ķ' => 'k',
            'ł' | 'ľ' | 'ĺ' | 'ļ' => 'l',
            'ñ' | 'ń' | 'ň' | 'ņ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'ō' => 'o',
            'ř' | 'ŕ' => 'r',
            'ś' | 'š' | 'ş' | 'ș' => 's',
            'ť' | 'ţ' | 'ț' => 't',
            'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' | 'ū' | 'ų' => 'u',
            'ý' | 'ÿ' => 'y',
            'ź' | 'ż' | 'ž' => 'z',
            other => other,
        })
        .collect()
}

/// Whether a found customer holds what the filter asks: the field starts with the value,
/// case and diacritics folded. Phone numbers and tax ids are found by any part of their
/// digits, as they are often typed without their country code or prefix.
pub fn accepts(customer: &Customer, filter: &Filter) -> bool {
    let value = match filter.field {
        Field::Number => customer.number.as_deref(),
        Field::FirstName => Some(customer.first_name.as_str()),
        Field::LastName => Some(customer.last_name.as_str()),
        Field::Company => customer.company.as_deref(),
        Field::TaxId => customer.tax_id.as_deref(),
        Field::Email => customer.email.as_deref(),
        Field::Phone => customer.phone.as_deref(),
        Field::Street => customer.street.as_deref(),
        Field::PostalCode => customer.postal_code.as_deref(),
        Field::City => customer.city.as_deref(),
        Field::Country => customer.country.as_deref(),
    };
    let Some(value) = value else { return false };
    let wanted = filter.value.trim();
    match filter.field {
        Field::Phone => {
            let digits = |text: &str| text.chars().filter(char::is_ascii_digit).collect::<String>();
            digits(value).contains(&digits(wanted))
        }
        Field::TaxId => {
            let compact =
                |text: &str| text.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
            compact(value).contains(&compact(wanted))
        }
        // Any word of a name may be the one the operator starts typing.
        Field::FirstName | Field::LastName | Field::Company => {
            let wanted = fold(wanted);
            let value = fold(value);
            value.starts_with(&wanted) || value.split_whitespace().any(|word| word.starts_with(&wanted))
        }
        _ => fold(value).starts_with(&fold(wanted)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Availability, Settings};
    use pos_plugin_sdk::types::{ConfigEntry, ConfigValue, Origin};
    use pos_plugin_sdk::{Config, ConfigErrors};

    fn settings() -> Settings {
        let entries = vec![
            ConfigEntry { key: "database".into(), value: ConfigValue::Text("pos".into()) },
            ConfigEntry { key: "user".into(), value: ConfigValue::Text("admin".into()) },
        ];
        Settings::read(&Config::new(entries), &mut ConfigErrors::default())
    }

    #[test]
    fn a_lower_case_polish_word_is_also_searched_capitalised() {
        assert_eq!(case_variants("łukasz"), ["łukasz", "ŁUKASZ", "Łukasz"]);
        assert_eq!(case_variants("Łukasz"), ["Łukasz", "łukasz", "ŁUKASZ"]);
        // ASCII words: `ilike` folds them already.
        assert_eq!(case_variants("kowalski"), ["kowalski"]);
    }

    #[test]
    fn the_domain_holds_the_customers_the_words_and_the_filters() {
        let mut settings = settings();
        settings.available_to = Availability::Category("POS {workstation}".into());
        let filters = [Filter { field: Field::City, value: "War".into() }];
        let domain = search(&settings, "pos-01", " kow  50%_off ", &filters, false);
        assert_eq!(
            domain,
            json!([
                ["categories.name", "=", "Customer"],
                ["categories.name", "=", "POS pos-01"],
                ["active", "=", true],
                [
                    "OR",
                    ["rec_name", "ilike", "%kow%"],
                    ["identifiers.code", "ilike", "%kow%"],
                    ["addresses.city", "ilike", "%kow%"]
                ],
                [
                    "OR",
                    ["rec_name", "ilike", "%50\\%\\_off%"],
                    ["identifiers.code", "ilike", "%50\\%\\_off%"],
                    ["addresses.city", "ilike", "%50\\%\\_off%"]
                ],
                ["OR", ["addresses.city", "ilike", "War%"]]
            ])
        );
        let all = search(&self::settings(), "pos-01", "", &[], true);
        assert_eq!(all, json!([["categories.name", "=", "Customer"]]));
    }

    fn customer() -> Customer {
        Customer {
            number: Some("C-1".into()),
            web_id: None,
            first_name: "Łukasz Jan".into(),
            last_name: "Kowalski".into(),
            company: None,
            tax_id: Some("PL5260250274".into()),
            email: Some("lk@example.com".into()),
            phone: Some("+48 600 100 200".into()),
            street: None,
            postal_code: Some("00-001".into()),
            city: Some("Łódź".into()),
            country: Some("PL".into()),
            active: true,
            origin: Origin::Erp,
            version: 1,
            updated_at: 0,
            previewable: true,
            editable: true,
        }
    }

    #[test]
    fn filters_are_checked_with_case_and_diacritics_folded() {
        let check = |field, value: &str| accepts(&customer(), &Filter { field, value: value.into() });
        assert!(check(Field::FirstName, "lukasz"));
        assert!(check(Field::FirstName, "jan"));
        assert!(!check(Field::FirstName, "kowal"));
        assert!(check(Field::City, "LODZ"));
        assert!(check(Field::Phone, "48600"));
        assert!(check(Field::Phone, "600 100"));
        assert!(check(Field::TaxId, "526025"));
        assert!(check(Field::Number, "c-"));
        assert!(!check(Field::Street, "a"));
        assert!(!check(Field::Company, ""));
    }
}
