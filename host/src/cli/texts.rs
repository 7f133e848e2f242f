//! `pos-host texts`: render one text through the notification-texts plugin.

use super::PolicyArgs;
use pos_host::Source;
use pos_host::bindings::{Argument, Message};
use pos_host::runtime::{PluginSpec, Slot};
use pos_host::slots::{NotificationTextsKind, SlotId};
use std::process::ExitCode;

pub async fn run(
    key: &str,
    locale: &str,
    args: Vec<(String, String)>,
    policy_args: &PolicyArgs,
) -> anyhow::Result<ExitCode> {
    let policy = policy_args.load()?;
    let runtime = super::runtime(policy_args.cache_dir(Some(&policy)))?;
    let plugin = match policy.slot(SlotId::NotificationTexts) {
        Some(slot) => match runtime.load::<NotificationTextsKind>(&PluginSpec::from_policy(slot, &policy.path)).await {
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
    }
    Ok(ExitCode::SUCCESS)
}
