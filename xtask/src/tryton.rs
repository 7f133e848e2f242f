//! `cargo xtask tryton`: a real Tryton server for the ERP connector tests. trytond with the
//! `party` and `country` modules, pinned in `tests/tryton/requirements.txt`, goes into a virtual
//! environment under `target/tryton/venv`; a template SQLite database with both modules
//! activated goes into `target/tryton/db`, next to a `bare` one with no module beyond Tryton's
//! own (for a till pointed at a database without parties). Each test copies a template
//! (creating a database takes seconds, copying it milliseconds) and starts its own server on it
//! (`pos_tests::tryton::Tryton::start`).

use crate::guest::{run_in, sha256_hex};
use crate::venv::Venv;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The virtual environment; `pos_tests::tryton` finds it there.
const VENV: &str = "target/tryton/venv";

/// trytond and its modules, pinned with their hashes and every dependency.
const REQUIREMENTS: &str = "tests/tryton/requirements.txt";

/// Where the template database lives, relative to the workspace root; `pos_tests::tryton`
/// copies `TEMPLATE.sqlite` from there.
const DB_DIR: &str = "target/tryton/db";

/// The template databases' names (trytond opens `<name>.sqlite` in the configured folder) and
/// the modules activated in each (with what they depend on).
const TEMPLATES: [(&str, &[&str]); 2] = [("template", &["party", "country"]), ("bare", &[])];

/// The admin user's password, which the tests read from this file to log in. A fixed one: the
/// server only ever listens on loopback, with test data. Its characters are mostly distinct
/// because trytond refuses a password of too few different characters.
const PASSWORD_FILE: &str = "target/tryton/admin-password";
const PASSWORD: &str = "kX7-pos-Tryton-82";

/// Written once the templates are complete: what they were made from.
const STAMP: &str = "target/tryton/template.stamp";

const NEEDS: &str = "the Tryton server needs Python 3.11 to 3.13 with its `venv` module";

/// Installs trytond unless installed from these requirements, then creates the template
/// database unless it was created by this trytond with these modules.
pub fn install(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    let venv = Venv { dir: VENV, requirements: REQUIREMENTS, program: "trytond", needs: NEEDS };
    let (venv, installed) = venv.install(root)?;
    if installed {
        println!("tryton: installed {REQUIREMENTS} into {VENV} in {:.1} s", started.elapsed().as_secs_f64());
    }

    let requirements = fs::read(root.join(REQUIREMENTS)).map_err(|e| format!("cannot read {REQUIREMENTS}: {e}"))?;
    let modules: Vec<String> =
        TEMPLATES.iter().map(|(name, modules)| format!("{name}: {}", modules.join(" "))).collect();
    let stamp = format!(
        "requirements {}\nmodules {}\npassword {}\n",
        sha256_hex(&requirements),
        modules.join(", "),
        sha256_hex(PASSWORD.as_bytes())
    );
    let db_dir = root.join(DB_DIR);
    let complete = TEMPLATES.iter().all(|(name, _)| db_dir.join(format!("{name}.sqlite")).is_file());
    if complete && fs::read_to_string(root.join(STAMP)).is_ok_and(|made| made == stamp) {
        println!("tryton: the template databases in {DB_DIR} are up to date");
        return Ok(());
    }

    let _ = fs::remove_file(root.join(STAMP));
    fs::create_dir_all(&db_dir).map_err(|e| format!("cannot create {}: {e}", db_dir.display()))?;
    write(&root.join(PASSWORD_FILE), &format!("{PASSWORD}\n"))?;
    let config = root.join("target/tryton/trytond-admin.conf");
    write(&config, &config_text(&db_dir))?;
    for (name, modules) in TEMPLATES {
        create(root, &venv, &config, name, modules)?;
    }
    write(&root.join(STAMP), &stamp)
}

/// Creates the template `name` with `modules` activated, with trytond-admin.
fn create(root: &Path, venv: &Path, config: &Path, name: &str, modules: &[&str]) -> Result<(), String> {
    let started = Instant::now();
    let db_dir = root.join(DB_DIR);
    // Made under another name and renamed, so that a test never copies half a database.
    let partial_name = format!("{name}-partial");
    let partial = db_dir.join(format!("{partial_name}.sqlite"));
    // trytond's SQLite backend opens only a database file that exists.
    write(&partial, "")?;
    let mut admin = Command::new(venv.join("bin/trytond-admin"));
    admin
        .arg("-c")
        .arg(config)
        .args(["-d", &partial_name, "--all", "--activate-dependencies", "--email", "admin@example.com"])
        .env("TRYTONPASSFILE", root.join(PASSWORD_FILE))
        .env("TZ", "UTC")
        // Whatever it would still ask must fail rather than wait for an answer.
        .stdin(Stdio::null());
    if !modules.is_empty() {
        admin.arg("-u").args(modules);
    }
    run_in(root, &mut admin, NEEDS).inspect_err(|_| {
        let _ = fs::remove_file(&partial);
    })?;
    let template = db_dir.join(format!("{name}.sqlite"));
    fs::rename(&partial, &template)
        .map_err(|e| format!("cannot move {} to {}: {e}", partial.display(), template.display()))?;
    let activated = if modules.is_empty() { "no module".to_owned() } else { modules.join(", ") };
    println!(
        "tryton: created {DB_DIR}/{name}.sqlite ({activated} activated) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// trytond's configuration for a SQLite database folder.
fn config_text(db_dir: &Path) -> String {
    format!("[database]\nuri = sqlite://\npath = {}\n", db_dir.display())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--require-hashes --no-deps` installs only what the file lists: every line pins one
    /// version with at least one hash, and the server and its modules are among them.
    #[test]
    fn requirements_pin_every_package_with_a_hash() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let text = fs::read_to_string(root.join(REQUIREMENTS)).unwrap();
        let joined = text.replace("\\\n", " ");
        let packages: Vec<&str> =
            joined.lines().filter(|line| !line.trim().is_empty() && !line.starts_with('#')).collect();
        for package in &packages {
            let (pin, hashes) = package.split_once(' ').unwrap_or((package, ""));
            assert!(pin.contains("=="), "{pin} is not pinned to one version");
            assert!(hashes.contains("--hash=sha256:"), "{pin} has no hash");
        }
        for pin in ["trytond==8.2.1", "trytond-party==8.2.0", "trytond-country==8.2."] {
            assert!(packages.iter().any(|package| package.starts_with(pin)), "{pin} is not in {REQUIREMENTS}");
        }
    }
}
