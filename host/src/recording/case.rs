//! One recorded call as a `plugin test` case, and the header of a recording file.

use super::{PersonalData, Recorded};
use crate::cases::node::{key, quote};
use crate::cases::{HOOKS, Shown, Wit};
use crate::contract::SlotId;
use crate::runtime::utc;
use std::fmt::Write;

/// A capability call a hook made, and what it answered.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedCall {
    /// `interface.function`, such as `local-db.find-by-last-name`.
    pub function: &'static str,
    /// The arguments, as a record of their WIT names.
    pub args: Shown,
    pub answer: Shown,
}

impl RecordedCall {
    pub fn new<T: Wit>(function: &'static str, args: Vec<(&'static str, Shown)>, answer: &T) -> RecordedCall {
        let args = args.into_iter().map(|(name, value)| (name.to_owned(), value)).collect();
        RecordedCall { function, args: Shown::Record(args), answer: answer.show() }
    }
}

/// The comment a recording file starts with.
pub fn header(what: &str, slot: SlotId, workstation: &str, personal_data: PersonalData, now_ms: u64) -> String {
    let mut header = format!("# {} recorded on {} from {}.\n", one_line(what), one_line(workstation), utc(now_ms));
    header.push_str(match personal_data {
        PersonalData::Pseudonymized => {
            "# Personal data is pseudonymized: each word of a name, address, contact detail or search\n\
             # phrase is replaced by one made up with a key this recording alone used and never wrote;\n\
             # the same word has the same replacement throughout. Customer numbers are kept.\n"
        }
        PersonalData::Full => {
            "# Personal data is kept in full, as the policy asks (record-personal-data = \"full\").\n"
        }
    });
    let _ = writeln!(header, "# Replay: pos-host plugin test <candidate.wasm> --slot {slot} --cases <this file>\n");
    header
}

/// `call` as a `[[case]]` table; `number` counts the recording's calls.
pub fn toml(call: &Recorded, number: u64) -> String {
    let params = HOOKS.iter().find(|hook| hook.name == call.hook).map_or(&[][..], |hook| hook.params);
    let input: Vec<String> =
        params.iter().zip(&call.inputs).map(|(name, value)| format!("{} = {}", key(name), value.toml())).collect();
    let mut text = format!("# {}, decided by {}\n", utc(call.at_ms), one_line(&call.decided_by));
    if let Some(instead) = &call.instead {
        let _ = writeln!(text, "# the shadow plugin decided instead: {}", instead.toml());
    }
    let _ = writeln!(text, "[[case]]\nname = {}", quote(&format!("{} #{number}", call.hook)));
    let _ = writeln!(text, "hook = {}", quote(call.hook));
    let _ = writeln!(text, "input = {{ {} }}", input.join(", "));
    if !call.calls.is_empty() {
        text.push_str("calls = [\n");
        for made in &call.calls {
            let _ = writeln!(
                text,
                "  {{ call = {}, args = {}, answer = {} }},",
                quote(made.function),
                made.args.toml(),
                made.answer.toml()
            );
        }
        text.push_str("]\n");
    }
    let _ = writeln!(text, "expect = {}\n", call.answer.toml());
    text
}

/// A comment stays on its line whatever a plugin is named.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}
