//! The change feed's cursor: where in Tryton's change dates the feed stands, which deletion
//! it saw last, and when it last sent the full list of available numbers.
//!
//! Text form: `tryton-1:<stamp>:<party>:<log>:<available-at>`. A cursor of another version
//! or that does not parse is expired, and the host runs a full synchronisation.

/// Every party with an event up to (`stamp`, `party`) has been sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Microseconds since the epoch, Tryton's clock.
    pub stamp: i64,
    /// The last party sent at `stamp`; [`ALL`] when every party at `stamp` was.
    pub party: i64,
    /// The id of the last `ir.model.log` deletion of a party seen; 0 when none or unreadable.
    pub log: i64,
    /// When `available` was last sent, in seconds since the epoch (Tryton's clock).
    pub available_at: i64,
}

/// Every party at a stamp.
pub const ALL: i64 = i64::MAX;

const PREFIX: &str = "tryton-1";

impl Cursor {
    pub fn encode(&self) -> String {
        let party = if self.party == ALL { "all".to_owned() } else { self.party.to_string() };
        format!("{PREFIX}:{}:{party}:{}:{}", self.stamp, self.log, self.available_at)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let mut parts = text.split(':');
        if parts.next()? != PREFIX {
            return None;
        }
        let stamp = parts.next()?.parse().ok()?;
        let party = match parts.next()? {
            "all" => ALL,
            id => id.parse().ok().filter(|id| *id >= 0)?,
        };
        let log = parts.next()?.parse().ok().filter(|id| *id >= 0)?;
        let available_at = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some(Cursor { stamp, party, log, available_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_written() {
        for cursor in [
            Cursor { stamp: 1_796_461_704_867_318, party: 42, log: 3, available_at: 1_796_461_694 },
            Cursor { stamp: 0, party: ALL, log: 0, available_at: 0 },
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
        assert_eq!(Cursor { stamp: 5, party: ALL, log: 1, available_at: 2 }.encode(), "tryton-1:5:all:1:2");
    }

    #[test]
    fn anything_else_is_expired() {
        for text in [
            "",
            "tryton-2:5:all:1:2",
            "tryton-1:5:all:1",
            "tryton-1:5:all:1:2:3",
            "tryton-1:x:1:1:2",
            "tryton-1:5:-1:1:2",
        ] {
            assert_eq!(Cursor::decode(text), None, "{text}");
        }
    }
}
