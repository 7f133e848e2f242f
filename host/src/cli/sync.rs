//! `pos-host sync`: synchronize with the ERP, with a progress bar, then send the outbox.

use super::PolicyArgs;
use super::labels::{label, label_with};
use indicatif::{ProgressBar, ProgressStyle};
use pos_host::caps::Headless;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

pub async fn run(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let host = args.command_host(Arc::new(Headless)).await?;
    let locale = host.policy().host.locale.clone();
    let (listing, applying) = (label(&locale, "sync.listing").to_owned(), label(&locale, "sync.applying").to_owned());
    let started = Instant::now();
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template(
        "{spinner} {msg} [{elapsed_precise}] {wide_bar} {pos}/{len} {per_sec} ETA {eta}",
    )?);
    let synchronized = host
        .sync(|progress| {
            if let Some(total) = progress.total {
                bar.set_length(total);
            }
            match progress.stage {
                "listing" => {
                    bar.set_message(listing.clone());
                    bar.set_position(progress.listed);
                }
                _ => {
                    bar.set_message(applying.clone());
                    bar.set_position(progress.changes);
                    bar.set_length(progress.changes);
                }
            }
        })
        .await;
    bar.finish_and_clear();
    let synchronized = synchronized?;
    if let Some(report) = &synchronized.customers {
        let seconds = started.elapsed().as_secs_f64();
        let restarted = if report.restarted_full { label(&locale, "sync.restarted") } else { "" };
        let numbers = [
            ("listed", report.listed.to_string()),
            ("changes", report.changes.to_string()),
            ("removed", report.removed.to_string()),
            ("restarted", restarted.to_owned()),
            ("seconds", format!("{seconds:.1}")),
            ("rate", format!("{:.0}", (report.listed + report.changes) as f64 / seconds.max(1e-3))),
            ("cursor", report.cursor.clone()),
        ];
        let args: Vec<(&str, &str)> = numbers.iter().map(|(name, value)| (*name, value.as_str())).collect();
        println!("{}", label_with(&locale, "sync.report", &args));
    } else {
        let policy = args.policy.display().to_string();
        println!("{}", label_with(&locale, "sync.localOnly", &[("policy", &policy)]));
    }
    let (sent, parked) = (synchronized.sent.to_string(), synchronized.parked.to_string());
    println!("{}", label_with(&locale, "sync.outbox", &[("sent", &sent), ("parked", &parked)]));
    if let Some(why) = synchronized.stopped {
        eprintln!("{}", label_with(&locale, "sync.outboxKept", &[("error", &why)]));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
