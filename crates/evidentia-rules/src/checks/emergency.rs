//! Emergency access (issue #19): just-in-time entitlements may be switched on fast, but each
//! activation must end by the policy's maximum duration.

use evidentia_domain::{Outcome, ProvisioningAction};

use crate::authority::item;
use crate::checks::approvals::human_duration;
use crate::{Context, Finding};

pub(crate) const EMERGENCY_HELD_TOO_LONG: &str = "EV-EMERGENCY-HELD-TOO-LONG";

/// `EV-EMERGENCY-HELD-TOO-LONG`: an activation of a just-in-time entitlement (its grant in the
/// log, in the period) not ended within `[emergency.jit]`'s maximum for it: the next removal
/// of it from the account (revoked, or the account disabled or deleted) came later, or none did
/// by the end of the period. Exactly the maximum is in time.
pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if ctx.policy.emergency.jit.is_empty() {
        return;
    }
    let executions = &ctx.evidence.executions;
    for (i, stored) in executions.iter().enumerate() {
        let x = &stored.record;
        if x.outcome != Outcome::Succeeded
            || x.action != ProvisioningAction::Grant
            || !ctx.in_period(x.at)
        {
            continue;
        }
        let it = item(x.entitlement.as_deref());
        let Some(max) = ctx.policy.emergency.jit_max(&x.system, it) else {
            continue;
        };
        let max = max.as_delta();
        let ended = executions.iter().find(|y| {
            let r = &y.record;
            r.outcome == Outcome::Succeeded
                && r.system == x.system
                && r.at >= x.at
                && r.account.trim().eq_ignore_ascii_case(x.account.trim())
                && match r.action {
                    ProvisioningAction::Revoke => {
                        item(r.entitlement.as_deref()).eq_ignore_ascii_case(it)
                    }
                    ProvisioningAction::Disable | ProvisioningAction::Delete => true,
                    _ => false,
                }
        });
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
