//! Each slot's shadow plugin (`[slots.<name>.shadow]`), loaded, kept or removed as the policy
//! asks, as the slots' own plugins are: a shadow that does not load fails the start or the
//! reload, and the last good version keeps running.

use super::SlotSource;
use crate::contract::SlotId;
use crate::policy::Policy;
use crate::recording::{PersonalData, RecordSettings, Recorder};
use crate::runtime::{Runtime, Shadow, Slot, SlotKind};
use crate::slots::{KindVisitor, Plugins, with_kind};
use futures_util::future::{BoxFuture, join_all};
use std::collections::HashMap;
use std::sync::Arc;

/// What decides whether a shadow must be loaded again: what its table loads, as for a
/// slot's plugin, and where and how its differences are written.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ShadowSource {
    plugin: SlotSource,
    differences: RecordSettings,
}

/// The shadow of each slot that changes, and what changes.
pub(super) struct Shadows {
    changes: Vec<Box<dyn ShadowChange>>,
    pub described: Vec<String>,
}

/// Loads the shadow plugins of `policy` whose source differs from the `running` one's;
/// nothing is put in service.
pub(super) async fn prepare(
    runtime: &Runtime,
    running: &HashMap<SlotId, ShadowSource>,
    policy: &Policy,
) -> Result<Shadows, Vec<String>> {
    struct Prepare<'a>(&'a Runtime, &'a HashMap<SlotId, ShadowSource>, &'a Policy);
    impl<'a> KindVisitor for Prepare<'a> {
        type Output = BoxFuture<'a, Result<Option<(Box<dyn ShadowChange>, String)>, Vec<String>>>;
        fn visit<K: SlotKind>(self) -> Self::Output {
            let Prepare(runtime, running, policy) = self;
            Box::pin(async move {
                let change = prepare_slot::<K>(runtime, running.get(&K::ID), policy).await?;
                Ok(change.map(|(put, described)| (Box::new(put) as Box<dyn ShadowChange>, described)))
            })
        }
    }
    let loads = SlotId::ALL.map(|id| with_kind(id, Prepare(runtime, running, policy)));
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

/// Puts the shadows `prepare` loaded in service, noting their sources in `running`.
pub(super) fn commit(plugins: &Plugins, running: &mut HashMap<SlotId, ShadowSource>, shadows: Shadows) {
    for change in shadows.changes {
        change.commit(plugins, running);
    }
}

/// The slot's new shadow (`None`: none any more) and what changed; `None` when unchanged.
async fn prepare_slot<K: SlotKind>(
    runtime: &Runtime,
    running: Option<&ShadowSource>,
    policy: &Policy,
) -> Result<Option<(Put<K>, String)>, Vec<String>> {
    let Some(wanted) = policy.slot(K::ID).and_then(|slot| slot.shadow.as_deref()) else {
        return Ok(running.map(|_| (Put(None), format!("slots.{}.shadow: removed", K::ID))));
    };
    let (plugin, _) = SlotSource::read(wanted, policy).await?;
    let differences = RecordSettings {
        dir: policy.host.recordings.clone().unwrap_or_else(|| super::recording::default_dir(policy)),
        personal_data: policy.slot(K::ID).and_then(|slot| slot.record).unwrap_or(PersonalData::Pseudonymized),
    };
    let source = ShadowSource { plugin, differences };
    if running == Some(&source) {
        return Ok(None);
    }
    let plugin = runtime.load::<K>(&wanted.spec(&policy.path, &policy.host)).await.map_err(|e| wanted.explain(&e))?;
    let name = plugin.info.name.to_string();
    let described =
        format!("slots.{}.shadow: {name} (sha256 {}…) runs beside the live plugin", K::ID, &plugin.info.sha256[..12]);
    let settings = &source.differences;
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
    let shadow = Shadow::new(Slot::new(Some(plugin)), Some(Arc::new(differences))).map_err(cannot)?;
    Ok(Some((Put(Some((Arc::new(shadow), source))), described)))
}

/// A slot's new shadow, whatever the slot's kind.
trait ShadowChange: Send {
    fn commit(self: Box<Self>, plugins: &Plugins, running: &mut HashMap<SlotId, ShadowSource>);
}

/// The slot's new shadow and its source; `None`: no shadow any more.
struct Put<K: SlotKind>(Option<(Arc<Shadow<K>>, ShadowSource)>);

impl<K: SlotKind> ShadowChange for Put<K> {
    fn commit(self: Box<Self>, plugins: &Plugins, running: &mut HashMap<SlotId, ShadowSource>) {
        let shadow = match self.0 {
            Some((shadow, source)) => {
                running.insert(K::ID, source);
                Some(shadow)
            }
            None => {
                running.remove(&K::ID);
                None
            }
        };
        plugins.slot::<K>().shadow_with(shadow);
    }
}
