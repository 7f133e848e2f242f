//! `pos-host plugin new --lang python`, followed as its author would: the project built with
//! the command its README gives, on the componentize-py the repository pins (installed by
//! `cargo xtask python-plugin`), then checked and run on its cases by the host.
//!
//! A project's build costs about 35 s of CPU (on the 2-core development machine: componentize-py
//! 12 to 16 s, the host's cold compile of the 18 MB component 20 to 22 s, its cases 1 s), and the
//! three of them, run beside each other, 2 min 20 s of the suite's time. So a CI run (`CI` set)
//! builds one: `web-merge-rules`, the project with the most code, the only one importing a
//! capability, and the one the guide quotes. Every run builds every project elsewhere, and
//! checks every project's code against the bindings of its world in a few seconds: each
//! import resolves, and the class implements every hook.

use super::{pos_host, root, run, stdout};
use pos_host::bindings::Customer;
use pos_host::bindings::local_db::DbError;
use pos_host::runtime::Slot;
use pos_host::slots::WebMergeRulesKind;
use pos_host::{Capabilities, Capability, PluginSpec, Runtime, Source};
use pos_tests::GoneLocalDb;
use pos_tests::js_plugin::componentize_py_venv;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

/// A generated Python project, with the repository's componentize-py as its `.venv`.
struct Project {
    dir: tempfile::TempDir,
    path: PathBuf,
    /// The build command of its README.
    build: String,
    wasm: PathBuf,
}

/// Makes the Python project `py-<slot>` with the real CLI.
fn new_project(slot: &str) -> Project {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("py-{slot}");
    let created = run(pos_host(dir.path()).args(["plugin", "new", slot, &name, "--lang", "python"]));
    assert!(created.status.success());
    let path = dir.path().join(&name);
    for file in ["app.py", "wit/world.wit", "cases.toml", "policy.toml", "README.md", ".gitignore"] {
        assert!(path.join(file).is_file(), "{file} was generated");
    }
    let world = std::fs::read_to_string(path.join("wit/world.wit")).unwrap();
    assert!(world.contains(&format!("    include pos:plugin/{slot}@0.2.0;\n")), "{world}");

    let readme = std::fs::read_to_string(path.join("README.md")).unwrap();
    let build = readme.lines().find(|line| line.starts_with(".venv/bin/componentize-py ")).expect("a build command");
    let contract = build.split_whitespace().nth(2).unwrap();
    assert_eq!(
        path.join(contract).canonicalize().unwrap(),
        root().join("wit/v0.2.0").canonicalize().unwrap(),
        "{build} builds against the shipped contract"
    );
    // The README installs the pinned componentize-py into `.venv`; the repository's install is
    // that one.
    std::os::unix::fs::symlink(componentize_py_venv(), path.join(".venv")).unwrap();
    let wasm = path.join(format!("{name}.wasm"));
    Project { dir, path, build: build.to_owned(), wasm }
}

fn bash(dir: &Path, script: &str) -> std::process::Output {
    run(Command::new("bash").args(["-euo", "pipefail", "-c", script]).current_dir(dir))
}

/// `app.py` against the Python bindings of the project's world, outside a component: every
/// import resolves, and one class implements the slot's interface with every hook (an
/// abstract method left out makes it refuse to be made).
fn check_against_the_bindings(project: &Project) {
    let (world_flags, _) = project.build.split_once(" componentize ").expect("a componentize command");
    let bindings = bash(&project.path, &format!("{world_flags} bindings bindings"));
    assert!(bindings.status.success());
    let script = "import inspect, app\n\
                  from wit_world import exports\n\
                  found = [c for c in vars(app).values() if inspect.isclass(c)\n\
                  \x20        and any(base.__module__ == exports.__name__ for base in c.__mro__[1:])]\n\
                  assert len(found) == 1, found\n\
                  found[0]()\n\
                  print(found[0].__name__)\n";
    let imported = run(Command::new(project.path.join(".venv/bin/python"))
        .args(["-c", script])
        .env("PYTHONPATH", project.path.join("bindings"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(&project.path));
    assert!(imported.status.success(), "app.py fits the bindings of its world");
}

/// Builds the project with its README's command, run as written.
fn build(project: &Project, slot: &str) {
    let started = Instant::now();
    let built = bash(&project.path, &project.build);
    assert!(built.status.success(), "{}", project.build);
    eprintln!("componentize-py built the {slot} project in {:.1} s", started.elapsed().as_secs_f64());
    assert!(project.wasm.is_file(), "{} writes {}", project.build, project.wasm.display());
}

/// `pos-host` in `dir`, with a compilation cache of the test's own: componentize-py does not
/// build reproducibly, so each build is a component the shared cache would keep forever.
fn pos_host_cached(project: &Project) -> Command {
    let mut command = pos_host(&project.path);
    command.env("POS_HOST_CACHE_DIR", project.dir.path().join("cache"));
    command
}

/// Whether this run builds the project of `slot` (see the top of this file).
fn built_in_this_run(slot: &str) -> bool {
    std::env::var_os("CI").is_none() || slot == "web-merge-rules"
}

/// The project of `slot` fits its bindings; built, `plugin check` accepts it with the grants
/// of its policy, and it passes every case of its `cases.toml`.
fn template_works(slot: &str, imports: &str, grants: &str) -> Option<Project> {
    let project = new_project(slot);
    check_against_the_bindings(&project);
    if !built_in_this_run(slot) {
        eprintln!("the {slot} project is not built in a CI run");
        return None;
    }
    build(&project, slot);
    let started = Instant::now();
    let wasm = project.wasm.to_str().unwrap();
    let check =
        run(pos_host_cached(&project).args(["plugin", "check", wasm, "--slot", slot, "--policy", "policy.toml"]));
    assert!(check.status.success());
    eprintln!("plugin check (a cold compile) took {:.1} s", started.elapsed().as_secs_f64());
    let text = stdout(&check);
    for expected in [&format!("world    pos:plugin/{slot}@0.2.0"), imports, &format!("grants   {grants}")] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }

    let started = Instant::now();
    let cases = std::fs::read_to_string(project.path.join("cases.toml")).unwrap().matches("[[case]]").count();
    let tested = run(pos_host_cached(&project).args([
        "plugin",
        "test",
        wasm,
        "--slot",
        slot,
        "--cases",
        "cases.toml",
        "--policy",
        "policy.toml",
    ]));
    let text = stdout(&tested);
    assert!(tested.status.success(), "{text}");
    assert!(text.ends_with(&format!("\nplugin test: {cases} of {cases} cases passed, 0 failed\n")), "{text}");
    eprintln!("plugin test ran {cases} cases in {:.1} s", started.elapsed().as_secs_f64());
    Some(project)
}

/// What `plugin check` says of an import every plugin is given.
const CONFIG_IMPORT: &str = "pos:plugin/config@0.2.0                  always granted";

#[test]
fn the_python_notification_texts_template_builds_and_passes_its_cases() {
    template_works("notification-texts", CONFIG_IMPORT, "(none)");
}

#[test]
fn the_python_search_policy_template_builds_and_passes_its_cases() {
    template_works("search-policy", CONFIG_IMPORT, "(none)");
}

/// The web-merge-rules project calls a capability as the guide shows: its world includes the
/// shipped slot world and imports `local-db`, and the host loads it only where the policy
/// grants `local-db`, naming the capability and the key to change everywhere else.
#[test]
fn the_python_web_merge_rules_template_builds_passes_its_cases_and_needs_its_grant() {
    let granted = "pos:plugin/local-db@0.2.0                granted: local-db";
    let project = template_works("web-merge-rules", granted, "local-db").expect("every run builds it");
    let policy = std::fs::read_to_string(project.path.join("policy.toml")).unwrap();
    let ungranted = policy.replace("grants = [\"local-db\"]", "grants = []");
    assert_ne!(ungranted, policy);
    std::fs::write(project.path.join("ungranted.toml"), &ungranted).unwrap();

    let refused = run(pos_host_cached(&project).args(["policy", "check", "ungranted.toml"]));
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let at = super::position(&ungranted, "[]");
    for expected in [
        format!("error: ungranted.toml:{at}: slots.web-merge-rules.grants: cannot load plugin "),
        "it imports the `local-db` capability (`pos:plugin/local-db@0.2.0`), which the slot does not grant in \
         ungranted.toml; add \"local-db\" to the slot's `grants` or remove the import"
            .into(),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} in\n{stderr}");
    }

    let loaded = run(pos_host_cached(&project).args(["policy", "check", "policy.toml"]));
    assert!(loaded.status.success());
    assert!(stdout(&loaded).contains("slots.web-merge-rules: py-web-merge-rules loads ("), "{}", stdout(&loaded));

    // A failed lookup is the hook's error, as `app.py` says, not a failure of the plugin.
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let decided = tokio.block_on(async {
        let caps = Capabilities { local_db: Arc::new(GoneLocalDb), ..Capabilities::default() };
        let runtime = Runtime::new(caps, Some(project.dir.path().join("cache"))).unwrap();
        let spec = PluginSpec { grants: vec![Capability::LocalDb], ..PluginSpec::new(&project.wasm) };
        let plugin = runtime.load::<WebMergeRulesKind>(&spec).await.unwrap_or_else(|error| panic!("{error}"));
        Slot::new(Some(plugin)).candidates(&GoneLocalDb, &web_customer()).await
    });
    assert_eq!(decided.source, Source::Plugin("py-web-merge-rules".into()));
    assert_eq!(decided.value, Err(DbError::Unavailable("the disk is gone".into())));
}

fn web_customer() -> Customer {
    let registration = pos_tests::web_customer("W-1", None, "Anna", "Nowak");
    Customer { email: None, city: None, country: None, version: 1, updated_at: 0, ..registration }
}
