//! Policy durations (`30m`, `4h`, `3d`, `2w`): one spelling for SLAs, windows and ages.

use std::fmt;

use chrono::TimeDelta;
use serde::{Serialize, Serializer};

/// A positive duration written as a whole number and one unit: `s` seconds, `m` minutes,
/// `h` hours, `d` days, `w` weeks.
///
/// ```
/// use evidentia_policy::PolicyDuration;
/// let d = PolicyDuration::parse("72h").unwrap();
/// assert_eq!(d.as_delta(), chrono::TimeDelta::days(3));
/// assert_eq!(d.to_string(), "3d"); // shown in the largest exact unit
/// assert!(PolicyDuration::parse("4x").is_none());
/// assert!(PolicyDuration::parse("0d").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyDuration(TimeDelta);

/// Units in descending size, so display picks the largest exact one.
const UNITS: &[(char, i64)] = &[
    ('w', 7 * 86_400),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

/// Ten thousand years: far beyond any sane policy, and well inside `TimeDelta`'s range, so
/// arithmetic on timestamps with a policy duration cannot overflow.
const MAX_SECONDS: i64 = 10_000 * 366 * 86_400;

impl PolicyDuration {
    /// Parses `<positive integer><m|h|d|w>`; anything else (zero, fractions, other units,
    /// spaces inside) is `None` so the caller can say which key was wrong.
    pub fn parse(text: &str) -> Option<PolicyDuration> {
        let text = text.trim();
        let unit = text.chars().last()?;
        let digits = &text[..text.len() - unit.len_utf8()];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let count: i64 = digits.parse().ok()?;
        let (_, scale) = UNITS.iter().find(|(u, _)| *u == unit)?;
        let seconds = count.checked_mul(*scale)?;
        if seconds <= 0 || seconds > MAX_SECONDS {
            return None;
        }
        Some(PolicyDuration(TimeDelta::seconds(seconds)))
    }

    /// Builds a duration from whole hours; for defaults written in code.
    pub(crate) fn hours(hours: i64) -> PolicyDuration {
        PolicyDuration(TimeDelta::hours(hours))
    }

    /// Builds a duration from whole seconds; for defaults written in code.
    pub(crate) fn seconds(seconds: i64) -> PolicyDuration {
        PolicyDuration(TimeDelta::seconds(seconds))
    }

    /// Builds a duration from whole days; for defaults written in code.
    pub(crate) fn days(days: i64) -> PolicyDuration {
        PolicyDuration(TimeDelta::days(days))
    }

    /// The duration as chrono arithmetic wants it.
    pub fn as_delta(self) -> TimeDelta {
        self.0
    }
}

impl fmt::Display for PolicyDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0.num_seconds();
        // Always found: every parsed or built duration is a whole number of seconds.
        let (unit, scale) = UNITS
            .iter()
            .find(|(_, scale)| seconds % scale == 0)
            .copied()
            .unwrap_or(('m', 60));
        write!(f, "{}{unit}", seconds / scale)
    }
}

/// Serialized in its canonical spelling, so the ledger records `"3d"` whether the file said
/// `72h` or `3d`.
impl Serialize for PolicyDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<&str>) {
        let got = PolicyDuration::parse(text).map(|d| d.to_string());
        assert_eq!(got.as_deref(), expected, "parsing {text:?}");
    }

    #[test]
    fn parses_and_normalises() {
        check("30m", Some("30m"));
        check("90m", Some("90m"));
        check("120m", Some("2h"));
        check("4h", Some("4h"));
        check("24h", Some("1d"));
        check("3d", Some("3d"));
        check("14d", Some("2w"));
        check("2w", Some("2w"));
        check(" 4h ", Some("4h"));
    }

    #[test]
    fn display_round_trips() {
        for n in 1..=1_000 {
            for unit in ["m", "h", "d", "w"] {
                let d = PolicyDuration::parse(&format!("{n}{unit}")).unwrap();
                assert_eq!(PolicyDuration::parse(&d.to_string()), Some(d), "{n}{unit}");
            }
        }
    }

    #[test]
    fn rejects_what_is_not_a_positive_duration() {
        for bad in [
            "",
            "4",
            "h",
            "4x",
            "0h",
            "-4h",
            "+4h",
            "4.5h",
            "4 h",
            "4H",
            "1y",
            "4hh",
            "৪h",
            "99999999999999999999d",
            "999999999w",
        ] {
            check(bad, None);
        }
    }
}
