//! Seed 1: the decisions of the customer search flow.

use crate::config::{Problems, Table, u32_in};

/// How serious a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A notice by message key; the texts turn it into words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notice {
    pub severity: Severity,
    pub key: &'static str,
}

/// How the \[Search\] button appears after a local search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Button {
    Hidden,
    Available,
    Suggested,
}

/// The configurable numbers of the flow, with the seed's values as defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// A refined local search showing 1 up to this many results offers the ERP search.
    pub offer_erp_at_most: u32,
    /// The ERP list is shown only when it has at most this many results.
    pub erp_show_at_most: u32,
    /// The waiting window appears after this many milliseconds of ERP search.
    pub waiting_window_after_ms: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { offer_erp_at_most: 6, erp_show_at_most: 6, waiting_window_after_ms: 700 }
    }
}

/// The largest value accepted for either result threshold.
pub const MAX_THRESHOLD: u32 = 99;

/// The config keys of the thresholds.
pub const THRESHOLD_KEYS: [&str; 3] = ["offer-erp-at-most", "erp-show-at-most", "waiting-window-after-ms"];

impl Thresholds {
    /// The thresholds a slot's config sets (`offer-erp-at-most` and `erp-show-at-most`
    /// 1..=99, `waiting-window-after-ms` 0..=60000); a value that is absent or wrong keeps the
    /// seed's, and is a problem when wrong. Other keys are not read.
    pub fn read(table: &(impl Table + ?Sized), problems: &mut (impl Problems + ?Sized)) -> Thresholds {
        let default = Thresholds::default();
        Thresholds {
            offer_erp_at_most: u32_in(table, THRESHOLD_KEYS[0], default.offer_erp_at_most, 1..=MAX_THRESHOLD, problems),
            erp_show_at_most: u32_in(table, THRESHOLD_KEYS[1], default.erp_show_at_most, 1..=MAX_THRESHOLD, problems),
            waiting_window_after_ms: u32_in(
                table,
                THRESHOLD_KEYS[2],
                default.waiting_window_after_ms,
                0..=MAX_WAITING_WINDOW_MS,
                problems,
            ),
        }
    }
}

/// The longest waiting-window delay accepted.
pub const MAX_WAITING_WINDOW_MS: u32 = 60_000;

/// What follows a local search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalDecision {
    pub notice: Option<Notice>,
    pub button: Button,
    pub erp_limit: u32,
    pub waiting_window_after_ms: u32,
}

/// Decides what follows a local search showing `count` results.
pub fn after_local_search(
    thresholds: &Thresholds,
    count: u32,
    criteria_changed: bool,
    online_search_enabled: bool,
) -> LocalDecision {
    let (notice, button) = if !online_search_enabled {
        (None, Button::Hidden)
    } else if count == 0 {
        (Some(info("local-no-results")), Button::Suggested)
    } else if criteria_changed && count <= thresholds.offer_erp_at_most {
        (Some(info("local-no-exact-results")), Button::Suggested)
    } else {
        (None, Button::Available)
    };
    LocalDecision {
        notice,
        button,
        erp_limit: thresholds.erp_show_at_most + 1,
        waiting_window_after_ms: thresholds.waiting_window_after_ms,
    }
}

/// How an ERP search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErpOutcome {
    Found {
        count: u32,
        has_more: bool,
    },
    /// No connection, a time-out or a refusal.
    Failed,
    Cancelled,
}

/// Which list the operator sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Local,
    Erp,
}

/// Decides what follows an ERP search.
pub fn after_erp_search(thresholds: &Thresholds, outcome: ErpOutcome) -> (List, Option<Notice>) {
    match outcome {
        ErpOutcome::Cancelled => (List::Local, None),
        ErpOutcome::Failed => (List::Local, Some(error("erp-connection-failed"))),
        ErpOutcome::Found { count: 0, has_more: false } => (List::Local, Some(info("erp-no-results"))),
        ErpOutcome::Found { count, has_more } if has_more || count > thresholds.erp_show_at_most => {
            (List::Local, Some(warning("erp-too-many-results")))
        }
        ErpOutcome::Found { .. } => (List::Erp, None),
    }
}

/// Decides what follows a failure to retrieve an ERP customer: clear the ERP list and tell
/// the operator, unless the operator cancelled.
pub fn after_retrieve_failed(cancelled: bool) -> (bool, Option<Notice>) {
    if cancelled { (false, None) } else { (true, Some(error("erp-retrieve-failed"))) }
}

fn info(key: &'static str) -> Notice {
    Notice { severity: Severity::Info, key }
}

fn warning(key: &'static str) -> Notice {
    Notice { severity: Severity::Warning, key }
}

fn error(key: &'static str) -> Notice {
    Notice { severity: Severity::Error, key }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_table() {
        let t = Thresholds::default();
        let local = |count, changed| after_local_search(&t, count, changed, true);
        assert_eq!(local(0, false).notice.unwrap().key, "local-no-results");
        assert_eq!(local(6, true).notice.unwrap().key, "local-no-exact-results");
        assert_eq!(local(7, true).notice, None);
        assert_eq!(local(3, false).notice, None);
        assert_eq!(local(3, false).button, Button::Available);
        assert_eq!(after_local_search(&t, 0, false, false).button, Button::Hidden);
        assert_eq!(local(0, false).erp_limit, 7);

        let erp = |outcome| after_erp_search(&t, outcome);
        assert_eq!(erp(ErpOutcome::Failed).1.unwrap().key, "erp-connection-failed");
        assert_eq!(erp(ErpOutcome::Found { count: 6, has_more: false }), (List::Erp, None));
        assert_eq!(erp(ErpOutcome::Found { count: 7, has_more: false }).1.unwrap().key, "erp-too-many-results");
        assert_eq!(erp(ErpOutcome::Found { count: 0, has_more: false }).1.unwrap().key, "erp-no-results");
        assert_eq!(erp(ErpOutcome::Cancelled), (List::Local, None));
    }

    #[test]
    fn thresholds_come_from_the_config_where_it_sets_them_well() {
        use crate::config::Value::Integer;
        use crate::config::tests::Entries;
        let table = Entries(vec![("offer-erp-at-most", Integer(3)), ("erp-show-at-most", Integer(0))]);
        let mut problems = Vec::new();
        let read = Thresholds::read(&table, &mut problems);
        assert_eq!(read, Thresholds { offer_erp_at_most: 3, ..Thresholds::default() });
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
