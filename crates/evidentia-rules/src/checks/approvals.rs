//! Decision checks: was each grant approved, before it happened, by someone other than the
//! subject, the requester and (for privileged access) the executor, in the roles the tier needs?

use evidentia_domain::{Approval, ApproverRole, Decision, Outcome, Tier};

use crate::context::is_credential_change;
use crate::{Cite, Context, Finding, Stored, authority};

pub(crate) const GRANT_WITHOUT_APPROVAL: &str = "EV-GRANT-WITHOUT-APPROVAL";
pub(crate) const ACCESS_BEFORE_APPROVAL: &str = "EV-ACCESS-BEFORE-APPROVAL";
pub(crate) const SELF_APPROVAL: &str = "EV-SELF-APPROVAL";
pub(crate) const PRIVILEGED_WITHOUT_SECURITY: &str = "EV-PRIVILEGED-WITHOUT-SECURITY-APPROVAL";

pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>, birthright: &mut Vec<Cite>) {
    for (i, stored) in ctx.executions() {
        let x = &stored.record;
        // Only changes that took effect and add access need a decision behind them; credential
        // events are not grants (convention 5).
        if !ctx.in_period(x.at)
            || x.outcome != Outcome::Succeeded
            || !x.action.adds_access()
            || is_credential_change(x.action)
        {
            continue;
        }
        // An account no identity explains is the orphan check's business.
        let Some(subject) = ctx.subject(i) else {
            continue;
        };
        let item = authority::item(x.entitlement.as_deref());
        // Joining a block or quarantine group narrows access (convention 6).
        if ctx.is_deny(&x.system, item) {
            continue;
        }
        // A just-in-time activation uses an eligibility approved once: it needs no request of
        // its own and is judged by the emergency checks (review, duration) instead, unless
        // the policy requires an approval per activation.
        if crate::checks::emergency::is_preapproved_activation(ctx, x) {
            continue;
        }
        // Birthright and the NHI's catalog entry authorise without a ticket (conventions 1, 2).
        let account = authority::creates_account(x);
        if authority::birthright(ctx, subject, &x.system, item, x.at)
            || (account && authority::birthright(ctx, subject, &x.system, authority::ACCOUNT, x.at))
        {
            birthright.push(stored.cite());
            continue;
        }
        let base = |check, summary: String| {
            Finding::new(check, summary)
                .identity(Some(subject))
                .system(Some(&x.system))
                .account(Some(&x.account))
                .entitlement(x.entitlement.as_deref())
        };
        let matched = authority::requests_for(ctx, subject, x);
        let requests = matched.requests();
        let approved: Vec<&authority::Request<'_>> =
            requests.iter().filter(|r| r.in_force_at(x.at)).collect();
        let Some(decision) = approved.iter().copied().max_by_key(|r| r.approved_at(x.at)) else {
            // A valid exception stands in for the approval (convention 3).
            let excepted = |it| authority::valid_exception(ctx, subject, &x.system, it, x.at);
            if excepted(item).is_some()
                || (account && excepted(authority::ACCOUNT).is_some())
                || authority::referenced_exception(ctx, subject, x).is_some()
            {
                continue;
            }
            let later = requests
                .iter()
                .filter(|r| !r.rejected_by(x.at))
                .filter_map(|r| r.first_approved())
                .filter(|a| a.record.decided_at > x.at)
                .min_by_key(|a| (a.record.decided_at, a.cite()));
            if let Some(a) = later {
                out.push(
                    base(
                        ACCESS_BEFORE_APPROVAL,
                        format!(
                            "{item} granted on {} {} before request {} was approved",
                            x.system,
                            human_duration(a.record.decided_at - x.at),
                            a.record.id
                        ),
                    )
                    .evidence([stored.cite(), a.cite()]),
                );
                continue;
            }
            let why = match &matched {
                authority::Matched::ByReference { id, requests } if requests.is_empty() => {
                    format!("it cites request {id}, which is about another identity or system")
                }
                _ => match requests.iter().find(|r| r.rejected_by(x.at)) {
                    Some(r) => format!("request {} was rejected", r.id),
                    None => "no approval, birthright or exception covers it".to_owned(),
                },
            };
            out.push(
                base(
                    GRANT_WITHOUT_APPROVAL,
                    format!("{item} granted on {}: {why}", x.system),
                )
                .evidence([stored.cite()])
                .evidence(
                    requests
                        .iter()
                        .flat_map(|r| r.rows.iter().map(|a| a.cite())),
                ),
            );
            continue;
        };
        let rows: Vec<&Stored<Approval>> = decision
            .decided_by(x.at)
            .filter(|a| a.record.decision == Decision::Approved)
            .collect();
        // The policy classifies; a ticket's own tier is what the requester claimed.
        let tier = ctx.policy.tiers.classify(&x.system, item);
        let executor = ctx.actor_identity(x);
        let self_approved = rows.iter().find_map(|a| {
            let approver = ctx.person(&a.record.approver);
            let requester = a.record.requester.as_ref().map(|r| ctx.person(r));
            if approver == subject {
                Some((a, "the subject approved their own access".to_owned()))
            } else if requester == Some(approver) {
                Some((
                    a,
                    format!("the requester {approver} approved their own request"),
                ))
            } else if tier == Tier::Privileged && executor.as_ref() == Some(approver) {
                Some((
                    a,
                    format!("privileged grant executed by its own approver {approver}"),
                ))
            } else {
                None
            }
        });
        if let Some((a, summary)) = self_approved {
            out.push(base(SELF_APPROVAL, summary).evidence([stored.cite(), a.cite()]));
        }
        if tier == Tier::Privileged {
            // Every role the tier requires, across the approving rows of the requests (a
            // multi-approver request is several rows with one id; convention 8).
            let before: Vec<&Stored<Approval>> = approved
                .iter()
                .flat_map(|r| r.decided_by(x.at))
                .filter(|a| a.record.decision == Decision::Approved)
                .collect();
            let roles: Vec<ApproverRole> = before.iter().map(|a| a.record.approver_role).collect();
            let missing = ctx.policy.tiers.privileged.missing_roles(&roles);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|r| r.as_str()).collect();
                out.push(
                    base(
                        PRIVILEGED_WITHOUT_SECURITY,
                        format!(
                            "privileged {item} approved without a {} approval by the time of the grant",
                            names.join(" or ")
                        ),
                    )
                    .evidence([stored.cite()])
                    .evidence(before.iter().map(|a| a.cite())),
                );
            }
        }
    }
}

/// "2h", "26h", "3 days": how far apart two events were, the way a report says it.
pub(crate) fn human_duration(d: chrono::TimeDelta) -> String {
    let minutes = d.num_minutes().abs();
    if minutes < 60 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        format!("{}h", minutes / 60)
    } else {
        format!("{} days", minutes / (24 * 60))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone, Utc};
    use evidentia_domain::*;
    use evidentia_policy::Policy;

    use crate::{Evidence, Stored, analyze};

    const POLICY: &str = r#"format = "evidentia-policy/1"
[organisation]
name = "T"
[systems.aws]
name = "AWS"
criticality = "critical"
[tiers.privileged]
approvers = ["security"]
entitlements = { aws = ["Admins"] }
"#;

    fn t0() -> Timestamp {
        Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0)
            .single()
            .expect("time")
    }

    fn person(id: &str) -> Stored<LifecycleEvent> {
        Stored::new(
            1,
            LifecycleEvent {
                id: EventId::new(format!("HR-{id}")),
                identity: IdentityId::new(id),
                identity_kind: IdentityKind::Employee,
                event_type: LifecycleEventType::Joiner,
                effective_at: t0() - TimeDelta::days(100),
                attributes: LifecycleAttributes {
                    email: Some(format!("{id}@x.example")),
                    ..Default::default()
                },
                reason: None,
            },
        )
    }

    fn grant(entitlement: &str, actor: Option<&str>) -> Stored<Execution> {
        Stored::new(
            10,
            Execution {
                system: SystemId::new("aws"),
                account: "e1@x.example".into(),
                action: ProvisioningAction::Grant,
                entitlement: Some(entitlement.into()),
                actor: actor.map(Into::into),
                at: t0(),
                outcome: Outcome::Succeeded,
                failure_reason: None,
                request_ref: None,
                source_event_id: None,
                source_event_type: None,
            },
        )
    }

    fn approval(
        entitlement: &str,
        decided: TimeDelta,
        approver: &str,
        role: ApproverRole,
        requester: &str,
    ) -> Stored<Approval> {
        Stored::new(
            5,
            Approval {
                removal: false,
                id: ApprovalId::new("RITM1"),
                subject: IdentityId::new("e1"),
                entitlement: entitlement.into(),
                system: SystemId::new("aws"),
                requester: Some(IdentityId::new(requester)),
                approver: IdentityId::new(approver),
                approver_role: role,
                decision: Decision::Approved,
                decided_at: t0() + decided,
                tier: Tier::Standard,
                justification: None,
                expires_at: None,
                exception: false,
            },
        )
    }

    /// Runs the checks over one grant with the given approvals; returns the check ids found.
    fn check(
        entitlement: &str,
        actor: Option<&str>,
        approvals: Vec<Stored<Approval>>,
    ) -> Vec<&'static str> {
        let policy = Policy::from_toml(POLICY, "test.toml").expect("policy");
        // One approval about someone else, so approvals count as imported (convention 13).
        let mut unrelated = approval(
            "Other",
            TimeDelta::days(-300),
            "mgr",
            ApproverRole::Manager,
            "mgr",
        );
        unrelated.record.subject = IdentityId::new("nobody");
        let evidence = Evidence {
            events: vec![person("e1"), person("mgr"), person("sec")],
            approvals: std::iter::once(unrelated).chain(approvals).collect(),
            executions: vec![grant(entitlement, actor)],
            ..Evidence::default()
        };
        analyze(&evidence, &policy, t0() + TimeDelta::days(30))
            .findings
            .iter()
            .map(|f| f.check)
            .collect()
    }

    #[test]
    fn approval_checks_table() {
        use ApproverRole::*;
        let s = TimeDelta::seconds;
        // (case, entitlement granted, executor, approvals, expected checks)
        type Case<'a> = (
            &'a str,
            &'a str,
            Option<&'a str>,
            Vec<Stored<Approval>>,
            Vec<&'a str>,
        );
        let cases: Vec<Case> = vec![
            (
                "no approval at all",
                "Readers",
                None,
                vec![],
                vec![super::GRANT_WITHOUT_APPROVAL],
            ),
            (
                "approved one second before",
                "Readers",
                None,
                vec![approval("Readers", s(-1), "mgr", Manager, "e1")],
                vec![],
            ),
            (
                "approved at the same second",
                "Readers",
                None,
                vec![approval("Readers", s(0), "mgr", Manager, "e1")],
                vec![],
            ),
            (
                "approved one second after",
                "Readers",
                None,
                vec![approval("Readers", s(1), "mgr", Manager, "e1")],
                vec![super::ACCESS_BEFORE_APPROVAL],
            ),
            (
                "approval for another entitlement",
                "Readers",
                None,
                vec![approval("Writers", s(-60), "mgr", Manager, "e1")],
                vec![super::GRANT_WITHOUT_APPROVAL],
            ),
            (
                "subject approved own access",
                "Readers",
                None,
                vec![approval("Readers", s(-60), "e1", Manager, "mgr")],
                vec![super::SELF_APPROVAL],
            ),
            (
                "requester approved own request",
                "Readers",
                None,
                vec![approval("Readers", s(-60), "mgr", Manager, "mgr")],
                vec![super::SELF_APPROVAL],
            ),
            (
                "privileged, security approved",
                "Admins",
                None,
                vec![approval("Admins", s(-60), "sec", Security, "mgr")],
                vec![],
            ),
            (
                "privileged, manager only",
                "Admins",
                None,
                vec![approval("Admins", s(-60), "mgr", Manager, "e1")],
                vec![super::PRIVILEGED_WITHOUT_SECURITY],
            ),
            (
                "privileged, executed by its approver",
                "Admins",
                Some("sec@x.example"),
                vec![approval("Admins", s(-60), "sec", Security, "mgr")],
                vec![super::SELF_APPROVAL],
            ),
            (
                "standard, executed by its approver",
                "Readers",
                Some("mgr@x.example"),
                vec![approval("Readers", s(-60), "mgr", Manager, "e1")],
                vec![],
            ),
        ];
        for (name, entitlement, actor, approvals, expected) in cases {
            assert_eq!(check(entitlement, actor, approvals), expected, "{name}");
        }
    }
}
