//! What the systems actually hold: forbidden combinations, changes that never landed, accounts
//! nobody owns, and access nothing explains.

use std::collections::{BTreeMap, BTreeSet};

use evidentia_domain::{
    Decision, IdentityId, LifecycleEventType, Outcome, ProvisioningAction, SystemId, Timestamp,
};

use crate::{Cite, Context, Finding, authority};

pub(crate) const SOD_CONFLICT: &str = "EV-SOD-CONFLICT";
pub(crate) const EXECUTION_FAILED_UNCONFIRMED: &str = "EV-EXECUTION-FAILED-UNCONFIRMED";
pub(crate) const ORPHAN_ACCOUNT: &str = "EV-ORPHAN-ACCOUNT";
pub(crate) const UNEXPECTED_ENTITLEMENT: &str = "EV-UNEXPECTED-ENTITLEMENT";

pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    separation_of_duties(ctx, out);
    unconfirmed(ctx, out);
    orphans(ctx, out);
    drift(ctx, out);
}

fn separation_of_duties(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let rules = &ctx.policy.separation_of_duties;
    if rules.is_empty() {
        return;
    }
    // Only rows on either side of some rule can break one.
    let relevant = |i: usize| {
        let r = &ctx.evidence.reconciliations[i].record;
        let ent = r.entitlement.as_deref().unwrap_or_default();
        rules
            .iter()
            .any(|rule| rule.a.matches(&r.system, ent) || rule.b.matches(&r.system, ent))
    };
    // Each system is reconciled at its own moments: at every snapshot moment in the period,
    // what an identity holds is each system's latest snapshot at or before it (convention 11).
    let systems: Vec<&SystemId> = ctx.reconciled_systems().collect();
    let moments: BTreeSet<Timestamp> = systems
        .iter()
        .flat_map(|s| ctx.snapshot_times(s))
        .filter(|t| ctx.in_period(*t))
        .collect();
    for at in moments {
        let mut rows: Vec<usize> = Vec::new();
        for system in &systems {
            if let Some(s) = ctx.last_snapshot_before(system, at) {
                rows.extend(
                    ctx.present_rows(system, s)
                        .iter()
                        .copied()
                        .filter(|&i| relevant(i)),
                );
            }
        }
        for (id, rows) in ctx.rows_by_owner(&rows) {
            let held: Vec<(SystemId, String)> = rows
                .iter()
                .map(|&i| {
                    let r = &ctx.evidence.reconciliations[i].record;
                    (
                        r.system.clone(),
                        r.entitlement.as_deref().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            for rule in ctx.policy.sod_conflicts(&held) {
                // An unexpired exception for either side makes the combination deliberate.
                let covered = ctx.exceptions_of(id).any(|x| {
                    let x = &x.record;
                    let system = x.system.clone().unwrap_or_else(|| SystemId::new(""));
                    authority::covered_at(x, at)
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
                    .evidence([ctx.evidence.reconciliations[a].cite(), row_b.cite()]),
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
        let retried = ctx.executions_on(&x.system, &x.account).any(|y| {
            let y = &y.record;
            y.outcome == Outcome::Succeeded
                && y.at > x.at
                && y.at < ctx.as_of
                && ((y.action == x.action && y.entitlement == x.entitlement)
                    || (x.action == ProvisioningAction::CreateAccount && y.action.adds_access()))
        });
        if retried || confirmed_by_snapshot(ctx, x) {
            continue;
        }
        out.push(
            Finding::new(
                EXECUTION_FAILED_UNCONFIRMED,
                format!(
                    "{} on {} {} and was never confirmed by a later success or the system's next snapshot{}",
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
            .evidence([stored.cite()]),
        );
    }
}

/// Whether the system's next snapshot (in the period) shows the failed or queued change in
/// effect: the access present for an add, gone for a removal.
fn confirmed_by_snapshot(ctx: &Context<'_>, x: &evidentia_domain::Execution) -> bool {
    let want = authority::item(x.entitlement.as_deref());
    let account_only = want.eq_ignore_ascii_case(authority::ACCOUNT)
        || matches!(
            x.action,
            ProvisioningAction::CreateAccount
                | ProvisioningAction::Enable
                | ProvisioningAction::Disable
                | ProvisioningAction::Delete
        );
    // Only a listing that covers the access can show it in effect (or gone).
    let asked = if account_only {
        authority::ACCOUNT
    } else {
        want
    };
    let Some(at) = ctx
        .first_snapshot_covering_after(&x.system, x.at, asked)
        .filter(|at| *at < ctx.as_of)
    else {
        return false;
    };
    let shows = ctx.rows_on(&x.system, &x.account).any(|r| {
        let r = &r.record;
        r.as_of == at
            && ctx.present(r)
            && (account_only
                || authority::item(r.entitlement.as_deref()).eq_ignore_ascii_case(want))
    });
    if x.action.adds_access() {
        shows
    } else {
        !shows
    }
}

fn orphans(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<(&SystemId, &str), Vec<Cite>> = BTreeMap::new();
    for (i, x) in ctx.executions() {
        let r = &x.record;
        if ctx.in_period(r.at) && ctx.subject(i).is_none() && ctx.is_orphan(&r.system, &r.account) {
            seen.entry((&r.system, &r.account))
                .or_default()
                .push(x.cite());
        }
    }
    for (i, row) in ctx.rows() {
        let r = &row.record;
        if ctx.in_period(r.as_of)
            && ctx.present(r)
            && ctx.row_owner(i).is_none()
            && ctx.is_orphan(&r.system, &r.account)
        {
            seen.entry((&r.system, &r.account))
                .or_default()
                .push(row.cite());
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
    let mut reported: BTreeSet<(&IdentityId, &SystemId, String)> = BTreeSet::new();
    for (i, row) in ctx.rows() {
        let r = &row.record;
        // A credential held needs no approval (convention 5): it ages and must go with a
        // leaver, which other checks judge.
        if !ctx.in_period(r.as_of) || !ctx.present(r) || r.credential {
            continue;
        }
        let Some(id) = ctx.row_owner(i) else { continue };
        // A departed identity's remaining access is the leaver checks' business.
        if !authority::active_at(ctx, id, r.as_of) {
            continue;
        }
        let item = authority::item(r.entitlement.as_deref());
        if ctx.is_deny(&r.system, item) {
            continue;
        }
        let key = (id, &r.system, item.to_lowercase());
        if reported.contains(&key) {
            continue;
        }
        // Each explanation is tried only when the cheaper ones before it failed: most rows
        // are birthright access and stop at the first.
        let expected = || authority::birthright(ctx, id, &r.system, item, r.as_of);
        let approved = || {
            ctx.approvals_of(id).any(|a| {
                let a = &a.record;
                a.decision == Decision::Approved
                    && a.decided_at <= r.as_of
                    && a.expires_at.is_none_or(|x| x > r.as_of)
                    && authority::approval_covers(ctx, a, &r.system, item)
            })
        };
        // Access under an exception, expired or not, is judged by the exception checks.
        let excepted = || authority::any_exception(ctx, id, &r.system, item);
        // Old-role access of a move in the period is the mover check's business.
        let old_role = || {
            ctx.events_of(id).any(|e| {
                let e = &e.record;
                e.event_type == LifecycleEventType::Mover
                    && ctx.in_period(e.effective_at)
                    && e.effective_at <= r.as_of
                    && e.attributes
                        .previous_role
                        .as_deref()
                        .is_some_and(|p| ctx.policy.expects_for_role(Some(p), &r.system, item))
            })
        };
        // Added in the period on this very account: its grant is judged by the grant checks.
        let was_logged = || {
            ctx.executions_on(&r.system, &r.account).any(|x| {
                let x = &x.record;
                ctx.in_period(x.at)
                    && x.at <= r.as_of
                    && x.outcome == Outcome::Succeeded
                    && x.action.adds_access()
                    && authority::item(x.entitlement.as_deref()).eq_ignore_ascii_case(item)
            })
        };
        if !(expected() || approved() || excepted() || old_role() || was_logged()) {
            out.push(
                Finding::new(
                    UNEXPECTED_ENTITLEMENT,
                    format!(
                        "{item} on {} explained by neither birthright, approval nor exception (seen {})",
                        r.system,
                        r.as_of.format("%Y-%m-%d")
                    ),
                )
                .identity(Some(id))
                .system(Some(&r.system))
                .account(Some(&r.account))
                .entitlement(r.entitlement.as_deref())
                .evidence([row.cite()]),
            );
            reported.insert(key);
        }
    }
}
