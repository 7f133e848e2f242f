//! The log as JSON lines (`--log-format json`), for a collector: one object per event, and
//! per span as it closes, with its time. Fields are masked as the text log's are.

use super::log::IDENTIFIERS;
use super::mask;
use serde_json::{Map, Value};
use std::fmt;
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
        let mut object = Map::new();
        fields.record(&mut Visitor { object: &mut object, masked: MASKED });
        writer.write_str(&Value::Object(object).to_string())
    }

    fn add_fields(&self, current: &'writer mut FormattedFields<Self>, fields: &span::Record<'_>) -> fmt::Result {
        let mut object: Map<String, Value> = serde_json::from_str(&current.fields).unwrap_or_default();
        fields.record(&mut Visitor { object: &mut object, masked: MASKED });
        current.fields = Value::Object(object).to_string();
        Ok(())
    }
}

impl<S, N, const MASKED: bool> FormatEvent<S, N> for JsonEvents<MASKED>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'writer> FormatFields<'writer> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut timestamp = String::new();
        SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
        let meta = event.metadata();
        let mut fields = Map::new();
        event.record(&mut Visitor { object: &mut fields, masked: MASKED });
        let mut line = Map::new();
        line.insert("timestamp".into(), timestamp.into());
        line.insert("level".into(), meta.level().as_str().into());
        line.insert("target".into(), meta.target().into());
        line.insert("fields".into(), Value::Object(fields));
        if let Some(scope) = ctx.event_scope() {
            let spans: Vec<Value> = scope
                .from_root()
                .map(|span| {
                    let extensions = span.extensions();
                    let recorded = extensions.get::<FormattedFields<N>>().map(|f| f.fields.as_str()).unwrap_or("{}");
                    let mut object: Map<String, Value> = serde_json::from_str(recorded).unwrap_or_default();
                    object.insert("name".into(), span.name().into());
                    Value::Object(object)
                })
                .collect();
            line.insert("spans".into(), Value::Array(spans));
        }
        writeln!(writer, "{}", Value::Object(line))
    }
}

struct Visitor<'a> {
    object: &'a mut Map<String, Value>,
    masked: bool,
}

impl Visitor<'_> {
    fn text(&mut self, field: &Field, text: String) {
        let masked = self.masked && !IDENTIFIERS.contains(&field.name());
        let text = if masked { mask::shapes(&text).into_owned() } else { text };
        self.object.insert(field.name().to_owned(), text.into());
    }
}

impl Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, value.to_owned());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.text(field, value.to_string());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.object.insert(field.name().to_owned(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.object.insert(field.name().to_owned(), value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.object.insert(field.name().to_owned(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.object.insert(field.name().to_owned(), value.into());
    }
}
