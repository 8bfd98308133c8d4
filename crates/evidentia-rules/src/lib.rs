//! The product's judgement: given the evidence in the ledger and the policy, which findings
//! an auditor must see, each pointing at the ledger entries it rests on.
//!
//! Pure and deterministic: the same evidence, policy and `as_of` time give the same findings
//! in the same order. No I/O; the façade loads [`Evidence`] from the ledger.

mod authority;
mod chain;
mod checks;
mod context;
mod coverage;
mod departure;
mod exceptions;
mod finding;
mod holdings;
mod metrics;
mod population;
pub mod populations;
mod reviews;

use evidentia_domain::{
    ActivitySummary, Approval, ExceptionRecord, Execution, Identity, LifecycleEvent,
    ReconciliationRecord, ReviewCampaign, ReviewDecision, Timestamp,
};
use evidentia_policy::Policy;

pub use chain::{Direction, EventChain, Link, LinkStatus, SystemChain};
pub use checks::IMPLEMENTED as IMPLEMENTED_CHECKS;
pub use checks::credentials::NotAssessed;
pub use context::Context;
pub use coverage::{CheckCoverage, Coverage, EvidenceKind};
pub use exceptions::{AgingBucket, ExceptionAging};
pub use finding::{Finding, FindingKey, finding_id};
pub use metrics::{CampaignMetrics, Durations, Metrics, ReviewFigures, ReviewMetrics, Share};
pub use reviews::{
    CampaignReview, PopulationSource, ReviewerPace, RevokeChain, RevokeStatus, SystemReview,
};

/// What a finding, a chain link, a population item or an attribute cites: one ledger entry,
/// or one row of a set entry (`record.reconciliation_set`), so that two records sharing an
/// entry stay two pieces of evidence.
///
/// Ordered by entry, then row: a list of citations sorted ascending lists its entries in
/// ledger order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cite {
    /// The ledger sequence number of the entry.
    pub seq: u64,
    /// 0 when the entry is one record; otherwise the record's 1-based position in the set.
    pub row: u32,
}

impl Cite {
    /// The whole entry `seq` (a one-record entry).
    pub const fn entry(seq: u64) -> Self {
        Cite { seq, row: 0 }
    }

    /// Row `row` (1-based) of set entry `seq`.
    pub const fn set_row(seq: u64, row: u32) -> Self {
        Cite { seq, row }
    }

    /// What a sample's seed ranks: the entry number in decimal, and `:row` for a set's row
    /// (docs/audit-samples.md), so items cited as whole entries rank as they always have.
    pub fn key(self) -> String {
        if self.row == 0 {
            self.seq.to_string()
        } else {
            format!("{}:{}", self.seq, self.row)
        }
    }
}

impl std::fmt::Display for Cite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            write!(f, "entry {}", self.seq)
        } else {
            write!(f, "entry {} row {}", self.seq, self.row)
        }
    }
}

/// The entries `cites` names, ascending and each once: what the outputs list as `evidence`.
pub fn cited_entries(cites: &[Cite]) -> Vec<u64> {
    let mut seqs: Vec<u64> = cites.iter().map(|c| c.seq).collect();
    seqs.sort_unstable();
    seqs.dedup();
    seqs
}

/// The citations of `cites` that name a row of a set, ascending and each once: what the
/// outputs add as `evidence_rows` beside the entries.
pub fn cited_rows(cites: &[Cite]) -> Vec<Cite> {
    let mut rows: Vec<Cite> = cites.iter().copied().filter(|c| c.row > 0).collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// A record with where it is stored: the ledger entry that holds it and, for a set entry, its
/// row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored<T> {
    pub seq: u64,
    /// 0 for a one-record entry; the record's 1-based position in a set entry.
    pub row: u32,
    pub record: T,
}

impl<T> Stored<T> {
    /// Wraps a record read from one-record ledger entry `seq`.
    pub fn new(seq: u64, record: T) -> Self {
        Stored {
            seq,
            row: 0,
            record,
        }
    }

    /// Wraps the record at row `row` (1-based) of set entry `seq`.
    pub fn in_set(seq: u64, row: u32, record: T) -> Self {
        Stored { seq, row, record }
    }

    /// The citation of this record.
    pub fn cite(&self) -> Cite {
        Cite {
            seq: self.seq,
            row: self.row,
        }
    }
}

/// Everything imported, as the checks see it. Each list is in ledger order.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub identities: Vec<Stored<Identity>>,
    pub events: Vec<Stored<LifecycleEvent>>,
    pub approvals: Vec<Stored<Approval>>,
    pub executions: Vec<Stored<Execution>>,
    pub reconciliations: Vec<Stored<ReconciliationRecord>>,
    pub exceptions: Vec<Stored<ExceptionRecord>>,
    /// Sign-ins and API calls, summarised per account and file.
    pub activity: Vec<Stored<ActivitySummary>>,
    /// Access-review campaigns and their reviewers' decisions.
    pub campaigns: Vec<Stored<ReviewCampaign>>,
    pub decisions: Vec<Stored<ReviewDecision>>,
    /// An emergency-access register's rows: JIT activations and break-glass sign-ins with
    /// their tickets and post-activation reviews.
    pub emergency_uses: Vec<Stored<evidentia_domain::EmergencyUse>>,
}

/// The result of one analysis.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Findings sorted by check, identity, system, account, entitlement.
    pub findings: Vec<Finding>,
    /// Every exception with its age and status.
    pub exceptions: Vec<ExceptionAging>,
    /// Every lifecycle event in the period with its evidence chain per system.
    pub chains: Vec<EventChain>,
    pub metrics: Metrics,
    /// How many items each check examined in the period (the evidence behind its verdict);
    /// 0 for a check whose evidence was not imported.
    pub examined: std::collections::BTreeMap<&'static str, usize>,
    /// Which evidence each check had, and the systems without snapshots or logs.
    pub coverage: Coverage,
    /// Every access-review campaign judged (started before `as_of`, not closed before the
    /// period began) with its population, decisions and revokes, in order of start
    /// (docs/access-reviews.md).
    pub reviews: Vec<CampaignReview>,
    /// The grants in the period that birthright or the catalog authorised (ascending): what
    /// the approval checks left alone, for the audit populations. Citations, not entries: two
    /// grants of one set entry are two grants.
    pub birthright_grants: Vec<Cite>,
    /// Items a check could not judge for want of evidence (a credential with no last-used
    /// date): neither findings nor clean (convention 13).
    pub not_assessed: Vec<NotAssessed>,
}

/// Runs every check over the evidence under the policy, as of a moment (the period end or
/// now: exceptions age and credentials grow old relative to it).
pub fn analyze(evidence: &Evidence, policy: &Policy, as_of: Timestamp) -> Analysis {
    analyze_in(&Context::new(evidence, policy, as_of))
}

/// [`analyze`] over a context already indexed, so that audit populations drawn from the same
/// analysis reuse the index instead of building it twice.
pub fn analyze_in(ctx: &Context<'_>) -> Analysis {
    // The checks, the chains and the access reviews read the same context and nothing else:
    // each on its own thread (two cores share the three).
    let (findings, (chains, mut examined), judged, birthright_grants, beside_chains) =
        std::thread::scope(|scope| {
            // A few checks run beside the chains: the others are the longer of the two.
            let linking = scope.spawn(|| {
                let mut beside = Vec::new();
                let judged_beside = checks::run_beside_chains(ctx, &mut beside);
                let linked = (chain::chains(ctx), population::populations(ctx));
                (linked, beside, judged_beside)
            });
            let reviewing = scope.spawn(|| reviews::judge(ctx));
            let mut findings = Vec::new();
            let mut birthright = Vec::new();
            checks::run_all(ctx, &mut findings, &mut birthright);
            // A panic in another thread is a bug in the engine: pass it on as it was.
            let judged = reviewing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            checks::reviews::run(ctx, &judged, &mut findings);
            let (linked, beside, judged_beside) = linking
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            findings.extend(beside);
            let findings = sorted_findings(findings);
            (findings, linked, judged, birthright, judged_beside)
        });
    examined.extend(population::reviewed(&judged));
    let mut coverage = coverage::compute(ctx, checks::NEEDS, &examined);
    coverage.campaigns_without_population = judged
        .iter()
        .flat_map(|j| {
            j.review
                .systems
                .iter()
                .filter(|s| s.snapshot.is_none())
                .map(|s| (j.review.campaign.clone(), s.system.clone()))
        })
        .collect();
    let reviews: Vec<CampaignReview> = judged.into_iter().map(|j| j.review).collect();
    let examined = coverage
        .checks
        .iter()
        .map(|(check, c)| (*check, c.examined))
        .collect();
    // A check that rests on the absence of a kind of record says nothing when none was
    // imported: "no approval" is not a finding when no approvals were looked at.
    let findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            !checks::ABSENCE_OF
                .iter()
                .any(|(check, kind)| *check == f.check && !coverage.present.contains(kind))
        })
        .collect();
    let exceptions = exceptions::aging(ctx);
    let metrics = metrics::compute(
        ctx,
        &chains,
        &exceptions,
        &findings,
        &reviews,
        &beside_chains,
    );
    Analysis {
        findings,
        exceptions,
        chains,
        metrics,
        examined,
        coverage,
        reviews,
        birthright_grants,
        not_assessed: beside_chains.not_assessed,
    }
}

/// The access-review campaigns alone, judged over an indexed context (what `analyze` puts in
/// [`Analysis::reviews`]): for callers that need only the reviews, and for the benchmark.
pub fn review_campaigns(ctx: &Context<'_>) -> Vec<CampaignReview> {
    reviews::judge(ctx).into_iter().map(|j| j.review).collect()
}

/// Findings in key order, one per key (the first found): the keys are built once and sorted
/// with the findings' positions, instead of twice per comparison, and the findings are then
/// moved into place where they are, not copied into a second list (at 100,000 findings the
/// copy was the analysis's last peak of memory).
fn sorted_findings(mut findings: Vec<Finding>) -> Vec<Finding> {
    let mut order: Vec<(FindingKey<'_>, usize)> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| (f.sort_key(), i))
        .collect();
    order.sort_unstable();
    order.dedup_by(|a, b| a.0 == b.0);
    // Where each finding goes; `usize::MAX` for a later duplicate of a key.
    let mut place = vec![usize::MAX; findings.len()];
    for (to, (_, from)) in order.into_iter().enumerate() {
        place[from] = to;
    }
    let mut kept = place.iter().map(|&to| to != usize::MAX);
    findings.retain(|_| kept.next().unwrap_or(false));
    place.retain(|&to| to != usize::MAX);
    // Each swap puts one finding where it belongs: every cycle of the permutation in turn.
    for at in 0..place.len() {
        while place[at] != at {
            let to = place[at];
            findings.swap(at, to);
            place.swap(at, to);
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the plain way (a stable sort by key, then the first of each key): every order
    /// of a list with repeated keys, including ones whose permutation has long cycles.
    #[test]
    fn findings_are_sorted_by_key_keeping_the_first_of_each() {
        let systems = ["aws", "okta", "github", "linux", "vpn"];
        for seed in 0..50u64 {
            let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let mut next = |n: u64| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 33) % n
            };
            let findings: Vec<Finding> = (0..40)
                .map(|i| {
                    let system = evidentia_domain::SystemId::new(systems[next(5) as usize]);
                    Finding::new(["EV-A", "EV-B"][next(2) as usize], format!("finding {i}"))
                        .system(Some(&system))
                        .account(Some(&format!("acct-{}", next(4))))
                })
                .collect();
            let mut expected = findings.clone();
            expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            expected.dedup_by(|later, first| later.sort_key() == first.sort_key());
            let got = sorted_findings(findings);
            assert_eq!(
                got.iter().map(|f| &f.summary).collect::<Vec<_>>(),
                expected.iter().map(|f| &f.summary).collect::<Vec<_>>(),
                "seed {seed}"
            );
        }
    }
}
