//! Finding personal data in free text by its shape: e-mail addresses, phone numbers and tax
//! ids (long runs of digits), and the query of a URL (an ERP search carries the phrase the
//! operator typed there).

use std::borrow::Cow;

/// What an e-mail address becomes.
pub const EMAIL: &str = "[e-mail]";
/// What a run of at least [`MIN_DIGITS`] digits becomes.
pub const DIGITS: &str = "[digits]";
/// What the query of a URL becomes.
pub const QUERY: &str = "[query]";
/// What a value known to be personal becomes.
pub const PERSONAL: &str = "[personal]";

/// The fewest digits a run must hold to be masked: Polish and Dutch phone numbers have 9
/// and 10 digits, tax ids 9 to 11, while the customer numbers, counts and durations the host
/// logs have fewer.
pub const MIN_DIGITS: usize = 9;

/// `text` with its e-mail addresses, long runs of digits and URL queries masked.
pub fn shapes(text: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(text);
    for find in [url_query as Finder, email, digits] {
        let replaced = match replace_all(&text, find) {
            Cow::Owned(owned) => Some(owned),
            Cow::Borrowed(_) => None,
        };
        if let Some(replaced) = replaced {
            text = Cow::Owned(replaced);
        }
    }
    text
}

/// A finder: the byte range of the first match at or after `from`, and what replaces it.
type Finder = fn(&str, usize) -> Option<(usize, usize, &'static str)>;

fn replace_all(text: &str, find: Finder) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some((start, end, with)) = find(text, from) {
        out.push_str(&text[copied..start]);
        out.push_str(with);
        copied = end;
        from = end.max(start + 1);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

fn is_local_part(c: char) -> bool {
    c.is_alphanumeric() || "._%+-'".contains(c)
}

fn is_domain(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '-'
}

/// `local@domain.tld`, in any script.
fn email(text: &str, from: usize) -> Option<(usize, usize, &'static str)> {
    let mut search = from;
    while let Some(at) = text[search..].find('@').map(|i| i + search) {
        let start = text[..at].char_indices().rev().take_while(|&(_, c)| is_local_part(c)).last().map(|(i, _)| i);
        let end = text[at + 1..].char_indices().find(|&(_, c)| !is_domain(c)).map_or(text.len(), |(i, _)| at + 1 + i);
        let domain = text[at + 1..end].trim_end_matches(['.', '-']);
        if let Some(start) = start.filter(|&s| s >= from)
            && domain.contains('.')
            && !domain.starts_with('.')
        {
            return Some((start, at + 1 + domain.len(), EMAIL));
        }
        search = at + 1;
    }
    None
}

/// A run of digits that may be broken by single spaces, dashes, dots, slashes and brackets,
/// as phone numbers and tax ids are written (`+48 601-234-567`, `(020) 123 4567`,
/// `NL123456789B01`), holding at least [`MIN_DIGITS`] digits. A hexadecimal digest (32 and
/// more hexadecimal characters in one word) is left alone: the host logs plugins' hashes.
fn digits(text: &str, from: usize) -> Option<(usize, usize, &'static str)> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        if let Some(end) = digest_end(bytes, i) {
            i = end;
            continue;
        }
        let start = if i > 0 && b"+(".contains(&bytes[i - 1]) { i - 1 } else { i };
        let (mut end, mut count, mut j) = (i, 0, i);
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                count += 1;
                j += 1;
                end = j;
            } else if bytes[j] == b')'
                || (b" -./(".contains(&bytes[j])
                    && bytes.get(j + 1).is_some_and(|b| b.is_ascii_digit() || *b == b'(')
                    && digest_end(bytes, j + 1).is_none())
            {
                j += 1;
            } else {
                break;
            }
        }
        if count >= MIN_DIGITS {
            return Some((start, end, DIGITS));
        }
        i = end.max(i + 1);
    }
    None
}

/// The end of the word around `at` when it is a hexadecimal digest (32 and more
/// hexadecimal characters).
fn digest_end(bytes: &[u8], at: usize) -> Option<usize> {
    let start = bytes[..at].iter().rposition(|b| !b.is_ascii_alphanumeric()).map_or(0, |p| p + 1);
    let end = bytes[at..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(bytes.len(), |p| at + p);
    (end - start >= 32 && bytes[start..end].iter().all(u8::is_ascii_hexdigit)).then_some(end)
}

/// What follows the `?` of a URL, up to the end of the URL.
fn url_query(text: &str, from: usize) -> Option<(usize, usize, &'static str)> {
    let mut search = from;
    while let Some(scheme) = text[search..].find("://").map(|i| i + search) {
        let end = text[scheme..]
            .find(|c: char| c.is_whitespace() || "\"'<>)`".contains(c))
            .map_or(text.len(), |i| scheme + i);
        if let Some(question) = text[scheme..end].find('?').map(|i| scheme + i)
            && question + 1 < end
        {
            return Some((question + 1, end, QUERY));
        }
        search = end.max(scheme + 3);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::shapes;

    #[test]
    fn e_mail_addresses_are_masked() {
        assert_eq!(shapes("sent to jan.kowalski+shop@example.com.pl."), "sent to [e-mail].");
        assert_eq!(shapes("<zofia@łódź.example.pl>"), "<[e-mail]>");
        assert_eq!(shapes("a@b and x@y.z"), "a@b and [e-mail]");
        assert_eq!(shapes("@ alone, user@ and @host.com"), "@ alone, user@ and @host.com");
    }

    #[test]
    fn phone_numbers_and_tax_ids_are_masked() {
        assert_eq!(shapes("call +48 601 234 567 now"), "call [digits] now");
        assert_eq!(shapes("tel (020) 123 4567"), "tel [digits]");
        assert_eq!(shapes("phone 601-234-567, NIP 525-000-12-34"), "phone [digits], NIP [digits]");
        assert_eq!(shapes("VAT NL123456789B01"), "VAT NL[digits]B01");
        assert_eq!(shapes("0612345678"), "[digits]");
    }

    #[test]
    fn what_the_host_logs_of_its_own_is_left_alone() {
        for text in [
            "customer K-0000117 (key 4f1c) is already in Tryton",
            "reloaded in 12.5 ms: 3 customers, 1000000 listed",
            "2026-12-07T00:22:53.123Z",
            "sha256 0123456789012345678901234567890123456789012345678901234567890123",
            "plugin search-thresholds v0.2.0",
        ] {
            assert_eq!(shapes(text), text);
        }
    }

    #[test]
    fn a_url_keeps_its_place_and_loses_its_query() {
        assert_eq!(
            shapes("error sending request for url (http://127.0.0.1:8780/customers/search?q=Kowalski&limit=6)"),
            "error sending request for url (http://127.0.0.1:8780/customers/search?[query])"
        );
        assert_eq!(shapes("GET https://erp.example/x? done"), "GET https://erp.example/x? done");
    }
}
