//! A simulator of the ERP data synchronization service (`docs/erp-api.md`) and of the web
//! shop customer API (`docs/webshop-api.md`): real HTTP servers on loopback with their data
//! in one SQLite file, seeded with realistic customers and web registrations, and with
//! faults that can be switched on at runtime, for each API apart.
//!
//! Tests start it in-process with [`start`]; the `pos-sim` binary serves it for benchmarks
//! and the demo. Both listen on three addresses: the ERP API and the web shop API the host
//! talks to, and an admin API (`/admin/...`, `/admin/webshop/...`) through which tests
//! change the data and inject faults. The [`Simulator`] methods call the same operations as
//! the admin endpoints.

mod admin;
mod api;
mod data;
mod error;
mod faults;
mod model;
mod seed;
mod server;
mod text;
mod webshop;
mod writes;

pub use data::State;
pub use error::ApiError;
pub use faults::{Fault, FaultMode, MALFORMED_BODY};
pub use model::{AdminCustomer, CUSTOMER_TAG, Customer, CustomerFields, SimCustomer};
pub use seed::number;
pub use text::fold;
pub use webshop::{ReceivedWebWrite, WebCustomer, WebCustomerFields, WebState};
pub use writes::ReceivedWrite;

use admin::Admin;
use anyhow::Context;
use data::Store;
use seed::SeedOptions;
use server::Server;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio_util::sync::CancellationToken;

/// How to start a simulator.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// How many customers to seed into a new data file.
    pub customers: u64,
    /// The seed of the generated data: the same seed gives the same customers.
    pub seed: u64,
    /// The SQLite file; if it already holds seeded data, that data is served as it is.
    /// `None`: a new file in a temporary directory removed when the simulator stops.
    pub data: Option<PathBuf>,
    /// The share of customers available only to some workstations (`POS-02`, `POS-03`).
    pub workstation_share: f64,
    /// Where the ERP API listens; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Where the admin API listens; port 0 picks a free port.
    pub admin: SocketAddr,
    /// Where the web shop API listens; port 0 picks a free port.
    pub webshop: SocketAddr,
    /// How many web shop registrations to seed into a new data file, derived from the
    /// seeded customers.
    pub web_customers: u64,
    /// Print seeding progress to stderr.
    pub progress: bool,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        SimConfig {
            customers: 1000,
            seed: 42,
            data: None,
            workstation_share: 0.02,
            listen: loopback,
            admin: loopback,
            webshop: loopback,
            web_customers: 0,
            progress: false,
        }
    }
}

impl SimConfig {
    /// `customers` customers (and no web customers) from `seed`, on free loopback ports, in
    /// a temporary file.
    pub fn new(customers: u64, seed: u64) -> SimConfig {
        SimConfig { customers, seed, ..SimConfig::default() }
    }
}

/// A running simulator. Dropping it stops it; [`Simulator::shutdown`] also waits until
/// every port is closed.
pub struct Simulator {
    admin: Arc<Admin>,
    admin_server: Server,
    stopped: CancellationToken,
    customers: u64,
    web_customers: u64,
    reused: bool,
    // Declared last so that it is removed after everything using the file is dropped.
    _temp_dir: Option<tempfile::TempDir>,
}

/// Opens (seeding if needed) the data file and starts serving the APIs.
pub async fn start(config: SimConfig) -> anyhow::Result<Simulator> {
    let (path, temp_dir) = match &config.data {
        Some(path) => (path.clone(), None),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("pos-sim-")
                .tempdir()
                .context("failed to create a temporary directory for the simulator's data")?;
            (dir.path().join("erp.sqlite"), Some(dir))
        }
    };
    let options = SeedOptions {
        customers: config.customers,
        seed: config.seed,
        workstation_share: config.workstation_share,
        web_customers: config.web_customers,
    };
    let progress = config.progress;
    let (store, customers, reused) = tokio::task::spawn_blocking(move || open(&path, &options, progress))
        .await
        .context("the seeding task failed")??;
    let store = Arc::new(store);
    let web_customers = store.call(|store| store.web_state()).await?.seeded.unwrap_or(0);

    let stopped = CancellationToken::new();
    let faults = Arc::new(RwLock::new(Fault::none()));
    let erp = Server::bind(config.listen, api::router(Arc::clone(&store), Arc::clone(&faults)), stopped.clone())
        .await
        .with_context(|| format!("failed to listen on {} for the ERP API", config.listen))?;
    // A listener and fault of its own, so that faults of one API leave the other answering.
    let webshop_faults = Arc::new(RwLock::new(Fault::none()));
    let webshop_router = webshop::router(Arc::clone(&store), Arc::clone(&webshop_faults));
    let webshop = Server::bind(config.webshop, webshop_router, stopped.clone())
        .await
        .with_context(|| format!("failed to listen on {} for the web shop API", config.webshop))?;
    let admin = Arc::new(Admin { store, faults, erp, webshop_faults, webshop });
    let admin_server = Server::bind(config.admin, admin::router(Arc::clone(&admin)), stopped.clone())
        .await
        .with_context(|| format!("failed to listen on {} for the admin API", config.admin))?;
    Ok(Simulator { admin, admin_server, stopped, customers, web_customers, reused, _temp_dir: temp_dir })
}

/// Opens the store at `path`, seeding it unless it holds a completed seeding. Returns the
/// store, how many customers were seeded, and whether existing data was reused.
fn open(path: &Path, options: &SeedOptions, progress: bool) -> anyhow::Result<(Store, u64, bool)> {
    let store = Store::open(path)?;
    if let Some(seeded) = store.state()?.seeded {
        return Ok((store, seeded, true));
    }
    seed::seed(&store, options, progress).with_context(|| format!("failed to seed {}", path.display()))?;
    Ok((store, options.customers, false))
}

impl Simulator {
    /// The ERP API's base URL, `http://127.0.0.1:PORT`.
    pub fn erp_url(&self) -> String {
        format!("http://{}", self.erp_addr())
    }

    /// The admin API's base URL, `http://127.0.0.1:PORT`.
    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin_addr())
    }

    /// The ERP API's address.
    pub fn erp_addr(&self) -> SocketAddr {
        self.admin.erp.addr()
    }

    /// The admin API's address.
    pub fn admin_addr(&self) -> SocketAddr {
        self.admin_server.addr()
    }

    /// The web shop API's base URL, `http://127.0.0.1:PORT`.
    pub fn webshop_url(&self) -> String {
        format!("http://{}", self.webshop_addr())
    }

    /// The web shop API's address.
    pub fn webshop_addr(&self) -> SocketAddr {
        self.admin.webshop.addr()
    }

    /// The SQLite file.
    pub fn data_path(&self) -> &Path {
        self.admin.store.path()
    }

    /// How many customers the data file was seeded with.
    pub fn seeded_customers(&self) -> u64 {
        self.customers
    }

    /// How many web customers the data file was seeded with.
    pub fn seeded_web_customers(&self) -> u64 {
        self.web_customers
    }

    /// Whether the data file already held data, which is served instead of reseeding.
    pub fn reused_data(&self) -> bool {
        self.reused
    }

    /// Switches the ERP API to `fault` (`Fault::none()` restores it). Returns once the
    /// fault is in force: after `refuse`, the port refuses connections.
    pub async fn set_fault(&self, fault: Fault) -> anyhow::Result<()> {
        Ok(self.admin.set_fault(fault).await?)
    }

    /// The fault in force.
    pub fn fault(&self) -> Fault {
        self.admin.fault()
    }

    /// Creates or replaces a customer, as the ERP's users would; it takes the next version.
    pub async fn upsert_customer(&self, customer: AdminCustomer) -> anyhow::Result<SimCustomer> {
        Ok(self.admin.upsert(customer).await?)
    }

    /// Deletes a customer; the feed gets a tombstone. Returns the tombstone's version.
    pub async fn delete_customer(&self, number: &str) -> anyhow::Result<i64> {
        Ok(self.admin.delete(number).await?)
    }

    /// Marks a customer inactive.
    pub async fn deactivate_customer(&self, number: &str) -> anyhow::Result<SimCustomer> {
        Ok(self.admin.deactivate(number).await?)
    }

    /// A customer with its tags and workstations, whoever may see it.
    pub async fn customer(&self, number: &str) -> anyhow::Result<Option<SimCustomer>> {
        match self.admin.customer(number).await {
            Ok(customer) => Ok(Some(customer)),
            Err(error) if error.code == "not_found" => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Drops the change history so far: cursors older than the returned version get `410`.
    pub async fn expire_cursors(&self) -> anyhow::Result<i64> {
        Ok(self.admin.expire_cursors().await?)
    }

    /// Turns searching the ERP from the POS on or off (`GET /settings`).
    pub async fn set_online_search(&self, enabled: bool) -> anyhow::Result<()> {
        Ok(self.admin.set_online_search(enabled).await?)
    }

    /// Every `POST` and `PUT` received, replays included, oldest first.
    pub async fn received_writes(&self) -> anyhow::Result<Vec<ReceivedWrite>> {
        Ok(self.admin.received().await?)
    }

    /// Every customer `workstation` may see, in number order; only active ones (what
    /// `GET /customers` lists) if `active_only`.
    pub async fn visible_customers(&self, workstation: &str, active_only: bool) -> anyhow::Result<Vec<Customer>> {
        Ok(self.admin.visible(workstation, active_only).await?)
    }

    /// How many customers `workstation` may see; only active ones if `active_only`.
    pub async fn count_visible(&self, workstation: &str, active_only: bool) -> anyhow::Result<u64> {
        Ok(self.admin.count_visible(workstation, active_only).await?)
    }

    /// The service state: current version, cursor horizon, settings, seeding.
    pub async fn state(&self) -> anyhow::Result<State> {
        Ok(self.admin.state().await?)
    }

    /// Switches the web shop API to `fault` (`Fault::none()` restores it); the ERP API is
    /// not affected. Returns once the fault is in force: after `refuse`, the web shop's port
    /// refuses connections.
    pub async fn set_webshop_fault(&self, fault: Fault) -> anyhow::Result<()> {
        Ok(self.admin.set_webshop_fault(fault).await?)
    }

    /// The web shop's fault in force.
    pub fn webshop_fault(&self) -> Fault {
        self.admin.webshop_fault()
    }

    /// Registers a web customer as a person does on the web, under `fields.id` or the next
    /// free id (`W-000001`, ...); it takes the next web shop version.
    pub async fn register_web_customer(&self, fields: WebCustomerFields) -> anyhow::Result<WebCustomer> {
        Ok(self.admin.register_web_customer(fields).await?)
    }

    /// Replaces a web customer's data as the customer does on the web, without `If-Match`;
    /// it takes the next web shop version. A `customer_number` of `None` keeps the current
    /// one: people do not edit the number the shop linked them to.
    pub async fn edit_web_customer(&self, id: &str, fields: WebCustomerFields) -> anyhow::Result<WebCustomer> {
        Ok(self.admin.edit_web_customer(id, fields).await?)
    }

    /// Closes a web customer's account; the registrations feed gets a tombstone.
    pub async fn delete_web_customer(&self, id: &str) -> anyhow::Result<()> {
        self.admin.delete_web_customer(id).await?;
        Ok(())
    }

    /// A web customer; `None` if unknown or deleted.
    pub async fn web_customer(&self, id: &str) -> anyhow::Result<Option<WebCustomer>> {
        match self.admin.web_customer(id).await {
            Ok(customer) => Ok(Some(customer)),
            Err(error) if error.code == "not_found" => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Every live web customer, by id.
    pub async fn web_customers(&self) -> anyhow::Result<Vec<WebCustomer>> {
        Ok(self.admin.web_customers().await?)
    }

    /// Every `PUT` and `DELETE` the web shop received, replays included, oldest first.
    pub async fn webshop_received_writes(&self) -> anyhow::Result<Vec<ReceivedWebWrite>> {
        Ok(self.admin.webshop_received().await?)
    }

    /// Drops the web shop's change history so far: cursors other than `0` older than the
    /// returned version get `410`.
    pub async fn expire_webshop_cursors(&self) -> anyhow::Result<i64> {
        Ok(self.admin.expire_webshop_cursors().await?)
    }

    /// The web shop's state: current version, cursor horizon, seeding.
    pub async fn webshop_state(&self) -> anyhow::Result<WebState> {
        Ok(self.admin.webshop_state().await?)
    }

    /// Stops every API and waits until their ports are closed.
    pub async fn shutdown(self) {
        self.stopped.cancel();
        self.admin.erp.close().await;
        self.admin.webshop.close().await;
        self.admin_server.close().await;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stopped.cancel();
    }
}
