//! Which identity a system account belongs to, and by which rule: the basis of orphan-account
//! findings and of linking executions to events.

use std::collections::{BTreeSet, HashMap};

use evidentia_domain::{Identity, IdentityId, IdentityKind, LifecycleEvent, SystemId};

use crate::model::{ANY, CorrelationPolicy};
use crate::{AccountPattern, Policy};

/// What correlation may know about an identity. The façade builds it from `Identity` records
/// and lifecycle-event attributes (the email and employee number as HR sent them). Several
/// facts for the same id may be passed (one per record or event): they add up, so an
/// identity whose email changed is found by either address.
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

impl From<&LifecycleEvent> for IdentityFacts {
    fn from(event: &LifecycleEvent) -> Self {
        IdentityFacts {
            id: event.identity.clone(),
            kind: event.identity_kind,
            email: event.attributes.email.clone(),
            employee_id: None,
            aliases: event.attributes.aliases.clone(),
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
    /// The account equals the local part of the identity's e-mail, ignoring case.
    EmailLocalPart,
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
            CorrelationRule::EmailLocalPart => "email_local_part",
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
    by_email: HashMap<String, Matches>,
    by_employee_id: HashMap<String, Matches>,
    by_alias: HashMap<String, Matches>,
    by_local_part: HashMap<String, Matches>,
}

/// The identities one name matches, sorted, each once. Nearly every name matches one: a
/// vector of exactly that, where a set allocated a node of eleven per name (30 MB for the
/// names of 25,000 people).
type Matches = Vec<IdentityId>;

fn key(text: &str) -> String {
    text.trim().to_lowercase()
}

fn index(map: &mut HashMap<String, Matches>, text: &str, id: &IdentityId) {
    let k = key(text);
    if !k.is_empty() {
        let ids = map.entry(k).or_default();
        if let Err(at) = ids.binary_search(id) {
            ids.reserve_exact(1);
            ids.insert(at, id.clone());
        }
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
            by_local_part: HashMap::new(),
        };
        for facts in identities {
            let id = &facts.id;
            if let Some(email) = &facts.email {
                index(&mut correlator.by_email, email, id);
                if let Some((local, _)) = email.trim().rsplit_once('@') {
                    index(&mut correlator.by_local_part, local, id);
                }
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
            (
                self.policy.by_email_local_part,
                &self.by_local_part,
                CorrelationRule::EmailLocalPart,
            ),
        ];
        for (enabled, map, rule) in direct {
            if !enabled {
                continue;
            }
            if let Some(found) = decide(map.get(&account_key).map_or(&[], Vec::as_slice), rule) {
                return found;
            }
        }
        for pattern in self.patterns(system) {
            let mut candidates = BTreeSet::new();
            for capture in pattern.captures(account.trim()) {
                for map in [&self.by_alias, &self.by_email, &self.by_employee_id] {
                    candidates.extend(map.get(&capture).into_iter().flatten().cloned());
                }
                if self.policy.by_email_local_part {
                    candidates.extend(
                        self.by_local_part
                            .get(&capture)
                            .into_iter()
                            .flatten()
                            .cloned(),
                    );
                }
            }
            let rule = CorrelationRule::Pattern {
                pattern: pattern.as_str().to_owned(),
            };
            let candidates: Matches = candidates.into_iter().collect();
            if let Some(found) = decide(&candidates, rule) {
                return found;
            }
        }
        Correlation::none(CorrelationRule::None)
    }

    /// The identity a person is named by in an approval, exception or catalog row — its id,
    /// employee number, e-mail or alias, ignoring case — when exactly one identity has that
    /// name. Tickets and registers name people as their tools do (`jane.doe@example.com`,
    /// `E1001`), so the checks compare identities, not spellings. The `by_*` switches govern
    /// account matching only; a name that is ambiguous or unknown resolves to nothing.
    pub fn identity_named(&self, name: &str) -> Option<IdentityId> {
        let k = key(name);
        if k.is_empty() {
            return None;
        }
        for map in [&self.by_employee_id, &self.by_email, &self.by_alias] {
            if let Some(found) = map.get(&k) {
                return match found.as_slice() {
                    [one] => Some(one.clone()),
                    _ => None,
                };
            }
        }
        None
    }

    /// Whether an identity id is among the identities correlation knows.
    pub fn knows(&self, id: &IdentityId) -> bool {
        self.known.contains(id)
    }

    /// The system's own patterns first, then those for every system.
    fn patterns(&self, system: &SystemId) -> impl Iterator<Item = &'p AccountPattern> {
        let own = self.policy.patterns.get(system.as_str());
        let any = self.policy.patterns.get(ANY);
        own.into_iter().chain(any).flatten()
    }
}

/// One identity decides; several make the result ambiguous; none lets the next rule try.
fn decide(candidates: &[IdentityId], rule: CorrelationRule) -> Option<Correlation> {
    match candidates {
        [] => None,
        [one] => Some(Correlation {
            identity: Some(one.clone()),
            rule,
        }),
        _ => Some(Correlation::none(CorrelationRule::Ambiguous {
            by: Box::new(rule),
            candidates: candidates.to_vec(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"
format = "evidentia-policy/1"
[organisation]
name = "Acme"
[systems.aws]
criticality = "critical"
[systems.linux]
criticality = "high"
[systems.entra]
criticality = "high"
[systems.github]
criticality = "high"
[systems.kubernetes]
criticality = "high"
[correlation.patterns]
aws = ["arn:aws:iam::*:user/{alias}", "arn:aws:iam::*:user/*/{alias}", "arn:aws:sts::*:assumed-role/*/{alias}"]
linux = ["{alias}@*"]
kubernetes = ["system:serviceaccount:{alias}"]
"*" = ["{alias}+*"]
[correlation.accounts]
"github:octocat" = "E1001"
"github:ghost" = "E9999"
"aws:deploy-bot" = "NHI-7"
[[correlation.ignore]]
account = "aws:root"
reason = "break-glass"
[[correlation.ignore]]
account = "*:breakglass-*"
reason = "dual control"
"#;

    fn facts(
        id: &str,
        kind: IdentityKind,
        email: Option<&str>,
        employee_id: Option<&str>,
        aliases: &[&str],
    ) -> IdentityFacts {
        IdentityFacts {
            id: IdentityId::new(id),
            kind,
            email: email.map(str::to_owned),
            employee_id: employee_id.map(str::to_owned),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    fn identities() -> Vec<IdentityFacts> {
        use IdentityKind::{Employee, ServiceAccount, Workload};
        vec![
            facts(
                "E1001",
                Employee,
                Some("Alice.Smith@Acme.example"),
                Some("100-1001"),
                &["alice", "asmith-gh"],
            ),
            facts(
                "E1002",
                Employee,
                Some("bob@acme.example"),
                None,
                &["bob", "4f1c9a7e-0000-4000-8000-000000000002"],
            ),
            // Two people share the alias "sam": correlating it must not pick one.
            facts(
                "E1003",
                Employee,
                Some("sam.one@acme.example"),
                None,
                &["sam"],
            ),
            facts(
                "E1004",
                Employee,
                Some("sam.two@acme.example"),
                None,
                &["sam"],
            ),
            facts("NHI-7", ServiceAccount, None, None, &["deploy-bot"]),
            facts("NHI-8", Workload, None, None, &["payments:payments-api"]),
        ]
    }

    fn id(text: &str) -> Option<IdentityId> {
        Some(IdentityId::new(text))
    }

    fn pattern(p: &str) -> CorrelationRule {
        CorrelationRule::Pattern {
            pattern: p.to_owned(),
        }
    }

    #[test]
    fn correlation_table() {
        let policy = Policy::from_toml(POLICY, "test.toml").unwrap();
        let correlator = Correlator::new(&policy, identities());
        let cases: Vec<(&str, &str, Option<IdentityId>, CorrelationRule)> = vec![
            // Explicit wins over everything, even when another rule would match.
            ("github", "octocat", id("E1001"), CorrelationRule::Explicit),
            ("github", "OctoCat", id("E1001"), CorrelationRule::Explicit),
            (
                "github",
                "ghost",
                None,
                CorrelationRule::ExplicitUnknownIdentity {
                    target: IdentityId::new("E9999"),
                },
            ),
            ("aws", "deploy-bot", id("NHI-7"), CorrelationRule::Explicit),
            // Explicit mappings are per system.
            ("linux", "octocat", None, CorrelationRule::None),
            // Ignore list, reported with its reason.
            (
                "aws",
                "root",
                None,
                CorrelationRule::Ignored {
                    pattern: "aws:root".into(),
                    reason: "break-glass".into(),
                },
            ),
            (
                "aws",
                "ROOT",
                None,
                CorrelationRule::Ignored {
                    pattern: "aws:root".into(),
                    reason: "break-glass".into(),
                },
            ),
            ("linux", "root@bastion-01", None, CorrelationRule::None),
            (
                "github",
                "breakglass-1",
                None,
                CorrelationRule::Ignored {
                    pattern: "*:breakglass-*".into(),
                    reason: "dual control".into(),
                },
            ),
            // Email, ignoring case (an Entra UPN in other case than the HR email).
            (
                "entra",
                "alice.smith@acme.example",
                id("E1001"),
                CorrelationRule::Email,
            ),
            (
                "entra",
                "ALICE.SMITH@ACME.EXAMPLE",
                id("E1001"),
                CorrelationRule::Email,
            ),
            (
                "entra",
                " bob@acme.example ",
                id("E1002"),
                CorrelationRule::Email,
            ),
            (
                "entra",
                "alice.smith@acme.example.evil",
                None,
                CorrelationRule::None,
            ),
            // Employee id: identity id or HR number.
            ("entra", "e1002", id("E1002"), CorrelationRule::EmployeeId),
            (
                "entra",
                "100-1001",
                id("E1001"),
                CorrelationRule::EmployeeId,
            ),
            // Alias: Entra object id, GitHub login, bare AWS user name.
            (
                "entra",
                "4F1C9A7E-0000-4000-8000-000000000002",
                id("E1002"),
                CorrelationRule::Alias,
            ),
            ("github", "asmith-gh", id("E1001"), CorrelationRule::Alias),
            ("aws", "alice", id("E1001"), CorrelationRule::Alias),
            ("github", "alice-smith", None, CorrelationRule::None),
            // AWS ARNs, with and without a path, and SSO sessions named by email.
            (
                "aws",
                "arn:aws:iam::123456789012:user/alice",
                id("E1001"),
                pattern("arn:aws:iam::*:user/{alias}"),
            ),
            (
                "aws",
                "arn:aws:iam::123456789012:user/path/alice",
                id("E1001"),
                pattern("arn:aws:iam::*:user/*/{alias}"),
            ),
            (
                "aws",
                "arn:aws:iam::123456789012:user/a/b/bob",
                id("E1002"),
                pattern("arn:aws:iam::*:user/*/{alias}"),
            ),
            (
                "aws",
                "arn:aws:sts::123456789012:assumed-role/ReadOnly/bob@acme.example",
                id("E1002"),
                pattern("arn:aws:sts::*:assumed-role/*/{alias}"),
            ),
            (
                "aws",
                "arn:aws:iam::123456789012:user/mallory",
                None,
                CorrelationRule::None,
            ),
            (
                "aws",
                "arn:aws:iam::123456789012:role/alice",
                None,
                CorrelationRule::None,
            ),
            // Patterns are per system: the Linux shape means nothing on AWS.
            ("aws", "alice@bastion-01", None, CorrelationRule::None),
            (
                "linux",
                "alice@bastion-01",
                id("E1001"),
                pattern("{alias}@*"),
            ),
            ("linux", "Bob@db-02", id("E1002"), pattern("{alias}@*")),
            ("linux", "mallory@bastion-01", None, CorrelationRule::None),
            // Kubernetes service accounts map to an NHI alias "namespace:name".
            (
                "kubernetes",
                "system:serviceaccount:payments:payments-api",
                id("NHI-8"),
                pattern("system:serviceaccount:{alias}"),
            ),
            (
                "kubernetes",
                "system:serviceaccount:default:payments-api",
                None,
                CorrelationRule::None,
            ),
            // "*" patterns apply to every system, after the system's own.
            ("github", "bob+ci", id("E1002"), pattern("{alias}+*")),
            // Ambiguity is reported with every candidate, never resolved by a weaker rule.
            (
                "github",
                "sam",
                None,
                CorrelationRule::Ambiguous {
                    by: Box::new(CorrelationRule::Alias),
                    candidates: vec![IdentityId::new("E1003"), IdentityId::new("E1004")],
                },
            ),
            (
                "linux",
                "sam@bastion-01",
                None,
                CorrelationRule::Ambiguous {
                    by: Box::new(pattern("{alias}@*")),
                    candidates: vec![IdentityId::new("E1003"), IdentityId::new("E1004")],
                },
            ),
            ("github", "", None, CorrelationRule::None),
        ];
        for (system, account, identity, rule) in cases {
            let got = correlator.correlate(&SystemId::new(system), account);
            assert_eq!(got, Correlation { identity, rule }, "{system}:{account}");
        }
    }

    #[test]
    fn rules_can_be_switched_off() {
        let text = POLICY.replace(
            "[correlation.patterns]",
            "[correlation]\nby_email = false\nby_alias = false\n[correlation.patterns]",
        );
        let policy = Policy::from_toml(&text, "test.toml").unwrap();
        let correlator = Correlator::new(&policy, identities());
        let entra = SystemId::new("entra");
        assert_eq!(
            correlator.correlate(&entra, "bob@acme.example").rule,
            CorrelationRule::None
        );
        assert_eq!(
            correlator
                .correlate(&SystemId::new("github"), "asmith-gh")
                .rule,
            CorrelationRule::None
        );
        assert_eq!(correlator.correlate(&entra, "E1002").identity, id("E1002"));
        // Patterns still look captures up among aliases.
        assert_eq!(
            correlator
                .correlate(&SystemId::new("linux"), "alice@h")
                .identity,
            id("E1001")
        );
    }

    #[test]
    fn facts_for_one_identity_add_up() {
        let policy = Policy::from_toml(POLICY, "test.toml").unwrap();
        let old = facts(
            "E1",
            IdentityKind::Employee,
            Some("jo@old.example"),
            None,
            &[],
        );
        let new = facts(
            "E1",
            IdentityKind::Employee,
            Some("jo@new.example"),
            None,
            &["jo"],
        );
        let correlator = Correlator::new(&policy, [old, new]);
        let entra = SystemId::new("entra");
        for account in ["jo@old.example", "jo@new.example", "jo"] {
            assert_eq!(
                correlator.correlate(&entra, account).identity,
                id("E1"),
                "{account}"
            );
        }
    }

    #[test]
    fn identity_facts_from_identity() {
        let identity = Identity {
            id: IdentityId::new("E1"),
            kind: IdentityKind::Contractor,
            display_name: None,
            email: Some("c@x.example".into()),
            owner: None,
            manager: None,
            department: None,
            role: None,
            ends_at: None,
            aliases: vec!["c1".into()],
        };
        let facts = IdentityFacts::from(&identity);
        assert_eq!(facts.email.as_deref(), Some("c@x.example"));
        assert_eq!(facts.aliases, ["c1"]);
        assert_eq!(facts.employee_id, None);
    }
}
