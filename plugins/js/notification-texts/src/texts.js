// The operator's texts, in JavaScript: the same texts, config keys and config checks as the
// Rust plugin in plugins/notification-texts (its texts are plugins/seed-rules/src/texts.rs),
// so that either can serve the `notification-texts` slot with the same words.
//
// Config: `texts.<locale>.<key> = "..."` overrides or adds one text; `{name}` placeholders
// are filled from the message's arguments.

import { get } from "pos:plugin/config@0.2.0";

/** The most characters an override may have; longer texts do not fit a POS notification. */
const MAX_TEXT_CHARS = 1000;

/** The locale used when a text is missing in the requested one. */
const DEFAULT_LOCALE = "en";

// A Map rather than an object literal: a message key or locale such as `constructor` must
// find nothing, not a property inherited from Object.prototype.
const TEXTS = new Map([
  [
    "local-no-results",
    {
      en: "No search results. Do you want to continue searching also in the ERP system?",
      pl: "Brak wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?",
      nl: "Geen zoekresultaten. Wilt u ook verder zoeken in het ERP-systeem?",
    },
  ],
  [
    "local-no-exact-results",
    {
      en: "No exact search results. Do you want to continue searching also in the ERP system?",
      pl: "Brak dokładnych wyników wyszukiwania. Czy chcesz kontynuować wyszukiwanie również w systemie ERP?",
      nl: "Geen exacte zoekresultaten. Wilt u ook verder zoeken in het ERP-systeem?",
    },
  ],
  [
    "erp-connection-failed",
    {
      en: "Failed to search in the ERP system. Connection with data service not established.",
      pl: "Nie udało się wyszukać w systemie ERP. Nie nawiązano połączenia z usługą danych.",
      nl: "Zoeken in het ERP-systeem is mislukt. Er is geen verbinding met de dataservice.",
    },
  ],
  [
    "erp-too-many-results",
    {
      en: "A considerable number of results have been found in the ERP system. Enter additional data and search again.",
      pl: "W systemie ERP znaleziono znaczną liczbę wyników. Wprowadź dodatkowe dane i wyszukaj ponownie.",
      nl: "Er zijn veel resultaten gevonden in het ERP-systeem. Voer aanvullende gegevens in en zoek opnieuw.",
    },
  ],
  [
    "erp-no-results",
    {
      en: "No search results found in ERP system",
      pl: "Nie znaleziono wyników wyszukiwania w systemie ERP",
      nl: "Geen zoekresultaten gevonden in het ERP-systeem",
    },
  ],
  [
    "erp-retrieve-failed",
    {
      en: "Unable to retrieve the customer. Connection with the data service not established",
      pl: "Nie można pobrać klienta. Nie nawiązano połączenia z usługą danych",
      nl: "Kan de klant niet ophalen. Er is geen verbinding met de dataservice",
    },
  ],
  [
    "erp-search-waiting",
    {
      en: "Searching for customers in the ERP system…",
      pl: "Wyszukiwanie klientów w systemie ERP…",
      nl: "Klanten zoeken in het ERP-systeem…",
    },
  ],
  [
    "customer-not-found",
    {
      en: "The customer was not found.",
      pl: "Nie znaleziono klienta.",
      nl: "De klant is niet gevonden.",
    },
  ],
  [
    "customer-form-not-previewable",
    {
      en: "The ERP system does not allow previewing this customer's form.",
      pl: "System ERP nie pozwala na podgląd formularza tego klienta.",
      nl: "Het ERP-systeem staat het bekijken van het formulier van deze klant niet toe.",
    },
  ],
  [
    "customer-form-not-editable",
    {
      en: "The ERP system does not allow editing this customer's form.",
      pl: "System ERP nie pozwala na edycję formularza tego klienta.",
      nl: "Het ERP-systeem staat het bewerken van het formulier van deze klant niet toe.",
    },
  ],
  [
    "existing-customer-overwritten",
    {
      en: "The existing customer will be overwritten: the last name on the web ({web-last-name}) differs from the local last name ({local-last-name}). Continuing overwrites the web last name with the local one.",
      pl: "Istniejący klient zostanie nadpisany: nazwisko w sklepie internetowym ({web-last-name}) różni się od nazwiska lokalnego ({local-last-name}). Kontynuacja zastąpi nazwisko internetowe nazwiskiem lokalnym.",
      nl: "Bestaande klant wordt overschreven: de achternaam op het web ({web-last-name}) verschilt van de lokale achternaam ({local-last-name}). Doorgaan overschrijft de webachternaam met de lokale achternaam.",
    },
  ],
  [
    "merge-linked-to-local",
    {
      en: "Web customer {web-id} took over local customer {number}",
      pl: "Klient internetowy {web-id} przejął dane klienta lokalnego {number}",
      nl: "Webklant {web-id} heeft de gegevens van lokale klant {number} overgenomen",
    },
  ],
  [
    "merge-added-from-web",
    {
      en: "Web customer {web-id} was added to the local customers",
      pl: "Klient internetowy {web-id} został dodany do klientów lokalnych",
      nl: "Webklant {web-id} is toegevoegd aan de lokale klanten",
    },
  ],
  [
    "merge-pushed-to-web",
    {
      en: "Local customer {number} was sent to the web shop",
      pl: "Klient lokalny {number} został wysłany do sklepu internetowego",
      nl: "Lokale klant {number} is naar de webshop gestuurd",
    },
  ],
  [
    "confirm-discard-web-customer",
    {
      en: "Discard web customer {web-id} ({name})? The registration is deleted on the web shop.",
      pl: "Odrzucić klienta internetowego {web-id} ({name})? Rejestracja zostanie usunięta w sklepie internetowym.",
      nl: "Webklant {web-id} ({name}) weggooien? De registratie wordt in de webshop verwijderd.",
    },
  ],
  [
    "confirm-new-customer-same-tax-id",
    {
      en: "Local customer {number} ({name}) has the same tax id as web customer {web-id}. Add the web customer as a new customer anyway?",
      pl: "Klient lokalny {number} ({name}) ma ten sam NIP co klient internetowy {web-id}. Dodać mimo to klienta internetowego jako nowego klienta?",
      nl: "Lokale klant {number} ({name}) heeft hetzelfde btw-nummer als webklant {web-id}. Webklant toch als nieuwe klant toevoegen?",
    },
  ],
  [
    "confirm-new-customer-same-email",
    {
      en: "Local customer {number} ({name}) has the same e-mail address as web customer {web-id}. Add the web customer as a new customer anyway?",
      pl: "Klient lokalny {number} ({name}) ma ten sam adres e-mail co klient internetowy {web-id}. Dodać mimo to klienta internetowego jako nowego klienta?",
      nl: "Lokale klant {number} ({name}) heeft hetzelfde e-mailadres als webklant {web-id}. Webklant toch als nieuwe klant toevoegen?",
    },
  ],
  [
    "web-customer-discarded",
    {
      en: "Web customer {web-id} ({name}) was deleted on the web shop",
      pl: "Klient internetowy {web-id} ({name}) został usunięty w sklepie internetowym",
      nl: "Webklant {web-id} ({name}) is in de webshop verwijderd",
    },
  ],
  [
    "web-customer-ignored",
    {
      en: "Web customer {web-id} was removed from the web edit list; it comes back when it changes again",
      pl: "Klient internetowy {web-id} został usunięty z listy zmian internetowych; wróci, gdy znów się zmieni",
      nl: "Webklant {web-id} is uit de edit-lijst web gehaald; hij komt terug als hij opnieuw wijzigt",
    },
  ],
  [
    "local-edit-dropped",
    {
      en: "Local customer {number} was removed from the local edit list; the web shop was not changed",
      pl: "Klient lokalny {number} został usunięty z listy zmian lokalnych; sklep internetowy nie został zmieniony",
      nl: "Lokale klant {number} is uit de lokale editlijst gehaald; de webshop is niet gewijzigd",
    },
  ],
  [
    "action-search",
    {
      en: "Search",
      pl: "Szukaj",
      nl: "Zoeken",
    },
  ],
  [
    "action-cancel",
    {
      en: "Cancel",
      pl: "Anuluj",
      nl: "Annuleren",
    },
  ],
  [
    "action-continue",
    {
      en: "Continue",
      pl: "Kontynuuj",
      nl: "Doorgaan",
    },
  ],
  [
    "action-check-web-customers",
    {
      en: "Check web customers",
      pl: "Sprawdź klientów internetowych",
      nl: "Check webklanten",
    },
  ],
  [
    "action-take-over-local",
    {
      en: "Take over local info",
      pl: "Przejmij dane lokalne",
      nl: "Neem lokale info over",
    },
  ],
  [
    "action-take-over-web",
    {
      en: "Take over internet info",
      pl: "Przejmij dane internetowe",
      nl: "Neem internetinfo over",
    },
  ],
  [
    "action-discard-web-customer",
    {
      en: "Discard web customer",
      pl: "Odrzuć klienta internetowego",
      nl: "Gooi webklant weg",
    },
  ],
  [
    "action-remove-from-web-edit-list",
    {
      en: "Remove from web edit list",
      pl: "Usuń z listy zmian internetowych",
      nl: "Uit edit-lijst web",
    },
  ],
  [
    "action-check-local-edits",
    {
      en: "Check local customer edits",
      pl: "Sprawdź lokalne zmiany klientów",
      nl: "Check lokale klantedits",
    },
  ],
  [
    "action-remove-from-local-edit-list",
    {
      en: "Remove from local edit list",
      pl: "Usuń z lokalnej listy zmian",
      nl: "Uit lokale editlijst",
    },
  ],
  [
    "reason-same-number",
    {
      en: "Same customer number",
      pl: "Ten sam numer klienta",
      nl: "Zelfde klantnummer",
    },
  ],
  [
    "reason-same-tax-id",
    {
      en: "Same tax ID",
      pl: "Ten sam NIP",
      nl: "Zelfde btw-nummer",
    },
  ],
  [
    "reason-same-email",
    {
      en: "Same e-mail address",
      pl: "Ten sam adres e-mail",
      nl: "Zelfde e-mailadres",
    },
  ],
  [
    "reason-same-last-name",
    {
      en: "Same last name",
      pl: "To samo nazwisko",
      nl: "Zelfde achternaam",
    },
  ],
  [
    "reason-same-last-name-without-prefix",
    {
      en: "Same last name apart from its prefix (such as \"van der\")",
      pl: "To samo nazwisko, pomijając przedrostek (np. „van der”)",
      nl: "Zelfde achternaam zonder tussenvoegsel",
    },
  ],
  [
    "reason-gendered-last-name",
    {
      en: "Same last name in its masculine or feminine form (such as Kowalski and Kowalska)",
      pl: "To samo nazwisko w formie męskiej lub żeńskiej (np. Kowalski i Kowalska)",
      nl: "Zelfde achternaam in mannelijke of vrouwelijke vorm (zoals Kowalski en Kowalska)",
    },
  ],
  [
    "reason-last-name-part",
    {
      en: "Last name is part of a double last name",
      pl: "Nazwisko jest częścią nazwiska dwuczłonowego",
      nl: "Achternaam is deel van een dubbele achternaam",
    },
  ],
  [
    "reason-same-first-name",
    {
      en: "Same first name",
      pl: "To samo imię",
      nl: "Zelfde voornaam",
    },
  ],
]);

const LOCALES = ["en", "pl", "nl"];

/** The shipped text for `key` in `locale`, English for another locale; undefined for an unknown key. */
function template(key, locale) {
  const text = TEXTS.get(key);
  if (text === undefined) {
    return undefined;
  }
  return text[LOCALES.includes(locale) ? locale : DEFAULT_LOCALE];
}

/**
 * Fills `{name}` placeholders in `template` from `args` (the first argument of a name counts);
 * unknown placeholders stay as they are, so that a missing argument is visible rather than
 * silently blank. Linear in the template and the arguments: JavaScript is interpreted here,
 * at thousands of instructions per step, so a search through the arguments per placeholder
 * would cost millions of fuel units for a long text.
 */
function fill(template, args) {
  const values = new Map();
  for (const { name, value } of args) {
    if (!values.has(name)) {
      values.set(name, value);
    }
  }
  let out = "";
  let from = 0;
  for (let open = template.indexOf("{"); open >= 0; open = template.indexOf("{", from)) {
    const close = template.indexOf("}", open + 1);
    if (close < 0) {
      break;
    }
    const name = template.slice(open + 1, close);
    out += template.slice(from, open);
    out += values.has(name) ? values.get(name) : template.slice(open, close + 1);
    from = close + 1;
  }
  return out + template.slice(from);
}

// What Rust's `str::trim` removes (Unicode White_Space), which differs from JavaScript's
// `trim` in U+0085 and U+FEFF: the two plugins must refuse the same texts.
const BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/u;

/**
 * Whether `text` has more than `max` characters as Rust counts them (code points, where
 * `length` counts UTF-16 units). Counted only when `length` is above `max`: the loop is
 * interpreted, thousands of instructions per character.
 */
function longerThan(text, max) {
  if (text.length <= max) {
    return false;
  }
  let count = 0;
  for (const _ of text) {
    count += 1;
  }
  return count > max;
}

/** The TOML type of a config value, for error messages. */
function kind(value) {
  switch (value.tag) {
    case "boolean":
      return "a boolean";
    case "integer":
      return "an integer";
    case "float":
      return "a float";
    case "text":
      return "a string";
    default:
      return "an array";
  }
}

/** Checks a config table; the problems found, in the order the Rust plugin reports them. */
function configErrors(config) {
  const errors = [];
  const push = (key, message) => errors.push({ key, message });
  // The first entry of a key is its value, as for the host's `config.get`.
  const values = new Map();
  for (const { key, value } of config) {
    if (!values.has(key)) {
      values.set(key, value);
    }
  }
  for (const { key } of config) {
    if (!key.startsWith("texts.")) {
      push(key, "unknown key; expected one of `texts.*`");
    }
  }
  for (const { key } of config) {
    if (!key.startsWith("texts.")) {
      continue;
    }
    const rest = key.slice("texts.".length);
    const dot = rest.indexOf(".");
    if (dot < 0) {
      push(key, "expected `texts.<locale>.<message-key>`");
      continue;
    }
    const locale = rest.slice(0, dot);
    if (!/^[A-Za-z0-9-]+$/.test(locale)) {
      push(key, `\`${locale}\` is not a locale such as \`en\`, \`pl\` or \`nl\``);
    }
    if (dot === rest.length - 1) {
      push(key, "the message key is empty");
    }
    const value = values.get(key);
    if (value.tag !== "text") {
      push(key, `must be a string, found ${kind(value)}`);
    } else if (BLANK.test(value.val)) {
      push(key, "the text is empty");
    } else if (longerThan(value.val, MAX_TEXT_CHARS)) {
      push(key, `the text is longer than ${MAX_TEXT_CHARS} characters`);
    }
  }
  return errors;
}

/** The `pos:plugin/texts` interface. */
export const texts = {
  /** The text of `message` in `locale`; undefined (`none`) when there is none for its key. */
  render(message, locale) {
    const override = get(`texts.${locale}.${message.key}`);
    const text = override?.tag === "text" ? override.val : template(message.key, locale);
    return text === undefined ? undefined : fill(text, message.args);
  },

  /**
   * Returning is `ok`; a thrown value that is not an `Error` becomes the `err` payload (an
   * `Error` would trap instead), so the list of problems is thrown.
   */
  validateConfig(config) {
    const errors = configErrors(config);
    if (errors.length > 0) {
      throw errors;
    }
  },
};
