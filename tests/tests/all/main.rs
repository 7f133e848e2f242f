//! The integration tests: one binary made of modules, each test with its own runtime and
//! files, all sharing one compilation cache.

mod access;
mod client_policies;
mod console;
mod contract_versions;
mod erasure;
mod fuzz;
mod hostile;
mod hostile_connector;
mod hostile_pages;
mod http_api;
mod integrity;
mod js_capability;
mod js_plugin;
mod js_search_policy;
mod loading;
mod matching;
mod metrics;
mod notification_texts;
mod openapi;
mod policy;
mod python_plugin;
mod recording;
mod reload;
mod retention;
mod search_flow;
mod search_policy;
mod simulator;
mod startup;
mod store;
mod sync;
mod traces;
mod tryton;
mod tryton_connector;
mod web_flow;
mod web_merge_rules;
mod webshop_sim;
mod wit_docs;

pub use pos_tests::{customer, web_customer};
