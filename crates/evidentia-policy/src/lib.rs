//! The workspace policy: what "on time", "approved", "expected" and "whose account" mean.
//!
//! A policy is written in TOML (format in `docs/policy.md`), parsed and checked here, and read
//! by the linking and checks. Every error names the file, the line and the dotted key; every
//! system a profile, tier, SoD rule or correlation rule names must exist in `[systems]`.
//! The crate does no I/O: callers pass the text in.
//!
//! ```
//! use evidentia_domain::{SystemId, Tier};
//! use evidentia_policy::Policy;
//!
//! let policy = Policy::from_toml(evidentia_policy::EXAMPLE_POLICY, "policy.example.toml").unwrap();
//! let aws = SystemId::new("aws");
//! assert_eq!(policy.tiers.classify(&aws, "AdministratorAccess"), Tier::Privileged);
//! assert_eq!(policy.systems[&aws].revocation_deadline(Tier::Privileged), chrono::TimeDelta::hours(4));
//! ```

mod correlate;
mod duration;
mod error;
mod glob;
mod model;
mod parse;

pub use correlate::{Correlation, CorrelationRule, Correlator, IdentityFacts};
pub use duration::PolicyDuration;
pub use error::{PolicyError, Problem};
pub use glob::{AccountPattern, Glob, MAX_PATTERN_ACCOUNT_LEN};
pub use model::{
    ANY, AccessProfile, CorrelationPolicy, Criticality, EmergencyPolicy, EntitlementRef,
    ExceptionPolicy, ExecutionMode, ExplicitAccount, IgnoreRule, MoverPolicy, NhiPolicy,
    Organisation, POLICY_FORMAT, Policy, ReviewPolicy, SodRule, SystemPolicy, TierRule, Tiers,
};

/// The example policy shipped with the crate and documented in `docs/policy.md`.
pub const EXAMPLE_POLICY: &str = include_str!("../policy.example.toml");
