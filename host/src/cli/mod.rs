//! Command-line parsing and the commands.

mod check;
mod texts;
mod tour;

use anyhow::Context;
use clap::{Parser, Subcommand};
use pos_host::caps::Capabilities;
use pos_host::{Capability, Policy, Runtime, SlotId};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The default policy, relative to the working directory.
pub const DEFAULT_POLICY: &str = "policies/default.toml";

#[derive(Parser)]
#[command(
    name = "pos-host",
    version,
    about = "Plugin host for point-of-sale customer workflows"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Load the policy's plugins and show them deciding the seed workflows.
    Tour {
        #[command(flatten)]
        policy: PolicyArgs,
    },
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
}

#[derive(clap::Args)]
struct PolicyArgs {
    /// The policy file.
    #[arg(long, default_value = DEFAULT_POLICY)]
    policy: PathBuf,
    /// Where compiled plugins are cached (default: the policy's `host.cache-dir`, else the
    /// user's cache directory).
    #[arg(long, env = "POS_HOST_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
}

impl PolicyArgs {
    fn load(&self) -> anyhow::Result<Policy> {
        Ok(Policy::load(&self.policy)?)
    }

    /// The cache directory: the flag, the policy's setting, or the user's cache directory.
    fn cache_dir(&self, policy: Option<&Policy>) -> Option<PathBuf> {
        self.cache_dir
            .clone()
            .or_else(|| policy.and_then(|p| p.host.cache_dir.clone()))
            .or_else(user_cache_dir)
    }
}

fn user_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))?;
    Some(base.join("pos-host"))
}

fn parse_arg(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("expected `name=value`, got `{text}`"))
}

fn parse_capability(text: &str) -> Result<Capability, String> {
    Capability::from_interface(text).ok_or_else(|| {
        let names: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
        format!(
            "unknown capability `{text}`; expected one of {}",
            names.join(", ")
        )
    })
}

fn runtime(cache_dir: Option<PathBuf>) -> anyhow::Result<Runtime> {
    Runtime::new(Capabilities::default(), cache_dir).context("cannot start the plugin runtime")
}

fn tokio() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

pub fn try_main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let tokio = tokio()?;
    match cli.command {
        Command::Plugin {
            command:
                PluginCommand::Check {
                    file,
                    slot,
                    grants,
                    policy,
                },
        } => tokio.block_on(check::run(&file, slot, grants, &policy)),
        Command::Texts {
            key,
            locale,
            args,
            policy,
        } => tokio.block_on(texts::run(&key, &locale, args, &policy)),
        Command::Tour { policy } => tokio.block_on(tour::run(&policy)),
    }
}

/// Log lines go to stderr; `RUST_LOG` selects them (default: warnings, plugin output).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,plugin=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
