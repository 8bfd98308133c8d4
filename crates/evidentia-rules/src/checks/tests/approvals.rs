//! Decision checks beyond the table in `approvals.rs`: what counts as a matching approval,
//! which executions need one, and privileged approvals decided after the grant.

use evidentia_domain::{ApproverRole, Decision, ProvisioningAction};

use super::*;
use crate::checks::access::ORPHAN_ACCOUNT;
use crate::checks::approvals::{
    ACCESS_BEFORE_APPROVAL, GRANT_WITHOUT_APPROVAL, PRIVILEGED_WITHOUT_SECURITY, SELF_APPROVAL,
};

#[test]
fn approval_matching_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [person("e1", "engineer")];
    let security = |r| with_approval(r, |a| a.approver_role = ApproverRole::Security);
    let cases = vec![
        (
            "a rejected approval is no approval",
            vec![
                with_approval(approval("e1", "aws", "PowerUser", t() - h(1)), |a| {
                    a.decision = Decision::Rejected;
                }),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "an approval for another system is no approval",
            vec![
                approval("e1", "github", "PowerUser", t() - h(1)),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "an account creation is matched by an approval of the item `account`",
            vec![
                approval("e1", "finance", "account", t() - h(1)),
                exec("finance", e1, ProvisioningAction::CreateAccount, None, t()),
            ],
            vec![],
        ),
        (
            "an account creation with no approval",
            vec![exec(
                "finance",
                e1,
                ProvisioningAction::CreateAccount,
                None,
                t(),
            )],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "a grant to an account nobody owns is an orphan, not unapproved",
            vec![grant("aws", "ghost", "PowerUser", t())],
            vec![ORPHAN_ACCOUNT],
        ),
        (
            "a failed grant needs no approval",
            vec![
                outcome(
                    grant("aws", e1, "PowerUser", t()),
                    evidentia_domain::Outcome::Failed,
                ),
                grant("aws", e1, "PowerUser", t() + m(10)),
                approval("e1", "aws", "PowerUser", t() + m(5)),
            ],
            vec![],
        ),
        (
            "a grant before the period is not checked",
            vec![grant("aws", e1, "PowerUser", at(2024, 12, 31, 0))],
            vec![],
        ),
        (
            "approved only after the grant, twice: one finding",
            vec![
                approval("e1", "aws", "PowerUser", t() + h(1)),
                approval("e1", "aws", "PowerUser", t() + h(2)),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![ACCESS_BEFORE_APPROVAL],
        ),
        (
            "privileged: security approved, but only after the grant",
            vec![
                approval("e1", "aws", "Admins", t() - h(1)),
                security(approval("e1", "aws", "Admins", t() + h(1))),
                grant("aws", e1, "Admins", t()),
            ],
            vec![PRIVILEGED_WITHOUT_SECURITY],
        ),
        (
            "privileged: security approved one second before",
            vec![
                security(approval("e1", "aws", "Admins", t() - s(1))),
                grant("aws", e1, "Admins", t()),
            ],
            vec![],
        ),
        (
            "the latest request before the grant decides self-approval",
            vec![
                with_approval(approval("e1", "aws", "PowerUser", t() - h(2)), |a| {
                    a.approver = IdentityId::new("e1");
                    a.id = ApprovalId::new("RITM-OLD");
                }),
                approval("e1", "aws", "PowerUser", t() - h(1)),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![],
        ),
        (
            "the latest request before the grant was approved by the subject",
            vec![
                with_approval(approval("e1", "aws", "PowerUser", t() - h(2)), |a| {
                    a.id = ApprovalId::new("RITM-OLD");
                }),
                with_approval(approval("e1", "aws", "PowerUser", t() - h(1)), |a| {
                    a.approver = IdentityId::new("e1");
                }),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![SELF_APPROVAL],
        ),
    ];
    run_table(&base, cases);
}
