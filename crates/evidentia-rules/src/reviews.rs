//! Access reviews judged: each campaign's population drawn from the systems' own snapshots, its
//! decisions matched to it, and every revoke followed to the system's proof of removal
//! (docs/access-reviews.md; audit conventions 11, 15, 16).

use std::collections::{BTreeMap, BTreeSet};

use evidentia_domain::{
    CampaignId, Execution, IdentityId, Outcome, ProvisioningAction, ReviewCampaign, ReviewDecision,
    ReviewVerdict, SystemId, Tier, Timestamp,
};

use crate::authority::{ACCOUNT, item};
use crate::context::{FastMap, Folded};
use crate::metrics::Durations;
use crate::{Cite, Context, Stored};

/// One campaign as the evidence shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignReview {
    pub campaign: CampaignId,
    pub name: Option<String>,
    /// The `record.review_campaign` entry.
    pub seq: u64,
    /// Its row, when it came from a set entry (0 otherwise).
    pub row: u32,
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
    /// system), as their citations.
    pub outside_population: Vec<Cite>,
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
    /// row showing it held), in account order; `None` entitlement is the account itself.
    pub undecided: Vec<(String, Option<String>, Cite)>,
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
    /// The `record.review_decision` record.
    pub decision: Cite,
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
    /// The log's removal: its citation and time.
    pub removal: Option<(Cite, Timestamp)>,
    /// The first complete snapshot after the removal (or at or after the deadline): its
    /// moment, whether it still shows the item, and what says so (the row when held, else
    /// the snapshot's first entry as a whole).
    pub confirmation: Option<(Timestamp, bool, Cite)>,
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
    /// they were all keep. When some run of only keep decisions reaches
    /// `rubber_stamp_decisions`, this is the longest such run instead (the rubber stamp).
    pub fastest_burst: usize,
    pub fastest_burst_all_keep: bool,
    /// The decisions of that burst, ascending.
    pub burst_entries: Vec<Cite>,
}

/// A campaign judged: the published [`CampaignReview`] and what the checks need beyond it,
/// every decision of the campaign with its people resolved and its place in the population.
#[derive(Debug)]
pub(crate) struct Judged<'c> {
    pub review: CampaignReview,
    /// The close, when the campaign was closed before `as_of`.
    pub closed: Option<Timestamp>,
    /// The campaign's decisions: rows decided by its close (for an open campaign, before
    /// `as_of`) and rows never decided, in ledger order.
    pub decisions: Vec<Judgement<'c>>,
}

/// One decision row of a campaign, as the checks read it.
#[derive(Debug)]
pub(crate) struct Judgement<'c> {
    pub stored: &'c Stored<ReviewDecision>,
    /// The reviewer, as the identity the lifecycle source knows when the name resolves.
    pub reviewer: Option<&'c IdentityId>,
    /// The identity the account belongs to (correlation, or the snapshot's own verdict).
    pub account_owner: Option<IdentityId>,
    /// The decision's subject, resolved like the reviewer.
    pub subject: Option<&'c IdentityId>,
    /// For a delegated row, the reviewer it was handed to, resolved like the reviewer.
    pub delegate: Option<&'c IdentityId>,
    /// The reviewer the item was first assigned to, where the export names it.
    pub assigned: Option<&'c IdentityId>,
    /// What the system's snapshot at the start says of the item.
    pub place: Place,
    /// The account as that snapshot writes it, when it lists the account.
    pub held_account: Option<&'c str>,
    /// The moment of that snapshot.
    pub snapshot: Option<Timestamp>,
    /// This row is its item's effective decision.
    pub effective: bool,
    /// The policy's tiers call the item privileged.
    pub privileged: bool,
}

impl CampaignReview {
    /// The citation of the campaign's record.
    pub fn cite(&self) -> Cite {
        Cite::set_row(self.seq, self.row)
    }
}

impl Judgement<'_> {
    /// Whose access it is: the account's identity, else the decision's subject.
    pub fn holder(&self) -> Option<&IdentityId> {
        self.account_owner.as_ref().or(self.subject)
    }

    /// Whether `who` holds the item: the account's identity or the decision's subject.
    pub fn is_holder(&self, who: &IdentityId) -> bool {
        self.account_owner.as_ref() == Some(who) || self.subject == Some(who)
    }

    /// The snapshot row that held the item at the start, if it did.
    pub fn held_row(&self) -> Option<Cite> {
        match self.place {
            Place::Item { row } | Place::Held { row } => Some(row),
            Place::NotHeld | Place::Unknown => None,
        }
    }
}

/// What a system's snapshot at a campaign's start says of a decision's item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// An item of the population, and its row.
    Item { row: Cite },
    /// Held, but not an item: a credential, a deny entitlement, an account the correlation
    /// ignores, an entitlement outside the campaign's patterns, or a system outside its scope.
    Held { row: Cite },
    /// The snapshot did not hold it.
    NotHeld,
    /// The system had no complete snapshot at or before the start.
    Unknown,
}

/// An item as the engine keys it: account and entitlement folded (`None`: the account itself).
type ItemKey<'k> = (Folded<'k>, Option<Folded<'k>>);

/// The entitlement of a decision, row or execution as part of a key: `None` for the account
/// itself (no entitlement, or the word `account`).
pub(crate) fn entitlement_key(entitlement: Option<&str>) -> Option<Folded<'_>> {
    let it = item(entitlement);
    (!it.eq_ignore_ascii_case(ACCOUNT)).then(|| Folded::new(it))
}

/// Every campaign that started before `as_of` and was not closed before the period began, in
/// order of start, judged.
pub(crate) fn judge<'c>(ctx: &'c Context<'_>) -> Vec<Judged<'c>> {
    let evidence = ctx.evidence;
    if evidence.campaigns.is_empty() {
        return Vec::new();
    }
    // A campaign recorded twice (two exports carrying its columns) is its latest record.
    let mut latest: FastMap<&CampaignId, &Stored<ReviewCampaign>> = FastMap::default();
    for c in &evidence.campaigns {
        latest.insert(&c.record.id, c);
    }
    let mut rows_of: FastMap<&CampaignId, Vec<u32>> = FastMap::default();
    for (i, d) in evidence.decisions.iter().enumerate() {
        rows_of
            .entry(&d.record.campaign)
            .or_default()
            .push(i as u32);
    }
    let mut campaigns: Vec<&Stored<ReviewCampaign>> = latest
        .into_values()
        .filter(|c| {
            let c = &c.record;
            c.started_at < ctx.as_of && c.closed_at.is_none_or(|t| t >= ctx.period_start)
        })
        .collect();
    campaigns.sort_by(|a, b| {
        (a.record.started_at, &a.record.id, a.cite()).cmp(&(
            b.record.started_at,
            &b.record.id,
            b.cite(),
        ))
    });
    let mut classes = Classes::default();
    campaigns
        .into_iter()
        .map(|c| {
            let rows = rows_of.get(&c.record.id).map_or(&[][..], Vec::as_slice);
            judge_campaign(ctx, c, rows, &mut classes)
        })
        .collect()
}

/// What the policy says of each distinct entitlement name, asked once per name: a million
/// rows name a few thousand entitlements, and every policy glob lower-cases its candidate.
#[derive(Debug, Default)]
struct Classes<'a> {
    deny: FastMap<(&'a SystemId, &'a str), bool>,
    privileged: FastMap<(&'a SystemId, &'a str), bool>,
}

impl<'a> Classes<'a> {
    fn deny(&mut self, ctx: &Context<'_>, system: &'a SystemId, entitlement: &'a str) -> bool {
        *self
            .deny
            .entry((system, entitlement))
            .or_insert_with(|| ctx.is_deny(system, entitlement))
    }

    fn privileged(
        &mut self,
        ctx: &Context<'_>,
        system: &'a SystemId,
        entitlement: &'a str,
    ) -> bool {
        *self
            .privileged
            .entry((system, entitlement))
            .or_insert_with(|| ctx.policy.tiers.classify(system, entitlement) == Tier::Privileged)
    }
}

/// A campaign's entitlement patterns: `*` any run of characters, `?` one, ASCII case ignored.
#[derive(Debug)]
struct Scope<'a> {
    patterns: &'a [String],
    matched: FastMap<&'a str, bool>,
}

impl<'a> Scope<'a> {
    fn new(patterns: &'a [String]) -> Self {
        Scope {
            patterns,
            matched: FastMap::default(),
        }
    }

    /// Whether the campaign reviews every entitlement (and bare accounts as themselves).
    fn everything(&self) -> bool {
        self.patterns.is_empty()
    }

    fn covers(&mut self, entitlement: &'a str) -> bool {
        if self.patterns.is_empty() {
            return true;
        }
        let patterns = self.patterns;
        *self
            .matched
            .entry(entitlement)
            .or_insert_with(|| patterns.iter().any(|p| wildcard(p, entitlement)))
    }
}

/// Whether `name` matches `pattern` (`*` any run, possibly empty; `?` exactly one character;
/// everything else literal, ASCII case ignored; both trimmed). Greedy with one backtrack point,
/// so it is linear-ish in the name and cannot blow up on hostile input.
pub(crate) fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.trim().chars().collect();
    let n: Vec<char> = name.trim().chars().collect();
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while let Some(c) = n.get(j) {
        match p.get(i) {
            Some('*') => {
                star = Some((i, j));
                i += 1;
            }
            Some(q) if *q == '?' || q.eq_ignore_ascii_case(c) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((si, sj)) => {
                    star = Some((si, sj + 1));
                    i = si + 1;
                    j = sj + 1;
                }
                None => return false,
            },
        }
    }
    p.get(i..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// One system's snapshot at a campaign's start: every (account, item) it held, and which of
/// them the campaign reviews.
struct Population<'a> {
    /// Each account (folded) → its number below.
    numbers: FastMap<Folded<'a>, u32>,
    /// Per account number: its first row, and whether it holds an entitlement (not a
    /// credential, not a deny).
    accounts: Vec<(u32, bool)>,
    /// (account number, entitlement; `None` the account itself) → (row index, item number or
    /// [`NOT_AN_ITEM`]).
    held: FastMap<(u32, Option<Folded<'a>>), (u32, u32)>,
    /// The items, as row indexes.
    items: Vec<u32>,
}

const NOT_AN_ITEM: u32 = u32::MAX;

impl<'a> Population<'a> {
    /// Draws the population from the present rows of `system`'s snapshot at `at`; with
    /// `scope` `None` (the system is not in the campaign's scope) nothing is an item.
    fn draw(
        ctx: &Context<'a>,
        system: &'a SystemId,
        at: Timestamp,
        mut scope: Option<&mut Scope<'a>>,
        classes: &mut Classes<'a>,
    ) -> Population<'a> {
        let evidence = ctx.evidence;
        let rows = ctx.present_rows(system, at);
        // Per distinct entitlement name: (a deny entitlement, in the campaign's patterns).
        let mut kinds: FastMap<&'a str, (bool, bool)> = FastMap::default();
        let mut numbers: FastMap<Folded<'a>, u32> = FastMap::default();
        let mut accounts: Vec<(u32, bool)> = Vec::new();
        let mut held: FastMap<(u32, Option<Folded<'a>>), (u32, u32)> = FastMap::default();
        held.reserve(rows.len() + rows.len() / 8);
        let mut items = Vec::new();
        let number = |items: &mut Vec<u32>, reviewed: bool, row: u32| {
            if reviewed {
                items.push(row);
                (items.len() - 1) as u32
            } else {
                NOT_AN_ITEM
            }
        };
        // A listing's rows of one account are usually together: the last account is
        // compared before it is hashed.
        let mut last: Option<(Folded<'a>, u32)> = None;
        for &i in rows {
            let r = &evidence.reconciliations[i].record;
            let account = Folded::new(&r.account);
            let n = match last {
                Some((a, n)) if a == account => n,
                _ => {
                    let n = *numbers.entry(account).or_insert_with(|| {
                        accounts.push((i as u32, false));
                        (accounts.len() - 1) as u32
                    });
                    last = Some((account, n));
                    n
                }
            };
            let Some(e) = entitlement_key(r.entitlement.as_deref()) else {
                continue;
            };
            let (deny, scoped) = *kinds.entry(e.as_str()).or_insert_with(|| {
                (
                    classes.deny(ctx, system, e.as_str()),
                    scope.as_deref_mut().is_some_and(|s| s.covers(e.as_str())),
                )
            });
            if !r.credential
                && !deny
                && let Some(a) = accounts.get_mut(n as usize)
            {
                a.1 = true;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = held.entry((n, Some(e))) {
                let reviewed = scoped && !deny && !r.credential && !ctx.row_ignored(i);
                slot.insert((i as u32, number(&mut items, reviewed, i as u32)));
            }
        }
        // The account itself is held by any row of it, and cited by its first.
        let everything = scope.as_deref().is_some_and(Scope::everything);
        for (n, &(first, holds)) in accounts.iter().enumerate() {
            let reviewed = everything && !holds && !ctx.row_ignored(first as usize);
            held.insert(
                (n as u32, None),
                (first, number(&mut items, reviewed, first)),
            );
        }
        Population {
            numbers,
            accounts,
            held,
            items,
        }
    }

    /// The first row of an account, and what the snapshot says of one of its items.
    fn find(
        &self,
        account: Folded<'a>,
        entitlement: Option<Folded<'a>>,
    ) -> (Option<u32>, Option<(u32, u32)>) {
        let Some(&n) = self.numbers.get(&account) else {
            return (None, None);
        };
        let first = self.accounts.get(n as usize).map(|a| a.0);
        (first, self.held.get(&(n, entitlement)).copied())
    }
}

/// Judges one campaign: population per system, effective decisions, revokes and reviewers.
fn judge_campaign<'c>(
    ctx: &'c Context<'_>,
    campaign: &'c Stored<ReviewCampaign>,
    rows: &[u32],
    classes: &mut Classes<'c>,
) -> Judged<'c> {
    let evidence = ctx.evidence;
    let c = &campaign.record;
    let as_of = ctx.as_of;
    let closed = c.closed_at.filter(|t| *t < as_of);
    // Decisions count up to the close; an open campaign's, up to `as_of`.
    let counts = |t: Timestamp| closed.map_or(t < as_of, |end| t <= end);
    let mut rows: Vec<&'c Stored<ReviewDecision>> = rows
        .iter()
        .filter_map(|&i| evidence.decisions.get(i as usize))
        .filter(|d| d.record.decided_at.is_none_or(counts))
        .collect();
    // Ledger order, which the checks search by entry.
    rows.sort_by_key(|d| d.cite());
    let decided_at = |d: &ReviewDecision| d.decided_at.filter(|_| d.decision.decides());
    let scope_systems: BTreeSet<&'c SystemId> = if c.systems.is_empty() {
        rows.iter().map(|d| &d.record.system).collect()
    } else {
        c.systems.iter().collect()
    };
    let mut by_system: BTreeMap<&'c SystemId, Vec<u32>> = BTreeMap::new();
    for (k, d) in rows.iter().enumerate() {
        by_system
            .entry(&d.record.system)
            .or_default()
            .push(k as u32);
    }
    for s in &scope_systems {
        by_system.entry(s).or_default();
    }
    // People as the review tool names them, resolved once per spelling.
    let mut people: FastMap<&'c IdentityId, &'c IdentityId> = FastMap::default();
    let mut resolve = |name: Option<&'c IdentityId>| {
        name.map(|n| *people.entry(n).or_insert_with(|| ctx.person(n)))
    };
    let mut judgements: Vec<Judgement<'c>> = rows
        .iter()
        .map(|d| {
            let r = &d.record;
            Judgement {
                stored: d,
                reviewer: resolve(r.reviewer.as_ref()),
                account_owner: None,
                subject: resolve(r.subject.as_ref()),
                delegate: resolve(r.delegated_to.as_ref()),
                assigned: resolve(r.assigned_to.as_ref()),
                place: Place::Unknown,
                held_account: None,
                snapshot: None,
                effective: false,
                privileged: false,
            }
        })
        .collect();
    let mut scope = Scope::new(&c.entitlements);
    let mut systems = Vec::new();
    for (system, here) in by_system {
        let in_scope = scope_systems.contains(system);
        let snapshot = ctx.last_snapshot_before(system, c.started_at);
        let population = snapshot
            .map(|at| Population::draw(ctx, system, at, in_scope.then_some(&mut scope), classes));
        let items = population.as_ref().map_or(0, |p| p.items.len());
        // Each decision's item as a slot: the population's item number, or one of the items
        // decided but not in the population, numbered after them.
        let mut others: FastMap<ItemKey<'c>, u32> = FastMap::default();
        let mut slots: Vec<u32> = Vec::with_capacity(here.len());
        for &k in &here {
            let Some(j) = judgements.get_mut(k as usize) else {
                slots.push(u32::MAX);
                continue;
            };
            let d = &j.stored.record;
            j.snapshot = snapshot;
            let account = Folded::new(&d.account);
            let key = (account, entitlement_key(d.entitlement.as_deref()));
            let (owner_row, held) = population
                .as_ref()
                .map_or((None, None), |p| p.find(key.0, key.1));
            j.account_owner = match owner_row {
                Some(row) => ctx.row_owner(row as usize).cloned(),
                None => ctx.owner_of(system, &d.account),
            };
            j.held_account = owner_row
                .and_then(|row| evidence.reconciliations.get(row as usize))
                .map(|r| r.record.account.as_str());
            j.place = match (&population, held) {
                (None, _) => Place::Unknown,
                (Some(_), None) => Place::NotHeld,
                (Some(_), Some((row, number))) => {
                    let row = evidence.reconciliations[row as usize].cite();
                    if number == NOT_AN_ITEM {
                        Place::Held { row }
                    } else {
                        Place::Item { row }
                    }
                }
            };
            let slot = match held {
                Some((_, number)) if number != NOT_AN_ITEM => number,
                _ => {
                    let next = (items + others.len()) as u32;
                    *others.entry(key).or_insert(next)
                }
            };
            slots.push(slot);
        }
        // Each item's effective decision (the last keep, revoke or modify by time, then ledger
        // order) and the time of its first (for completion on time).
        let mut effective: Vec<Option<(u32, Timestamp)>> = vec![None; items + others.len()];
        for (&k, &slot) in here.iter().zip(&slots) {
            let (Some(d), Some(best)) = (rows.get(k as usize), effective.get_mut(slot as usize))
            else {
                continue;
            };
            let Some(t) = decided_at(&d.record) else {
                continue;
            };
            match best {
                None => *best = Some((k, t)),
                Some((current, first)) => {
                    let c = rows[*current as usize];
                    if (t, d.cite()) > (c.record.decided_at.unwrap_or(t), c.cite()) {
                        *current = k;
                    }
                    *first = (*first).min(t);
                }
            }
        }
        for (k, _) in effective.iter().flatten() {
            if let Some(j) = judgements.get_mut(*k as usize) {
                j.effective = true;
                let d = &j.stored.record;
                if let Some(e) = d.entitlement.as_deref()
                    && entitlement_key(Some(e)).is_some()
                {
                    j.privileged = classes.privileged(ctx, system, e);
                }
            }
        }
        if !in_scope {
            continue;
        }
        let mut review = SystemReview {
            system: system.clone(),
            snapshot: None,
            population: 0,
            decided: 0,
            decided_on_time: 0,
            keep: 0,
            revoke: 0,
            modify: 0,
            undecided: Vec::new(),
            decision_to_removal: None,
        };
        if let (Some(at), Some(p)) = (snapshot, &population) {
            let mut entries = Vec::with_capacity(p.items.len());
            review.population = p.items.len();
            for (number, &row) in p.items.iter().enumerate() {
                let stored = &evidence.reconciliations[row as usize];
                let r = &stored.record;
                entries.push(stored.seq);
                let Some(&(e, first)) = effective.get(number).and_then(Option::as_ref) else {
                    review.undecided.push((
                        r.account.to_string(),
                        entitlement_key(r.entitlement.as_deref()).map(|e| e.as_str().to_owned()),
                        stored.cite(),
                    ));
                    continue;
                };
                review.decided += 1;
                if first <= c.due_at {
                    review.decided_on_time += 1;
                }
                match rows[e as usize].record.decision {
                    ReviewVerdict::Keep => review.keep += 1,
                    ReviewVerdict::Revoke => review.revoke += 1,
                    ReviewVerdict::Modify => review.modify += 1,
                    ReviewVerdict::Delegated | ReviewVerdict::NoDecision => {}
                }
            }
            entries.sort_unstable();
            entries.dedup();
            review.undecided.sort();
            review.snapshot = Some(PopulationSource { as_of: at, entries });
        }
        systems.push(review);
    }
    // Every effective revoke or modify decision, followed to the system.
    let mut revokes: Vec<RevokeChain> = judgements
        .iter()
        .filter(|j| j.effective && j.stored.record.decision.removes())
        .filter_map(|j| follow_revoke(ctx, c, j))
        .collect();
    revokes.sort_by_key(|r| r.decision);
    for review in &mut systems {
        let hours: Vec<f64> = revokes
            .iter()
            .filter(|r| r.system == review.system)
            .filter_map(|r| {
                let (_, removed) = r.removal?;
                Some((removed - r.decided_at).num_seconds().max(0) as f64 / 3600.0)
            })
            .collect();
        review.decision_to_removal = Durations::of(hours);
    }
    let reviewers = paces(ctx, &judgements);
    let outside_population = judgements
        .iter()
        .filter(|j| j.place == Place::NotHeld)
        .map(|j| j.stored.cite())
        .collect();
    let overdue = match closed {
        Some(end) => end > c.due_at,
        None => as_of > c.due_at,
    };
    Judged {
        review: CampaignReview {
            campaign: c.id.clone(),
            name: c.name.clone(),
            seq: campaign.seq,
            row: campaign.row,
            started_at: c.started_at,
            due_at: c.due_at,
            closed_at: closed,
            overdue,
            systems,
            revokes,
            reviewers,
            outside_population,
        },
        closed,
        decisions: judgements,
    }
}

/// A revoke or modify decision followed to the system: the log's removal from the campaign
/// start on, then the system's own snapshots (as for leavers, convention 9).
fn follow_revoke(ctx: &Context<'_>, c: &ReviewCampaign, j: &Judgement<'_>) -> Option<RevokeChain> {
    let d = &j.stored.record;
    let decided = d.decided_at?;
    let system = &d.system;
    let as_of = ctx.as_of;
    let wanted = entitlement_key(d.entitlement.as_deref());
    let item_name = wanted.map_or(ACCOUNT, Folded::as_str);
    let deadline = decided + ctx.policy.reviews.revoke_sla.as_delta();
    // The account as the decision and as the snapshot at the start write it (importers of
    // one system name accounts alike; a review tool may not).
    let mut spellings: Vec<&str> = vec![d.account.as_str()];
    if let Some(a) = j.held_account
        && a != d.account
    {
        spellings.push(a);
    }
    let mut log: Vec<&Stored<Execution>> = Vec::new();
    for a in &spellings {
        log.extend(
            ctx.executions_on(system, a)
                .filter(|x| x.record.outcome == Outcome::Succeeded),
        );
    }
    log.sort_by_key(|x| (x.record.at, x.cite()));
    log.dedup_by_key(|x| x.cite());
    let about_item = |x: &Execution| {
        let it = item(x.entitlement.as_deref());
        !ctx.is_deny(system, it)
    };
    let removes = |x: &Execution| {
        about_item(x)
            && match x.action {
                ProvisioningAction::Disable | ProvisioningAction::Delete => true,
                ProvisioningAction::Revoke => match entitlement_key(x.entitlement.as_deref()) {
                    None => true,
                    Some(e) => wanted == Some(e),
                },
                _ => false,
            }
    };
    let adds = |x: &Execution| {
        about_item(x)
            && match x.action {
                ProvisioningAction::CreateAccount | ProvisioningAction::Enable => true,
                ProvisioningAction::Grant => {
                    wanted.is_some() && entitlement_key(x.entitlement.as_deref()) == wanted
                }
                _ => false,
            }
    };
    let removal = log
        .iter()
        .copied()
        .find(|x| x.record.at >= c.started_at && x.record.at < as_of && removes(&x.record));
    // Whether the system's snapshot at `at` shows the item: its row's entry.
    let shows = |at: Timestamp| {
        spellings
            .iter()
            .flat_map(|a| ctx.rows_on(system, a))
            .find(|r| {
                let r = &r.record;
                r.as_of == at
                    && ctx.present(r)
                    && !ctx.is_deny(system, item(r.entitlement.as_deref()))
                    && (wanted.is_none() || entitlement_key(r.entitlement.as_deref()) == wanted)
            })
            .map(|r| r.cite())
    };
    let seen = |at: Timestamp| match shows(at) {
        Some(seq) => (at, true, seq),
        None => (
            at,
            false,
            Cite::entry(ctx.snapshot_first_entry(system, at).unwrap_or_default()),
        ),
    };
    let covering_after = |t: Timestamp| {
        ctx.first_snapshot_covering_after(system, t, item_name)
            .filter(|at| *at < as_of)
    };
    let (status, confirmation) = match removal {
        Some(x) => {
            let removed = x.record.at;
            let confirmation = covering_after(removed).map(seen);
            // An account disabled or deleted is gone, whatever a listing of its memberships
            // still says (as for leavers); a grant in between explains a later showing.
            let account_gone = matches!(
                x.record.action,
                ProvisioningAction::Disable | ProvisioningAction::Delete
            );
            let contradicted = confirmation.is_some_and(|(at, held, _)| {
                held && !account_gone
                    && !log
                        .iter()
                        .any(|y| y.record.at > removed && y.record.at <= at && adds(&y.record))
            });
            let status = if contradicted {
                RevokeStatus::Contradicted
            } else if removed > deadline {
                RevokeStatus::Late
            } else {
                RevokeStatus::OnTime
            };
            (status, confirmation)
        }
        None => {
            let due = ctx
                .first_snapshot_covering_from(system, deadline, item_name)
                .filter(|at| *at < as_of)
                .map(seen);
            match due {
                Some(s @ (_, true, _)) => (RevokeStatus::NotExecuted, Some(s)),
                Some(s) => (RevokeStatus::RemovedUnlogged, Some(s)),
                None => {
                    // Snapshots since the start and before the deadline: one without the item
                    // proves its removal, at a time the evidence does not tell.
                    let mut t = c.started_at;
                    let mut last_shown = None;
                    let mut gone = None;
                    while let Some(at) = covering_after(t).filter(|at| *at < deadline) {
                        let s = seen(at);
                        if s.1 {
                            last_shown = Some(s);
                        } else {
                            gone = Some(s);
                            break;
                        }
                        t = at;
                    }
                    match gone {
                        Some(s) => (RevokeStatus::RemovedUnlogged, Some(s)),
                        None if deadline >= as_of => (RevokeStatus::NotYetDue, last_shown),
                        None => (RevokeStatus::NotExecuted, last_shown),
                    }
                }
            }
        }
    };
    Some(RevokeChain {
        decision: j.stored.cite(),
        verdict: d.decision,
        system: system.clone(),
        account: d.account.clone(),
        entitlement: wanted.map(|e| e.as_str().to_owned()),
        identity: j.holder().cloned(),
        reviewer: j.reviewer.cloned(),
        decided_at: decided,
        deadline,
        removal: removal.map(|x| (x.cite(), x.record.at)),
        confirmation,
        status,
    })
}

/// Each reviewer's decisions in one campaign and their fastest burst (`rubber_stamp_window`):
/// the longest run of only keep decisions when one reaches `rubber_stamp_decisions`, else the
/// longest run of any.
fn paces(ctx: &Context<'_>, judgements: &[Judgement<'_>]) -> Vec<ReviewerPace> {
    let window = ctx.policy.reviews.rubber_stamp_window.as_delta();
    let threshold = ctx.policy.reviews.rubber_stamp_decisions as usize;
    let mut by_reviewer: BTreeMap<&IdentityId, Vec<(Timestamp, Cite, ReviewVerdict)>> =
        BTreeMap::new();
    for j in judgements {
        let d = &j.stored.record;
        let (Some(reviewer), Some(at)) = (j.reviewer, d.decided_at) else {
            continue;
        };
        if d.decision.decides() {
            by_reviewer
                .entry(reviewer)
                .or_default()
                .push((at, j.stored.cite(), d.decision));
        }
    }
    by_reviewer
        .into_iter()
        .map(|(reviewer, mut decisions)| {
            decisions.sort_unstable();
            let count = |v: ReviewVerdict| decisions.iter().filter(|d| d.2 == v).count();
            // Two pointers over time: the widest run of each kind ending at each decision.
            let mut widest = (0usize, 0usize, 0usize); // (len, start, end)
            let mut widest_keep = (0usize, 0usize, 0usize);
            let mut start = 0;
            let mut keep_start = 0;
            for (end, &(at, _, verdict)) in decisions.iter().enumerate() {
                while decisions
                    .get(start)
                    .is_some_and(|&(first, _, _)| at - first > window)
                {
                    start += 1;
                }
                if end + 1 - start > widest.0 {
                    widest = (end + 1 - start, start, end);
                }
                if verdict != ReviewVerdict::Keep {
                    keep_start = end + 1;
                    continue;
                }
                keep_start = keep_start.max(start);
                if end + 1 - keep_start > widest_keep.0 {
                    widest_keep = (end + 1 - keep_start, keep_start, end);
                }
            }
            let (all_keep, (len, from, to)) = if widest_keep.0 >= threshold {
                (true, widest_keep)
            } else {
                let all_keep = decisions.get(widest.1..=widest.2).is_some_and(|run| {
                    !run.is_empty() && run.iter().all(|d| d.2 == ReviewVerdict::Keep)
                });
                (all_keep, widest)
            };
            let mut burst_entries: Vec<Cite> = decisions
                .get(from..=to)
                .map(|run| run.iter().map(|d| d.1).collect())
                .unwrap_or_default();
            if len == 0 {
                burst_entries.clear();
            }
            burst_entries.sort_unstable();
            ReviewerPace {
                reviewer: reviewer.clone(),
                decisions: decisions.len(),
                keep: count(ReviewVerdict::Keep),
                revoke: count(ReviewVerdict::Revoke),
                modify: count(ReviewVerdict::Modify),
                fastest_burst: len,
                fastest_burst_all_keep: all_keep,
                burst_entries,
            }
        })
        .collect()
}
