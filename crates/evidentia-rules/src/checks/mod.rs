//! Every check, each in the module of the evidence it reads; `run_all` is the one list.

mod approvals;
mod exceptions;
mod nhi;

use crate::{Context, Finding};

/// The checks this engine runs so far; the rest of DESIGN.md's table is still to come.
pub const IMPLEMENTED: &[&str] = &[
    approvals::GRANT_WITHOUT_APPROVAL,
    approvals::ACCESS_BEFORE_APPROVAL,
    approvals::SELF_APPROVAL,
    approvals::PRIVILEGED_WITHOUT_SECURITY,
    exceptions::EXPIRED_ACTIVE,
    exceptions::NO_OWNER,
    exceptions::NO_EXPIRY,
    exceptions::TOO_LONG,
    nhi::WITHOUT_OWNER,
    nhi::OWNER_LEFT,
];

/// Runs every implemented check. Order does not matter: the caller sorts.
pub(crate) fn run_all(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    approvals::run(ctx, out);
    exceptions::run(ctx, out);
    nhi::run(ctx, out);
}
