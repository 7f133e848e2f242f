//! The log as JSON lines (`--log-format json`), for a collector: one object per event, and
//! per span as it closes, with its time. Fields are masked as the text log's are.
//!
//! Lines are written as text straight away, not built as `serde_json` values: a span at
//! `info` closes at every hook call, and the values cost more than the call itself.

use super::log::IDENTIFIERS;
use super::mask;
use serde_json::{Map, Value};
use std::fmt::{self, Write};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber, span};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// Fields as a JSON object; `MASKED`: personal data masked. The two settings are two types,
/// so that a masked and an unmasked layer never share a span's formatted fields.
#[derive(Debug, Default)]
pub struct JsonFields<const MASKED: bool>;

/// Events as JSON lines: `timestamp`, `level`, `target`, `fields`, and `spans`, the spans
/// the event happened in, outermost first, each with its `name` and fields.
#[derive(Debug, Default)]
pub struct JsonEvents<const MASKED: bool>;

impl<'writer, const MASKED: bool> FormatFields<'writer> for JsonFields<MASKED> {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'writer>, fields: R) -> fmt::Result {
        writer.write_str(&object(fields, MASKED))
    }

    fn add_fields(&self, current: &'writer mut FormattedFields<Self>, fields: &span::Record<'_>) -> fmt::Result {
        let added = object(fields, MASKED);
        if added == "{}" {
            return Ok(());
        }
        let mut names = Vec::new();
        fields.record(&mut Names(&mut names));
        // A field recorded for the first time (a span's outcome) is appended; one recorded
        // again replaces its value, through values, so that no key is written twice.
        let again = names.iter().any(|name| current.fields.contains(&format!("\"{name}\":")));
        if current.fields.len() < 2 {
            current.fields = added;
        } else if !again {
            let open = current.fields.len() - 1;
            current.fields.truncate(open);
            if open > 1 {
                current.fields.push(',');
            }
            current.fields.push_str(&added[1..]);
        } else {
            let mut object: Map<String, Value> = serde_json::from_str(&current.fields).unwrap_or_default();
            object.extend(serde_json::from_str::<Map<String, Value>>(&added).unwrap_or_default());
            current.fields = Value::Object(object).to_string();
        }
        Ok(())
    }
}

impl<S, N, const MASKED: bool> FormatEvent<S, N> for JsonEvents<MASKED>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'writer> FormatFields<'writer> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let meta = event.metadata();
        writer.write_str("{\"timestamp\":\"")?;
        SystemTime.format_time(&mut writer)?;
        write!(writer, "\",\"level\":\"{}\",\"target\":", meta.level().as_str())?;
        writer.write_str(&escaped(meta.target()))?;
        writer.write_str(",\"fields\":")?;
        writer.write_str(&object(event, MASKED))?;
        if let Some(scope) = ctx.event_scope() {
            writer.write_str(",\"spans\":[")?;
            for (n, span) in scope.from_root().enumerate() {
                let extensions = span.extensions();
                let recorded = extensions.get::<FormattedFields<N>>().map_or("{}", |f| f.fields.as_str());
                let rest = recorded.strip_prefix('{').filter(|rest| *rest != "}").map(|rest| (",", rest));
                let (comma, rest) = rest.unwrap_or(("", "}"));
                let separator = if n == 0 { "" } else { "," };
                write!(writer, "{separator}{{\"name\":{}{comma}{rest}", escaped(span.name()))?;
            }
            writer.write_char(']')?;
        }
        writer.write_str("}\n")
    }
}

/// `fields` as a JSON object's text.
fn object(fields: impl RecordFields, masked: bool) -> String {
    let mut visitor = Visitor { object: String::from("{"), masked };
    fields.record(&mut visitor);
    visitor.object.push('}');
    visitor.object
}

/// `text` as a JSON string.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    escape_into(&mut out, text);
    out
}

/// Appends `text` as a JSON string to `out`, copying the runs that need no escape whole.
fn escape_into(out: &mut String, text: &str) {
    out.push('"');
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..0x20 | 0x7f => "",
            _ => continue,
        };
        out.push_str(&text[copied..at]);
        match escape {
            "" => {
                let _ = write!(out, "\\u{byte:04x}");
            }
            escape => out.push_str(escape),
        }
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    out.push('"');
}

/// Writes the fields it visits as the members of a JSON object (without the braces).
struct Visitor {
    object: String,
    masked: bool,
}

impl Visitor {
    /// Starts the member `field`: what follows is its value.
    fn name(&mut self, field: &Field) {
        if self.object.len() > 1 {
            self.object.push(',');
        }
        escape_into(&mut self.object, field.name());
        self.object.push(':');
    }

    fn member(&mut self, field: &Field, value: impl fmt::Display) {
        self.name(field);
        let _ = write!(self.object, "{value}");
    }

    fn text(&mut self, field: &Field, text: &str) {
        let masked = self.masked && !IDENTIFIERS.contains(&field.name());
        let text = if masked { mask::shapes(text) } else { text.into() };
        self.name(field);
        escape_into(&mut self.object, &text);
    }
}

impl Visit for Visitor {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, &format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, value);
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.text(field, &value.to_string());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.member(field, value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.member(field, value);
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.member(field, value);
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.member(field, value);
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        // JSON has no NaN or infinity: those are written as text.
        match value.is_finite() {
            true => self.member(field, Value::from(value)),
            false => self.text(field, &value.to_string()),
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.member(field, value);
    }
}

/// The names of the fields it visits.
struct Names<'a>(&'a mut Vec<&'static str>);

impl Visit for Names<'_> {
    fn record_debug(&mut self, field: &Field, _: &dyn fmt::Debug) {
        self.0.push(field.name());
    }
}

#[cfg(test)]
mod tests {
    use super::super::captured::Captured;
    use super::super::{LogFormat, subscriber};
    use serde_json::{Value, json};

    fn lines(run: impl FnOnce()) -> Vec<Value> {
        let captured = Captured::default();
        tracing::subscriber::with_default(subscriber("trace", captured.clone(), false, false, LogFormat::Json), run);
        let text = String::from_utf8(captured.bytes()).unwrap();
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
            .collect()
    }

    #[test]
    fn every_kind_of_value_is_written_as_json_and_text_is_masked() {
        let hostile = "a \"quote\", a \\ backslash,\n\r\t a bell \u{7} and an ESC \u{1b}[31m, ünïcödé";
        let lines = lines(|| {
            tracing::info!(
                text = hostile,
                debug = ?(1, "two"),
                signed = -3i64,
                unsigned = 4u64,
                big = 1u128 << 100,
                float = 0.5f64,
                nan = f64::NAN,
                yes = true,
                email = "zofia.b@example.pl",
                number = "123456789012",
                "a message"
            );
        });
        assert_eq!(lines.len(), 1);
        let fields = &lines[0]["fields"];
        assert_eq!(fields["text"], hostile);
        assert_eq!(fields["debug"], "(1, \"two\")");
        assert_eq!(
            (&fields["signed"], &fields["unsigned"], &fields["float"], &fields["yes"]),
            (&json!(-3), &json!(4), &json!(0.5), &json!(true))
        );
        // Beyond 64 bits, a reader without arbitrary precision takes the number as a float.
        assert!((fields["big"].as_f64().unwrap() / 2f64.powi(100) - 1.0).abs() < 1e-12, "{fields}");
        assert_eq!(fields["nan"], "NaN");
        assert_eq!(fields["email"], "[e-mail]", "masked like the text log");
        assert_eq!(fields["number"], "123456789012", "an identifier stays");
        assert_eq!(fields["message"], "a message");
        assert_eq!((&lines[0]["level"], &lines[0]["target"]), (&json!("INFO"), &json!(module_path!())));
        assert!(lines[0].get("spans").is_none(), "outside any span");
    }

    #[test]
    fn a_span_s_fields_recorded_later_are_added_once() {
        let lines = lines(|| {
            let outer = tracing::info_span!("outer", step = "search.local");
            let _outer = outer.enter();
            let inner = tracing::info_span!("inner", slot = "s", empty = tracing::field::Empty, again = 1);
            let entered = inner.enter();
            tracing::info!("inside");
            inner.record("empty", "filled");
            inner.record("again", 2);
            drop(entered);
            drop(inner);
            let bare = tracing::info_span!("bare");
            bare.in_scope(|| tracing::info!("in a span without fields"));
        });
        let inside = lines.iter().find(|line| line["fields"]["message"] == "inside").unwrap();
        assert_eq!(
            inside["spans"],
            json!([{"name": "outer", "step": "search.local"}, {"name": "inner", "slot": "s", "again": 1}])
        );
        let closed = lines.iter().find(|line| line["fields"]["message"] == "close").unwrap();
        assert_eq!(closed["spans"][1], json!({"name": "inner", "slot": "s", "empty": "filled", "again": 2}));
        assert!(closed["fields"]["time.busy"].is_string(), "{closed}");
        let bare = lines.iter().find(|line| line["fields"]["message"] == "in a span without fields").unwrap();
        assert_eq!(bare["spans"][1], json!({"name": "bare"}));
    }
}
