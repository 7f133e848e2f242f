//! The Python build of the notification-texts plugin (`plugins/python/notification-texts`),
//! made by componentize-py against the shipped `notification-texts` world of `wit/v0.2.0`
//! unchanged: it loads with no grant, renders the Rust plugin's texts for every key and
//! locale, and gives its verdict on every config.

use crate::js_plugin::{config_verdict, message, rust_texts, texts_configs};
use pos_host::Source;
use pos_host::caps::Capabilities;
use pos_host::runtime::Slot;
use pos_host::slots::NotificationTextsKind;
use pos_seed_rules::texts::TEXTS;
use pos_tests::{artifacts, js_plugin, load, runtime, spec};
use tokio::sync::OnceCell;

/// The component, compiled into the shared cache once before the tests load it.
async fn component() -> String {
    static COMPILED: OnceCell<()> = OnceCell::const_new();
    let path = js_plugin::python_texts().to_str().unwrap().to_owned();
    COMPILED
        .get_or_init(|| async {
            load::<NotificationTextsKind>(&runtime(Capabilities::default()), &spec(&path, &[], ""))
                .await
                .unwrap_or_else(|error| panic!("{error}"));
        })
        .await;
    path
}

async fn python_texts(config: &str) -> Slot<NotificationTextsKind> {
    let path = component().await;
    let plugin = load(&runtime(Capabilities::default()), &spec(&path, &[], config)).await;
    let plugin = plugin.unwrap_or_else(|error| panic!("{error}"));
    assert!(plugin.info.imports.iter().all(|import| import.capability.is_none()), "{:?}", plugin.info.imports);
    Slot::new(Some(plugin))
}

#[tokio::test]
async fn renders_what_the_rust_plugin_renders_for_every_key_and_locale() {
    let config =
        "texts.en.edge = \"{a}{b} {missing} {} {{a}} }{a}{ {unclosed\"\ntexts.de.local-no-results = \"Keine {a}\"";
    let (python, rust) = (python_texts(config).await, rust_texts(config).await);
    let mut keys: Vec<&str> = TEXTS.iter().map(|text| text.key).collect();
    keys.extend(["no-such-key", "", "edge", "__init__"]);
    let args = [("a", "1"), ("a", "2"), ("b", "{a}"), ("web-last-name", "Jansen"), ("name", "Zoë Wójcik 😀")];
    for key in &keys {
        for locale in ["en", "pl", "nl", "de", "", "EN"] {
            for args in [&[][..], &args[..]] {
                let message = message(key, args);
                let (from_python, from_rust) =
                    (python.render(&message, locale).await, rust.render(&message, locale).await);
                assert_eq!(from_python.value, from_rust.value, "{key} in {locale:?} with {args:?}");
                assert_eq!(from_python.source, Source::Plugin("notification-texts-py".into()), "{key} in {locale:?}");
            }
        }
    }
    assert_eq!(python.stats().failures(), 0, "{:?}", python.stats().last_failure());
}

#[tokio::test]
async fn config_is_validated_as_in_the_rust_plugin() {
    let python = component().await;
    for (config, should_pass) in texts_configs() {
        let from_rust = config_verdict(artifacts::NOTIFICATION_TEXTS, &config).await;
        assert_eq!(from_rust.is_ok(), should_pass, "{config:?}: {from_rust:?}");
        assert_eq!(config_verdict(&python, &config).await, from_rust, "{config:?}");
    }
}
