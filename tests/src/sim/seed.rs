//! Seeded, realistic customers: Polish, Dutch and English people and companies with
//! diacritics, tax ids in each country's format, addresses, phones, and near-duplicates.
//!
//! The same seed gives the same customers. Each customer's creation is a change, so
//! customer `i` has version `i` and the feed works from cursor `0`. The web shop's
//! registrations are derived from these customers afterwards (`webshop/seed.rs`).

use super::data::{self, Store};
use super::model::{CUSTOMER_TAG, Customer, SimCustomer};
use super::text::fold;
use super::webshop;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::time::Instant;

/// What to seed.
#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub customers: u64,
    pub seed: u64,
    /// The share of customers available only to some workstations (`POS-02`, `POS-03`).
    pub workstation_share: f64,
    /// How many web shop registrations to derive from the customers.
    pub web_customers: u64,
}

/// Customers per transaction: large enough to amortize commits, small enough to keep the
/// WAL file bounded while millions are written.
const BATCH: u64 = 100_000;

/// `updated_at` of customer 1; later customers follow about ten seconds apart.
const SEEDED_EPOCH_MS: i64 = 1_700_000_000_000;

/// The customer number of the `index`-th customer: zero-padded so that text order is
/// numeric order.
pub fn number(index: u64) -> String {
    format!("K-{index:07}")
}

/// Replaces whatever `store` holds by `options.customers` seeded customers, printing
/// progress to stderr when `progress` is set.
pub fn seed(store: &Store, options: &SeedOptions, progress: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut generator = Generator::new(options);
    let mut conn = store.writer();
    conn.execute_batch(
        "DELETE FROM customers; DELETE FROM changes; DELETE FROM received;
         UPDATE state SET version = 0, horizon = 0, online_search = 1, seed = NULL,
             seeded = NULL;
         DELETE FROM web_customers; DELETE FROM web_changes; DELETE FROM web_received;
         UPDATE web_state SET version = 0, horizon = 0, last_id = 0, seeded = NULL;",
    )?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    let mut next = 1;
    while next <= options.customers {
        let end = (next + BATCH).min(options.customers + 1);
        let tx = conn.transaction()?;
        for index in next..end {
            let customer = generator.customer(index);
            data::insert_row(&tx, &customer)?;
            data::insert_seeded_change(&tx, index as i64, &customer.customer.number)?;
        }
        tx.execute("UPDATE state SET version = ?1", [(end - 1) as i64])?;
        tx.commit()?;
        next = end;
        if progress && options.customers >= BATCH {
            eprintln!("pos-sim: seeded {} of {} customers ({:.0?})", end - 1, options.customers, started.elapsed());
        }
    }
    // The web customers are derived from the ERP's, so they come after them.
    let tx = conn.transaction()?;
    webshop::seed_web_customers(&tx, options.customers, options.seed, options.web_customers)?;
    tx.commit()?;
    // Marked last, so that an interrupted seeding is detected and redone.
    conn.execute("UPDATE state SET seed = ?1, seeded = ?2", [options.seed as i64, options.customers as i64])?;
    Ok(())
}

/// Makes customers one after the other from one random stream.
pub(super) struct Generator {
    rng: StdRng,
    workstation_share: f64,
    /// Recent people, to make near-duplicates of.
    recent: VecDeque<SimCustomer>,
}

#[derive(Clone, Copy, PartialEq)]
enum Country {
    Pl,
    Nl,
    Gb,
}

/// A city: its name, postal code scheme and telephone area code.
struct City {
    name: &'static str,
    postal: Postal,
    area: &'static str,
}

enum Postal {
    /// Poland: the first two digits, `31-147`.
    Pl(&'static str),
    /// The Netherlands: the range of the four digits, `1017 AB`.
    Nl(u16, u16),
    /// The United Kingdom: outward codes, `SW1A 1AA`.
    Gb(&'static [&'static str]),
}

const fn city(name: &'static str, postal: Postal, area: &'static str) -> City {
    City { name, postal, area }
}

const PL_CITIES: &[City] = &[
    city("Kraków", Postal::Pl("31"), "12"),
    city("Łódź", Postal::Pl("90"), "42"),
    city("Gdańsk", Postal::Pl("80"), "58"),
    city("Warszawa", Postal::Pl("00"), "22"),
    city("Wrocław", Postal::Pl("50"), "71"),
    city("Poznań", Postal::Pl("60"), "61"),
    city("Szczecin", Postal::Pl("70"), "91"),
    city("Lublin", Postal::Pl("20"), "81"),
    city("Białystok", Postal::Pl("15"), "85"),
    city("Katowice", Postal::Pl("40"), "32"),
    city("Gdynia", Postal::Pl("81"), "58"),
    city("Częstochowa", Postal::Pl("42"), "34"),
    city("Toruń", Postal::Pl("87"), "56"),
    city("Rzeszów", Postal::Pl("35"), "17"),
    city("Bielsko-Biała", Postal::Pl("43"), "33"),
    city("Zielona Góra", Postal::Pl("65"), "68"),
    city("Kielce", Postal::Pl("25"), "41"),
    city("Olsztyn", Postal::Pl("10"), "89"),
];

const NL_CITIES: &[City] = &[
    city("Amsterdam", Postal::Nl(1011, 1109), "20"),
    city("Rotterdam", Postal::Nl(3011, 3089), "10"),
    city("Den Haag", Postal::Nl(2491, 2599), "70"),
    city("Utrecht", Postal::Nl(3511, 3585), "30"),
    city("'s-Hertogenbosch", Postal::Nl(5211, 5249), "73"),
    city("Eindhoven", Postal::Nl(5611, 5658), "40"),
    city("Groningen", Postal::Nl(9711, 9747), "50"),
    city("Tilburg", Postal::Nl(5011, 5049), "13"),
    city("Haarlem", Postal::Nl(2011, 2037), "23"),
    city("Leeuwarden", Postal::Nl(8911, 8941), "58"),
    city("Nijmegen", Postal::Nl(6511, 6546), "24"),
    city("Maastricht", Postal::Nl(6211, 6229), "43"),
    city("Delft", Postal::Nl(2611, 2629), "15"),
    city("Zwolle", Postal::Nl(8011, 8045), "38"),
    city("'s-Gravenzande", Postal::Nl(2691, 2694), "174"),
];

const GB_CITIES: &[City] = &[
    city("London", Postal::Gb(&["SW1A", "EC1A", "N1", "E2", "W1D", "NW3", "SE1", "WC2H"]), "20"),
    city("Manchester", Postal::Gb(&["M1", "M4", "M13", "M20"]), "161"),
    city("Birmingham", Postal::Gb(&["B1", "B5", "B15", "B29"]), "121"),
    city("Leeds", Postal::Gb(&["LS1", "LS6", "LS11"]), "113"),
    city("Liverpool", Postal::Gb(&["L1", "L8", "L17"]), "151"),
    city("Bristol", Postal::Gb(&["BS1", "BS6", "BS8"]), "117"),
    city("Sheffield", Postal::Gb(&["S1", "S10", "S11"]), "114"),
    city("Edinburgh", Postal::Gb(&["EH1", "EH3", "EH9"]), "131"),
    city("Glasgow", Postal::Gb(&["G1", "G12", "G41"]), "141"),
    city("Cardiff", Postal::Gb(&["CF10", "CF11", "CF24"]), "29"),
    city("Newcastle upon Tyne", Postal::Gb(&["NE1", "NE2", "NE6"]), "191"),
    city("Nottingham", Postal::Gb(&["NG1", "NG7"]), "115"),
    city("Belfast", Postal::Gb(&["BT1", "BT7", "BT9"]), "28"),
];

const PL_MEN: &[&str] = &[
    "Łukasz",
    "Paweł",
    "Michał",
    "Piotr",
    "Krzysztof",
    "Tomasz",
    "Jakub",
    "Mateusz",
    "Marcin",
    "Grzegorz",
    "Wojciech",
    "Jarosław",
    "Zbigniew",
    "Bartłomiej",
    "Przemysław",
    "Mikołaj",
    "Jędrzej",
    "Andrzej",
    "Jan",
    "Stanisław",
];

const PL_WOMEN: &[&str] = &[
    "Anna",
    "Małgorzata",
    "Agnieszka",
    "Katarzyna",
    "Żaneta",
    "Joanna",
    "Magdalena",
    "Ewa",
    "Elżbieta",
    "Dorota",
    "Jadwiga",
    "Bożena",
    "Urszula",
    "Łucja",
    "Zofia",
    "Grażyna",
    "Agata",
    "Weronika",
    "Halina",
    "Iwona",
];

/// Polish surnames as `(men's form, women's form)`.
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
    ("Mazur", "Mazur"),
    ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"),
    ("Zając", "Zając"),
    ("Pawłowski", "Pawłowska"),
    ("Król", "Król"),
    ("Wróbel", "Wróbel"),
    ("Jabłoński", "Jabłońska"),
    ("Stępień", "Stępień"),
    ("Górski", "Górska"),
    ("Żak", "Żak"),
    ("Łuczak", "Łuczak"),
    ("Ćwiek", "Ćwiek"),
    ("Śliwa", "Śliwa"),
    ("Żółkiewski", "Żółkiewska"),
    ("Brzęczyszczykiewicz", "Brzęczyszczykiewicz"),
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
    "Joëlle",
    "Noëlle",
    "Inge",
    "Aafke",
    "Ijsbrand",
];

const NL_SURNAMES: &[&str] = &[
    "de Vries",
    "van der Berg",
    "van den Broek",
    "van Dijk",
    "de Jong",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "de Graaf",
    "van der Meer",
    "Vermeulen",
    "van 't Hof",
    "Groenewegen",
    "Hoekstra",
];

const GB_FIRST: &[&str] = &[
    "Oliver", "George", "Harry", "Jack", "Noah", "Charlie", "Thomas", "William", "James", "Seán", "Amelia", "Olivia",
    "Isla", "Emily", "Sophie", "Niamh", "Siobhán", "Zoë", "Renée", "Chloé", "Aoife", "Grace", "Eleanor",
];

const GB_SURNAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Wright",
    "Walker",
    "O'Brien",
    "O'Connor",
    "O'Neill",
    "McDonald",
    "MacLeod",
    "Clarke",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Brontë",
    "Smith-Jones",
];

const PL_STREETS: &[&str] = &[
    "ul. Długa",
    "ul. Floriańska",
    "ul. Piotrkowska",
    "ul. Świętokrzyska",
    "ul. Marszałkowska",
    "al. Jerozolimskie",
    "ul. Żeromskiego",
    "ul. Mickiewicza",
    "ul. Słowackiego",
    "ul. Kościuszki",
    "ul. Łąkowa",
    "ul. Źródlana",
    "ul. Grunwaldzka",
    "ul. Wąska",
    "ul. Ogrodowa",
    "ul. Lipowa",
];

const NL_STREETS: &[&str] = &[
    "Prinsengracht",
    "Keizersgracht",
    "Damrak",
    "Oudegracht",
    "Kerkstraat",
    "Dorpsstraat",
    "Hoofdstraat",
    "Stationsweg",
    "Molenweg",
    "Julianalaan",
    "Wilhelminastraat",
    "Van Goghstraat",
    "Marktplein",
    "Lange Voorhout",
    "Coolsingel",
    "Sint-Janssingel",
];

const GB_STREETS: &[&str] = &[
    "High Street",
    "Church Lane",
    "Station Road",
    "Victoria Road",
    "Park Avenue",
    "King's Road",
    "Queen's Crescent",
    "Mill Lane",
    "The Green",
    "St John's Wood Road",
    "Baker Street",
    "Oxford Road",
    "Deansgate",
];

/// Company name patterns: `{L}` is a surname, `{F}` a first name, `{C}` a city.
const PL_COMPANIES: &[&str] = &[
    "Piekarnia {L} sp. z o.o.",
    "{L} i Syn s.c.",
    "Zakład Stolarski {L}",
    "Hurtownia Spożywcza {L} sp. j.",
    "{L} Transport sp. z o.o.",
    "Kwiaciarnia {F}",
    "Biuro Rachunkowe {L} & Wspólnicy",
    "Przedsiębiorstwo Handlowe „{C}” S.A.",
    "Apteka Pod Złotym Lwem",
];

const NL_COMPANIES: &[&str] = &[
    "Bakkerij {L} B.V.",
    "{L} & Zn.",
    "Slagerij {L}",
    "Fietsenwinkel {L} V.O.F.",
    "{L} Installatietechniek B.V.",
    "Café 't Hoekje",
    "Bloemenhandel {F} {L}",
    "Bouwbedrijf {L} B.V.",
    "Kaashandel {C} N.V.",
];

const GB_COMPANIES: &[&str] = &[
    "{L} & Sons Ltd",
    "{L} Plumbing Ltd",
    "The {C} Bakery Ltd",
    "{L} & Co.",
    "{L} Consulting LLP",
    "{F}'s Café",
    "{L} Builders plc",
];

impl Generator {
    pub(super) fn new(options: &SeedOptions) -> Generator {
        Generator {
            rng: StdRng::seed_from_u64(options.seed),
            workstation_share: options.workstation_share,
            recent: VecDeque::new(),
        }
    }

    /// The `index`-th customer (from 1).
    pub(super) fn customer(&mut self, index: u64) -> SimCustomer {
        // About 2% repeat someone seen shortly before, as a person registered twice does.
        let mut customer = if !self.recent.is_empty() && self.rng.random_bool(0.02) {
            let original = self.recent[self.rng.random_range(0..self.recent.len())].clone();
            self.near_duplicate(original.customer)
        } else {
            self.person()
        };
        customer.number = number(index);
        customer.version = index as i64;
        customer.updated_at = SEEDED_EPOCH_MS + index as i64 * 10_000;
        customer.active = !self.rng.random_bool(0.03);
        customer.previewable = !self.rng.random_bool(0.05);
        customer.editable = !self.rng.random_bool(0.05);

        let tags = match self.rng.random_range(0..100) {
            0..3 => vec![self.pick(&["Supplier", "Prospect", "Employee"]).to_owned()],
            3..10 => vec![CUSTOMER_TAG.to_owned(), "VIP".to_owned()],
            _ => vec![CUSTOMER_TAG.to_owned()],
        };
        // Drawn whatever the share, so that the share changes nothing else.
        let restricted = self.rng.random::<f64>() < self.workstation_share;
        let which = self.rng.random_range(0..3);
        let workstations = restricted.then(|| {
            match which {
                0 => vec!["POS-02"],
                1 => vec!["POS-03"],
                _ => vec!["POS-02", "POS-03"],
            }
            .into_iter()
            .map(str::to_owned)
            .collect()
        });
        let sim = SimCustomer { customer, tags, workstations };
        if self.recent.len() == 256 {
            self.recent.pop_front();
        }
        self.recent.push_back(sim.clone());
        sim
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items.choose(&mut self.rng).expect("the lists are not empty")
    }

    fn digits(&mut self, count: usize) -> String {
        (0..count).map(|_| char::from(b'0' + self.rng.random_range(0..10u8))).collect()
    }

    pub(super) fn person(&mut self) -> Customer {
        let country = match self.rng.random_range(0..100) {
            0..45 => Country::Pl,
            45..75 => Country::Nl,
            _ => Country::Gb,
        };
        let (first, last) = match country {
            Country::Pl => {
                let (men, women) = PL_SURNAMES[self.rng.random_range(0..PL_SURNAMES.len())];
                if self.rng.random_bool(0.5) { (self.pick(PL_MEN), men) } else { (self.pick(PL_WOMEN), women) }
            }
            Country::Nl => (self.pick(NL_FIRST), self.pick(NL_SURNAMES)),
            Country::Gb => (self.pick(GB_FIRST), self.pick(GB_SURNAMES)),
        };
        let cities = match country {
            Country::Pl => PL_CITIES,
            Country::Nl => NL_CITIES,
            Country::Gb => GB_CITIES,
        };
        let city = &cities[self.rng.random_range(0..cities.len())];
        let company = self.rng.random_bool(0.35).then(|| {
            let patterns = match country {
                Country::Pl => PL_COMPANIES,
                Country::Nl => NL_COMPANIES,
                Country::Gb => GB_COMPANIES,
            };
            self.pick(patterns).replace("{L}", last).replace("{F}", first).replace("{C}", city.name)
        });
        let tax_id = match &company {
            Some(_) if self.rng.random_bool(0.95) => Some(self.tax_id(country)),
            _ => None,
        };
        let email = self.rng.random_bool(0.9).then(|| self.email(country, first, last, company.as_deref()));
        let phone = self.rng.random_bool(0.85).then(|| self.phone(country, city));
        let (street, postal_code) = self.address(country, city);
        Customer {
            number: String::new(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            company,
            tax_id,
            email,
            phone,
            street: Some(street),
            postal_code: Some(postal_code),
            city: Some(city.name.to_owned()),
            country: Some(
                match country {
                    Country::Pl => "PL",
                    Country::Nl => "NL",
                    Country::Gb => "GB",
                }
                .to_owned(),
            ),
            active: true,
            version: 0,
            updated_at: 0,
            previewable: true,
            editable: true,
        }
    }

    /// `original` entered again with a typo, in other case, without diacritics, or with a
    /// new address.
    fn near_duplicate(&mut self, mut c: Customer) -> Customer {
        match self.rng.random_range(0..4) {
            0 => c.last_name = c.last_name.to_uppercase(),
            1 => {
                c.first_name = strip_diacritics(&c.first_name);
                c.last_name = strip_diacritics(&c.last_name);
                c.email = None;
            }
            2 => c.last_name = self.typo(&c.last_name),
            _ => {
                c.first_name = c.first_name.to_lowercase();
                c.street = c.street.map(|s| format!("{s}a"));
                c.phone = None;
            }
        }
        c
    }

    /// `word` with two neighbouring letters swapped or one letter doubled.
    fn typo(&mut self, word: &str) -> String {
        let mut chars: Vec<char> = word.chars().collect();
        if chars.len() < 3 {
            return format!("{word}{word}");
        }
        let at = self.rng.random_range(1..chars.len() - 1);
        if self.rng.random_bool(0.5) {
            chars.swap(at, at + 1);
        } else {
            chars.insert(at, chars[at]);
        }
        chars.into_iter().collect()
    }

    fn tax_id(&mut self, country: Country) -> String {
        match country {
            // NIP: ten digits, the last a weighted checksum mod 11 that must not be 10.
            Country::Pl => loop {
                let body = self.digits(9);
                let weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
                let sum: u32 = body.bytes().zip(weights).map(|(d, w)| u32::from(d - b'0') * w).sum();
                if sum % 11 != 10 {
                    break format!("PL{body}{}", sum % 11);
                }
            },
            // BTW-id: nine digits passing the eleven-test, then B and two digits.
            Country::Nl => loop {
                let body = self.digits(9);
                let sum: i32 =
                    body.bytes().zip([9, 8, 7, 6, 5, 4, 3, 2, -1]).map(|(d, w)| i32::from(d - b'0') * w).sum();
                if sum % 11 == 0 {
                    break format!("NL{body}B{:02}", self.rng.random_range(1..20));
                }
            },
            // VAT number: seven digits and a two-digit mod-97 check.
            Country::Gb => {
                let body = self.digits(7);
                let sum: u32 = body.bytes().zip([8, 7, 6, 5, 4, 3, 2]).map(|(d, w)| u32::from(d - b'0') * w).sum();
                format!("GB{body}{:02}", (97 - sum % 97) % 97)
            }
        }
    }

    fn email(&mut self, country: Country, first: &str, last: &str, company: Option<&str>) -> String {
        let tld = match country {
            Country::Pl => "pl",
            Country::Nl => "nl",
            Country::Gb => "co.uk",
        };
        if let Some(company) = company {
            let local = match country {
                Country::Pl => self.pick(&["biuro", "kontakt", "sklep"]),
                Country::Nl => self.pick(&["info", "administratie", "winkel"]),
                Country::Gb => self.pick(&["info", "accounts", "hello"]),
            };
            return format!("{local}@{}.example.{tld}", slug(trade_name(company), "-"));
        }
        let (first, last) = (slug(first, ""), slug(last, ""));
        let local = match self.rng.random_range(0..4) {
            0 => format!("{first}.{last}"),
            1 => format!("{}{last}", &first[..1]),
            2 => format!("{first}{}", self.rng.random_range(1..100)),
            _ => format!("{last}.{first}"),
        };
        let domain = match self.rng.random_range(0..3) {
            0 => format!("example.{tld}"),
            1 => format!("mail.example.{tld}"),
            _ => "example.com".to_owned(),
        };
        format!("{local}@{domain}")
    }

    fn phone(&mut self, country: Country, city: &City) -> String {
        let mobile = self.rng.random_bool(0.5);
        match (country, mobile) {
            (Country::Pl, false) => {
                format!("+48 {} {} {} {}", city.area, self.digits(3), self.digits(2), self.digits(2))
            }
            (Country::Pl, true) => {
                format!("+48 {}{} {} {}", self.rng.random_range(5..9), self.digits(2), self.digits(3), self.digits(3))
            }
            (Country::Nl, false) => {
                let subscriber = self.digits(9 - city.area.len());
                let (a, b) = subscriber.split_at(3);
                format!("+31 {} {a} {b}", city.area)
            }
            (Country::Nl, true) => format!("+31 6 {}", self.digits(8)),
            (Country::Gb, false) => {
                let subscriber = self.digits(10 - city.area.len());
                let (a, b) = subscriber.split_at(subscriber.len() - 4);
                format!("+44 {} {a} {b}", city.area)
            }
            (Country::Gb, true) => format!("+44 7{} {}", self.digits(3), self.digits(6)),
        }
    }

    fn address(&mut self, country: Country, city: &City) -> (String, String) {
        let house = self.rng.random_range(1..200);
        let street = match country {
            Country::Pl => match self.rng.random_range(0..3) {
                0 => format!("{} {house}/{}", self.pick(PL_STREETS), self.rng.random_range(1..40)),
                _ => format!("{} {house}", self.pick(PL_STREETS)),
            },
            Country::Nl => match self.rng.random_range(0..4) {
                0 => format!("{} {house}-II", self.pick(NL_STREETS)),
                1 => format!("{} {house}a", self.pick(NL_STREETS)),
                _ => format!("{} {house}", self.pick(NL_STREETS)),
            },
            Country::Gb => format!("{house} {}", self.pick(GB_STREETS)),
        };
        let postal_code = match city.postal {
            Postal::Pl(prefix) => format!("{prefix}-{}", self.digits(3)),
            Postal::Nl(low, high) => {
                // Letter pairs skip the letters Dutch postal codes never use.
                const LETTERS: &[u8] = b"ABCDEGHJKLMNPRTVWXZ";
                format!(
                    "{} {}{}",
                    self.rng.random_range(low..=high),
                    char::from(self.pick(LETTERS)),
                    char::from(self.pick(LETTERS))
                )
            }
            Postal::Gb(outward) => {
                const LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
                format!(
                    "{} {}{}{}",
                    self.pick(outward),
                    self.rng.random_range(1..10),
                    char::from(self.pick(LETTERS)),
                    char::from(self.pick(LETTERS))
                )
            }
        };
        (street, postal_code)
    }
}

/// What the web shop's seeding (`webshop/seed.rs`) needs to make people like the ERP's and
/// variants of them.
impl Generator {
    /// A generator of people on its own stream from `seed`.
    pub(super) fn people(seed: u64) -> Generator {
        Generator::new(&SeedOptions { customers: 0, seed, workstation_share: 0.0, web_customers: 0 })
    }

    /// The random stream.
    pub(super) fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    /// Another phone number in the country (and city, for a landline) of `customer`.
    pub(super) fn new_phone(&mut self, customer: &Customer) -> String {
        let (country, city) = whereabouts(customer);
        self.phone(country, city)
    }

    /// Another street and postal code in the city of `customer`: `(street, postal_code)`.
    pub(super) fn new_address(&mut self, customer: &Customer) -> (String, String) {
        let (country, city) = whereabouts(customer);
        self.address(country, city)
    }

    /// A personal e-mail address of `customer` (a company's customer has the company's).
    pub(super) fn personal_email(&mut self, customer: &Customer) -> String {
        let country = whereabouts(customer).0;
        self.email(country, &customer.first_name, &customer.last_name, None)
    }

    /// A surname of the country of `customer`, in the women's form if `women`.
    pub(super) fn surname(&mut self, customer: &Customer, women: bool) -> &'static str {
        match whereabouts(customer).0 {
            Country::Pl => {
                let (men_form, women_form) = self.pick(PL_SURNAMES);
                if women { women_form } else { men_form }
            }
            Country::Nl => self.pick(NL_SURNAMES),
            Country::Gb => self.pick(GB_SURNAMES),
        }
    }

    /// A Polish first name, a woman's if `women`.
    pub(super) fn polish_first_name(&mut self, women: bool) -> &'static str {
        self.pick(if women { PL_WOMEN } else { PL_MEN })
    }
}

/// The other gendered form of a Polish surname, and whether it is the women's:
/// `Kowalski` -> `(Kowalska, true)`. `None` for surnames with one form (`Nowak`).
pub(super) fn other_gender_form(last_name: &str) -> Option<(&'static str, bool)> {
    PL_SURNAMES.iter().find_map(|&(men, women)| match last_name {
        _ if men == women => None,
        name if name == men => Some((women, true)),
        name if name == women => Some((men, false)),
        _ => None,
    })
}

/// Whether `last_name` is the women's form of a Polish surname with two forms.
pub(super) fn is_women_form(last_name: &str) -> bool {
    PL_SURNAMES.iter().any(|&(men, women)| men != women && women == last_name)
}

/// The country and city of a seeded customer; the first city of its country (or Poland) if
/// the customer was not seeded.
fn whereabouts(customer: &Customer) -> (Country, &'static City) {
    let (country, cities) = match customer.country.as_deref() {
        Some("NL") => (Country::Nl, NL_CITIES),
        Some("GB") => (Country::Gb, GB_CITIES),
        _ => (Country::Pl, PL_CITIES),
    };
    let city = cities.iter().find(|c| customer.city.as_deref() == Some(c.name)).unwrap_or(&cities[0]);
    (country, city)
}

/// `text` without diacritics, keeping its case: `Łukasz Wójcik` -> `Lukasz Wojcik`.
pub(super) fn strip_diacritics(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let folded = fold(&c.to_string());
            let folded = if c.is_uppercase() {
                let mut chars = folded.chars();
                chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
            } else {
                folded
            };
            folded.chars().collect::<Vec<_>>()
        })
        .collect()
}

/// `company` without its legal form: `Bakkerij Jansen B.V.` -> `Bakkerij Jansen`.
fn trade_name(company: &str) -> &str {
    const LEGAL_FORMS: &[&str] =
        &[" sp. z o.o.", " sp. j.", " s.c.", " S.A.", " B.V.", " N.V.", " V.O.F.", " Ltd", " LLP", " plc"];
    LEGAL_FORMS.iter().find_map(|form| company.strip_suffix(form)).unwrap_or(company)
}

/// `text` folded to ASCII letters and digits, words joined by `separator`, for e-mail
/// addresses: `Piekarnia Wójcik` -> `piekarnia-wojcik`.
fn slug(text: &str, separator: &str) -> String {
    fold(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(seed: u64, count: u64) -> Vec<SimCustomer> {
        let mut generator =
            Generator::new(&SeedOptions { customers: count, seed, workstation_share: 0.02, web_customers: 0 });
        (1..=count).map(|i| generator.customer(i)).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_customers() {
        assert_eq!(generate(5, 200), generate(5, 200));
        assert_ne!(generate(5, 50), generate(6, 50));
    }

    #[test]
    fn customers_look_real() {
        let customers = generate(42, 5000);
        let count = |f: &dyn Fn(&SimCustomer) -> bool| customers.iter().filter(|c| f(c)).count();
        let inactive = count(&|c| !c.customer.active);
        let tagged = count(&|c| c.tags.iter().any(|t| t == CUSTOMER_TAG));
        let restricted = count(&|c| c.workstations.is_some());
        assert!((50..250).contains(&inactive), "{inactive} inactive");
        assert!((4700..4950).contains(&tagged), "{tagged} tagged Customer");
        assert!((40..200).contains(&restricted), "{restricted} restricted");
        assert!(count(&|c| !c.customer.first_name.is_ascii() || !c.customer.last_name.is_ascii()) > 500);
        assert_eq!(customers[116].customer.number, "K-0000117");
        assert_eq!(strip_diacritics("Łukasz Żółć"), "Lukasz Zolc");
        assert_eq!(slug("Piekarnia Wójcik sp. z o.o.", "-"), "piekarnia-wojcik-sp-z-o-o");
        assert_eq!(trade_name("Piekarnia Wójcik sp. z o.o."), "Piekarnia Wójcik");
    }
}
