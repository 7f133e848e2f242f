//! Command-line parsing and the commands.

mod check;
mod customer;
mod db;
mod erp;
mod labels;
mod plugin_new;
mod plugin_test;
mod policy;
mod screen;
mod search;
mod serve;
mod sync;
mod texts;
mod tour;
mod web;

use anyhow::Context;
use clap::{Parser, Subcommand};
use pos_host::caps::{Capabilities, Operator};
use pos_host::embed::{Host, HostBuilder};
use pos_host::personal::LogFormat;
use pos_host::{Capability, PluginSpec, Policy, Runtime, SlotId};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The default policy, relative to the working directory.
pub const DEFAULT_POLICY: &str = "policies/default.toml";

#[derive(Parser)]
#[command(name = "pos-host", version, about = "Plugin host for point-of-sale customer workflows")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Write customers' personal data (names, e-mail addresses, phone numbers, tax ids,
    /// addresses) into debug and trace log lines as it is, to debug a rule on a test till;
    /// info and above mask it always
    #[arg(long, global = true)]
    log_personal_data: bool,
    /// How log lines are written: `text`, or `json` (one object per line, and every span,
    /// a flow step, a hook call, a capability call, as it closes, with its time)
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Run the host: follow the policy and plugin files (hot reload), answer the HTTP API and
    /// serve the operator console until Ctrl-C.
    Serve {
        #[command(flatten)]
        serve: serve::ServeArgs,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Print the OpenAPI 3.1 document of the HTTP API `serve` answers (as `GET
    /// /api/openapi.json` does), to generate a client from.
    Openapi,
    /// Ask a running host what it serves: plugin versions, counters, reload history.
    Status {
        /// The host's address.
        #[arg(long, default_value = serve::DEFAULT_URL)]
        url: String,
        /// Print the status as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        token: serve::TokenArgs,
    },
    /// Work with policies.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Work with plugin components.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Render a notification text through the notification-texts plugin.
    Texts {
        /// The message key, such as `local-no-results`.
        key: String,
        /// The operator's locale.
        #[arg(long, default_value = "en")]
        locale: String,
        /// A message argument, as `name=value`; repeatable.
        #[arg(long = "arg", value_parser = parse_arg)]
        args: Vec<(String, String)>,
        /// Ask the host running at this address (`pos-host serve`) instead of loading the
        /// policy's plugin here.
        #[arg(long)]
        url: Option<String>,
        #[command(flatten)]
        token: serve::TokenArgs,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Load the policy's plugins and show them deciding the seed workflows.
    Tour {
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Synchronize with the ERP: in `sync-all` mode every customer, then the change feed;
    /// in both modes, send the changes made here.
    Sync {
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Work with the ERP.
    Erp {
        #[command(subcommand)]
        command: ErpCommand,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Search customers as the operator does: locally, then with --erp in the ERP.
    Search {
        /// The phrase, as typed.
        phrase: String,
        /// A filter, as `field=prefix` (city, postal-code, country, company, tax-id, email,
        /// phone, first-name, last-name, number, street); repeatable.
        #[arg(long = "filter", value_parser = search::parse_filter)]
        filters: Vec<pos_host::bindings::Filter>,
        /// Also press [Search]: search the ERP with the same phrase and filters.
        #[arg(long)]
        erp: bool,
        /// Include inactive customers.
        #[arg(long)]
        inactive: bool,
        /// The operator's locale (default: the policy's).
        #[arg(long)]
        locale: Option<String>,
        /// Print the screen as JSON, in the HTTP API's shape.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Reconcile web shop registrations with local customers (the web and local edit lists).
    Web {
        #[command(subcommand)]
        command: web::WebCommand,
        #[command(flatten)]
        answers: web::Answers,
        /// The operator's locale (default: the policy's).
        #[arg(long, global = true)]
        locale: Option<String>,
        /// Print the result as JSON, in the HTTP API's shape.
        #[arg(long, global = true)]
        json: bool,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Show, select or edit one customer, retrieving it from the ERP when it is not local.
    Customer {
        #[command(subcommand)]
        command: customer::CustomerCommand,
        /// The operator's locale (default: the policy's).
        #[arg(long, global = true)]
        locale: Option<String>,
        /// Print the result as JSON, in the HTTP API's shape.
        #[arg(long, global = true)]
        json: bool,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Encrypt the customer database, or change its key.
    Db {
        #[command(subcommand)]
        command: db::DbCommand,
        #[command(flatten)]
        policy: PolicyArgs,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Check a policy and the files it extends, and load its plugins: print every setting
    /// with the file, line and column that set it, or every problem; fails on problems.
    Check {
        /// The policy file (default: the --policy one).
        file: Option<PathBuf>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
}

#[derive(Subcommand)]
enum ErpCommand {
    /// Reach the ERP as the till does (through the policy's connector, or the data
    /// synchronization service at `host.erp.url`): print which ERP it is, whether it offers
    /// online search, how many customers it lists here and the first one as the till stores
    /// it; fails naming the step and the policy key at fault.
    Check,
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Check a component for a slot: world, version, imports, exports, size, compile time.
    Check {
        /// The component file.
        file: PathBuf,
        /// The slot it is meant for.
        #[arg(long, value_enum)]
        slot: SlotId,
        /// Grant a capability (in addition to the policy's grants for the slot); repeatable.
        #[arg(long = "grant", value_parser = parse_capability)]
        grants: Vec<Capability>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Create a plugin for a slot, ready to build, test and run: a Rust crate, or a Python
    /// project (docs/plugin-guide.md).
    New {
        /// The slot the plugin is for.
        #[arg(value_enum)]
        slot: SlotId,
        /// The plugin's name: its directory's, its crate's or component's, such as `my-texts`.
        #[arg(value_parser = plugin_new::parse_name)]
        name: String,
        /// The directory to create the plugin's directory in.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The language the plugin is written in.
        #[arg(long, value_enum, default_value_t = plugin_new::Lang::Rust)]
        lang: plugin_new::Lang,
        /// The SDK crate: `plugins/sdk` of the pos-host repository, whose SDK a Rust plugin
        /// depends on and whose `wit/v0.2.0` a Python plugin builds against (default: found
        /// above the current directory, --dir or this executable).
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
    /// Run a component's hooks on the cases of a file and compare every answer with the
    /// expected one; fails when a case does (docs/plugin-guide.md).
    Test {
        /// The component file.
        file: PathBuf,
        /// The slot it is meant for.
        #[arg(long, value_enum)]
        slot: SlotId,
        /// The cases file (TOML, or JSON when it ends in `.json`).
        #[arg(long)]
        cases: PathBuf,
        /// Grant a capability (in addition to the policy's grants for the slot); repeatable.
        #[arg(long = "grant", value_parser = parse_capability)]
        grants: Vec<Capability>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
}

/// Where things are: accepted by every command.
#[derive(Clone, clap::Args)]
pub struct PolicyArgs {
    /// The policy file.
    #[arg(long, global = true, default_value = DEFAULT_POLICY, env = "POS_HOST_POLICY")]
    policy: PathBuf,
    /// Where compiled plugins are cached (default: the policy's `host.cache-dir`, else the
    /// user's cache directory).
    #[arg(long, global = true, env = "POS_HOST_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// The local customer database (default: the policy's `host.database`, else
    /// `<workstation>.sqlite` in the user's data directory).
    #[arg(long, global = true, env = "POS_HOST_DB")]
    db: Option<PathBuf>,
    /// The ERP data synchronization service, overriding the policy's `host.erp.url`.
    #[arg(long, global = true, env = "POS_HOST_ERP_URL")]
    erp_url: Option<String>,
    /// The web shop's customer API, overriding the policy's `host.webshop.url`.
    #[arg(long, global = true, env = "POS_HOST_WEBSHOP_URL")]
    webshop_url: Option<String>,
}

impl PolicyArgs {
    /// The policy with these flags; when it has problems, every one of them, the plugins'
    /// complaints about their config included (as `policy check` reports them).
    async fn load(&self) -> anyhow::Result<Policy> {
        let mut policy = match Policy::load(&self.policy) {
            Ok(policy) => policy,
            Err(error) => return Err(policy::every_problem(&self.policy, self, error.into()).await),
        };
        self.apply(&mut policy);
        Ok(policy)
    }

    /// What the flags override in a policy.
    fn apply(&self, policy: &mut Policy) {
        if let Some(url) = &self.erp_url {
            policy.host.erp.url = Some(url.clone());
        }
        if let Some(url) = &self.webshop_url {
            policy.host.webshop.url = Some(url.clone());
        }
    }

    /// A host builder for the policy with these flags, asking `operator`.
    async fn host(&self, operator: Arc<dyn Operator>) -> anyhow::Result<HostBuilder> {
        let policy = self.load().await?;
        let mut builder = Host::builder().database(self.database(&policy)).operator(operator);
        if let Some(dir) = self.cache_dir(Some(&policy)) {
            builder = builder.cache_dir(dir);
        }
        if let Some(url) = &self.erp_url {
            builder = builder.erp_url(url);
        }
        if let Some(url) = &self.webshop_url {
            builder = builder.webshop_url(url);
        }
        Ok(builder.policy(policy))
    }

    /// The policy, if its file exists, and a spec for the component `file` in `slot`: the
    /// policy's grants, config and limits for the slot, plus `grants`.
    async fn plugin_spec(
        &self,
        file: &Path,
        slot: SlotId,
        grants: Vec<Capability>,
    ) -> anyhow::Result<(Option<Policy>, PluginSpec)> {
        let policy = if self.policy.exists() { Some(self.load().await?) } else { None };
        let mut spec = match policy.as_ref().and_then(|p| p.slot(slot).map(|s| (s, p))) {
            Some((slot_policy, p)) => PluginSpec { path: file.to_owned(), ..slot_policy.spec(&p.path, &p.host) },
            None => PluginSpec::new(file),
        };
        spec.grants.extend(grants);
        spec.grants.sort();
        spec.grants.dedup();
        Ok((policy, spec))
    }

    /// The host a workflow command runs on, asking `operator`. It does not follow the files:
    /// a command is over before they change.
    async fn command_host(&self, operator: Arc<dyn Operator>) -> anyhow::Result<Host> {
        Ok(self.host(operator).await?.watch(false).compile_in_background(false).build().await?)
    }

    /// The cache directory: the flag, the policy's setting, or the user's cache directory.
    pub(super) fn cache_dir(&self, policy: Option<&Policy>) -> Option<PathBuf> {
        self.cache_dir
            .clone()
            .or_else(|| policy.and_then(|p| p.host.cache_dir.clone()))
            .or_else(|| user_dir("XDG_CACHE_HOME", ".cache"))
    }

    /// The database file: the flag, the policy's setting, or the user's data directory.
    fn database(&self, policy: &Policy) -> PathBuf {
        self.db.clone().or_else(|| policy.host.database.clone()).unwrap_or_else(|| {
            let file = format!("{}.sqlite", policy.host.workstation);
            user_dir("XDG_DATA_HOME", ".local/share").unwrap_or_default().join(file)
        })
    }
}

fn user_dir(variable: &str, under_home: &str) -> Option<PathBuf> {
    let base = std::env::var_os(variable)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(under_home)))?;
    Some(base.join("pos-host"))
}

/// `2026-11-22 21:35:02 UTC` for milliseconds since the Unix epoch.
pub(crate) fn clock(ms: u64) -> String {
    pos_host::runtime::utc(ms).replace('T', " ").replace('Z', " UTC")
}

fn parse_arg(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("expected `name=value`, got `{text}`"))
}

fn parse_capability(text: &str) -> Result<Capability, String> {
    Capability::from_interface(text).ok_or_else(|| {
        let names: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
        format!("unknown capability `{text}`; expected one of {}", names.join(", "))
    })
}

fn runtime(cache_dir: Option<PathBuf>) -> anyhow::Result<Runtime> {
    Runtime::new(Capabilities::default(), cache_dir).context("cannot start the plugin runtime")
}

fn tokio() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

pub fn try_main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    init_logging(cli.log_personal_data, cli.log_format);
    if !matches!(cli.command, Command::Serve { .. }) {
        end_quietly_on_a_closed_pipe();
    }
    let tokio = tokio()?;
    match cli.command {
        Command::Plugin { command: PluginCommand::Check { file, slot, grants, policy } } => {
            tokio.block_on(check::run(&file, slot, grants, &policy))
        }
        Command::Plugin { command: PluginCommand::New { slot, name, dir, lang, sdk } } => {
            plugin_new::run(slot, &name, &dir, lang, sdk.as_deref())
        }
        Command::Plugin { command: PluginCommand::Test { file, slot, cases, grants, policy } } => {
            tokio.block_on(plugin_test::run(&file, slot, &cases, grants, &policy))
        }
        Command::Serve { serve, policy } => tokio.block_on(serve::serve(serve, &policy)),
        Command::Openapi => {
            println!("{}", pos_host::serve::openapi().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { url, json, token } => tokio.block_on(serve::status(&url, json, &token)),
        Command::Policy { command: PolicyCommand::Check { file, policy: args } } => {
            tokio.block_on(policy::check(file.as_deref().unwrap_or(&args.policy), &args))
        }
        Command::Texts { key, locale, args, url: Some(url), token, .. } => {
            tokio.block_on(texts::ask(&url, &token, &key, &locale, args))
        }
        Command::Texts { key, locale, args, url: None, policy, .. } => {
            tokio.block_on(texts::run(&key, &locale, args, &policy))
        }
        Command::Tour { policy } => tokio.block_on(tour::run(&policy)),
        Command::Sync { policy } => tokio.block_on(sync::run(&policy)),
        Command::Erp { command: ErpCommand::Check, policy } => tokio.block_on(erp::check(&policy)),
        Command::Search { phrase, filters, erp, inactive, locale, json, policy } => {
            let query = pos_host::bindings::SearchQuery { phrase, filters, include_inactive: inactive };
            tokio.block_on(search::run(query, erp, locale, json, &policy))
        }
        Command::Web { command, answers, locale, json, policy } => {
            tokio.block_on(web::run(command, answers, locale, json, &policy))
        }
        Command::Customer { command, locale, json, policy } => {
            tokio.block_on(customer::run(command, locale, json, &policy))
        }
        Command::Db { command, policy } => tokio.block_on(db::run(command, &policy)),
    }
}

/// A command whose output is piped into a reader that stops early (`| head`) ends there,
/// silently, as Unix tools do. Rust ignores SIGPIPE, so printing to the closed pipe
/// panicked instead. Sockets are not affected: Rust sends on them with `MSG_NOSIGNAL`.
/// `serve` keeps ignoring it: its output is a log, not a listing.
fn end_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring a signal's default disposition, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Log lines go to stderr; `RUST_LOG` selects them (default: warnings, plugin output). The
/// plugins' HTTP library logs every failed connection, which the host reports itself, with
/// the setting to check: only its errors are shown. Personal data is masked
/// ([`pos_host::personal`]), in debug lines too unless `reveal_debug`.
fn init_logging(reveal_debug: bool, format: LogFormat) {
    let directives = std::env::var("RUST_LOG")
        .ok()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| "warn,wasmtime_wasi_http=error,plugin=info,pos_host::live=info".to_owned());
    // Colours only on a terminal: a log redirected to a file or a collector stays plain text.
    use std::io::IsTerminal;
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let subscriber = pos_host::personal::subscriber(&directives, std::io::stderr, colour, reveal_debug, format);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_reads_as_a_calendar() {
        assert_eq!(super::clock(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(super::clock(1_795_382_378_730), "2026-11-22 21:19:38 UTC");
        assert_eq!(super::clock(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }
}
