//! Seeded web customers, derived from the seeded ERP customers so that reconciling them is
//! realistic work:
//!
//! - about 40% are ERP customers who registered on the web with the same name, some in other
//!   case or without diacritics (`Wojcik` for `Wójcik`); some of those were already linked to
//!   their customer number and then changed their phone or address on the web;
//! - about 30% are near-duplicates of ERP customers: the other gendered form of a Polish
//!   surname (a `Kowalska` at a `Kowalski`'s address), a Dutch surname without its prefix
//!   (`Berg` for `van der Berg`), or a double surname (`Kowalska-Nowak` for `Kowalska`);
//! - about 30% are new people.
//!
//! The same seed and ERP customers give the same web customers. The web shop counts its own
//! versions, so the `n`-th seeded web customer has version `n` and id `W-{n:06}`.

use super::model::WebCustomerFields;
use super::writes;
use crate::sim::data;
use crate::sim::model::{CUSTOMER_TAG, Customer, SimCustomer};
use crate::sim::seed::{Generator, is_women_form, number, other_gender_form, strip_diacritics};
use rand::Rng;
use rusqlite::Connection;
use std::collections::HashSet;

/// `registered_at` of web customer 1, after the ERP's seeded customers; later ones follow an
/// hour apart.
const SEEDED_EPOCH_MS: i64 = 1_760_000_000_000;

/// How long after registering a linked customer changed their data.
const CHANGED_AFTER_MS: i64 = 20 * 86_400_000;

/// Mixed into the seed so that the web shop's stream differs from the ERP's.
const STREAM: u64 = 0x5745_4253_484f_5021;

/// Registers `count` web customers derived from the `erp_customers` seeded customers in
/// `conn`, and marks the web shop seeded.
pub fn seed_web_customers(conn: &Connection, erp_customers: u64, seed: u64, count: u64) -> anyhow::Result<()> {
    let mut generator = WebGenerator::new(seed, erp_customers);
    for n in 1..=count {
        let registration = generator.registration(|index| data::get(conn, &number(index)))?;
        let registered_at = SEEDED_EPOCH_MS + n as i64 * 3_600_000;
        let updated_at = registered_at + if registration.changed { CHANGED_AFTER_MS } else { 0 };
        writes::register(conn, &registration.fields, Some((registered_at, updated_at)))?
            .map_err(|error| anyhow::anyhow!("seeded web customer {n}: {error}"))?;
    }
    conn.execute("UPDATE web_state SET seeded = ?1", [count as i64])?;
    Ok(())
}

/// A seeded registration.
#[derive(Debug, PartialEq)]
struct Registration {
    fields: WebCustomerFields,
    /// Whether the customer changed their data on the web after registering.
    changed: bool,
}

/// Makes registrations one after the other from one random stream.
struct WebGenerator {
    people: Generator,
    erp_customers: u64,
    /// The ERP customers already registered, so that each registers once and no two web
    /// customers carry the same customer number.
    used: HashSet<u64>,
}

impl WebGenerator {
    fn new(seed: u64, erp_customers: u64) -> WebGenerator {
        WebGenerator { people: Generator::people(seed ^ STREAM), erp_customers, used: HashSet::new() }
    }

    /// The next registration; `erp` reads the ERP customer of an index.
    fn registration(
        &mut self,
        erp: impl FnMut(u64) -> anyhow::Result<Option<SimCustomer>>,
    ) -> anyhow::Result<Registration> {
        let roll = self.people.rng().random_range(0..100);
        if roll < 70
            && let Some(original) = self.pick(erp)?
        {
            return Ok(if roll < 40 { self.same_person(original) } else { self.near_duplicate(original) });
        }
        Ok(Registration { fields: fields(self.people.person()), changed: false })
    }

    /// An ERP customer not registered yet whom every workstation sees, if one is found in a
    /// few draws (there may be few customers).
    fn pick(
        &mut self,
        mut erp: impl FnMut(u64) -> anyhow::Result<Option<SimCustomer>>,
    ) -> anyhow::Result<Option<Customer>> {
        if self.erp_customers == 0 {
            return Ok(None);
        }
        for _ in 0..20 {
            let index = self.people.rng().random_range(1..=self.erp_customers);
            if self.used.contains(&index) {
                continue;
            }
            let Some(sim) = erp(index)? else { continue };
            if sim.customer.active && sim.workstations.is_none() && sim.tags.iter().any(|t| t == CUSTOMER_TAG) {
                self.used.insert(index);
                return Ok(Some(sim.customer));
            }
        }
        Ok(None)
    }

    /// `original` registered on the web under their own name, as typed on a phone.
    fn same_person(&mut self, original: Customer) -> Registration {
        let rng = self.people.rng();
        let (name_roll, linked, moved) = (rng.random_range(0..10), rng.random_bool(0.4), rng.random_bool(0.5));
        let keep_company = rng.random_bool(0.5);
        let mut customer = original.clone();
        match name_roll {
            0..5 => {}
            5..8 => {
                customer.first_name = strip_diacritics(&customer.first_name);
                customer.last_name = strip_diacritics(&customer.last_name);
            }
            8 => customer.last_name = customer.last_name.to_uppercase(),
            _ => {
                customer.first_name = customer.first_name.to_lowercase();
                customer.last_name = customer.last_name.to_lowercase();
            }
        }
        if !keep_company {
            self.registers_as_a_person(&mut customer);
        }
        let mut fields = fields(customer);
        if linked {
            fields.customer_number = Some(original.number.clone());
            if moved {
                let (street, postal_code) = self.people.new_address(&original);
                (fields.street, fields.postal_code) = (Some(street), Some(postal_code));
            } else {
                fields.phone = Some(self.people.new_phone(&original));
            }
        }
        Registration { fields, changed: linked }
    }

    /// Someone who is not `original` but looks like them, or `original` under another form of
    /// their surname.
    fn near_duplicate(&mut self, original: Customer) -> Registration {
        let mut variants = vec![Variant::DoubleName];
        if other_gender_form(&original.last_name).is_some() {
            variants.push(Variant::GenderedForm);
        }
        if dutch_prefix(&original.last_name).is_some() {
            variants.push(Variant::WithoutPrefix);
        }
        let variant = variants[self.people.rng().random_range(0..variants.len())];
        let mut customer = original.clone();
        self.registers_as_a_person(&mut customer);
        match variant {
            // Someone of the same household: same address, their own first name and e-mail.
            Variant::GenderedForm => {
                let (last_name, women) = other_gender_form(&original.last_name).expect("checked above");
                customer.first_name = self.people.polish_first_name(women).to_owned();
                customer.last_name = last_name.to_owned();
                customer.email = None;
                if self.people.rng().random_bool(0.5) {
                    customer.phone = None;
                }
            }
            Variant::WithoutPrefix => {
                let prefix = dutch_prefix(&original.last_name).expect("checked above");
                customer.last_name = original.last_name[prefix.len()..].to_owned();
            }
            Variant::DoubleName => match original.last_name.split_once('-') {
                Some((first, _)) => customer.last_name = first.to_owned(),
                None => {
                    let other = self.people.surname(&original, is_women_form(&original.last_name));
                    customer.last_name = format!("{}-{other}", original.last_name);
                }
            },
        }
        Registration { fields: fields(customer), changed: false }
    }

    /// Drops the company of `customer`, whose e-mail address then is their own.
    fn registers_as_a_person(&mut self, customer: &mut Customer) {
        if customer.company.take().is_some() {
            customer.tax_id = None;
            customer.email = Some(self.people.personal_email(customer));
        }
    }
}

/// How a near-duplicate differs from its original.
#[derive(Clone, Copy)]
enum Variant {
    /// `Kowalska` for `Kowalski`.
    GenderedForm,
    /// `Berg` for `van der Berg`.
    WithoutPrefix,
    /// `Kowalska-Nowak` for `Kowalska`, `Smith` for `Smith-Jones`.
    DoubleName,
}

/// The prefix of a Dutch surname, with its space: `van der ` of `van der Berg`.
fn dutch_prefix(last_name: &str) -> Option<&'static str> {
    ["van der ", "van den ", "van 't ", "van ", "de "].into_iter().find(|prefix| last_name.starts_with(prefix))
}

/// The registration fields of `customer`, not linked to a customer number.
fn fields(customer: Customer) -> WebCustomerFields {
    WebCustomerFields {
        id: None,
        customer_number: None,
        first_name: customer.first_name,
        last_name: customer.last_name,
        company: customer.company,
        tax_id: customer.tax_id,
        email: customer.email,
        phone: customer.phone,
        street: customer.street,
        postal_code: customer.postal_code,
        city: customer.city,
        country: customer.country,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::SeedOptions;
    use crate::sim::text::fold;
    use std::collections::HashMap;

    /// `count` registrations from `seed` derived from 2000 customers of seed 1.
    fn generate(seed: u64, count: usize) -> (Vec<SimCustomer>, Vec<Registration>) {
        let options = SeedOptions { customers: 2000, seed: 1, workstation_share: 0.02, web_customers: 0 };
        let mut erp = Generator::new(&options);
        let customers: Vec<SimCustomer> = (1..=2000).map(|i| erp.customer(i)).collect();
        let mut generator = WebGenerator::new(seed, 2000);
        let registrations = (0..count)
            .map(|_| generator.registration(|i| Ok(Some(customers[i as usize - 1].clone()))).unwrap())
            .collect();
        (customers, registrations)
    }

    #[test]
    fn the_same_seed_gives_the_same_registrations() {
        assert_eq!(generate(3, 100).1, generate(3, 100).1);
        assert_ne!(generate(3, 30).1, generate(4, 30).1);
    }

    #[test]
    fn registrations_are_reconciliation_work() {
        let (customers, registrations) = generate(42, 1000);
        let erp: Vec<&Customer> = customers.iter().map(|c| &c.customer).collect();
        // The same person: the same name but for case and diacritics, and the same address or
        // phone.
        let key = |first: &str, last: &str| (fold(first), fold(last));
        let mut by_name: HashMap<(String, String), Vec<&Customer>> = HashMap::new();
        for c in &erp {
            by_name.entry(key(&c.first_name, &c.last_name)).or_default().push(c);
        }
        let same_person = |f: &WebCustomerFields| {
            by_name
                .get(&key(&f.first_name, &f.last_name))
                .is_some_and(|found| found.iter().any(|c| c.street == f.street || c.phone == f.phone))
        };
        let same_name = registrations.iter().filter(|r| same_person(&r.fields)).count();
        assert!((330..470).contains(&same_name), "{same_name} ERP customers registered");
        let spellings: HashSet<(String, &str)> =
            erp.iter().map(|c| (fold(&c.last_name), c.last_name.as_str())).collect();
        let folded_differently = registrations
            .iter()
            .filter(|r| {
                let last = r.fields.last_name.as_str();
                !spellings.contains(&(fold(last), last)) && spellings.iter().any(|(folded, _)| *folded == fold(last))
            })
            .count();
        assert!(folded_differently > 50, "{folded_differently} names in other case or without diacritics");

        let linked: Vec<&Registration> = registrations.iter().filter(|r| r.fields.customer_number.is_some()).collect();
        assert!((110..220).contains(&linked.len()), "{} linked", linked.len());
        assert!(linked.iter().all(|r| r.changed));
        let numbers: HashSet<_> = linked.iter().map(|r| r.fields.customer_number.clone()).collect();
        assert_eq!(numbers.len(), linked.len(), "no number is carried twice");
        for registration in &linked {
            let number = registration.fields.customer_number.as_deref().unwrap();
            let original = erp.iter().find(|c| c.number == number).unwrap();
            assert_eq!(fold(&original.last_name), fold(&registration.fields.last_name));
            let moved = original.street != registration.fields.street;
            assert!(moved || original.phone != registration.fields.phone, "{registration:?}");
        }

        let households: HashSet<(&str, Option<&str>)> =
            erp.iter().filter_map(|c| Some((other_gender_form(&c.last_name)?.0, c.street.as_deref()))).collect();
        let household = registrations
            .iter()
            .filter(|r| households.contains(&(r.fields.last_name.as_str(), r.fields.street.as_deref())));
        assert!(household.count() > 20, "Kowalska at the address of Kowalski");
        let stripped: HashSet<&str> =
            erp.iter().filter_map(|c| Some(&c.last_name[dutch_prefix(&c.last_name)?.len()..])).collect();
        let without_prefix = registrations.iter().filter(|r| stripped.contains(r.fields.last_name.as_str()));
        assert!(without_prefix.count() > 10, "Berg for van der Berg");
        let double = registrations.iter().filter(|r| r.fields.last_name.contains('-')).count();
        assert!(double > 50, "{double} double names");
        for registration in &registrations {
            registration.fields.validate().unwrap();
        }
    }
}
