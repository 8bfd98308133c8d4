//! The emergency checks find an activation's end (the earliest in time) and a register row's
//! own log entry among the executions and activity of the same account (trimmed, ASCII case
//! ignored): pinned here because they look them up per account instead of scanning the log.

use super::*;
use crate::checks::emergency::{EMERGENCY_HELD_TOO_LONG, EMERGENCY_NO_REVIEW};

/// Analyses `records` with `uses` in the emergency-access register, numbered after them.
fn judged(records: Vec<R>, uses: Vec<EmergencyUse>) -> crate::Analysis {
    let policy = Policy::from_toml(POLICY, "test.toml").expect("policy");
    let records = records
        .into_iter()
        .chain(uses.into_iter().map(R::Emergency));
    analyze(&evidence_of(records), &policy, as_of())
}

/// The findings of `check`: (account, the entries cited).
fn cited(a: &crate::Analysis, check: &str) -> Vec<(Option<String>, Vec<u64>)> {
    a.findings
        .iter()
        .filter(|f| f.check == check)
        .map(|f| {
            (
                f.account.clone(),
                f.evidence.iter().map(|c| c.seq).collect(),
            )
        })
        .collect()
}

#[test]
fn activation_ends_on_the_same_account_whatever_its_case() {
    let on = at(2025, 5, 10, 9);
    let e1 = mail("e1");
    let world = |ends: Vec<R>| {
        let mut records = vec![
            person("e1", "engineer"),
            person("e2", "engineer"),
            approval("e1", "aws", "BreakGlassAdmins", on - d(30)),
            grant("aws", &e1.to_uppercase(), "BreakGlassAdmins", on),
        ];
        records.extend(ends);
        records
    };
    // Revoked within the 8 hours on the account written another way: in time.
    let a = judged(
        world(vec![revoke(
            "aws",
            &format!("  {e1} "),
            "breakglassadmins",
            on + h(3),
        )]),
        vec![],
    );
    assert_eq!(cited(&a, EMERGENCY_HELD_TOO_LONG), vec![]);
    // Another account's revoke ends nothing; the earliest removal of this account in time
    // (entry 7, logged after entry 6 though earlier) is the end cited.
    let a = judged(
        world(vec![
            revoke("aws", &mail("e2"), "BreakGlassAdmins", on + h(1)),
            revoke("aws", &e1, "BreakGlassAdmins", on + h(10)),
            revoke("aws", &e1, "BreakGlassAdmins", on + h(9)),
        ]),
        vec![],
    );
    assert_eq!(
        cited(&a, EMERGENCY_HELD_TOO_LONG),
        vec![(Some(e1.to_uppercase()), vec![4, 7])]
    );
}

#[test]
fn register_row_cites_its_own_log_entry() {
    let on = at(2025, 5, 10, 9);
    let e1 = mail("e1");
    let unreviewed = |account: &str, entitlement: Option<&str>| EmergencyUse {
        account: account.into(),
        activated_at: on,
        entitlement: entitlement.map(str::to_owned),
        id: "EM-1".into(),
        review_decision: None,
        reviewed_at: None,
        reviewer: None,
        system: SystemId::new("aws"),
        ticket: Some("INC-1".into()),
        used_by: Some(IdentityId::new("e1")),
    };
    let base = vec![
        person("e1", "engineer"),
        person("e2", "engineer"),
        approval("e1", "aws", "BreakGlassAdmins", on - d(30)),
        // Another account's activation at the same second: not this use's entry.
        grant("aws", &mail("e2"), "BreakGlassAdmins", on),
        grant("aws", &e1, "BreakGlassAdmins", on),
        revoke("aws", &mail("e2"), "BreakGlassAdmins", on + h(1)),
        revoke("aws", &e1, "BreakGlassAdmins", on + h(1)),
    ];
    let a = judged(
        base.clone(),
        vec![unreviewed(
            &format!(" {} ", e1.to_uppercase()),
            Some("BreakGlassAdmins"),
        )],
    );
    // e2's activation has no register row at all: never reviewed, on its own grant.
    assert_eq!(
        cited(&a, EMERGENCY_NO_REVIEW),
        vec![
            (Some(format!(" {} ", e1.to_uppercase())), vec![5, 8]),
            (Some(mail("e2")), vec![4]),
        ]
    );
    // A break-glass sign-in with no execution: the sign-in summary covering that second on the
    // same account (written another way) is its entry; another account's is not.
    let mut records = base;
    records.push(sign_in("aws", "breakglass-other", on, on));
    records.push(sign_in("aws", "BreakGlass-Admin", on, on + h(1)));
    let a = judged(records, vec![unreviewed("breakglass-admin", None)]);
    // (This register holds neither activation: both are never reviewed, on their grants.)
    assert_eq!(
        cited(&a, EMERGENCY_NO_REVIEW),
        vec![
            (Some("breakglass-admin".into()), vec![9, 10]),
            (Some(e1.clone()), vec![5]),
            (Some(mail("e2")), vec![4]),
        ]
    );
}
