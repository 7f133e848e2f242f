//! Requests to the service at `host.erp.url`, and what its answers mean: `404` is "no such
//! customer", other `4xx` a refusal with the service's own code and message, `5xx` and
//! transport failures an unavailable service.

use crate::wire::ErrorBody;
use pos_plugin_sdk::erp_connector::connection;
use pos_plugin_sdk::http::{self, HttpError};
use pos_plugin_sdk::types::ErpError;
use serde::de::DeserializeOwned;

/// The service, as this workstation asks it.
pub struct Service {
    base: String,
    workstation: String,
}

/// What came back.
pub enum Answer<T> {
    Found(T),
    NotFound,
    /// A `4xx` other than 404: the service's error code and message.
    Refused {
        status: u16,
        reason: String,
    },
}

impl Service {
    /// The service the policy names, or why there is none.
    pub fn from_policy() -> Result<Service, ErpError> {
        let base = connection::erp_url().ok_or_else(|| {
            ErpError::Unavailable("no data synchronization service is configured: set host.erp.url".into())
        })?;
        Ok(Service { base: base.trim_end_matches('/').to_owned(), workstation: connection::workstation() })
    }

    /// Sends `method path` with optional extra headers and a JSON body.
    pub fn send<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Answer<T>, ErpError> {
        let url = format!("{}{path}", self.base);
        let mut all = vec![("x-workstation", self.workstation.as_str()), ("accept", "application/json")];
        if body.is_some() {
            all.push(("content-type", "application/json"));
        }
        all.extend_from_slice(headers);
        let response = http::request(method, &url, &all, body).map_err(|error| self.transport(error))?;
        match response.status {
            200..=299 => serde_json::from_slice(&response.body)
                .map(Answer::Found)
                .map_err(|e| ErpError::Unavailable(format!("the data service sent a malformed answer to {path}: {e}"))),
            404 => Ok(Answer::NotFound),
            status @ 400..=499 => Ok(Answer::Refused { status, reason: reason(&response.body, status) }),
            status => Err(ErpError::Unavailable(format!(
                "the data service failed ({status}): {}",
                reason(&response.body, status)
            ))),
        }
    }

    /// A read: `None` for 404, a refusal as [`ErpError::Rejected`].
    pub fn read<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, ErpError> {
        match self.send("GET", path, &[], None)? {
            Answer::Found(value) => Ok(Some(value)),
            Answer::NotFound => Ok(None),
            Answer::Refused { reason, .. } => Err(ErpError::Rejected(reason)),
        }
    }

    fn transport(&self, error: HttpError) -> ErpError {
        match error {
            HttpError::Timeout => ErpError::Timeout,
            HttpError::Denied => {
                ErpError::Unavailable(format!("the host does not let this connector reach {}", self.base))
            }
            HttpError::Connection(why) => ErpError::Unavailable(format!(
                "no connection with the data service at {} (host.erp.url): {why}",
                self.base
            )),
            HttpError::InvalidUrl(why) => ErpError::Unavailable(format!("host.erp.url: {why}")),
            HttpError::Protocol(why) => ErpError::Unavailable(format!("the data service answered badly: {why}")),
        }
    }
}

/// `code: message` of an error body, or the status when the body says nothing readable.
fn reason(body: &[u8], status: u16) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) if error.message.is_empty() => error.code,
        Ok(ErrorBody { error }) => format!("{}: {}", error.code, error.message),
        Err(_) => format!("HTTP {status}"),
    }
}

/// `text` percent-encoded for a path segment or a query value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `?name=value&...`, encoded.
pub fn query(params: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = params.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect();
    format!("?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_what_a_url_cannot_carry() {
        assert_eq!(encode("Łukasz K-1"), "%C5%81ukasz%20K-1");
        assert_eq!(query(&[("q", "a&b=c"), ("limit", "7")]), "?q=a%26b%3Dc&limit=7");
    }

    #[test]
    fn error_bodies_give_their_code_and_message() {
        let body = br#"{"error": {"code": "version_mismatch", "message": "expected 3"}}"#;
        assert_eq!(reason(body, 412), "version_mismatch: expected 3");
        assert_eq!(reason(b"<html>", 400), "HTTP 400");
    }
}
