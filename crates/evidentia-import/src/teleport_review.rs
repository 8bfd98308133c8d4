//! Reads Teleport access list reviews (`tctl acl reviews ls LIST --format=json`) into access-review campaigns and revoke decisions: a native importer because one review holds a list of removed members, each its own decision, which a one-record-per-row profile cannot express.
//!
//! Input: what `tctl acl reviews ls <access-list> --format=json` writes — a JSON array of
//! `access_list_review` resources (Teleport `api/types/accesslist/review.go`; the message is
//! `teleport.accesslist.v1.Review` in `api/proto/teleport/accesslist/v1/accesslist.proto`).
//! JSON lines and pretty-printed documents one after another are read too. Each review:
//!
//! ```json
//! {"kind": "access_list_review", "version": "v1",
//!  "metadata": {"name": "0f6c…-uuid"},
//!  "spec": {"access_list": "prod-access", "reviewers": ["alice"],
//!           "review_date": "2025-05-02T10:15:30Z", "notes": "…",
//!           "changes": {"removed_members": ["bob"], "membership_requirements_changed": null}}}
//! ```
//!
//! | what is read | becomes |
//! |---|---|
//! | one review | a campaign: id `metadata.name`, name `<access_list> review`, system `teleport` (or `--system`), entitlement pattern the access list's name; started, due and closed at `review_date` (a review is submitted in one act) |
//! | each of `spec.changes.removed_members` | a `revoke` decision on that member's membership of the list: system `teleport`, account the member's name, entitlement the access list's name, reviewer the first of `spec.reviewers` (the others are named in the comment), decided at `review_date`, item `metadata.name`, comment `spec.notes` |
//! | `spec.changes.membership_requirements_changed` | counted as skipped: a change to the list, not a decision on a member |
//!
//! **What a review does not say.** Submitting a review certifies the members it does not
//! remove, but the review names only the removed ones: no `keep` decision can be read from it,
//! and the reviewer's role is not recorded (Teleport lets the list's owners review it, but the
//! review does not say in which capacity). A campaign's population drawn from a Teleport
//! snapshot will therefore show the members kept as undecided.
//!
//! A review without `metadata.name`, `spec.access_list`, `spec.reviewers` or
//! `spec.review_date`, a field of the wrong type, or a resource of another `kind` is a
//! diagnostic naming its JSON pointer; a member removed twice in one review is a second
//! decision on one item by one reviewer and refused as such. The page is
//! `docs/import/teleport-reviews.md`.

use std::io::Read;

use evidentia_domain::{
    CampaignId, IdentityId, ReviewCampaign, ReviewDecision, ReviewVerdict, SystemId,
};
use serde_json::Value;

use crate::json_stream::{Problem, RecordView, child, kind_of, read_records};
use crate::reviews::{
    CampaignLabels, CampaignRow, DecisionRow, ReviewBook, StatedCampaign, deliver_campaign,
    deliver_decision,
};
use crate::{
    Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink, skip_key,
};

/// The resource kind of a review, as Teleport writes it.
pub const REVIEW_KIND: &str = "access_list_review";

fn labels() -> CampaignLabels {
    let field = |name: &str| format!("field \"{name}\"");
    CampaignLabels {
        name: field("spec.access_list"),
        systems: "the system of the import".to_owned(),
        entitlements: field("spec.access_list"),
        started_at: field("spec.review_date"),
        due_at: field("spec.review_date"),
        closed_at: field("spec.review_date"),
        start_column: None,
        due_column: None,
    }
}

/// Reads a file of access list reviews.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let system = ctx
        .system
        .clone()
        .or_else(|| Format::TeleportReviews.default_system())
        .unwrap_or_else(|| SystemId::new("teleport"));
    let mut summary = ImportSummary::default();
    let mut book = ReviewBook::new(&ctx.known_campaigns);
    let stream = read_records(input, ctx, &["items"], progress, &mut |value, location| {
        match read_review(&value, &location, &system) {
            Ok(review) => review.deliver(&mut book, ctx, &mut summary, sink)?,
            Err(problem) => summary.diagnostics.push(problem.into_diagnostic(ctx)),
        }
        Ok(())
    })?;
    summary.absorb(stream);
    Ok(summary)
}

/// One review, read and checked on its own.
struct Review {
    campaign: ReviewCampaign,
    location: Location,
    /// Each removed member's decision, with the pointer of its name.
    decisions: Vec<(ReviewDecision, Location)>,
    requirements_changed: bool,
}

impl Review {
    fn deliver(
        self,
        book: &mut ReviewBook<'_>,
        ctx: &ImportContext,
        summary: &mut ImportSummary,
        sink: &mut dyn RecordSink,
    ) -> Result<(), ImportError> {
        let row = CampaignRow {
            campaign: self.campaign,
            labels: labels(),
        };
        deliver_campaign(book, ctx, row, self.location, summary, sink)?;
        for (decision, location) in self.decisions {
            let row = DecisionRow {
                decision,
                stated: StatedCampaign::default(),
                labels: labels(),
                decided_at_label: "field \"spec.review_date\"".to_owned(),
            };
            deliver_decision(book, ctx, row, location, summary, sink)?;
        }
        if self.requirements_changed {
            summary.skip(skip_key(
                "membership_requirements_changed",
                "a change to the list's requirements, not a decision on a member",
            ));
        }
        Ok(())
    }
}

/// The strings of an array field (absent or null: none).
fn strings(view: &RecordView<'_>, path: &[&str]) -> Result<Vec<(String, Location)>, Problem> {
    let Some((value, location)) = view.lookup(path) else {
        return Ok(Vec::new());
    };
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let at = child(&location, &i.to_string());
                match item {
                    Value::String(s) if s.trim().is_empty() => None,
                    Value::String(s) => Some(Ok((s.trim().to_owned(), at))),
                    other => Some(Err(Problem {
                        location: at,
                        reason: format!("expected a string but found {}", kind_of(other)),
                    })),
                }
            })
            .collect(),
        other => Err(Problem {
            location,
            reason: format!("expected an array of strings but found {}", kind_of(other)),
        }),
    }
}

fn read_review(value: &Value, location: &Location, system: &SystemId) -> Result<Review, Problem> {
    let view = RecordView::new(value, location);
    if !value.is_object() {
        return Err(Problem {
            location: location.clone(),
            reason: format!(
                "expected an access list review but found {}",
                kind_of(value)
            ),
        });
    }
    if let Some(kind) = view.opt_str(&["kind"])?
        && kind != REVIEW_KIND
    {
        return Err(Problem {
            location: view.location_of(&["kind"]),
            reason: format!(
                "a \"{kind}\" resource, not an access list review (\"{REVIEW_KIND}\"); list reviews with `tctl acl reviews ls LIST --format=json`"
            ),
        });
    }
    let name = view.req_str(&["metadata", "name"])?;
    let access_list = view.req_str(&["spec", "access_list"])?;
    let reviewers = strings(&view, &["spec", "reviewers"])?;
    let Some(((reviewer, _), others)) = reviewers.split_first() else {
        return Err(Problem {
            location: view.location_of(&["spec", "reviewers"]),
            reason: "a review names no reviewer (`spec.reviewers` is empty)".to_owned(),
        });
    };
    let review_date = view.req_time(&["spec", "review_date"])?;
    let notes = view.opt_str(&["spec", "notes"])?;
    let removed = strings(&view, &["spec", "changes", "removed_members"])?;
    let requirements_changed = view
        .get(&["spec", "changes", "membership_requirements_changed"])
        .is_some_and(|v| v.as_object().is_none_or(|o| !o.is_empty()));

    let id = CampaignId::new(name.as_str());
    let campaign = ReviewCampaign {
        closed_at: Some(review_date),
        due_at: review_date,
        entitlements: vec![access_list.clone()],
        id: id.clone(),
        name: Some(format!("{access_list} review")),
        started_at: review_date,
        systems: vec![system.clone()],
    };
    let together = (!others.is_empty()).then(|| {
        let names: Vec<&str> = others.iter().map(|(n, _)| n.as_str()).collect();
        format!("reviewed together with {}", names.join(", "))
    });
    let comment = match (notes, together) {
        (Some(notes), Some(together)) => Some(format!("{notes} ({together})")),
        (notes, together) => notes.or(together),
    };
    let decisions = removed
        .into_iter()
        .map(|(member, at)| {
            let decision = ReviewDecision {
                account: member,
                campaign: id.clone(),
                comment: comment.clone(),
                decided_at: Some(review_date),
                decision: ReviewVerdict::Revoke,
                delegated_to: None,
                assigned_to: None,
                entitlement: Some(access_list.clone()),
                item: Some(name.clone()),
                reviewer: Some(IdentityId::new(reviewer.as_str())),
                reviewer_role: None,
                subject: None,
                system: system.clone(),
            };
            (decision, at)
        })
        .collect();
    Ok(Review {
        campaign,
        location: location.clone(),
        decisions,
        requirements_changed,
    })
}
