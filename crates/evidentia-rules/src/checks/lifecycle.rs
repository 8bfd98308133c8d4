//! Execution checks around lifecycle events: leavers revoked everywhere and in time, nothing
//! done in a departed identity's name, movers shedding their old role, and no removal without
//! an authoritative reason.

use std::collections::BTreeMap;

use evidentia_domain::{LifecycleEventType, Outcome, ProvisioningAction, SystemId, Tier};

use crate::context::DAY;
use crate::{Context, Finding};

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
        // Where the identity held access at T: the last snapshot before it, plus anything
        // added after that snapshot and before T. System -> (account, evidence entry).
        let snapshot = ctx.last_snapshot_before(t);
        let mut held: BTreeMap<&SystemId, (&str, u64)> = BTreeMap::new();
        if let Some(s) = snapshot {
            for (_, r) in ctx.rows_of(id) {
                if r.record.as_of == s && r.record.status.is_present() {
                    held.insert(&r.record.system, (&r.record.account, r.seq));
                }
            }
        }
        for (_, x) in ctx.executions_of(id) {
            let r = &x.record;
            if r.at <= t
                && r.outcome == Outcome::Succeeded
                && r.action.adds_access()
                && snapshot.is_none_or(|s| r.at > s)
            {
                held.insert(&r.system, (&r.account, x.seq));
            }
        }
        for (system, (account, held_seq)) in held {
            let base = |check, summary: String| {
                Finding::new(check, summary)
                    .identity(Some(id))
                    .system(Some(system))
                    .account(Some(account))
                    .evidence([event.seq, held_seq])
            };
            // Removals from a day before the effective time on are the leaver process.
            let last_removal = ctx
                .executions_of(id)
                .filter(|(_, x)| {
                    let r = &x.record;
                    &r.system == system
                        && r.outcome == Outcome::Succeeded
                        && r.action.removes_access()
                        && r.at >= t - DAY
                })
                .max_by_key(|(_, x)| x.record.at);
            match last_removal {
                None => out.push(base(
                    LEAVER_NOT_REVOKED,
                    format!(
                        "left {}; access on {system} never revoked",
                        t.format("%Y-%m-%d %H:%M")
                    ),
                )),
                Some((_, removal)) => {
                    let Some(policy) = ctx.policy.systems.get(system) else {
                        continue;
                    };
                    let deadline = policy.revocation_deadline(Tier::Standard);
                    let took = removal.record.at - t;
                    if took > deadline {
                        out.push(
                            base(
                                LEAVER_REVOKED_LATE,
                                format!(
                                    "revoked {}h after leaving; deadline {}h",
                                    took.num_hours(),
                                    deadline.num_hours()
                                ),
                            )
                            .evidence([removal.seq]),
                        );
                    }
                }
            }
        }
        // Anything done in the departed identity's name afterwards, per system.
        let mut activity: BTreeMap<&SystemId, Vec<u64>> = BTreeMap::new();
        for x in ctx.executions_by(id) {
            if x.record.at > t {
                activity.entry(&x.record.system).or_default().push(x.seq);
            }
        }
        for (_, r) in ctx.rows_of(id) {
            if r.record.last_used_at.is_some_and(|u| u > t) {
                activity.entry(&r.record.system).or_default().push(r.seq);
            }
        }
        for (system, seqs) in activity {
            out.push(
                Finding::new(
                    ACTIVITY_AFTER_TERMINATION,
                    format!(
                        "activity on {system} after leaving on {}",
                        t.format("%Y-%m-%d %H:%M")
                    ),
                )
                .identity(Some(id))
                .system(Some(system))
                .evidence([event.seq])
                .evidence(seqs),
            );
        }
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
        let Some(snapshot) = ctx.last_snapshot_before(t) else {
            continue;
        };
        for (_, row) in ctx.rows_of(id) {
            let r = &row.record;
            if r.as_of != snapshot || !r.status.is_present() {
                continue;
            }
            let ent = r.entitlement.as_deref().unwrap_or_default();
            let old_only = ctx.policy.expects_for_role(Some(prior), &r.system, ent)
                && !ctx.policy.expects_for_role(Some(new), &r.system, ent);
            if !old_only {
                continue;
            }
            let removed = ctx.executions_on(&r.system, &r.account).any(|x| {
                let x = &x.record;
                x.outcome == Outcome::Succeeded
                    && x.at >= t - DAY
                    && x.at <= t + window
                    && (matches!(
                        x.action,
                        ProvisioningAction::Disable | ProvisioningAction::Delete
                    ) || (x.action == ProvisioningAction::Revoke
                        && x.entitlement.as_deref() == Some(ent)))
            });
            if !removed {
                out.push(
                    Finding::new(
                        MOVER_RETAINED_ACCESS,
                        format!(
                            "moved from {prior} to {new}; old-role {ent} not removed within {}",
                            ctx.policy.movers.transition_window
                        ),
                    )
                    .identity(Some(id))
                    .system(Some(&r.system))
                    .account(Some(&r.account))
                    .entitlement(Some(ent))
                    .evidence([event.seq, row.seq]),
                );
            }
        }
    }
}

fn unexplained_removals(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, stored) in ctx.executions() {
        let x = &stored.record;
        if !ctx.in_period(x.at) || x.outcome != Outcome::Succeeded || !x.action.removes_access() {
            continue;
        }
        let Some(id) = ctx.subject(i) else { continue };
        let ent = x.entitlement.as_deref().unwrap_or_default();
        let by_event = ctx.events_of(id).any(|e| {
            let e = &e.record;
            x.at >= e.effective_at - DAY
                && (e.event_type.is_departure()
                    || (e.event_type == LifecycleEventType::Mover
                        && e.attributes.previous_role.as_deref().is_some_and(|prior| {
                            let new = e.attributes.role.as_deref().unwrap_or_default();
                            if x.action == ProvisioningAction::Revoke {
                                ctx.policy.expects_for_role(Some(prior), &x.system, ent)
                                    && !ctx.policy.expects_for_role(Some(new), &x.system, ent)
                            } else {
                                // Disabling the whole account: the new role has nothing there.
                                !ctx.policy
                                    .profile(new)
                                    .is_some_and(|p| p.entitlements.contains_key(&x.system))
                            }
                        })))
        });
        // Approvals are looked at only when no event explains the removal.
        let by_approval = || {
            ctx.approvals_of(id).any(|a| {
                a.record.system == x.system
                    && a.record.entitlement == ent
                    && a.record.decided_at <= x.at
            })
        };
        if !by_event && !by_approval() {
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
                .evidence([stored.seq]),
            );
        }
    }
}
