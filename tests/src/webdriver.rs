//! A minimal W3C WebDriver client for the console's browser tests: it starts `chromedriver`
//! on a free loopback port, opens a session with headless Chromium, and offers what the
//! tests need (navigate, find, click, type, read, run a script, right-click, wait, take a
//! screenshot).
//!
//! A [`Browser`] cleans up after itself: dropping it quits the session and kills
//! `chromedriver`. Dropped while its test panics, it first saves a screenshot to
//! `target/console-screenshots/<test name>.png` and prints the path.

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use std::future::Future;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The browser, from Debian's `chromium` package.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Its driver, from Debian's `chromium-driver` package.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The key of an element reference in WebDriver JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long one WebDriver command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `chromedriver` may take to answer its first status request.
const DRIVER_START: Duration = Duration::from_secs(15);
/// How often the waits look again.
const POLL: Duration = Duration::from_millis(50);

/// The WebDriver codes of keys that [`Element::send_keys`] types.
pub mod keys {
    pub const ENTER: &str = "\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const TAB: &str = "\u{E004}";
    pub const ARROW_DOWN: &str = "\u{E015}";
    pub const ARROW_UP: &str = "\u{E013}";
    pub const ARROW_RIGHT: &str = "\u{E014}";
    pub const ALT: &str = "\u{E00A}";
    pub const F3: &str = "\u{E033}";
}

/// Whether the browser and its driver are installed (`cargo xtask test` installs them).
pub fn available() -> bool {
    Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file()
}

/// A WebDriver session: the address of its commands and the HTTP client that sends them.
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`.
    url: Arc<str>,
}

impl Session {
    /// Sends a command (`path` relative to the session) and returns the answer's `value`.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        command(&self.http, method, &format!("{}{path}", self.url), body).await
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.command(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.command(reqwest::Method::POST, path, Some(body)).await
    }

    fn element(&self, value: &Value) -> anyhow::Result<Element> {
        let id = value
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("not an element reference: {value}"))?;
        Ok(Element { session: self.clone(), id: id.to_owned() })
    }

    fn elements(&self, value: &Value) -> anyhow::Result<Vec<Element>> {
        value
            .as_array()
            .ok_or_else(|| anyhow!("not a list of elements: {value}"))?
            .iter()
            .map(|v| self.element(v))
            .collect()
    }
}

/// A WebDriver error answer, such as `no such element`.
#[derive(Debug)]
pub struct WebDriverError {
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebDriver: {}: {}", self.error, self.message)
    }
}

impl std::error::Error for WebDriverError {}

async fn command(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut request = http.request(method.clone(), url).timeout(COMMAND_TIMEOUT);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.with_context(|| format!("WebDriver {method} {url}"))?;
    let status = response.status();
    let answer: Value = response.json().await.with_context(|| format!("WebDriver {method} {url}: the answer"))?;
    let value = answer.get("value").cloned().unwrap_or(Value::Null);
    if !status.is_success() {
        let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        return Err(WebDriverError { error: text("error"), message: text("message") })
            .with_context(|| format!("WebDriver {method} {url} answered {status}"));
    }
    Ok(value)
}

/// Whether `error` is WebDriver's answer that an element does not exist (any more).
fn missing(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<WebDriverError>()
        .is_some_and(|e| e.error == "no such element" || e.error == "stale element reference")
}

/// An element of the page.
#[derive(Clone)]
pub struct Element {
    session: Session,
    id: String,
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Element({})", self.id)
    }
}

impl Element {
    fn path(&self, rest: &str) -> String {
        format!("/element/{}{rest}", self.id)
    }

    fn reference(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    /// Clicks it (scrolled into view first; refused when something covers it).
    pub async fn click(&self) -> anyhow::Result<()> {
        self.session.post(&self.path("/click"), json!({})).await.map(drop)
    }

    /// Empties an input.
    pub async fn clear(&self) -> anyhow::Result<()> {
        self.session.post(&self.path("/clear"), json!({})).await.map(drop)
    }

    /// Types `text` into it; [`keys`] holds the codes of special keys.
    pub async fn send_keys(&self, text: &str) -> anyhow::Result<()> {
        self.session.post(&self.path("/value"), json!({ "text": text })).await.map(drop)
    }

    /// Its rendered text (empty when it is not displayed).
    pub async fn text(&self) -> anyhow::Result<String> {
        Ok(self.session.get(&self.path("/text")).await?.as_str().unwrap_or_default().to_owned())
    }

    /// An attribute, `None` when it has none.
    pub async fn attribute(&self, name: &str) -> anyhow::Result<Option<String>> {
        Ok(self.session.get(&self.path(&format!("/attribute/{name}"))).await?.as_str().map(str::to_owned))
    }

    /// A DOM property, such as `value` or `checked`.
    pub async fn property(&self, name: &str) -> anyhow::Result<Value> {
        self.session.get(&self.path(&format!("/property/{name}"))).await
    }

    /// Whether it is displayed.
    pub async fn is_displayed(&self) -> anyhow::Result<bool> {
        Ok(self.session.get(&self.path("/displayed")).await?.as_bool().unwrap_or(false))
    }

    /// Whether it is enabled.
    pub async fn is_enabled(&self) -> anyhow::Result<bool> {
        Ok(self.session.get(&self.path("/enabled")).await?.as_bool().unwrap_or(false))
    }

    /// The first element inside it matching the CSS `selector`.
    pub async fn find(&self, selector: &str) -> anyhow::Result<Element> {
        let path = self.path("/element");
        let found = self.session.post(&path, json!({ "using": "css selector", "value": selector })).await;
        self.session.element(&found.with_context(|| format!("finding `{selector}`"))?)
    }

    /// Every element inside it matching the CSS `selector`.
    pub async fn find_all(&self, selector: &str) -> anyhow::Result<Vec<Element>> {
        let path = self.path("/elements");
        self.session.elements(&self.session.post(&path, json!({ "using": "css selector", "value": selector })).await?)
    }
}

/// A headless Chromium driven over WebDriver. See the [module docs](self).
pub struct Browser {
    session: Session,
    /// Killed when the browser is dropped, after the session has quit.
    _driver: Driver,
    /// Chromium's profile and the driver's log, removed once both have stopped.
    _dir: tempfile::TempDir,
    /// The test's name, for the screenshot on failure.
    test: String,
}

impl Browser {
    /// Starts `chromedriver` and a headless Chromium session, with a 1280x800 window. The
    /// screenshot of a failure is named after the current thread, which is the test's name.
    pub async fn start() -> anyhow::Result<Browser> {
        let test =
            std::thread::current().name().unwrap_or("browser").rsplit("::").next().unwrap_or("browser").to_owned();
        Browser::start_named(&test).await
    }

    /// As [`Browser::start`], with the screenshot of a failure named `test`.
    pub async fn start_named(test: &str) -> anyhow::Result<Browser> {
        Browser::start_with(test, &[]).await
    }

    /// As [`Browser::start_named`], with more Chromium `args`, such as
    /// `--host-resolver-rules=MAP evil.example 127.0.0.1` to make a name lead to loopback.
    pub async fn start_with(test: &str, more_args: &[String]) -> anyhow::Result<Browser> {
        if !available() {
            bail!("{CHROMIUM} or {CHROMEDRIVER} is missing: run `cargo xtask test`, which installs them");
        }
        let dir = tempfile::Builder::new().prefix("pos-console-browser-").tempdir()?;
        let http = reqwest::Client::builder().no_proxy().build()?;
        let driver = Driver::start(&http, dir.path()).await?;
        let profile = dir.path().join("profile");
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,800".to_owned(),
            "--lang=en-US".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        args.extend_from_slice(more_args);
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "unhandledPromptBehavior": "dismiss",
                    "timeouts": { "implicit": 0, "pageLoad": 30_000, "script": 30_000 },
                    "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
                }
            }
        });
        let created = command(&http, reqwest::Method::POST, &format!("{}/session", driver.url), Some(capabilities))
            .await
            .with_context(|| format!("cannot start a Chromium session; {}", driver.log_tail()))?;
        let id =
            created.get("sessionId").and_then(Value::as_str).ok_or_else(|| anyhow!("no sessionId in {created}"))?;
        let session = Session { http, url: Arc::from(format!("{}/session/{id}", driver.url)) };
        Ok(Browser { session, _driver: driver, _dir: dir, test: test.to_owned() })
    }

    /// Makes the page's viewport `width` x `height` CSS pixels, as a till's screen of that
    /// size shows it (Chromium's device metrics, through the driver's DevTools command: a
    /// headless window cannot be made larger than its virtual screen).
    pub async fn set_viewport(&self, width: u32, height: u32) -> anyhow::Result<()> {
        let params = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false });
        let command = json!({ "cmd": "Emulation.setDeviceMetricsOverride", "params": params });
        self.session.post("/goog/cdp/execute", command).await?;
        let inner = self.execute("return [window.innerWidth, window.innerHeight]", vec![]).await?;
        if inner != json!([width, height]) {
            bail!("cannot make the viewport {width}x{height}: the page sees {inner}");
        }
        Ok(())
    }

    /// Opens `url` and waits until it has loaded.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.session.post("/url", json!({ "url": url })).await.map(drop)
    }

    /// The first element matching the CSS `selector`.
    pub async fn find(&self, selector: &str) -> anyhow::Result<Element> {
        let found = self.session.post("/element", json!({ "using": "css selector", "value": selector }));
        self.session.element(&found.await.with_context(|| format!("finding `{selector}`"))?)
    }

    /// Every element matching the CSS `selector`.
    pub async fn find_all(&self, selector: &str) -> anyhow::Result<Vec<Element>> {
        let found = self.session.post("/elements", json!({ "using": "css selector", "value": selector }));
        self.session.elements(&found.await?)
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns what it returns.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.session.post("/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Runs `script` (a function body whose last argument is the callback that ends it, as
    /// WebDriver's asynchronous scripts have it) and returns what it passes to the callback.
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.session.post("/execute/async", json!({ "script": script, "args": args })).await
    }

    /// Right-clicks `element` (the Actions API), as an operator opening a context menu.
    pub async fn context_click(&self, element: &Element) -> anyhow::Result<()> {
        let actions = json!({
            "actions": [{
                "type": "pointer",
                "id": "mouse",
                "parameters": { "pointerType": "mouse" },
                "actions": [
                    { "type": "pointerMove", "duration": 0, "origin": element.reference(), "x": 0, "y": 0 },
                    { "type": "pointerDown", "button": 2 },
                    { "type": "pointerUp", "button": 2 },
                ],
            }]
        });
        self.session.post("/actions", actions).await?;
        self.session.command(reqwest::Method::DELETE, "/actions", None).await.map(drop)
    }

    /// Presses `key` (see [`keys`]) on whatever has the focus.
    pub async fn press(&self, key: &str) -> anyhow::Result<()> {
        self.keyboard(&[("keyDown", key), ("keyUp", key)]).await
    }

    /// Types `text` key by key on whatever has the focus, as a keyboard does.
    pub async fn type_text(&self, text: &str) -> anyhow::Result<()> {
        let keys: Vec<String> = text.chars().map(String::from).collect();
        let strokes: Vec<(&str, &str)> =
            keys.iter().flat_map(|key| [("keyDown", key.as_str()), ("keyUp", key.as_str())]).collect();
        self.keyboard(&strokes).await
    }

    /// Presses `key` while holding `modifier` (such as [`keys::ALT`]).
    pub async fn chord(&self, modifier: &str, key: &str) -> anyhow::Result<()> {
        self.keyboard(&[("keyDown", modifier), ("keyDown", key), ("keyUp", key), ("keyUp", modifier)]).await
    }

    /// Sends `strokes` (`keyDown` or `keyUp`, and the key) through the Actions API, then
    /// releases every key.
    async fn keyboard(&self, strokes: &[(&str, &str)]) -> anyhow::Result<()> {
        let strokes: Vec<Value> = strokes.iter().map(|(kind, key)| json!({ "type": kind, "value": key })).collect();
        let actions = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": strokes }] });
        self.session.post("/actions", actions).await?;
        self.session.command(reqwest::Method::DELETE, "/actions", None).await.map(drop)
    }

    /// The page as a PNG.
    pub async fn screenshot(&self) -> anyhow::Result<Vec<u8>> {
        let encoded = self.session.get("/screenshot").await?;
        base64_decode(encoded.as_str().ok_or_else(|| anyhow!("the screenshot is not a string"))?)
    }

    /// Saves the page as a PNG at `path`, creating its directory.
    pub async fn save_screenshot(&self, path: &Path) -> anyhow::Result<()> {
        let png = self.screenshot().await?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Calls `check` every 50 ms until it returns `Some`, for at most `timeout`. An error of
    /// `check` counts as "not yet" (an element may be re-rendered meanwhile); on timeout the
    /// error says what was awaited and what was last seen.
    pub async fn wait_until<T, F, Fut>(&self, what: &str, timeout: Duration, mut check: F) -> anyhow::Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = anyhow::Result<Option<T>>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            let last = match check().await {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => None,
                Err(error) => Some(error),
            };
            if Instant::now() >= deadline {
                let seen = last.map(|e| format!(" (last: {e:#})")).unwrap_or_default();
                bail!("timed out after {timeout:?} waiting for {what}{seen}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The first element matching `selector` once it is displayed, waiting at most `timeout`.
    pub async fn wait_for(&self, selector: &str, timeout: Duration) -> anyhow::Result<Element> {
        self.wait_until(&format!("`{selector}` to be displayed"), timeout, || async {
            match self.find(selector).await {
                Ok(element) => Ok(element.is_displayed().await?.then_some(element)),
                Err(error) if missing(&error) => Ok(None),
                Err(error) => Err(error),
            }
        })
        .await
    }

    /// Waits until no element matching `selector` is displayed.
    pub async fn wait_gone(&self, selector: &str, timeout: Duration) -> anyhow::Result<()> {
        self.wait_until(&format!("`{selector}` to disappear"), timeout, || async {
            for element in self.find_all(selector).await? {
                match element.is_displayed().await {
                    Ok(true) => return Ok(None),
                    Ok(false) => {}
                    Err(error) if missing(&error) => {}
                    Err(error) => return Err(error),
                }
            }
            Ok(Some(()))
        })
        .await
    }

    /// The text of `selector` once `accept` accepts it; on timeout the error shows the last
    /// text seen.
    pub async fn wait_text(
        &self,
        selector: &str,
        timeout: Duration,
        accept: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let seen = std::cell::RefCell::new(String::new());
        let found = self
            .wait_until(&format!("the text of `{selector}`"), timeout, || async {
                let text = self.find(selector).await?.text().await?;
                let ok = accept(&text);
                *seen.borrow_mut() = text.clone();
                Ok(ok.then_some(text))
            })
            .await;
        found.with_context(|| format!("the last text of `{selector}` was {:?}", seen.borrow()))
    }

    /// The WebDriver session's address, for commands this client lacks.
    pub fn session_url(&self) -> &str {
        &self.session.url
    }

    /// Where the screenshot of a failed test goes.
    pub fn failure_screenshot_path(&self) -> PathBuf {
        screenshot_dir().join(format!("{}.png", self.test))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which may be the one unwinding: the last
        // commands are sent from a thread of their own with a runtime and client of their own.
        let session = self.session.url.to_string();
        let screenshot = std::thread::panicking().then(|| self.failure_screenshot_path());
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async move {
                let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().ok()?;
                if let Some(path) = screenshot {
                    let taken = command(&http, reqwest::Method::GET, &format!("{session}/screenshot"), None).await;
                    let saved = taken.and_then(|value| {
                        let png = base64_decode(value.as_str().unwrap_or_default())?;
                        std::fs::create_dir_all(screenshot_dir())?;
                        std::fs::write(&path, png)?;
                        Ok(())
                    });
                    match saved {
                        Ok(()) => eprintln!("console screenshot of the failure: {}", path.display()),
                        Err(error) => eprintln!("no console screenshot of the failure: {error:#}"),
                    }
                }
                command(&http, reqwest::Method::DELETE, &session, None).await.ok()
            })
        });
        let _ = cleanup.join();
    }
}

/// A running `chromedriver`, killed on drop.
struct Driver {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    url: String,
    log: PathBuf,
}

impl Driver {
    /// Starts `chromedriver` on a free loopback port (trying another port should the one
    /// picked be taken meanwhile), logging into `dir`, and waits until it is ready.
    async fn start(http: &reqwest::Client, dir: &Path) -> anyhow::Result<Driver> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = free_port()?;
            let log = dir.join(format!("chromedriver-{attempt}.log"));
            let child = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("cannot start {CHROMEDRIVER}"))?;
            let mut driver = Driver { child, url: format!("http://127.0.0.1:{port}"), log };
            match driver.ready(http).await {
                Ok(()) => return Ok(driver),
                Err(error) if attempt >= 3 => return Err(error.context(driver.log_tail())),
                Err(_) => continue,
            }
        }
    }

    /// Waits until the driver answers that it is ready.
    async fn ready(&mut self, http: &reqwest::Client) -> anyhow::Result<()> {
        let deadline = Instant::now() + DRIVER_START;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("{CHROMEDRIVER} exited at start ({status})");
            }
            let status = http.get(format!("{}/status", self.url)).timeout(Duration::from_secs(2)).send().await;
            if let Ok(response) = status
                && let Ok(answer) = response.json::<Value>().await
                && answer.pointer("/value/ready").and_then(Value::as_bool) == Some(true)
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!("{CHROMEDRIVER} did not answer on {} within {DRIVER_START:?}", self.url);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The end of the driver's log, for an error message.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        format!("{CHROMEDRIVER} log ({}):\n{tail}", self.log.display())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `target/console-screenshots` in the workspace.
pub fn screenshot_dir() -> PathBuf {
    crate::root().join("target/console-screenshots")
}

/// A loopback port free now.
fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

/// Decodes standard base64 (the screenshot's encoding).
fn base64_decode(text: &str) -> anyhow::Result<Vec<u8>> {
    fn sextet(byte: u8) -> Option<u32> {
        Some(match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut bits = 0u32;
        for (i, byte) in chunk.iter().enumerate() {
            bits |= sextet(*byte).ok_or_else(|| anyhow!("not base64: byte {byte:#x}"))? << (18 - 6 * i);
        }
        let produced = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => bail!("truncated base64"),
        };
        out.extend_from_slice(&bits.to_be_bytes()[1..1 + produced]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64_decode("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
        assert!(base64_decode("Zm9v!").is_err());
    }
}
