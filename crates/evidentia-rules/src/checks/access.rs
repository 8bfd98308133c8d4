//! What the systems actually hold: forbidden combinations, changes that never landed, accounts
//! nobody owns, and access nothing explains.

use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeDelta;
use evidentia_domain::{
    Decision, IdentityId, LifecycleEventType, Outcome, ProvisioningAction, SystemId,
};

use crate::{Context, Finding};

pub(crate) const SOD_CONFLICT: &str = "EV-SOD-CONFLICT";
pub(crate) const EXECUTION_FAILED_UNCONFIRMED: &str = "EV-EXECUTION-FAILED-UNCONFIRMED";
pub(crate) const ORPHAN_ACCOUNT: &str = "EV-ORPHAN-ACCOUNT";
pub(crate) const UNEXPECTED_ENTITLEMENT: &str = "EV-UNEXPECTED-ENTITLEMENT";

/// How long a failed or queued change may wait for the system to confirm a retry.
const CONFIRMATION_WINDOW: TimeDelta = TimeDelta::days(7);

pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    separation_of_duties(ctx, out);
    unconfirmed(ctx, out);
    orphans(ctx, out);
    drift(ctx, out);
}

fn separation_of_duties(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    // Grouping every snapshot by owner is only worth it when there is a rule to break.
    if ctx.policy.separation_of_duties.is_empty() {
        return;
    }
    let snapshots: Vec<_> = ctx.snapshot_times().filter(|t| ctx.in_period(*t)).collect();
    for at in snapshots {
        for (id, rows) in ctx.rows_by_owner(ctx.present_rows(at)) {
            let held: Vec<(SystemId, String)> = rows
                .iter()
                .map(|&i| {
                    let r = &ctx.evidence.reconciliations[i].record;
                    (r.system.clone(), r.entitlement.clone().unwrap_or_default())
                })
                .collect();
            for rule in ctx.policy.sod_conflicts(&held) {
                // An unexpired exception for either side makes the combination deliberate.
                let covered = ctx.evidence.exceptions.iter().any(|x| {
                    let x = &x.record;
                    let system = x.system.clone().unwrap_or_else(|| SystemId::new(""));
                    x.subject.as_ref() == Some(id)
                        && x.effective_expiry().is_some_and(|e| e > at)
                        && x.entitlement.as_deref().is_some_and(|e| {
                            rule.a.matches(&system, e) || rule.b.matches(&system, e)
                        })
                });
                if covered {
                    continue;
                }
                let side = |r: &evidentia_policy::EntitlementRef| {
                    rows.iter().copied().find(|&i| {
                        let row = &ctx.evidence.reconciliations[i].record;
                        r.matches(&row.system, row.entitlement.as_deref().unwrap_or_default())
                    })
                };
                let (Some(a), Some(b)) = (side(&rule.a), side(&rule.b)) else {
                    continue;
                };
                let row_b = &ctx.evidence.reconciliations[b];
                out.push(
                    Finding::new(
                        SOD_CONFLICT,
                        format!(
                            "holds both sides of {} on {}: {}",
                            rule.id,
                            at.format("%Y-%m-%d"),
                            rule.reason
                        ),
                    )
                    .identity(Some(id))
                    .system(Some(&row_b.record.system))
                    .account(Some(&row_b.record.account))
                    .entitlement(row_b.record.entitlement.as_deref())
                    .evidence([ctx.evidence.reconciliations[a].seq, row_b.seq]),
                );
            }
        }
    }
}

fn unconfirmed(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, stored) in ctx.executions() {
        let x = &stored.record;
        if !ctx.in_period(x.at) || x.outcome == Outcome::Succeeded {
            continue;
        }
        // The same change succeeding later confirms it; a queued account creation is confirmed
        // by any later successful add on the account (the account exists then).
        let confirmed = ctx.executions_on(&x.system, &x.account).any(|y| {
            let y = &y.record;
            y.outcome == Outcome::Succeeded
                && y.at > x.at
                && y.at <= x.at + CONFIRMATION_WINDOW
                && ((y.action == x.action && y.entitlement == x.entitlement)
                    || (x.action == ProvisioningAction::CreateAccount && y.action.adds_access()))
        });
        if !confirmed {
            out.push(
                Finding::new(
                    EXECUTION_FAILED_UNCONFIRMED,
                    format!(
                        "{} on {} {} and was not confirmed within 7 days{}",
                        x.action.as_str(),
                        x.system,
                        x.outcome.as_str(),
                        x.failure_reason
                            .as_deref()
                            .map_or(String::new(), |r| format!(" ({r})"))
                    ),
                )
                .identity(ctx.subject(i))
                .system(Some(&x.system))
                .account(Some(&x.account))
                .entitlement(x.entitlement.as_deref())
                .evidence([stored.seq]),
            );
        }
    }
}

fn orphans(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<(&SystemId, &str), Vec<u64>> = BTreeMap::new();
    for (i, x) in ctx.executions() {
        let r = &x.record;
        if ctx.in_period(r.at) && ctx.subject(i).is_none() && ctx.is_orphan(&r.system, &r.account) {
            seen.entry((&r.system, &r.account)).or_default().push(x.seq);
        }
    }
    for (i, row) in ctx.rows() {
        let r = &row.record;
        if ctx.in_period(r.as_of)
            && r.status.is_present()
            && ctx.row_owner(i).is_none()
            && ctx.is_orphan(&r.system, &r.account)
        {
            seen.entry((&r.system, &r.account))
                .or_default()
                .push(row.seq);
        }
    }
    for ((system, account), seqs) in seen {
        out.push(
            Finding::new(
                ORPHAN_ACCOUNT,
                format!("account {account} on {system} belongs to no known identity"),
            )
            .system(Some(system))
            .account(Some(account))
            .evidence(seqs.into_iter().take(10)),
        );
    }
}

fn drift(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut reported: BTreeSet<(&IdentityId, &SystemId, &str)> = BTreeSet::new();
    for (i, row) in ctx.rows() {
        let r = &row.record;
        if !ctx.in_period(r.as_of) || !r.status.is_present() {
            continue;
        }
        let Some(id) = ctx.row_owner(i) else { continue };
        if ctx.departed.get(id).is_some_and(|(t, _)| *t <= r.as_of) {
            continue;
        }
        let ent = r.entitlement.as_deref().unwrap_or_default();
        if reported.contains(&(id, &r.system, ent)) {
            continue;
        }
        let Some(kind) = ctx.identity_kinds().get(id) else {
            continue;
        };
        // Each explanation is tried only when the cheaper ones before it failed: most rows
        // are birthright access and stop at the first.
        let expected = || {
            if kind.is_human() {
                ctx.role_at(id, r.as_of)
                    .is_some_and(|role| ctx.policy.expects_for_role(Some(role), &r.system, ent))
            } else {
                ctx.policy.expects_for_nhi(*kind, &r.system, ent)
            }
        };
        let approved = || {
            ctx.approvals_of(id).any(|a| {
                let a = &a.record;
                a.decision == Decision::Approved
                    && a.system == r.system
                    && a.entitlement.eq_ignore_ascii_case(ent)
                    && a.decided_at <= r.as_of
                    && a.expires_at.is_none_or(|x| x > r.as_of)
            })
        };
        let excepted = || {
            ctx.evidence.exceptions.iter().any(|x| {
                let x = &x.record;
                x.subject.as_ref() == Some(id)
                    && x.system.as_ref() == Some(&r.system)
                    && x.entitlement.as_deref() == Some(ent)
            })
        };
        let old_role = || {
            ctx.events_of(id).any(|e| {
                let e = &e.record;
                e.event_type == LifecycleEventType::Mover
                    && e.attributes
                        .previous_role
                        .as_deref()
                        .is_some_and(|p| ctx.policy.expects_for_role(Some(p), &r.system, ent))
            })
        };
        // Logged as added in the period on this very account.
        let was_logged = || {
            ctx.executions_on(&r.system, &r.account).any(|x| {
                ctx.in_period(x.record.at)
                    && x.record.action.adds_access()
                    && x.record.entitlement.as_deref() == Some(ent)
            })
        };
        if !(expected() || approved() || excepted() || old_role() || was_logged()) {
            reported.insert((id, &r.system, ent));
            out.push(
                Finding::new(
                    UNEXPECTED_ENTITLEMENT,
                    format!(
                        "{ent} on {} explained by neither profile, approval nor exception (seen {})",
                        r.system,
                        r.as_of.format("%Y-%m-%d")
                    ),
                )
                .identity(Some(id))
                .system(Some(&r.system))
                .account(Some(&r.account))
                .entitlement(Some(ent))
                .evidence([row.seq]),
            );
        }
    }
}
