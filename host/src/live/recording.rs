//! Each slot's recorder, started, kept or stopped as the policy asks (`record = true`).

use crate::contract::SlotId;
use crate::policy::Policy;
use crate::recording::{RecordSettings, Recorder};
use crate::runtime::{Slot, SlotKind};
use crate::slots::{Plugins, SlotVisitor};
use std::sync::Arc;

/// The recorder of each slot once the policy is in service, and what that changes.
pub(super) struct Recorders {
    slots: Vec<(SlotId, Option<Arc<Recorder>>)>,
    pub changes: Vec<String>,
}

/// The recorders `policy` asks for: a slot's running recorder is kept while its settings
/// stay the same, so that one recording goes on across reloads; a new one is started where
/// they changed. Nothing is put in service.
pub(super) fn prepare(plugins: &Plugins, policy: &Policy) -> Result<Recorders, Vec<String>> {
    struct Prepare<'a> {
        policy: &'a Policy,
        recorders: Recorders,
        problems: Vec<String>,
    }
    impl SlotVisitor for Prepare<'_> {
        fn visit<K: SlotKind>(&mut self, slot: &Slot<K>) {
            let running = slot.recorder();
            let wanted = self.policy.slot(K::ID).and_then(|slot| slot.record).map(|personal_data| RecordSettings {
                dir: self.policy.host.recordings.clone().unwrap_or_else(|| default_dir(self.policy)),
                personal_data,
            });
            let recorder = match (wanted, running) {
                (None, None) => None,
                (None, Some(_)) => {
                    self.recorders.changes.push(format!("slots.{}: no longer recorded", K::ID));
                    None
                }
                (Some(wanted), Some(running)) if running.settings == wanted => Some(running),
                (Some(wanted), _) => match Recorder::start(wanted, K::ID, &self.policy.host.workstation) {
                    Ok(recorder) => {
                        let status = recorder.status();
                        self.recorders.changes.push(format!(
                            "slots.{}: recording to {} (personal data {})",
                            K::ID,
                            status.file.display(),
                            status.personal_data
                        ));
                        Some(Arc::new(recorder))
                    }
                    Err(error) => {
                        let dir = self.policy.host.recordings.clone().unwrap_or_else(|| default_dir(self.policy));
                        self.problems.push(format!(
                            "slots.{}.record: cannot record into {}: {error} (host.recordings names the directory)",
                            K::ID,
                            dir.display()
                        ));
                        None
                    }
                },
            };
            self.recorders.slots.push((K::ID, recorder));
        }
    }
    let mut prepare =
        Prepare { policy, recorders: Recorders { slots: Vec::new(), changes: Vec::new() }, problems: Vec::new() };
    plugins.visit(&mut prepare);
    if prepare.problems.is_empty() { Ok(prepare.recorders) } else { Err(prepare.problems) }
}

/// Puts the recorders `prepare` made in service.
pub(super) fn commit(plugins: &Plugins, recorders: Recorders) {
    struct Commit(Vec<(SlotId, Option<Arc<Recorder>>)>);
    impl SlotVisitor for Commit {
        fn visit<K: SlotKind>(&mut self, slot: &Slot<K>) {
            if let Some(i) = self.0.iter().position(|(id, _)| *id == K::ID) {
                slot.record_with(self.0.swap_remove(i).1);
            }
        }
    }
    plugins.visit(&mut Commit(recorders.slots));
}

/// Without `host.recordings`: `recordings` beside the policy file.
pub(super) fn default_dir(policy: &Policy) -> std::path::PathBuf {
    policy.path.parent().unwrap_or(std::path::Path::new(".")).join("recordings")
}
