//! A host serving the HTTP API and the console on a free loopback port, in front of the
//! simulator: what the API and browser tests start from.

use crate::sim::{self, AdminCustomer, SimConfig, Simulator};
use crate::{artifacts, shared_cache};
use pos_host::bindings::Customer;
use pos_host::embed::{Host, Prompts};
use pos_host::serve::{self, ApiToken, Options};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The served host; the server stops when it is dropped.
pub struct ServedHost {
    pub sim: Simulator,
    pub host: Host,
    /// The API and the console, to call in process.
    pub router: axum::Router,
    /// Such as `http://127.0.0.1:40123`.
    pub url: String,
    /// The policy file, to change for a reload.
    pub policy: PathBuf,
    /// The API token every `/api/` request carries.
    pub token: ApiToken,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for ServedHost {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The default plugins with the default policy's settings, the ERP reached through the
/// data synchronization service's connector.
pub fn policy_text() -> String {
    format!(
        "[host]\nworkstation = \"POS-01\"\nlocale = \"en\"\n\n\
         [slots.search-policy]\nplugin = {:?}\ngrants = []\n\
         config = {{ offer-erp-at-most = 6, erp-show-at-most = 6, waiting-window-after-ms = 700 }}\n\n\
         [slots.notification-texts]\nplugin = {:?}\ngrants = []\n\n\
         [slots.web-merge-rules]\nplugin = {:?}\ngrants = [\"local-db\"]\nconfig = {{ max-candidates = 50 }}\n\n\
         [slots.erp-connector]\nplugin = {:?}\n",
        artifacts::SEARCH_THRESHOLDS,
        artifacts::NOTIFICATION_TEXTS,
        artifacts::WEB_MERGE_RULES,
        artifacts::SYNC_SERVICE_CONNECTOR
    )
}

/// A POS with `local` customers and an ERP (the simulator, with its web shop) with `erp`
/// customers; questions wait `prompt_timeout` for an answer; `token` guards the API (a new
/// random one when `None`), and the console page carries it.
pub async fn serve(
    local: Vec<Customer>,
    erp: Vec<AdminCustomer>,
    prompt_timeout: Duration,
    token: Option<&str>,
) -> ServedHost {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve_on(listener, local, erp, prompt_timeout, token).await
}

/// [`serve`] on a plain (not encrypted) database, whose bytes a test reads.
pub async fn serve_plain(local: Vec<Customer>, erp: Vec<AdminCustomer>, prompt_timeout: Duration) -> ServedHost {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let policy = policy_text().replacen("[host]\n", "[host]\ndatabase-key = \"none\"\n", 1);
    serve_with(listener, local, erp, prompt_timeout, None, policy).await
}

/// [`serve`] with the policy `policy_text`.
pub async fn serve_policy(
    local: Vec<Customer>,
    erp: Vec<AdminCustomer>,
    prompt_timeout: Duration,
    policy_text: String,
) -> ServedHost {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve_with(listener, local, erp, prompt_timeout, None, policy_text).await
}

/// [`serve`] on `listener`.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    local: Vec<Customer>,
    erp: Vec<AdminCustomer>,
    prompt_timeout: Duration,
    token: Option<&str>,
) -> ServedHost {
    serve_with(listener, local, erp, prompt_timeout, token, policy_text()).await
}

async fn serve_with(
    listener: tokio::net::TcpListener,
    local: Vec<Customer>,
    erp: Vec<AdminCustomer>,
    prompt_timeout: Duration,
    token: Option<&str>,
    policy_text: String,
) -> ServedHost {
    let sim = sim::start(SimConfig::new(0, 1)).await.expect("the simulator starts");
    for customer in erp {
        sim.upsert_customer(customer).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, policy_text).unwrap();
    let prompts = Arc::new(Prompts::new(prompt_timeout));
    let host = Host::builder()
        .policy_file(&policy)
        .database(dir.path().join("pos.sqlite"))
        .operator(prompts.clone())
        .erp_url(sim.erp_url())
        .webshop_url(sim.webshop_url())
        .cache_dir(shared_cache())
        .watch(false)
        .compile_in_background(false)
        .build()
        .await
        .unwrap_or_else(|e| panic!("the host starts: {e}"));
    for customer in local {
        host.store().save(customer).await.unwrap();
    }
    let token = token.map_or_else(ApiToken::generate, |token| ApiToken::new(token).unwrap());
    let options = Options { token: token.clone(), ..Options::default() };
    let router = serve::router(host.clone(), prompts, options);
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = router.clone();
    let server = tokio::spawn(serve::listen(listener, app, serve::Limits::default(), std::future::pending()));
    ServedHost { sim, host, router, url, policy, token, server, _dir: dir }
}

impl ServedHost {
    /// A request to the API at `path`, carrying the token, as the console sends it.
    pub fn api(&self, client: &reqwest::Client, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        client.request(method, format!("{}{path}", self.url)).bearer_auth(self.token.expose())
    }
}
