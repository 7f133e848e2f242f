//! The JavaScript build of the notification-texts plugin (`plugins/js/notification-texts`),
//! loaded by the unchanged host through the `js-texts` client policy: the words of the Rust
//! plugin for every key and locale, its config errors, and the seed-1 search flow.

use crate::customer;
use pos_host::bindings::search::{ResultList, RetrieveAction};
use pos_host::bindings::{Argument, Customer, Message, SearchQuery};
use pos_host::caps::{Capabilities, Erp};
use pos_host::erp::{ErpClient, ErpConfig};
use pos_host::flows::search::{Screen, SearchFlow};
use pos_host::runtime::{Limits, LoadProblem, PluginSpec, Slot};
use pos_host::slots::NotificationTextsKind;
use pos_host::store::Store;
use pos_host::{Plugins, Policy, Runtime, SlotId, Source};
use pos_seed_rules::texts::{TEXTS, lookup};
use pos_tests::sim::{self, AdminCustomer, Fault, FaultMode, SimConfig};
use pos_tests::{artifacts, js_plugin, load, runtime, shared_cache, spec};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

/// Compiles the JavaScript component into the shared cache before any test loads it: it takes
/// about 25 s, and every test starting to load it while the cache is empty would compile it too.
async fn compiled_once() {
    static COMPILED: OnceCell<()> = OnceCell::const_new();
    COMPILED
        .get_or_init(|| async {
            let runtime = runtime(Capabilities::default());
            load::<NotificationTextsKind>(&runtime, &PluginSpec::new(js_plugin::component()))
                .await
                .unwrap_or_else(|error| panic!("{error}"));
        })
        .await;
}

/// The plugins of the `js-texts` policy, reaching `caps`.
async fn js_plugins(caps: Capabilities) -> (tempfile::TempDir, Policy, Plugins) {
    compiled_once().await;
    let (dir, path) = js_plugin::policy();
    let policy = Policy::load(&path).unwrap_or_else(|errors| panic!("{errors}"));
    let runtime = Runtime::new(caps, Some(shared_cache())).unwrap();
    let plugins = Plugins::load(&runtime, &policy)
        .await
        .unwrap_or_else(|errors| panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    assert_eq!(&*plugins.texts.current().expect("the texts slot has a plugin").info.name, js_plugin::NAME);
    (dir, policy, plugins)
}

pub async fn rust_texts(config: &str) -> Slot<NotificationTextsKind> {
    let runtime = runtime(Capabilities::default());
    Slot::new(Some(load(&runtime, &spec(artifacts::NOTIFICATION_TEXTS, &[], config)).await.unwrap()))
}

async fn js_texts(config: &str) -> Slot<NotificationTextsKind> {
    compiled_once().await;
    let runtime = runtime(Capabilities::default());
    let spec = spec(js_plugin::component().to_str().unwrap(), &[], config);
    Slot::new(Some(load(&runtime, &spec).await.unwrap_or_else(|error| panic!("{error}"))))
}

pub fn message(key: &str, args: &[(&str, &str)]) -> Message {
    Message {
        key: key.into(),
        args: args.iter().map(|(n, v)| Argument { name: (*n).into(), value: (*v).into() }).collect(),
    }
}

/// Renders every message in every locale through both plugins and compares the texts.
async fn assert_same_texts(
    js: &Slot<NotificationTextsKind>,
    rust: &Slot<NotificationTextsKind>,
    keys: &[&str],
    locales: &[&str],
    args: &[(&str, &str)],
) -> usize {
    let mut compared = 0;
    for key in keys {
        for locale in locales {
            for args in [&[][..], args] {
                let message = message(key, args);
                let (from_js, from_rust) = (js.render(&message, locale).await, rust.render(&message, locale).await);
                assert_eq!(from_js.value, from_rust.value, "{key} in {locale:?} with {args:?}");
                assert_eq!(from_js.source, Source::Plugin(js_plugin::NAME.into()), "{key} in {locale:?}");
                assert_eq!(from_rust.source, Source::Plugin("notification_texts".into()), "{key} in {locale:?}");
                compared += 1;
            }
        }
    }
    assert_eq!(js.stats().failures(), 0, "{:?}", js.stats().last_failure());
    compared
}

#[tokio::test]
async fn renders_what_the_rust_plugin_renders_for_every_key_and_locale() {
    let (_dir, policy, plugins) = js_plugins(Capabilities::default()).await;
    let rust = rust_texts("").await;
    let mut keys: Vec<&str> = TEXTS.iter().map(|text| text.key).collect();
    // Keys without a text, some of them names every JavaScript object inherits.
    keys.extend(["no-such-key", "", "constructor", "__proto__", "toString"]);
    let args = [
        ("web-last-name", "Jansen"),
        ("local-last-name", "de Vries"),
        ("web-id", "W-000001"),
        ("number", "K-0000117"),
        ("name", "Zoë Wójcik 😀 {number}"),
        ("number", "a second value, never used"),
        ("unused", "x"),
    ];
    let locales = ["en", "pl", "nl", "de", "", "EN", "constructor", "__proto__"];
    let compared = assert_same_texts(&plugins.texts, &rust, &keys, &locales, &args).await;
    assert_eq!(compared, keys.len() * locales.len() * 2);
    let limits = policy.slot(SlotId::NotificationTexts).unwrap().limits;
    assert!(limits.memory_mib >= 10, "the policy leaves the engine too little memory: {limits:?}");
}

#[tokio::test]
async fn config_overrides_render_as_in_the_rust_plugin() {
    let config = "texts.en.erp-no-results = \"Nothing in the ERP for {phrase}\"\n\
                  texts.en.edge = \"{a}{b} {missing} {} {{a}} }{a}{ {unclosed\"\n\
                  texts.nl.brand-new = \"Nieuw\"\n\
                  texts.de.local-no-results = \"Keine Treffer für {phrase}\"\n\
                  texts.pl-PL.erp-no-results = \"Brak\"";
    let (js, rust) = (js_texts(config).await, rust_texts(config).await);
    let keys = ["erp-no-results", "edge", "brand-new", "local-no-results", "erp-too-many-results"];
    let locales = ["en", "nl", "de", "pl", "pl-PL"];
    let args = [("a", "1"), ("a", "2"), ("b", "{a}"), ("phrase", "Kowal")];
    assert_same_texts(&js, &rust, &keys, &locales, &args).await;
    let edge = js.render(&message("edge", &args), "en").await.value;
    assert_eq!(edge, "1{a} {missing} {} {{a}} }1{ {unclosed");
}

/// What `validate-config` says about `config`: `Ok` or the problems as the host reports them.
pub async fn config_verdict(component: &str, config: &str) -> Result<(), Vec<String>> {
    let runtime = runtime(Capabilities::default());
    match load::<NotificationTextsKind>(&runtime, &spec(component, &[], config)).await {
        Ok(_) => Ok(()),
        Err(error) => match error.problem {
            LoadProblem::Config(problems) => Err(problems),
            _ => panic!("{config:?}: {error}"),
        },
    }
}

/// Texts configs, accepted and refused: each plugin of the slot must give the Rust plugin's
/// verdict, with its problems, on every one.
pub fn texts_configs() -> Vec<(String, bool)> {
    let chars = |c: &str, n: usize| c.repeat(n);
    let accepted = [
        String::new(),
        "texts.en.erp-no-results = \"Nothing for {phrase}\"\ntexts.nl.brand-new = \"Nieuw\"".into(),
        "texts.pl-PL.x = \"a\"\ntexts.en.\"a.b\" = \"dotted\"\ntexts.en.when = 1979-05-27".into(),
        format!("texts.en.a = \"{}\"\ntexts.en.b = \"{}\"", chars("ł", 1000), chars("😀", 1000)),
        // Not white space to Rust, though JavaScript's `trim` removes it (not leading: see
        // `a_leading_byte_order_mark_is_lost_on_the_way_into_javascript`).
        "texts.en.bom = \" \\uFEFF \"".into(),
        // Not white space to Rust, though Python's `isspace` says it is.
        "texts.en.sep = \"\\u001C\"".into(),
    ];
    let refused = [
        "texts.en.x = \"  \"\ntexts.en.y = 5\ncolour = \"red\"".to_owned(),
        // White space to Rust, though JavaScript's `trim` keeps it.
        "texts.en.nel = \"\\u0085\"".into(),
        "texts.en.ws = \"\\u3000\\t\\n \"".into(),
        format!("texts.en.a = \"{}\"", chars("ł", 1001)),
        format!("texts.en.b = \"{}\"", chars("😀", 1001)),
        "texts.x = \"no locale\"".into(),
        "texts = \"a table was expected\"".into(),
        "texts.\"e n\".k = \"a\"\ntexts.\"\".k = \"b\"\ntexts.\"é\".k = \"c\"\ntexts.en.\"\" = \"d\"".into(),
        "texts.en.f = 1.5\ntexts.en.b = true\ntexts.en.l = [\"a\"]".into(),
        "a = 1\nb.c = 2\ntexts.en.k = 3\ntexts.nl.k = \"fine\"\ntexts.x.y.z = \"\"".into(),
    ];
    accepted.into_iter().map(|c| (c, true)).chain(refused.into_iter().map(|c| (c, false))).collect()
}

#[tokio::test]
async fn config_is_validated_as_in_the_rust_plugin() {
    compiled_once().await;
    let js = js_plugin::component();
    let js = js.to_str().unwrap();
    for (config, should_pass) in texts_configs() {
        let from_rust = config_verdict(artifacts::NOTIFICATION_TEXTS, &config).await;
        assert_eq!(from_rust.is_ok(), should_pass, "{config:?}: {from_rust:?}");
        assert_eq!(config_verdict(js, &config).await, from_rust, "{config:?}");
    }
}

#[tokio::test]
async fn the_engine_needs_ten_mib_of_memory() {
    compiled_once().await;
    let runtime = runtime(Capabilities::default());
    let with_memory = |memory_mib| PluginSpec {
        limits: Limits { memory_mib, ..Limits::default() },
        ..PluginSpec::new(js_plugin::component())
    };
    let error = load::<NotificationTextsKind>(&runtime, &with_memory(8)).await.err().expect("8 MiB are too few");
    assert!(error.to_string().contains("tried to grow its memory past the cap"), "{error}");
    load::<NotificationTextsKind>(&runtime, &with_memory(10)).await.unwrap_or_else(|error| panic!("{error}"));
}

#[tokio::test]
async fn a_bad_override_in_the_policy_is_reported_at_its_place() {
    compiled_once().await;
    let (dir, _) = js_plugin::policy();
    let workstation = dir.path().join("clients/kassa-2.toml");
    std::fs::write(&workstation, "extends = \"js-texts.toml\"\n[slots.notification-texts.config]\ntexts.en.x = 5\n")
        .unwrap();
    let policy = Policy::load(&workstation).unwrap_or_else(|errors| panic!("{errors}"));
    let errors = Plugins::load(&runtime(Capabilities::default()), &policy).await.err().expect("refused");
    let all = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    let expected = format!(
        "{}:3:14: slots.notification-texts.config.texts.en.x: must be a string, found an integer",
        workstation.display()
    );
    assert!(all.contains(&expected), "{all}");
}

/// The policy's limits hold for the most expensive load and call a valid config allows: every
/// text overridden in three locales, and the longest override (1000 characters, emoji counting
/// one each), full of placeholders, rendered with many arguments.
#[tokio::test]
async fn the_policy_leaves_room_for_the_largest_config() {
    compiled_once().await;
    let (dir, _) = js_plugin::policy();
    let workstation = dir.path().join("clients/kassa-3.toml");
    let mut config = String::from("extends = \"js-texts.toml\"\n[slots.notification-texts.config]\n");
    for locale in ["en", "pl", "nl"] {
        for text in TEXTS {
            config += &format!(
                "texts.{locale}.{} = \"Tekst {{number}} dla {locale}, całkiem długi jak prawdziwy\"\n",
                text.key
            );
        }
    }
    let longest: String = (0..100).map(|i| format!("ł{{a{i:02}}}ó")).collect::<String>() + &"😀".repeat(300);
    assert_eq!(longest.chars().count(), 1000);
    config += &format!("texts.pl.k = \"{longest}\"\n");
    std::fs::write(&workstation, config).unwrap();
    let policy = Policy::load(&workstation).unwrap_or_else(|errors| panic!("{errors}"));
    let plugins = Plugins::load(&runtime(Capabilities::default()), &policy)
        .await
        .unwrap_or_else(|errors| panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    let names: Vec<String> = (0..150).map(|i| format!("a{i:02}")).collect();
    let args: Vec<(&str, &str)> = names.iter().map(|name| (name.as_str(), "Wartość")).collect();
    let rendered = plugins.texts.render(&message("k", &args), "pl").await;
    assert_eq!(rendered.source, Source::Plugin(js_plugin::NAME.into()), "{:?}", plugins.texts.stats().last_failure());
    assert_eq!(rendered.value, "łWartośćó".repeat(100) + &"😀".repeat(300));
}

/// The seed document's texts, verbatim, in English; the other locales' are the shipped ones.
fn seed_text(key: &str, locale: &str) -> &'static str {
    let english = match key {
        "local-no-results" => "No search results. Do you want to continue searching also in the ERP system?",
        "local-no-exact-results" => {
            "No exact search results. Do you want to continue searching also in the ERP system?"
        }
        "erp-connection-failed" => "Failed to search in the ERP system. Connection with data service not established.",
        "erp-too-many-results" => {
            "A considerable number of results have been found in the ERP system. Enter additional data and search again."
        }
        "erp-no-results" => "No search results found in ERP system",
        "erp-retrieve-failed" => "Unable to retrieve the customer. Connection with the data service not established",
        _ => panic!("{key} is not a seed text"),
    };
    if locale == "en" { english } else { lookup(key).unwrap().in_locale(locale).unwrap() }
}

fn query(phrase: &str) -> SearchQuery {
    SearchQuery { phrase: phrase.into(), filters: Vec::new(), include_inactive: false }
}

/// The notice's key and text.
fn notice(screen: &Screen) -> Option<(&str, &str)> {
    screen.notice.as_ref().map(|n| (n.key.as_str(), n.text.as_str()))
}

#[tokio::test]
async fn the_seed_1_search_flow_shows_every_seed_text_from_the_js_plugin() {
    for locale in ["en", "pl", "nl"] {
        let sim = sim::start(SimConfig::new(0, 1)).await.unwrap();
        let erp_customers =
            (1..=7).map(|i| AdminCustomer::new(&format!("E-{i:04}"), &format!("Jan{i}"), "Nowak")).chain(
                (1..=3).map(|i| AdminCustomer::new(&format!("E-{:04}", 100 + i), &format!("Ewa{i}"), "Lewandowska")),
            );
        for customer in erp_customers {
            sim.upsert_customer(customer).await.unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pos.sqlite")).unwrap();
        let locals: Vec<Customer> =
            (1..=9).map(|i| customer(Some(&format!("L-{i:04}")), &format!("Adam{i}"), "Kowalski")).collect();
        for local in locals {
            store.save(local).await.unwrap();
        }
        let config = ErpConfig { url: sim.erp_url(), workstation: "POS-01".into(), timeout: Duration::from_secs(2) };
        let erp: Arc<dyn Erp> = Arc::new(ErpClient::new(config).unwrap());
        let caps = Capabilities { local_db: Arc::new(store.clone()), erp: erp.clone(), ..Capabilities::default() };
        let (_policy_dir, _, plugins) = js_plugins(caps).await;
        let plugins = Arc::new(plugins);
        let flow = SearchFlow { store, erp, plugins: plugins.clone(), locale: locale.into(), online_search: true };
        let expect = |screen: &Screen, key: &str| {
            assert_eq!(notice(screen), Some((key, seed_text(key, locale))), "{locale}");
        };
        let search_erp = async |session: &mut pos_host::flows::search::SearchSession| {
            session.search_erp(&CancellationToken::new(), || {}).await
        };

        expect(&flow.session().search(query("Wiśniewski")).await.unwrap(), "local-no-results");

        let mut session = flow.session();
        assert_eq!(notice(&session.search(query("Kowalski")).await.unwrap()), None);
        expect(&session.search(query("Kowalski Adam1")).await.unwrap(), "local-no-exact-results");

        let mut session = flow.session();
        session.search(query("Nowak")).await.unwrap();
        expect(&search_erp(&mut session).await, "erp-too-many-results");

        let mut session = flow.session();
        session.search(query("Zielińska")).await.unwrap();
        expect(&search_erp(&mut session).await, "erp-no-results");

        let mut session = flow.session();
        session.search(query("Lewandowska")).await.unwrap();
        assert_eq!(search_erp(&mut session).await.list, ResultList::Erp);
        sim.set_fault(Fault::new(FaultMode::Refuse)).await.unwrap();
        let screen = session.open("E-0102", RetrieveAction::Select).await.unwrap().expect_err("connection lost");
        expect(&screen, "erp-retrieve-failed");

        let mut session = flow.session();
        session.search(query("Kowalski")).await.unwrap();
        expect(&search_erp(&mut session).await, "erp-connection-failed");

        let stats = plugins.texts.stats();
        assert!(stats.calls() >= 7, "every notice was rendered by the plugin: {} calls", stats.calls());
        assert_eq!(stats.failures(), 0, "{:?}", stats.last_failure());
    }
}

/// componentize-js decodes every string the host passes with a `TextDecoder`, which drops a
/// leading U+FEFF (byte order mark): the one place where the two plugins differ.
#[tokio::test]
async fn a_leading_byte_order_mark_is_lost_on_the_way_into_javascript() {
    let config = "texts.en.k = \"\\uFEFFHallo {name}\"";
    let (js, rust) = (js_texts(config).await, rust_texts(config).await);
    let greeting = message("k", &[("name", "\u{feff}Jan")]);
    assert_eq!(rust.render(&greeting, "en").await.value, "\u{feff}Hallo \u{feff}Jan");
    assert_eq!(js.render(&greeting, "en").await.value, "Hallo Jan");
    let bom_only = "texts.en.k = \"\\uFEFF\"";
    assert_eq!(config_verdict(artifacts::NOTIFICATION_TEXTS, bom_only).await, Ok(()));
    let js = js_plugin::component();
    let refused = config_verdict(js.to_str().unwrap(), bom_only).await.expect_err("seen as empty");
    assert_eq!(refused, ["test.toml:4:14: slots.search-policy.config.texts.en.k: the text is empty"]);
}

/// The commands the JavaScript plugin guide shows. `cargo xtask test` runs the first before the
/// tests; `the_js_texts_policy_checks_and_its_javascript_plugin_renders` in `host/tests/cli.rs`
/// runs the `pos-host` ones on a copy of the policy.
const GUIDE_COMMANDS: [&str; 3] = [
    "cargo xtask js-plugin",
    "cargo run -p pos-host -- policy check policies/clients/js-texts.toml",
    "cargo run -p pos-host -- texts existing-customer-overwritten --locale nl --arg web-last-name=Jansen \
     --arg local-last-name=\"de Vries\" --policy policies/clients/js-texts.toml",
];

/// The files the guide may quote.
const GUIDE_FILES: [&str; 4] = [
    "plugins/js/notification-texts/wit/world.wit",
    "plugins/js/notification-texts/src/texts.js",
    "plugins/js/package.json",
    "policies/clients/js-texts.toml",
];

/// The "Plugins in JavaScript" section of `docs/plugin-guide.md`.
fn js_guide() -> String {
    let guide = std::fs::read_to_string(pos_tests::root().join("docs/plugin-guide.md")).unwrap_or_default();
    markdown_section(&guide, "Plugins in JavaScript")
        .expect("a \"Plugins in JavaScript\" section in docs/plugin-guide.md")
}

/// The section of `markdown` under the heading `title`, up to the next heading of its level or
/// above; lines in code blocks (a TOML comment, say) are not headings.
fn markdown_section(markdown: &str, title: &str) -> Option<String> {
    let (mut section, mut level, mut fenced) = (Vec::new(), None, false);
    for line in markdown.lines() {
        fenced ^= line.starts_with("```");
        let heading = (!fenced && line.starts_with('#')).then(|| line.chars().take_while(|&c| c == '#').count());
        match (level, heading) {
            (None, Some(depth)) if line[depth..].trim() == title => level = Some(depth),
            (Some(section_level), Some(depth)) if depth <= section_level => break,
            _ => {}
        }
        if level.is_some() {
            section.push(line);
        }
    }
    (!section.is_empty()).then(|| section.join("\n"))
}

#[test]
fn a_merged_guide_section_is_found() {
    let guide =
        "# Plugins\nintro\n## Plugins in JavaScript\ntext\n```toml\n# a comment\n```\n### Limits\nmore\n## Next\nnot\n";
    let section = markdown_section(guide, "Plugins in JavaScript").unwrap();
    assert_eq!(section, "## Plugins in JavaScript\ntext\n```toml\n# a comment\n```\n### Limits\nmore");
    assert_eq!(markdown_section(guide, "Plugins in Python"), None);
}

#[test]
fn the_guide_quotes_real_files_and_commands_the_tests_run() {
    let guide = js_guide();
    let files: Vec<String> =
        GUIDE_FILES.iter().map(|file| std::fs::read_to_string(pos_tests::root().join(file)).unwrap()).collect();
    let (mut lines, mut blocks) = (guide.lines(), 0);
    while let Some(line) = lines.next() {
        let Some(language) = line.strip_prefix("```") else { continue };
        let body: Vec<&str> = lines.by_ref().take_while(|line| !line.starts_with("```")).collect();
        blocks += 1;
        if language == "sh" {
            for command in &body {
                assert!(GUIDE_COMMANDS.contains(command), "the guide shows a command no test runs: {command}");
            }
        } else {
            let body = body.join("\n") + "\n";
            assert!(
                files.iter().any(|file| file.contains(&body)),
                "a {language} block of the guide is in no file:\n{body}"
            );
        }
    }
    assert!(blocks >= 5, "{blocks} code blocks found");
}
