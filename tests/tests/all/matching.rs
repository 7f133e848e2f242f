//! Matching web shop registrations with local customers (`web-merge-rules` `candidates`):
//! realistic Polish, Dutch and German names in a real store, through the default plugin and
//! through the host's fallback, which must give the same answer.

use crate::{customer, web_customer};
use MatchReason::{
    GenderedLastName as Gendered, LastNamePart as Part, SameEmail as Email, SameFirstName as First,
    SameLastName as Same, SameLastNameWithoutPrefix as NoPrefix, SameNumber as Number, SameTaxId as TaxId,
};
use pos_host::bindings::Customer;
use pos_host::bindings::merge::MatchReason;
use pos_host::caps::{Capabilities, LocalDb};
use pos_host::runtime::{LoadProblem, Slot};
use pos_host::slots::WebMergeRulesKind;
use pos_host::slots::web_merge_rules::fallback_candidates;
use pos_host::store::Store;
use pos_host::{Capability, Source};
use pos_tests::{artifacts, load, runtime, spec};
use std::sync::{Arc, OnceLock};

fn local(number: &str, first: &str, last: &str) -> Customer {
    customer(Some(number), first, last)
}

/// The local customers, in one store shared by every test of this module.
fn locals() -> Vec<Customer> {
    vec![
        // Polish.
        local("K-101", "Anna", "Kowalska-Nowak"),
        local("K-102", "Anna", "Nowak"),
        local("K-103", "Piotr", "Nowak"),
        local("K-104", "Anna", "Kowalska"),
        local("K-105", "Jan", "Kowalski"),
        local("K-106", "Marek", "Kowalczyk"),
        local("K-107", "Adam", "Kowal"),
        local("K-108", "Tomasz", "Nowakowski"),
        local("K-109", "Ewa", "Nowicka"),
        local("K-111", "Zofia", "Zawadzka"),
        local("K-112", "Łukasz", "Wójcik"),
        local("K-113", "Teresa", "Łukasiewicz"),
        local("K-114", "Barbara", "Kowalska – Nowak"),
        Customer {
            email: Some("maria.w@example.pl".into()),
            tax_id: Some("PL 526-104-08-28".into()),
            company: Some("Kwiaciarnia Maria".into()),
            ..local("K-115", "Maria", "Wiśniewska")
        },
        Customer { active: false, ..local("K-116", "Kamil", "Nowak") },
        // Dutch.
        local("K-201", "Daan", "van der Berg"),
        local("K-202", "Sanne", "Berg"),
        local("K-203", "Femke", "Berg, van der"),
        local("K-204", "Bram", "van den Bergh"),
        local("K-205", "Lotte", "de Vries"),
        local("K-206", "Joris", "de Vos"),
        local("K-207", "Eva", "Jansen"),
        local("K-208", "Ruud", "Janssen"),
        local("K-209", "Pieter", "Van Der Berg"),
        local("K-210", "Inge", "Jansen-de Vries"),
        // German.
        local("K-301", "Jürgen", "Müller"),
        local("K-302", "Hans", "Muller"),
        local("K-303", "Anna", "Müller-Lüdenscheidt"),
        local("K-304", "Eva", "Strauß"),
        local("K-305", "Jörg", "Schröder"),
        local("K-306", "Uwe", "Baur"),
    ]
}

fn store() -> Store {
    static STORE: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
    let (_, store) = STORE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("customers.sqlite")).unwrap();
        store.write_blocking(|tx| locals().iter().try_for_each(|c| pos_host::store::upsert(tx, c, None))).unwrap();
        (dir, store)
    });
    store.clone()
}

struct World {
    caps: Capabilities,
    plugin: Slot<WebMergeRulesKind>,
    /// Whether the plugin is configured with the defaults, as a slot without a plugin is.
    defaults: bool,
}

async fn world_with(config: &str) -> World {
    let caps = Capabilities { local_db: Arc::new(store()), ..Capabilities::default() };
    let runtime = runtime(caps.clone());
    let plugin = load(&runtime, &spec(artifacts::WEB_MERGE_RULES, &[Capability::LocalDb], config)).await.unwrap();
    World { caps, plugin: Slot::new(Some(plugin)), defaults: config.is_empty() }
}

type Found = Vec<(String, Vec<MatchReason>, u8)>;

/// The plugin's candidates for `web`, checked against the fallback's with the plugin's
/// config, and, with the defaults, against a slot's without a plugin.
async fn candidates(world: &World, web: &Customer) -> Found {
    let plugin = world.plugin.candidates(&*world.caps.local_db, web).await;
    assert_eq!(plugin.source, Source::Plugin("web_merge_rules".into()), "{:?}", plugin.source);
    let plugin = plugin.value.unwrap();
    let fallback = fallback_candidates(&world.plugin.config(), &*world.caps.local_db, web).await;
    assert_eq!(plugin, fallback.unwrap(), "the plugin and the fallback agree on {:?}", web.last_name);
    if world.defaults {
        let fallback = Slot::<WebMergeRulesKind>::new(None).candidates(&*world.caps.local_db, web).await;
        assert_eq!(fallback.source, Source::NoPlugin);
        assert_eq!(plugin, fallback.value.unwrap(), "no plugin decides as the plugin on {:?}", web.last_name);
    }
    plugin.into_iter().map(|c| (c.customer.number.unwrap(), c.reasons, c.score)).collect()
}

fn web(first: &str, last: &str) -> Customer {
    Customer { email: None, ..web_customer("W-1", None, first, last) }
}

fn found(expected: &[(&str, &[MatchReason], u8)]) -> Found {
    expected.iter().map(|(number, reasons, score)| (number.to_string(), reasons.to_vec(), *score)).collect()
}

fn numbers(found: &Found) -> Vec<&str> {
    found.iter().map(|(number, ..)| number.as_str()).collect()
}

#[tokio::test]
async fn a_double_name_finds_each_part() {
    let world = world_with("").await;
    assert_eq!(
        candidates(&world, &web("Anna", "Kowalska-Nowak")).await,
        found(&[
            ("K-101", &[Same, First], 75),
            ("K-102", &[Part, First], 55),
            ("K-104", &[Part, First], 55),
            ("K-114", &[NoPrefix], 55),
            ("K-103", &[Part], 40),
            ("K-116", &[Part], 40),
        ]),
        "Kowalski (the other gender of one part only) and Nowakowski are not proposed"
    );
    assert_eq!(
        candidates(&world, &web("Piotr", "NOWAK")).await,
        found(&[
            ("K-103", &[Same, First], 75),
            ("K-102", &[Same], 60),
            ("K-116", &[Same], 60),
            ("K-101", &[Part], 40),
            ("K-114", &[Part], 40),
        ]),
        "the inactive K-116 too; not Nowakowski"
    );
    assert_eq!(
        candidates(&world, &web("Anna", "Kowalska")).await,
        found(&[
            ("K-104", &[Same, First], 75),
            ("K-101", &[Part, First], 55),
            ("K-105", &[Gendered], 50),
            ("K-114", &[Part], 40),
        ])
    );
}

#[tokio::test]
async fn prefixes_are_set_aside_however_written() {
    let world = world_with("").await;
    assert_eq!(
        candidates(&world, &web("Daan", "van der Berg")).await,
        found(&[
            ("K-201", &[Same, First], 75),
            ("K-209", &[Same], 60),
            ("K-202", &[NoPrefix], 55),
            ("K-203", &[NoPrefix], 55)
        ]),
        "not van den Bergh"
    );
    assert_eq!(
        candidates(&world, &web("Femke", "Berg, van der")).await,
        found(&[
            ("K-203", &[Same, First], 75),
            ("K-201", &[NoPrefix], 55),
            ("K-202", &[NoPrefix], 55),
            ("K-209", &[NoPrefix], 55),
        ])
    );
    assert_eq!(
        candidates(&world, &web("Pieter", "VAN  DER berg")).await,
        found(&[
            ("K-209", &[Same, First], 75),
            ("K-201", &[Same], 60),
            ("K-202", &[NoPrefix], 55),
            ("K-203", &[NoPrefix], 55)
        ])
    );
    assert_eq!(
        candidates(&world, &web("Sanne", "v.d. Berg")).await,
        found(&[
            ("K-202", &[NoPrefix, First], 70),
            ("K-201", &[NoPrefix], 55),
            ("K-203", &[NoPrefix], 55),
            ("K-209", &[NoPrefix], 55)
        ])
    );
    assert_eq!(
        candidates(&world, &web("Lotte", "Vries")).await,
        found(&[("K-205", &[NoPrefix, First], 70), ("K-210", &[Part], 40)])
    );
}

#[tokio::test]
async fn masculine_and_feminine_forms_are_likely() {
    let world = world_with("").await;
    assert_eq!(
        candidates(&world, &web("Tomasz", "Kowalski")).await,
        found(&[("K-105", &[Same], 60), ("K-104", &[Gendered], 50)]),
        "not Kowalczyk, Kowal or Kowalska-Nowak"
    );
    assert_eq!(candidates(&world, &web("Ewa", "Nowicki")).await, found(&[("K-109", &[Gendered, First], 65)]));
    assert_eq!(candidates(&world, &web("Jerzy", "Nowicka")).await, found(&[("K-109", &[Same], 60)]));
    assert_eq!(candidates(&world, &web("Zofia", "Zawadzki")).await, found(&[("K-111", &[Gendered, First], 65)]));
}

#[tokio::test]
async fn case_and_diacritics_are_folded() {
    let world = world_with("").await;
    assert_eq!(candidates(&world, &web("LUKASZ", "WOJCIK")).await, found(&[("K-112", &[Same, First], 75)]));
    assert_eq!(candidates(&world, &web("teresa", "Lukasiewicz")).await, found(&[("K-113", &[Same, First], 75)]));
}

/// A web registration spelled without umlauts finds the local customer written with them,
/// though the store keeps last names folded ("Müller" as "muller") and is asked for
/// "mueller".
#[tokio::test]
async fn german_spellings_find_each_other() {
    let world = world_with("").await;
    assert_eq!(
        candidates(&world, &web("Juergen", "Mueller")).await,
        found(&[("K-301", &[Same, First], 75), ("K-303", &[Part], 40)]),
        "not Muller: written in plain letters, ue may be just that"
    );
    assert_eq!(
        candidates(&world, &web("Hans", "MÜLLER")).await,
        found(&[("K-302", &[Same, First], 75), ("K-301", &[Same], 60), ("K-303", &[Part], 40)])
    );
    assert_eq!(candidates(&world, &web("Eva", "Strauss")).await, found(&[("K-304", &[Same, First], 75)]));
    assert_eq!(candidates(&world, &web("Eva", "STRAUẞ")).await, found(&[("K-304", &[Same, First], 75)]));
    assert_eq!(candidates(&world, &web("Joerg", "Schroeder")).await, found(&[("K-305", &[Same, First], 75)]));
    assert_eq!(candidates(&world, &web("Uwe", "Bauer")).await, found(&[]), "Bauer is not Baur");
}

#[tokio::test]
async fn an_empty_transliteration_table_leaves_only_folding() {
    let world = world_with("transliterations = []").await;
    assert_eq!(candidates(&world, &web("Juergen", "Mueller")).await, found(&[]));
    assert_eq!(
        candidates(&world, &web("Jurgen", "Muller")).await,
        found(&[("K-301", &[Same, First], 75), ("K-302", &[Same], 60), ("K-303", &[Part], 40)])
    );

    let world = world_with("transliterations = [\"ø=oe\"]").await;
    assert_eq!(candidates(&world, &web("Juergen", "Mueller")).await, found(&[]), "the list replaces the default");
}

#[tokio::test]
async fn the_same_email_or_tax_id_finds_another_last_name() {
    let world = world_with("").await;
    let married = Customer { email: Some(" Maria.W@Example.PL".into()), ..web("Maria", "Zielińska") };
    assert_eq!(candidates(&world, &married).await, found(&[("K-115", &[Email, First], 95)]));
    let company = Customer { tax_id: Some("5261040828".into()), ..web("Firma", "Kwiaciarnia") };
    assert_eq!(candidates(&world, &company).await, found(&[("K-115", &[TaxId], 90)]));
    let both = Customer { tax_id: Some("PL5261040828".into()), ..married.clone() };
    assert_eq!(candidates(&world, &both).await, found(&[("K-115", &[TaxId, Email, First], 100)]));
    let near = Customer { email: Some("maria.w@example.nl".into()), tax_id: Some("5261040829".into()), ..married };
    assert_eq!(candidates(&world, &near).await, found(&[]), "a prefix or a near miss is no match");

    let world = world_with("match-email = false\nmatch-tax-id = false").await;
    let both =
        Customer { email: Some("maria.w@example.pl".into()), tax_id: Some("5261040828".into()), ..web("M", "X") };
    let found = world.plugin.candidates(&*world.caps.local_db, &both).await.value.unwrap();
    assert!(found.is_empty(), "{found:?}");
}

#[tokio::test]
async fn the_same_number_ranks_first() {
    let world = world_with("").await;
    let web = web_customer("W-2", Some("K-207"), "Eva", "Jansen-de Vries");
    assert_eq!(
        candidates(&world, &web).await,
        found(&[("K-207", &[Number, Part, First], 100), ("K-210", &[Same], 60), ("K-205", &[Part], 40)])
    );
}

#[tokio::test]
async fn names_that_must_not_match() {
    let world = world_with("").await;
    for (web_last, local_number) in [
        ("Kowal", "K-105"),
        ("Kowal", "K-104"),
        ("Kowalski", "K-107"),
        ("Nowak", "K-108"),
        ("Nowakowski", "K-102"),
        ("Jansen", "K-208"),
        ("Janssen", "K-207"),
        ("Berg", "K-204"),
        ("van den Bergh", "K-202"),
        ("de Vries", "K-206"),
        ("de Vos", "K-205"),
        ("Kowalski", "K-106"),
        ("Kowalczyk", "K-105"),
    ] {
        let found = candidates(&world, &web("Anna", web_last)).await;
        assert!(!numbers(&found).contains(&local_number), "{web_last} must not propose {local_number}: {found:?}");
    }
    for last in ["", "  ", "-", "\"", "van der"] {
        assert_eq!(candidates(&world, &web("Anna", last)).await, found(&[]), "{last:?}");
    }
}

#[tokio::test]
async fn max_candidates_and_min_score_bound_the_list() {
    let world = world_with("max-candidates = 2").await;
    let found = world.plugin.candidates(&*world.caps.local_db, &web("Anna", "Kowalska-Nowak")).await.value.unwrap();
    let found: Vec<(&str, u8)> = found.iter().map(|c| (c.customer.number.as_deref().unwrap(), c.score)).collect();
    assert_eq!(found, [("K-101", 75), ("K-102", 55)]);

    let world = world_with("min-score = 55").await;
    let found = world.plugin.candidates(&*world.caps.local_db, &web("Anna", "Kowalska-Nowak")).await.value.unwrap();
    assert_eq!(found.len(), 4, "the two 40s are dropped: {found:?}");
}

#[tokio::test]
async fn configured_prefixes_and_endings_replace_the_defaults() {
    let world = world_with("name-prefixes = []\ngendered-suffixes = [\"cki:cka\"]").await;
    let found = world.plugin.candidates(&*world.caps.local_db, &web("Daan", "Berg")).await.value.unwrap();
    let numbers: Vec<&str> = found.iter().map(|c| c.customer.number.as_deref().unwrap()).collect();
    assert_eq!(numbers, ["K-202"], "without prefixes, van der Berg is another name");
    let found = world.plugin.candidates(&*world.caps.local_db, &web("Jan", "Kowalska")).await.value.unwrap();
    assert!(found.iter().all(|c| !c.reasons.contains(&Gendered)), "ski:ska is not configured: {found:?}");
    let found = world.plugin.candidates(&*world.caps.local_db, &web("Ewa", "Nowicki")).await.value.unwrap();
    assert_eq!(found[0].reasons, [Gendered, First]);
}

#[tokio::test]
async fn bad_config_is_refused_naming_every_key() {
    let runtime = runtime(Capabilities::default());
    let config = "max-candidates = 0\nname-prefixes = \"van\"\ngendered-suffixes = [\"ski-ska\", \"cki:cka\", \"a:a\"]\n\
                  transliterations = [\"ü=ue\", \"ö-oe\", \"Ü=u\"]\nmatch-email = \"yes\"\nmin-score = 101\ncolour = 1";
    let bad = spec(artifacts::WEB_MERGE_RULES, &[Capability::LocalDb], config);
    let error = load::<WebMergeRulesKind>(&runtime, &bad).await.err().expect("refused");
    let LoadProblem::Config(problems) = &error.problem else { panic!("{error}") };
    let all = problems.join("\n");
    assert_eq!(problems.len(), 7, "{all}");
    for expected in [
        "config.max-candidates: must be between 1 and 200, found 0",
        "config.name-prefixes: must be an array of strings, found a string",
        "config.gendered-suffixes: \"ski-ska\" is not `masculine:feminine`",
        "\"a:a\": the two endings are the same",
        "config.transliterations: \"ö-oe\" is not `letter=spelling`, such as \"ü=ue\"; \"Ü=u\": Ü is given twice",
        "config.match-email: must be a boolean, found a string",
        "config.min-score: must be between 0 and 100, found 101",
        "config.colour: unknown key",
    ] {
        assert!(all.contains(expected), "{expected}\n{all}");
    }
    let transliterations = problems.iter().find(|p| p.contains("config.transliterations")).unwrap();
    assert!(transliterations.starts_with("test.toml:7:20: "), "placed at the list: {transliterations}");
}

#[tokio::test]
async fn the_store_finds_whole_names_first_then_words() {
    let store = store();
    let names = |found: Vec<Customer>| found.into_iter().map(|c| c.last_name).collect::<Vec<_>>();
    assert_eq!(
        names(LocalDb::find_by_last_name(&store, "BERG", 10).await.unwrap()),
        ["Berg", "van der Berg", "Berg, van der", "Van Der Berg"],
        "the whole name first, then the names it is a word of, not Bergh"
    );
    assert_eq!(names(LocalDb::find_by_last_name(&store, "berg", 2).await.unwrap()), ["Berg", "van der Berg"]);
    assert_eq!(
        names(LocalDb::find_by_last_name(&store, "van der berg", 10).await.unwrap()),
        ["van der Berg", "Van Der Berg"],
        "the words in their order"
    );
    assert_eq!(
        names(LocalDb::find_by_last_name(&store, "nowak", 10).await.unwrap()),
        ["Nowak", "Nowak", "Nowak", "Kowalska-Nowak", "Kowalska – Nowak"]
    );
    for hostile in ["\"", "berg\" OR \"nowak", "last_name : x", "*", "NEAR(a b)", "🙂", ""] {
        let found = LocalDb::find_by_last_name(&store, hostile, 10).await.unwrap();
        assert!(found.iter().all(|c| !c.last_name.contains("Nowak")), "{hostile:?}: {found:?}");
    }
}
