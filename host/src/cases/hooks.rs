//! The hooks a case can call, by their WIT names, and the names of their parameters.

use super::wit::names;
use crate::SlotId;

/// A hook: its slot (`None`: every slot's) and its parameters, named as in the WIT.
pub struct Hook {
    pub name: &'static str,
    pub slot: Option<SlotId>,
    pub params: &'static [&'static str],
}

pub const HOOKS: [Hook; 9] = [
    Hook { name: "after-local-search", slot: Some(SlotId::SearchPolicy), params: &["outcome"] },
    Hook { name: "after-erp-search", slot: Some(SlotId::SearchPolicy), params: &["query", "outcome"] },
    Hook { name: "after-erp-retrieve-failed", slot: Some(SlotId::SearchPolicy), params: &["action", "error"] },
    Hook { name: "render", slot: Some(SlotId::NotificationTexts), params: &["message", "locale"] },
    Hook { name: "candidates", slot: Some(SlotId::WebMergeRules), params: &["web"] },
    Hook { name: "take-over-local", slot: Some(SlotId::WebMergeRules), params: &["web", "local"] },
    Hook { name: "take-over-web", slot: Some(SlotId::WebMergeRules), params: &["web"] },
    Hook { name: "push-local", slot: Some(SlotId::WebMergeRules), params: &["local", "web"] },
    Hook { name: "validate-config", slot: None, params: &["config"] },
];

/// The hooks of `slot`.
pub fn hooks_of(slot: SlotId) -> impl Iterator<Item = &'static Hook> {
    HOOKS.iter().filter(move |hook| hook.slot.is_none_or(|s| s == slot))
}

/// The hook `name` of `slot`, or why there is none.
pub fn find_hook(slot: SlotId, name: &str) -> Result<&'static Hook, String> {
    if let Some(hook) = hooks_of(slot).find(|hook| hook.name == name) {
        return Ok(hook);
    }
    let own: Vec<&str> = hooks_of(slot).map(|hook| hook.name).collect();
    match HOOKS.iter().find(|hook| hook.name == name).and_then(|hook| hook.slot) {
        Some(other) => Err(format!(
            "`{name}` is a hook of the {other} slot, not of {slot} (the slot given with --slot); {slot} has {}",
            names(&own)
        )),
        None => Err(format!("unknown hook `{name}`; the {slot} slot has {}", names(&own))),
    }
}
