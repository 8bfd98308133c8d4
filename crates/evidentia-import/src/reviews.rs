//! What a file of access-review campaigns or decisions must agree on across its rows (and with the ledger), checked as the rows stream past.
//!
//! A decision is only evidence against a campaign the ledger (through
//! [`ImportContext::known_campaigns`](crate::ImportContext)) or the file itself defines, made
//! no earlier than that campaign started, and made once per item and reviewer; a file that
//! defines a campaign on its decision rows must define it the same way on every row. Each of
//! these is a row diagnostic, so the façade rejects the file whole (or, under
//! `--skip-invalid`, leaves the row out).
//!
//! Memory: the campaigns the file defines (few), and one 128-bit key per (campaign, system,
//! account, entitlement, reviewer) seen with the place it was seen — not the rows themselves.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::SecondsFormat;
use evidentia_domain::{CampaignId, Record, ReviewCampaign, ReviewDecision, SystemId, Timestamp};

use crate::{ImportContext, ImportSummary, Location, RecordSink, SinkError, skip_key};

/// How diagnostics name where each of a campaign's fields comes from in this file.
#[derive(Debug, Clone)]
pub(crate) struct CampaignLabels {
    pub(crate) name: String,
    pub(crate) systems: String,
    pub(crate) entitlements: String,
    pub(crate) started_at: String,
    pub(crate) due_at: String,
    pub(crate) closed_at: String,
    /// The file's own names for the start and due columns, for the unknown-campaign advice;
    /// `None` when the profile maps none.
    pub(crate) start_column: Option<String>,
    pub(crate) due_column: Option<String>,
}

/// The campaign columns one decision row states (each `None` when its cell is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StatedCampaign {
    pub(crate) name: Option<String>,
    pub(crate) systems: Option<Vec<SystemId>>,
    pub(crate) entitlements: Option<Vec<String>>,
    pub(crate) started_at: Option<Timestamp>,
    pub(crate) due_at: Option<Timestamp>,
    pub(crate) closed_at: Option<Timestamp>,
}

impl StatedCampaign {
    /// The campaign the row defines: it states both when the campaign started and when it
    /// was due (the rest may be empty).
    fn definition(&self, id: &CampaignId) -> Option<ReviewCampaign> {
        Some(ReviewCampaign {
            closed_at: self.closed_at,
            due_at: self.due_at?,
            entitlements: self.entitlements.clone().unwrap_or_default(),
            id: id.clone(),
            name: self.name.clone(),
            started_at: self.started_at?,
            systems: self.systems.clone().unwrap_or_default(),
        })
    }
}

/// One campaign row, built and checked on its own.
#[derive(Debug, Clone)]
pub(crate) struct CampaignRow {
    pub(crate) campaign: ReviewCampaign,
    pub(crate) labels: CampaignLabels,
}

/// One decision row, built and checked on its own, with the campaign columns it states.
#[derive(Debug, Clone)]
pub(crate) struct DecisionRow {
    pub(crate) decision: ReviewDecision,
    pub(crate) stated: StatedCampaign,
    pub(crate) labels: CampaignLabels,
    /// How diagnostics name the decision-time column.
    pub(crate) decided_at_label: String,
}

/// What became of a campaign row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CampaignOutcome {
    /// A campaign this import adds (new, or restating a ledger campaign differently: the
    /// latest record of a campaign is the one in force).
    New(ReviewCampaign),
    /// The ledger already holds this campaign exactly so.
    AlreadyInLedger,
    /// An earlier row of this file defined it exactly so.
    Repeated,
}

/// A campaign the file defines, and where.
#[derive(Debug)]
struct Defined {
    campaign: ReviewCampaign,
    location: Location,
    /// Still to be emitted before its first decision (false once emitted, or when the
    /// ledger already holds it exactly so).
    pending: bool,
}

/// The cross-row state of one file of campaigns or decisions.
#[derive(Debug)]
pub(crate) struct ReviewBook<'a> {
    ledger: &'a BTreeMap<CampaignId, ReviewCampaign>,
    defined: HashMap<CampaignId, Defined>,
    /// Item and reviewer keys already decided in this file, with where.
    seen: HashMap<u128, Location>,
}

fn at(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn opt_at(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "none".to_owned(), at)
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The item as a diagnostic names it: `system/account/entitlement`, or the account itself.
pub(crate) fn item_name(d: &ReviewDecision) -> String {
    match &d.entitlement {
        Some(e) => format!("{}/{}/{e}", d.system, d.account),
        None => format!("{}/{} (the account itself)", d.system, d.account),
    }
}

/// The first field in which `b` differs from `a`, comparing only what `b` states; as the
/// label of its column and both values.
fn difference(
    a: &ReviewCampaign,
    b: &StatedCampaign,
    labels: &CampaignLabels,
) -> Option<(String, String, String)> {
    let differs = |x: &str, y: &str| (x != y).then(|| (x.to_owned(), y.to_owned()));
    let checks: [(&str, Option<(String, String)>); 6] = [
        (
            &labels.name,
            b.name
                .as_ref()
                .and_then(|n| differs(a.name.as_deref().unwrap_or("none"), n)),
        ),
        (
            &labels.systems,
            b.systems
                .as_ref()
                .and_then(|s| differs(&list(&a.systems), &list(s))),
        ),
        (
            &labels.entitlements,
            b.entitlements
                .as_ref()
                .and_then(|e| differs(&list(&a.entitlements), &list(e))),
        ),
        (
            &labels.started_at,
            b.started_at
                .and_then(|t| differs(&at(a.started_at), &at(t))),
        ),
        (
            &labels.due_at,
            b.due_at.and_then(|t| differs(&at(a.due_at), &at(t))),
        ),
        (
            &labels.closed_at,
            b.closed_at
                .and_then(|t| differs(&opt_at(a.closed_at), &at(t))),
        ),
    ];
    checks
        .into_iter()
        .find_map(|(label, d)| d.map(|(was, now)| (label.to_owned(), was, now)))
}

/// The whole campaign as a row states it, so two definitions compare field by field
/// (an empty cell is a stated "none").
fn stated(c: &ReviewCampaign) -> StatedCampaign {
    StatedCampaign {
        name: Some(c.name.clone().unwrap_or_else(|| "none".to_owned())),
        systems: Some(c.systems.clone()),
        entitlements: Some(c.entitlements.clone()),
        started_at: Some(c.started_at),
        due_at: Some(c.due_at),
        closed_at: c.closed_at,
    }
}

/// Two definitions differ: the first field that does, or the closing time one has and the
/// other lacks.
fn definitions_differ(
    first: &ReviewCampaign,
    again: &ReviewCampaign,
    labels: &CampaignLabels,
) -> Option<(String, String, String)> {
    difference(first, &stated(again), labels).or_else(|| {
        (first.closed_at != again.closed_at).then(|| {
            (
                labels.closed_at.clone(),
                opt_at(first.closed_at),
                opt_at(again.closed_at),
            )
        })
    })
}

/// The 128-bit key of one item and reviewer, compared ignoring ASCII case. Two SipHash
/// passes with different leading bytes: a false "second decision" would need a 128-bit
/// collision.
fn item_key(d: &ReviewDecision) -> u128 {
    let half = |salt: u8| {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        for part in [
            d.campaign.as_str(),
            d.system.as_str(),
            d.account.as_str(),
            d.entitlement.as_deref().unwrap_or(""),
            d.reviewer.as_ref().map_or("", |r| r.as_str()),
        ] {
            for byte in part.bytes() {
                h.write_u8(byte.to_ascii_lowercase());
            }
            // A separator no text contains, so ("ab", "c") and ("a", "bc") differ.
            h.write_u16(0xFFFF);
        }
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

impl<'a> ReviewBook<'a> {
    pub(crate) fn new(ledger: &'a BTreeMap<CampaignId, ReviewCampaign>) -> Self {
        Self {
            ledger,
            defined: HashMap::new(),
            seen: HashMap::new(),
        }
    }

    /// A campaign row (of a campaigns file, or a native export's campaign).
    pub(crate) fn campaign(
        &mut self,
        campaign: ReviewCampaign,
        location: &Location,
        labels: &CampaignLabels,
    ) -> Result<CampaignOutcome, String> {
        if let Some(earlier) = self.defined.get(&campaign.id) {
            return match definitions_differ(&earlier.campaign, &campaign, labels) {
                None => Ok(CampaignOutcome::Repeated),
                Some((label, was, now)) => Err(format!(
                    "{label}: campaign \"{}\" is defined again with {now}, but {} gave {was}",
                    campaign.id, earlier.location
                )),
            };
        }
        let in_ledger = self.ledger.get(&campaign.id) == Some(&campaign);
        self.defined.insert(
            campaign.id.clone(),
            Defined {
                campaign: campaign.clone(),
                location: location.clone(),
                pending: false,
            },
        );
        Ok(if in_ledger {
            CampaignOutcome::AlreadyInLedger
        } else {
            CampaignOutcome::New(campaign)
        })
    }

    /// A decision row: the records to emit (its campaign first, when this row is the first
    /// good one of a campaign the file defines), or why the row is refused.
    pub(crate) fn decision(
        &mut self,
        row: DecisionRow,
        location: &Location,
    ) -> Result<Vec<(Record, Location)>, String> {
        let DecisionRow {
            decision,
            stated,
            labels,
            decided_at_label,
        } = row;
        let id = decision.campaign.clone();

        // The campaign columns first: a definition (start and due) must repeat the file's
        // earlier one; other stated columns must agree with it.
        match (self.defined.get(&id), stated.definition(&id)) {
            (Some(earlier), Some(definition)) => {
                if let Some((label, was, now)) =
                    definitions_differ(&earlier.campaign, &definition, &labels)
                {
                    return Err(self.inconsistent(&id, &label, &was, &now, &earlier.location));
                }
            }
            (Some(earlier), None) => {
                if let Some((label, was, now)) = difference(&earlier.campaign, &stated, &labels) {
                    return Err(self.inconsistent(&id, &label, &was, &now, &earlier.location));
                }
            }
            (None, Some(definition)) => {
                let pending = self.ledger.get(&id) != Some(&definition);
                self.defined.insert(
                    id.clone(),
                    Defined {
                        campaign: definition,
                        location: location.clone(),
                        pending,
                    },
                );
            }
            (None, None) => {}
        }

        let Some(campaign) = self
            .defined
            .get(&id)
            .map(|d| &d.campaign)
            .or_else(|| self.ledger.get(&id))
        else {
            let columns = match (&labels.start_column, &labels.due_column) {
                (Some(start), Some(due)) => format!("give the {start} and {due} columns"),
                _ => "map campaign_started_at and campaign_due_at in the profile".to_owned(),
            };
            return Err(format!(
                "unknown campaign \"{id}\": import its campaign file first or {columns}"
            ));
        };
        if let Some(decided) = decision.decided_at
            && decided < campaign.started_at
        {
            return Err(format!(
                "{decided_at_label}: the decision ({}) is before its campaign \"{id}\" started ({})",
                at(decided),
                at(campaign.started_at)
            ));
        }
        let key = item_key(&decision);
        if let Some(first) = self.seen.get(&key) {
            let by = decision.reviewer.as_ref().map_or_else(
                || "with no reviewer named".to_owned(),
                |r| format!("by {r}"),
            );
            return Err(format!(
                "a second decision on item {} of campaign \"{id}\" {by} (the first is at {first})",
                item_name(&decision)
            ));
        }
        self.seen.insert(key, location.clone());

        let mut out = Vec::with_capacity(2);
        if let Some(defined) = self.defined.get_mut(&id)
            && defined.pending
        {
            defined.pending = false;
            out.push((
                Record::ReviewCampaign(defined.campaign.clone()),
                defined.location.clone(),
            ));
        }
        out.push((Record::ReviewDecision(decision), location.clone()));
        Ok(out)
    }

    fn inconsistent(
        &self,
        id: &CampaignId,
        label: &str,
        was: &str,
        now: &str,
        first: &Location,
    ) -> String {
        format!(
            "{label}: campaign \"{id}\" is stated here as {now}, but {first} gave {was}; every row of a campaign must state the same campaign columns"
        )
    }
}

/// The skipped-count key of a campaign row the ledger already holds exactly so.
pub(crate) fn already_in_ledger() -> String {
    skip_key("review campaign", "already in the ledger")
}

/// The skipped-count key of a campaign row repeating an earlier row of the file.
pub(crate) fn repeated() -> String {
    skip_key("review campaign", "repeats an earlier row")
}

/// Keeps a campaign row (emitting it when new) or files why it is refused.
pub(crate) fn deliver_campaign(
    book: &mut ReviewBook<'_>,
    ctx: &ImportContext,
    row: CampaignRow,
    location: Location,
    summary: &mut ImportSummary,
    sink: &mut dyn RecordSink,
) -> Result<(), SinkError> {
    match book.campaign(row.campaign, &location, &row.labels) {
        Ok(CampaignOutcome::New(campaign)) => {
            summary.deliver(sink, Record::ReviewCampaign(campaign), location)?;
        }
        Ok(CampaignOutcome::AlreadyInLedger) => summary.skip(already_in_ledger()),
        Ok(CampaignOutcome::Repeated) => summary.skip(repeated()),
        Err(reason) => summary.diagnostics.push(ctx.diagnostic(location, reason)),
    }
    Ok(())
}

/// Keeps a decision row (with its campaign before it, the first time) or files why it is
/// refused.
pub(crate) fn deliver_decision(
    book: &mut ReviewBook<'_>,
    ctx: &ImportContext,
    row: DecisionRow,
    location: Location,
    summary: &mut ImportSummary,
    sink: &mut dyn RecordSink,
) -> Result<(), SinkError> {
    match book.decision(row, &location) {
        Ok(records) => {
            for (record, at) in records {
                summary.deliver(sink, record, at)?;
            }
        }
        Err(reason) => summary.diagnostics.push(ctx.diagnostic(location, reason)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use evidentia_domain::{IdentityId, ReviewVerdict};

    fn t(day: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2025, 4, day, 0, 0, 0)
            .single()
            .expect("valid")
    }

    fn labels() -> CampaignLabels {
        CampaignLabels {
            name: "column \"Name\"".into(),
            systems: "column \"Systems\"".into(),
            entitlements: "column \"Scope\"".into(),
            started_at: "column \"Start\"".into(),
            due_at: "column \"Due\"".into(),
            closed_at: "column \"Closed\"".into(),
            start_column: Some("Start".into()),
            due_column: Some("Due".into()),
        }
    }

    fn decision(account: &str, reviewer: &str) -> ReviewDecision {
        ReviewDecision {
            account: account.into(),
            campaign: CampaignId::new("Q2"),
            comment: None,
            decided_at: Some(t(10)),
            decision: ReviewVerdict::Keep,
            delegated_to: None,
            assigned_to: None,
            entitlement: Some("Admins".into()),
            item: None,
            reviewer: Some(IdentityId::new(reviewer)),
            reviewer_role: None,
            subject: None,
            system: SystemId::new("okta"),
        }
    }

    fn row(d: ReviewDecision, stated: StatedCampaign) -> DecisionRow {
        DecisionRow {
            decision: d,
            stated,
            labels: labels(),
            decided_at_label: "column \"Decided At\"".into(),
        }
    }

    fn defining() -> StatedCampaign {
        StatedCampaign {
            started_at: Some(t(1)),
            due_at: Some(t(30)),
            ..StatedCampaign::default()
        }
    }

    #[test]
    fn the_item_key_ignores_case_and_keeps_fields_apart() {
        assert_eq!(
            item_key(&decision("Alice", "E1")),
            item_key(&decision("alice", "e1"))
        );
        assert_ne!(
            item_key(&decision("alice", "E1")),
            item_key(&decision("alic", "eE1"))
        );
    }

    #[test]
    fn a_campaign_defined_by_its_decisions_is_emitted_once_before_the_first() {
        let ledger = BTreeMap::new();
        let mut book = ReviewBook::new(&ledger);
        let first = book
            .decision(row(decision("a", "E1"), defining()), &Location::Line(2))
            .expect("good");
        assert!(matches!(first[0].0, Record::ReviewCampaign(_)));
        assert!(matches!(first[1].0, Record::ReviewDecision(_)));
        let second = book
            .decision(row(decision("b", "E1"), defining()), &Location::Line(3))
            .expect("good");
        assert_eq!(second.len(), 1);
    }

    #[test]
    fn a_campaign_the_ledger_holds_exactly_so_is_not_emitted_again() {
        let mut ledger = BTreeMap::new();
        let campaign = defining()
            .definition(&CampaignId::new("Q2"))
            .expect("defines");
        ledger.insert(campaign.id.clone(), campaign);
        let mut book = ReviewBook::new(&ledger);
        let out = book
            .decision(row(decision("a", "E1"), defining()), &Location::Line(2))
            .expect("good");
        assert_eq!(out.len(), 1);
    }
}
