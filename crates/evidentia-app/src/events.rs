//! The Events table over a million events: each recorded analysis writes its evidence chains to
//! the store's projection (a rebuildable cache beside the ledger), and pages, filters and chain
//! details are read back from SQLite instead of re-running the checks or holding rows in memory.

use std::borrow::Borrow;
use std::collections::HashMap;

use anyhow::Context as _;
use chrono::{DateTime, SecondsFormat, Utc};
use evidentia_domain::Timestamp;
use evidentia_rules::{Direction, EventChain, LinkStatus, SystemChain};
use evidentia_store::{EventChainFilter, EventChainRow, EventChainSummary, Workspace};

use crate::Location;
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
    /// The cited row when the entry is a set (1-based); 0 for a whole one-record entry.
    pub row: u32,
    pub kind: String,
    pub recorded_at: String,
    pub entry_hash: String,
}

/// The chain's steps, in the order every system shows (and the encoding stores) them.
const STEPS: [&str; 3] = ["decision", "execution", "confirmation"];

/// The first byte of every encoded `links` value: the encoding's version. Version 1 stored
/// each link's entries; version 2, written since executions are stored in sets, stores each
/// citation (entry and row). Both are read, a version-1 entry as row 0 (the whole entry).
const LINKS_V1: u8 = 1;
const LINKS_V2: u8 = 2;

// Flags of a system, in the low bits of its system term's number.
const REVOKE: u64 = 1;
const HAS_ACCOUNT: u64 = 2;
const HAS_DEADLINE: u64 = 4;
const SYSTEM_FLAGS: u32 = 3;
// A link's status code (0-5) and whether it has a time, in the low bits of its note's number.
const HAS_AT: u64 = 8;
const LINK_FLAGS: u32 = 4;
// The low bits of a time's first number: how the rest of it is written.
const WHOLE_MINUTES: u64 = 0;
const WHOLE_SECONDS: u64 = 1;
const WITH_FRACTION: u64 = 2;

/// Numbers the texts links share (system ids, note templates) in order of first use across
/// one run; each event's row carries the texts it numbered first, so the store can keep them
/// once in its terms table.
#[derive(Debug, Default)]
struct Terms {
    ids: HashMap<String, u64>,
}

impl Terms {
    fn id(&mut self, text: &str, new: &mut Vec<String>) -> u64 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = self.ids.len() as u64;
        self.ids.insert(text.to_owned(), id);
        new.push(text.to_owned());
        id
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v & 0x7f) as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Zigzag: small negative and positive numbers both take few bytes.
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn put_signed(out: &mut Vec<u8>, v: i64) {
    put_varint(out, zigzag(v));
}

/// A time as the chain detail shows it, relative to the event: the whole seconds from the event
/// (what `after_event_secs` and `sla_secs` show, truncated as `num_seconds` truncates) and how
/// far the shown second (the time floored to the second) is from the event's shown second plus
/// those, which is 0 unless a time has a fraction of a second. Times a whole number of minutes
/// from the event (SLAs, most scheduled work) are written in minutes, one byte shorter.
fn put_time(out: &mut Vec<u8>, t: Timestamp, effective: Timestamp) {
    let secs = (t - effective).num_seconds();
    let fraction = t.timestamp() - effective.timestamp() - secs;
    // Only if the shifted number cannot overflow: beyond ±2^60 seconds no time is real, but
    // the encoding must still round-trip whatever the engine hands it.
    let fits = |v: i64| zigzag(v) < 1 << 61;
    if fraction == 0 && secs % 60 == 0 && fits(secs / 60) {
        put_varint(out, zigzag(secs / 60) << 2 | WHOLE_MINUTES);
    } else if fraction == 0 && fits(secs) {
        put_varint(out, zigzag(secs) << 2 | WHOLE_SECONDS);
    } else {
        put_varint(out, WITH_FRACTION);
        put_signed(out, secs);
        put_signed(out, fraction);
    }
}

/// Writes `text` as the length of what it shares with the start of `base`, then the rest: an
/// account usually starts with the identity it belongs to (`jdoe`, `jdoe@corp.example`).
fn put_text_after(out: &mut Vec<u8>, text: &str, base: &str) {
    let shared = text
        .char_indices()
        .zip(base.chars())
        .take_while(|((_, a), b)| a == b)
        .last()
        .map_or(0, |((i, c), _)| i + c.len_utf8());
    put_varint(out, shared as u64);
    put_varint(out, (text.len() - shared) as u64);
    out.extend_from_slice(&text.as_bytes()[shared..]);
}

fn status_code(status: LinkStatus) -> u8 {
    rank(status) as u8
}

/// One event's links in the projection's encoding (docs/ledger-format.md, "Event-chain links").
fn encode_links(chain: &EventChain, terms: &mut Terms, new_terms: &mut Vec<String>) -> Vec<u8> {
    let effective = chain.effective_at;
    let mut out = Vec::with_capacity(16 + 48 * chain.systems.len());
    out.push(LINKS_V2);
    put_varint(&mut out, chain.systems.len() as u64);
    for s in &chain.systems {
        let mut flags = 0;
        if s.direction == Direction::Revoke {
            flags |= REVOKE;
        }
        if s.account.is_some() {
            flags |= HAS_ACCOUNT;
        }
        if s.deadline.is_some() {
            flags |= HAS_DEADLINE;
        }
        put_varint(
            &mut out,
            terms.id(s.system.as_str(), new_terms) << SYSTEM_FLAGS | flags,
        );
        if let Some(account) = &s.account {
            put_text_after(&mut out, account, chain.identity.as_str());
        }
        if let Some(deadline) = s.deadline {
            put_time(&mut out, deadline, effective);
        }
        // The system's status is the worst of its links': read back, not stored.
        for link in [&s.decision, &s.execution, &s.confirmation] {
            let at = if link.at.is_some() { HAS_AT } else { 0 };
            let head = u64::from(status_code(link.status)) | at;
            put_varint(
                &mut out,
                terms.id(link.note, new_terms) << LINK_FLAGS | head,
            );
            if let Some(at) = link.at {
                put_time(&mut out, at, effective);
            }
            // Each citation once, in the order the link first cites it: a removal in a set of
            // executions is one row of it (docs/ledger-format.md, "Evidence citations").
            let cites = link_cites(&link.evidence);
            put_varint(&mut out, cites.len() as u64);
            // Each seq as its distance from the one before (the first from the event's own):
            // a link's entries usually sit close together; then the row (0: whole entry).
            let mut previous = chain.seq;
            for cite in &cites {
                put_signed(&mut out, cite.seq.wrapping_sub(previous) as i64);
                put_varint(&mut out, u64::from(cite.row));
                previous = cite.seq;
            }
        }
    }
    out
}

/// A link's citations, each once, in the order first cited.
fn link_cites(cites: &[evidentia_rules::Cite]) -> Vec<evidentia_rules::Cite> {
    let mut once: Vec<evidentia_rules::Cite> = Vec::with_capacity(cites.len());
    for cite in cites {
        if !once.contains(cite) {
            once.push(*cite);
        }
    }
    once
}

/// Reads the encoding back; every malformation is an error naming what was wrong.
struct LinksReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl LinksReader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| format!("it ends early (at byte {})", self.at))?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(format!("a number at byte {} is too long", self.at))
    }

    fn signed(&mut self) -> Result<i64, String> {
        let v = self.varint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    fn count(&mut self, what: &str) -> Result<usize, String> {
        let n = self.varint()?;
        // Every item takes at least one byte, so more than the bytes left is corruption.
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.bytes.len() - self.at)
            .ok_or_else(|| format!("{n} {what} at byte {} cannot fit", self.at))
    }

    /// A text written by `put_text_after`.
    fn text_after(&mut self, base: &str) -> Result<String, String> {
        let shared = self.varint()?;
        let start = usize::try_from(shared)
            .ok()
            .and_then(|n| base.get(..n))
            .ok_or_else(|| format!("a text at byte {} shares more than there is", self.at))?;
        let len = self.count("bytes of text")?;
        let rest = std::str::from_utf8(&self.bytes[self.at..self.at + len])
            .map_err(|e| format!("a text at byte {} is not UTF-8: {e}", self.at))?;
        self.at += len;
        Ok(format!("{start}{rest}"))
    }

    fn status(&mut self, code: u8) -> Result<String, String> {
        STATUS_ORDER
            .get(usize::from(code))
            .map(|s| s.as_str().to_owned())
            .ok_or_else(|| format!("unknown status code {code} at byte {}", self.at))
    }

    /// A time written by `put_time`: (shown time, seconds from the event).
    fn time(&mut self, effective: i64) -> Result<(String, i64), String> {
        let head = self.varint()?;
        let unzigzag = |v: u64| ((v >> 1) as i64) ^ -((v & 1) as i64);
        let (secs, fraction) = match head & 3 {
            WHOLE_MINUTES => (unzigzag(head >> 2).saturating_mul(60), 0),
            WHOLE_SECONDS => (unzigzag(head >> 2), 0),
            WITH_FRACTION if head == WITH_FRACTION => (self.signed()?, self.signed()?),
            _ => return Err(format!("unknown time form {head} at byte {}", self.at)),
        };
        let shown = effective
            .checked_add(secs)
            .and_then(|t| t.checked_add(fraction))
            .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
            .ok_or_else(|| format!("a time at byte {} is out of range", self.at))?;
        Ok((time(shown), secs))
    }
}

/// A decoded system before its evidence is looked up: links carry ledger seqs.
struct DecodedSystem {
    system: u64,
    direction: &'static str,
    account: Option<String>,
    deadline: Option<(String, i64)>,
    status: String,
    links: Vec<DecodedLink>,
}

struct DecodedLink {
    status: String,
    /// The shown time and the seconds from the event.
    at: Option<(String, i64)>,
    note: u64,
    /// (entry, row) citations; row 0 is a whole entry.
    evidence: Vec<(u64, u32)>,
}

/// The events's links from the encoding: `effective_at` and `event_seq` are the row's own.
fn decode_links(
    bytes: &[u8],
    effective_at: &str,
    identity: &str,
    event_seq: u64,
) -> Result<Vec<DecodedSystem>, String> {
    let effective = DateTime::parse_from_rfc3339(effective_at)
        .map_err(|e| format!("its effective time {effective_at:?} is unreadable: {e}"))?
        .timestamp();
    let mut r = LinksReader { bytes, at: 0 };
    let version = r.byte()?;
    if version != LINKS_V1 && version != LINKS_V2 {
        return Err(format!("unknown encoding version {version}"));
    }
    let systems = r.count("systems")?;
    let mut decoded = Vec::with_capacity(systems);
    for _ in 0..systems {
        let head = r.varint()?;
        let flags = head & ((1 << SYSTEM_FLAGS) - 1);
        let account = if flags & HAS_ACCOUNT != 0 {
            Some(r.text_after(identity)?)
        } else {
            None
        };
        let deadline = if flags & HAS_DEADLINE != 0 {
            Some(r.time(effective)?)
        } else {
            None
        };
        let mut links = Vec::with_capacity(STEPS.len());
        let mut worst_code = 0;
        for _ in STEPS {
            let head = r.varint()?;
            let code = (head & 7) as u8;
            let status = r.status(code)?;
            worst_code = worst_code.max(code);
            let at = if head & HAS_AT != 0 {
                Some(r.time(effective)?)
            } else {
                None
            };
            let n = r.count("evidence entries")?;
            let mut evidence = Vec::with_capacity(n);
            let mut previous = event_seq;
            for _ in 0..n {
                previous = previous.wrapping_add(r.signed()? as u64);
                let row = if version == LINKS_V1 {
                    0
                } else {
                    let row = r.varint()?;
                    u32::try_from(row)
                        .map_err(|_| format!("row {row} at byte {} is too large", r.at))?
                };
                evidence.push((previous, row));
            }
            links.push(DecodedLink {
                status,
                at,
                note: head >> LINK_FLAGS,
                evidence,
            });
        }
        let status = r.status(worst_code)?;
        decoded.push(DecodedSystem {
            system: head >> SYSTEM_FLAGS,
            direction: if flags & REVOKE != 0 {
                "revoke"
            } else {
                "grant"
            },
            account,
            deadline,
            status,
            links,
        });
    }
    if r.at != bytes.len() {
        return Err(format!("{} bytes left over", bytes.len() - r.at));
    }
    Ok(decoded)
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

/// The projection row of one chain: what the analysis decided, flattened for SQL, its links
/// encoded with `terms` numbering the texts they share.
fn chain_row(chain: &EventChain, terms: &mut Terms) -> EventChainRow {
    let effective = chain.effective_at;
    let mut new_terms = Vec::new();
    let links = encode_links(chain, terms, &mut new_terms);
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
    EventChainRow {
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
        links,
        new_terms,
    }
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
    let mut terms = Terms::default();
    for chain in chains {
        if let Err(e) = writer.push(chain_row(chain.borrow(), &mut terms)).await {
            // The writer's own error says why it stopped.
            return Err(writer.finish().await.err().map_or(e.into(), Into::into));
        }
    }
    Ok(writer.finish().await?)
}

/// [`write_event_chains`] on a workspace file.
pub async fn write_event_chains_at<C: Borrow<EventChain>>(
    workspace: &Location,
    run_seq: u64,
    chains: impl IntoIterator<Item = C>,
) -> anyhow::Result<u64> {
    let ws = open_write(workspace).await?;
    let result = write_event_chains(&ws, run_seq, chains).await;
    ws.close().await;
    result
}

/// The run the Events table shows, or `None` before the first recorded analysis.
///
/// On a team workspace the projection is this client's local cache: when it does not hold the
/// latest recorded run (another auditor recorded it, or this machine never had it), that run is
/// judged again as recorded and cached first, so every client pages the same run.
pub async fn events_run(workspace: &Location) -> anyhow::Result<Option<EventsRun>> {
    if workspace.is_server() {
        let cached = {
            let ws = open_read(workspace).await?;
            let run = ws.event_chain_run().await;
            ws.close().await;
            run?.map(|r| r.run_seq)
        };
        if let Some((run_seq, chains)) =
            crate::analysis::chains_of_latest_run(workspace, cached, chrono::Utc::now()).await?
        {
            let ws = open_read(workspace).await?;
            let written = write_event_chains(&ws, run_seq, &chains).await;
            ws.close().await;
            written.context("caching the event chains of the recorded analysis")?;
        }
    }
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
    workspace: &Location,
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
pub async fn event_chain(workspace: &Location, event_seq: u64) -> anyhow::Result<EventChainDetail> {
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
        let unreadable = |why: String| {
            anyhow::anyhow!(
                "the projection of entry {event_seq} is unreadable ({why}); run the analysis again"
            )
        };
        let decoded = decode_links(
            &links,
            &event.effective_at,
            &event.identity,
            event.event_seq,
        )
        .map_err(unreadable)?;
        let seqs: Vec<u64> = decoded
            .iter()
            .flat_map(|s| s.links.iter().flat_map(|l| l.evidence.iter().map(|c| c.0)))
            .collect();
        let refs = ws.entry_refs(&seqs).await?;
        let term_ids: Vec<u64> = decoded
            .iter()
            .flat_map(|s| std::iter::once(s.system).chain(s.links.iter().map(|l| l.note)))
            .collect();
        let texts = ws.event_chain_terms(&term_ids).await?;
        let term = |id: u64| {
            texts
                .get(&id)
                .cloned()
                .ok_or_else(|| unreadable(format!("it names term {id}, which the run lacks")))
        };
        let evidence_of = |cites: &[(u64, u32)]| evidence_refs(cites, &refs);
        let mut systems = Vec::with_capacity(decoded.len());
        for s in decoded {
            let mut links = Vec::with_capacity(s.links.len());
            for (step, l) in STEPS.iter().zip(s.links) {
                links.push(LinkDetail {
                    step: (*step).to_owned(),
                    status: l.status,
                    after_event_secs: l.at.as_ref().map(|(_, secs)| *secs),
                    at: l.at.map(|(shown, _)| shown),
                    note: term(l.note)?,
                    evidence: evidence_of(&l.evidence),
                });
            }
            systems.push(SystemChainDetail {
                system: term(s.system)?,
                direction: s.direction.to_owned(),
                account: s.account,
                sla_secs: s.deadline.as_ref().map(|(_, secs)| *secs),
                deadline: s.deadline.map(|(shown, _)| shown),
                status: s.status,
                links,
            });
        }
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

/// The cited entries (and rows) among `refs` (the ledger's kind, time and hash of each), in the
/// order cited; a seq the ledger lacks is left out.
fn evidence_refs(cites: &[(u64, u32)], refs: &[evidentia_store::EntryRef]) -> Vec<EvidenceRef> {
    cites
        .iter()
        .filter_map(|&(seq, row)| refs.iter().find(|r| r.seq == seq).map(|r| (r, row)))
        .map(|(r, row)| EvidenceRef {
            seq: r.seq,
            row,
            kind: r.kind.clone(),
            recorded_at: r.recorded_at.clone(),
            entry_hash: r.entry_hash.to_hex(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

    use chrono::{TimeDelta, TimeZone};
    use evidentia_domain::{IdentityId, IdentityKind, LifecycleEventType, SystemId};
    use evidentia_store::{Access, EvidenceStore};

    use evidentia_rules::Link;

    use super::*;

    fn at(h: u32, m: u32, s: u32, ms: i64) -> Timestamp {
        Utc.with_ymd_and_hms(2026, 3, 1, h, m, s).single().unwrap() + TimeDelta::milliseconds(ms)
    }

    fn link(
        status: LinkStatus,
        at: Option<Timestamp>,
        evidence: &[u64],
        note: &'static str,
    ) -> Link {
        Link {
            status,
            at,
            evidence: evidence
                .iter()
                .copied()
                .map(evidentia_rules::Cite::entry)
                .collect(),
            note,
        }
    }

    /// Two events whose links use every status, both directions, missing evidence and times,
    /// non-ASCII notes and accounts, times with fractions of a second before and after the
    /// event, evidence out of order and one seq the ledger does not hold.
    fn chains() -> Vec<EventChain> {
        let effective = at(9, 0, 0, 750);
        let mover = EventChain {
            seq: 40,
            row: 0,
            event_id: "EV-ÅSA-1".into(),
            identity: IdentityId::new("åsa.lindström"),
            identity_kind: IdentityKind::Employee,
            event_type: LifecycleEventType::Mover,
            effective_at: effective,
            systems: vec![
                SystemChain {
                    system: SystemId::new("okta"),
                    direction: Direction::Grant,
                    account: Some("åsa.lindström@例え.jp".into()),
                    deadline: Some(effective + TimeDelta::milliseconds(86_400_500)),
                    decision: link(
                        LinkStatus::Complete,
                        Some(at(8, 59, 59, 900)),
                        &[3, 1],
                        "approved — by the manager ✓",
                    ),
                    execution: link(
                        LinkStatus::Late,
                        Some(at(9, 0, 0, 550) + TimeDelta::hours(30)),
                        &[4],
                        "exécuté après le délai",
                    ),
                    confirmation: link(
                        LinkStatus::Unconfirmed,
                        Some(at(9, 0, 0, 0) + TimeDelta::days(2)),
                        &[5, 6],
                        "ticket closed; no reconciliation (確認なし)",
                    ),
                },
                SystemChain {
                    system: SystemId::new("aws"),
                    direction: Direction::Revoke,
                    account: None,
                    deadline: None,
                    decision: link(LinkStatus::Missing, None, &[], "no approval found"),
                    execution: link(
                        LinkStatus::Failed,
                        Some(at(7, 0, 0, 0)),
                        &[7, 99_999, 2],
                        "the system reports the change failed",
                    ),
                    confirmation: link(
                        LinkStatus::Contradicted,
                        Some(at(9, 0, 0, 750) + TimeDelta::days(20)),
                        &[8],
                        "a later reconciliation shows the access — still there",
                    ),
                },
                SystemChain {
                    system: SystemId::new("okta"),
                    direction: Direction::Revoke,
                    account: Some(String::new()),
                    deadline: Some(effective - TimeDelta::seconds(5)),
                    decision: link(
                        LinkStatus::Complete,
                        Some(effective),
                        &[1],
                        "approved — by the manager ✓",
                    ),
                    execution: link(LinkStatus::Complete, None, &[], "no approval found"),
                    confirmation: link(LinkStatus::Missing, None, &[], "no approval found"),
                },
            ],
        };
        let service = EventChain {
            seq: 41,
            row: 0,
            event_id: "EV-2".into(),
            identity: IdentityId::new("svc-backup"),
            identity_kind: IdentityKind::ServiceAccount,
            event_type: LifecycleEventType::NhiRetired,
            effective_at: at(12, 0, 0, 0),
            systems: vec![SystemChain {
                system: SystemId::new("k8s"),
                direction: Direction::Revoke,
                account: Some("system:serviceaccount:backup".into()),
                deadline: Some(at(13, 0, 0, 0)),
                decision: link(LinkStatus::Complete, Some(at(11, 0, 0, 0)), &[2], "owner ✓"),
                execution: link(
                    LinkStatus::Complete,
                    Some(at(12, 30, 0, 0)),
                    &[8, 7, 6],
                    "exécuté après le délai",
                ),
                confirmation: link(
                    LinkStatus::Late,
                    Some(at(23, 59, 59, 999)),
                    &[5],
                    "reconciled «late»",
                ),
            }],
        };
        vec![mover, service]
    }

    /// What the chain detail showed when each link was stored as JSON text: the engine's chain
    /// read field by field, with evidence as the ledger has it.
    fn shown_before(
        chain: &EventChain,
        refs: &[evidentia_store::EntryRef],
    ) -> Vec<SystemChainDetail> {
        let effective = chain.effective_at;
        let evidence = |cites: &[(u64, u32)]| evidence_refs(cites, refs);
        chain
            .systems
            .iter()
            .map(|s| SystemChainDetail {
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
                links: [
                    ("decision", &s.decision),
                    ("execution", &s.execution),
                    ("confirmation", &s.confirmation),
                ]
                .into_iter()
                .map(|(step, l)| LinkDetail {
                    step: step.to_owned(),
                    status: l.status.as_str().to_owned(),
                    at: l.at.map(time),
                    after_event_secs: l.at.map(|t| (t - effective).num_seconds()),
                    note: l.note.to_owned(),
                    evidence: evidence(
                        &link_cites(&l.evidence)
                            .iter()
                            .map(|c| (c.seq, c.row))
                            .collect::<Vec<_>>(),
                    ),
                })
                .collect(),
            })
            .collect()
    }

    async fn workspace(dir: &std::path::Path) -> Location {
        let path = Location::from(dir.join("events.evidentia"));
        crate::init_workspace(&path, at(0, 0, 0, 0)).await.unwrap();
        let ws = Workspace::open(&path, Access::ReadWrite).await.unwrap();
        let mut batch = ws.begin().await.unwrap();
        for i in 0..10 {
            let payload = format!("{{\"n\":{i}}}").into_bytes();
            batch
                .append("record.execution", "2026-03-01T00:00:00.000000Z", payload)
                .await
                .unwrap();
        }
        batch.commit().await.unwrap();
        ws.close().await;
        path
    }

    #[tokio::test]
    async fn the_chain_detail_reads_back_exactly_what_the_engine_decided() {
        let dir = tempfile::tempdir().unwrap();
        let path = workspace(dir.path()).await;
        let mut chains = chains();
        // An execution found in a set of executions cites rows of it, once each.
        chains[0].systems[0].execution.evidence = vec![
            evidentia_rules::Cite::set_row(4, 1024),
            evidentia_rules::Cite::set_row(4, 2),
            evidentia_rules::Cite::set_row(4, 1024),
        ];
        assert_eq!(write_event_chains_at(&path, 11, &chains).await.unwrap(), 2);

        let ws = open_read(&path).await.unwrap();
        let refs = ws.entry_refs(&(1..=11).collect::<Vec<_>>()).await.unwrap();
        ws.close().await;
        assert_eq!(refs.len(), 11, "entry 1 and the ten appended");
        let mut statuses = Vec::new();
        for (position, chain) in chains.iter().enumerate() {
            let detail = event_chain(&path, chain.seq).await.unwrap();
            assert_eq!(detail.run_seq, 11);
            assert_eq!(detail.event.position, position as u64);
            assert_eq!(detail.event.event_id, chain.event_id);
            assert_eq!(detail.event.effective_at, time(chain.effective_at));
            assert_eq!(detail.systems, shown_before(chain, &refs));
            if position == 0 {
                let rows: Vec<(u64, u32)> = detail.systems[0].links[1]
                    .evidence
                    .iter()
                    .map(|e| (e.seq, e.row))
                    .collect();
                assert_eq!(rows, [(4, 1024), (4, 2)]);
            }
            statuses.extend(
                detail
                    .systems
                    .iter()
                    .flat_map(|s| s.links.iter().map(|l| l.status.clone())),
            );
        }
        for status in STATUS_ORDER {
            assert!(
                statuses.iter().any(|s| s == status.as_str()),
                "{status:?} covered"
            );
        }
        // Shared texts are stored once: three systems and eight distinct notes.
        let ws = open_read(&path).await.unwrap();
        let terms = ws
            .event_chain_terms(&(0..100).collect::<Vec<_>>())
            .await
            .unwrap();
        ws.close().await;
        assert_eq!(terms.len(), 3 + 8, "{terms:?}");
    }

    /// A projection written before rows were stored (version 1) still reads: each entry as a
    /// whole (row 0) until the next analysis writes version 2.
    #[test]
    fn a_version_1_projection_reads_its_entries_as_whole_entries() {
        // One grant system (term 0, no account, no deadline); the decision cites the entry
        // two after the event's (zigzag 2 = 4), the other links nothing.
        let v1 = [LINKS_V1, 1, 0, 0, 1, 4, 0, 0, 0, 0];
        let decoded = decode_links(&v1, "2026-03-01T09:00:00Z", "jdoe", 10).unwrap();
        assert_eq!(decoded.len(), 1);
        assert_eq!(decoded[0].links[0].evidence, [(12, 0)]);
        assert!(decoded[0].links[1].evidence.is_empty());
    }

    #[test]
    fn a_damaged_encoding_is_an_error_not_a_panic() {
        let chain = &chains()[0];
        let mut terms = Terms::default();
        let mut new_terms = Vec::new();
        let bytes = encode_links(chain, &mut terms, &mut new_terms);
        let effective = time(chain.effective_at);
        assert!(decode_links(&bytes, &effective, chain.identity.as_str(), chain.seq).is_ok());
        for cut in 0..bytes.len() {
            let err = decode_links(
                &bytes[..cut],
                &effective,
                chain.identity.as_str(),
                chain.seq,
            )
            .err();
            assert!(err.is_some(), "a prefix of {cut} bytes decoded");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(
            decode_links(&extra, &effective, chain.identity.as_str(), chain.seq)
                .err()
                .unwrap(),
            "1 bytes left over"
        );
        let mut version = bytes.clone();
        version[0] = 9;
        assert!(decode_links(&version, &effective, chain.identity.as_str(), chain.seq).is_err());
        // Any byte changed to any value: an error or some decoding, never a panic.
        for i in 0..bytes.len() {
            for value in [0, 1, 7, 0x7f, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[i] = value;
                let _ = decode_links(&damaged, &effective, chain.identity.as_str(), chain.seq);
            }
        }
        let mut reader = LinksReader { bytes: &[], at: 0 };
        assert!(reader.status(6).is_err(), "six statuses: codes 0 to 5");
    }
}
