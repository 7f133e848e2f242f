//! The log's formatter: every event's fields masked before they are written.

use super::json::{JsonEvents, JsonFields};
use super::mask;
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;
use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::filter::{EnvFilter, LevelFilter, filter_fn};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FormatFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;

/// Formats fields as [`tracing_subscriber::fmt::format::DefaultFields`] does, then masks
/// what has the shape of personal data ([`mask::shapes`]) in each, but for the identifiers
/// the host names records by ([`IDENTIFIERS`]).
#[derive(Debug, Default)]
pub struct MaskedFields;

/// Fields holding identifiers the host gives records, never personal data: an idempotency
/// key's long run of digits is a clock reading, not a phone number.
pub const IDENTIFIERS: [&str; 5] = ["number", "web_id", "key", "cursor", "sha256"];

impl<'writer> FormatFields<'writer> for MaskedFields {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = Masking { line: String::new() };
        fields.record(&mut visitor);
        writer.write_str(&visitor.line)
    }
}

struct Masking {
    line: String,
}

impl Visit for Masking {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = match field.name() {
            "message" => format!("{value:?}"),
            name => format!("{name}={value:?}"),
        };
        if !self.line.is_empty() {
            self.line.push(' ');
        }
        let text = if IDENTIFIERS.contains(&field.name()) { text } else { mask::shapes(&text).into_owned() };
        self.line.push_str(&escape_controls(&text));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.record_debug(field, &format_args!("{value}")),
            _ => self.record_debug(field, &value),
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.record_debug(field, &format_args!("{value}"));
    }
}

/// `text` with the characters a terminal takes for commands written out (`\x1b`), as the
/// library's own formatter does: a plugin's line or an ERP's error must not clear the
/// screen of whoever reads the log, nor hide lines from them.
fn escape_controls(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\x1b' | '\x07' | '\x08' | '\x0c' | '\x7f' => escaped.push_str(&format!("\\x{:02x}", c as u32)),
            '\u{80}'..='\u{9f}' => escaped.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Whether debug and trace lines show personal data as it is (`--log-personal-data`).
static REVEAL_DEBUG: AtomicBool = AtomicBool::new(false);

/// Whether the log's debug and trace lines show personal data as it is: a plugin's own
/// lines at those levels are then written unmasked too.
pub fn reveals_debug() -> bool {
    REVEAL_DEBUG.load(Relaxed)
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    // (Comments, not doc comments: a possible value with help turns every `--help` of the
    // command line into the long layout.)
    // Lines for people; events inside a span carry its name and fields.
    #[default]
    Text,
    // One JSON object per line, for a collector; each span is also written as it closes,
    // with its time (`time.busy`, `time.idle`): the trace of every flow step, hook call and
    // capability call the filter selects.
    Json,
}

/// A subscriber writing the events `directives` (`RUST_LOG`'s syntax) select to `writer`,
/// masked, as `format` says; with `reveal_debug`, `debug` and `trace` events are written as
/// they are, and [`reveals_debug`] says so from then on.
pub fn subscriber<W>(
    directives: &str,
    writer: W,
    colour: bool,
    reveal_debug: bool,
    format: LogFormat,
) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Clone + Send + Sync + 'static,
{
    REVEAL_DEBUG.store(reveal_debug, Relaxed);
    let filter = || EnvFilter::new(directives);
    // Spans go to both layers, so that a revealed debug line says which step and hook call
    // it came from as a masked one does; their fields are never personal data. Only the
    // masked layer writes a span's close.
    let masked_levels =
        move |meta: &tracing::Metadata<'_>| meta.is_span() || !reveal_debug || *meta.level() <= LevelFilter::INFO;
    let revealed_levels = |meta: &tracing::Metadata<'_>| meta.is_span() || *meta.level() > LevelFilter::INFO;
    let text = format == LogFormat::Text;
    let masked = text.then(|| {
        tracing_subscriber::fmt::layer()
            .fmt_fields(MaskedFields)
            .with_writer(writer.clone())
            .with_ansi(colour)
            .with_filter(filter_fn(masked_levels))
            .with_filter(filter())
    });
    let revealed = (text && reveal_debug).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(writer.clone())
            .with_ansi(colour)
            .with_filter(filter_fn(revealed_levels))
            .with_filter(filter())
    });
    let masked_json = (!text).then(|| {
        tracing_subscriber::fmt::layer()
            .with_span_events(FmtSpan::CLOSE)
            .with_writer(writer.clone())
            .event_format(JsonEvents::<true>)
            .fmt_fields(JsonFields::<true>)
            .with_filter(filter_fn(masked_levels))
            .with_filter(filter())
    });
    let revealed_json = (!text && reveal_debug).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(writer.clone())
            .event_format(JsonEvents::<false>)
            .fmt_fields(JsonFields::<false>)
            .with_filter(filter_fn(revealed_levels))
            .with_filter(filter())
    });
    // The same filter once more for the whole subscriber: a call site it turns off (the
    // spans of every hook call at the default level) is then never asked about again, where
    // the layers' own filters alone would be asked at each span.
    tracing_subscriber::registry().with(filter()).with(masked).with(revealed).with(masked_json).with(revealed_json)
}

#[cfg(test)]
mod tests {
    use super::super::captured::Captured;

    fn logged(reveal_debug: bool) -> String {
        let captured = Captured::default();
        let subscriber = super::subscriber("debug", captured.clone(), false, reveal_debug, super::LogFormat::Text);
        tracing::subscriber::with_default(subscriber, || {
            let url = "http://127.0.0.1:8780/customers/search?q=kowal";
            tracing::warn!(email = "jan@example.pl", "the ERP refused jan@example.pl: phone +48 601 234 567");
            tracing::info!(number = "K-0000117", key = "K-1-update-1796603825114a3f", "read {url}");
            tracing::debug!("retrying {url}");
        });
        String::from_utf8(captured.bytes()).unwrap()
    }

    #[test]
    fn every_level_is_masked_by_default() {
        let log = logged(false);
        assert!(log.contains("the ERP refused [e-mail]: phone [digits] email=\"[e-mail]\""), "{log}");
        assert!(
            log.contains(
                "read http://127.0.0.1:8780/customers/search?[query] number=\"K-0000117\" key=\"K-1-update-1796603825114a3f\""
            ),
            "identifiers stay whole: {log}"
        );
        assert!(log.contains("retrying http://127.0.0.1:8780/customers/search?[query]"), "{log}");
        assert!(!log.contains("kowal") && !log.contains("601") && !log.contains("jan@"), "{log}");
    }

    #[test]
    fn terminal_commands_are_written_out() {
        let captured = Captured::default();
        let subscriber = super::subscriber("info", captured.clone(), false, false, super::LogFormat::Text);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(detail = "\u{1b}]0;owned\u{7}", "the ERP said \u{1b}[2J\u{9b}31m");
        });
        let log = String::from_utf8(captured.bytes()).unwrap();
        assert!(!log.contains('\u{1b}') && !log.contains('\u{7}') && !log.contains('\u{9b}'), "{log:?}");
        assert!(log.contains("the ERP said \\x1b[2J\\u{9b}31m"), "{log}");
    }

    #[test]
    fn the_flag_reveals_debug_lines_only() {
        let log = logged(true);
        assert!(log.contains("retrying http://127.0.0.1:8780/customers/search?q=kowal"), "{log}");
        assert!(log.contains("read http://127.0.0.1:8780/customers/search?[query]"), "{log}");
        assert!(log.contains("the ERP refused [e-mail]"), "{log}");
        assert_eq!(log.lines().count(), 3, "each event once: {log}");
    }
}
