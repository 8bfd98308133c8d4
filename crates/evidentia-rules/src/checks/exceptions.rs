//! Exception governance: every exception needs an owner and an expiry, may not outlast the
//! policy's maximum for its tier, and must not leave access in place once it has expired.

use evidentia_domain::ReconciliationStatus;

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
        let allowed = ctx.policy.exceptions.max_duration(e.tier);
        let lasted = expiry - e.granted_at;
        if lasted > allowed.as_delta() {
            out.push(base(
                TOO_LONG,
                format!(
                    "{} days for a {} exception; maximum {allowed}",
                    lasted.num_days(),
                    e.tier.as_str()
                ),
            ));
        }
        if expiry < ctx.as_of {
            // Still there after expiry: a later reconciliation shows the subject's access.
            let (Some(subject), Some(system)) = (&e.subject, &e.system) else {
                continue;
            };
            let present = ctx.evidence.reconciliations.iter().find(|r| {
                let rec = &r.record;
                &rec.system == system
                    && rec.as_of > expiry
                    && rec.status != ReconciliationStatus::ExpectedMissing
                    && e.entitlement.as_deref().is_none_or(|ent| {
                        rec.entitlement
                            .as_deref()
                            .is_some_and(|x| x.eq_ignore_ascii_case(ent))
                    })
                    && ctx.owner_of(&rec.system, &rec.account) == Some(subject)
            });
            if let Some(r) = present {
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
}
