//! One departure in one system, judged once for the leaver checks and the evidence chain
//! alike: what was held, when it was fully removed, and what the system's snapshots say.

use std::collections::BTreeSet;

use chrono::TimeDelta;
use evidentia_domain::{Execution, IdentityId, ProvisioningAction, SystemId, Tier, Timestamp};

use crate::authority::ACCOUNT;
use crate::context::DAY;
use crate::holdings::{Snapshot, Timeline, snapshot_from};
use crate::{Cite, Context, Stored};

/// How a departure ended in one system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Fully removed within the deadline (exactly at it is on time).
    OnTime,
    /// Fully removed after the deadline.
    Late,
    /// Not removed: no removal in the system's log and its next snapshot still shows the
    /// access (`row`), or none at all and the system's log would show one; or removed in the
    /// log but the next snapshot still shows access.
    NotRevoked { row: Option<Cite> },
    /// No removal in the log, but a later snapshot no longer shows the access: removed, at a
    /// time the evidence does not tell.
    RemovedUnlogged { at: Timestamp },
    /// The deadline had not passed at the end of the period.
    NotYetDue,
}

/// A departure in one system where the identity held access.
#[derive(Debug, Clone)]
pub(crate) struct Outcome<'a> {
    /// The account that held access, as written, and the entry that shows it.
    pub account: String,
    pub held_seq: Cite,
    /// When removal was due.
    pub deadline: Timestamp,
    /// The change that removed the last access, from a day before the departure on.
    pub removal: Option<&'a Stored<Execution>>,
    /// Failed or queued removal attempts from a day before the departure on.
    pub attempts: Vec<&'a Stored<Execution>>,
    pub verdict: Verdict,
    /// The first snapshot at or after the removal (or the departure) and what it showed.
    pub confirmation: Option<Snapshot>,
}

/// The systems in scope where an identity has any record: candidates for a departure.
pub(crate) fn systems_of<'a>(ctx: &Context<'a>, id: &IdentityId) -> BTreeSet<&'a SystemId> {
    let mut systems: BTreeSet<&'a SystemId> = BTreeSet::new();
    systems.extend(ctx.rows_of(id).map(|(_, r)| &r.record.system));
    systems.extend(ctx.executions_of(id).map(|(_, x)| &x.record.system));
    systems.retain(|s| ctx.policy.systems.contains_key(*s));
    systems
}

/// Judges the departure of `id` at `t` in `system`; `None` when nothing was held there.
pub(crate) fn judge<'a>(
    ctx: &Context<'a>,
    id: &IdentityId,
    t: Timestamp,
    system: &SystemId,
) -> Option<Outcome<'a>> {
    let from = t - DAY;
    let timeline = Timeline::new(ctx, id, system, from);
    let held = timeline.held_between(from, t);
    let (account, held_seq) = held.account()?;
    let (account, held_seq) = (account.to_owned(), held_seq);
    // Where entitlements were held, the bare account left in a later snapshot is no access.
    let bare = held.items().is_empty();
    let tier = if held
        .items()
        .iter()
        .any(|(_, item, _)| ctx.policy.tiers.classify(system, item) == Tier::Privileged)
    {
        Tier::Privileged
    } else {
        Tier::Standard
    };
    let allowed = ctx
        .policy
        .systems
        .get(system)
        .map_or(TimeDelta::days(1), |s| s.revocation_deadline(tier));
    let deadline = t + allowed;
    let removal = timeline.emptied_from(from);
    let attempts: Vec<_> = timeline
        .attempts
        .iter()
        .copied()
        .filter(|x| x.record.at >= from && x.record.action.removes_access())
        .collect();
    let after = |at: Timestamp| at + TimeDelta::seconds(1);
    let (verdict, confirmation) = match removal {
        Some(x) => {
            let next = snapshot_from(
                ctx,
                id,
                system,
                ACCOUNT,
                bare,
                after(x.record.at),
                ctx.as_of,
            );
            // An account disabled or deleted in the log is gone, whatever an inventory that
            // still lists its memberships says; a removal by revoking entitlements is
            // contradicted by a next snapshot that still shows one.
            let account_gone = matches!(
                x.record.action,
                ProvisioningAction::Disable | ProvisioningAction::Delete
            );
            let verdict = match next {
                Some(Snapshot::Shows { row, .. }) if !account_gone => {
                    Verdict::NotRevoked { row: Some(row) }
                }
                _ if x.record.at > deadline => Verdict::Late,
                _ => Verdict::OnTime,
            };
            let next = next.filter(|n| !account_gone || matches!(n, Snapshot::Lacks { .. }));
            (verdict, next)
        }
        None => {
            let soon = snapshot_from(
                ctx,
                id,
                system,
                ACCOUNT,
                bare,
                after(t),
                deadline.min(ctx.as_of),
            );
            let due = snapshot_from(ctx, id, system, ACCOUNT, bare, deadline, ctx.as_of);
            match (due, soon) {
                (Some(s @ Snapshot::Shows { row, .. }), _) => {
                    (Verdict::NotRevoked { row: Some(row) }, Some(s))
                }
                (Some(s @ Snapshot::Lacks { at }), _)
                | (None, Some(s @ Snapshot::Lacks { at })) => {
                    (Verdict::RemovedUnlogged { at }, Some(s))
                }
                (None, soon) if deadline >= ctx.as_of => (Verdict::NotYetDue, soon),
                (None, Some(s @ Snapshot::Shows { row, .. })) => {
                    (Verdict::NotRevoked { row: Some(row) }, Some(s))
                }
                (None, None) => (Verdict::NotRevoked { row: None }, None),
            }
        }
    };
    Some(Outcome {
        account,
        held_seq,
        deadline,
        removal,
        attempts,
        verdict,
        confirmation,
    })
}
