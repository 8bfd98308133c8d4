//! Access reviews (convention 16): every revoke reached the system in time, no one certified
//! their own access, decisions were not stamped in bulk, the whole population was decided on
//! time by someone entitled to, and the campaign was drawn from the systems themselves.

use evidentia_domain::{ApproverRole, IdentityId, ReviewVerdict, SystemId, Timestamp};

use crate::checks::approvals::human_duration;
use crate::context::{FastMap, Folded};
use crate::reviews::{Judged, Judgement, Place, RevokeChain, RevokeStatus, entitlement_key};
use crate::{Cite, Context, Finding};

pub(crate) const REVOKE_NOT_EXECUTED: &str = "EV-REVIEW-REVOKE-NOT-EXECUTED";
pub(crate) const REVOKE_LATE: &str = "EV-REVIEW-REVOKE-LATE";
pub(crate) const REVOKE_CONTRADICTED: &str = "EV-REVIEW-REVOKE-CONTRADICTED";
pub(crate) const SELF_REVIEW: &str = "EV-REVIEW-SELF-REVIEW";
pub(crate) const RUBBER_STAMP: &str = "EV-REVIEW-RUBBER-STAMP";
pub(crate) const INCOMPLETE: &str = "EV-REVIEW-INCOMPLETE";
pub(crate) const OVERDUE: &str = "EV-REVIEW-OVERDUE";
pub(crate) const PRIVILEGED_REVIEWER: &str = "EV-REVIEW-PRIVILEGED-REVIEWER";
pub(crate) const OUTSIDE_POPULATION: &str = "EV-REVIEW-OUTSIDE-POPULATION";

/// A finding resting on many entries of one kind (undecided items, a burst of decisions) cites
/// this many of them; the analysis' reviews list them all.
const CITED: usize = 20;

pub(crate) fn run(ctx: &Context<'_>, judged: &[Judged<'_>], out: &mut Vec<Finding>) {
    for j in judged {
        revokes(j, out);
        self_reviews(j, out);
        rubber_stamps(ctx, j, out);
        incomplete(ctx, j, out);
        overdue(ctx, j, out);
        privileged_reviewers(ctx, j, out);
        outside_population(ctx, j, out);
    }
}

fn day(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The item as a sentence names it: `Admins of alice@x on aws`, `the account alice@x on aws`.
fn item_phrase(d: &evidentia_domain::ReviewDecision) -> String {
    match d
        .entitlement
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case(crate::authority::ACCOUNT))
    {
        Some(e) => format!("{e} of {} on {}", d.account, d.system),
        None => format!("the account {} on {}", d.account, d.system),
    }
}

fn reviewer_name(j: &Judgement<'_>) -> String {
    j.reviewer
        .map_or_else(|| "an unnamed reviewer".to_owned(), |r| r.to_string())
}

/// A finding about one decision's item: campaign, holder, system, account, entitlement, and
/// the campaign entry, the decision entry and the snapshot row that held the item.
fn about_item(check: &'static str, j: &Judged<'_>, d: &Judgement<'_>, summary: String) -> Finding {
    let r = &d.stored.record;
    Finding::new(check, summary)
        .campaign(&j.review.campaign)
        .identity(d.holder())
        .system(Some(&r.system))
        .account(Some(&r.account))
        .entitlement(
            r.entitlement
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case(crate::authority::ACCOUNT)),
        )
        .evidence([j.review.cite(), d.stored.cite()])
        .evidence(d.held_row())
}

/// Not executed, contradicted, late — one finding per revoke or modify decision, in that
/// precedence (convention 17): the chain's status is already exactly one of them.
fn revokes(j: &Judged<'_>, out: &mut Vec<Finding>) {
    let campaign = &j.review.campaign;
    for chain in &j.review.revokes {
        // The campaign's decisions are in ledger order.
        let Some(d) = j
            .decisions
            .binary_search_by_key(&chain.decision, |d| d.stored.cite())
            .ok()
            .and_then(|i| j.decisions.get(i))
        else {
            continue;
        };
        let decided = format!(
            "{} decided to {} {} in campaign {campaign} on {}",
            reviewer_name(d),
            chain.verdict.as_str(),
            item_phrase(&d.stored.record),
            day(chain.decided_at)
        );
        let (check, how) = match chain.status {
            RevokeStatus::NotExecuted => (
                REVOKE_NOT_EXECUTED,
                match chain.confirmation {
                    Some((at, _, _)) => format!(
                        "no removal in the system's log, and its snapshot of {} (deadline {}) still shows it",
                        day(at),
                        day(chain.deadline)
                    ),
                    None => format!(
                        "no removal in the system's log and no snapshot showing it gone by the deadline {}",
                        day(chain.deadline)
                    ),
                },
            ),
            RevokeStatus::Contradicted => (
                REVOKE_CONTRADICTED,
                format!(
                    "the log removed it {} but the system's next snapshot, of {}, still shows it",
                    chain.removal.map_or_else(String::new, |(_, at)| day(at)),
                    chain
                        .confirmation
                        .map_or_else(String::new, |(at, _, _)| day(at))
                ),
            ),
            RevokeStatus::Late => (
                REVOKE_LATE,
                match chain.removal {
                    Some((_, at)) => format!(
                        "removed in the system's log {}, {} after the decision ({} allowed)",
                        day(at),
                        human_duration(at - chain.decided_at),
                        human_duration(chain.deadline - chain.decided_at)
                    ),
                    None => continue,
                },
            ),
            RevokeStatus::OnTime | RevokeStatus::RemovedUnlogged | RevokeStatus::NotYetDue => {
                continue;
            }
        };
        out.push(
            about_item(check, j, d, format!("{decided}; {how}")).evidence(chain_entries(chain)),
        );
    }
}

/// The removal and the snapshot row or entry that confirm or contradict it.
fn chain_entries(chain: &RevokeChain) -> impl Iterator<Item = Cite> {
    chain
        .removal
        .map(|(cite, _)| cite)
        .into_iter()
        .chain(chain.confirmation.map(|(_, _, cite)| cite))
        .filter(|cite| cite.seq > 0)
}

/// A keep or modify decision by the item's holder, or by someone the holder handed it to.
fn self_reviews(j: &Judged<'_>, out: &mut Vec<Finding>) {
    // Each decision looks among the delegations of its own item.
    let mut delegations: FastMap<ItemKey<'_>, Vec<&Judgement<'_>>> = FastMap::default();
    for g in &j.decisions {
        if g.stored.record.decision == ReviewVerdict::Delegated {
            delegations
                .entry(item_key(&g.stored.record))
                .or_default()
                .push(g);
        }
    }
    for d in &j.decisions {
        let r = &d.stored.record;
        if !matches!(r.decision, ReviewVerdict::Keep | ReviewVerdict::Modify)
            || r.decided_at.is_none()
        {
            continue;
        }
        let Some(reviewer) = d.reviewer else { continue };
        let verdict = r.decision.as_str();
        let when = r.decided_at.map(day).unwrap_or_default();
        if d.is_holder(reviewer) {
            out.push(about_item(
                SELF_REVIEW,
                j,
                d,
                format!(
                    "{reviewer} decided {verdict} on their own access, {} in campaign {}, on {when}",
                    item_phrase(r),
                    j.review.campaign
                ),
            ));
            continue;
        }
        // Handed over by the holder: a delegated row on the same item, by the holder, naming
        // this reviewer.
        // Handed over by the holder on the same row: the export names the reviewer the item
        // was first assigned to (the holder) beside the one who decided.
        if d.assigned
            .is_some_and(|by| by != reviewer && d.is_holder(by))
        {
            out.push(about_item(
                SELF_REVIEW,
                j,
                d,
                format!(
                    "{reviewer} decided {verdict} on {} in campaign {} on {when}; the item was assigned to its holder {}, who handed it on",
                    item_phrase(r),
                    j.review.campaign,
                    d.assigned.map_or_else(String::new, |a| a.to_string())
                ),
            ));
            continue;
        }
        let handed = delegations
            .get(&item_key(r))
            .into_iter()
            .flatten()
            .find(|g| g.reviewer.is_some_and(|by| d.is_holder(by)) && g.delegate == Some(reviewer));
        if let Some(g) = handed {
            out.push(
                about_item(
                    SELF_REVIEW,
                    j,
                    d,
                    format!(
                        "{reviewer} decided {verdict} on {} in campaign {} on {when}, handed to them by its holder {}",
                        item_phrase(r),
                        j.review.campaign,
                        g.reviewer.map_or_else(String::new, ToString::to_string)
                    ),
                )
                .evidence([g.stored.cite()]),
            );
        }
    }
}

type ItemKey<'a> = (&'a SystemId, Folded<'a>, Option<Folded<'a>>);

/// A decision's item as the engine keys it (system, account, entitlement; case ignored).
fn item_key(d: &evidentia_domain::ReviewDecision) -> ItemKey<'_> {
    (
        &d.system,
        Folded::new(&d.account),
        entitlement_key(d.entitlement.as_deref()),
    )
}

/// At least `rubber_stamp_decisions` keep decisions by one reviewer within
/// `rubber_stamp_window` of each other, with no other decision among them.
fn rubber_stamps(ctx: &Context<'_>, j: &Judged<'_>, out: &mut Vec<Finding>) {
    let policy = &ctx.policy.reviews;
    let threshold = policy.rubber_stamp_decisions as usize;
    for pace in &j.review.reviewers {
        if !pace.fastest_burst_all_keep || pace.fastest_burst < threshold {
            continue;
        }
        let times: Vec<Timestamp> = pace
            .burst_entries
            .iter()
            .filter_map(|cite| {
                let i = j
                    .decisions
                    .binary_search_by_key(cite, |d| d.stored.cite())
                    .ok()?;
                j.decisions.get(i)?.stored.record.decided_at
            })
            .collect();
        let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else {
            continue;
        };
        out.push(
            Finding::new(
                RUBBER_STAMP,
                format!(
                    "{} made {} keep decisions in campaign {} within {} ({} to {}; at most {} in {} is plausible)",
                    pace.reviewer,
                    pace.fastest_burst,
                    j.review.campaign,
                    human_seconds((*last - *first).num_seconds()),
                    day(*first),
                    last.format("%H:%M:%S"),
                    threshold - 1,
                    policy.rubber_stamp_window
                ),
            )
            .campaign(&j.review.campaign)
            .identity(Some(&pace.reviewer))
            .evidence([j.review.cite()])
            .evidence(pace.burst_entries.iter().copied().take(CITED.max(threshold))),
        );
    }
}

fn human_seconds(s: i64) -> String {
    if s < 120 {
        format!("{s} s")
    } else {
        human_duration(chrono::TimeDelta::seconds(s))
    }
}

/// A closed (or past-due) campaign with items of a system's population left undecided.
fn incomplete(ctx: &Context<'_>, j: &Judged<'_>, out: &mut Vec<Finding>) {
    let r = &j.review;
    let ended = match j.closed {
        Some(end) => format!("closed {}", day(end)),
        None if ctx.as_of > r.due_at => format!("still open, due {}", day(r.due_at)),
        None => return,
    };
    for s in &r.systems {
        let Some(source) = &s.snapshot else { continue };
        let Some((account, entitlement, _)) = s.undecided.first() else {
            continue;
        };
        let example = match entitlement {
            Some(e) => format!("{e} of {account}"),
            None => format!("the account {account}"),
        };
        out.push(
            Finding::new(
                INCOMPLETE,
                format!(
                    "campaign {} ({ended}) left {} of the {} items on {} (its snapshot of {}) without a decision, e.g. {example}",
                    r.campaign,
                    s.undecided.len(),
                    s.population,
                    s.system,
                    day(source.as_of)
                ),
            )
            .campaign(&r.campaign)
            .system(Some(&s.system))
            .evidence([r.cite()])
            .evidence(s.undecided.iter().map(|u| u.2).take(CITED)),
        );
    }
}

/// Closed after its due date, or open past it at `as_of`.
fn overdue(ctx: &Context<'_>, j: &Judged<'_>, out: &mut Vec<Finding>) {
    let r = &j.review;
    if !r.overdue {
        return;
    }
    let how = match j.closed {
        Some(end) => format!(
            "closed {}, {} after it was due ({})",
            day(end),
            human_duration(end - r.due_at),
            day(r.due_at)
        ),
        None => format!("still open at {}, due {}", day(ctx.as_of), day(r.due_at)),
    };
    out.push(
        Finding::new(OVERDUE, format!("campaign {} {how}", r.campaign))
            .campaign(&r.campaign)
            .evidence([r.cite()]),
    );
}

/// An effective decision on a privileged item by a reviewer in none of the roles the policy
/// requires for privileged items (or in no recorded role).
fn privileged_reviewers(ctx: &Context<'_>, j: &Judged<'_>, out: &mut Vec<Finding>) {
    let allowed = &ctx.policy.reviews.privileged_reviewer_roles;
    // The policy's `reviewer_roles`, by person as the evidence resolves them: the role of a
    // reviewer the export gives no role for.
    let listed: Vec<(String, ApproverRole)> = ctx
        .policy
        .reviews
        .reviewer_roles
        .iter()
        .flat_map(|(role, people)| {
            people
                .iter()
                .map(move |p| (ctx.person(p).as_str().to_lowercase(), *role))
        })
        .collect();
    let policy_roles = |reviewer: &IdentityId| -> Vec<ApproverRole> {
        let name = reviewer.as_str().to_lowercase();
        listed
            .iter()
            .filter(|(p, _)| *p == name)
            .map(|(_, role)| *role)
            .collect()
    };
    for d in j.decisions.iter().filter(|d| d.effective && d.privileged) {
        let r = &d.stored.record;
        if r.reviewer_role.is_some_and(|role| allowed.contains(&role)) {
            continue;
        }
        let from_policy = match (r.reviewer_role, d.reviewer) {
            (None, Some(reviewer)) => policy_roles(reviewer),
            _ => Vec::new(),
        };
        if from_policy.iter().any(|role| allowed.contains(role)) {
            continue;
        }
        let role = match (r.reviewer_role, from_policy.first()) {
            (Some(role), _) => format!("role {}", role.as_str()),
            (None, Some(role)) => format!("role {} per the policy", role.as_str()),
            (None, None) => "no recorded role".to_owned(),
        };
        let roles: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
        out.push(about_item(
            PRIVILEGED_REVIEWER,
            j,
            d,
            format!(
                "{} ({role}) decided {} on privileged {} in campaign {}{}; the policy requires a reviewer in {}",
                reviewer_name(d),
                r.decision.as_str(),
                item_phrase(r),
                j.review.campaign,
                r.decided_at.map_or_else(String::new, |t| format!(" on {}", day(t))),
                roles.join(" or ")
            ),
        ));
    }
}

/// A decision on an item the system's snapshot at the start did not hold.
fn outside_population(ctx: &Context<'_>, j: &Judged<'_>, out: &mut Vec<Finding>) {
    for d in j.decisions.iter().filter(|d| d.place == Place::NotHeld) {
        let r = &d.stored.record;
        let Some(at) = d.snapshot else { continue };
        out.push(
            about_item(
                OUTSIDE_POPULATION,
                j,
                d,
                format!(
                    "campaign {} has a {} decision by {} on {}, which the system's snapshot at the start ({}) did not hold",
                    j.review.campaign,
                    r.decision.as_str(),
                    reviewer_name(d),
                    item_phrase(r),
                    day(at)
                ),
            )
            .evidence(ctx.snapshot_first_entry(&r.system, at).map(Cite::entry)),
        );
    }
}
