//! Seed 2: which local customers may be a web customer and how likely each is, the warning
//! when last names differ, and what each side becomes for every operator action.
//!
//! # Candidates
//!
//! [`MatchConfig::lookups`] says what to ask the local database (each request bounded), and
//! [`MatchConfig::rank`] turns what it returned into candidates: each local customer once,
//! with its [`Reason`]s (strongest first) and a score, those without a reason or below
//! `min_score` dropped, sorted by score (highest first) then customer number, at most
//! `max_candidates`. The `web-merge-rules` plugin and the host's fallback both run exactly
//! this, so they give the same answer.
//!
//! # Scoring
//!
//! The strongest reason gives its weight; every further reason adds its bonus; the score is
//! capped at 100. At most one last-name reason applies (the strongest that holds).
//!
//! | reason | weight when strongest | bonus beside a stronger one |
//! |---|---|---|
//! | same customer number | 100 | +10 |
//! | same tax id | 90 | +10 |
//! | same e-mail | 80 | +10 |
//! | same last name (folded, or transliterated: "Müller", "Mueller") | 60 | +10 |
//! | same last name without prefix ("van der Berg", "Berg") | 55 | +10 |
//! | masculine / feminine form ("Kowalski", "Kowalska") | 50 | +10 |
//! | part of a double last name ("Kowalska-Nowak", "Nowak") | 40 | +10 |
//! | same first name | never enough alone | +15 |
//!
//! So "Anna Nowak" and "Anna Nowak" score 75, "Anna Kowalski" and "Anna Kowalska" 65, "Jan
//! Nowak" and "Anna Kowalska-Nowak" 40, the same e-mail with the same last name 90.
//!
//! Names are compared with [`crate::names`]; e-mail addresses trimmed and case-insensitively;
//! tax ids by their letters and digits only, a two-letter country prefix on one side only
//! being ignored ("PL 526-104-08-28" and "5261040828"); first names by their first word,
//! folded or transliterated ("Anna Maria" and "anna", "Jürgen" and "Juergen").

use crate::config::{Problems, Table, boolean, text_list, u32_in};
use crate::fold::{fold, same};
use crate::names::{self, DEFAULT_GENDERED_SUFFIXES, DEFAULT_PREFIXES, LastName, NameMatch, NameRules};
use crate::translit::{self, DEFAULT_TRANSLITERATIONS};

/// The most candidates proposed for one web customer, by default.
pub const MAX_CANDIDATES: u32 = 50;

/// The largest `max-candidates` a configuration may ask for.
pub const MAX_CANDIDATES_LIMIT: u32 = 200;

/// The most customers one e-mail or tax id lookup asks for: at most a few share one.
pub const ID_LOOKUP_LIMIT: u32 = 20;

/// The fewest digits a tax id needs to be looked up by its digits alone.
const MIN_TAX_ID_DIGITS: usize = 6;

/// The fewest letters and digits of a tax id that is compared at all.
const MIN_TAX_ID_CHARS: usize = 5;

/// Why a local customer is proposed for a web customer, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    SameNumber,
    SameTaxId,
    SameEmail,
    SameLastName,
    SameLastNameWithoutPrefix,
    GenderedLastName,
    LastNamePart,
    SameFirstName,
}

impl Reason {
    /// Every reason, strongest first.
    pub const ALL: [Reason; 8] = [
        Reason::SameNumber,
        Reason::SameTaxId,
        Reason::SameEmail,
        Reason::SameLastName,
        Reason::SameLastNameWithoutPrefix,
        Reason::GenderedLastName,
        Reason::LastNamePart,
        Reason::SameFirstName,
    ];

    /// The score it gives as the strongest reason (see the module docs).
    pub fn weight(self) -> u32 {
        match self {
            Reason::SameNumber => 100,
            Reason::SameTaxId => 90,
            Reason::SameEmail => 80,
            Reason::SameLastName => 60,
            Reason::SameLastNameWithoutPrefix => 55,
            Reason::GenderedLastName => 50,
            Reason::LastNamePart => 40,
            Reason::SameFirstName => 0,
        }
    }

    /// What it adds beside a stronger reason.
    pub fn bonus(self) -> u32 {
        match self {
            Reason::SameFirstName => 15,
            _ => 10,
        }
    }

    /// The key of its operator text (`texts`), such as `reason-same-number`.
    pub fn text_key(self) -> &'static str {
        match self {
            Reason::SameNumber => "reason-same-number",
            Reason::SameTaxId => "reason-same-tax-id",
            Reason::SameEmail => "reason-same-email",
            Reason::SameLastName => "reason-same-last-name",
            Reason::SameLastNameWithoutPrefix => "reason-same-last-name-without-prefix",
            Reason::GenderedLastName => "reason-gendered-last-name",
            Reason::LastNamePart => "reason-last-name-part",
            Reason::SameFirstName => "reason-same-first-name",
        }
    }

    fn of_name(relation: NameMatch) -> Reason {
        match relation {
            NameMatch::Same => Reason::SameLastName,
            NameMatch::SameWithoutPrefix => Reason::SameLastNameWithoutPrefix,
            NameMatch::Gendered => Reason::GenderedLastName,
            NameMatch::Part => Reason::LastNamePart,
        }
    }
}

/// The score of `reasons`, sorted strongest first (see the module docs).
pub fn score(reasons: &[Reason]) -> u8 {
    let mut reasons = reasons.iter();
    let Some(strongest) = reasons.next() else { return 0 };
    let total = strongest.weight() + reasons.map(|reason| reason.bonus()).sum::<u32>();
    total.min(100) as u8
}

/// The fields of a customer the rules read, borrowed from whichever type holds them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Person<'a> {
    pub number: Option<&'a str>,
    pub web_id: Option<&'a str>,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: Option<&'a str>,
    pub tax_id: Option<&'a str>,
}

/// A customer type the rules can read.
pub trait AsPerson {
    fn person(&self) -> Person<'_>;
}

/// How candidates are found and ranked: the `web-merge-rules` config, the defaults being
/// the host fallback's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchConfig {
    /// The most candidates proposed (1..=[`MAX_CANDIDATES_LIMIT`]).
    pub max_candidates: u32,
    /// Prefixes, gendered endings and transliterations of names.
    pub names: NameRules,
    /// Whether the same e-mail address proposes a customer.
    pub match_email: bool,
    /// Whether the same tax id proposes a customer.
    pub match_tax_id: bool,
    /// Candidates scoring less are dropped (0..=100).
    pub min_score: u8,
}

impl Default for MatchConfig {
    fn default() -> MatchConfig {
        MatchConfig {
            max_candidates: MAX_CANDIDATES,
            names: NameRules::default(),
            match_email: true,
            match_tax_id: true,
            min_score: 1,
        }
    }
}

/// A field a [`Search`] filters on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterField {
    Email,
    TaxId,
}

/// A `local-db.search`: the phrase, filters that must all hold (each a prefix of its
/// field's words), inactive customers included, at most `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    pub phrase: String,
    pub filters: Vec<(FilterField, String)>,
    pub limit: u32,
}

/// One request to the local database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// `local-db.get(number)`.
    Number(String),
    /// `local-db.find-by-last-name(key, limit)`.
    LastName { key: String, limit: u32 },
    /// `local-db.search`.
    Search(Search),
}

/// A local customer proposed for a web customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranked<T> {
    pub customer: T,
    /// Strongest first.
    pub reasons: Vec<Reason>,
    pub score: u8,
}

/// The config keys of the merge rules.
pub const MATCH_KEYS: [&str; 7] = [
    "max-candidates",
    "name-prefixes",
    "gendered-suffixes",
    "transliterations",
    "match-email",
    "match-tax-id",
    "min-score",
];

impl MatchConfig {
    /// The rules a slot's config sets: `max-candidates` (1..=200), `name-prefixes`
    /// (replacing the default list), `gendered-suffixes` (`"masculine:feminine"`),
    /// `transliterations` (`"letter=spelling"`, replacing the German default), `match-email`,
    /// `match-tax-id` and `min-score` (0..=100). A value that is absent or wrong keeps the
    /// default, and is a problem when wrong. Other keys are not read.
    pub fn read(table: &(impl Table + ?Sized), problems: &mut (impl Problems + ?Sized)) -> MatchConfig {
        let default = MatchConfig::default();
        let prefixes: Vec<&str> = match text_list(table, "name-prefixes", problems) {
            Some(items) => {
                let bad: Vec<String> = items.iter().filter_map(|p| names::check_prefix(p).err()).collect();
                if bad.is_empty() {
                    items.iter().map(String::as_str).collect()
                } else {
                    problems.push("name-prefixes", bad.join("; "));
                    DEFAULT_PREFIXES.to_vec()
                }
            }
            None => DEFAULT_PREFIXES.to_vec(),
        };
        let suffixes: Vec<(&str, &str)> = match text_list(table, "gendered-suffixes", problems) {
            Some(items) => {
                let parsed: Vec<Result<(&str, &str), String>> =
                    items.iter().map(|pair| names::parse_suffix_pair(pair)).collect();
                let bad: Vec<&str> = parsed.iter().filter_map(|p| p.as_ref().err()).map(String::as_str).collect();
                if bad.is_empty() {
                    parsed.into_iter().flatten().collect()
                } else {
                    problems.push("gendered-suffixes", bad.join("; "));
                    DEFAULT_GENDERED_SUFFIXES.to_vec()
                }
            }
            None => DEFAULT_GENDERED_SUFFIXES.to_vec(),
        };
        let transliterations: Vec<(&str, &str)> = match text_list(table, "transliterations", problems) {
            Some(items) => translit::parse_entries(items).unwrap_or_else(|bad| {
                problems.push("transliterations", bad.join("; "));
                DEFAULT_TRANSLITERATIONS.to_vec()
            }),
            None => DEFAULT_TRANSLITERATIONS.to_vec(),
        };
        MatchConfig {
            max_candidates: u32_in(table, "max-candidates", default.max_candidates, 1..=MAX_CANDIDATES_LIMIT, problems),
            names: NameRules::new(prefixes, suffixes, transliterations),
            match_email: boolean(table, "match-email", default.match_email, problems),
            match_tax_id: boolean(table, "match-tax-id", default.match_tax_id, problems),
            min_score: u32_in(table, "min-score", default.min_score.into(), 0..=100, problems) as u8,
        }
    }

    /// Why `local` may be `web`, strongest first, and how likely; `None` when it may not
    /// (no reason, only the first name, or a score below `min_score`).
    pub fn assess(&self, web: &Person, local: &Person) -> Option<(Vec<Reason>, u8)> {
        self.assess_parsed(web, &self.names.parse(web.last_name), local)
    }

    fn assess_parsed(&self, web: &Person, web_name: &LastName, local: &Person) -> Option<(Vec<Reason>, u8)> {
        let mut reasons = Vec::new();
        if let (Some(a), Some(b)) = (non_blank(web.number), non_blank(local.number))
            && a == b
        {
            reasons.push(Reason::SameNumber);
        }
        if self.match_tax_id && same_tax_id(web.tax_id, local.tax_id) {
            reasons.push(Reason::SameTaxId);
        }
        if self.match_email && same_email(web.email, local.email) {
            reasons.push(Reason::SameEmail);
        }
        if let Some(relation) = self.names.relate(web_name, &self.names.parse(local.last_name)) {
            reasons.push(Reason::of_name(relation));
        }
        if reasons.is_empty() {
            return None;
        }
        if self.same_first_name(web.first_name, local.first_name) {
            reasons.push(Reason::SameFirstName);
        }
        let score = score(&reasons);
        (score >= self.min_score).then_some((reasons, score))
    }

    /// [`same_first_name`] as written or transliterated ("Jürgen" and "Juergen").
    fn same_first_name(&self, a: &str, b: &str) -> bool {
        if same_first_name(a, b) {
            return true;
        }
        let table = self.names.transliterations();
        let (a_spelled, b_spelled) = (table.apply(a), table.apply(b));
        (a_spelled.is_some() || b_spelled.is_some())
            && same_first_name(a_spelled.as_deref().unwrap_or(a), b_spelled.as_deref().unwrap_or(b))
    }

    /// What to ask the local database for the candidates of `web`, in this order:
    ///
    /// - the customer with its number;
    /// - for each last name of [`NameRules::lookup_keys`], those with it as their last
    ///   name or as words of it;
    /// - those whose e-mail address has the words of its local part (before the `@`): the
    ///   domain's words ("gmail", "com", "pl") are in most addresses, and the full-text
    ///   index pays for every row holding one of them;
    /// - those whose tax id is its letters and digits as one word ("PL5261040828"), and
    ///   those with its digits (the index holds every tax id's digits alone, so this finds
    ///   "PL 526-104-08-28" and "5261040828" alike).
    ///
    /// Whatever they return is checked by [`MatchConfig::rank`]: a lookup only needs to
    /// bring the right customers along. Each is bounded: the name lookups by
    /// `max_candidates`, the others by [`ID_LOOKUP_LIMIT`]. So for a last name more than
    /// `max_candidates` customers have, only that many of them are seen, and those with
    /// the same first name may not be among them; and for an address whose local part has
    /// very common words ("anna.nowak"), shared by more than [`ID_LOOKUP_LIMIT`]
    /// customers' addresses, the one with the same address may not be.
    pub fn lookups(&self, web: &Person) -> Vec<Lookup> {
        let mut lookups = Vec::new();
        if let Some(number) = non_blank(web.number) {
            lookups.push(Lookup::Number(number.to_owned()));
        }
        for key in self.names.lookup_keys(&self.names.parse(web.last_name)) {
            lookups.push(Lookup::LastName { key, limit: self.max_candidates });
        }
        if self.match_email
            && let Some(email) = non_blank(web.email)
        {
            let local_part = email.rsplit_once('@').map_or(email, |(local, _)| local).trim();
            if local_part.chars().any(char::is_alphanumeric) {
                lookups.push(Lookup::Search(Search {
                    phrase: String::new(),
                    filters: vec![(FilterField::Email, local_part.to_owned())],
                    limit: ID_LOOKUP_LIMIT,
                }));
            }
        }
        if self.match_tax_id
            && let Some(tax_id) = non_blank(web.tax_id).map(compact).filter(|t| t.len() >= MIN_TAX_ID_CHARS)
        {
            let digits: String = tax_id.chars().filter(char::is_ascii_digit).collect();
            if digits != tax_id {
                lookups.push(Lookup::Search(Search {
                    phrase: String::new(),
                    filters: vec![(FilterField::TaxId, tax_id.clone())],
                    limit: ID_LOOKUP_LIMIT,
                }));
            }
            if digits.len() >= MIN_TAX_ID_DIGITS {
                lookups.push(Lookup::Search(Search { phrase: digits, filters: Vec::new(), limit: ID_LOOKUP_LIMIT }));
            }
        }
        lookups
    }

    /// The candidates among `found` (what [`MatchConfig::lookups`] returned, in order):
    /// each customer number once, assessed, sorted by score then number, at most
    /// `max_candidates`.
    pub fn rank<T: AsPerson>(&self, web: &Person, found: Vec<T>) -> Vec<Ranked<T>> {
        let web_name = self.names.parse(web.last_name);
        let mut seen: Vec<String> = Vec::new();
        let mut ranked: Vec<Ranked<T>> = Vec::new();
        for customer in found {
            let local = customer.person();
            let Some(number) = non_blank(local.number) else { continue };
            if seen.iter().any(|n| n == number) {
                continue;
            }
            seen.push(number.to_owned());
            if let Some((reasons, score)) = self.assess_parsed(web, &web_name, &local) {
                ranked.push(Ranked { customer, reasons, score });
            }
        }
        ranked.sort_by(|a, b| {
            b.score.cmp(&a.score).then_with(|| a.customer.person().number.cmp(&b.customer.person().number))
        });
        ranked.truncate(self.max_candidates as usize);
        ranked
    }
}

/// Whether two first names agree: their first words, folded, are equal.
pub fn same_first_name(a: &str, b: &str) -> bool {
    let (a, b) = (fold(a), fold(b));
    let first = |name: &str| name.split(' ').next().unwrap_or("").to_owned();
    !a.is_empty() && first(&a) == first(&b)
}

/// Whether two e-mail addresses are the same: trimmed, compared case-insensitively.
pub fn same_email(a: Option<&str>, b: Option<&str>) -> bool {
    match (non_blank(a), non_blank(b)) {
        (Some(a), Some(b)) => a.to_lowercase() == b.to_lowercase(),
        _ => false,
    }
}

/// Whether two tax ids are the same: their letters and digits equal, or equal once a
/// two-letter country prefix that only one of them has is set aside.
pub fn same_tax_id(a: Option<&str>, b: Option<&str>) -> bool {
    let (Some(a), Some(b)) = (a.map(compact), b.map(compact)) else { return false };
    if a.len() < MIN_TAX_ID_CHARS || b.len() < MIN_TAX_ID_CHARS {
        return false;
    }
    let without_country = |id: &str| -> Option<String> {
        let mut chars = id.chars();
        let country = chars.next()?.is_ascii_alphabetic() && chars.next()?.is_ascii_alphabetic();
        let rest: String = chars.collect();
        (country && rest.starts_with(|c: char| c.is_ascii_digit())).then_some(rest)
    };
    a == b || without_country(&a).is_some_and(|rest| rest == b) || without_country(&b).is_some_and(|rest| rest == a)
}

fn compact(id: &str) -> String {
    id.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// Whether taking over the local info must first warn that the existing customer will be
/// overwritten: the last names differ (a wrong pick, or a company contact or maiden name).
pub fn last_names_differ(web_last_name: &str, local_last_name: &str) -> bool {
    !same(web_last_name, local_last_name)
}

fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

// ----- Plans -----

/// A customer field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonField {
    Number,
    FirstName,
    LastName,
    Company,
    TaxId,
    Email,
    Phone,
    Street,
    PostalCode,
    City,
    Country,
}

/// The fields that say who a customer is, which a web customer takes from the local one
/// when it takes over the local info or receives a local edit. The rest (web id, active,
/// origin, version, update time, ERP permissions) stays the web record's own.
pub const PERSON_FIELDS: [PersonField; 11] = [
    PersonField::Number,
    PersonField::FirstName,
    PersonField::LastName,
    PersonField::Company,
    PersonField::TaxId,
    PersonField::Email,
    PersonField::Phone,
    PersonField::Street,
    PersonField::PostalCode,
    PersonField::City,
    PersonField::Country,
];

/// A message by key with named arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageSpec {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl MessageSpec {
    fn new(key: &'static str, args: &[(&'static str, Option<&str>)]) -> MessageSpec {
        MessageSpec { key, args: args.iter().map(|(name, value)| (*name, value.unwrap_or("").to_owned())).collect() }
    }
}

/// A button of a confirmation: its id and label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChoiceSpec {
    pub id: &'static str,
    pub label: MessageSpec,
}

/// A warning the operator confirms before a plan is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmationSpec {
    pub severity: crate::search::Severity,
    pub message: MessageSpec,
    pub choices: Vec<ChoiceSpec>,
    /// The id of the choice that lets the plan go on.
    pub proceed: &'static str,
}

/// What happens to the local customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalSpec {
    /// It stays as it is.
    Keep,
    /// The web customer, as it is, becomes a new local customer.
    CreateFromWeb,
    /// The local customer, as it is, is linked to the web customer's web id.
    LinkToWeb,
}

/// What happens to the web customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebSpec {
    /// It stays as it is.
    Keep,
    /// It is written back as it is (the host fills in the number of a new local customer).
    AsIs,
    /// It takes the [`PERSON_FIELDS`] of the local customer.
    PersonOfLocal,
}

/// A merge decision, independent of the types that carry the customers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSpec {
    pub local: LocalSpec,
    pub web: WebSpec,
    pub confirmations: Vec<ConfirmationSpec>,
    pub summary: MessageSpec,
}

/// "Take over local info": the web customer is the existing local customer; a warning
/// first when the last names differ.
pub fn take_over_local(web: &Person, local: &Person) -> PlanSpec {
    let mut confirmations = Vec::new();
    if last_names_differ(web.last_name, local.last_name) {
        confirmations.push(ConfirmationSpec {
            severity: crate::search::Severity::Warning,
            message: MessageSpec::new(
                "existing-customer-overwritten",
                &[("web-last-name", Some(web.last_name)), ("local-last-name", Some(local.last_name))],
            ),
            choices: vec![
                ChoiceSpec { id: "cancel", label: MessageSpec::new("action-cancel", &[]) },
                ChoiceSpec { id: "continue", label: MessageSpec::new("action-continue", &[]) },
            ],
            proceed: "continue",
        });
    }
    PlanSpec {
        local: LocalSpec::LinkToWeb,
        web: WebSpec::PersonOfLocal,
        confirmations,
        summary: MessageSpec::new("merge-linked-to-local", &[("web-id", web.web_id), ("number", local.number)]),
    }
}

/// "Take over internet info": the web customer joins the local customers.
pub fn take_over_web(web: &Person) -> PlanSpec {
    PlanSpec {
        local: LocalSpec::CreateFromWeb,
        web: WebSpec::AsIs,
        confirmations: Vec::new(),
        summary: MessageSpec::new("merge-added-from-web", &[("web-id", web.web_id)]),
    }
}

/// "Take over local info" for a local edit: the web shop gets the local changes.
pub fn push_local(local: &Person, _web: &Person) -> PlanSpec {
    PlanSpec {
        local: LocalSpec::Keep,
        web: WebSpec::PersonOfLocal,
        confirmations: Vec::new(),
        summary: MessageSpec::new("merge-pushed-to-web", &[("number", local.number)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, Default)]
    struct Row {
        number: &'static str,
        first: &'static str,
        last: &'static str,
        email: Option<&'static str>,
        tax_id: Option<&'static str>,
    }

    impl AsPerson for Row {
        fn person(&self) -> Person<'_> {
            Person {
                number: Some(self.number),
                web_id: None,
                first_name: self.first,
                last_name: self.last,
                email: self.email,
                tax_id: self.tax_id,
            }
        }
    }

    fn row(number: &'static str, first: &'static str, last: &'static str) -> Row {
        Row { number, first, last, ..Row::default() }
    }

    fn web<'a>(number: Option<&'a str>, first: &'a str, last: &'a str) -> Person<'a> {
        Person { number, web_id: Some("W-1"), first_name: first, last_name: last, email: None, tax_id: None }
    }

    fn assess(web: &Person, local: &Row) -> Option<(Vec<Reason>, u8)> {
        MatchConfig::default().assess(web, &local.person())
    }

    #[test]
    fn number_and_last_name_both_count() {
        use Reason::*;
        let web_person = web(Some("K-1"), "Anna", "Wójcik");
        assert_eq!(assess(&web_person, &row(" K-1 ", "Piotr", "WOJCIK")), Some((vec![SameNumber, SameLastName], 100)));
        assert_eq!(assess(&web(None, "Jan", "Nowak"), &row("K-1", "Adam", "Nowak")), Some((vec![SameLastName], 60)));
        assert_eq!(assess(&web(Some(""), "", ""), &row("", "", "")), None);
    }

    #[test]
    fn scores_follow_the_table() {
        use Reason::*;
        let anna = web(None, "Anna", "Kowalska-Nowak");
        assert_eq!(assess(&anna, &row("K-1", "Anna", "Kowalska-Nowak")), Some((vec![SameLastName, SameFirstName], 75)));
        assert_eq!(assess(&anna, &row("K-2", "Anna Maria", "Nowak")), Some((vec![LastNamePart, SameFirstName], 55)));
        assert_eq!(assess(&anna, &row("K-3", "Jan", "Kowalski-Nowak")), Some((vec![GenderedLastName], 50)));
        assert_eq!(
            assess(&web(None, "Daan", "van der Berg"), &row("K-4", "daan", "Berg, van der")),
            Some((vec![SameLastNameWithoutPrefix, SameFirstName], 70))
        );
        let with_ids = Person { email: Some("Anna@Example.pl "), tax_id: Some("PL 526-104-08-28"), ..anna };
        let local =
            Row { email: Some("anna@example.pl"), tax_id: Some("5261040828"), ..row("K-5", "Ann", "Wiśniewska") };
        assert_eq!(assess(&with_ids, &local), Some((vec![SameTaxId, SameEmail], 100)));
        let local = Row { email: Some("anna@example.pl"), ..row("K-6", "Zofia", "Kowalska") };
        assert_eq!(assess(&with_ids, &local), Some((vec![SameEmail, LastNamePart], 90)));
    }

    #[test]
    fn the_first_name_alone_is_never_enough() {
        assert_eq!(assess(&web(None, "Anna", "Nowak"), &row("K-1", "Anna", "Kowalczyk")), None);
    }

    #[test]
    fn min_score_and_switches() {
        let config = MatchConfig { min_score: 61, ..MatchConfig::default() };
        assert_eq!(config.assess(&web(None, "Jan", "Nowak"), &row("K-1", "Adam", "Nowak").person()), None);
        let config = MatchConfig { match_email: false, match_tax_id: false, ..MatchConfig::default() };
        let web = Person { email: Some("a@b.pl"), tax_id: Some("5261040828"), ..web(None, "Jan", "Nowak") };
        let local = Row { email: Some("a@b.pl"), tax_id: Some("5261040828"), ..row("K-1", "Ewa", "Mazur") };
        assert_eq!(config.assess(&web, &local.person()), None);
        assert!(config.lookups(&web).iter().all(|l| matches!(l, Lookup::LastName { .. })));
    }

    #[test]
    fn ids_compare_loosely_but_not_too_loosely() {
        assert!(same_tax_id(Some("PL5261040828"), Some("526-104-08-28")));
        assert!(same_tax_id(Some("nl123456789b01"), Some("NL 1234.56.789.B01")));
        assert!(!same_tax_id(Some("DE123456789"), Some("NL123456789")));
        assert!(!same_tax_id(Some("1234"), Some("1234")), "too short to tell");
        assert!(!same_tax_id(None, None));
        assert!(same_email(Some(" Jan@Example.PL"), Some("jan@example.pl")));
        assert!(!same_email(Some("jan@example.pl"), Some("jan@example.nl")));
        assert!(!same_email(Some(" "), Some(" ")));
        assert!(same_first_name("Łucja", "LUCJA"));
        assert!(!same_first_name("Jan", "Janusz"));
        assert!(!same_first_name("", ""));
    }

    #[test]
    fn lookups_are_bounded_and_ordered() {
        let config = MatchConfig { max_candidates: 20, ..MatchConfig::default() };
        let anna = Person {
            email: Some("anna@example.pl"),
            tax_id: Some("PL 526-104-08-28"),
            ..web(Some("K-9"), "Anna Maria", "Kowalska")
        };
        let lookups = config.lookups(&anna);
        assert_eq!(
            lookups,
            [
                Lookup::Number("K-9".into()),
                Lookup::LastName { key: "kowalska".into(), limit: 20 },
                Lookup::LastName { key: "kowalski".into(), limit: 20 },
                Lookup::Search(Search {
                    phrase: String::new(),
                    filters: vec![(FilterField::Email, "anna".into())],
                    limit: ID_LOOKUP_LIMIT
                }),
                Lookup::Search(Search {
                    phrase: String::new(),
                    filters: vec![(FilterField::TaxId, "PL5261040828".into())],
                    limit: ID_LOOKUP_LIMIT
                }),
                Lookup::Search(Search { phrase: "5261040828".into(), filters: Vec::new(), limit: ID_LOOKUP_LIMIT }),
            ]
        );
        assert!(config.lookups(&Person::default()).is_empty());
        let digits_only = config.lookups(&Person { tax_id: Some("526-104-08-28"), ..web(None, "Daan", "Berg") });
        assert_eq!(
            digits_only.last(),
            Some(&Lookup::Search(Search { phrase: "5261040828".into(), filters: Vec::new(), limit: ID_LOOKUP_LIMIT })),
            "digits only: no tax-id filter"
        );
    }

    #[test]
    fn ranking_dedups_drops_sorts_and_truncates() {
        let config = MatchConfig { max_candidates: 3, ..MatchConfig::default() };
        let web = web(Some("K-5"), "Anna", "Kowalska");
        let found = vec![
            row("K-3", "Jan", "Kowalska"),
            row("K-2", "Jan", "Kowalska"),
            row("K-2", "Jan", "Kowalska"),
            row("K-4", "Anna", "Kowalski"),
            row("K-1", "Anna", "Kowal"),
            row("K-5", "Zofia", "Nowak"),
            row("K-6", "Ewa", "Kowalska"),
        ];
        let ranked: Vec<(&str, u8)> =
            config.rank(&web, found).into_iter().map(|r| (r.customer.number, r.score)).collect();
        assert_eq!(ranked, [("K-5", 100), ("K-4", 65), ("K-2", 60)]);
    }

    #[test]
    fn must_not_match() {
        for (a, b) in [
            ("Kowal", "Kowalski"),
            ("Nowak", "Nowakowski"),
            ("Jansen", "Janssen"),
            ("Berg", "van den Bergh"),
            ("de Vries", "de Vos"),
            ("Kowalski", "Kowalczyk"),
            ("", ""),
        ] {
            assert_eq!(assess(&web(None, "Anna", a), &row("K-1", "Anna", b)), None, "{a} / {b}");
        }
    }

    #[test]
    fn german_spellings_are_the_same_name() {
        use Reason::*;
        let local = row("K-1", "Jürgen", "Müller");
        assert_eq!(assess(&web(None, "Hans", "Mueller"), &local), Some((vec![SameLastName], 60)));
        assert_eq!(assess(&web(None, "Juergen", "MUELLER"), &local), Some((vec![SameLastName, SameFirstName], 75)));
        assert_eq!(assess(&web(None, "Jurgen", "Muller"), &local), Some((vec![SameLastName, SameFirstName], 75)));
        assert_eq!(assess(&web(None, "Jürgen", "Mueller"), &row("K-2", "Juergen", "Muller")), None);
        assert_eq!(
            assess(&web(None, "Eva", "Strauss"), &row("K-3", "Eva", "Strauß")),
            Some((vec![SameLastName, SameFirstName], 75))
        );
        assert_eq!(
            assess(&web(None, "Udo", "Schroeder"), &row("K-4", "Jörg", "Schröder")),
            Some((vec![SameLastName], 60))
        );
        let lookups = MatchConfig::default().lookups(&web(None, "Hans", "Mueller"));
        assert_eq!(
            lookups,
            [
                Lookup::LastName { key: "mueller".into(), limit: MAX_CANDIDATES },
                Lookup::LastName { key: "muller".into(), limit: MAX_CANDIDATES }
            ],
            "muller finds Müller, whose last name is stored folded"
        );
    }

    fn read(entries: Vec<(&'static str, crate::config::Value<'static>)>) -> (MatchConfig, Vec<(String, String)>) {
        let mut problems = Vec::new();
        let config = MatchConfig::read(&crate::config::tests::Entries(entries), &mut problems);
        (config, problems)
    }

    fn texts(items: &[&str]) -> crate::config::Value<'static> {
        crate::config::Value::TextList(Box::leak(items.iter().map(|i| i.to_string()).collect::<Vec<_>>().into()))
    }

    #[test]
    fn transliterations_come_from_the_config() {
        let relate = |config: &MatchConfig, a: &str, b: &'static str| {
            config.assess(&web(None, "", a), &row("K-1", "", b).person()).map(|(reasons, _)| reasons)
        };
        let (danish, problems) = read(vec![("transliterations", texts(&["ø=oe", "Å=AA", "æ=ae"]))]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(relate(&danish, "Moeller", "Møller"), Some(vec![Reason::SameLastName]));
        assert_eq!(relate(&danish, "Aaberg", "Åberg"), Some(vec![Reason::SameLastName]));
        assert_eq!(relate(&danish, "Mueller", "Müller"), None, "the list replaces the German default");
        let (none, problems) = read(vec![("transliterations", texts(&[]))]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(relate(&none, "Mueller", "Müller"), None);
        assert_eq!(relate(&none, "Muller", "Müller"), Some(vec![Reason::SameLastName]), "folding still holds");
        assert_eq!(none.lookups(&web(None, "", "Mueller")).len(), 1);
    }

    #[test]
    fn bad_transliterations_are_problems_naming_each_entry_and_keep_the_default() {
        let (config, problems) = read(vec![("transliterations", texts(&["ø=oe", "ü->ue", "ß=s s", "Ø=o"]))]);
        assert_eq!(config.names, NameRules::default());
        assert_eq!(problems.len(), 1, "{problems:?}");
        let (key, message) = &problems[0];
        assert_eq!(key, "transliterations");
        for expected in [
            "\"ü->ue\" is not `letter=spelling`",
            "\"ß=s s\": the spelling must be 1 to 8 letters",
            "\"Ø=o\": Ø is given twice, spelled \"oe\" and \"o\"",
        ] {
            assert!(message.contains(expected), "{expected}\n{message}");
        }
        let (_, problems) = read(vec![("transliterations", crate::config::Value::Text("ü=ue"))]);
        assert_eq!(
            problems,
            [("transliterations".to_owned(), "must be an array of strings, found a string".to_owned())]
        );
    }

    #[test]
    fn last_name_difference_ignores_case_and_diacritics() {
        assert!(!last_names_differ("Żak", "zak"));
        assert!(last_names_differ("Jansen", "Jansen-de Vries"));
    }

    #[test]
    fn plans_say_which_side_becomes_what() {
        let web = web(None, "Eva", "Jansen-de Vries");
        let local = Person { number: Some("K-4"), ..Person { last_name: "Jansen", ..Person::default() } };
        let plan = take_over_local(&web, &local);
        assert_eq!((plan.local, plan.web), (LocalSpec::LinkToWeb, WebSpec::PersonOfLocal));
        assert_eq!(plan.confirmations.len(), 1);
        assert_eq!(plan.confirmations[0].proceed, "continue");
        assert_eq!(plan.summary.args, [("web-id", "W-1".to_owned()), ("number", "K-4".to_owned())]);
        assert!(take_over_local(&Person { last_name: "JANSEN", ..web }, &local).confirmations.is_empty());
        assert_eq!(take_over_web(&web).local, LocalSpec::CreateFromWeb);
        assert_eq!(push_local(&local, &web).summary.key, "merge-pushed-to-web");
    }

    #[test]
    fn every_reason_has_a_text() {
        for reason in Reason::ALL {
            assert!(crate::texts::lookup(reason.text_key()).is_some(), "{}", reason.text_key());
        }
        assert!(Reason::ALL.windows(2).all(|w| w[0] < w[1] && w[0].weight() >= w[1].weight()));
    }
}
