//! No personal data in the log: `pos-host serve` runs the seed flows logging at `debug`
//! (which holds every `info` line and more) and its log is searched for every seeded
//! customer's names, e-mail address and phone number; a plugin that writes what it was
//! given into its log lines, output and panic has it masked.

use pos_tests::sim::{self, AdminCustomer, CustomerFields, Fault, FaultMode, SimConfig, WebCustomerFields};
use pos_tests::{artifacts, root, served, shared_cache};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// A process stopped when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every line `stream` carries, gathered by a thread until the stream closes.
fn gather(stream: impl std::io::Read + Send + 'static) -> (Arc<Mutex<String>>, std::thread::JoinHandle<()>) {
    let log = Arc::new(Mutex::new(String::new()));
    let gathered = log.clone();
    let thread = std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            eprintln!("pos-host serve: {line}");
            let mut log = gathered.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    (log, thread)
}

/// Where `word` stands in `text` as a word of its own (not inside a longer one).
fn word_in(text: &str, word: &str) -> Option<String> {
    let mut from = 0;
    while let Some(at) = text[from..].find(word).map(|i| i + from) {
        let before = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = text[at + word.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            return Some(text[line_start..line_end].to_owned());
        }
        from = at + word.len();
    }
    None
}

struct Api {
    client: reqwest::Client,
    url: String,
    token: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.client.request(method, format!("{}{path}", self.url)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() }
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// The operation `started` once it is done.
    async fn finished(&self, started: Value) -> Value {
        let id = started["id"].as_str().unwrap().to_owned();
        loop {
            let op = self.get(&format!("/api/operations/{id}?wait_ms=5000")).await;
            if op["status"] == "done" {
                return op;
            }
        }
    }

    /// Once every plugin the host started with is compiled: until then their slots' built-in
    /// fallbacks decide, and the connector's cannot reach the ERP.
    async fn compiled(&self) {
        let started = std::time::Instant::now();
        loop {
            let status = self.get("/api/status").await;
            if status["slots"].as_array().unwrap().iter().all(|slot| slot["compiling"].is_null()) {
                return;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(120), "still compiling: {status}");
        }
    }

    /// A web decision, answering "continue" to every question it asks meanwhile.
    async fn decide(self: &Arc<Self>, path: String, body: Value) -> Value {
        let api = self.clone();
        let decision = tokio::spawn(async move { api.post(&path, body).await });
        while !decision.is_finished() {
            for prompt in self.get("/api/prompts?wait_ms=300").await["prompts"].as_array().unwrap() {
                let answer = json!({ "choice": "continue" });
                let url = format!("{}/api/prompts/{}", self.url, prompt["id"]);
                // Answered by the time of this request, or by another round: either is fine.
                let _ = self.client.post(url).bearer_auth(&self.token).json(&answer).send().await;
            }
        }
        decision.await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_flows_write_no_customer_s_personal_data_to_the_log() {
    let sim = sim::start(SimConfig { web_customers: 12, ..SimConfig::new(400, 11) }).await.unwrap();
    // Two people of the seed workflows, with every field the log must never show.
    let zofia = CustomerFields {
        email: Some("zofia.b@example.pl".into()),
        phone: Some("+48 601 234 567".into()),
        tax_id: Some("525-000-12-34".into()),
        street: Some("ul. Szczebrzeszyńska 7".into()),
        postal_code: Some("22-460".into()),
        city: Some("Szczebrzeszyn".into()),
        ..AdminCustomer::new("K-9001", "Zofia", "Brzęczyszczykiewicz").fields
    };
    sim.upsert_customer(AdminCustomer { fields: zofia, ..AdminCustomer::new("K-9001", "", "") }).await.unwrap();
    let web = |first: &str, last: &str, email: &str, phone: &str| WebCustomerFields {
        first_name: first.into(),
        last_name: last.into(),
        email: Some(email.into()),
        phone: Some(phone.into()),
        ..WebCustomerFields::default()
    };
    // The same e-mail address, another last name: the warning names both last names.
    let married =
        sim.register_web_customer(web("Zofia", "Wąsowska", "zofia.b@example.pl", "+48 601 234 567")).await.unwrap();
    let newcomer =
        sim.register_web_customer(web("Sanne", "Oosterhuis", "sanne.o@example.nl", "06 1234 5678")).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    let text = format!(
        "{}\n[host.customers]\nmode = \"sync-all\"\n[host.erp]\nurl = \"{}\"\n[host.webshop]\nurl = \"{}\"\n",
        served::policy_text(),
        sim.erp_url(),
        sim.webshop_url()
    );
    std::fs::write(&policy, text).unwrap();
    let listen = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let token_file = dir.path().join("api-token");
    let mut serve = Command::new(env!("CARGO_BIN_EXE_pos-host"))
        .args(["serve", "--listen", &listen])
        .arg("--policy")
        .arg(&policy)
        .arg("--db")
        .arg(dir.path().join("pos.sqlite"))
        .arg("--token-file")
        .arg(&token_file)
        .current_dir(root())
        .env("POS_HOST_CACHE_DIR", shared_cache())
        .env("RUST_LOG", "debug")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (log, log_thread) = gather(serve.stderr.take().unwrap());
    let mut serving = String::new();
    BufReader::new(serve.stdout.take().unwrap()).read_line(&mut serving).unwrap();
    let serve = Running(serve);
    assert!(serving.starts_with("pos-host: serving"), "{serving}");
    let api = Arc::new(Api {
        client: reqwest::Client::new(),
        url: format!("http://{listen}"),
        token: std::fs::read_to_string(&token_file).unwrap().trim().to_owned(),
    });

    api.compiled().await;

    // Seed 1: the whole list, then searches by name, e-mail, phone, and the ERP's.
    let sync = api.finished(api.post("/api/sync", json!({})).await).await;
    assert!(sync["report"]["customers"]["listed"].as_u64() > Some(0), "{sync}");
    let session = api.post("/api/search/sessions", json!({})).await["session"].as_str().unwrap().to_owned();
    let search = format!("/api/search/sessions/{session}");
    for phrase in ["Brzęczyszczykiewicz", "zofia.b@example.pl", "601 234 567", "Zofia Brz", "Nobody-Such"] {
        api.post(&format!("{search}/local"), json!({ "phrase": phrase })).await;
    }
    let found = api.finished(api.post(&format!("{search}/erp"), json!({})).await).await;
    assert_eq!(found["status"], "done", "{found}");
    api.post(&format!("{search}/local"), json!({ "phrase": "Brzęczyszczykiewicz" })).await;
    let opened = api.post(&format!("{search}/open"), json!({ "number": "K-9001", "action": "edit" })).await;
    assert_eq!(opened["opened"]["customer"]["last_name"], "Brzęczyszczykiewicz", "{opened}");

    // Seed 2: the web edit list, both take-overs, then a local edit sent to the web shop.
    let edits = api.get("/api/web/edits").await;
    assert!(edits["entries"].as_array().unwrap().len() >= 2, "{edits}");
    let candidates = api.get(&format!("/api/web/edits/{}/candidates?search=Brzęczyszczykiewicz", married.id)).await;
    assert_eq!(candidates["candidates"][0]["customer"]["number"], "K-9001", "{candidates}");
    let taken =
        api.decide(format!("/api/web/edits/{}/take-over-local", married.id), json!({ "number": "K-9001" })).await;
    assert_eq!(taken["outcome"], "applied", "{taken}");
    let joined = api.decide(format!("/api/web/edits/{}/take-over-web", newcomer.id), json!({})).await;
    assert_eq!(joined["outcome"], "applied", "{joined}");
    let edited =
        api.call(reqwest::Method::PATCH, "/api/customers/K-9001", Some(json!({ "phone": "+48 602 765 432" }))).await;
    assert_eq!(edited["phone"], "+48 602 765 432", "{edited}");
    let local_edits = api.get("/api/web/local-edits").await;
    assert_eq!(local_edits.as_array().unwrap().len(), 1, "{local_edits}");
    let pushed = api.decide("/api/web/local-edits/K-9001/push".into(), json!({})).await;
    assert_eq!(pushed["outcome"], "applied", "{pushed}");
    api.get("/api/web/audit").await;
    // The edits go to the ERP through the connector; the ERP refuses Zofia's, quoting her.
    let refusal =
        "customer Zofia Brzęczyszczykiewicz (zofia.b@example.pl, +48 602 765 432) was changed by another user";
    let refuse = FaultMode::Refusal { status: 409, message: refusal.into() };
    sim.set_fault(Fault::new(refuse).on_paths(&["/customers/K-9001"])).await.unwrap();
    let sent = api.finished(api.post("/api/sync", json!({})).await).await;
    assert!(sent["report"]["sent"].as_u64() >= Some(1), "the newcomer: {sent}");
    assert!(sent["report"]["parked"].as_u64() >= Some(1), "Zofia's edits: {sent}");

    drop(serve);
    log_thread.join().unwrap();
    let log = log.lock().unwrap().clone();
    assert!(
        log.contains(
            "the ERP refused a change: refused: customer [personal] [personal] ([personal], [personal]) was changed by another user"
        ),
        "the refusal is logged, without the data it quotes: {log}"
    );

    let mut people: Vec<(String, String, Option<String>, Option<String>)> = sim
        .visible_customers("POS-01", false)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.first_name, c.last_name, c.email, c.phone))
        .collect();
    people
        .extend(sim.web_customers().await.unwrap().into_iter().map(|c| (c.first_name, c.last_name, c.email, c.phone)));
    people.push(("Zofia".into(), "Brzęczyszczykiewicz".into(), None, Some("+48 602 765 432".into())));
    assert!(people.len() > 100, "{} people seeded", people.len());
    for (first, last, email, phone) in &people {
        for value in [Some(first), Some(last), email.as_ref(), phone.as_ref()].into_iter().flatten() {
            if value.chars().count() >= 3 {
                assert_eq!(word_in(&log, value), None, "{value:?} is in the log");
            }
        }
    }
}

/// The policy serving the hostile texts plugin, which says what it is given.
fn telling_policy(dir: &std::path::Path) -> std::path::PathBuf {
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, format!("[slots.notification-texts]\nplugin = {:?}\n", artifacts::HOSTILE_TEXTS)).unwrap();
    policy
}

/// `pos-host texts <key>` with a customer's data as the message's arguments, at `log`.
fn tell(key: &str, policy: &std::path::Path, log: &str, flags: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_pos-host"))
        .args(["texts", key, "--arg", "first=Zofia", "--arg", "last=Brzęczyszczykiewicz"])
        .args(["--arg", "email=zofia.b@example.pl", "--arg", "phone=+48 601 234 567"])
        .arg("--policy")
        .arg(policy)
        .args(flags)
        .env("POS_HOST_CACHE_DIR", shared_cache())
        .env("RUST_LOG", log)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    eprintln!("$ pos-host texts {key} {flags:?} (RUST_LOG={log})\n{stderr}");
    assert!(output.status.success(), "{stderr}");
    stderr
}

#[test]
fn a_plugin_s_words_about_a_customer_are_masked_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let policy = telling_policy(dir.path());
    let said = "[personal], [personal], [personal], [personal]";
    let log = tell("tell", &policy, "info", &[]);
    assert!(log.contains(&format!("rendering for {said}")), "the log line: {log}");
    assert!(log.contains(&format!("printed {said}")), "stdout: {log}");
    assert!(log.contains(&format!("complained about {said}")), "stderr: {log}");
    let log = tell("tell-and-panic", &policy, "info", &[]);
    assert!(log.contains(&format!("gave up on {said}")), "the panic: {log}");
    for value in ["Zofia", "Brzęczyszczykiewicz", "zofia.b@example.pl", "601 234 567"] {
        assert!(!log.contains(value), "{value} in {log}");
    }
}

#[test]
fn the_flag_shows_personal_data_in_debug_lines_only() {
    let dir = tempfile::tempdir().unwrap();
    let policy = telling_policy(dir.path());
    let masked = "rendering for [personal], [personal], [personal], [personal]";
    let log = tell("tell", &policy, "debug", &[]);
    assert!(log.contains(&format!("in detail: {masked}")), "debug lines are masked by default: {log}");
    let log = tell("tell", &policy, "debug", &["--log-personal-data"]);
    assert!(
        log.contains("in detail: rendering for Zofia, Brzęczyszczykiewicz, zofia.b@example.pl, +48 601 234 567"),
        "{log}"
    );
    // The plugin's info line, its output and the host's warnings stay masked; the revealed
    // line says which hook call it came from as the masked ones do.
    let info = log.lines().find(|line| line.contains(" INFO ") && line.contains(&format!("plugin: {masked}")));
    assert!(info.is_some(), "{log}");
    let revealed = log.lines().find(|line| line.contains(" DEBUG ")).unwrap();
    assert!(revealed.contains(r#"hook{slot="notification-texts" hook="render""#), "{log}");
    assert!(log.contains("printed [personal]"), "{log}");
}
