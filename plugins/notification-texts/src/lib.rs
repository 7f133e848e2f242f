//! The operator's texts: the seed texts verbatim in English, plus Polish and Dutch.
//!
//! Config: `texts.<locale>.<key> = "..."` overrides or adds one text; `{name}` placeholders
//! are filled from the message's arguments.

use pos_plugin_sdk::notification_texts::Guest;
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, Message};
use pos_plugin_sdk::{Config, ConfigErrors};
use pos_seed_rules::texts;

struct NotificationTexts;

impl Guest for NotificationTexts {
    fn render(message: Message, locale: String) -> Option<String> {
        let config = Config::load();
        let template = texts::configured(&config, &message.key, &locale)?;
        let args = message.args.iter().map(|arg| (arg.name.as_str(), arg.value.as_str()));
        Some(texts::fill(template, args))
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        texts::check_config(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::notification_texts::export!(NotificationTexts);
