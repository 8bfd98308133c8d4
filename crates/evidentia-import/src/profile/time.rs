//! Turns the many ways exports write a moment (strftime patterns, RFC 3339, Excel serials, Unix epochs) into UTC.
//!
//! Local times are read in the profile's [`Zone`]: a fixed offset, or an IANA zone whose
//! daylight-saving rules come from the tz database compiled into the program (chrono-tz), so
//! the same profile reads a summer and a winter time of an HR extract each at its own offset.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

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

    /// Reads `text` in this format; a bare date is the start of its day.
    #[cfg(test)]
    pub(crate) fn read(&self, text: &str, zone: Zone) -> Option<Timestamp> {
        self.read_as(text, zone, Day::Start)
    }

    /// Reads `text`, local times taken to be in `zone`; a value with no time of day means the
    /// start of that day, or with
    /// [`Day::End`] its last second (an expiry written as a date covers that whole day).
    pub(crate) fn read_as(&self, text: &str, zone: Zone, day: Day) -> Option<Timestamp> {
        let whole_day = |d: NaiveDate| match day {
            Day::Start => d.and_hms_opt(0, 0, 0),
            Day::End => d.and_hms_opt(23, 59, 59),
        };
        match self {
            TimeFormat::Rfc3339 => DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc()),
            TimeFormat::Excel => excel_serial(text)
                .map(|local| match day {
                    Day::End if local.time() == chrono::NaiveTime::MIN => {
                        whole_day(local.date()).unwrap_or(local)
                    }
                    _ => local,
                })
                .and_then(|local| zone.to_utc(local)),
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
                // Date-only patterns (`%d/%m/%Y`) mean local midnight of that day (or, for an
                // expiry, its last second).
                let local = NaiveDateTime::parse_from_str(text, pattern)
                    .ok()
                    .or_else(|| {
                        NaiveDate::parse_from_str(text, pattern)
                            .ok()
                            .and_then(whole_day)
                    })?;
                zone.to_utc(local)
            }
        }
    }
}

/// Which moment of a day a date without a time stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Day {
    /// Local midnight: when something takes effect.
    Start,
    /// 23:59:59 local: until when an expiry written as a date lasts.
    End,
}

/// Reads `text` with the first format that accepts it.
pub(crate) fn read_time(text: &str, formats: &[TimeFormat], zone: Zone) -> Option<Timestamp> {
    read_time_as(text, formats, zone, Day::Start)
}

/// Reads `text` with the first format that accepts it, a bare date standing for `day`.
pub(crate) fn read_time_as(
    text: &str,
    formats: &[TimeFormat],
    zone: Zone,
    day: Day,
) -> Option<Timestamp> {
    formats
        .iter()
        .find_map(|format| format.read_as(text, zone, day))
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

/// The zone a profile's local times are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The same offset all year (`UTC`, `-05:00`).
    Fixed(FixedOffset),
    /// An IANA zone (`America/New_York`): its offset on each date follows the tz database.
    Named(Tz),
}

impl std::fmt::Display for Zone {
    /// The zone as a user writes it: an IANA name, or the offset (`+02:00`, `+00:00` for UTC).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Zone::Fixed(offset) => write!(f, "{offset}"),
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

impl Zone {
    /// UTC, the zone of a profile that names none.
    pub fn utc() -> Zone {
        Zone::Fixed(Utc.fix())
    }

    /// Parses a profile's `timezone`: `UTC`, a fixed offset (`+02:00`, `-0500`, `+05`) or an
    /// IANA zone name (matched ignoring ASCII case, as the rest of a profile is).
    pub fn parse(text: &str) -> Result<Zone, String> {
        let trimmed = text.trim();
        if matches!(trimmed.to_ascii_uppercase().as_str(), "UTC" | "Z" | "GMT") {
            return Ok(Zone::utc());
        }
        if trimmed.starts_with(['+', '-']) {
            return parse_offset(trimmed).map(Zone::Fixed).ok_or_else(|| {
                format!(
                    "\"{text}\" is not a UTC offset: write it as \"+02:00\", \"-0500\" or \"+05\" (at most 14 hours), or use an IANA name such as \"America/New_York\""
                )
            });
        }
        trimmed
            .parse::<Tz>()
            .ok()
            .or_else(|| {
                chrono_tz::TZ_VARIANTS
                    .iter()
                    .copied()
                    .find(|tz| tz.name().eq_ignore_ascii_case(trimmed))
            })
            .map(Zone::Named)
            .ok_or_else(|| {
                format!(
                    "\"{text}\" is not a time zone: use an IANA name such as \"America/New_York\" or a fixed offset such as \"-05:00\""
                )
            })
    }

    /// The UTC instant of a local date-time in this zone.
    ///
    /// Daylight saving makes some local times ambiguous and others impossible. A time that
    /// occurs twice (the hour repeated when clocks fall back) is read as its **first**
    /// occurrence, the earlier instant. A time that does not exist (the hour skipped when
    /// clocks spring forward) is read at the offset in force just before the change, which
    /// moves it forward by the length of the gap: 02:30 on the US spring-forward day is 03:30
    /// daylight time.
    pub fn to_utc(self, local: NaiveDateTime) -> Option<Timestamp> {
        match self {
            Zone::Fixed(offset) => offset
                .from_local_datetime(&local)
                .single()
                .map(|t| t.to_utc()),
            Zone::Named(tz) => tz
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.to_utc())
                .or_else(|| across_gap(tz, local)),
        }
    }
}

/// A local time inside a spring-forward gap, read at the offset in force before the change.
fn across_gap(tz: Tz, local: NaiveDateTime) -> Option<Timestamp> {
    // The offset after the change: that of the first local minute that exists again (gaps
    // are whole minutes and, in the whole tz database, never longer than a day).
    let after = (1..=24 * 60).find_map(|minutes| {
        let probe = local.checked_add_signed(Duration::minutes(minutes))?;
        tz.from_local_datetime(&probe).earliest()
    })?;
    let after = i64::from(after.offset().fix().local_minus_utc());
    // Read at the later offset, `local` falls just before the change, where the earlier
    // offset still holds.
    let before_change = local.checked_sub_signed(Duration::seconds(after))?;
    let before = i64::from(
        tz.offset_from_utc_datetime(&before_change)
            .fix()
            .local_minus_utc(),
    );
    local
        .checked_sub_signed(Duration::seconds(before))
        .map(|t| t.and_utc())
}

/// A fixed offset written `+02:00`, `-0500` or `+05`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
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

    fn zone(text: &str) -> Zone {
        Zone::parse(text).expect("zone")
    }

    #[test]
    fn formats_read_local_times_in_the_profile_zone() {
        let plus2 = zone("+02:00");
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
            TimeFormat::Excel.read("45292.5", zone("UTC")),
            Some(utc("2024-01-01T12:00:00Z"))
        );
        assert_eq!(
            TimeFormat::Excel.read("45488.5", zone("Europe/Berlin")),
            Some(utc("2024-07-15T10:00:00Z")),
            "an Excel serial in summer is read at summer time"
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
            with_offset.read("2024-03-01 09:30 +0100", zone("America/New_York")),
            Some(utc("2024-03-01T08:30:00Z")),
            "a time with its own offset ignores the profile's zone"
        );
    }

    #[test]
    fn zones_parse_as_offsets_or_iana_names() {
        let offset = |text: &str| match Zone::parse(text) {
            Ok(Zone::Fixed(o)) => Some(o.local_minus_utc()),
            _ => None,
        };
        assert_eq!(offset("UTC"), Some(0));
        assert_eq!(offset(" z "), Some(0));
        assert_eq!(offset("-0530"), Some(-(5 * 3600 + 30 * 60)));
        assert_eq!(offset("+05"), Some(5 * 3600));
        assert_eq!(offset("-05:00"), Some(-5 * 3600));
        assert_eq!(zone("Europe/Paris"), Zone::Named(Tz::Europe__Paris));
        assert_eq!(zone("america/new_york"), Zone::Named(Tz::America__New_York));
        assert_eq!(zone("Etc/GMT+5"), Zone::Named(Tz::Etc__GMTPlus5));
        assert!(Zone::parse("+25:00").is_err_and(|e| e.contains("is not a UTC offset")));
        assert!(Zone::parse("+5:00").is_err());
        assert!(Zone::parse("America/Nowhere").is_err_and(|e| e.contains("is not a time zone")));
        assert!(Zone::parse("").is_err());
    }

    #[test]
    fn bad_formats_are_refused() {
        assert!(TimeFormat::parse("%Q").is_err());
        assert!(TimeFormat::parse("yyyy-mm-dd").is_err());
    }

    #[test]
    fn the_ends_of_time_do_not_panic() {
        for name in [
            "America/New_York",
            "Asia/Tokyo",
            "Pacific/Kiritimati",
            "-14:00",
            "+14:00",
        ] {
            for local in [NaiveDateTime::MIN, NaiveDateTime::MAX] {
                let _ = zone(name).to_utc(local);
            }
        }
    }

    #[test]
    fn a_gap_at_midnight_moves_midnight_forward() {
        // São Paulo sprang forward at 00:00 on 2018-11-04: that day began at 01:00 (-02:00).
        let date = TimeFormat::parse("%Y-%m-%d").expect("format");
        assert_eq!(
            date.read("2018-11-04", zone("America/Sao_Paulo")),
            Some(utc("2018-11-04T03:00:00Z"))
        );
    }
}
