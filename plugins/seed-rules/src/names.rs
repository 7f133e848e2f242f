//! Last names as people write them, for matching a web shop registration with the local
//! customers: prefixes ("van der Berg", "Berg, van der", "v.d. Berg"), double names
//! ("Kowalska-Nowak", "Jansen - de Vries") and the masculine and feminine forms of Polish
//! surnames ("Kowalski" and "Kowalska"). Everything is compared folded (case, diacritics and
//! spacing, see [`crate::fold`]), and a name with a letter of the transliteration table also
//! transliterated ("Müller" as "Mueller", see [`crate::translit`]).
//!
//! A last name is parsed once into a [`LastName`]:
//!
//! | written | `full` | `prefix` | `core` | `parts` |
//! |---|---|---|---|---|
//! | `van der Berg` | `van der berg` | `van der` | `berg` | |
//! | `Berg, van der` | `van der berg` | `van der` | `berg` | |
//! | `V.d. Berg` | `v.d. berg` | `v.d.` | `berg` | |
//! | `Kowalska - Nowak` | `kowalska-nowak` | | `kowalska-nowak` | `kowalska`, `nowak` |
//! | `Jansen-de Vries` | `jansen-de vries` | | `jansen-de vries` | `jansen`, `vries` |
//! | `De` | `de` | | `de` | |
//!
//! A prefix is only set aside when a word remains after it, so that the surname "Van" or
//! "De" is its own core. Parts are the cores of the pieces of a name split on a hyphen
//! (also written as an en dash or with spaces around it); a piece that is only a prefix is
//! no part. Nothing is ever cut off a word: "Kowal" is not a part of "Kowalski", nor
//! "Berg" of "Bergh".

use crate::fold::fold;
use crate::translit::{DEFAULT_TRANSLITERATIONS, Transliterations};

/// The prefixes set aside by default: Dutch, German, French, Italian, Spanish and
/// Portuguese particles, and the Dutch abbreviations of "van de(n/r)".
pub const DEFAULT_PREFIXES: &[&str] = &[
    "van", "von", "vom", "zu", "zum", "zur", "der", "den", "de", "het", "'t", "'s", "ter", "ten", "te", "in 't",
    "in de", "in den", "in het", "op", "op de", "op den", "op 't", "aan", "aan de", "aan den", "bij", "uit", "uijt",
    "d'", "l'", "du", "des", "la", "le", "les", "di", "da", "das", "do", "dos", "del", "della", "dello", "dei",
    "degli", "v.d.", "v.d", "vd", "vd.", "v/d", "v.", "v. d.", "v.den", "v.der",
];

/// The masculine and feminine surname endings paired by default (Polish): "Kowalski" and
/// "Kowalska", "Nowicki" and "Nowicka", "Zawadzki" and "Zawadzka".
pub const DEFAULT_GENDERED_SUFFIXES: &[(&str, &str)] = &[("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")];

/// The shortest stem a gendered ending is swapped on: "Ski" has no other form.
const MIN_STEM_CHARS: usize = 2;

/// The prefixes, gendered endings and transliterations names are parsed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameRules {
    /// Each prefix as its folded words; the longest first, so that "in 't" wins over "in".
    prefixes: Vec<Vec<String>>,
    /// `(masculine, feminine)` endings, folded; the longest first.
    suffixes: Vec<(String, String)>,
    transliterations: Transliterations,
}

impl Default for NameRules {
    fn default() -> NameRules {
        NameRules::new(
            DEFAULT_PREFIXES.iter().copied(),
            DEFAULT_GENDERED_SUFFIXES.iter().copied(),
            DEFAULT_TRANSLITERATIONS.iter().copied(),
        )
    }
}

/// A last name, parsed by [`NameRules::parse`]. All forms are folded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LastName {
    /// Folded as written: two names are the same last name when these are equal, or those
    /// of their transliterated forms.
    pub folded: String,
    /// The written order restored ("Berg, van der" becomes "van der berg"), apostrophes
    /// and dashes unified, no spaces around a hyphen.
    pub full: String,
    /// The prefix words set aside, such as "van der"; empty when none.
    pub prefix: String,
    /// The name without its prefix, such as "berg"; `full` when there is no prefix.
    pub core: String,
    /// The cores of the pieces of a double name (at least two), such as "kowalska" and
    /// "nowak"; empty for a single name.
    pub parts: Vec<String>,
    /// The name parsed once more with its letters transliterated ("Müller" as "mueller"),
    /// when the transliteration table has a letter of it.
    pub transliterated: Option<Box<LastName>>,
}

impl LastName {
    /// Whether there is nothing to compare.
    pub fn is_empty(&self) -> bool {
        self.core.is_empty()
    }

    /// The forms the name is compared in: as written, then transliterated if it has a
    /// letter to transliterate.
    pub fn forms(&self) -> impl Iterator<Item = &LastName> {
        std::iter::once(self).chain(self.transliterated.as_deref())
    }

    /// The name as transliterated, or as written when nothing was.
    fn transliterated_or_written(&self) -> &LastName {
        self.transliterated.as_deref().unwrap_or(self)
    }
}

/// How two last names relate, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameMatch {
    /// Equal once folded.
    Same,
    /// Equal once the prefixes are set aside and the written order restored.
    SameWithoutPrefix,
    /// The masculine and feminine forms of one surname (each part of a double name swapped).
    Gendered,
    /// One is a part of the other, double, name.
    Part,
}

impl NameRules {
    /// Rules with these prefixes (each one or more words, such as "van" or "in 't"),
    /// `(masculine, feminine)` endings and `(letter, spelling)` transliterations (see
    /// [`Transliterations::new`]); blank entries are ignored.
    pub fn new<'a>(
        prefixes: impl IntoIterator<Item = &'a str>,
        suffixes: impl IntoIterator<Item = (&'a str, &'a str)>,
        transliterations: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> NameRules {
        let mut prefixes: Vec<Vec<String>> = prefixes
            .into_iter()
            .map(|prefix| normalize(&fold(prefix)).split(' ').filter(|w| !w.is_empty()).map(String::from).collect())
            .filter(|words: &Vec<String>| !words.is_empty())
            .collect();
        prefixes.sort_by_key(|words| std::cmp::Reverse((words.len(), words.iter().map(String::len).sum::<usize>())));
        prefixes.dedup();
        let mut suffixes: Vec<(String, String)> = suffixes
            .into_iter()
            .map(|(male, female)| (fold(male), fold(female)))
            .filter(|(male, female)| !male.is_empty() && !female.is_empty() && male != female)
            .collect();
        suffixes.sort_by_key(|(male, female)| std::cmp::Reverse(male.len().max(female.len())));
        NameRules { prefixes, suffixes, transliterations: Transliterations::new(transliterations) }
    }

    /// The transliteration table.
    pub fn transliterations(&self) -> &Transliterations {
        &self.transliterations
    }

    /// Parses a last name as written.
    pub fn parse(&self, last_name: &str) -> LastName {
        let mut name = self.parse_folded(fold(last_name));
        name.transliterated = self
            .transliterations
            .apply(last_name)
            .filter(|transliterated| *transliterated != name.folded)
            .map(|transliterated| Box::new(self.parse_folded(transliterated)));
        name
    }

    fn parse_folded(&self, folded: String) -> LastName {
        let normalized = normalize(&folded);
        let full = self.restore_order(&normalized);
        let (prefix, core) = self.split_prefix(&full);
        let parts: Vec<String> = if core.contains('-') {
            core.split('-')
                .filter(|piece| {
                    let words: Vec<&str> = piece.split(' ').filter(|w| !w.is_empty()).collect();
                    self.prefix_words(&words, false).0 < words.len()
                })
                .map(|piece| self.split_prefix(piece).1)
                .collect()
        } else {
            Vec::new()
        };
        let parts = if parts.len() >= 2 { parts } else { Vec::new() };
        LastName { folded, full, prefix, core, parts, transliterated: None }
    }

    /// The other gender's form of a core or part ("kowalski" -> "kowalska", and back);
    /// for a double name, each part that has one is swapped. `None` when there is none.
    pub fn gendered(&self, name: &str) -> Option<String> {
        if name.contains('-') {
            let mut changed = false;
            let swapped: Vec<String> = name
                .split('-')
                .map(|piece| match self.gendered_word(piece) {
                    Some(other) => {
                        changed = true;
                        other
                    }
                    None => piece.to_owned(),
                })
                .collect();
            return changed.then(|| swapped.join("-"));
        }
        self.gendered_word(name)
    }

    fn gendered_word(&self, word: &str) -> Option<String> {
        for (male, female) in &self.suffixes {
            for (from, to) in [(male, female), (female, male)] {
                if let Some(stem) = word.strip_suffix(from.as_str())
                    && stem.chars().count() >= MIN_STEM_CHARS
                    && stem.chars().last().is_some_and(char::is_alphabetic)
                {
                    return Some(format!("{stem}{to}"));
                }
            }
        }
        None
    }

    /// How `a` and `b` relate, if they do: the stronger of how they relate as written and
    /// how they relate transliterated, so that "Müller" is the same as "Muller" and as
    /// "Mueller" (but "Muller" is not "Mueller").
    pub fn relate(&self, a: &LastName, b: &LastName) -> Option<NameMatch> {
        let written = self.relate_forms(a, b);
        if written == Some(NameMatch::Same) || (a.transliterated.is_none() && b.transliterated.is_none()) {
            return written;
        }
        let transliterated = self.relate_forms(a.transliterated_or_written(), b.transliterated_or_written());
        written.into_iter().chain(transliterated).min()
    }

    fn relate_forms(&self, a: &LastName, b: &LastName) -> Option<NameMatch> {
        if a.is_empty() || b.is_empty() {
            return None;
        }
        if a.folded == b.folded {
            return Some(NameMatch::Same);
        }
        if a.core == b.core {
            return Some(NameMatch::SameWithoutPrefix);
        }
        if self.gendered(&a.core).is_some_and(|other| other == b.core) {
            return Some(NameMatch::Gendered);
        }
        if a.parts.contains(&b.core) || b.parts.contains(&a.core) {
            return Some(NameMatch::Part);
        }
        None
    }

    /// The last names a candidate search asks `find-by-last-name` for, most specific first,
    /// without repeats: the full name, its core, the parts of a double name, and the other
    /// gender's form of the core; the same of the transliterated name; and then each of
    /// those with the transliteration table's spellings read as their letters ("mueller" as
    /// "muller"). Each is found as a whole last name and as words of one (the core "berg"
    /// finds "van der Berg"), and the database compares them folded, so together they
    /// reach every name [`NameRules::relate`] accepts ("Mueller" finds "Müller", stored
    /// folded as "muller", and "Müller" finds "Mueller"), except a name that mixes both
    /// spellings in one word ("Müeller").
    pub fn lookup_keys(&self, name: &LastName) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let mut add = |key: String| {
            if !key.is_empty() && !keys.contains(&key) {
                keys.push(key);
            }
        };
        if name.is_empty() {
            return Vec::new();
        }
        for form in name.forms() {
            add(form.full.clone());
            add(form.core.clone());
            for part in &form.parts {
                add(part.clone());
            }
            if let Some(other) = self.gendered(&form.core) {
                add(other);
            }
        }
        let undone: Vec<String> = keys.iter().filter_map(|key| self.transliterations.undo(key)).collect();
        for key in undone {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }

    /// "berg, van der" -> "van der berg" when what follows the comma is only prefix words;
    /// any other comma becomes a space.
    fn restore_order(&self, name: &str) -> String {
        if let Some((head, tail)) = name.split_once(',') {
            let (head, tail) = (head.trim(), tail.trim());
            let words: Vec<&str> = tail.split(' ').filter(|w| !w.is_empty()).collect();
            if !head.is_empty() && !words.is_empty() && self.prefix_words(&words, false).0 == words.len() {
                return normalize(&format!("{tail} {head}"));
            }
            return normalize(&name.replace(',', " "));
        }
        name.to_owned()
    }

    /// (prefix, core) of a normalized name.
    fn split_prefix(&self, name: &str) -> (String, String) {
        let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
        let (taken, glued) = self.prefix_words(&words, true);
        let mut prefix: Vec<&str> = words[..taken].to_vec();
        let mut rest: Vec<&str> = words[taken..].to_vec();
        if let Some((glued_prefix, remainder)) = glued {
            prefix.push(glued_prefix);
            rest[0] = remainder;
        }
        (prefix.join(" "), rest.join(" "))
    }

    /// How many leading `words` are prefix words, and a prefix glued to the next word
    /// ("d'ancona", "v.d.berg") as (prefix, remainder). With `keep_one`, a word always
    /// remains.
    fn prefix_words<'w>(&self, words: &[&'w str], keep_one: bool) -> (usize, Option<(&'w str, &'w str)>) {
        let mut at = 0;
        'next: loop {
            let left = words.len() - at;
            for prefix in &self.prefixes {
                let n = prefix.len();
                let room = if keep_one { n < left } else { n <= left };
                if room && words[at..at + n].iter().zip(prefix).all(|(word, p)| *word == p) {
                    at += n;
                    continue 'next;
                }
            }
            // A prefix ending in an apostrophe, a dot or a slash may be glued to the word
            // after it.
            if left > 0 {
                let word = words[at];
                for prefix in self.prefixes.iter().filter(|p| p.len() == 1) {
                    let p = prefix[0].as_str();
                    if p.ends_with(['\'', '.', '/'])
                        && word.len() > p.len()
                        && word.starts_with(p)
                        && word[p.len()..].starts_with(char::is_alphanumeric)
                    {
                        return (at, Some(word.split_at(p.len())));
                    }
                }
            }
            return (at, None);
        }
    }
}

/// The longest prefix or ending accepted in a configuration, in characters.
const MAX_CONFIG_CHARS: usize = 32;

/// Checks a prefix as a configuration gives it ("van", "in 't"): one to four words, no
/// hyphen or comma.
pub fn check_prefix(prefix: &str) -> Result<(), String> {
    let words = prefix.split_whitespace().count();
    if words == 0 {
        Err("a prefix is empty".into())
    } else if words > 4 || prefix.chars().count() > MAX_CONFIG_CHARS {
        Err(format!("the prefix {prefix:?} is longer than 4 words or {MAX_CONFIG_CHARS} characters"))
    } else if prefix.contains([',', '-', '\u{2013}', '\u{2014}']) {
        Err(format!("the prefix {prefix:?} contains a hyphen or a comma"))
    } else {
        Ok(())
    }
}

/// Parses an ending pair as a configuration gives it, `masculine:feminine` such as
/// `ski:ska`: two different endings of letters.
pub fn parse_suffix_pair(pair: &str) -> Result<(&str, &str), String> {
    let Some((male, female)) = pair.split_once(':') else {
        return Err(format!("{pair:?} is not `masculine:feminine`, such as \"ski:ska\""));
    };
    let (male, female) = (male.trim(), female.trim());
    for ending in [male, female] {
        if ending.is_empty() || ending.chars().count() > MAX_CONFIG_CHARS || !ending.chars().all(char::is_alphabetic) {
            return Err(format!("{pair:?}: an ending must be 1 to {MAX_CONFIG_CHARS} letters, such as \"ski:ska\""));
        }
    }
    if fold(male) == fold(female) {
        return Err(format!("{pair:?}: the two endings are the same"));
    }
    Ok((male, female))
}

/// Unifies apostrophes and dashes, and drops the spaces around a hyphen.
fn normalize(folded: &str) -> String {
    let unified: String = folded
        .chars()
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' | '`' | '\u{b4}' | '\u{2bc}' => '\'',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
            c => c,
        })
        .collect();
    let pieces: Vec<&str> = unified.split('-').map(str::trim).filter(|piece| !piece.is_empty()).collect();
    pieces.join("-").split(' ').filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str) -> LastName {
        NameRules::default().parse(name)
    }

    fn relate(a: &str, b: &str) -> Option<NameMatch> {
        let rules = NameRules::default();
        let forward = rules.relate(&rules.parse(a), &rules.parse(b));
        assert_eq!(forward, rules.relate(&rules.parse(b), &rules.parse(a)), "{a} / {b} is symmetric");
        forward
    }

    #[test]
    fn prefixes_are_set_aside_in_every_spelling() {
        for written in
            ["van der Berg", "Van Der Berg", "van  der berg", "VAN DER BERG", "Berg, van der", "Berg,van der"]
        {
            let name = parse(written);
            assert_eq!(
                (name.full.as_str(), name.prefix.as_str(), name.core.as_str()),
                ("van der berg", "van der", "berg")
            );
        }
        for written in ["v.d. Berg", "vd Berg", "v/d Berg", "V.D.Berg", "v. d. Berg", "Berg, v.d."] {
            assert_eq!(parse(written).core, "berg", "{written}");
        }
        assert_eq!(parse("van 't Hof").core, "hof");
        assert_eq!(parse("in ’t Veld").core, "veld");
        assert_eq!(parse("D’Ancona").core, "ancona");
        assert_eq!(parse("de la Cruz").core, "cruz");
        assert_eq!(parse("von und zu Guttenberg").core, "und zu guttenberg", "only leading prefixes");
    }

    #[test]
    fn a_name_that_is_only_a_prefix_keeps_it() {
        assert_eq!(parse("De").core, "de");
        assert_eq!(parse("van der").core, "der");
        assert_eq!(parse("Van").prefix, "");
        assert_eq!(parse("Nowak, Jan").full, "nowak jan", "a comma before other words is a space");
    }

    #[test]
    fn double_names_split_into_parts() {
        assert_eq!(parse("Kowalska-Nowak").parts, ["kowalska", "nowak"]);
        assert_eq!(parse("Kowalska - Nowak").full, "kowalska-nowak");
        assert_eq!(parse("Kowalska – Nowak").parts, ["kowalska", "nowak"]);
        assert_eq!(parse("Jansen-de Vries").parts, ["jansen", "vries"]);
        assert_eq!(parse("van der Berg-Jansen").parts, ["berg", "jansen"]);
        assert!(parse("Nowak").parts.is_empty());
        assert!(parse("Nowak-").parts.is_empty());
        assert!(parse("'s-Gravesande").parts.is_empty(), "a piece that is only a prefix is no part");
    }

    #[test]
    fn gendered_forms_swap_the_polish_endings() {
        let rules = NameRules::default();
        for (male, female) in [("kowalski", "kowalska"), ("nowicki", "nowicka"), ("zawadzki", "zawadzka")] {
            assert_eq!(rules.gendered(male).as_deref(), Some(female));
            assert_eq!(rules.gendered(female).as_deref(), Some(male));
        }
        assert_eq!(rules.gendered("kowalska-nowak").as_deref(), Some("kowalski-nowak"));
        assert_eq!(rules.gendered("nowak"), None);
        assert_eq!(rules.gendered("ski"), None);
        assert_eq!(rules.gendered("kowalczyk"), None);
    }

    #[test]
    fn names_that_relate() {
        use NameMatch::*;
        assert_eq!(relate("Wójcik", "WOJCIK"), Some(Same));
        assert_eq!(relate("Łukasiewicz", "Lukasiewicz"), Some(Same));
        assert_eq!(relate("van der Berg", "Berg"), Some(SameWithoutPrefix));
        assert_eq!(relate("Berg, van der", "van der Berg"), Some(SameWithoutPrefix));
        assert_eq!(relate("v.d. Berg", "van den Berg"), Some(SameWithoutPrefix));
        assert_eq!(relate("Van Der Berg", "van der Berg"), Some(Same));
        assert_eq!(relate("Kowalska - Nowak", "Kowalska-Nowak"), Some(SameWithoutPrefix));
        assert_eq!(relate("Kowalski", "Kowalska"), Some(Gendered));
        assert_eq!(relate("Nowicki", "NOWICKA"), Some(Gendered));
        assert_eq!(relate("Zawadzki", "Zawadzka"), Some(Gendered));
        assert_eq!(relate("Kowalska-Nowak", "Kowalski-Nowak"), Some(Gendered));
        assert_eq!(relate("Kowalska-Nowak", "Nowak"), Some(Part));
        assert_eq!(relate("Kowalska-Nowak", "Kowalska"), Some(Part));
        assert_eq!(relate("Jansen-de Vries", "de Vries"), Some(Part));
        assert_eq!(relate("Jansen-de Vries", "Vries"), Some(Part));
    }

    #[test]
    fn names_that_must_not_match() {
        for (a, b) in [
            ("Kowal", "Kowalski"),
            ("Nowak", "Nowakowski"),
            ("Nowak", "Nowakowska"),
            ("Jansen", "Janssen"),
            ("Berg", "van den Bergh"),
            ("de Vries", "de Vos"),
            ("Kowalski", "Kowalczyk"),
            ("Kowalski", "Kowalska-Nowak"),
            ("Kowalska-Nowak", "Nowak-Wiśniewska"),
            ("", ""),
            ("  ", "Nowak"),
            ("van", "Berg"),
            ("Ski", "Ska"),
        ] {
            assert_eq!(relate(a, b), None, "{a:?} / {b:?}");
        }
    }

    #[test]
    fn lookup_keys_reach_every_related_name() {
        let rules = NameRules::default();
        let keys = |name: &str| rules.lookup_keys(&rules.parse(name));
        assert_eq!(keys("Nowak"), ["nowak"]);
        assert_eq!(keys("Kowalski"), ["kowalski", "kowalska"]);
        assert_eq!(keys("Berg, van der"), ["van der berg", "berg"]);
        assert_eq!(keys("Kowalska-Nowak"), ["kowalska-nowak", "kowalska", "nowak", "kowalski-nowak"]);
        assert!(keys(" ").is_empty());
    }

    #[test]
    fn german_spellings_relate_written_and_transliterated() {
        use NameMatch::*;
        assert_eq!(relate("Müller", "Mueller"), Some(Same));
        assert_eq!(relate("Müller", "Muller"), Some(Same));
        assert_eq!(relate("MÜLLER", "mueller"), Some(Same));
        assert_eq!(relate("Mu\u{308}ller", "Mueller"), Some(Same), "a combining diaeresis");
        assert_eq!(relate("Strauß", "Strauss"), Some(Same));
        assert_eq!(relate("STRAUẞ", "Strauss"), Some(Same));
        assert_eq!(relate("Schröder", "Schroeder"), Some(Same));
        assert_eq!(relate("Schröder", "Schroder"), Some(Same));
        assert_eq!(relate("von Müller", "Mueller"), Some(SameWithoutPrefix));
        assert_eq!(relate("Müller-Lüdenscheidt", "Mueller"), Some(Part));
        assert_eq!(relate("Schröder-Müller", "Schroeder-Mueller"), Some(Same));
        assert_eq!(relate("Koenig-Müller", "König-Mueller"), Some(Same));
        for (a, b) in [("Mueller", "Muller"), ("Bauer", "Baur"), ("Schroeder", "Schroder"), ("Müller", "Möller")] {
            assert_eq!(relate(a, b), None, "{a} / {b}: written in plain letters, \"ue\" may be just that");
        }
    }

    #[test]
    fn without_a_transliteration_table_only_folding_counts() {
        let rules = NameRules::new(DEFAULT_PREFIXES.iter().copied(), DEFAULT_GENDERED_SUFFIXES.iter().copied(), []);
        let relate = |a: &str, b: &str| rules.relate(&rules.parse(a), &rules.parse(b));
        assert_eq!(relate("Müller", "Mueller"), None);
        assert_eq!(relate("Müller", "Muller"), Some(NameMatch::Same));
        assert_eq!(relate("Strauß", "Strauss"), Some(NameMatch::Same), "folding spells ß as ss");
        assert_eq!(rules.parse("Müller").transliterated, None);
        assert_eq!(rules.lookup_keys(&rules.parse("Mueller")), ["mueller"]);
    }

    #[test]
    fn lookup_keys_reach_both_spellings() {
        let rules = NameRules::default();
        let keys = |name: &str| rules.lookup_keys(&rules.parse(name));
        assert_eq!(keys("Mueller"), ["mueller", "muller"], "muller: Müller as stored, folded");
        assert_eq!(keys("Müller"), ["muller", "mueller"]);
        assert_eq!(keys("Strauß"), ["strauss"]);
        assert_eq!(
            keys("von Schröder-Müller"),
            [
                "von schroder-muller",
                "schroder-muller",
                "schroder",
                "muller",
                "von schroeder-mueller",
                "schroeder-mueller",
                "schroeder",
                "mueller"
            ]
        );
        assert_eq!(keys("Kowalski"), ["kowalski", "kowalska"], "nothing to spell");
    }

    #[test]
    fn configured_prefixes_and_endings_are_checked() {
        assert!(check_prefix("in 't").is_ok());
        assert!(check_prefix(" ").is_err());
        assert!(check_prefix("van-der").is_err());
        assert!(check_prefix(&"x ".repeat(5)).is_err());
        assert_eq!(parse_suffix_pair(" ski : ska"), Ok(("ski", "ska")));
        assert_eq!(parse_suffix_pair("ov:ová"), Ok(("ov", "ová")));
        for bad in ["ski", "ski:", ":ska", "ski:ski", "sk1:ska", "ski:ska:x"] {
            assert!(parse_suffix_pair(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prefixes_and_endings_are_configurable() {
        let rules = NameRules::new(["ibn", "al"], [("ov", "ova")], []);
        assert_eq!(rules.parse("ibn al Haytham").core, "haytham");
        assert_eq!(rules.parse("van der Berg").core, "van der berg", "the list replaces the default");
        assert_eq!(rules.gendered("ivanov").as_deref(), Some("ivanova"));
        assert_eq!(rules.gendered("ivanova").as_deref(), Some("ivanov"));
        assert_eq!(rules.gendered("kowalski"), None);
    }
}
