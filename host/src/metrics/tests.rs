use super::*;
use std::sync::Arc;

/// The value of the series `series` (name and labels as rendered), if the text has it.
fn value(text: &str, series: &str) -> Option<String> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ').map(str::to_owned))
}

#[test]
fn a_new_registry_shows_every_reload_outcome_at_zero() {
    let text = Metrics::new().render();
    for outcome in ["applied", "unchanged", "failed"] {
        assert_eq!(value(&text, &format!("pos_reloads_total{{outcome=\"{outcome}\"}}")).as_deref(), Some("0"));
    }
}

#[test]
fn a_call_counts_its_version_time_and_fuel_and_a_failure_its_kind() {
    let metrics = Arc::new(Metrics::new());
    let meter = metrics.plugin("search-policy", "search", "ab12");
    meter.called(Duration::from_micros(12), 4_500);
    meter.called(Duration::from_micros(30), 5_500);
    meter.failed("trap");
    let text = metrics.render();
    let version = r#"plugin="search",sha256="ab12",slot="search-policy""#;
    assert_eq!(value(&text, &format!("pos_plugin_calls_total{{{version}}}")).as_deref(), Some("2"));
    assert_eq!(value(&text, &format!("pos_plugin_call_fuel_sum{{{version}}}")).as_deref(), Some("10000"));
    assert_eq!(
        value(&text, &format!("pos_plugin_call_duration_seconds_bucket{{{version},le=\"0.000025\"}}")).as_deref(),
        Some("1")
    );
    assert_eq!(
        value(&text, &format!("pos_plugin_failures_total{{kind=\"trap\",{version}}}")).as_deref(),
        Some("1"),
        "{text}"
    );
    assert_eq!(
        value(&text, r#"pos_plugin_fallbacks_total{reason="failure",slot="search-policy"}"#).as_deref(),
        Some("1")
    );
}

#[test]
fn only_the_latest_versions_of_a_slot_keep_their_series() {
    let metrics = Arc::new(Metrics::new());
    let versions: Vec<String> = (0..=KEPT_VERSIONS).map(|n| format!("sha{n}")).collect();
    for sha in &versions {
        let meter = metrics.plugin("search-policy", "search", sha);
        meter.called(Duration::from_micros(10), 1);
        meter.failed("timeout");
        // Loaded again (a reload that changed only another slot): still one version.
        metrics.plugin("search-policy", "search", sha);
    }
    // Another slot's versions are its own.
    metrics.plugin("notification-texts", "texts", "sha0").called(Duration::from_micros(10), 1);
    let text = metrics.render();
    let calls = |slot: &str, sha: &str| {
        value(
            &text,
            &format!(
                "pos_plugin_calls_total{{plugin=\"{}\",sha256=\"{sha}\",slot=\"{slot}\"}}",
                match slot {
                    "search-policy" => "search",
                    _ => "texts",
                }
            ),
        )
    };
    assert_eq!(calls("search-policy", "sha0"), None, "the oldest of {} versions is forgotten", KEPT_VERSIONS + 1);
    assert!(!text.contains(r#"sha256="sha0",slot="search-policy""#), "{text}");
    for sha in &versions[1..] {
        assert_eq!(calls("search-policy", sha).as_deref(), Some("1"), "{sha}");
    }
    assert_eq!(calls("notification-texts", "sha0").as_deref(), Some("1"));
}

fn backlog(caught_up_at: Option<i64>) -> Backlog {
    Backlog {
        phase: "incremental",
        caught_up_at,
        pending: 2,
        conflicts: 1,
        oldest_pending: Some(40_000),
        web_writes: 0,
    }
}

#[test]
fn the_lag_is_the_time_since_the_feed_was_last_caught_up_and_infinite_before() {
    let metrics = Metrics::new();
    metrics.backlog(&backlog(Some(55_500)), true, 100_000);
    let text = metrics.render();
    assert_eq!(value(&text, "pos_sync_lag_seconds").as_deref(), Some("44.5"));
    assert_eq!(value(&text, "pos_sync_caught_up_timestamp_seconds").as_deref(), Some("55.5"));
    assert_eq!(value(&text, r#"pos_sync_phase{phase="incremental"}"#).as_deref(), Some("1"));
    assert_eq!(value(&text, r#"pos_sync_phase{phase="full"}"#).as_deref(), Some("0"));
    assert_eq!(value(&text, r#"pos_outbox_entries{state="pending"}"#).as_deref(), Some("2"));
    assert_eq!(value(&text, r#"pos_outbox_entries{state="conflict"}"#).as_deref(), Some("1"));
    assert_eq!(value(&text, "pos_outbox_oldest_age_seconds").as_deref(), Some("60"));

    metrics.backlog(&backlog(None), true, 100_000);
    let lag: f64 = value(&metrics.render(), "pos_sync_lag_seconds").unwrap().parse().unwrap();
    assert_eq!(lag, f64::INFINITY, "never caught up: as far behind as can be");

    // A till that keeps no ERP customers (local-only) has no lag to show.
    metrics.backlog(&backlog(Some(55_500)), false, 100_000);
    assert_eq!(value(&metrics.render(), "pos_sync_lag_seconds"), None);
}
