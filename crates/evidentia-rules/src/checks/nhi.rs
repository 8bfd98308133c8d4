//! Non-human identity governance: an accountable owner who is still here, credentials that
//! are rotated, and no human use of a service identity.

use std::collections::BTreeMap;

use evidentia_domain::{
    IdentityId, IdentityKind, Outcome, ProvisioningAction, SystemId, Timestamp,
};

use crate::context::sorted;
use crate::{Cite, Context, Finding};

pub(crate) const WITHOUT_OWNER: &str = "EV-NHI-WITHOUT-OWNER";
pub(crate) const OWNER_LEFT: &str = "EV-NHI-OWNER-LEFT";
pub(crate) const CREDENTIAL_LONG_LIVED: &str = "EV-NHI-CREDENTIAL-LONG-LIVED";
pub(crate) const HUMAN_USE: &str = "EV-NHI-HUMAN-USE";

/// Whether an owner was gone at `left` and did not come back (a rehire) before the end of the
/// period: only then is the NHI left without its owner.
fn authority_gone(ctx: &Context<'_>, owner: &IdentityId, left: Timestamp) -> bool {
    !ctx.events_of(owner).any(|e| {
        e.record.effective_at > left
            && e.record.effective_at < ctx.as_of
            && e.record.event_type == evidentia_domain::LifecycleEventType::Joiner
    })
}

pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (id, kind) in ctx.identity_kinds() {
        if kind.is_human() || ctx.departed.get(id).is_some_and(|(t, _)| *t < ctx.as_of) {
            continue;
        }
        // Ownership is about the identity, named with the system it lives in.
        let system = ctx.home.get(id);
        let history = ctx.owner_history.get(id).map_or(&[][..], Vec::as_slice);
        let entries = sorted(history.iter().map(|h| h.2));
        if history.last().is_none_or(|(_, owner, _)| owner.is_none()) {
            out.push(
                Finding::new(
                    WITHOUT_OWNER,
                    format!("{} {id} has no accountable owner", kind.as_str()),
                )
                .identity(Some(id))
                .system(system)
                .evidence(entries.iter().copied()),
            );
        }
        // The owner of record leaving makes the NHI an orphan in waiting: a finding when it is
        // still theirs at the end of the period (or, with `[nhi].owner_handover`, when it was
        // handed over later than that after they left).
        let mut owner_left: Option<(&IdentityId, Timestamp, Cite, Option<Timestamp>)> = None;
        for (i, (since, owner, _)) in history.iter().enumerate() {
            let Some(owner) = owner else { continue };
            let Some(&(left, left_seq)) = ctx.departed.get(owner) else {
                continue;
            };
            if left >= ctx.as_of || !authority_gone(ctx, owner, left) {
                continue;
            }
            let handover = history[i + 1..]
                .iter()
                .find(|(t, other, _)| *t > *since && other.as_ref() != Some(owner))
                .map(|(t, _, _)| *t)
                .filter(|t| *t < ctx.as_of);
            let late = match (handover, ctx.policy.nhi.owner_handover) {
                (None, _) => true,
                (Some(t), Some(window)) => t > left.max(*since) + window.as_delta(),
                (Some(_), None) => false,
            };
            if late {
                owner_left = Some((owner, left, left_seq, handover));
            }
        }
        if let Some((owner, left, left_seq, handover)) = owner_left {
            let what = match handover {
                None => "still its owner of record at the end of the period".to_owned(),
                Some(t) => format!("handed over only on {}", t.format("%Y-%m-%d")),
            };
            out.push(
                Finding::new(
                    OWNER_LEFT,
                    format!("owner {owner} left on {}; {what}", left.format("%Y-%m-%d")),
                )
                .identity(Some(id))
                .system(system)
                .evidence(entries.iter().copied())
                .evidence([left_seq]),
            );
        }
        // A key, token or certificate ages from its creation; any NHI whose catalog records
        // when its current credential was issued ages from then (platform-managed
        // credentials, which a catalog does not date, are not judged).
        let issued = ctx
            .events_of(id)
            .rev()
            .find_map(|e| Some((e.record.attributes.credential_issued_at?, e.cite())));
        let credential_kind = matches!(
            kind,
            IdentityKind::AccessKey | IdentityKind::ApiToken | IdentityKind::Certificate
        );
        if credential_kind || issued.is_some() {
            let created = match (credential_kind, history.first()) {
                (true, Some(h)) => Some(h.0),
                (true, None) => Some(ctx.period_start),
                (false, _) => None,
            };
            let rotation = ctx
                .executions_of(id)
                .filter(|(_, x)| {
                    x.record.outcome == Outcome::Succeeded
                        && matches!(
                            x.record.action,
                            ProvisioningAction::CredentialRotated
                                | ProvisioningAction::CredentialCreated
                        )
                })
                .max_by_key(|(_, x)| x.record.at);
            let Some(last) = [
                created,
                issued.map(|i| i.0),
                rotation.map(|(_, x)| x.record.at),
            ]
            .into_iter()
            .flatten()
            .max() else {
                continue;
            };
            let max_age = ctx.policy.nhi.credential_max_age_for(*kind);
            if ctx.as_of - last > max_age.as_delta() {
                out.push(
                    Finding::new(
                        CREDENTIAL_LONG_LIVED,
                        format!(
                            "{} credential last issued or rotated {}: {} days old; maximum {max_age}",
                            kind.as_str(),
                            last.format("%Y-%m-%d"),
                            (ctx.as_of - last).num_days()
                        ),
                    )
                    .identity(Some(id))
                    .system(system)
                    .evidence(entries.iter().copied())
                    .evidence(issued.map(|i| i.1))
                    .evidence(rotation.map(|(_, x)| x.cite())),
                );
            }
        }
    }
    interactive_sign_ins(ctx, out);
    for (_, stored) in ctx.executions() {
        let x = &stored.record;
        if !ctx.in_period(x.at) || x.outcome != Outcome::Succeeded {
            continue;
        }
        let interactive = x
            .source_event_type
            .as_deref()
            .is_some_and(|t| ctx.policy.nhi.is_interactive(t));
        if !interactive {
            continue;
        }
        let Some(owner) = ctx.owner_of(&x.system, &x.account) else {
            continue;
        };
        if ctx
            .identity_kinds()
            .get(&owner)
            .is_some_and(|k| !k.is_human())
        {
            out.push(
                Finding::new(
                    HUMAN_USE,
                    format!(
                        "{} made the service identity usable interactively",
                        x.source_event_type
                            .as_deref()
                            .unwrap_or("an interactive change")
                    ),
                )
                .identity(Some(&owner))
                .system(Some(&x.system))
                .account(Some(&x.account))
                .entitlement(x.entitlement.as_deref())
                .evidence([stored.cite()]),
            );
        }
    }
}

/// A person signing in as a non-human identity: an interactive sign-in (a console login, a
/// browser SSO session, a password SSH login, `su` to it) that succeeded in the period on an
/// account that belongs to an NHI. One finding per NHI, system and account.
fn interactive_sign_ins(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    /// (account as written, evidence entries, how it was used) per NHI, system and account.
    type Uses<'a> = BTreeMap<(&'a IdentityId, &'a SystemId, String), (&'a str, Vec<Cite>, String)>;
    let mut found: Uses<'_> = BTreeMap::new();
    for (i, stored) in ctx.evidence.activity.iter().enumerate() {
        let a = &stored.record;
        let interactive = a.interactive
            || a.event_types
                .iter()
                .any(|t| ctx.policy.nhi.is_interactive(t));
        // A break-glass account exists to be signed into by a person: its uses are judged by
        // the emergency checks (convention 17).
        if a.outcome != Outcome::Succeeded
            || !interactive
            || !a.any_within(ctx.period_start, ctx.as_of)
            || ctx.policy.emergency.is_break_glass(&a.system, &a.account)
        {
            continue;
        }
        let Some(owner) = ctx.activity_owner(i) else {
            continue;
        };
        if ctx.identity_kinds().get(owner).is_none_or(|k| k.is_human()) {
            continue;
        }
        let entry = found
            .entry((owner, &a.system, a.account.to_lowercase()))
            .or_insert_with(|| {
                let how = format!(
                    "{} {}×, first {} ({}){}",
                    a.event_types
                        .first()
                        .map_or("sign-in", evidentia_domain::Name::as_str),
                    a.count,
                    a.first.at.format("%Y-%m-%d %H:%M"),
                    a.first.location,
                    a.clients
                        .first()
                        .map_or(String::new(), |c| format!(", client {c}"))
                );
                (a.account.as_str(), Vec::new(), how)
            });
        entry.1.push(stored.cite());
    }
    for ((owner, system, _), (account, seqs, how)) in found {
        out.push(
            Finding::new(
                HUMAN_USE,
                format!("interactive sign-in as the service identity: {how}"),
            )
            .identity(Some(owner))
            .system(Some(system))
            .account(Some(account))
            .evidence(seqs),
        );
    }
}
