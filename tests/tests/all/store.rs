//! The local customer store: a real SQLite file, searched as the operator types.

use crate::customer;
use pos_host::bindings::{Customer, Field, Filter, SearchQuery};
use pos_host::caps::LocalDb;
use pos_host::store::{Store, StoreError};

fn query(phrase: &str) -> SearchQuery {
    SearchQuery { phrase: phrase.into(), filters: Vec::new(), include_inactive: false }
}

fn numbers(found: &[Customer]) -> Vec<&str> {
    found.iter().map(|c| c.number.as_deref().unwrap()).collect()
}

async fn store_with(customers: Vec<Customer>) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("customers.sqlite")).unwrap();
    for customer in customers {
        store.save(customer).await.unwrap();
    }
    (dir, store)
}

fn sample() -> Vec<Customer> {
    vec![
        Customer {
            company: Some("Piekarnia Wójcik sp. z o.o.".into()),
            phone: Some("+48 12 345 67 89".into()),
            tax_id: Some("PL 526-104-08-28".into()),
            email: Some("lukasz.wojcik@example.pl".into()),
            ..customer(Some("K-0000117"), "Łukasz", "Wójcik")
        },
        Customer { city: Some("Łódź".into()), ..customer(Some("K-0000118"), "Zoë", "de Vries") },
        Customer { active: false, ..customer(Some("K-0000119"), "Jan", "Wojcik") },
        customer(Some("K-0000200"), "Anna", "Kowalska"),
    ]
}

#[tokio::test]
async fn search_folds_case_and_diacritics_and_matches_prefixes() {
    let (_dir, store) = store_with(sample()).await;
    assert_eq!(numbers(&store.search(&query("wojc"), 10).await.unwrap()), ["K-0000117"]);
    assert_eq!(numbers(&store.search(&query("LUKASZ wójcik"), 10).await.unwrap()), ["K-0000117"]);
    assert_eq!(numbers(&store.search(&query("zoe"), 10).await.unwrap()), ["K-0000118"]);
    assert_eq!(numbers(&store.search(&query("piekarnia"), 10).await.unwrap()), ["K-0000117"]);
    assert_eq!(numbers(&store.search(&query("123456789"), 10).await.unwrap()), ["K-0000117"], "phone without spaces");
    assert_eq!(numbers(&store.search(&query("5261040828"), 10).await.unwrap()), ["K-0000117"], "tax id without dashes");
    assert_eq!(numbers(&store.search(&query("K-0000200"), 10).await.unwrap()), ["K-0000200"]);
    assert_eq!(numbers(&store.search(&query("lukasz.wojcik@exa"), 10).await.unwrap()), ["K-0000117"]);
}

#[tokio::test]
async fn inactive_customers_are_hidden_unless_asked_for() {
    let (_dir, store) = store_with(sample()).await;
    assert_eq!(numbers(&store.search(&query("jan"), 10).await.unwrap()), Vec::<&str>::new());
    let all = SearchQuery { include_inactive: true, ..query("jan wojcik") };
    assert_eq!(numbers(&store.search(&all, 10).await.unwrap()), ["K-0000119"]);
}

#[tokio::test]
async fn filters_narrow_by_field() {
    let (_dir, store) = store_with(sample()).await;
    let lodz = SearchQuery { filters: vec![Filter { field: Field::City, value: "lodz".into() }], ..query("") };
    assert_eq!(numbers(&store.search(&lodz, 10).await.unwrap()), ["K-0000118"]);
    let krakow_vries =
        SearchQuery { filters: vec![Filter { field: Field::City, value: "Kraków".into() }], ..query("vries") };
    assert!(store.search(&krakow_vries, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn matches_are_ranked_by_the_columns_the_words_are_in() {
    let (_dir, store) = store_with(vec![
        Customer { street: Some("Kowala 4".into()), ..customer(Some("K-0000301"), "Ewa", "Nowak") },
        Customer { city: Some("Kowal".into()), ..customer(Some("K-0000302"), "Jan", "Lis") },
        customer(Some("K-0000303"), "Kowal", "Zieliński"),
        customer(Some("K-0000304"), "Piotr", "Kowal"),
        Customer { city: Some("Kowal".into()), ..customer(Some("K-0000305"), "Jan", "Kowal") },
    ])
    .await;
    // Whole words by where they are found (last name, first name, city), then the prefix
    // match in the street.
    assert_eq!(
        numbers(&store.search(&query("kowal"), 10).await.unwrap()),
        ["K-0000304", "K-0000305", "K-0000303", "K-0000302", "K-0000301"]
    );
    assert_eq!(numbers(&store.search(&query("jan kowal"), 10).await.unwrap()), ["K-0000305", "K-0000302"]);
}

#[tokio::test]
async fn active_customers_are_found_behind_hundreds_of_inactive_matches() {
    let mut customers: Vec<Customer> = (0..320)
        .map(|i| Customer { active: i >= 305, ..customer(Some(&format!("K-{:07}", 1000 + i)), "Anna", "Nowak") })
        .collect();
    customers.push(customer(Some("K-0002000"), "Anna", "Lis"));
    let (_dir, store) = store_with(customers).await;
    let found = store.search(&query("nowak"), 10).await.unwrap();
    assert_eq!(numbers(&found), (1305..1315).map(|n| format!("K-{n:07}")).collect::<Vec<_>>());
    let all = SearchQuery { include_inactive: true, ..query("nowak") };
    assert_eq!(store.search(&all, 100).await.unwrap().len(), 100);
}

#[tokio::test]
async fn anything_a_person_types_is_text_never_a_syntax_error() {
    let (_dir, store) = store_with(sample()).await;
    let long = "Wójcik ".repeat(1500);
    for phrase in [
        "\"",
        "\"\"",
        "\"wojcik",
        "wojcik\"",
        "*",
        "**",
        "wo*",
        "*cik",
        "-",
        "-wojcik",
        "wojcik -anna",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "NEAR(wojcik anna)",
        "wojcik AND",
        "OR wojcik",
        "a OR b NOT c",
        "(",
        ")",
        "(wojcik",
        "{",
        "}",
        "last_name:wojcik",
        "{last_name}: x",
        "^wojcik",
        "'; DROP TABLE customers; --",
        "1' OR '1'='1",
        "\\",
        "%",
        "_",
        "🙂",
        "👨‍👩‍👧",
        "wójcik 🙂",
        "\u{0}",
        "\t\n",
        "   ",
        "",
        "ｗｏｊｃｉｋ",
        long.as_str(),
    ] {
        let found = store.search(&query(phrase), 10).await;
        assert!(found.is_ok(), "{phrase:?}: {found:?}");
    }
    assert_eq!(numbers(&store.search(&query(&long), 10).await.unwrap()), ["K-0000117"]);
    assert_eq!(numbers(&store.search(&query("'; DROP TABLE customers; --"), 10).await.unwrap()), Vec::<&str>::new());
    assert_eq!(store.count().await.unwrap(), 4, "nothing was dropped");
}

#[tokio::test]
async fn an_empty_phrase_lists_customers_by_name() {
    let (_dir, store) = store_with(sample()).await;
    assert_eq!(
        numbers(&store.search(&query(""), 10).await.unwrap()),
        ["K-0000118", "K-0000200", "K-0000117"],
        "de Vries, Kowalska, Wójcik"
    );
}

#[tokio::test]
async fn bad_customers_are_refused_and_nothing_is_written() {
    let (_dir, store) = store_with(sample()).await;
    for (bad, why) in [
        (customer(None, "No", "Number"), "no number"),
        (customer(Some("K-9"), "No", " "), "no last name"),
        (Customer { city: Some("x".repeat(2000)), ..customer(Some("K-9"), "A", "B") }, "longer than 1024 bytes"),
        (Customer { email: Some("a\u{0}b".into()), ..customer(Some("K-9"), "A", "B") }, "control characters"),
    ] {
        let error = store.save(bad).await.unwrap_err();
        assert!(matches!(&error, StoreError::Invalid(message) if message.contains(why)), "{error}");
    }
    assert_eq!(store.count().await.unwrap(), 4);
}

#[tokio::test]
async fn the_schema_is_versioned_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.sqlite");
    drop(Store::open(&path).unwrap());
    let reopened = Store::open(&path).unwrap();
    let version: i64 = reopened.read(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0))).await.unwrap();
    assert_eq!(version as usize, pos_host::store::current_version());
    drop(reopened);
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection.pragma_update(None, "user_version", 99).unwrap();
    drop(connection);
    let error = Store::open(&path).err().unwrap().to_string();
    assert!(error.contains("has schema version 99, newer than this host's"), "{error}");
}

/// A capital ẞ folds to "ss" as ß does, and a letter followed by a combining diacritic
/// ("u" + U+0308, as some systems store "ü") as the letter written as one: each is found by
/// its other spellings, in the search and by last name.
#[tokio::test]
async fn a_capital_sharp_s_and_combining_diacritics_are_found_in_every_spelling() {
    let (_dir, store) = store_with(vec![
        Customer { city: Some("HAUPTSTRAẞE".into()), ..customer(Some("K-1"), "EVA", "STRAUẞ") },
        customer(Some("K-2"), "Ju\u{308}rgen", "Mu\u{308}ller"),
    ])
    .await;
    for (phrase, expected) in [("strauss", "K-1"), ("Strauß", "K-1"), ("hauptstrasse", "K-1"), ("jürgen müller", "K-2")]
    {
        assert_eq!(numbers(&store.search(&query(phrase), 10).await.unwrap()), [expected], "{phrase}");
    }
    for (last_name, expected) in [("Strauss", "K-1"), ("STRAUẞ", "K-1"), ("Müller", "K-2"), ("muller", "K-2")] {
        let found = LocalDb::find_by_last_name(&store, last_name, 10).await.unwrap();
        assert_eq!(numbers(&found), [expected], "{last_name}");
    }
}

/// A database written by a host that folded "STRAUẞ" as "strauß" is folded anew when a
/// newer host opens it, the customers it does not concern left as they were.
#[tokio::test]
async fn a_database_folded_by_an_earlier_host_is_folded_anew() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.sqlite");
    let store = Store::open(&path).unwrap();
    for customer in [customer(Some("K-1"), "Eva", "STRAUẞ"), customer(Some("K-2"), "Jan", "Nowak")] {
        store.save(customer).await.unwrap();
    }
    drop(store);
    // What the earlier host stored: the schema before the migration, and the old folds.
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "UPDATE customers SET last_name_key = 'strauß' WHERE number = 'K-1';
             DELETE FROM customers_fts WHERE rowid = (SELECT id FROM customers WHERE number = 'K-1');
             INSERT INTO customers_fts (rowid, number, first_name, last_name, city)
                 SELECT id, 'k-1', 'eva', 'strauß', 'krakow' FROM customers WHERE number = 'K-1';
             DROP TABLE erasures;
             DROP TABLE looked_up;
             DROP INDEX audit_personal_at;
             ALTER TABLE audit DROP COLUMN personal;
             PRAGMA user_version = 2;",
        )
        .unwrap();
    drop(connection);
    let store = Store::open(&path).unwrap();
    let version: i64 = store.read(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0))).await.unwrap();
    assert_eq!(version as usize, pos_host::store::current_version());
    assert_eq!(numbers(&LocalDb::find_by_last_name(&store, "Strauss", 10).await.unwrap()), ["K-1"]);
    assert_eq!(numbers(&store.search(&query("strauss eva"), 10).await.unwrap()), ["K-1"]);
    let in_krakow = store.search(&query("krakow"), 10).await.unwrap();
    let mut in_krakow = numbers(&in_krakow);
    in_krakow.sort();
    assert_eq!(in_krakow, ["K-1", "K-2"], "one index entry each, as before");
    assert_eq!(numbers(&LocalDb::find_by_last_name(&store, "nowak", 10).await.unwrap()), ["K-2"]);
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.sqlite");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(200)).unwrap();
    let error = Store::open(&path).err().unwrap().to_string();
    assert!(error.starts_with(&format!("cannot open the customer database {}", path.display())), "{error}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "these are my notes, not a database\n".repeat(200));
}

/// The index entries of a transaction are written at its end; whatever happened to a
/// customer within it, only its last state is searchable.
#[tokio::test]
async fn the_index_follows_every_change_within_one_transaction() {
    let (_dir, store) = store_with(vec![customer(Some("K-1"), "Anna", "Kowalska")]).await;
    store
        .write_blocking(|tx| -> rusqlite::Result<()> {
            // Changed twice: only the last name is found.
            pos_host::store::upsert(tx, &customer(Some("K-1"), "Anna", "Nowak"), None)?;
            pos_host::store::upsert(tx, &customer(Some("K-1"), "Anna", "Zielinska"), None)?;
            // Created and removed again: nothing is left of it.
            pos_host::store::insert_new(tx, &customer(Some("K-2"), "Piotr", "Lewandowski"), None)?;
            assert!(pos_host::store::delete(tx, "K-2")?);
            pos_host::store::insert_new(tx, &customer(Some("K-3"), "Ewa", "Mazur"), None)?;
            Ok(())
        })
        .unwrap();
    store
        .write_blocking(|tx| -> rusqlite::Result<()> {
            // Removed and created again under the same number: found as created.
            assert!(pos_host::store::delete(tx, "K-3")?);
            pos_host::store::insert_new(tx, &customer(Some("K-3"), "Ewa", "Kaczmarek"), None)?;
            Ok(())
        })
        .unwrap();
    for (phrase, expected) in [
        ("Kowalska", vec![]),
        ("Nowak", vec![]),
        ("Zielinska", vec!["K-1"]),
        ("Anna", vec!["K-1"]),
        ("Lewandowski", vec![]),
        ("Mazur", vec![]),
        ("Kaczmarek", vec!["K-3"]),
    ] {
        assert_eq!(numbers(&store.search(&query(phrase), 10).await.unwrap()), expected, "{phrase}");
    }
    // Not just hidden by the join with the customers: the index holds exactly two entries.
    let entries: i64 = store
        .read_blocking(|c| {
            c.query_row(
                "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH 'anna OR ewa OR piotr'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert_eq!(entries, 2);
}

/// Commits reach the database file itself through the checkpoint thread, not only the log:
/// a copy of the file without its log holds them once the checkpoint ran.
#[tokio::test]
async fn commits_are_copied_from_the_log_into_the_database_file() {
    let (dir, store) = store_with(Vec::new()).await;
    for i in 0..200 {
        store.save(customer(Some(&format!("K-{i:07}")), "Anna", "Kowalska")).await.unwrap();
    }
    store.wait_for_checkpoint();
    let copy = dir.path().join("copy.sqlite");
    std::fs::copy(dir.path().join("customers.sqlite"), &copy).unwrap();
    let connection = rusqlite::Connection::open(&copy).unwrap();
    let count: i64 = connection.query_row("SELECT count(*) FROM customers", [], |row| row.get(0)).unwrap();
    assert_eq!(count, 200, "the database file without its log");
}

/// A replaced customer keeps what only this workstation knows (its web link), takes
/// everything else from the new copy, and is found by what changed, whichever columns the
/// change touched.
#[tokio::test]
async fn a_replaced_customer_keeps_its_web_link_and_is_found_by_what_changed() {
    let linked = Customer { web_id: Some("W-1".into()), ..customer(Some("K-1"), "Anna", "Kowalska") };
    let (_dir, store) = store_with(vec![linked]).await;
    let all = |phrase: &str| SearchQuery { phrase: phrase.into(), filters: Vec::new(), include_inactive: true };
    // Only columns outside every index and the searchable fields: the entry stays.
    let copy = Customer {
        active: false,
        version: 2,
        origin: pos_host::bindings::Origin::Erp,
        ..customer(Some("K-1"), "Anna", "Kowalska")
    };
    store
        .write_blocking(|tx| -> rusqlite::Result<()> {
            let stored = pos_host::store::get(tx, "K-1")?.unwrap();
            pos_host::store::replace(tx, &stored, &copy, None)
        })
        .unwrap();
    let stored = store.customer("K-1").await.unwrap().unwrap();
    assert_eq!(stored, Customer { web_id: Some("W-1".into()), ..copy.clone() });
    assert_eq!(numbers(&store.search(&all("kowalska anna"), 10).await.unwrap()), ["K-1"]);
    assert!(store.search(&query("kowalska"), 10).await.unwrap().is_empty(), "inactive now");
    // The names and a searchable field: the entry follows, and so does the last-name key.
    let renamed = Customer { city: Some("Łódź".into()), version: 3, ..customer(Some("K-1"), "Ewa", "Nowak") };
    store
        .write_blocking(|tx| -> rusqlite::Result<()> {
            let stored = pos_host::store::get(tx, "K-1")?.unwrap();
            pos_host::store::replace(tx, &stored, &renamed, Some(7))
        })
        .unwrap();
    for (phrase, expected) in [("nowak ewa lodz", vec!["K-1"]), ("kowalska", vec![]), ("anna", vec![])] {
        assert_eq!(numbers(&store.search(&query(phrase), 10).await.unwrap()), expected, "{phrase}");
    }
    assert_eq!(numbers(&store.find_by_last_name("NOWAK", 10).await.unwrap()), ["K-1"]);
    assert!(store.find_by_last_name("Kowalska", 10).await.unwrap().is_empty());
    let (web_id, generation): (String, i64) = store
        .read_blocking(|c| {
            c.query_row("SELECT web_id, sync_generation FROM customers", [], |r| Ok((r.get(0)?, r.get(1)?)))
        })
        .unwrap();
    assert_eq!((web_id.as_str(), generation), ("W-1", 7));
}

#[tokio::test]
async fn the_search_index_is_merged_into_one_segment_and_still_finds_what_changed() {
    // Each customer saved in a transaction of its own, then changed and removed: segments
    // and tombstones, as incremental synchronizations leave them.
    let (_dir, store) =
        store_with((0..400).map(|i| customer(Some(&format!("K-{i:07}")), "Anna", &format!("Nowak{i}"))).collect())
            .await;
    for i in 0..40 {
        store.save(Customer { version: 2, ..customer(Some(&format!("K-{i:07}")), "Ewa", "Lis") }).await.unwrap();
    }
    store.write(|tx| Ok::<_, StoreError>(pos_host::store::delete(tx, "K-0000399")?)).await.unwrap();
    let segments = || store.read(pos_host::store::index_merge::segments);
    let before = segments().await.unwrap();
    assert!(before > 1, "{before} segments");

    let merged = store.merge_index().await.unwrap();
    assert_eq!(merged.segments, before);
    assert!(merged.slices >= 1, "{merged:?}");
    assert_eq!(segments().await.unwrap(), 1);
    assert_eq!(store.search(&query("ewa lis"), 100).await.unwrap().len(), 40);
    assert!(store.search(&query("nowak0"), 10).await.unwrap().is_empty(), "a changed name is gone");
    assert_eq!(numbers(&store.search(&query("nowak40"), 10).await.unwrap()), ["K-0000040"]);
    assert!(store.search(&query("nowak399"), 10).await.unwrap().is_empty(), "a removed customer is gone");
    assert_eq!(store.search(&query("anna"), 500).await.unwrap().len(), 359);
    // One segment: nothing to do.
    assert_eq!(store.merge_index().await.unwrap(), pos_host::store::index_merge::IndexMerge { segments: 1, slices: 0 });
}
