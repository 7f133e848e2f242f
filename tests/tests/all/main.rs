//! The integration tests: one binary made of modules, each test with its own runtime and
//! files, all sharing one compilation cache.

mod access;
mod client_policies;
mod console;
mod contract_versions;
mod fuzz;
mod hostile;
mod hostile_pages;
mod http_api;
mod integrity;
mod js_capability;
mod js_plugin;
mod js_search_policy;
mod loading;
mod matching;
mod notification_texts;
mod policy;
mod python_plugin;
mod reload;
mod search_flow;
mod search_policy;
mod simulator;
mod startup;
mod store;
mod sync;
mod tryton;
mod web_flow;
mod web_merge_rules;
mod webshop_sim;
mod wit_docs;

use pos_host::bindings::{Customer, Origin};

/// A local customer for merge tests.
pub fn customer(number: Option<&str>, first: &str, last: &str) -> Customer {
    Customer {
        number: number.map(String::from),
        web_id: None,
        first_name: first.into(),
        last_name: last.into(),
        company: None,
        tax_id: None,
        email: None,
        phone: None,
        street: None,
        postal_code: None,
        city: Some("Kraków".into()),
        country: Some("PL".into()),
        active: true,
        origin: Origin::Local,
        version: 3,
        updated_at: 1_700_000_000_000,
        previewable: true,
        editable: true,
    }
}

/// A web shop registration for merge tests.
pub fn web_customer(web_id: &str, number: Option<&str>, first: &str, last: &str) -> Customer {
    Customer {
        web_id: Some(web_id.into()),
        origin: Origin::Web,
        email: Some("klant@example.nl".into()),
        ..customer(number, first, last)
    }
}
