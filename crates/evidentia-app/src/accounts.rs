//! Every account the systems' own records mention, and whose it is: identity correlation per
//! the policy in force, with the uncorrelated ones kept in plain sight.

use std::collections::BTreeMap;

use anyhow::{Context, anyhow};
use evidentia_domain::{
    ActivitySummary, Execution, Identity, IdentityId, LifecycleEvent, ReconciliationRecord,
    SystemId, Timestamp,
};
use evidentia_policy::{CorrelationRule, Correlator, IdentityFacts};
use evidentia_store::StoreError;
use serde::Deserialize;

use crate::Location;
use crate::entries::{EXECUTION_SET_KIND, RECONCILIATION_SET_KIND, numbered_records};
use crate::policy::load_current;
use crate::{open_read, record_entry_kind};

/// One system account and what is known about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub system: SystemId,
    pub account: String,
    /// The identity it correlates to, when exactly one matched.
    pub identity: Option<IdentityId>,
    /// The correlation rule that decided (`email`, `alias`, `pattern`, `none`, ...).
    pub rule: &'static str,
    /// What an auditor needs beside the rule: the ignore reason, the ambiguous candidates,
    /// the stale explicit mapping, the pattern that matched.
    pub detail: Option<String>,
    pub executions: u64,
    pub reconciliations: u64,
    /// Sign-ins and API calls by the account (from activity summaries).
    pub activity: u64,
    /// Entitlement names the records use for this account (`account` for the account
    /// itself), the first few in name order: the spellings profiles and tickets must use.
    pub entitlements: Vec<String>,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// The ledger entries that mention it (the first few).
    pub evidence: Vec<u64>,
    /// Its rows in those of them that are set entries (the first few), as (entry, row).
    pub evidence_rows: Vec<crate::EvidenceRow>,
}

/// All accounts, with the policy version that correlated them.
#[derive(Debug, Clone)]
pub struct AccountsReport {
    pub policy_seq: u64,
    pub accounts: Vec<AccountRow>,
}

/// How many evidence entries an account row lists.
const EVIDENCE_LISTED: usize = 5;
/// How many entitlement names an account row lists.
const ENTITLEMENTS_LISTED: usize = 50;

/// A `record.<kind>` payload, of which only the record matters here.
#[derive(Deserialize)]
struct Stored<T> {
    record: T,
}

#[derive(Default)]
struct Seen {
    executions: u64,
    reconciliations: u64,
    activity: u64,
    entitlements: std::collections::BTreeSet<String>,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    evidence: Vec<u64>,
    rows: Vec<crate::EvidenceRow>,
}

impl Seen {
    fn entitlement(&mut self, name: Option<&str>) {
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("account");
        if self.entitlements.len() < ENTITLEMENTS_LISTED && !self.entitlements.contains(name) {
            self.entitlements.insert(name.to_owned());
        }
    }

    /// Notes the record at `row` of entry `seq` (row 0: a one-record entry).
    fn note(&mut self, seq: u64, row: u32, at: Timestamp) {
        self.first = Some(self.first.map_or(at, |f| f.min(at)));
        self.last = Some(self.last.map_or(at, |l| l.max(at)));
        // Rows of one inventory set share their entry: list it once, and its rows beside it.
        if self.evidence.len() < EVIDENCE_LISTED && self.evidence.last() != Some(&seq) {
            self.evidence.push(seq);
        }
        if row > 0 && self.evidence.last() == Some(&seq) && self.rows.len() < EVIDENCE_LISTED {
            self.rows.push((seq, row));
        }
    }
}

fn parse<T: for<'de> Deserialize<'de>>(seq: u64, payload: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice::<Stored<T>>(payload)
        .map(|s| s.record)
        .map_err(|e| StoreError::Corrupt(format!("entry {seq}: unreadable record: {e}")))
}

/// Lists every account seen in executions, reconciliations and activity, correlated to identities by
/// the policy in force. Fails when no policy was ever set: correlation is a policy setting.
pub async fn list_accounts(workspace: &Location) -> anyhow::Result<AccountsReport> {
    let ws = open_read(workspace).await?;
    let result = async {
        let verified = crate::trust::verified(&ws).await?;
        let upto = verified.entries;
        let recorded = load_current(&ws, upto)
            .await?
            .ok_or_else(|| anyhow!("no policy set: correlation rules come from the policy (`evidentia policy set FILE`)"))?;
        let identity_kinds = [record_entry_kind(evidentia_domain::RecordKind::Identity), record_entry_kind(evidentia_domain::RecordKind::LifecycleEvent)];
        let facts = ws
            .scan_kinds(&identity_kinds, upto, Vec::new(), move |facts: &mut Vec<IdentityFacts>, entry| {
                if entry.kind == identity_kinds[0] {
                    facts.push(IdentityFacts::from(&parse::<Identity>(entry.seq, entry.payload)?));
                } else {
                    facts.push(IdentityFacts::from(&parse::<LifecycleEvent>(entry.seq, entry.payload)?));
                }
                Ok(())
            })
            .await
            .context("reading identities")?;
        let account_kinds = [
            record_entry_kind(evidentia_domain::RecordKind::Execution),
            record_entry_kind(evidentia_domain::RecordKind::Reconciliation),
            record_entry_kind(evidentia_domain::RecordKind::Activity),
            RECONCILIATION_SET_KIND,
            EXECUTION_SET_KIND,
        ];
        let seen = ws
            .scan_kinds(&account_kinds, upto, BTreeMap::new(), move |seen: &mut BTreeMap<(SystemId, String), Seen>, entry| {
                if entry.kind == account_kinds[0] || entry.kind == account_kinds[4] {
                    for (number, e) in numbered_records::<Execution>(entry.kind, entry.seq, entry.payload)? {
                        let row = seen.entry((e.system, e.account.to_string())).or_default();
                        row.executions += 1;
                        row.entitlement(e.entitlement.as_deref());
                        row.note(entry.seq, number, e.at);
                    }
                } else if entry.kind == account_kinds[1] || entry.kind == account_kinds[3] {
                    for (number, r) in numbered_records::<ReconciliationRecord>(entry.kind, entry.seq, entry.payload)? {
                        let row = seen.entry((r.system, r.account.to_string())).or_default();
                        row.reconciliations += 1;
                        row.entitlement(r.entitlement.as_deref());
                        row.note(entry.seq, number, r.as_of);
                    }
                } else {
                    let a: ActivitySummary = parse(entry.seq, entry.payload)?;
                    let row = seen.entry((a.system, a.account.to_string())).or_default();
                    row.activity += a.count;
                    row.note(entry.seq, 0, a.first.at);
                    row.note(entry.seq, 0, a.last.at);
                }
                Ok(())
            })
            .await
            .context("reading executions and reconciliations")?;
        let correlator = Correlator::new(&recorded.policy, facts);
        let accounts = seen
            .into_iter()
            .filter_map(|((system, account), s)| {
                let correlation = correlator.correlate(&system, &account);
                Some(AccountRow {
                    rule: correlation.rule.as_str(),
                    detail: detail(&correlation.rule),
                    identity: correlation.identity,
                    executions: s.executions,
                    reconciliations: s.reconciliations,
                    activity: s.activity,
                    entitlements: s.entitlements.into_iter().collect(),
                    first_seen: s.first?,
                    last_seen: s.last?,
                    evidence: s.evidence,
                    evidence_rows: s.rows,
                    system,
                    account,
                })
            })
            .collect();
        Ok::<_, anyhow::Error>(AccountsReport { policy_seq: recorded.seq, accounts })
    }
    .await;
    ws.close().await;
    result
}

fn detail(rule: &CorrelationRule) -> Option<String> {
    match rule {
        CorrelationRule::ExplicitUnknownIdentity { target } => Some(format!(
            "policy maps it to {target}, an identity no import has mentioned"
        )),
        CorrelationRule::Ignored { pattern, reason } => Some(format!("{pattern}: {reason}")),
        CorrelationRule::Pattern { pattern } => Some(pattern.clone()),
        CorrelationRule::Ambiguous { by, candidates } => Some(format!(
            "{} matches {}",
            by.as_str(),
            candidates
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => None,
    }
}
