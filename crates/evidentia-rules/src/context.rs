//! What every check needs to know, computed once: who each identity is over time, whose each
//! account and credential is, and the month-end snapshots.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use chrono::TimeDelta;
use evidentia_domain::{
    Approval, CampaignId, Decision, Execution, IdentityId, IdentityKind, LifecycleEventType,
    ProvisioningAction, ReconciliationRecord, SystemId, Timestamp,
};
use evidentia_policy::{Correlation, CorrelationRule, Correlator, IdentityFacts, Policy};

use crate::{Cite, Evidence, Stored};

/// The prefix that names a deny entitlement on every system
/// (`deny:arn:aws:iam::aws:policy/AWSDenyAll`), as importers name deny and quarantine policies.
const DENY_PREFIX: &str = "deny:";

/// Changes to credentials name the credential (key id, token id) as their entitlement.
pub(crate) fn is_credential_change(action: ProvisioningAction) -> bool {
    matches!(
        action,
        ProvisioningAction::CredentialCreated
            | ProvisioningAction::CredentialRotated
            | ProvisioningAction::CredentialDeactivated
            | ProvisioningAction::CredentialDeleted
            | ProvisioningAction::CredentialReactivated
    )
}

/// One day, the tolerance the checks give to "at the same time" across systems.
pub(crate) const DAY: TimeDelta = TimeDelta::days(1);

/// Shared, read-only state for the checks.
#[derive(Debug)]
pub struct Context<'a> {
    pub evidence: &'a Evidence,
    pub policy: &'a Policy,
    /// The period checked: `[period_start, as_of)`. Credentials age, and exceptions expire,
    /// relative to `as_of`.
    pub period_start: Timestamp,
    pub as_of: Timestamp,
    pub(crate) correlator: Correlator<'a>,
    /// Each identity's kind, as its authoritative source last said.
    pub(crate) kinds: BTreeMap<IdentityId, IdentityKind>,
    /// The last departure (leaver, NHI retired) of each identity: (effective time, entry).
    pub(crate) departed: BTreeMap<IdentityId, (Timestamp, Cite)>,
    /// For NHIs, the owner each non-retirement event named: (time, owner, entry).
    pub(crate) owner_history: BTreeMap<IdentityId, Vec<(Timestamp, Option<IdentityId>, Cite)>>,
    /// For NHIs, the system the service catalog says it lives in.
    pub(crate) home: BTreeMap<IdentityId, SystemId>,
    /// Every identity the evidence names, numbered once: the indexes below hold numbers, not
    /// ids, so a million executions cost a million `u32`s rather than a million keys.
    identities: Identities,
    /// Every distinct (system, account) the evidence names, numbered, with its correlation.
    accounts: Accounts<'a>,
    /// Who each execution is about (credential-aware) and who performed it, and who each
    /// reconciliation row is about: identity numbers index-aligned with the evidence.
    exec_subjects: Vec<u32>,
    row_owners: Vec<u32>,
    /// The account number of each execution and each reconciliation row.
    exec_accounts: Vec<u32>,
    row_accounts: Vec<u32>,
    /// Executions by the identity they are about, by the identity of their actor, and by
    /// account; rows by owner; lifecycle events by identity (effective-time order); approvals
    /// by subject: the indexes that keep every check linear in the evidence.
    by_subject: Groups,
    by_actor: Groups,
    by_account: Groups,
    rows_by_owner_all: Groups,
    rows_by_account: Groups,
    events_by_identity: Groups,
    approvals_by_subject: Groups,
    /// Each system's snapshots by time, with the present rows of each (indexes into
    /// `evidence.reconciliations`) and what the listings of that moment cover: every system is
    /// reconciled at its own moments.
    snapshots: BTreeMap<SystemId, BTreeMap<Timestamp, Snapshot>>,
    /// Items (lower-cased) that are credentials on a system: named by a credential row or a
    /// credential execution. Coverage of credentials and of entitlements differs.
    credential_items: std::collections::HashSet<(SystemId, String), BuildHasherDefault<FxHasher>>,
    /// People and NHIs as tickets, registers and catalogs name them (e-mail, employee number,
    /// alias), lower-cased, resolved to the identity id the lifecycle source uses.
    names: FastMap<String, IdentityId>,
    /// The identity each activity summary's account belongs to, and the summaries by identity.
    activity_owners: Vec<u32>,
    activity_by_owner: Groups,
    /// Approval rows by request id, lower-cased, for the ids executions cite.
    approvals_by_id: FastMap<String, Vec<u32>>,
    /// Exceptions by the identity they cover.
    exceptions_by_subject: Groups,
    /// Systems some provisioning log was imported for: where a missing removal is evidence.
    logged_systems: BTreeSet<SystemId>,
    /// For NHIs, the access each catalog event authorised, per identity, oldest first.
    catalog: BTreeMap<IdentityId, Vec<CatalogEntry>>,
    /// Accounts some snapshot lists as disabled, at that snapshot's time: their other rows of
    /// the same moment (group memberships in another export) are no access either.
    disabled:
        std::collections::HashSet<(&'a SystemId, &'a str, Timestamp), BuildHasherDefault<FxHasher>>,
    /// Access-review revoke and modify decisions (indexes into `evidence.decisions`) by the
    /// account they name: each authorises the removal it asks for.
    review_removals: FastMap<(&'a SystemId, Folded<'a>), Vec<u32>>,
    /// When each campaign started (its latest record).
    campaign_starts: FastMap<&'a CampaignId, Timestamp>,
}

/// What a service-catalog event authorised for one NHI from its effective time on.
#[derive(Debug, Clone)]
pub(crate) struct CatalogEntry {
    pub at: Timestamp,
    pub access: Vec<(SystemId, String)>,
}

/// The multiply-rotate hash rustc uses for its own tables (FxHash). The engine's indexes are
/// keyed by short ids and account names from evidence the user chose to import, so SipHash's
/// resistance to crafted keys buys nothing, and it was a tenth of the analysis time.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    /// The table picks buckets from the low bits, which a final multiply leaves poorly mixed
    /// (they depend only on the input's low bits); the rotation brings the mixed high bits
    /// down, as rustc-hash 2 does.
    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

/// A name as the checks compare names: surrounding space trimmed, ASCII case ignored. It
/// hashes and compares without allocating, so a million snapshot rows can be keyed by account
/// and entitlement as the evidence writes them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Folded<'a>(&'a str);

impl<'a> Folded<'a> {
    pub fn new(text: &'a str) -> Self {
        Folded(text.trim())
    }

    /// The name as written, trimmed.
    pub fn as_str(self) -> &'a str {
        self.0
    }
}

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Folded<'_> {}

impl Hash for Folded<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Eight lower-cased bytes at a time: one hasher round per word, not per byte.
        let bytes = self.0.as_bytes();
        let mut chunks = bytes.chunks_exact(8);
        let word = |chunk: &[u8]| {
            let mut w = [0u8; 8];
            for (to, from) in w.iter_mut().zip(chunk) {
                *to = from.to_ascii_lowercase();
            }
            u64::from_le_bytes(w)
        };
        for chunk in &mut chunks {
            state.write_u64(word(chunk));
        }
        state.write_u64(word(chunks.remainder()));
        state.write_usize(bytes.len());
    }
}

/// One moment of one system's reconciliation: the present rows, and what the listings taken at
/// that moment cover.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    rows: Vec<usize>,
    covered: Covered,
    /// The first entry holding a row of this moment (present or not).
    first: Option<u64>,
}

/// The union of the listings of one moment ([`evidentia_domain::Coverage`]); a row with no
/// coverage is a full reconciliation.
#[derive(Debug, Default)]
struct Covered {
    full: bool,
    accounts: bool,
    entitlements: bool,
    credentials: bool,
    /// Entitlements (lower-cased) whose every holder is listed.
    holders_of: Vec<String>,
}

impl Covered {
    fn add(&mut self, coverage: Option<&evidentia_domain::Coverage>) {
        let Some(c) = coverage else {
            self.full = true;
            return;
        };
        self.accounts |= c.accounts;
        self.entitlements |= c.entitlements;
        self.credentials |= c.credentials;
        if let Some(h) = &c.holders_of {
            let h = h.trim().to_lowercase();
            if !self.holders_of.contains(&h) {
                self.holders_of.push(h);
            }
        }
    }

    /// Whether the listings of this moment list credentials (a full reconciliation does).
    fn covers_credentials(&self) -> bool {
        self.full || self.credentials
    }

    fn covers(&self, item: &str, credential: bool) -> bool {
        if self.full {
            return true;
        }
        if item.eq_ignore_ascii_case(crate::authority::ACCOUNT) {
            self.accounts
        } else if credential {
            self.covers_credentials()
        } else {
            self.entitlements
                || self
                    .holders_of
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(item.trim()))
        }
    }

    /// Every account and every entitlement is listed.
    fn complete(&self) -> bool {
        self.full || (self.accounts && self.entitlements)
    }
}

/// A hash map with [`FxHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// "No identity" in the number-valued indexes.
const NOBODY: u32 = u32::MAX;

/// Identities numbered in order of first mention.
#[derive(Debug, Default)]
struct Identities {
    ids: Vec<IdentityId>,
    numbers: FastMap<IdentityId, u32>,
}

impl Identities {
    fn number(&mut self, id: &IdentityId) -> u32 {
        if let Some(&n) = self.numbers.get(id) {
            return n;
        }
        let n = self.ids.len() as u32;
        self.ids.push(id.clone());
        self.numbers.insert(id.clone(), n);
        n
    }

    fn find(&self, id: &IdentityId) -> Option<u32> {
        self.numbers.get(id).copied()
    }

    fn id(&self, n: u32) -> Option<&IdentityId> {
        self.ids.get(n as usize)
    }
}

/// Every distinct (system, account) the evidence names (credential ids included), numbered
/// once, borrowing the names from the evidence, with its correlation and owner's number.
#[derive(Debug, Default)]
struct Accounts<'a> {
    numbers: FastMap<&'a SystemId, FastMap<&'a str, u32>>,
    names: Vec<(&'a SystemId, &'a str)>,
    correlations: Vec<Correlation>,
    owners: Vec<u32>,
}

impl<'a> Accounts<'a> {
    /// The account's number, correlating it the first time it is seen.
    fn number(
        &mut self,
        correlator: &Correlator<'_>,
        identities: &mut Identities,
        system: &'a SystemId,
        account: &'a str,
    ) -> u32 {
        let per_system = self.numbers.entry(system).or_default();
        if let Some(&n) = per_system.get(account) {
            return n;
        }
        let n = self.correlations.len() as u32;
        let c = correlator.correlate(system, account);
        self.owners.push(
            c.identity
                .as_ref()
                .map_or(NOBODY, |id| identities.number(id)),
        );
        self.correlations.push(c);
        self.names.push((system, account));
        per_system.insert(account, n);
        n
    }

    fn find(&self, system: &SystemId, account: &str) -> Option<u32> {
        self.numbers.get(system)?.get(account).copied()
    }

    fn owner(&self, n: u32) -> u32 {
        self.owners.get(n as usize).copied().unwrap_or(NOBODY)
    }

    /// Whether correlation found nobody and nothing excuses it (not ignored, not ambiguous).
    fn is_uncorrelated(&self, n: u32) -> bool {
        self.correlations
            .get(n as usize)
            .is_some_and(|c| c.rule == CorrelationRule::None)
    }

    /// The owner of a credential id that names an identity of its own: mapped explicitly by
    /// the policy, or one of the identity's aliases (a catalog lists the key id of an access-key
    /// NHI). E-mail, employee-number and pattern matches are about accounts, not credentials.
    fn explicit_owner(&self, n: u32) -> Option<u32> {
        let c = self.correlations.get(n as usize)?;
        matches!(c.rule, CorrelationRule::Explicit | CorrelationRule::Alias)
            .then(|| self.owner(n))
            .filter(|&o| o != NOBODY)
    }
}

/// Item numbers grouped by a key number, each group in the order the items were given: all
/// groups share two allocations (a counting sort), where a map of vectors had one per key.
#[derive(Debug, Default)]
struct Groups {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Groups {
    /// Groups `(key, item)` pairs (keys below `keys`, `NOBODY` skipped); `pairs` is walked
    /// twice, once to size the groups and once to fill them.
    fn new<I: Iterator<Item = (u32, u32)>>(keys: usize, pairs: impl Fn() -> I) -> Groups {
        let mut starts = vec![0u32; keys + 1];
        for (key, _) in pairs().filter(|(k, _)| *k != NOBODY) {
            starts[key as usize + 1] += 1;
        }
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        let mut next = starts.clone();
        let mut items = vec![0u32; starts[keys] as usize];
        for (key, item) in pairs().filter(|(k, _)| *k != NOBODY) {
            let slot = &mut next[key as usize];
            items[*slot as usize] = item;
            *slot += 1;
        }
        Groups { starts, items }
    }

    /// Item `i` has key `keys[i]`.
    fn by_key(count: usize, keys: &[u32]) -> Groups {
        Groups::new(count, || {
            keys.iter().enumerate().map(|(i, &k)| (k, i as u32))
        })
    }

    /// The items of one key, in order.
    fn get(&self, key: Option<u32>) -> &[u32] {
        let Some(key) = key else { return &[] };
        let (Some(&start), Some(&end)) = (
            self.starts.get(key as usize),
            self.starts.get(key as usize + 1),
        ) else {
            return &[];
        };
        self.items.get(start as usize..end as usize).unwrap_or(&[])
    }
}

impl<'a> Context<'a> {
    /// Indexes the evidence once.
    pub fn new(evidence: &'a Evidence, policy: &'a Policy, as_of: Timestamp) -> Self {
        let period_start = policy
            .organisation
            .period_start
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(Timestamp::MIN_UTC, |t| t.and_utc());
        let mut identities = Identities::default();
        let mut facts: Vec<IdentityFacts> = evidence
            .identities
            .iter()
            .map(|i| IdentityFacts::from(&i.record))
            .collect();
        let mut kinds = BTreeMap::new();
        for i in &evidence.identities {
            identities.number(&i.record.id);
            kinds.insert(i.record.id.clone(), i.record.kind);
        }
        // Effective time tells the story, not the order files were imported in.
        let mut event_order: Vec<u32> = (0..evidence.events.len() as u32).collect();
        event_order.sort_by_key(|&i| {
            let e = &evidence.events[i as usize];
            (e.record.effective_at, e.cite())
        });
        for &i in &event_order {
            let e = &evidence.events[i as usize].record;
            facts.push(IdentityFacts::from(e));
            kinds.insert(e.identity.clone(), e.identity_kind);
        }
        let correlator = Correlator::new(policy, facts);
        // People as other sources name them, resolved once per distinct spelling.
        let mut names: FastMap<String, IdentityId> = FastMap::default();
        let mut learn = |name: &IdentityId| {
            if correlator.knows(name) {
                return;
            }
            let k = name.as_str().trim().to_lowercase();
            if names.contains_key(&k) {
                return;
            }
            if let Some(id) = correlator.identity_named(name.as_str()) {
                names.insert(k, id);
            }
        };
        for a in &evidence.approvals {
            learn(&a.record.subject);
            learn(&a.record.approver);
            if let Some(r) = &a.record.requester {
                learn(r);
            }
        }
        for x in &evidence.exceptions {
            let x = &x.record;
            for name in [&x.subject, &x.owner, &x.approver].into_iter().flatten() {
                learn(name);
            }
            for r in &x.reapprovals {
                learn(&r.approved_by);
            }
        }
        for e in &evidence.events {
            for name in [&e.record.attributes.owner, &e.record.attributes.manager]
                .into_iter()
                .flatten()
            {
                learn(name);
            }
        }
        // An emergency-access register names who used the access and who reviewed it.
        for u in &evidence.emergency_uses {
            for name in [&u.record.used_by, &u.record.reviewer]
                .into_iter()
                .flatten()
            {
                learn(name);
            }
        }
        // Review tools name reviewers and holders as they like (e-mail, employee number).
        // Half a million decisions name a few thousand reviewers and one subject per account:
        // each spelling is learnt once.
        let mut seen: std::collections::HashSet<&IdentityId, BuildHasherDefault<FxHasher>> =
            Default::default();
        for d in &evidence.decisions {
            let d = &d.record;
            for name in [&d.reviewer, &d.subject, &d.delegated_to, &d.assigned_to]
                .into_iter()
                .flatten()
            {
                if seen.insert(name) {
                    learn(name);
                }
            }
        }
        let resolve = |name: &IdentityId| -> IdentityId {
            names
                .get(&name.as_str().trim().to_lowercase())
                .cloned()
                .unwrap_or_else(|| name.clone())
        };
        let mut departed = BTreeMap::new();
        let mut owner_history: BTreeMap<IdentityId, Vec<(Timestamp, Option<IdentityId>, Cite)>> =
            BTreeMap::new();
        let mut home = BTreeMap::new();
        let mut catalog: BTreeMap<IdentityId, Vec<CatalogEntry>> = BTreeMap::new();
        let mut event_identities = vec![NOBODY; evidence.events.len()];
        for &i in &event_order {
            let stored = &evidence.events[i as usize];
            let e = &stored.record;
            let id = &e.identity;
            event_identities[i as usize] = identities.number(id);
            if e.event_type.is_departure() {
                departed.insert(id.clone(), (e.effective_at, stored.cite()));
            }
            if !e.identity_kind.is_human() {
                if e.event_type != LifecycleEventType::NhiRetired {
                    owner_history.entry(id.clone()).or_default().push((
                        e.effective_at,
                        e.attributes.owner.as_ref().map(&resolve),
                        stored.cite(),
                    ));
                }
                if let Some(location) = &e.attributes.location {
                    home.entry(id.clone())
                        .or_insert_with(|| SystemId::new(location.as_str()));
                }
                if !e.attributes.entitlements.is_empty() {
                    let own = e.attributes.location.as_deref();
                    let access = e
                        .attributes
                        .entitlements
                        .iter()
                        .filter_map(|text| catalog_access(text, own, policy))
                        .collect();
                    catalog.entry(id.clone()).or_default().push(CatalogEntry {
                        at: e.effective_at,
                        access,
                    });
                }
            }
        }
        // Correlate each distinct account once: a million executions touch a few thousand.
        let mut book = Accounts::default();
        let mut exec_accounts = Vec::with_capacity(evidence.executions.len());
        let mut exec_subjects = Vec::with_capacity(evidence.executions.len());
        let mut exec_actors = Vec::with_capacity(evidence.executions.len());
        let mut logged_systems = BTreeSet::new();
        for x in &evidence.executions {
            let x = &x.record;
            if !logged_systems.contains(&x.system) {
                logged_systems.insert(x.system.clone());
            }
            let on = book.number(&correlator, &mut identities, &x.system, &x.account);
            exec_accounts.push(on);
            // A credential change belongs to the credential's NHI when the policy maps the
            // credential id explicitly; otherwise to the account's identity.
            let by_credential = match x.entitlement.as_deref() {
                Some(credential) if is_credential_change(x.action) => {
                    let c = book.number(&correlator, &mut identities, &x.system, credential);
                    book.explicit_owner(c)
                }
                _ => None,
            };
            exec_subjects.push(by_credential.unwrap_or(book.owner(on)));
            let actor = x.actor.as_deref().map_or(NOBODY, |a| {
                let n = book.number(&correlator, &mut identities, &x.system, a);
                book.owner(n)
            });
            exec_actors.push(actor);
        }
        let mut row_owners = Vec::with_capacity(evidence.reconciliations.len());
        let mut row_accounts = Vec::with_capacity(evidence.reconciliations.len());
        for r in &evidence.reconciliations {
            let r = &r.record;
            let by_credential = r.entitlement.as_deref().and_then(|credential| {
                let c = book.number(&correlator, &mut identities, &r.system, credential);
                book.explicit_owner(c)
            });
            let on = book.number(&correlator, &mut identities, &r.system, &r.account);
            row_accounts.push(on);
            // The reconciliation tool's own verdict of whose account it is counts when the
            // policy's correlation finds nobody.
            let mut by_tool = || {
                let named = resolve(r.identity.as_ref()?);
                correlator.knows(&named).then(|| identities.number(&named))
            };
            let owner = match by_credential {
                Some(o) => o,
                None if book.owner(on) != NOBODY => book.owner(on),
                None if book.is_uncorrelated(on) => by_tool().unwrap_or(NOBODY),
                None => NOBODY,
            };
            row_owners.push(owner);
        }
        let mut activity_owners = Vec::with_capacity(evidence.activity.len());
        for a in &evidence.activity {
            let on = book.number(
                &correlator,
                &mut identities,
                &a.record.system,
                &a.record.account,
            );
            activity_owners.push(book.owner(on));
        }
        let approval_subjects: Vec<u32> = evidence
            .approvals
            .iter()
            .map(|a| identities.number(&resolve(&a.record.subject)))
            .collect();
        let exception_subjects: Vec<u32> = evidence
            .exceptions
            .iter()
            .map(|x| {
                x.record
                    .subject
                    .as_ref()
                    .map_or(NOBODY, |s| identities.number(&resolve(s)))
            })
            .collect();
        // Rows sharing a request id are one request; only ids some execution cites are indexed
        // (the rest are found by subject), so 800,000 approvals cost nothing here.
        let cited: std::collections::HashSet<String> = evidence
            .executions
            .iter()
            .filter_map(|x| x.record.request_ref.as_deref())
            .map(|r| r.trim().to_lowercase())
            .filter(|r| !r.is_empty())
            .collect();
        let mut approvals_by_id: FastMap<String, Vec<u32>> = FastMap::default();
        if !cited.is_empty() {
            for (i, a) in evidence.approvals.iter().enumerate() {
                let id = a.record.id.as_str().trim().to_lowercase();
                if cited.contains(&id) {
                    approvals_by_id.entry(id).or_default().push(i as u32);
                }
            }
        }
        let people = identities.ids.len();
        let by_subject = Groups::by_key(people, &exec_subjects);
        let by_actor = Groups::by_key(people, &exec_actors);
        let by_account = Groups::by_key(book.correlations.len(), &exec_accounts);
        let rows_by_owner_all = Groups::by_key(people, &row_owners);
        let rows_by_account = Groups::by_key(book.correlations.len(), &row_accounts);
        let approvals_by_subject = Groups::by_key(people, &approval_subjects);
        let exceptions_by_subject = Groups::by_key(people, &exception_subjects);
        let activity_by_owner = Groups::by_key(people, &activity_owners);
        let events_by_identity = Groups::new(people, || {
            event_order
                .iter()
                .map(|&i| (event_identities[i as usize], i))
        });
        let disabled: std::collections::HashSet<_, BuildHasherDefault<FxHasher>> = evidence
            .reconciliations
            .iter()
            .filter(|r| r.record.status == evidentia_domain::ReconciliationStatus::Disabled)
            .map(|r| (&r.record.system, r.record.account.as_str(), r.record.as_of))
            .collect();
        let present = |r: &'a ReconciliationRecord| {
            r.status.is_present()
                && (disabled.is_empty()
                    || !disabled.contains(&(&r.system, r.account.as_str(), r.as_of)))
        };
        let mut snapshots: BTreeMap<SystemId, BTreeMap<Timestamp, Snapshot>> = BTreeMap::new();
        for (i, stored) in evidence.reconciliations.iter().enumerate() {
            let r = &stored.record;
            if !snapshots.contains_key(&r.system) {
                snapshots.insert(r.system.clone(), BTreeMap::new());
            }
            if let Some(per_system) = snapshots.get_mut(&r.system) {
                let snapshot = per_system.entry(r.as_of).or_default();
                snapshot.covered.add(r.coverage.as_deref());
                snapshot.first = Some(snapshot.first.map_or(stored.seq, |f| f.min(stored.seq)));
                if present(r) {
                    snapshot.rows.push(i);
                }
            }
        }
        let mut credential_items: std::collections::HashSet<_, BuildHasherDefault<FxHasher>> =
            Default::default();
        // Each spelling is folded once: a million monthly credential rows name a few tens of
        // thousands of keys.
        let mut spelled: std::collections::HashSet<
            (&SystemId, &str),
            BuildHasherDefault<FxHasher>,
        > = Default::default();
        for r in &evidence.reconciliations {
            if let (true, Some(e)) = (r.record.credential, &r.record.entitlement)
                && spelled.insert((&r.record.system, e.as_str()))
            {
                credential_items.insert((r.record.system.clone(), e.trim().to_lowercase()));
            }
        }
        for x in &evidence.executions {
            let x = &x.record;
            if is_credential_change(x.action)
                && let Some(e) = &x.entitlement
                && spelled.insert((&x.system, e.as_str()))
            {
                credential_items.insert((x.system.clone(), e.trim().to_lowercase()));
            }
        }
        // An NHI the catalog says is a credential (a key, token or certificate) names it by
        // its id in its home system (an alias, or the catalog's name for it): rows listing
        // that id there are the credential.
        for e in &evidence.events {
            let e = &e.record;
            if let (true, Some(home)) = (e.identity_kind.is_credential(), &e.attributes.location) {
                for name in e
                    .attributes
                    .aliases
                    .iter()
                    .chain(&e.attributes.display_name)
                {
                    credential_items
                        .insert((SystemId::new(home.as_str()), name.trim().to_lowercase()));
                }
            }
        }
        let mut review_removals: FastMap<(&'a SystemId, Folded<'a>), Vec<u32>> = FastMap::default();
        for (i, d) in evidence.decisions.iter().enumerate() {
            let d = &d.record;
            if d.decision.removes() && d.decided_at.is_some() {
                review_removals
                    .entry((&d.system, Folded::new(&d.account)))
                    .or_default()
                    .push(i as u32);
            }
        }
        let mut campaign_starts: FastMap<&'a CampaignId, Timestamp> = FastMap::default();
        for c in &evidence.campaigns {
            // Later records of a campaign correct earlier ones.
            campaign_starts.insert(&c.record.id, c.record.started_at);
        }
        Context {
            evidence,
            policy,
            period_start,
            as_of,
            correlator,
            kinds,
            departed,
            owner_history,
            home,
            identities,
            accounts: book,
            exec_subjects,
            row_owners,
            exec_accounts,
            row_accounts,
            by_subject,
            by_actor,
            by_account,
            rows_by_owner_all,
            rows_by_account,
            events_by_identity,
            approvals_by_subject,
            snapshots,
            credential_items,
            names,
            activity_owners,
            activity_by_owner,
            approvals_by_id,
            exceptions_by_subject,
            logged_systems,
            catalog,
            disabled,
            review_removals,
            campaign_starts,
        }
    }

    /// Whether a moment falls inside the period checked.
    pub fn in_period(&self, t: Timestamp) -> bool {
        t >= self.period_start && t < self.as_of
    }

    /// How an account correlates (cached for every account in the evidence).
    fn correlation(&self, system: &SystemId, account: &str) -> std::borrow::Cow<'_, Correlation> {
        match self
            .accounts
            .find(system, account)
            .and_then(|n| self.accounts.correlations.get(n as usize))
        {
            Some(c) => std::borrow::Cow::Borrowed(c),
            None => std::borrow::Cow::Owned(self.correlator.correlate(system, account)),
        }
    }

    /// The identity an account belongs to, by correlation alone.
    pub fn owner_of(&self, system: &SystemId, account: &str) -> Option<IdentityId> {
        self.correlation(system, account).identity.clone()
    }

    /// Whether correlation found nothing at all for an account (not ignored, not ambiguous).
    pub(crate) fn is_orphan(&self, system: &SystemId, account: &str) -> bool {
        self.correlation(system, account).rule == CorrelationRule::None
    }

    /// Executions about an identity, in ledger order.
    pub(crate) fn executions_of(
        &self,
        id: &IdentityId,
    ) -> impl Iterator<Item = (usize, &'a Stored<Execution>)> + '_ {
        let evidence = self.evidence;
        self.by_subject
            .get(self.identities.find(id))
            .iter()
            .map(move |&i| (i as usize, &evidence.executions[i as usize]))
    }

    /// Executions performed by an identity (its actor correlates to it), in ledger order.
    pub(crate) fn executions_by(
        &self,
        id: &IdentityId,
    ) -> impl Iterator<Item = &'a Stored<Execution>> + '_ {
        let evidence = self.evidence;
        self.by_actor
            .get(self.identities.find(id))
            .iter()
            .map(move |&i| &evidence.executions[i as usize])
    }

    /// Executions on one account of one system, in ledger order.
    pub(crate) fn executions_on(
        &self,
        system: &SystemId,
        account: &str,
    ) -> impl Iterator<Item = &'a Stored<Execution>> + '_ {
        let evidence = self.evidence;
        self.by_account
            .get(self.accounts.find(system, account))
            .iter()
            .map(move |&i| &evidence.executions[i as usize])
    }

    /// Reconciliation rows of one account of one system (every snapshot), in ledger order.
    pub(crate) fn rows_on(
        &self,
        system: &SystemId,
        account: &str,
    ) -> impl Iterator<Item = &'a Stored<ReconciliationRecord>> + '_ {
        let evidence = self.evidence;
        self.rows_by_account
            .get(self.accounts.find(system, account))
            .iter()
            .map(move |&i| &evidence.reconciliations[i as usize])
    }

    /// Reconciliation rows about an identity (every snapshot), in ledger order.
    pub(crate) fn rows_of(
        &self,
        id: &IdentityId,
    ) -> impl Iterator<Item = (usize, &'a Stored<ReconciliationRecord>)> + '_ {
        let evidence = self.evidence;
        self.rows_by_owner_all
            .get(self.identities.find(id))
            .iter()
            .map(move |&i| (i as usize, &evidence.reconciliations[i as usize]))
    }

    /// An identity's lifecycle events, in effective-time order.
    pub(crate) fn events_of(
        &self,
        id: &IdentityId,
    ) -> impl DoubleEndedIterator<Item = &'a Stored<evidentia_domain::LifecycleEvent>> + '_ {
        let evidence = self.evidence;
        self.events_by_identity
            .get(self.identities.find(id))
            .iter()
            .map(move |&i| &evidence.events[i as usize])
    }

    /// The identity execution `i` is about (credential-aware).
    pub(crate) fn subject(&self, i: usize) -> Option<&IdentityId> {
        self.identities.id(*self.exec_subjects.get(i)?)
    }

    /// The identity reconciliation row `i` is about (credential-aware).
    pub(crate) fn row_owner(&self, i: usize) -> Option<&IdentityId> {
        self.identities.id(*self.row_owners.get(i)?)
    }

    /// How many distinct (system, account) names the evidence holds.
    pub(crate) fn account_count(&self) -> usize {
        self.accounts.names.len()
    }

    /// The number of the account execution `i` acts on, below [`Self::account_count`].
    pub(crate) fn execution_account(&self, i: usize) -> Option<usize> {
        self.exec_accounts.get(i).map(|&n| n as usize)
    }

    /// The number of the account reconciliation row `i` is about.
    pub(crate) fn row_account(&self, i: usize) -> Option<usize> {
        self.row_accounts.get(i).map(|&n| n as usize)
    }

    /// The (system, account) an account number stands for, as the evidence writes them.
    pub(crate) fn account_name(&self, n: usize) -> Option<(&'a SystemId, &'a str)> {
        self.accounts.names.get(n).copied()
    }

    /// Executions with their index, in ledger order.
    pub(crate) fn executions(&self) -> impl Iterator<Item = (usize, &'a Stored<Execution>)> {
        self.evidence.executions.iter().enumerate()
    }

    /// Reconciliation rows with their index, in ledger order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = (usize, &'a Stored<ReconciliationRecord>)> {
        self.evidence.reconciliations.iter().enumerate()
    }

    /// The systems with at least one reconciliation snapshot.
    pub(crate) fn reconciled_systems(&self) -> impl Iterator<Item = &SystemId> + '_ {
        self.snapshots.keys()
    }

    /// A system's snapshot times, oldest first.
    pub(crate) fn snapshot_times(&self, system: &SystemId) -> impl Iterator<Item = Timestamp> + '_ {
        self.snapshots
            .get(system)
            .into_iter()
            .flat_map(|s| s.keys().copied())
    }

    /// Whether `item` is a credential on `system` (some row or execution says so).
    pub(crate) fn is_credential(&self, system: &SystemId, item: &str) -> bool {
        !self.credential_items.is_empty()
            && self
                .credential_items
                .contains(&(system.clone(), item.trim().to_lowercase()))
    }

    /// The system's earliest snapshot strictly after `t` (any listing: for what it shows).
    pub(crate) fn first_snapshot_after(
        &self,
        system: &SystemId,
        t: Timestamp,
    ) -> Option<Timestamp> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.snapshots
            .get(system)?
            .range((Excluded(t), Unbounded))
            .next()
            .map(|(at, _)| *at)
    }

    /// The system's earliest snapshot strictly after `t` whose listings cover `item`, so that
    /// its absence there means something.
    pub(crate) fn first_snapshot_covering_after(
        &self,
        system: &SystemId,
        t: Timestamp,
        item: &str,
    ) -> Option<Timestamp> {
        use std::ops::Bound::{Excluded, Unbounded};
        let credential = self.is_credential(system, item);
        self.snapshots
            .get(system)?
            .range((Excluded(t), Unbounded))
            .find(|(_, s)| s.covered.covers(item, credential))
            .map(|(at, _)| *at)
    }

    /// The system's earliest snapshot at or after `t` whose listings cover `item`.
    pub(crate) fn first_snapshot_covering_from(
        &self,
        system: &SystemId,
        t: Timestamp,
        item: &str,
    ) -> Option<Timestamp> {
        let credential = self.is_credential(system, item);
        self.snapshots
            .get(system)?
            .range(t..)
            .find(|(_, s)| s.covered.covers(item, credential))
            .map(|(at, _)| *at)
    }

    /// The system's latest snapshot at or before `t` whose listings cover credentials: what it
    /// does not list, the system did not hold then.
    pub(crate) fn last_credential_snapshot_before(
        &self,
        system: &SystemId,
        t: Timestamp,
    ) -> Option<Timestamp> {
        self.snapshots
            .get(system)?
            .range(..=t)
            .rev()
            .find(|(_, s)| s.covered.covers_credentials())
            .map(|(at, _)| *at)
    }

    /// The system's earliest snapshot strictly after `t` whose listings cover credentials.
    pub(crate) fn first_credential_snapshot_after(
        &self,
        system: &SystemId,
        t: Timestamp,
    ) -> Option<Timestamp> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.snapshots
            .get(system)?
            .range((Excluded(t), Unbounded))
            .find(|(_, s)| s.covered.covers_credentials())
            .map(|(at, _)| *at)
    }

    /// The system's latest complete snapshot at or before `t`: one whose listings cover every
    /// account and every entitlement, so that what it does not show was not held.
    pub(crate) fn last_snapshot_before(
        &self,
        system: &SystemId,
        t: Timestamp,
    ) -> Option<Timestamp> {
        self.snapshots
            .get(system)?
            .range(..=t)
            .rev()
            .find(|(_, s)| s.covered.complete())
            .map(|(at, _)| *at)
    }

    /// The present rows of the system's snapshot taken at `at` (indexes into the
    /// reconciliations).
    pub(crate) fn present_rows(&self, system: &SystemId, at: Timestamp) -> &[usize] {
        self.snapshots
            .get(system)
            .and_then(|s| s.get(&at))
            .map_or(&[], |s| s.rows.as_slice())
    }

    /// The first ledger entry holding a row of the system's snapshot taken at `at`: what a
    /// finding cites (as a whole entry, row 0) when the snapshot does not show something.
    pub(crate) fn snapshot_first_entry(&self, system: &SystemId, at: Timestamp) -> Option<u64> {
        self.snapshots.get(system)?.get(&at)?.first
    }

    /// Whether the account of reconciliation row `i` is one the policy's `[[correlation.ignore]]`
    /// rules take out (break-glass and system accounts).
    pub(crate) fn row_ignored(&self, i: usize) -> bool {
        self.row_accounts
            .get(i)
            .and_then(|&n| self.accounts.correlations.get(n as usize))
            .is_some_and(|c| matches!(c.rule, CorrelationRule::Ignored { .. }))
    }

    /// The access-review revoke or modify decision that asked for a removal, cited: one
    /// on the same system and account, decided at or before the removal in a campaign that had
    /// started by then, about the removed entitlement or about the account itself (removing an
    /// account removes everything on it, so only a decision on the account itself asks for
    /// a disable or delete).
    pub(crate) fn review_asking_removal(&self, x: &Execution) -> Option<Cite> {
        let decisions = self
            .review_removals
            .get(&(&x.system, Folded::new(&x.account)))?;
        let removed = crate::authority::item(x.entitlement.as_deref());
        let whole_account = matches!(
            x.action,
            ProvisioningAction::Disable | ProvisioningAction::Delete
        ) || removed.eq_ignore_ascii_case(crate::authority::ACCOUNT);
        decisions
            .iter()
            .filter_map(|&i| self.evidence.decisions.get(i as usize))
            .find(|d| {
                let d = &d.record;
                let Some(decided) = d.decided_at else {
                    return false;
                };
                let started = self
                    .campaign_starts
                    .get(&d.campaign)
                    .copied()
                    .unwrap_or(decided);
                let asked = crate::authority::item(d.entitlement.as_deref());
                let covers = asked.eq_ignore_ascii_case(crate::authority::ACCOUNT)
                    || (!whole_account && asked.eq_ignore_ascii_case(removed));
                covers && decided <= x.at && started <= x.at
            })
            .map(|d| d.cite())
    }

    /// Whether a snapshot row shows access: present by its status, and its account not listed
    /// as disabled at the same moment (by this export or another of the same system).
    pub(crate) fn present(&self, r: &ReconciliationRecord) -> bool {
        r.status.is_present()
            && (self.disabled.is_empty()
                || !self
                    .disabled
                    .contains(&(&r.system, r.account.as_str(), r.as_of)))
    }

    /// Whether an item is a deny entitlement (it takes access away): named `deny:…` (ASCII case
    /// ignored) on any system, as importers name deny and quarantine policies, or one of the
    /// system's `deny_entitlements`.
    pub(crate) fn is_deny(&self, system: &SystemId, item: &str) -> bool {
        item.get(..DENY_PREFIX.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(DENY_PREFIX))
            || self
                .policy
                .systems
                .get(system)
                .is_some_and(|s| s.denies(item))
    }

    /// Whether a provisioning log was imported for the system (any execution on it).
    pub(crate) fn is_logged(&self, system: &SystemId) -> bool {
        self.logged_systems.contains(system)
    }

    /// The identity a person reference (approver, owner, subject as a ticket writes it)
    /// stands for: the lifecycle source's id when the name resolves, else the name itself.
    pub(crate) fn person<'n>(&'n self, name: &'n IdentityId) -> &'n IdentityId {
        if self.correlator.knows(name) {
            return name;
        }
        self.names
            .get(&name.as_str().trim().to_lowercase())
            .unwrap_or(name)
    }

    /// Activity summaries whose account belongs to an identity, in ledger order.
    pub(crate) fn activity_of(
        &self,
        id: &IdentityId,
    ) -> impl Iterator<Item = &'a Stored<evidentia_domain::ActivitySummary>> + '_ {
        let evidence = self.evidence;
        self.activity_by_owner
            .get(self.identities.find(id))
            .iter()
            .map(move |&i| &evidence.activity[i as usize])
    }

    /// The identity activity summary `i` belongs to.
    pub(crate) fn activity_owner(&self, i: usize) -> Option<&IdentityId> {
        self.identities.id(*self.activity_owners.get(i)?)
    }

    /// Exceptions covering an identity, in ledger order.
    pub(crate) fn exceptions_of(
        &self,
        id: &IdentityId,
    ) -> impl Iterator<Item = &'a Stored<evidentia_domain::ExceptionRecord>> + '_ {
        let evidence = self.evidence;
        self.exceptions_by_subject
            .get(self.identities.find(id))
            .iter()
            .map(move |&i| &evidence.exceptions[i as usize])
    }

    /// The rows of one request an execution cites (every approver's decision), in ledger
    /// order.
    pub(crate) fn request_rows(&self, id: &str) -> impl Iterator<Item = &'a Stored<Approval>> + '_ {
        let evidence = self.evidence;
        self.approvals_by_id
            .get(&id.trim().to_lowercase())
            .into_iter()
            .flatten()
            .map(move |&i| &evidence.approvals[i as usize])
    }

    /// The catalog history of an NHI's authorised access, oldest first.
    pub(crate) fn catalog_of(&self, id: &IdentityId) -> &[CatalogEntry] {
        self.catalog.get(id).map_or(&[], Vec::as_slice)
    }

    /// The role an identity had at `t` (its first known role if `t` is earlier).
    pub(crate) fn role_at(&self, id: &IdentityId, t: Timestamp) -> Option<&'a str> {
        // A roster states each person's current role on their hire row; the next move's prior
        // role says what the role was before it, so it wins over an earlier event's.
        let before_next_move = self.events_of(id).find_map(|e| {
            let e = &e.record;
            (e.effective_at > t && e.event_type == LifecycleEventType::Mover)
                .then_some(e.attributes.previous_role.as_deref())
                .flatten()
        });
        if before_next_move.is_some() {
            return before_next_move;
        }
        let role = |e: &'a Stored<evidentia_domain::LifecycleEvent>| {
            Some((e.record.effective_at, e.record.attributes.role.as_deref()?))
        };
        self.events_of(id)
            .rev()
            .filter_map(role)
            .find(|(at, _)| *at <= t)
            .or_else(|| self.events_of(id).find_map(role))
            .map(|(_, r)| r)
    }

    /// Approved decisions about `subject`'s access to `entitlement` on `system`.
    pub fn approvals_for(
        &self,
        subject: &IdentityId,
        system: &SystemId,
        entitlement: &str,
    ) -> Vec<&'a Stored<Approval>> {
        self.approvals_of(subject)
            .filter(|a| {
                a.record.decision == Decision::Approved
                    && &a.record.system == system
                    && a.record.entitlement.eq_ignore_ascii_case(entitlement)
            })
            .collect()
    }

    /// Every approval about `subject` (any decision), in ledger order.
    pub(crate) fn approvals_of(
        &self,
        subject: &IdentityId,
    ) -> impl Iterator<Item = &'a Stored<Approval>> + '_ {
        let evidence = self.evidence;
        self.approvals_by_subject
            .get(self.identities.find(subject))
            .iter()
            .map(move |&i| &evidence.approvals[i as usize])
    }

    /// The identity an execution's actor is, when correlation can tell.
    pub fn actor_identity(&self, execution: &Execution) -> Option<IdentityId> {
        self.owner_of(&execution.system, execution.actor.as_deref()?)
    }

    /// The identities that appear anywhere, with their kinds.
    pub(crate) fn identity_kinds(&self) -> &BTreeMap<IdentityId, IdentityKind> {
        &self.kinds
    }

    /// Which identities a set of rows belongs to, grouped (used by snapshot-wide checks).
    pub(crate) fn rows_by_owner(&self, rows: &[usize]) -> BTreeMap<&IdentityId, Vec<usize>> {
        let mut by: BTreeMap<&IdentityId, Vec<usize>> = BTreeMap::new();
        for &i in rows {
            if let Some(owner) = self.row_owner(i) {
                by.entry(owner).or_default().push(i);
            }
        }
        by
    }
}

/// A catalog entry's access item as written (`system:entitlement`, or a bare entitlement on
/// the NHI's own system), split at the first `:` when what precedes it is a system in scope.
fn catalog_access(text: &str, own: Option<&str>, policy: &Policy) -> Option<(SystemId, String)> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some((system, entitlement)) = text.split_once(':') {
        let system = SystemId::new(system.trim());
        if policy.systems.contains_key(&system) {
            return Some((system, entitlement.trim().to_owned()));
        }
    }
    Some((SystemId::new(own?.trim()), text.to_owned()))
}

/// Distinct values in order, for evidence lists.
pub(crate) fn sorted<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    items
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
