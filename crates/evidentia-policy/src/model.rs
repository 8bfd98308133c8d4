//! The policy as the checks read it: validated, deterministic (ordered maps), serializable.
//!
//! Fields are public because the rules engine reads every part of it; the types that carry
//! invariants (`PolicyDuration`, `Glob`, `AccountPattern`) can only be built valid, and a
//! `Policy` itself only comes from [`Policy::from_toml`](crate::Policy::from_toml).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use evidentia_domain::{ApproverRole, IdentityId, IdentityKind, SystemId, Tier};
use serde::Serialize;

use crate::{AccountPattern, Glob, PolicyDuration};

/// The `format` tag every policy file carries, so a later format can be told apart.
pub const POLICY_FORMAT: &str = "evidentia-policy/1";

/// Key in `[profiles]` and `[tiers.*.entitlements]` / `[correlation.patterns]` meaning
/// "every human" or "every system".
pub const ANY: &str = "*";

/// The whole workspace policy.
///
/// Its canonical JSON form (what the ledger records on every policy change) is
/// `evidentia_ledger::canonical_json(&policy)`: every map is a `BTreeMap`, durations are in
/// their canonical spelling, and patterns as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub format: String,
    pub organisation: Organisation,
    pub systems: BTreeMap<SystemId, SystemPolicy>,
    /// Keyed by role or job code as written; look up with [`Policy::profile`].
    pub profiles: BTreeMap<String, AccessProfile>,
    pub tiers: Tiers,
    pub separation_of_duties: Vec<SodRule>,
    pub exceptions: ExceptionPolicy,
    pub movers: MoverPolicy,
    pub nhi: NhiPolicy,
    pub reviews: ReviewPolicy,
    pub correlation: CorrelationPolicy,
    pub emergency: EmergencyPolicy,
}

/// Emergency access (issue #19): break-glass accounts and just-in-time entitlements per
/// system, how long one activation may last, and how soon each use must be reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EmergencyPolicy {
    /// The source event types that are just-in-time activations (and their ends) per system
    /// (globs, case ignored). Where a system has them, a grant of a JIT entitlement recorded
    /// under another event type is a standing assignment (judged by the approval checks), not
    /// an activation; where it has none, every grant of a JIT entitlement is an activation.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub activations: BTreeMap<SystemId, Vec<Glob>>,
    /// Just-in-time entitlements whose every activation needs an approved request of its own
    /// (PIM's "require approval to activate"), per system (entitlement globs, case ignored):
    /// such an activation is judged by the approval checks too, not authorised by its
    /// eligibility alone.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub approval_required: BTreeMap<SystemId, Vec<Glob>>,
    /// Accounts that are break-glass accounts, per system (globs, case ignored).
    pub break_glass: BTreeMap<SystemId, Vec<Glob>>,
    /// Just-in-time entitlements per system, each with the longest one activation may last.
    pub jit: BTreeMap<SystemId, Vec<(Glob, PolicyDuration)>>,
    /// How soon after an emergency use its post-activation review must be decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_window: Option<PolicyDuration>,
    /// How far apart a register row's start and the log's record of the same use may be,
    /// where no request id links them (default 15 minutes): registers are typed by people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_use_within: Option<PolicyDuration>,
}

impl EmergencyPolicy {
    /// [`EmergencyPolicy::same_use_within`], or its default of 15 minutes.
    pub fn same_use(&self) -> chrono::TimeDelta {
        self.same_use_within
            .map_or(chrono::TimeDelta::minutes(15), |d| d.as_delta())
    }

    /// Whether `account` on `system` is a break-glass account.
    pub fn is_break_glass(&self, system: &SystemId, account: &str) -> bool {
        self.break_glass
            .get(system)
            .is_some_and(|globs| globs.iter().any(|g| g.matches(account.trim())))
    }

    /// Whether a change of `entitlement` on `system` recorded as `event_type` is a just-in-time
    /// activation (or the end of one): a JIT entitlement, by an activation event where the
    /// policy names the system's activation events.
    pub fn is_activation(
        &self,
        system: &SystemId,
        entitlement: &str,
        event_type: Option<&str>,
    ) -> bool {
        self.jit_max(system, entitlement).is_some()
            && self.activations.get(system).is_none_or(|globs| {
                event_type.is_some_and(|t| globs.iter().any(|g| g.matches(t.trim())))
            })
    }

    /// Whether an activation of `entitlement` on `system` is authorised by its eligibility
    /// alone (no request of its own), rather than needing an approved request each time.
    pub fn activation_preapproved(&self, system: &SystemId, entitlement: &str) -> bool {
        !self
            .approval_required
            .get(system)
            .is_some_and(|globs| globs.iter().any(|g| g.matches(entitlement.trim())))
    }

    /// The longest one activation of `entitlement` on `system` may last, when it is a
    /// just-in-time entitlement.
    pub fn jit_max(&self, system: &SystemId, entitlement: &str) -> Option<PolicyDuration> {
        self.jit
            .get(system)?
            .iter()
            .find(|(g, _)| g.matches(entitlement.trim()))
            .map(|(_, d)| *d)
    }
}

/// Who the evidence is about, for report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub name: String,
    /// Default reporting period, inclusive dates.
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

/// How seriously a system's access is taken; drives default SLAs and report ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Criticality {
    Critical,
    High,
    Medium,
    Low,
}

impl Criticality {
    /// Every value, most critical first.
    pub const ALL: &'static [Criticality] = &[
        Criticality::Critical,
        Criticality::High,
        Criticality::Medium,
        Criticality::Low,
    ];

    /// The spelling used in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Critical => "critical",
            Criticality::High => "high",
            Criticality::Medium => "medium",
            Criticality::Low => "low",
        }
    }

    /// The revocation SLA when a system does not state one: 24 h for critical and high,
    /// 72 h otherwise (the defaults in DESIGN.md).
    pub fn default_revocation_sla(self) -> PolicyDuration {
        match self {
            Criticality::Critical | Criticality::High => PolicyDuration::hours(24),
            Criticality::Medium | Criticality::Low => PolicyDuration::hours(72),
        }
    }
}

/// Whether a system applies changes as they are requested or in periodic runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExecutionMode {
    EventDriven,
    Batch,
}

/// One system in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemPolicy {
    pub name: String,
    pub criticality: Criticality,
    pub mode: ExecutionMode,
    /// Set exactly when `mode` is batch: how far an execution may trail its request.
    pub batch_interval: Option<PolicyDuration>,
    pub revocation_sla: PolicyDuration,
    /// Stricter SLA for revoking privileged-tier entitlements; `None` means `revocation_sla`.
    pub privileged_revocation_sla: Option<PolicyDuration>,
    pub provisioning_sla: Option<PolicyDuration>,
    /// Reconciliation snapshots are expected, so a missing confirmation is a gap.
    pub reconciled: bool,
    /// Entitlements that take access away (a block-sign-in or quarantine group): holding one
    /// is no access, granting one no grant (audit convention 6).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deny_entitlements: Vec<Glob>,
}

impl SystemPolicy {
    /// How long after the triggering event a revocation of an entitlement of `tier` may
    /// land and still be on time: the tier's SLA plus, on batch systems, one batch interval.
    pub fn revocation_deadline(&self, tier: Tier) -> chrono::TimeDelta {
        let sla = match (tier, self.privileged_revocation_sla) {
            (Tier::Privileged, Some(strict)) => strict,
            _ => self.revocation_sla,
        };
        sla.as_delta() + self.batch_lag()
    }

    /// How long after its approval a grant may land and still be on time, when a
    /// provisioning SLA is set.
    pub fn provisioning_deadline(&self) -> Option<chrono::TimeDelta> {
        self.provisioning_sla
            .map(|sla| sla.as_delta() + self.batch_lag())
    }

    /// Whether `entitlement` is one of the system's deny entitlements.
    pub fn denies(&self, entitlement: &str) -> bool {
        self.deny_entitlements
            .iter()
            .any(|g| g.matches(entitlement))
    }

    fn batch_lag(&self) -> chrono::TimeDelta {
        self.batch_interval
            .map_or(chrono::TimeDelta::zero(), PolicyDuration::as_delta)
    }
}

/// Expected (birthright) entitlements per system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccessProfile {
    pub entitlements: BTreeMap<SystemId, Vec<Glob>>,
}

impl AccessProfile {
    /// Whether the profile expects `entitlement` on `system`.
    pub fn expects(&self, system: &SystemId, entitlement: &str) -> bool {
        self.entitlements
            .get(system)
            .is_some_and(|globs| globs.iter().any(|g| g.matches(entitlement)))
    }
}

/// What one tier requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierRule {
    /// At least one approving decision from each role listed (all of them, not any of them).
    pub approvers: Vec<ApproverRole>,
    /// Entitlements in this tier, per system id or [`ANY`]; empty for the standard tier,
    /// which is everything not listed elsewhere.
    pub entitlements: BTreeMap<String, Vec<Glob>>,
}

impl TierRule {
    /// Whether this tier lists `entitlement` on `system`.
    pub fn lists(&self, system: &SystemId, entitlement: &str) -> bool {
        [system.as_str(), ANY]
            .iter()
            .filter_map(|key| self.entitlements.get(*key))
            .flatten()
            .any(|g| g.matches(entitlement))
    }

    /// The listed roles that `approved_roles` (roles of approving decisions) do not cover.
    pub fn missing_roles(&self, approved_roles: &[ApproverRole]) -> Vec<ApproverRole> {
        self.approvers
            .iter()
            .copied()
            .filter(|role| !approved_roles.contains(role))
            .collect()
    }
}

/// The three tiers and which entitlements fall in the upper two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tiers {
    pub standard: TierRule,
    pub elevated: TierRule,
    pub privileged: TierRule,
}

impl Tiers {
    /// The tier an entitlement falls in: privileged if listed there, else elevated if listed
    /// there, else standard. The higher tier wins when both list it.
    pub fn classify(&self, system: &SystemId, entitlement: &str) -> Tier {
        if self.privileged.lists(system, entitlement) {
            Tier::Privileged
        } else if self.elevated.lists(system, entitlement) {
            Tier::Elevated
        } else {
            Tier::Standard
        }
    }

    /// The rule for one tier.
    pub fn rule(&self, tier: Tier) -> &TierRule {
        match tier {
            Tier::Standard => &self.standard,
            Tier::Elevated => &self.elevated,
            Tier::Privileged => &self.privileged,
        }
    }
}

/// One entitlement on one system, written `system:entitlement` (the entitlement may be a glob
/// and may itself contain `:`; the system id never does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntitlementRef {
    pub system: SystemId,
    pub entitlement: Glob,
}

impl EntitlementRef {
    /// Whether `entitlement` on `system` is this reference.
    pub fn matches(&self, system: &SystemId, entitlement: &str) -> bool {
        &self.system == system && self.entitlement.matches(entitlement)
    }
}

/// A pair of entitlements no one may hold together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SodRule {
    /// Stable name for findings; defaults to `"<a> / <b>"` as written.
    pub id: String,
    pub a: EntitlementRef,
    pub b: EntitlementRef,
    pub reason: String,
}

/// Limits on time-bound exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionPolicy {
    pub max_duration_standard: PolicyDuration,
    pub max_duration_elevated: PolicyDuration,
    pub max_duration_privileged: PolicyDuration,
    /// Exceptions expiring within this window are reported as expiring soon.
    pub warning_window: PolicyDuration,
}

impl ExceptionPolicy {
    /// The longest an exception of `tier` may run.
    pub fn max_duration(&self, tier: Tier) -> PolicyDuration {
        match tier {
            Tier::Standard => self.max_duration_standard,
            Tier::Elevated => self.max_duration_elevated,
            Tier::Privileged => self.max_duration_privileged,
        }
    }
}

/// Rules for role changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoverPolicy {
    /// How long old-role access may remain after the move's effective time.
    pub transition_window: PolicyDuration,
}

/// Rules for access reviews (certification campaigns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewPolicy {
    /// How soon after a revoke (or modify) decision the system must show the item removed.
    pub revoke_sla: PolicyDuration,
    /// Rubber-stamping: at least this many decisions by one reviewer in one campaign, all
    /// "keep", within `rubber_stamp_window` of each other.
    pub rubber_stamp_decisions: u32,
    pub rubber_stamp_window: PolicyDuration,
    /// Roles of which a reviewer of a privileged item must hold one.
    pub privileged_reviewer_roles: Vec<ApproverRole>,
    /// Who holds which role, for exports that do not say in which role a reviewer decided
    /// (Entra's and Okta's review reports): people as the evidence names them (identity id,
    /// e-mail, account). A role the export states wins.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub reviewer_roles: BTreeMap<ApproverRole, Vec<IdentityId>>,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        ReviewPolicy {
            revoke_sla: PolicyDuration::days(7),
            rubber_stamp_decisions: 20,
            rubber_stamp_window: PolicyDuration::seconds(60),
            privileged_reviewer_roles: vec![ApproverRole::Security, ApproverRole::SystemOwner],
            reviewer_roles: BTreeMap::new(),
        }
    }
}

/// Rules for non-human identities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NhiPolicy {
    pub credential_max_age: PolicyDuration,
    /// Longest an active NHI credential may go unused (`EV-NHI-CREDENTIAL-STALE`); at least a
    /// day.
    pub credential_max_idle: PolicyDuration,
    /// Per-kind overrides of `credential_max_age` (certificates commonly live a year).
    pub credential_max_age_by_kind: BTreeMap<IdentityKind, PolicyDuration>,
    /// Source event types that mean a person used the identity interactively (compared
    /// ignoring case), e.g. CloudTrail `ConsoleLogin`, Okta `user.session.start`.
    pub interactive_events: Vec<String>,
    /// Expected entitlements per NHI kind.
    pub profiles: BTreeMap<IdentityKind, AccessProfile>,
    /// How soon after an owner leaves the NHI must have a new owner; `None`: by the end of
    /// the period (an NHI still owned by a leaver then is the finding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_handover: Option<PolicyDuration>,
}

impl NhiPolicy {
    /// The maximum credential age for an identity of `kind`.
    pub fn credential_max_age_for(&self, kind: IdentityKind) -> PolicyDuration {
        self.credential_max_age_by_kind
            .get(&kind)
            .copied()
            .unwrap_or(self.credential_max_age)
    }

    /// Whether a source event type counts as interactive (human) use.
    pub fn is_interactive(&self, event_type: &str) -> bool {
        self.interactive_events
            .iter()
            .any(|e| e.eq_ignore_ascii_case(event_type.trim()))
    }
}

/// How system accounts map to identities; see [`crate::Correlator`] for the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrelationPolicy {
    pub by_email: bool,
    pub by_employee_id: bool,
    pub by_alias: bool,
    /// The account equals the part of the identity's e-mail before the `@` (`dana.ortiz` for
    /// `dana.ortiz@example.com`): usernames derived from work e-mails.
    pub by_email_local_part: bool,
    /// Account shapes per system id or [`ANY`].
    pub patterns: BTreeMap<String, Vec<AccountPattern>>,
    /// One-off mappings, keyed by `system:account` as written.
    pub accounts: BTreeMap<String, ExplicitAccount>,
    /// Known system and break-glass accounts: not orphans, but still reported.
    pub ignore: Vec<IgnoreRule>,
}

/// One row of `[correlation.accounts]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplicitAccount {
    pub system: SystemId,
    pub account: String,
    pub identity: IdentityId,
}

/// One `[[correlation.ignore]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoreRule {
    /// `None` for `*:` (every system).
    pub system: Option<SystemId>,
    pub account: Glob,
    pub reason: String,
}

impl IgnoreRule {
    /// The rule as written, `system:account`.
    pub fn pattern(&self) -> String {
        let system = self.system.as_ref().map_or(ANY, SystemId::as_str);
        format!("{system}:{}", self.account.as_str())
    }

    /// Whether the rule covers `account` on `system`.
    pub fn matches(&self, system: &SystemId, account: &str) -> bool {
        self.system.as_ref().is_none_or(|s| s == system) && self.account.matches(account)
    }
}

impl Policy {
    /// The access profile for a role or job code, ignoring case and surrounding space.
    pub fn profile(&self, role: &str) -> Option<&AccessProfile> {
        let role = role.trim();
        self.profiles
            .iter()
            .find(|(key, _)| key.as_str() != ANY && key.eq_ignore_ascii_case(role))
            .map(|(_, profile)| profile)
    }

    /// Whether `entitlement` on `system` is birthright for a human with `role`: listed in the
    /// role's profile or in the `"*"` profile every human gets.
    pub fn expects_for_role(
        &self,
        role: Option<&str>,
        system: &SystemId,
        entitlement: &str,
    ) -> bool {
        let everyone = self.profiles.get(ANY);
        let own = role.and_then(|r| self.profile(r));
        [everyone, own]
            .into_iter()
            .flatten()
            .any(|p| p.expects(system, entitlement))
    }

    /// Whether a human with `role` has birthright access of any kind on `system`: their role's
    /// profile or the `"*"` profile names the system. The account itself follows (audit
    /// convention 4): whoever may hold an entitlement there needs the account to hold it.
    pub fn profile_covers_system(&self, role: Option<&str>, system: &SystemId) -> bool {
        let everyone = self.profiles.get(ANY);
        let own = role.and_then(|r| self.profile(r));
        [everyone, own]
            .into_iter()
            .flatten()
            .any(|p| p.entitlements.get(system).is_some_and(|g| !g.is_empty()))
    }

    /// Whether `entitlement` on `system` is expected for a non-human identity of `kind`.
    pub fn expects_for_nhi(
        &self,
        kind: IdentityKind,
        system: &SystemId,
        entitlement: &str,
    ) -> bool {
        self.nhi
            .profiles
            .get(&kind)
            .is_some_and(|p| p.expects(system, entitlement))
    }

    /// The SoD rules `held` (system, entitlement pairs one identity holds) breaks, in policy
    /// order.
    pub fn sod_conflicts<'p>(&'p self, held: &[(SystemId, String)]) -> Vec<&'p SodRule> {
        let holds = |r: &EntitlementRef| held.iter().any(|(s, e)| r.matches(s, e));
        self.separation_of_duties
            .iter()
            .filter(|rule| holds(&rule.a) && holds(&rule.b))
            .collect()
    }
}
