//! `pos-host web ...`: the web shop screens of the second seed on the command line. The
//! plans' questions (such as the last-name warning) are asked on the terminal, or answered
//! by `--yes` / `--no`. `--json` prints what the HTTP API answers.

use super::PolicyArgs;
use super::labels::{label, label_with};
use super::screen;
use async_trait::async_trait;
use pos_host::Host;
use pos_host::bindings::ui::Choice;
use pos_host::bindings::{Message, Notice};
use pos_host::caps::Operator;
use pos_host::flows::web::{Decision, Outcome, WebFlow, WebFlowError};
use pos_host::serve::ApiError;
use pos_host::serve::wire::{self, LocalEditJson, WebListJson};
use pos_host::slots::Plugins;
use pos_host::slots::web_merge_rules::reason_message;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

#[derive(clap::Subcommand)]
pub enum WebCommand {
    /// "Check web customers": read the web shop's registrations and list the web edit list.
    Check,
    /// The local customers that may be this web customer, best first, with why; --search
    /// also searches the local customers for another.
    Candidates {
        web_id: String,
        /// A phrase to search the local customers with, as in `pos-host search`.
        #[arg(long)]
        search: Option<String>,
    },
    /// "Take over local info": the web customer is local customer <NUMBER>; the web gets
    /// the local number (and, after the warning, the local last name).
    TakeOverLocal { web_id: String, number: String },
    /// "Take over internet info": the web customer becomes a new local customer.
    TakeOverWeb { web_id: String },
    /// "Discard web customer": delete it on the web shop (asks first).
    Discard { web_id: String },
    /// "Remove from web edit list": nothing changes on the web; it comes back only when the
    /// web customer changes again.
    Ignore { web_id: String },
    /// "Check local customer edits": linked local customers whose local information
    /// changed, each with the web customer beside it.
    LocalEdits,
    /// "Take over local info" for a local edit: send the local data to the web shop.
    Push { number: String },
    /// "Remove from local edit list": the web is not touched.
    Drop { number: String },
    /// The latest decisions of the audit trail.
    Audit {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

/// How the plans' questions are answered.
#[derive(Clone, Copy, clap::Args)]
pub struct Answers {
    /// Answer every question with its go-ahead (such as "Continue").
    #[arg(long, global = true, conflicts_with = "no")]
    yes: bool,
    /// Answer every question with "Cancel".
    #[arg(long, global = true)]
    no: bool,
}

/// Asks on the terminal, in the operator's words.
struct TerminalOperator {
    answers: Answers,
    /// Set once the plugins are loaded: the texts come from `notification-texts`.
    texts: OnceLock<(Arc<Plugins>, String)>,
}

impl TerminalOperator {
    async fn render(&self, message: &Message) -> String {
        match self.texts.get() {
            Some((plugins, locale)) => plugins.texts.render(message, locale).await.value,
            None => message.key.clone(),
        }
    }
}

#[async_trait]
impl Operator for TerminalOperator {
    async fn notify(&self, notice: &Notice) {
        eprintln!("{}", self.render(&notice.message).await);
    }

    async fn confirm(&self, notice: &Notice, choices: &[Choice]) -> Option<String> {
        eprintln!("{}", self.render(&notice.message).await);
        let mut labels = Vec::with_capacity(choices.len());
        for choice in choices {
            labels.push(self.render(&choice.label).await);
        }
        let pick = |id: Option<&Choice>, how: &str| {
            let choice = id?;
            let label = &labels[choices.iter().position(|c| c.id == choice.id)?];
            eprintln!("→ {label} ({how})");
            Some(choice.id.clone())
        };
        if self.answers.yes {
            return pick(choices.iter().find(|c| c.id != "cancel"), "--yes");
        }
        if self.answers.no {
            return pick(choices.iter().find(|c| c.id == "cancel"), "--no").or(Some("cancel".into()));
        }
        let locale = self.texts.get().map_or("en", |(_, locale)| locale.as_str());
        if !std::io::stdin().is_terminal() {
            eprintln!("{}", label(locale, "cli.notAnswered"));
            return None;
        }
        let menu: Vec<String> = labels.iter().enumerate().map(|(i, label)| format!("[{}] {label}", i + 1)).collect();
        let count = choices.len();
        let again = label_with(locale, "cli.typeNumber", &[("count", &count.to_string())]);
        let answer = tokio::task::spawn_blocking(move || {
            loop {
                eprint!("{} ? ", menu.join("  "));
                let _ = std::io::stderr().flush();
                let mut line = String::new();
                match std::io::stdin().lock().read_line(&mut line) {
                    Ok(0) | Err(_) => return None,
                    Ok(_) => match line.trim().parse::<usize>() {
                        Ok(n) if (1..=count).contains(&n) => return Some(n - 1),
                        _ => eprintln!("{again}"),
                    },
                }
            }
        })
        .await
        .ok()
        .flatten()?;
        Some(choices[answer].id.clone())
    }
}

pub async fn run(
    command: WebCommand,
    answers: Answers,
    locale: Option<String>,
    json: bool,
    args: &PolicyArgs,
) -> anyhow::Result<ExitCode> {
    let operator = Arc::new(TerminalOperator { answers, texts: OnceLock::new() });
    let host = args.command_host(operator.clone()).await?;
    let locale = locale.unwrap_or_else(|| host.policy().host.locale.clone());
    let _ = operator.texts.set((host.plugins(), locale.clone()));
    let flow = host.web()?;
    let screen = Screen { host: &host, flow: &flow, locale: &locale, json };
    let result = match command {
        WebCommand::Check => screen.check().await,
        WebCommand::Candidates { web_id, search } => screen.candidates(&web_id, search.as_deref()).await,
        WebCommand::LocalEdits => screen.local_edits().await,
        WebCommand::Audit { limit } => screen.audit(limit).await,
        WebCommand::TakeOverLocal { web_id, number } => {
            screen.decided(flow.take_over_local(&web_id, &number).await).await
        }
        WebCommand::TakeOverWeb { web_id } => screen.decided(flow.take_over_web(&web_id).await).await,
        WebCommand::Discard { web_id } => screen.decided(flow.discard(&web_id).await).await,
        WebCommand::Ignore { web_id } => screen.decided(flow.ignore(&web_id).await).await,
        WebCommand::Push { number } => screen.decided(flow.push(&number).await).await,
        WebCommand::Drop { number } => screen.decided(flow.drop_local_edit(&number).await).await,
    };
    match result {
        Ok(code) => Ok(code),
        Err(error) => {
            if json {
                print_json(&ApiError::from(error));
            } else {
                let said = match error.label() {
                    Some((key, args)) => {
                        let args: Vec<(&str, &str)> =
                            args.iter().map(|(name, value)| (*name, value.as_str())).collect();
                        label_with(&locale, key, &args)
                    }
                    None => error.to_string(),
                };
                eprintln!("pos-host: {said}");
                if let WebFlowError::Changed { current: Some(current), .. } = &error {
                    eprintln!("{}", label(&locale, "web.now"));
                    screen::details(current, &locale);
                }
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

struct Screen<'a> {
    host: &'a Host,
    flow: &'a WebFlow,
    locale: &'a str,
    json: bool,
}

impl Screen<'_> {
    async fn render(&self, message: &Message) -> String {
        self.flow.plugins.texts.render(message, self.locale).await.value
    }

    async fn check(&self) -> Result<ExitCode, WebFlowError> {
        let list = self.flow.check().await?;
        if self.json {
            print_json(&WebListJson::from(&list));
            return Ok(ExitCode::SUCCESS);
        }
        if let Err(why) = &list.refreshed {
            eprintln!("{}", label_with(self.locale, "web.refreshFailed", &[("error", why)]));
        }
        for refused in list.refreshed.iter().flat_map(|refreshed| &refreshed.refused) {
            let left_out = format!("{} ({})", refused.web_id, refused.reason);
            eprintln!("{}", label_with(self.locale, "web.refused", &[("list", &left_out)]));
        }
        println!("{}", label_with(self.locale, "web.editList", &[("count", &list.entries.len().to_string())]));
        for entry in &list.entries {
            let web = &entry.customer;
            let email = web.email.as_deref().unwrap_or("");
            println!("  {:<10} {}  ·  {email}", web.web_id.as_deref().unwrap_or(""), screen::line(web));
        }
        Ok(ExitCode::SUCCESS)
    }

    async fn candidates(&self, web_id: &str, search: Option<&str>) -> Result<ExitCode, WebFlowError> {
        let found = self.flow.candidates(web_id, search).await?;
        if self.json {
            print_json(&wire::candidates(self.host, &found, self.locale).await);
            return Ok(ExitCode::SUCCESS);
        }
        println!("{} {web_id}: {}", label(self.locale, "web.details"), screen::line(&found.web));
        let count = found.candidates.len().to_string();
        println!(
            "{}",
            label_with(self.locale, "web.candidatesBy", &[("count", &count), ("plugin", &found.decided_by)])
        );
        for candidate in &found.candidates {
            let mut reasons = Vec::new();
            for reason in &candidate.reasons {
                reasons.push(self.render(&reason_message(*reason)).await);
            }
            println!("  {:>3}  {}  ·  {}", candidate.score, screen::line(&candidate.customer), reasons.join(", "));
        }
        if let Some(phrase) = search {
            let count = found.search.len().to_string();
            println!("{}", label_with(self.locale, "web.searchFound", &[("phrase", phrase), ("count", &count)]));
            for customer in &found.search {
                println!("       {}", screen::line(customer));
            }
        }
        Ok(ExitCode::SUCCESS)
    }

    async fn local_edits(&self) -> Result<ExitCode, WebFlowError> {
        let views = self.flow.local_edits().await?;
        if self.json {
            print_json(&views.iter().map(LocalEditJson::from).collect::<Vec<_>>());
            return Ok(ExitCode::SUCCESS);
        }
        println!("{}", label_with(self.locale, "local.editList", &[("count", &views.len().to_string())]));
        let (local, web_side) = (label(self.locale, "origin.local"), label(self.locale, "origin.web"));
        let width = local.chars().count().max(web_side.chars().count());
        for view in &views {
            println!("  {local:<width$}  {}", screen::line(&view.edit.customer));
            let id = &view.edit.web_id;
            match &view.web {
                Ok(Some(web)) => println!("  {web_side:<width$}  {id:<10} {}", screen::line(web)),
                Ok(None) => println!("  {web_side:<width$}  {id:<10} {}", label(self.locale, "local.noWeb")),
                Err(why) => println!(
                    "  {web_side:<width$}  {id:<10} {}",
                    label_with(self.locale, "local.webUnreadable", &[("error", why)])
                ),
            }
            if let (Ok(Some(web)), Some(sends)) = (&view.web, &view.sends) {
                println!("    {}:", label(self.locale, "local.sends"));
                for (field, before, after) in screen::changes(web, sends) {
                    let name = label(self.locale, &format!("field.{field}")).to_owned();
                    println!("      {name}: {} → {}", before.unwrap_or("–"), after.unwrap_or("–"));
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }

    async fn audit(&self, limit: u32) -> Result<ExitCode, WebFlowError> {
        let trail = self.flow.audit_trail(limit).await?;
        if self.json {
            print_json(&trail.into_iter().map(wire::audit_entry).collect::<Vec<_>>());
            return Ok(ExitCode::SUCCESS);
        }
        let heading = |key: &str| label(self.locale, key).to_owned();
        println!(
            "{:>5}  {:<23}  {:<16} {:<10} {:<12} {:<10} {}",
            "#",
            heading("status.at"),
            heading("audit.action"),
            heading("field.web-id"),
            heading("field.number"),
            heading("status.outcome"),
            heading("audit.plugin")
        );
        for entry in &trail {
            println!(
                "{:>5}  {}  {:<16} {:<10} {:<12} {:<10} {}{}",
                entry.id,
                super::clock(entry.at.max(0) as u64),
                entry.action,
                entry.web_id.as_deref().unwrap_or("-"),
                entry.number.as_deref().unwrap_or("-"),
                entry.outcome,
                entry.plugin,
                entry.detail.as_deref().map(|d| format!("  ({d})")).unwrap_or_default()
            );
        }
        Ok(ExitCode::SUCCESS)
    }

    async fn decided(&self, decision: Result<Decision, WebFlowError>) -> Result<ExitCode, WebFlowError> {
        let decision = decision?;
        if self.json {
            print_json(&wire::decision(self.host, &decision, self.locale).await);
        } else {
            if decision.resumed {
                println!("{}", label(self.locale, "web.resumed"));
            }
            match decision.outcome {
                Outcome::Applied => {
                    if let Some(summary) = &decision.summary {
                        println!("{}", self.render(summary).await);
                    }
                }
                Outcome::Cancelled => println!("{}", label(self.locale, "outcome.cancelled")),
            }
        }
        Ok(if decision.outcome == Outcome::Applied { ExitCode::SUCCESS } else { ExitCode::from(2) })
    }
}

fn print_json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(value).expect("the result serializes"));
}
