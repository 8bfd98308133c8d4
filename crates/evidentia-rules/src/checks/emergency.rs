//! Emergency access (issue #19): just-in-time entitlements may be switched on fast, but each
//! activation must end by the policy's maximum duration.

use evidentia_domain::{Outcome, ProvisioningAction, SystemId};

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
    let uses = &ctx.evidence.emergency_uses;
    let used = |u: &&evidentia_domain::EmergencyUse| ctx.in_period(u.activated_at);
    let on = AccountLog::new(
        ctx,
        uses.iter()
            .map(|s| &s.record)
            .filter(used)
            .map(|u| (&u.system, u.account.as_str())),
        true,
    );
    for stored in uses {
        let u = &stored.record;
        if !ctx.in_period(u.activated_at) {
            continue;
        }
        // The log's own record of the use (the same system, account and second), when there.
        let logged = on
            .executions(&u.system, &u.account)
            .iter()
            .map(|&i| &ctx.evidence.executions[i])
            .find(|x| x.record.at == u.activated_at)
            .map(|x| x.cite())
            .or_else(|| {
                on.activity(&u.system, &u.account)
                    .iter()
                    .map(|&i| &ctx.evidence.activity[i])
                    .find(|a| {
                        a.record.any_within(
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
    // The activations (index, JIT entitlement, maximum), found once: matching an entitlement
    // to the policy's globs is the costly part of a pass over a million executions.
    let activations: Vec<_> = executions
        .iter()
        .enumerate()
        .filter_map(|(i, stored)| {
            let x = &stored.record;
            if x.outcome != Outcome::Succeeded
                || x.action != ProvisioningAction::Grant
                || !ctx.in_period(x.at)
            {
                return None;
            }
            let it = item(x.entitlement.as_deref());
            let max = ctx.policy.emergency.jit_max(&x.system, it)?;
            Some((i, it, max.as_delta()))
        })
        .collect();
    let on = AccountLog::new(
        ctx,
        activations.iter().map(|&(i, _, _)| {
            let x = &executions[i].record;
            (&x.system, x.account.as_str())
        }),
        false,
    );
    for &(i, it, max) in &activations {
        let stored = &executions[i];
        let x = &stored.record;
        let ended = on
            .executions(&x.system, &x.account)
            .iter()
            .map(|&j| &executions[j])
            .find(|y| {
                let r = &y.record;
                r.outcome == Outcome::Succeeded
                    && r.at >= x.at
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

/// An account as the emergency checks match it: the same system, the name trimmed and compared
/// ignoring ASCII case.
type AccountKey = (SystemId, String);

fn account_key(system: &SystemId, account: &str) -> AccountKey {
    (system.clone(), account.trim().to_ascii_lowercase())
}

/// The executions (and, if asked, activity summaries) on a few accounts, each list in ledger
/// order, gathered in one pass over the evidence: a scan of the whole log per activation or
/// register row took minutes at a million executions (issue #19's benchmark).
struct AccountLog {
    keys: Vec<AccountKey>,
    executions: Vec<Vec<usize>>,
    activity: Vec<Vec<usize>>,
}

impl AccountLog {
    fn new<'s>(
        ctx: &Context<'_>,
        accounts: impl Iterator<Item = (&'s SystemId, &'s str)>,
        with_activity: bool,
    ) -> Self {
        let mut keys: Vec<AccountKey> = accounts.map(|(s, a)| account_key(s, a)).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut log = AccountLog {
            executions: vec![Vec::new(); keys.len()],
            activity: vec![Vec::new(); keys.len()],
            keys,
        };
        if log.keys.is_empty() {
            return log;
        }
        // Each distinct account name is normalised once, not once per execution.
        let numbered: Vec<Option<usize>> = (0..ctx.account_count())
            .map(|n| ctx.account_name(n).and_then(|(s, a)| log.position(s, a)))
            .collect();
        for (i, x) in ctx.executions() {
            let at = match ctx.execution_account(i) {
                Some(n) => numbered.get(n).copied().flatten(),
                None => log.position(&x.record.system, &x.record.account),
            };
            if let Some(k) = at {
                log.executions[k].push(i);
            }
        }
        if with_activity {
            let mut systems: Vec<&SystemId> = log.keys.iter().map(|(s, _)| s).collect();
            systems.dedup();
            for (i, a) in ctx.evidence.activity.iter().enumerate() {
                let r = &a.record;
                if systems.contains(&&r.system)
                    && let Some(k) = log.position(&r.system, &r.account)
                {
                    log.activity[k].push(i);
                }
            }
        }
        log
    }

    fn position(&self, system: &SystemId, account: &str) -> Option<usize> {
        self.keys.binary_search(&account_key(system, account)).ok()
    }

    fn executions(&self, system: &SystemId, account: &str) -> &[usize] {
        self.position(system, account)
            .map_or(&[], |k| self.executions[k].as_slice())
    }

    fn activity(&self, system: &SystemId, account: &str) -> &[usize] {
        self.position(system, account)
            .map_or(&[], |k| self.activity[k].as_slice())
    }
}
