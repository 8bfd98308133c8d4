//! Access reviews judged: each campaign's population drawn from the systems' own snapshots, its
//! decisions matched to it, and every revoke followed to the system's proof of removal
//! (docs/access-reviews.md; audit conventions 11, 15, 16).

use evidentia_domain::{CampaignId, IdentityId, ReviewVerdict, SystemId, Timestamp};

use crate::metrics::Durations;

/// One campaign as the evidence shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignReview {
    pub campaign: CampaignId,
    pub name: Option<String>,
    /// The `record.review_campaign` entry.
    pub seq: u64,
    pub started_at: Timestamp,
    pub due_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// Closed after `due_at`, or open after it at `as_of`.
    pub overdue: bool,
    /// One per system in scope, in system order.
    pub systems: Vec<SystemReview>,
    /// Every revoke or modify decision followed to the system, in decision order.
    pub revokes: Vec<RevokeChain>,
    /// Every reviewer's pace, in reviewer order.
    pub reviewers: Vec<ReviewerPace>,
    /// Decisions on items the population did not hold (the campaign was not drawn from the
    /// system), as their entries.
    pub outside_population: Vec<u64>,
}

/// A campaign's population and decisions in one system.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemReview {
    pub system: SystemId,
    /// The snapshot the population was drawn from: its time and the entries of its rows;
    /// `None` when the system had no complete snapshot at or before the start (the
    /// population is not established and coverage there is not assessed).
    pub snapshot: Option<PopulationSource>,
    /// Items in the population (0 when not established).
    pub population: usize,
    /// Items with an effective decision at or before the close (or `as_of`).
    pub decided: usize,
    /// Items with an effective decision at or before `due_at`.
    pub decided_on_time: usize,
    pub keep: usize,
    pub revoke: usize,
    pub modify: usize,
    /// Items of the population without an effective decision, as (account, entitlement, the
    /// entry showing it held), in account order; `None` entitlement is the account itself.
    pub undecided: Vec<(String, Option<String>, u64)>,
    /// Hours from decision to removal of the revokes removed in the log.
    pub decision_to_removal: Option<Durations>,
}

/// Where a population came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationSource {
    /// The snapshot's moment.
    pub as_of: Timestamp,
    /// The ledger entries holding its rows, ascending.
    pub entries: Vec<u64>,
}

/// How a revoke (or modify) decision ended in the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RevokeStatus {
    /// Removed in the log within `revoke_sla` of the decision (exactly at it is on time) and
    /// not contradicted by the next snapshot.
    OnTime,
    /// Removed in the log after the SLA.
    Late,
    /// No removal in the log, and the first snapshot at or after the deadline still shows
    /// the item (or there is none).
    NotExecuted,
    /// Removed in the log, but the next snapshot still shows the item.
    Contradicted,
    /// No removal in the log, but a later snapshot no longer shows the item: removed at a
    /// time the evidence does not tell.
    RemovedUnlogged,
    /// The deadline is after `as_of`.
    NotYetDue,
}

impl RevokeStatus {
    /// The name used in exports and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            RevokeStatus::OnTime => "on_time",
            RevokeStatus::Late => "late",
            RevokeStatus::NotExecuted => "not_executed",
            RevokeStatus::Contradicted => "contradicted",
            RevokeStatus::RemovedUnlogged => "removed_unlogged",
            RevokeStatus::NotYetDue => "not_yet_due",
        }
    }
}

/// A revoke decision → the system's removal → the next snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct RevokeChain {
    /// The `record.review_decision` entry.
    pub decision_seq: u64,
    pub verdict: ReviewVerdict,
    pub system: SystemId,
    pub account: String,
    pub entitlement: Option<String>,
    /// The holder, where the account correlates to an identity (else the decision's subject).
    pub identity: Option<IdentityId>,
    pub reviewer: Option<IdentityId>,
    pub decided_at: Timestamp,
    /// Decision + `revoke_sla`.
    pub deadline: Timestamp,
    /// The log's removal: its entry and time.
    pub removal: Option<(u64, Timestamp)>,
    /// The first complete snapshot after the removal (or at or after the deadline): its
    /// moment, whether it still shows the item, and the entry that says so (the row's entry
    /// when held, else the first entry of the snapshot).
    pub confirmation: Option<(Timestamp, bool, u64)>,
    pub status: RevokeStatus,
}

/// One reviewer's decisions in one campaign and their fastest burst.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewerPace {
    pub reviewer: IdentityId,
    pub decisions: usize,
    pub keep: usize,
    pub revoke: usize,
    pub modify: usize,
    /// The most decisions made within `rubber_stamp_window` of each other, and whether
    /// they were all keep.
    pub fastest_burst: usize,
    pub fastest_burst_all_keep: bool,
    /// The decision entries of that burst, ascending.
    pub burst_entries: Vec<u64>,
}
