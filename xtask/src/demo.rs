//! `cargo xtask demo`: the simulator (an ERP and a web shop, seeded), a host synchronized
//! with it, and the operator console, all on loopback until Ctrl-C.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONSOLE: &str = "127.0.0.1:8740";
/// The simulator's ERP, admin and web shop ports, as `policies/demo.toml` names them.
const SIMULATOR: [&str; 3] = ["127.0.0.1:8780", "127.0.0.1:8781", "127.0.0.1:8782"];
const CUSTOMERS: &str = "10000";

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

pub fn run(root: &Path, cargo: impl Fn() -> Command) -> Result<(), String> {
    for address in SIMULATOR.iter().chain([&CONSOLE]) {
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
    let database = data.join("pos.sqlite");
    let host = |command: &str| {
        let mut host = Command::new(bin.join("pos-host"));
        host.args([command, "--policy", "policies/demo.toml", "--db"]).arg(&database).current_dir(root);
        host
    };
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
    println!(
        "\nThe operator console: http://{CONSOLE}/\n\
         ERP simulator http://{}, web shop http://{}; make the ERP slow to see the waiting window:\n  \
         curl -X POST http://{}/admin/fault -H 'content-type: application/json' -d '{{\"mode\":\"slow\",\"delay_ms\":5000}}'\n\
         Edit policies/demo.toml or a plugin and the host reloads it. Ctrl-C stops everything.\n",
        SIMULATOR[0], SIMULATOR[2], SIMULATOR[1]
    );
    loop {
        for child in &mut running.0 {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("a demo process stopped ({status}); stopping the rest"));
            }
        }
        std::thread::sleep(Duration::from_millis(300));
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
