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
mod seed;

pub use crate::contract::SlotId;
use crate::policy::Policy;
use crate::runtime::{LoadError, LoadedPlugin, Runtime, Slot, SlotKind};
use futures_util::future::{BoxFuture, join_all};

/// Something done with each slot in turn, whatever its kind.
pub trait SlotVisitor {
    fn visit<K: SlotKind>(&mut self, slot: &Slot<K>);
}

/// Something done with the kind of one slot, chosen by its [`SlotId`] ([`with_kind`]).
pub trait KindVisitor {
    type Output;
    fn visit<K: SlotKind>(self) -> Self::Output;
}

macro_rules! plugins {
    ($($variant:ident, $name:literal, $interface:literal, $field:ident : $module:ident :: $kind:ident;)*) => {
        $(
            pub mod $module;
            pub use $module::$kind;
        )*

        /// Every slot of a host.
        #[derive(Default)]
        pub struct Plugins {
            $(pub $field: Slot<$module::$kind>,)*
        }

        impl Plugins {
            /// Calls `visitor` with every slot, in the order of [`SlotId::ALL`].
            pub fn visit(&self, visitor: &mut impl SlotVisitor) {
                $(visitor.visit(&self.$field);)*
            }

            /// The slot of kind `K`.
            pub fn slot<K: SlotKind>(&self) -> &Slot<K> {
                $(
                    if let Some(slot) = (&self.$field as &dyn std::any::Any).downcast_ref::<Slot<K>>() {
                        return slot;
                    }
                )*
                unreachable!("every slot kind has its slot")
            }
        }

        /// Calls `visitor` with the kind of slot `id`.
        pub fn with_kind<V: KindVisitor>(id: SlotId, visitor: V) -> V::Output {
            match id {
                $(SlotId::$variant => visitor.visit::<$module::$kind>(),)*
            }
        }
    };
}

crate::contract::every_slot!(plugins);

impl Plugins {
    /// Loads every slot the policy configures; every refused plugin is reported, not just
    /// the first.
    pub async fn load(runtime: &Runtime, policy: &Policy) -> Result<Plugins, Vec<LoadError>> {
        struct Load<'a>(&'a Runtime, &'a Policy, &'a Plugins);
        impl<'a> KindVisitor for Load<'a> {
            type Output = BoxFuture<'a, Result<(), LoadError>>;
            fn visit<K: SlotKind>(self) -> Self::Output {
                let Load(runtime, policy, plugins) = self;
                Box::pin(async move {
                    plugins.slot::<K>().replace(load_slot::<K>(runtime, policy).await?);
                    Ok(())
                })
            }
        }
        let plugins = Plugins::default();
        let loads = SlotId::ALL.map(|id| with_kind(id, Load(runtime, policy, &plugins)));
        let errors: Vec<LoadError> = join_all(loads).await.into_iter().filter_map(Result::err).collect();
        if errors.is_empty() { Ok(plugins) } else { Err(errors) }
    }

    /// The recorders writing now: each recording slot's, and each shadow's differences.
    pub fn recorders(&self) -> Vec<std::sync::Arc<crate::recording::Recorder>> {
        struct Recorders(Vec<std::sync::Arc<crate::recording::Recorder>>);
        impl SlotVisitor for Recorders {
            fn visit<K: SlotKind>(&mut self, slot: &Slot<K>) {
                self.0.extend(slot.recorder());
                self.0.extend(slot.shadow_plugin().and_then(|shadow| shadow.differences()));
            }
        }
        let mut recorders = Recorders(Vec::new());
        self.visit(&mut recorders);
        recorders.0
    }
}

async fn load_slot<K: SlotKind>(runtime: &Runtime, policy: &Policy) -> Result<Option<LoadedPlugin<K>>, LoadError> {
    match policy.slot(K::ID) {
        Some(slot) => runtime.load::<K>(&slot.spec(&policy.path, &policy.host)).await.map(Some),
        None => Ok(None),
    }
}
