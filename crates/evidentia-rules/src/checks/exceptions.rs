//! Exception governance: every exception needs an owner and an expiry, may not outlast the
//! policy's maximum for its tier, and must not leave access in place once it has expired.

use crate::{Context, Finding};

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
                .identity(e.subject.as_ref())
                .system(e.system.as_ref())
                .entitlement(e.entitlement.as_deref())
                .exception(&e.id)
                .evidence([stored.seq])
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
        let lasted = expiry - e.granted_at;
        if lasted > allowed.as_delta() {
            out.push(base(
                TOO_LONG,
                format!(
                    "{} days for a {} exception; maximum {allowed}",
                    lasted.num_days(),
                    tier.as_str()
                ),
            ));
        }
        // Still there after expiry: a later snapshot shows the subject holding the access.
        let Some(subject) = &e.subject else { continue };
        let still = ctx.rows_of(subject).find(|(_, r)| {
            let rec = &r.record;
            rec.as_of > expiry
                && rec.status.is_present()
                && Some(&rec.system) == e.system.as_ref()
                && rec.entitlement == e.entitlement
        });
        if let Some((_, r)) = still {
            out.push(
                base(
                    EXPIRED_ACTIVE,
                    format!(
                        "exception {} expired {}; the access was still present on {}",
                        e.id,
                        expiry.format("%Y-%m-%d"),
                        r.record.as_of.format("%Y-%m-%d")
                    ),
                )
                .evidence([r.seq]),
            );
        }
    }
}
