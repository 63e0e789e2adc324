//! Points in time. The core never reads a clock: every time enters as a [`Timestamp`] value.

use std::fmt;

/// A point in time as seconds and nanoseconds since the Unix epoch (UTC). Ordered at full
/// precision, so validity windows ending at `…59.999Z` compare correctly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// The whole second `secs` seconds after the epoch (before it when negative).
    pub const fn from_unix(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// `None` when `nanos` is not below one second.
    pub const fn from_unix_nanos(secs: i64, nanos: u32) -> Option<Self> {
        if nanos < 1_000_000_000 {
            Some(Self { secs, nanos })
        } else {
            None
        }
    }

    /// From milliseconds since the epoch, the unit SCTs count in.
    pub fn from_unix_millis(millis: u64) -> Option<Self> {
        let secs = i64::try_from(millis / 1000).ok()?;
        // The remainder is below 1000, so the product is below one second.
        Self::from_unix_nanos(secs, (millis % 1000) as u32 * 1_000_000)
    }

    /// Whole seconds since the epoch, rounded down.
    pub const fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// Nanoseconds past [`unix_seconds`](Self::unix_seconds), below one second.
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// Builds a timestamp from calendar fields (proleptic Gregorian, UTC); `None` when a field is
    /// out of range.
    pub fn from_civil(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        nanos: u32,
    ) -> Option<Self> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = days.checked_mul(86_400)?.checked_add(i64::from(hour * 3600 + minute * 60 + second))?;
        Self::from_unix_nanos(secs, nanos)
    }

    /// Parses an RFC 3339 timestamp in UTC (`2023-07-12T15:56:36Z`, with 0 to 9 fractional
    /// digits), as protobuf's JSON mapping writes `google.protobuf.Timestamp`. Offsets other than
    /// `Z` are accepted too, since RFC 3339 allows them.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        if !matches!(b.get(10), Some(b'T' | b't')) || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
            return None;
        }
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        let mut pos = 19;
        let mut nanos = 0u32;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while let Some(c) = b.get(pos).filter(|c| c.is_ascii_digit()) {
                if pos - start >= 9 {
                    return None;
                }
                nanos = nanos * 10 + u32::from(c - b'0');
                pos += 1;
            }
            let count = pos - start;
            if count == 0 {
                return None;
            }
            nanos *= 10u32.pow(9 - count as u32);
        }
        let offset_secs: i64 = match b.get(pos..)? {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 5 && rest.get(2) == Some(&b':') => {
                let h = i64::from(digits(rest, 0, 2)?);
                let m = i64::from(digits(rest, 3, 2)?);
                let total = h * 3600 + m * 60;
                if *sign == b'+' {
                    total
                } else {
                    -total
                }
            }
            _ => return None,
        };
        let local = Self::from_civil(i64::from(year), month, day, hour, minute, second, nanos)?;
        Self::from_unix_nanos(local.secs.checked_sub(offset_secs)?, nanos)
    }

    /// Parses a DER GeneralizedTime, `YYYYMMDDhhmmss[.f]Z` (RFC 5280 §4.1.2.5.2, RFC 3161 §2.4.2):
    /// UTC only, a fraction without trailing zeros and no finer than a nanosecond.
    pub fn parse_generalized_time(text: &[u8]) -> Option<Self> {
        let text = text.strip_suffix(b"Z")?;
        let (whole, fraction) = match text.iter().position(|&c| c == b'.') {
            Some(dot) => (text.get(..dot)?, Some(text.get(dot + 1..)?)),
            None => (text, None),
        };
        if whole.len() != 14 {
            return None;
        }
        let nanos = match fraction {
            None => 0,
            Some(f) if f.is_empty() || f.len() > 9 || f.last() == Some(&b'0') => return None,
            Some(f) => digits(f, 0, f.len())? * 10u32.pow(9 - f.len() as u32),
        };
        Self::from_civil(
            i64::from(digits(whole, 0, 4)?),
            digits(whole, 4, 2)?,
            digits(whole, 6, 2)?,
            digits(whole, 8, 2)?,
            digits(whole, 10, 2)?,
            digits(whole, 12, 2)?,
            nanos,
        )
    }

    /// Converts the time types of the `der`/`x509-cert` crates.
    pub(crate) fn from_der_datetime(dt: &der::DateTime) -> Self {
        let secs = dt.unix_duration().as_secs();
        // A DateTime is at most year 9999, far below i64::MAX seconds.
        Self::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, with fractional seconds only when there are any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60)?;
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

impl serde::Serialize for Timestamp {
    /// As RFC 3339 text, the form protobuf's JSON mapping and the other clients use.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A closed validity interval `[start, end]`; `end = None` means open-ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    /// The first moment in the range.
    pub start: Timestamp,
    /// The last moment in the range; `None` when it has no end.
    pub end: Option<Timestamp>,
}

impl TimeRange {
    /// Whether `t` falls within the range, both ends included.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && self.end.is_none_or(|end| t <= end)
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            Some(end) => write!(f, "[{}, {}]", self.start, end),
            None => write!(f, "[{}, open]", self.start),
        }
    }
}

fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let slice = b.get(at..at.checked_add(len)?)?;
    slice.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil algorithm: exact for the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339_at_full_precision() {
        let t = Timestamp::parse_rfc3339("2023-07-12T15:56:36Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_689_177_396);
        let frac = Timestamp::parse_rfc3339("2023-07-12T15:56:36.999Z").unwrap();
        assert_eq!(frac.subsec_nanos(), 999_000_000);
        assert!(frac > t);
        let offset = Timestamp::parse_rfc3339("2023-07-12T17:56:36+02:00").unwrap();
        assert_eq!(offset, t);
        assert_eq!(t.to_string(), "2023-07-12T15:56:36Z");
        assert_eq!(frac.to_string(), "2023-07-12T15:56:36.999Z");
    }

    #[test]
    fn rejects_malformed_rfc3339() {
        for bad in [
            "",
            "2023-07-12",
            "2023-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2023-07-12T15:56:36",
            "2023-07-12T15:56:36.Z",
            "2023-07-12T15:56:36.1234567890Z",
            "2023-07-12T24:00:00Z",
            "2023-07-12T15:56:36Zjunk",
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_none(), "{bad}");
        }
        assert!(Timestamp::parse_rfc3339("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn ranges_are_closed_intervals() {
        let start = Timestamp::from_unix(10);
        let end = Timestamp::from_unix(20);
        let range = TimeRange { start, end: Some(end) };
        assert!(range.contains(start) && range.contains(end));
        assert!(!range.contains(Timestamp::from_unix(9)) && !range.contains(Timestamp::from_unix(21)));
        assert!(TimeRange { start, end: None }.contains(Timestamp::from_unix(i64::MAX)));
    }

    #[test]
    fn generalized_time_allows_fractions_and_requires_utc() {
        assert_eq!(
            Timestamp::parse_generalized_time(b"20250612120220Z"),
            Timestamp::parse_rfc3339("2025-06-12T12:02:20Z")
        );
        assert_eq!(
            Timestamp::parse_generalized_time(b"20250612120220.25Z"),
            Timestamp::parse_rfc3339("2025-06-12T12:02:20.25Z")
        );
        assert_eq!(
            Timestamp::parse_generalized_time(b"20250612120220.123456789Z"),
            Timestamp::parse_rfc3339("2025-06-12T12:02:20.123456789Z")
        );
        for bad in [
            &b"20250612120220"[..],
            b"20250612120220.Z",
            b"20250612120220.50Z",
            b"20250612120220.1234567891Z",
            b"2025061212022Z",
            b"20251312120220Z",
            b"2025061212022aZ",
            b"20250612120220+0000",
        ] {
            assert_eq!(Timestamp::parse_generalized_time(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
