//! Hostile plugins: each misdeed gives a clear load error or a fallback at call time, and
//! the next ordinary call still succeeds.

use async_trait::async_trait;
use pos_host::bindings::search::{LocalSearchOutcome, SearchButton};
use pos_host::bindings::ui::Choice;
use pos_host::bindings::{Argument, Message, Notice, SearchQuery};
use pos_host::caps::{Capabilities, Operator};
use pos_host::runtime::{CallFailure, Limits, PluginSpec, Slot};
use pos_host::slots::search_policy::fallback_local;
use pos_host::slots::{NotificationTextsKind, SearchPolicyKind};
use pos_host::{Capability, Source};
use pos_tests::{artifacts, load, runtime, spec};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

fn outcome(phrase: &str) -> LocalSearchOutcome {
    LocalSearchOutcome {
        query: SearchQuery { phrase: phrase.into(), filters: Vec::new(), include_inactive: false },
        result_count: 0,
        criteria_changed: false,
        online_search_enabled: true,
    }
}

async fn hostile_search(limits: Limits, caps: Capabilities) -> Slot<SearchPolicyKind> {
    let runtime = runtime(caps);
    let spec = PluginSpec { limits, ..spec(artifacts::HOSTILE_SEARCH, &[Capability::Ui], "") };
    Slot::new(Some(load(&runtime, &spec).await.unwrap()))
}

/// Runs the misdeed `phrase`, expects `failure` and the fallback, then an ordinary call.
async fn misdeed_then_ordinary(slot: &Slot<SearchPolicyKind>, phrase: &str, failure: impl Fn(&CallFailure) -> bool) {
    let bad = slot.after_local_search(&outcome(phrase)).await;
    match &bad.source {
        Source::Fallback { failure: got, .. } => {
            assert!(failure(got), "{phrase}: unexpected failure {got}")
        }
        other => panic!("{phrase}: expected the fallback, got {other:?}"),
    }
    assert_eq!(bad.value, fallback_local(&slot.config(), &outcome(phrase)), "{phrase}: the seed behaviour decides");
    let good = slot.after_local_search(&outcome("Kowalski")).await;
    assert_eq!(good.source, Source::Plugin("hostile_search".into()), "after {phrase}");
    assert_eq!(good.value.search_button, SearchButton::Available, "the plugin's own answer");
}

#[tokio::test]
async fn infinite_loop_hits_the_wall_clock_limit() {
    let limits = Limits { fuel: u64::MAX / 2, timeout_ms: 100, ..Limits::default() };
    let slot = hostile_search(limits, Capabilities::default()).await;
    let started = Instant::now();
    misdeed_then_ordinary(&slot, "loop", |f| *f == CallFailure::Timeout).await;
    assert!(started.elapsed() < Duration::from_secs(10), "the loop was stopped");
}

#[tokio::test]
async fn infinite_loop_runs_out_of_fuel() {
    let limits = Limits { fuel: 5_000_000, timeout_ms: 60_000, ..Limits::default() };
    let slot = hostile_search(limits, Capabilities::default()).await;
    misdeed_then_ordinary(&slot, "loop", |f| *f == CallFailure::OutOfFuel).await;
}

#[tokio::test]
async fn memory_bomb_hits_the_memory_cap() {
    let slot = hostile_search(Limits { memory_mib: 16, ..Limits::default() }, Capabilities::default()).await;
    misdeed_then_ordinary(&slot, "bomb", |f| *f == CallFailure::MemoryCap).await;
}

#[tokio::test]
async fn trap_and_panic_fall_back() {
    let slot = hostile_search(Limits::default(), Capabilities::default()).await;
    misdeed_then_ordinary(&slot, "trap", |f| matches!(f, CallFailure::Trap(t) if t.contains("unreachable"))).await;
    misdeed_then_ordinary(
        &slot,
        "panic",
        |f| matches!(f, CallFailure::Trap(t) if t.contains("hostile plugin panics on purpose")),
    )
    .await;
    misdeed_then_ordinary(&slot, "stack", |f| matches!(f, CallFailure::Trap(t) if t.contains("stack"))).await;
    assert_eq!((slot.stats().calls(), slot.stats().failures()), (6, 3));
    assert!(slot.stats().last_failure().unwrap().starts_with("after-local-search: trapped"));
}

#[tokio::test]
async fn garbage_answers_fall_back() {
    let slot = hostile_search(Limits::default(), Capabilities::default()).await;
    misdeed_then_ordinary(&slot, "garbage", |f| matches!(f, CallFailure::Invalid(why) if why.contains("not a key")))
        .await;
}

#[tokio::test]
async fn chatty_output_is_capped_not_fatal() {
    // What is tested is the output's cap: on a 2-core machine busy with a build, writing
    // 100,000 lines took longer than the default second, and the call timed out.
    let limits = Limits { timeout_ms: 10_000, ..Limits::default() };
    let slot = hostile_search(limits, Capabilities::default()).await;
    let decided = slot.after_local_search(&outcome("chatty")).await;
    assert_eq!(decided.source, Source::Plugin("hostile_search".into()));
}

/// An operator who answers "yes" only when told to.
struct SlowOperator {
    answer: Notify,
}

#[async_trait]
impl Operator for SlowOperator {
    async fn notify(&self, _notice: &Notice) {}

    async fn confirm(&self, _notice: &Notice, _choices: &[Choice]) -> Option<String> {
        self.answer.notified().await;
        Some("yes".into())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_plugin_waiting_on_the_operator_holds_no_thread_and_no_time() {
    let operator = Arc::new(SlowOperator { answer: Notify::new() });
    let caps = Capabilities { operator: operator.clone(), ..Capabilities::default() };
    let slot = Arc::new(hostile_search(Limits { timeout_ms: 100, ..Limits::default() }, caps).await);
    let waiting = tokio::spawn({
        let slot = slot.clone();
        async move { slot.after_local_search(&outcome("confirm")).await }
    });
    // On this single thread, other calls complete while the first waits for the operator.
    for _ in 0..3 {
        assert_eq!(slot.after_local_search(&outcome("Nowak")).await.source, Source::Plugin("hostile_search".into()));
    }
    // Waiting longer than the call's time limit is fine: the operator's time is not the plugin's.
    tokio::time::sleep(Duration::from_millis(300)).await;
    operator.answer.notify_one();
    let decided = waiting.await.unwrap();
    assert_eq!(decided.source, Source::Plugin("hostile_search".into()));
    assert_eq!(decided.value.notice.unwrap().message.key, "answer-yes");
}

#[tokio::test]
async fn hostile_texts_fall_back_to_the_built_in_text() {
    let runtime = runtime(Capabilities::default());
    // Fuel enough for the loop to meet the time limit first, however fast the machine.
    let spec = PluginSpec {
        limits: Limits { timeout_ms: 100, fuel: i64::MAX as u64, ..Limits::default() },
        ..spec(artifacts::HOSTILE_TEXTS, &[], "")
    };
    let slot: Slot<NotificationTextsKind> = Slot::new(Some(load(&runtime, &spec).await.unwrap()));
    let message = |key: &str| Message { key: key.into(), args: Vec::new() };
    for (key, expected) in [
        ("huge", "returned an invalid result: the text is 8388608 bytes, more than 4096"),
        ("control", "returned an invalid result: the text contains control characters"),
        ("panic", "hostile texts plugin panics on panic"),
        ("loop", "ran past its wall-clock limit"),
    ] {
        let rendered = slot.render(&message(key), "en").await;
        let Source::Fallback { failure, .. } = &rendered.source else { panic!("{key}: {rendered:?}") };
        assert!(failure.to_string().contains(expected), "{key}: {failure}");
        assert_eq!(rendered.value, key, "the built-in text of an unknown key is the key");
        let ordinary = slot.render(&message("erp-no-results"), "en").await;
        assert_eq!(ordinary.value, "No search results found in ERP system");
        assert!(!ordinary.is_fallback(), "after {key}");
    }
}

/// A client that configured its thresholds keeps them while its plugin fails: the fallback
/// decides with the slot's values, not the seed's.
#[tokio::test]
async fn a_failing_search_plugin_falls_back_with_the_configured_thresholds() {
    let runtime = runtime(Capabilities::default());
    let config = "offer-erp-at-most = 3\nerp-show-at-most = 10\nwaiting-window-after-ms = 250";
    let slot: Slot<SearchPolicyKind> =
        Slot::new(Some(load(&runtime, &spec(artifacts::HOSTILE_SEARCH, &[Capability::Ui], config)).await.unwrap()));
    let refined = |count| LocalSearchOutcome { result_count: count, criteria_changed: true, ..outcome("trap") };
    let four = slot.after_local_search(&refined(4)).await;
    assert!(matches!(four.source, Source::Fallback { .. }), "{:?}", four.source);
    assert_eq!(four.value.notice, None, "4 results are more than the configured 3: no `local-no-exact-results`");
    assert_eq!(four.value.search_button, SearchButton::Available);
    assert_eq!((four.value.erp_limit, four.value.waiting_window_after_ms), (11, 250));
    let three = slot.after_local_search(&refined(3)).await;
    assert!(three.is_fallback());
    assert_eq!(three.value.notice.unwrap().message.key, "local-no-exact-results");
}

/// A failing texts plugin's fallback shows the texts its policy overrides.
#[tokio::test]
async fn a_failing_texts_plugin_falls_back_with_the_configured_texts() {
    let runtime = runtime(Capabilities::default());
    let config = "texts.en.panic = \"The configured words, {name}\"";
    let slot: Slot<NotificationTextsKind> =
        Slot::new(Some(load(&runtime, &spec(artifacts::HOSTILE_TEXTS, &[], config)).await.unwrap()));
    let message = Message { key: "panic".into(), args: vec![Argument { name: "name".into(), value: "Anna".into() }] };
    let rendered = slot.render(&message, "en").await;
    assert!(rendered.is_fallback(), "{:?}", rendered.source);
    assert_eq!(rendered.value, "The configured words, Anna");
}

/// Each call has a memory of its own: what one call leaves in a static, on the heap and on
/// the stack is gone for the next, also when the pool reuses the memory's pages.
#[tokio::test]
async fn a_call_never_sees_what_an_earlier_call_left_in_memory() {
    let runtime = runtime(Capabilities::default());
    let slot: Slot<NotificationTextsKind> =
        Slot::new(Some(load(&runtime, &spec(artifacts::HOSTILE_TEXTS, &[], "")).await.unwrap()));
    let render = async |key: &str, secret: &str| {
        let rendered = slot.render(&Message { key: key.into(), args: Vec::new() }, secret).await;
        assert!(!rendered.is_fallback(), "{key}: {:?}", rendered.source);
        rendered.value
    };
    let seen = render("remember-and-recall", "card-4417-1234").await;
    assert!(seen.starts_with("found at "), "the plugin cannot see its own call's memory: {seen}");
    for call in 0..50 {
        let secret = format!("card-4417-{call:04}");
        assert_eq!(render("remember", &secret).await, "remembered");
        assert_eq!(render("recall", &secret).await, "nothing", "call {call} saw the previous call's secret");
        assert_eq!(render("count", "en").await, "1", "call {call}: a static survived its instance");
    }
}
