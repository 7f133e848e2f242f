//! The three plugin slots: their typed hooks, the checks on what plugins answer, and the
//! built-in fallbacks (the seed behaviour, in native code).

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
