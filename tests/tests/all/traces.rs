//! The spans a trace is made of, written by the JSON log: a flow step, the hook call in it,
//! and the capability calls the plugin makes, each closed with its outcome and time, the
//! hook naming its slot and its plugin's SHA-256, and no personal data anywhere.

use crate::{customer, web_customer};
use pos_host::Capability;
use pos_host::caps::{Capabilities, InMemoryCustomers};
use pos_host::personal::{LogFormat, subscriber};
use pos_host::runtime::Slot;
use pos_host::slots::WebMergeRulesKind;
use pos_tests::{artifacts, load, runtime, spec};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tracing::instrument::WithSubscriber;
use tracing::{Dispatch, Subscriber};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// `log` as a test's dispatcher, and another registered beside it for as long as the test
/// holds both. While only one dispatcher is registered, tracing-core decides whether a
/// callsite is enabled, once for every thread, from the default of the thread that first
/// reaches it: a test of another thread reaching the capability call first, without a
/// subscriber, disabled that span here (this test failed whenever it ran beside the reload
/// tests). With two registered, every registered dispatcher is asked.
fn dispatchers(log: impl Subscriber + Send + Sync + 'static) -> (Dispatch, Dispatch) {
    (Dispatch::new(log), Dispatch::new(tracing::subscriber::NoSubscriber::default()))
}

/// The close event of the innermost span named `name` whose fields include `fields`.
fn closed<'a>(lines: &'a [Value], name: &str, fields: &[(&str, &str)]) -> &'a Value {
    lines
        .iter()
        .find(|line| {
            let spans = line["spans"].as_array().map(Vec::as_slice).unwrap_or_default();
            line["fields"]["message"] == "close"
                && spans.last().is_some_and(|span| span["name"] == name && fields.iter().all(|(k, v)| span[k] == *v))
        })
        .unwrap_or_else(|| panic!("no closed {name} span with {fields:?} in {lines:#?}"))
}

fn names(line: &Value) -> Vec<&str> {
    line["spans"].as_array().unwrap().iter().map(|span| span["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_step_holds_its_hook_call_which_holds_its_capability_calls() {
    let locals = vec![customer(Some("K-1"), "Zofia", "Brzęczyszczykiewicz"), customer(Some("K-2"), "Jan", "Nowak")];
    let local_db = Arc::new(InMemoryCustomers::new(locals));
    let caps = Capabilities { local_db: local_db.clone(), ..Capabilities::default() };
    let plugin = load(&runtime(caps), &spec(artifacts::WEB_MERGE_RULES, &[Capability::LocalDb], "")).await.unwrap();
    let slot: Slot<WebMergeRulesKind> = Slot::new(Some(plugin));
    let web = web_customer("W-1", None, "Zofia", "Brzęczyszczykiewicz");

    let captured = Captured::default();
    let (log, _beside) = dispatchers(subscriber("debug", captured.clone(), false, false, LogFormat::Json));
    let step = pos_host::trace::step("web.candidates", async { slot.candidates(&*local_db, &web).await.value });
    let found = step.with_subscriber(log).await.unwrap();
    assert_eq!(found[0].customer.number.as_deref(), Some("K-1"));

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> =
        text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect();
    let step = closed(&lines, "step", &[("step", "web.candidates"), ("outcome", "ok")]);
    assert_eq!(names(step), ["step"]);
    let sha256 = pos_host::runtime::sha256_hex(&std::fs::read(artifacts::WEB_MERGE_RULES).unwrap());
    let hook = closed(&lines, "hook", &[("slot", "web-merge-rules"), ("hook", "candidates")]);
    assert_eq!(names(hook), ["step", "hook"]);
    let span = hook["spans"][1].clone();
    assert_eq!(
        (&span["sha256"], &span["outcome"], &span["plugin"]),
        (&json!(sha256), &json!("ok"), &json!("web_merge_rules"))
    );
    let capability = closed(&lines, "capability", &[("capability", "local-db")]);
    assert_eq!(names(capability), ["step", "hook", "capability"]);
    assert_eq!(capability["spans"][2]["outcome"], "ok", "{capability}");
    assert_eq!(capability["level"], "DEBUG");
    for line in [step, hook, capability] {
        assert!(line["fields"]["time.busy"].is_string(), "{line}");
    }
    assert!(!text.contains("Brzęczyszczykiewicz") && !text.contains("Zofia"), "no personal data: {text}");
}

#[tokio::test]
async fn a_step_dropped_before_it_ends_closes_as_cancelled() {
    let captured = Captured::default();
    let (log, _beside) = dispatchers(subscriber("info", captured.clone(), false, false, LogFormat::Json));
    let never = pos_host::trace::step("sync", std::future::pending::<Result<(), ()>>());
    let stopped = tokio::time::timeout(std::time::Duration::ZERO, never).with_subscriber(log).await;
    assert!(stopped.is_err(), "it never ends");

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    closed(&lines, "step", &[("step", "sync"), ("outcome", "cancelled")]);
}
