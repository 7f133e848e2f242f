//! `pos-host sync`: synchronize with the ERP, with a progress bar, then send the outbox.

use super::PolicyArgs;
use indicatif::{ProgressBar, ProgressStyle};
use pos_host::caps::Headless;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

pub async fn run(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let host = args.command_host(Arc::new(Headless)).await?;
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
                    bar.set_message("listing customers");
                    bar.set_position(progress.listed);
                }
                _ => {
                    bar.set_message("applying changes");
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
        println!(
            "synchronized: {} customers listed, {} changes applied, {} removed{} in {seconds:.1} s ({:.0} customers/s); cursor {}",
            report.listed,
            report.changes,
            report.removed,
            if report.restarted_full { " (the ERP expired the cursor: full synchronization)" } else { "" },
            (report.listed + report.changes) as f64 / seconds.max(1e-3),
            report.cursor,
        );
    }
    if synchronized.customers.is_none() {
        println!(
            "customers: none downloaded: {} keeps them local-only (host.customers.mode); \
             \"sync-all\" keeps every ERP customer on the till",
            args.policy.display()
        );
    }
    println!("outbox: {} sent, {} refused and parked", synchronized.sent, synchronized.parked);
    if let Some(why) = synchronized.stopped {
        eprintln!("the outbox keeps its remaining changes: {why}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
