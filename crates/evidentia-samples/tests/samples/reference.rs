//! An independent, deliberately plain reading of the check semantics in evidence-samples/README.md, run over the imported files: its findings must equal the answer key exactly.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, TimeZone, Utc};
use evidentia_domain::{
    Approval, Decision, EmergencyUse, ExceptionRecord, Execution, IdentityKind, LifecycleEvent,
    LifecycleEventType, Outcome, ProvisioningAction as A, ReconciliationRecord, SystemId, Tier,
    Timestamp,
};
use evidentia_policy::{Correlator, IdentityFacts, Policy};

use evidentia_samples::{Config, File, generate};

use crate::{Imported, ReviewRow, file, import_file, importable, imported, review_rows, sample};

/// (check, identity, system, account, entitlement, exception, campaign)
type Key = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

struct Data {
    events: Vec<LifecycleEvent>,
    approvals: Vec<Approval>,
    execs: Vec<Execution>,
    recon: Vec<ReconciliationRecord>,
    exceptions: Vec<ExceptionRecord>,
    emergency: Vec<EmergencyUse>,
}

fn data(imported: &Imported) -> Data {
    let mut d = Data {
        events: vec![],
        approvals: vec![],
        execs: vec![],
        recon: vec![],
        exceptions: vec![],
        emergency: vec![],
    };
    for (records, _) in imported.values() {
        for (r, _) in records {
            match r.clone() {
                evidentia_domain::Record::LifecycleEvent(e) => d.events.push(e),
                evidentia_domain::Record::Approval(a) => d.approvals.push(a),
                evidentia_domain::Record::Execution(x) => d.execs.push(x),
                evidentia_domain::Record::Reconciliation(x) => d.recon.push(x),
                evidentia_domain::Record::Exception(x) => d.exceptions.push(x),
                evidentia_domain::Record::EmergencyUse(x) => d.emergency.push(x),
                evidentia_domain::Record::Activity(_) => {}
                evidentia_domain::Record::Identity(_)
                | evidentia_domain::Record::ReviewCampaign(_)
                | evidentia_domain::Record::ReviewDecision(_) => {}
            }
        }
    }
    d.events.sort_by_key(|e| (e.effective_at, e.id.clone()));
    d.execs.sort_by_key(|x| x.at);
    d
}

fn key_of(
    c: &str,
    i: Option<String>,
    s: &SystemId,
    a: Option<String>,
    e: Option<String>,
    x: Option<String>,
) -> Key {
    (c.to_owned(), i, Some(s.to_string()), a, e, x, None)
}

fn removes(a: A) -> bool {
    a.removes_access()
}

fn adds(a: A) -> bool {
    matches!(
        a,
        A::CreateAccount | A::Grant | A::Enable | A::CredentialCreated
    )
}

#[test]
fn findings_computed_from_the_imported_files_equal_the_answer_key() {
    check_against_key(sample(), imported());
}

/// The same at a larger scale (3, or `EVIDENTIA_SAMPLES_SCALE`): slow in debug builds, run by
/// hand after changing the generator (`cargo test -p evidentia-samples --release -- --ignored`).
#[test]
#[ignore]
fn reference_checks_hold_at_a_larger_scale() {
    let scale = std::env::var("EVIDENTIA_SAMPLES_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let files = generate(&Config { seed: 2026, scale }).unwrap();
    let imported: Imported = files
        .iter()
        .filter(|f| importable(&f.path))
        .map(|f| {
            let (_, records, summary) = import_file(f, false);
            assert!(
                summary.diagnostics.is_empty() && summary.warnings.is_empty(),
                "{}",
                f.path
            );
            (f.path.clone(), (records, summary))
        })
        .collect();
    check_against_key(&files, &imported);
}

fn check_against_key(files: &[File], imported: &Imported) {
    let policy = Policy::from_toml(file(files, "policy.toml"), "policy.toml").unwrap();
    let d = data(imported);
    let facts: Vec<IdentityFacts> = d.events.iter().map(IdentityFacts::from).collect();
    let cor = Correlator::new(&policy, facts);
    let start: Timestamp = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let end: Timestamp = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let day = Duration::days(1);

    // Identity facts from the authoritative sources.
    let mut kind: BTreeMap<String, IdentityKind> = BTreeMap::new();
    let mut departed: BTreeMap<String, Timestamp> = BTreeMap::new();
    let mut roles: BTreeMap<String, Vec<(Timestamp, String)>> = BTreeMap::new();
    let mut owners: BTreeMap<String, Vec<(Timestamp, Option<String>)>> = BTreeMap::new();
    let mut home: BTreeMap<String, String> = BTreeMap::new();
    for e in &d.events {
        let id = e.identity.to_string();
        kind.insert(id.clone(), e.identity_kind);
        if e.event_type.is_departure() {
            departed.insert(id.clone(), e.effective_at);
        }
        if let Some(r) = &e.attributes.role {
            roles
                .entry(id.clone())
                .or_default()
                .push((e.effective_at, r.clone()));
        }
        if !e.identity_kind.is_human() {
            if e.event_type != LifecycleEventType::NhiRetired {
                owners.entry(id.clone()).or_default().push((
                    e.effective_at,
                    e.attributes.owner.as_ref().map(|o| o.to_string()),
                ));
            }
            if let Some(l) = &e.attributes.location {
                home.entry(id.clone()).or_insert(l.clone());
            }
        }
    }
    let role_at = |id: &str, t: Timestamp| {
        roles.get(id).and_then(|v| {
            v.iter()
                .rev()
                .find(|(at, _)| *at <= t)
                .or(v.first())
                .map(|x| x.1.clone())
        })
    };
    let who =
        |sys: &SystemId, account: &str| cor.correlate(sys, account).identity.map(|i| i.to_string());
    // Credential changes belong to the credential's NHI (its id is mapped explicitly).
    let subject_of = |x: &Execution| {
        let by_cred = x
            .entitlement
            .as_deref()
            .filter(|_| {
                matches!(
                    x.action,
                    A::CredentialCreated
                        | A::CredentialDeleted
                        | A::CredentialDeactivated
                        | A::CredentialRotated
                )
            })
            .map(|e| cor.correlate(&x.system, e))
            .filter(|c| c.rule == evidentia_policy::CorrelationRule::Explicit)
            .and_then(|c| c.identity);
        by_cred
            .map(|i| i.to_string())
            .or_else(|| who(&x.system, &x.account))
    };
    let row_owner = |r: &ReconciliationRecord| {
        let by_cred = r
            .entitlement
            .as_deref()
            .map(|e| cor.correlate(&r.system, e))
            .filter(|c| c.rule == evidentia_policy::CorrelationRule::Explicit)
            .and_then(|c| c.identity);
        by_cred
            .map(|i| i.to_string())
            .or_else(|| who(&r.system, &r.account))
    };
    // A credential is an id the policy lists explicitly on its system (every NHI credential,
    // and people's own keys); its holder is the identity it is listed for.
    let cred_owner = |sys: &SystemId, e: &str| {
        let c = cor.correlate(sys, e);
        (c.rule == evidentia_policy::CorrelationRule::Explicit)
            .then_some(c.identity)
            .flatten()
            .map(|i| i.to_string())
    };
    let is_cred_row = |r: &ReconciliationRecord| {
        r.entitlement
            .as_deref()
            .is_some_and(|e| cred_owner(&r.system, e).is_some())
    };
    let cred_action = |a: A| {
        matches!(
            a,
            A::CredentialCreated
                | A::CredentialDeleted
                | A::CredentialDeactivated
                | A::CredentialRotated
        )
    };
    // API calls signed with long-term access keys (CloudTrail userIdentity.accessKeyId AKIA…).
    let signed: Vec<(String, Timestamp)> = file(files, "logs/aws-cloudtrail.jsonl")
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let key = v["userIdentity"]["accessKeyId"].as_str()?;
            if !key.starts_with("AKIA") || v["eventSource"] == "iam.amazonaws.com" {
                return None;
            }
            let at = chrono::DateTime::parse_from_rfc3339(v["eventTime"].as_str()?)
                .ok()?
                .with_timezone(&Utc);
            Some((key.to_owned(), at))
        })
        .collect();
    let snapshots: BTreeSet<Timestamp> = d.recon.iter().map(|r| r.as_of).collect();
    let rows_at = |t: Timestamp| {
        d.recon
            .iter()
            .filter(move |r| r.as_of == t && r.status.is_present())
    };
    let last_snapshot_before = |t: Timestamp| snapshots.iter().rev().find(|s| **s <= t).copied();

    let mut found: BTreeSet<Key> = BTreeSet::new();
    let in_period = |t: Timestamp| t >= start && t < end;
    let reviews = Reviews::read(files);

    // ---- decisions
    for x in d
        .execs
        .iter()
        .filter(|x| in_period(x.at) && x.outcome == Outcome::Succeeded && adds(x.action))
    {
        let Some(subject) = subject_of(x) else {
            continue;
        };
        let item = x.entitlement.clone().unwrap_or_else(|| "account".into());
        let ap: Vec<&Approval> = d
            .approvals
            .iter()
            .filter(|a| {
                a.decision == Decision::Approved
                    && a.subject.as_str() == subject
                    && a.system == x.system
                    && a.entitlement.eq_ignore_ascii_case(&item)
            })
            .collect();
        let base = |c: &str| {
            (
                c.to_owned(),
                Some(subject.clone()),
                Some(x.system.to_string()),
                Some(x.account.to_string()),
                x.entitlement.as_deref().map(str::to_owned),
                None,
                None,
            )
        };
        if ap.is_empty() {
            found.insert(base("EV-GRANT-WITHOUT-APPROVAL"));
            continue;
        }
        let before: Vec<&&Approval> = ap.iter().filter(|a| a.decided_at <= x.at).collect();
        let Some(dec) = before.iter().max_by_key(|a| a.decided_at) else {
            found.insert(base("EV-ACCESS-BEFORE-APPROVAL"));
            continue;
        };
        let tier = policy.tiers.classify(&x.system, &item);
        let executor = x.actor.as_deref().and_then(|a| who(&x.system, a));
        if dec.approver.as_str() == subject
            || dec.requester.as_ref() == Some(&dec.approver)
            || (tier == Tier::Privileged && executor.as_deref() == Some(dec.approver.as_str()))
        {
            found.insert(base("EV-SELF-APPROVAL"));
        }
        if tier == Tier::Privileged
            && !before
                .iter()
                .any(|a| a.approver_role == evidentia_domain::ApproverRole::Security)
        {
            found.insert(base("EV-PRIVILEGED-WITHOUT-SECURITY-APPROVAL"));
        }
    }

    // ---- departures
    for e in d
        .events
        .iter()
        .filter(|e| e.event_type.is_departure() && in_period(e.effective_at))
    {
        let id = e.identity.to_string();
        let t = e.effective_at;
        // Systems (and accounts) where the identity held access at the departure.
        // Credentials are not account holdings (convention 5): they are judged one by one below.
        let mut held: BTreeMap<String, String> = BTreeMap::new();
        let mut creds: BTreeSet<(String, String, String)> = BTreeSet::new();
        if let Some(s) = last_snapshot_before(t) {
            for r in rows_at(s).filter(|r| row_owner(r).as_deref() == Some(id.as_str())) {
                if is_cred_row(r) {
                    creds.insert((
                        r.system.to_string(),
                        r.account.to_string(),
                        r.entitlement.as_deref().unwrap_or_default().to_owned(),
                    ));
                } else {
                    held.insert(r.system.to_string(), r.account.to_string());
                }
            }
        }
        for x in d
            .execs
            .iter()
            .filter(|x| x.at <= t && x.outcome == Outcome::Succeeded && adds(x.action))
        {
            if subject_of(x).as_deref() == Some(id.as_str())
                && last_snapshot_before(t).is_none_or(|s| x.at > s)
            {
                if cred_action(x.action) {
                    creds.insert((
                        x.system.to_string(),
                        x.account.to_string(),
                        x.entitlement.as_deref().unwrap_or_default().to_owned(),
                    ));
                } else {
                    held.insert(x.system.to_string(), x.account.to_string());
                }
            }
        }
        let mut account_not_revoked: BTreeSet<(String, String)> = BTreeSet::new();
        for (sys, account) in &held {
            let sys_id = SystemId::new(sys.as_str());
            let revs: Vec<&Execution> = d
                .execs
                .iter()
                .filter(|x| {
                    x.system == sys_id
                        && x.outcome == Outcome::Succeeded
                        && removes(x.action)
                        && !cred_action(x.action)
                        && x.at >= t - day
                        && subject_of(x).as_deref() == Some(id.as_str())
                })
                .collect();
            match revs.iter().map(|x| x.at).max() {
                None => {
                    account_not_revoked.insert((sys.clone(), account.clone()));
                    found.insert(key_of(
                        "EV-LEAVER-NOT-REVOKED",
                        Some(id.clone()),
                        &sys_id,
                        Some(account.clone()),
                        None,
                        None,
                    ));
                }
                Some(r) => {
                    let deadline = policy.systems[&sys_id].revocation_deadline(Tier::Standard);
                    if r - t > deadline {
                        found.insert(key_of(
                            "EV-LEAVER-REVOKED-LATE",
                            Some(id.clone()),
                            &sys_id,
                            Some(account.clone()),
                            None,
                            None,
                        ));
                    }
                }
            }
        }
        // Each credential held at the departure: revoked on its own, or with its account.
        for (sys, account, cred) in &creds {
            let sys_id = SystemId::new(sys.as_str());
            let key = |c: &str| {
                key_of(
                    c,
                    Some(id.clone()),
                    &sys_id,
                    Some(account.clone()),
                    Some(cred.clone()),
                    None,
                )
            };
            let ok = |x: &&Execution| {
                x.system == sys_id && x.outcome == Outcome::Succeeded && x.at >= t - day
            };
            let own = d
                .execs
                .iter()
                .filter(ok)
                .filter(|x| {
                    matches!(x.action, A::CredentialDeactivated | A::CredentialDeleted)
                        && x.entitlement.as_deref() == Some(cred.as_str())
                })
                .map(|x| x.at)
                .min();
            let with_account = d
                .execs
                .iter()
                .filter(ok)
                .filter(|x| matches!(x.action, A::Disable | A::Delete) && x.account == *account)
                .map(|x| x.at)
                .min();
            match (own, with_account) {
                // An account left whole is one finding (the account's), key and all.
                (None, None) if !account_not_revoked.contains(&(sys.clone(), account.clone())) => {
                    found.insert(key("EV-LEAVER-CREDENTIAL-NOT-REVOKED"));
                }
                (None, None) => {}
                // Ended by the account's own removal: judged with the account.
                (None, Some(_)) => {}
                (Some(r), a) if a.is_none_or(|a| r < a) => {
                    let deadline = policy.systems[&sys_id].revocation_deadline(Tier::Standard);
                    if r - t > deadline {
                        found.insert(key("EV-LEAVER-CREDENTIAL-REVOKED-LATE"));
                    }
                }
                _ => {}
            }
            let listed_use = d.recon.iter().any(|r| {
                r.system == sys_id
                    && r.entitlement.as_deref() == Some(cred.as_str())
                    && r.last_used_at.is_some_and(|u| u > t)
            });
            let signed_use = signed.iter().any(|(k, at)| k == cred && *at > t);
            if listed_use || signed_use {
                found.insert(key("EV-CREDENTIAL-USED-AFTER-LEAVE"));
            }
        }
        for x in d.execs.iter().filter(|x| x.at > t) {
            if x.actor
                .as_deref()
                .and_then(|a| who(&x.system, a))
                .as_deref()
                == Some(id.as_str())
            {
                found.insert(key_of(
                    "EV-ACTIVITY-AFTER-TERMINATION",
                    Some(id.clone()),
                    &x.system,
                    None,
                    None,
                    None,
                ));
            }
        }
        for r in d
            .recon
            .iter()
            .filter(|r| r.last_used_at.is_some_and(|u| u > t) && !is_cred_row(r))
        {
            if row_owner(r).as_deref() == Some(id.as_str()) {
                found.insert(key_of(
                    "EV-ACTIVITY-AFTER-TERMINATION",
                    Some(id.clone()),
                    &r.system,
                    None,
                    None,
                    None,
                ));
            }
        }
    }

    // ---- movers
    let window = policy.movers.transition_window.as_delta();
    for e in d
        .events
        .iter()
        .filter(|e| e.event_type == LifecycleEventType::Mover && in_period(e.effective_at))
    {
        let id = e.identity.to_string();
        let (Some(prior), Some(new)) = (&e.attributes.previous_role, &e.attributes.role) else {
            continue;
        };
        let t = e.effective_at;
        let Some(s) = last_snapshot_before(t) else {
            continue;
        };
        for r in rows_at(s).filter(|r| row_owner(r).as_deref() == Some(id.as_str())) {
            let ent = r.entitlement.clone().unwrap_or_default();
            if !policy.expects_for_role(Some(prior.as_str()), &r.system, &ent)
                || policy.expects_for_role(Some(new.as_str()), &r.system, &ent)
            {
                continue;
            }
            let removed = d.execs.iter().any(|x| {
                x.system == r.system
                    && x.account == r.account
                    && x.outcome == Outcome::Succeeded
                    && x.at >= t - day
                    && x.at <= t + window
                    && (matches!(x.action, A::Disable | A::Delete)
                        || (x.action == A::Revoke
                            && x.entitlement.as_deref() == Some(ent.as_str())))
            });
            if !removed {
                found.insert(key_of(
                    "EV-MOVER-RETAINED-ACCESS",
                    Some(id.clone()),
                    &r.system,
                    Some(r.account.to_string()),
                    Some(ent.to_string()),
                    None,
                ));
            }
        }
    }

    // ---- separation of duties (at each snapshot in the period), unless an unexpired exception covers a side
    for s in snapshots.iter().filter(|s| in_period(**s)) {
        let mut held: BTreeMap<String, Vec<(SystemId, String, String)>> = BTreeMap::new();
        for r in rows_at(*s) {
            if let Some(i) = row_owner(r) {
                held.entry(i).or_default().push((
                    r.system.clone(),
                    r.entitlement.as_deref().unwrap_or_default().to_owned(),
                    r.account.to_string(),
                ));
            }
        }
        for (i, ents) in held {
            let pairs: Vec<(SystemId, String)> = ents
                .iter()
                .map(|(a, b, _)| (a.clone(), b.clone()))
                .collect();
            for rule in policy.sod_conflicts(&pairs) {
                let covered = d.exceptions.iter().any(|x| {
                    x.subject.as_ref().map(|v| v.as_str()) == Some(i.as_str())
                        && x.effective_expiry().is_some_and(|e| e > *s)
                        && x.entitlement.as_deref().is_some_and(|e| {
                            rule.a
                                .matches(x.system.as_ref().unwrap_or(&SystemId::new("")), e)
                                || rule
                                    .b
                                    .matches(x.system.as_ref().unwrap_or(&SystemId::new("")), e)
                        })
                });
                if covered {
                    continue;
                }
                let b = ents
                    .iter()
                    .find(|(sy, e, _)| rule.b.matches(sy, e))
                    .unwrap();
                found.insert(key_of(
                    "EV-SOD-CONFLICT",
                    Some(i.clone()),
                    &b.0,
                    Some(b.2.clone()),
                    Some(b.1.clone()),
                    None,
                ));
            }
        }
    }

    // ---- executions that did not land
    for x in d
        .execs
        .iter()
        .filter(|x| in_period(x.at) && x.outcome != Outcome::Succeeded)
    {
        let retried = d.execs.iter().any(|y| {
            y.system == x.system
                && y.account == x.account
                && y.outcome == Outcome::Succeeded
                && y.at > x.at
                && y.at <= x.at + Duration::days(7)
                && ((y.action == x.action && y.entitlement == x.entitlement)
                    || (x.action == A::CreateAccount && adds(y.action)))
        });
        if !retried {
            found.insert(key_of(
                "EV-EXECUTION-FAILED-UNCONFIRMED",
                subject_of(x),
                &x.system,
                Some(x.account.to_string()),
                x.entitlement.clone().map(Into::into),
                None,
            ));
        }
    }

    // ---- removals nothing authoritative explains
    for x in d
        .execs
        .iter()
        .filter(|x| in_period(x.at) && x.outcome == Outcome::Succeeded && removes(x.action))
    {
        let Some(i) = subject_of(x) else { continue };
        let ent = x.entitlement.clone().unwrap_or_default();
        let explained = d.events.iter().any(|e| {
            e.identity.as_str() == i
                && x.at >= e.effective_at - day
                && (e.event_type.is_departure()
                    || (e.event_type == LifecycleEventType::Mover
                        && e.attributes.previous_role.as_ref().is_some_and(|p| {
                            let new = e.attributes.role.clone().unwrap_or_default();
                            match x.action {
                                A::Revoke => {
                                    policy.expects_for_role(Some(p.as_str()), &x.system, &ent)
                                        && !policy.expects_for_role(
                                            Some(new.as_str()),
                                            &x.system,
                                            &ent,
                                        )
                                }
                                _ => !policy
                                    .profile(&new)
                                    .is_some_and(|pr| pr.entitlements.contains_key(&x.system)),
                            }
                        })))
        }) || d.approvals.iter().any(|a| {
            a.subject.as_str() == i
                && a.system == x.system
                && a.entitlement == ent
                && a.decided_at <= x.at
        }) || reviews.authorises(x);
        if !explained {
            found.insert(key_of(
                "EV-CHANGE-WITHOUT-AUTHORITATIVE-EVENT",
                Some(i),
                &x.system,
                Some(x.account.to_string()),
                x.entitlement.clone().map(Into::into),
                None,
            ));
        }
    }

    // ---- accounts nobody owns
    for x in d.execs.iter().filter(|x| in_period(x.at)) {
        if cor.correlate(&x.system, &x.account).rule == evidentia_policy::CorrelationRule::None
            && subject_of(x).is_none()
        {
            found.insert(key_of(
                "EV-ORPHAN-ACCOUNT",
                None,
                &x.system,
                Some(x.account.to_string()),
                None,
                None,
            ));
        }
    }
    for r in d
        .recon
        .iter()
        .filter(|r| in_period(r.as_of) && r.status.is_present())
    {
        if row_owner(r).is_none()
            && cor.correlate(&r.system, &r.account).rule == evidentia_policy::CorrelationRule::None
        {
            found.insert(key_of(
                "EV-ORPHAN-ACCOUNT",
                None,
                &r.system,
                Some(r.account.to_string()),
                None,
                None,
            ));
        }
    }

    // ---- drift
    for r in d
        .recon
        .iter()
        .filter(|r| in_period(r.as_of) && r.status.is_present())
    {
        let Some(i) = row_owner(r) else { continue };
        if departed.get(&i).is_some_and(|t| *t <= r.as_of) {
            continue;
        }
        let ent = r.entitlement.clone().unwrap_or_default();
        let k = kind[&i];
        let expected = if k.is_human() {
            role_at(&i, r.as_of)
                .is_some_and(|role| policy.expects_for_role(Some(role.as_str()), &r.system, &ent))
        } else {
            policy.expects_for_nhi(k, &r.system, &ent)
        };
        let approved = d.approvals.iter().any(|a| {
            a.decision == Decision::Approved
                && a.subject.as_str() == i
                && a.system == r.system
                && a.entitlement.eq_ignore_ascii_case(&ent)
                && a.decided_at <= r.as_of
                && a.expires_at.is_none_or(|x| x > r.as_of)
        });
        let excepted = d.exceptions.iter().any(|x| {
            x.subject.as_ref().map(|s| s.as_str()) == Some(i.as_str())
                && x.system.as_ref() == Some(&r.system)
                && x.entitlement.as_deref() == Some(ent.as_str())
        });
        let mover_old = d.events.iter().any(|e| {
            e.identity.as_str() == i
                && e.event_type == LifecycleEventType::Mover
                && e.attributes
                    .previous_role
                    .as_ref()
                    .is_some_and(|p| policy.expects_for_role(Some(p.as_str()), &r.system, &ent))
        });
        let logged = d.execs.iter().any(|x| {
            in_period(x.at)
                && x.system == r.system
                && x.account == r.account
                && x.entitlement.as_deref() == Some(ent.as_str())
                && adds(x.action)
        });
        if !(expected || approved || excepted || mover_old || logged) {
            found.insert(key_of(
                "EV-UNEXPECTED-ENTITLEMENT",
                Some(i),
                &r.system,
                Some(r.account.to_string()),
                Some(ent.to_string()),
                None,
            ));
        }
    }

    // ---- exceptions
    for x in &d.exceptions {
        let subject = x.subject.as_ref().map(|s| s.to_string());
        let sys = x.system.clone().unwrap_or_else(|| SystemId::new(""));
        let ent = x.entitlement.clone();
        let mut f = |c: &str| {
            found.insert(key_of(
                c,
                subject.clone(),
                &sys,
                None,
                ent.clone(),
                Some(x.id.to_string()),
            ));
        };
        if x.owner.is_none() {
            f("EV-EXCEPTION-NO-OWNER");
        }
        match x.effective_expiry() {
            None => f("EV-EXCEPTION-NO-EXPIRY"),
            Some(exp) => {
                let tier = policy.tiers.classify(&sys, ent.as_deref().unwrap_or(""));
                if exp - x.granted_at > policy.exceptions.max_duration(tier).as_delta() {
                    f("EV-EXCEPTION-TOO-LONG");
                }
                let still = d.recon.iter().any(|r| {
                    r.as_of > exp
                        && r.status.is_present()
                        && r.system == sys
                        && r.entitlement.as_deref() == ent.as_deref()
                        && row_owner(r) == subject
                });
                if still {
                    f("EV-EXCEPTION-EXPIRED-ACTIVE");
                }
            }
        }
    }

    // ---- NHI governance
    for (id, k) in kind.iter().filter(|(_, k)| !k.is_human()) {
        let sys = SystemId::new(home.get(id).cloned().unwrap_or_default());
        if departed.get(id).is_some_and(|t| *t < end) {
            continue;
        }
        let history = owners.get(id).cloned().unwrap_or_default();
        if history.last().is_none_or(|(_, o)| o.is_none()) {
            found.insert(key_of(
                "EV-NHI-WITHOUT-OWNER",
                Some(id.clone()),
                &sys,
                None,
                None,
                None,
            ));
        }
        for (at, owner) in &history {
            let Some(o) = owner else { continue };
            let Some(left) = departed.get(o) else {
                continue;
            };
            let handed_over = history.iter().any(|(t, other)| {
                t > at && *t <= *left + Duration::days(30) && other.as_ref() != Some(o)
            });
            if *left < end && *left >= start && *left >= *at && !handed_over {
                found.insert(key_of(
                    "EV-NHI-OWNER-LEFT",
                    Some(id.clone()),
                    &sys,
                    None,
                    None,
                    None,
                ));
            }
        }
        if matches!(
            k,
            IdentityKind::AccessKey | IdentityKind::ApiToken | IdentityKind::Certificate
        ) {
            let created = history.first().map(|x| x.0).unwrap_or(start);
            let rotated = d
                .execs
                .iter()
                .filter(|x| {
                    x.outcome == Outcome::Succeeded
                        && matches!(x.action, A::CredentialRotated | A::CredentialCreated)
                        && subject_of(x).as_deref() == Some(id.as_str())
                })
                .map(|x| x.at)
                .max();
            let last = rotated.map_or(created, |r| r.max(created));
            if end - last > policy.nhi.credential_max_age_for(*k).as_delta() {
                found.insert(key_of(
                    "EV-NHI-CREDENTIAL-LONG-LIVED",
                    Some(id.clone()),
                    &sys,
                    None,
                    None,
                    None,
                ));
            }
        }
    }
    for x in d
        .execs
        .iter()
        .filter(|x| in_period(x.at) && x.outcome == Outcome::Succeeded)
    {
        let Some(i) = who(&x.system, &x.account) else {
            continue;
        };
        if !kind.get(&i).is_some_and(|k| k.is_human())
            && x.source_event_type
                .as_deref()
                .is_some_and(|t| policy.nhi.is_interactive(t))
        {
            found.insert(key_of(
                "EV-NHI-HUMAN-USE",
                Some(i),
                &x.system,
                Some(x.account.to_string()),
                x.entitlement.clone().map(Into::into),
                None,
            ));
        }
    }

    // ---- stale NHI credentials: each in-period listing, one finding per credential; a departed
    // NHI's credentials are the leaver checks' business; no last-used date is not assessed.
    let max_idle = policy.nhi.credential_max_idle.as_delta();
    let mut not_assessed: BTreeSet<Key> = BTreeSet::new();
    for r in d
        .recon
        .iter()
        .filter(|r| in_period(r.as_of) && r.status.is_present() && is_cred_row(r))
    {
        let ent = r.entitlement.clone().unwrap_or_default();
        let Some(i) = cred_owner(&r.system, &ent) else {
            continue;
        };
        if kind.get(&i).is_none_or(|k| k.is_human())
            || departed.get(&i).is_some_and(|t| *t <= r.as_of)
        {
            continue;
        }
        let k = key_of(
            "EV-NHI-CREDENTIAL-STALE",
            Some(i),
            &r.system,
            Some(r.account.to_string()),
            Some(ent.to_string()),
            None,
        );
        match r.last_used_at {
            None => {
                not_assessed.insert(k);
            }
            Some(u) if r.as_of - u > max_idle => {
                found.insert(k);
            }
            Some(_) => {}
        }
    }

    // ---- time-bound approvals (issue 19)
    let removes_item = |x: &Execution, account: &str, ent: &str| {
        x.outcome == Outcome::Succeeded
            && x.account.eq_ignore_ascii_case(account)
            && match x.action {
                A::Revoke => x
                    .entitlement
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(ent)),
                A::Disable | A::Delete => true,
                _ => false,
            }
    };
    for a in d.approvals.iter().filter(|a| {
        a.decision == Decision::Approved && !a.exception && a.expires_at.is_some_and(&in_period)
    }) {
        let Some(expiry) = a.expires_at else { continue };
        for g in d.execs.iter().filter(|x| {
            x.system == a.system
                && x.outcome == Outcome::Succeeded
                && x.action == A::Grant
                && x.entitlement
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(&a.entitlement))
                && x.at >= a.decided_at - day
                && x.at <= expiry
                && subject_of(x).as_deref() == Some(a.subject.as_str())
        }) {
            let ent = &a.entitlement;
            let removal = d
                .execs
                .iter()
                .filter(|x| x.system == a.system && x.at > g.at)
                .find(|x| removes_item(x, &g.account, ent));
            let late = match removal {
                Some(r) => r.at > expiry,
                None => snapshots.iter().find(|s| **s >= expiry).is_some_and(|s| {
                    rows_at(*s).any(|r| {
                        r.system == a.system
                            && r.account.eq_ignore_ascii_case(&g.account)
                            && r.entitlement
                                .as_deref()
                                .is_some_and(|e| e.eq_ignore_ascii_case(ent))
                    })
                }),
            };
            if late {
                found.insert(key_of(
                    "EV-ACCESS-PAST-EXPIRY",
                    Some(a.subject.to_string()),
                    &a.system,
                    Some(g.account.to_string()),
                    g.entitlement.clone().map(Into::into),
                    None,
                ));
            }
        }
    }

    // ---- emergency access (issue 19): JIT activations in the logs, and the register
    for x in d
        .execs
        .iter()
        .filter(|x| in_period(x.at) && x.outcome == Outcome::Succeeded && x.action == A::Grant)
    {
        let Some(ent) = x.entitlement.as_deref() else {
            continue;
        };
        let Some(max) = policy.emergency.jit_max(&x.system, ent) else {
            continue;
        };
        let end_of = d
            .execs
            .iter()
            .filter(|y| y.system == x.system && y.at > x.at)
            .find(|y| removes_item(y, &x.account, ent))
            .map_or(end, |y| y.at);
        // Every activation is in the register (same system, account, entitlement, second).
        assert!(
            d.emergency.iter().any(|u| u.system == x.system
                && u.account.eq_ignore_ascii_case(&x.account)
                && u.entitlement.as_deref() == Some(ent)
                && u.activated_at == x.at),
            "JIT activation {x:?} is not in the emergency-access register"
        );
        if end_of - x.at > max.as_delta() {
            found.insert(key_of(
                "EV-EMERGENCY-HELD-TOO-LONG",
                who(&x.system, &x.account),
                &x.system,
                Some(x.account.to_string()),
                Some(ent.to_owned()),
                None,
            ));
        }
    }
    let window = policy.emergency.review_window.map(|w| w.as_delta());
    for u in d.emergency.iter().filter(|u| in_period(u.activated_at)) {
        let used_by = u.used_by.as_ref().map(|i| i.to_string());
        let k = |c: &str| {
            key_of(
                c,
                used_by.clone(),
                &u.system,
                Some(u.account.clone()),
                u.entitlement.clone(),
                None,
            )
        };
        if let Some(window) = window {
            let in_time = u.review_decision.is_some()
                && u.reviewed_at.is_some_and(|r| r - u.activated_at <= window);
            if !in_time {
                found.insert(k("EV-EMERGENCY-NO-REVIEW"));
            }
        }
        if u.entitlement.is_none()
            && policy.emergency.is_break_glass(&u.system, &u.account)
            && u.ticket.is_none()
        {
            found.insert(k("EV-BREAK-GLASS-NO-TICKET"));
        }
    }
    // Each UTC day a break-glass account was used (a successful sign-in or call, read here
    // straight from the raw log lines, named as the importers name accounts) needs a
    // break-glass row of the register on that system whose start is within that day, 15
    // minutes' grace either side; otherwise one finding per (system, account).
    // Per such finding, each day used: whether it had its row. The key is per account, so the
    // key's summary must name exactly the days without one.
    let mut days_of: BTreeMap<Key, BTreeMap<chrono::NaiveDate, bool>> = BTreeMap::new();
    if window.is_some() && !d.emergency.is_empty() {
        let grace = Duration::minutes(15);
        let mut used: BTreeMap<(SystemId, String), BTreeSet<chrono::NaiveDate>> = BTreeMap::new();
        for (sys, account, t) in break_glass_uses(files) {
            if in_period(t) && policy.emergency.is_break_glass(&sys, &account) {
                used.entry((sys, account))
                    .or_default()
                    .insert(t.date_naive());
            }
        }
        for ((sys, account), days) in used {
            let registered: BTreeMap<chrono::NaiveDate, bool> = days
                .iter()
                .map(|day| {
                    let from = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap()) - grace;
                    let to = from + Duration::days(1) + grace + grace;
                    let row = d.emergency.iter().any(|u| {
                        u.system == sys
                            && (u.entitlement.is_none()
                                || policy.emergency.is_break_glass(&u.system, &u.account))
                            && u.activated_at >= from
                            && u.activated_at <= to
                    });
                    (*day, row)
                })
                .collect();
            if registered.values().any(|row| !row) {
                let k = key_of(
                    "EV-EMERGENCY-NO-REVIEW",
                    who(&sys, &account),
                    &sys,
                    Some(account),
                    None,
                    None,
                );
                found.insert(k.clone());
                days_of.insert(k, registered);
            }
        }
    }

    // ---- access reviews
    reviews.check(&d, &policy, &cor, end, &mut found);

    // ---- compare
    let key: serde_json::Value = serde_json::from_str(file(files, "answer-key.json")).unwrap();
    let s = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let expected: BTreeSet<Key> = key["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                s(&f["check"]).unwrap(),
                s(&f["identity"]),
                s(&f["system"]),
                s(&f["account"]),
                s(&f["entitlement"]),
                s(&f["exception"]),
                s(&f["campaign"]),
            )
        })
        .collect();
    let missing: Vec<&Key> = expected.difference(&found).collect();
    let extra: Vec<&Key> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "reference checks disagree with the key\n  in the key but not found ({}): {missing:#?}\n  found but not in the key ({}): {extra:#?}",
        missing.len(),
        extra.len()
    );
    for (k, days) in &days_of {
        let summary = key["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                s(&f["check"]).as_ref() == Some(&k.0)
                    && s(&f["system"]) == k.2
                    && s(&f["account"]) == k.3
                    && s(&f["entitlement"]).is_none()
            })
            .and_then(|f| s(&f["summary"]))
            .unwrap_or_default();
        for (day, row) in days {
            assert_eq!(
                summary.contains(&day.to_string()),
                !row,
                "{k:?}: the key's summary {summary:?} must name {day} exactly when it had no row"
            );
        }
    }
    let listed: BTreeSet<Key> = key["not_assessed"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|f| {
                    (
                        s(&f["check"]).unwrap(),
                        s(&f["identity"]),
                        s(&f["system"]),
                        s(&f["account"]),
                        s(&f["entitlement"]),
                        None,
                        None,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        listed, not_assessed,
        "not-assessed credentials disagree with the key"
    );
    for c in key["clean_cases"].as_array().unwrap() {
        let hit = found.iter().any(|f| {
            f.0 == c["not_check"].as_str().unwrap()
                && f.1 == s(&c["identity"])
                && (c["system"].is_null() || f.2 == s(&c["system"]))
                && (c["campaign"].is_null() || f.6 == s(&c["campaign"]))
        });
        assert!(!hit, "clean case {c} produced a finding");
    }
}

// ---- access reviews (docs/access-reviews.md), read from the export as plain CSV

struct Campaign {
    id: String,
    systems: Vec<SystemId>,
    scope: Vec<String>,
    start: Timestamp,
    due: Timestamp,
    closed: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Keep,
    Revoke,
    Modify,
    Delegated,
    NoDecision,
}

impl Verdict {
    fn decides(self) -> bool {
        matches!(self, Verdict::Keep | Verdict::Revoke | Verdict::Modify)
    }
}

struct Dec {
    campaign: String,
    reviewer: Option<String>,
    /// The policy's spelling of the reviewer's role.
    role: Option<&'static str>,
    subject: Option<String>,
    system: SystemId,
    account: String,
    ent: Option<String>,
    verdict: Verdict,
    at: Option<Timestamp>,
    delegated_to: Option<String>,
}

impl Dec {
    /// (system, account, entitlement), compared ignoring case.
    fn item(&self) -> (String, String, String) {
        (
            self.system.to_string(),
            self.account.to_lowercase(),
            self.ent.clone().unwrap_or_default().to_lowercase(),
        )
    }
}

struct Reviews {
    campaigns: Vec<Campaign>,
    decisions: Vec<Dec>,
}

/// `*` and `?`, ignoring ASCII case.
fn glob(p: &[u8], t: &[u8]) -> bool {
    match (p.first(), t.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&p[1..], t) || (!t.is_empty() && glob(p, &t[1..])),
        (Some(b'?'), Some(_)) => glob(&p[1..], &t[1..]),
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => glob(&p[1..], &t[1..]),
        _ => false,
    }
}

fn time(v: &str) -> Option<Timestamp> {
    (!v.is_empty()).then(|| {
        chrono::DateTime::parse_from_rfc3339(v)
            .unwrap()
            .with_timezone(&Utc)
    })
}

impl Reviews {
    fn read(files: &[File]) -> Reviews {
        let rows: Vec<ReviewRow> = review_rows(files).into_iter().map(|(_, r)| r).collect();
        let opt = |v: &String| (!v.is_empty()).then(|| v.clone());
        let list = |v: &String| -> Vec<String> {
            v.split(';')
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut campaigns: Vec<Campaign> = Vec::new();
        for r in &rows {
            if campaigns.iter().any(|c| c.id == r["Campaign ID"]) {
                continue;
            }
            campaigns.push(Campaign {
                id: r["Campaign ID"].clone(),
                systems: list(&r["Campaign Systems"])
                    .into_iter()
                    .map(SystemId::new)
                    .collect(),
                scope: list(&r["Campaign Scope"]),
                start: time(&r["Campaign Start"]).unwrap(),
                due: time(&r["Campaign Due"]).unwrap(),
                closed: time(&r["Campaign Closed"]),
            });
        }
        let decisions = rows
            .iter()
            .map(|r| Dec {
                campaign: r["Campaign ID"].clone(),
                reviewer: opt(&r["Reviewer"]),
                role: match r["Reviewer Role"].as_str() {
                    "Line Manager" => Some("manager"),
                    "InfoSec" => Some("security"),
                    "App Owner" => Some("system_owner"),
                    "Risk Owner" => Some("risk_owner"),
                    _ => None,
                },
                subject: opt(&r["Subject"]),
                system: SystemId::new(r["System"].as_str()),
                account: r["Account"].clone(),
                ent: opt(&r["Entitlement"]),
                verdict: match r["Decision"].as_str() {
                    "Keep" => Verdict::Keep,
                    "Revoke" => Verdict::Revoke,
                    "Modify" => Verdict::Modify,
                    "Delegate" => Verdict::Delegated,
                    _ => Verdict::NoDecision,
                },
                at: time(&r["Decided At"]),
                delegated_to: opt(&r["Delegated To"]),
            })
            .collect();
        Reviews {
            campaigns,
            decisions,
        }
    }

    /// A removal a revoke or modify decision asked for, made after the decision: the
    /// entitlement revoked, or the account removed.
    fn authorises(&self, x: &Execution) -> bool {
        self.decisions.iter().any(|d| {
            matches!(d.verdict, Verdict::Revoke | Verdict::Modify)
                && d.system == x.system
                && d.account.eq_ignore_ascii_case(&x.account)
                && d.at.is_some_and(|t| t <= x.at)
                && (matches!(x.action, A::Disable | A::Delete)
                    || x.entitlement.as_deref().map(str::to_lowercase)
                        == d.ent.as_deref().map(str::to_lowercase))
        })
    }

    fn check(
        &self,
        d: &Data,
        policy: &Policy,
        cor: &Correlator,
        as_of: Timestamp,
        found: &mut BTreeSet<Key>,
    ) {
        let credential_kinds = |i: &str| {
            d.events.iter().any(|e| {
                e.identity.as_str() == i
                    && matches!(
                        e.identity_kind,
                        IdentityKind::AccessKey
                            | IdentityKind::ApiToken
                            | IdentityKind::Certificate
                    )
            })
        };
        let sla = policy.reviews.revoke_sla.as_delta();
        let window = policy.reviews.rubber_stamp_window.as_delta();
        let stamp_n = policy.reviews.rubber_stamp_decisions as usize;
        let privileged_roles: Vec<&str> = policy
            .reviews
            .privileged_reviewer_roles
            .iter()
            .map(|r| r.as_str())
            .collect();
        let present = |r: &&ReconciliationRecord| r.status.is_present();
        let snapshots_of = |s: &SystemId| -> BTreeSet<Timestamp> {
            d.recon
                .iter()
                // A listing of accounts and entitlements (a profile without a credential column
                // lists no keys, but is complete for what a review population holds).
                .filter(|r| {
                    &r.system == s
                        && r.coverage
                            .as_ref()
                            .is_none_or(|c| c.accounts && c.entitlements)
                })
                .map(|r| r.as_of)
                .collect()
        };
        let shows = |s: &SystemId, at: Timestamp, item: &(String, String, String)| {
            d.recon.iter().filter(present).any(|r| {
                &r.system == s
                    && r.as_of == at
                    && r.account.to_lowercase() == item.1
                    && r.entitlement.clone().unwrap_or_default().to_lowercase() == item.2
            })
        };
        let holder = |dec: &Dec| {
            cor.correlate(&dec.system, &dec.account)
                .identity
                .map(|i| i.to_string())
                .or(dec.subject.clone())
        };
        let key = |c: &str, dec: &Dec, campaign: &str| -> Key {
            (
                c.to_owned(),
                holder(dec),
                Some(dec.system.to_string()),
                Some(dec.account.clone()),
                dec.ent.clone(),
                None,
                Some(campaign.to_owned()),
            )
        };
        for c in &self.campaigns {
            let decs: Vec<&Dec> = self
                .decisions
                .iter()
                .filter(|x| x.campaign == c.id)
                .collect();
            let closed = c.closed.unwrap_or(as_of);
            // The population per system: the last complete snapshot at or before the start.
            let mut population: BTreeMap<SystemId, BTreeSet<(String, String, String)>> =
                BTreeMap::new();
            for s in &c.systems {
                let Some(at) = snapshots_of(s).into_iter().filter(|t| *t <= c.start).max() else {
                    continue;
                };
                let items = d
                    .recon
                    .iter()
                    .filter(present)
                    .filter(|r| &r.system == s && r.as_of == at)
                    .filter(|r| {
                        let e = r.entitlement.clone().unwrap_or_default();
                        c.scope.is_empty()
                            || c.scope.iter().any(|p| glob(p.as_bytes(), e.as_bytes()))
                    })
                    .filter(|r| {
                        let by_credential = r
                            .entitlement
                            .as_deref()
                            .map(|e| cor.correlate(s, e))
                            .filter(|x| x.rule == evidentia_policy::CorrelationRule::Explicit)
                            .and_then(|x| x.identity);
                        by_credential.is_none_or(|i| !credential_kinds(i.as_str()))
                    })
                    .filter(|r| {
                        !matches!(
                            cor.correlate(s, &r.account).rule,
                            evidentia_policy::CorrelationRule::Ignored { .. }
                        )
                    })
                    .map(|r| {
                        (
                            s.to_string(),
                            r.account.to_lowercase(),
                            r.entitlement.clone().unwrap_or_default().to_lowercase(),
                        )
                    })
                    .collect();
                population.insert(s.clone(), items);
            }
            // Effective decisions: the last keep, revoke or modify per item.
            let mut effective: BTreeMap<(String, String, String), &Dec> = BTreeMap::new();
            let mut by_time: Vec<&&Dec> = decs.iter().filter(|x| x.verdict.decides()).collect();
            by_time.sort_by_key(|x| x.at);
            for x in &by_time {
                effective.insert(x.item(), x);
            }

            // Overdue, incomplete.
            if closed > c.due {
                found.insert((
                    "EV-REVIEW-OVERDUE".into(),
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(c.id.clone()),
                ));
            }
            for (s, items) in &population {
                let undecided = items.iter().any(|i| {
                    effective
                        .get(i)
                        .is_none_or(|x| x.at.is_none_or(|t| t > closed))
                });
                if undecided && (c.closed.is_some() || as_of > c.due) {
                    found.insert((
                        "EV-REVIEW-INCOMPLETE".into(),
                        None,
                        Some(s.to_string()),
                        None,
                        None,
                        None,
                        Some(c.id.clone()),
                    ));
                }
            }

            for x in decs.iter().filter(|x| x.verdict.decides()) {
                let item = x.item();
                // Outside the population.
                if population
                    .get(&x.system)
                    .is_some_and(|items| !items.contains(&item))
                {
                    found.insert(key("EV-REVIEW-OUTSIDE-POPULATION", x, &c.id));
                }
                // Self-review: the holder (or subject) decided, or the holder handed it on.
                let h = holder(x);
                let own = |who: &Option<String>| who.is_some() && (*who == h || *who == x.subject);
                let handed = decs.iter().any(|y| {
                    y.verdict == Verdict::Delegated
                        && y.item() == item
                        && own(&y.reviewer)
                        && y.delegated_to == x.reviewer
                });
                if matches!(x.verdict, Verdict::Keep | Verdict::Modify)
                    && (own(&x.reviewer) || handed)
                {
                    found.insert(key("EV-REVIEW-SELF-REVIEW", x, &c.id));
                }
                // Privileged items need a privileged reviewer role (effective decisions only).
                let is_effective = effective.get(&item).is_some_and(|e| std::ptr::eq(*e, *x));
                if is_effective
                    && policy
                        .tiers
                        .classify(&x.system, x.ent.as_deref().unwrap_or(""))
                        == Tier::Privileged
                    && x.role.is_none_or(|r| !privileged_roles.contains(&r))
                {
                    found.insert(key("EV-REVIEW-PRIVILEGED-REVIEWER", x, &c.id));
                }
                // Revokes followed to the system.
                if !matches!(x.verdict, Verdict::Revoke | Verdict::Modify) {
                    continue;
                }
                let decided = x.at.unwrap();
                let deadline = decided + sla;
                if deadline > as_of {
                    continue;
                }
                let removal = d
                    .execs
                    .iter()
                    .filter(|e| {
                        e.system == x.system
                            && e.account.to_lowercase() == item.1
                            && e.outcome == Outcome::Succeeded
                            && e.at >= c.start
                            && (matches!(e.action, A::Disable | A::Delete)
                                || (removes(e.action)
                                    && e.entitlement.clone().unwrap_or_default().to_lowercase()
                                        == item.2))
                    })
                    .map(|e| e.at)
                    .min();
                let snaps = snapshots_of(&x.system);
                match removal {
                    None => {
                        let next = snaps.iter().find(|t| **t >= deadline);
                        if next.is_none_or(|t| shows(&x.system, *t, &item)) {
                            found.insert(key("EV-REVIEW-REVOKE-NOT-EXECUTED", x, &c.id));
                        }
                    }
                    Some(r) => {
                        let next = snaps.iter().find(|t| **t > r);
                        let regranted = next.is_some_and(|n| {
                            d.execs.iter().any(|e| {
                                e.system == x.system
                                    && e.account.to_lowercase() == item.1
                                    && e.outcome == Outcome::Succeeded
                                    && adds(e.action)
                                    && e.at > r
                                    && e.at <= *n
                            })
                        });
                        if next.is_some_and(|n| shows(&x.system, *n, &item)) && !regranted {
                            found.insert(key("EV-REVIEW-REVOKE-CONTRADICTED", x, &c.id));
                        } else if r.max(decided) - decided > sla {
                            found.insert(key("EV-REVIEW-REVOKE-LATE", x, &c.id));
                        }
                    }
                }
            }

            // Rubber-stamping: a run of at least N decisions within the window, all keep.
            let mut reviewers: BTreeMap<&str, Vec<(Timestamp, Verdict)>> = BTreeMap::new();
            for x in decs.iter().filter(|x| x.verdict.decides()) {
                if let (Some(r), Some(t)) = (&x.reviewer, x.at) {
                    reviewers.entry(r).or_default().push((t, x.verdict));
                }
            }
            for (r, mut list) in reviewers {
                list.sort_by_key(|x| x.0);
                let stamped = (0..list.len()).any(|i| {
                    let run: Vec<&(Timestamp, Verdict)> = list[i..]
                        .iter()
                        .take_while(|(t, _)| *t - list[i].0 <= window)
                        .collect();
                    run.len() >= stamp_n && run.iter().all(|(_, v)| *v == Verdict::Keep)
                });
                if stamped {
                    found.insert((
                        "EV-REVIEW-RUBBER-STAMP".into(),
                        Some(r.to_owned()),
                        None,
                        None,
                        None,
                        None,
                        Some(c.id.clone()),
                    ));
                }
            }
        }
    }
}

/// Every successful sign-in and call in the Okta and CloudTrail logs as (system, account, time),
/// the account named as the native importers name it (docs/activity.md): Okta's
/// `actor.alternateId`; CloudTrail's `root` for the root user, the user name for IAM and
/// Identity Center users, the ARN for assumed roles and federated users. Refused sign-ins
/// (Okta `FAILURE`/`DENY`, CloudTrail `Failure`) and denied calls are no use.
fn break_glass_uses(files: &[File]) -> Vec<(SystemId, String, Timestamp)> {
    let time = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str()?)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    let mut out = Vec::new();
    for v in file(files, "logs/okta-system-log.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
    {
        let sign_in = matches!(
            v["eventType"].as_str(),
            Some("user.session.start" | "user.authentication.sso")
        );
        let ok = matches!(v["outcome"]["result"].as_str(), Some("SUCCESS" | "ALLOW"));
        if let (true, true, Some(a), Some(t)) = (
            sign_in,
            ok,
            v["actor"]["alternateId"].as_str(),
            time(&v["published"]),
        ) {
            out.push((SystemId::new("okta"), a.to_owned(), t));
        }
    }
    for v in file(files, "logs/aws-cloudtrail.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
    {
        let u = &v["userIdentity"];
        let account = match u["type"].as_str() {
            Some("Root") => Some("root".to_owned()),
            Some("IAMUser" | "IdentityCenterUser") => u["userName"].as_str().map(str::to_owned),
            Some("AssumedRole" | "FederatedUser") => u["arn"].as_str().map(str::to_owned),
            _ => None,
        };
        let ok = if v["eventName"] == "ConsoleLogin" {
            v["responseElements"]["ConsoleLogin"] == "Success"
        } else {
            v.get("errorCode").is_none_or(|e| e.is_null())
        };
        if let (Some(a), true, Some(t)) = (account, ok, time(&v["eventTime"])) {
            out.push((SystemId::new("aws"), a, t));
        }
    }
    out
}
