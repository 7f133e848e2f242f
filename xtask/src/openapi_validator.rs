//! `cargo xtask openapi-validator`: openapi-spec-validator, which checks an OpenAPI document
//! against the specification's schemas and rules, pinned in `tests/openapi/requirements.txt`
//! with every package it needs, in a virtual environment under `target/openapi-validator`. The
//! tests check the API's OpenAPI document with it (`pos_tests::openapi::validate`): a checker
//! written by the document's authors would share their misreadings of the specification.

use crate::venv::Venv;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The virtual environment; `pos_tests::openapi::validator` finds the program there.
const VENV: &str = "target/openapi-validator";

/// openapi-spec-validator, pinned with its hashes and every dependency.
const REQUIREMENTS: &str = "tests/openapi/requirements.txt";

const NEEDS: &str = "the OpenAPI validator needs Python 3.11 to 3.14 with its `venv` module";

/// Installs openapi-spec-validator unless it was installed from these requirements; returns
/// the program.
pub fn install(root: &Path) -> Result<PathBuf, String> {
    let started = Instant::now();
    let venv = Venv { dir: VENV, requirements: REQUIREMENTS, program: "openapi-spec-validator", needs: NEEDS };
    let (dir, installed) = venv.install(root)?;
    if installed {
        println!("openapi-validator: installed {REQUIREMENTS} into {VENV} in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(dir.join("bin/openapi-spec-validator"))
}
