//! Retention (`host.retention`): audit entries past their time keep the decision and lose
//! the people's data; an ERP customer the operator only looked up leaves the till after its
//! time, one selected or edited stays; the policy's settings are checked.

use crate::http_api::{serve, serve_policy};
use axum::http::StatusCode;
use pos_host::Policy;
use pos_host::store::retention::Pruned;
use pos_host::store::web::{self, AuditEntry};
use pos_tests::sim::AdminCustomer;
use serde_json::json;
use std::time::Duration;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn decision(at: i64, last_name: &str) -> AuditEntry {
    let record = json!({ "web": { "first_name": "Zofia", "last_name": last_name, "email": "zofia@example.pl",
                                  "phone": "+48 601 234 567", "city": "Kraków" } });
    AuditEntry {
        id: 0,
        at,
        workstation: "POS-01".into(),
        action: "take-over-web".into(),
        web_id: Some("W-1".into()),
        number: Some("K-9".into()),
        outcome: "applied".into(),
        before: Some(record.clone()),
        after: Some(record),
        summary: Some(json!({ "key": "take-over-web", "args": [{ "name": "last-name", "value": last_name }] })),
        plugin: "web-merge-rules".into(),
        plugin_version: None,
        detail: Some(format!("{last_name} was taken over")),
    }
}

#[tokio::test]
async fn old_decisions_lose_their_personal_data_and_customers_only_looked_up_leave_the_till() {
    let erp = (1..=3).map(|i| AdminCustomer::new(&format!("E-{i:04}"), &format!("Jan{i}"), "Nowak")).collect();
    let s = serve(Vec::new(), erp, Duration::from_secs(30), None).await;
    let now = pos_host::runtime::now_ms() as i64;
    s.host
        .store()
        .write(move |tx| -> Result<(), pos_host::store::StoreError> {
            web::audit(tx, &decision(now - 400 * DAY_MS, "Brzęczyszczykiewicz"))?;
            web::audit(tx, &decision(now - 10 * DAY_MS, "Szczebrzeszyńska"))?;
            Ok(())
        })
        .await
        .unwrap();

    // E-0001 previewed only; E-0002 previewed, then selected; E-0003 edited.
    let session = s.session().await;
    for (number, action) in [("E-0001", "preview"), ("E-0002", "preview"), ("E-0002", "select"), ("E-0003", "edit")] {
        let (status, opened) = s
            .post(&format!("/api/search/sessions/{session}/open"), json!({ "number": number, "action": action }))
            .await;
        assert_eq!(status, StatusCode::OK, "{opened}");
        assert!(opened["opened"].is_object(), "{number} {action}: {opened}");
    }

    // A month later, nothing is due yet but what is.
    assert_eq!(
        s.host.apply_retention_at(now + 29 * DAY_MS).await.unwrap(),
        Pruned { audit_pseudonymized: 1, looked_up_removed: 0, recordings_removed: 0 }
    );
    let pruned = s.host.apply_retention_at(now + 31 * DAY_MS).await.unwrap();
    assert_eq!(pruned, Pruned { audit_pseudonymized: 0, looked_up_removed: 1, recordings_removed: 0 });
    assert_eq!(
        s.host.apply_retention_at(now + 31 * DAY_MS).await.unwrap(),
        Pruned::default(),
        "a second pass finds nothing"
    );

    assert_eq!(s.get("/api/customers/E-0001").await.0, StatusCode::NOT_FOUND, "only looked up: gone");
    for kept in ["E-0002", "E-0003"] {
        assert_eq!(s.get(&format!("/api/customers/{kept}")).await.0, StatusCode::OK, "{kept} was selected or edited");
    }
    let trail = s.host.store().read(|c| web::audit_trail(c, 10)).await.unwrap();
    let old = trail.iter().find(|e| e.at == now - 400 * DAY_MS).unwrap();
    let text = serde_json::to_string(old).unwrap();
    for personal in ["Zofia", "Brzęczyszczykiewicz", "zofia@example.pl", "601 234 567", "Kraków"] {
        assert!(!text.contains(personal), "{personal} is still in the old decision: {text}");
    }
    assert_eq!(
        (old.action.as_str(), old.outcome.as_str(), old.number.as_deref()),
        ("take-over-web", "applied", Some("K-9"))
    );
    let recent = trail.iter().find(|e| e.at == now - 10 * DAY_MS).unwrap();
    assert!(serde_json::to_string(recent).unwrap().contains("Szczebrzeszyńska"), "a recent decision keeps its data");

    // Looked up again, it comes back from the ERP.
    let (status, opened) = s
        .post(&format!("/api/search/sessions/{session}/open"), json!({ "number": "E-0001", "action": "preview" }))
        .await;
    assert_eq!((status, opened["opened"]["customer"]["first_name"].as_str()), (StatusCode::OK, Some("Jan1")));
}

#[test]
fn the_retention_settings_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(
        &path,
        "[host]\nretention = { audit-personal-days = 0, looked-up-days = \"soon\", recorded-days = 3 }\n",
    )
    .unwrap();
    let problems = Policy::load(&path).err().unwrap().to_string();
    for expected in [
        "host.retention.audit-personal-days: 0 is out of range; expected 1 to 36500",
        "host.retention.looked-up-days: expected a number of days (1 to 36500) or \"forever\"",
        "host.retention.recorded-days: unknown key",
    ] {
        assert!(problems.contains(expected), "missing {expected:?} in:\n{problems}");
    }
    let policy = "[host]\nretention = { audit-personal-days = \"forever\", looked-up-days = 7, recordings-days = \"forever\" }\n";
    std::fs::write(&path, policy).unwrap();
    let retention = Policy::load(&path).unwrap().host.retention;
    assert_eq!(
        (retention.audit_personal_days, retention.looked_up_days, retention.recordings_days),
        (None, Some(7), None)
    );
}

#[tokio::test]
async fn recordings_past_their_time_are_removed_and_the_one_being_written_is_kept() {
    let s = serve_policy(Vec::new(), Vec::new(), crate::recording::recording_policy(&["search-policy"])).await;
    let session = s.session().await;
    let (status, screen) = s.post(&format!("/api/search/sessions/{session}/local"), json!({ "phrase": "Nowak" })).await;
    assert_eq!(status, StatusCode::OK, "{screen}");
    let writing = crate::recording::recorded(&s, "search-policy").await.recording.expect("the slot records").file;
    let dir = writing.parent().unwrap();
    let old = dir.join("search-policy-20261001T080000Z-4242.toml");
    let other = dir.join("notes.toml");
    let recent = dir.join("web-merge-rules-20261201T080000Z-4242.toml");
    for file in [&old, &other, &recent] {
        std::fs::write(file, "# a file\n").unwrap();
    }
    let now = pos_host::runtime::now_ms() as i64;
    let days_ago = |days: i64| std::time::UNIX_EPOCH + Duration::from_millis((now - days * DAY_MS) as u64);
    for (file, days) in [(&old, 31), (&other, 400), (&writing, 400), (&recent, 29)] {
        std::fs::File::options().append(true).open(file).unwrap().set_modified(days_ago(days)).unwrap();
    }

    let pruned = s.host.apply_retention_at(now).await.unwrap();
    assert_eq!(pruned.recordings_removed, 1, "{pruned:?}");
    assert!(!old.exists(), "a recording older than 30 days is removed");
    for kept in [&other, &writing, &recent] {
        assert!(kept.exists(), "{} is kept", kept.display());
    }
}
