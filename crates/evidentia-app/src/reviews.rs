//! What the Reviews page and `evidentia reviews` show: each access-review campaign with its
//! population per system, coverage and completion, every revoke decision followed to the
//! system's removal and the next snapshot, and each reviewer's pace — judged fresh from the
//! ledger (docs/access-reviews.md).

use chrono::{DateTime, SecondsFormat, Utc};
use evidentia_rules::{CampaignReview, RevokeChain};

use crate::Location;
use crate::{AnalysisRun, analyze_workspace};

/// One campaign as the Reviews page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignItem {
    pub id: String,
    pub name: Option<String>,
    /// The campaign's ledger entry.
    pub seq: u64,
    pub started_at: String,
    pub due_at: String,
    pub closed_at: Option<String>,
    pub overdue: bool,
    /// Items in the established populations, summed over systems.
    pub population: usize,
    pub decided: usize,
    pub decided_on_time: usize,
    pub systems: Vec<ReviewSystemItem>,
    pub revokes: Vec<ReviewRevokeItem>,
    pub reviewers: Vec<ReviewerItem>,
    /// Decisions on items outside the population, as their entries.
    pub outside_population: Vec<u64>,
    /// Findings of the review checks about this campaign.
    pub findings: usize,
}

/// A campaign's population and decisions in one system.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSystemItem {
    pub system: String,
    /// When the snapshot the population was drawn from was taken; `None`: no complete
    /// snapshot at or before the start, so the population is not established.
    pub snapshot_at: Option<String>,
    pub snapshot_entries: Vec<u64>,
    pub population: usize,
    pub decided: usize,
    pub decided_on_time: usize,
    pub keep: usize,
    pub revoke: usize,
    pub modify: usize,
    pub undecided: usize,
    /// Decision to removal, in hours: (count, median, p95).
    pub removal_hours: Option<(usize, f64, f64)>,
}

/// A revoke (or modify) decision → the system's removal → the next snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRevokeItem {
    pub decision_seq: u64,
    pub verdict: String,
    pub system: String,
    pub account: String,
    pub entitlement: Option<String>,
    pub identity: Option<String>,
    pub reviewer: Option<String>,
    pub decided_at: String,
    pub deadline: String,
    pub removal_seq: Option<u64>,
    /// The removal's row when `removal_seq` is a set entry (executions are written in sets).
    pub removal_row: Option<u32>,
    pub removed_at: Option<String>,
    pub confirmation_at: Option<String>,
    /// The next snapshot still shows the item.
    pub confirmation_held: Option<bool>,
    pub confirmation_seq: Option<u64>,
    /// The snapshot row when `confirmation_seq` is a set entry (inventories are written in sets).
    pub confirmation_row: Option<u32>,
    /// on_time, late, not_executed, contradicted, removed_unlogged, not_yet_due.
    pub status: String,
}

/// One reviewer's decisions in a campaign and their fastest burst.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewerItem {
    pub reviewer: String,
    pub decisions: usize,
    pub keep: usize,
    pub revoke: usize,
    pub modify: usize,
    pub fastest_burst: usize,
    pub fastest_burst_all_keep: bool,
}

/// Every campaign of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewsView {
    pub as_of: String,
    /// The rubber-stamp threshold the bursts are measured against: (decisions, seconds).
    pub rubber_stamp: (u32, i64),
    pub campaigns: Vec<CampaignItem>,
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Judges the workspace as of the end of the policy's period (without recording the run) and
/// lays out every campaign for the Reviews page.
pub async fn reviews_view(workspace: &Location, now: DateTime<Utc>) -> anyhow::Result<ReviewsView> {
    let run = analyze_workspace(workspace, None, now).await?;
    Ok(reviews_of(&run))
}

/// The campaigns of one analysis run.
pub fn reviews_of(run: &AnalysisRun) -> ReviewsView {
    let policy = &run.policy.policy.reviews;
    ReviewsView {
        as_of: time(run.as_of),
        rubber_stamp: (
            policy.rubber_stamp_decisions,
            policy.rubber_stamp_window.as_delta().num_seconds(),
        ),
        campaigns: run
            .analysis
            .reviews
            .iter()
            .map(|c| campaign_item(run, c))
            .collect(),
    }
}

fn campaign_item(run: &AnalysisRun, c: &CampaignReview) -> CampaignItem {
    let systems: Vec<ReviewSystemItem> = c
        .systems
        .iter()
        .map(|s| ReviewSystemItem {
            system: s.system.as_str().to_owned(),
            snapshot_at: s.snapshot.as_ref().map(|p| time(p.as_of)),
            snapshot_entries: s
                .snapshot
                .as_ref()
                .map(|p| p.entries.clone())
                .unwrap_or_default(),
            population: s.population,
            decided: s.decided,
            decided_on_time: s.decided_on_time,
            keep: s.keep,
            revoke: s.revoke,
            modify: s.modify,
            undecided: s.undecided.len(),
            removal_hours: s
                .decision_to_removal
                .map(|d| (d.count, d.median_hours, d.p95_hours)),
        })
        .collect();
    CampaignItem {
        id: c.campaign.as_str().to_owned(),
        name: c.name.clone(),
        seq: c.seq,
        started_at: time(c.started_at),
        due_at: time(c.due_at),
        closed_at: c.closed_at.map(time),
        overdue: c.overdue,
        population: systems.iter().map(|s| s.population).sum(),
        decided: systems.iter().map(|s| s.decided).sum(),
        decided_on_time: systems.iter().map(|s| s.decided_on_time).sum(),
        systems,
        revokes: c.revokes.iter().map(revoke_item).collect(),
        reviewers: c
            .reviewers
            .iter()
            .map(|r| ReviewerItem {
                reviewer: r.reviewer.as_str().to_owned(),
                decisions: r.decisions,
                keep: r.keep,
                revoke: r.revoke,
                modify: r.modify,
                fastest_burst: r.fastest_burst,
                fastest_burst_all_keep: r.fastest_burst_all_keep,
            })
            .collect(),
        outside_population: crate::evidence_entries(&c.outside_population),
        findings: run
            .analysis
            .findings
            .iter()
            .filter(|f| f.campaign.as_ref() == Some(&c.campaign))
            .count(),
    }
}

fn revoke_item(r: &RevokeChain) -> ReviewRevokeItem {
    ReviewRevokeItem {
        decision_seq: r.decision.seq,
        verdict: r.verdict.as_str().to_owned(),
        system: r.system.as_str().to_owned(),
        account: r.account.clone(),
        entitlement: r.entitlement.clone(),
        identity: r.identity.as_ref().map(|i| i.as_str().to_owned()),
        reviewer: r.reviewer.as_ref().map(|i| i.as_str().to_owned()),
        decided_at: time(r.decided_at),
        deadline: time(r.deadline),
        removal_seq: r.removal.map(|(cite, _)| cite.seq),
        removal_row: r.removal.and_then(|(cite, _)| set_row(cite)),
        removed_at: r.removal.map(|(_, t)| time(t)),
        confirmation_at: r.confirmation.map(|(t, _, _)| time(t)),
        confirmation_held: r.confirmation.map(|(_, held, _)| held),
        confirmation_seq: r.confirmation.map(|(_, _, cite)| cite.seq),
        confirmation_row: r.confirmation.and_then(|(_, _, cite)| set_row(cite)),
        status: r.status.as_str().to_owned(),
    }
}

/// The row a citation names within a set entry; `None` for a whole one-record entry.
fn set_row(cite: evidentia_rules::Cite) -> Option<u32> {
    (cite.row > 0).then_some(cite.row)
}
