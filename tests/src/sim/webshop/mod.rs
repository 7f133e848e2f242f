//! The web shop customer API (`docs/webshop-api.md`), served next to the ERP API on its own
//! listener with its own faults, its data in the simulator's SQLite file: the web customers
//! people register on the web, which the POS reconciles with its own customers.
//!
//! Its tables, version counter and change feed are separate from the ERP's, as they would
//! be in another system; the admin API's `/admin/webshop/...` routes act as its users.

mod admin;
mod api;
mod data;
mod model;
mod seed;
mod writes;

pub use admin::routes as admin_routes;
pub use api::router;
pub use data::WebState;
pub use model::{WebCustomer, WebCustomerFields};
pub use seed::seed_web_customers;
pub use writes::ReceivedWebWrite;
