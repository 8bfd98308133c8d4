//! Emergency access (issue #19): just-in-time and break-glass access may be switched on fast,
//! but each use needs a timely independent review, a break-glass use a ticket, and each
//! activation must end by the policy's maximum duration.

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use std::collections::{BTreeMap, BTreeSet};

use evidentia_domain::{
    ActivitySummary, EmergencyUse, Execution, Outcome, ProvisioningAction, SystemId, Timestamp,
};

use crate::authority::item;
use crate::checks::approvals::human_duration;
use crate::{Cite, Context, Finding, Stored};

pub(crate) const EMERGENCY_HELD_TOO_LONG: &str = "EV-EMERGENCY-HELD-TOO-LONG";
pub(crate) const EMERGENCY_NO_REVIEW: &str = "EV-EMERGENCY-NO-REVIEW";
pub(crate) const BREAK_GLASS_NO_TICKET: &str = "EV-BREAK-GLASS-NO-TICKET";

/// Whether execution `x` is a just-in-time activation (or the end of one) under the policy.
pub(crate) fn is_activation(ctx: &Context<'_>, x: &Execution) -> bool {
    ctx.policy.emergency.is_activation(
        &x.system,
        item(x.entitlement.as_deref()),
        x.source_event_type.as_deref(),
    )
}

/// Whether execution `x` is an activation its eligibility alone authorises: no request of its
/// own, unless the policy requires one per activation (`[emergency.approval_required]`).
pub(crate) fn is_preapproved_activation(ctx: &Context<'_>, x: &Execution) -> bool {
    is_activation(ctx, x)
        && ctx
            .policy
            .emergency
            .activation_preapproved(&x.system, item(x.entitlement.as_deref()))
}

/// The emergency uses in the period and how many were reviewed in time, for the metric
/// "emergency uses reviewed in time" (nothing is decided from it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Reviews {
    /// Register rows in the period, and activations in the log with no register row.
    pub uses: usize,
    /// Those with an independent review decided within the window.
    pub reviewed: usize,
}

/// Every emergency use, judged: each needs a post-activation review decided by someone other
/// than its user within `[emergency] review_window` of the use (exactly the window is in time;
/// no window set: not judged), and a break-glass use needs the incident or ticket that
/// justified it. The uses are the register's rows and the log's JIT activations: an activation
/// with no register row was never reviewed. A register row and the log's record are the same
/// use when the row's request id is the record's (a PIM request id, a sign-in id), else when
/// they name the same account within `[emergency] same_use_within` (15 minutes unless set). A day a break-glass account was used (its
/// successful sign-ins and calls, from the activity summaries) with no break-glass row of the
/// register on that system that day was never reviewed either: summaries keep days, not each
/// sign-in, and registers name such accounts their own way (`root` or its ARN), so any of the
/// system's break-glass rows that day (that much grace either side) stands for it. Judged
/// only where a register was imported: without one, whether uses are reviewed is not known.
pub(crate) fn register(ctx: &Context<'_>, out: &mut Vec<Finding>) -> Reviews {
    let mut tally = Reviews::default();
    let uses = &ctx.evidence.emergency_uses;
    if uses.is_empty() {
        return tally;
    }
    let policy = &ctx.policy.emergency;
    let window = policy.review_window.map(|w| w.as_delta());
    // How far apart a register row's start and the log's record of the same use may be: the
    // register is typed by people (to the minute, in their own zone's clock), the log is not.
    let same_use = policy.same_use();
    let break_glass =
        |u: &EmergencyUse| u.entitlement.is_none() || policy.is_break_glass(&u.system, &u.account);
    // The register's accounts, and the log's executions and sign-ins on them, gathered in one
    // pass each: a register holds a few uses, the logs millions of records.
    let key = |system: &SystemId, account: &str| (system.clone(), account.trim().to_lowercase());
    let mut starts: BTreeMap<(SystemId, String), Vec<Timestamp>> = BTreeMap::new();
    for u in uses {
        starts
            .entry(key(&u.record.system, &u.record.account))
            .or_default()
            .push(u.record.activated_at);
    }
    // And the request ids the register names: the log's records carrying them, in the same
    // passes.
    let requests: BTreeSet<String> = uses
        .iter()
        .filter_map(|u| request_key(u.record.request_id.as_deref()))
        .collect();
    let mut executions_on: BTreeMap<(SystemId, String), Vec<&Stored<Execution>>> = BTreeMap::new();
    let mut executions_of: BTreeMap<&str, Vec<&Stored<Execution>>> = BTreeMap::new();
    for x in &ctx.evidence.executions {
        let k = key(&x.record.system, &x.record.account);
        if starts.contains_key(&k) {
            executions_on.entry(k).or_default().push(x);
        }
        if !requests.is_empty() {
            for id in execution_ids(&x.record) {
                if let Some(r) = requests.get(&id) {
                    executions_of.entry(r).or_default().push(x);
                }
            }
        }
    }
    let mut activity_on: BTreeMap<(SystemId, String), Vec<&Stored<ActivitySummary>>> =
        BTreeMap::new();
    let mut activity_of: BTreeMap<&str, Vec<&Stored<ActivitySummary>>> = BTreeMap::new();
    for a in &ctx.evidence.activity {
        let k = key(&a.record.system, &a.record.account);
        if starts.contains_key(&k) {
            activity_on.entry(k).or_default().push(a);
        }
        if !requests.is_empty() {
            for id in [&a.record.first, &a.record.last]
                .into_iter()
                .filter_map(|m| request_key(m.source_event_id.as_deref()))
            {
                if let Some(r) = requests.get(&id) {
                    activity_of.entry(r).or_default().push(a);
                }
            }
        }
    }
    for stored in uses {
        let u = &stored.record;
        if !ctx.in_period(u.activated_at) {
            continue;
        }
        let glass = break_glass(u);
        let k = key(&u.system, &u.account);
        // The log's own record of the use: the one with the row's request id (the activation
        // before its end, where both carry it), else the same system and account about the
        // same time.
        let request = request_key(u.request_id.as_deref());
        let by_request = request.as_deref().and_then(|r| {
            executions_of
                .get(r)
                .into_iter()
                .flatten()
                .filter(|x| x.record.system == u.system)
                .min_by_key(|x| {
                    (
                        x.record.action != ProvisioningAction::Grant,
                        x.record.at,
                        x.cite(),
                    )
                })
                .map(|x| x.cite())
                .or_else(|| {
                    activity_of
                        .get(r)
                        .into_iter()
                        .flatten()
                        .find(|a| a.record.system == u.system)
                        .map(|a| a.cite())
                })
        });
        let near = |t: Timestamp| (t - u.activated_at).abs() <= same_use;
        let logged = by_request
            .or_else(|| {
                executions_on
                    .get(&k)
                    .into_iter()
                    .flatten()
                    .find(|x| near(x.record.at))
                    .map(|x| x.cite())
            })
            .or_else(|| {
                activity_on
                    .get(&k)
                    .into_iter()
                    .flatten()
                    .find(|a| {
                        a.record
                            .any_within(u.activated_at - same_use, u.activated_at + same_use)
                    })
                    .map(|a| a.cite())
            });
        // The finding is filed under the person who used the access (accountable for it,
        // break-glass or not), else whoever the account correlates to; the account column
        // names the account used.
        let identity = u
            .used_by
            .as_ref()
            .map(|p| ctx.person(p).clone())
            .or_else(|| ctx.owner_of(&u.system, &u.account));
        let base = |check, summary: String| {
            Finding::new(check, summary)
                .identity(identity.as_ref())
                .system(Some(&u.system))
                .account(Some(&u.account))
                .entitlement(u.entitlement.as_deref())
                .evidence([stored.cite()])
                .evidence(logged)
        };
        let what = match (&u.entitlement, glass) {
            (Some(e), false) => format!("{e} activated"),
            _ => "break-glass sign-in".to_owned(),
        };
        let by = u
            .used_by
            .as_ref()
            .map_or(String::new(), |p| format!(", used by {p}"));
        let when = u.activated_at.format("%Y-%m-%d %H:%M UTC");
        tally.uses += 1;
        if let Some(window) = window {
            let independent = u.reviewer.is_some()
                && u.reviewer.as_ref().map(|r| ctx.person(r))
                    != u.used_by.as_ref().map(|p| ctx.person(p));
            let in_time = u.review_decision.is_some()
                && u.reviewed_at.is_some_and(|r| r - u.activated_at <= window);
            if independent && in_time {
                tally.reviewed += 1;
            } else {
                let why = match (u.review_decision.as_ref(), u.reviewed_at) {
                    (None, _) | (_, None) => "never reviewed".to_owned(),
                    _ if !independent => "reviewed by its own user".to_owned(),
                    (_, Some(r)) => format!(
                        "reviewed {} after, past the {} window",
                        human_duration(r - u.activated_at),
                        human_duration(window)
                    ),
                };
                out.push(base(
                    EMERGENCY_NO_REVIEW,
                    format!("{what} on {} {when} ({}{by}): {why}", u.system, u.id),
                ));
            }
        }
        if glass && u.ticket.as_deref().is_none_or(|t| t.trim().is_empty()) {
            out.push(base(
                BREAK_GLASS_NO_TICKET,
                format!(
                    "{what} on {} as {} {when} ({}{by}) names no incident or ticket",
                    u.system, u.account, u.id
                ),
            ));
        }
    }
    let registered = |x: &Execution| {
        execution_ids(x).any(|id| requests.contains(&id))
            || starts
                .get(&key(&x.system, &x.account))
                .is_some_and(|t| t.iter().any(|t| (*t - x.at).abs() <= same_use))
    };
    // JIT activations the register does not hold: never reviewed, where the policy asks for a
    // review at all.
    if window.is_none() {
        return tally;
    }
    for (i, stored) in ctx.executions() {
        let x = &stored.record;
        if x.outcome != Outcome::Succeeded
            || x.action != ProvisioningAction::Grant
            || !ctx.in_period(x.at)
            || !is_activation(ctx, x)
            || registered(x)
        {
            continue;
        }
        tally.uses += 1;
        let it = item(x.entitlement.as_deref());
        out.push(
            Finding::new(
                EMERGENCY_NO_REVIEW,
                format!(
                    "{it} activated on {} {}: no row in the emergency-access register, never \
                     reviewed",
                    x.system,
                    x.at.format("%Y-%m-%d %H:%M UTC")
                ),
            )
            .identity(ctx.subject(i))
            .system(Some(&x.system))
            .account(Some(&x.account))
            .entitlement(Some(it))
            .evidence([stored.cite()]),
        );
    }
    // Break-glass use on days the register holds no break-glass row for the system.
    let mut glass_rows: BTreeMap<&SystemId, Vec<Timestamp>> = BTreeMap::new();
    for u in uses.iter().filter(|u| break_glass(&u.record)) {
        glass_rows
            .entry(&u.record.system)
            .or_default()
            .push(u.record.activated_at);
    }
    let day_start = |day: NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
    // Per account (folded): the account as first written, its days, the summaries showing them.
    type Unregistered<'e> = (&'e str, BTreeSet<NaiveDate>, Vec<Cite>);
    let mut unregistered: BTreeMap<(SystemId, String), Unregistered<'_>> = BTreeMap::new();
    for a in &ctx.evidence.activity {
        let r = &a.record;
        if r.outcome != Outcome::Succeeded || !policy.is_break_glass(&r.system, &r.account) {
            continue;
        }
        let rows = glass_rows.get(&r.system).map_or(&[][..], Vec::as_slice);
        let days: Vec<NaiveDate> = r
            .days
            .iter()
            .flat_map(|d| d.first.iter_days().take_while(move |day| *day <= d.last))
            .filter(|day| ctx.in_period(day_start(*day)))
            .filter(|day| {
                let (from, to) = (day_start(*day), day_start(*day) + TimeDelta::days(1));
                !rows
                    .iter()
                    .any(|t| *t >= from - same_use && *t <= to + same_use)
            })
            .collect();
        if days.is_empty() {
            continue;
        }
        let entry = unregistered
            .entry(key(&r.system, &r.account))
            .or_insert_with(|| (r.account.as_str(), BTreeSet::new(), Vec::new()));
        entry.1.extend(days);
        entry.2.push(a.cite());
    }
    for ((system, _), (account, days, cites)) in unregistered {
        tally.uses += days.len();
        let listed: Vec<String> = days.iter().take(5).map(ToString::to_string).collect();
        let more = days.len() - listed.len();
        out.push(
            Finding::new(
                EMERGENCY_NO_REVIEW,
                format!(
                    "break-glass account {account} on {system} used on {} day{} with no row in \
                     the emergency-access register, never reviewed: {}{}",
                    days.len(),
                    if days.len() == 1 { "" } else { "s" },
                    listed.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ),
            )
            .identity(ctx.owner_of(&system, account).as_ref())
            .system(Some(&system))
            .account(Some(account))
            .evidence(cites),
        );
    }
    tally
}

/// A request or event id as the register and the log are compared: trimmed, case ignored;
/// `None` when empty.
fn request_key(id: Option<&str>) -> Option<String> {
    id.map(|r| r.trim().to_lowercase())
        .filter(|r| !r.is_empty())
}

/// The ids a log's execution carries that a register may name: its request reference (a PIM
/// request id) and its event id.
fn execution_ids(x: &Execution) -> impl Iterator<Item = String> + '_ {
    [x.request_ref.as_deref(), x.source_event_id.as_deref()]
        .into_iter()
        .filter_map(request_key)
}

/// `EV-EMERGENCY-HELD-TOO-LONG`: an activation of a just-in-time entitlement (its grant in the
/// log, in the period) not ended within `[emergency.jit]`'s maximum for it: the next removal
/// of it from the account (revoked, or the account disabled or deleted) came later, or none did
/// by the end of the period. Exactly the maximum is in time.
pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if ctx.policy.emergency.jit.is_empty() {
        return;
    }
    let executions = &ctx.evidence.executions;
    let key = |system: &SystemId, account: &str| (system.clone(), account.trim().to_lowercase());
    let activations: Vec<(usize, &Stored<Execution>)> = ctx
        .executions()
        .filter(|(_, stored)| {
            let x = &stored.record;
            x.outcome == Outcome::Succeeded
                && x.action == ProvisioningAction::Grant
                && ctx.in_period(x.at)
                && is_activation(ctx, x)
        })
        .collect();
    if activations.is_empty() {
        return;
    }
    // The activated accounts' removals (the same system and account, trimmed, case ignored),
    // gathered in one pass over the log.
    let mut removals: BTreeMap<(SystemId, String), Vec<&Stored<Execution>>> = activations
        .iter()
        .map(|(_, x)| (key(&x.record.system, &x.record.account), Vec::new()))
        .collect();
    for y in executions {
        let r = &y.record;
        if r.outcome == Outcome::Succeeded
            && matches!(
                r.action,
                ProvisioningAction::Revoke
                    | ProvisioningAction::Disable
                    | ProvisioningAction::Delete
            )
            && let Some(list) = removals.get_mut(&key(&r.system, &r.account))
        {
            list.push(y);
        }
    }
    for (i, stored) in activations {
        let x = &stored.record;
        let it = item(x.entitlement.as_deref());
        let Some(max) = ctx.policy.emergency.jit_max(&x.system, it) else {
            continue;
        };
        let max = max.as_delta();
        // The earliest removal of it from the account at or after the activation (revoked,
        // or the account disabled or deleted), whatever order the log wrote them in.
        let ended = removals
            .get(&key(&x.system, &x.account))
            .into_iter()
            .flatten()
            .filter(|y| {
                let r = &y.record;
                r.at >= x.at
                    && (r.action != ProvisioningAction::Revoke
                        || item(r.entitlement.as_deref()).eq_ignore_ascii_case(it))
            })
            .min_by_key(|y| (y.record.at, y.cite()));
        let held = match ended {
            Some(y) if y.record.at - x.at <= max => continue,
            Some(y) => Some(y),
            None if x.at + max >= ctx.as_of => continue,
            None => None,
        };
        let summary = match held {
            Some(y) => format!(
                "{it} on {} activated {} and removed {} later (at most {})",
                x.system,
                x.at.format("%Y-%m-%d %H:%M"),
                human_duration(y.record.at - x.at),
                human_duration(max)
            ),
            None => format!(
                "{it} on {} activated {} and never removed (at most {})",
                x.system,
                x.at.format("%Y-%m-%d %H:%M"),
                human_duration(max)
            ),
        };
        out.push(
            Finding::new(EMERGENCY_HELD_TOO_LONG, summary)
                .identity(ctx.subject(i))
                .system(Some(&x.system))
                .account(Some(&x.account))
                .entitlement(Some(it))
                .evidence([stored.cite()])
                .evidence(held.map(|y| y.cite())),
        );
    }
}
