//! `cargo xtask python-plugin`: the plugins written in Python (`plugins/python/<plugin>`), made
//! with componentize-py into `plugins/<plugin>-py.wasm`, and the Python test fixtures
//! (`tests/fixtures/python/<fixture>`), into `target/fixtures/<fixture>-py.wasm`, against the
//! shipped worlds of `wit/v0.2.0` as they are.

use crate::guest::{Guest, run_in};
use crate::venv::Venv;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The virtual environment componentize-py is installed in, relative to the workspace root;
/// `pos_tests::js_plugin::componentize_py_venv` finds it there.
const VENV: &str = "target/componentize-py";

/// componentize-py's pinned version and hash, relative to the workspace root.
const REQUIREMENTS: &str = "plugins/python/requirements.txt";

/// The contract the plugins are built against, relative to the workspace root.
const WIT: &str = "wit/v0.2.0";

/// Each Python plugin: its folder, the slot world it is built against, and the component, relative
/// to the workspace root. `hostile-texts` raises in `render`, for the tests of failure reports.
const PLUGINS: [(&str, &str, &str); 2] = [
    ("plugins/python/notification-texts", "notification-texts", "plugins/notification-texts-py.wasm"),
    ("tests/fixtures/python/hostile-texts", "notification-texts", "target/fixtures/hostile-texts-py.wasm"),
];

/// What the Python build needs installed.
const NEEDS: &str = "the Python plugins need Python 3.10 or later with its `venv` module";

/// Installs componentize-py, then builds every Python plugin whose inputs changed since it was
/// built. The install comes first even when no plugin needs building: the tests build the
/// Python projects `pos-host plugin new` makes with this componentize-py.
pub fn build(root: &Path) -> Result<(), String> {
    let componentize_py = install(root)?;
    PLUGINS.iter().try_for_each(|(folder, world, output)| {
        let guest = Guest {
            task: "python-plugin",
            output: (*output).into(),
            inputs: vec![REQUIREMENTS.into(), folder.into(), WIT.into()],
            arguments: format!("componentize-py -d {WIT} -w {world} componentize app"),
        };
        guest.build(root, |partial| {
            let mut componentize = Command::new(&componentize_py);
            componentize.arg("-d").arg(root.join(WIT)).args(["-w", world, "componentize", "app", "-o"]).arg(partial);
            run_in(&root.join(folder), &mut componentize, NEEDS)
        })
    })
}

/// Installs the pinned componentize-py into its virtual environment unless it was installed
/// from these requirements; returns the program.
fn install(root: &Path) -> Result<PathBuf, String> {
    let venv = Venv { dir: VENV, requirements: REQUIREMENTS, program: "componentize-py", needs: NEEDS };
    let (dir, _) = venv.install(root)?;
    Ok(dir.join("bin/componentize-py"))
}
