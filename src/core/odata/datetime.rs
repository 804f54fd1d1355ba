//! ISO 8601 date-times as OData writes them, without `std::time` or a date crate.
//!
//! Accepted by [`parse_datetime`]: `2024-05-01` (midnight UTC) and
//! `2024-05-01T10:00`, `…T10:00:00`, `…T10:00:00.123`, each optionally followed by `Z` or an
//! offset `+01:00` / `-05:30` (no offset means UTC). Years 0000–9999.
//! [`format_datetime`] writes `2024-05-01T10:00:00Z`, with `.mmm` when the milliseconds are not
//! zero.

const MS_PER_DAY: i64 = 86_400_000;
/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, in ms since the epoch.
const MIN_MS: i64 = -62_167_219_200_000;
const MAX_MS: i64 = 253_402_300_799_999;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads `count` ASCII digits at `*pos`.
fn digits(bytes: &[u8], pos: &mut usize, count: usize) -> Option<i64> {
    let mut value = 0i64;
    for _ in 0..count {
        let b = *bytes.get(*pos)?;
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
        *pos += 1;
    }
    Some(value)
}

fn expect(bytes: &[u8], pos: &mut usize, byte: u8) -> Option<()> {
    if bytes.get(*pos) == Some(&byte) {
        *pos += 1;
        Some(())
    } else {
        None
    }
}

/// The instant of an ISO 8601 date or date-time, in ms since the epoch, or `None` when the text
/// is not one (see the module docs for the accepted forms).
pub fn parse_datetime(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut pos = 0;
    let year = digits(b, &mut pos, 4)?;
    expect(b, &mut pos, b'-')?;
    let month = digits(b, &mut pos, 2)?;
    expect(b, &mut pos, b'-')?;
    let day = digits(b, &mut pos, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY;
    if pos == b.len() {
        return Some(ms as f64);
    }
    expect(b, &mut pos, b'T')?;
    let hour = digits(b, &mut pos, 2)?;
    expect(b, &mut pos, b':')?;
    let minute = digits(b, &mut pos, 2)?;
    let mut second = 0;
    let mut millis = 0;
    if b.get(pos) == Some(&b':') {
        pos += 1;
        second = digits(b, &mut pos, 2)?;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while let Some(d) = b.get(pos).filter(|d| d.is_ascii_digit()) {
                if pos - start < 3 {
                    millis = millis * 10 + i64::from(d - b'0');
                }
                pos += 1;
            }
            match pos - start {
                0 => return None,
                1 => millis *= 100,
                2 => millis *= 10,
                _ => {}
            }
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    ms += ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    match b.get(pos) {
        None => {}
        Some(b'Z') => pos += 1,
        Some(&sign @ (b'+' | b'-')) => {
            pos += 1;
            let oh = digits(b, &mut pos, 2)?;
            expect(b, &mut pos, b':')?;
            let om = digits(b, &mut pos, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = (oh * 60 + om) * 60_000;
            // Local time = UTC + offset.
            ms = if sign == b'+' {
                ms - offset
            } else {
                ms + offset
            };
        }
        Some(_) => return None,
    }
    (pos == b.len()).then_some(ms as f64)
}

/// `2024-05-01T10:00:00Z` for an instant in ms since the epoch (with `.mmm` when the
/// milliseconds are not zero). Instants outside years 0000–9999 are clamped to them; NaN is
/// the epoch.
pub fn format_datetime(ms: f64) -> String {
    let ms = if ms.is_nan() { 0 } else { ms.floor() as i64 };
    let ms = ms.max(MIN_MS).min(MAX_MS);
    let days = ms.div_euclid(MS_PER_DAY);
    let rest = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (rest / 3_600_000, rest / 60_000 % 60);
    let (second, millis) = (rest / 1000 % 60, rest % 1000);
    if millis == 0 {
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(parse_datetime("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_datetime("1970-01-01"), Some(0.0));
        assert_eq!(
            parse_datetime("2024-05-01T10:00:00Z"),
            Some(1_714_557_600_000.0)
        );
        assert_eq!(
            parse_datetime("2024-05-01T11:00:00+01:00"),
            Some(1_714_557_600_000.0)
        );
        assert_eq!(
            parse_datetime("2024-05-01T05:30-04:30"),
            Some(1_714_557_600_000.0)
        );
        assert_eq!(
            parse_datetime("2024-05-01T10:00:00.5Z"),
            Some(1_714_557_600_500.0)
        );
        assert_eq!(
            parse_datetime("2024-05-01T10:00:00.123456Z"),
            Some(1_714_557_600_123.0)
        );
        assert_eq!(parse_datetime("2024-02-29"), Some(1_709_164_800_000.0));
        assert_eq!(parse_datetime("1969-12-31T23:59:59Z"), Some(-1000.0));
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for bad in [
            "",
            "2024",
            "2024-13-01",
            "2023-02-29",
            "2024-04-31",
            "2024-05-01T",
            "2024-05-01T24:00",
            "2024-05-01T10:60",
            "2024-05-01T10:00:00.",
            "2024-05-01T10:00:00X",
            "2024-05-01T10:00:00+1:00",
            "2024-05-01 10:00",
            "2024-05-01T10:00:00Zjunk",
            "24-05-01",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_and_round_trips() {
        assert_eq!(format_datetime(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(format_datetime(1_714_557_600_000.0), "2024-05-01T10:00:00Z");
        assert_eq!(
            format_datetime(1_714_557_600_123.9),
            "2024-05-01T10:00:00.123Z"
        );
        assert_eq!(format_datetime(-1.0), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_datetime(f64::NAN), "1970-01-01T00:00:00Z");
        assert_eq!(format_datetime(f64::INFINITY), "9999-12-31T23:59:59.999Z");
        assert_eq!(format_datetime(f64::NEG_INFINITY), "0000-01-01T00:00:00Z");
        // Every day over a few centuries survives the round trip.
        let mut ms = -5_000_000_000_000.0;
        while ms < 8_000_000_000_000.0 {
            let text = format_datetime(ms);
            assert_eq!(parse_datetime(&text), Some(ms), "{text}");
            ms += 86_400_000.0 * 13.0 + 3_723_001.0;
        }
    }
}
