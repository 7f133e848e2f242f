//! The `notification-texts` plugin, called through the runtime.

use pos_host::Source;
use pos_host::bindings::{Argument, Message};
use pos_host::caps::Capabilities;
use pos_host::runtime::{LoadProblem, Slot};
use pos_host::slots::NotificationTextsKind;
use pos_tests::{artifacts, load, runtime, spec};

async fn slot(config: &str) -> Slot<NotificationTextsKind> {
    let runtime = runtime(Capabilities::default());
    Slot::new(Some(load(&runtime, &spec(artifacts::NOTIFICATION_TEXTS, &[], config)).await.unwrap()))
}

fn message(key: &str, args: &[(&str, &str)]) -> Message {
    Message {
        key: key.into(),
        args: args.iter().map(|(n, v)| Argument { name: (*n).into(), value: (*v).into() }).collect(),
    }
}

/// The seed document's texts, quoted verbatim.
const SEED_TEXTS: [(&str, &str); 6] = [
    ("local-no-results", "No search results. Do you want to continue searching also in the ERP system?"),
    ("local-no-exact-results", "No exact search results. Do you want to continue searching also in the ERP system?"),
    ("erp-connection-failed", "Failed to search in the ERP system. Connection with data service not established."),
    (
        "erp-too-many-results",
        "A considerable number of results have been found in the ERP system. Enter additional data and search again.",
    ),
    ("erp-no-results", "No search results found in ERP system"),
    ("erp-retrieve-failed", "Unable to retrieve the customer. Connection with the data service not established"),
];

#[tokio::test]
async fn english_texts_are_the_seed_verbatim() {
    let slot = slot("").await;
    for (key, text) in SEED_TEXTS {
        let rendered = slot.render(&message(key, &[]), "en").await;
        assert_eq!(rendered.source, Source::Plugin("notification_texts".into()));
        assert_eq!(rendered.value, text);
    }
}

#[tokio::test]
async fn polish_and_dutch_ship_for_every_key() {
    let slot = slot("").await;
    for (key, english) in SEED_TEXTS {
        for locale in ["pl", "nl"] {
            let text = slot.render(&message(key, &[]), locale).await.value;
            assert!(!text.is_empty() && text != english, "{key} in {locale}: {text}");
        }
    }
    assert_eq!(
        slot.render(&message("erp-no-results", &[]), "pl").await.value,
        "Nie znaleziono wyników wyszukiwania w systemie ERP"
    );
}

#[tokio::test]
async fn dutch_action_labels_are_the_seed_words() {
    let slot = slot("").await;
    for (key, label) in [
        ("action-check-web-customers", "Check webklanten"),
        ("action-take-over-local", "Neem lokale info over"),
        ("action-take-over-web", "Neem internetinfo over"),
        ("action-discard-web-customer", "Gooi webklant weg"),
        ("action-remove-from-web-edit-list", "Uit edit-lijst web"),
        ("action-check-local-edits", "Check lokale klantedits"),
        ("action-remove-from-local-edit-list", "Uit lokale editlijst"),
    ] {
        assert_eq!(slot.render(&message(key, &[]), "nl").await.value, label);
    }
}

#[tokio::test]
async fn arguments_are_filled_in() {
    let slot = slot("").await;
    let args = [("web-last-name", "Jansen"), ("local-last-name", "de Vries")];
    let text = slot.render(&message("existing-customer-overwritten", &args), "en").await.value;
    assert!(text.contains("(Jansen) differs from the local last name (de Vries)"), "{text}");
}

#[tokio::test]
async fn config_overrides_one_text_per_locale() {
    let slot =
        slot("texts.en.erp-no-results = \"Nothing in the ERP for {phrase}\"\ntexts.nl.brand-new = \"Nieuw\"").await;
    let rendered = slot.render(&message("erp-no-results", &[("phrase", "Kowal")]), "en").await;
    assert_eq!(rendered.value, "Nothing in the ERP for Kowal");
    assert_eq!(slot.render(&message("brand-new", &[]), "nl").await.value, "Nieuw");
    assert_eq!(
        slot.render(&message("erp-no-results", &[]), "nl").await.value,
        "Geen zoekresultaten gevonden in het ERP-systeem"
    );
}

#[tokio::test]
async fn unknown_locale_is_english_and_unknown_key_is_shown_as_is() {
    let slot = slot("").await;
    assert_eq!(slot.render(&message("erp-no-results", &[]), "de").await.value, SEED_TEXTS[4].1);
    let unknown = slot.render(&message("no-such-key", &[("n", "1")]), "en").await;
    assert_eq!(unknown.value, "no-such-key (n=1)");
    assert!(!unknown.is_fallback(), "the plugin answered: it has no text for the key");
}

#[tokio::test]
async fn bad_overrides_are_refused() {
    let runtime = runtime(Capabilities::default());
    let bad = spec(artifacts::NOTIFICATION_TEXTS, &[], "texts.en.x = \"  \"\ntexts.en.y = 5\ncolour = \"red\"");
    let error = load::<NotificationTextsKind>(&runtime, &bad).await.err().expect("refused");
    let LoadProblem::Config(problems) = &error.problem else { panic!("{error}") };
    let all = problems.join("\n");
    assert!(all.contains("slots.search-policy.config.texts.en.x: the text is empty"), "{all}");
    assert!(all.contains("texts.en.y: must be a string, found an integer"), "{all}");
    assert!(all.contains("colour: unknown key"), "{all}");
}
