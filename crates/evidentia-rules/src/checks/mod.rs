//! Every check, each in the module of the evidence it reads; `run_all` and `run_beside_chains`
//! are the one list.

pub(crate) mod access;
pub(crate) mod approvals;
pub(crate) mod credentials;
pub(crate) mod emergency;
pub(crate) mod exceptions;
pub(crate) mod expiry;
pub(crate) mod lifecycle;
pub(crate) mod nhi;
pub(crate) mod reviews;

use crate::coverage::{EvidenceKind as E, Needs};
use crate::{Cite, Context, Finding};

/// Every check of DESIGN.md's table, in its order.
pub const IMPLEMENTED: &[&str] = &[
    approvals::GRANT_WITHOUT_APPROVAL,
    approvals::ACCESS_BEFORE_APPROVAL,
    approvals::SELF_APPROVAL,
    approvals::PRIVILEGED_WITHOUT_SECURITY,
    lifecycle::LEAVER_NOT_REVOKED,
    lifecycle::LEAVER_REVOKED_LATE,
    lifecycle::ACTIVITY_AFTER_TERMINATION,
    credentials::CREDENTIAL_NOT_REVOKED,
    credentials::CREDENTIAL_REVOKED_LATE,
    credentials::CREDENTIAL_USED_AFTER_LEAVE,
    lifecycle::MOVER_RETAINED_ACCESS,
    access::SOD_CONFLICT,
    access::EXECUTION_FAILED_UNCONFIRMED,
    lifecycle::CHANGE_WITHOUT_EVENT,
    access::ORPHAN_ACCOUNT,
    access::UNEXPECTED_ENTITLEMENT,
    expiry::ACCESS_PAST_EXPIRY,
    emergency::EMERGENCY_HELD_TOO_LONG,
    emergency::EMERGENCY_NO_REVIEW,
    emergency::BREAK_GLASS_NO_TICKET,
    exceptions::EXPIRED_ACTIVE,
    exceptions::NO_OWNER,
    exceptions::NO_EXPIRY,
    exceptions::TOO_LONG,
    nhi::WITHOUT_OWNER,
    nhi::OWNER_LEFT,
    nhi::CREDENTIAL_LONG_LIVED,
    credentials::NHI_CREDENTIAL_STALE,
    nhi::HUMAN_USE,
    reviews::REVOKE_NOT_EXECUTED,
    reviews::REVOKE_LATE,
    reviews::REVOKE_CONTRADICTED,
    reviews::SELF_REVIEW,
    reviews::RUBBER_STAMP,
    reviews::INCOMPLETE,
    reviews::OVERDUE,
    reviews::PRIVILEGED_REVIEWER,
    reviews::OUTSIDE_POPULATION,
];

const fn needs(all: &'static [E], any: &'static [E]) -> Needs {
    Needs { all, any }
}

/// The evidence each check needs (audit convention 13): without it a check examined nothing
/// and its controls cannot be met.
pub(crate) const NEEDS: &[(&str, Needs)] = &[
    (
        approvals::GRANT_WITHOUT_APPROVAL,
        needs(&[E::Executions, E::Approvals], &[]),
    ),
    (
        approvals::ACCESS_BEFORE_APPROVAL,
        needs(&[E::Executions, E::Approvals], &[]),
    ),
    (
        approvals::SELF_APPROVAL,
        needs(&[E::Executions, E::Approvals], &[]),
    ),
    (
        approvals::PRIVILEGED_WITHOUT_SECURITY,
        needs(&[E::Executions, E::Approvals], &[]),
    ),
    (
        lifecycle::LEAVER_NOT_REVOKED,
        needs(&[E::Lifecycle], &[E::Executions, E::Reconciliation]),
    ),
    (
        lifecycle::LEAVER_REVOKED_LATE,
        needs(&[E::Lifecycle, E::Executions], &[]),
    ),
    (
        lifecycle::ACTIVITY_AFTER_TERMINATION,
        needs(&[E::Lifecycle, E::Activity], &[]),
    ),
    (
        credentials::CREDENTIAL_NOT_REVOKED,
        needs(&[E::Lifecycle], &[E::Executions, E::Reconciliation]),
    ),
    (
        credentials::CREDENTIAL_REVOKED_LATE,
        needs(&[E::Lifecycle, E::Executions], &[]),
    ),
    (
        credentials::CREDENTIAL_USED_AFTER_LEAVE,
        needs(&[E::Lifecycle, E::Reconciliation], &[]),
    ),
    (
        lifecycle::MOVER_RETAINED_ACCESS,
        needs(&[E::Lifecycle], &[E::Executions, E::Reconciliation]),
    ),
    (access::SOD_CONFLICT, needs(&[E::Reconciliation], &[])),
    (
        access::EXECUTION_FAILED_UNCONFIRMED,
        needs(&[E::Executions], &[]),
    ),
    (
        lifecycle::CHANGE_WITHOUT_EVENT,
        needs(&[E::Executions, E::Lifecycle], &[]),
    ),
    (
        access::ORPHAN_ACCOUNT,
        needs(&[], &[E::Executions, E::Reconciliation]),
    ),
    (
        access::UNEXPECTED_ENTITLEMENT,
        needs(&[E::Reconciliation], &[]),
    ),
    // Judged where the organisation keeps an emergency-access register (its JIT and
    // break-glass uses are then known to be governed), from the provisioning logs.
    (
        emergency::EMERGENCY_HELD_TOO_LONG,
        needs(&[E::Executions, E::Emergency], &[]),
    ),
    (emergency::EMERGENCY_NO_REVIEW, needs(&[E::Emergency], &[])),
    (
        emergency::BREAK_GLASS_NO_TICKET,
        needs(&[E::Emergency], &[]),
    ),
    (
        expiry::ACCESS_PAST_EXPIRY,
        needs(&[E::TimeBound], &[E::Executions, E::Reconciliation]),
    ),
    (
        exceptions::EXPIRED_ACTIVE,
        needs(&[E::Exceptions, E::Reconciliation], &[]),
    ),
    (exceptions::NO_OWNER, needs(&[E::Exceptions], &[])),
    (exceptions::NO_EXPIRY, needs(&[E::Exceptions], &[])),
    (exceptions::TOO_LONG, needs(&[E::Exceptions], &[])),
    (nhi::WITHOUT_OWNER, needs(&[E::Catalog], &[])),
    (nhi::OWNER_LEFT, needs(&[E::Catalog, E::Lifecycle], &[])),
    (nhi::CREDENTIAL_LONG_LIVED, needs(&[E::Catalog], &[])),
    (
        credentials::NHI_CREDENTIAL_STALE,
        needs(&[E::Catalog], &[E::Reconciliation, E::Activity]),
    ),
    (nhi::HUMAN_USE, needs(&[E::Catalog, E::Activity], &[])),
    // A revoke is followed to the log or the snapshots; late and contradicted rest on a
    // removal in the log. Populations are the systems' snapshots at the start.
    (
        reviews::REVOKE_NOT_EXECUTED,
        needs(
            &[E::Reviews, E::Reconciliation],
            &[E::Executions, E::Reconciliation],
        ),
    ),
    (
        reviews::REVOKE_LATE,
        needs(&[E::Reviews, E::Reconciliation, E::Executions], &[]),
    ),
    (
        reviews::REVOKE_CONTRADICTED,
        needs(&[E::Reviews, E::Reconciliation, E::Executions], &[]),
    ),
    (reviews::SELF_REVIEW, needs(&[E::Reviews], &[])),
    (reviews::RUBBER_STAMP, needs(&[E::Reviews], &[])),
    (
        reviews::INCOMPLETE,
        needs(&[E::Reviews, E::Reconciliation], &[]),
    ),
    (reviews::OVERDUE, needs(&[E::Reviews], &[])),
    (reviews::PRIVILEGED_REVIEWER, needs(&[E::Reviews], &[])),
    (
        reviews::OUTSIDE_POPULATION,
        needs(&[E::Reviews, E::Reconciliation], &[]),
    ),
];

/// Checks whose findings rest on the absence of a record of this kind: without any such
/// records imported they would report every item, so they report nothing.
pub(crate) const ABSENCE_OF: &[(&str, E)] = &[
    (approvals::GRANT_WITHOUT_APPROVAL, E::Approvals),
    (approvals::ACCESS_BEFORE_APPROVAL, E::Approvals),
    (approvals::SELF_APPROVAL, E::Approvals),
    (approvals::PRIVILEGED_WITHOUT_SECURITY, E::Approvals),
];

/// Runs every implemented check but the access-review ones ([`reviews::run`], which read the
/// judged campaigns) and those of [`run_beside_chains`]. Order does not matter: the caller sorts.
/// `birthright` receives the grants birthright or the catalog authorised (the approval checks'
/// by-product, kept for the audit populations).
pub(crate) fn run_all(ctx: &Context<'_>, out: &mut Vec<Finding>, birthright: &mut Vec<Cite>) {
    approvals::run(ctx, out, birthright);
    lifecycle::run(ctx, out);
    expiry::run(ctx, out);
    access::run(ctx, out);
    exceptions::run(ctx, out);
    expiry::supersede_drift(out);
}

/// What the checks beside the chains hand back besides their findings: the credentials they
/// could not judge, and the tallies the metrics read (so that no check runs twice).
pub(crate) struct BesideChains {
    pub not_assessed: Vec<credentials::NotAssessed>,
    pub leaver_credentials: credentials::LeaverCredentials,
    pub emergency: emergency::Reviews,
}

/// The checks that neither read nor are read by another check's findings, run on the chains'
/// thread, the shorter of the two (issue #19's benchmark): leavers' credentials, NHIs,
/// emergency uses, and NHI credentials' idleness.
pub(crate) fn run_beside_chains(ctx: &Context<'_>, out: &mut Vec<Finding>) -> BesideChains {
    let leaver_credentials = credentials::run(ctx, out);
    nhi::run(ctx, out);
    emergency::run(ctx, out);
    let emergency = emergency::register(ctx, out);
    let not_assessed = credentials::stale(ctx, out);
    BesideChains {
        not_assessed,
        leaver_credentials,
        emergency,
    }
}

#[cfg(test)]
mod tests;
