//! `pos-host texts`: render one text through the notification-texts plugin.

use super::PolicyArgs;
use anyhow::Context as _;
use pos_host::Source;
use pos_host::bindings::{Argument, Message};
use pos_host::runtime::Slot;
use pos_host::slots::{NotificationTextsKind, SlotId};
use std::process::ExitCode;

pub async fn run(
    key: &str,
    locale: &str,
    args: Vec<(String, String)>,
    policy_args: &PolicyArgs,
) -> anyhow::Result<ExitCode> {
    let policy = policy_args.load().await?;
    let runtime = super::runtime(policy_args.cache_dir(Some(&policy)))?;
    let plugin = match policy.slot(SlotId::NotificationTexts) {
        Some(slot) => match runtime.load::<NotificationTextsKind>(&slot.spec(&policy.path, &policy.host)).await {
            Ok(plugin) => Some(plugin),
            Err(error) => anyhow::bail!("{}", slot.explain(&error).join("\n")),
        },
        None => None,
    };
    let slot = Slot::new(plugin);
    let message =
        Message { key: key.to_owned(), args: args.into_iter().map(|(name, value)| Argument { name, value }).collect() };
    let text = slot.render(&message, locale).await;
    println!("{}", text.value);
    match text.source {
        Source::Plugin(_) => {}
        Source::NoPlugin => {
            eprintln!("note: the policy has no notification-texts slot; this is the built-in text")
        }
        Source::Fallback { plugin, failure } => {
            eprintln!("note: plugin {plugin} {failure}; this is the built-in text")
        }
        Source::Compiling(plugin) => eprintln!("note: plugin {plugin} is being compiled; this is the built-in text"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders through the host running at `url`: what its operators read now.
pub async fn ask(
    url: &str,
    token: &super::serve::TokenArgs,
    key: &str,
    locale: &str,
    args: Vec<(String, String)>,
) -> anyhow::Result<ExitCode> {
    let endpoint = format!("{}/api/texts", url.trim_end_matches('/'));
    let request = reqwest::Client::new().post(&endpoint).query(&[("locale", locale)]).json(
        &serde_json::json!({ "key": key, "args": args.into_iter().collect::<std::collections::BTreeMap<_, _>>() }),
    );
    let response = super::serve::ask_host(request, &endpoint, token).await?;
    let status = response.status();
    let answer: serde_json::Value =
        response.json().await.with_context(|| format!("{endpoint} did not answer with JSON"))?;
    if !status.is_success() {
        anyhow::bail!("{endpoint}: {}", answer["error"].as_str().unwrap_or("the host refused the request"));
    }
    println!("{}", answer["text"].as_str().unwrap_or_default());
    if answer["decided_by"].as_str().is_some_and(|by| by.starts_with("built-in")) {
        eprintln!("note: {}; this is the built-in text", answer["decided_by"].as_str().unwrap_or_default());
    }
    Ok(ExitCode::SUCCESS)
}
