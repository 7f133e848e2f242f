//! Building a plugin component with another language's toolchain (componentize-js,
//! componentize-py): only when its inputs changed, and never leaving half a component where a
//! host may load it.
//!
//! Those toolchains do not build reproducibly: every build of the same source has another
//! SHA-256, and the host caches compiled plugins by SHA-256. So a build is skipped while its
//! inputs are unchanged, and the component, with the host's cache entry for it, stays as it is.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One component to build.
pub struct Guest<'a> {
    /// Named in messages, such as `js-plugin`.
    pub task: &'a str,
    /// The component, relative to the workspace root, such as `plugins/search-thresholds-js.wasm`.
    pub output: String,
    /// Everything the build reads: files, or directories read whole (links followed).
    pub inputs: Vec<PathBuf>,
    /// The build's arguments, part of what decides whether it must run again.
    pub arguments: String,
}

impl Guest<'_> {
    /// Runs `make` with the path to write the component to, unless the stamp says the
    /// component was built from the same inputs.
    pub fn build(&self, root: &Path, make: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), String> {
        let output = root.join(&self.output);
        let name = output.file_stem().expect("a component file").to_string_lossy();
        let stamp_path = root.join("target/guest-builds").join(format!("{name}.stamp"));
        let inputs = self.inputs_hash(root)?;
        if let (Ok(stamp), Ok(built)) = (fs::read_to_string(&stamp_path), fs::read(&output))
            && stamp == stamp_text(&inputs, &sha256_hex(&built))
        {
            println!("{}: {} is up to date (inputs unchanged)", self.task, self.output);
            return Ok(());
        }
        // Written beside its place and renamed over it, so that a host following the file never
        // loads a half-written component.
        let partial = output.with_extension("wasm.part");
        let dir = output.parent().expect("the component lives in a directory");
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let built = make(&partial)
            .and_then(|()| fs::read(&partial).map_err(|e| format!("cannot read {}: {e}", partial.display())))
            .and_then(|bytes| {
                fs::rename(&partial, &output)
                    .map_err(|e| format!("cannot move {} to {}: {e}", partial.display(), output.display()))?;
                Ok(bytes)
            });
        let built = built.inspect_err(|_| {
            let _ = fs::remove_file(&partial);
        })?;
        let stamp_dir = stamp_path.parent().expect("the stamp lives in a directory");
        fs::create_dir_all(stamp_dir).map_err(|e| format!("cannot create {}: {e}", stamp_dir.display()))?;
        fs::write(&stamp_path, stamp_text(&inputs, &sha256_hex(&built)))
            .map_err(|e| format!("cannot write {}: {e}", stamp_path.display()))?;
        println!("{}: built {} ({} bytes)", self.task, self.output, built.len());
        Ok(())
    }

    /// One hash over the arguments and every input file's path (from the root) and bytes, in
    /// a fixed order.
    fn inputs_hash(&self, root: &Path) -> Result<String, String> {
        let mut files = Vec::new();
        for input in &self.inputs {
            collect(&root.join(input), &mut files)?;
        }
        let mut named: Vec<(String, PathBuf)> = files
            .into_iter()
            .map(|file| {
                let canonical = fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
                let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
                let name = canonical.strip_prefix(&root).unwrap_or(&canonical).to_string_lossy().replace('\\', "/");
                (name, file)
            })
            .collect();
        named.sort();
        named.dedup_by(|a, b| a.0 == b.0);
        let mut hasher = Sha256::new();
        hasher.update(&self.arguments);
        for (name, file) in named {
            let bytes = fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            hasher.update(format!("\0{name}\0{}\0", bytes.len()));
            hasher.update(&bytes);
        }
        Ok(hex(&hasher.finalize()))
    }
}

/// Runs `command` in `dir`; `needs` says what must be installed when it cannot start.
pub fn run_in(dir: &Path, command: &mut Command, needs: &str) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot run {shown} in {}: {e}; {needs}", dir.display()))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} in {} failed: {status}", dir.display())) }
}

fn stamp_text(inputs: &str, output: &str) -> String {
    format!("inputs {inputs}\noutput {output}\n")
}

/// The files at `path`, following links, but for the bytecode Python caches.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let metadata = fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !metadata.is_dir() {
        files.push(path.to_owned());
        return Ok(());
    }
    // componentize-py leaves the bytecode of the app it imported in the app's folder: counted as
    // an input, it would make every build the cause of the next one.
    if path.file_name().is_some_and(|name| name == "__pycache__") {
        return Ok(());
    }
    let entries = fs::read_dir(path).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", path.display()))?;
        collect(&entry.path(), files)?;
    }
    Ok(())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_bytecode_is_not_an_input() {
        let root = tempfile::tempdir().unwrap();
        let app = root.path().join("plugins/python/texts");
        fs::create_dir_all(&app).unwrap();
        fs::write(app.join("app.py"), "x = 1\n").unwrap();
        let guest = Guest {
            task: "python-plugin",
            output: "plugins/texts-py.wasm".into(),
            inputs: vec!["plugins/python/texts".into()],
            arguments: "componentize app".into(),
        };
        let before = guest.inputs_hash(root.path()).unwrap();
        fs::create_dir(app.join("__pycache__")).unwrap();
        fs::write(app.join("__pycache__/app.cpython-312.pyc"), b"\x00bytecode").unwrap();
        assert_eq!(guest.inputs_hash(root.path()).unwrap(), before);
        fs::write(app.join("app.py"), "x = 2\n").unwrap();
        assert_ne!(guest.inputs_hash(root.path()).unwrap(), before);
    }
}
