//! The texts the operator reads, in the shipped locales. The English seed-1 texts are quoted
//! verbatim from the seed document; the Dutch action labels are the seed-2 document's own.

use crate::config::{Problems, Table, Value, reject_unknown, text};

/// The locales shipped with the host.
pub const LOCALES: [&str; 3] = ["en", "pl", "nl"];

/// The locale used when a text is missing in the requested one.
pub const DEFAULT_LOCALE: &str = "en";

/// One text in every shipped locale.
pub struct Text {
    /// The stable message key.
    pub key: &'static str,
    /// English.
    pub en: &'static str,
    /// Polish.
    pub pl: &'static str,
    /// Dutch.
    pub nl: &'static str,
}

impl Text {
    /// The text in `locale`, if that locale is shipped.
    pub fn in_locale(&self, locale: &str) -> Option<&'static str> {
        match locale {
            "en" => Some(self.en),
            "pl" => Some(self.pl),
            "nl" => Some(self.nl),
            _ => None,
        }
    }
}

macro_rules! texts {
    ($($key:literal { en: $en:literal, pl: $pl:literal, nl: $nl:literal, })*) => {
        /// Every shipped text.
        pub const TEXTS: &[Text] = &[$(Text { key: $key, en: $en, pl: $pl, nl: $nl }),*];
    };
}

texts! {
    "local-no-results" {
        en: "No search results. Do you want to continue searching also in the ERP system?",
        pl: "Brak wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?",
        nl: "Geen zoekresultaten. Wilt u ook verder zoeken in het ERP-systeem?",
    }
    "local-no-exact-results" {
        en: "No exact search results. Do you want to continue searching also in the ERP system?",
        pl: "Brak dokładnych wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?",
        nl: "Geen exacte zoekresultaten. Wilt u ook verder zoeken in het ERP-systeem?",
    }
    "erp-connection-failed" {
        en: "Failed to search in the ERP system. Connection with data service not established.",
        pl: "Nie udało się wyszukać w systemie ERP. Nie nawiązano połączenia z usługą danych.",
        nl: "Zoeken in het ERP-systeem is mislukt. Er is geen verbinding met de dataservice.",
    }
    "erp-too-many-results" {
        en: "A considerable number of results have been found in the ERP system. Enter additional data and search again.",
        pl: "W systemie ERP znaleziono znaczną liczbę wyników. Wprowadź dodatkowe dane i wyszukaj ponownie.",
        nl: "Er zijn veel resultaten gevonden in het ERP-systeem. Voer aanvullende gegevens in en zoek opnieuw.",
    }
    "erp-no-results" {
        en: "No search results found in ERP system",
        pl: "Nie znaleziono wyników wyszukiwania w systemie ERP",
        nl: "Geen zoekresultaten gevonden in het ERP-systeem",
    }
    "erp-retrieve-failed" {
        en: "Unable to retrieve the customer. Connection with the data service not established",
        pl: "Nie można pobrać klienta. Nie nawiązano połączenia z usługą danych",
        nl: "Kan de klant niet ophalen. Er is geen verbinding met de dataservice",
    }
    "erp-search-waiting" {
        en: "Searching for customers in the ERP system…",
        pl: "Wyszukiwanie klientów w systemie ERP…",
        nl: "Klanten zoeken in het ERP-systeem…",
    }
    "customer-not-found" {
        en: "The customer was not found.",
        pl: "Nie znaleziono klienta.",
        nl: "De klant is niet gevonden.",
    }
    "customer-form-not-previewable" {
        en: "The ERP system does not allow previewing this customer's form.",
        pl: "System ERP nie pozwala na podgląd formularza tego klienta.",
        nl: "Het ERP-systeem staat het bekijken van het formulier van deze klant niet toe.",
    }
    "customer-form-not-editable" {
        en: "The ERP system does not allow editing this customer's form.",
        pl: "System ERP nie pozwala na edycję formularza tego klienta.",
        nl: "Het ERP-systeem staat het bewerken van het formulier van deze klant niet toe.",
    }
    "existing-customer-overwritten" {
        en: "The existing customer will be overwritten: the last name on the web ({web-last-name}) differs from the local last name ({local-last-name}). Continuing overwrites the web last name with the local one.",
        pl: "Istniejący klient zostanie nadpisany: nazwisko w sklepie internetowym ({web-last-name}) różni się od nazwiska lokalnego ({local-last-name}). Kontynuacja zastąpi nazwisko internetowe nazwiskiem lokalnym.",
        nl: "Bestaande klant wordt overschreven: de achternaam op het web ({web-last-name}) verschilt van de lokale achternaam ({local-last-name}). Doorgaan overschrijft de webachternaam met de lokale achternaam.",
    }
    "merge-linked-to-local" {
        en: "Web customer {web-id} took over local customer {number}",
        pl: "Klient internetowy {web-id} przejął dane klienta lokalnego {number}",
        nl: "Webklant {web-id} heeft de gegevens van lokale klant {number} overgenomen",
    }
    "merge-added-from-web" {
        en: "Web customer {web-id} was added to the local customers",
        pl: "Klient internetowy {web-id} został dodany do klientów lokalnych",
        nl: "Webklant {web-id} is toegevoegd aan de lokale klanten",
    }
    "merge-pushed-to-web" {
        en: "Local customer {number} was sent to the web shop",
        pl: "Klient lokalny {number} został wysłany do sklepu internetowego",
        nl: "Lokale klant {number} is naar de webshop gestuurd",
    }
    "confirm-discard-web-customer" {
        en: "Discard web customer {web-id} ({name})? The registration is deleted on the web shop.",
        pl: "Odrzucić klienta internetowego {web-id} ({name})? Rejestracja zostanie usunięta w sklepie internetowym.",
        nl: "Webklant {web-id} ({name}) weggooien? De registratie wordt in de webshop verwijderd.",
    }
    "confirm-new-customer-same-tax-id" {
        en: "Local customer {number} ({name}) has the same tax id as web customer {web-id}. Add the web customer as a new customer anyway?",
        pl: "Klient lokalny {number} ({name}) ma ten sam NIP co klient internetowy {web-id}. Dodać mimo to klienta internetowego jako nowego klienta?",
        nl: "Lokale klant {number} ({name}) heeft hetzelfde btw-nummer als webklant {web-id}. Webklant toch als nieuwe klant toevoegen?",
    }
    "confirm-new-customer-same-email" {
        en: "Local customer {number} ({name}) has the same e-mail address as web customer {web-id}. Add the web customer as a new customer anyway?",
        pl: "Klient lokalny {number} ({name}) ma ten sam adres e-mail co klient internetowy {web-id}. Dodać mimo to klienta internetowego jako nowego klienta?",
        nl: "Lokale klant {number} ({name}) heeft hetzelfde e-mailadres als webklant {web-id}. Webklant toch als nieuwe klant toevoegen?",
    }
    "web-customer-discarded" {
        en: "Web customer {web-id} ({name}) was deleted on the web shop",
        pl: "Klient internetowy {web-id} ({name}) został usunięty w sklepie internetowym",
        nl: "Webklant {web-id} ({name}) is in de webshop verwijderd",
    }
    "web-customer-ignored" {
        en: "Web customer {web-id} was removed from the web edit list; it comes back when it changes again",
        pl: "Klient internetowy {web-id} został usunięty z listy zmian internetowych; wróci, gdy znów się zmieni",
        nl: "Webklant {web-id} is uit de edit-lijst web gehaald; hij komt terug als hij opnieuw wijzigt",
    }
    "local-edit-dropped" {
        en: "Local customer {number} was removed from the local edit list; the web shop was not changed",
        pl: "Klient lokalny {number} został usunięty z listy zmian lokalnych; sklep internetowy nie został zmieniony",
        nl: "Lokale klant {number} is uit de lokale editlijst gehaald; de webshop is niet gewijzigd",
    }
    "action-search" {
        en: "Search",
        pl: "Szukaj",
        nl: "Zoeken",
    }
    "action-cancel" {
        en: "Cancel",
        pl: "Anuluj",
        nl: "Annuleren",
    }
    "action-continue" {
        en: "Continue",
        pl: "Kontynuuj",
        nl: "Doorgaan",
    }
    "action-check-web-customers" {
        en: "Check web customers",
        pl: "Sprawdź klientów internetowych",
        nl: "Check webklanten",
    }
    "action-take-over-local" {
        en: "Take over local info",
        pl: "Przejmij dane lokalne",
        nl: "Neem lokale info over",
    }
    "action-take-over-web" {
        en: "Take over internet info",
        pl: "Przejmij dane internetowe",
        nl: "Neem internetinfo over",
    }
    "action-discard-web-customer" {
        en: "Discard web customer",
        pl: "Odrzuć klienta internetowego",
        nl: "Gooi webklant weg",
    }
    "action-remove-from-web-edit-list" {
        en: "Remove from web edit list",
        pl: "Usuń z listy zmian internetowych",
        nl: "Uit edit-lijst web",
    }
    "action-check-local-edits" {
        en: "Check local customer edits",
        pl: "Sprawdź lokalne zmiany klientów",
        nl: "Check lokale klantedits",
    }
    "action-remove-from-local-edit-list" {
        en: "Remove from local edit list",
        pl: "Usuń z lokalnej listy zmian",
        nl: "Uit lokale editlijst",
    }
    "reason-same-number" {
        en: "Same customer number",
        pl: "Ten sam numer klienta",
        nl: "Zelfde klantnummer",
    }
    "reason-same-tax-id" {
        en: "Same tax ID",
        pl: "Ten sam NIP",
        nl: "Zelfde btw-nummer",
    }
    "reason-same-email" {
        en: "Same e-mail address",
        pl: "Ten sam adres e-mail",
        nl: "Zelfde e-mailadres",
    }
    "reason-same-last-name" {
        en: "Same last name",
        pl: "To samo nazwisko",
        nl: "Zelfde achternaam",
    }
    "reason-same-last-name-without-prefix" {
        en: "Same last name apart from its prefix (such as \"van der\")",
        pl: "To samo nazwisko, pomijając przedrostek (np. „van der”)",
        nl: "Zelfde achternaam zonder tussenvoegsel",
    }
    "reason-gendered-last-name" {
        en: "Same last name in its masculine or feminine form (such as Kowalski and Kowalska)",
        pl: "To samo nazwisko w formie męskiej lub żeńskiej (np. Kowalski i Kowalska)",
        nl: "Zelfde achternaam in mannelijke of vrouwelijke vorm (zoals Kowalski en Kowalska)",
    }
    "reason-last-name-part" {
        en: "Last name is part of a double last name",
        pl: "Nazwisko jest częścią nazwiska dwuczłonowego",
        nl: "Achternaam is deel van een dubbele achternaam",
    }
    "reason-same-first-name" {
        en: "Same first name",
        pl: "To samo imię",
        nl: "Zelfde voornaam",
    }
}

/// The shipped text for `key`.
pub fn lookup(key: &str) -> Option<&'static Text> {
    TEXTS.iter().find(|text| text.key == key)
}

/// The text a slot's config sets for `key` in `locale` (`texts.<locale>.<key>`), else the
/// shipped one.
pub fn configured<'t>(table: &'t (impl Table + ?Sized), key: &str, locale: &str) -> Option<&'t str> {
    match table.value(&format!("{OVERRIDE_PREFIX}{locale}.{key}")) {
        Some(Value::Text(text)) => Some(text),
        _ => template(key, locale),
    }
}

/// The prefix of the config keys that override a text: `texts.<locale>.<key>`.
pub const OVERRIDE_PREFIX: &str = "texts.";
/// The most characters an override may have; longer texts do not fit a POS notification.
pub const MAX_TEXT_CHARS: usize = 1000;

/// The problems of a config of texts: keys that are not `texts.<locale>.<message-key>`,
/// texts that are not strings, empty, or too long.
pub fn check_config(table: &(impl Table + ?Sized), problems: &mut (impl Problems + ?Sized)) {
    reject_unknown(table, &[], &[OVERRIDE_PREFIX], problems);
    for key in table.keys().into_iter().filter(|key| key.starts_with(OVERRIDE_PREFIX)) {
        let Some((locale, text_key)) = key[OVERRIDE_PREFIX.len()..].split_once('.') else {
            problems.push(key, "expected `texts.<locale>.<message-key>`".into());
            continue;
        };
        if locale.is_empty() || !locale.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            problems.push(key, format!("`{locale}` is not a locale such as `en`, `pl` or `nl`"));
        }
        if text_key.is_empty() {
            problems.push(key, "the message key is empty".into());
        }
        if let Some(text) = text(table, key, problems) {
            if text.trim().is_empty() {
                problems.push(key, "the text is empty".into());
            } else if text.chars().count() > MAX_TEXT_CHARS {
                problems.push(key, format!("the text is longer than {MAX_TEXT_CHARS} characters"));
            }
        }
    }
}

/// The shipped text for `key` in `locale`, falling back to English for an unknown locale.
pub fn template(key: &str, locale: &str) -> Option<&'static str> {
    let text = lookup(key)?;
    text.in_locale(locale).or(Some(text.en))
}

/// Fills `{name}` placeholders in `template` from `args`; unknown placeholders stay as
/// they are, so a missing argument is visible rather than silently blank.
pub fn fill<'a>(template: &str, args: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match args.clone().into_iter().find(|(arg, _)| *arg == name) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        for (i, text) in TEXTS.iter().enumerate() {
            assert!(TEXTS[i + 1..].iter().all(|other| other.key != text.key), "{}", text.key);
            for locale in LOCALES {
                assert!(!text.in_locale(locale).unwrap().is_empty(), "{} {locale}", text.key);
            }
        }
    }

    #[test]
    fn unknown_locale_falls_back_to_english() {
        assert_eq!(template("erp-no-results", "de"), Some("No search results found in ERP system"));
        assert_eq!(template("no-such-key", "en"), None);
    }

    #[test]
    fn fills_named_arguments() {
        let args = [("web-last-name", "Nowak"), ("local-last-name", "Kowalska")];
        let text = fill("web {web-last-name}, local {local-last-name}, {missing} {", args);
        assert_eq!(text, "web Nowak, local Kowalska, {missing} {");
    }
}
