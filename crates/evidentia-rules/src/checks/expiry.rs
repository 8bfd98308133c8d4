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
    ctx.approvals_for(ctx.person(&a.subject), &a.system, &a.entitlement)
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
    // The ticket names its subject as people write them (a name, an e-mail): the identity
    // the evidence is filed under is what it resolves to.
    let id = ctx.person(&a.subject);
    let (system, item) = (&a.system, a.entitlement.as_str());
    let of_item = |e: Option<&str>| e.is_some_and(|e| e.trim().eq_ignore_ascii_case(item));
    let grants = || {
        ctx.executions_of(id).map(|(_, x)| x).filter(move |x| {
            let r = &x.record;
            &r.system == system
                && r.outcome == evidentia_domain::Outcome::Succeeded
                && r.action.adds_access()
                && of_item(r.entitlement.as_deref())
        })
    };
    let timeline = Timeline::new(ctx, id, system, a.decided_at);
    let finding = |account: &str, summary: String| {
        Finding::new(ACCESS_PAST_EXPIRY, summary)
            .identity(Some(id))
            .system(Some(system))
            .account(Some(account))
            .entitlement(Some(item))
            .evidence([approval.cite()])
    };
    let ends = expiry.format("%Y-%m-%d %H:%M UTC");
    if let Some(x) = timeline.item_gone_from(item, a.decided_at) {
        // Removed by the end: in time (exactly at it is in time, convention 9).
        if x.record.at > expiry {
            out.push(
                finding(
                    &x.record.account,
                    format!(
                        "{item} on {system} approved until {ends}, removed only {}",
                        x.record.at.format("%Y-%m-%d %H:%M")
                    ),
                )
                .evidence([x.cite()]),
            );
        }
        return;
    }
    match snapshot_from(ctx, id, system, item, true, expiry, ctx.as_of) {
        // A listing after the end still shows it. Unless the log shows it granted anew after
        // the end (a new grant, judged by the approval checks), it is the access this approval
        // covered, even when it was granted before the log begins and first listed after the
        // end: nothing else ever authorised it, and drift would lose the approval that did.
        Some(Snapshot::Shows { at, row }) => {
            if grants().any(|x| x.record.at > expiry && x.record.at <= at) {
                return;
            }
            let Some(shown) = ctx.rows_of(id).map(|(_, r)| r).find(|r| r.cite() == row) else {
                return;
            };
            out.push(
                finding(
                    &shown.record.account,
                    format!(
                        "{item} on {system} approved until {ends}; the listing of {} still shows it",
                        at.format("%Y-%m-%d %H:%M")
                    ),
                )
                .evidence([row]),
            );
        }
        // Gone from the next listing: removed, at a time the evidence does not tell.
        Some(Snapshot::Lacks { .. }) => {}
        // No listing after the end: only access known to have been in place can be said to
        // have outlived it, and only a log can say it was never removed.
        None if ctx.is_logged(system) => {
            // Access the approval put (or kept) in place: a grant of it from the decision to the
            // expiry, or a listing in that window that shows it.
            let granted = grants().find(|x| {
                x.record.at >= a.decided_at - crate::context::DAY && x.record.at <= expiry
            });
            let listed = ctx.rows_of(id).map(|(_, r)| r).find(|r| {
                let rec = &r.record;
                &rec.system == system
                    && ctx.present(rec)
                    && rec.as_of >= a.decided_at
                    && rec.as_of <= expiry
                    && of_item(rec.entitlement.as_deref())
            });
            let account = match (granted, listed) {
                (Some(x), _) => &x.record.account,
                (None, Some(r)) => &r.record.account,
                (None, None) => return,
            };
            out.push(finding(
                account,
                format!("{item} on {system} approved until {ends}; no removal in its log"),
            ));
        }
        None => {}
    }
}
