//! Host bindings generated from the WIT contract, one module per supported version. The host
//! works in the newest version's types; a plugin built against an older version is called
//! through that version's bindings, which share every type that did not change and convert
//! the rest.

pub mod v0_1;
pub mod v0_2;

pub use v0_2::caps::pos::plugin::types::{
    Argument, Choice, ConfigEntry, ConfigError, ConfigValue, Customer, DbError, ErpError, Field, Filter, Message,
    Notice, Origin, SearchQuery, Severity,
};
pub use v0_2::caps::pos::plugin::{config, erp, local_db, log, types, ui};
/// What a connector learns of the installation it runs in.
pub use v0_2::erp_connector::pos::plugin::connection;
/// The types of the `erp-connector` slot's operations.
pub use v0_2::erp_connector::pos::plugin::erp_types as connector;
/// The types of the `search-policy` slot's hooks.
pub use v0_2::search_policy::exports::pos::plugin::search_decisions as search;
/// The types of the `web-merge-rules` slot's hooks.
pub use v0_2::web_merge_rules::exports::pos::plugin::merge_rules as merge;

/// The snake_case name of a field: its column in the store and its parameter in the ERP API.
pub fn field_name(field: Field) -> &'static str {
    match field {
        Field::Number => "number",
        Field::FirstName => "first_name",
        Field::LastName => "last_name",
        Field::Company => "company",
        Field::TaxId => "tax_id",
        Field::Email => "email",
        Field::Phone => "phone",
        Field::Street => "street",
        Field::PostalCode => "postal_code",
        Field::City => "city",
        Field::Country => "country",
    }
}
