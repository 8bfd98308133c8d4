//! Access-review campaigns and decisions: the built-in profiles and the Teleport importer on sample exports, and every bad input with its exact diagnostic.

use std::collections::BTreeMap;

use evidentia_domain::{
    ApproverRole, CampaignId, ReviewCampaign, ReviewDecision, ReviewVerdict, SystemId,
};
use evidentia_import::{Format, detect_format};

use super::*;

const HEADER: &str = "Campaign ID,Campaign Name,Campaign Systems,Campaign Scope,Campaign Start,Campaign Due,Campaign Closed,Item ID,Reviewer,Reviewer Role,Subject,System,Account,Entitlement,Decision,Decided At,Delegated To,Comment";

/// The campaign columns of campaign Q2 as every row of a file defining it states them.
const Q2: &str = "Q2,Q2 review,okta,,2025-04-07T09:00:00Z,2025-04-30T17:00:00Z,";

fn import_in(profile: &Profile, bytes: &[u8], ctx: ImportContext) -> Imported {
    let mut ctx = ctx;
    ctx.profile = Some(profile.clone());
    let mut records = Vec::new();
    let summary = csv_generic::import(&mut &bytes[..], &ctx, &mut records, &mut |_| {})
        .unwrap_or_else(|e| panic!("import failed: {e}"));
    (records, summary)
}

/// A file of the `access-review` layout with these rows after the header.
fn decisions_file(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from(HEADER);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text.into_bytes()
}

fn campaigns_of(records: &[(Record, Origin)]) -> Vec<&ReviewCampaign> {
    records
        .iter()
        .filter_map(|(r, _)| match r {
            Record::ReviewCampaign(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn decisions_of(records: &[(Record, Origin)]) -> Vec<&ReviewDecision> {
    records
        .iter()
        .filter_map(|(r, _)| match r {
            Record::ReviewDecision(d) => Some(d),
            _ => None,
        })
        .collect()
}

fn known(campaign: ReviewCampaign) -> ImportContext {
    let mut ctx = ImportContext::new("input.csv");
    ctx.known_campaigns = BTreeMap::from([(campaign.id.clone(), campaign)]);
    ctx
}

fn q2_in_ledger() -> ReviewCampaign {
    ReviewCampaign {
        closed_at: None,
        due_at: utc("2025-04-30T17:00:00Z"),
        entitlements: Vec::new(),
        id: CampaignId::new("Q2"),
        name: Some("Q2 review".into()),
        started_at: utc("2025-04-07T09:00:00Z"),
        systems: vec![SystemId::new("okta")],
    }
}

/// The diagnostics of a file of decisions read through `access-review`, with no campaign in
/// the ledger; and what it emitted.
fn bad(rows: &[&str]) -> (Vec<String>, Imported) {
    let imported = import_in(
        &builtin("access-review"),
        &decisions_file(rows),
        ImportContext::new("input.csv"),
    );
    (diagnostics(&imported.1), imported)
}

mod builtins {
    use super::*;

    #[test]
    fn access_review_reads_the_sample_export_and_the_campaign_its_rows_define() {
        let (records, summary) = ok(&builtin("access-review"), &data("access-review.csv"));
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(
            lines(&records),
            [2, 2, 3, 4, 5, 6],
            "the campaign once, before its first decision"
        );
        assert!(matches!(records[0].0, Record::ReviewCampaign(_)));
        let campaign = campaigns_of(&records)[0];
        assert_eq!(campaign.id.as_str(), "Q2-2025");
        assert_eq!(campaign.name.as_deref(), Some("Q2 2025 access review"));
        assert_eq!(
            campaign.systems,
            [SystemId::new("okta"), SystemId::new("aws")]
        );
        assert_eq!(campaign.entitlements, ["Finance*", "Admin*"]);
        assert_eq!(campaign.started_at, utc("2025-04-07T09:00:00Z"));
        assert_eq!(campaign.due_at, utc("2025-04-30T17:00:00Z"));
        assert_eq!(campaign.closed_at, Some(utc("2025-04-29T16:00:00Z")));

        let decisions = decisions_of(&records);
        let verdicts: Vec<ReviewVerdict> = decisions.iter().map(|d| d.decision).collect();
        use ReviewVerdict::*;
        assert_eq!(verdicts, [Keep, Revoke, Delegated, Modify, NoDecision]);
        let roles: Vec<Option<ApproverRole>> = decisions.iter().map(|d| d.reviewer_role).collect();
        use ApproverRole::*;
        assert_eq!(
            roles,
            [
                Some(Manager),
                Some(Manager),
                Some(Security),
                Some(SystemOwner),
                Some(Manager)
            ]
        );
        let alice = decisions[0];
        assert_eq!(alice.campaign.as_str(), "Q2-2025");
        assert_eq!(alice.item.as_deref(), Some("I-1001"));
        assert_eq!(alice.reviewer.as_ref().map(|r| r.as_str()), Some("E0042"));
        assert_eq!(alice.subject.as_ref().map(|s| s.as_str()), Some("E1001"));
        assert_eq!(alice.system.as_str(), "okta");
        assert_eq!(alice.account, "alice.martin");
        assert_eq!(alice.entitlement.as_deref(), Some("Finance Admins"));
        assert_eq!(alice.decided_at, Some(utc("2025-04-08T10:00:00Z")));
        let bob = decisions[1];
        assert_eq!(bob.entitlement, None, "an empty Entitlement is the account");
        assert_eq!(
            bob.decided_at,
            Some(utc("2025-04-08T10:05:00Z")),
            "%Y-%m-%d %H:%M:%S in UTC"
        );
        assert_eq!(
            bob.comment.as_deref(),
            Some("Left the team, account not needed")
        );
        assert_eq!(
            decisions[2].delegated_to.as_ref().map(|d| d.as_str()),
            Some("R7001")
        );
        let dave = decisions[4];
        assert_eq!(
            (dave.decision, dave.decided_at),
            (NoDecision, None),
            "an empty Decision cell is no decision"
        );
    }

    #[test]
    fn decision_words_map_onto_the_verdicts() {
        for (word, verdict) in [
            ("Approved", ReviewVerdict::Keep),
            ("certify", ReviewVerdict::Keep),
            ("Maintain", ReviewVerdict::Keep),
            ("Removed", ReviewVerdict::Revoke),
            ("Change", ReviewVerdict::Modify),
            ("Reassigned", ReviewVerdict::Delegated),
            ("Pending", ReviewVerdict::NoDecision),
            ("None", ReviewVerdict::NoDecision),
            ("no_decision", ReviewVerdict::NoDecision),
        ] {
            let row = format!("{Q2},I-1,E0042,,,okta,alice,,{word},2025-04-08T10:00:00Z,R7001,");
            let (diags, (records, _)) = bad(&[&row]);
            assert!(diags.is_empty(), "{word}: {diags:?}");
            assert_eq!(decisions_of(&records)[0].decision, verdict, "{word}");
        }
    }

    #[test]
    fn access_review_campaigns_reads_one_campaign_a_row() {
        let (records, summary) = ok(
            &builtin("access-review-campaigns"),
            &data("access-review-campaigns.csv"),
        );
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(lines(&records), [2, 3]);
        let campaigns = campaigns_of(&records);
        let q3 = campaigns[0];
        assert_eq!(q3.id.as_str(), "Q3-2025");
        assert_eq!(
            q3.systems,
            [SystemId::new("okta"), SystemId::new("finance-app")]
        );
        assert!(q3.entitlements.is_empty(), "an empty Scope is everything");
        assert_eq!(
            q3.started_at,
            utc("2025-07-01T00:00:00Z"),
            "a date is midnight UTC"
        );
        assert_eq!(q3.due_at, utc("2025-07-31T17:00:00Z"));
        assert_eq!(q3.closed_at, None, "an open campaign");
        let q4 = campaigns[1];
        assert_eq!(q4.entitlements, ["Admin*", "*PowerUser*"]);
        assert_eq!(q4.closed_at, Some(utc("2025-10-30T12:00:00Z")));
    }

    #[test]
    fn midpoint_work_items_report() {
        let campaign = ReviewCampaign {
            closed_at: None,
            due_at: utc("2025-04-30T23:59:00Z"),
            entitlements: Vec::new(),
            id: CampaignId::new("Role review 2025"),
            name: None,
            started_at: utc("2025-04-01T00:00:00Z"),
            systems: Vec::new(),
        };
        let (records, summary) = import_in(
            &builtin("midpoint-certification"),
            &data("midpoint-certification.csv"),
            known(campaign),
        );
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert!(
            campaigns_of(&records).is_empty(),
            "the report does not define its campaign"
        );
        let decisions = decisions_of(&records);
        let brief: Vec<(&str, Option<&str>, ReviewVerdict, Option<&str>)> = decisions
            .iter()
            .map(|d| {
                (
                    d.account.as_str(),
                    d.entitlement.as_deref(),
                    d.decision,
                    d.reviewer.as_ref().map(|r| r.as_str()),
                )
            })
            .collect();
        use ReviewVerdict::*;
        assert_eq!(
            brief,
            [
                ("jack", Some("Pirate"), Keep, Some("administrator")),
                ("elaine", Some("Governor"), Revoke, Some("administrator")),
                ("guybrush", Some("Monkey Island"), NoDecision, Some("carla")),
                ("largo", Some("Pirate"), Modify, Some("administrator")),
            ],
            "the type prefix is stripped; no performer: the current assignee"
        );
        assert_eq!(decisions[0].system.as_str(), "midpoint");
        assert_eq!(
            decisions[0].subject.as_ref().map(|s| s.as_str()),
            Some("jack")
        );
        assert_eq!(decisions[0].decided_at, Some(utc("2025-04-10T09:30:00Z")));
        assert_eq!(decisions[1].decided_at, Some(utc("2025-04-11T14:05:00Z")));
        assert_eq!(decisions[1].comment.as_deref(), Some("No longer governor"));
        assert_eq!(decisions[2].decided_at, None);
        assert_eq!(
            decisions[3].decided_at,
            Some(utc("2025-04-12T08:15:00Z")),
            "a narrow no-break space before AM (JDK 20+)"
        );
    }

    #[test]
    fn entra_review_history_report() {
        let (records, summary) = ok(
            &builtin("entra-review-history"),
            &data("entra-review-history.csv"),
        );
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        let campaigns = campaigns_of(&records);
        assert_eq!(campaigns.len(), 1, "one review, defined by its rows");
        let review = campaigns[0];
        assert_eq!(review.id.as_str(), "7c1a0b2e-1111-4a2b-9c3d-000000000001");
        assert_eq!(review.name.as_deref(), Some("Q2 finance admins review"));
        assert_eq!(review.started_at, utc("2025-04-01T09:00:00Z"));
        assert_eq!(review.due_at, utc("2025-04-15T09:00:00Z"));
        assert_eq!(
            review.closed_at,
            Some(utc("2025-04-15T09:00:00Z")),
            "an Entra review ends at its end date"
        );
        let decisions = decisions_of(&records);
        use ReviewVerdict::*;
        let brief: Vec<(&str, Option<&str>, ReviewVerdict, Option<&str>)> = decisions
            .iter()
            .map(|d| {
                (
                    d.account.as_str(),
                    d.entitlement.as_deref(),
                    d.decision,
                    d.reviewer.as_ref().map(|r| r.as_str()),
                )
            })
            .collect();
        assert_eq!(
            brief,
            [
                (
                    "alex.chen@contoso.example",
                    Some("Finance Admins"),
                    Keep,
                    Some("dana.owner@contoso.example")
                ),
                (
                    "blake.ito@contoso.example",
                    Some("Finance Admins"),
                    Revoke,
                    Some("dana.owner@contoso.example")
                ),
                (
                    "casey.moe@contoso.example",
                    Some("Finance Admins"),
                    NoDecision,
                    Some("dana.owner@contoso.example")
                ),
            ]
        );
        assert!(decisions.iter().all(|d| d.system.as_str() == "entra-id"));
        assert_eq!(decisions[1].decided_at, Some(utc("2025-04-03T10:16:30Z")));
        assert_eq!(decisions[1].comment.as_deref(), Some("Moved to sales"));
        assert_eq!(decisions[2].decided_at, None);
    }

    #[test]
    fn midpoint_needs_its_campaign_in_the_ledger() {
        let (_, summary) = ok(
            &builtin("midpoint-certification"),
            &data("midpoint-certification.csv"),
        );
        assert_eq!(summary.diagnostics.len(), 4);
        assert_eq!(
            diagnostics(&summary)[0],
            "input.csv:line 2: unknown campaign \"Role review 2025\": import its campaign file first or map campaign_started_at and campaign_due_at in the profile"
        );
    }
}

mod teleport {
    use super::*;

    fn reviews(bytes: &[u8], ctx: &ImportContext) -> Imported {
        let mut records = Vec::new();
        let summary = evidentia_import::import(
            Format::TeleportReviews,
            &mut &bytes[..],
            ctx,
            &mut records,
            &mut |_| {},
        )
        .unwrap_or_else(|e| panic!("import failed: {e}"));
        (records, summary)
    }

    fn pointers(records: &[(Record, Origin)]) -> Vec<String> {
        records
            .iter()
            .map(|(_, o)| o.location.to_string())
            .collect()
    }

    #[test]
    fn tctl_review_history_is_detected() {
        assert_eq!(
            detect_format(&data("teleport-reviews.json"), "reviews.json"),
            Some(Format::TeleportReviews)
        );
    }

    #[test]
    fn each_review_is_a_campaign_and_each_removed_member_a_revoke() {
        let (records, summary) = reviews(
            &data("teleport-reviews.json"),
            &ImportContext::new("reviews.json"),
        );
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(
            pointers(&records),
            [
                "/0",
                "/0/spec/changes/removed_members/0",
                "/0/spec/changes/removed_members/1",
                "/1"
            ]
        );
        let campaigns = campaigns_of(&records);
        let first = campaigns[0];
        assert_eq!(first.id.as_str(), "4f1c7f0e-6a53-4d6b-9a3e-0d5f3c2b9e11");
        assert_eq!(first.name.as_deref(), Some("prod-access review"));
        assert_eq!(first.systems, [SystemId::new("teleport")]);
        assert_eq!(first.entitlements, ["prod-access"]);
        let at = utc("2025-05-02T10:15:30.123456789Z");
        assert_eq!(
            (first.started_at, first.due_at, first.closed_at),
            (at, at, Some(at))
        );
        let decisions = decisions_of(&records);
        let removed: Vec<(&str, ReviewVerdict)> = decisions
            .iter()
            .map(|d| (d.account.as_str(), d.decision))
            .collect();
        assert_eq!(
            removed,
            [
                ("bob", ReviewVerdict::Revoke),
                ("carol", ReviewVerdict::Revoke)
            ]
        );
        let bob = decisions[0];
        assert_eq!(bob.entitlement.as_deref(), Some("prod-access"));
        assert_eq!(bob.reviewer.as_ref().map(|r| r.as_str()), Some("alice"));
        assert_eq!(bob.decided_at, Some(at));
        assert_eq!(bob.item.as_deref(), Some(first.id.as_str()));
        assert_eq!(
            bob.comment.as_deref(),
            Some("Quarterly review: leavers removed (reviewed together with erin)")
        );
        assert_eq!(
            summary.skipped.get("membership_requirements_changed (a change to the list's requirements, not a decision on a member)"),
            Some(&1)
        );
    }

    #[test]
    fn the_system_can_be_named() {
        let mut ctx = ImportContext::new("reviews.json");
        ctx.system = Some(SystemId::new("teleport-prod"));
        let (records, _) = reviews(&data("teleport-reviews.json"), &ctx);
        assert_eq!(decisions_of(&records)[0].system.as_str(), "teleport-prod");
        assert_eq!(
            campaigns_of(&records)[0].systems,
            [SystemId::new("teleport-prod")]
        );
    }

    #[test]
    fn damaged_copies_never_panic() {
        let whole = data("teleport-reviews.json");
        let ctx = ImportContext::new("reviews.json");
        let mut copies: Vec<Vec<u8>> = (0..whole.len()).map(|n| whole[..n].to_vec()).collect();
        for (i, byte) in [b'"', b'[', b'{', b'}', b',', b'\\', 0xFF]
            .iter()
            .enumerate()
        {
            for at in (i * 7..whole.len()).step_by(53) {
                let mut copy = whole.clone();
                copy[at] = *byte;
                copies.push(copy);
            }
        }
        for copy in copies {
            let mut records = Vec::new();
            match evidentia_import::import(
                Format::TeleportReviews,
                &mut &copy[..],
                &ctx,
                &mut records,
                &mut |_| {},
            ) {
                Ok(summary) => {
                    assert_eq!(summary.total_records(), records.len() as u64);
                    assert!(summary.diagnostics.iter().all(|d| d.file == "reviews.json"));
                }
                Err(ImportError::Unreadable(d)) => assert_eq!(d.file, "reviews.json"),
                Err(other) => panic!("{other}"),
            }
        }
    }

    #[test]
    fn another_kind_a_missing_reviewer_and_a_member_removed_twice_are_diagnostics() {
        let input = br#"[
 {"kind": "access_list_member", "metadata": {"name": "bob"}, "spec": {"access_list": "prod"}},
 {"kind": "access_list_review", "metadata": {"name": "r1"},
  "spec": {"access_list": "prod", "reviewers": [], "review_date": "2025-05-02T10:00:00Z"}},
 {"kind": "access_list_review", "metadata": {"name": "r2"},
  "spec": {"access_list": "prod", "reviewers": ["alice"], "review_date": "2025-05-02T10:00:00Z",
           "changes": {"removed_members": ["bob", "BOB"]}}}
]"#;
        let (records, summary) = reviews(input, &ImportContext::new("reviews.json"));
        assert_eq!(
            diagnostics(&summary),
            [
                "reviews.json:/0/kind: a \"access_list_member\" resource, not an access list review (\"access_list_review\"); list reviews with `tctl acl reviews ls LIST --format=json`",
                "reviews.json:/1/spec/reviewers: a review names no reviewer (`spec.reviewers` is empty)",
                "reviews.json:/2/spec/changes/removed_members/1: a second decision on item teleport/BOB/prod of campaign \"r2\" by alice (the first is at /2/spec/changes/removed_members/0)",
            ]
        );
        assert_eq!(
            pointers(&records),
            ["/2", "/2/spec/changes/removed_members/0"]
        );
    }
}

/// Every bad input of issue #15, each with its exact diagnostic; a bad row emits nothing.
mod bad_input {
    use super::*;

    #[test]
    fn a_decision_on_an_unknown_campaign() {
        let (diags, (records, _)) =
            bad(&["Q3,,,,,,,I-1,E0042,Manager,E1001,okta,alice,,Keep,2025-04-08T10:00:00Z,,"]);
        assert_eq!(
            diags,
            [
                "input.csv:line 2: unknown campaign \"Q3\": import its campaign file first or give the Campaign Start and Campaign Due columns"
            ]
        );
        assert!(records.is_empty());
    }

    #[test]
    fn a_decision_on_a_campaign_the_ledger_holds_needs_no_campaign_columns() {
        let file = decisions_file(&[
            "Q2,,,,,,,I-1,E0042,Manager,E1001,okta,alice,,Keep,2025-04-08T10:00:00Z,,",
        ]);
        let (records, summary) = import_in(&builtin("access-review"), &file, known(q2_in_ledger()));
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(decisions_of(&records).len(), 1);
        assert!(campaigns_of(&records).is_empty());
    }

    #[test]
    fn a_decision_before_its_campaign_started() {
        let early = format!("{Q2},I-1,E0042,,,okta,alice,,Keep,2025-04-07T08:59:59Z,,");
        let on_time = format!("{Q2},I-2,E0042,,,okta,bob,,Keep,2025-04-07T09:00:00Z,,");
        let (diags, (records, _)) = bad(&[&early, &on_time]);
        assert_eq!(
            diags,
            [
                "input.csv:line 2: column \"Decided At\": the decision (2025-04-07T08:59:59Z) is before its campaign \"Q2\" started (2025-04-07T09:00:00Z)"
            ]
        );
        assert_eq!(
            lines(&records),
            [2, 3],
            "the campaign (defined by line 2) and the decision at the start"
        );

        // Against a campaign the ledger holds, with no campaign columns in the file.
        let file =
            decisions_file(&["Q2,,,,,,,I-1,E0042,,,okta,alice,,Revoke,2025-04-01T00:00:00Z,,"]);
        let (_, summary) = import_in(&builtin("access-review"), &file, known(q2_in_ledger()));
        assert_eq!(
            diagnostics(&summary),
            [
                "input.csv:line 2: column \"Decided At\": the decision (2025-04-01T00:00:00Z) is before its campaign \"Q2\" started (2025-04-07T09:00:00Z)"
            ]
        );
    }

    #[test]
    fn two_decisions_on_one_item_by_one_reviewer() {
        let first = format!("{Q2},I-1,E0042,,,okta,alice,Admins,Keep,2025-04-08T10:00:00Z,,");
        let again = format!("{Q2},I-2,e0042,,,OKTA,Alice,ADMINS,Revoke,2025-04-09T10:00:00Z,,");
        let other_reviewer =
            format!("{Q2},I-3,S9001,,,okta,alice,Admins,Revoke,2025-04-09T10:00:00Z,,");
        let account_itself = format!("{Q2},I-4,E0042,,,okta,alice,,Keep,2025-04-09T10:00:00Z,,");
        let (diags, (records, _)) = bad(&[&first, &again, &other_reviewer, &account_itself]);
        assert_eq!(
            diags,
            [
                "input.csv:line 3: a second decision on item OKTA/Alice/ADMINS of campaign \"Q2\" by e0042 (the first is at line 2)"
            ]
        );
        assert_eq!(
            decisions_of(&records).len(),
            3,
            "another reviewer, and the account itself, are other decisions"
        );
    }

    #[test]
    fn keep_revoke_and_modify_need_their_time() {
        for word in ["Keep", "Revoke", "Modify"] {
            let row = format!("{Q2},I-1,E0042,,,okta,alice,,{word},,,");
            let (diags, (records, _)) = bad(&[&row]);
            assert_eq!(
                diags,
                [format!(
                    "input.csv:line 2: column \"Decided At\" is empty: a {} decision needs the time it was made",
                    word.to_ascii_lowercase()
                )]
            );
            assert!(records.is_empty(), "{word}: nothing of a bad row is kept");
        }
        // No decision, and a delegation, need no time.
        let pending = format!("{Q2},I-1,E0042,,,okta,alice,,Pending,,,");
        let delegated = format!("{Q2},I-2,E0042,,,okta,bob,,Delegate,,R7001,");
        assert!(bad(&[&pending, &delegated]).0.is_empty());
    }

    #[test]
    fn a_delegation_names_its_delegate() {
        let row = format!("{Q2},I-1,E0042,,,okta,alice,,Delegate,2025-04-08T10:00:00Z,,");
        let (diags, _) = bad(&[&row]);
        assert_eq!(
            diags,
            [
                "input.csv:line 2: column \"Delegated To\" is empty: a delegated decision needs the reviewer it was delegated to"
            ]
        );
    }

    #[test]
    fn a_campaign_due_or_closed_before_it_started() {
        let file = b"Campaign ID,Name,Systems,Scope,Start,Due,Closed\n\
            Q3,,okta,,2025-07-01,2025-06-30,\n\
            Q4,,okta,,2025-10-01,2025-10-31,2025-09-30T23:59:59Z\n\
            Q5,,okta,,2025-10-01,2025-10-01,2025-10-01\n";
        let (records, summary) = ok(&builtin("access-review-campaigns"), file);
        assert_eq!(
            diagnostics(&summary),
            [
                "input.csv:line 2: column \"Due\": the campaign is due (2025-06-30T00:00:00Z) before it starts (2025-07-01T00:00:00Z)",
                "input.csv:line 3: column \"Closed\": the campaign closed (2025-09-30T23:59:59Z) before it started (2025-10-01T00:00:00Z)",
            ]
        );
        assert_eq!(lines(&records), [4], "due and closed at the start are fine");

        // The same, stated on decision rows.
        let row = "Q6,,okta,,2025-07-01T00:00:00Z,2025-06-30T00:00:00Z,,I-1,E0042,,,okta,alice,,Keep,2025-07-02T00:00:00Z,,";
        assert_eq!(
            bad(&[row]).0,
            [
                "input.csv:line 2: column \"Campaign Due\": the campaign is due (2025-06-30T00:00:00Z) before it starts (2025-07-01T00:00:00Z)"
            ]
        );
    }

    #[test]
    fn every_row_of_a_campaign_states_the_same_campaign_columns() {
        let first = format!("{Q2},I-1,E0042,,,okta,alice,,Keep,2025-04-08T10:00:00Z,,");
        let later_due = "Q2,Q2 review,okta,,2025-04-07T09:00:00Z,2025-05-01T17:00:00Z,,I-2,E0042,,,okta,bob,,Keep,2025-04-08T10:00:00Z,,";
        let other_name = "Q2,Q2 reviews,,,,,,I-3,E0042,,,okta,carol,,Keep,2025-04-08T10:00:00Z,,";
        let closed = "Q2,Q2 review,okta,,2025-04-07T09:00:00Z,2025-04-30T17:00:00Z,2025-04-30T17:00:00Z,I-4,E0042,,,okta,dave,,Keep,2025-04-08T10:00:00Z,,";
        let silent = "Q2,,,,,,,I-5,E0042,,,okta,erin,,Keep,2025-04-08T10:00:00Z,,";
        let (diags, (records, _)) = bad(&[&first, later_due, other_name, closed, silent]);
        assert_eq!(
            diags,
            [
                "input.csv:line 3: column \"Campaign Due\": campaign \"Q2\" is stated here as 2025-05-01T17:00:00Z, but line 2 gave 2025-04-30T17:00:00Z; every row of a campaign must state the same campaign columns",
                "input.csv:line 4: column \"Campaign Name\": campaign \"Q2\" is stated here as Q2 reviews, but line 2 gave Q2 review; every row of a campaign must state the same campaign columns",
                "input.csv:line 5: column \"Campaign Closed\": campaign \"Q2\" is stated here as 2025-04-30T17:00:00Z, but line 2 gave none; every row of a campaign must state the same campaign columns",
            ]
        );
        assert_eq!(
            lines(&records),
            [2, 2, 6],
            "a row stating none of the campaign columns is of the campaign defined before"
        );
    }

    #[test]
    fn a_campaign_the_ledger_holds_exactly_so_is_not_recorded_again() {
        let row = format!("{Q2},I-1,E0042,,,okta,alice,,Keep,2025-04-08T10:00:00Z,,");
        let (records, summary) = import_in(
            &builtin("access-review"),
            &decisions_file(&[&row]),
            known(q2_in_ledger()),
        );
        assert!(summary.diagnostics.is_empty());
        assert!(campaigns_of(&records).is_empty());

        // A campaigns file: the same campaign is counted as skipped, a changed one recorded
        // again (the latest record of a campaign is the one in force).
        let file = b"Campaign ID,Name,Systems,Scope,Start,Due,Closed\n\
            Q2,Q2 review,okta,,2025-04-07T09:00:00Z,2025-04-30T17:00:00Z,\n\
            Q2,Q2 review,okta,,2025-04-07T09:00:00Z,2025-04-30T17:00:00Z,\n";
        let (records, summary) = import_in(
            &builtin("access-review-campaigns"),
            file,
            known(q2_in_ledger()),
        );
        assert!(records.is_empty());
        assert_eq!(
            summary
                .skipped
                .get("review campaign (already in the ledger)"),
            Some(&1)
        );
        assert_eq!(
            summary
                .skipped
                .get("review campaign (repeats an earlier row)"),
            Some(&1)
        );
        let closed = b"Campaign ID,Name,Systems,Scope,Start,Due,Closed\n\
            Q2,Q2 review,okta,,2025-04-07T09:00:00Z,2025-04-30T17:00:00Z,2025-04-30T12:00:00Z\n\
            Q2,Q2 review,okta,,2025-04-07T09:00:00Z,2025-05-30T17:00:00Z,2025-04-30T12:00:00Z\n";
        let (records, summary) = import_in(
            &builtin("access-review-campaigns"),
            closed,
            known(q2_in_ledger()),
        );
        assert_eq!(campaigns_of(&records).len(), 1);
        assert_eq!(
            diagnostics(&summary),
            [
                "input.csv:line 3: column \"Due\": campaign \"Q2\" is defined again with 2025-05-30T17:00:00Z, but line 2 gave 2025-04-30T17:00:00Z"
            ]
        );
    }

    #[test]
    fn json_decisions_are_checked_the_same_way() {
        let profile = profile(
            r#"
            name = "iga-reviews"
            kind = "review-decisions"
            json = true
            [columns]
            campaign = "campaign.id"
            campaign_started_at = "campaign.start"
            campaign_due_at = "campaign.due"
            reviewer = "reviewer"
            system = "app"
            account = "user"
            decision = "decision"
            decided_at = "at"
            "#,
        );
        let input = br#"[
 {"campaign": {"id": "C1", "start": "2025-01-01T00:00:00Z", "due": "2025-01-31T00:00:00Z"},
  "reviewer": "E1", "app": "okta", "user": "alice", "decision": "keep", "at": "2025-01-02T00:00:00Z"},
 {"campaign": {"id": "C1"}, "reviewer": "E1", "app": "okta", "user": "ALICE", "decision": "revoke", "at": "2025-01-03T00:00:00Z"},
 {"campaign": {"id": "C2"}, "reviewer": "E1", "app": "okta", "user": "bob", "decision": "keep", "at": "2025-01-03T00:00:00Z"}
]"#;
        let (records, summary) = ok(&profile, input);
        assert_eq!(
            diagnostics(&summary),
            [
                "input.csv:/1: a second decision on item okta/ALICE (the account itself) of campaign \"C1\" by E1 (the first is at /0)",
                "input.csv:/2: unknown campaign \"C2\": import its campaign file first or give the campaign.start and campaign.due columns",
            ]
        );
        assert_eq!(records.len(), 2, "the campaign and the first decision");
    }

    #[test]
    fn review_profiles_are_checked_when_they_load() {
        let error = |toml: &str| match Profile::from_toml(toml, "r.toml") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("expected an error for {toml}"),
        };
        let head = "name = \"r\"\nkind = \"review-decisions\"\n[columns]\ncampaign = \"C\"\naccount = \"A\"\n";
        assert_eq!(
            error(head),
            "r.toml: columns: a review-decisions profile must map `decision` to a column in [columns] or give it in [defaults]"
        );
        assert_eq!(
            error(&format!(
                "{head}decision = \"D\"\n[values.decision]\n\"Yes\" = \"approved\"\n"
            )),
            "r.toml:8: values.decision.\"Yes\": \"approved\" is not a decision; use one of keep, revoke, modify, delegated, no_decision or \"skip\""
        );
        assert_eq!(
            error(&format!(
                "{head}decision = \"D\"\n[strip_prefixes]\nowner = [\"User: \"]\n"
            )),
            "r.toml:8: strip_prefixes.owner: \"owner\" is not a field of review-decisions input; its fields are campaign, campaign_name, campaign_systems, campaign_entitlements, campaign_started_at, campaign_due_at, campaign_closed_at, item, reviewer, reviewer_role, subject, system, account, entitlement, decision, decided_at, delegated_to, assigned_to, comment"
        );
        assert_eq!(
            error(&format!(
                "{head}decision = \"D\"\n[strip_prefixes]\naccount = [\" \"]\n"
            )),
            "r.toml:8: strip_prefixes.account: list at least one prefix, none of them empty"
        );
        let campaigns = "name = \"c\"\nkind = \"review-campaigns\"\n[columns]\nid = \"Id\"\nstarted_at = \"S\"\n";
        assert_eq!(
            error(campaigns),
            "r.toml: columns: a review-campaigns profile must map `due_at` to a column in [columns] or give it in [defaults]"
        );
    }

    #[test]
    fn prefixes_are_stripped_from_cells_and_list_items_ignoring_case() {
        let profile = profile(
            r#"
            name = "p"
            kind = "review-campaigns"
            [columns]
            id = "Id"
            systems = "Systems"
            started_at = "Start"
            due_at = "Due"
            [strip_prefixes]
            id = ["Campaign: "]
            systems = ["app:"]
            "#,
        );
        let (records, summary) = ok(
            &profile,
            b"Id,Systems,Start,Due
campaign: Q2,APP:okta;app: aws;github,2025-04-01,2025-04-30
Campaign: ,okta,2025-04-01,2025-04-30
",
        );
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        let campaigns = campaigns_of(&records);
        assert_eq!(campaigns[0].id.as_str(), "Q2");
        assert_eq!(
            campaigns[0].systems,
            [
                SystemId::new("okta"),
                SystemId::new("aws"),
                SystemId::new("github")
            ]
        );
        assert_eq!(
            campaigns[1].id.as_str(),
            "Campaign:",
            "a prefix that would leave nothing is not stripped"
        );
    }
}
