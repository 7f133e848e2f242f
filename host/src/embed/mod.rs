//! The embedding API: what a POS application written in Rust starts from.
//!
//! A [`Host`] is built from a policy, a customer database and a bridge to the operator's
//! screen ([`Operator`]); it loads the policy's plugins, follows the policy and plugin files
//! (hot reload), and offers both workflows as async methods:
//!
//! - seed 1, searching customers: [`Host::search`] starts a [`CustomerSearch`], whose
//!   [`search`](CustomerSearch::search), [`search_erp`](CustomerSearch::search_erp) and
//!   [`open`](CustomerSearch::open) return what the operator's screen shows;
//!   [`Host::edit_customer`] and [`Host::sync`] keep the database and the ERP in step;
//! - seed 2, web shop registrations: [`Host::web`] gives the [`WebFlow`] with the web and
//!   local edit lists and every action on them.
//!
//! ```no_run
//! # async fn run() -> Result<(), pos_host::embed::HostError> {
//! use pos_host::bindings::SearchQuery;
//! use pos_host::embed::Host;
//!
//! let host = Host::builder().policy_file("policies/default.toml").database("till-1.sqlite").build().await?;
//! let mut search = host.search(None);
//! let screen = search.search(SearchQuery { phrase: "kowal".into(), filters: vec![], include_inactive: false }).await?;
//! if let Some(notice) = &screen.notice {
//!     println!("{}", notice.text);
//! }
//! # Ok(()) }
//! ```
//!
//! Questions the plugins and the merge plans ask (`ui.confirm`, such as the last-name
//! warning) go to the builder's [`Operator`]. A front-end in another process answers them
//! through [`Prompts`], the bridge the HTTP API uses.

mod erasure;
mod prompts;
mod search;

pub use prompts::{AnswerError, Prompt, Prompts};
pub use search::CustomerSearch;

// What the flows answer, gathered here so that an embedding application needs one import.
pub use crate::bindings::search::{ResultList, RetrieveAction, SearchButton};
pub use crate::flows::search::{Opened, Screen, ShownNotice};
pub use crate::flows::web::{Decision, Outcome, WebFlow, WebFlowError};

use crate::Runtime;
use crate::bindings::{Customer, Message};
use crate::caps::{Capabilities, Erp, Headless, NoErp, ONLINE_SEARCH_FRESH, Operator, SettingKept};
use crate::erp::{Connector, ErpClient, ErpConfig, PluginConnector};
use crate::flows::local_changes::{self, CustomerChanges};
use crate::flows::outbox::{self, DrainReport};
use crate::flows::sync::{self, Progress, SyncError, SyncReport};
use crate::live::{LiveHost, ReloadRecord, StartError, Startup, Status, Watching};
use crate::metrics::{Backlog, MeasuredErp, Metrics};
use crate::policy::{Policy, PolicyErrors, SyncMode};
use crate::slots::{Plugins, SlotId};
use crate::store::holdings::Holdings;
use crate::store::index_merge::IndexMerge;
use crate::store::retention::Pruned;
use crate::store::{Store, StoreError, encryption, sync_state};
use crate::webshop::{WebshopClient, WebshopConfig};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The locales whose texts ship with the host.
pub const LOCALES: [&str; 3] = ["en", "pl", "nl"];

/// Why a host could not start, or a workflow needs something it was not given.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("no policy: call HostBuilder::policy_file or HostBuilder::policy")]
    NoPolicy,
    #[error(transparent)]
    Policy(#[from] PolicyErrors),
    #[error(
        "no customer database: set host.database in {policy} or call HostBuilder::database (the command line's --db)"
    )]
    NoDatabase { policy: PathBuf },
    #[error("{}", opening(path, error))]
    Database { path: PathBuf, error: StoreError },
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("cannot start the plugin runtime: {0}")]
    Runtime(String),
    #[error("cannot watch the policy's files: {0}")]
    Watch(String),
    #[error(
        "no {what} is configured: set host.{setting}.url in {policy} or pass --{setting}-url (when embedding: \
         HostBuilder::{setting}_url)"
    )]
    NotConfigured { what: &'static str, setting: &'static str, policy: PathBuf },
    #[error("{0}")]
    Client(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

/// Why the database at `path` did not open, naming the file once.
fn opening(path: &std::path::Path, error: &StoreError) -> String {
    match error {
        StoreError::Open { .. } | StoreError::Key { .. } | StoreError::NewerSchema { .. } => error.to_string(),
        _ => format!("cannot open the customer database {}: {error}", path.display()),
    }
}

/// Builds a [`Host`]; see the [module docs](self).
#[must_use]
pub struct HostBuilder {
    policy: Option<PolicySource>,
    database: Option<PathBuf>,
    operator: Arc<dyn Operator>,
    cache_dir: Option<PathBuf>,
    erp_url: Option<String>,
    webshop_url: Option<String>,
    watch: Option<bool>,
    startup: Startup,
    measured: bool,
    record: Vec<SlotId>,
}

enum PolicySource {
    File(PathBuf),
    Loaded(Box<Policy>),
}

impl HostBuilder {
    /// The policy file; the host follows it and the files it extends.
    pub fn policy_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.policy = Some(PolicySource::File(path.into()));
        self
    }

    /// A policy already read, such as one checked with [`Policy::load`]; it is still read
    /// again from its file on a reload.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = Some(PolicySource::Loaded(Box::new(policy)));
        self
    }

    /// The SQLite file of the local customers, created when missing; by default the
    /// policy's `host.database`. It is opened, or made, encrypted or plain as the policy's
    /// `host.database-key` says ([`store::encryption`](crate::store::encryption)).
    pub fn database(mut self, path: impl Into<PathBuf>) -> Self {
        self.database = Some(path.into());
        self
    }

    /// Who answers the plugins' and the merge plans' questions. By default nobody: every
    /// question is dismissed, which always counts as the safe answer.
    pub fn operator(mut self, operator: Arc<dyn Operator>) -> Self {
        self.operator = operator;
        self
    }

    /// Where compiled plugins are cached; by default the policy's `host.cache-dir`, else no
    /// cache (every start compiles).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// The ERP's address, overriding `host.erp.url` in every version of the policy.
    pub fn erp_url(mut self, url: impl Into<String>) -> Self {
        self.erp_url = Some(url.into());
        self
    }

    /// The web shop's address, overriding `host.webshop.url` in every version of the policy.
    pub fn webshop_url(mut self, url: impl Into<String>) -> Self {
        self.webshop_url = Some(url.into());
        self
    }

    /// Whether to follow the policy and plugin files and reload on a change (default: yes).
    /// Needs a tokio runtime.
    pub fn watch(mut self, watch: bool) -> Self {
        self.watch = Some(watch);
        self
    }

    /// Whether [`build`](Self::build) returns before every plugin is compiled (default: yes).
    /// A plugin the compilation cache does not hold yet (a new or changed one: seconds for
    /// a JavaScript or Python component) is then compiled in the background, and its slot's
    /// built-in fallback decides, with the slot's config, until it is ready;
    /// [`Host::status`] shows it as `compiling`. With `false`, `build` waits for the
    /// compiler and refuses to start with a plugin it rejects, which suits a command that
    /// decides once.
    pub fn compile_in_background(mut self, background: bool) -> Self {
        self.startup = if background { Startup::CompileInBackground } else { Startup::WaitForPlugins };
        self
    }

    /// Whether plugin calls and requests to the ERP and the web shop are counted and timed
    /// for [`Host::metrics_text`] (default: yes). Off, they cost nothing and the figures stay
    /// at zero; what the benchmarks compare the counting with.
    pub fn measured(mut self, measured: bool) -> Self {
        self.measured = measured;
        self
    }

    /// Records the calls of `slot` as if its policy said `record = true` (the command line's
    /// `serve --record`), pseudonymized unless the policy asks for them in full.
    pub fn record(mut self, slot: SlotId) -> Self {
        self.record.push(slot);
        self
    }

    /// Opens the database, loads the policy's plugins and starts following their files.
    /// Every problem of the policy and its plugins is reported at once.
    pub async fn build(self) -> Result<Host, HostError> {
        let mut policy = match self.policy.ok_or(HostError::NoPolicy)? {
            PolicySource::File(path) => Policy::load(&path)?,
            PolicySource::Loaded(policy) => *policy,
        };
        let database = self
            .database
            .or_else(|| policy.host.database.clone())
            .ok_or_else(|| HostError::NoDatabase { policy: policy.path.clone() })?;
        if self.record.contains(&SlotId::ErpConnector) {
            return Err(HostError::Client(
                "the ERP connector's calls are the ERP's traffic, not decisions to replay: only the search-policy, \
                 notification-texts and web-merge-rules slots record"
                    .into(),
            ));
        }
        if let Some(slot) = self.record.iter().find(|slot| policy.slot(**slot).is_none()) {
            return Err(HostError::Client(format!(
                "cannot record the {slot} slot: {} configures no plugin for it (slots.{slot})",
                policy.path.display()
            )));
        }
        let (erp_url, webshop_url, record) = (self.erp_url.clone(), self.webshop_url.clone(), self.record.clone());
        let recordings = database.parent().unwrap_or(std::path::Path::new(".")).join("recordings");
        let overrides = move |policy: &mut Policy| {
            if let Some(url) = &erp_url {
                policy.host.erp.url = Some(url.clone());
            }
            if let Some(url) = &webshop_url {
                policy.host.webshop.url = Some(url.clone());
            }
            policy.host.recordings.get_or_insert_with(|| recordings.clone());
            for slot in policy.slots.iter_mut().filter(|slot| record.contains(&slot.slot)) {
                slot.record.get_or_insert_default();
            }
        };
        overrides(&mut policy);
        let store = encryption::protection(&database, &policy.host.database_key)
            .and_then(|protection| Store::open_with(&database, &protection))
            .map_err(|error| HostError::Database { path: database.clone(), error })?;
        let metrics = Arc::new(Metrics::new());
        metrics.workstation(&policy.host.workstation);
        let timeout = |ms: u64| Duration::from_millis(ms);
        // The ERP is reached through the policy's connector plugin; a policy that names none
        // but gives `host.erp.url` gets the built-in client of the data synchronization service.
        let mut plugin_connector = None;
        let erp: Option<Arc<dyn Connector>> = match (&policy.slot(SlotId::ErpConnector), &policy.host.erp.url) {
            (Some(slot), _) => {
                let connector = Arc::new(PluginConnector::new(slot.limits.timeout()));
                plugin_connector = Some(connector.clone());
                Some(connector)
            }
            (None, Some(url)) => Some(Arc::new(
                ErpClient::new(ErpConfig {
                    url: url.clone(),
                    workstation: policy.host.workstation.clone(),
                    timeout: timeout(policy.host.erp.timeout_ms),
                })
                .map_err(|error| HostError::Client(format!("host.erp.url: {error}")))?,
            )),
            (None, None) => None,
        };
        let erp = match self.measured {
            true => erp.map(|connector| Arc::new(MeasuredErp::new(connector, metrics.clone())) as Arc<dyn Connector>),
            false => erp,
        };
        let webshop = match &policy.host.webshop.url {
            Some(url) => {
                let client = WebshopClient::new(WebshopConfig {
                    url: url.clone(),
                    workstation: policy.host.workstation.clone(),
                    timeout: timeout(policy.host.webshop.timeout_ms),
                })
                .map_err(|error| HostError::Client(format!("host.webshop.url: {error}")))?;
                Some(if self.measured { client.measured_by(metrics.clone()) } else { client })
            }
            None => None,
        };
        let erp_capability: Arc<dyn Erp> = match &erp {
            Some(connector) => Arc::new(SettingKept::new(connector.clone(), ONLINE_SEARCH_FRESH)),
            None => Arc::new(NoErp),
        };
        let caps = Capabilities {
            local_db: Arc::new(store.clone()),
            erp: erp_capability.clone(),
            operator: self.operator.clone(),
        };
        let cache_dir = self.cache_dir.or_else(|| policy.host.cache_dir.clone());
        let runtime = Runtime::new(caps, cache_dir)
            .map_err(|error| HostError::Runtime(format!("{error:#}")))?
            .measured_by(metrics);
        let runtime = if self.measured { runtime } else { runtime.unmeasured() };
        let workstation = policy.host.workstation.clone();
        let live = LiveHost::start_with(runtime, policy, Box::new(overrides), self.startup).await?;
        if let Some(connector) = &plugin_connector {
            connector.attach(&live.plugins());
        }
        let watching = match self.watch.unwrap_or(true) {
            true => Some(live.watch().map_err(|error| HostError::Watch(error.to_string()))?),
            false => None,
        };
        let host = Host {
            inner: Arc::new(Inner {
                live,
                store,
                erp,
                erp_capability,
                webshop,
                operator: self.operator,
                workstation,
                syncing: tokio::sync::Mutex::new(()),
                erasing_recorded: tokio::sync::Mutex::new(()),
                recordings_eraser: std::sync::OnceLock::new(),
                eraser_passes: tokio::sync::watch::Sender::new(0),
                _watching: watching,
            }),
        };
        erasure::RecordingsEraser::start(&host);
        Ok(host)
    }
}

/// A running host: the policy and its plugins, the customer database, the ERP and the web
/// shop. Cheap to clone; every clone is the same host.
#[derive(Clone)]
pub struct Host {
    inner: Arc<Inner>,
}

struct Inner {
    live: Arc<LiveHost>,
    store: Store,
    erp: Option<Arc<dyn Connector>>,
    erp_capability: Arc<dyn Erp>,
    webshop: Option<WebshopClient>,
    operator: Arc<dyn Operator>,
    workstation: String,
    /// One synchronization at a time: a second waits, then finds little left to do.
    syncing: tokio::sync::Mutex<()>,
    /// One removal of erased people's recorded calls at a time (erasure.rs).
    erasing_recorded: tokio::sync::Mutex<()>,
    /// Removes them after each erasure committed, whatever made it; ends with the host.
    recordings_eraser: std::sync::OnceLock<erasure::RecordingsEraser>,
    /// How many passes it made, for [`Host::erasures_completed`].
    eraser_passes: tokio::sync::watch::Sender<u64>,
    _watching: Option<Watching>,
}

/// The settings a front-end shows, as the policy says now.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Settings {
    pub workstation: String,
    /// The policy's locale, used when a request names none.
    pub locale: String,
    pub locales: Vec<String>,
    /// Whether the policy lets the operator search the ERP (`host.erp.online-search`).
    pub online_search: bool,
    pub erp: bool,
    pub webshop: bool,
}

/// What [`Host::sync`] did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Synchronized {
    /// The ERP's customers listed and changes applied; `None` in `local-only` mode.
    pub customers: Option<SyncSummary>,
    /// Changes made here sent to the ERP.
    pub sent: u64,
    /// Changes the ERP refused, kept aside with the reason.
    pub parked: u64,
    /// Why sending stopped early; the remaining changes stay queued.
    pub stopped: Option<String>,
}

/// The customers part of [`Synchronized`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SyncSummary {
    pub listed: u64,
    pub changes: u64,
    pub removed: u64,
    pub restarted_full: bool,
    /// The change cursor reached.
    pub cursor: String,
}

impl Host {
    /// Starts building a host.
    pub fn builder() -> HostBuilder {
        HostBuilder {
            policy: None,
            database: None,
            operator: Arc::new(Headless),
            cache_dir: None,
            erp_url: None,
            webshop_url: None,
            watch: None,
            startup: Startup::CompileInBackground,
            measured: true,
            record: Vec::new(),
        }
    }

    /// Waits until every plugin the host started with is compiled and serving (or refused,
    /// which [`Host::status`]'s reloads tell). Until then their slots' fallbacks decide; see
    /// [`HostBuilder::compile_in_background`].
    pub async fn compiled(&self) {
        self.inner.live.compiled().await
    }

    /// The policy serving now.
    pub fn policy(&self) -> Arc<Policy> {
        self.inner.live.policy()
    }

    /// The plugins serving now; the same object for the host's whole life.
    pub fn plugins(&self) -> Arc<Plugins> {
        self.inner.live.plugins()
    }

    /// Plugin versions, call and failure counters, and the reload history.
    pub fn status(&self) -> Status {
        self.inner.live.status()
    }

    /// Reads the policy and the plugins again now, as a change of their files does.
    pub async fn reload(&self) -> ReloadRecord {
        self.inner.live.reload(Vec::new()).await
    }

    /// The local customer database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The path of the policy file.
    pub fn policy_path(&self) -> PathBuf {
        self.policy().path.clone()
    }

    /// The settings as the policy says now.
    pub fn settings(&self) -> Settings {
        let policy = self.policy();
        Settings {
            workstation: self.inner.workstation.clone(),
            locale: policy.host.locale.clone(),
            locales: LOCALES.iter().map(|l| l.to_string()).collect(),
            online_search: policy.host.erp.online_search,
            erp: self.inner.erp.is_some(),
            webshop: self.inner.webshop.is_some(),
        }
    }

    /// A customer search for one operator, its texts in `locale` (by default the policy's,
    /// followed as the policy changes).
    pub fn search(&self, locale: Option<String>) -> CustomerSearch {
        CustomerSearch::new(self.clone(), locale)
    }

    /// The local customer `number`.
    pub async fn customer(&self, number: &str) -> Result<Option<Customer>, StoreError> {
        self.inner.store.customer(number).await
    }

    /// Everything this till holds about the person with customer number or web id `key`: for
    /// an access request. Reads the till only; nothing is asked of the ERP or the web shop.
    pub async fn holdings(&self, key: &str) -> Result<Holdings, StoreError> {
        let key = key.to_owned();
        self.inner.store.read(move |conn| crate::store::holdings::holdings(conn, &key)).await
    }

    /// Applies the policy's `host.retention` now: audit entries past their time lose their
    /// personal data, ERP customers only looked up past theirs leave the till. Says what it
    /// did in the log; `serve` runs it at the start and every hour.
    pub async fn apply_retention(&self) -> Result<Pruned, StoreError> {
        self.apply_retention_at(crate::runtime::now_ms() as i64).await
    }

    /// [`apply_retention`](Self::apply_retention) as of `now` (milliseconds since the Unix
    /// epoch): for a test, or a till whose clock is known to be wrong.
    pub async fn apply_retention_at(&self, now: i64) -> Result<Pruned, StoreError> {
        crate::trace::step("retention", self.prune(now)).await
    }

    /// Merges the search index into one segment when synchronizations left it in several
    /// (see [`index_merge`](crate::store::index_merge)), a slice at a time; `serve` runs it
    /// after each retention pass.
    pub async fn merge_search_index(&self) -> Result<IndexMerge, StoreError> {
        crate::trace::step("index.merge", async {
            let started = std::time::Instant::now();
            let merge = self.inner.store.merge_index().await?;
            if merge.slices > 0 {
                tracing::info!(
                    segments = merge.segments,
                    slices = merge.slices,
                    "search index: {} segments merged into one in {} slices, {:.1} s",
                    merge.segments,
                    merge.slices,
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(merge)
        })
        .await
    }

    async fn prune(&self, now: i64) -> Result<Pruned, StoreError> {
        let policy = self.policy();
        let local_only = policy.host.customers.mode == SyncMode::LocalOnly;
        let mut pruned = self.inner.store.apply_retention(policy.host.retention, now, local_only).await?;
        if let (Some(days), Some(dir)) = (policy.host.retention.recordings_days, policy.host.recordings.clone()) {
            let before = now - i64::from(days) * 24 * 60 * 60 * 1000;
            let writing: Vec<_> = self.plugins().recorders().iter().map(|recorder| recorder.status().file).collect();
            pruned.recordings_removed = tokio::task::spawn_blocking(move || {
                crate::recording::remove_older(&dir, u64::try_from(before).unwrap_or(0), &writing)
                    .map_err(|error| StoreError::Invalid(format!("recordings in {}: {error}", dir.display())))
            })
            .await
            .map_err(|error| StoreError::Task(error.to_string()))??;
        }
        if pruned != Pruned::default() {
            let days = crate::store::retention::span;
            tracing::info!(
                audit_pseudonymized = pruned.audit_pseudonymized,
                looked_up_removed = pruned.looked_up_removed,
                recordings_removed = pruned.recordings_removed,
                "retention: the personal data of {} audit entries older than {} replaced; {} ERP customers only looked up more than {} ago removed; {} recordings of plugin calls older than {} removed",
                pruned.audit_pseudonymized,
                days(policy.host.retention.audit_personal_days),
                pruned.looked_up_removed,
                days(policy.host.retention.looked_up_days),
                pruned.recordings_removed,
                days(policy.host.retention.recordings_days),
            );
        }
        Ok(pruned)
    }

    /// Saves the operator's changes to local customer `number` and queues them for the ERP,
    /// if the ERP allows editing it.
    pub async fn edit_customer(&self, number: &str, changes: CustomerChanges) -> Result<Customer, StoreError> {
        local_changes::change(&self.inner.store, number, changes).await
    }

    /// Creates a customer at this workstation and queues it for the ERP.
    pub async fn create_customer(&self, customer: Customer) -> Result<Customer, StoreError> {
        local_changes::create(&self.inner.store, &self.inner.workstation, customer).await
    }

    /// Synchronizes with the ERP: in `sync-all` mode the customers (in full the first time,
    /// then the changes), in both modes the changes made here. `progress` hears of every page.
    /// Dropped before it ends, the synchronization stops between two pages and is counted as
    /// cancelled, even when it had not started yet.
    pub fn sync<'a>(
        &'a self,
        mut progress: impl FnMut(&Progress) + 'a,
    ) -> impl Future<Output = Result<Synchronized, HostError>> + 'a {
        let erp = self.inner.erp.as_ref().ok_or_else(|| self.not_configured("ERP", "erp"));
        let metrics = self.metrics();
        let run = erp.is_ok().then(|| metrics.sync_run());
        crate::trace::step("sync", async move {
            let erp = erp?;
            let _one_at_a_time = self.inner.syncing.lock().await;
            let mut counted = (0, 0);
            let counting = |seen: &Progress| {
                metrics.synced_pages(seen.listed.saturating_sub(counted.0), seen.changes.saturating_sub(counted.1));
                counted = (seen.listed, seen.changes);
                progress(seen)
            };
            let synced = self.sync_once(erp, counting).await;
            if let Some(run) = run {
                run.ended(
                    synced
                        .as_ref()
                        .ok()
                        .map(|synced| (synced.customers.as_ref().map_or(0, |c| c.removed), synced.sent, synced.parked)),
                );
            }
            synced
        })
    }

    async fn sync_once(
        &self,
        erp: &Arc<dyn Connector>,
        progress: impl FnMut(&Progress),
    ) -> Result<Synchronized, HostError> {
        let customers = match self.policy().host.customers.mode {
            SyncMode::SyncAll => {
                let report: SyncReport =
                    sync::sync_all(&self.inner.store, erp, &self.inner.workstation, progress).await?;
                let now = crate::flows::now_ms();
                self.inner.store.write(move |tx| Ok::<_, StoreError>(sync_state::set_caught_up_at(tx, now)?)).await?;
                Some(SyncSummary {
                    listed: report.listed,
                    changes: report.changes,
                    removed: report.removed,
                    restarted_full: report.restarted_full,
                    cursor: report.cursor,
                })
            }
            SyncMode::LocalOnly => None,
        };
        let DrainReport { sent, parked, stopped } = outbox::drain(&self.inner.store, &**erp).await?;
        Ok(Synchronized { customers, sent, parked, stopped })
    }

    /// The web shop workflow: the web and local edit lists and the actions on them.
    pub fn web(&self) -> Result<WebFlow, HostError> {
        let webshop = self.inner.webshop.clone().ok_or_else(|| self.not_configured("web shop", "webshop"))?;
        Ok(WebFlow {
            store: self.inner.store.clone(),
            webshop,
            plugins: self.plugins(),
            operator: self.inner.operator.clone(),
            workstation: self.inner.workstation.clone(),
            erp: self.inner.erp.is_some().then(|| self.erp_capability()),
        })
    }

    /// `message` in words, in `locale` (by default the policy's), by the notification-texts
    /// plugin or its fallback.
    pub async fn render(&self, message: &Message, locale: Option<&str>) -> String {
        let policy = self.policy();
        let locale = locale.unwrap_or(&policy.host.locale);
        self.plugins().texts.render(message, locale).await.value
    }

    /// What the host counts and times, in the Prometheus text format: its plugins' calls,
    /// reloads, requests to the ERP and the web shop, synchronizations, the HTTP API's
    /// answers when served, and, read from the database now, where the synchronization
    /// stands and what waits to be sent.
    pub async fn metrics_text(&self) -> String {
        let metrics = self.metrics();
        match self.inner.store.read(Backlog::read).await {
            Ok(backlog) => {
                let follows_erp = self.policy().host.customers.mode == SyncMode::SyncAll;
                metrics.backlog(&backlog, follows_erp, crate::flows::now_ms());
            }
            // The rest still tells what happened; the database's gauges keep their last values.
            Err(error) => tracing::warn!("metrics: cannot read the synchronization's state: {error}"),
        }
        metrics.render()
    }

    /// What the host counts into: its plugins' calls and the requests to the ERP and the web
    /// shop, and the HTTP API's answers when [`crate::serve::router`] serves it.
    pub fn metrics(&self) -> &Arc<Metrics> {
        self.inner.live.metrics()
    }

    pub(crate) fn erp_capability(&self) -> Arc<dyn Erp> {
        self.inner.erp_capability.clone()
    }

    fn not_configured(&self, what: &'static str, setting: &'static str) -> HostError {
        HostError::NotConfigured { what, setting, policy: self.policy_path() }
    }
}
