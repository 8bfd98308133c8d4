//! What makes access legitimate (audit conventions 1–8): birthright from the role profile,
//! the NHI's own catalog entry, an approved request matched by reference or by content, or a
//! valid exception — and for "the account itself", any of these for an entitlement there.

use evidentia_domain::{
    Approval, Decision, ExceptionRecord, Execution, IdentityId, LifecycleEventType, SystemId,
    Timestamp,
};

use crate::context::DAY;
use crate::{Cite, Context, Stored};

/// The item a record about the account itself (creation, enable, a row with no entitlement)
/// is named by in profiles, approvals and the policy.
pub(crate) const ACCOUNT: &str = "account";

/// The item an execution or snapshot row is about: its entitlement, else the account itself.
pub(crate) fn item(entitlement: Option<&str>) -> &str {
    match entitlement.map(str::trim) {
        Some(e) if !e.is_empty() => e,
        _ => ACCOUNT,
    }
}

fn is_account(item: &str) -> bool {
    item.eq_ignore_ascii_case(ACCOUNT)
}

/// Whether an identity was active (joined and not departed since) at `t`, judged from its
/// lifecycle events: before its first joiner or creation event it was not yet active; an
/// identity known only from other records is taken as active.
pub(crate) fn active_at(ctx: &Context<'_>, id: &IdentityId, t: Timestamp) -> bool {
    let starts = |e: &LifecycleEventType| {
        matches!(
            e,
            LifecycleEventType::Joiner | LifecycleEventType::NhiCreated
        )
    };
    let mut events = ctx.events_of(id).peekable();
    let mut active = events
        .peek()
        .is_none_or(|first| !(starts(&first.record.event_type) && first.record.effective_at > t));
    for e in events {
        let e = &e.record;
        if e.effective_at > t {
            break;
        }
        match e.event_type {
            LifecycleEventType::Leaver | LifecycleEventType::NhiRetired => active = false,
            LifecycleEventType::Joiner | LifecycleEventType::NhiCreated => active = true,
            LifecycleEventType::Mover | LifecycleEventType::NhiOwnerChanged => {}
        }
    }
    active
}

/// Whether `item` on `system` is the identity's by birthright (people: the profile of their
/// role at that time, `"*"` included; NHIs: their own catalog entry, the profile of their
/// kind, the access profile the catalog names) at `t`. A role taking effect within a day after
/// `t` counts too: provisioning ahead of a start date is routine. The account itself is
/// birthright wherever any entitlement on the system is (convention 4).
pub(crate) fn birthright(
    ctx: &Context<'_>,
    id: &IdentityId,
    system: &SystemId,
    item: &str,
    t: Timestamp,
) -> bool {
    let Some(kind) = ctx.identity_kinds().get(id).copied() else {
        return false;
    };
    if !(active_at(ctx, id, t) || active_at(ctx, id, t + DAY)) {
        return false;
    }
    let policy = ctx.policy;
    let roles = [ctx.role_at(id, t), ctx.role_at(id, t + DAY)];
    if kind.is_human() {
        return roles.iter().any(|role| {
            if is_account(item) {
                policy.profile_covers_system(*role, system)
            } else {
                policy.expects_for_role(*role, system, item)
            }
        });
    }
    // A non-human identity: its catalog entry first, then its kind's and access profile's.
    let catalog = ctx
        .catalog_of(id)
        .iter()
        .rev()
        .find(|c| c.at <= t + DAY)
        .map_or(&[][..], |c| c.access.as_slice());
    let listed = catalog.iter().any(|(s, e)| {
        s == system && (is_account(item) || e.eq_ignore_ascii_case(item) || glob_like(e, item))
    });
    if listed {
        return true;
    }
    if is_account(item) && ctx.home.get(id) == Some(system) {
        return true;
    }
    let by_kind = policy.nhi.profiles.get(&kind).is_some_and(|p| {
        if is_account(item) {
            p.entitlements.contains_key(system)
        } else {
            p.expects(system, item)
        }
    });
    by_kind
        || roles.iter().flatten().any(|role| {
            policy.profile(role).is_some_and(|p| {
                if is_account(item) {
                    p.entitlements.contains_key(system)
                } else {
                    p.expects(system, item)
                }
            })
        })
}

/// A catalog entry may list a glob (`s3-*`) as a policy does.
fn glob_like(pattern: &str, item: &str) -> bool {
    pattern.contains('*') && evidentia_policy::Glob::new(pattern).matches(item)
}

/// Whether an execution creates or enables the account itself — whatever entitlement the
/// source names with it (GitHub names the organisation joined) — so that authority for
/// anything on the system covers it (convention 4).
pub(crate) fn creates_account(x: &Execution) -> bool {
    matches!(
        x.action,
        evidentia_domain::ProvisioningAction::CreateAccount
            | evidentia_domain::ProvisioningAction::Enable
    )
}

/// Whether an approval row is about `item` on `system`: the same entitlement (ignoring case),
/// an access profile that lists it, or — for the account itself — anything on the system.
pub(crate) fn approval_covers(
    ctx: &Context<'_>,
    a: &Approval,
    system: &SystemId,
    item: &str,
) -> bool {
    // A request to remove access never authorises holding it.
    if &a.system != system || a.removal {
        return false;
    }
    let asked = a.entitlement.trim();
    asked.eq_ignore_ascii_case(item)
        || is_account(item)
        || ctx
            .policy
            .profile(asked)
            .is_some_and(|p| p.expects(system, item))
}

/// One request: every approver's row sharing its id.
#[derive(Debug, Clone)]
pub(crate) struct Request<'a> {
    /// The request id as the first row writes it (rows match ignoring case).
    pub id: &'a str,
    pub rows: Vec<&'a Stored<Approval>>,
}

impl<'a> Request<'a> {
    /// Rows decided at or before `t`.
    pub fn decided_by(&self, t: Timestamp) -> impl Iterator<Item = &'a Stored<Approval>> + '_ {
        self.rows
            .iter()
            .copied()
            .filter(move |a| a.record.decided_at <= t)
    }

    /// Refused at `t`: some approver rejected it by then.
    pub fn rejected_by(&self, t: Timestamp) -> bool {
        self.decided_by(t)
            .any(|a| a.record.decision == Decision::Rejected)
    }

    /// Approved at `t`: at least one approving row by then and no rejection.
    pub fn approved_by(&self, t: Timestamp) -> bool {
        !self.rejected_by(t)
            && self
                .decided_by(t)
                .any(|a| a.record.decision == Decision::Approved)
    }

    /// Approved at `t` and not yet past its end: a time-bound approval (issue #19) no longer
    /// authorises a grant made after its expiry.
    pub fn in_force_at(&self, t: Timestamp) -> bool {
        self.approved_by(t)
            && self.decided_by(t).any(|a| {
                a.record.decision == Decision::Approved
                    && a.record.expires_at.is_none_or(|e| e >= t)
            })
    }

    /// When its latest approving row by `t` was decided.
    pub fn approved_at(&self, t: Timestamp) -> Option<(Timestamp, Cite)> {
        self.decided_by(t)
            .filter(|a| a.record.decision == Decision::Approved)
            .map(|a| (a.record.decided_at, a.cite()))
            .max()
    }

    /// When it was first approved.
    pub fn first_approved(&self) -> Option<&'a Stored<Approval>> {
        self.rows
            .iter()
            .copied()
            .filter(|a| a.record.decision == Decision::Approved)
            .min_by_key(|a| (a.record.decided_at, a.cite()))
    }
}

/// How an execution was matched to requests.
#[derive(Debug, Clone)]
pub(crate) enum Matched<'a> {
    /// The execution cites a request that exists; these are its rows about this subject and
    /// system (empty when the cited request is about someone or something else).
    ByReference {
        id: String,
        requests: Vec<Request<'a>>,
    },
    /// Requests about the same subject, system and item.
    ByContent(Vec<Request<'a>>),
}

impl<'a> Matched<'a> {
    pub fn requests(&self) -> &[Request<'a>] {
        match self {
            Matched::ByReference { requests, .. } | Matched::ByContent(requests) => requests,
        }
    }
}

/// Groups approval rows into requests by id, keeping first-seen order.
fn group<'a>(rows: impl IntoIterator<Item = &'a Stored<Approval>>) -> Vec<Request<'a>> {
    let mut out: Vec<Request<'a>> = Vec::new();
    for row in rows {
        let id = row.record.id.as_str().trim();
        match out.iter_mut().find(|r| r.id.eq_ignore_ascii_case(id)) {
            Some(r) => r.rows.push(row),
            None => out.push(Request {
                id,
                rows: vec![row],
            }),
        }
    }
    out
}

/// The requests behind an execution about `subject`: the one it cites when that request
/// exists (convention 7, by reference first), else every request about the same subject,
/// system and item.
pub(crate) fn requests_for<'a>(
    ctx: &Context<'a>,
    subject: &IdentityId,
    x: &Execution,
) -> Matched<'a> {
    if let Some(reference) = x
        .request_ref
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        let rows: Vec<&'a Stored<Approval>> = ctx.request_rows(reference).collect();
        if !rows.is_empty() {
            let about = rows.into_iter().filter(|a| {
                ctx.person(&a.record.subject) == subject && a.record.system == x.system
            });
            return Matched::ByReference {
                id: reference.to_owned(),
                requests: group(about),
            };
        }
    }
    let item = item(x.entitlement.as_deref());
    let account = creates_account(x);
    Matched::ByContent(group(ctx.approvals_of(subject).filter(|a| {
        approval_covers(ctx, &a.record, &x.system, item)
            || (account && approval_covers(ctx, &a.record, &x.system, ACCOUNT))
    })))
}

/// An exception covering `item` on `system` for `subject` at `t`: granted by then and not yet
/// expired (renewals count; convention 14). For the account itself, an exception for anything
/// on the system covers it (convention 4).
pub(crate) fn valid_exception<'a>(
    ctx: &Context<'a>,
    subject: &IdentityId,
    system: &SystemId,
    item: &str,
    t: Timestamp,
) -> Option<&'a Stored<ExceptionRecord>> {
    ctx.exceptions_of(subject)
        .find(|x| excepts(&x.record, system, item) && covered_at(&x.record, t))
}

/// Whether an exception record is about `item` on `system` (for the account itself: any
/// entitlement there, convention 4).
pub(crate) fn excepts(e: &ExceptionRecord, system: &SystemId, item: &str) -> bool {
    e.system.as_ref() == Some(system)
        && (is_account(item)
            || e.entitlement
                .as_deref()
                .is_some_and(|ent| ent.trim().eq_ignore_ascii_case(item.trim())))
}

/// The exception an execution cites by its id in the request reference (registers and
/// change logs often quote the exception number), when it is about the same subject and
/// system and covers the moment of the change.
pub(crate) fn referenced_exception<'a>(
    ctx: &Context<'a>,
    subject: &IdentityId,
    x: &Execution,
) -> Option<&'a Stored<ExceptionRecord>> {
    let reference = x.request_ref.as_deref()?.trim();
    ctx.exceptions_of(subject).find(|e| {
        let e = &e.record;
        e.id.as_str().trim().eq_ignore_ascii_case(reference)
            && e.system.as_ref() == Some(&x.system)
            && covered_at(e, x.at)
    })
}

/// Whether an exception record (with its renewals) covers the moment `t`.
pub(crate) fn covered_at(e: &ExceptionRecord, t: Timestamp) -> bool {
    cover_intervals(e)
        .iter()
        .any(|(from, to)| *from <= t && to.is_none_or(|to| t <= to))
}

/// The stretches an exception record covers: the original grant to its expiry, and each
/// renewal from its approval to its own expiry (a renewal decided before the expiry makes the
/// cover continuous; one decided after leaves a gap).
pub(crate) fn cover_intervals(e: &ExceptionRecord) -> Vec<(Timestamp, Option<Timestamp>)> {
    let mut out = vec![(e.granted_at, e.expires_at)];
    let mut renewals: Vec<_> = e.reapprovals.iter().collect();
    renewals.sort_by_key(|r| r.approved_at);
    out.extend(renewals.into_iter().map(|r| (r.approved_at, r.expires_at)));
    out
}

/// Whether any exception, expired or not, was ever granted for `item` on `system` for
/// `subject`: such access is judged by the exception checks alone.
pub(crate) fn any_exception(
    ctx: &Context<'_>,
    subject: &IdentityId,
    system: &SystemId,
    item: &str,
) -> bool {
    ctx.exceptions_of(subject)
        .any(|x| excepts(&x.record, system, item))
}
