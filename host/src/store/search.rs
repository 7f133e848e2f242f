//! Full-text search. The operator's phrase is never handed to FTS5 as query syntax: it is
//! folded, split into words, and every word becomes a quoted prefix term, so quotes, `*`,
//! `-`, `AND`/`OR`/`NEAR`, SQL fragments and emoji are all just text.

use super::customers::{from_row, select_columns};
use crate::bindings::{Customer, SearchQuery, field_name};
use pos_seed_rules::fold::fold;
use rusqlite::{Connection, params};

/// The most words of a phrase (or a filter) that are searched; the rest are ignored.
pub const MAX_PHRASE_WORDS: usize = 16;

/// The longest word searched, in characters.
const MAX_WORD_CHARS: usize = 64;

/// Up to this many matches are ranked by relevance; beyond it, the first matches are
/// returned unranked, since ranking every match of a common prefix at millions of
/// customers would freeze the till.
const RANKED_MATCHES: u32 = 300;

/// The words of `text`, folded, as quoted FTS5 terms; prefix terms (`"kowal"*`) when
/// `prefix`. A single letter is an initial and matches whole words only, and is left out
/// when longer words are there: as a prefix it would match most of the database (the "K" of
/// "K-0025951").
fn terms(text: &str, prefix: bool) -> Vec<String> {
    let folded = fold(text);
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).collect();
    let has_long = words.iter().any(|word| word.chars().nth(1).is_some());
    words
        .into_iter()
        .filter(|word| !has_long || word.chars().nth(1).is_some())
        .take(MAX_PHRASE_WORDS)
        .map(|word| {
            let word: String = word.chars().take(MAX_WORD_CHARS).collect();
            if prefix && word.chars().nth(1).is_some() { format!("\"{word}\"*") } else { format!("\"{word}\"") }
        })
        .collect()
}

/// The FTS5 MATCH expression of `query` with whole-word (`prefix` false) or prefix terms,
/// or `None` when it has no words at all.
pub fn match_expression(query: &SearchQuery, prefix: bool) -> Option<String> {
    let mut parts = terms(&query.phrase, prefix);
    for filter in &query.filters {
        parts.extend(
            terms(&filter.value, prefix).into_iter().map(|term| format!("{} : {term}", field_name(filter.field))),
        );
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Whole-word matches first, then prefix matches; each group ranked by relevance when it is
/// small, in storage order when it is large (its first rows are found at once, and the
/// operator has to narrow the search anyway).
pub fn search(conn: &Connection, query: &SearchQuery, limit: u32) -> rusqlite::Result<Vec<Customer>> {
    let inactive = query.include_inactive;
    let (Some(exact), Some(prefixed)) = (match_expression(query, false), match_expression(query, true)) else {
        let columns = select_columns("c");
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {columns} FROM customers c WHERE (c.active OR ?1) ORDER BY c.last_name_key, c.first_name LIMIT ?2"
        ))?;
        return statement.query_map(params![inactive, limit], |row| from_row(row, 0))?.collect();
    };
    let mut found = matching(conn, &exact, inactive, limit)?;
    if (found.len() as u32) < limit && prefixed != exact {
        for customer in matching(conn, &prefixed, inactive, limit)? {
            if found.len() as u32 == limit {
                break;
            }
            if !found.iter().any(|f| f.number == customer.number) {
                found.push(customer);
            }
        }
    }
    Ok(found)
}

/// Up to [`RANKED_MATCHES`] + 1 matches with their rank (see `store/rank.rs`): when that
/// is all of them, the best `limit` by rank; otherwise the first `limit` in storage order.
/// Either way the rows are read by the ids this one pass found: walking the index again
/// (a join) cost as much as the pass itself when the phrase has several words.
fn matching(conn: &Connection, expression: &str, inactive: bool, limit: u32) -> rusqlite::Result<Vec<Customer>> {
    let mut matches: Vec<(i64, f64)> = conn
        .prepare_cached(
            "SELECT rowid, column_rank(customers_fts) FROM customers_fts WHERE customers_fts MATCH ?1 LIMIT ?2",
        )?
        .query_map(params![expression, RANKED_MATCHES + 1], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let ranked = matches.len() as u32 <= RANKED_MATCHES;
    if ranked {
        // Stable: equal ranks stay in storage order.
        matches.sort_by(|a, b| b.1.total_cmp(&a.1));
    }
    let found = by_ids(conn, matches.iter().map(|(id, _)| *id), inactive, limit)?;
    if ranked || found.len() as u32 == limit {
        return Ok(found);
    }
    // Inactive customers among the first matches left the list short: the rest of the
    // matches, in storage order.
    let columns = select_columns("c");
    let mut first = conn.prepare_cached(&format!(
        "SELECT {columns} FROM customers_fts JOIN customers c ON c.id = customers_fts.rowid
         WHERE customers_fts MATCH ?1 AND (c.active OR ?2) LIMIT ?3"
    ))?;
    first.query_map(params![expression, inactive, limit], |row| from_row(row, 0))?.collect()
}

/// Up to `limit` of the customers with these ids, in the ids' order, in one statement
/// (one statement per id cost more than the rows themselves). The ids are the outer loop
/// (`CROSS JOIN` fixes SQLite's join order), so the rows come in their order and stop at
/// `limit`: sorting them afterwards would read every row first.
fn by_ids(
    conn: &Connection,
    ids: impl Iterator<Item = i64>,
    inactive: bool,
    limit: u32,
) -> rusqlite::Result<Vec<Customer>> {
    let ids = format!("[{}]", ids.map(|id| id.to_string()).collect::<Vec<_>>().join(","));
    let columns = select_columns("c");
    conn.prepare_cached(&format!(
        "SELECT {columns} FROM json_each(?1) AS i CROSS JOIN customers c ON c.id = i.value
         WHERE (c.active OR ?2) LIMIT ?3"
    ))?
    .query_map(params![ids, inactive, limit], |row| from_row(row, 0))?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{Field, Filter};

    fn query(phrase: &str) -> SearchQuery {
        SearchQuery { phrase: phrase.into(), filters: Vec::new(), include_inactive: false }
    }

    #[test]
    fn phrases_become_quoted_prefix_terms() {
        assert_eq!(match_expression(&query("Łukasz  Wójcik"), true).unwrap(), r#""lukasz"* "wojcik"*"#);
        assert_eq!(
            match_expression(&query(r#"ab" OR "bc* -cd NEAR(de) ; DROP TABLE customers; --"#), true).unwrap(),
            r#""ab"* "or"* "bc"* "cd"* "near"* "de"* "drop"* "table"* "customers"*"#
        );
        assert_eq!(match_expression(&query("K-0025951 j"), true).unwrap(), r#""0025951"*"#);
        assert_eq!(match_expression(&query("j k"), true).unwrap(), r#""j" "k""#);
        assert_eq!(match_expression(&query("🙂 *** \"\""), true), None);
    }

    #[test]
    fn filters_apply_to_their_column() {
        let q = SearchQuery {
            phrase: "kowal".into(),
            filters: vec![Filter { field: Field::City, value: "Kraków".into() }],
            include_inactive: false,
        };
        assert_eq!(match_expression(&q, true).unwrap(), r#""kowal"* city : "krakow"*"#);
        assert_eq!(match_expression(&q, false).unwrap(), r#""kowal" city : "krakow""#);
    }

    #[test]
    fn huge_phrases_are_bounded() {
        let phrase = "słowo ".repeat(2000);
        assert_eq!(terms(&phrase, true).len(), MAX_PHRASE_WORDS);
        assert_eq!(terms(&"x".repeat(10_000), true)[0].len(), MAX_WORD_CHARS + 3);
    }
}
