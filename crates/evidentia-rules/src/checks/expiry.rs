//! Time-bound access (issue #19): an approval with an expiry authorises access until then, and
//! access still held after it is its own finding, not drift: the evidence names the approval
//! and what shows the access outlived it.

use evidentia_domain::{Approval, Decision, Timestamp};

use crate::holdings::{Snapshot, Timeline, snapshot_from};
use crate::{Context, Finding, Stored};

pub(crate) const ACCESS_PAST_EXPIRY: &str = "EV-ACCESS-PAST-EXPIRY";

/// One gap, one finding (convention 17): access judged past its approval's expiry is not also
/// drift for the same identity, system and entitlement.
pub(crate) fn supersede_drift(out: &mut Vec<Finding>) {
    // A set: a list searched once per finding costs findings × expiries comparisons.
    let past: std::collections::BTreeSet<_> = out
        .iter()
        .filter(|f| f.check == ACCESS_PAST_EXPIRY)
        .map(|f| {
            (
                f.identity.clone(),
                f.system.clone(),
                f.entitlement.as_deref().map(str::to_lowercase),
            )
        })
        .collect();
    out.retain(|f| {
        f.check != crate::checks::access::UNEXPECTED_ENTITLEMENT
            || !past.contains(&(
                f.identity.clone(),
                f.system.clone(),
                f.entitlement.as_deref().map(str::to_lowercase),
            ))
    });
}

pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for approval in &ctx.evidence.approvals {
        let a = &approval.record;
        let Some(expiry) = a.expires_at else {
            continue;
        };
        // Exceptions are judged by the exception checks; a removal request grants nothing.
        if a.decision != Decision::Approved || a.exception || a.removal || expiry >= ctx.as_of {
            continue;
        }
        if !ctx.in_period(expiry) || renewed(ctx, approval, expiry) {
            continue;
        }
        judge(ctx, approval, expiry, out);
    }
}

/// Another approval for the same access decided by the expiry and lasting past it (or without
/// an end) continues the cover (convention 14's renewal, for time-bound approvals).
fn renewed(ctx: &Context<'_>, approval: &Stored<Approval>, expiry: Timestamp) -> bool {
    let a = &approval.record;
    ctx.approvals_for(&a.subject, &a.system, &a.entitlement)
        .iter()
        .any(|other| {
            other.cite() != approval.cite()
                && !other.record.removal
                && other.record.decided_at <= expiry
                && other.record.expires_at.is_none_or(|e| e > expiry)
        })
}

fn judge(
    ctx: &Context<'_>,
    approval: &Stored<Approval>,
    expiry: Timestamp,
    out: &mut Vec<Finding>,
) {
    let a = &approval.record;
    let (id, system, item) = (&a.subject, &a.system, a.entitlement.as_str());
    // Only access the approval put (or kept) in place can outlive it: a grant of it in the
    // window, or a listing in the window that shows it. Access first seen after the expiry is
    // drift (EV-UNEXPECTED-ENTITLEMENT), not this.
    let granted = ctx.executions_of(id).map(|(_, x)| x).find(|x| {
        let r = &x.record;
        &r.system == system
            && r.outcome == evidentia_domain::Outcome::Succeeded
            && r.action.adds_access()
            && r.entitlement
                .as_deref()
                .is_some_and(|e| e.trim().eq_ignore_ascii_case(item))
            && r.at >= a.decided_at - crate::context::DAY
            && r.at <= expiry
    });
    let listed = ctx.rows_of(id).map(|(_, r)| r).find(|r| {
        let rec = &r.record;
        &rec.system == system
            && ctx.present(rec)
            && rec.as_of >= a.decided_at
            && rec.as_of <= expiry
            && rec
                .entitlement
                .as_deref()
                .is_some_and(|e| e.trim().eq_ignore_ascii_case(item))
    });
    let account = match (granted, listed) {
        (Some(x), _) => x.record.account.clone(),
        (None, Some(r)) => r.record.account.clone(),
        (None, None) => return,
    };
    let timeline = Timeline::new(ctx, id, system, a.decided_at);
    let base = |summary: String| {
        Finding::new(ACCESS_PAST_EXPIRY, summary)
            .identity(Some(id))
            .system(Some(system))
            .account(Some(&account))
            .entitlement(Some(item))
            .evidence([approval.cite()])
    };
    let ends = expiry.format("%Y-%m-%d %H:%M UTC");
    match timeline.item_gone_from(item, a.decided_at) {
        // Removed by the end: in time (exactly at it is in time, convention 9).
        Some(x) if x.record.at <= expiry => {}
        Some(x) => out.push(
            base(format!(
                "{item} on {system} approved until {ends}, removed only {}",
                x.record.at.format("%Y-%m-%d %H:%M")
            ))
            .evidence([x.cite()]),
        ),
        None => match snapshot_from(ctx, id, system, item, true, expiry, ctx.as_of) {
            Some(Snapshot::Shows { at, row }) => out.push(
                base(format!(
                    "{item} on {system} approved until {ends}; the listing of {} still shows it",
                    at.format("%Y-%m-%d %H:%M")
                ))
                .evidence([row]),
            ),
            // Gone from the next listing: removed, at a time the evidence does not tell.
            Some(Snapshot::Lacks { .. }) => {}
            None if ctx.is_logged(system) => out.push(base(format!(
                "{item} on {system} approved until {ends}; no removal in its log"
            ))),
            None => {}
        },
    }
}
