//! The `erp-connector` slot for Tryton: the host's ERP operations as JSON-RPC calls to a
//! Tryton server (8.x), whose parties tagged with a category are the POS's customers. The
//! config keys and the mapping are described in `docs/tryton-connector.md`.
//!
//! The modules that do not call the host (`config`, `rpc`, `mapping`, `domain`, `cursor`,
//! `feed`, `time`) hold the logic and its tests; `client` and `ops` make the calls.

mod client;
mod config;
mod cursor;
mod domain;
mod feed;
mod mapping;
mod ops;
mod rpc;
mod time;

use config::Settings;
use pos_plugin_sdk::erp_connector::{ChangesError, ChangesPage, ErpInfo, Found, Guest, ListingPage, WriteError};
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, Customer, ErpError, SearchQuery};
use pos_plugin_sdk::{Config, ConfigErrors};

struct TrytonConnector;

impl Guest for TrytonConnector {
    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        Settings::read(&Config::new(config), &mut errors);
        errors.into_result()
    }

    fn describe() -> Result<ErpInfo, ErpError> {
        ops::describe(&Settings::load())
    }

    fn online_search_enabled() -> Result<bool, ErpError> {
        Ok(Settings::load().online_search)
    }

    fn search(query: SearchQuery, limit: u32) -> Result<Found, ErpError> {
        ops::search(&Settings::load(), &query, limit)
    }

    fn fetch(number: String) -> Result<Option<Customer>, ErpError> {
        ops::fetch(&Settings::load(), &number)
    }

    fn listing(after: Option<String>, limit: u32) -> Result<ListingPage, ErpError> {
        ops::listing(&Settings::load(), after, limit)
    }

    fn changes(cursor: String, limit: u32) -> Result<ChangesPage, ChangesError> {
        ops::changes(&Settings::load(), &cursor, limit)
    }

    fn create(customer: Customer, idempotency_key: String) -> Result<Customer, WriteError> {
        ops::create(&Settings::load(), &customer, &idempotency_key)
    }

    fn update(customer: Customer, expected_version: u64, idempotency_key: String) -> Result<Customer, WriteError> {
        ops::update(&Settings::load(), &customer, expected_version, &idempotency_key)
    }
}

pos_plugin_sdk::erp_connector::export!(TrytonConnector);
