//! Turns the many ways exports write a moment (strftime patterns, RFC 3339, Excel serials, Unix epochs) into UTC.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use evidentia_domain::Timestamp;

/// One way a profile says times are written; a profile tries its formats in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimeFormat {
    /// RFC 3339 / ISO 8601 with an offset (`2024-03-01T09:30:00Z`, `2024-03-01 09:30:00+02:00`).
    Rfc3339,
    /// Excel serial day numbers (`45292.5` is 2024-01-01 12:00), read in the profile's zone.
    Excel,
    /// Seconds since 1970-01-01T00:00:00Z.
    Unix,
    /// Milliseconds since 1970-01-01T00:00:00Z.
    UnixMs,
    /// A chrono strftime pattern; `with_offset` when it reads the offset from the text itself.
    Pattern { pattern: String, with_offset: bool },
}

impl TimeFormat {
    /// Parses a profile's `time_formats` entry, or says why it is not one.
    pub(crate) fn parse(text: &str) -> Result<TimeFormat, String> {
        match text {
            "rfc3339" | "iso8601" => return Ok(TimeFormat::Rfc3339),
            "excel" => return Ok(TimeFormat::Excel),
            "unix" => return Ok(TimeFormat::Unix),
            "unix_ms" => return Ok(TimeFormat::UnixMs),
            _ => {}
        }
        if !text.contains('%') {
            return Err(format!(
                "\"{text}\" is not a time format: use a chrono strftime pattern such as \"%Y-%m-%d %H:%M\", or rfc3339, excel, unix, unix_ms"
            ));
        }
        if StrftimeItems::new(text).any(|item| matches!(item, Item::Error)) {
            return Err(format!("\"{text}\" is not a valid chrono strftime pattern"));
        }
        let with_offset = ["%z", "%:z", "%::z", "%#z", "%Z"]
            .iter()
            .any(|spec| text.contains(spec));
        Ok(TimeFormat::Pattern {
            pattern: text.to_owned(),
            with_offset,
        })
    }

    /// The name used in profiles and in diagnostics.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            TimeFormat::Rfc3339 => "rfc3339",
            TimeFormat::Excel => "excel",
            TimeFormat::Unix => "unix",
            TimeFormat::UnixMs => "unix_ms",
            TimeFormat::Pattern { pattern, .. } => pattern,
        }
    }

    /// Reads `text` in this format; local times are taken to be at `offset`.
    pub(crate) fn read(&self, text: &str, offset: FixedOffset) -> Option<Timestamp> {
        match self {
            TimeFormat::Rfc3339 => DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc()),
            TimeFormat::Excel => excel_serial(text).and_then(|local| local_to_utc(local, offset)),
            TimeFormat::Unix => text
                .parse::<i64>()
                .ok()
                .and_then(|s| DateTime::from_timestamp(s, 0)),
            TimeFormat::UnixMs => text
                .parse::<i64>()
                .ok()
                .and_then(DateTime::from_timestamp_millis),
            TimeFormat::Pattern {
                pattern,
                with_offset: true,
            } => DateTime::parse_from_str(text, pattern)
                .ok()
                .map(|t| t.to_utc()),
            TimeFormat::Pattern {
                pattern,
                with_offset: false,
            } => {
                // Date-only patterns (`%d/%m/%Y`) mean local midnight of that day.
                let local = NaiveDateTime::parse_from_str(text, pattern)
                    .ok()
                    .or_else(|| {
                        NaiveDate::parse_from_str(text, pattern)
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                    })?;
                local_to_utc(local, offset)
            }
        }
    }
}

/// Reads `text` with the first format that accepts it.
pub(crate) fn read_time(
    text: &str,
    formats: &[TimeFormat],
    offset: FixedOffset,
) -> Option<Timestamp> {
    formats.iter().find_map(|format| format.read(text, offset))
}

/// Describes the accepted formats for a diagnostic: `a date in format %d/%m/%Y`.
pub(crate) fn describe_formats(formats: &[TimeFormat]) -> String {
    match formats {
        [one] => format!("a date in format {}", one.as_str()),
        many => {
            let names: Vec<&str> = many.iter().map(TimeFormat::as_str).collect();
            format!("a date in any of the formats {}", names.join(", "))
        }
    }
}

/// Parses a profile's `timezone`: a fixed offset, because named zones need a DST database.
pub(crate) fn parse_offset(text: &str) -> Result<FixedOffset, String> {
    let trimmed = text.trim();
    if matches!(trimmed.to_ascii_uppercase().as_str(), "UTC" | "Z" | "GMT") {
        return FixedOffset::east_opt(0).ok_or_else(|| "zero offset".to_owned());
    }
    let bad = || {
        format!(
            "\"{text}\" is not a fixed UTC offset: write \"UTC\" or \"+02:00\"/\"-05:00\"; named zones with daylight saving (\"Europe/Paris\") are not supported, see docs/import-profiles.md"
        )
    };
    let (sign, rest) = match trimmed.as_bytes().first() {
        Some(b'+') => (1, &trimmed[1..]),
        Some(b'-') => (-1, &trimmed[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().map_err(|_| bad())?
    } else {
        0
    };
    if hours > 14 || minutes > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)
}

fn local_to_utc(local: NaiveDateTime, offset: FixedOffset) -> Option<Timestamp> {
    offset
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Excel counts days from 1899-12-30 (which absorbs its 1900 leap-year bug for dates after
/// February 1900); the fraction is the time of day. Serials are rounded to the second.
fn excel_serial(text: &str) -> Option<NaiveDateTime> {
    let serial: f64 = text.parse().ok()?;
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let seconds = (serial * 86_400.0).round() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    base.checked_add_signed(chrono::Duration::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(text).expect("valid").to_utc()
    }

    #[test]
    fn formats_read_local_times_at_the_profile_offset() {
        let plus2 = parse_offset("+02:00").expect("offset");
        let us = TimeFormat::parse("%m/%d/%Y %H:%M").expect("format");
        assert_eq!(
            us.read("03/01/2024 09:30", plus2),
            Some(utc("2024-03-01T07:30:00Z"))
        );
        let date = TimeFormat::parse("%d/%m/%Y").expect("format");
        assert_eq!(
            date.read("01/03/2024", plus2),
            Some(utc("2024-02-29T22:00:00Z"))
        );
        assert_eq!(date.read("31/02/2024", plus2), None);
        assert_eq!(
            TimeFormat::Excel.read("45292.5", parse_offset("UTC").expect("utc")),
            Some(utc("2024-01-01T12:00:00Z"))
        );
        assert_eq!(
            TimeFormat::Unix.read("1709251200", plus2),
            Some(utc("2024-03-01T00:00:00Z"))
        );
        assert_eq!(
            TimeFormat::UnixMs.read("1709251200000", plus2),
            Some(utc("2024-03-01T00:00:00Z"))
        );
        let with_offset = TimeFormat::parse("%Y-%m-%d %H:%M %z").expect("format");
        assert_eq!(
            with_offset.read("2024-03-01 09:30 +0100", plus2),
            Some(utc("2024-03-01T08:30:00Z"))
        );
    }

    #[test]
    fn bad_formats_and_zones_are_refused() {
        assert!(TimeFormat::parse("%Q").is_err());
        assert!(TimeFormat::parse("yyyy-mm-dd").is_err());
        assert!(parse_offset("Europe/Paris").is_err());
        assert!(parse_offset("+25:00").is_err());
        assert_eq!(
            parse_offset("-0530").map(|o| o.local_minus_utc()),
            Ok(-(5 * 3600 + 30 * 60))
        );
    }
}
