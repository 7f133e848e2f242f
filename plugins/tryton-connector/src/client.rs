//! Calls to the Tryton server: the session kept between calls, one login again when the
//! server has forgotten it, and the server's clock from each answer.

use crate::config::Settings;
use crate::rpc::{self, Failure};
use crate::time;
use pos_plugin_sdk::erp_connector::connection;
use pos_plugin_sdk::http::{self, HttpError};
use pos_plugin_sdk::types::ErpError;
use serde_json::{Value, json};

/// The key the session is remembered under, between calls.
const SESSION: &str = "session";

pub struct Client<'s> {
    pub settings: &'s Settings,
    /// `host.erp.url` without its trailing slash.
    pub base: String,
    session: Option<Session>,
    /// The server's time of the last answer, in seconds since the epoch.
    pub server_now: Option<i64>,
}

struct Session {
    user_id: i64,
    key: String,
}

impl<'s> Client<'s> {
    pub fn new(settings: &'s Settings) -> Result<Client<'s>, ErpError> {
        let base = connection::erp_url()
            .ok_or_else(|| ErpError::Unavailable("the policy sets no `host.erp.url`: where is Tryton?".into()))?;
        Ok(Client { settings, base: base.trim_end_matches('/').to_owned(), session: None, server_now: None })
    }

    /// `<url>/<database>`, as `describe` shows it.
    pub fn location(&self) -> String {
        format!("{}/{}", self.base, self.settings.database)
    }

    fn rpc_url(&self) -> String {
        format!("{}/{}/rpc/", self.base, self.settings.database)
    }

    /// One POST of `method`; `authorization` is the session header, if any.
    fn post(&mut self, url: &str, method: &str, params: Value, session: Option<String>) -> Result<Value, Failure> {
        let body = rpc::envelope(method, params);
        let mut headers = vec![("Content-Type", "application/json"), ("Accept-Encoding", "gzip")];
        if let Some(session) = &session {
            headers.push(("Authorization", session));
        }
        let response = http::request("POST", url, &headers, Some(&body)).map_err(|error| match error {
            HttpError::Timeout => Failure::Timeout,
            HttpError::Denied => {
                Failure::Unreachable("the host does not allow this connector to reach that address".into())
            }
            other => Failure::Unreachable(other.to_string()),
        })?;
        if let Some(now) = response.header("date").and_then(time::http_date) {
            self.server_now = Some(now);
        }
        rpc::answer(response.status, &response.body)
    }

    /// The server's version, from its server-level endpoint (it is not answered per database).
    pub fn version(&mut self) -> Result<String, ErpError> {
        let url = format!("{}/rpc/", self.base);
        let version = self
            .post(&url, "common.server.version", json!([]), None)
            .map_err(|failure| failure.erp_error("common.server.version", self.settings))?;
        Ok(version.as_str().map(str::to_owned).unwrap_or_else(|| version.to_string()))
    }

    /// The session remembered for this database and user, or a new login.
    fn session(&mut self) -> Result<String, ErpError> {
        if self.session.is_none() {
            self.session = connection::recall(SESSION).and_then(|text| {
                let mut parts = text.splitn(4, '\n');
                let (database, user, id, key) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
                (database == self.settings.database && user == self.settings.user)
                    .then(|| Some(Session { user_id: id.parse().ok()?, key: key.to_owned() }))
                    .flatten()
            });
        }
        if self.session.is_none() {
            self.login()?;
        }
        let session = self.session.as_ref().expect("logged in");
        Ok(rpc::session_header(&self.settings.user, session.user_id, &session.key))
    }

    fn login(&mut self) -> Result<(), ErpError> {
        let settings = self.settings;
        // The host's text names the policy key when the secret is missing; the password
        // itself never goes into a text.
        let password = connection::secret("password").map_err(ErpError::Rejected)?;
        let params = json!([settings.user, {"password": password}, settings.language]);
        let url = self.rpc_url();
        let result = self.post(&url, "common.db.login", params, None).map_err(|failure| match failure {
            Failure::Status(401) | Failure::Status(403) => ErpError::Rejected(format!(
                "Tryton refused the login of `{}` to database `{}`: check the password named by \
                 `slots.erp-connector.secrets.password`",
                settings.user, settings.database
            )),
            Failure::Server { ref kind, ref message } if kind == "LoginException" => ErpError::Rejected(format!(
                "Tryton asks `{}` for more than a password to log in ({message}); the connector signs in with \
                 `slots.erp-connector.secrets.password` only",
                settings.user
            )),
            other => other.erp_error("common.db.login", settings),
        })?;
        let (Some(user_id), Some(key)) = (result.get(0).and_then(Value::as_i64), result.get(1).and_then(Value::as_str))
        else {
            return Err(ErpError::Unavailable(format!("Tryton answered the login with {result}, not a session")));
        };
        connection::remember(SESSION, Some(&format!("{}\n{}\n{user_id}\n{key}", settings.database, settings.user)));
        self.session = Some(Session { user_id, key: key.to_owned() });
        Ok(())
    }

    /// Calls `method` with `params`, logging in again once when the server has forgotten the
    /// session (HTTP 401). Failures stay [`Failure`]s, for a write to tell a refusal.
    pub fn try_call(&mut self, method: &str, params: Value) -> Result<Result<Value, Failure>, ErpError> {
        let url = self.rpc_url();
        let session = self.session()?;
        match self.post(&url, method, params.clone(), Some(session)) {
            Err(Failure::Status(401)) => {
                connection::remember(SESSION, None);
                self.session = None;
                self.login()?;
                let session = self.session()?;
                Ok(self.post(&url, method, params, Some(session)))
            }
            answer => Ok(answer),
        }
    }

    /// Calls `method`, every failure as the host's error.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, ErpError> {
        self.try_call(method, params)?.map_err(|failure| failure.erp_error(method, self.settings))
    }

    /// The context of every model call: inactive children are read too, since their
    /// deactivation is a change of the customer.
    pub fn context(&self) -> Value {
        json!({"active_test": false, "language": self.settings.language})
    }

    /// `search_read` of `model` with `domain`, `offset`, `limit`, `order` and `fields`.
    pub fn search_read(
        &mut self,
        model: &str,
        domain: Value,
        offset: usize,
        limit: Option<usize>,
        order: Value,
        fields: &[&str],
    ) -> Result<Vec<Value>, ErpError> {
        let params = json!([domain, offset, limit, order, fields, self.context()]);
        match self.call(&format!("model.{model}.search_read"), params)? {
            Value::Array(rows) => Ok(rows),
            other => Err(ErpError::Unavailable(format!("Tryton answered {model}.search_read with {other}"))),
        }
    }

    pub fn search_count(&mut self, model: &str, domain: Value) -> Result<u64, ErpError> {
        let params = json!([domain, self.context()]);
        let count = self.call(&format!("model.{model}.search_count"), params)?;
        count.as_u64().ok_or_else(|| ErpError::Unavailable(format!("Tryton counted {model} as {count}")))
    }

    /// The server's time now, in microseconds: the `Date` of its last answer, or the
    /// workstation's clock when it sent none.
    pub fn now_micros(&self) -> i64 {
        let seconds = self.server_now.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.as_secs() as i64)
                .unwrap_or_default()
        });
        seconds * 1_000_000
    }
}
