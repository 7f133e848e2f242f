//! `pos-host sync` killed at random points: every restart finds a consistent database, and
//! the final result equals the ERP's customers exactly, without duplicates. The database is
//! encrypted, as the host makes a new one (with the key file in the user's state directory).

use pos_host::store::{KeySetting, Store, encryption};
use pos_tests::sim::{self, Fault, FaultMode, SimConfig};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

fn policy(dir: &std::path::Path, erp_url: &str) -> std::path::PathBuf {
    let path = dir.join("policy.toml");
    let text = format!(
        "[host]\nworkstation = \"POS-01\"\ndatabase = \"pos.sqlite\"\ncustomers.mode = \"sync-all\"\nerp.url = \"{erp_url}\"\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn sync_command(policy: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pos-host"));
    command.arg("sync").arg("--policy").arg(policy).stdout(Stdio::piped()).stderr(Stdio::piped());
    command.env("POS_HOST_CACHE_DIR", pos_tests::shared_cache());
    command
}

/// The database as the host opens it.
fn open(path: &std::path::Path) -> Store {
    let protection = encryption::protection(path, &KeySetting::Default).unwrap();
    assert!(matches!(protection, encryption::Protection::Encrypted { .. }), "the host made an encrypted database");
    Store::open_with(path, &protection).unwrap()
}

/// The database is whole: SQLite's own check, and the index holds one entry per customer.
async fn assert_consistent(path: &std::path::Path) {
    let store = open(path);
    let (integrity, customers, indexed): (String, i64, i64) = store
        .read(|c| {
            Ok((
                c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?,
                c.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?,
                c.query_row("SELECT count(*) FROM customers_fts", [], |r| r.get(0))?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    assert_eq!(customers, indexed, "every customer is indexed once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_at_random_points_resumes_to_an_exact_copy() {
    // Eight pages of the listing, each at least 300 ms: a run killed within 760 ms commits at
    // most two, so that at least four of the eight runs are killed in the middle whatever the
    // machine's speed (with 12,000 customers at 150 ms a page, a fast machine finished the
    // listing in the third run).
    let sim = sim::start(SimConfig::new(8 * u64::from(pos_host::flows::sync::PAGE_SIZE), 11)).await.unwrap();
    sim.set_fault(Fault::new(FaultMode::Slow { delay_ms: 300 })).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(dir.path(), &sim.erp_url());
    let database = dir.path().join("pos.sqlite");

    // A fixed pseudo-random sequence, so that a failure can be replayed.
    let mut state: u64 = 0x5eed;
    let mut kills = 0;
    for round in 0..8 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let after = Duration::from_millis(60 + (state >> 33) % 700);
        let mut child = sync_command(&policy).spawn().unwrap();
        tokio::time::sleep(after).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().await.unwrap();
            kills += 1;
        }
        child.wait().await.unwrap();
        if database.exists() {
            assert_consistent(&database).await;
        }
        if round == 4 {
            // Changes arrive while the sync is down.
            for number in ["K-0000100", "K-0000200"] {
                sim.deactivate_customer(number).await.unwrap();
            }
            sim.delete_customer("K-0000300").await.unwrap();
        }
    }
    println!("killed mid-way {kills} times of 8");
    assert!(kills >= 4, "the sync was killed mid-way {kills} times");

    sim.set_fault(Fault::new(FaultMode::None)).await.unwrap();
    let output = sync_command(&policy).output().await.unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_consistent(&database).await;

    let store = open(&database);
    let local: Vec<(String, String, bool)> =
        store.all().await.unwrap().into_iter().map(|c| (c.number.unwrap(), c.last_name, c.active)).collect();
    let mut erp: Vec<(String, String, bool)> = sim
        .visible_customers("POS-01", true)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.number, c.last_name, c.active))
        .collect();
    erp.sort();
    let active: Vec<_> = local.iter().filter(|(_, _, active)| *active).cloned().collect();
    assert_eq!(active.len(), erp.len(), "no duplicates, nothing missing");
    assert!(active == erp, "the active local customers are exactly the ERP's");
    assert!(local.iter().all(|(number, _, _)| number != "K-0000300"), "the deleted customer is gone");
}
