//! Names the policy uses that no import produced: a profile that says `Enginering` matches
//! nothing, and silently turns every birthright grant into a finding. Each is a warning naming
//! the policy line and the nearest names the imports did produce.

use std::collections::{BTreeMap, BTreeSet};

use evidentia_domain::SystemId;
use evidentia_policy::{Glob, Policy};
use evidentia_rules::Evidence;

/// The entitlement names the evidence uses, per system, lower-cased to the spelling first seen.
fn seen_names(evidence: &Evidence) -> BTreeMap<SystemId, BTreeMap<String, String>> {
    let mut seen: BTreeMap<SystemId, BTreeMap<String, String>> = BTreeMap::new();
    let mut add = |system: &SystemId, name: Option<&str>| {
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("account");
        let per = seen.entry(system.clone()).or_default();
        per.entry(name.to_lowercase())
            .or_insert_with(|| name.to_owned());
    };
    for x in &evidence.executions {
        add(&x.record.system, x.record.entitlement.as_deref());
    }
    for r in &evidence.reconciliations {
        add(&r.record.system, r.record.entitlement.as_deref());
    }
    for a in &evidence.approvals {
        add(&a.record.system, Some(&a.record.entitlement));
    }
    seen
}

/// Levenshtein distance over characters, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The line of the policy text where `name` first appears quoted, for the warning's location.
fn line_of(text: &str, name: &str) -> Option<usize> {
    let quoted = format!("\"{name}\"");
    text.lines()
        .position(|l| l.contains(&quoted))
        .map(|i| i + 1)
}

/// One warning per policy name (profile, NHI profile, tier or separation-of-duties entry for a
/// system) that matches no entitlement any import produced on that system, with the nearest
/// names seen. Systems nothing was imported for yet get one warning each instead.
pub fn name_warnings(
    policy: &Policy,
    text: &str,
    source: &str,
    evidence: &Evidence,
) -> Vec<String> {
    let seen = seen_names(evidence);
    let mut uses: BTreeMap<(SystemId, String), BTreeSet<String>> = BTreeMap::new();
    let mut note = |system: &SystemId, glob: &Glob, key: String| {
        uses.entry((system.clone(), glob.as_str().to_owned()))
            .or_default()
            .insert(key);
    };
    for (role, profile) in &policy.profiles {
        for (system, globs) in &profile.entitlements {
            for g in globs {
                note(system, g, format!("profiles.{role}.{system}"));
            }
        }
    }
    for (kind, profile) in &policy.nhi.profiles {
        for (system, globs) in &profile.entitlements {
            for g in globs {
                note(system, g, format!("nhi.profiles.{kind}.{system}"));
            }
        }
    }
    for (tier, rule) in [
        ("elevated", &policy.tiers.elevated),
        ("privileged", &policy.tiers.privileged),
    ] {
        for (system, globs) in &rule.entitlements {
            if system == evidentia_policy::ANY {
                continue;
            }
            for g in globs {
                note(
                    &SystemId::new(system.as_str()),
                    g,
                    format!("tiers.{tier}.entitlements.{system}"),
                );
            }
        }
    }
    for (system, jit) in &policy.emergency.jit {
        for (g, _) in jit {
            note(system, g, format!("emergency.jit.{system}"));
        }
    }
    for (i, rule) in policy.separation_of_duties.iter().enumerate() {
        for (side, r) in [("a", &rule.a), ("b", &rule.b)] {
            note(
                &r.system,
                &r.entitlement,
                format!("separation_of_duties[{i}].{side}"),
            );
        }
    }
    let mut warnings = Vec::new();
    let mut empty_systems = BTreeSet::new();
    for ((system, name), keys) in uses {
        if name.eq_ignore_ascii_case("account") {
            continue;
        }
        let Some(names) = seen.get(&system) else {
            empty_systems.insert(system);
            continue;
        };
        let glob = Glob::new(&name);
        if names.values().any(|seen| glob.matches(seen)) {
            continue;
        }
        let lower = name.to_lowercase();
        let mut nearest: Vec<(usize, &String)> = names
            .iter()
            .filter(|(k, _)| k.as_str() != "account")
            .map(|(k, v)| (distance(&lower, k), v))
            .collect();
        nearest.sort();
        let nearest: Vec<String> = nearest
            .into_iter()
            .take(3)
            .map(|(_, v)| format!("\"{v}\""))
            .collect();
        let at =
            line_of(text, &name).map_or_else(|| source.to_owned(), |l| format!("{source}:{l}"));
        warnings.push(format!(
            "{at}: {}: \"{name}\" matches no entitlement any import produced on {system}{}",
            keys.into_iter().collect::<Vec<_>>().join(", "),
            if nearest.is_empty() {
                String::new()
            } else {
                format!("; nearest names seen: {}", nearest.join(", "))
            }
        ));
    }
    warnings.extend(break_glass_warnings(policy, text, source, evidence));
    for system in empty_systems {
        warnings.push(format!(
            "{source}: systems.{system}: the policy names entitlements on {system}, but no import has produced any for it yet"
        ));
    }
    warnings
}

/// One warning per break-glass account pattern that matches no account any import named on its
/// system (accounts of logs, listings, activity and the emergency register): a misspelt
/// pattern would otherwise leave its account's sign-ins judged as anyone's.
fn break_glass_warnings(
    policy: &Policy,
    text: &str,
    source: &str,
    evidence: &Evidence,
) -> Vec<String> {
    let mut seen: BTreeMap<&SystemId, BTreeSet<&str>> = BTreeMap::new();
    for x in &evidence.executions {
        seen.entry(&x.record.system)
            .or_default()
            .insert(&x.record.account);
    }
    for r in &evidence.reconciliations {
        seen.entry(&r.record.system)
            .or_default()
            .insert(&r.record.account);
    }
    for a in &evidence.activity {
        seen.entry(&a.record.system)
            .or_default()
            .insert(&a.record.account);
    }
    for u in &evidence.emergency_uses {
        seen.entry(&u.record.system)
            .or_default()
            .insert(&u.record.account);
    }
    let mut warnings = Vec::new();
    for (system, globs) in &policy.emergency.break_glass {
        let Some(accounts) = seen.get(system) else {
            continue;
        };
        for g in globs {
            if accounts.iter().any(|a| g.matches(a.trim())) {
                continue;
            }
            let at = line_of(text, g.as_str())
                .map_or_else(|| source.to_owned(), |l| format!("{source}:{l}"));
            warnings.push(format!(
                "{at}: emergency.break_glass.{system}: \"{}\" matches no account any import named on {system}",
                g.as_str()
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A break-glass pattern that matches no account the imports named is a warning naming
    /// the policy line; one that matches is not.
    #[test]
    fn a_break_glass_pattern_that_matches_nothing_is_a_warning() {
        let text = r#"format = "evidentia-policy/1"
[organisation]
name = "T"
[systems.okta]
criticality = "critical"
[emergency.break_glass]
okta = ["bg-admin", "breakglas-*"]
"#;
        let policy = Policy::from_toml(text, "policy.toml").expect("policy");
        let mut evidence = Evidence::default();
        evidence.reconciliations.push(evidentia_rules::Stored::new(
            1,
            evidentia_domain::ReconciliationRecord {
                created_at: None,
                never_used: false,
                revoked_at: None,
                account: "BG-Admin".into(),
                as_of: chrono::DateTime::UNIX_EPOCH,
                coverage: None,
                credential: false,
                entitlement: None,
                identity: None,
                last_used_at: None,
                status: evidentia_domain::ReconciliationStatus::ExpectedPresent,
                system: SystemId::new("okta"),
            },
        ));
        assert_eq!(
            break_glass_warnings(&policy, text, "policy.toml", &evidence),
            vec![
                "policy.toml:7: emergency.break_glass.okta: \"breakglas-*\" matches no account any import named on okta"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance("enginering", "engineering"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
