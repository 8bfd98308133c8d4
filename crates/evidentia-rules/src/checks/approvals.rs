//! Decision checks: was each grant approved, before it happened, by someone other than the
//! subject, the requester and (for privileged access) the executor, in the roles the tier needs?

use evidentia_domain::{Approval, ApproverRole, Decision, Outcome, Tier};

use crate::{Context, Finding, Stored};

pub(crate) const GRANT_WITHOUT_APPROVAL: &str = "EV-GRANT-WITHOUT-APPROVAL";
pub(crate) const ACCESS_BEFORE_APPROVAL: &str = "EV-ACCESS-BEFORE-APPROVAL";
pub(crate) const SELF_APPROVAL: &str = "EV-SELF-APPROVAL";
pub(crate) const PRIVILEGED_WITHOUT_SECURITY: &str = "EV-PRIVILEGED-WITHOUT-SECURITY-APPROVAL";

pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, stored) in ctx.executions() {
        let x = &stored.record;
        // Only changes that took effect and add access need a decision behind them.
        if !ctx.in_period(x.at) || x.outcome != Outcome::Succeeded || !x.action.adds_access() {
            continue;
        }
        // An account no identity explains is the orphan check's business.
        let Some(subject) = ctx.subject(i) else {
            continue;
        };
        let item = x.entitlement.as_deref().unwrap_or("account");
        let base = |check, summary: String| {
            Finding::new(check, summary)
                .identity(Some(subject))
                .system(Some(&x.system))
                .account(Some(&x.account))
                .entitlement(x.entitlement.as_deref())
        };
        // One pass over the subject's approvals for this grant: whether there is any, the
        // first decided, and the latest decided by the time of the grant (ties: ledger order,
        // first for the earliest, last for the latest).
        let matching = || {
            ctx.approvals_of(subject).filter(|a| {
                a.record.decision == Decision::Approved
                    && a.record.system == x.system
                    && a.record.entitlement.eq_ignore_ascii_case(item)
            })
        };
        let mut first: Option<&Stored<Approval>> = None;
        let mut latest_before: Option<&Stored<Approval>> = None;
        for a in matching() {
            let key = (a.record.decided_at, a.seq);
            if first.is_none_or(|f| key < (f.record.decided_at, f.seq)) {
                first = Some(a);
            }
            if a.record.decided_at <= x.at
                && latest_before.is_none_or(|l| key >= (l.record.decided_at, l.seq))
            {
                latest_before = Some(a);
            }
        }
        if first.is_none() {
            out.push(
                base(
                    GRANT_WITHOUT_APPROVAL,
                    format!("{item} granted on {} with no approval", x.system),
                )
                .evidence([stored.seq]),
            );
            continue;
        }
        let Some(decision) = latest_before else {
            let lag = first.map(|a| a.record.decided_at - x.at);
            out.push(
                base(
                    ACCESS_BEFORE_APPROVAL,
                    format!(
                        "{item} granted {} before its approval was decided",
                        lag.map_or_else(|| "earlier".to_owned(), human_duration)
                    ),
                )
                .evidence([stored.seq])
                .evidence(first.map(|a| a.seq)),
            );
            continue;
        };
        let before = || matching().filter(|a| a.record.decided_at <= x.at);
        let a = &decision.record;
        // The policy classifies; a ticket's own tier is what the requester claimed.
        let tier = ctx.policy.tiers.classify(&x.system, item);
        let self_approved = if a.approver == *subject {
            Some("the subject approved their own access".to_owned())
        } else if a.requester.as_ref() == Some(&a.approver) {
            Some(format!(
                "the requester {} approved their own request",
                a.approver
            ))
        } else if tier == Tier::Privileged && ctx.actor_identity(x).as_ref() == Some(&a.approver) {
            Some(format!(
                "privileged grant executed by its own approver {}",
                a.approver
            ))
        } else {
            None
        };
        if let Some(summary) = self_approved {
            out.push(base(SELF_APPROVAL, summary).evidence([stored.seq, decision.seq]));
        }
        if tier == Tier::Privileged {
            let roles: Vec<ApproverRole> = before().map(|a| a.record.approver_role).collect();
            let missing = ctx.policy.tiers.privileged.missing_roles(&roles);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|r| r.as_str()).collect();
                out.push(
                    base(
                        PRIVILEGED_WITHOUT_SECURITY,
                        format!(
                            "privileged {item} approved without a {} approval",
                            names.join(" or ")
                        ),
                    )
                    .evidence([stored.seq])
                    .evidence(before().map(|a| a.seq)),
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
                actor: actor.map(str::to_owned),
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
        let evidence = Evidence {
            events: vec![person("e1"), person("mgr"), person("sec")],
            approvals,
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
