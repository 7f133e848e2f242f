//! Pseudonyms for the personal data of recorded calls. Each word of a name, address, contact
//! detail or search phrase is replaced by a made-up word of the same length and kind (letters
//! for letters, digits for digits, its capitals kept), derived from the word with a key that
//! one recording alone holds and never writes. The same word always gets the same pseudonym
//! within a recording, whatever its case or diacritics: matching rules that compare names,
//! e-mail addresses or phone numbers still find the same pairs. Name particles ("van", "de")
//! and the Polish masculine and feminine endings ("-ski", "-ska") are kept, so that the rules
//! that set them aside or pair them still apply. Customer numbers and web ids are kept: they
//! are the till's own keys, not a person's data.

use super::super::cases::Shown;
use pos_seed_rules::fold::fold;
use pos_seed_rules::names::{DEFAULT_GENDERED_SUFFIXES, DEFAULT_PREFIXES};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// The fields that hold a person's data, by their WIT names: a customer's, a search's phrase
/// and filter value, and the last name a lookup asks for.
const PERSONAL_FIELDS: [&str; 11] = [
    "first-name",
    "last-name",
    "company",
    "tax-id",
    "email",
    "phone",
    "street",
    "postal-code",
    "city",
    "phrase",
    "value",
];

/// The words that name a message argument holding a person's data: `web-last-name`,
/// `name`, `email`.
const PERSONAL_ARGUMENTS: [&str; 9] =
    ["name", "mail", "phone", "street", "city", "address", "company", "tax", "postal"];

/// Where a text stands.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Free text (a rendered sentence, an error's words, a message's other arguments): the
    /// words a personal field held are pseudonymized.
    Free,
    /// A personal field: every word.
    Personal,
    /// The arguments of a message: each personal or free by its name.
    Arguments,
    /// Any other field of a record (a customer number, a country, a message key): kept.
    Kept,
}

impl Mode {
    /// The mode of the field `name` of a record in this mode.
    fn of_field(self, name: &str, filter_on_number: bool) -> Mode {
        match self {
            Mode::Personal => Mode::Personal,
            Mode::Arguments if PERSONAL_ARGUMENTS.iter().any(|word| name.contains(word)) => Mode::Personal,
            Mode::Arguments => Mode::Free,
            _ if name == "args" => Mode::Arguments,
            _ if PERSONAL_FIELDS.contains(&name) && !filter_on_number => Mode::Personal,
            _ => Mode::Kept,
        }
    }
}

/// Digit runs this long are pseudonymized in free text too (a phone number or tax id written
/// in a sentence); shorter ones are counts and limits.
const LONG_NUMBER: usize = 5;

/// The pseudonyms of one recording.
pub struct Pseudonyms {
    key: [u8; 32],
}

impl Pseudonyms {
    /// Pseudonyms under a fresh random key.
    pub fn new() -> Pseudonyms {
        let mut key = [0; 32];
        getrandom::fill(&mut key).expect("the operating system provides random bytes");
        Pseudonyms { key }
    }

    /// `values` with their personal data pseudonymized: every word of a personal field, and
    /// in any other text (a rendered sentence, a message) the words that one of them held.
    pub fn apply(&self, values: &mut [&mut Shown]) {
        let mut personal = HashSet::new();
        for value in values.iter() {
            collect(value, Mode::Free, &mut personal);
        }
        for value in values.iter_mut() {
            self.rewrite(value, Mode::Free, &personal);
        }
    }

    fn rewrite(&self, value: &mut Shown, mode: Mode, personal: &HashSet<String>) {
        match value {
            Shown::Text(text) if mode == Mode::Personal => *text = self.text(text, |_| true),
            Shown::Text(text) if mode == Mode::Free => {
                *text = self.text(text, |word| is_free_text_personal(word, personal))
            }
            Shown::List(items) => items.iter_mut().for_each(|item| self.rewrite(item, mode, personal)),
            Shown::Record(fields) => {
                let filter_on_number = is_number_filter(fields);
                for (name, field) in fields {
                    self.rewrite(field, mode.of_field(name, filter_on_number), personal);
                }
            }
            Shown::Case(_, Some(payload)) | Shown::Some(payload) => self.rewrite(payload, mode, personal),
            Shown::Text(_)
            | Shown::Case(_, None)
            | Shown::Bool(_)
            | Shown::Integer(_)
            | Shown::Float(_)
            | Shown::None
            | Shown::Unit => {}
        }
    }

    /// `text` with each word `replace` picks pseudonymized; everything between words kept.
    fn text(&self, text: &str, replace: impl Fn(&str) -> bool) -> String {
        let mut out = String::with_capacity(text.len());
        for (word, is_word) in words(text) {
            if is_word && replace(word) && !is_particle(word) {
                out.push_str(&self.word(word));
            } else {
                out.push_str(word);
            }
        }
        out
    }

    /// The pseudonym of one word: letters or digits alone.
    fn word(&self, word: &str) -> String {
        let folded = fold(word);
        let (stem, ending) = split_ending(&folded);
        let digest = Sha256::new().chain_update(self.key).chain_update([0]).chain_update(stem).finalize();
        let mut bytes = digest.iter().cycle();
        let mut made = String::with_capacity(word.len());
        let digits = word.chars().all(|ch| ch.is_ascii_digit());
        for i in 0..stem.chars().count() {
            let byte = *bytes.next().expect("cycle never ends") as usize;
            let ch = match (digits, i % 2) {
                (true, _) => char::from(b'0' + (byte % 10) as u8),
                (false, 0) => b"bcdfghjklmnprstvwz"[byte % 18] as char,
                (false, _) => b"aeiouy"[byte % 6] as char,
            };
            made.push(ch);
        }
        made.push_str(ending);
        keep_capitals(word, &made)
    }
}

/// Runs of letters and runs of digits (`true`), and what lies between them (`false`).
fn words(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let kind = |ch: char| {
        if ch.is_alphabetic() {
            1
        } else if ch.is_ascii_digit() {
            2
        } else {
            0
        }
    };
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let k = kind(first);
        let end = rest.char_indices().find(|&(_, ch)| kind(ch) != k).map_or(rest.len(), |(i, _)| i);
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some((run, k != 0))
    })
}

/// The words of the personal fields in `value` (folded), for finding them in free text.
fn collect(value: &Shown, mode: Mode, into: &mut HashSet<String>) {
    match value {
        Shown::Text(text) if mode == Mode::Personal => {
            into.extend(words(text).filter(|&(word, is_word)| is_word && !is_particle(word)).map(|(w, _)| fold(w)))
        }
        Shown::List(items) => items.iter().for_each(|item| collect(item, mode, into)),
        Shown::Record(fields) => {
            let filter_on_number = is_number_filter(fields);
            for (name, field) in fields {
                collect(field, mode.of_field(name, filter_on_number), into);
            }
        }
        Shown::Case(_, Some(payload)) | Shown::Some(payload) => collect(payload, mode, into),
        _ => {}
    }
}

/// A filter on the customer number: its value is a number, kept as numbers are.
fn is_number_filter(fields: &[(String, Shown)]) -> bool {
    fields.iter().any(|(name, value)| name == "field" && matches!(value, Shown::Case(case, None) if case == "number"))
}

fn is_free_text_personal(word: &str, personal: &HashSet<String>) -> bool {
    let has_letters = word.chars().any(char::is_alphabetic);
    (has_letters || word.len() >= LONG_NUMBER) && personal.contains(&fold(word))
}

/// A name particle, kept as it is: "van", "de", "von".
fn is_particle(word: &str) -> bool {
    let folded = fold(word);
    DEFAULT_PREFIXES.contains(&folded.as_str())
}

/// The word's stem and its gendered ending, when it has one and something before it.
fn split_ending(folded: &str) -> (&str, &str) {
    for (masculine, feminine) in DEFAULT_GENDERED_SUFFIXES {
        for ending in [masculine, feminine] {
            if folded.len() > ending.len() + 1 && folded.ends_with(ending) {
                return folded.split_at(folded.len() - ending.len());
            }
        }
    }
    (folded, "")
}

/// `made` written with the capitals of `word`: all capitals, a capital first, or none.
fn keep_capitals(word: &str, made: &str) -> String {
    let upper = word.chars().filter(|ch| ch.is_alphabetic()).all(char::is_uppercase);
    if upper && word.chars().count() > 1 {
        return made.to_uppercase();
    }
    let mut chars = made.chars();
    match (word.chars().next().is_some_and(char::is_uppercase), chars.next()) {
        (true, Some(first)) => first.to_uppercase().chain(chars).collect(),
        _ => made.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(first: &str, last: &str, email: &str) -> Shown {
        Shown::Record(vec![
            ("number".into(), Shown::Some(Box::new(Shown::Text("K-1".into())))),
            ("first-name".into(), Shown::Text(first.into())),
            ("last-name".into(), Shown::Text(last.into())),
            ("email".into(), Shown::Some(Box::new(Shown::Text(email.into())))),
        ])
    }

    fn field<'a>(value: &'a Shown, name: &str) -> &'a str {
        let Shown::Record(fields) = value else { panic!("a record") };
        match &fields.iter().find(|(n, _)| n == name).expect("the field").1 {
            Shown::Text(text) => text,
            Shown::Some(inner) => match &**inner {
                Shown::Text(text) => text,
                _ => panic!("text"),
            },
            _ => panic!("text"),
        }
    }

    #[test]
    fn the_same_word_gets_the_same_pseudonym_and_keeps_its_shape() {
        let pseudonyms = Pseudonyms::new();
        let mut web = customer("Anna", "van der Kowalska", "anna.kowalska@example.pl");
        let mut local = customer("ANNA", "Kowalski", "Anna.Kowalska@Example.pl");
        let mut sentence = Shown::Text("Anna Kowalska has 12 orders".into());
        pseudonyms.apply(&mut [&mut web, &mut local, &mut sentence]);

        let first = field(&web, "first-name");
        assert_ne!(first, "Anna");
        assert_eq!(first.len(), 4);
        assert!(first.starts_with(char::is_uppercase) && first[1..].chars().all(char::is_lowercase));
        assert_eq!(field(&local, "first-name"), first.to_uppercase());
        let last = field(&web, "last-name");
        assert!(last.starts_with("van der ") && last.ends_with("ska"), "{last}");
        assert_eq!(
            field(&local, "last-name").trim_end_matches("ski"),
            last["van der ".len()..].trim_end_matches("ska")
        );
        assert_eq!(fold(field(&web, "email")), fold(field(&local, "email")));
        assert_eq!(field(&web, "number"), "K-1");
        let Shown::Text(sentence) = sentence else { panic!("text") };
        assert!(sentence.ends_with(" has 12 orders"), "{sentence}");
        assert!(!sentence.contains("Anna") && !sentence.contains("Kowal"), "{sentence}");
    }

    #[test]
    fn a_message_loses_the_names_in_its_arguments_and_keeps_its_numbers() {
        let pseudonyms = Pseudonyms::new();
        let mut message = Shown::Record(vec![
            ("key".into(), Shown::Text("existing-customer-overwritten".into())),
            (
                "args".into(),
                Shown::Record(vec![
                    ("web-last-name".into(), Shown::Text("Nowak".into())),
                    ("number".into(), Shown::Text("K-1".into())),
                    ("web-id".into(), Shown::Text("W-000001".into())),
                    ("count".into(), Shown::Text("7".into())),
                ]),
            ),
        ]);
        let mut rendered = Shown::Some(Box::new(Shown::Text("Nowak (K-1) will be overwritten".into())));
        pseudonyms.apply(&mut [&mut message, &mut rendered]);
        let Shown::Record(fields) = &message else { panic!("a record") };
        assert_eq!(fields[0].1, Shown::Text("existing-customer-overwritten".into()));
        let args = &fields[1].1;
        let nowak = field(args, "web-last-name");
        assert!(nowak != "Nowak" && nowak.len() == 5, "{nowak}");
        assert_eq!((field(args, "number"), field(args, "web-id"), field(args, "count")), ("K-1", "W-000001", "7"));
        assert_eq!(
            field(&Shown::Record(vec![("text".into(), rendered)]), "text"),
            format!("{nowak} (K-1) will be overwritten")
        );
    }

    #[test]
    fn another_recording_gives_other_pseudonyms() {
        let (a, b) = (Pseudonyms::new(), Pseudonyms::new());
        assert_ne!(a.word("Kowalczyk"), b.word("Kowalczyk"));
        assert_eq!(a.word("Kowalczyk").to_lowercase(), a.word("kowalczyk"));
    }

    #[test]
    fn digits_stay_digits_and_a_number_filter_is_kept() {
        let pseudonyms = Pseudonyms::new();
        let filter = |field: &str, value: &str| {
            Shown::Record(vec![
                ("field".into(), Shown::Case(field.into(), None)),
                ("value".into(), Shown::Text(value.into())),
            ])
        };
        let mut query = Shown::Record(vec![
            ("phrase".into(), Shown::Text("+48 600 100 200".into())),
            ("filters".into(), Shown::List(vec![filter("number", "K-7"), filter("city", "Łódź")])),
        ]);
        pseudonyms.apply(&mut [&mut query]);
        let Shown::Record(fields) = &query else { panic!("a record") };
        let Shown::Text(phrase) = &fields[0].1 else { panic!("text") };
        assert!(phrase.starts_with('+') && phrase.len() == "+48 600 100 200".len() && phrase != "+48 600 100 200");
        assert!(phrase.chars().all(|ch| ch.is_ascii_digit() || ch == ' ' || ch == '+'), "{phrase}");
        let Shown::List(filters) = &fields[1].1 else { panic!("a list") };
        assert_eq!(field(&filters[0], "value"), "K-7");
        assert_ne!(field(&filters[1], "value"), "Łódź");
    }
}
