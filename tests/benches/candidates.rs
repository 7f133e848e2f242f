//! Web shop matching at scale: the `web-merge-rules` candidates of a few thousand web
//! registrations against N local customers, through the default plugin and through the
//! host's fallback (which must agree), with p50/p99/max latency and candidate counts per
//! kind of name.
//!
//! `cargo bench -p pos-tests --bench candidates -- 1000000` (default: 1000000).
//! The local customers are generated (realistic Polish and Dutch names: a few hundred common
//! surnames with a long-tailed frequency, a long tail of rare ones, feminine forms, double
//! names, prefixes written in every way) and written straight into a store, kept in
//! `target/bench-data/candidates-N.sqlite` for the next run. Target: p99 under 10 ms at 1
//! million. `BENCH_PROFILE=1` also prints the time of each kind of database request.

use pos_host::Capability;
use pos_host::bindings::merge::Candidate;
use pos_host::bindings::{Customer, Origin};
use pos_host::caps::Capabilities;
use pos_host::runtime::Slot;
use pos_host::slots::WebMergeRulesKind;
use pos_host::store::{self, Store};
use pos_tests::{artifacts, load, runtime, spec};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Web registrations per kind of name.
const PER_KIND: usize = 500;
/// Customers per transaction while filling the store.
const BATCH: u64 = 100_000;
/// Bump when the generated data changes, so that a cached store is rebuilt.
const DATA_VERSION: u32 = 1;

fn main() {
    pos_host::store::tune_allocator();
    let sizes: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000_000] } else { sizes };
    let dir = pos_tests::root().join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    for customers in sizes {
        tokio.block_on(run(&dir, customers));
    }
}

// ----- Names -----

/// Polish surnames, commonest first, as (masculine, feminine).
const PL_SURNAMES: &[(&str, &str)] = &[
    ("Nowak", "Nowak"),
    ("Kowalski", "Kowalska"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"),
    ("Wojciechowski", "Wojciechowska"),
    ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"),
    ("Kaczmarek", "Kaczmarek"),
    ("Piotrowski", "Piotrowska"),
    ("Grabowski", "Grabowska"),
    ("Zając", "Zając"),
    ("Pawłowski", "Pawłowska"),
    ("Michalski", "Michalska"),
    ("Król", "Król"),
    ("Wieczorek", "Wieczorek"),
    ("Jabłoński", "Jabłońska"),
    ("Wróbel", "Wróbel"),
    ("Nowakowski", "Nowakowska"),
    ("Majewski", "Majewska"),
    ("Olszewski", "Olszewska"),
    ("Stępień", "Stępień"),
    ("Malinowski", "Malinowska"),
    ("Jaworski", "Jaworska"),
    ("Adamczyk", "Adamczyk"),
    ("Dudek", "Dudek"),
    ("Nowicki", "Nowicka"),
    ("Pawlak", "Pawlak"),
    ("Górski", "Górska"),
    ("Witkowski", "Witkowska"),
    ("Walczak", "Walczak"),
    ("Sikora", "Sikora"),
    ("Baran", "Baran"),
    ("Rutkowski", "Rutkowska"),
    ("Michalak", "Michalak"),
    ("Szewczyk", "Szewczyk"),
    ("Ostrowski", "Ostrowska"),
    ("Tomaszewski", "Tomaszewska"),
    ("Pietrzak", "Pietrzak"),
    ("Zalewski", "Zalewska"),
    ("Wróblewski", "Wróblewska"),
    ("Marciniak", "Marciniak"),
    ("Jasiński", "Jasińska"),
    ("Zawadzki", "Zawadzka"),
    ("Bąk", "Bąk"),
    ("Jakubowski", "Jakubowska"),
    ("Sadowski", "Sadowska"),
    ("Duda", "Duda"),
    ("Włodarczyk", "Włodarczyk"),
    ("Wilk", "Wilk"),
    ("Chmielewski", "Chmielewska"),
    ("Borkowski", "Borkowska"),
    ("Sokołowski", "Sokołowska"),
    ("Szczepański", "Szczepańska"),
    ("Sawicki", "Sawicka"),
    ("Lis", "Lis"),
    ("Kucharski", "Kucharska"),
    ("Kalinowski", "Kalinowska"),
    ("Wysocki", "Wysocka"),
    ("Mazurek", "Mazurek"),
    ("Kubiak", "Kubiak"),
    ("Maciejewski", "Maciejewska"),
    ("Czarnecki", "Czarnecka"),
    ("Kołodziej", "Kołodziej"),
    ("Szulc", "Szulc"),
    ("Urbański", "Urbańska"),
    ("Kaźmierczak", "Kaźmierczak"),
    ("Sobczak", "Sobczak"),
    ("Konieczny", "Konieczna"),
    ("Głowacki", "Głowacka"),
    ("Zakrzewski", "Zakrzewska"),
    ("Krajewski", "Krajewska"),
    ("Krupa", "Krupa"),
    ("Adamski", "Adamska"),
    ("Łukasiewicz", "Łukasiewicz"),
    ("Wasilewski", "Wasilewska"),
    ("Sikorski", "Sikorska"),
    ("Kowal", "Kowal"),
    ("Żak", "Żak"),
    ("Ćwiek", "Ćwiek"),
    ("Śliwa", "Śliwa"),
    ("Brzęczyszczykiewicz", "Brzęczyszczykiewicz"),
];

/// Dutch surnames, commonest first.
const NL_SURNAMES: &[&str] = &[
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Bruin",
    "van der Heijden",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "van de Ven",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "van Dam",
    "van der Wal",
    "Prins",
    "Blom",
    "Huisman",
    "Peeters",
    "de Jonge",
    "Kuipers",
    "van Veen",
    "Post",
    "Kuiper",
    "Veenstra",
    "Kramer",
    "van den Brink",
    "Scholten",
    "van Wijk",
    "Postma",
    "Martens",
    "Vink",
    "de Ruiter",
    "Timmermans",
    "Groen",
    "Gerritsen",
    "Jonker",
    "van Loon",
    "Boer",
    "van der Velde",
    "Willemsen",
    "Smeets",
    "de Lange",
    "de Vos",
    "Bosch",
    "van Dongen",
    "Schipper",
    "de Koning",
    "van der Laan",
    "Koning",
    "van der Velden",
    "Driessen",
    "van Doorn",
    "Hermans",
    "Evers",
    "van den Bosch",
    "van der Meulen",
    "Hofman",
    "Bosman",
    "Wouters",
    "Sanders",
    "van der Horst",
    "Mol",
    "Kuijpers",
    "Molenaar",
    "van de Pol",
    "de Leeuw",
    "Verbeek",
    "van der Berg",
    "van 't Hof",
    "in 't Veld",
    "van den Bergh",
];

const PL_MEN: &[&str] = &[
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Jan",
    "Michał",
    "Marcin",
    "Jakub",
    "Adam",
    "Łukasz",
    "Marek",
    "Grzegorz",
    "Mateusz",
    "Wojciech",
    "Mariusz",
    "Dariusz",
    "Zbigniew",
    "Jerzy",
    "Maciej",
    "Rafał",
    "Kamil",
    "Robert",
    "Stanisław",
    "Józef",
    "Bartłomiej",
    "Przemysław",
    "Mikołaj",
    "Jędrzej",
    "Szymon",
];
const PL_WOMEN: &[&str] = &[
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Krystyna",
    "Elżbieta",
    "Magdalena",
    "Joanna",
    "Zofia",
    "Monika",
    "Teresa",
    "Danuta",
    "Natalia",
    "Karolina",
    "Marta",
    "Beata",
    "Dorota",
    "Halina",
    "Jadwiga",
    "Aleksandra",
    "Grażyna",
    "Iwona",
    "Żaneta",
    "Łucja",
    "Urszula",
    "Bożena",
    "Weronika",
];
const NL_FIRST: &[&str] = &[
    "Daan",
    "Sem",
    "Lucas",
    "Bram",
    "Thijs",
    "Jeroen",
    "Maarten",
    "Pieter",
    "Joris",
    "Ruud",
    "Geert",
    "Sjoerd",
    "Wouter",
    "Jan",
    "Kees",
    "Henk",
    "Femke",
    "Sanne",
    "Lotte",
    "Anouk",
    "Ilse",
    "Marloes",
    "Geertje",
    "Zoë",
    "Daniëlle",
    "Chloë",
    "Inge",
    "Aafke",
    "Eva",
    "Emma",
    "Julia",
    "Sophie",
    "Anna",
    "Noëlle",
    "Fleur",
    "Lieke",
];

const PL_SYLLABLES: &[&str] = &[
    "ko", "wa", "le", "mi", "ra", "sza", "cze", "to", "bo", "gra", "dzie", "pa", "ni", "ro", "ja", "ste", "ol", "wie",
    "zbo", "chro", "mar", "ku", "lu", "sie", "tra", "bie", "go", "wro", "przy", "je", "szcze", "dro", "ży", "ło",
];
const PL_ENDINGS: &[(&str, &str)] = &[
    ("ski", "ska"),
    ("cki", "cka"),
    ("dzki", "dzka"),
    ("ak", "ak"),
    ("ek", "ek"),
    ("czyk", "czyk"),
    ("ewicz", "ewicz"),
    ("iak", "iak"),
    ("uk", "uk"),
    ("owski", "owska"),
];
const NL_SYLLABLES: &[&str] = &[
    "ber", "dijk", "hof", "veld", "man", "kamp", "stra", "sma", "ink", "ter", "wold", "hui", "sen", "hout", "meer",
    "broek", "gaard", "lin", "wijk", "hoe", "kerk", "bree", "sloot", "heem", "brug", "molen", "rijn", "voort",
];
const NL_PREFIXES: &[&str] = &["", "", "", "van ", "van der ", "de ", "van den ", "ter ", "van de ", "in 't "];
const PL_DOMAINS: &[&str] = &["gmail.com", "wp.pl", "onet.pl", "o2.pl", "interia.pl", "op.pl", "outlook.com"];
const NL_DOMAINS: &[&str] = &["gmail.com", "ziggo.nl", "kpn.nl", "hotmail.com", "outlook.com", "xs4all.nl", "home.nl"];
const PL_CITIES: &[&str] = &["Kraków", "Łódź", "Gdańsk", "Warszawa", "Wrocław", "Poznań", "Szczecin", "Lublin"];
const NL_CITIES: &[&str] = &["Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg"];

/// The share of people with a rare surname: in Poland and the Netherlands the hundred
/// commonest surnames cover well under a third of the people.
const RARE_SHARE: f64 = 0.65;

/// Rare surnames, each borne by a handful of people.
struct RareNames {
    polish: Vec<(String, String)>,
    dutch: Vec<String>,
}

impl RareNames {
    fn new(rng: &mut StdRng) -> RareNames {
        let mut polish = Vec::new();
        for _ in 0..120_000 {
            let stem: String =
                (0..rng.random_range(2..=3)).map(|_| *PL_SYLLABLES.choose(rng).unwrap()).collect::<String>();
            let (male, female) = PL_ENDINGS.choose(rng).unwrap();
            polish.push((capitalize(&format!("{stem}{male}")), capitalize(&format!("{stem}{female}"))));
        }
        let mut dutch = Vec::new();
        for _ in 0..60_000 {
            let stem: String = (0..rng.random_range(2..=3)).map(|_| *NL_SYLLABLES.choose(rng).unwrap()).collect();
            dutch.push(format!("{}{}", NL_PREFIXES.choose(rng).unwrap(), capitalize(&stem)));
        }
        RareNames { polish, dutch }
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// An index into a list of `len`, commonest first: about 1/(rank + 3).
fn zipf(rng: &mut StdRng, len: usize) -> usize {
    // Inverse of the cumulative 1/(r + 3) distribution, approximated by a log-uniform draw.
    let max = ((len + 3) as f64).ln();
    let min = 3f64.ln();
    let x = (min + rng.random::<f64>() * (max - min)).exp() - 3.0;
    (x as usize).min(len - 1)
}

/// A person's name: (first, last, Polish).
fn person_name(rng: &mut StdRng, rare: &RareNames) -> (String, String, bool) {
    let polish = rng.random_bool(0.55);
    if polish {
        let woman = rng.random_bool(0.5);
        let first = if woman { PL_WOMEN } else { PL_MEN }.choose(rng).unwrap().to_string();
        let pick = |rng: &mut StdRng| -> (String, String) {
            if rng.random_bool(RARE_SHARE) {
                rare.polish.choose(rng).unwrap().clone()
            } else {
                let (male, female) = PL_SURNAMES[zipf(rng, PL_SURNAMES.len())];
                (male.to_owned(), female.to_owned())
            }
        };
        let (male, female) = pick(rng);
        let mut last = if woman { female } else { male };
        // A married woman's double name.
        if woman && rng.random_bool(0.08) {
            let (_, other) = pick(rng);
            last = if rng.random_bool(0.5) { format!("{last}-{other}") } else { format!("{other}-{last}") };
        }
        (first, last, true)
    } else {
        let first = NL_FIRST.choose(rng).unwrap().to_string();
        let pick = |rng: &mut StdRng| -> String {
            if rng.random_bool(RARE_SHARE) {
                rare.dutch.choose(rng).unwrap().clone()
            } else {
                NL_SURNAMES[zipf(rng, NL_SURNAMES.len())].to_owned()
            }
        };
        let mut last = pick(rng);
        if rng.random_bool(0.03) {
            last = format!("{last}-{}", pick(rng));
        }
        (first, dutch_spelling(rng, &last), false)
    }
}

/// How a Dutch name with a prefix ends up written in a customer database.
fn dutch_spelling(rng: &mut StdRng, name: &str) -> String {
    let lower_prefix = name.split(' ').take_while(|w| w.chars().next().is_some_and(char::is_lowercase)).count();
    if lower_prefix == 0 || name.contains('-') {
        return name.to_owned();
    }
    let words: Vec<&str> = name.split(' ').collect();
    match rng.random_range(0..100) {
        0..4 => format!("{}, {}", words[lower_prefix..].join(" "), words[..lower_prefix].join(" ")),
        4..8 => words.iter().map(|w| capitalize(w)).collect::<Vec<_>>().join(" "),
        8..9 => name.to_uppercase(),
        _ => name.to_owned(),
    }
}

/// `text` as it appears in an e-mail address: lower case, ASCII letters and digits.
fn ascii_key(text: &str) -> String {
    pos_tests::sim::fold(text).chars().filter(char::is_ascii_alphanumeric).collect()
}

fn base_customer(number: String, first: String, last: String) -> Customer {
    Customer {
        number: Some(number),
        web_id: None,
        first_name: first,
        last_name: last,
        company: None,
        tax_id: None,
        email: None,
        phone: None,
        street: None,
        postal_code: None,
        city: None,
        country: None,
        active: true,
        origin: Origin::Erp,
        version: 1,
        updated_at: 1_700_000_000_000,
        previewable: true,
        editable: true,
    }
}

/// The `index`-th local customer.
fn local_customer(rng: &mut StdRng, rare: &RareNames, index: u64) -> Customer {
    let (first, last, polish) = person_name(rng, rare);
    let mut customer = base_customer(format!("K-{index:07}"), first, last);
    if rng.random_bool(0.85) {
        let domain = if polish { PL_DOMAINS } else { NL_DOMAINS }.choose(rng).unwrap();
        let last_word = customer.last_name.split([' ', '-', ',']).rfind(|w| !w.is_empty()).unwrap_or("x");
        let suffix = if rng.random_bool(0.5) { rng.random_range(1..999).to_string() } else { String::new() };
        customer.email = Some(format!("{}.{}{suffix}@{domain}", ascii_key(&customer.first_name), ascii_key(last_word)));
    }
    if rng.random_bool(0.1) {
        customer.company = Some(format!("{} {}", if polish { "Firma" } else { "Bedrijf" }, customer.last_name));
        customer.tax_id = Some(if polish {
            let d: String = (0..10).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect();
            if rng.random_bool(0.5) {
                format!("PL{d}")
            } else {
                format!("{}-{}-{}-{}", &d[..3], &d[3..6], &d[6..8], &d[8..])
            }
        } else {
            let d: String = (0..9).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect();
            format!("NL{d}B01")
        });
    }
    customer.city = Some(if polish { PL_CITIES } else { NL_CITIES }.choose(rng).unwrap().to_string());
    customer.country = Some(if polish { "PL" } else { "NL" }.into());
    customer.active = !rng.random_bool(0.03);
    customer
}

/// The store at `path` holding `customers` generated customers, built unless cached.
async fn filled_store(dir: &Path, customers: u64) -> Store {
    let path = dir.join(format!("candidates-{customers}.sqlite"));
    let done = dir.join(format!("candidates-{customers}.v{DATA_VERSION}.done"));
    if done.exists() {
        let store = Store::open(&path).unwrap();
        if store.count().await.unwrap() == customers {
            println!("  store: {} (cached)", path.display());
            return store;
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let started = Instant::now();
    let store = Store::open(&path).unwrap();
    let mut rng = StdRng::seed_from_u64(2026);
    let rare = RareNames::new(&mut rng);
    let mut next = 1;
    while next <= customers {
        let end = (next + BATCH).min(customers + 1);
        let batch: Vec<Customer> = (next..end).map(|i| local_customer(&mut rng, &rare, i)).collect();
        let last = end > customers;
        let first = next == 1;
        store
            .write(move |tx| {
                if first {
                    store::begin_bulk_index(tx)?;
                }
                for customer in &batch {
                    store::insert_new(tx, customer, None)?;
                }
                if last {
                    store::optimize_index(tx);
                }
                Ok::<_, pos_host::store::StoreError>(())
            })
            .await
            .unwrap();
        next = end;
        eprint!("\r  filling: {} of {customers} ({:.0?})", end - 1, started.elapsed());
    }
    eprintln!();
    std::fs::write(&done, "").unwrap();
    println!("  store: {} filled in {:.1} s", path.display(), started.elapsed().as_secs_f64());
    store
}

// ----- Web registrations -----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Common,
    Rare,
    Compound,
    Prefixed,
    Gendered,
    NoMatch,
    EmailOrTaxId,
}

const KINDS: [Kind; 7] =
    [Kind::Common, Kind::Rare, Kind::Compound, Kind::Prefixed, Kind::Gendered, Kind::NoMatch, Kind::EmailOrTaxId];

fn web(first: &str, last: &str, i: usize) -> Customer {
    Customer {
        number: None,
        web_id: Some(format!("W-{i:06}")),
        origin: Origin::Web,
        ..base_customer(String::new(), first.to_owned(), last.to_owned())
    }
}

/// Web registrations of every kind; some carry a local number, an e-mail or a tax id of an
/// existing customer.
async fn registrations(store: &Store, customers: u64) -> Vec<(Kind, Customer)> {
    let mut rng = StdRng::seed_from_u64(7);
    let rare = RareNames::new(&mut StdRng::seed_from_u64(2026));
    let mut out = Vec::new();
    for kind in KINDS {
        for i in 0..PER_KIND {
            let first = PL_WOMEN.choose(&mut rng).unwrap().to_string();
            let mut customer = match kind {
                Kind::Common => {
                    let (male, female) = PL_SURNAMES[rng.random_range(0..5)];
                    let nl = NL_SURNAMES[rng.random_range(0..5)];
                    let last = [male, female, nl][rng.random_range(0..3)];
                    web(&first, last, i)
                }
                Kind::Rare => {
                    let (male, _) = rare.polish[rng.random_range(0..rare.polish.len())].clone();
                    let dutch = rare.dutch[rng.random_range(0..rare.dutch.len())].clone();
                    web(&first, if rng.random_bool(0.5) { &male } else { &dutch }, i)
                }
                Kind::Compound => {
                    let (_, a) = PL_SURNAMES[zipf(&mut rng, PL_SURNAMES.len())];
                    let (_, b) = PL_SURNAMES[zipf(&mut rng, PL_SURNAMES.len())];
                    web(&first, &format!("{a}-{b}"), i)
                }
                Kind::Prefixed => {
                    let name = NL_SURNAMES.iter().filter(|n| n.contains(' ')).collect::<Vec<_>>();
                    let name = **name.choose(&mut rng).unwrap();
                    let words: Vec<&str> = name.split(' ').collect();
                    let last = match rng.random_range(0..3) {
                        0 => words[words.len() - 1].to_owned(),
                        1 => format!("{}, {}", words[words.len() - 1], words[..words.len() - 1].join(" ")),
                        _ => name.to_uppercase(),
                    };
                    web(NL_FIRST.choose(&mut rng).unwrap(), &last, i)
                }
                Kind::Gendered => {
                    let gendered: Vec<&(&str, &str)> = PL_SURNAMES.iter().filter(|(m, f)| m != f).collect();
                    let (male, _) = gendered[zipf(&mut rng, gendered.len())];
                    web(&first, male, i)
                }
                Kind::NoMatch => {
                    let stem: String = (0..4).map(|_| *PL_SYLLABLES.choose(&mut rng).unwrap()).collect();
                    web(&first, &capitalize(&format!("{stem}qx")), i)
                }
                Kind::EmailOrTaxId => {
                    // An existing customer with another name: the same e-mail or tax id.
                    let local = loop {
                        let number = format!("K-{:07}", rng.random_range(1..=customers));
                        let local = store.customer(&number).await.unwrap().unwrap();
                        if local.email.is_some() || local.tax_id.is_some() {
                            break local;
                        }
                    };
                    let (_, married) = &rare.polish[rng.random_range(0..rare.polish.len())];
                    let mut customer = web(&first, married, i);
                    if rng.random_bool(0.5) || local.tax_id.is_none() {
                        customer.email = local.email.clone();
                    }
                    customer.tax_id = local.tax_id.clone();
                    customer
                }
            };
            if kind != Kind::NoMatch && rng.random_bool(0.1) {
                customer.number = Some(format!("K-{:07}", rng.random_range(1..=customers)));
            }
            if kind != Kind::EmailOrTaxId && rng.random_bool(0.5) {
                customer.email = Some(format!("{}.{}@gmail.com", ascii_key(&first), rng.random_range(1..99_999)));
            }
            out.push((kind, customer));
        }
    }
    out
}

// ----- Measuring -----

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

struct Timings {
    plugin: Vec<Duration>,
    fallback: Vec<Duration>,
    counts: Vec<usize>,
}

async fn run(dir: &Path, customers: u64) {
    println!("\n== {customers} local customers ==");
    let store = filled_store(dir, customers).await;
    let caps = Capabilities { local_db: Arc::new(store.clone()), ..Capabilities::default() };
    let runtime = runtime(caps.clone());
    let plugin: Slot<WebMergeRulesKind> =
        Slot::new(Some(load(&runtime, &spec(artifacts::WEB_MERGE_RULES, &[Capability::LocalDb], "")).await.unwrap()));
    let fallback: Slot<WebMergeRulesKind> = Slot::new(None);
    let webs = registrations(&store, customers).await;
    if std::env::var_os("BENCH_PROFILE").is_some() {
        profile(&store, &webs).await;
    }

    // Warm the page cache and the plugin's pool, and check that both sides agree.
    let mut disagreements = 0;
    for (_, web) in &webs {
        let a = plugin.candidates(&*caps.local_db, web).await;
        assert!(!a.is_fallback(), "the plugin failed: {:?}", a.source);
        let b = fallback.candidates(&*caps.local_db, web).await;
        if a.value.unwrap() != b.value.unwrap() {
            disagreements += 1;
        }
    }
    assert_eq!(disagreements, 0, "the plugin and the fallback disagree");

    let mut by_kind: Vec<(Kind, Timings)> =
        KINDS.iter().map(|&k| (k, Timings { plugin: Vec::new(), fallback: Vec::new(), counts: Vec::new() })).collect();
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for (kind, web) in &webs {
        let timings = &mut by_kind.iter_mut().find(|(k, _)| k == kind).unwrap().1;
        let started = Instant::now();
        let found: Vec<Candidate> = plugin.candidates(&*caps.local_db, web).await.value.unwrap();
        let took = started.elapsed();
        timings.plugin.push(took);
        timings.counts.push(found.len());
        slowest.push((took, format!("{kind:?} {} {} {:?} {:?}", web.first_name, web.last_name, web.email, web.tax_id)));
        let started = Instant::now();
        std::hint::black_box(fallback.candidates(&*caps.local_db, web).await.value.unwrap());
        timings.fallback.push(started.elapsed());
    }

    println!(
        "{:<13} {:>6} | {:>24} | {:>24} | {:>16}",
        "kind", "webs", "plugin p50/p99/max ms", "fallback p50/p99/max ms", "candidates avg/max"
    );
    let line = |name: &str, plugin: &[Duration], fallback: &[Duration], counts: &[usize]| {
        println!(
            "{name:<13} {:>6} | {:>7.2} {:>7.2} {:>8.2} | {:>7.2} {:>7.2} {:>8.2} | {:>9.1} {:>6}",
            plugin.len(),
            ms(percentile(plugin, 0.5)),
            ms(percentile(plugin, 0.99)),
            ms(percentile(plugin, 1.0)),
            ms(percentile(fallback, 0.5)),
            ms(percentile(fallback, 0.99)),
            ms(percentile(fallback, 1.0)),
            counts.iter().sum::<usize>() as f64 / counts.len() as f64,
            counts.iter().max().unwrap(),
        );
    };
    for (kind, t) in &by_kind {
        line(&format!("{kind:?}"), &t.plugin, &t.fallback, &t.counts);
    }
    let all = |f: fn(&Timings) -> &Vec<Duration>| by_kind.iter().flat_map(|(_, t)| f(t).clone()).collect::<Vec<_>>();
    let counts: Vec<usize> = by_kind.iter().flat_map(|(_, t)| t.counts.clone()).collect();
    line("all", &all(|t| &t.plugin), &all(|t| &t.fallback), &counts);
    let p99 = percentile(&all(|t| &t.plugin), 0.99).max(percentile(&all(|t| &t.fallback), 0.99));
    println!("target p99 < 10 ms at 1M: {}", if p99 < Duration::from_millis(10) { "met" } else { "MISSED" });
    slowest.sort();
    for (took, web) in slowest.iter().rev().take(5) {
        println!("  slowest: {:.1} ms {web}", ms(*took));
    }
}

/// A `LocalDb` that times every request by its kind, for `BENCH_PROFILE=1`.
struct TimingDb {
    store: Store,
    times: std::sync::Mutex<Vec<(String, Vec<Duration>)>>,
}

impl TimingDb {
    fn record(&self, what: String, took: Duration) {
        let mut times = self.times.lock().unwrap();
        match times.iter_mut().find(|(w, _)| *w == what) {
            Some((_, all)) => all.push(took),
            None => times.push((what, vec![took])),
        }
    }
}

#[async_trait::async_trait]
impl pos_host::caps::LocalDb for TimingDb {
    async fn search(
        &self,
        query: &pos_host::bindings::SearchQuery,
        limit: u32,
    ) -> Result<Vec<Customer>, pos_host::bindings::local_db::DbError> {
        let started = Instant::now();
        let found = pos_host::caps::LocalDb::search(&self.store, query, limit).await;
        let fields: Vec<&str> = query.filters.iter().map(|f| pos_host::bindings::field_name(f.field)).collect();
        let what = if fields.is_empty() { "search phrase".to_owned() } else { format!("search {}", fields.join("+")) };
        self.record(what, started.elapsed());
        found
    }

    async fn get(&self, number: &str) -> Result<Option<Customer>, pos_host::bindings::local_db::DbError> {
        let started = Instant::now();
        let found = pos_host::caps::LocalDb::get(&self.store, number).await;
        self.record("get".into(), started.elapsed());
        found
    }

    async fn find_by_last_name(
        &self,
        last_name: &str,
        limit: u32,
    ) -> Result<Vec<Customer>, pos_host::bindings::local_db::DbError> {
        let started = Instant::now();
        let found = pos_host::caps::LocalDb::find_by_last_name(&self.store, last_name, limit).await;
        let full = found.as_ref().is_ok_and(|f| f.len() == limit as usize);
        self.record(format!("find-by-last-name{}", if full { " (full)" } else { "" }), started.elapsed());
        found
    }
}

/// `BENCH_PROFILE=1`: the time of each kind of database request the fallback makes.
async fn profile(store: &Store, webs: &[(Kind, Customer)]) {
    let db = TimingDb { store: store.clone(), times: Default::default() };
    let fallback: Slot<WebMergeRulesKind> = Slot::new(None);
    for (_, web) in webs {
        fallback.candidates(&db, web).await.value.unwrap();
    }
    for (what, all) in db.times.lock().unwrap().iter() {
        println!(
            "  {what:<34} {:>5} requests: p50 {:.2} p99 {:.2} max {:.2} ms",
            all.len(),
            ms(percentile(all, 0.5)),
            ms(percentile(all, 0.99)),
            ms(percentile(all, 1.0))
        );
    }
}
