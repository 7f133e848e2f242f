//! What a component is, exports and imports, checked against a slot before it may run.

use super::error::LoadProblem;
use crate::contract::{ALWAYS_GRANTED, Capability, PACKAGE, SUPPORTED_VERSIONS, SlotId, Version};
use std::path::Path;
use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// WASI packages a plugin may import; they are backed by a deny-all context (no files,
/// sockets, environment or arguments), so importing them grants nothing. `wasi:http` reaches
/// only the addresses the slot's `allowed-hosts` names (and, for the connector, the ERP).
const WASI_PACKAGES: [&str; 7] =
    ["wasi:cli", "wasi:io", "wasi:clocks", "wasi:random", "wasi:filesystem", "wasi:sockets", "wasi:http"];

/// Interfaces of `pos:plugin` only one slot's world imports: granted to that slot, to no
/// other.
const SLOT_IMPORTS: [(&str, SlotId); 1] = [("connection", SlotId::ErpConnector)];

/// Checks the binary header: WebAssembly, and a component rather than a core module.
pub fn check_header(bytes: &[u8]) -> Result<(), LoadProblem> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err(LoadProblem::NotWasm);
    }
    match bytes[4..8] {
        [1, 0, 0, 0] => Err(LoadProblem::CoreModule),
        [_, _, 1, 0] => Ok(()),
        _ => Err(LoadProblem::UnknownEncoding(bytes[4..8].try_into().expect("four bytes"))),
    }
}

/// An interface name such as `pos:plugin/texts@0.1.0`, split.
#[derive(Debug, PartialEq, Eq)]
pub struct InterfaceName<'a> {
    pub package: &'a str,
    pub name: &'a str,
    pub version: Option<&'a str>,
}

impl<'a> InterfaceName<'a> {
    /// Splits `namespace:package/name@version`; `None` for a plain name.
    pub fn parse(full: &'a str) -> Option<InterfaceName<'a>> {
        let (package, rest) = full.split_once('/')?;
        let (name, version) = match rest.split_once('@') {
            Some((name, version)) => (name, Some(version)),
            None => (rest, None),
        };
        Some(InterfaceName { package, name, version })
    }
}

/// The interface a slot's plugin exports, in `version` of the contract.
pub fn expected_export(slot: SlotId, version: Version) -> String {
    format!("{PACKAGE}/{}@{}", slot.interface(), version.number())
}

/// Checks that the component exports the slot's interface at a supported version, and says
/// which.
pub fn check_exports(engine: &Engine, component: &Component, slot: SlotId) -> Result<Version, LoadProblem> {
    let ty = component.component_type();
    let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_owned()).collect();
    let expected = expected_export(slot, Version::NEWEST);
    if let Some(version) = Version::ALL.into_iter().rev().find(|v| exports.contains(&expected_export(slot, *v))) {
        return Ok(version);
    }
    let ours: Vec<InterfaceName> =
        exports.iter().filter_map(|name| InterfaceName::parse(name)).filter(|name| name.package == PACKAGE).collect();
    if let Some(same) = ours.iter().find(|name| name.name == slot.interface()) {
        let found = format!("{PACKAGE}@{}", same.version.unwrap_or("(unversioned)"));
        return Err(LoadProblem::UnsupportedVersion { found, supported: SUPPORTED_VERSIONS });
    }
    if let Some(other) = ours.first() {
        let found_slot = SlotId::ALL.into_iter().find(|s| s.interface() == other.name).map(SlotId::name);
        // Named at the version the plugin was built against, the fix is one world away.
        let expected = expected_export(slot, other.version.and_then(Version::parse).unwrap_or(Version::NEWEST));
        let found =
            exports.iter().find(|e| InterfaceName::parse(e).as_ref() == Some(other)).cloned().unwrap_or_default();
        return Err(LoadProblem::WrongWorld { found, expected, found_slot });
    }
    Err(LoadProblem::MissingExport { expected, exports })
}

/// One import of a component, as `plugin check` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    pub name: String,
    /// The grant it needs, if any.
    pub capability: Option<Capability>,
    /// Whether it calls functions, rather than only borrowing types.
    pub functions: bool,
}

/// Checks every import against what the host provides and the slot grants; a plugin built
/// against `version` imports the contract at that version only.
pub fn check_imports(
    engine: &Engine,
    component: &Component,
    slot: SlotId,
    version: Version,
    grants: &[Capability],
    policy: Option<&Path>,
) -> Result<Vec<ImportReport>, LoadProblem> {
    let mut reports = Vec::new();
    for (name, item) in component.component_type().imports(engine) {
        let Some(interface) = InterfaceName::parse(name) else {
            return Err(LoadProblem::UnknownImport(name.to_owned()));
        };
        let functions = has_functions(engine, &item.ty);
        let capability = if interface.package == PACKAGE {
            if interface.version.is_none_or(|v| !SUPPORTED_VERSIONS.contains(&v)) {
                let found = format!("{PACKAGE}@{}", interface.version.unwrap_or("(unversioned)"));
                return Err(LoadProblem::UnsupportedVersion { found, supported: SUPPORTED_VERSIONS });
            }
            if interface.version != Some(version.number()) {
                return Err(LoadProblem::MixedVersions { import: name.to_owned(), version });
            }
            // An interface imported only for its types (such as `erp-error`) grants nothing.
            if ALWAYS_GRANTED.contains(&interface.name) || !functions {
                None
            } else if let Some((_, owner)) = SLOT_IMPORTS.iter().find(|(name, _)| *name == interface.name) {
                if *owner != slot {
                    return Err(LoadProblem::OtherSlotsImport { import: name.to_owned(), owner: *owner });
                }
                None
            } else {
                let Some(capability) = Capability::from_interface(interface.name) else {
                    return Err(LoadProblem::UnknownImport(name.to_owned()));
                };
                if !grants.contains(&capability) {
                    return Err(LoadProblem::Ungranted {
                        capability,
                        import: name.to_owned(),
                        policy: policy.map(Path::to_path_buf),
                    });
                }
                Some(capability)
            }
        } else if WASI_PACKAGES.contains(&interface.package) && interface.version.is_some_and(|v| v.starts_with("0.2."))
        {
            None
        } else {
            return Err(LoadProblem::UnknownImport(name.to_owned()));
        };
        reports.push(ImportReport { name: name.to_owned(), capability, functions });
    }
    Ok(reports)
}

fn has_functions(engine: &Engine, item: &ComponentItem) -> bool {
    match item {
        ComponentItem::ComponentInstance(instance) => {
            instance.exports(engine).any(|(_, item)| matches!(item.ty, ComponentItem::ComponentFunc(_)))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert!(matches!(check_header(b"\0asm\x0d\0\x01\0rest"), Ok(())));
        assert!(matches!(check_header(b"\0asm\x01\0\0\0"), Err(LoadProblem::CoreModule)));
        assert!(matches!(check_header(b"\0asm"), Err(LoadProblem::NotWasm)));
        assert!(matches!(check_header(b"PK\x03\x04zipfile"), Err(LoadProblem::NotWasm)));
        assert!(matches!(check_header(b"\0asm\x02\0\0\0"), Err(LoadProblem::UnknownEncoding(_))));
    }

    #[test]
    fn interface_names() {
        assert_eq!(
            InterfaceName::parse("pos:plugin/texts@0.1.0"),
            Some(InterfaceName { package: "pos:plugin", name: "texts", version: Some("0.1.0") })
        );
        assert_eq!(InterfaceName::parse("render"), None);
    }
}
