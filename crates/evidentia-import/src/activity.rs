//! Sign-ins and API calls folded, while a file is read, into one activity summary per account and kind of use: proof of use without a ledger entry per event.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use evidentia_domain::{
    ActivityChannel, ActivityMark, ActivitySummary, Outcome, Record, SystemId, Timestamp,
    day_ranges,
};

use crate::{ImportSummary, Location, RecordSink, SinkError};

/// Which activity an import keeps (`--activity`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActivityCapture {
    /// Keep nothing: sign-ins and API calls are counted as skipped, as before activity
    /// evidence existed.
    None,
    /// Sign-ins, console logins and SSO sessions only; API calls are counted as skipped.
    SignIns,
    /// Sign-ins and API calls (the default).
    #[default]
    All,
}

impl ActivityCapture {
    /// Every value, as the command line spells it.
    pub const ALL: &'static [ActivityCapture] = &[
        ActivityCapture::None,
        ActivityCapture::SignIns,
        ActivityCapture::All,
    ];

    /// The command-line spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityCapture::None => "none",
            ActivityCapture::SignIns => "sign-ins",
            ActivityCapture::All => "all",
        }
    }

    /// Parses the command-line spelling.
    pub fn parse(text: &str) -> Option<ActivityCapture> {
        Self::ALL.iter().copied().find(|c| c.as_str() == text)
    }

    /// Whether activity of `channel` is kept.
    pub fn keeps(self, channel: ActivityChannel) -> bool {
        match self {
            ActivityCapture::None => false,
            ActivityCapture::SignIns => channel != ActivityChannel::ApiCall,
            ActivityCapture::All => true,
        }
    }
}

/// One use of an account, as an importer reads it.
#[derive(Debug, Clone)]
pub struct Observation<'a> {
    pub system: &'a SystemId,
    /// The account that acted, named as the format names accounts on its executions.
    pub account: &'a str,
    pub channel: ActivityChannel,
    /// A person at a browser or terminal (console login, SSO session, password SSH login).
    pub interactive: bool,
    /// `Succeeded`, or `Failed` for a refused sign-in or a denied call.
    pub outcome: Outcome,
    pub at: Timestamp,
    /// The source's own event type (`ConsoleLogin`, `user.session.start`).
    pub event_type: &'a str,
    pub source_event_id: Option<&'a str>,
    /// User agent or client application, when the source names one.
    pub client: Option<&'a str>,
    /// The long-lived credential (access key, token) that signed the call, when the source
    /// names one: its use is that credential's (`EV-CREDENTIAL-USED-AFTER-LEAVE`).
    pub credential: Option<&'a str>,
}

type Key = (
    SystemId,
    String,
    ActivityChannel,
    bool,
    Outcome,
    Option<String>,
);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Mark {
    at: Timestamp,
    location: Location,
    source_event_id: Option<String>,
}

impl Mark {
    fn of(o: &Observation<'_>, location: &Location) -> Mark {
        Mark {
            at: o.at,
            location: location.clone(),
            source_event_id: o.source_event_id.map(str::to_owned),
        }
    }

    fn to_domain(&self) -> ActivityMark {
        ActivityMark {
            at: self.at,
            location: self.location.to_string(),
            source_event_id: self.source_event_id.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Tally {
    count: u64,
    first: Mark,
    last: Mark,
    days: BTreeSet<NaiveDate>,
    event_types: BTreeSet<String>,
    clients: BTreeSet<String>,
}

/// The activity of one file, grouped as it is read; [`ActivityBook::deliver`] emits the
/// summaries once the file is done (memory grows with accounts, not events).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityBook {
    tallies: BTreeMap<Key, Tally>,
    /// Occurrences folded in, for the import summary.
    pub(crate) observed: u64,
}

impl ActivityBook {
    /// Folds one occurrence in.
    pub fn observe(&mut self, o: &Observation<'_>, location: &Location) {
        self.observed += 1;
        let key = (
            o.system.clone(),
            o.account.trim().to_owned(),
            o.channel,
            o.interactive,
            o.outcome,
            o.credential.map(|c| c.trim().to_owned()),
        );
        let tally = self.tallies.entry(key).or_insert_with(|| Tally {
            count: 0,
            first: Mark::of(o, location),
            last: Mark::of(o, location),
            days: BTreeSet::new(),
            event_types: BTreeSet::new(),
            clients: BTreeSet::new(),
        });
        tally.count += 1;
        // Earliest and latest by time; on a tie the first read stays first and the last read
        // becomes last, so the marks follow the file where time cannot tell.
        if o.at < tally.first.at {
            tally.first = Mark::of(o, location);
        }
        if o.at >= tally.last.at {
            tally.last = Mark::of(o, location);
        }
        tally.days.insert(o.at.date_naive());
        remember(&mut tally.event_types, o.event_type);
        if let Some(client) = o.client {
            remember(&mut tally.clients, client);
        }
    }

    /// Whether nothing was observed.
    pub fn is_empty(&self) -> bool {
        self.tallies.is_empty()
    }

    /// Emits one summary per account and kind of use, in key order, located at its first
    /// occurrence.
    pub fn deliver(
        self,
        summary: &mut ImportSummary,
        sink: &mut dyn RecordSink,
    ) -> Result<(), SinkError> {
        for ((system, account, channel, interactive, outcome, credential), t) in self.tallies {
            let record = ActivitySummary {
                account: account.into(),
                channel,
                clients: t.clients.into_iter().map(Into::into).collect(),
                count: t.count,
                credential: credential.map(Into::into),
                days: day_ranges(t.days),
                event_types: t.event_types.into_iter().map(Into::into).collect(),
                first: t.first.to_domain(),
                interactive,
                last: t.last.to_domain(),
                outcome,
                system,
            };
            summary.deliver(sink, Record::Activity(record), t.first.location)?;
        }
        Ok(())
    }
}

fn remember(set: &mut BTreeSet<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && set.len() < ActivitySummary::MAX_LISTED && !set.contains(value) {
        set.insert(value.to_owned());
    }
}

/// Imports `input` in `format` with the given activity capture, for the importers' tests.
#[cfg(test)]
pub(crate) fn import_capturing(
    format: crate::Format,
    file_name: &str,
    mut input: &[u8],
    capture: ActivityCapture,
) -> (ImportSummary, Vec<(Record, crate::Origin)>) {
    let ctx = crate::ImportContext {
        activity: capture,
        ..crate::ImportContext::new(file_name)
    };
    let mut sink: Vec<(Record, crate::Origin)> = Vec::new();
    let summary = crate::import(format, &mut input, &ctx, &mut sink, &mut |_| {})
        .unwrap_or_else(|e| panic!("import failed: {e}"));
    (summary, sink)
}

/// The activity summaries among imported records, borrowed, for the importers' tests.
#[cfg(test)]
pub(crate) fn summaries_in(records: &[(Record, crate::Origin)]) -> Vec<&ActivitySummary> {
    records
        .iter()
        .filter_map(|(r, _)| match r {
            Record::Activity(a) => Some(a),
            _ => None,
        })
        .collect()
}

/// The activity summaries among imported records, for the importers' tests.
#[cfg(test)]
pub(crate) fn summaries(records: Vec<(Record, crate::Origin)>) -> Vec<ActivitySummary> {
    records
        .into_iter()
        .filter_map(|(r, _)| match r {
            Record::Activity(a) => Some(a),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(day: u32, hour: u32) -> Timestamp {
        Utc.with_ymd_and_hms(2025, 3, day, hour, 0, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn occurrences_fold_per_account_and_kind_with_first_last_and_days() {
        let okta = SystemId::new("okta");
        let mut book = ActivityBook::default();
        let obs = |account, day, hour, outcome| Observation {
            credential: None,
            system: &okta,
            account,
            channel: ActivityChannel::SignIn,
            interactive: true,
            outcome,
            at: at(day, hour),
            event_type: "user.session.start",
            source_event_id: None,
            client: Some("Firefox"),
        };
        book.observe(&obs("a@x", 3, 9, Outcome::Succeeded), &Location::Line(4));
        book.observe(&obs("a@x", 1, 9, Outcome::Succeeded), &Location::Line(9));
        book.observe(&obs("a@x", 2, 9, Outcome::Succeeded), &Location::Line(12));
        book.observe(&obs("a@x", 5, 9, Outcome::Failed), &Location::Line(13));
        book.observe(&obs("b@x", 5, 9, Outcome::Succeeded), &Location::Line(14));
        let mut summary = ImportSummary::default();
        let mut sink: Vec<(Record, crate::Origin)> = Vec::new();
        book.deliver(&mut summary, &mut sink).expect("delivered");
        assert_eq!(sink.len(), 3, "a@x succeeded, a@x failed, b@x");
        let Record::Activity(a) = &sink[0].0 else {
            panic!("not activity")
        };
        assert_eq!((a.account.as_str(), a.count), ("a@x", 3));
        assert_eq!(a.first.location, "line 9");
        assert_eq!(a.last.location, "line 4");
        assert_eq!(a.days[0].to_string(), "2025-03-01/2025-03-03");
        assert_eq!(sink[0].1.location, Location::Line(9));
        assert_eq!(a.clients, ["Firefox"]);
    }

    #[test]
    fn capture_levels() {
        assert!(!ActivityCapture::None.keeps(ActivityChannel::SignIn));
        assert!(ActivityCapture::SignIns.keeps(ActivityChannel::SignIn));
        assert!(!ActivityCapture::SignIns.keeps(ActivityChannel::ApiCall));
        assert!(ActivityCapture::All.keeps(ActivityChannel::ApiCall));
        assert_eq!(
            ActivityCapture::parse("sign-ins"),
            Some(ActivityCapture::SignIns)
        );
    }
}
