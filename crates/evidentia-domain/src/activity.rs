//! Proof of use — sign-ins, console logins, API calls — kept compactly: one summary per account and kind of use per imported file.

use serde::{Deserialize, Serialize};

use crate::{Name, Outcome, SystemId, Timestamp, named_enum};

/// How an account was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityChannel {
    /// A sign-in, console login, SSO session or SSH/su login.
    SignIn,
    /// An API call made with the account's credentials.
    ApiCall,
    /// A "last used" date an inventory reports (no single event behind it).
    LastUsed,
}

named_enum!(ActivityChannel {
    SignIn => "sign_in",
    ApiCall => "api_call",
    LastUsed => "last_used",
});

/// One occurrence inside a summary: when, and where in the file it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityMark {
    pub at: Timestamp,
    /// Where the event is in the imported file (`line 17`, `/Records/3`, `line 4 /events/0`).
    pub location: String,
    /// The source's own event id, where it has one.
    pub source_event_id: Option<String>,
}

/// Every use of one account, of one channel, interactivity and outcome, in one imported file:
/// the count, the first and last occurrence with their locations, and the UTC days with any.
///
/// A million sign-ins become a few thousand summaries, each citing the raw file's lines; the
/// raw file itself stays in the workspace, so every occurrence can still be looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivitySummary {
    /// The account that acted, as the system names it.
    pub account: Name,
    pub channel: ActivityChannel,
    /// Distinct clients (user agents, applications), at most [`ActivitySummary::MAX_LISTED`].
    pub clients: Vec<Name>,
    pub count: u64,
    /// The long-lived credential (access key, token) that signed these uses, when the source
    /// names one; absent from the payload otherwise, so summaries without one keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Name>,
    /// UTC days with at least one occurrence, as inclusive ranges, ascending.
    pub days: Vec<DayRange>,
    /// Distinct source event types (`ConsoleLogin`, `user.session.start`, `GetObject`), at most
    /// [`ActivitySummary::MAX_LISTED`].
    pub event_types: Vec<Name>,
    pub first: ActivityMark,
    /// The importer judged the use interactive: a person at a browser or terminal.
    pub interactive: bool,
    pub last: ActivityMark,
    pub outcome: Outcome,
    pub system: SystemId,
}

impl ActivitySummary {
    /// How many distinct clients and event types a summary lists.
    pub const MAX_LISTED: usize = 16;

    /// Whether an occurrence is known to fall in `[from, to)`: decided exactly at the first
    /// and last occurrence, and by whole days in between (a day only partly inside the window
    /// proves nothing).
    pub fn any_within(&self, from: Timestamp, to: Timestamp) -> bool {
        if from >= to || self.last.at < from || self.first.at >= to {
            return false;
        }
        if (self.first.at >= from && self.first.at < to)
            || (self.last.at >= from && self.last.at < to)
        {
            return true;
        }
        // Both ends fall outside the window, which lies strictly between them: only a day
        // wholly inside it proves an occurrence there.
        // Day d lies wholly inside when its midnight is at or after `from` and the next
        // midnight at or before `to`.
        let midnight = |t: Timestamp| t.time() == chrono::NaiveTime::MIN;
        let first_day = if midnight(from) {
            Some(from.date_naive())
        } else {
            from.date_naive().succ_opt()
        };
        let (Some(first_day), Some(last_day)) = (first_day, to.date_naive().pred_opt()) else {
            return false;
        };
        self.day_ranges()
            .any(|(a, b)| a <= last_day && b >= first_day)
    }

    /// The day ranges of [`ActivitySummary::days`] as (first, last) pairs.
    pub fn day_ranges(&self) -> impl Iterator<Item = (chrono::NaiveDate, chrono::NaiveDate)> + '_ {
        self.days.iter().map(|d| (d.first, d.last))
    }
}

/// Consecutive UTC days, both inclusive: written `YYYY-MM-DD` for one day and
/// `YYYY-MM-DD/YYYY-MM-DD` for more (ISO 8601 intervals), held as two dates (8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayRange {
    pub first: chrono::NaiveDate,
    pub last: chrono::NaiveDate,
}

impl std::fmt::Display for DayRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}/{}", self.first, self.last)
        }
    }
}

impl std::str::FromStr for DayRange {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (a, b) = text.split_once('/').unwrap_or((text, text));
        let date = |t: &str| {
            t.parse::<chrono::NaiveDate>()
                .map_err(|e| format!("{t:?} is not a date: {e}"))
        };
        let (first, last) = (date(a)?, date(b)?);
        if last < first {
            return Err(format!("{text:?} ends before it starts"));
        }
        Ok(DayRange { first, last })
    }
}

impl Serialize for DayRange {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DayRange {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Collapses days (any order, duplicates allowed) into the ascending range list a summary
/// stores.
pub fn day_ranges(days: impl IntoIterator<Item = chrono::NaiveDate>) -> Vec<DayRange> {
    let mut days: Vec<chrono::NaiveDate> = days.into_iter().collect();
    days.sort_unstable();
    days.dedup();
    let mut out = Vec::new();
    let mut iter = days.into_iter().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while let Some(&next) = iter.peek() {
            if end.succ_opt() == Some(next) {
                end = next;
                iter.next();
            } else {
                break;
            }
        }
        out.push(DayRange {
            first: start,
            last: end,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn at(d: u32, h: u32) -> Timestamp {
        Utc.with_ymd_and_hms(2025, 3, d, h, 0, 0)
            .single()
            .expect("time")
    }

    fn summary(first: Timestamp, last: Timestamp, days: &[u32]) -> ActivitySummary {
        let mark = |at| ActivityMark {
            at,
            location: "line 1".into(),
            source_event_id: None,
        };
        ActivitySummary {
            credential: None,
            account: "a".into(),
            channel: ActivityChannel::SignIn,
            clients: vec![],
            count: 3,
            days: day_ranges(
                days.iter()
                    .map(|d| NaiveDate::from_ymd_opt(2025, 3, *d).expect("day")),
            ),
            event_types: vec![],
            first: mark(first),
            interactive: true,
            last: mark(last),
            outcome: Outcome::Succeeded,
            system: SystemId::new("okta"),
        }
    }

    #[test]
    fn days_collapse_into_ranges() {
        let d = |n| NaiveDate::from_ymd_opt(2025, 3, n).expect("day");
        let ranges = day_ranges([d(5), d(1), d(2), d(3), d(5), d(9)]);
        let written: Vec<String> = ranges.iter().map(ToString::to_string).collect();
        assert_eq!(
            written,
            ["2025-03-01/2025-03-03", "2025-03-05", "2025-03-09"]
        );
        let json = serde_json::to_string(&ranges).expect("serializes");
        assert_eq!(
            json,
            r#"["2025-03-01/2025-03-03","2025-03-05","2025-03-09"]"#
        );
        let back: Vec<DayRange> = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, ranges);
        assert!(serde_json::from_str::<DayRange>(r#""2025-03-05/2025-03-01""#).is_err());
        assert!(serde_json::from_str::<DayRange>(r#""yesterday""#).is_err());
    }

    #[test]
    fn within_a_window_exactly_at_the_ends_and_by_day_between() {
        let s = summary(at(1, 9), at(20, 9), &[1, 10, 20]);
        assert!(
            s.any_within(at(1, 9), at(1, 10)),
            "first occurrence, inclusive start"
        );
        assert!(!s.any_within(at(1, 10), at(2, 0)), "nothing else on day 1");
        assert!(
            s.any_within(at(9, 0), at(11, 0)),
            "day 10 lies wholly inside"
        );
        assert!(
            !s.any_within(at(11, 0), at(20, 9)),
            "exclusive end at the last"
        );
        assert!(
            !s.any_within(at(10, 5), at(10, 6)),
            "day 10 is not wholly inside"
        );
        assert!(!s.any_within(at(21, 0), at(25, 0)));
    }
}
