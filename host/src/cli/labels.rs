//! The labels the operator reads on the command line come from the console's table
//! (`serve/console/labels.json`), so that a till says the same in the browser and on the
//! terminal, in every locale.

use std::collections::HashMap;
use std::sync::LazyLock;

type Table = HashMap<String, HashMap<String, String>>;

static LABELS: LazyLock<Table> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../serve/console/labels.json")).expect("labels.json is a table of locales")
});

/// The label `key` in `locale`, else in English, else the key itself (as the console does).
pub fn label<'a>(locale: &str, key: &'a str) -> &'a str {
    LABELS
        .get(locale)
        .and_then(|labels| labels.get(key))
        .or_else(|| LABELS.get("en").and_then(|labels| labels.get(key)))
        .map_or(key, String::as_str)
}

/// The label `key` in `locale` with each `{name}` filled from `args`.
pub fn label_with(locale: &str, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(label(locale, key).to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_english_label() {
        let english = &LABELS["en"];
        for (locale, labels) in LABELS.iter() {
            let missing: Vec<&String> = english.keys().filter(|key| !labels.contains_key(*key)).collect();
            assert!(missing.is_empty(), "{locale} lacks {missing:?}");
            let extra: Vec<&String> = labels.keys().filter(|key| !english.contains_key(*key)).collect();
            assert!(extra.is_empty(), "{locale} has labels English lacks: {extra:?}");
        }
    }

    #[test]
    fn a_label_falls_back_to_english_then_to_its_key() {
        assert_eq!(label("pl", "list.local"), "Wyniki lokalne");
        assert_eq!(label("de", "list.local"), "Local results");
        assert_eq!(label("pl", "no.such.label"), "no.such.label");
        assert_eq!(
            label_with("nl", "list.more", &[("shown", "100")]),
            "De eerste 100 worden getoond; meer klanten komen overeen: verfijn de zoekopdracht."
        );
    }
}
