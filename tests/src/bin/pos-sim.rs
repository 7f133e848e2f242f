//! `pos-sim`: the ERP data synchronization service and web shop simulator, for benchmarks
//! and the demo.
//!
//! Serves the ERP API (`docs/erp-api.md`), the web shop API (`docs/webshop-api.md`) and the
//! admin API until interrupted.

use clap::Parser;
use pos_tests::sim::{self, SimConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Simulates the ERP data synchronization service and the web shop on loopback.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the ERP API listens.
    #[arg(long, default_value = "127.0.0.1:8780")]
    listen: SocketAddr,
    /// Where the admin API (faults, data changes, inspection) listens.
    #[arg(long, default_value = "127.0.0.1:8781")]
    admin: SocketAddr,
    /// Where the web shop API listens.
    #[arg(long, default_value = "127.0.0.1:8782")]
    webshop: SocketAddr,
    /// How many customers to seed into a new data file.
    #[arg(long, default_value_t = 1000)]
    customers: u64,
    /// How many web shop registrations to seed into a new data file, derived from the
    /// customers.
    #[arg(long, default_value_t = 40)]
    web_customers: u64,
    /// The seed of the generated customers.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The simulator's SQLite file; reused as it is if it already holds data.
    /// Default: `pos-sim-<seed>-<customers>-<web customers>.sqlite` in the system temp
    /// directory.
    #[arg(long)]
    data: Option<PathBuf>,
    /// The share (0..1) of customers available only to some workstations (POS-02, POS-03).
    #[arg(long, default_value_t = 0.02, value_parser = share)]
    workstation_share: f64,
}

fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("`{text}` is not a number from 0 to 1")),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match try_main(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pos-sim: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn try_main(args: Args) -> anyhow::Result<()> {
    let data = args.data.unwrap_or_else(|| {
        let name = format!("pos-sim-{}-{}-{}.sqlite", args.seed, args.customers, args.web_customers);
        std::env::temp_dir().join(name)
    });
    let simulator = sim::start(SimConfig {
        customers: args.customers,
        seed: args.seed,
        data: Some(data),
        workstation_share: args.workstation_share,
        listen: args.listen,
        admin: args.admin,
        webshop: args.webshop,
        web_customers: args.web_customers,
        progress: true,
    })
    .await?;
    if simulator.reused_data() {
        eprintln!("pos-sim: serving the existing data in {}", simulator.data_path().display());
    }
    println!(
        "pos-sim: ERP API on {}, web shop on {}, admin on {}, {} customers, {} web customers",
        simulator.erp_url(),
        simulator.webshop_url(),
        simulator.admin_url(),
        simulator.seeded_customers(),
        simulator.seeded_web_customers()
    );
    tokio::signal::ctrl_c().await?;
    simulator.shutdown().await;
    Ok(())
}
