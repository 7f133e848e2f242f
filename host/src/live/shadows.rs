//! Each slot's shadow plugin (`[slots.<name>.shadow]`), loaded, kept or removed as the policy
//! asks, as the slots' own plugins are: a shadow that does not load fails the start or the
//! reload, and the last good version keeps running.

use crate::contract::SlotId;
use crate::files::{self, MAX_PLUGIN_BYTES};
use crate::policy::{Policy, SlotPolicy};
use crate::recording::{PersonalData, RecordSettings, Recorder};
use crate::runtime::{Runtime, Shadow, Slot, SlotKind, sha256_hex};
use crate::slots::{KindVisitor, Plugins, with_kind};
use futures_util::future::{BoxFuture, join_all};
use std::sync::Arc;

/// The shadow of each slot that changes, and what changes.
pub(super) struct Shadows {
    changes: Vec<Box<dyn ShadowChange>>,
    pub described: Vec<String>,
}

/// Loads the shadow plugins of `policy` whose file or settings changed; nothing is put in
/// service.
pub(super) async fn prepare(runtime: &Runtime, plugins: &Plugins, policy: &Policy) -> Result<Shadows, Vec<String>> {
    struct Prepare<'a>(&'a Runtime, &'a Plugins, &'a Policy);
    impl<'a> KindVisitor for Prepare<'a> {
        type Output = BoxFuture<'a, Result<Option<(Box<dyn ShadowChange>, String)>, Vec<String>>>;
        fn visit<K: SlotKind>(self) -> Self::Output {
            let Prepare(runtime, plugins, policy) = self;
            Box::pin(async move {
                let change = prepare_slot::<K>(runtime, plugins.slot::<K>(), policy).await?;
                Ok(change.map(|(shadow, described)| (Box::new(Put(shadow)) as Box<dyn ShadowChange>, described)))
            })
        }
    }
    let loads = SlotId::ALL.map(|id| with_kind(id, Prepare(runtime, plugins, policy)));
    let mut shadows = Shadows { changes: Vec::new(), described: Vec::new() };
    let mut problems = Vec::new();
    for result in join_all(loads).await {
        match result {
            Ok(Some((change, described))) => {
                shadows.changes.push(change);
                shadows.described.push(described);
            }
            Ok(None) => {}
            Err(refused) => problems.extend(refused),
        }
    }
    if problems.is_empty() { Ok(shadows) } else { Err(problems) }
}

/// Puts the shadows `prepare` loaded in service.
pub(super) fn commit(plugins: &Plugins, shadows: Shadows) {
    for change in shadows.changes {
        change.commit(plugins);
    }
}

/// The slot's new shadow (`None`: none any more) and what changed; `None` when unchanged.
async fn prepare_slot<K: SlotKind>(
    runtime: &Runtime,
    slot: &Slot<K>,
    policy: &Policy,
) -> Result<Option<(Option<Arc<Shadow<K>>>, String)>, Vec<String>> {
    let running = slot.shadow_plugin();
    let Some(wanted) = policy.slot(K::ID).and_then(|slot| slot.shadow.as_deref()) else {
        return Ok(running.map(|_| (None, format!("slots.{}.shadow: removed", K::ID))));
    };
    let bytes = files::read_async(&wanted.plugin, MAX_PLUGIN_BYTES).await.map_err(|error| {
        vec![format!(
            "{}: {}.plugin: cannot read {}: {error}",
            wanted.plugin_location,
            wanted.key,
            wanted.plugin.display()
        )]
    })?;
    let source = source(wanted, &sha256_hex(&bytes), policy);
    if running.as_ref().is_some_and(|running| running.source == source) {
        return Ok(None);
    }
    let plugin = runtime.load::<K>(&wanted.spec(&policy.path, &policy.host)).await.map_err(|e| wanted.explain(&e))?;
    let name = plugin.info.name.to_string();
    let described =
        format!("slots.{}.shadow: {name} (sha256 {}…) runs beside the live plugin", K::ID, &plugin.info.sha256[..12]);
    let settings = RecordSettings {
        dir: policy.host.recordings.clone().unwrap_or_else(|| super::recording::default_dir(policy)),
        personal_data: policy.slot(K::ID).and_then(|slot| slot.record).unwrap_or(PersonalData::Pseudonymized),
    };
    let cannot = |error: std::io::Error| {
        vec![format!(
            "{}: {}: cannot record the shadow's differences into {}: {error} (host.recordings names the directory)",
            wanted.plugin_location,
            wanted.key,
            settings.dir.display()
        )]
    };
    let differences =
        Recorder::start_differences(settings.clone(), K::ID, &name, &policy.host.workstation).map_err(cannot)?;
    // Its questions are dismissed unasked: the operator never sees a shadow's prompt.
    let plugin = plugin.answered_by(Arc::new(crate::caps::Headless));
    let shadow = Shadow::new(Slot::new(Some(plugin)), Some(Arc::new(differences)), source).map_err(cannot)?;
    Ok(Some((Some(Arc::new(shadow)), described)))
}

/// What decides whether a shadow must be loaded again: its file's content and its settings.
fn source(shadow: &SlotPolicy, sha256: &str, policy: &Policy) -> String {
    let personal_data = policy.slot(shadow.slot).and_then(|slot| slot.record);
    format!(
        "{} {sha256} {:?} {:?} {:?} {:?} {:?} {:?}",
        shadow.plugin.display(),
        shadow.grants,
        shadow.config.entries(),
        shadow.limits,
        shadow.integrity,
        policy.host.recordings,
        personal_data
    )
}

/// A slot's new shadow, whatever the slot's kind.
trait ShadowChange: Send {
    fn commit(self: Box<Self>, plugins: &Plugins);
}

struct Put<K: SlotKind>(Option<Arc<Shadow<K>>>);

impl<K: SlotKind> ShadowChange for Put<K> {
    fn commit(self: Box<Self>, plugins: &Plugins) {
        plugins.slot::<K>().shadow_with(self.0);
    }
}
