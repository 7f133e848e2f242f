//! The personal values one plugin call was given or gave back, which its free text (log
//! lines, output, the message of a panic) must not carry into the host's log.

use super::mask;
use crate::bindings::{Customer, Message, SearchQuery};
use aho_corasick::{AhoCorasick, MatchKind};
use std::cell::OnceCell;

/// Values shorter than this are not masked: a two-letter value (`de`, `Li`) would mask
/// words of every sentence.
const SHORTEST: usize = 3;

/// The personal values a call has seen, one per line of one buffer: a connector's page
/// brings thousands of customers, and noting them must cost a copy, not an allocation each.
#[derive(Debug, Default)]
pub struct Known {
    values: String,
    /// The values as one automaton, made for the first text masked after a value was added;
    /// `None` inside: too many values for the automaton's limits.
    automaton: OnceCell<Option<AhoCorasick>>,
}

impl Known {
    /// The values of `customer`.
    pub fn of(customer: &Customer) -> Known {
        let mut known = Known::default();
        known.customer(customer);
        known
    }

    /// A customer's names, company, tax id, contact details and address.
    pub fn customer(&mut self, customer: &Customer) {
        self.value(&customer.first_name);
        self.value(&customer.last_name);
        for value in [
            &customer.company,
            &customer.tax_id,
            &customer.email,
            &customer.phone,
            &customer.street,
            &customer.postal_code,
            &customer.city,
        ]
        .into_iter()
        .flatten()
        {
            self.value(value);
        }
    }

    /// Each customer of `customers`.
    pub fn customers<'a>(&mut self, customers: impl IntoIterator<Item = &'a Customer>) {
        customers.into_iter().for_each(|c| self.customer(c));
    }

    /// What the operator typed into a search, word by word, and its filters' values.
    pub fn query(&mut self, query: &SearchQuery) {
        query.phrase.split_whitespace().for_each(|word| self.value(word));
        query.filters.iter().for_each(|filter| self.value(&filter.value));
    }

    /// A message's arguments: a text for the operator names the customers it is about.
    pub fn message(&mut self, message: &Message) {
        message.args.iter().for_each(|arg| self.value(&arg.value));
    }

    /// One value, whole.
    pub fn value(&mut self, value: &str) {
        if value.len() >= SHORTEST {
            self.values.push_str(value);
            self.values.push('\n');
            self.automaton.take();
        }
    }

    /// `text` without the values seen (where they stand as words of their own: a first name
    /// `Jan` leaves `January` alone), nor e-mail addresses, phone numbers, tax ids and URL
    /// queries of any customer.
    pub fn mask(&self, text: &str) -> String {
        let Some(automaton) = self.automaton.get_or_init(|| self.automaton()) else {
            return format!("{} (not shown: too much personal data to mask it)", mask::PERSONAL);
        };
        let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let mut masked = String::with_capacity(text.len());
        let mut copied = 0;
        for found in automaton.find_iter(text) {
            let before = text[..found.start()].chars().next_back();
            let after = text[found.end()..].chars().next();
            if is_word(before) || is_word(after) {
                continue;
            }
            masked.push_str(&text[copied..found.start()]);
            masked.push_str(mask::PERSONAL);
            copied = found.end();
        }
        masked.push_str(&text[copied..]);
        mask::shapes(&masked).into_owned()
    }

    fn automaton(&self) -> Option<AhoCorasick> {
        let mut values: Vec<&str> =
            self.values.lines().map(str::trim).filter(|v| v.chars().count() >= SHORTEST).collect();
        values.sort_unstable();
        values.dedup();
        // Leftmost-longest: a street holding a last name is masked whole.
        AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&values).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{Argument, Origin};

    fn customer() -> Customer {
        Customer {
            number: Some("K-1".into()),
            web_id: None,
            first_name: "Zofia".into(),
            last_name: "Brzęczyszczykiewicz".into(),
            company: None,
            tax_id: Some("525-000-12-34".into()),
            email: Some("zofia@example.pl".into()),
            phone: Some("601 234 567".into()),
            street: Some("ul. Brzęczyszczykiewicza 5".into()),
            postal_code: Some("00-950".into()),
            city: Some("Łódź".into()),
            country: Some("PL".into()),
            active: true,
            origin: Origin::Erp,
            version: 1,
            updated_at: 0,
            previewable: true,
            editable: true,
        }
    }

    #[test]
    fn a_customer_s_values_are_masked_and_the_rest_stays() {
        let mut known = Known::default();
        known.customer(&customer());
        assert_eq!(
            known.mask("K-1: Zofia Brzęczyszczykiewicz, ul. Brzęczyszczykiewicza 5, 00-950 Łódź, PL"),
            "K-1: [personal] [personal], [personal], [personal] [personal], PL"
        );
    }

    #[test]
    fn a_query_and_a_message_s_arguments_are_masked_word_by_word() {
        let mut known = Known::default();
        known.query(&SearchQuery { phrase: "jan  kowal".into(), filters: Vec::new(), include_inactive: false });
        known.message(&Message {
            key: "existing-customer-overwritten".into(),
            args: vec![Argument { name: "web-last-name".into(), value: "de Vries".into() }],
        });
        assert_eq!(
            known.mask("searched jan kowal, warned of de Vries"),
            "searched [personal] [personal], warned of [personal]"
        );
        assert_eq!(known.mask("de"), "de", "too short to mask alone");
        assert_eq!(known.mask("jan's January, kowalski"), "[personal]'s January, kowalski", "whole words only");
    }
}
