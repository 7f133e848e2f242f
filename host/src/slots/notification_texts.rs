//! The `notification-texts` slot: the words the operator reads.

use super::{SlotId, check};
use crate::bindings::Message;
use crate::policy::PluginConfig;
use crate::cases::{Shown, Wit};
use crate::runtime::{Decided, Shows, Slot};
use pos_seed_rules::texts;
use std::future::ready;

versioned_slot!(
    NotificationTextsKind,
    SlotId::NotificationTexts,
    notification_texts::{NotificationTexts, NotificationTextsPre},
    pos_plugin_texts
);

impl Slot<NotificationTextsKind> {
    /// The text of `message` in `locale`. When the plugin has no text for the key the
    /// built-in text is used, and when there is none either the key itself is shown, so the
    /// operator always reads something.
    pub async fn render(&self, message: &Message, locale: &str) -> Decided<String> {
        let decided = self.render_raw(message, locale).await;
        match decided.value {
            Some(value) => Decided { value, source: decided.source },
            None => Decided { value: fallback_render(&self.config(), message, locale), source: decided.source },
        }
    }

    /// The plugin's own answer, checked: `None` when it has no text for the key, which
    /// [`Slot::render`] replaces with the built-in text. For tools that test the plugin.
    pub async fn render_raw(&self, message: &Message, locale: &str) -> Decided<Option<String>> {
        let owned = || (message.clone(), locale.to_owned());
        let show = |(message, locale): &(Message, String)| vec![message.show(), Shown::Text(locale.clone())];
        self.shadowed("render", self.ask_render_raw(message, locale), owned, show, |shadow, (message, locale)| async move {
            shadow.slot.ask_render_raw(&message, &locale).await
        })
        .await
    }

    /// [`Slot::render_raw`] without the shadow plugin.
    async fn ask_render_raw(&self, message: &Message, locale: &str) -> Decided<Option<String>> {
        self.decide(
            "render",
            Some(Shows::new(&|| vec![message.show(), Shown::Text(locale.to_owned())])),
            |mut store, bindings| async move {
                store.data_mut().known().message(message);
                let result = match bindings {
                    Bindings::V0_2(b) => b.pos_plugin_texts().call_render(&mut store, message, locale).await,
                    Bindings::V0_1(b) => b.pos_plugin_texts().call_render(&mut store, message, locale).await,
                };
                (store, result)
            },
            |text| text.as_deref().map_or(Ok(()), check::text),
            |config| ready(Some(fallback_render(&config, message, locale))),
        )
        .await
    }
}

/// The text of `message` in `locale` that `config` sets, else the shipped one; the key and
/// its arguments when there is none.
pub fn fallback_render(config: &PluginConfig, message: &Message, locale: &str) -> String {
    let args = message.args.iter().map(|arg| (arg.name.as_str(), arg.value.as_str()));
    match texts::configured(config, &message.key, locale) {
        Some(template) => texts::fill(template, args),
        None => {
            let args: Vec<String> = args.map(|(name, value)| format!("{name}={value}")).collect();
            if args.is_empty() { message.key.clone() } else { format!("{} ({})", message.key, args.join(", ")) }
        }
    }
}
