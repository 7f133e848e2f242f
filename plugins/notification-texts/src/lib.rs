//! The operator's texts: the seed texts verbatim in English, plus Polish and Dutch.
//!
//! Config: `texts.<locale>.<key> = "..."` overrides or adds one text; `{name}` placeholders
//! are filled from the message's arguments.

use pos_plugin_sdk::notification_texts::Guest;
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, ConfigValue, Message};
use pos_plugin_sdk::{Config, ConfigErrors};
use pos_seed_rules::texts;

/// The most characters an override may have; longer texts do not fit a POS notification.
const MAX_TEXT_CHARS: usize = 1000;

struct NotificationTexts;

impl Guest for NotificationTexts {
    fn render(message: Message, locale: String) -> Option<String> {
        let config = Config::load();
        let override_key = format!("texts.{locale}.{}", message.key);
        let template = match config.get(&override_key) {
            Some(ConfigValue::Text(text)) => text.as_str(),
            _ => texts::template(&message.key, &locale)?,
        };
        let args = message.args.iter().map(|arg| (arg.name.as_str(), arg.value.as_str()));
        Some(texts::fill(template, args))
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let config = Config::new(config);
        let mut errors = ConfigErrors::default();
        config.reject_unknown(&[], &["texts."], &mut errors);
        for key in config.keys().filter(|key| key.starts_with("texts.")) {
            let Some((locale, text_key)) = key["texts.".len()..].split_once('.') else {
                errors.push(key, "expected `texts.<locale>.<message-key>`");
                continue;
            };
            if locale.is_empty() || !locale.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                errors.push(key, format!("`{locale}` is not a locale such as `en`, `pl` or `nl`"));
            }
            if text_key.is_empty() {
                errors.push(key, "the message key is empty");
            }
            if let Some(text) = config.text(key, &mut errors) {
                if text.trim().is_empty() {
                    errors.push(key, "the text is empty");
                } else if text.chars().count() > MAX_TEXT_CHARS {
                    errors.push(key, format!("the text is longer than {MAX_TEXT_CHARS} characters"));
                }
            }
        }
        errors.into_result()
    }
}

pos_plugin_sdk::notification_texts::export!(NotificationTexts);
