//! A real Tryton server for the ERP connector tests: trytond with the `party` and `country`
//! modules, installed by `cargo xtask tryton` with template databases, one of which every
//! server started here gets a copy of. Each test has its own server, database and log, and the server
//! dies with its [`Tryton`].

use crate::root;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// The database name every test server serves, from its copy of the template.
pub const DATABASE: &str = "pos";

/// The administrator's login; its password is in the file `cargo xtask tryton` wrote.
pub const ADMIN: &str = "admin";

/// How long a server may take to load its database and listen: far more than the second or
/// two it takes, for a loaded machine; not a pause, only the bound of the wait for its line.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A trytond process serving a copy of the template database on a loopback port, logged in
/// as [`ADMIN`].
pub struct Tryton {
    /// The JSON-RPC endpoint, `http://127.0.0.1:<port>/pos/rpc/`.
    pub url: String,
    port: u16,
    /// The logged-in user's id.
    pub user_id: i64,
    session: String,
    client: reqwest::Client,
    log: Arc<Mutex<String>>,
    /// `None` while stopped.
    child: Option<Child>,
    dir: tempfile::TempDir,
}

/// Why a call failed.
#[derive(Debug)]
pub enum TrytonError {
    /// The server answered with `{"error": [kind, details]}` (with HTTP 200): a business error
    /// such as `UserError`, or a Python exception's name.
    Server { kind: String, details: Value },
    /// The server refused the request with this HTTP status, such as 401 for a failed login
    /// (its body is an HTML page, not JSON-RPC).
    Status(StatusCode),
    /// No answer, or one that is not JSON-RPC.
    Transport(String),
}

impl fmt::Display for TrytonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrytonError::Server { kind, details } => write!(f, "Tryton answered {kind}: {details}"),
            TrytonError::Status(status) => write!(f, "Tryton answered HTTP {status}"),
            TrytonError::Transport(error) => write!(f, "no JSON-RPC answer from Tryton: {error}"),
        }
    }
}

impl std::error::Error for TrytonError {}

impl TrytonError {
    /// The message of a business error (the first of its details), if this is one.
    pub fn message(&self) -> Option<&str> {
        match self {
            TrytonError::Server { details, .. } => details.get(0).and_then(Value::as_str),
            _ => None,
        }
    }
}

impl Tryton {
    /// Starts a server on a copy of the template database and logs in as [`ADMIN`].
    pub async fn start() -> Tryton {
        Tryton::start_on("template").await
    }

    /// Starts a server on a copy of the database with no module activated beyond Tryton's own
    /// (no parties), and logs in as [`ADMIN`].
    pub async fn start_bare() -> Tryton {
        Tryton::start_on("bare").await
    }

    async fn start_on(template: &str) -> Tryton {
        let mut tryton = Tryton::start_unauthenticated_on(template).await;
        (tryton.user_id, tryton.session) = match tryton.login(ADMIN, &admin_password()).await {
            Ok(login) => login,
            Err(error) => panic!("admin cannot log in to Tryton: {error}\n{}", tryton.log()),
        };
        tryton
    }

    /// Starts a server on a copy of the template database, without logging in.
    pub async fn start_unauthenticated() -> Tryton {
        Tryton::start_unauthenticated_on("template").await
    }

    async fn start_unauthenticated_on(template: &str) -> Tryton {
        let venv = root().join("target/tryton/venv");
        let template = root().join(format!("target/tryton/db/{template}.sqlite"));
        let trytond = venv.join("bin/trytond");
        assert!(
            trytond.is_file() && template.is_file(),
            "the Tryton server is not installed ({} or {} is missing): run `cargo xtask tryton`; \
             `cargo xtask test` runs it before the tests",
            trytond.display(),
            template.display()
        );
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::copy(&template, dir.path().join(format!("{DATABASE}.sqlite"))).expect("the template is copied");
        let log = Arc::new(Mutex::new(String::new()));
        // Port 0: the system picks a free port, and trytond says which in the line it logs
        // once it listens, so no other process can take it between choosing and binding.
        let (child, port) = spawn(dir.path(), 0, &log).await;
        Tryton {
            url: format!("http://127.0.0.1:{port}/{DATABASE}/rpc/"),
            port,
            user_id: 0,
            session: String::new(),
            client: reqwest::Client::new(),
            log,
            child: Some(child),
            dir,
        }
    }

    /// The server's address without the database, as `host.erp.url` names it.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server and waits for it to exit: its port refuses connections.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("trytond is stopped");
        }
    }

    /// Starts the server again on the same database and port, after [`Tryton::stop`].
    pub async fn restart(&mut self) {
        self.stop().await;
        let (child, _) = spawn(self.dir.path(), self.port, &self.log).await;
        self.child = Some(child);
    }

    /// What a till needs in Tryton besides parties: the `Customer` party category (returns its
    /// id) and the countries the tests' customers live in (the template has neither).
    pub async fn prepare_customers(&self) -> i64 {
        let category = self.call("model.party.category.create", json!([[{"name": "Customer"}], {}])).await;
        let category = category.unwrap()[0].as_i64().unwrap();
        let countries = json!([[{"name": "Poland", "code": "PL"}, {"name": "Netherlands", "code": "NL"}], {}]);
        self.call("model.country.country.create", countries).await.unwrap();
        category
    }

    /// The policy an integrator writes for a till in front of this server, in customers
    /// `mode` (`sync-all` or `local-only`), with the seed's search and texts plugins and the
    /// Tryton connector logging in as [`ADMIN`] with the password in `password_file`.
    pub fn till_policy(&self, mode: &str, password_file: &Path) -> String {
        let served = crate::served::policy_text();
        let without_connector = served.split("[slots.erp-connector]").next().unwrap();
        format!(
            "{without_connector}\
             [host.erp]\nurl = {url:?}\n\n\
             [host.customers]\nmode = {mode:?}\n\n\
             [slots.erp-connector]\nplugin = {plugin:?}\n\
             secrets.password = {{ file = {password_file:?} }}\n\
             # The till sees a change once Tryton's clock has passed it, not 30 s later.\n\
             config = {{ database = \"{DATABASE}\", user = \"{ADMIN}\", overlap-seconds = 0 }}\n",
            url = self.base_url(),
            plugin = crate::artifacts::TRYTON_CONNECTOR,
        )
    }

    /// `common.db.login`: the user's id and a session key.
    pub async fn login(&self, login: &str, password: &str) -> Result<(i64, String), TrytonError> {
        let result = self.post("common.db.login", json!([login, {"password": password}]), None).await?;
        match (result.get(0).and_then(Value::as_i64), result.get(1).and_then(Value::as_str)) {
            (Some(user_id), Some(session)) => Ok((user_id, session.to_owned())),
            _ => Err(TrytonError::Transport(format!("common.db.login answered {result}"))),
        }
    }

    /// Calls `method` as the logged-in user, such as `model.party.party.create`, with `params`
    /// as a JSON array (a model method's last parameter is the context, such as `{}`).
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, TrytonError> {
        let token = base64(format!("{ADMIN}:{}:{}", self.user_id, self.session).as_bytes());
        self.post(method, params, Some(format!("Session {token}"))).await
    }

    async fn post(&self, method: &str, params: Value, authorization: Option<String>) -> Result<Value, TrytonError> {
        // Asked for gzip, trytond sends a long answer compressed in a few chunks; otherwise one
        // chunk per JSON token, under a gzip label all the same. A short answer is never
        // compressed: the body says which it is.
        let mut request = self
            .client
            .post(&self.url)
            .header("Accept-Encoding", "gzip")
            .json(&json!({"id": 1, "method": method, "params": params}));
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        let response = request.send().await.map_err(|error| TrytonError::Transport(error.to_string()))?;
        if !response.status().is_success() {
            return Err(TrytonError::Status(response.status()));
        }
        let bytes = response.bytes().await.map_err(|error| TrytonError::Transport(error.to_string()))?;
        let mut inflated = Vec::new();
        let bytes = match bytes.starts_with(&[0x1f, 0x8b]) {
            true => {
                use std::io::Read;
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut inflated)
                    .map_err(|error| TrytonError::Transport(format!("the gzip answer cannot be inflated: {error}")))?;
                &inflated[..]
            }
            false => &bytes[..],
        };
        let mut body: Value =
            serde_json::from_slice(bytes).map_err(|error| TrytonError::Transport(error.to_string()))?;
        if let Some(error) = body.get_mut("error").map(Value::take).filter(|error| !error.is_null()) {
            let kind = error.get(0).and_then(Value::as_str).unwrap_or("unknown").to_owned();
            return Err(TrytonError::Server { kind, details: error.get(1).cloned().unwrap_or(Value::Null) });
        }
        match body.get_mut("result") {
            Some(result) => Ok(result.take()),
            None => Err(TrytonError::Transport(format!("neither result nor error in {body}"))),
        }
    }

    /// What the server has written so far, for a failing test's message.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The temporary folder holding the database and the config.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tryton {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.start_kill();
        }
    }
}

/// Starts trytond on the database in `dir`, listening on `port` (0: any free port); returns
/// the process and the port it listens on, once it does.
async fn spawn(dir: &Path, port: u16, log: &Arc<Mutex<String>>) -> (Child, u16) {
    let trytond = root().join("target/tryton/venv/bin/trytond");
    let config = dir.join("trytond.conf");
    let config_text =
        format!("[database]\nuri = sqlite://\npath = {}\n[web]\nlisten = 127.0.0.1:{port}\n", dir.display());
    std::fs::write(&config, config_text).expect("the config is written");

    let mut child = Command::new(&trytond)
        .arg("-c")
        .arg(&config)
        // A database not named here is not loaded at start, and every login to it fails.
        .args(["-d", DATABASE])
        // Tryton keeps times as naive UTC and reads the server's clock as such.
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", trytond.display()));
    let (lines, mut listening) = mpsc::unbounded_channel();
    follow(child.stdout.take().expect("piped"), log.clone(), lines.clone());
    follow(child.stderr.take().expect("piped"), log.clone(), lines);

    let started = Instant::now();
    let port = tokio::time::timeout(START_TIMEOUT, async {
        // Every line the server writes is a readiness signal to look at; the channel
        // closes when it has closed both outputs, that is when it exited.
        while let Some(line) = listening.recv().await {
            if let Some(port) = listening_port(&line) {
                return Some(port);
            }
        }
        None
    })
    .await;
    let port = match port {
        Ok(Some(port)) => port,
        Ok(None) => panic!("trytond exited before listening:\n{}", log.lock().unwrap()),
        Err(_) => panic!("trytond did not listen within {START_TIMEOUT:?}:\n{}", log.lock().unwrap()),
    };
    eprintln!("tryton: listening on port {port} after {} ms", started.elapsed().as_millis());
    (child, port)
}

/// The file holding the admin password `cargo xtask tryton` set in the template, as a
/// policy's `secrets.password = { file = ... }` names it.
pub fn admin_password_file() -> PathBuf {
    root().join("target/tryton/admin-password")
}

fn admin_password() -> String {
    let file = admin_password_file();
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}; run `cargo xtask tryton`", file.display()));
    text.trim_end().to_owned()
}

/// Copies each line of `output` into `log` and sends it on `lines`, while anyone listens.
fn follow(
    output: impl AsyncRead + Unpin + Send + 'static,
    log: Arc<Mutex<String>>,
    lines: mpsc::UnboundedSender<String>,
) {
    tokio::spawn(async move {
        let mut reader = BufReader::new(output).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            let mut text = log.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
            drop(text);
            let _ = lines.send(line);
        }
    });
}

/// The port in the line werkzeug logs once the server listens: ` * Running on http://127.0.0.1:<port>`.
fn listening_port(line: &str) -> Option<u16> {
    let address = line.split("Running on http://").nth(1)?;
    address.rsplit_once(':')?.1.trim().parse().ok()
}

/// Standard base64 with padding, for the session header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, byte)| n | u32::from(*byte) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_as_the_standard_does() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64("admin:1:Ł".as_bytes()), "YWRtaW46MTrFgQ==");
    }

    #[test]
    fn the_port_is_read_from_werkzeug_s_line() {
        assert_eq!(listening_port(" * Running on http://127.0.0.1:42407"), Some(42407));
        assert_eq!(listening_port("INFO werkzeug Press CTRL+C to quit"), None);
    }
}
