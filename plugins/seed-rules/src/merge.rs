//! Seed 2: which local customers may be a web customer, and when the operator is warned.

use crate::fold::same;

/// The most candidates proposed for one web customer.
pub const MAX_CANDIDATES: u32 = 50;

/// Why a local customer is proposed for a web customer, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    SameNumber,
    SameLastName,
}

/// The reasons `local` is proposed for `web`; empty when it is not a candidate.
pub fn reasons(
    web_number: Option<&str>,
    web_last_name: &str,
    local_number: Option<&str>,
    local_last_name: &str,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if let (Some(web), Some(local)) = (non_blank(web_number), non_blank(local_number))
        && web == local
    {
        reasons.push(Reason::SameNumber);
    }
    if !web_last_name.trim().is_empty() && same(web_last_name, local_last_name) {
        reasons.push(Reason::SameLastName);
    }
    reasons
}

/// Whether taking over the local info must first warn that the existing customer will be
/// overwritten: the last names differ (a wrong pick, or a company contact or maiden name).
pub fn last_names_differ(web_last_name: &str, local_last_name: &str) -> bool {
    !same(web_last_name, local_last_name)
}

fn non_blank(number: Option<&str>) -> Option<&str> {
    number.map(str::trim).filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_and_last_name_both_count() {
        assert_eq!(reasons(Some("K-1"), "Wójcik", Some(" K-1 "), "WOJCIK"), [Reason::SameNumber, Reason::SameLastName]);
        assert_eq!(reasons(None, "Nowak", Some("K-1"), "Nowak"), [Reason::SameLastName]);
        assert_eq!(reasons(Some(""), "", Some(""), ""), []);
    }

    #[test]
    fn last_name_difference_ignores_case_and_diacritics() {
        assert!(!last_names_differ("Żak", "zak"));
        assert!(last_names_differ("Jansen", "Jansen-de Vries"));
    }
}
