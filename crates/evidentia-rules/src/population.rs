//! How many items each check examined in the period: the evidence a control's status rests
//! on. A check that examined nothing cannot say a control worked.

use std::collections::{BTreeMap, HashSet};

use evidentia_domain::{IdentityKind, LifecycleEventType, Outcome};

use crate::Context;

/// Items examined per check id.
pub(crate) fn populations(ctx: &Context<'_>) -> BTreeMap<&'static str, usize> {
    let in_period_execs: Vec<usize> = ctx
        .executions()
        .filter(|(_, x)| ctx.in_period(x.record.at))
        .map(|(i, _)| i)
        .collect();
    let exec = |i: usize| &ctx.evidence.executions[i].record;
    let grants = in_period_execs
        .iter()
        .filter(|&&i| {
            exec(i).outcome == Outcome::Succeeded
                && exec(i).action.adds_access()
                && ctx.subject(i).is_some()
        })
        .count();
    let removals = in_period_execs
        .iter()
        .filter(|&&i| {
            exec(i).outcome == Outcome::Succeeded
                && exec(i).action.removes_access()
                && ctx.subject(i).is_some()
        })
        .count();
    let events_of = |pred: &dyn Fn(LifecycleEventType) -> bool| {
        ctx.evidence
            .events
            .iter()
            .filter(|e| ctx.in_period(e.record.effective_at) && pred(e.record.event_type))
            .count()
    };
    let departures = events_of(&|t| t.is_departure());
    let movers = events_of(&|t| t == LifecycleEventType::Mover);
    let rows_in_period = ctx
        .rows()
        .filter(|(_, r)| ctx.in_period(r.record.as_of) && ctx.present(&r.record))
        .count();
    // Distinct accounts ignoring case: accounts are numbered as written, so only the few
    // thousand distinct names are lower-cased, not every execution's and row's.
    let mut seen = vec![false; ctx.account_count()];
    let written = in_period_execs
        .iter()
        .filter_map(|&i| ctx.execution_account(i))
        .chain(
            ctx.rows()
                .filter(|(_, r)| ctx.in_period(r.record.as_of))
                .filter_map(|(i, _)| ctx.row_account(i)),
        );
    for n in written {
        if let Some(flag) = seen.get_mut(n) {
            *flag = true;
        }
    }
    let accounts: HashSet<(&str, String)> = seen
        .iter()
        .enumerate()
        .filter(|(_, seen)| **seen)
        .filter_map(|(n, _)| ctx.account_name(n))
        .map(|(system, account)| (system.as_str(), account.to_lowercase()))
        .collect();
    let nhis = ctx
        .identity_kinds()
        .values()
        .filter(|k| !k.is_human())
        .count();
    let credentials = ctx
        .identity_kinds()
        .values()
        .filter(|k| {
            matches!(
                k,
                IdentityKind::AccessKey | IdentityKind::ApiToken | IdentityKind::Certificate
            )
        })
        .count();
    let exceptions = ctx.evidence.exceptions.len();
    BTreeMap::from([
        ("EV-GRANT-WITHOUT-APPROVAL", grants),
        ("EV-ACCESS-BEFORE-APPROVAL", grants),
        ("EV-SELF-APPROVAL", grants),
        ("EV-PRIVILEGED-WITHOUT-SECURITY-APPROVAL", grants),
        ("EV-LEAVER-NOT-REVOKED", departures),
        ("EV-LEAVER-REVOKED-LATE", departures),
        ("EV-ACTIVITY-AFTER-TERMINATION", departures),
        ("EV-MOVER-RETAINED-ACCESS", movers),
        ("EV-SOD-CONFLICT", rows_in_period),
        ("EV-EXECUTION-FAILED-UNCONFIRMED", in_period_execs.len()),
        ("EV-CHANGE-WITHOUT-AUTHORITATIVE-EVENT", removals),
        ("EV-ORPHAN-ACCOUNT", accounts.len()),
        ("EV-UNEXPECTED-ENTITLEMENT", rows_in_period),
        ("EV-EXCEPTION-EXPIRED-ACTIVE", exceptions),
        ("EV-EXCEPTION-NO-OWNER", exceptions),
        ("EV-EXCEPTION-NO-EXPIRY", exceptions),
        ("EV-EXCEPTION-TOO-LONG", exceptions),
        ("EV-NHI-WITHOUT-OWNER", nhis),
        ("EV-NHI-OWNER-LEFT", nhis),
        ("EV-NHI-CREDENTIAL-LONG-LIVED", credentials),
        ("EV-NHI-HUMAN-USE", nhis),
    ])
}

/// Items each access-review check examined in the campaigns judged: revoke and modify
/// decisions followed, keep and modify decisions, reviewers, population items where the
/// population was established, campaigns, effective decisions, and decisions on systems whose
/// snapshot at the start was known.
pub(crate) fn reviewed(judged: &[crate::reviews::Judged<'_>]) -> BTreeMap<&'static str, usize> {
    use crate::checks::reviews as r;
    use evidentia_domain::ReviewVerdict;
    let mut revokes = 0;
    let mut certified = 0;
    let mut reviewers = 0;
    let mut items = 0;
    let mut effective = 0;
    let mut placed = 0;
    for j in judged {
        revokes += j.review.revokes.len();
        reviewers += j.review.reviewers.len();
        items += j.review.systems.iter().map(|s| s.population).sum::<usize>();
        for d in &j.decisions {
            let verdict = d.stored.record.decision;
            if matches!(verdict, ReviewVerdict::Keep | ReviewVerdict::Modify)
                && d.stored.record.decided_at.is_some()
            {
                certified += 1;
            }
            effective += usize::from(d.effective);
            placed += usize::from(d.snapshot.is_some());
        }
    }
    BTreeMap::from([
        (r::REVOKE_NOT_EXECUTED, revokes),
        (r::REVOKE_LATE, revokes),
        (r::REVOKE_CONTRADICTED, revokes),
        (r::SELF_REVIEW, certified),
        (r::RUBBER_STAMP, reviewers),
        (r::INCOMPLETE, items),
        (r::OVERDUE, judged.len()),
        (r::PRIVILEGED_REVIEWER, effective),
        (r::OUTSIDE_POPULATION, placed),
    ])
}
