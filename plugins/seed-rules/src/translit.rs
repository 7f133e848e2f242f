//! Transliterations: how a letter is spelled where it cannot be written ("Müller" as
//! "Mueller", "Strauß" as "Strauss", "Schröder" as "Schroeder"), so that a name matches in
//! either spelling.
//!
//! Folding ([`crate::fold`]) drops the umlaut ("Müller" -> "muller"); transliterating spells
//! it out first ("Müller" -> "mueller"). Names are compared in both forms, and match when
//! either form is equal: "Müller" matches "Muller" (folded) and "Mueller" (transliterated).
//! "Mueller" and "Muller" do not match each other: written in plain letters, "ue" is as often
//! just "ue" ("Bauer" is not "Baur").
//!
//! A table maps a letter, in either case, to its spelling: `ü=ue` also spells "Ü", and a
//! letter written with a combining diaeresis or ring above ("u" + U+0308, as some systems
//! store it) is spelled as the letter written as one character.

use crate::fold::fold;

/// The transliterations used by default: the German umlauts and sharp s.
pub const DEFAULT_TRANSLITERATIONS: &[(&str, &str)] = &[("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")];

/// The longest spelling accepted in a configuration, in characters.
const MAX_SPELLING_CHARS: usize = 8;

/// A transliteration table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transliterations {
    /// Each letter in lower case and its spelling, folded.
    spellings: Vec<(char, String)>,
    /// Each spelling and the fold of its letter ("ue" and "u"), the longest spelling first;
    /// only those whose letter does not fold to the spelling already (as "ß" does to "ss").
    undos: Vec<(String, String)>,
}

impl Transliterations {
    /// A table of `(letter, spelling)` entries, such as `("ü", "ue")`; an entry whose letter
    /// is not one character or whose spelling is blank is ignored, and of two entries for one
    /// letter the first counts.
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Transliterations {
        let mut spellings: Vec<(char, String)> = Vec::new();
        for (letter, spelling) in entries {
            let (Some(letter), spelling) = (lower_letter(letter), fold(spelling)) else { continue };
            if !spelling.is_empty() && !spellings.iter().any(|(known, _)| *known == letter) {
                spellings.push((letter, spelling));
            }
        }
        let mut undos: Vec<(String, String)> = Vec::new();
        for (letter, spelling) in &spellings {
            let plain = fold(&letter.to_string());
            if plain != *spelling && !undos.iter().any(|(known, _)| known == spelling) {
                undos.push((spelling.clone(), plain));
            }
        }
        undos.sort_by_key(|(spelling, _)| std::cmp::Reverse(spelling.len()));
        Transliterations { spellings, undos }
    }

    /// Whether the table has no entry: names are then only folded.
    pub fn is_empty(&self) -> bool {
        self.spellings.is_empty()
    }

    /// `text` with each letter of the table spelled out, folded; `None` when no letter of
    /// the table occurs in it.
    pub fn apply(&self, text: &str) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len() + 8);
        let mut changed = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let c = match chars.peek().and_then(|&mark| composed(c, mark)) {
                Some(composed) => {
                    chars.next();
                    composed
                }
                None => c,
            };
            for lower in c.to_lowercase() {
                match self.spellings.iter().find(|(letter, _)| *letter == lower) {
                    Some((_, spelling)) => {
                        out.push_str(spelling);
                        changed = true;
                    }
                    None => out.push(lower),
                }
            }
        }
        changed.then(|| fold(&out))
    }

    /// A folded text with each spelling the table makes read as its letter folded
    /// ("mueller" -> "muller"): the form a name written with the letter is stored under.
    /// `None` when no such spelling occurs.
    pub fn undo(&self, folded: &str) -> Option<String> {
        let mut out = String::with_capacity(folded.len());
        let mut rest = folded;
        let mut changed = false;
        'scan: while let Some(c) = rest.chars().next() {
            for (spelling, plain) in &self.undos {
                if let Some(after) = rest.strip_prefix(spelling.as_str()) {
                    out.push_str(plain);
                    rest = after;
                    changed = true;
                    continue 'scan;
                }
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        changed.then_some(out)
    }
}

/// The one letter `text` is, in lower case.
fn lower_letter(text: &str) -> Option<char> {
    let mut chars = text.trim().chars();
    let (Some(letter), None) = (chars.next(), chars.next()) else { return None };
    let mut lower = letter.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(lower), None) if lower.is_alphabetic() => Some(lower),
        _ => None,
    }
}

/// The one character `base` followed by the combining `mark` is written as, for the marks
/// transliterated letters carry: a diaeresis ("u" + U+0308 is "ü") or a ring above.
fn composed(base: char, mark: char) -> Option<char> {
    let pairs = match mark {
        '\u{308}' => "aäeëiïoöuüyÿAÄEËIÏOÖUÜYŸ",
        '\u{30a}' => "aåuůAÅUŮ",
        _ => return None,
    };
    let mut chars = pairs.chars();
    while let (Some(plain), Some(marked)) = (chars.next(), chars.next()) {
        if plain == base {
            return Some(marked);
        }
    }
    None
}

/// Parses an entry as a configuration gives it, `letter=spelling` such as `ü=ue`: one
/// letter, and a spelling of 1 to 8 letters.
pub fn parse_entry(entry: &str) -> Result<(&str, &str), String> {
    let Some((letter, spelling)) = entry.split_once('=') else {
        return Err(format!("{entry:?} is not `letter=spelling`, such as \"ü=ue\""));
    };
    let (letter, spelling) = (letter.trim(), spelling.trim());
    if lower_letter(letter).is_none() {
        return Err(format!("{entry:?}: the left side must be one letter, such as \"ü=ue\""));
    }
    if spelling.is_empty()
        || spelling.chars().count() > MAX_SPELLING_CHARS
        || !spelling.chars().all(char::is_alphabetic)
    {
        return Err(format!("{entry:?}: the spelling must be 1 to {MAX_SPELLING_CHARS} letters, such as \"ü=ue\""));
    }
    if spelling.chars().count() == 1 && lower_letter(spelling) == lower_letter(letter) {
        return Err(format!("{entry:?}: the letter is its own spelling"));
    }
    Ok((letter, spelling))
}

/// Parses a configuration's entries ([`parse_entry`]); every bad entry, and every letter
/// given twice with two spellings, is one message.
pub fn parse_entries(entries: &[String]) -> Result<Vec<(&str, &str)>, Vec<String>> {
    let mut parsed: Vec<(&str, &str)> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for entry in entries {
        match parse_entry(entry) {
            Ok((letter, spelling)) => {
                let twice = parsed.iter().find(|(known, _)| lower_letter(known) == lower_letter(letter));
                match twice {
                    None => parsed.push((letter, spelling)),
                    Some((_, first)) if fold(first) == fold(spelling) => {}
                    Some((_, first)) => bad.push(format!(
                        "{entry:?}: {letter} is given twice, spelled {:?} and {:?}",
                        fold(first),
                        fold(spelling)
                    )),
                }
            }
            Err(why) => bad.push(why),
        }
    }
    if bad.is_empty() { Ok(parsed) } else { Err(bad) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn german() -> Transliterations {
        Transliterations::new(DEFAULT_TRANSLITERATIONS.iter().copied())
    }

    #[test]
    fn german_letters_are_spelled_out_in_either_case() {
        let table = german();
        assert_eq!(table.apply("Müller").as_deref(), Some("mueller"));
        assert_eq!(table.apply("MÜLLER").as_deref(), Some("mueller"));
        assert_eq!(table.apply("Schröder").as_deref(), Some("schroeder"));
        assert_eq!(table.apply("Strauß").as_deref(), Some("strauss"));
        assert_eq!(table.apply("STRAUẞ").as_deref(), Some("strauss"), "the capital sharp s");
        assert_eq!(table.apply("Bär-Öztürk").as_deref(), Some("baer-oeztuerk"));
        assert_eq!(table.apply("Mu\u{308}ller").as_deref(), Some("mueller"), "a combining diaeresis");
        assert_eq!(table.apply("Mueller"), None, "nothing to spell out");
        assert_eq!(table.apply("Wójcik"), None, "not in the table: folding alone takes care of it");
        assert_eq!(table.apply("Åberg"), None, "the Scandinavian letters are not German");
    }

    #[test]
    fn other_tables_replace_the_german_one() {
        let danish = Transliterations::new([("ø", "oe"), ("Å", "aa"), ("æ", "ae")]);
        assert_eq!(danish.apply("Møller").as_deref(), Some("moeller"));
        assert_eq!(danish.apply("ÅBERG").as_deref(), Some("aaberg"));
        assert_eq!(danish.apply("A\u{30a}berg").as_deref(), Some("aaberg"));
        assert_eq!(danish.apply("Müller"), None);
        assert_eq!(Transliterations::new([]).apply("Müller"), None);
        let first_counts = Transliterations::new([("ü", "ue"), ("Ü", "u"), ("ab", "x"), ("ö", " ")]);
        assert_eq!(first_counts.apply("Über Köln").as_deref(), Some("ueber koln"));
    }

    #[test]
    fn undoing_reads_each_spelling_as_its_letter() {
        let table = german();
        assert_eq!(table.undo("mueller").as_deref(), Some("muller"));
        assert_eq!(table.undo("schroeder-mueller").as_deref(), Some("schroder-muller"));
        assert_eq!(table.undo("baer").as_deref(), Some("bar"));
        assert_eq!(table.undo("strauss"), None, "ß folds to ss: the stored name is strauss already");
        assert_eq!(table.undo("nowak"), None);
        let danish = Transliterations::new([("ø", "oe"), ("å", "aa")]);
        assert_eq!(danish.undo("moeller aaberg").as_deref(), Some("moller aberg"));
    }

    #[test]
    fn configured_entries_are_checked() {
        assert_eq!(parse_entry(" ü = ue "), Ok(("ü", "ue")));
        assert_eq!(parse_entry("Å=aa"), Ok(("Å", "aa")));
        assert_eq!(parse_entry("ß=ss"), Ok(("ß", "ss")));
        for bad in ["ü", "ü=", "=ue", "ue=ü", "ü=u e", "ü=u1", "1=one", "ü=abcdefghi", "u=U", "ü=ue=x"] {
            assert!(parse_entry(bad).is_err(), "{bad}");
        }
        let entries = |list: &[&str]| list.iter().map(|e| e.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_entries(&entries(&["ü=ue", "Ü=UE"])), Ok(vec![("ü", "ue")]), "the same spelling twice");
        let problems = parse_entries(&entries(&["ü=ue", "ö-oe", "Ü=u"])).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("\"ö-oe\" is not `letter=spelling`"), "{problems:?}");
        assert!(problems[1].contains("Ü is given twice, spelled \"ue\" and \"u\""), "{problems:?}");
    }
}
