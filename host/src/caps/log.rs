//! `log`: plugin log lines into the host log, tagged with the plugin, when the call ends:
//! by then every personal value the call saw is known, and masked.

use super::CallCaps;
use crate::bindings::log::{Host, Level};

/// The most log lines one call may write; the rest are counted and dropped.
pub const MAX_LINES_PER_CALL: u32 = 256;

/// The longest log line kept, in bytes; longer lines are cut.
pub const MAX_LINE_BYTES: usize = 2048;

impl Host for CallCaps {
    async fn log(&mut self, level: Level, message: String) {
        let kept = async {
            self.log_lines += 1;
            if self.log_lines > MAX_LINES_PER_CALL {
                return false;
            }
            let line = crate::runtime::truncate(&message, MAX_LINE_BYTES);
            self.logged.push((level, line.to_owned()));
            true
        };
        crate::trace::capability("log", "log", kept, |kept| if *kept { "ok" } else { "dropped" }).await;
    }
}

impl CallCaps {
    /// Writes the call's log lines to the host log, secrets and personal values masked.
    pub fn flush_log(&mut self) {
        let plugin = &*self.plugin;
        for (level, line) in std::mem::take(&mut self.logged) {
            let line = super::connection::redact(&line);
            let detail = matches!(level, Level::Trace | Level::Debug);
            let line = if detail && crate::personal::reveals_debug() { line } else { self.known.mask(&line) };
            match level {
                Level::Trace => tracing::trace!(target: "plugin", plugin, "{line}"),
                Level::Debug => tracing::debug!(target: "plugin", plugin, "{line}"),
                Level::Info => tracing::info!(target: "plugin", plugin, "{line}"),
                Level::Warn => tracing::warn!(target: "plugin", plugin, "{line}"),
                Level::Error => tracing::error!(target: "plugin", plugin, "{line}"),
            }
        }
    }
}
