//! Exception governance: every exception needs an owner and an expiry, may not outlast the
//! policy's maximum for its tier, and must not leave access in place once it has expired.

use evidentia_domain::Timestamp;

use crate::{Context, Finding, authority};

pub(crate) const EXPIRED_ACTIVE: &str = "EV-EXCEPTION-EXPIRED-ACTIVE";
pub(crate) const NO_OWNER: &str = "EV-EXCEPTION-NO-OWNER";
pub(crate) const NO_EXPIRY: &str = "EV-EXCEPTION-NO-EXPIRY";
pub(crate) const TOO_LONG: &str = "EV-EXCEPTION-TOO-LONG";

pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for stored in &ctx.evidence.exceptions {
        let e = &stored.record;
        // An exception is about access, not one account: findings name the subject, system,
        // entitlement and the exception itself.
        let base = |check, summary: String| {
            Finding::new(check, summary)
                .identity(e.subject.as_ref().map(|s| ctx.person(s)))
                .system(e.system.as_ref())
                .entitlement(e.entitlement.as_deref())
                .exception(&e.id)
                .evidence([stored.cite()])
        };
        if e.owner.is_none() {
            out.push(base(NO_OWNER, format!("exception {} has no owner", e.id)));
        }
        let Some(expiry) = e.effective_expiry() else {
            out.push(base(NO_EXPIRY, format!("exception {} has no expiry", e.id)));
            continue;
        };
        // The policy's tier for the entitlement decides the limit, not the register's column.
        let tier = match (&e.system, &e.entitlement) {
            (Some(system), Some(ent)) => ctx.policy.tiers.classify(system, ent),
            _ => e.tier,
        };
        let allowed = ctx.policy.exceptions.max_duration(tier);
        // Each record and each renewal is its own risk decision with its own duration
        // (convention 14), not the length of the whole chain.
        let longest = authority::cover_intervals(e)
            .into_iter()
            .filter_map(|(from, to)| Some((to? - from, from, to?)))
            .max_by_key(|(lasted, _, _)| *lasted);
        if let Some((lasted, from, to)) = longest.filter(|(l, _, _)| *l > allowed.as_delta()) {
            out.push(base(
                TOO_LONG,
                format!(
                    "{} days ({} to {}) for a {} exception; maximum {allowed}",
                    lasted.num_days(),
                    from.format("%Y-%m-%d"),
                    to.format("%Y-%m-%d"),
                    tier.as_str()
                ),
            ));
        }
        // Still there after the cover ended: a later snapshot shows the subject holding the
        // access while no exception record (this one, a renewal, another record) covers it.
        let (Some(subject), Some(system), Some(ent)) = (&e.subject, &e.system, &e.entitlement)
        else {
            continue;
        };
        let subject = ctx.person(subject);
        let same = |x: &evidentia_domain::ExceptionRecord| {
            x.system.as_ref() == Some(system)
                && x.entitlement
                    .as_deref()
                    .is_some_and(|o| o.trim().eq_ignore_ascii_case(ent.trim()))
        };
        let siblings: Vec<&evidentia_domain::ExceptionRecord> = ctx
            .exceptions_of(subject)
            .map(|x| &x.record)
            .filter(|x| same(x))
            .collect();
        let ends = |x: &evidentia_domain::ExceptionRecord| -> Vec<Timestamp> {
            authority::cover_intervals(x)
                .into_iter()
                .filter_map(|(_, to)| to)
                .collect()
        };
        let mine = ends(e);
        let still = ctx.rows_of(subject).find(|(_, r)| {
            let rec = &r.record;
            if !ctx.present(rec)
                || &rec.system != system
                || !authority::item(rec.entitlement.as_deref()).eq_ignore_ascii_case(ent.trim())
                || siblings.iter().any(|x| authority::covered_at(x, rec.as_of))
            {
                return false;
            }
            // Uncovered: it is this record's finding when its cover ended last before then.
            let last_end = |x: &evidentia_domain::ExceptionRecord| {
                ends(x).into_iter().filter(|t| *t < rec.as_of).max()
            };
            let own = mine.iter().copied().filter(|t| *t < rec.as_of).max();
            own.is_some_and(|own| {
                siblings
                    .iter()
                    .all(|x| last_end(x).is_none_or(|o| o <= own))
            })
        });
        if let Some((_, r)) = still {
            let expired = mine
                .iter()
                .copied()
                .filter(|t| *t < r.record.as_of)
                .max()
                .unwrap_or(expiry);
            out.push(
                base(
                    EXPIRED_ACTIVE,
                    format!(
                        "exception {} expired {}; the access was still present on {}",
                        e.id,
                        expired.format("%Y-%m-%d"),
                        r.record.as_of.format("%Y-%m-%d")
                    ),
                )
                .evidence([r.cite()]),
            );
        }
    }
}
