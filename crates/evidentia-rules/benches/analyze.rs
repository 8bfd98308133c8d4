//! Engine throughput at the size issues 5 and 12 name: about 100,000 lifecycle events, a
//! million executions, monthly reconciliation rows and 5 million sign-ins (as the activity
//! summaries an import makes of them), synthesized in memory with a fixed seed, then analysed
//! once. Prints wall time and peak RSS (VmHWM, as `/usr/bin/time -v`).
//!
//! Run: `cargo bench -p evidentia-rules --bench analyze` (`EVIDENTIA_BENCH_PEOPLE` scales it;
//! the default 25,000 people gives 100k events, 1M executions). Figures: docs/benchmarks.md.

mod support;

use std::time::Instant;

use chrono::{TimeDelta, TimeZone, Utc};
use evidentia_domain::*;
use evidentia_policy::Policy;
use evidentia_rules::{Evidence, Stored, populations};

use support::{Rng, cpu_seconds, rss_mib};

const POLICY: &str = r#"format = "evidentia-policy/1"
[organisation]
name = "Bench"
period_start = 2025-01-01
period_end = 2025-12-31
[systems.okta]
name = "Okta"
criticality = "critical"
[systems.aws]
name = "AWS"
criticality = "critical"
[systems.github]
name = "GitHub"
criticality = "high"
[systems.linux]
name = "Bastion"
criticality = "high"
[profiles.ENG]
okta = ["Everyone", "Engineering"]
aws = ["ReadOnly"]
github = ["org"]
[profiles.OPS]
okta = ["Everyone", "Ops"]
linux = ["ops"]
[correlation]
by_email = true
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let people: u64 = std::env::var("EVIDENTIA_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25_000);
    let policy = Policy::from_toml(POLICY, "bench.toml").map_err(|e| e.to_string())?;
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .ok_or("time")?;
    let as_of = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or("time")?;
    let mut rng = Rng(2026);
    let mut ev = Evidence::default();
    let mut seq = 0u64;
    let mut next = || {
        seq += 1;
        seq
    };
    let systems = ["okta", "aws", "github", "linux"];
    for p in 0..people {
        let id = IdentityId::new(format!("E{p:06}"));
        let email = format!("user{p}@bench.example");
        let role = if p % 3 == 0 { "OPS" } else { "ENG" };
        let joined = start + TimeDelta::minutes(rng.below(300 * 24 * 60) as i64);
        // Four events per person: joiner, two movers, leaver (about half leave in the year).
        let mut event = |t: Timestamp, kind: LifecycleEventType, prior: Option<&str>, now: &str| {
            Stored::new(
                next(),
                LifecycleEvent {
                    id: EventId::new(format!("EV-{p}-{}", kind.as_str())),
                    identity: id.clone(),
                    identity_kind: IdentityKind::Employee,
                    event_type: kind,
                    effective_at: t,
                    attributes: LifecycleAttributes {
                        email: Some(email.clone()),
                        role: Some(now.to_owned()),
                        previous_role: prior.map(str::to_owned),
                        ..LifecycleAttributes::default()
                    },
                    reason: None,
                },
            )
        };
        ev.events
            .push(event(joined, LifecycleEventType::Joiner, None, role));
        let other = if role == "OPS" { "ENG" } else { "OPS" };
        ev.events.push(event(
            joined + TimeDelta::days(20),
            LifecycleEventType::Mover,
            Some(role),
            other,
        ));
        ev.events.push(event(
            joined + TimeDelta::days(40),
            LifecycleEventType::Mover,
            Some(other),
            role,
        ));
        let leaves = p % 2 == 0;
        if leaves {
            ev.events.push(event(
                joined + TimeDelta::days(60),
                LifecycleEventType::Leaver,
                None,
                role,
            ));
        }
        // Forty executions per person across the systems: grants, each with its approval, and
        // revokes — a functioning organisation, so findings stay a small minority.
        for k in 0..40u64 {
            let system = SystemId::new(systems[(k % 4) as usize]);
            let at = joined + TimeDelta::hours((k * 7 + rng.below(5)) as i64);
            let grant = k % 5 != 4;
            let entitlement = format!("ent-{}", k % 6);
            if grant {
                ev.approvals.push(Stored::new(
                    next(),
                    Approval {
                        removal: false,
                        id: ApprovalId::new(format!("R{p}-{k}")),
                        subject: id.clone(),
                        entitlement: entitlement.clone(),
                        system: system.clone(),
                        requester: None,
                        approver: IdentityId::new("E000001"),
                        approver_role: ApproverRole::Manager,
                        decision: Decision::Approved,
                        decided_at: at - TimeDelta::hours(1),
                        tier: Tier::Standard,
                        justification: None,
                        expires_at: None,
                        exception: false,
                    },
                ));
            }
            ev.executions.push(Stored::new(
                next(),
                Execution {
                    system,
                    account: email.clone(),
                    action: if grant {
                        ProvisioningAction::Grant
                    } else {
                        ProvisioningAction::Revoke
                    },
                    entitlement: Some(entitlement),
                    actor: Some("iga@bench.example".into()),
                    at,
                    outcome: if rng.below(100) == 0 {
                        Outcome::Failed
                    } else {
                        Outcome::Succeeded
                    },
                    failure_reason: None,
                    request_ref: None,
                    source_event_id: None,
                    source_event_type: None,
                },
            ));
        }
        // Sign-ins: 200 a year per person (100 to okta, 100 console logins to aws) while
        // employed, imported as quarterly exports, so one summary per person, system and
        // quarter; one leaver in fifty signs in once more the day after leaving.
        let left = leaves.then(|| joined + TimeDelta::days(60));
        for (system, event_type) in [("okta", "user.session.start"), ("aws", "ConsoleLogin")] {
            for quarter in 0..4u32 {
                let (Some(from), Some(to)) = (
                    Utc.with_ymd_and_hms(2025, quarter * 3 + 1, 1, 0, 0, 0)
                        .single(),
                    Utc.with_ymd_and_hms(
                        2025 + i32::from(quarter == 3),
                        (quarter * 3 + 3) % 12 + 1,
                        1,
                        0,
                        0,
                        0,
                    )
                    .single(),
                ) else {
                    continue;
                };
                let from = from.max(joined);
                let mut to = left.map_or(to, |l| to.min(l));
                if leaves
                    && p % 50 == 0
                    && left.is_some_and(|l| l >= from && l < to + TimeDelta::days(92))
                {
                    to = left.map_or(to, |l| l + TimeDelta::days(1));
                }
                if to <= from {
                    continue;
                }
                let span = (to - from).num_days().max(1);
                let count = (68 * span / 91).max(1) as u64;
                let days: Vec<chrono::NaiveDate> = (0..count)
                    .map(|i| {
                        (from + TimeDelta::days((i as i64 * span) / count as i64)).date_naive()
                    })
                    .collect();
                let mark = |at: Timestamp, line: u64| ActivityMark {
                    at,
                    location: format!("line {line}"),
                    source_event_id: None,
                };
                ev.activity.push(Stored::new(
                    next(),
                    ActivitySummary {
                        credential: None,
                        account: email.clone(),
                        channel: ActivityChannel::SignIn,
                        clients: vec!["Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0".into()],
                        count,
                        days: day_ranges(days),
                        event_types: vec![event_type.into()],
                        first: mark(from + TimeDelta::hours(9), p * 7 + 1),
                        interactive: true,
                        last: mark(to - TimeDelta::hours(6), p * 7 + 5),
                        outcome: Outcome::Succeeded,
                        system: SystemId::new(system),
                    },
                ));
            }
        }
        // Month-end snapshots while employed: three rows each.
        for month in 1..=12u32 {
            let Some(snapshot) = Utc.with_ymd_and_hms(2025, month, 28, 23, 59, 59).single() else {
                continue;
            };
            if snapshot < joined || (leaves && snapshot > joined + TimeDelta::days(60)) {
                continue;
            }
            for (system, entitlement) in [
                ("okta", "Everyone"),
                ("okta", "Engineering"),
                ("aws", "ReadOnly"),
            ] {
                ev.reconciliations.push(Stored::new(
                    next(),
                    ReconciliationRecord {
                        created_at: None,
                        never_used: false,
                        revoked_at: None,
                        credential: false,
                        system: SystemId::new(system),
                        as_of: snapshot,
                        account: email.clone(),
                        identity: None,
                        entitlement: Some(entitlement.into()),
                        status: ReconciliationStatus::ExpectedPresent,
                        last_used_at: None,
                        coverage: None,
                    },
                ));
            }
        }
    }
    let sign_ins: u64 = ev.activity.iter().map(|a| a.record.count).sum();
    println!(
        "evidence: {} lifecycle events, {} executions, {} approvals, {} reconciliation rows, {} sign-ins in {} activity summaries",
        ev.events.len(),
        ev.executions.len(),
        ev.approvals.len(),
        ev.reconciliations.len(),
        sign_ins,
        ev.activity.len()
    );
    println!(
        "evidence in memory: RSS {}",
        rss_mib("VmRSS:").map_or("unknown".into(), |m| format!("{m:.0} MiB"))
    );
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let ctx = evidentia_rules::Context::new(&ev, &policy, as_of);
    let analysis = evidentia_rules::analyze_in(&ctx);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "analyze: {secs:.2} s, {} findings, {} event chains, peak RSS {} (includes the evidence itself)",
        analysis.findings.len(),
        analysis.chains.len(),
        rss_mib("VmHWM:").map_or("unknown".into(), |m| format!("{m:.0} MiB"))
    );
    // On a shared machine the wall time says as much about the neighbours as about the
    // engine; the CPU time (both threads) does not.
    if let (Some(before), Some(after)) = (cpu_before, cpu_seconds()) {
        println!(
            "analyze: {:.2} s of CPU (user + system, all threads)",
            after - before
        );
    }
    println!("targets: < 5 s and < 1 GiB on 2 cores");
    // Audit samples over the same analysis (issue 16): each population built from the
    // evidence and the analysis, a 40-item sample drawn and its attributes judged. The
    // reference is the analysis above, measured in the same run.
    let index_started = Instant::now();
    let index = populations::FindingIndex::new(&analysis.findings);
    let index_secs = index_started.elapsed().as_secs_f64();
    for name in [
        "leavers",
        "grants-outside-birthright",
        "privileged-grants",
        "credential-rotations",
    ] {
        let def = populations::population_def(name).ok_or("population")?;
        let built = Instant::now();
        let listed = populations::build(def, &ctx, &analysis).items.len();
        let build_secs = built.elapsed().as_secs_f64();
        let started = Instant::now();
        let (population, chosen) =
            populations::build_and_draw(def, &ctx, &analysis, 40, "bench", None);
        assert_eq!(listed, population.items.len());
        let judged: usize = chosen
            .iter()
            .map(|&i| populations::attributes(def, &population.items[i], &analysis, &index).len())
            .sum();
        let digest = population.digest();
        println!(
            "sample {name}: population {} items, digest {}…, 40 drawn, {judged} attributes: {:.2} s (+ {index_secs:.2} s finding index; the population alone {build_secs:.2} s)",
            population.items.len(),
            &digest[..12],
            started.elapsed().as_secs_f64()
        );
    }
    println!("target: population and a 40-item sample < 2 s");
    Ok(())
}
