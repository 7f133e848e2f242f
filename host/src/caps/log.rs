//! `log`: plugin log lines into the host log, tagged with the plugin.

use super::CallCaps;
use crate::bindings::log::{Host, Level};

/// The most log lines one call may write; the rest are counted and dropped.
pub const MAX_LINES_PER_CALL: u32 = 256;

/// The longest log line kept, in bytes; longer lines are cut.
pub const MAX_LINE_BYTES: usize = 2048;

impl Host for CallCaps {
    async fn log(&mut self, level: Level, message: String) {
        self.log_lines += 1;
        if self.log_lines > MAX_LINES_PER_CALL {
            return;
        }
        let message = super::connection::redact(&message);
        let line = crate::runtime::truncate(&message, MAX_LINE_BYTES);
        let plugin = &*self.plugin;
        match level {
            Level::Trace => tracing::trace!(target: "plugin", plugin, "{line}"),
            Level::Debug => tracing::debug!(target: "plugin", plugin, "{line}"),
            Level::Info => tracing::info!(target: "plugin", plugin, "{line}"),
            Level::Warn => tracing::warn!(target: "plugin", plugin, "{line}"),
            Level::Error => tracing::error!(target: "plugin", plugin, "{line}"),
        }
    }
}
