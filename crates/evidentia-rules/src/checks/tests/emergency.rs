//! The emergency checks find an activation's end (the earliest in time) and a register row's
//! own log entry among the executions and activity of the same account (trimmed, ASCII case
//! ignored): pinned here because they look them up per account instead of scanning the log.

use super::*;
use crate::checks::emergency::{EMERGENCY_HELD_TOO_LONG, EMERGENCY_NO_REVIEW};

/// Analyses `records` with `uses` in the emergency-access register, numbered after them.
fn judged(records: Vec<R>, uses: Vec<EmergencyUse>) -> crate::Analysis {
    judged_under(POLICY, records, uses)
}

/// [`judged`] under another policy text.
fn judged_under(policy: &str, records: Vec<R>, uses: Vec<EmergencyUse>) -> crate::Analysis {
    let policy = Policy::from_toml(policy, "test.toml").expect("policy");
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

/// A register row of e1's use of `account` on aws at `on`, with a ticket, never reviewed.
fn unreviewed(account: &str, entitlement: Option<&str>, on: Timestamp) -> EmergencyUse {
    EmergencyUse {
        account: account.into(),
        activated_at: on,
        entitlement: entitlement.map(str::to_owned),
        id: "EM-1".into(),
        request_id: None,
        review_decision: None,
        reviewed_at: None,
        reviewer: None,
        system: SystemId::new("aws"),
        ticket: Some("INC-1".into()),
        used_by: Some(IdentityId::new("e1")),
    }
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
    let unreviewed = |account: &str, entitlement| unreviewed(account, entitlement, on);
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

/// A register row and the log's activation carrying the same request id are the same use,
/// whatever the register's time (two hours off here) and account spelling; without the id,
/// 15 minutes apart is too far, and the activation is a use the register does not hold.
#[test]
fn register_row_and_activation_with_one_request_id_are_one_use() {
    let on = at(2025, 5, 10, 9);
    let e1 = mail("e1");
    let records = vec![
        person("e1", "engineer"),
        approval("e1", "aws", "BreakGlassAdmins", on - d(30)),
        // The activation and its end both carry the request id: the activation is the entry.
        with_exec(grant("aws", &e1, "BreakGlassAdmins", on), |x| {
            x.request_ref = Some("5c1b-REQ".into());
        }),
        with_exec(revoke("aws", &e1, "BreakGlassAdmins", on + h(1)), |x| {
            x.request_ref = Some("5c1b-REQ".into());
        }),
    ];
    let row = |request_id: Option<&str>| EmergencyUse {
        request_id: request_id.map(str::to_owned),
        ..unreviewed("E1 (admin)", Some("BreakGlassAdmins"), on + h(2))
    };
    let a = judged(records.clone(), vec![row(Some(" 5C1B-req "))]);
    assert_eq!(
        cited(&a, EMERGENCY_NO_REVIEW),
        vec![(Some("E1 (admin)".into()), vec![3, 5])]
    );
    let a = judged(records.clone(), vec![row(None)]);
    assert_eq!(
        cited(&a, EMERGENCY_NO_REVIEW),
        vec![
            (Some("E1 (admin)".into()), vec![5]),
            (Some(e1.clone()), vec![3]),
        ]
    );
    // Where the policy gives the register two hours (`same_use_within`), a row naming the
    // account as the log does, exactly two hours after the activation, is the same use.
    let policy = POLICY.replacen(
        "[emergency]\n",
        "[emergency]\nsame_use_within = \"2h\"\n",
        1,
    );
    let as_logged = EmergencyUse {
        account: e1.as_str().into(),
        ..row(None)
    };
    let a = judged_under(&policy, records, vec![as_logged]);
    assert_eq!(cited(&a, EMERGENCY_NO_REVIEW), vec![(Some(e1), vec![3, 5])]);
}

/// A day a break-glass account signed in needs a break-glass row of the register on that
/// system that day (any of them: the register names the account its own way), 15 minutes'
/// grace either side of the day (`same_use_within` unset); failed sign-ins are not uses.
#[test]
fn break_glass_sign_ins_missing_from_the_register_table() {
    let day = at(2025, 7, 22, 14);
    let midnight = at(2025, 7, 22, 0);
    let reviewed = Some(h(20));
    let row = |at: Timestamp| emergency_use("okta", "BG-admin (vault)", None, at, "e1", reviewed);
    let flagged = || vec![(Some("bg-admin".to_owned()), vec![3])];
    let cases = vec![
        ("a row that day", vec![row(day + h(2))], vec![]),
        (
            "a row 14 minutes before the day began",
            vec![row(midnight - TimeDelta::minutes(14))],
            vec![],
        ),
        (
            "a row exactly 15 minutes after the day ended (boundaries are inclusive)",
            vec![row(midnight + d(1) + TimeDelta::minutes(15))],
            vec![],
        ),
        (
            "a row 16 minutes after the day ended",
            vec![row(midnight + d(1) + TimeDelta::minutes(16))],
            flagged(),
        ),
        (
            "a row 16 minutes before the day began",
            vec![row(midnight - TimeDelta::minutes(16))],
            flagged(),
        ),
        (
            "a row of another system that day",
            vec![emergency_use("aws", "root", None, day, "e1", reviewed)],
            flagged(),
        ),
    ];
    for (name, register, expected) in cases {
        let mut records = vec![
            person("e1", "engineer"),
            sign_in("okta", "bg-admin", day, day),
        ];
        records.extend(register);
        let a = analysis(records);
        assert_eq!(cited(&a, EMERGENCY_NO_REVIEW), expected, "{name}");
    }
    // Two days unregistered: one finding naming both; a failed sign-in is no use.
    let failed = with_activity(sign_in("okta", "bg-ops", day, day), |a| {
        a.outcome = Outcome::Failed;
    });
    let a = analysis(vec![
        person("e1", "engineer"),
        sign_in("okta", "bg-admin", day - d(3), day),
        failed,
        row(day - d(40)),
    ]);
    let found: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.check == EMERGENCY_NO_REVIEW)
        .map(|f| f.summary.as_str())
        .collect();
    assert_eq!(
        found,
        [
            "break-glass account bg-admin on okta used on 2 days with no row in the \
          emergency-access register, never reviewed: 2025-07-19, 2025-07-22"
        ]
    );
}
