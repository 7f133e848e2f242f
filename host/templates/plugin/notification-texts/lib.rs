//! A `notification-texts` plugin: the words the operator reads.
//!
//! The host calls `render` with a message (a stable key such as `local-no-results`, plus
//! named arguments) and the operator's locale. This plugin words a few keys itself and
//! answers `None` for every other one, so that the host shows its built-in text there.
//!
//! Config (optional): `fallback-locale`, such as `"en"`: a key this plugin words, but not in
//! the operator's locale, is worded in that locale rather than by the host's built-in text.

use pos_plugin_sdk::notification_texts::Guest;
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, Message};
use pos_plugin_sdk::{Config, ConfigErrors};

/// The texts this plugin words: key, locale, text. `{name}` is replaced by the message's
/// argument `name`.
const TEXTS: &[(&str, &str, &str)] = &[
    ("local-no-results", "en", "No customers found here. Search the ERP as well?"),
    ("local-no-results", "nl", "Geen klanten gevonden. Ook in het ERP zoeken?"),
    (
        "existing-customer-overwritten",
        "en",
        "The web shop says {web-last-name}, this till says {local-last-name}. Continue with {local-last-name}?",
    ),
];

/// What the config says.
struct Settings {
    fallback_locale: Option<String>,
}

/// Reads the config, recording every problem in `errors`.
fn settings(config: &Config, errors: &mut ConfigErrors) -> Settings {
    config.reject_unknown(&["fallback-locale"], &[], errors);
    let fallback_locale = config.text("fallback-locale", errors).map(String::from);
    if let Some(locale) = &fallback_locale
        && !is_locale(locale)
    {
        errors.push("fallback-locale", format!("`{locale}` is not a locale such as `en` or `nl-BE`"));
    }
    Settings { fallback_locale }
}

/// `xx` or `xx-YY`.
fn is_locale(text: &str) -> bool {
    let (language, region) = text.split_once('-').unwrap_or((text, "AA"));
    language.len() == 2
        && language.chars().all(|c| c.is_ascii_lowercase())
        && region.len() == 2
        && region.chars().all(|c| c.is_ascii_uppercase())
}

/// The text of `key` in `locale`, if this plugin words it.
fn template(key: &str, locale: &str) -> Option<&'static str> {
    TEXTS.iter().find(|(k, l, _)| *k == key && *l == locale).map(|(_, _, text)| *text)
}

/// The words for `message` in `locale`; `None` leaves it to the host's built-in text.
fn text(message: &Message, locale: &str, settings: &Settings) -> Option<String> {
    let template =
        template(&message.key, locale).or_else(|| template(&message.key, settings.fallback_locale.as_deref()?))?;
    let filled = message
        .args
        .iter()
        .fold(template.to_owned(), |text, arg| text.replace(&format!("{{{}}}", arg.name), &arg.value));
    Some(filled)
}

struct Plugin;

impl Guest for Plugin {
    fn render(message: Message, locale: String) -> Option<String> {
        // The host refuses a config that `validate_config` refuses, so no problem is left here.
        let settings = settings(&Config::load(), &mut ConfigErrors::default());
        text(&message, &locale, &settings)
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        settings(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::notification_texts::export!(Plugin);

// The logic above is plain Rust: these tests run natively with `cargo test`, without the
// host. Calling a hook itself needs the host (`Config::load` asks it for the config); that is
// what `pos-host plugin test` does with cases.toml.
#[cfg(test)]
mod tests {
    use super::*;
    use pos_plugin_sdk::message;
    use pos_plugin_sdk::types::{ConfigEntry, ConfigValue};

    fn config(entries: &[(&str, &str)]) -> Vec<ConfigEntry> {
        let text = |(key, value): &(&str, &str)| ConfigEntry {
            key: key.to_string(),
            value: ConfigValue::Text(value.to_string()),
        };
        entries.iter().map(text).collect()
    }

    #[test]
    fn words_its_keys_and_leaves_the_others_to_the_host() {
        let settings = Settings { fallback_locale: None };
        let no_results = message("local-no-results", []);
        assert_eq!(
            text(&no_results, "nl", &settings).as_deref(),
            Some("Geen klanten gevonden. Ook in het ERP zoeken?")
        );
        assert_eq!(text(&no_results, "pl", &settings), None);
        assert_eq!(text(&message("erp-no-results", []), "en", &settings), None);
    }

    #[test]
    fn fills_in_the_arguments() {
        let settings = Settings { fallback_locale: Some("en".into()) };
        let overwritten =
            message("existing-customer-overwritten", [("web-last-name", "Kowalski"), ("local-last-name", "Kowalska")]);
        assert_eq!(
            text(&overwritten, "pl", &settings).as_deref(),
            Some("The web shop says Kowalski, this till says Kowalska. Continue with Kowalska?")
        );
    }

    #[test]
    fn refuses_a_bad_config() {
        assert!(Plugin::validate_config(config(&[("fallback-locale", "nl")])).is_ok());
        let errors = Plugin::validate_config(config(&[("fallback-locale", "Dutch"), ("colour", "red")])).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["colour", "fallback-locale"]);
    }
}
