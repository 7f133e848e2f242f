//! The names host and plugins agree on: the slots, the capabilities a policy grants, and
//! the versions of the WIT package. Everything else in the plugin core builds on these.

use std::fmt;

/// The WIT package plugins are written against.
pub const PACKAGE: &str = "pos:plugin";

/// A released version of the contract this host loads plugins of. A released version's
/// folder in `wit/` never changes; the host works in the newest version's types and calls
/// older plugins through conversions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// `wit/v0.1.0`: every slot world imports every capability.
    V0_1,
    /// `wit/v0.2.0`: a slot world imports only `log` and `config`; the types its hooks
    /// mention live in type-only interfaces.
    V0_2,
}

impl Version {
    /// Every version this host loads, oldest first.
    pub const ALL: [Version; 2] = [Version::V0_1, Version::V0_2];
    /// The version new plugins are written against.
    pub const NEWEST: Version = Version::V0_2;

    /// The version number, such as `0.2.0`.
    pub fn number(self) -> &'static str {
        match self {
            Version::V0_1 => "0.1.0",
            Version::V0_2 => "0.2.0",
        }
    }

    /// The version with this number.
    pub fn parse(number: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.number() == number)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PACKAGE}@{}", self.number())
    }
}

/// The version numbers this host loads, oldest first.
pub const SUPPORTED_VERSIONS: &[&str] = &["0.1.0", "0.2.0"];

/// Every slot, once. A line names the [`SlotId`] variant, the slot's (and its world's) name,
/// the interface its world exports, its field in `slots::Plugins` and its kind in `slots`.
/// Adding a slot is a line here, its world in `wit/` (with its bindings line in `bindings/`)
/// and its module in `slots/`: loading, hot reload, status and `plugin check` go through
/// every slot of this list.
macro_rules! every_slot {
    ($then:path) => {
        $then! {
            SearchPolicy, "search-policy", "search-decisions", search: search_policy::SearchPolicyKind;
            NotificationTexts, "notification-texts", "texts", texts: notification_texts::NotificationTextsKind;
            WebMergeRules, "web-merge-rules", "merge-rules", merge: web_merge_rules::WebMergeRulesKind;
            ErpConnector, "erp-connector", "connector", connector: erp_connector::ErpConnectorKind;
        }
    };
}
pub(crate) use every_slot;

macro_rules! slot_ids {
    ($($variant:ident, $name:literal, $interface:literal, $field:ident : $module:ident :: $kind:ident;)*) => {
        /// A plugin slot.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
        pub enum SlotId {
            $($variant,)*
        }

        impl SlotId {
            /// Every slot.
            pub const ALL: [SlotId; [$($name),*].len()] = [$(SlotId::$variant),*];

            /// The slot's (and its world's) name.
            pub fn name(self) -> &'static str {
                match self {
                    $(SlotId::$variant => $name,)*
                }
            }

            /// The interface the slot's world exports.
            pub fn interface(self) -> &'static str {
                match self {
                    $(SlotId::$variant => $interface,)*
                }
            }
        }
    };
}

every_slot!(slot_ids);

impl fmt::Display for SlotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A capability a policy may grant to a slot. `log` and `config` are always granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    LocalDb,
    Erp,
    Ui,
}

impl Capability {
    /// Every grantable capability.
    pub const ALL: [Capability; 3] = [Capability::LocalDb, Capability::Erp, Capability::Ui];

    /// The name used in policies and in the WIT interface.
    pub fn name(self) -> &'static str {
        match self {
            Capability::LocalDb => "local-db",
            Capability::Erp => "erp",
            Capability::Ui => "ui",
        }
    }

    /// The capability behind a WIT interface name, such as `local-db`.
    pub fn from_interface(interface: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.name() == interface)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Interfaces of `pos:plugin` every plugin may import without a grant.
pub const ALWAYS_GRANTED: [&str; 3] = ["types", "log", "config"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supported_numbers_are_the_versions() {
        let numbers: Vec<&str> = Version::ALL.iter().map(|v| v.number()).collect();
        assert_eq!(numbers, SUPPORTED_VERSIONS);
        assert_eq!(Version::ALL.last(), Some(&Version::NEWEST));
        assert_eq!(Version::parse("0.1.0"), Some(Version::V0_1));
        assert_eq!(Version::parse("0.9.0"), None);
        assert_eq!(Version::V0_2.to_string(), "pos:plugin@0.2.0");
    }
}
