//! The vocabulary of identity-lifecycle evidence, shared by every other crate; it does no I/O.
//!
//! Types here derive `serde` for one reason: their JSON form (keys sorted, no whitespace) is the
//! canonical payload the ledger hashes and stores, documented in `docs/ledger-format.md`.
//! **Invariant:** struct fields are declared in alphabetical order, so that serializing a
//! record directly already yields canonical JSON (a test pins this); importing a million rows
//! then needs no intermediate JSON tree to sort.
//! Transport to the desktop UI uses separate wire types in `evidentia-app`.
//!
//! ```
//! use evidentia_domain::{IdentityKind, LifecycleEventType};
//! assert!(IdentityKind::Contractor.is_human());
//! assert!(!IdentityKind::AiAgent.is_human());
//! assert_eq!(LifecycleEventType::parse("leaver"), Some(LifecycleEventType::Leaver));
//! ```

mod activity;
mod approval;
mod emergency;
mod exception;
mod execution;
mod identity;
mod ids;
mod lifecycle;
mod name;
mod reconciliation;
mod record;
mod review;

pub use activity::{ActivityChannel, ActivityMark, ActivitySummary, DayRange, day_ranges};
pub use approval::{Approval, ApproverRole, Decision, Tier};
pub use emergency::EmergencyUse;
pub use exception::{ExceptionRecord, Reapproval};
pub use execution::{Execution, Outcome, ProvisioningAction};
pub use identity::{Identity, IdentityKind};
pub use ids::{ApprovalId, CampaignId, EventId, ExceptionId, IdentityId, SystemId};
pub use lifecycle::{LifecycleAttributes, LifecycleEvent, LifecycleEventType};
pub use name::{Name, NameTable, sharing};
pub use reconciliation::{Coverage, ReconciliationRecord, ReconciliationStatus};
pub use record::{Record, RecordKind};
pub use review::{ReviewCampaign, ReviewDecision, ReviewVerdict};

/// Time in the domain is always UTC; local times are converted at the import edge.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Defines `parse`/`as_str` for a fieldless enum from one table of canonical names, so the
/// spelling used in files, the ledger and the UI cannot drift apart.
macro_rules! named_enum {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The canonical lower-case name.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }

            /// Parses the canonical name, ignoring ASCII case, `-`/space for `_`.
            pub fn parse(text: &str) -> Option<Self> {
                let norm: String = text
                    .trim()
                    .chars()
                    .map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_lowercase() })
                    .collect();
                match norm.as_str() {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use named_enum;
