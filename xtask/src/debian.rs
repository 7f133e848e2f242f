//! The Debian packages the build and the tests use, installed when missing: OpenSSL's
//! headers and library, which SQLCipher (the encrypted customer database) is built against;
//! headless Chromium and its WebDriver for the console's and the hostile pages' browser
//! tests (`pos_tests::webdriver`), `minisign` to sign plugins as an integrator does,
//! Debian's `sqlite3`, which must not read an encrypted database, and Prometheus's
//! `promtool`, which checks the metrics the host serves.

use std::path::Path;
use std::process::Command;

/// What the host's build needs, where it is expected, and the package that brings it.
const BUILD: [(&str, &str); 1] = [("/usr/include/openssl/evp.h", "libssl-dev")];

/// Each program the tests run, where they expect it, and the package that brings it.
const PROGRAMS: [(&str, &str); 5] = [
    ("/usr/bin/chromium", "chromium"),
    ("/usr/bin/chromedriver", "chromium-driver"),
    ("/usr/bin/minisign", "minisign"),
    ("/usr/bin/sqlite3", "sqlite3"),
    // `promtool check metrics` judges what `/metrics` serves.
    ("/usr/bin/promtool", "prometheus"),
];

/// Installs with apt what the host's build needs, when it is missing.
pub fn install_build() -> Result<(), String> {
    install_missing("build", &BUILD)
}

/// Installs with apt the packages whose programs are missing.
pub fn install() -> Result<(), String> {
    install_missing("test programs", &PROGRAMS)
}

fn install_missing(what: &str, files: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<&str> =
        files.iter().filter(|(path, _)| !Path::new(path).is_file()).map(|(_, package)| *package).collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("{what}: installing {}", missing.join(", "));
    install_packages(&missing)?;
    for (path, package) in files {
        if !Path::new(path).is_file() {
            return Err(format!("{path} is still missing after installing {package}"));
        }
    }
    Ok(())
}

/// Installs `packages` with apt.
pub fn install_packages(packages: &[&str]) -> Result<(), String> {
    apt(&["update"])?;
    apt(&[&["install", "-y"][..], packages].concat())
}

/// Runs `apt-get args`, through sudo unless this is root.
fn apt(args: &[&str]) -> Result<(), String> {
    let mut command = match is_root() {
        true => Command::new("apt-get"),
        false => {
            // sudo resets the environment: the setting goes on its command line.
            let mut sudo = Command::new("sudo");
            sudo.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            sudo
        }
    };
    command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    let shown = format!("{command:?}");
    let status = command.status().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed: {status}")) }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.status.success() && String::from_utf8_lossy(&output.stdout).trim() == "0")
}
