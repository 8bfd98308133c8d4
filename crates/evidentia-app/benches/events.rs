//! The Events table at scale: fills a real workspace's event-chain projection with N synthesized
//! chains (1,000,000 by default) through the writer the analysis uses, timing that write and
//! the file's growth (acceptance at 1M: < 20 s, < 300 MB), then times what the desktop's Events
//! page asks the backend for: the first page, a deep page, filtered pages with their totals, and
//! the chain detail of random events. Acceptance: each < 100 ms.
//! Peak RSS: run the built binary under `/usr/bin/time -v`.
//!
//! Run: `cargo bench -p evidentia-app --bench events` (`EVIDENTIA_BENCH_EVENTS` changes N).
//! Each figure is one façade call as the desktop command makes it (open the workspace read-only,
//! query, close), repeated; min / median / p95 in milliseconds. Figures go in docs/benchmarks.md.

use std::time::Instant;

use chrono::{TimeDelta, TimeZone, Utc};
use evidentia_app::{
    Cite, Direction, EventChain, EventFilter, IdentityClass, Link, LinkStatus, PageRequest,
    SystemChain, event_chain, list_events,
};
use evidentia_domain::{IdentityId, IdentityKind, LifecycleEventType, SystemId};
use evidentia_store::{Access, EvidenceStore, Workspace};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const SYSTEMS: [&str; 8] = [
    "aws",
    "okta",
    "entra",
    "github",
    "gworkspace",
    "k8s",
    "linux",
    "finance-app",
];
/// Ledger entries the synthesized links point at, so chain details look hashes up for real.
const LEDGER_ENTRIES: u64 = 20_000;
const REPEATS: usize = 40;
const PAGE: u64 = 100;

/// A small deterministic mixer (splitmix64), so runs are comparable without a RNG crate.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn link(r: u64, at: Option<chrono::DateTime<Utc>>) -> Link {
    // About 80% of links complete, the rest spread over the other statuses.
    let status = match r % 20 {
        0 => LinkStatus::Missing,
        1 => LinkStatus::Late,
        2 => LinkStatus::Unconfirmed,
        3 if r % 3 == 0 => LinkStatus::Failed,
        4 if r % 7 == 0 => LinkStatus::Contradicted,
        _ => LinkStatus::Complete,
    };
    let evidence = if status == LinkStatus::Missing {
        Vec::new()
    } else {
        vec![
            Cite::entry(1 + r % LEDGER_ENTRIES),
            Cite::entry(1 + (r >> 20) % LEDGER_ENTRIES),
        ]
    };
    Link {
        status,
        at: if status == LinkStatus::Missing {
            None
        } else {
            at
        },
        evidence,
        note: "synthesized for the benchmark",
    }
}

fn synthesize(n: u64) -> EventChain {
    let r = mix(n);
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    // Effective times increase with n, as the analysis orders its chains.
    let effective_at = start + TimeDelta::seconds(i64::try_from(n * 30).unwrap_or(0));
    let nhi = r % 5 == 0;
    let (identity, identity_kind, event_type) = if nhi {
        let kind = [
            LifecycleEventType::NhiCreated,
            LifecycleEventType::NhiOwnerChanged,
            LifecycleEventType::NhiRetired,
        ][(r >> 8) as usize % 3];
        (
            format!("svc-{:06}", (r >> 16) % 100_000),
            IdentityKind::ServiceAccount,
            kind,
        )
    } else {
        let kind = [
            LifecycleEventType::Joiner,
            LifecycleEventType::Mover,
            LifecycleEventType::Leaver,
        ][(r >> 8) as usize % 3];
        (
            format!("E{:06}", (r >> 16) % 200_000),
            IdentityKind::Employee,
            kind,
        )
    };
    let reach = 1 + (r >> 24) % 4;
    let systems = (0..reach)
        .map(|i| {
            let s = mix(r ^ i);
            let deadline = effective_at + TimeDelta::hours(24);
            let direction = if event_type.is_departure() {
                Direction::Revoke
            } else {
                Direction::Grant
            };
            SystemChain {
                system: SystemId::new(SYSTEMS[((r >> 32) + i) as usize % SYSTEMS.len()]),
                direction,
                account: Some(format!(
                    "{identity}@{}",
                    SYSTEMS[i as usize % SYSTEMS.len()]
                )),
                deadline: Some(deadline),
                decision: link(s, Some(effective_at - TimeDelta::hours(2))),
                execution: link(s >> 5, Some(effective_at + TimeDelta::hours(3))),
                confirmation: link(s >> 11, Some(effective_at + TimeDelta::days(20))),
            }
        })
        .collect();
    EventChain {
        seq: LEDGER_ENTRIES + 1 + n,
        row: 0,
        event_id: format!("EV-{n:07}"),
        identity: IdentityId::new(identity),
        identity_kind,
        event_type,
        effective_at,
        systems,
    }
}

struct Stats {
    min: f64,
    median: f64,
    p95: f64,
}

fn stats(mut ms: Vec<f64>) -> Stats {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    Stats {
        min: ms[0],
        median: at(0.5),
        p95: at(0.95),
    }
}

async fn time_page(
    ws: &evidentia_app::Location,
    label: &str,
    filter: &EventFilter,
    offset: impl Fn(u64) -> u64,
) -> BenchResult<f64> {
    let total = list_events(
        ws,
        filter,
        PageRequest {
            offset: 0,
            limit: 1,
        },
    )
    .await?
    .total;
    let mut ms = Vec::with_capacity(REPEATS);
    let mut rows = 0;
    for _ in 0..REPEATS {
        let start = Instant::now();
        let page = list_events(
            ws,
            filter,
            PageRequest {
                offset: offset(total),
                limit: PAGE,
            },
        )
        .await?;
        ms.push(start.elapsed().as_secs_f64() * 1e3);
        rows = page.rows.len();
    }
    let s = stats(ms);
    println!(
        "| {label} | {} | {} | {rows} | {:.1} | {:.1} | {:.1} |",
        total,
        offset(total),
        s.min,
        s.median,
        s.p95
    );
    Ok(s.p95)
}

fn main() -> BenchResult<()> {
    let events: u64 = std::env::var("EVIDENTIA_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("bench.evidentia");
    let ws = evidentia_app::Location::from(&file);
    let now = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or("time")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        evidentia_app::init_workspace(&ws, now).await?;
        let store = Workspace::open(&ws, Access::ReadWrite).await?;
        let mut batch = store.begin().await?;
        for i in 0..LEDGER_ENTRIES {
            let payload = evidentia_ledger::canonical_json(&serde_json::json!({"n": i}))?;
            batch.append("record.execution", "2026-01-01T00:00:00Z", payload).await?;
        }
        batch.commit().await?;
        store.close().await;

        // The projection's own cost: the writer's time and how much the file grows (the ledger
        // is already in it). Peak RSS is the process's, read by `/usr/bin/time -v`.
        let before_mb = std::fs::metadata(&file)?.len() as f64 / 1e6;
        let start = Instant::now();
        let written =
            evidentia_app::write_event_chains_at(&ws, LEDGER_ENTRIES, (0..events).map(synthesize))
                .await?;
        let fill = start.elapsed().as_secs_f64();
        let size_mb = std::fs::metadata(&file)?.len() as f64 / 1e6;
        println!(
            "wrote {written} event chains in {fill:.1} s ({:.0} events/s); workspace {before_mb:.1} MB -> {size_mb:.1} MB ({:.1} MB extra)",
            written as f64 / fill,
            size_mb - before_mb
        );
        println!();
        println!("| request | matches | offset | rows | min ms | median ms | p95 ms |");
        println!("|---|---|---|---|---|---|---|");

        let all = EventFilter::default();
        let leavers = EventFilter { kind: Some("leaver".into()), ..EventFilter::default() };
        let nhi_missing = EventFilter {
            identity_class: Some(IdentityClass::Nhi),
            status: Some("missing".into()),
            ..EventFilter::default()
        };
        let okta = EventFilter { system: Some("okta".into()), ..EventFilter::default() };
        let okta_late_movers = EventFilter {
            system: Some("okta".into()),
            status: Some("late".into()),
            kind: Some("mover".into()),
            ..EventFilter::default()
        };
        let contradicted = EventFilter { status: Some("contradicted".into()), ..EventFilter::default() };
        let identity = EventFilter { identity: Some("E0123".into()), ..EventFilter::default() };
        let mut worst: f64 = 0.0;
        for (label, filter, deep) in [
            ("all events", &all, false),
            ("all events", &all, true),
            ("kind = leaver", &leavers, false),
            ("kind = leaver", &leavers, true),
            ("NHI, status = missing", &nhi_missing, false),
            ("NHI, status = missing", &nhi_missing, true),
            ("system = okta", &okta, false),
            ("system = okta", &okta, true),
            ("okta, late, movers", &okta_late_movers, true),
            ("status = contradicted (rare)", &contradicted, true),
            ("identity starts with E0123", &identity, false),
        ] {
            let p95 = if deep {
                time_page(&ws, &format!("{label}, deep page"), filter, |t| t.saturating_sub(PAGE) * 9 / 10).await?
            } else {
                time_page(&ws, &format!("{label}, first page"), filter, |_| 0).await?
            };
            worst = worst.max(p95);
        }

        let mut ms = Vec::new();
        let mut links = 0;
        for i in 0..200u64 {
            let seq = LEDGER_ENTRIES + 1 + mix(i ^ 0xabcd) % events;
            let start = Instant::now();
            let detail = event_chain(&ws, seq).await?;
            ms.push(start.elapsed().as_secs_f64() * 1e3);
            links += detail.systems.iter().map(|s| s.links.len()).sum::<usize>();
        }
        let s = stats(ms);
        println!(
            "| event_chain, 200 random events ({links} links) | 1 | - | - | {:.1} | {:.1} | {:.1} |",
            s.min, s.median, s.p95
        );
        worst = worst.max(s.p95);
        println!();
        println!(
            "worst p95 {worst:.1} ms: {}",
            if worst < 100.0 { "within 100 ms" } else { "OVER the 100 ms target" }
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
