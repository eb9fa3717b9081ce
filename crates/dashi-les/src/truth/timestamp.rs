//! UTC instants written as RFC 3339 (`2026-05-01T12:34:56.123456Z`), the form of
//! `created` in `meta.json` and `manifest.json`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Unix seconds of 0000-01-01T00:00:00Z.
const MIN_UNIX_SECONDS: i64 = -62_167_219_200;
/// Unix seconds of 9999-12-31T23:59:59Z.
const MAX_UNIX_SECONDS: i64 = 253_402_300_799;
const SECONDS_PER_DAY: i64 = 86_400;

/// An instant in years 0000–9999 UTC with nanosecond resolution; ordered by time.
///
/// Serialised as an RFC 3339 string in UTC: six fraction digits when the instant is a
/// whole microsecond, nine otherwise, so formatting and parsing round-trip exactly. Parsing
/// accepts any RFC 3339 date-time (`Z` or a numeric offset, `T`, `t` or a space between
/// date and time, any number of fraction digits, of which nanoseconds are kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Timestamp {
    unix_seconds: i64,
    nanos: u32,
}

impl Timestamp {
    /// The current time, truncated to whole microseconds.
    pub fn now() -> Self {
        let (unix_seconds, nanos) = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => (since.as_secs() as i64, since.subsec_nanos()),
            Err(before) => {
                let before = before.duration();
                match before.subsec_nanos() {
                    0 => (-(before.as_secs() as i64), 0),
                    n => (-(before.as_secs() as i64) - 1, 1_000_000_000 - n),
                }
            }
        };
        let clamped = unix_seconds.clamp(MIN_UNIX_SECONDS, MAX_UNIX_SECONDS);
        Self { unix_seconds: clamped, nanos: nanos / 1000 * 1000 }
    }

    /// The instant `unix_seconds + nanos·10⁻⁹` after 1970-01-01T00:00:00Z, if it lies in
    /// years 0000–9999 and `nanos < 10⁹`.
    pub fn from_unix(unix_seconds: i64, nanos: u32) -> Option<Self> {
        ((MIN_UNIX_SECONDS..=MAX_UNIX_SECONDS).contains(&unix_seconds) && nanos < 1_000_000_000)
            .then_some(Self { unix_seconds, nanos })
    }

    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    pub fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }

    /// Nanoseconds past [`unix_seconds`](Self::unix_seconds).
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Parses an RFC 3339 date-time, e.g. `2026-05-01T12:34:56.5+02:00`.
    pub fn parse_rfc3339(text: &str) -> Result<Self, String> {
        let fail = |what: &str| format!("`{text}` is not an RFC 3339 date-time: {what}");
        let bytes = text.as_bytes();
        let number = |range: std::ops::Range<usize>| -> Result<i64, String> {
            let digits = bytes.get(range).ok_or_else(|| fail("too short"))?;
            if digits.iter().all(u8::is_ascii_digit) {
                Ok(digits.iter().fold(0, |acc, &d| acc * 10 + i64::from(d - b'0')))
            } else {
                Err(fail("expected digits"))
            }
        };
        let separator = |at: usize, allowed: &[u8]| match bytes.get(at) {
            Some(b) if allowed.contains(b) => Ok(()),
            _ => Err(fail("bad separator")),
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        separator(4, b"-")?;
        separator(7, b"-")?;
        separator(10, b"Tt ")?;
        let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
        separator(13, b":")?;
        separator(16, b":")?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(fail("no such date"));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(fail("no such time of day"));
        }
        let mut pos = 19;
        let mut nanos = 0u32;
        if bytes.get(pos) == Some(&b'.') {
            let digits = bytes[pos + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return Err(fail("empty fraction"));
            }
            for (i, &d) in bytes[pos + 1..pos + 1 + digits.min(9)].iter().enumerate() {
                nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
            }
            pos += 1 + digits;
        }
        let offset_seconds = match &bytes[pos..] {
            b"Z" | b"z" => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let (off_hour, off_minute) = (number(pos + 1..pos + 3)?, number(pos + 4..pos + 6)?);
                if off_hour > 23 || off_minute > 59 {
                    return Err(fail("no such offset"));
                }
                let magnitude = off_hour * 3600 + off_minute * 60;
                if *sign == b'+' { magnitude } else { -magnitude }
            }
            _ => return Err(fail("expected `Z` or an offset `±HH:MM` at the end")),
        };
        let seconds =
            days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset_seconds;
        Self::from_unix(seconds, nanos).ok_or_else(|| fail("outside years 0000–9999 UTC"))
    }

    /// RFC 3339 in UTC: `YYYY-MM-DDTHH:MM:SS.ffffffZ` (nine fraction digits when the
    /// instant is not a whole microsecond).
    pub fn to_rfc3339(&self) -> String {
        let (year, month, day, hour, minute, second) = self.civil();
        let fraction = if self.nanos.is_multiple_of(1000) {
            format!("{:06}", self.nanos / 1000)
        } else {
            format!("{:09}", self.nanos)
        };
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{fraction}Z")
    }

    /// The compact form used in truth ids: `YYYYMMDDTHHMMSSZ`.
    pub fn to_compact(&self) -> String {
        let (year, month, day, hour, minute, second) = self.civil();
        format!("{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z")
    }

    /// (year, month, day, hour, minute, second) in UTC.
    fn civil(&self) -> (i64, i64, i64, i64, i64, i64) {
        let days = self.unix_seconds.div_euclid(SECONDS_PER_DAY);
        let of_day = self.unix_seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        (year, month, day, of_day / 3600, of_day / 60 % 60, of_day % 60)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl std::str::FromStr for Timestamp {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Self::parse_rfc3339(text)
    }
}

impl From<Timestamp> for String {
    fn from(timestamp: Timestamp) -> String {
        timestamp.to_rfc3339()
    }
}

impl TryFrom<String> for Timestamp {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse_rfc3339(&text)
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date. Counts in 400-year eras of
/// 146 097 days, with years starting on 1 March so that the leap day ends the year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719 468 days from 0000-03-01 to 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        let epoch = Timestamp::from_unix(0, 0).unwrap();
        assert_eq!(epoch.to_rfc3339(), "1970-01-01T00:00:00.000000Z");
        let leap_day = Timestamp::from_unix(951_782_400 + 3723, 500_000_000).unwrap();
        assert_eq!(leap_day.to_rfc3339(), "2000-02-29T01:02:03.500000Z");
        assert_eq!(leap_day.to_compact(), "20000229T010203Z");
        assert_eq!(Timestamp::from_unix(MIN_UNIX_SECONDS, 0).unwrap().to_rfc3339(), "0000-01-01T00:00:00.000000Z");
        assert_eq!(Timestamp::from_unix(MAX_UNIX_SECONDS, 1).unwrap().to_rfc3339(), "9999-12-31T23:59:59.000000001Z");
        assert!(Timestamp::from_unix(MAX_UNIX_SECONDS + 1, 0).is_none());
    }

    #[test]
    fn civil_round_trip_over_centuries() {
        for days in (-800_000..3_000_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d));
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn parse_accepts_rfc3339_forms() {
        let utc = Timestamp::parse_rfc3339("2026-05-01T12:34:56.123456Z").unwrap();
        assert_eq!(utc.to_rfc3339(), "2026-05-01T12:34:56.123456Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2026-05-01 14:34:56.123456789+02:00").unwrap().subsec_nanos(),
            123_456_789
        );
        assert_eq!(Timestamp::parse_rfc3339("2026-05-01t10:04:56.123456-02:30").unwrap(), utc);
        assert_eq!(Timestamp::parse_rfc3339("2026-05-01T12:34:56Z").unwrap().subsec_nanos(), 0);
        let now = Timestamp::now();
        assert_eq!(Timestamp::parse_rfc3339(&now.to_rfc3339()).unwrap(), now);
    }

    #[test]
    fn parse_rejects_malformed() {
        for bad in [
            "",
            "2026-05-01",
            "2026-05-01T12:34:56",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-05-01T24:00:00Z",
            "2026-05-01T12:34:56.Z",
            "2026-05-01T12:34:56+0200",
            "2026-05-01T12:34:56Zjunk",
            "2026-05-01T12:34:56\u{e9}",
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_err(), "accepted {bad:?}");
        }
    }
}
