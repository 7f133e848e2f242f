//! Property 4: search phrases.

use super::*;

// ---------------------------------------------------------------------------------------
// 4. Search phrases

/// Phrases as operators type them and as FTS5 would read them: query syntax, SQL, words
/// of the stored customers, unicode, anything.
fn phrase() -> BoxedStrategy<String> {
    const WORDS: &[&str] = &[
        "\"",
        "\"\"",
        "*",
        "^",
        ":",
        "(",
        ")",
        "-",
        "+",
        "NEAR",
        "NEAR(",
        "NEAR/2",
        "AND",
        "OR",
        "NOT",
        "{",
        "}",
        "number:",
        "last_name:",
        "city :",
        "'",
        ";",
        "--",
        "DROP TABLE customers",
        "%",
        "_",
        "\\",
        "\0",
        "kowal",
        "Wójcik",
        "K-0000117",
        "lukasz",
        "ŁÓDŹ",
        "de Vries",
        "zoë",
        "5261040828",
        "@example",
        "🙂",
        "漢字",
        "İ",
        "ﬁ",
        "ß",
        "\u{200B}",
        "\u{202E}",
        "\u{FEFF}",
    ];
    let soup = prop::collection::vec((select(WORDS), select(&["", " ", "  ", "\t", "*", "\""][..])), 0..24)
        .prop_map(|parts| parts.into_iter().map(|(word, sep)| format!("{word}{sep}")).collect::<String>());
    prop_oneof![3 => soup, 2 => any::<String>(), 1 => text(), 1 => any_text()].boxed()
}

fn filters() -> BoxedStrategy<Vec<Filter>> {
    const FIELDS: &[Field] = &[
        Field::Number,
        Field::FirstName,
        Field::LastName,
        Field::Company,
        Field::TaxId,
        Field::Email,
        Field::Phone,
        Field::Street,
        Field::PostalCode,
        Field::City,
        Field::Country,
    ];
    prop::collection::vec((select(FIELDS), phrase()), 0..4)
        .prop_map(|filters| filters.into_iter().map(|(field, value)| Filter { field, value }).collect())
        .boxed()
}

/// `"word"` or `"word"*`: one folded word, quoted, so that FTS5 reads it as text.
fn is_quoted_term(term: &str, prefix: bool) -> bool {
    let term = if prefix { term.strip_suffix('*').unwrap_or(term) } else { term };
    let Some(word) = term.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else { return false };
    !word.is_empty() && word.chars().count() <= 64 && word.chars().all(char::is_alphanumeric)
}

#[test]
fn search_expressions_of_any_phrase_are_quoted_words() {
    let strategy = (phrase(), filters(), any::<bool>());
    fuzz("search expressions", Cost::Cheap, strategy, |(phrase, filters, prefix), tally| {
        let query = SearchQuery { phrase, filters, include_inactive: false };
        let Some(expression) = match_expression(&query, prefix) else {
            tally.count("without words");
            return Ok(());
        };
        tally.count("with words");
        let columns: Vec<&str> = query.filters.iter().map(|f| field_name(f.field)).collect();
        let mut tokens = expression.split(' ').peekable();
        let mut phrase_terms = 0;
        while let Some(token) = tokens.next() {
            if columns.contains(&token) && tokens.peek() == Some(&":") {
                tokens.next();
                let term = tokens.next().unwrap_or_default();
                prop_assert!(is_quoted_term(term, prefix), "{term:?} of {expression:?}");
            } else {
                phrase_terms += 1;
                prop_assert!(is_quoted_term(token, prefix), "{token:?} of {expression:?}");
            }
        }
        prop_assert!(phrase_terms <= MAX_PHRASE_WORDS, "{expression:?} holds more than {MAX_PHRASE_WORDS} words");
        Ok(())
    });
}

/// A few customers to find, with the letters search folds.
fn stored_customers() -> Vec<Customer> {
    let person = |number: &str, first: &str, last: &str| Customer {
        origin: Origin::Erp,
        ..crate::customer(Some(number), first, last)
    };
    vec![
        Customer {
            company: Some("Piekarnia Wójcik sp. z o.o.".into()),
            tax_id: Some("PL 526-104-08-28".into()),
            email: Some("lukasz.wojcik@example.pl".into()),
            phone: Some("+48 12 345 67 89".into()),
            ..person("K-0000117", "Łukasz", "Wójcik")
        },
        Customer { city: Some("Łódź".into()), ..person("K-0000118", "Zoë", "de Vries") },
        Customer { active: false, ..person("K-0000119", "Jan", "Wojcik") },
        person("K-0000200", "Anna", "Kowalska"),
        person("K-0000201", "İlkay", "Straße 漢字 🙂"),
        person("K-0000202", "NEAR", "\"OR\" AND * ^ -"),
    ]
}

/// A store in a new directory holding [`stored_customers`], and a runtime to ask it on.
fn store_of_stored_customers() -> (tokio::runtime::Runtime, tempfile::TempDir, Store) {
    let runtime = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("customers.sqlite")).unwrap();
    runtime.block_on(async {
        for customer in stored_customers() {
            store.save(customer).await.unwrap();
        }
    });
    (runtime, dir, store)
}

#[test]
fn store_search_of_any_phrase_answers_without_an_sql_error() {
    let (runtime, _dir, store) = store_of_stored_customers();
    let strategy = (phrase(), prop_oneof![3 => Just(Vec::new()), 1 => filters()], any::<bool>(), 0u32..20);
    fuzz("store search", Cost::Cheap, strategy, |(phrase, filters, include_inactive, limit), tally| {
        let query = SearchQuery { phrase, filters, include_inactive };
        let found = runtime.block_on(store.search(&query, limit));
        let found = match found {
            Ok(found) => found,
            Err(error) => return Err(TestCaseError::fail(format!("the search failed: {error}"))),
        };
        tally.count(if found.is_empty() { "found nobody" } else { "found customers" });
        prop_assert!(found.len() <= limit as usize);
        prop_assert!(include_inactive || found.iter().all(|c| c.active), "an inactive customer was found");
        Ok(())
    });
}

#[test]
fn store_search_of_any_plain_phrase_answers_without_an_sql_error() {
    let (runtime, _dir, store) = store_of_stored_customers();
    fuzz("store search, phrase only", Cost::Cheap, phrase(), |phrase, tally| {
        let query = SearchQuery { phrase, filters: vec![], include_inactive: false };
        match runtime.block_on(store.search(&query, 10)) {
            Ok(found) => {
                tally.count(if found.is_empty() { "found nobody" } else { "found customers" });
                prop_assert!(found.len() <= 10 && found.iter().all(|c| c.active));
                Ok(())
            }
            Err(error) => Err(TestCaseError::fail(format!("the search failed: {error}"))),
        }
    });
}
