//! `pos-host plugin new`: a plugin for a slot, ready to build, test and run, made from the
//! templates in `host/templates/plugin/`: a Rust crate, or a Python project built with
//! componentize-py (`python/`). Both languages share a slot's cases, policy and description.

use anyhow::{Context as _, bail};
use pos_host::SlotId;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

/// The language a plugin is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Python,
}

/// The files of every plugin crate: where each goes, and its template.
const COMMON: [(&str, &str); 3] = [
    ("Cargo.toml", include_str!("../../templates/plugin/Cargo.toml")),
    ("README.md", include_str!("../../templates/plugin/README.md")),
    (".gitignore", include_str!("../../templates/plugin/gitignore")),
];

/// The files of every Python plugin.
const PYTHON_COMMON: [(&str, &str); 2] = [
    ("README.md", include_str!("../../templates/plugin/python/README.md")),
    (".gitignore", include_str!("../../templates/plugin/python/gitignore")),
];

/// A slot's own templates: the code in each language, its cases, its policy, and what the
/// README says of it.
struct SlotTemplates {
    lib: &'static str,
    app: &'static str,
    world: &'static str,
    cases: &'static str,
    policy: &'static str,
    about: &'static str,
}

fn templates(slot: SlotId) -> anyhow::Result<SlotTemplates> {
    macro_rules! slot_templates {
        ($dir:literal) => {
            SlotTemplates {
                lib: include_str!(concat!("../../templates/plugin/", $dir, "/lib.rs")),
                app: include_str!(concat!("../../templates/plugin/python/", $dir, "/app.py")),
                world: include_str!(concat!("../../templates/plugin/python/", $dir, "/world.wit")),
                cases: include_str!(concat!("../../templates/plugin/", $dir, "/cases.toml")),
                policy: include_str!(concat!("../../templates/plugin/", $dir, "/policy.toml")),
                about: include_str!(concat!("../../templates/plugin/", $dir, "/about.md")),
            }
        };
    }
    Ok(match slot {
        SlotId::SearchPolicy => slot_templates!("search-policy"),
        SlotId::NotificationTexts => slot_templates!("notification-texts"),
        SlotId::WebMergeRules => slot_templates!("web-merge-rules"),
        SlotId::ErpConnector => bail!(
            "`plugin new` has no template for the erp-connector slot: a connector starts from one that works, \
             plugins/sync-service-connector or plugins/tryton-connector (docs/connectors.md)"
        ),
    })
}

/// Names Rust reserves, and the crates a plugin crate cannot be called after.
const RESERVED: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "gen",
    "macro",
    "override",
    "priv",
    "try",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "test",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "pos_plugin_sdk",
];

/// Checks `<NAME>`: it names the crate, its directory and its `.wasm` file.
pub fn parse_name(name: &str) -> Result<String, String> {
    let rule = "a plugin name is a crate name: 1 to 64 ASCII letters, digits, `-` and `_`, starting with a letter, \
                such as `my-texts`";
    let valid = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(rule.into());
    }
    if RESERVED.contains(&name.replace('-', "_").as_str()) {
        return Err(format!("`{name}` is reserved in Rust or taken by a crate the plugin uses; choose another name"));
    }
    Ok(name.to_owned())
}

pub fn run(slot: SlotId, name: &str, parent: &Path, lang: Lang, sdk: Option<&Path>) -> anyhow::Result<ExitCode> {
    let slot_templates = templates(slot)?;
    let dir = parent.join(name);
    if dir.exists() {
        let empty = std::fs::read_dir(&dir).map(|mut entries| entries.next().is_none()).unwrap_or(false);
        if !dir.is_dir() || !empty {
            bail!(
                "{} already exists and is not an empty directory; nothing was written (choose another <NAME> or --dir)",
                dir.display()
            );
        }
    }
    let sdk = match sdk {
        Some(sdk) => check_sdk(sdk)?,
        None => find_sdk(parent)?,
    };
    let root = sdk.parent().and_then(Path::parent).context("the SDK lies in `plugins/sdk` of a repository")?;
    if lang == Lang::Python && !root.join("wit/v0.2.0").is_dir() {
        bail!(
            "{} has no `wit/v0.2.0`, the contract a Python plugin builds against; pass --sdk <path to plugins/sdk> of \
             the pos-host repository",
            root.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = dir.canonicalize().with_context(|| format!("cannot resolve {}", dir.display()))?;
    let sdk_path = relative(&dir, &sdk);
    let wit = relative(&dir, &root.join("wit/v0.2.0"));
    let requirements = relative(&dir, &root.join("plugins/python/requirements.txt"));
    let wasm = match lang {
        Lang::Rust => format!("target/wasm32-wasip2/release/{}.wasm", name.replace('-', "_")),
        Lang::Python => format!("{name}.wasm"),
    };
    let fill = |template: &str| {
        template
            .replace("{{about}}", slot_templates.about.trim_end())
            .replace("{{name}}", name)
            .replace("{{slot}}", slot.name())
            .replace("{{wasm}}", &wasm)
            .replace("{{sdk-path}}", &toml::Value::String(sdk_path.clone()).to_string())
            .replace("{{sdk}}", &format!("`{sdk_path}`"))
            .replace("{{wit-path}}", &wit)
            .replace("{{wit}}", &format!("`{wit}`"))
            .replace("{{requirements}}", &requirements)
    };
    let common: &[(&str, &str)] = match lang {
        Lang::Rust => &COMMON,
        Lang::Python => &PYTHON_COMMON,
    };
    let mut files: Vec<(&str, String)> = common.iter().map(|(path, template)| (*path, fill(template))).collect();
    match lang {
        Lang::Rust => files.push(("src/lib.rs", fill(slot_templates.lib))),
        Lang::Python => {
            files.push(("app.py", fill(slot_templates.app)));
            files.push(("wit/world.wit", fill(slot_templates.world)));
        }
    }
    files.push(("cases.toml", fill(slot_templates.cases)));
    files.push(("policy.toml", fill(slot_templates.policy)));
    // Starting from the repository plugins' lock builds with the versions they are tested with.
    if lang == Lang::Rust
        && let Some(lock) = sdk.parent().map(|plugins| plugins.join("Cargo.lock")).filter(|lock| lock.is_file())
    {
        let text = std::fs::read_to_string(&lock).with_context(|| format!("cannot read {}", lock.display()))?;
        files.push(("Cargo.lock", text));
    }
    for (path, text) in &files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&target, text).with_context(|| format!("cannot write {}", target.display()))?;
    }

    let shown = parent.join(name);
    match lang {
        Lang::Rust => println!("created {} (a {slot} plugin, with the SDK at {sdk_path})", shown.display()),
        Lang::Python => println!("created {} (a {slot} plugin in Python, against the WIT at {wit})", shown.display()),
    }
    for (path, _) in &files {
        println!("  {path}");
    }
    println!("\nnext, in {}:", shown.display());
    match lang {
        Lang::Rust => println!("  cargo build --release --target wasm32-wasip2"),
        Lang::Python => {
            println!("  python3 -m venv .venv");
            println!("  .venv/bin/pip install --require-hashes --no-deps -r {requirements}");
            println!("  .venv/bin/componentize-py -d {wit} -d wit -w local:app/plugin componentize app -o {wasm}");
        }
    }
    println!("  pos-host plugin test {wasm} --slot {slot} --cases cases.toml --policy policy.toml");
    println!("  pos-host serve --policy policy.toml");
    Ok(ExitCode::SUCCESS)
}

/// `path` if it holds the `pos-plugin-sdk` crate, made absolute.
fn check_sdk(path: &Path) -> anyhow::Result<PathBuf> {
    let manifest = path.join("Cargo.toml");
    let holds_sdk = std::fs::read_to_string(&manifest)
        .is_ok_and(|text| text.lines().any(|line| line.replace(' ', "") == "name=\"pos-plugin-sdk\""));
    if !holds_sdk {
        bail!(
            "--sdk {}: no pos-plugin-sdk crate there (expected {} naming it); pass the `plugins/sdk` directory of \
             the pos-host repository",
            path.display(),
            manifest.display()
        );
    }
    Ok(path.canonicalize()?)
}

/// The SDK of the repository that the current directory, the target directory or this
/// executable lies in: a crate generated inside or beside a checkout, or by a `pos-host`
/// built from one, needs no `--sdk`.
fn find_sdk(parent: &Path) -> anyhow::Result<PathBuf> {
    let current = std::env::current_dir().ok();
    let starts = [current.clone(), current.map(|dir| dir.join(parent)), std::env::current_exe().ok()];
    for start in starts.into_iter().flatten() {
        for dir in start.ancestors() {
            let sdk = dir.join("plugins/sdk");
            if sdk.join("Cargo.toml").is_file()
                && let Ok(sdk) = check_sdk(&sdk)
            {
                return Ok(sdk);
            }
        }
    }
    bail!(
        "cannot find the plugin SDK (`plugins/sdk` of the pos-host repository) above the current directory, \
         --dir or the pos-host executable; pass --sdk <path to plugins/sdk>"
    )
}

/// `to` relative to the directory `from`, both absolute; with `/` separators, as Cargo
/// manifests take them on every system.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return normalize(&to.iter().collect::<PathBuf>());
    }
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(to[common..].iter().map(|part| part.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() { ".".into() } else { parts.join("/") }
}

/// `path` with `/` separators.
fn normalize(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_crate_names() {
        assert_eq!(parse_name("my-texts"), Ok("my-texts".into()));
        assert!(parse_name("My_Texts2").is_ok());
        for bad in ["", "2texts", "-texts", "my texts", "mój", "fn", "test", "pos-plugin-sdk", &"x".repeat(65)] {
            assert!(parse_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn relative_paths_climb_to_the_common_directory() {
        assert_eq!(relative(Path::new("/work/a/b"), Path::new("/work/repo/plugins/sdk")), "../../repo/plugins/sdk");
        assert_eq!(relative(Path::new("/work/repo/x"), Path::new("/work/repo/plugins/sdk")), "../plugins/sdk");
    }

    #[test]
    fn every_template_placeholder_is_filled() {
        let known = ["name", "slot", "wasm", "sdk", "sdk-path", "wit", "wit-path", "requirements", "about"];
        let all = SlotId::ALL.into_iter().filter_map(|slot| templates(slot).ok());
        let texts = all
            .flat_map(|t| [t.lib, t.app, t.world, t.cases, t.policy, t.about])
            .chain(COMMON.iter().chain(&PYTHON_COMMON).map(|(_, text)| *text));
        for text in texts {
            for (at, _) in text.match_indices("{{") {
                let name: String = text[at + 2..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect();
                if !name.is_empty() && text[at + 2 + name.len()..].starts_with("}}") {
                    assert!(known.contains(&name.as_str()), "unknown placeholder {{{{{name}}}}}");
                }
            }
        }
    }
}
