//! The Events table over a million events: each recorded analysis writes its evidence chains to
//! the store's projection (a rebuildable cache beside the ledger), and pages, filters and chain
//! details are read back from SQLite instead of re-running the checks or holding rows in memory.

use std::borrow::Borrow;
use std::path::Path;

use anyhow::Context as _;
use chrono::SecondsFormat;
use evidentia_domain::Timestamp;
use evidentia_rules::{Direction, EventChain, Link, LinkStatus, SystemChain};
use evidentia_store::{EventChainFilter, EventChainRow, EventChainSummary, Workspace};
use serde::{Deserialize, Serialize};

use crate::{AppError, open_read, open_write};

/// At most this many rows per page; the table asks for a screenful or two.
pub const MAX_PAGE: u64 = 1000;

/// Link statuses from best to worst: an event or system shows the worst of its links.
const STATUS_ORDER: [LinkStatus; 6] = [
    LinkStatus::Complete,
    LinkStatus::Unconfirmed,
    LinkStatus::Late,
    LinkStatus::Failed,
    LinkStatus::Missing,
    LinkStatus::Contradicted,
];

/// The event kinds the filter accepts (the domain's lifecycle event types).
const EVENT_KINDS: [&str; 6] = [
    "joiner",
    "mover",
    "leaver",
    "nhi_created",
    "nhi_owner_changed",
    "nhi_retired",
];

fn rank(status: LinkStatus) -> usize {
    STATUS_ORDER.iter().position(|s| *s == status).unwrap_or(0)
}

/// People or non-human identities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityClass {
    Human,
    Nhi,
}

impl IdentityClass {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityClass::Human => "human",
            IdentityClass::Nhi => "nhi",
        }
    }
}

/// What the Events table is filtered by; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// `joiner`, `mover`, `leaver`, `nhi_created`, `nhi_owner_changed`, `nhi_retired`.
    pub kind: Option<String>,
    pub identity_class: Option<IdentityClass>,
    pub system: Option<String>,
    /// A link status (`complete`, `missing`, ...): the event's worst, or with a system, that
    /// system's worst.
    pub status: Option<String>,
    /// Identities starting with this text (case-insensitive).
    pub identity: Option<String>,
}

/// Which rows: the `offset`-th match on, at most `limit` (1 to [`MAX_PAGE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: u64,
}

/// The analysis run the Events table shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsRun {
    /// The `analysis.run` ledger entry the chains come from.
    pub run_seq: u64,
    pub events: u64,
    /// Systems and statuses present, for the filter menus.
    pub systems: Vec<String>,
    pub statuses: Vec<String>,
}

/// One page of events and how many match the filter in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPage {
    pub rows: Vec<EventChainSummary>,
    pub total: u64,
    /// `total` stopped at the store's count cap (identity text filters only).
    pub total_capped: bool,
}

/// One event's chain per system, with the ledger entries behind each link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventChainDetail {
    pub run_seq: u64,
    pub event: EventChainSummary,
    pub systems: Vec<SystemChainDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemChainDetail {
    pub system: String,
    /// `grant` or `revoke`.
    pub direction: String,
    pub account: Option<String>,
    /// When the execution was due, where the policy sets an SLA.
    pub deadline: Option<String>,
    /// The SLA: seconds from the event to the deadline.
    pub sla_secs: Option<i64>,
    /// The worst of the three links.
    pub status: String,
    /// Decision, execution, confirmation, in that order.
    pub links: Vec<LinkDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDetail {
    /// `decision`, `execution` or `confirmation`.
    pub step: String,
    pub status: String,
    pub at: Option<String>,
    /// Seconds from the event's effective time to this link's evidence (negative: before).
    pub after_event_secs: Option<i64>,
    pub note: String,
    pub evidence: Vec<EvidenceRef>,
}

/// A ledger entry a link rests on, as the ledger has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRef {
    pub seq: u64,
    pub kind: String,
    pub recorded_at: String,
    pub entry_hash: String,
}

/// The encoding of one system's chain in the projection's `links` column.
#[derive(Serialize, Deserialize)]
struct StoredSystem {
    system: String,
    direction: String,
    account: Option<String>,
    deadline: Option<String>,
    sla_secs: Option<i64>,
    status: String,
    links: Vec<StoredLink>,
}

#[derive(Serialize, Deserialize)]
struct StoredLink {
    step: String,
    status: String,
    at: Option<String>,
    after_event_secs: Option<i64>,
    note: String,
    evidence: Vec<u64>,
}

fn time(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn worst<'a>(statuses: impl IntoIterator<Item = &'a LinkStatus>) -> LinkStatus {
    statuses
        .into_iter()
        .copied()
        .max_by_key(|s| rank(*s))
        .unwrap_or(LinkStatus::Complete)
}

fn system_status(s: &SystemChain) -> LinkStatus {
    worst([
        &s.decision.status,
        &s.execution.status,
        &s.confirmation.status,
    ])
}

/// The projection row of one chain: what the analysis decided, flattened for SQL.
pub fn chain_row(chain: &EventChain) -> anyhow::Result<EventChainRow> {
    let effective = chain.effective_at;
    let stored_link = |step: &str, l: &Link| StoredLink {
        step: step.to_owned(),
        status: l.status.as_str().to_owned(),
        at: l.at.map(time),
        after_event_secs: l.at.map(|t| (t - effective).num_seconds()),
        note: l.note.to_owned(),
        evidence: l.evidence.clone(),
    };
    let stored: Vec<StoredSystem> = chain
        .systems
        .iter()
        .map(|s| StoredSystem {
            system: s.system.as_str().to_owned(),
            direction: match s.direction {
                Direction::Grant => "grant",
                Direction::Revoke => "revoke",
            }
            .to_owned(),
            account: s.account.clone(),
            deadline: s.deadline.map(time),
            sla_secs: s.deadline.map(|d| (d - effective).num_seconds()),
            status: system_status(s).as_str().to_owned(),
            links: vec![
                stored_link("decision", &s.decision),
                stored_link("execution", &s.execution),
                stored_link("confirmation", &s.confirmation),
            ],
        })
        .collect();
    // A mover reaches a system twice (grant the new, revoke the old): the system filter lists
    // it once, with the worse of the two.
    let mut systems: Vec<(String, LinkStatus)> = Vec::new();
    for s in &chain.systems {
        let status = system_status(s);
        match systems
            .iter_mut()
            .find(|(name, _)| name == s.system.as_str())
        {
            Some((_, seen)) if rank(status) > rank(*seen) => *seen = status,
            Some(_) => {}
            None => systems.push((s.system.as_str().to_owned(), status)),
        }
    }
    let status = worst(systems.iter().map(|(_, s)| s));
    Ok(EventChainRow {
        event_seq: chain.seq,
        event_id: chain.event_id.clone(),
        identity: chain.identity.as_str().to_owned(),
        identity_kind: if chain.identity_kind.is_human() {
            IdentityClass::Human
        } else {
            IdentityClass::Nhi
        }
        .as_str()
        .to_owned(),
        event_kind: chain.event_type.as_str().to_owned(),
        effective_at: time(effective),
        status: status.as_str().to_owned(),
        systems: systems
            .into_iter()
            .map(|(name, s)| (name, s.as_str().to_owned()))
            .collect(),
        links: serde_json::to_string(&stored).context("encoding an event chain")?,
    })
}

/// Replaces the workspace's projection with `chains`, the chains of the recorded run
/// `run_seq`, in their order. The analysis calls this after recording a run; the benchmark
/// calls it with synthesized chains. Returns how many events were written.
pub async fn write_event_chains<C: Borrow<EventChain>>(
    ws: &Workspace,
    run_seq: u64,
    chains: impl IntoIterator<Item = C>,
) -> anyhow::Result<u64> {
    let mut writer = ws.event_chain_writer(run_seq)?;
    for chain in chains {
        if let Err(e) = writer.push(chain_row(chain.borrow())?).await {
            // The writer's own error says why it stopped.
            return Err(writer.finish().await.err().map_or(e.into(), Into::into));
        }
    }
    Ok(writer.finish().await?)
}

/// [`write_event_chains`] on a workspace file.
pub async fn write_event_chains_at<C: Borrow<EventChain>>(
    workspace: &Path,
    run_seq: u64,
    chains: impl IntoIterator<Item = C>,
) -> anyhow::Result<u64> {
    let ws = open_write(workspace).await?;
    let result = write_event_chains(&ws, run_seq, chains).await;
    ws.close().await;
    result
}

/// The run the Events table shows, or `None` before the first recorded analysis.
pub async fn events_run(workspace: &Path) -> anyhow::Result<Option<EventsRun>> {
    let ws = open_read(workspace).await?;
    let result = async {
        let Some(run) = ws.event_chain_run().await? else {
            return Ok(None);
        };
        let (systems, statuses) = ws.event_chain_facets().await?;
        Ok::<_, anyhow::Error>(Some(EventsRun {
            run_seq: run.run_seq,
            events: run.events,
            systems,
            statuses,
        }))
    }
    .await;
    ws.close().await;
    result
}

fn store_filter(filter: &EventFilter) -> Result<EventChainFilter, AppError> {
    if let Some(kind) = &filter.kind
        && !EVENT_KINDS.contains(&kind.as_str())
    {
        return Err(AppError::InvalidInput(format!(
            "unknown event kind {kind:?} (one of {})",
            EVENT_KINDS.join(", ")
        )));
    }
    if let Some(status) = &filter.status
        && !STATUS_ORDER.iter().any(|s| s.as_str() == status)
    {
        return Err(AppError::InvalidInput(format!(
            "unknown link status {status:?} (one of {})",
            STATUS_ORDER.map(LinkStatus::as_str).join(", ")
        )));
    }
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    Ok(EventChainFilter {
        event_kind: filter.kind.clone(),
        identity_kind: filter.identity_class.map(|c| c.as_str().to_owned()),
        system: text(&filter.system),
        status: filter.status.clone(),
        identity_prefix: text(&filter.identity),
    })
}

/// A page of the Events table from the projection, and the total under the filter.
pub async fn list_events(
    workspace: &Path,
    filter: &EventFilter,
    page: PageRequest,
) -> anyhow::Result<EventPage> {
    if page.limit == 0 || page.limit > MAX_PAGE {
        return Err(AppError::InvalidInput(format!(
            "a page holds 1 to {MAX_PAGE} events, not {}",
            page.limit
        ))
        .into());
    }
    let filter = store_filter(filter)?;
    let ws = open_read(workspace).await?;
    let result = async {
        let (rows, count) = ws
            .event_chain_page(&filter, page.offset, page.limit)
            .await?;
        Ok::<_, anyhow::Error>(EventPage {
            rows,
            total: count.events,
            total_capped: count.capped,
        })
    }
    .await;
    ws.close().await;
    result.context("reading the events")
}

/// One event's chain per system from the projection, each link with the ledger entries
/// (seq, kind, entry hash) it rests on, read from the ledger itself.
pub async fn event_chain(workspace: &Path, event_seq: u64) -> anyhow::Result<EventChainDetail> {
    let ws = open_read(workspace).await?;
    let result = async {
        let run = ws.event_chain_run().await?.ok_or_else(|| {
            AppError::InvalidInput("no analysis recorded yet: run the analysis first".into())
        })?;
        let (event, links) = ws.event_chain(event_seq).await?.ok_or_else(|| {
            AppError::InvalidInput(format!(
                "entry {event_seq} is not an event of the last analysis (run {})",
                run.run_seq
            ))
        })?;
        let stored: Vec<StoredSystem> = serde_json::from_str(&links).with_context(|| {
            format!("the projection of entry {event_seq} is unreadable; run the analysis again")
        })?;
        let seqs: Vec<u64> = stored
            .iter()
            .flat_map(|s| s.links.iter().flat_map(|l| l.evidence.iter().copied()))
            .collect();
        let refs = ws.entry_refs(&seqs).await?;
        let evidence_of = |seqs: &[u64]| -> Vec<EvidenceRef> {
            seqs.iter()
                .filter_map(|seq| refs.iter().find(|r| r.seq == *seq))
                .map(|r| EvidenceRef {
                    seq: r.seq,
                    kind: r.kind.clone(),
                    recorded_at: r.recorded_at.clone(),
                    entry_hash: r.entry_hash.to_hex(),
                })
                .collect()
        };
        let systems = stored
            .into_iter()
            .map(|s| SystemChainDetail {
                links: s
                    .links
                    .into_iter()
                    .map(|l| LinkDetail {
                        evidence: evidence_of(&l.evidence),
                        step: l.step,
                        status: l.status,
                        at: l.at,
                        after_event_secs: l.after_event_secs,
                        note: l.note,
                    })
                    .collect(),
                system: s.system,
                direction: s.direction,
                account: s.account,
                deadline: s.deadline,
                sla_secs: s.sla_secs,
                status: s.status,
            })
            .collect();
        Ok::<_, anyhow::Error>(EventChainDetail {
            run_seq: run.run_seq,
            event,
            systems,
        })
    }
    .await;
    ws.close().await;
    result
}
