//! Tryton's JSON-RPC envelope and its failures, apart from the transport so that every
//! answer shape the live server gives can be tested natively.

use pos_plugin_sdk::types::ErpError;
use serde_json::{Value, json};

/// Why a call gave no result.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// No answer in time.
    Timeout,
    /// No connection, or the host refused the address; the text says which.
    Unreachable(String),
    /// An HTTP status outside JSON-RPC: 401 (login refused or session gone), 403 (a method the
    /// model does not expose), 404 (no such database), 429 (too many failed logins), 5xx.
    Status(u16),
    /// A JSON-RPC `error` member (sent with HTTP 200): `kind` such as `UserError`,
    /// `ConcurrencyException`, or `'sale.sale'` for a model whose module is not activated.
    Server { kind: String, message: String },
    /// An answer that is not JSON-RPC.
    Malformed(String),
}

/// The request body: exactly `id`, `method` and `params`, since Tryton wraps errors in the
/// envelope only for that key set.
pub fn envelope(method: &str, params: Value) -> Vec<u8> {
    json!({"id": 1, "method": method, "params": params}).to_string().into_bytes()
}

/// The `result` of an answer with `status` and `body`.
pub fn answer(status: u16, body: &[u8]) -> Result<Value, Failure> {
    if status != 200 {
        return Err(Failure::Status(status));
    }
    // The connector asks for gzip: uncompressed, Tryton streams its JSON token by token, each
    // token an HTTP chunk, and reading 2 MB of it took the host seconds (docs/benchmarks.md).
    // Tryton labels every long answer `Content-Encoding: gzip`, compressed or not (a short one
    // is never compressed), so the body itself says which it is.
    let inflated;
    let body = match body.starts_with(&[0x1f, 0x8b]) {
        true => {
            inflated = gunzip(body)?;
            &inflated[..]
        }
        false => body,
    };
    let mut answer: Value = serde_json::from_slice(body)
        .map_err(|error| Failure::Malformed(format!("the answer is not JSON ({error})")))?;
    if let Some(error) = answer.get_mut("error").map(Value::take).filter(|error| !error.is_null()) {
        return Err(server_error(&error));
    }
    match answer.get_mut("result") {
        Some(result) => Ok(result.take()),
        None => Err(Failure::Malformed("the answer holds neither `result` nor `error`".into())),
    }
}

/// The most an answer may inflate to: far more than a page of 5000 customers (about 6 MB),
/// far less than the connector's memory.
const MAX_INFLATED_BYTES: u64 = 64 << 20;

/// A gzip body, inflated, up to [`MAX_INFLATED_BYTES`].
fn gunzip(body: &[u8]) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(MAX_INFLATED_BYTES + 1)
        .read_to_end(&mut inflated)
        .map_err(|error| Failure::Malformed(format!("the gzip answer cannot be inflated ({error})")))?;
    if inflated.len() as u64 > MAX_INFLATED_BYTES {
        return Err(Failure::Malformed(format!("the answer inflates to more than {} MiB", MAX_INFLATED_BYTES >> 20)));
    }
    Ok(inflated)
}

/// `["UserError", [message, description, domain]]`, `["ConcurrencyException", message]`,
/// `["'sale.sale'", ""]` and the like.
fn server_error(error: &Value) -> Failure {
    let kind = error.get(0).and_then(Value::as_str).unwrap_or("error").to_owned();
    let details = error.get(1).unwrap_or(&Value::Null);
    let message = match details {
        Value::String(text) => text.clone(),
        Value::Array(parts) => {
            let texts: Vec<&str> = parts.iter().filter_map(Value::as_str).filter(|text| !text.is_empty()).collect();
            texts.join(" ")
        }
        Value::Null => String::new(),
        other => other.to_string(),
    };
    Failure::Server { kind, message }
}

impl Failure {
    /// The model whose module is missing: Tryton answers a call to an unknown model with
    /// the `KeyError` of its name, `'sale.sale'`.
    pub fn missing_model(&self) -> Option<&str> {
        match self {
            Failure::Server { kind, .. } => {
                kind.strip_prefix('\'')?.strip_suffix('\'').filter(|model| model.contains('.') && !model.contains(' '))
            }
            _ => None,
        }
    }

    /// A business error's message (`UserError`, `ConcurrencyException`, …), for a refused write.
    pub fn business(&self) -> Option<String> {
        match self {
            Failure::Server { kind, message } if self.missing_model().is_none() => Some(match kind.as_str() {
                "ConcurrencyException" => {
                    format!("the customer changed in the ERP meanwhile (Tryton: {message})")
                }
                _ if message.is_empty() => kind.clone(),
                "UserError" | "UserWarning" | "AccessError" => message.clone(),
                _ => format!("{kind}: {message}"),
            }),
            _ => None,
        }
    }

    /// The host's error for a failed call of `method`.
    pub fn erp_error(&self, method: &str, settings: &crate::config::Settings) -> ErpError {
        match self {
            Failure::Timeout => ErpError::Timeout,
            Failure::Unreachable(why) => {
                ErpError::Unavailable(format!("cannot reach Tryton at the address of `host.erp.url`: {why}"))
            }
            Failure::Status(401) => ErpError::Rejected(format!(
                "Tryton refused the session of `{}` for {method} right after logging in",
                settings.user
            )),
            Failure::Status(403) => ErpError::Rejected(format!("Tryton does not allow the call {method}")),
            Failure::Status(404) => ErpError::Rejected(format!(
                "Tryton has no database `{}` (the slot's config key `database`), or `host.erp.url` is not a Tryton server",
                settings.database
            )),
            Failure::Status(408) => ErpError::Timeout,
            Failure::Status(429) => {
                ErpError::Unavailable("Tryton refuses logins for a while after failed ones (HTTP 429)".into())
            }
            Failure::Status(status) => ErpError::Unavailable(format!("Tryton answered {method} with HTTP {status}")),
            Failure::Server { .. } if self.missing_model().is_some() => ErpError::Rejected(format!(
                "Tryton's database `{}` lacks the model {} for {method}: the module that provides it is not activated \
                 (activate it in Tryton, or name a database that has it in the slot's config key `database`)",
                settings.database,
                self.missing_model().unwrap_or_default()
            )),
            Failure::Server { kind, message } if message.is_empty() => {
                ErpError::Rejected(format!("Tryton refused {method}: {kind}"))
            }
            Failure::Server { message, .. } => ErpError::Rejected(format!("Tryton refused {method}: {message}")),
            Failure::Malformed(why) => ErpError::Unavailable(format!("Tryton's answer to {method} is unusable: {why}")),
        }
    }
}

/// The `Authorization` header of a session: `Session base64(login:user_id:key)`.
pub fn session_header(login: &str, user_id: i64, key: &str) -> String {
    format!("Session {}", base64(format!("{login}:{user_id}:{key}").as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, byte)| n | u32::from(*byte) << (16 - 8 * i));
        for i in 0..4 {
            text.push(if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use pos_plugin_sdk::types::{ConfigEntry, ConfigValue};
    use pos_plugin_sdk::{Config, ConfigErrors};

    fn settings() -> Settings {
        let entries = ["database", "user"].map(|key| ConfigEntry {
            key: key.into(),
            value: ConfigValue::Text(if key == "user" { "admin" } else { "pos" }.into()),
        });
        Settings::read(&Config::new(entries.to_vec()), &mut ConfigErrors::default())
    }

    #[test]
    fn a_result_is_taken_out_of_the_envelope() {
        assert_eq!(answer(200, br#"{"id": 1, "result": [1, 2]}"#), Ok(json!([1, 2])));
        assert_eq!(answer(200, br#"{"id": 1, "result": null}"#), Ok(Value::Null));
        assert_eq!(
            String::from_utf8(envelope("model.party.party.read", json!([[1], ["code"], {}]))).unwrap(),
            r#"{"id":1,"method":"model.party.party.read","params":[[1],["code"],{}]}"#
        );
    }

    #[test]
    fn the_server_s_errors_keep_their_kind_and_message() {
        let unique =
            answer(200, br#"{"id": 1, "error": ["UserError", ["The code on party must be unique.", "", null]]}"#);
        assert_eq!(
            unique,
            Err(Failure::Server { kind: "UserError".into(), message: "The code on party must be unique.".into() })
        );
        assert_eq!(unique.unwrap_err().business().as_deref(), Some("The code on party must be unique."));
        let stale =
            answer(200, br#"{"id": 1, "error": ["ConcurrencyException", "Records were modified in the meanwhile"]}"#)
                .unwrap_err();
        assert!(stale.business().unwrap().contains("changed in the ERP meanwhile"));
    }

    #[test]
    fn a_missing_module_is_named() {
        let missing = answer(200, br#"{"id": 1, "error": ["'sale.sale'", ""]}"#).unwrap_err();
        assert_eq!(missing.missing_model(), Some("sale.sale"));
        assert_eq!(missing.business(), None);
        let ErpError::Rejected(text) = missing.erp_error("model.sale.sale.search_read", &settings()) else { panic!() };
        assert!(text.contains("sale.sale") && text.contains("not activated"), "{text}");
        let other = Failure::Server { kind: "'server'".into(), message: String::new() };
        assert_eq!(other.missing_model(), None);
    }

    #[test]
    fn statuses_and_transport_map_to_the_host_s_errors() {
        let s = settings();
        assert!(matches!(Failure::Status(404).erp_error("m", &s), ErpError::Rejected(t) if t.contains("`database`")));
        assert!(matches!(Failure::Status(502).erp_error("m", &s), ErpError::Unavailable(_)));
        assert!(matches!(Failure::Timeout.erp_error("m", &s), ErpError::Timeout));
        assert!(
            matches!(Failure::Unreachable("refused".into()).erp_error("m", &s), ErpError::Unavailable(t) if t.contains("host.erp.url"))
        );
        assert_eq!(answer(401, b""), Err(Failure::Status(401)));
    }

    #[test]
    fn a_gzip_body_is_inflated_a_broken_one_named_and_a_bomb_refused() {
        use std::io::Write;
        let gzip = |bytes: &[u8]| {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(bytes).unwrap();
            encoder.finish().unwrap()
        };
        assert_eq!(answer(200, &gzip(br#"{"id": 1, "result": [1, 2]}"#)).unwrap(), json!([1, 2]));
        assert_eq!(answer(200, br#"{"id": 1, "result": 3}"#).unwrap(), json!(3), "uncompressed, as a short answer");
        assert!(matches!(answer(200, &[0x1f, 0x8b, 8, 0]), Err(Failure::Malformed(t)) if t.contains("gzip")));
        assert!(matches!(answer(200, b"<html>"), Err(Failure::Malformed(_))));
        let bomb = gzip(&vec![b' '; (MAX_INFLATED_BYTES + 2) as usize]);
        assert!(bomb.len() < 1 << 20, "a bomb is small");
        assert!(matches!(answer(200, &bomb), Err(Failure::Malformed(t)) if t.contains("inflates to more than 64 MiB")));
    }

    #[test]
    fn the_session_header_is_base64_of_login_id_and_key() {
        assert_eq!(session_header("admin", 1, "Ł"), "Session YWRtaW46MTrFgQ==");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
    }
}
