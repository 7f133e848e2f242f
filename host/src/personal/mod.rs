//! Personal data kept out of the log. A till's log goes to collectors, support tickets and
//! screenshots; the people in its database must not. Nothing the host logs at `info` and
//! above carries a customer's names, e-mail address, phone number, tax id or address:
//!
//! - the host's own lines name customers by number and web id only;
//! - every line, from the host and from the libraries it uses, is written through
//!   [`MaskedFields`], which masks e-mail addresses, phone numbers and tax ids (runs of 9 and
//!   more digits) and the query of a URL (where an ERP search carries the phrase);
//! - a plugin's free text (its log lines, its output, the message it panics with) is also
//!   masked for every value of the customers, phrases and message arguments its call was
//!   given, read through a capability, or, for a connector, returned ([`Known`]).
//!
//! `debug` and `trace` lines are masked the same way unless `--log-personal-data` asks for
//! them as they are, to debug a matching rule on a test till.

#[cfg(test)]
mod captured;
mod json;
mod known;
mod log;
pub mod mask;

pub use json::{JsonEvents, JsonFields};
pub use known::Known;
pub use log::{IDENTIFIERS, LogFormat, MaskedFields, reveals_debug, subscriber};
