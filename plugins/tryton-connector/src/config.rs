//! The slot's config table, read into [`Settings`]. `validate-config` reports every problem;
//! the operations read the same table again, already validated at load.

use pos_plugin_sdk::{Config, ConfigErrors};

/// Every key the connector reads; any other is refused, so that a misspelt key is not
/// silently ignored.
pub const KEYS: [&str; 15] = [
    "database",
    "user",
    "customer-category",
    "available-to",
    "name-order",
    "company-categories",
    "tax-identifier-types",
    "new-tax-identifier-type",
    "phone-types",
    "read-only-categories",
    "hidden-categories",
    "online-search",
    "overlap-seconds",
    "available-every-minutes",
    "language",
];

/// The contact mechanism types that may hold the phone number: the ones a person can be
/// called at.
const PHONE_TYPES: [&str; 5] = ["phone", "mobile", "fax", "sip", "skype"];

/// Which parties this workstation sees, besides the customer category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Availability {
    /// Every customer.
    All,
    /// Customers tagged with this category too; `{workstation}` stands for the workstation's id.
    Category(String),
}

impl Availability {
    /// The category name for `workstation`, if one is needed.
    pub fn category(&self, workstation: &str) -> Option<String> {
        match self {
            Availability::All => None,
            Availability::Category(template) => Some(template.replace("{workstation}", workstation)),
        }
    }
}

/// How a party's single `name` splits into first and last name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameOrder {
    /// "Jan Maria Kowalski": the last word is the last name, the words before it the first name.
    FirstLast,
    /// "Kowalski Jan Maria": the first word is the last name, the words after it the first name.
    LastFirst,
    /// The whole name is the last name, the first name stays empty.
    LastOnly,
}

/// The connector's settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub database: String,
    pub user: String,
    pub customer_category: String,
    pub available_to: Availability,
    pub name_order: NameOrder,
    pub company_categories: Vec<String>,
    /// `None`: Tryton's own tax identifier (the first identifier of any tax type it knows).
    pub tax_identifier_types: Option<Vec<String>>,
    pub new_tax_identifier_type: String,
    pub phone_types: Vec<String>,
    pub read_only_categories: Vec<String>,
    pub hidden_categories: Vec<String>,
    pub online_search: bool,
    pub overlap_seconds: u32,
    /// 0: the full list of available numbers only when the log shows a deleted party.
    pub available_every_minutes: u32,
    pub language: String,
}

impl Settings {
    /// Reads the table, recording every problem in `errors`; a bad value gives its default.
    pub fn read(config: &Config, errors: &mut ConfigErrors) -> Settings {
        config.reject_unknown(&KEYS, &[], errors);
        let database = required(config, "database", errors);
        if database.contains(['/', '?', '#', ' ']) {
            errors.push("database", format!("`{database}` is not a database name: it holds `/`, `?`, `#` or a space"));
        }
        let user = required(config, "user", errors);
        let customer_category = name(config, "customer-category", "Customer", errors);
        let available_to = match config.text("available-to", errors) {
            None | Some("all") => Availability::All,
            Some(template) => {
                let rest = template.replace("{workstation}", "");
                if rest.trim().is_empty() && !template.contains("{workstation}") {
                    errors.push("available-to", "must be `all` or a category name, such as `POS {workstation}`");
                } else if rest.contains(['{', '}']) {
                    errors.push(
                        "available-to",
                        format!("`{template}`: the only placeholder is `{{workstation}}`, the workstation's id"),
                    );
                }
                Availability::Category(template.to_owned())
            }
        };
        let name_order = match config.text("name-order", errors) {
            None | Some("first-last") => NameOrder::FirstLast,
            Some("last-first") => NameOrder::LastFirst,
            Some("last-only") => NameOrder::LastOnly,
            Some(other) => {
                errors.push("name-order", format!("`{other}` is not one of `first-last`, `last-first`, `last-only`"));
                NameOrder::FirstLast
            }
        };
        let company_categories = names(config, "company-categories", errors).unwrap_or_default();
        let tax_identifier_types = types(config, "tax-identifier-types", errors);
        let new_tax_identifier_type = match config.text("new-tax-identifier-type", errors) {
            None => tax_identifier_types.as_ref().and_then(|t| t.first().cloned()).unwrap_or_else(|| "eu_vat".into()),
            Some(kind) if is_type(kind) => kind.to_owned(),
            Some(kind) => {
                errors.push(
                    "new-tax-identifier-type",
                    format!("`{kind}` is not a Tryton identifier type such as `eu_vat`"),
                );
                "eu_vat".into()
            }
        };
        let phone_types = match config.text_list("phone-types", errors) {
            None => vec!["phone".to_owned(), "mobile".to_owned()],
            Some([]) => {
                errors.push("phone-types", "must name at least one contact mechanism type, such as `phone`");
                vec!["phone".to_owned()]
            }
            Some(list) => {
                for kind in list.iter().filter(|kind| !PHONE_TYPES.contains(&kind.as_str())) {
                    errors.push("phone-types", format!("`{kind}` is not one of {}", PHONE_TYPES.join(", ")));
                }
                list.to_vec()
            }
        };
        let read_only_categories = names(config, "read-only-categories", errors).unwrap_or_default();
        let hidden_categories = names(config, "hidden-categories", errors).unwrap_or_default();
        let online_search = config.boolean("online-search", true, errors);
        let overlap_seconds = config.u32_in("overlap-seconds", 30, 0..=3600, errors);
        let available_every_minutes = config.u32_in("available-every-minutes", 1440, 0..=10080, errors);
        let language = match config.text("language", errors) {
            None => "en".to_owned(),
            Some(code) if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                code.to_owned()
            }
            Some(code) => {
                errors.push("language", format!("`{code}` is not a Tryton language code such as `en` or `pl`"));
                "en".to_owned()
            }
        };
        Settings {
            database,
            user,
            customer_category,
            available_to,
            name_order,
            company_categories,
            tax_identifier_types,
            new_tax_identifier_type,
            phone_types,
            read_only_categories,
            hidden_categories,
            online_search,
            overlap_seconds,
            available_every_minutes,
            language,
        }
    }

    /// The settings of the running call; the host validated the table at load.
    pub fn load() -> Settings {
        Settings::read(&Config::load(), &mut ConfigErrors::default())
    }
}

fn required(config: &Config, key: &str, errors: &mut ConfigErrors) -> String {
    match config.get(key) {
        None => {
            errors.push(key, "is required");
            String::new()
        }
        Some(_) => match config.text(key, errors) {
            Some(value) if value.trim().is_empty() => {
                errors.push(key, "must not be empty");
                String::new()
            }
            value => value.unwrap_or_default().to_owned(),
        },
    }
}

fn name(config: &Config, key: &str, default: &str, errors: &mut ConfigErrors) -> String {
    match config.text(key, errors) {
        None => default.to_owned(),
        Some(value) if value.trim().is_empty() => {
            errors.push(key, "must be a category name, not empty");
            default.to_owned()
        }
        Some(value) => value.to_owned(),
    }
}

fn names(config: &Config, key: &str, errors: &mut ConfigErrors) -> Option<Vec<String>> {
    let list = config.text_list(key, errors)?;
    if list.iter().any(|name| name.trim().is_empty()) {
        errors.push(key, "holds an empty category name");
    }
    Some(list.to_vec())
}

fn types(config: &Config, key: &str, errors: &mut ConfigErrors) -> Option<Vec<String>> {
    let list = config.text_list(key, errors)?;
    if list.is_empty() {
        errors
            .push(key, "must name at least one identifier type, such as `eu_vat`; leave it out for Tryton's own list");
        return None;
    }
    for kind in list.iter().filter(|kind| !is_type(kind)) {
        errors.push(key, format!("`{kind}` is not a Tryton identifier type such as `eu_vat`"));
    }
    Some(list.to_vec())
}

/// Tryton's identifier types are lower-case codes such as `eu_vat` or `ar_cuit`.
fn is_type(kind: &str) -> bool {
    !kind.is_empty() && kind.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use pos_plugin_sdk::types::{ConfigEntry, ConfigValue};

    fn text(key: &str, value: &str) -> ConfigEntry {
        ConfigEntry { key: key.into(), value: ConfigValue::Text(value.into()) }
    }

    fn list(key: &str, values: &[&str]) -> ConfigEntry {
        ConfigEntry { key: key.into(), value: ConfigValue::TextList(values.iter().map(|v| v.to_string()).collect()) }
    }

    fn read(entries: Vec<ConfigEntry>) -> (Settings, Vec<(String, String)>) {
        let mut errors = ConfigErrors::default();
        let settings = Settings::read(&Config::new(entries), &mut errors);
        (settings, errors.0.into_iter().map(|e| (e.key, e.message)).collect())
    }

    #[test]
    fn the_test_server_s_config_is_enough() {
        let (settings, errors) = read(vec![text("database", "pos"), text("user", "admin")]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(settings.customer_category, "Customer");
        assert_eq!(settings.available_to, Availability::All);
        assert_eq!(settings.name_order, NameOrder::FirstLast);
        assert_eq!(settings.tax_identifier_types, None);
        assert_eq!(settings.new_tax_identifier_type, "eu_vat");
        assert_eq!(settings.phone_types, ["phone", "mobile"]);
        assert!(settings.online_search);
        assert_eq!((settings.overlap_seconds, settings.available_every_minutes), (30, 1440));
    }

    #[test]
    fn every_problem_names_its_key() {
        let (_, errors) = read(vec![
            text("user", " "),
            text("name-order", "surname-first"),
            list("tax-identifier-types", &["eu_vat", "EU VAT"]),
            list("phone-types", &["email"]),
            text("available-to", "POS {till}"),
            ConfigEntry { key: "overlap-seconds".into(), value: ConfigValue::Integer(7200) },
            ConfigEntry { key: "online-search".into(), value: ConfigValue::Text("yes".into()) },
            text("pasword", "x"),
        ]);
        let keys: Vec<&str> = errors.iter().map(|(key, _)| key.as_str()).collect();
        for key in [
            "database",
            "user",
            "name-order",
            "tax-identifier-types",
            "phone-types",
            "available-to",
            "overlap-seconds",
            "online-search",
            "pasword",
        ] {
            assert!(keys.contains(&key), "no problem reported for {key}: {errors:?}");
        }
        assert!(errors.iter().any(|(key, message)| key == "database" && message == "is required"));
    }

    #[test]
    fn the_workstation_s_category_comes_from_the_template() {
        let (settings, errors) =
            read(vec![text("database", "pos"), text("user", "pos-01"), text("available-to", "POS {workstation}")]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(settings.available_to.category("pos-01").as_deref(), Some("POS pos-01"));
        assert_eq!(Availability::All.category("pos-01"), None);
    }

    #[test]
    fn the_new_tax_identifier_type_defaults_to_the_first_listed() {
        let (settings, errors) =
            read(vec![text("database", "pos"), text("user", "u"), list("tax-identifier-types", &["ch_vat", "eu_vat"])]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(settings.new_tax_identifier_type, "ch_vat");
    }
}
