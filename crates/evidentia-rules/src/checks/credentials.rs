//! A departure's credentials, each judged on its own (issue #19): keys, tokens and certificates
//! are not grants (convention 5), so disabling the account does not revoke them; each must be
//! revoked within the system's revocation SLA, and any use after the leave time is its own gap.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use evidentia_domain::{
    Execution, IdentityId, Outcome, ProvisioningAction, SystemId, Tier, Timestamp,
};

use crate::checks::approvals::human_duration;
use crate::context::DAY;
use crate::holdings::is_credential_row;
use crate::{Cite, Context, Finding, Stored};

pub(crate) const CREDENTIAL_NOT_REVOKED: &str = "EV-LEAVER-CREDENTIAL-NOT-REVOKED";
pub(crate) const CREDENTIAL_REVOKED_LATE: &str = "EV-LEAVER-CREDENTIAL-REVOKED-LATE";
pub(crate) const CREDENTIAL_USED_AFTER_LEAVE: &str = "EV-CREDENTIAL-USED-AFTER-LEAVE";

/// One credential a departed identity held in one system at its departure.
#[derive(Debug)]
struct Held<'a> {
    /// The credential id and the account it belongs to, as written.
    id: String,
    account: String,
    /// The entry that shows it held.
    shown: Cite,
    /// What revoked it, from a day before the departure on.
    removal: Option<Removal<'a>>,
}

/// How a credential's revocation is known.
#[derive(Debug, Clone, Copy)]
enum Removal<'a> {
    /// The log's change: deactivated, deleted, or its account deleted.
    Logged(&'a Stored<Execution>),
    /// A listing's row that says when it was revoked (`revoked_at`).
    Listed { at: Timestamp, row: Cite },
}

impl Removal<'_> {
    fn at(&self) -> Timestamp {
        match self {
            Removal::Logged(x) => x.record.at,
            Removal::Listed { at, .. } => *at,
        }
    }

    fn cite(&self) -> Cite {
        match self {
            Removal::Logged(x) => x.cite(),
            Removal::Listed { row, .. } => *row,
        }
    }

    /// A deleted account takes its keys with it: no later listing can contradict that.
    fn deletes_account(&self) -> bool {
        matches!(self, Removal::Logged(x) if x.record.action == ProvisioningAction::Delete)
    }
}

/// How the leaver credentials were judged, for the metric "credentials revoked with their
/// leaver" (the checks decide nothing from it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LeaverCredentials {
    /// Revoked within the system's revocation deadline, and no later listing contradicts it.
    pub in_time: usize,
    /// Revoked after the deadline.
    pub late: usize,
    /// Never revoked, or a later listing still shows it active.
    pub not_revoked: usize,
}

/// Judges each departure's credentials; returns how they were judged (those gone from a later
/// listing at a time the evidence does not tell, and those not yet due, are not counted).
pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) -> LeaverCredentials {
    let mut tally = LeaverCredentials::default();
    for event in &ctx.evidence.events {
        let e = &event.record;
        if !e.event_type.is_departure() || !ctx.in_period(e.effective_at) {
            continue;
        }
        let (id, t) = (&e.identity, e.effective_at);
        for system in crate::departure::systems_of(ctx, id) {
            // One gap, one finding (convention 17): where the account itself was never
            // revoked, its credentials are part of that finding; a credential outliving an
            // account that was revoked (in time or late) is a gap of its own. The account is
            // judged only where a credential was held: most systems hold none.
            let held = held_at(ctx, id, system, t);
            let account_kept = !held.is_empty()
                && crate::departure::judge(ctx, id, t, system).is_some_and(|o| {
                    matches!(o.verdict, crate::departure::Verdict::NotRevoked { .. })
                });
            if !account_kept {
                for held in held {
                    match judge(ctx, event, system, &held, out) {
                        Some(Verdict::InTime) => tally.in_time += 1,
                        Some(Verdict::Late) => tally.late += 1,
                        Some(Verdict::NotRevoked) => tally.not_revoked += 1,
                        None => {}
                    }
                }
            }
            used_after(ctx, event, system, out);
        }
    }
    tally
}

/// A held credential's verdict; `None` when it cannot be timed (not yet due, or gone from a
/// later listing at a time the evidence does not tell).
enum Verdict {
    InTime,
    Late,
    NotRevoked,
}

/// Whether a credential's row shows it in force. Unlike an entitlement, a key is not ended by
/// its account being listed disabled: an IAM user without a console password still signs calls
/// with its keys, so the row's own status decides.
fn live_credential(r: &evidentia_domain::ReconciliationRecord) -> bool {
    r.status.is_present()
}

/// The credentials `id` held in `system` at `t`: those the system's last snapshot at or before
/// `t − 1 day` lists present, or the log creates before `t`, less those revoked before
/// `t − 1 day`; a revocation in the log proves the credential was held.
fn held_at<'a>(
    ctx: &Context<'a>,
    id: &IdentityId,
    system: &SystemId,
    t: Timestamp,
) -> Vec<Held<'a>> {
    let from = t - DAY;
    // Lower-cased id → (id, account, entry showing it, removal).
    let mut held: BTreeMap<String, Held<'a>> = BTreeMap::new();
    // Only a listing of credentials tells which were held (an account export without them
    // says nothing about keys).
    let snapshot = ctx.last_credential_snapshot_before(system, from);
    if let Some(s) = snapshot {
        for (_, r) in ctx.rows_of(id) {
            let rec = &r.record;
            if rec.as_of == s
                && &rec.system == system
                && live_credential(rec)
                && is_credential_row(ctx, rec)
            {
                if let Some(key) = rec.entitlement.as_deref() {
                    held.entry(key.trim().to_lowercase()).or_insert(Held {
                        id: key.trim().to_owned(),
                        account: rec.account.to_string(),
                        shown: r.cite(),
                        removal: None,
                    });
                }
            }
        }
    }
    // With no listing of credentials before, the system's first one after the departure tells
    // what was held then, as for the account (holdings.rs): a credential it lists that the log
    // does not show created in between was there before.
    if snapshot.is_none()
        && let Some(after) = ctx
            .first_credential_snapshot_after(system, t)
            .filter(|a| *a < ctx.as_of)
    {
        for (_, r) in ctx.rows_of(id) {
            let rec = &r.record;
            let Some(key) = rec.entitlement.as_deref() else {
                continue;
            };
            if rec.as_of != after
                || &rec.system != system
                || !live_credential(rec)
                || !is_credential_row(ctx, rec)
            {
                continue;
            }
            let created_since = ctx.executions_of(id).any(|(_, x)| {
                let c = &x.record;
                c.system == *system
                    && c.at > t
                    && c.at <= after
                    && matches!(
                        c.action,
                        ProvisioningAction::CredentialCreated
                            | ProvisioningAction::CredentialReactivated
                    )
                    && c.entitlement
                        .as_deref()
                        .is_some_and(|e| e.trim().eq_ignore_ascii_case(key.trim()))
            });
            if !created_since {
                held.entry(key.trim().to_lowercase()).or_insert(Held {
                    id: key.trim().to_owned(),
                    account: rec.account.to_string(),
                    shown: r.cite(),
                    removal: None,
                });
            }
        }
    }
    let mut changes: Vec<&'a Stored<Execution>> = ctx
        .executions_of(id)
        .map(|(_, x)| x)
        .filter(|x| {
            &x.record.system == system
                && x.record.outcome == Outcome::Succeeded
                && snapshot.is_none_or(|s| x.record.at > s)
        })
        .collect();
    changes.sort_by_key(|x| (x.record.at, x.cite()));
    for x in changes {
        let r = &x.record;
        match r.action {
            ProvisioningAction::CredentialCreated | ProvisioningAction::CredentialReactivated
                if r.at < t =>
            {
                if let Some(key) = r.entitlement.as_deref() {
                    let k = key.trim().to_lowercase();
                    let h = held.entry(k).or_insert(Held {
                        id: key.trim().to_owned(),
                        account: r.account.to_string(),
                        shown: x.cite(),
                        removal: None,
                    });
                    h.removal = None;
                }
            }
            ProvisioningAction::CredentialDeactivated | ProvisioningAction::CredentialDeleted => {
                let Some(key) = r.entitlement.as_deref() else {
                    continue;
                };
                let k = key.trim().to_lowercase();
                if r.at < from {
                    held.remove(&k);
                } else {
                    let h = held.entry(k).or_insert(Held {
                        id: key.trim().to_owned(),
                        account: r.account.to_string(),
                        shown: x.cite(),
                        removal: None,
                    });
                    h.removal.get_or_insert(Removal::Logged(x));
                }
            }
            // A deleted account takes its credentials with it.
            ProvisioningAction::Delete => {
                let account = r.account.trim();
                let on = |h: &Held<'_>| h.account.trim().eq_ignore_ascii_case(account);
                if r.at < from {
                    held.retain(|_, h| !on(h));
                } else {
                    for h in held.values_mut().filter(|h| on(h)) {
                        h.removal.get_or_insert(Removal::Logged(x));
                    }
                }
            }
            _ => {}
        }
    }
    // A listing that says when a credential was revoked (an API key report's `Revoked`): held
    // at the departure if revoked from a day before it on (and not created after it), and
    // revoked then, unless the log showed its revocation first.
    for (_, r) in ctx.rows_of(id) {
        let rec = &r.record;
        let (Some(key), Some(revoked)) = (rec.entitlement.as_deref(), rec.revoked_at) else {
            continue;
        };
        if &rec.system != system
            || !is_credential_row(ctx, rec)
            || revoked < from
            || rec.created_at.is_some_and(|c| c >= t)
        {
            continue;
        }
        held.entry(key.trim().to_lowercase())
            .or_insert(Held {
                id: key.trim().to_owned(),
                account: rec.account.to_string(),
                shown: r.cite(),
                removal: None,
            })
            .removal
            .get_or_insert(Removal::Listed {
                at: revoked,
                row: r.cite(),
            });
    }
    held.into_values().collect()
}

/// The first snapshot at or after `from` (before `until`) covering the credential, asked
/// whether it still lists it present.
fn snapshot_shows(
    ctx: &Context<'_>,
    id: &IdentityId,
    system: &SystemId,
    key: &str,
    from: Timestamp,
    until: Timestamp,
) -> Option<(Timestamp, Option<Cite>)> {
    let at = ctx
        .first_snapshot_covering_from(system, from, key)
        .filter(|at| *at < until)?;
    let row = ctx.rows_of(id).find(|(_, r)| {
        let rec = &r.record;
        rec.as_of == at
            && &rec.system == system
            && live_credential(rec)
            && rec
                .entitlement
                .as_deref()
                .is_some_and(|e| e.trim().eq_ignore_ascii_case(key))
    });
    Some((at, row.map(|(_, r)| r.cite())))
}

fn judge(
    ctx: &Context<'_>,
    event: &Stored<evidentia_domain::LifecycleEvent>,
    system: &SystemId,
    held: &Held<'_>,
    out: &mut Vec<Finding>,
) -> Option<Verdict> {
    let (id, t) = (&event.record.identity, event.record.effective_at);
    let allowed = ctx
        .policy
        .systems
        .get(system)
        .map_or(TimeDelta::days(1), |s| {
            s.revocation_deadline(Tier::Standard)
        });
    let deadline = t + allowed;
    let base = |check, summary: String| {
        Finding::new(check, summary)
            .identity(Some(id))
            .system(Some(system))
            .account(Some(&held.account))
            .entitlement(Some(&held.id))
            .evidence([event.cite(), held.shown])
    };
    let left = t.format("%Y-%m-%d %H:%M UTC");
    let after = |at: Timestamp| at + TimeDelta::seconds(1);
    match held.removal {
        Some(x) => {
            // A revocation the system's next listing contradicts is no revocation.
            if let Some((at, Some(row))) =
                snapshot_shows(ctx, id, system, &held.id, after(x.at()), ctx.as_of)
                && !x.deletes_account()
            {
                out.push(
                    base(
                        CREDENTIAL_NOT_REVOKED,
                        format!(
                            "left {left}; credential {} on {system} revoked {} but the listing of {} still shows it active",
                            held.id,
                            x.at().format("%Y-%m-%d %H:%M"),
                            at.format("%Y-%m-%d %H:%M")
                        ),
                    )
                    .evidence([x.cite(), row]),
                );
                Some(Verdict::NotRevoked)
            } else if x.at() > deadline {
                out.push(
                    base(
                        CREDENTIAL_REVOKED_LATE,
                        format!(
                            "left {left}; credential {} on {system} revoked {} later, deadline {}",
                            held.id,
                            human_duration(x.at() - t),
                            human_duration(allowed)
                        ),
                    )
                    .evidence([x.cite()]),
                );
                Some(Verdict::Late)
            } else {
                Some(Verdict::InTime)
            }
        }
        None => {
            if deadline >= ctx.as_of {
                return None;
            }
            match snapshot_shows(ctx, id, system, &held.id, deadline, ctx.as_of) {
                Some((at, Some(row))) => out.push(
                    base(
                        CREDENTIAL_NOT_REVOKED,
                        format!(
                            "left {left}; credential {} on {system} never revoked: the listing of {} still shows it active",
                            held.id,
                            at.format("%Y-%m-%d %H:%M")
                        ),
                    )
                    .evidence([row]),
                ),
                // Gone from a later listing: revoked at a time the evidence does not tell.
                Some((_, None)) => return None,
                // Held, and nothing shows it revoked (no revocation logged, no listing since),
                // as the account's own check judges it.
                None => out.push(base(
                    CREDENTIAL_NOT_REVOKED,
                    format!(
                        "left {left}; credential {} on {system} never revoked",
                        held.id
                    ),
                )),
            }
            Some(Verdict::NotRevoked)
        }
    }
}

/// One credential's uses: (as written, account, uses as (time, entry)).
type CredentialUses = (String, String, Vec<(Timestamp, Cite)>);

/// Each credential of `id` in `system` used after the leave time (and before any rejoin): its
/// own last-used date in a listing (convention 12) or a call it signed. One finding per
/// credential, citing its uses, first first.
fn used_after(
    ctx: &Context<'_>,
    event: &Stored<evidentia_domain::LifecycleEvent>,
    system: &SystemId,
    out: &mut Vec<Finding>,
) {
    let (id, t) = (&event.record.identity, event.record.effective_at);
    let rejoined = crate::checks::lifecycle::rejoined_after(ctx, id, t);
    let end = rejoined.unwrap_or(ctx.as_of).max(t);
    let after = t + TimeDelta::nanoseconds(1);
    // Lower-cased credential → (as written, account, uses as (time, entry)).
    let mut used: BTreeMap<String, CredentialUses> = BTreeMap::new();
    for (_, r) in ctx.rows_of(id) {
        let rec = &r.record;
        let (Some(key), Some(u)) = (rec.entitlement.as_deref(), rec.last_used_at) else {
            continue;
        };
        if &rec.system == system && is_credential_row(ctx, rec) && u > t && u < end {
            used.entry(key.trim().to_lowercase())
                .or_insert_with(|| (key.trim().to_owned(), rec.account.to_string(), Vec::new()))
                .2
                .push((u, r.cite()));
        }
    }
    for a in ctx.activity_of(id) {
        let r = &a.record;
        let Some(key) = r.credential.as_deref() else {
            continue;
        };
        if &r.system == system && r.outcome == Outcome::Succeeded && r.any_within(after, end) {
            let at = if r.first.at > t {
                r.first.at
            } else {
                r.last.at
            };
            used.entry(key.trim().to_lowercase())
                .or_insert_with(|| (key.trim().to_owned(), r.account.to_string(), Vec::new()))
                .2
                .push((at, a.cite()));
        }
    }
    for (_, (key, account, mut uses)) in used {
        uses.sort();
        let first = uses[0].0;
        out.push(
            Finding::new(
                CREDENTIAL_USED_AFTER_LEAVE,
                format!(
                    "credential {key} on {system} used {} after leaving {}",
                    first.format("%Y-%m-%d %H:%M"),
                    t.format("%Y-%m-%d %H:%M UTC")
                ),
            )
            .identity(Some(id))
            .system(Some(system))
            .account(Some(&account))
            .entitlement(Some(&key))
            .evidence([event.cite()])
            .evidence(uses.into_iter().map(|(_, c)| c).take(20)),
        );
    }
}

pub(crate) const NHI_CREDENTIAL_STALE: &str = "EV-NHI-CREDENTIAL-STALE";

/// A credential a check could not judge for want of the evidence it needs (convention 13):
/// neither a finding nor clean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAssessed {
    pub check: &'static str,
    pub identity: IdentityId,
    pub system: SystemId,
    pub account: String,
    /// The credential, as the system names it.
    pub credential: String,
    pub reason: &'static str,
    /// The entries that show the credential.
    pub evidence: Vec<Cite>,
}

/// Why a credential's idleness cannot be judged.
const NO_LAST_USED: &str =
    "no last-used date for it in any listing and no use of it in any log while it was active";

/// One NHI credential seen in the period.
#[derive(Debug)]
struct Seen {
    identity: IdentityId,
    account: String,
    id: String,
    /// Listings in the period that show it active: (time, entry, last used then).
    listed: Vec<(Timestamp, Cite, Option<Timestamp>)>,
    /// Entries that show it otherwise (its creation in a log).
    shown: Vec<Cite>,
    /// Uses of it in logs (calls it signed): (time, entry).
    uses: Vec<(Timestamp, Cite)>,
}

type SeenKey = (SystemId, String);

fn seen_entry<'m>(
    seen: &'m mut BTreeMap<SeenKey, Seen>,
    identity: &IdentityId,
    system: &SystemId,
    key: &str,
    account: &str,
) -> &'m mut Seen {
    seen.entry((system.clone(), key.trim().to_lowercase()))
        .or_insert_with(|| Seen {
            identity: identity.clone(),
            account: account.to_owned(),
            id: key.trim().to_owned(),
            listed: Vec::new(),
            shown: Vec::new(),
            uses: Vec::new(),
        })
}

/// `EV-NHI-CREDENTIAL-STALE`: an NHI's credential a listing in the period shows active, unused
/// for longer than `[nhi] credential_max_idle` at that listing's time (exactly the limit is
/// within it), reported once, at the first listing that shows it so. Its last use is the latest
/// of the listing's own last-used date and the calls it signed before the listing. A credential
/// with no last-used information at all while active is not assessed (returned, not a finding).
pub(crate) fn stale(ctx: &Context<'_>, out: &mut Vec<Finding>) -> Vec<NotAssessed> {
    let max_idle = ctx.policy.nhi.credential_max_idle.as_delta();
    let mut seen: BTreeMap<SeenKey, Seen> = BTreeMap::new();
    // The listing rows that say "never used" (their time is the creation).
    let mut never: std::collections::BTreeSet<Cite> = std::collections::BTreeSet::new();
    for (id, kind) in ctx.identity_kinds() {
        if kind.is_human() {
            continue;
        }
        let retired = ctx.departed.get(id).map(|(t, _)| *t);
        let live = |at: Timestamp| ctx.in_period(at) && retired.is_none_or(|r| at < r);
        for (_, r) in ctx.rows_of(id) {
            let rec = &r.record;
            let Some(key) = rec.entitlement.as_deref() else {
                continue;
            };
            if is_credential_row(ctx, rec) && live_credential(rec) && live(rec.as_of) {
                // Never used: idle since its creation (with no creation date, unknown).
                let used = if rec.never_used {
                    rec.created_at
                } else {
                    rec.last_used_at
                };
                seen_entry(&mut seen, id, &rec.system, key, &rec.account)
                    .listed
                    .push((rec.as_of, r.cite(), used));
                if rec.never_used {
                    never.insert(r.cite());
                }
            }
        }
        for (_, x) in ctx.executions_of(id) {
            let r = &x.record;
            if r.outcome == Outcome::Succeeded
                && r.action == ProvisioningAction::CredentialCreated
                && live(r.at)
                && let Some(key) = r.entitlement.as_deref()
            {
                seen_entry(&mut seen, id, &r.system, key, &r.account)
                    .shown
                    .push(x.cite());
            }
        }
        for a in ctx.activity_of(id) {
            let r = &a.record;
            if let (Some(key), Outcome::Succeeded) = (r.credential.as_deref(), r.outcome) {
                seen_entry(&mut seen, id, &r.system, key, &r.account)
                    .uses
                    .push((r.last.at, a.cite()));
            }
        }
    }
    let mut unassessed = Vec::new();
    let with_credentials: std::collections::BTreeSet<IdentityId> =
        seen.values().map(|s| s.identity.clone()).collect();
    for ((system, _), s) in seen {
        if s.listed.is_empty() && s.shown.is_empty() {
            continue;
        }
        let mut listed = s.listed.clone();
        listed.sort();
        let stale_at = listed.iter().find_map(|&(at, row, used)| {
            let logged = s.uses.iter().filter(|(u, _)| *u <= at).max();
            let last = match (used, logged) {
                (Some(u), Some((l, c))) if *l > u => Some((*l, Some(*c))),
                (Some(u), _) => Some((u, None)),
                (None, Some((l, c))) => Some((*l, Some(*c))),
                (None, None) => None,
            }?;
            (at - last.0 > max_idle).then_some((at, row, last))
        });
        let has_last_used = listed.iter().any(|(_, _, u)| u.is_some()) || !s.uses.is_empty();
        match stale_at {
            Some((at, row, (last, use_cite))) => out.push(
                Finding::new(
                    NHI_CREDENTIAL_STALE,
                    format!(
                        "credential {} of {} on {system}: active in the listing of {}, {} {} ({} idle; at most {})",
                        s.id,
                        s.identity,
                        at.format("%Y-%m-%d %H:%M"),
                        if use_cite.is_none() && never.contains(&row) {
                            "never used since its creation"
                        } else {
                            "last used"
                        },
                        last.format("%Y-%m-%d %H:%M"),
                        human_duration(at - last),
                        human_duration(max_idle)
                    ),
                )
                .identity(Some(&s.identity))
                .system(Some(&system))
                .account(Some(&s.account))
                .entitlement(Some(&s.id))
                .evidence([row])
                .evidence(use_cite),
            ),
            None if !has_last_used => {
                let mut evidence: Vec<Cite> = listed.iter().map(|(_, c, _)| *c).collect();
                evidence.extend(s.shown.iter().copied());
                evidence.sort_unstable();
                evidence.dedup();
                unassessed.push(NotAssessed {
                    check: NHI_CREDENTIAL_STALE,
                    identity: s.identity.clone(),
                    system: system.clone(),
                    account: s.account.clone(),
                    credential: s.id.clone(),
                    reason: NO_LAST_USED,
                    evidence,
                });
            }
            None => {}
        }
    }
    // A catalogued NHI's dated credential that no listing, credential log or signed call shows
    // at all: nothing tells when it was last used (convention 13), unless the NHI itself was
    // seen signing in (a non-interactive sign-in authenticates with its credential; a person's
    // `su` into the account or a cron session does not use it).
    for (id, kind) in ctx.identity_kinds() {
        if kind.is_human()
            || with_credentials.contains(id)
            || ctx.departed.get(id).is_some_and(|(t, _)| *t <= ctx.as_of)
        {
            continue;
        }
        let Some(catalog) = ctx
            .events_of(id)
            .rev()
            .find(|e| e.record.attributes.credential_issued_at.is_some())
        else {
            continue;
        };
        let attributes = &catalog.record.attributes;
        let Some(home) = attributes
            .location
            .as_deref()
            .map(|l| SystemId::new(l.trim()))
            .filter(|s| ctx.policy.systems.contains_key(s))
        else {
            continue;
        };
        if ctx.activity_of(id).any(|a| {
            a.record.outcome == Outcome::Succeeded
                && a.record.channel == evidentia_domain::ActivityChannel::SignIn
                && !a.record.interactive
        }) {
            continue;
        }
        unassessed.push(NotAssessed {
            check: NHI_CREDENTIAL_STALE,
            identity: id.clone(),
            system: home,
            account: attributes.aliases.first().cloned().unwrap_or_default(),
            credential: attributes.credential_id.clone().unwrap_or_default(),
            reason: NO_LAST_USED,
            evidence: vec![catalog.cite()],
        });
    }
    unassessed
}
