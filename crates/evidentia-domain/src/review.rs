//! Access reviews (certification campaigns): what a campaign asked reviewers to certify and
//! what each reviewer decided, the governance half of periodic recertification.

use serde::{Deserialize, Serialize};

use crate::{ApproverRole, CampaignId, IdentityId, SystemId, Timestamp, named_enum};

/// One access-review campaign: its scope and its dates.
///
/// The campaign's population is not stored here: it is what each system in scope held when
/// the campaign started, read from that system's snapshot (audit conventions 11 and 16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCampaign {
    /// When the campaign was closed (signed off); `None` while it is open.
    pub closed_at: Option<Timestamp>,
    /// When every decision was due.
    pub due_at: Timestamp,
    /// Entitlement patterns in scope (`*` and `?` globs, matched ignoring ASCII case); empty:
    /// every entitlement, and accounts that hold none are reviewed as the account itself.
    pub entitlements: Vec<String>,
    pub id: CampaignId,
    pub name: Option<String>,
    /// When the campaign started: the moment its population is drawn at.
    pub started_at: Timestamp,
    /// Systems in scope; empty: the systems its decisions name.
    pub systems: Vec<SystemId>,
}

/// What a reviewer decided about one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewVerdict {
    /// Certified: the access stays.
    Keep,
    /// The access must be removed.
    Revoke,
    /// The access must change; the item as reviewed must be removed (what replaces it is a
    /// new grant with its own authority).
    Modify,
    /// Handed to another reviewer (`delegated_to`); not a decision.
    Delegated,
    /// The item was assigned but never decided.
    NoDecision,
}

named_enum!(ReviewVerdict {
    Keep => "keep",
    Revoke => "revoke",
    Modify => "modify",
    Delegated => "delegated",
    NoDecision => "no_decision",
});

impl ReviewVerdict {
    /// Keep, revoke and modify decide an item; delegation and no decision do not.
    pub fn decides(self) -> bool {
        matches!(
            self,
            ReviewVerdict::Keep | ReviewVerdict::Revoke | ReviewVerdict::Modify
        )
    }

    /// Revoke and modify both need the system's proof that the item as reviewed is gone.
    pub fn removes(self) -> bool {
        matches!(self, ReviewVerdict::Revoke | ReviewVerdict::Modify)
    }
}

/// One reviewer's decision on one item of a campaign: an account, or one of its entitlements,
/// in one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDecision {
    /// The account as the system names it.
    pub account: String,
    /// The reviewer the item was first assigned to, where the export names both it and the
    /// reviewer who decided (the item was handed on: Okta's original and final reviewer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<IdentityId>,
    pub campaign: CampaignId,
    pub comment: Option<String>,
    /// When the reviewer decided; `None` for an item never decided.
    pub decided_at: Option<Timestamp>,
    pub decision: ReviewVerdict,
    /// For a delegated item: the reviewer it was handed to.
    pub delegated_to: Option<IdentityId>,
    /// The entitlement reviewed; `None`: the account itself.
    pub entitlement: Option<String>,
    /// The review tool's own id of the item or decision, where it has one.
    pub item: Option<String>,
    /// Who decided, as the review tool names them; `None` for an unassigned item.
    pub reviewer: Option<IdentityId>,
    /// The role in which the reviewer decided, where the export says.
    pub reviewer_role: Option<ApproverRole>,
    /// Whose access it is, as the review tool names them (the account's holder).
    pub subject: Option<IdentityId>,
    pub system: SystemId,
}
