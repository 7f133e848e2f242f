//! `pos-host serve`: the long-running host. It follows its policy and plugin files (hot
//! reload) and answers on a local HTTP port; `pos-host status` asks it what it serves.

use super::{PolicyArgs, clock};
use anyhow::Context as _;
use pos_host::embed::Prompts;
use pos_host::live::{Outcome, Status};
use pos_host::serve::{ApiToken, Limits, Options};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Where `serve` listens and `status` asks, unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8740";
pub const DEFAULT_URL: &str = "http://127.0.0.1:8740";

/// How `serve` answers.
#[derive(Clone, clap::Args)]
pub struct ServeArgs {
    /// The address and port to answer on. On an address other than loopback, the console
    /// page does not carry the API token: the operator enters it.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// A name this till is reached by (besides localhost and IP addresses), such as
    /// `till-07.shop.lan`; repeatable. Requests addressed to any other name are refused.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
    #[command(flatten)]
    token: TokenArgs,
    /// Seconds a question to the operator waits for an answer before it counts as dismissed.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    prompt_timeout: u64,
    /// Record the calls of this slot as `plugin test` cases, as the policy's `record = true`
    /// does (into `host.recordings`, else `recordings` beside the database); repeatable.
    #[arg(long, value_enum, value_name = "SLOT")]
    record: Vec<pos_host::SlotId>,
}

/// The API token: given, or kept in this installation's token file.
#[derive(Clone, clap::Args)]
pub struct TokenArgs {
    /// The API token; by default the one in --token-file.
    #[arg(long, env = "POS_HOST_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The file holding this installation's API token, readable by its user only; the first
    /// `pos-host serve` makes it [default: $XDG_STATE_HOME/pos-host/api-token, else
    /// ~/.local/state/pos-host/api-token].
    #[arg(long, env = "POS_HOST_TOKEN_FILE", value_name = "FILE")]
    token_file: Option<PathBuf>,
}

impl TokenArgs {
    fn file(&self) -> anyhow::Result<PathBuf> {
        self.token_file.clone().or_else(ApiToken::default_path).ok_or_else(|| {
            anyhow::anyhow!("no place for the API token file: set HOME or XDG_STATE_HOME, or pass --token-file")
        })
    }

    /// The token a host serves with: the one given, or the installation's (made on first use).
    fn for_host(&self) -> anyhow::Result<ApiToken> {
        match &self.token {
            Some(token) => ApiToken::new(token).context("--token"),
            None => Ok(ApiToken::load_or_create(&self.file()?)?),
        }
    }

    /// The token a client sends: the one given, or the installation's when there is one.
    fn for_client(&self) -> anyhow::Result<Option<ApiToken>> {
        if let Some(token) = &self.token {
            return Ok(Some(ApiToken::new(token).context("--token")?));
        }
        let file = self.file()?;
        if !file.exists() {
            return Ok(None);
        }
        Ok(Some(ApiToken::read(&file)?))
    }
}

/// How often `serve` applies the policy's `host.retention` and merges the search index.
const RETENTION_EVERY: Duration = Duration::from_secs(60 * 60);

pub async fn serve(serve: ServeArgs, args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let ServeArgs { listen, allow_hosts, token, prompt_timeout, record } = serve;
    let token = token.for_host()?;
    let prompts = Arc::new(Prompts::new(Duration::from_secs(prompt_timeout)));
    let builder = record.into_iter().fold(args.host(prompts.clone()).await?, |builder, slot| builder.record(slot));
    let host = builder.build().await?;
    let retained = host.clone();
    tokio::spawn(async move {
        // The first tick is at once: a till that was off for a while catches up at its start.
        let mut every = tokio::time::interval(RETENTION_EVERY);
        loop {
            every.tick().await;
            if let Err(error) = retained.apply_retention().await {
                tracing::warn!("retention: {error}; tried again in an hour");
            }
            if let Err(error) = retained.merge_search_index().await {
                tracing::warn!("merging the search index: {error}; tried again in an hour");
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let options = Options { token, console_token: listen.ip().is_loopback(), allowed_hosts: allow_hosts };
    let router = pos_host::serve::router(host, prompts, options);
    println!(
        "pos-host: serving {} on http://{listen} (the console: http://{listen}/, status: pos-host status --url http://{listen})",
        args.policy.display()
    );
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    pos_host::serve::listen(listener, router, Limits::default(), stop).await;
    Ok(ExitCode::SUCCESS)
}

/// Sends `request` to `endpoint` of a running host, with the API token; a host that does not
/// answer, or refuses the token, is said so.
pub async fn ask_host(
    request: reqwest::RequestBuilder,
    endpoint: &str,
    token: &TokenArgs,
) -> anyhow::Result<reqwest::Response> {
    let request = match token.for_client()? {
        Some(token) => request.bearer_auth(token.expose()),
        None => request,
    };
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) if error.is_connect() => {
            anyhow::bail!("no host answers at {endpoint}; start one with `pos-host serve`")
        }
        Err(error) => return Err(error).with_context(|| format!("cannot ask {endpoint}")),
    };
    if response.status() == reqwest::StatusCode::UNAUTHORIZED {
        anyhow::bail!(
            "the host at {endpoint} refused the API token: pass the one it serves with (--token, POS_HOST_TOKEN) \
             or its token file (--token-file, POS_HOST_TOKEN_FILE; now {})",
            token.file().map_or_else(|e| e.to_string(), |f| f.display().to_string())
        );
    }
    Ok(response)
}

pub async fn status(url: &str, json: bool, token: &TokenArgs) -> anyhow::Result<ExitCode> {
    let url = format!("{}/api/status", url.trim_end_matches('/'));
    let response = ask_host(reqwest::Client::new().get(&url), &url, token).await?;
    let text = response.error_for_status()?.text().await?;
    if json {
        println!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let status: Status = serde_json::from_str(&text).with_context(|| format!("{url} did not answer a status"))?;
    print!("{}", render(&status));
    Ok(ExitCode::SUCCESS)
}

/// The status as the operator reads it.
pub fn render(status: &Status) -> String {
    let mut out = format!("policy {}\n", status.policy.display());
    for file in &status.files {
        out += &format!("  file  {}  sha256 {}…\n", file.path.display(), &file.sha256[..12]);
    }
    out += "\nslots\n";
    for slot in &status.slots {
        let serving = match &slot.plugin {
            Some(plugin) => format!(
                "{}  sha256 {}…  loaded {}{}",
                plugin.name,
                &plugin.sha256[..12],
                clock(plugin.loaded_at_ms),
                if slot.on_probation { "  (on probation)" } else { "" }
            ),
            None => match &slot.compiling {
                Some(plugin) => format!(
                    "(the built-in fallback decides until {} (sha256 {}…) is compiled, since {})",
                    plugin.name,
                    &plugin.sha256[..12],
                    clock(plugin.since_ms)
                ),
                None => "(no plugin: the built-in fallback decides)".into(),
            },
        };
        out += &format!("  {:<20}{serving}\n", slot.slot);
        out += &format!("  {:<20}{} calls, {} failed\n", "", slot.calls, slot.failures);
        if let Some(failure) = &slot.last_failure {
            out += &format!("  {:<20}last failure: {failure}\n", "");
        }
        for rollback in &slot.rollbacks {
            out += &format!(
                "  {:<20}{} rolled back {} (sha256 {}…) to {}: {}\n",
                "",
                clock(rollback.at_ms),
                rollback.plugin,
                &rollback.sha256[..12.min(rollback.sha256.len())],
                rollback.restored.as_deref().unwrap_or("the built-in fallback"),
                rollback.reason
            );
        }
    }
    out += "\nreloads (latest last)\n";
    if status.reloads.is_empty() {
        out += "  none since the start\n";
    }
    for reload in &status.reloads {
        let trigger: Vec<String> = reload
            .trigger
            .iter()
            .map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()))
            .collect();
        let cause =
            if trigger.is_empty() { "reload asked for".to_owned() } else { format!("{} changed", trigger.join(", ")) };
        let took = reload.took_ms;
        let outcome = match reload.outcome {
            Outcome::Applied => format!("applied in {took:.1} ms"),
            Outcome::Unchanged => format!("nothing to change ({took:.1} ms)"),
            Outcome::Failed => format!("FAILED in {took:.1} ms; the last good version serves"),
        };
        out += &format!("  {}  {cause} -> {outcome}\n", clock(reload.at_ms));
        for line in reload.changes.iter().chain(&reload.problems) {
            out += &format!("      {line}\n");
        }
    }
    out
}
