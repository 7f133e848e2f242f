//! Tryton's datetimes in microseconds since the Unix epoch. Tryton keeps naive UTC times and
//! sends them as `{"__class__": "datetime", "year": …, "microsecond": …}`; the server's clock
//! comes from the HTTP `Date` header, so that the change feed's horizon is the ERP's time and
//! not the workstation's.

use serde_json::{Value, json};

const MICROS_PER_SECOND: i64 = 1_000_000;

/// A Tryton datetime object in microseconds since the epoch; `None` for anything else
/// (`null` for a date never set).
pub fn micros(value: &Value) -> Option<i64> {
    if value.get("__class__")?.as_str()? != "datetime" {
        return None;
    }
    let part = |name: &str| value.get(name).and_then(Value::as_i64);
    let days = days_from_civil(part("year")?, part("month")?, part("day")?);
    let seconds = days * 86_400 + part("hour")? * 3600 + part("minute")? * 60 + part("second")?;
    Some(seconds * MICROS_PER_SECOND + part("microsecond").unwrap_or(0))
}

/// The Tryton datetime object for `micros` since the epoch, for a domain.
pub fn datetime(micros: i64) -> Value {
    let seconds = micros.div_euclid(MICROS_PER_SECOND);
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    json!({
        "__class__": "datetime",
        "year": year,
        "month": month,
        "day": day,
        "hour": rest / 3600,
        "minute": rest % 3600 / 60,
        "second": rest % 60,
        "microsecond": micros.rem_euclid(MICROS_PER_SECOND),
    })
}

/// An HTTP `Date` header (`Sat, 05 Dec 2026 09:08:14 GMT`) in seconds since the epoch.
pub fn http_date(text: &str) -> Option<i64> {
    let mut words = text.split_whitespace().skip(1);
    let day: i64 = words.next()?.parse().ok()?;
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month_name = words.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as i64 + 1;
    let year: i64 = words.next()?.parse().ok()?;
    let mut clock = words.next()?.split(':').map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the live server sent a party's `write_date`; its `_timestamp` was "1796461704.86732".
    fn observed() -> Value {
        json!({"__class__": "datetime", "year": 2026, "month": 12, "day": 5, "hour": 9, "minute": 8,
               "second": 24, "microsecond": 867318})
    }

    #[test]
    fn a_datetime_is_read_to_the_microsecond() {
        assert_eq!(micros(&observed()), Some(1_796_461_704_867_318));
        assert_eq!(micros(&Value::Null), None);
        assert_eq!(micros(&json!({"__class__": "date", "year": 2026, "month": 12, "day": 5})), None);
    }

    #[test]
    fn a_datetime_goes_back_as_it_came() {
        assert_eq!(datetime(1_796_461_704_867_318), observed());
        for micros_ in [0, 951_782_400_000_001, 4_102_444_799_999_999, 1_709_164_800_000_000] {
            assert_eq!(micros(&datetime(micros_)), Some(micros_));
        }
    }

    #[test]
    fn the_server_s_clock_is_read_from_the_date_header() {
        assert_eq!(http_date("Sat, 05 Dec 2026 09:08:14 GMT"), Some(1_796_461_694));
        assert_eq!(http_date("yesterday"), None);
    }
}
