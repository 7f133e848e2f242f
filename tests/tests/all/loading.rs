//! Loading: what is refused at load and why, and the compilation cache.

use pos_host::Capability;
use pos_host::caps::Capabilities;
use pos_host::runtime::{Compiled, LoadError, LoadProblem, PluginSpec, Runtime};
use pos_host::slots::{NotificationTextsKind, SearchPolicyKind};
use pos_tests::{artifacts, load, runtime, spec};

async fn refuse_texts(path: &str, grants: &[Capability]) -> LoadError {
    let runtime = runtime(Capabilities::default());
    load::<NotificationTextsKind>(&runtime, &spec(path, grants, "")).await.err().expect("refused")
}

fn write_temp(bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plugin.wasm");
    std::fs::write(&path, bytes).unwrap();
    (dir, path.display().to_string())
}

#[tokio::test]
async fn the_wrong_world_is_refused() {
    let error = refuse_texts(artifacts::HOSTILE_SEARCH, &[]).await;
    assert!(matches!(error.problem, LoadProblem::WrongWorld { found_slot: Some("search-policy"), .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "cannot load plugin {} for slot `notification-texts`: it exports `pos:plugin/search-decisions@0.2.0` \
             (the `search-policy` world), but this slot needs `pos:plugin/texts@0.2.0`",
            artifacts::HOSTILE_SEARCH
        )
    );
}

#[tokio::test]
async fn another_wit_version_is_refused() {
    let error = refuse_texts(artifacts::OTHER_VERSION, &[]).await;
    assert!(
        error.to_string().ends_with(
            "it was built against `pos:plugin@0.9.0`, but this host supports pos:plugin@0.1.0, pos:plugin@0.2.0"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn an_ungranted_capability_is_refused_and_a_granted_one_loads() {
    let error = refuse_texts(artifacts::UNGRANTED, &[]).await;
    let LoadProblem::Ungranted { capability, .. } = &error.problem else { panic!("{error}") };
    assert_eq!(*capability, Capability::Erp);
    assert!(
        error
            .to_string()
            .contains("it imports the `erp` capability (`pos:plugin/erp@0.2.0`), which the slot does not grant")
    );
    let runtime = runtime(Capabilities::default());
    load::<NotificationTextsKind>(&runtime, &spec(artifacts::UNGRANTED, &[Capability::Erp], "")).await.unwrap();
}

#[tokio::test]
async fn damaged_files_are_refused() {
    let good = std::fs::read(artifacts::NOTIFICATION_TEXTS).unwrap();
    let (_dir, truncated) = write_temp(&good[..good.len() / 2]);
    let error = refuse_texts(&truncated, &[]).await;
    assert!(matches!(error.problem, LoadProblem::Invalid(_)), "{error}");
    assert!(error.to_string().contains("not a valid component (truncated or corrupted?)"), "{error}");

    let mut corrupted = good.clone();
    corrupted[8..64].fill(0xff);
    let (_dir, corrupted) = write_temp(&corrupted);
    assert!(matches!(refuse_texts(&corrupted, &[]).await.problem, LoadProblem::Invalid(_)));

    let (_dir, core) = write_temp(b"\0asm\x01\0\0\0");
    let error = refuse_texts(&core, &[]).await;
    assert!(error.to_string().contains("a core WebAssembly module, not a component"), "{error}");

    let (_dir, text) = write_temp(b"#!/bin/sh\necho not wasm\n");
    assert!(matches!(refuse_texts(&text, &[]).await.problem, LoadProblem::NotWasm));

    let (_dir, empty) = write_temp(b"");
    assert!(matches!(refuse_texts(&empty, &[]).await.problem, LoadProblem::NotWasm));

    let missing = refuse_texts("/nonexistent/plugin.wasm", &[]).await;
    assert!(missing.to_string().starts_with(
        "cannot load plugin /nonexistent/plugin.wasm for slot `notification-texts`: cannot read the file"
    ));
}

#[tokio::test]
async fn a_refused_config_names_the_plugins_words() {
    let runtime = runtime(Capabilities::default());
    let refused = load::<NotificationTextsKind>(&runtime, &spec(artifacts::HOSTILE_TEXTS, &[], "refuse = true"))
        .await
        .err()
        .unwrap();
    assert!(
        refused.to_string().contains(
            "it refused its config: test.toml:4:10: slots.search-policy.config.refuse: this plugin refuses on purpose"
        ),
        "{refused}"
    );
}

#[tokio::test]
async fn a_refusal_naming_no_problem_is_still_a_problem() {
    let runtime = runtime(Capabilities::default());
    let config = "refuse-silently = true";
    let refused = load::<NotificationTextsKind>(&runtime, &spec(artifacts::HOSTILE_TEXTS, &[], config)).await.err();
    let refused = refused.expect("refused");
    let LoadProblem::Config(problems) = &refused.problem else { panic!("{refused}") };
    assert_eq!(
        problems,
        &["test.toml:3:1: slots.search-policy.config: refused by the plugin's validate-config, which named no problem"]
    );
}

#[tokio::test]
async fn the_second_load_comes_from_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(Capabilities::default(), Some(cache.path().to_owned())).unwrap();
    let spec = PluginSpec::new(artifacts::SEARCH_THRESHOLDS);
    let cold = load::<SearchPolicyKind>(&runtime, &spec).await.unwrap();
    assert_eq!(cold.info.compiled, Compiled::Fresh);
    let warm = load::<SearchPolicyKind>(&runtime, &spec).await.unwrap();
    assert_eq!(warm.info.compiled, Compiled::Cached);
    assert_eq!(cold.info.sha256, warm.info.sha256);

    // A damaged entry is recompiled, not an error.
    let entry = std::fs::read_dir(cache.path()).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&entry, b"garbage").unwrap();
    let again = load::<SearchPolicyKind>(&runtime, &spec).await.unwrap();
    assert_eq!(again.info.compiled, Compiled::Fresh);
    assert_eq!(load::<SearchPolicyKind>(&runtime, &spec).await.unwrap().info.compiled, Compiled::Cached);
}

#[tokio::test]
async fn without_a_cache_every_load_compiles() {
    let runtime = Runtime::new(Capabilities::default(), None).unwrap();
    let spec = PluginSpec::new(artifacts::SEARCH_THRESHOLDS);
    for _ in 0..2 {
        assert_eq!(load::<SearchPolicyKind>(&runtime, &spec).await.unwrap().info.compiled, Compiled::Fresh);
    }
}
