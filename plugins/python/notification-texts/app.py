"""The operator's texts, in Python: the same texts, config keys and config checks as the Rust
plugin in plugins/notification-texts (its texts are plugins/seed-rules/src/texts.rs), so that
either can serve the `notification-texts` slot with the same words.

Built with componentize-py against the shipped `notification-texts` world of wit/v0.2.0 as it
is: the world imports only `log` and `config`, so the component needs no grant.

Config: `texts.<locale>.<key> = "..."` overrides or adds one text; `{name}` placeholders are
filled from the message's arguments.
"""

import re
from typing import List, Optional

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import config, types

# The most characters an override may have; longer texts do not fit a POS notification.
MAX_TEXT_CHARS = 1000

# The locale used when a text is missing in the requested one.
DEFAULT_LOCALE = "en"

LOCALES = ("en", "pl", "nl")

TEXTS = {
    "local-no-results": {
        "en": "No search results. Do you want to continue searching also in the ERP system?",
        "pl": "Brak wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?",
        "nl": "Geen zoekresultaten. Wilt u ook verder zoeken in het ERP-systeem?",
    },
    "local-no-exact-results": {
        "en": "No exact search results. Do you want to continue searching also in the ERP system?",
        "pl": "Brak dokładnych wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?",
        "nl": "Geen exacte zoekresultaten. Wilt u ook verder zoeken in het ERP-systeem?",
    },
    "erp-connection-failed": {
        "en": "Failed to search in the ERP system. Connection with data service not established.",
        "pl": "Nie udało się wyszukać w systemie ERP. Nie nawiązano połączenia z usługą danych.",
        "nl": "Zoeken in het ERP-systeem is mislukt. Er is geen verbinding met de dataservice.",
    },
    "erp-too-many-results": {
        "en": "A considerable number of results have been found in the ERP system. Enter additional data and search again.",
        "pl": "W systemie ERP znaleziono znaczną liczbę wyników. Wprowadź dodatkowe dane i wyszukaj ponownie.",
        "nl": "Er zijn veel resultaten gevonden in het ERP-systeem. Voer aanvullende gegevens in en zoek opnieuw.",
    },
    "erp-no-results": {
        "en": "No search results found in ERP system",
        "pl": "Nie znaleziono wyników wyszukiwania w systemie ERP",
        "nl": "Geen zoekresultaten gevonden in het ERP-systeem",
    },
    "erp-retrieve-failed": {
        "en": "Unable to retrieve the customer. Connection with the data service not established",
        "pl": "Nie można pobrać klienta. Nie nawiązano połączenia z usługą danych",
        "nl": "Kan de klant niet ophalen. Er is geen verbinding met de dataservice",
    },
    "erp-search-waiting": {
        "en": "Searching for customers in the ERP system…",
        "pl": "Wyszukiwanie klientów w systemie ERP…",
        "nl": "Klanten zoeken in het ERP-systeem…",
    },
    "customer-not-found": {
        "en": "The customer was not found.",
        "pl": "Nie znaleziono klienta.",
        "nl": "De klant is niet gevonden.",
    },
    "customer-form-not-previewable": {
        "en": "The ERP system does not allow previewing this customer's form.",
        "pl": "System ERP nie pozwala na podgląd formularza tego klienta.",
        "nl": "Het ERP-systeem staat het bekijken van het formulier van deze klant niet toe.",
    },
    "customer-form-not-editable": {
        "en": "The ERP system does not allow editing this customer's form.",
        "pl": "System ERP nie pozwala na edycję formularza tego klienta.",
        "nl": "Het ERP-systeem staat het bewerken van het formulier van deze klant niet toe.",
    },
    "existing-customer-overwritten": {
        "en": "The existing customer will be overwritten: the last name on the web ({web-last-name}) differs from the local last name ({local-last-name}). Continuing overwrites the web last name with the local one.",
        "pl": "Istniejący klient zostanie nadpisany: nazwisko w sklepie internetowym ({web-last-name}) różni się od nazwiska lokalnego ({local-last-name}). Kontynuacja zastąpi nazwisko internetowe nazwiskiem lokalnym.",
        "nl": "Bestaande klant wordt overschreven: de achternaam op het web ({web-last-name}) verschilt van de lokale achternaam ({local-last-name}). Doorgaan overschrijft de webachternaam met de lokale achternaam.",
    },
    "merge-linked-to-local": {
        "en": "Web customer {web-id} took over local customer {number}",
        "pl": "Klient internetowy {web-id} przejął dane klienta lokalnego {number}",
        "nl": "Webklant {web-id} heeft de gegevens van lokale klant {number} overgenomen",
    },
    "merge-added-from-web": {
        "en": "Web customer {web-id} was added to the local customers",
        "pl": "Klient internetowy {web-id} został dodany do klientów lokalnych",
        "nl": "Webklant {web-id} is toegevoegd aan de lokale klanten",
    },
    "merge-pushed-to-web": {
        "en": "Local customer {number} was sent to the web shop",
        "pl": "Klient lokalny {number} został wysłany do sklepu internetowego",
        "nl": "Lokale klant {number} is naar de webshop gestuurd",
    },
    "confirm-discard-web-customer": {
        "en": "Discard web customer {web-id} ({name})? The registration is deleted on the web shop.",
        "pl": "Odrzucić klienta internetowego {web-id} ({name})? Rejestracja zostanie usunięta w sklepie internetowym.",
        "nl": "Webklant {web-id} ({name}) weggooien? De registratie wordt in de webshop verwijderd.",
    },
    "confirm-new-customer-same-tax-id": {
        "en": "Local customer {number} ({name}) has the same tax id as web customer {web-id}. Add the web customer as a new customer anyway?",
        "pl": "Klient lokalny {number} ({name}) ma ten sam NIP co klient internetowy {web-id}. Dodać mimo to klienta internetowego jako nowego klienta?",
        "nl": "Lokale klant {number} ({name}) heeft hetzelfde btw-nummer als webklant {web-id}. Webklant toch als nieuwe klant toevoegen?",
    },
    "confirm-new-customer-same-email": {
        "en": "Local customer {number} ({name}) has the same e-mail address as web customer {web-id}. Add the web customer as a new customer anyway?",
        "pl": "Klient lokalny {number} ({name}) ma ten sam adres e-mail co klient internetowy {web-id}. Dodać mimo to klienta internetowego jako nowego klienta?",
        "nl": "Lokale klant {number} ({name}) heeft hetzelfde e-mailadres als webklant {web-id}. Webklant toch als nieuwe klant toevoegen?",
    },
    "web-customer-discarded": {
        "en": "Web customer {web-id} ({name}) was deleted on the web shop",
        "pl": "Klient internetowy {web-id} ({name}) został usunięty w sklepie internetowym",
        "nl": "Webklant {web-id} ({name}) is in de webshop verwijderd",
    },
    "web-customer-ignored": {
        "en": "Web customer {web-id} was removed from the web edit list; it comes back when it changes again",
        "pl": "Klient internetowy {web-id} został usunięty z listy zmian internetowych; wróci, gdy znów się zmieni",
        "nl": "Webklant {web-id} is uit de edit-lijst web gehaald; hij komt terug als hij opnieuw wijzigt",
    },
    "local-edit-dropped": {
        "en": "Local customer {number} was removed from the local edit list; the web shop was not changed",
        "pl": "Klient lokalny {number} został usunięty z listy zmian lokalnych; sklep internetowy nie został zmieniony",
        "nl": "Lokale klant {number} is uit de lokale editlijst gehaald; de webshop is niet gewijzigd",
    },
    "action-search": {
        "en": "Search",
        "pl": "Szukaj",
        "nl": "Zoeken",
    },
    "action-cancel": {
        "en": "Cancel",
        "pl": "Anuluj",
        "nl": "Annuleren",
    },
    "action-continue": {
        "en": "Continue",
        "pl": "Kontynuuj",
        "nl": "Doorgaan",
    },
    "action-check-web-customers": {
        "en": "Check web customers",
        "pl": "Sprawdź klientów internetowych",
        "nl": "Check webklanten",
    },
    "action-take-over-local": {
        "en": "Take over local info",
        "pl": "Przejmij dane lokalne",
        "nl": "Neem lokale info over",
    },
    "action-take-over-web": {
        "en": "Take over internet info",
        "pl": "Przejmij dane internetowe",
        "nl": "Neem internetinfo over",
    },
    "action-discard-web-customer": {
        "en": "Discard web customer",
        "pl": "Odrzuć klienta internetowego",
        "nl": "Gooi webklant weg",
    },
    "action-remove-from-web-edit-list": {
        "en": "Remove from web edit list",
        "pl": "Usuń z listy zmian internetowych",
        "nl": "Uit edit-lijst web",
    },
    "action-check-local-edits": {
        "en": "Check local customer edits",
        "pl": "Sprawdź lokalne zmiany klientów",
        "nl": "Check lokale klantedits",
    },
    "action-remove-from-local-edit-list": {
        "en": "Remove from local edit list",
        "pl": "Usuń z lokalnej listy zmian",
        "nl": "Uit lokale editlijst",
    },
    "reason-same-number": {
        "en": "Same customer number",
        "pl": "Ten sam numer klienta",
        "nl": "Zelfde klantnummer",
    },
    "reason-same-tax-id": {
        "en": "Same tax ID",
        "pl": "Ten sam NIP",
        "nl": "Zelfde btw-nummer",
    },
    "reason-same-email": {
        "en": "Same e-mail address",
        "pl": "Ten sam adres e-mail",
        "nl": "Zelfde e-mailadres",
    },
    "reason-same-last-name": {
        "en": "Same last name",
        "pl": "To samo nazwisko",
        "nl": "Zelfde achternaam",
    },
    "reason-same-last-name-without-prefix": {
        "en": "Same last name apart from its prefix (such as \"van der\")",
        "pl": "To samo nazwisko, pomijając przedrostek (np. „van der”)",
        "nl": "Zelfde achternaam zonder tussenvoegsel",
    },
    "reason-gendered-last-name": {
        "en": "Same last name in its masculine or feminine form (such as Kowalski and Kowalska)",
        "pl": "To samo nazwisko w formie męskiej lub żeńskiej (np. Kowalski i Kowalska)",
        "nl": "Zelfde achternaam in mannelijke of vrouwelijke vorm (zoals Kowalski en Kowalska)",
    },
    "reason-last-name-part": {
        "en": "Last name is part of a double last name",
        "pl": "Nazwisko jest częścią nazwiska dwuczłonowego",
        "nl": "Achternaam is deel van een dubbele achternaam",
    },
    "reason-same-first-name": {
        "en": "Same first name",
        "pl": "To samo imię",
        "nl": "Zelfde voornaam",
    },
}

# A locale as a config key names it.
LOCALE = re.compile(r"[A-Za-z0-9-]+")


def template(key: str, locale: str) -> Optional[str]:
    """The shipped text for `key` in `locale`, English for another locale; None for an unknown key."""
    text = TEXTS.get(key)
    if text is None:
        return None
    return text[locale if locale in LOCALES else DEFAULT_LOCALE]


def fill(text: str, args: List[types.Argument]) -> str:
    """Fills `{name}` placeholders from `args` (the first argument of a name counts); unknown
    placeholders stay as they are, so that a missing argument is visible rather than blank."""
    values = {}
    for arg in args:
        values.setdefault(arg.name, arg.value)
    out = []
    start = 0
    while True:
        open_at = text.find("{", start)
        close_at = text.find("}", open_at + 1) if open_at >= 0 else -1
        if close_at < 0:
            break
        name = text[open_at + 1 : close_at]
        out.append(text[start:open_at])
        out.append(values.get(name, text[open_at : close_at + 1]))
        start = close_at + 1
    out.append(text[start:])
    return "".join(out)


def blank(text: str) -> bool:
    """Whether Rust's `str::trim` leaves nothing: Unicode White_Space, which Python's
    `str.isspace` widens with the separators U+001C..U+001F."""
    return all(c.isspace() and c not in "\x1c\x1d\x1e\x1f" for c in text)


KINDS = {
    types.ConfigValue_Boolean: "a boolean",
    types.ConfigValue_Integer: "an integer",
    types.ConfigValue_Float: "a float",
    types.ConfigValue_Text: "a string",
    types.ConfigValue_TextList: "an array",
}


def config_errors(entries: List[types.ConfigEntry]) -> List[types.ConfigError]:
    """The problems of a config table, in the order the Rust plugin reports them."""
    errors = []

    def push(key: str, message: str) -> None:
        errors.append(types.ConfigError(key=key, message=message))

    # The first entry of a key is its value, as for the host's `config.get`.
    values = {}
    for entry in entries:
        values.setdefault(entry.key, entry.value)
    for entry in entries:
        if not entry.key.startswith("texts."):
            push(entry.key, "unknown key; expected one of `texts.*`")
    for entry in entries:
        key = entry.key
        if not key.startswith("texts."):
            continue
        rest = key[len("texts.") :]
        dot = rest.find(".")
        if dot < 0:
            push(key, "expected `texts.<locale>.<message-key>`")
            continue
        locale = rest[:dot]
        if not LOCALE.fullmatch(locale):
            push(key, f"`{locale}` is not a locale such as `en`, `pl` or `nl`")
        if dot == len(rest) - 1:
            push(key, "the message key is empty")
        value = values[key]
        if not isinstance(value, types.ConfigValue_Text):
            push(key, f"must be a string, found {KINDS[type(value)]}")
        elif blank(value.value):
            push(key, "the text is empty")
        elif len(value.value) > MAX_TEXT_CHARS:
            push(key, f"the text is longer than {MAX_TEXT_CHARS} characters")
    return errors


class Texts(exports.Texts):
    """The `pos:plugin/texts` interface."""

    def render(self, message: types.Message, locale: str) -> Optional[str]:
        override = config.get(f"texts.{locale}.{message.key}")
        if isinstance(override, types.ConfigValue_Text):
            text = override.value
        else:
            text = template(message.key, locale)
        return None if text is None else fill(text, message.args)

    def validate_config(self, config: List[types.ConfigEntry]) -> None:
        errors = config_errors(config)
        if errors:
            raise Err(errors)
