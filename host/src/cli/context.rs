//! Everything a workflow command needs, built from the policy and the flags: the store, the
//! ERP client, the runtime and the loaded plugins.

use super::PolicyArgs;
use anyhow::Context as _;
use pos_host::caps::{Capabilities, Erp, Headless, NoErp, Operator};
use pos_host::erp::{ErpClient, ErpConfig};
use pos_host::flows::search::SearchFlow;
use pos_host::flows::web::WebFlow;
use pos_host::store::Store;
use pos_host::webshop::{WebshopClient, WebshopConfig};
use pos_host::{Plugins, Policy, Runtime};
use std::sync::Arc;
use std::time::Duration;

pub struct Context {
    pub policy: Policy,
    pub store: Store,
    pub erp: Option<ErpClient>,
    /// The ERP as the capability and the flows see it: the client, or none configured.
    erp_capability: Arc<dyn Erp>,
    pub plugins: Arc<Plugins>,
    /// Who answers the plugins' and the plans' questions.
    operator: Arc<dyn Operator>,
    /// Kept alive for the plugins' sake.
    _runtime: Runtime,
}

impl Context {
    pub async fn new(args: &PolicyArgs) -> anyhow::Result<Context> {
        Context::with_operator(args, Arc::new(Headless)).await
    }

    /// A context whose plugins and plans ask `operator`.
    pub async fn with_operator(args: &PolicyArgs, operator: Arc<dyn Operator>) -> anyhow::Result<Context> {
        let policy = args.load()?;
        let store = Store::open(&args.database(&policy))?;
        let erp = match &policy.host.erp.url {
            Some(url) => Some(ErpClient::new(ErpConfig {
                url: url.clone(),
                workstation: policy.host.workstation.clone(),
                timeout: Duration::from_millis(policy.host.erp.timeout_ms),
            })?),
            None => None,
        };
        let erp_capability: Arc<dyn Erp> = match &erp {
            Some(client) => Arc::new(client.clone()),
            None => Arc::new(NoErp),
        };
        let caps =
            Capabilities { local_db: Arc::new(store.clone()), erp: erp_capability.clone(), operator: operator.clone() };
        let runtime = Runtime::new(caps, args.cache_dir(Some(&policy))).context("cannot start the plugin runtime")?;
        let plugins = match Plugins::load(&runtime, &policy).await {
            Ok(plugins) => plugins,
            Err(errors) => {
                let all: Vec<String> = errors.iter().flat_map(|error| policy.explain(error)).collect();
                anyhow::bail!("{}", all.join("\n"));
            }
        };
        Ok(Context { policy, store, erp, erp_capability, plugins: Arc::new(plugins), operator, _runtime: runtime })
    }

    /// The ERP client, or an error saying how to configure one.
    pub fn erp(&self) -> anyhow::Result<&ErpClient> {
        self.erp.as_ref().with_context(|| {
            format!("no ERP is configured: set host.erp.url in {} or pass --erp-url", self.policy.path.display())
        })
    }

    /// The web shop flow, or an error saying how to configure the web shop.
    pub fn web_flow(&self) -> anyhow::Result<WebFlow> {
        let url = self.policy.host.webshop.url.clone().with_context(|| {
            format!(
                "no web shop is configured: set host.webshop.url in {} or pass --webshop-url",
                self.policy.path.display()
            )
        })?;
        let webshop = WebshopClient::new(WebshopConfig {
            url,
            workstation: self.policy.host.workstation.clone(),
            timeout: Duration::from_millis(self.policy.host.webshop.timeout_ms),
        })?;
        Ok(WebFlow {
            store: self.store.clone(),
            webshop,
            plugins: self.plugins.clone(),
            operator: self.operator.clone(),
            workstation: self.policy.host.workstation.clone(),
        })
    }

    pub fn search_flow(&self, locale: Option<String>) -> SearchFlow {
        SearchFlow {
            store: self.store.clone(),
            erp: self.erp_capability.clone(),
            plugins: self.plugins.clone(),
            locale: locale.unwrap_or_else(|| self.policy.host.locale.clone()),
            online_search: self.policy.host.erp.online_search,
        }
    }
}
