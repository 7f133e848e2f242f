//! The browser of the console's end-to-end tests (`tests/tests/all/console.rs`): headless
//! Chromium and its WebDriver, from Debian's `chromium` and `chromium-driver` packages,
//! installed when missing.

use std::path::Path;
use std::process::Command;

/// Where the tests expect them (`pos_tests::webdriver`).
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Installs `chromium` and `chromium-driver` with apt unless both are there already.
pub fn install() -> Result<(), String> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return Ok(());
    }
    println!("browser: {CHROMIUM} or {CHROMEDRIVER} is missing; installing chromium and chromium-driver");
    apt(&["update"])?;
    apt(&["install", "-y", "chromium", "chromium-driver"])?;
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).is_file() {
            return Err(format!("{path} is still missing after installing chromium and chromium-driver"));
        }
    }
    Ok(())
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
