//! Emergency access (issue #19): just-in-time entitlements may be switched on fast, but each
//! activation must end by the policy's maximum duration.

use evidentia_domain::{Outcome, ProvisioningAction};

use crate::authority::item;
use crate::checks::approvals::human_duration;
use crate::{Context, Finding};

pub(crate) const EMERGENCY_HELD_TOO_LONG: &str = "EV-EMERGENCY-HELD-TOO-LONG";
pub(crate) const EMERGENCY_NO_REVIEW: &str = "EV-EMERGENCY-NO-REVIEW";
pub(crate) const BREAK_GLASS_NO_TICKET: &str = "EV-BREAK-GLASS-NO-TICKET";

/// The register's uses, judged one by one: each needs a post-activation review decided by
/// someone other than its user within `[emergency] review_window` of the use (exactly the
/// window is in time; no window set: not judged), and a break-glass use (a register row with
/// no JIT entitlement) needs the incident or ticket that justified it.
pub(crate) fn register(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let window = ctx.policy.emergency.review_window.map(|w| w.as_delta());
    for stored in &ctx.evidence.emergency_uses {
        let u = &stored.record;
        if !ctx.in_period(u.activated_at) {
            continue;
        }
        // The log's own record of the use (the same system, account and second), when there.
        let logged = ctx
            .evidence
            .executions
            .iter()
            .find(|x| {
                x.record.system == u.system
                    && x.record.at == u.activated_at
                    && x.record
                        .account
                        .trim()
                        .eq_ignore_ascii_case(u.account.trim())
            })
            .map(|x| x.cite())
            .or_else(|| {
                ctx.evidence
                    .activity
                    .iter()
                    .find(|a| {
                        a.record.system == u.system
                            && a.record
                                .account
                                .trim()
                                .eq_ignore_ascii_case(u.account.trim())
                            && a.record.any_within(
                                u.activated_at,
                                u.activated_at + chrono::TimeDelta::seconds(1),
                            )
                    })
                    .map(|a| a.cite())
            });
        let base = |check, summary: String| {
            Finding::new(check, summary)
                .identity(u.used_by.as_ref())
                .system(Some(&u.system))
                .account(Some(&u.account))
                .entitlement(u.entitlement.as_deref())
                .evidence([stored.cite()])
                .evidence(logged)
        };
        let what = match &u.entitlement {
            Some(e) => format!("{e} activated"),
            None => "break-glass sign-in".to_owned(),
        };
        let when = u.activated_at.format("%Y-%m-%d %H:%M UTC");
        if let Some(window) = window {
            let independent = u.reviewer.is_some() && u.reviewer != u.used_by;
            let in_time = u.review_decision.is_some()
                && u.reviewed_at.is_some_and(|r| r - u.activated_at <= window);
            if !(independent && in_time) {
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
                    format!("{what} on {} {when} ({}): {why}", u.system, u.id),
                ));
            }
        }
        if u.entitlement.is_none() && u.ticket.as_deref().is_none_or(|t| t.trim().is_empty()) {
            out.push(base(
                BREAK_GLASS_NO_TICKET,
                format!(
                    "{what} on {} as {} {when} ({}) names no incident or ticket",
                    u.system, u.account, u.id
                ),
            ));
        }
    }
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
