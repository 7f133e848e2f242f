//! `serve` merges the search index that synchronizations left in segments, at its start
//! (and every hour), and says so in its log.

use pos_host::store::Store;
use pos_host::store::index_merge::segments;
use pos_tests::sim::{self, AdminCustomer, SimConfig};
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_merges_the_search_index_that_synchronizations_left_in_segments() {
    let sim = sim::start(SimConfig::new(3_000, 31)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "[host]\nworkstation = \"POS-01\"\ndatabase = \"pos.sqlite\"\ndatabase-key = \"none\"\n\
             customers.mode = \"sync-all\"\nerp.url = \"{}\"\n",
            sim.erp_url()
        ),
    )
    .unwrap();
    let command = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pos-host"));
        command
            .args(args)
            .arg("--policy")
            .arg(&policy)
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .env("POS_HOST_CACHE_DIR", pos_tests::shared_cache())
            .env_remove("RUST_LOG");
        command
    };
    let succeeds = |args: &[&str]| {
        let output = command(args).output().unwrap();
        pos_tests::show_output(args, &output);
        assert!(output.status.success(), "pos-host {args:?} failed");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let database = dir.path().join("pos.sqlite");
    let segments_now = || {
        let store = Store::open(&database).unwrap();
        store.read_blocking(segments).unwrap()
    };

    succeeds(&["sync"]);
    assert_eq!(segments_now(), 1, "a full synchronization ends with the index merged");
    // The same customers renamed twice in the ERP, each time synchronized: new segments
    // for their entries, deleted-entry marks for the old ones.
    for round in 0..2 {
        for i in 1..=40 {
            let number = format!("K-{i:07}");
            sim.upsert_customer(AdminCustomer::new(&number, "Ottilie", &format!("Quenby{round}x{i}"))).await.unwrap();
        }
        succeeds(&["sync"]);
    }
    let before = segments_now();
    assert!(before > 1, "{before} segment");

    let mut serve = command(&["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, said) = std::sync::mpsc::channel();
    let stderr = serve.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let merged = loop {
        let line = said.recv_timeout(Duration::from_secs(60)).expect("serve said that it merged the index");
        if line.contains("search index:") {
            break line;
        }
    };
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(merged.contains(&format!("search index: {before} segments merged into one in ")), "{merged}");
    assert_eq!(segments_now(), 1);
    let found = succeeds(&["search", "Quenby1x7", "--json"]);
    assert!(found.contains("\"K-0000007\""), "{found}");
    let gone = succeeds(&["search", "Quenby0x7", "--json"]);
    assert!(!gone.contains("K-0000007"), "the name before is still found: {gone}");
}
