//! Which parties a page of the change feed sends, from the change dates of parties and their
//! children.
//!
//! Tryton dates a change by its transaction, which becomes visible only when it commits: a
//! change read now may carry a date older than one read before. The feed therefore sends only
//! changes dated up to a horizon, the server's time less the overlap (`overlap-seconds`),
//! beyond which every transaction is taken to have committed; a page stops at a party, and
//! the next one goes on from it, so a page never repeats or skips one.

use crate::cursor::{ALL, Cursor};

/// A change of a party or one of its children: the party and the change's date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub party: i64,
    pub stamp: i64,
}

/// The parties a page sends, oldest change first, and where the feed stands after it.
#[derive(Debug, PartialEq, Eq)]
pub struct Page {
    pub parties: Vec<i64>,
    pub has_more: bool,
    /// The cursor's `stamp` and `party` after the page.
    pub next: (i64, i64),
}

/// At most `limit` parties changed after `cursor` and up to `horizon`, each once at its
/// latest change up to `horizon`.
pub fn page(events: &[Event], cursor: &Cursor, horizon: i64, limit: usize) -> Page {
    let mut latest: Vec<(i64, i64)> = Vec::new();
    let mut events: Vec<Event> = events.iter().filter(|e| e.stamp <= horizon).copied().collect();
    events.sort_by_key(|e| (e.party, std::cmp::Reverse(e.stamp)));
    for event in events {
        if latest.last().is_none_or(|(_, party)| *party != event.party) {
            latest.push((event.stamp, event.party));
        }
    }
    latest.retain(|key| *key > (cursor.stamp, cursor.party));
    latest.sort_unstable();
    let has_more = latest.len() > limit;
    latest.truncate(limit);
    let next = match latest.last() {
        Some(last) if has_more => *last,
        // Everything up to the horizon is sent; a horizon behind the cursor (the server's
        // clock went back) leaves it where it is.
        _ if horizon >= cursor.stamp => (horizon, ALL),
        _ => (cursor.stamp, cursor.party),
    };
    Page { parties: latest.into_iter().map(|(_, party)| party).collect(), has_more, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(stamp: i64, party: i64) -> Cursor {
        Cursor { stamp, party, log: 0, available_at: 0 }
    }

    fn events(list: &[(i64, i64)]) -> Vec<Event> {
        list.iter().map(|(party, stamp)| Event { party: *party, stamp: *stamp }).collect()
    }

    #[test]
    fn each_party_comes_once_at_its_latest_change() {
        // Party 1 changed at 10 and its address at 30; party 2 at 20.
        let page = page(&events(&[(1, 10), (2, 20), (1, 30)]), &at(0, ALL), 100, 10);
        assert_eq!(page, Page { parties: vec![2, 1], has_more: false, next: (100, ALL) });
    }

    #[test]
    fn changes_past_the_horizon_wait() {
        let first = page(&events(&[(1, 10), (2, 120)]), &at(0, ALL), 100, 10);
        assert_eq!(first.parties, [1]);
        let second = page(&events(&[(2, 120)]), &at(first.next.0, first.next.1), 200, 10);
        assert_eq!(second.parties, [2]);
    }

    #[test]
    fn a_full_page_goes_on_from_its_last_party_even_within_one_transaction() {
        // One transaction changed five parties: one date.
        let all = events(&[(5, 50), (3, 50), (4, 50), (1, 50), (2, 50)]);
        let first = page(&all, &at(0, ALL), 100, 2);
        assert_eq!(first, Page { parties: vec![1, 2], has_more: true, next: (50, 2) });
        let second = page(&all, &at(50, 2), 100, 2);
        assert_eq!(second, Page { parties: vec![3, 4], has_more: true, next: (50, 4) });
        let third = page(&all, &at(50, 4), 100, 2);
        assert_eq!(third, Page { parties: vec![5], has_more: false, next: (100, ALL) });
    }

    #[test]
    fn what_was_sent_is_not_sent_again_and_the_clock_never_goes_back() {
        let page_ = page(&events(&[(1, 40), (2, 60)]), &at(50, ALL), 100, 10);
        assert_eq!(page_.parties, [2]);
        let behind = page(&events(&[(1, 40)]), &at(50, ALL), 30, 10);
        assert_eq!(behind, Page { parties: vec![], has_more: false, next: (50, ALL) });
    }
}
