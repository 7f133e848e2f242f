//! The three plugin slots: their typed hooks, the checks on what plugins answer, and the
//! built-in fallbacks (the seed behaviour, in native code).

/// The bindings of a slot whose world exists in every contract version, and its
/// [`SlotKind`]: `$world` is the world's module in each version's bindings, `$interface`
/// the accessor of the interface it exports.
macro_rules! versioned_slot {
    ($kind:ident, $id:expr, $world:ident :: { $bindings:ident, $pre:ident }, $interface:ident) => {
        /// The slot's bindings, in the contract version its plugin was built against.
        pub enum Bindings {
            V0_1(crate::bindings::v0_1::$world::$bindings),
            V0_2(crate::bindings::v0_2::$world::$bindings),
        }

        /// The slot's linked component, in the contract version it was built against.
        #[derive(Clone)]
        pub enum Pre {
            V0_1(crate::bindings::v0_1::$world::$pre<crate::runtime::CallState>),
            V0_2(crate::bindings::v0_2::$world::$pre<crate::runtime::CallState>),
        }

        /// The slot's bindings.
        pub struct $kind;

        impl crate::runtime::SlotKind for $kind {
            const ID: crate::contract::SlotId = $id;
            type Pre = Pre;
            type Bindings = Bindings;

            fn pre(
                instance_pre: wasmtime::component::InstancePre<crate::runtime::CallState>,
                version: crate::contract::Version,
            ) -> wasmtime::Result<Pre> {
                use crate::contract::Version;
                Ok(match version {
                    Version::V0_1 => Pre::V0_1(crate::bindings::v0_1::$world::$pre::new(instance_pre)?),
                    Version::V0_2 => Pre::V0_2(crate::bindings::v0_2::$world::$pre::new(instance_pre)?),
                })
            }

            async fn instantiate(
                pre: &Pre,
                store: &mut wasmtime::Store<crate::runtime::CallState>,
            ) -> wasmtime::Result<Bindings> {
                Ok(match pre {
                    Pre::V0_1(pre) => Bindings::V0_1(pre.instantiate_async(store).await?),
                    Pre::V0_2(pre) => Bindings::V0_2(pre.instantiate_async(store).await?),
                })
            }

            async fn validate_config(
                mut store: wasmtime::Store<crate::runtime::CallState>,
                bindings: Bindings,
                config: Vec<crate::bindings::ConfigEntry>,
            ) -> (
                wasmtime::Store<crate::runtime::CallState>,
                wasmtime::Result<Result<(), Vec<crate::bindings::ConfigError>>>,
            ) {
                let result = match bindings {
                    Bindings::V0_1(b) => b.$interface().call_validate_config(&mut store, &config).await,
                    Bindings::V0_2(b) => b.$interface().call_validate_config(&mut store, &config).await,
                };
                (store, result)
            }
        }
    };
}

mod check;
pub mod notification_texts;
pub mod search_policy;
pub mod web_merge_rules;

pub use notification_texts::NotificationTextsKind;
pub use search_policy::SearchPolicyKind;
pub use web_merge_rules::WebMergeRulesKind;

pub use crate::contract::SlotId;
use crate::policy::Policy;
use crate::runtime::{LoadError, LoadedPlugin, Runtime, Slot, SlotKind};

/// Every slot of a host.
#[derive(Default)]
pub struct Plugins {
    pub search: Slot<SearchPolicyKind>,
    pub texts: Slot<NotificationTextsKind>,
    pub merge: Slot<WebMergeRulesKind>,
}

impl Plugins {
    /// Loads every slot the policy configures; every refused plugin is reported, not just
    /// the first.
    pub async fn load(runtime: &Runtime, policy: &Policy) -> Result<Plugins, Vec<LoadError>> {
        let (search, texts, merge) = tokio::join!(
            load_slot::<SearchPolicyKind>(runtime, policy),
            load_slot::<NotificationTextsKind>(runtime, policy),
            load_slot::<WebMergeRulesKind>(runtime, policy),
        );
        match (search, texts, merge) {
            (Ok(search), Ok(texts), Ok(merge)) => {
                Ok(Plugins { search: Slot::new(search), texts: Slot::new(texts), merge: Slot::new(merge) })
            }
            (search, texts, merge) => Err([search.err(), texts.err(), merge.err()].into_iter().flatten().collect()),
        }
    }
}

async fn load_slot<K: SlotKind>(runtime: &Runtime, policy: &Policy) -> Result<Option<LoadedPlugin<K>>, LoadError> {
    match policy.slot(K::ID) {
        Some(slot) => runtime.load::<K>(&slot.spec(&policy.path)).await.map(Some),
        None => Ok(None),
    }
}
