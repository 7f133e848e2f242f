//! The operator's screen as text: the result list, the notice, the [Search] button.

use super::labels::{label, label_with};
use pos_host::bindings::Customer;
use pos_host::bindings::search::{ResultList, SearchButton};
use pos_host::flows::search::{Screen, ShownNotice};
use pos_host::store::origin_name;

/// Prints `screen` with the labels of `locale`.
pub fn print(screen: &Screen, locale: &str) {
    let list = match screen.list {
        ResultList::Local => label(locale, "list.local"),
        ResultList::Erp => label(locale, "list.erp"),
    };
    println!("{list} ({}):", screen.customers.len());
    for customer in &screen.customers {
        println!("  {}", line(customer));
    }
    if screen.more {
        println!("{}", label_with(locale, "list.more", &[("shown", &screen.customers.len().to_string())]));
    }
    if let Some(notice) = &screen.notice {
        print_notice(notice);
    }
    match screen.search_button {
        SearchButton::Hidden => {}
        SearchButton::Available => println!("{}", label(locale, "search.erpButton")),
        SearchButton::Suggested => println!("{}", label(locale, "search.erpSuggested")),
    }
}

pub fn print_notice(notice: &ShownNotice) {
    println!("{}", notice.text);
}

/// One customer on one line.
pub fn line(customer: &Customer) -> String {
    let mut parts = vec![format!("{:<12}", customer.number.as_deref().unwrap_or("-"))];
    let name = if customer.first_name.is_empty() {
        customer.last_name.clone()
    } else {
        format!("{} {}", customer.first_name, customer.last_name)
    };
    parts.push(name);
    parts.extend(customer.company.clone());
    parts.extend(
        [customer.postal_code.clone(), customer.city.clone()].into_iter().flatten().reduce(|a, b| format!("{a} {b}")),
    );
    if !customer.active {
        parts.push("(inactive)".into());
    }
    parts.join("  ·  ")
}

/// The fields of a customer the operator reads, by their label keys (`field.<key>`).
fn fields(customer: &Customer) -> [(&'static str, Option<&str>); 12] {
    [
        ("number", customer.number.as_deref()),
        ("web-id", customer.web_id.as_deref()),
        ("first-name", Some(customer.first_name.as_str())),
        ("last-name", Some(customer.last_name.as_str())),
        ("company", customer.company.as_deref()),
        ("tax-id", customer.tax_id.as_deref()),
        ("email", customer.email.as_deref()),
        ("phone", customer.phone.as_deref()),
        ("street", customer.street.as_deref()),
        ("postal-code", customer.postal_code.as_deref()),
        ("city", customer.city.as_deref()),
        ("country", customer.country.as_deref()),
    ]
}

/// Every field of a customer, one per line, named in `locale`.
pub fn details(customer: &Customer, locale: &str) {
    let name = |key: &str| label(locale, &format!("field.{key}")).to_owned();
    let origin = label(locale, &format!("origin.{}", origin_name(customer.origin))).to_owned();
    let rows: Vec<(String, String)> = fields(customer)
        .into_iter()
        .filter_map(|(key, value)| Some((name(key), value.filter(|v| !v.is_empty())?.to_owned())))
        .chain([
            (name("active"), label(locale, if customer.active { "status.yes" } else { "status.no" }).to_owned()),
            (name("origin"), format!("{origin}, {} {}", name("version"), customer.version)),
        ])
        .collect();
    let width = rows.iter().map(|(name, _)| name.chars().count()).max().unwrap_or(0) + 1;
    for (name, value) in rows {
        println!("{name:<width$} {value}");
    }
}

/// The fields `after` changes in `before`: the label key, the value before and after
/// (`None` when empty).
pub fn changes<'a>(before: &'a Customer, after: &'a Customer) -> Vec<(&'static str, Option<&'a str>, Option<&'a str>)> {
    let present = |value: Option<&'a str>| value.filter(|v| !v.is_empty());
    fields(before)
        .into_iter()
        .zip(fields(after))
        .filter(|((key, _), _)| *key != "web-id")
        .map(|((key, was), (_, now))| (key, present(was), present(now)))
        .filter(|(_, was, now)| was != now)
        .collect()
}
