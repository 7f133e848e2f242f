//! Everything a workflow command needs: a [`Host`] built from the policy and the flags,
//! without following the files (a command is over before they change).

use super::PolicyArgs;
use pos_host::caps::{Headless, Operator};
use pos_host::embed::{CustomerSearch, Host};
use pos_host::flows::web::WebFlow;
use pos_host::{Plugins, Policy};
use std::sync::Arc;

pub struct Context {
    pub host: Host,
    pub policy: Arc<Policy>,
    pub plugins: Arc<Plugins>,
}

impl Context {
    pub async fn new(args: &PolicyArgs) -> anyhow::Result<Context> {
        Context::with_operator(args, Arc::new(Headless)).await
    }

    /// A context whose plugins and plans ask `operator`.
    pub async fn with_operator(args: &PolicyArgs, operator: Arc<dyn Operator>) -> anyhow::Result<Context> {
        let host = args.host(operator).await?.watch(false).build().await?;
        Ok(Context { policy: host.policy(), plugins: host.plugins(), host })
    }

    pub fn web_flow(&self) -> anyhow::Result<WebFlow> {
        Ok(self.host.web()?)
    }

    pub fn search(&self, locale: Option<String>) -> CustomerSearch {
        self.host.search(locale)
    }
}
