//! Positions in a policy file, as `file:line:column`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::DeTable;

/// A place in a policy file; line and column count from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line_col: Option<(usize, usize)>,
}

impl Location {
    /// The file as a whole.
    pub fn file(path: &Path) -> Location {
        Location { path: path.to_owned(), line_col: None }
    }

    /// The start of `span` in `text`.
    pub fn of_span(path: &Path, text: &str, span: Option<Range<usize>>) -> Location {
        let line_col = span.map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column)
        });
        Location { path: path.to_owned(), line_col }
    }
}

/// Finds keys in one policy file, parsed once with positions.
pub struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
    document: Option<Spanned<DeTable<'a>>>,
}

impl<'a> Locator<'a> {
    /// A locator for `text`, read from `path`.
    pub fn new(path: &'a Path, text: &'a str) -> Locator<'a> {
        Locator { path, text, document: DeTable::parse(text).ok() }
    }

    /// The value at the key path `keys` (such as `slots`, `texts`, `config`, `x`), or the
    /// nearest enclosing table that exists.
    pub fn at(&self, keys: &[&str]) -> Location {
        let span = self.document.as_ref().and_then(|document| span_of(document.get_ref(), keys, false));
        Location::of_span(self.path, self.text, span)
    }

    /// Like [`Locator::at`], but the key itself rather than its value.
    pub fn key_at(&self, keys: &[&str]) -> Location {
        let span = self.document.as_ref().and_then(|document| span_of(document.get_ref(), keys, true));
        Location::of_span(self.path, self.text, span)
    }
}

fn span_of(document: &DeTable<'_>, keys: &[&str], key_itself: bool) -> Option<Range<usize>> {
    let mut table = document;
    let mut span = None;
    for (i, key) in keys.iter().enumerate() {
        let (found_key, value) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *key)?;
        span = Some(if i + 1 == keys.len() && !key_itself { value.span() } else { found_key.span() });
        match value.get_ref() {
            toml::de::DeValue::Table(inner) => table = inner,
            _ => break,
        }
    }
    span
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_col {
            Some((line, column)) => write!(f, "{}:{line}:{column}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}
