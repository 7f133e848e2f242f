//! A Python virtual environment under `target/` holding exactly the packages of a requirements
//! file, each pinned with its hashes, installed again only when that file changes.

use crate::debian;
use crate::guest::{run_in, sha256_hex};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One virtual environment and the requirements it is made from.
pub struct Venv<'a> {
    /// Relative to the workspace root, such as `target/tryton/venv`.
    pub dir: &'a str,
    /// Relative to the workspace root: pinned versions with `--hash`, dependencies included.
    pub requirements: &'a str,
    /// A program the packages install under `bin/`, whose absence means the install is broken.
    pub program: &'a str,
    /// What must be installed when Python cannot make the environment.
    pub needs: &'a str,
}

impl Venv<'_> {
    /// Installs the requirements unless the stamp says they were installed from this file;
    /// returns the environment's directory and whether it installed anything.
    pub fn install(&self, root: &Path) -> Result<(PathBuf, bool), String> {
        let venv = root.join(self.dir);
        let requirements =
            fs::read(root.join(self.requirements)).map_err(|e| format!("cannot read {}: {e}", self.requirements))?;
        let installed_from = venv.join(".installed-from-requirements");
        if venv.join("bin").join(self.program).is_file()
            && fs::read_to_string(&installed_from).is_ok_and(|hash| hash == sha256_hex(&requirements))
        {
            return Ok((venv, false));
        }
        if !venv.join("bin/pip").is_file() {
            let _ = fs::remove_dir_all(&venv);
            let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status();
            if !made.is_ok_and(|status| status.success()) {
                // Debian's Python leaves `venv` (with the pip it bootstraps) to a package of its own.
                let _ = fs::remove_dir_all(&venv);
                debian::install_packages(&["python3-venv"])?;
                run_in(root, Command::new("/usr/bin/python3").arg("-m").arg("venv").arg(&venv), self.needs)?;
            }
        }
        let mut pip = Command::new(venv.join("bin/pip"));
        pip.args(["install", "--quiet", "--disable-pip-version-check", "--require-hashes", "--no-deps", "-r"]);
        run_in(root, pip.arg(root.join(self.requirements)), self.needs)?;
        fs::write(&installed_from, sha256_hex(&requirements))
            .map_err(|e| format!("cannot write {}: {e}", installed_from.display()))?;
        Ok((venv, true))
    }
}
