//! Why a plugin was refused at load.

use crate::contract::{Capability, SlotId, Version};
use std::fmt;
use std::path::PathBuf;

/// A plugin refused at load, naming the file, the slot and the problem.
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub slot: &'static str,
    pub problem: LoadProblem,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot load plugin {} for slot `{}`: {}", self.path.display(), self.slot, self.problem)
    }
}

impl std::error::Error for LoadError {}

/// What is wrong with a plugin.
#[derive(Debug)]
pub enum LoadProblem {
    /// The file cannot be read, is not a regular file, or is too large.
    Read(crate::files::FileError),
    /// The file is not WebAssembly at all.
    NotWasm,
    /// The file is a core WebAssembly module, not a component.
    CoreModule,
    /// The file claims an encoding version this host does not know.
    UnknownEncoding([u8; 4]),
    /// The component is malformed or cannot be compiled.
    Invalid(String),
    /// The component exports another slot's interface.
    WrongWorld { found: String, expected: String, found_slot: Option<&'static str> },
    /// The component was built against a `pos:plugin` version this host does not support.
    UnsupportedVersion { found: String, supported: &'static [&'static str] },
    /// The component imports the contract at another version than the one it exports.
    MixedVersions { import: String, version: Version },
    /// The component exports nothing this host recognizes.
    MissingExport { expected: String, exports: Vec<String> },
    /// The component imports a capability the slot does not grant.
    Ungranted { capability: Capability, import: String, policy: Option<PathBuf> },
    /// The component imports something the host does not provide.
    UnknownImport(String),
    /// The component imports an interface only another slot's world provides.
    OtherSlotsImport { import: String, owner: SlotId },
    /// The component could not be linked or instantiated.
    Instantiate(String),
    /// The plugin refused its configuration.
    Config(Vec<String>),
    /// The file is not the one the policy pins.
    Sha256Mismatch { expected: String, found: String },
    /// The policy trusts signing keys, and the file has no readable signature.
    Unsigned { signature: PathBuf, why: String },
    /// The file was signed by a key the policy does not trust.
    UntrustedSignature { signature: PathBuf },
    /// The file does not match its signature: it changed after it was signed.
    BadSignature { signature: PathBuf },
}

impl fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadProblem::Read(error) => write!(f, "cannot read the file: {error}"),
            LoadProblem::NotWasm => f.write_str("not a WebAssembly file (it does not start with `\\0asm`)"),
            LoadProblem::CoreModule => f.write_str(
                "a core WebAssembly module, not a component; build it for the `wasm32-wasip2` target \
                 (or wrap it with `wasm-tools component new`)",
            ),
            LoadProblem::UnknownEncoding(version) => {
                write!(f, "a WebAssembly binary with an unknown encoding version {version:02x?}")
            }
            LoadProblem::Invalid(why) => write!(f, "not a valid component (truncated or corrupted?): {why}"),
            LoadProblem::WrongWorld { found, expected, found_slot } => {
                write!(f, "it exports `{found}`")?;
                if let Some(slot) = found_slot {
                    write!(f, " (the `{slot}` world)")?;
                }
                write!(f, ", but this slot needs `{expected}`")
            }
            LoadProblem::UnsupportedVersion { found, supported } => write!(
                f,
                "it was built against `{found}`, but this host supports pos:plugin@{}",
                supported.join(", pos:plugin@")
            ),
            LoadProblem::MixedVersions { import, version } => write!(
                f,
                "it exports the slot's interface of `{version}` but imports `{import}`; a plugin is built against \
                 one version of the contract"
            ),
            LoadProblem::MissingExport { expected, exports } => {
                write!(f, "it does not export `{expected}`; it exports ")?;
                if exports.is_empty() { f.write_str("nothing") } else { write!(f, "{}", exports.join(", ")) }
            }
            LoadProblem::Ungranted { capability, import, policy } => {
                write!(f, "it imports the `{capability}` capability (`{import}`), which the slot does not grant")?;
                match policy {
                    Some(policy) => write!(f, " in {}", policy.display())?,
                    None => f.write_str(" (pass --grant to allow it)")?,
                }
                write!(f, "; add \"{capability}\" to the slot's `grants` or remove the import")
            }
            LoadProblem::UnknownImport(name) => write!(f, "it imports `{name}`, which this host does not provide"),
            LoadProblem::OtherSlotsImport { import, owner } => {
                write!(f, "it imports `{import}`, which only the {owner} slot is given")
            }
            LoadProblem::Instantiate(why) => write!(f, "it cannot be instantiated: {why}"),
            LoadProblem::Config(problems) => write!(f, "it refused its config: {}", problems.join("; ")),
            LoadProblem::Sha256Mismatch { expected, found } => write!(
                f,
                "its SHA-256 is {found}, not the {expected} the policy pins; nothing of it was compiled or run"
            ),
            LoadProblem::Unsigned { signature, why } => write!(
                f,
                "the policy trusts only signed plugins, and its signature {} cannot be used: {why}; sign it with \
                 `minisign -S -m <plugin>`",
                signature.display()
            ),
            LoadProblem::UntrustedSignature { signature } => write!(
                f,
                "its signature {} was made with a key that host.trusted-keys does not list",
                signature.display()
            ),
            LoadProblem::BadSignature { signature } => write!(
                f,
                "it does not match its signature {}: the file was changed after it was signed",
                signature.display()
            ),
        }
    }
}
