//! Access-review judgement at the size issue 15 names: one campaign of 500,000 items drawn from
//! a 1,000,000-row snapshot (100,000 accounts with ten entitlements each, half of them in the
//! campaign's scope), every item but 0.1% decided by one of 1,000 managers (privileged ones by
//! security), 5% revoked (most removed in the log, some late, some never), and a few planted
//! failures: reviewers stamping in bulk, holders certifying their own access, managers
//! certifying privileged access. Synthesized in memory with a fixed seed; times the judge
//! alone and the full `analyze`, prints peak RSS (VmHWM).
//!
//! Run: `cargo bench -p evidentia-rules --bench reviews` (`EVIDENTIA_BENCH_ACCOUNTS` scales it;
//! 100,000 accounts gives the 1M rows and 500k items). Figures: docs/benchmarks.md.

mod support;

use std::time::Instant;

use chrono::{TimeDelta, TimeZone, Utc};
use evidentia_domain::*;
use evidentia_policy::Policy;
use evidentia_rules::{Context, Evidence, RevokeStatus, Stored, analyze, review_campaigns};

use support::{Rng, cpu_seconds, rss_mib};

const POLICY: &str = r#"format = "evidentia-policy/1"
[organisation]
name = "Bench"
period_start = 2025-01-01
period_end = 2025-12-31
[systems.erp]
name = "ERP"
criticality = "high"
[profiles."*"]
erp = ["grp-*", "res-*"]
[tiers.privileged]
approvers = ["security"]
entitlements = { erp = ["grp-0"] }
[reviews]
revoke_sla = "7d"
rubber_stamp_decisions = 20
rubber_stamp_window = "60s"
privileged_reviewer_roles = ["security", "system_owner"]
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let accounts: u64 = std::env::var("EVIDENTIA_BENCH_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let policy = Policy::from_toml(POLICY, "bench.toml").map_err(|e| e.to_string())?;
    let t = |m: u32, d: u32| {
        Utc.with_ymd_and_hms(2025, m, d, 0, 0, 0)
            .single()
            .ok_or("time")
    };
    let joined = t(1, 2)? - TimeDelta::days(400);
    let snapshot = t(3, 31)?;
    let started = t(4, 1)?;
    let as_of = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or("time")?;
    let system = SystemId::new("erp");
    let campaign = CampaignId::new("UAR-2025-Q2");
    let mut rng = Rng(15);
    let mut ev = Evidence::default();
    let mut seq = 0u64;
    let mut next = || {
        seq += 1;
        seq
    };
    ev.campaigns.push(Stored::new(
        next(),
        ReviewCampaign {
            closed_at: Some(started + TimeDelta::days(30)),
            due_at: started + TimeDelta::days(28),
            entitlements: vec!["grp-*".into()],
            id: campaign.clone(),
            name: Some("ERP quarterly review".into()),
            started_at: started,
            systems: vec![system.clone()],
        },
    ));
    let managers = 1_000u64;
    let mut decisions: Vec<(u64, u64, ReviewVerdict)> = Vec::new();
    for p in 0..accounts {
        let id = IdentityId::new(format!("E{p:07}"));
        let email = format!("user{p}@bench.example");
        ev.events.push(Stored::new(
            next(),
            LifecycleEvent {
                id: EventId::new(format!("J{p}")),
                identity: id.clone(),
                identity_kind: IdentityKind::Employee,
                event_type: LifecycleEventType::Joiner,
                effective_at: joined,
                attributes: LifecycleAttributes {
                    email: Some(email.clone()),
                    role: Some("staff".into()),
                    ..LifecycleAttributes::default()
                },
                reason: None,
            },
        ));
        for k in 0..10u64 {
            let entitlement = if k < 5 {
                format!("grp-{k}")
            } else {
                format!("res-{k}")
            };
            ev.reconciliations.push(Stored::new(
                next(),
                ReconciliationRecord {
                    created_at: None,
                    never_used: false,
                    revoked_at: None,
                    account: email.as_str().into(),
                    as_of: snapshot,
                    coverage: None,
                    credential: false,
                    entitlement: Some(entitlement.into()),
                    identity: None,
                    last_used_at: None,
                    status: ReconciliationStatus::ExpectedPresent,
                    system: system.clone(),
                },
            ));
            if k < 5 && rng.below(1000) != 0 {
                // 0.1% left undecided; 5% revoked; the rest kept.
                let verdict = if rng.below(20) == 0 {
                    ReviewVerdict::Revoke
                } else {
                    ReviewVerdict::Keep
                };
                decisions.push((p, k, verdict));
            }
        }
    }
    // Each manager (one of the first thousand people, never reviewing themselves) works
    // through their share over the campaign, one decision every few minutes; every hundredth
    // manager stamps their last 50 keeps within a minute. Security reviews the privileged
    // group, but one item in two thousand went to a manager.
    let mut pace = vec![0i64; managers as usize];
    for (n, (p, k, verdict)) in decisions.into_iter().enumerate() {
        let manager = p % managers;
        let (reviewer, role) = if n % 10_000 == 0 {
            (format!("E{p:07}"), ApproverRole::Manager)
        } else if k == 0 && n % 2_000 != 1 {
            (format!("S{:02}", p % 20), ApproverRole::Security)
        } else {
            (
                format!("E{:07}", (manager + 1) % managers),
                ApproverRole::Manager,
            )
        };
        let n = &mut pace[manager as usize];
        *n += 1;
        let bulk = manager % 100 == 0 && *n > 450;
        let at = started
            + TimeDelta::hours(1)
            + if bulk {
                TimeDelta::days(20) + TimeDelta::seconds(*n)
            } else {
                TimeDelta::minutes(*n * 3 + rng.below(3) as i64)
            };
        let account = format!("user{p}@bench.example");
        let entitlement = format!("grp-{k}");
        ev.decisions.push(Stored::new(
            next(),
            ReviewDecision {
                account: account.clone(),
                assigned_to: None,
                campaign: campaign.clone(),
                comment: None,
                decided_at: Some(at),
                decision: if bulk { ReviewVerdict::Keep } else { verdict },
                delegated_to: None,
                entitlement: Some(entitlement.clone()),
                item: Some(format!("ITEM-{p}-{k}")),
                reviewer: Some(IdentityId::new(reviewer)),
                reviewer_role: Some(role),
                subject: Some(IdentityId::new(format!("E{p:07}"))),
                system: system.clone(),
            },
        ));
        // Most revokes reach the log within the SLA, some late, one in ten never.
        if verdict == ReviewVerdict::Revoke && !bulk {
            let roll = rng.below(10);
            if roll == 0 {
                continue;
            }
            let delay = if roll == 1 {
                TimeDelta::days(9)
            } else {
                TimeDelta::hours(rng.below(72) as i64)
            };
            ev.executions.push(Stored::new(
                next(),
                Execution {
                    system: system.clone(),
                    account: account.into(),
                    action: ProvisioningAction::Revoke,
                    entitlement: Some(entitlement.into()),
                    actor: None,
                    at: at + delay,
                    outcome: Outcome::Succeeded,
                    failure_reason: None,
                    request_ref: None,
                    source_event_id: None,
                    source_event_type: None,
                },
            ));
        }
    }
    println!(
        "evidence: {} reconciliation rows, {} review decisions, {} executions, {} lifecycle events",
        ev.reconciliations.len(),
        ev.decisions.len(),
        ev.executions.len(),
        ev.events.len()
    );
    println!(
        "evidence in memory: RSS {}",
        rss_mib("VmRSS:").map_or("unknown".into(), |m| format!("{m:.0} MiB"))
    );

    let cpu_before = cpu_seconds();
    let clock = Instant::now();
    let ctx = Context::new(&ev, &policy, as_of);
    let indexed = clock.elapsed().as_secs_f64();
    let reviews = review_campaigns(&ctx);
    let judged = clock.elapsed().as_secs_f64();
    let review = reviews.first().ok_or("no campaign judged")?;
    let count = |s: RevokeStatus| review.revokes.iter().filter(|r| r.status == s).count();
    println!(
        "judge: {judged:.2} s ({indexed:.2} s indexing the context, {:.2} s judging): population {}, decided {}, {} revokes ({} on time, {} late, {} not executed), {} reviewers",
        judged - indexed,
        review.systems.iter().map(|s| s.population).sum::<usize>(),
        review.systems.iter().map(|s| s.decided).sum::<usize>(),
        review.revokes.len(),
        count(RevokeStatus::OnTime),
        count(RevokeStatus::Late),
        count(RevokeStatus::NotExecuted),
        review.reviewers.len()
    );
    if let (Some(before), Some(after)) = (cpu_before, cpu_seconds()) {
        println!("judge: {:.2} s of CPU", after - before);
    }
    println!(
        "judge: peak RSS {} (includes the evidence itself)",
        rss_mib("VmHWM:").map_or("unknown".into(), |m| format!("{m:.0} MiB"))
    );
    drop(reviews);
    drop(ctx);

    let cpu_before = cpu_seconds();
    let clock = Instant::now();
    let analysis = analyze(&ev, &policy, as_of);
    let secs = clock.elapsed().as_secs_f64();
    let mut by_check = std::collections::BTreeMap::new();
    for f in &analysis.findings {
        *by_check.entry(f.check).or_insert(0usize) += 1;
    }
    println!(
        "analyze: {secs:.2} s, {} findings {by_check:?}, peak RSS {} (includes the evidence itself)",
        analysis.findings.len(),
        rss_mib("VmHWM:").map_or("unknown".into(), |m| format!("{m:.0} MiB"))
    );
    if let (Some(before), Some(after)) = (cpu_before, cpu_seconds()) {
        println!(
            "analyze: {:.2} s of CPU (user + system, all threads)",
            after - before
        );
    }
    println!("targets: judged in < 3 s and < 1 GiB on 2 cores");
    Ok(())
}
