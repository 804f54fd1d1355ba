//! Dates in the SuperOffice view, and the `SO-TimeZone` header.
//!
//! Dates are stored as UTC epoch milliseconds. Without `SO-TimeZone` they are written in ISO
//! 8601 in UTC with a `Z` (the server's base zone is UTC). With `SO-TimeZone: <zone>` they are
//! converted to that zone and written without an offset, as SuperOffice does; with
//! `SO-TimeZone: <zone>, includeTZOffset` the offset follows, `2018-12-24T07:34:45-0500`.
//! Incoming dates (in `$filter`) with an offset are taken as they are; without one they are
//! read in the header's zone (UTC without the header).
//!
//! `<zone>` is one of:
//! - a SuperOffice time-zone code: `NO`, `SE`, `DK`, `US-NY` … (see [`ZONE_CODES`]), or the
//!   numeric id `261` (= `NO`, the one the SuperOffice docs give);
//! - an IANA name (`Europe/Oslo`, `America/New_York`), from the tz database built into the
//!   server;
//! - `UTC`, `GMT`, `Z`, or a fixed offset: `+02:00`, `-0500`, `+2`, `UTC+01:00`, `GMT-5`.

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

/// SuperOffice time-zone codes this server knows, with their IANA zone.
pub const ZONE_CODES: &[(&str, &str)] = &[
    ("NO", "Europe/Oslo"),
    ("261", "Europe/Oslo"),
    ("SE", "Europe/Stockholm"),
    ("DK", "Europe/Copenhagen"),
    ("FI", "Europe/Helsinki"),
    ("IS", "Atlantic/Reykjavik"),
    ("DE", "Europe/Berlin"),
    ("NL", "Europe/Amsterdam"),
    ("BE", "Europe/Brussels"),
    ("FR", "Europe/Paris"),
    ("ES", "Europe/Madrid"),
    ("IT", "Europe/Rome"),
    ("CH", "Europe/Zurich"),
    ("AT", "Europe/Vienna"),
    ("PL", "Europe/Warsaw"),
    ("UK", "Europe/London"),
    ("GB", "Europe/London"),
    ("IE", "Europe/Dublin"),
    ("US-NY", "America/New_York"),
    ("US-IL", "America/Chicago"),
    ("US-CO", "America/Denver"),
    ("US-AZ", "America/Phoenix"),
    ("US-CA", "America/Los_Angeles"),
    ("AU-NSW", "Australia/Sydney"),
    ("JP", "Asia/Tokyo"),
    ("IN", "Asia/Kolkata"),
    ("SG", "Asia/Singapore"),
];

/// How a request wants its dates.
#[derive(Debug, Clone, Default)]
pub struct DateStyle {
    /// `None`: UTC, written with `Z`.
    zone: Option<TimeZone>,
    include_offset: bool,
}

impl DateStyle {
    /// Reads `SO-TimeZone` (`None` when absent).
    pub fn from_header(value: Option<&str>) -> Result<Self, String> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(Self::default());
        };
        let mut parts = value.split(',').map(str::trim);
        let code = parts.next().unwrap_or_default();
        let mut include_offset = false;
        for flag in parts {
            if flag.eq_ignore_ascii_case("includeTZOffset") {
                include_offset = true;
            } else if !flag.is_empty() {
                return Err(format!("SO-TimeZone: unknown option '{flag}'"));
            }
        }
        let zone =
            parse_zone(code).ok_or_else(|| format!("SO-TimeZone: unknown time zone '{code}'"))?;
        Ok(Self {
            zone: Some(zone),
            include_offset,
        })
    }

    fn zone(&self) -> TimeZone {
        self.zone.clone().unwrap_or(TimeZone::UTC)
    }

    /// Writes epoch milliseconds as ISO 8601 in this style.
    pub fn format(&self, ms: i64) -> String {
        let Ok(timestamp) = Timestamp::from_millisecond(ms) else {
            return String::new();
        };
        let zoned = timestamp.to_zoned(self.zone());
        let dt = zoned.datetime();
        let mut text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        );
        let millis = dt.subsec_nanosecond() / 1_000_000;
        if millis != 0 {
            text.push_str(&format!(".{millis:03}"));
        }
        match (&self.zone, self.include_offset) {
            (None, _) => text.push('Z'),
            (Some(_), true) => {
                let seconds = zoned.offset().seconds();
                let sign = if seconds < 0 { '-' } else { '+' };
                let minutes = seconds.abs() / 60;
                text.push_str(&format!("{sign}{:02}{:02}", minutes / 60, minutes % 60));
            }
            (Some(_), false) => {}
        }
        text
    }

    /// Reads an ISO 8601 date (`2024-05-01`, `2024-05-01T10:00`, `…:00.1234567+02:00`, `…Z`)
    /// into epoch milliseconds; without an offset it is read in this style's zone.
    pub fn parse(&self, text: &str) -> Result<i64, String> {
        let invalid = || format!("'{text}' is not an ISO 8601 date");
        let (dt, offset) = parse_iso(text.trim()).ok_or_else(invalid)?;
        let timestamp = match offset {
            Some(seconds) => Offset::from_seconds(seconds)
                .and_then(|offset| offset.to_timestamp(dt))
                .map_err(|_| invalid())?,
            None => self.zone().to_timestamp(dt).map_err(|_| invalid())?,
        };
        Ok(timestamp.as_millisecond())
    }

    /// Weekday (Monday = 1) and minutes since midnight of `ms` in this style's zone.
    pub fn weekday_and_minute(&self, ms: i64) -> (i8, i32) {
        let zoned = Timestamp::from_millisecond(ms)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned(self.zone());
        (
            zoned.weekday().to_monday_one_offset(),
            i32::from(zoned.hour()) * 60 + i32::from(zoned.minute()),
        )
    }
}

fn parse_zone(code: &str) -> Option<TimeZone> {
    if ["UTC", "GMT", "Z", "UT"]
        .iter()
        .any(|name| name.eq_ignore_ascii_case(code))
    {
        return Some(TimeZone::UTC);
    }
    if let Some((_, iana)) = ZONE_CODES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(code))
    {
        return TimeZone::get(iana).ok();
    }
    let offset_text = ["UTC", "GMT"]
        .iter()
        .find_map(|prefix| {
            code.get(..prefix.len())
                .filter(|head| head.eq_ignore_ascii_case(prefix))
                .map(|_| &code[prefix.len()..])
        })
        .unwrap_or(code);
    if let Some(seconds) = parse_offset(offset_text) {
        return Offset::from_seconds(seconds).ok().map(TimeZone::fixed);
    }
    if code.contains('/') {
        return TimeZone::get(code).ok();
    }
    None
}

/// `+02:00`, `-0500`, `+2`, `+5:30` → seconds east of UTC.
fn parse_offset(text: &str) -> Option<i32> {
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let rest = &text[1..];
    let (hours, minutes) = if let Some((h, m)) = rest.split_once(':') {
        (h, m)
    } else if rest.len() == 4 {
        (&rest[..2], &rest[2..])
    } else {
        (rest, "0")
    };
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(hours) || !all_digits(minutes) {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 18 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

/// Whether `text` looks like an ISO date (used by the `$filter` lexer).
pub fn looks_like_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
        && bytes[8..10].iter().all(u8::is_ascii_digit)
}

fn parse_iso(text: &str) -> Option<(DateTime, Option<i32>)> {
    if !looks_like_date(text) {
        return None;
    }
    let number = |s: &str| -> Option<i32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let year = number(&text[..4])?;
    let month = number(&text[5..7])?;
    let day = number(&text[8..10])?;
    let rest = &text[10..];
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    let mut offset = None;
    if !rest.is_empty() {
        let time = rest.strip_prefix(['T', 't', ' '])?;
        // Split off the offset: Z, or the first + or - after the clock.
        let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
            Some(at) => (&time[..at], Some(&time[at..])),
            None => (time, None),
        };
        let (hms, fraction) = match clock.split_once('.') {
            Some((hms, fraction)) => (hms, Some(fraction)),
            None => (clock, None),
        };
        let mut parts = hms.split(':');
        hour = number(parts.next()?)?;
        minute = number(parts.next()?)?;
        if let Some(s) = parts.next() {
            second = number(s)?;
        }
        if parts.next().is_some() {
            return None;
        }
        if let Some(fraction) = fraction {
            if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let digits: String = fraction
                .chars()
                .chain("000000000".chars())
                .take(9)
                .collect();
            nanos = digits.parse().ok()?;
        }
        offset = match zone {
            None => None,
            Some(z) if z.eq_ignore_ascii_case("z") => Some(0),
            Some(z) => Some(parse_offset(z)?),
        };
    }
    let dt = DateTime::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    Some((dt, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    const XMAS: i64 = 1_545_654_885_000; // 2018-12-24T12:34:45Z

    #[test]
    fn without_the_header_dates_are_utc_with_z() {
        let style = DateStyle::from_header(None).unwrap();
        assert_eq!(style.format(XMAS), "2018-12-24T12:34:45Z");
        assert_eq!(style.format(XMAS + 7), "2018-12-24T12:34:45.007Z");
        assert_eq!(style.parse("2018-12-24T12:34:45Z").unwrap(), XMAS);
        assert_eq!(style.parse("2018-12-24T12:34:45").unwrap(), XMAS);
        assert_eq!(style.parse("2018-12-24T13:34:45+01:00").unwrap(), XMAS);
        assert_eq!(
            style.parse("2018-12-24T14:34:45.0000000+0200").unwrap(),
            XMAS
        );
        assert_eq!(
            style.parse("2001-10-03T17:54:07.9762203+02:00").unwrap(),
            1_002_124_447_976
        );
        assert_eq!(style.parse("2018-12-24").unwrap(), XMAS - 45_285_000);
        for bad in [
            "",
            "yesterday",
            "2018-13-01",
            "2018-12-24T25:00",
            "2018-12-24T10:00+99",
        ] {
            assert!(style.parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn superoffice_codes_iana_names_and_offsets_convert() {
        let ny = DateStyle::from_header(Some("US-NY, includeTZOffset")).unwrap();
        assert_eq!(ny.format(XMAS), "2018-12-24T07:34:45-0500");
        let ny_plain = DateStyle::from_header(Some("US-NY")).unwrap();
        assert_eq!(ny_plain.format(XMAS), "2018-12-24T07:34:45");
        assert_eq!(ny_plain.parse("2018-12-24T07:34:45").unwrap(), XMAS);
        let oslo = DateStyle::from_header(Some("261,includeTZOffset")).unwrap();
        assert_eq!(oslo.format(XMAS), "2018-12-24T13:34:45+0100");
        // Summer time is applied.
        let summer = 1_530_448_485_000; // 2018-07-01T12:34:45Z
        assert_eq!(oslo.format(summer), "2018-07-01T14:34:45+0200");
        let iana = DateStyle::from_header(Some("Europe/Oslo, includeTZOffset")).unwrap();
        assert_eq!(iana.format(summer), "2018-07-01T14:34:45+0200");
        let fixed = DateStyle::from_header(Some("+05:30, includeTZOffset")).unwrap();
        assert_eq!(fixed.format(XMAS), "2018-12-24T18:04:45+0530");
        let utc_minus = DateStyle::from_header(Some("UTC-2")).unwrap();
        assert_eq!(utc_minus.format(XMAS), "2018-12-24T10:34:45");
        let utc = DateStyle::from_header(Some("utc, includeTZOffset")).unwrap();
        assert_eq!(utc.format(XMAS), "2018-12-24T12:34:45+0000");
        assert!(DateStyle::from_header(Some("Mars/Olympus")).is_err());
        assert!(DateStyle::from_header(Some("NO, sideways")).is_err());
        assert!(DateStyle::from_header(Some("999")).is_err());
    }

    #[test]
    fn weekday_and_minute_follow_the_zone() {
        let ny = DateStyle::from_header(Some("US-NY")).unwrap();
        // Monday 24 December 2018, 07:34 in New York.
        assert_eq!(ny.weekday_and_minute(XMAS), (1, 7 * 60 + 34));
    }
}
