//! Every check, each in the module of the evidence it reads; `run_all` is the one list.

mod access;
mod approvals;
mod exceptions;
mod lifecycle;
mod nhi;

use crate::{Context, Finding};

/// Every check of DESIGN.md's table, in its order.
pub const IMPLEMENTED: &[&str] = &[
    approvals::GRANT_WITHOUT_APPROVAL,
    approvals::ACCESS_BEFORE_APPROVAL,
    approvals::SELF_APPROVAL,
    approvals::PRIVILEGED_WITHOUT_SECURITY,
    lifecycle::LEAVER_NOT_REVOKED,
    lifecycle::LEAVER_REVOKED_LATE,
    lifecycle::ACTIVITY_AFTER_TERMINATION,
    lifecycle::MOVER_RETAINED_ACCESS,
    access::SOD_CONFLICT,
    access::EXECUTION_FAILED_UNCONFIRMED,
    lifecycle::CHANGE_WITHOUT_EVENT,
    access::ORPHAN_ACCOUNT,
    access::UNEXPECTED_ENTITLEMENT,
    exceptions::EXPIRED_ACTIVE,
    exceptions::NO_OWNER,
    exceptions::NO_EXPIRY,
    exceptions::TOO_LONG,
    nhi::WITHOUT_OWNER,
    nhi::OWNER_LEFT,
    nhi::CREDENTIAL_LONG_LIVED,
    nhi::HUMAN_USE,
];

/// Runs every implemented check. Order does not matter: the caller sorts.
pub(crate) fn run_all(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    approvals::run(ctx, out);
    lifecycle::run(ctx, out);
    access::run(ctx, out);
    exceptions::run(ctx, out);
    nhi::run(ctx, out);
}

#[cfg(test)]
mod tests;
