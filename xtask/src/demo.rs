//! `cargo xtask demo`: the simulator (an ERP and a web shop, seeded), a host synchronized
//! with it, and the operator console, all on loopback until Ctrl-C. With `--erp tryton`, the
//! ERP is a Tryton server (seeded over its JSON-RPC) reached through the Tryton connector,
//! and the simulator serves the web shop only.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONSOLE: &str = "127.0.0.1:8740";
/// The simulator's ERP, admin and web shop ports, as `policies/demo.toml` names them.
const SIMULATOR: [&str; 3] = ["127.0.0.1:8780", "127.0.0.1:8781", "127.0.0.1:8782"];
const CUSTOMERS: &str = "10000";
/// The Tryton server's address, as `policies/demo-tryton.toml` names it.
const TRYTON: &str = "127.0.0.1:8790";
/// Parties seeded in Tryton; one in ten is a supplier, which the till leaves out.
const TRYTON_PARTIES: &str = "2000";

/// Which ERP the demo's host talks to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Erp {
    /// The simulator's data synchronization service, through the default connector.
    Simulator,
    /// A Tryton server, through `plugins/tryton-connector`.
    Tryton,
}

impl Erp {
    /// From the task's arguments: none, or `--erp simulator|tryton`.
    pub fn from_args(args: &[String]) -> Result<Erp, String> {
        match args {
            [] => Ok(Erp::Simulator),
            [flag, erp] if flag == "--erp" && erp == "simulator" => Ok(Erp::Simulator),
            [flag, erp] if flag == "--erp" && erp == "tryton" => Ok(Erp::Tryton),
            _ => Err(format!("unknown demo arguments {args:?}; expected nothing or `--erp simulator|tryton`")),
        }
    }

    fn policy(self) -> &'static str {
        match self {
            Erp::Simulator => "policies/demo.toml",
            Erp::Tryton => "policies/demo-tryton.toml",
        }
    }
}

/// Children stopped however the demo ends: Ctrl-C in the terminal reaches them too, this
/// covers an error, and [`die_with_parent`] a demo killed on its own.
struct Running(Vec<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn run(root: &Path, cargo: impl Fn() -> Command, erp: Erp) -> Result<(), String> {
    let tryton = (erp == Erp::Tryton).then_some(&TRYTON);
    for address in SIMULATOR.iter().chain([&CONSOLE]).chain(tryton) {
        if TcpListener::bind(address).is_err() {
            return Err(format!("{address} is in use; stop whatever listens there (an earlier demo?) and try again"));
        }
    }
    let status = cargo()
        .args([
            "build",
            "--quiet",
            "--package",
            "pos-host",
            "--package",
            "pos-tests",
            "--bin",
            "pos-host",
            "--bin",
            "pos-sim",
        ])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the host and the simulator failed: {status}"));
    }
    let bin = root.join("target/debug");
    let data = root.join("target/demo");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let mut running = Running(Vec::new());
    println!("starting the simulator: {CUSTOMERS} ERP customers and 40 web shop registrations…");
    running.0.push(
        die_with_parent(&mut Command::new(bin.join("pos-sim")))
            .args(["--customers", CUSTOMERS, "--web-customers", "40", "--data"])
            .arg(data.join("simulator.sqlite"))
            .current_dir(root)
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the simulator: {e}"))?,
    );
    for address in SIMULATOR {
        wait_for(address, Duration::from_secs(120), &mut running)?;
    }
    if erp == Erp::Tryton {
        start_tryton(root, &data, &mut running)?;
    }
    let database = data.join(match erp {
        Erp::Simulator => "pos.sqlite",
        Erp::Tryton => "pos-tryton.sqlite",
    });
    let host = |command: &str| {
        let mut host = Command::new(bin.join("pos-host"));
        host.args([command, "--policy", erp.policy(), "--db"]).arg(&database).current_dir(root);
        host
    };
    if erp == Erp::Tryton {
        let checked = host("erp").arg("check").status().map_err(|e| format!("cannot run pos-host erp check: {e}"))?;
        if !checked.success() {
            return Err(format!("pos-host erp check failed: {checked}"));
        }
    }
    println!("synchronizing the host's customers with the ERP…");
    let synced = host("sync").status().map_err(|e| format!("cannot run pos-host sync: {e}"))?;
    if !synced.success() {
        return Err(format!("pos-host sync failed: {synced}"));
    }
    running.0.push(
        die_with_parent(host("serve").args(["--listen", CONSOLE]))
            .spawn()
            .map_err(|e| format!("cannot start pos-host: {e}"))?,
    );
    wait_for(CONSOLE, Duration::from_secs(120), &mut running)?;
    if erp == Erp::Tryton {
        println!(
            "\nThe operator console: http://{CONSOLE}/\n\
             Tryton: http://{TRYTON}/ (database pos, user admin, the password in target/tryton/admin-password);\n\
             a change made there reaches the till at the next `pos-host sync --policy {}`.\n\
             Web shop (simulator) http://{}. Ctrl-C stops everything.\n",
            erp.policy(),
            SIMULATOR[2]
        );
    } else {
        println!(
            "\nThe operator console: http://{CONSOLE}/\n\
         ERP simulator http://{}, web shop http://{}; make the ERP slow to see the waiting window:\n  \
         curl -X POST http://{}/admin/fault -H 'content-type: application/json' -d '{{\"mode\":\"slow\",\"delay_ms\":5000}}'\n\
         Edit policies/demo.toml or a plugin and the host reloads it. Ctrl-C stops everything.\n",
            SIMULATOR[0], SIMULATOR[2], SIMULATOR[1]
        );
    }
    loop {
        for child in &mut running.0 {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("a demo process stopped ({status}); stopping the rest"));
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Starts trytond on a fresh copy of the template database in `data`, and seeds it.
fn start_tryton(root: &Path, data: &Path, running: &mut Running) -> Result<(), String> {
    let dir = data.join("tryton");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let template = root.join("target/tryton/db/template.sqlite");
    std::fs::copy(&template, dir.join("pos.sqlite")).map_err(|e| format!("cannot copy {}: {e}", template.display()))?;
    let config = dir.join("trytond.conf");
    let text = format!("[database]\nuri = sqlite://\npath = {}\n[web]\nlisten = {TRYTON}\n", dir.display());
    std::fs::write(&config, text).map_err(|e| format!("cannot write {}: {e}", config.display()))?;
    println!("starting Tryton on {TRYTON}…");
    running.0.push(
        die_with_parent(&mut Command::new(root.join("target/tryton/venv/bin/trytond")))
            .arg("-c")
            .arg(&config)
            .args(["-d", "pos"])
            .env("TZ", "UTC")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("trytond.log")).map_err(|e| format!("cannot log trytond: {e}"))?)
            .spawn()
            .map_err(|e| format!("cannot start trytond: {e}"))?,
    );
    wait_for(TRYTON, Duration::from_secs(120), running)?;
    let seeded = Command::new(root.join("target/tryton/venv/bin/python"))
        .arg(root.join("tests/tryton/seed_demo.py"))
        .arg(format!("http://{TRYTON}/pos/rpc/"))
        .arg(root.join("target/tryton/admin-password"))
        .arg(TRYTON_PARTIES)
        .status()
        .map_err(|e| format!("cannot run the Tryton seed: {e}"))?;
    match seeded.success() {
        true => Ok(()),
        false => Err(format!("seeding Tryton failed: {seeded}; its log is {}", dir.join("trytond.log").display())),
    }
}

/// Waits until `address` accepts connections, failing early if a child stopped.
fn wait_for(address: &str, limit: Duration, running: &mut Running) -> Result<(), String> {
    let address: SocketAddr = address.parse().expect("a socket address");
    let started = Instant::now();
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        for child in &mut running.0 {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("a demo process stopped ({status}) before {address} answered"));
            }
        }
        if started.elapsed() > limit {
            return Err(format!("nothing answers on {address} after {} s", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Has the child stopped when the demo stops, even when the demo is killed and cannot stop it.
fn die_with_parent(command: &mut Command) -> &mut Command {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: between fork and exec the closure only makes one system call, which is
        // async-signal-safe, and touches no memory of the parent.
        unsafe {
            command.pre_exec(|| match libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) {
                -1 => Err(std::io::Error::last_os_error()),
                _ => Ok(()),
            });
        }
    }
    command
}
