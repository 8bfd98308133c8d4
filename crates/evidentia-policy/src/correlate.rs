//! Which identity a system account belongs to, and by which rule: the basis of orphan-account
//! findings and of linking executions to events.

use std::collections::{BTreeSet, HashMap};

use evidentia_domain::{Identity, IdentityId, IdentityKind, SystemId};

use crate::model::{ANY, CorrelationPolicy};
use crate::{AccountPattern, Policy};

/// What correlation may know about an identity. The façade builds it from `Identity` records
/// and lifecycle-event attributes (the email and employee number as HR sent them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityFacts {
    pub id: IdentityId,
    pub kind: IdentityKind,
    pub email: Option<String>,
    /// An HR employee number when it differs from `id`.
    pub employee_id: Option<String>,
    pub aliases: Vec<String>,
}

impl From<&Identity> for IdentityFacts {
    fn from(identity: &Identity) -> Self {
        IdentityFacts {
            id: identity.id.clone(),
            kind: identity.kind,
            email: identity.email.clone(),
            employee_id: None,
            aliases: identity.aliases.clone(),
        }
    }
}

/// The rule that decided a correlation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorrelationRule {
    /// Listed in `[correlation.accounts]`.
    Explicit,
    /// Listed in `[correlation.accounts]`, but the identity it names is not known: the
    /// account is treated as uncorrelated and the stale mapping shown.
    ExplicitUnknownIdentity { target: IdentityId },
    /// Matched a `[[correlation.ignore]]` entry: a known system or break-glass account. Not an
    /// orphan, but reported in its own list.
    Ignored { pattern: String, reason: String },
    /// The account equals the identity's email, ignoring case.
    Email,
    /// The account equals the identity's id or employee number, ignoring case.
    EmployeeId,
    /// The account equals one of the identity's aliases, ignoring case.
    Alias,
    /// The system's account pattern captured an alias, email or id of the identity.
    Pattern { pattern: String },
    /// The rule `by` matched more than one identity, so none is chosen.
    Ambiguous {
        by: Box<CorrelationRule>,
        candidates: Vec<IdentityId>,
    },
    /// No rule matched: an orphan account unless something else explains it.
    None,
}

impl CorrelationRule {
    /// A stable lower-case name for exports and findings.
    pub fn as_str(&self) -> &'static str {
        match self {
            CorrelationRule::Explicit => "explicit",
            CorrelationRule::ExplicitUnknownIdentity { .. } => "explicit_unknown_identity",
            CorrelationRule::Ignored { .. } => "ignored",
            CorrelationRule::Email => "email",
            CorrelationRule::EmployeeId => "employee_id",
            CorrelationRule::Alias => "alias",
            CorrelationRule::Pattern { .. } => "pattern",
            CorrelationRule::Ambiguous { .. } => "ambiguous",
            CorrelationRule::None => "none",
        }
    }
}

/// The outcome for one account: the identity, when exactly one was found, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correlation {
    pub identity: Option<IdentityId>,
    pub rule: CorrelationRule,
}

impl Correlation {
    fn none(rule: CorrelationRule) -> Correlation {
        Correlation {
            identity: None,
            rule,
        }
    }
}

/// Maps system accounts to identities by the policy's rules, in this order (first decisive
/// rule wins): explicit mapping, ignore list, email, employee id, alias, account patterns.
/// A rule that matches two or more identities stops the search with `Ambiguous`, because
/// falling through to a weaker rule could pick the wrong person silently.
#[derive(Debug)]
pub struct Correlator<'p> {
    policy: &'p CorrelationPolicy,
    known: BTreeSet<IdentityId>,
    explicit: HashMap<(SystemId, String), IdentityId>,
    by_email: HashMap<String, BTreeSet<IdentityId>>,
    by_employee_id: HashMap<String, BTreeSet<IdentityId>>,
    by_alias: HashMap<String, BTreeSet<IdentityId>>,
}

fn key(text: &str) -> String {
    text.trim().to_lowercase()
}

fn index(map: &mut HashMap<String, BTreeSet<IdentityId>>, text: &str, id: &IdentityId) {
    let k = key(text);
    if !k.is_empty() {
        map.entry(k).or_default().insert(id.clone());
    }
}

impl<'p> Correlator<'p> {
    /// Indexes the identities once, so each lookup is a few hash probes.
    pub fn new(policy: &'p Policy, identities: impl IntoIterator<Item = IdentityFacts>) -> Self {
        let rules = &policy.correlation;
        let mut correlator = Correlator {
            policy: rules,
            known: BTreeSet::new(),
            explicit: rules
                .accounts
                .values()
                .map(|a| ((a.system.clone(), key(&a.account)), a.identity.clone()))
                .collect(),
            by_email: HashMap::new(),
            by_employee_id: HashMap::new(),
            by_alias: HashMap::new(),
        };
        for facts in identities {
            let id = &facts.id;
            if let Some(email) = &facts.email {
                index(&mut correlator.by_email, email, id);
            }
            index(&mut correlator.by_employee_id, id.as_str(), id);
            if let Some(employee_id) = &facts.employee_id {
                index(&mut correlator.by_employee_id, employee_id, id);
            }
            for alias in &facts.aliases {
                index(&mut correlator.by_alias, alias, id);
            }
            correlator.known.insert(facts.id);
        }
        correlator
    }

    /// Which identity `account` on `system` belongs to.
    pub fn correlate(&self, system: &SystemId, account: &str) -> Correlation {
        let account_key = key(account);
        if let Some(target) = self.explicit.get(&(system.clone(), account_key.clone())) {
            return if self.known.contains(target) {
                Correlation {
                    identity: Some(target.clone()),
                    rule: CorrelationRule::Explicit,
                }
            } else {
                Correlation::none(CorrelationRule::ExplicitUnknownIdentity {
                    target: target.clone(),
                })
            };
        }
        if let Some(rule) = self
            .policy
            .ignore
            .iter()
            .find(|r| r.matches(system, account.trim()))
        {
            return Correlation::none(CorrelationRule::Ignored {
                pattern: rule.pattern(),
                reason: rule.reason.clone(),
            });
        }
        let direct = [
            (self.policy.by_email, &self.by_email, CorrelationRule::Email),
            (
                self.policy.by_employee_id,
                &self.by_employee_id,
                CorrelationRule::EmployeeId,
            ),
            (self.policy.by_alias, &self.by_alias, CorrelationRule::Alias),
        ];
        for (enabled, map, rule) in direct {
            if !enabled {
                continue;
            }
            if let Some(found) = decide(map.get(&account_key).cloned().unwrap_or_default(), rule) {
                return found;
            }
        }
        for pattern in self.patterns(system) {
            let mut candidates = BTreeSet::new();
            for capture in pattern.captures(account.trim()) {
                for map in [&self.by_alias, &self.by_email, &self.by_employee_id] {
                    candidates.extend(map.get(&capture).into_iter().flatten().cloned());
                }
            }
            let rule = CorrelationRule::Pattern {
                pattern: pattern.as_str().to_owned(),
            };
            if let Some(found) = decide(candidates, rule) {
                return found;
            }
        }
        Correlation::none(CorrelationRule::None)
    }

    /// The system's own patterns first, then those for every system.
    fn patterns(&self, system: &SystemId) -> impl Iterator<Item = &'p AccountPattern> {
        let own = self.policy.patterns.get(system.as_str());
        let any = self.policy.patterns.get(ANY);
        own.into_iter().chain(any).flatten()
    }
}

/// One identity decides; several make the result ambiguous; none lets the next rule try.
fn decide(candidates: BTreeSet<IdentityId>, rule: CorrelationRule) -> Option<Correlation> {
    let mut iter = candidates.iter();
    match (iter.next(), iter.next()) {
        (None, _) => None,
        (Some(one), None) => Some(Correlation {
            identity: Some(one.clone()),
            rule,
        }),
        _ => Some(Correlation::none(CorrelationRule::Ambiguous {
            by: Box::new(rule),
            candidates: candidates.into_iter().collect(),
        })),
    }
}
