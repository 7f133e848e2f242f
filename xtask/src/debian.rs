//! The Debian packages the tests use, installed when missing: headless Chromium and its
//! WebDriver for the console's and the hostile pages' browser tests
//! (`pos_tests::webdriver`), and `minisign` to sign plugins as an integrator does.

use std::path::Path;
use std::process::Command;

/// Each program the tests run, where they expect it, and the package that brings it.
const PROGRAMS: [(&str, &str); 3] = [
    ("/usr/bin/chromium", "chromium"),
    ("/usr/bin/chromedriver", "chromium-driver"),
    ("/usr/bin/minisign", "minisign"),
];

/// Installs with apt the packages whose programs are missing.
pub fn install() -> Result<(), String> {
    let missing: Vec<&str> =
        PROGRAMS.iter().filter(|(path, _)| !Path::new(path).is_file()).map(|(_, package)| *package).collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("test programs: installing {}", missing.join(", "));
    install_packages(&missing)?;
    for (path, package) in PROGRAMS {
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
