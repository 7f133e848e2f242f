//! Checks on values plugins return: anything outside these bounds is treated as a plugin
//! failure, so that garbage never reaches the operator or the database.

use crate::bindings::{Customer, Message, Notice};

/// The longest message key.
pub const MAX_KEY_LEN: usize = 64;
/// The most arguments of a message.
pub const MAX_ARGS: usize = 16;
/// The longest text a plugin may return for the operator to read, in bytes.
pub const MAX_TEXT_LEN: usize = 4096;
/// The longest customer field, in bytes.
pub const MAX_FIELD_LEN: usize = 1024;

pub fn message(message: &Message) -> Result<(), String> {
    let key = &message.key;
    if key.is_empty()
        || key.len() > MAX_KEY_LEN
        || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(format!(
            "message key {:?} is not 1..={MAX_KEY_LEN} characters of letters, digits, `-`, `_` or `.`",
            crate::runtime::truncate(key, MAX_KEY_LEN + 8)
        ));
    }
    if message.args.len() > MAX_ARGS {
        return Err(format!("message `{key}` has {} arguments, more than {MAX_ARGS}", message.args.len()));
    }
    for arg in &message.args {
        if arg.name.len() > MAX_KEY_LEN || arg.value.len() > MAX_TEXT_LEN {
            return Err(format!("an argument of message `{key}` is too long"));
        }
    }
    Ok(())
}

pub fn notice(notice: &Notice) -> Result<(), String> {
    message(&notice.message)
}

pub fn optional_notice(value: &Option<Notice>) -> Result<(), String> {
    value.as_ref().map_or(Ok(()), notice)
}

/// A text the operator will read.
pub fn text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("the text is empty".into());
    }
    if text.len() > MAX_TEXT_LEN {
        return Err(format!("the text is {} bytes, more than {MAX_TEXT_LEN}", text.len()));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("the text contains control characters".into());
    }
    Ok(())
}

pub fn customer(customer: &Customer) -> Result<(), String> {
    let fields = [
        customer.number.as_deref(),
        customer.web_id.as_deref(),
        Some(customer.first_name.as_str()),
        Some(customer.last_name.as_str()),
        customer.company.as_deref(),
        customer.tax_id.as_deref(),
        customer.email.as_deref(),
        customer.phone.as_deref(),
        customer.street.as_deref(),
        customer.postal_code.as_deref(),
        customer.city.as_deref(),
        customer.country.as_deref(),
    ];
    if fields.into_iter().flatten().any(|field| field.len() > MAX_FIELD_LEN) {
        return Err(format!("a customer field is longer than {MAX_FIELD_LEN} bytes"));
    }
    if customer.last_name.trim().is_empty() {
        return Err("a customer has an empty last name".into());
    }
    Ok(())
}
