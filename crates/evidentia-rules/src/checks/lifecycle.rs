//! Execution checks around lifecycle events: leavers revoked everywhere and in time, nothing
//! done in a departed identity's name, movers shedding their old role, and no removal without
//! an authoritative reason.

use std::collections::BTreeMap;

use evidentia_domain::{
    Decision, IdentityId, LifecycleEventType, Outcome, ProvisioningAction, SystemId, Timestamp,
};

use crate::checks::approvals::human_duration;
use crate::context::{DAY, is_credential_change};
use crate::departure::{self, Verdict};
use crate::holdings::{Snapshot, Timeline, snapshot_from};
use crate::{Cite, Context, Finding, Stored, authority};

pub(crate) const LEAVER_NOT_REVOKED: &str = "EV-LEAVER-NOT-REVOKED";
pub(crate) const LEAVER_REVOKED_LATE: &str = "EV-LEAVER-REVOKED-LATE";
pub(crate) const ACTIVITY_AFTER_TERMINATION: &str = "EV-ACTIVITY-AFTER-TERMINATION";
pub(crate) const MOVER_RETAINED_ACCESS: &str = "EV-MOVER-RETAINED-ACCESS";
pub(crate) const CHANGE_WITHOUT_EVENT: &str = "EV-CHANGE-WITHOUT-AUTHORITATIVE-EVENT";

pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    departures(ctx, out);
    movers(ctx, out);
    unexplained_removals(ctx, out);
}

fn departures(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for event in &ctx.evidence.events {
        let e = &event.record;
        if !e.event_type.is_departure() || !ctx.in_period(e.effective_at) {
            continue;
        }
        let (id, t) = (&e.identity, e.effective_at);
        for system in departure::systems_of(ctx, id) {
            let Some(outcome) = departure::judge(ctx, id, t, system) else {
                continue;
            };
            let base = |check, summary: String| {
                Finding::new(check, summary)
                    .identity(Some(id))
                    .system(Some(system))
                    .account(Some(&outcome.account))
                    .evidence([event.cite(), outcome.held_seq])
            };
            let left = t.format("%Y-%m-%d %H:%M UTC");
            match outcome.verdict {
                Verdict::NotRevoked { row } => {
                    let summary = match (outcome.removal, row) {
                        (Some(x), Some(_)) => format!(
                            "left {left}; removed on {system} {} but the next snapshot still shows access",
                            x.record.at.format("%Y-%m-%d %H:%M")
                        ),
                        (None, Some(_)) => format!(
                            "left {left}; no removal on {system}, and its snapshot after the deadline still shows access"
                        ),
                        _ => format!("left {left}; access on {system} never removed"),
                    };
                    out.push(
                        base(LEAVER_NOT_REVOKED, summary)
                            .evidence(outcome.removal.map(|x| x.cite()))
                            .evidence(row),
                    );
                }
                Verdict::Late => {
                    let Some(x) = outcome.removal else { continue };
                    let took = x.record.at - t;
                    out.push(
                        base(
                            LEAVER_REVOKED_LATE,
                            format!(
                                "left {left}; access on {system} fully removed {} later, deadline {}",
                                human_duration(took),
                                human_duration(outcome.deadline - t)
                            ),
                        )
                        .evidence([x.cite()]),
                    );
                }
                Verdict::OnTime | Verdict::RemovedUnlogged { .. } | Verdict::NotYetDue => {}
            }
        }
        activity_after(ctx, event, out);
    }
}

/// When `id` (re)joined after leaving at `t`, if it did.
pub(crate) fn rejoined_after(
    ctx: &Context<'_>,
    id: &IdentityId,
    t: Timestamp,
) -> Option<Timestamp> {
    ctx.events_of(id)
        .find(|e| {
            e.record.effective_at > t
                && matches!(
                    e.record.event_type,
                    LifecycleEventType::Joiner | LifecycleEventType::NhiCreated
                )
        })
        .map(|e| e.record.effective_at)
}

/// Anything done in a departed identity's name after it left (and before it rejoined), one
/// finding per system: actions it performed in provisioning logs, sign-ins and API calls,
/// and inventories' last-used dates (convention 12).
fn activity_after(
    ctx: &Context<'_>,
    event: &Stored<evidentia_domain::LifecycleEvent>,
    out: &mut Vec<Finding>,
) {
    let (id, t) = (&event.record.identity, event.record.effective_at);
    let rejoined = rejoined_after(ctx, id, t);
    let end = rejoined.unwrap_or(ctx.as_of).max(t);
    let after = t + chrono::TimeDelta::nanoseconds(1);
    let mut activity: BTreeMap<&SystemId, (Vec<Cite>, Vec<String>)> = BTreeMap::new();
    for x in ctx.executions_by(id) {
        if x.record.at > t && x.record.at < end {
            let entry = activity.entry(&x.record.system).or_default();
            entry.0.push(x.cite());
            entry.1.push(format!(
                "{} at {}",
                x.record
                    .source_event_type
                    .as_deref()
                    .unwrap_or(x.record.action.as_str()),
                x.record.at.format("%Y-%m-%d %H:%M")
            ));
        }
    }
    // Calls a credential signed are that credential's use (EV-CREDENTIAL-USED-AFTER-LEAVE).
    for a in ctx
        .activity_of(id)
        .filter(|a| a.record.credential.is_none())
    {
        let r = &a.record;
        if r.outcome == Outcome::Succeeded && r.any_within(after, end) {
            let entry = activity.entry(&r.system).or_default();
            entry.0.push(a.cite());
            let last = if r.last.at < end { &r.last } else { &r.first };
            entry.1.push(format!(
                "{} by {} at {} ({})",
                r.event_types
                    .first()
                    .map_or("activity", evidentia_domain::Name::as_str),
                r.account,
                last.at.format("%Y-%m-%d %H:%M"),
                last.location
            ));
        }
    }
    // A credential's own last-used date is that credential's use, judged per credential
    // (EV-CREDENTIAL-USED-AFTER-LEAVE, convention 17).
    for (_, r) in ctx
        .rows_of(id)
        .filter(|(_, r)| !crate::holdings::is_credential_row(ctx, &r.record))
    {
        if let Some(used) = r
            .record
            .last_used_at
            .filter(|u| *u > t && rejoined.is_none_or(|j| *u < j))
        {
            let entry = activity.entry(&r.record.system).or_default();
            entry.0.push(r.cite());
            entry
                .1
                .push(format!("last used {}", used.format("%Y-%m-%d %H:%M")));
        }
    }
    for (system, (seqs, what)) in activity {
        out.push(
            Finding::new(
                ACTIVITY_AFTER_TERMINATION,
                format!(
                    "used on {system} after leaving {}: {}",
                    t.format("%Y-%m-%d %H:%M UTC"),
                    what.first().map_or("", String::as_str)
                ),
            )
            .identity(Some(id))
            .system(Some(system))
            .evidence([event.cite()])
            .evidence(seqs.into_iter().take(20)),
        );
    }
}

fn movers(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let window = ctx.policy.movers.transition_window.as_delta();
    for event in &ctx.evidence.events {
        let e = &event.record;
        if e.event_type != LifecycleEventType::Mover || !ctx.in_period(e.effective_at) {
            continue;
        }
        let (Some(prior), Some(new)) = (&e.attributes.previous_role, &e.attributes.role) else {
            continue;
        };
        let (id, t) = (&e.identity, e.effective_at);
        let due = t + window;
        for system in departure::systems_of(ctx, id) {
            let timeline = Timeline::new(ctx, id, system, t - DAY);
            let held = timeline.held_between(t - DAY, t);
            for (account, ent, held_seq) in held.items() {
                let old_only = ctx.policy.expects_for_role(Some(prior), system, ent)
                    && !ctx.policy.expects_for_role(Some(new), system, ent);
                if !old_only || kept_with_authority(ctx, id, system, ent, due) {
                    continue;
                }
                let gone = timeline.item_gone_from(ent, t - DAY);
                let after = |at: Timestamp| at + chrono::TimeDelta::seconds(1);
                let retained = match gone {
                    Some(x) if x.record.at <= due => None,
                    Some(x) => Some((
                        format!("removed {} after the move", human_duration(x.record.at - t)),
                        Some(x.cite()),
                    )),
                    None => match (
                        snapshot_from(ctx, id, system, ent, true, due, ctx.as_of),
                        snapshot_from(ctx, id, system, ent, true, after(t), due.min(ctx.as_of)),
                    ) {
                        (Some(Snapshot::Shows { at, row: seq }), _) => Some((
                            format!("still held on {}", at.format("%Y-%m-%d")),
                            Some(seq),
                        )),
                        (Some(Snapshot::Lacks { .. }), _)
                        | (None, Some(Snapshot::Lacks { .. })) => None,
                        _ if due >= ctx.as_of => None,
                        (None, Some(Snapshot::Shows { at, row: seq })) => Some((
                            format!("still held on {}", at.format("%Y-%m-%d")),
                            Some(seq),
                        )),
                        _ => Some(("never removed".to_owned(), None)),
                    },
                };
                if let Some((how, seq)) = retained {
                    out.push(
                        Finding::new(
                            MOVER_RETAINED_ACCESS,
                            format!(
                                "moved from {prior} to {new} on {}; old-role {ent} on {system} not removed within {}: {how}",
                                t.format("%Y-%m-%d"),
                                ctx.policy.movers.transition_window
                            ),
                        )
                        .identity(Some(id))
                        .system(Some(system))
                        .account(Some(account))
                        .entitlement(Some(ent))
                        .evidence([event.cite(), held_seq])
                        .evidence(seq),
                    );
                }
            }
        }
    }
}

/// Old-role access a mover may keep: an approved request for it decided by the end of the
/// transition window, or an exception covering it then.
fn kept_with_authority(
    ctx: &Context<'_>,
    id: &IdentityId,
    system: &SystemId,
    ent: &str,
    due: Timestamp,
) -> bool {
    let approved = ctx.approvals_of(id).any(|a| {
        a.record.decision == Decision::Approved
            && a.record.decided_at <= due
            && a.record.expires_at.is_none_or(|x| x > due)
            && authority::approval_covers(ctx, &a.record, system, ent)
    });
    approved || authority::valid_exception(ctx, id, system, ent, due).is_some()
}

/// Removals need an authoritative reason too: a departure, a move that takes the access out
/// of the role, an approved request about it, or the end of the exception or time-bound
/// approval it was held under. Credential events are not access decisions (convention 5).
fn unexplained_removals(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, stored) in ctx.executions() {
        let x = &stored.record;
        if !ctx.in_period(x.at)
            || x.outcome != Outcome::Succeeded
            || !x.action.removes_access()
            || is_credential_change(x.action)
        {
            continue;
        }
        let Some(id) = ctx.subject(i) else { continue };
        let ent = authority::item(x.entitlement.as_deref());
        // The end of a just-in-time activation (expired, given back) is the activation's own.
        if crate::checks::emergency::is_activation(ctx, x) {
            continue;
        }
        // Leaving a block group restores nothing a lifecycle event must explain here.
        if ctx.is_deny(&x.system, ent) {
            continue;
        }
        let by_event = ctx.events_of(id).any(|e| {
            let e = &e.record;
            x.at >= e.effective_at - DAY
                && (e.event_type.is_departure()
                    || (e.event_type == LifecycleEventType::Mover
                        && e.attributes.previous_role.as_deref().is_some_and(|prior| {
                            let new = e.attributes.role.as_deref();
                            if x.action == ProvisioningAction::Revoke {
                                ctx.policy.expects_for_role(Some(prior), &x.system, ent)
                                    && !ctx.policy.expects_for_role(new, &x.system, ent)
                            } else {
                                // Disabling the whole account: the new role has nothing there.
                                !ctx.policy.profile_covers_system(new, &x.system)
                            }
                        })))
        });
        if by_event {
            continue;
        }
        // Approvals and exceptions are looked at only when no event explains the removal.
        let by_approval = ctx.approvals_of(id).any(|a| {
            let a = &a.record;
            a.system == x.system
                && a.entitlement.trim().eq_ignore_ascii_case(ent)
                && (a.decided_at <= x.at || a.expires_at.is_some_and(|e| e <= x.at + DAY))
        });
        // Access held by exception needs no other authority to end: its exception granted it,
        // and ending it early only narrows access.
        let by_exception = ctx.exceptions_of(id).any(|e| {
            let e = &e.record;
            e.system.as_ref() == Some(&x.system)
                && e.granted_at <= x.at
                && e.entitlement
                    .as_deref()
                    .is_some_and(|en| en.trim().eq_ignore_ascii_case(ent))
        });
        // A reviewer's revoke or modify decision asked for exactly this removal.
        let by_review = || ctx.review_asking_removal(x).is_some();
        if !by_approval && !by_exception && !by_review() {
            out.push(
                Finding::new(
                    CHANGE_WITHOUT_EVENT,
                    format!(
                        "{} on {} with no lifecycle event or approval behind it",
                        x.action.as_str(),
                        x.system
                    ),
                )
                .identity(Some(id))
                .system(Some(&x.system))
                .account(Some(&x.account))
                .entitlement(x.entitlement.as_deref())
                .evidence([stored.cite()]),
            );
        }
    }
}
