//! The plugins written in JavaScript and Python, and the `js-texts` client policy that names
//! one. The components are built by `cargo xtask js-plugin` (with Node.js and npm) and
//! `cargo xtask python-plugin`, not by this crate's build script: `cargo xtask test` builds
//! them before the tests.

use crate::root;
use std::path::PathBuf;

/// The plugin's name in the host: its file name without extension.
pub const NAME: &str = "notification-texts-js";

/// The component, where the `js-texts` policy names it; a test needing it fails, never skips,
/// when it was not built.
pub fn component() -> PathBuf {
    built("notification-texts")
}

/// The JavaScript `search-policy` plugin (`plugins/js/search-thresholds`).
pub fn search_thresholds() -> PathBuf {
    built("search-thresholds")
}

fn built(plugin: &str) -> PathBuf {
    let path = root().join(format!("plugins/{plugin}-js.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: build it with `cargo xtask js-plugin` (Node.js with npm is needed); \
         `cargo xtask test` builds it before the tests",
        path.display()
    );
    path
}

/// The Python build of the notification-texts plugin (`plugins/python/notification-texts`),
/// built by `cargo xtask python-plugin`.
pub fn python_texts() -> PathBuf {
    let path = root().join("plugins/notification-texts-py.wasm");
    assert!(
        path.is_file(),
        "{} is missing: build it with `cargo xtask python-plugin`; `cargo xtask test` builds it before the tests",
        path.display()
    );
    path
}

/// A test fixture built by `cargo xtask js-plugin` or `cargo xtask python-plugin` (they need
/// Node.js and componentize-py, which this crate's build script does not install), such as
/// `same-last-name-js.wasm`; a test needing it fails, never skips, when it was not built.
pub fn fixture(file: &str) -> PathBuf {
    let path = root().join("target/fixtures").join(file);
    assert!(
        path.is_file(),
        "{} is missing: build it with `cargo xtask js-plugin` or `cargo xtask python-plugin`; `cargo xtask test` \
         builds it before the tests",
        path.display()
    );
    path
}

/// The virtual environment that `cargo xtask python-plugin` installs the pinned componentize-py
/// in: the tests build the Python projects `pos-host plugin new` makes with it, as a user
/// builds with the componentize-py the repository pins.
pub fn componentize_py_venv() -> PathBuf {
    let venv = root().join("target/componentize-py");
    assert!(
        venv.join("bin/componentize-py").is_file(),
        "{} has no componentize-py: install it with `cargo xtask python-plugin`; `cargo xtask test` installs it \
         before the tests",
        venv.display()
    );
    venv
}

/// The shipped `policies/default.toml` and `policies/clients/js-texts.toml` copied into a new
/// directory, with the default plugins' paths pointed at the components the build script built
/// (`plugins/*.wasm` need not exist) and the JavaScript component's at its fixed place. Returns
/// the directory and the copy of `js-texts.toml`.
pub fn policy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let js = component();
    let replace = |text: String| {
        crate::with_built_plugins(&text).replace("\"../../plugins/notification-texts-js.wasm\"", &format!("{js:?}"))
    };
    let read = |path: &str| std::fs::read_to_string(root().join(path)).unwrap();
    std::fs::write(dir.path().join("default.toml"), replace(read("policies/default.toml"))).unwrap();
    std::fs::create_dir(dir.path().join("clients")).unwrap();
    let client = dir.path().join("clients/js-texts.toml");
    let text = replace(read("policies/clients/js-texts.toml"));
    assert!(!text.contains("\"../../plugins/"), "a plugin path was not replaced:\n{text}");
    std::fs::write(&client, text).unwrap();
    (dir, client)
}
