//! UTC calendar time from a Unix timestamp, without a date crate: the
//! simulator's timestamps, the schema lock file's fetch times and the
//! command line's batch summary all format instants, the runtime reads
//! `Retry-After` dates, and this is their one date algorithm.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An instant as a UTC calendar date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, 1 to 31.
    pub day: u32,
    /// Hour, 0 to 23.
    pub hour: u32,
    /// Minute, 0 to 59.
    pub minute: u32,
    /// Second, 0 to 59.
    pub second: u32,
    /// Millisecond, 0 to 999.
    pub millis: u32,
}

impl UtcTime {
    /// The instant `ms` milliseconds after 1970-01-01T00:00:00Z (negative
    /// values are before it).
    pub fn from_unix_millis(ms: i64) -> Self {
        let secs = ms.div_euclid(1000);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        UtcTime {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
            millis: ms.rem_euclid(1000) as u32,
        }
    }

    /// A system time (times before the epoch count as the epoch).
    pub fn from_system_time(t: SystemTime) -> Self {
        let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        Self::from_unix_millis(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    }

    /// The current time.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// An HTTP date (RFC 9110 section 5.6.7) in any of its three forms:
    /// `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete
    /// `Sunday, 06-Nov-94 08:49:37 GMT` (a two-digit year is 1970 to 2069)
    /// and asctime's `Sun Nov  6 08:49:37 1994`. The weekday is not checked.
    pub fn parse_http_date(text: &str) -> Option<Self> {
        let (_weekday, rest) = text.split_once([',', ' '])?;
        let parts: Vec<&str> = rest.split([' ', '-']).filter(|p| !p.is_empty()).collect();
        let (day, month, year, clock) = match parts.as_slice() {
            // IMF-fixdate and RFC 850: day month year time GMT.
            [day, month, year, clock, "GMT"] => (*day, *month, *year, *clock),
            // asctime: month day time year.
            [month, day, clock, year] => (*day, *month, *year, *clock),
            _ => return None,
        };
        let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
        let day: u32 = day.parse().ok()?;
        let year: i64 = match (year.len(), year.parse::<i64>().ok()?) {
            (2, short) if short < 70 => 2000 + short,
            (2, short) => 1900 + short,
            (4, full) => full,
            _ => return None,
        };
        let mut clock = clock.split(':').map(|n| n.parse::<u32>().ok());
        let (Some(Some(hour)), Some(Some(minute)), Some(Some(second)), None) =
            (clock.next(), clock.next(), clock.next(), clock.next())
        else {
            return None;
        };
        let valid = (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second <= 60;
        valid.then_some(UtcTime {
            year,
            month,
            day,
            hour,
            minute,
            second: second.min(59),
            millis: 0,
        })
    }

    /// The instant as a system time (dates before 1970 count as 1970).
    pub fn to_system_time(&self) -> SystemTime {
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        let millis = u64::try_from(secs).unwrap_or(0) * 1000 + u64::from(self.millis);
        UNIX_EPOCH + Duration::from_millis(millis)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339).
    pub fn rfc3339(&self) -> String {
        format!("{}T{}Z", self.date(), self.time_of_day())
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (RFC 3339 with milliseconds).
    pub fn rfc3339_millis(&self) -> String {
        format!("{}T{}.{:03}Z", self.date(), self.time_of_day(), self.millis)
    }

    /// `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `HH:MM:SS`.
    pub fn time_of_day(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

/// Howard Hinnant's days-to-civil algorithm: (year, month, day) of a count
/// of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// 28 to 31, leap years counted.
fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The inverse: days since 1970-01-01 of a (year, month, day).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        let epoch = UtcTime::from_unix_millis(0);
        assert_eq!(epoch.rfc3339_millis(), "1970-01-01T00:00:00.000Z");
        let leap = UtcTime::from_unix_millis(1_709_210_096_123);
        assert_eq!(leap.rfc3339_millis(), "2024-02-29T12:34:56.123Z");
        assert_eq!(leap.rfc3339(), "2024-02-29T12:34:56Z");
        assert_eq!(
            UtcTime::from_unix_millis(-1).rfc3339(),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        let expected = UtcTime::from_unix_millis(784_111_777_000);
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(UtcTime::parse_http_date(text), Some(expected), "{text}");
        }
        assert!(UtcTime::parse_http_date("Tue, 29 Feb 2000 08:49:37 GMT").is_some());
        let parsed = UtcTime::parse_http_date("Thu, 01 Jan 2099 00:00:00 GMT").unwrap();
        assert_eq!(UtcTime::from_system_time(parsed.to_system_time()), parsed);
        for bad in [
            "",
            "tomorrow",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Tue, 29 Feb 2100 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
        ] {
            assert_eq!(UtcTime::parse_http_date(bad), None, "{bad}");
        }
    }
}
