//! The operator's screen as text: the result list, the notice, the [Search] button.

use super::labels::{label, label_with};
use pos_host::bindings::search::{ResultList, SearchButton};
use pos_host::bindings::{Customer, Origin};
use pos_host::flows::search::{Screen, ShownNotice};

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

/// Every field of a customer, one per line.
pub fn details(customer: &Customer) {
    let fields = [
        ("number", customer.number.clone()),
        ("web id", customer.web_id.clone()),
        ("first name", Some(customer.first_name.clone())),
        ("last name", Some(customer.last_name.clone())),
        ("company", customer.company.clone()),
        ("tax id", customer.tax_id.clone()),
        ("e-mail", customer.email.clone()),
        ("phone", customer.phone.clone()),
        ("street", customer.street.clone()),
        ("postal code", customer.postal_code.clone()),
        ("city", customer.city.clone()),
        ("country", customer.country.clone()),
    ];
    for (name, value) in fields {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            println!("{name:<12} {value}");
        }
    }
    println!("{:<12} {}", "active", if customer.active { "yes" } else { "no" });
    let origin = match customer.origin {
        Origin::Local => "added at the POS",
        Origin::Erp => "ERP",
        Origin::Web => "web shop",
    };
    println!("{:<12} {origin}, version {}", "origin", customer.version);
}
