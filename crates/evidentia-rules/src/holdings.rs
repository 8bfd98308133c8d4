//! What one identity held in one system over time: the system's own last snapshot replayed
//! forward through its provisioning log, so leavers and movers are judged on what they held
//! at the event, and "fully removed" means what audit convention 9 says.

use std::collections::BTreeMap;

use evidentia_domain::{
    Execution, IdentityId, Outcome, ProvisioningAction, ReconciliationRecord, SystemId, Timestamp,
};

use crate::authority::{ACCOUNT, item};
use crate::{Cite, Context, Stored};

/// One account's known access: its entitlements and whether the account itself is known to
/// exist (created, enabled, or listed without an entitlement). Credentials are not held here:
/// they are not grants (convention 5) and a departure judges them one by one
/// (`checks::credentials`), so an access key left active does not keep the account "held".
#[derive(Debug, Clone, Default)]
struct AccountHold {
    /// Lower-cased item → (item as written, the entry that showed it).
    items: BTreeMap<String, (String, Cite)>,
    /// The account itself, and the entry that showed it.
    itself: Option<Cite>,
}

impl AccountHold {
    fn is_empty(&self) -> bool {
        self.items.is_empty() && self.itself.is_none()
    }
}

/// Everything one identity holds in one system at a moment, by account (lower-cased).
#[derive(Debug, Clone, Default)]
pub(crate) struct Holdings {
    accounts: BTreeMap<String, (String, AccountHold)>,
}

impl Holdings {
    pub fn is_empty(&self) -> bool {
        self.accounts.values().all(|(_, a)| a.is_empty())
    }

    /// The first account held (as written) and the entry that shows it.
    pub fn account(&self) -> Option<(&str, Cite)> {
        self.accounts
            .values()
            .find(|(_, a)| !a.is_empty())
            .map(|(name, a)| {
                let seq = a
                    .itself
                    .or_else(|| a.items.values().map(|(_, s)| *s).min())
                    .unwrap_or_default();
                (name.as_str(), seq)
            })
    }

    /// Every (account, item, entry) held; items as written, the account itself as `account`.
    pub fn items(&self) -> Vec<(&str, &str, Cite)> {
        let mut out = Vec::new();
        for (name, hold) in self.accounts.values() {
            for (item, seq) in hold.items.values() {
                out.push((name.as_str(), item.as_str(), *seq));
            }
        }
        out
    }

    /// Whether `item` is held on any account.
    pub fn holds(&self, item: &str) -> bool {
        let key = item.to_lowercase();
        self.accounts
            .values()
            .any(|(_, a)| a.items.contains_key(&key))
    }

    fn entry(&mut self, account: &str) -> &mut AccountHold {
        &mut self
            .accounts
            .entry(account.trim().to_lowercase())
            .or_insert_with(|| (account.trim().to_owned(), AccountHold::default()))
            .1
    }

    fn add(&mut self, account: &str, item: &str, seq: Cite) {
        let hold = self.entry(account);
        if item.eq_ignore_ascii_case(ACCOUNT) {
            hold.itself.get_or_insert(seq);
        } else {
            hold.items
                .entry(item.to_lowercase())
                .or_insert_with(|| (item.to_owned(), seq));
        }
    }

    /// Applies one change that took effect (convention 9: an account is gone when disabled or
    /// deleted, or when its last entitlement is revoked).
    fn apply(&mut self, x: &Execution, seq: Cite) {
        use ProvisioningAction as A;
        let it = item(x.entitlement.as_deref());
        match x.action {
            A::CreateAccount | A::Enable => {
                self.add(&x.account, ACCOUNT, seq);
                if !it.eq_ignore_ascii_case(ACCOUNT) {
                    self.add(&x.account, it, seq);
                }
            }
            A::Grant | A::CredentialCreated | A::CredentialReactivated => {
                self.add(&x.account, it, seq)
            }
            A::Disable | A::Delete => {
                self.accounts.remove(&x.account.trim().to_lowercase());
            }
            A::Revoke | A::CredentialDeactivated | A::CredentialDeleted => {
                let key = x.account.trim().to_lowercase();
                if it.eq_ignore_ascii_case(ACCOUNT) {
                    self.accounts.remove(&key);
                } else if let Some((_, hold)) = self.accounts.get_mut(&key) {
                    let had = !hold.items.is_empty();
                    hold.items.remove(&it.to_lowercase());
                    if had && hold.items.is_empty() {
                        self.accounts.remove(&key);
                    }
                }
            }
            A::CredentialRotated => {}
        }
    }

    /// Whether what a removal acts on is held: the account (disable, delete) or the item.
    fn has_target(&self, x: &Execution) -> bool {
        let Some((_, hold)) = self.accounts.get(&x.account.trim().to_lowercase()) else {
            return false;
        };
        let it = item(x.entitlement.as_deref());
        match x.action {
            ProvisioningAction::Disable | ProvisioningAction::Delete => !hold.is_empty(),
            _ if it.eq_ignore_ascii_case(ACCOUNT) => !hold.is_empty(),
            _ => hold.items.contains_key(&it.to_lowercase()),
        }
    }

    /// Records what a removal acts on as held.
    fn add_target(&mut self, x: &Execution, seq: Cite) {
        let it = item(x.entitlement.as_deref());
        match x.action {
            ProvisioningAction::Disable | ProvisioningAction::Delete => {
                self.add(&x.account, ACCOUNT, seq)
            }
            _ => self.add(&x.account, it, seq),
        }
    }

    /// Whether the item is gone from every account (the account itself: no account left).
    fn lacks(&self, item: &str) -> bool {
        if item.eq_ignore_ascii_case(ACCOUNT) {
            self.is_empty()
        } else {
            !self.holds(item)
        }
    }
}

/// A snapshot row that is a credential (flagged so, or an item a credential change names).
pub(crate) fn is_credential_row(ctx: &Context<'_>, r: &ReconciliationRecord) -> bool {
    r.credential
        || r.entitlement
            .as_deref()
            .is_some_and(|e| ctx.is_credential(&r.system, e))
}

/// A change to a credential (created, rotated, deactivated, deleted, reactivated), or a grant
/// or revoke of an item some row or change names as a credential.
fn is_credential_change(x: &Execution, ctx: &Context<'_>) -> bool {
    crate::context::is_credential_change(x.action)
        || x.entitlement
            .as_deref()
            .is_some_and(|e| ctx.is_credential(&x.system, e))
}

/// One identity in one system: the snapshot the story starts from and the succeeded changes
/// after it, oldest first.
pub(crate) struct Timeline<'a> {
    start: Holdings,
    changes: Vec<&'a Stored<Execution>>,
    /// Failed or queued attempts after the snapshot (for "the system reports it failed").
    pub attempts: Vec<&'a Stored<Execution>>,
}

impl<'a> Timeline<'a> {
    /// The identity's holdings in `system` from its last snapshot at or before `t` on.
    pub fn new(ctx: &Context<'a>, id: &IdentityId, system: &SystemId, t: Timestamp) -> Self {
        let snapshot = ctx.last_snapshot_before(system, t);
        let mut start = Holdings::default();
        if let Some(s) = snapshot {
            for (_, r) in ctx.rows_of(id) {
                let rec = &r.record;
                if rec.as_of == s
                    && &rec.system == system
                    && ctx.present(rec)
                    && !is_credential_row(ctx, rec)
                    && !ctx.is_deny(system, item(rec.entitlement.as_deref()))
                {
                    start.add(&rec.account, item(rec.entitlement.as_deref()), r.cite());
                }
            }
        }
        let mut changes = Vec::new();
        let mut attempts = Vec::new();
        for (_, x) in ctx.executions_of(id) {
            let r = &x.record;
            if &r.system != system
                || snapshot.is_some_and(|s| r.at <= s)
                || ctx.is_deny(system, item(r.entitlement.as_deref()))
                || is_credential_change(r, ctx)
            {
                continue;
            }
            if r.outcome == Outcome::Succeeded {
                changes.push(x);
            } else {
                attempts.push(x);
            }
        }
        changes.sort_by_key(|x| (x.record.at, x.cite()));
        attempts.sort_by_key(|x| (x.record.at, x.cite()));
        // With no snapshot of the system before `t`, its first one after tells what was held:
        // access it shows that the log does not show being added in between was there before.
        if snapshot.is_none()
            && let Some(after) = ctx
                .first_snapshot_after(system, t)
                .filter(|a| *a < ctx.as_of)
        {
            for (_, r) in ctx.rows_of(id) {
                let rec = &r.record;
                let it = item(rec.entitlement.as_deref());
                if rec.as_of != after
                    || &rec.system != system
                    || !ctx.present(rec)
                    || is_credential_row(ctx, rec)
                    || ctx.is_deny(system, it)
                {
                    continue;
                }
                let added_since = changes.iter().any(|x| {
                    let c = &x.record;
                    c.at > t
                        && c.at <= after
                        && c.action.adds_access()
                        && c.account.trim().eq_ignore_ascii_case(rec.account.trim())
                        && (item(c.entitlement.as_deref()).eq_ignore_ascii_case(it)
                            || it.eq_ignore_ascii_case(ACCOUNT))
                });
                if !added_since {
                    start.add(&rec.account, it, r.cite());
                }
            }
        }
        // A removal proves the access was there: what the log removes without having shown it
        // added (no snapshot before, or one that missed it) was held from the start.
        let mut state = start.clone();
        for x in &changes {
            let r = &x.record;
            if r.action.removes_access() && !state.has_target(r) {
                start.add_target(r, x.cite());
                state.add_target(r, x.cite());
            }
            state.apply(r, x.cite());
        }
        Timeline {
            start,
            changes,
            attempts,
        }
    }

    /// What was held at any moment of `[from, to]`: held just before `from`, plus everything
    /// added up to `to` (what a departure at `to` had to remove, counting removals from `from`).
    pub fn held_between(&self, from: Timestamp, to: Timestamp) -> Holdings {
        let mut h = self.start.clone();
        for x in &self.changes {
            let r = &x.record;
            // Removals count up to `from`; from then on only additions do.
            if r.at < from || (r.at <= to && r.action.adds_access()) {
                h.apply(r, x.cite());
            }
        }
        h
    }

    /// The first change at or after `from` that leaves nothing held (full removal), replaying
    /// everything before it.
    pub fn emptied_from(&self, from: Timestamp) -> Option<&'a Stored<Execution>> {
        let mut h = self.start.clone();
        for x in &self.changes {
            let was_empty = h.is_empty();
            h.apply(&x.record, x.cite());
            if x.record.at >= from && !was_empty && h.is_empty() {
                return Some(x);
            }
        }
        None
    }

    /// The first change at or after `from` after which `item` is no longer held.
    pub fn item_gone_from(&self, item: &str, from: Timestamp) -> Option<&'a Stored<Execution>> {
        let mut h = self.start.clone();
        for x in &self.changes {
            let had = !h.lacks(item);
            h.apply(&x.record, x.cite());
            if x.record.at >= from && had && h.lacks(item) {
                return Some(x);
            }
        }
        None
    }
}

/// What the system's own snapshots say about an identity's access after a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Snapshot {
    /// The snapshot at `at` still shows the access (in `row`).
    Shows { at: Timestamp, row: Cite },
    /// The snapshot at `at` no longer shows it.
    Lacks { at: Timestamp },
}

/// The system's first snapshot at or after `from` (and before `until`), asked whether
/// `identity` still holds `item` (the account itself: anything; with `bare_accounts` false, a
/// row of the bare account with no entitlement does not count — once an account's last
/// entitlement is revoked the account object left behind is no access, convention 9).
pub(crate) fn snapshot_from(
    ctx: &Context<'_>,
    id: &IdentityId,
    system: &SystemId,
    item_wanted: &str,
    bare_accounts: bool,
    from: Timestamp,
    until: Timestamp,
) -> Option<Snapshot> {
    // Only a listing that covers the item can show it gone.
    let at = ctx
        .first_snapshot_covering_from(system, from, item_wanted)
        .filter(|at| *at < until)?;
    let row = ctx.rows_of(id).find(|(_, r)| {
        let rec = &r.record;
        rec.as_of == at
            && &rec.system == system
            && ctx.present(rec)
            && !is_credential_row(ctx, rec)
            && !ctx.is_deny(system, item(rec.entitlement.as_deref()))
            && if item_wanted.eq_ignore_ascii_case(ACCOUNT) {
                bare_accounts || !item(rec.entitlement.as_deref()).eq_ignore_ascii_case(ACCOUNT)
            } else {
                item(rec.entitlement.as_deref()).eq_ignore_ascii_case(item_wanted)
            }
    });
    Some(match row {
        Some((_, r)) => Snapshot::Shows { at, row: r.cite() },
        None => Snapshot::Lacks { at },
    })
}
