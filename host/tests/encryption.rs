//! The customer database encrypted at rest, as a till's user meets it: `pos-host sync`
//! makes an encrypted database that Debian's `sqlite3` cannot read and whose bytes hold no
//! customer's name; the host reads it with its key, refuses a wrong or missing one without
//! touching the file; a plain database keeps working until `pos-host db encrypt`; and
//! `encrypt` and `rekey` killed at random points leave a database that opens with the old
//! key or the new one.

use pos_host::store::encryption::{DatabaseKey, FileKind, Protection, file_kind, next_key_file};
use pos_host::store::{Store, StoreError};
use pos_tests::sim::{self, SimConfig, Simulator};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// A till: a policy synchronizing all customers from the simulator, its database, and its
/// own state directory (where the default key file is made).
struct Till {
    dir: tempfile::TempDir,
    erp_url: String,
}

impl Till {
    fn new(sim: &Simulator, database_key: Option<&str>) -> Till {
        let till = Till { dir: tempfile::tempdir().unwrap(), erp_url: sim.erp_url() };
        till.write_policy(database_key);
        till
    }

    fn write_policy(&self, database_key: Option<&str>) {
        let key = database_key.map(|k| format!("database-key = {k}\n")).unwrap_or_default();
        let text = format!(
            "[host]\nworkstation = \"POS-01\"\ndatabase = \"pos.sqlite\"\n{key}customers.mode = \"sync-all\"\nerp.url = \"{}\"\n",
            self.erp_url
        );
        std::fs::write(self.dir.path().join("policy.toml"), text).unwrap();
    }

    fn database(&self) -> PathBuf {
        self.dir.path().join("pos.sqlite")
    }

    fn default_key_file(&self) -> PathBuf {
        self.dir.path().join("state/pos-host/database.key")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pos-host"));
        command
            .args(args)
            .arg("--policy")
            .arg(self.dir.path().join("policy.toml"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("POS_HOST_CACHE_DIR", pos_tests::shared_cache())
            .env_remove("RUST_LOG");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        let output = self.command(args).output().expect("pos-host runs");
        pos_tests::show_output(args, &output);
        output
    }

    fn succeeds(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "pos-host {args:?} failed");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(!output.status.success(), "pos-host {args:?} succeeded");
        String::from_utf8_lossy(&output.stderr).into_owned()
    }
}

/// Debian's `sqlite3` on `database`.
fn sqlite3(database: &Path, sql: &str) -> Output {
    Command::new("/usr/bin/sqlite3").arg(database).arg(sql).output().expect("Debian's sqlite3 is installed")
}

/// The bytes of the database file and of its log, if any.
fn bytes_of(database: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(database).unwrap();
    bytes.extend(std::fs::read(database.with_extension("sqlite-wal")).unwrap_or_default());
    bytes
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

fn key_in(file: &Path) -> DatabaseKey {
    DatabaseKey::parse(&std::fs::read_to_string(file).unwrap()).unwrap()
}

fn encrypted(key: &DatabaseKey) -> Protection {
    Protection::Encrypted { key: key.clone(), from: "the test".into() }
}

/// How many customers the database holds when `protection` opens it, after SQLite's own
/// check; `None` when the key does not open it.
fn customers_with(database: &Path, protection: &Protection) -> Option<i64> {
    let store = match Store::open_with(database, protection) {
        Ok(store) => store,
        Err(StoreError::Key { .. }) => return None,
        Err(error) => panic!("{}: {error}", database.display()),
    };
    let (integrity, customers): (String, i64) = store
        .read_blocking(|c| {
            Ok((
                c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?,
                c.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?,
            ))
        })
        .unwrap();
    assert_eq!(integrity, "ok");
    Some(customers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_database_is_unreadable_without_its_key_and_a_wrong_key_changes_nothing() {
    let sim = sim::start(SimConfig::new(400, 19)).await.unwrap();
    let till = Till::new(&sim, None);
    till.succeeds(&["sync"]);

    // A new database is encrypted by default, with a key made in the state directory for
    // the host's user only.
    let key_file = till.default_key_file();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key file is the host's user's only");
    }
    let customers = sim.visible_customers("POS-01", false).await.unwrap();
    let bytes = bytes_of(&till.database());
    let names: Vec<&str> = customers.iter().map(|c| c.last_name.as_str()).filter(|name| name.len() >= 6).collect();
    assert!(names.len() > 100, "enough names to look for");
    for name in &names {
        assert!(!holds(&bytes, name), "{name} is readable in the database's bytes");
    }
    for email in customers.iter().filter_map(|c| c.email.as_deref()) {
        assert!(!holds(&bytes, email), "{email} is readable in the database's bytes");
    }

    // A copy of the file is of no use to Debian's sqlite3.
    let copy = till.dir.path().join("copied.sqlite");
    std::fs::copy(till.database(), &copy).unwrap();
    let output = sqlite3(&copy, "SELECT count(*) FROM customers;");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("file is not a database"), "{said}");

    // The host with the key reads it.
    let someone = customers.iter().find(|c| c.active && c.last_name.len() >= 6).unwrap();
    let screen = till.succeeds(&["search", &someone.last_name, "--json"]);
    assert!(screen.contains(&someone.number), "{screen}");
    let known = std::fs::read(till.database()).unwrap();

    // A wrong key, a missing one, or none at all: a clear error, and the file unchanged.
    let wrong = till.dir.path().join("wrong.key");
    std::fs::write(&wrong, format!("{}\n", "ab".repeat(32))).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    till.write_policy(Some("{ file = \"wrong.key\" }"));
    let said = till.fails(&["search", &someone.last_name]);
    assert!(said.contains("wrong.key does not open it"), "{said}");
    till.write_policy(Some("{ env = \"POS_TEST_NO_SUCH_KEY\" }"));
    let said = till.fails(&["search", &someone.last_name]);
    assert!(said.contains("the environment variable POS_TEST_NO_SUCH_KEY is not set"), "{said}");
    till.write_policy(Some("\"none\""));
    let said = till.fails(&["search", &someone.last_name]);
    assert!(said.contains("it is encrypted") && said.contains("host.database-key"), "{said}");
    assert!(std::fs::read(till.database()).unwrap() == known, "a refused key changed the database");

    // A key in the environment, named by the policy.
    till.write_policy(Some("{ env = \"POS_TEST_DB_KEY\" }"));
    let key = std::fs::read_to_string(&key_file).unwrap();
    let output =
        till.command(&["search", &someone.last_name, "--json"]).env("POS_TEST_DB_KEY", key.trim()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains(&someone.number));
    // A passphrase is not a key.
    let output = till.command(&["search", "x"]).env("POS_TEST_DB_KEY", "hunter2").output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && said.contains("expected 64 hex digits"), "{said}");
    assert!(!said.contains("hunter2"), "the message repeats the secret: {said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_database_keeps_working_until_it_is_encrypted_and_a_rekey_retires_the_old_key() {
    let sim = sim::start(SimConfig::new(300, 23)).await.unwrap();
    let till = Till::new(&sim, Some("\"none\""));
    till.succeeds(&["sync"]);
    let count = |output: Output| String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let visible = customers_with(&till.database(), &Protection::Plain).unwrap().to_string();
    assert_eq!(count(sqlite3(&till.database(), "SELECT count(*) FROM customers;")), visible);

    // Without a setting, an existing plain database stays plain.
    till.write_policy(None);
    let someone = sim.visible_customers("POS-01", true).await.unwrap().into_iter().next().unwrap();
    assert!(till.succeeds(&["search", &someone.last_name, "--json"]).contains(&someone.number));
    assert_eq!(count(sqlite3(&till.database(), "SELECT count(*) FROM customers;")), visible);

    let said = till.succeeds(&["db", "encrypt"]);
    assert!(said.contains("encrypted") && said.contains("database.key"), "{said}");
    assert!(!sqlite3(&till.database(), "SELECT count(*) FROM customers;").status.success());
    assert!(till.succeeds(&["search", &someone.last_name, "--json"]).contains(&someone.number));
    let said = till.fails(&["db", "encrypt"]);
    assert!(said.contains("already encrypted"), "{said}");

    let old = key_in(&till.default_key_file());
    till.succeeds(&["db", "rekey"]);
    let new = key_in(&till.default_key_file());
    assert_ne!(old, new);
    assert!(!next_key_file(&till.default_key_file()).exists());
    assert!(customers_with(&till.database(), &encrypted(&old)).is_none(), "the old key still opens it");
    assert!(till.succeeds(&["search", &someone.last_name, "--json"]).contains(&someone.number));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypt_and_rekey_killed_at_random_points_leave_a_database_the_old_or_the_new_key_opens() {
    let sim = sim::start(SimConfig::new(20_000, 29)).await.unwrap();
    let till = Till::new(&sim, None);
    till.write_policy(Some("\"none\""));
    till.succeeds(&["sync"]);
    till.write_policy(None);
    let expected = customers_with(&till.database(), &Protection::Plain);
    let key_file = till.default_key_file();

    // How long an uninterrupted rewrite takes, on a copy in a till of its own, so that the
    // kills spread over the whole of one.
    let measure = Till::new(&sim, None);
    std::fs::copy(till.database(), measure.database()).unwrap();
    let log = |till: &Till| till.database().with_extension("sqlite-wal");
    if log(&till).exists() {
        std::fs::copy(log(&till), log(&measure)).unwrap();
    }
    let started = Instant::now();
    measure.succeeds(&["db", "encrypt"]);
    let whole = started.elapsed();

    // Every key the database may be encrypted with: none (before the first encrypt), then
    // each key the key file or its `.next` held.
    let mut candidates = vec![Protection::Plain];
    let someone = sim.visible_customers("POS-01", true).await.unwrap().into_iter().next().unwrap();
    let mut state: u64 = 0x5eed_0019;
    // The kill points spread over a rewrite's length, which changes with the machine's load
    // (the other tests run beside this one): a rewrite that outlasts most of the spread
    // stretches it, one that ends within its first half shrinks it. The rounds go on until
    // enough rewrites were killed mid-way and enough rekeys ran, so a slow or fast spell
    // lengthens the test instead of failing it.
    let mut spread = whole;
    let (mut round, mut kills, mut rekeys) = (0, 0, 0);
    while round < 12 || kills < 4 || rekeys < 4 {
        assert!(round < 60, "after {round} rounds, {kills} killed mid-way and {rekeys} rekeys");
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let share = ((state >> 33) % 1000) as f64 / 1000.0 * 1.2;
        let after = spread.mul_f64(share);
        let task = match file_kind(&till.database()).unwrap() {
            FileKind::Plain => "encrypt",
            _ => "rekey",
        };
        rekeys += usize::from(task == "rekey");
        let mut child = till.command(&["db", task]).stdout(std::process::Stdio::null()).spawn().unwrap();
        std::thread::sleep(after);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
            if share > 0.8 {
                spread = spread.mul_f64(1.5);
            }
        } else if share < 0.5 {
            spread = spread.mul_f64(0.75);
        }
        let status = child.wait().unwrap();
        for file in [key_file.clone(), next_key_file(&key_file)] {
            if let Ok(text) = std::fs::read_to_string(&file)
                && let Ok(key) = DatabaseKey::parse(&text)
                && !candidates.iter().any(|c| matches!(c, Protection::Encrypted { key: k, .. } if *k == key))
            {
                candidates.push(encrypted(&key));
            }
        }
        let opening: Vec<usize> =
            (0..candidates.len()).filter(|&i| customers_with(&till.database(), &candidates[i]).is_some()).collect();
        assert_eq!(opening.len(), 1, "round {round} ({task}, {status}): exactly one key opens the database");
        assert_eq!(
            customers_with(&till.database(), &candidates[opening[0]]),
            expected,
            "round {round}: every customer"
        );
        if round % 3 == 2 {
            // The host opens it too, finishing a rekey that was interrupted after the
            // database was rewritten.
            assert!(till.succeeds(&["search", &someone.last_name, "--json"]).contains(&someone.number));
            assert!(!next_key_file(&key_file).exists(), "round {round}: the host left a rekey unfinished");
        }
        round += 1;
    }
    println!("killed mid-way {kills} times in {round} rounds, {rekeys} rekeys; a whole rewrite took {whole:?}");
}
