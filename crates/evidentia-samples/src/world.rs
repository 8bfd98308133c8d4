//! The simulated year: identities, lifecycle events, approvals, executions and exceptions, before any file format.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, Timelike, Weekday};

use crate::model::*;
use crate::rng::Rng;

/// A person or non-human identity as the authoritative sources know it.
#[derive(Debug, Clone)]
pub struct Ident {
    pub id: String,
    pub kind: Kind,
    pub display: String,
    /// Humans: `first.last`; NHIs: the short name.
    pub local: String,
    pub github: Option<String>,
    /// Job code (humans) or access profile (NHIs) at the start of the story.
    pub role: String,
    pub manager: Option<String>,
    pub dept: String,
    pub start: Ts,
    pub contract_end: Option<Ts>,
    pub owner: Option<String>,
    /// NHIs: home system and account there.
    pub sys: Option<Sys>,
    pub account: Option<String>,
    /// Credential NHIs: the credential's id (access key id, token id, key id).
    pub alias: Option<String>,
    pub expires: Option<Ts>,
}

impl Ident {
    pub fn email(&self) -> Option<String> {
        self.kind
            .is_human()
            .then(|| format!("{}@{DOMAIN}", self.local))
    }

    /// The account a person has in a system, as that system names it.
    pub fn account_in(&self, sys: Sys) -> String {
        if !self.kind.is_human() {
            return self.account.clone().unwrap_or_default();
        }
        // IAM user names are e-mail addresses and bastion logins the lower-cased employee
        // number, so both correlate without an explicit table.
        match sys {
            Sys::Linux => format!("{}@{BASTION}", self.id.to_ascii_lowercase()),
            Sys::Github => self.github.clone().unwrap_or_default(),
            _ => format!("{}@{DOMAIN}", self.local),
        }
    }

    /// How this identity appears as the actor of a change in a system.
    pub fn actor_in(&self, sys: Sys) -> String {
        match sys {
            Sys::Aws => format!("arn:aws:iam::{AWS_ACCOUNT}:user/{}", self.account_in(sys)),
            _ => self.account_in(sys),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EvType {
    Hire,
    ContractStart,
    Transfer,
    Termination,
    ContractEnd,
    NhiCreated,
    NhiOwnerChanged,
    NhiRetired,
}

/// One row of the HR extract or the NHI catalog.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub ident: usize,
    pub etype: EvType,
    pub at: Ts,
    pub role: String,
    pub prior_role: Option<String>,
    pub manager: Option<String>,
    pub owner: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApRole {
    Manager,
    Security,
}

/// One row of the ticket export.
#[derive(Debug, Clone)]
pub struct Appr {
    pub id: String,
    pub subject: String,
    pub item: String,
    pub sys: Sys,
    pub requester: Option<String>,
    pub approver: String,
    pub role: ApRole,
    pub at: Ts,
    pub tier: Tier,
    pub justification: String,
    pub expires: Option<Ts>,
    pub exception: bool,
    /// The ticket's state: `Closed Complete` (approved), `Closed Rejected`, `Cancelled` (skipped on import).
    pub state: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    /// GitHub invitation: a queued account creation.
    Invite,
    Enable,
    Grant,
    Revoke,
    Disable,
    Delete,
    CredCreate,
    CredRotate,
    CredDelete,
    /// An access key set `Inactive` (AWS `UpdateAccessKey`): the credential stops working.
    CredDeactivate,
    /// A password set or reset on the account (credential_rotated `password`).
    Password,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed(&'static str),
    Queued,
}

/// One change in one system's own log.
#[derive(Debug, Clone)]
pub struct Exec {
    pub sys: Sys,
    pub op: Op,
    pub account: String,
    pub ent: Option<String>,
    pub actor: Option<String>,
    pub at: Ts,
    pub outcome: Outcome,
    pub req: Option<String>,
    /// The id the importer reports as `source_event_id` (none for Linux).
    pub sid: Option<String>,
    /// The identity the generator meant (None for orphan accounts); never written.
    pub ident: Option<String>,
}

/// One entry of the exceptions register.
#[derive(Debug, Clone)]
pub struct Exc {
    pub id: String,
    pub subject: String,
    pub sys: Sys,
    pub ent: String,
    pub tier: Tier,
    pub owner: Option<String>,
    pub approver: String,
    pub granted: Ts,
    pub expires: Option<Ts>,
    pub reason: String,
    /// (approver, approved at, extended to)
    pub renewals: Vec<(String, Ts, Ts)>,
}

/// Access that exists at the start (the end-2024 baseline), without a log trail.
#[derive(Debug, Clone)]
pub struct Hold {
    pub sys: Sys,
    pub account: String,
    pub ent: String,
    pub ident: Option<String>,
    /// Appears at this time instead of at the baseline (out-of-band change).
    pub from: Option<Ts>,
}

/// An interval in which the reconciliation tool expects access to be present.
#[derive(Debug, Clone)]
pub struct Expect {
    pub sys: Sys,
    pub account: String,
    pub ent: String,
    pub from: Ts,
    pub until: Option<Ts>,
}

/// What reconciliation reports as "Last Used" for an account.
#[derive(Debug, Clone, Copy)]
pub enum LastUse {
    /// Never later than this (a leaver who kept access but did not use it).
    Cap(Ts),
    /// Exactly this, once the snapshot is later (activity after termination).
    At(Ts),
}

/// What a listing reports as "Last Used" on one credential's own row (the account's other rows
/// keep the account's value).
#[derive(Debug, Clone)]
pub enum CredUse {
    /// The account's value, never later than this.
    Cap(Ts),
    /// These uses: the latest at or before the snapshot; before the first, the account's value
    /// capped a day before it.
    Uses(Vec<Ts>),
    /// Never used: the column is empty.
    Never,
}

/// An API call signed with a long-term access key (CloudTrail `userIdentity.accessKeyId`),
/// read by the importer as activity, not as a change.
#[derive(Debug, Clone)]
pub struct Call {
    pub account: String,
    pub key: String,
    pub at: Ts,
    pub event: &'static str,
    pub source: &'static str,
    pub sid: String,
}

/// One row of the emergency-access register: a just-in-time activation or a break-glass
/// sign-in, the ticket that justified it and its post-activation review.
#[derive(Debug, Clone)]
pub struct EmergencyUse {
    pub id: String,
    pub sys: Sys,
    /// The break-glass account, or the JIT holder's own account.
    pub account: String,
    /// The JIT entitlement; None for a break-glass sign-in.
    pub ent: Option<String>,
    /// The log's time of the activation or sign-in (the register copies it to the second).
    pub at: Ts,
    pub ticket: Option<String>,
    pub used_by: String,
    pub reviewer: Option<String>,
    pub decision: Option<&'static str>,
    pub reviewed_at: Option<Ts>,
    pub summary: String,
}

/// An interactive sign-in written into a system's log: a break-glass account's, or a
/// person's planted beside them as a look-alike.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub sys: Sys,
    pub account: String,
    /// The name the log shows beside the account (Okta's `displayName`).
    pub display: String,
    pub at: Ts,
    pub sid: String,
    /// Whether the system let the sign-in in: a refused one proves no use.
    pub ok: bool,
}

/// How the review tool records what a reviewer did with an item (the built-in
/// `access-review` profile's spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    Revoke,
    Modify,
    Delegate,
    NoDecision,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Keep => "Keep",
            Verdict::Revoke => "Revoke",
            Verdict::Modify => "Modify",
            Verdict::Delegate => "Delegate",
            Verdict::NoDecision => "No Decision",
        }
    }

    /// Revoke and modify both ask the system to remove the item as reviewed.
    pub fn removes(self) -> bool {
        matches!(self, Verdict::Revoke | Verdict::Modify)
    }
}

/// The role a reviewer decided in, as the review tool names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewerRole {
    LineManager,
    InfoSec,
    AppOwner,
    RiskOwner,
}

impl ReviewerRole {
    pub fn label(self) -> &'static str {
        match self {
            ReviewerRole::LineManager => "Line Manager",
            ReviewerRole::InfoSec => "InfoSec",
            ReviewerRole::AppOwner => "App Owner",
            ReviewerRole::RiskOwner => "Risk Owner",
        }
    }
}

/// One access-review campaign: its scope and dates.
#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    pub systems: Vec<Sys>,
    /// Entitlement globs in scope (empty: everything the systems list).
    pub scope: Vec<String>,
    pub start: Ts,
    pub due: Ts,
    pub closed: Ts,
}

/// One row of the review export: a reviewer's decision (or delegation, or nothing) on one item.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    /// Index into `World::campaigns`.
    pub campaign: usize,
    pub item: String,
    /// None: the tool could not route the item to anyone.
    pub reviewer: Option<String>,
    pub role: Option<ReviewerRole>,
    /// Whose access it is (None for an account nobody owns).
    pub subject: Option<String>,
    pub sys: Sys,
    pub account: String,
    /// None: the account itself.
    pub ent: Option<String>,
    pub verdict: Verdict,
    pub at: Option<Ts>,
    pub delegated_to: Option<String>,
    pub comment: String,
}

/// Where a finding's evidence sits, resolved to file and line when files are written.
#[derive(Debug, Clone)]
pub enum Ref {
    Event(usize),
    Approval(usize),
    Exec(usize),
    Exception(usize),
    /// A row of the review export (index into `World::reviews`).
    Decision(usize),
    /// A campaign, cited by its first row.
    Campaign(usize),
    /// A signed API call (index into `World::calls`), cited as activity.
    Call(usize),
    /// A row of the emergency-access register (index into `World::emergency`).
    Emergency(usize),
    /// A sign-in (index into `World::sign_ins`), cited as the activity summary it folds into:
    /// the importer keeps one per account and outcome, located at its first sign-in.
    SignIn(usize),
    /// The first snapshot at or after the time that lists this access.
    Recon {
        sys: Sys,
        account: String,
        ent: String,
        after: Ts,
    },
}

/// One planted finding (or clean case) of the answer key.
#[derive(Debug, Clone)]
pub struct Finding {
    pub check: &'static str,
    pub identity: Option<String>,
    /// None for a finding about a whole campaign or a reviewer across systems.
    pub sys: Option<Sys>,
    pub account: Option<String>,
    pub ent: Option<String>,
    pub exception: Option<String>,
    /// The access-review campaign, for the review checks.
    pub campaign: Option<String>,
    pub summary: String,
    pub evidence: Vec<Ref>,
}

/// What a leaver story does differently from the on-time default.
#[derive(Debug, Clone, Default)]
pub struct LeaveTweak {
    /// Revocation delay after the effective time, per system (negative: early).
    pub delay: BTreeMap<Sys, Duration>,
    /// Systems never revoked.
    pub keep: BTreeSet<Sys>,
}

#[derive(Debug)]
pub struct World {
    pub rng: Rng,
    pub scale: u32,
    pub ids: Vec<Ident>,
    pub events: Vec<Event>,
    pub approvals: Vec<Appr>,
    pub execs: Vec<Exec>,
    pub exceptions: Vec<Exc>,
    pub holds: Vec<Hold>,
    pub expects: Vec<Expect>,
    pub last_use: BTreeMap<(Sys, String), LastUse>,
    /// Per-credential "Last Used" overrides: (system, account, credential id).
    pub cred_use: BTreeMap<(Sys, String, String), CredUse>,
    /// API calls signed with access keys (activity).
    pub calls: Vec<Call>,
    /// People's own credentials (`system:credential id` → employee id), listed in the
    /// policy's correlation like every NHI credential.
    pub person_creds: BTreeMap<String, String>,
    /// Credentials the key lists as not assessed (no last-used information).
    pub not_assessed: Vec<Finding>,
    pub key: Vec<Finding>,
    pub clean: Vec<Finding>,
    pub campaigns: Vec<Campaign>,
    pub reviews: Vec<ReviewRow>,
    /// The emergency-access register (issue 19: JIT activations, break-glass sign-ins).
    pub emergency: Vec<EmergencyUse>,
    /// Break-glass sign-ins, rendered into the okta and aws logs.
    pub sign_ins: Vec<SignIn>,
    pub by_id: BTreeMap<String, usize>,
    /// Accounts no identity owns, listed in reconciliation as orphans.
    pub orphans: BTreeSet<(Sys, String)>,
    pub heads: BTreeMap<String, String>,
    pub security: Vec<String>,
    pub hr_requester: String,
    pub it_admins: Vec<String>,
    /// People who never leave or move: safe as owners, approvers and managers.
    pub stable: BTreeSet<String>,
    /// Stable engineers who own NHIs.
    pub owner_pool: Vec<String>,
    /// How many executions existed before the access reviews added theirs (the writer renders
    /// the later ones from their own random stream).
    pub execs_before_reviews: usize,
    next_event: u32,
    next_ticket: u32,
    next_fin: u32,
    names: BTreeSet<String>,
    next_emp: u32,
    next_con: u32,
    next_nhi: u32,
}

/// The IGA connector that performs routine provisioning, as each system names its actor.
pub fn connector(sys: Sys) -> Option<String> {
    Some(match sys {
        Sys::Aws => {
            format!("arn:aws:sts::{AWS_ACCOUNT}:assumed-role/iga-provisioner/iga-connector")
        }
        Sys::Okta | Sys::Entra | Sys::Google => format!("iga-connector@{DOMAIN}"),
        Sys::Github => "northwind-iga[bot]".to_owned(),
        Sys::K8s => "system:serviceaccount:iga:provisioner".to_owned(),
        Sys::Linux => return None,
        Sys::Finance => "iga-connector".to_owned(),
    })
}

impl World {
    pub fn new(seed: u64, scale: u32) -> World {
        World {
            rng: Rng::new(seed),
            scale: scale.max(1),
            ids: Vec::new(),
            events: Vec::new(),
            approvals: Vec::new(),
            execs: Vec::new(),
            exceptions: Vec::new(),
            holds: Vec::new(),
            expects: Vec::new(),
            last_use: BTreeMap::new(),
            cred_use: BTreeMap::new(),
            calls: Vec::new(),
            person_creds: BTreeMap::new(),
            not_assessed: Vec::new(),
            key: Vec::new(),
            clean: Vec::new(),
            campaigns: Vec::new(),
            reviews: Vec::new(),
            emergency: Vec::new(),
            sign_ins: Vec::new(),
            by_id: BTreeMap::new(),
            orphans: BTreeSet::new(),
            heads: BTreeMap::new(),
            security: Vec::new(),
            hr_requester: String::new(),
            it_admins: Vec::new(),
            stable: BTreeSet::new(),
            owner_pool: Vec::new(),
            execs_before_reviews: usize::MAX,
            next_event: 100_000,
            next_ticket: 10_000,
            next_fin: 500_000,
            names: BTreeSet::new(),
            next_emp: 1001,
            next_con: 2001,
            next_nhi: 1,
        }
    }

    pub fn ident(&self, id: &str) -> &Ident {
        &self.ids[self.by_id[id]]
    }

    // ---- time helpers -------------------------------------------------------------------

    /// A working day in 2025 on day 3..=20 of its month, so that a change and its
    /// follow-ups (SLA, transition window) finish well before the month-end snapshot.
    pub fn workday(&mut self, from_month: u32, to_month: u32) -> Ts {
        loop {
            let m = self.rng.range(from_month as i64, to_month as i64 + 1) as u32;
            let d = self.rng.range(3, 21) as u32;
            let t = ts(2025, m, d, 0, 0, 0);
            if !matches!(t.weekday(), Weekday::Sat | Weekday::Sun) {
                return t;
            }
        }
    }

    /// A business-hours time (08:00-17:00 at +01:00, the ticketing zone) `back` days before `t`.
    pub fn office_time_before(&mut self, t: Ts, back_lo: i64, back_hi: i64) -> Ts {
        let day = t - days(self.rng.range(back_lo, back_hi + 1));
        let base = ts(day.year(), day.month(), day.day(), 7, 0, 0);
        base + Duration::seconds(self.rng.range(0, 9 * 3600))
    }

    // ---- identities ---------------------------------------------------------------------

    fn unique_name(&mut self) -> (String, String) {
        {
            let f = *self.rng.pick(FIRST);
            let l = *self.rng.pick(LAST);
            let mut local = format!("{f}.{l}");
            let mut n = 2;
            while self.names.contains(&local) {
                local = format!("{f}.{l}{n}");
                n += 1;
            }
            self.names.insert(local.clone());
            let display = format!("{} {}", cap(f), cap(l));
            (local, display)
        }
    }

    /// Adds a person. Their manager is their department's head (the CEO for heads).
    pub fn person(&mut self, kind: Kind, role_code: &str, start: Ts) -> usize {
        let (local, display) = self.unique_name();
        let id = if kind == Kind::Contractor {
            self.next_con += 1;
            format!("C{}", self.next_con - 1)
        } else {
            self.next_emp += 1;
            format!("E{}", self.next_emp - 1)
        };
        let dept = role(role_code).dept.to_owned();
        let manager = self
            .heads
            .get(&dept)
            .cloned()
            .or_else(|| self.heads.get("Executive").cloned());
        let github = Some(format!("{}-nw", local.replace('.', "-")));
        let contract_end = (kind == Kind::Contractor).then(|| ts(2026, 6, 30, 22, 0, 0));
        self.push_ident(Ident {
            id,
            kind,
            display,
            local,
            github,
            role: role_code.to_owned(),
            manager,
            dept,
            start,
            contract_end,
            owner: None,
            sys: None,
            account: None,
            alias: None,
            expires: None,
        })
    }

    fn push_ident(&mut self, ident: Ident) -> usize {
        self.by_id.insert(ident.id.clone(), self.ids.len());
        self.ids.push(ident);
        self.ids.len() - 1
    }

    /// Adds a non-human identity.
    #[allow(clippy::too_many_arguments)]
    pub fn nhi(
        &mut self,
        kind: Kind,
        sys: Sys,
        profile: &str,
        short: &str,
        account: String,
        owner: Option<String>,
        created: Ts,
        alias: Option<String>,
    ) -> usize {
        let id = format!("NHI-{:04}", self.next_nhi);
        self.next_nhi += 1;
        let display = match kind {
            Kind::AccessKey => format!("Access key of {account}"),
            Kind::Certificate => format!("Certificate of {account}"),
            _ => short.to_owned(),
        };
        let expires =
            (kind == Kind::Certificate).then(|| created + days(kind.max_credential_age_days() - 1));
        self.push_ident(Ident {
            id,
            kind,
            display,
            local: short.to_owned(),
            github: None,
            role: profile.to_owned(),
            manager: None,
            dept: String::new(),
            start: created,
            contract_end: None,
            owner,
            sys: Some(sys),
            account: Some(account),
            alias,
            expires,
        })
    }

    // ---- records ------------------------------------------------------------------------

    pub fn event(&mut self, ident: usize, etype: EvType, at: Ts, reason: &str) -> usize {
        let i = &self.ids[ident];
        self.next_event += 1;
        let id = if i.kind.is_human() {
            format!("EVT-{}", self.next_event)
        } else {
            format!("CHG-{}", self.next_event)
        };
        self.events.push(Event {
            id,
            ident,
            etype,
            at,
            role: i.role.clone(),
            prior_role: None,
            manager: i.manager.clone(),
            owner: i.owner.clone(),
            reason: reason.to_owned(),
        });
        self.events.len() - 1
    }

    fn new_ticket(&mut self) -> String {
        self.next_ticket += 1;
        format!("RITM00{}", self.next_ticket)
    }

    /// The manager who approves routine access for an identity (an NHI's owner's manager).
    pub fn approving_manager(&self, subject: &str) -> String {
        let i = self.ident(subject);
        let person = if i.kind.is_human() {
            i
        } else {
            match &i.owner {
                Some(o) => self.ident(o),
                None => return self.heads["IT"].clone(),
            }
        };
        person
            .manager
            .clone()
            .unwrap_or_else(|| self.heads["Executive"].clone())
    }

    /// Who files the request: HR operations for people, the owner for NHIs.
    pub fn requester_for(&self, subject: &str) -> String {
        let i = self.ident(subject);
        if i.kind.is_human() {
            self.hr_requester.clone()
        } else {
            i.owner.clone().unwrap_or_else(|| self.heads["IT"].clone())
        }
    }

    /// A routine approval: the manager for standard/elevated, security for privileged.
    pub fn approve(&mut self, subject: &str, sys: Sys, item: &str, at: Ts) -> usize {
        let tier = tier(sys, item);
        let requester = self.requester_for(subject);
        let (approver, role) = if tier == Tier::Privileged {
            let mut s = self.rng.pick(&self.security).clone();
            while s == subject || s == requester {
                s = self.rng.pick(&self.security).clone();
            }
            (s, ApRole::Security)
        } else {
            (self.approving_manager(subject), ApRole::Manager)
        };
        self.approval(
            subject,
            sys,
            item,
            at,
            Some(requester),
            approver,
            role,
            tier,
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn approval(
        &mut self,
        subject: &str,
        sys: Sys,
        item: &str,
        at: Ts,
        requester: Option<String>,
        approver: String,
        role: ApRole,
        tier: Tier,
    ) -> usize {
        let id = self.new_ticket();
        let justification = match item {
            "account" => format!("{} account", sys.id()),
            _ => format!("{item} for {}", self.ident(subject).role),
        };
        self.approvals.push(Appr {
            id,
            subject: subject.to_owned(),
            item: item.to_owned(),
            sys,
            requester,
            approver,
            role,
            at: at.with_nanosecond(0).unwrap_or(at),
            tier,
            justification,
            expires: None,
            exception: false,
            state: "Closed Complete",
        });
        self.approvals.len() - 1
    }

    /// Records one execution with a fresh source event id.
    #[allow(clippy::too_many_arguments)]
    pub fn exec(
        &mut self,
        sys: Sys,
        op: Op,
        account: &str,
        ent: Option<&str>,
        at: Ts,
        outcome: Outcome,
        ident: Option<&str>,
        req: Option<String>,
    ) -> usize {
        self.exec_by(
            sys,
            op,
            account,
            ent,
            at,
            outcome,
            ident,
            req,
            connector(sys),
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn exec_by(
        &mut self,
        sys: Sys,
        op: Op,
        account: &str,
        ent: Option<&str>,
        at: Ts,
        outcome: Outcome,
        ident: Option<&str>,
        req: Option<String>,
        actor: Option<String>,
    ) -> usize {
        let sid = match sys {
            Sys::Aws | Sys::Okta | Sys::K8s => Some(self.rng.uuid()),
            Sys::Entra => Some(format!("Directory_{}", self.rng.uuid())),
            Sys::Github => Some(self.rng.token(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                22,
            )),
            // One event per activity: the importer reports the bare uniqueQualifier.
            Sys::Google => Some(format!(
                "-{}",
                1_000_000_000_000_000u64 + self.rng.below(8_999_999_999_999_999)
            )),
            Sys::Linux => None,
            Sys::Finance => {
                self.next_fin += 1;
                Some(format!("FA-{}", self.next_fin))
            }
        };
        self.execs.push(Exec {
            sys,
            op,
            account: account.to_owned(),
            ent: ent.map(str::to_owned),
            actor,
            at: at.with_nanosecond(0).unwrap_or(at),
            outcome,
            req: if sys == Sys::Finance { req } else { None },
            sid,
            ident: ident.map(str::to_owned),
        });
        self.execs.len() - 1
    }

    pub fn expect(&mut self, sys: Sys, account: &str, ent: &str, from: Ts, until: Option<Ts>) {
        self.expects.push(Expect {
            sys,
            account: account.to_owned(),
            ent: ent.to_owned(),
            from,
            until,
        });
    }

    pub fn hold(&mut self, sys: Sys, account: &str, ent: &str, ident: Option<&str>) {
        self.holds.push(Hold {
            sys,
            account: account.to_owned(),
            ent: ent.to_owned(),
            ident: ident.map(str::to_owned),
            from: None,
        });
    }

    // ---- stories ------------------------------------------------------------------------

    /// Access held since before the period: baseline rows, expected from the start.
    pub fn baseline_access(&mut self, p: usize) {
        let i = self.ids[p].clone();
        for (sys, ents) in role(&i.role).access {
            let account = i.account_in(*sys);
            for ent in *ents {
                self.hold(*sys, &account, ent, Some(&i.id));
                self.expect(*sys, &account, ent, i.start, None);
            }
        }
    }

    /// Ends an expectation interval (departure or move).
    pub fn end_expect(&mut self, sys: Sys, account: &str, ent: &str, at: Ts) {
        for e in self.expects.iter_mut().rev() {
            if e.sys == sys && e.account == account && e.ent == ent && e.until.is_none() {
                e.until = Some(at);
                return;
            }
        }
    }

    /// Grants one entitlement (or creates the account when `ent` is None) with its approval
    /// decided at `decided`; returns (approval, execution).
    pub fn approved_grant(
        &mut self,
        p: usize,
        sys: Sys,
        ent: Option<&str>,
        decided: Ts,
        at: Ts,
    ) -> (usize, usize) {
        let id = self.ids[p].id.clone();
        let account = self.ids[p].account_in(sys);
        let item = ent.unwrap_or("account");
        let a = self.approve(&id, sys, item, decided);
        let req = Some(self.approvals[a].id.clone());
        let op = match (sys, ent) {
            (_, None) => Op::Create,
            (Sys::Github, Some(GITHUB_ORG)) => Op::Create,
            _ => Op::Grant,
        };
        let x = self.exec(
            sys,
            op,
            &account,
            ent,
            at,
            Outcome::Ok,
            Some(&id),
            req.clone(),
        );
        if sys == Sys::Okta && ent.is_none() {
            self.exec(
                sys,
                Op::Enable,
                &account,
                None,
                at + Duration::seconds(2),
                Outcome::Ok,
                Some(&id),
                req,
            );
        }
        if let Some(e) = ent {
            self.expect(sys, &account, e, at, None);
        }
        (a, x)
    }

    /// Provisions a system for a person: account (where the system has one) and entitlements.
    pub fn provision(
        &mut self,
        p: usize,
        sys: Sys,
        ents: &[&str],
        need_account: bool,
        t: Ts,
        skip: Option<&str>,
    ) -> Ts {
        let decided = self.office_time_before(t, 1, 4);
        let mut at =
            t + minutes(self.rng.range(10, 300)) + Duration::seconds(self.rng.range(0, 60));
        if need_account && sys.has_account_step() {
            self.approved_grant(p, sys, None, decided, at);
            at += Duration::seconds(self.rng.range(3, 30));
        }
        for ent in ents {
            if Some(*ent) == skip {
                continue;
            }
            let d = decided + Duration::seconds(self.rng.range(1, 600));
            self.approved_grant(p, sys, Some(ent), d, at);
            at += Duration::seconds(self.rng.range(3, 30));
        }
        at
    }

    /// A joiner: hire event, then every birthright system provisioned with approvals.
    pub fn join(&mut self, p: usize, t: Ts) -> usize {
        let kind = self.ids[p].kind;
        let (et, reason) = if kind == Kind::Contractor {
            (EvType::ContractStart, "Project staffing")
        } else {
            (EvType::Hire, "New position")
        };
        let ev = self.event(p, et, t, reason);
        let code = self.ids[p].role.clone();
        for (sys, ents) in role(&code).access {
            self.provision(p, *sys, ents, true, t, None);
        }
        ev
    }

    /// Removes a person's access in one system, account-level where the system has it;
    /// returns the execution that ends access.
    pub fn revoke_system(&mut self, p: usize, sys: Sys, ents: &[String], at: Ts) -> usize {
        let id = self.ids[p].id.clone();
        let account = self.ids[p].account_in(sys);
        let mut at = at;
        match sys {
            Sys::Okta | Sys::Google | Sys::Entra | Sys::Finance => self.exec(
                sys,
                Op::Disable,
                &account,
                None,
                at,
                Outcome::Ok,
                Some(&id),
                None,
            ),
            Sys::Github => self.exec(
                sys,
                Op::Delete,
                &account,
                Some(GITHUB_ORG),
                at,
                Outcome::Ok,
                Some(&id),
                None,
            ),
            Sys::Linux => self.exec(
                sys,
                Op::Delete,
                &account,
                None,
                at,
                Outcome::Ok,
                Some(&id),
                None,
            ),
            Sys::Aws => {
                for e in ents {
                    self.exec(
                        sys,
                        Op::Revoke,
                        &account,
                        Some(e),
                        at,
                        Outcome::Ok,
                        Some(&id),
                        None,
                    );
                    at += Duration::seconds(2);
                }
                self.exec(
                    sys,
                    Op::Delete,
                    &account,
                    None,
                    at,
                    Outcome::Ok,
                    Some(&id),
                    None,
                )
            }
            Sys::K8s => {
                let mut last = 0;
                // The last binding removed is the revocation; earlier ones come before it.
                let n = ents.len();
                for (k, e) in ents.iter().enumerate() {
                    let when = at - Duration::seconds(2 * (n - 1 - k) as i64);
                    last = self.exec(
                        sys,
                        Op::Revoke,
                        &account,
                        Some(e),
                        when,
                        Outcome::Ok,
                        Some(&id),
                        None,
                    );
                }
                last
            }
        }
    }

    /// The access a person holds at a time: their role's birthright (the stories keep to it).
    pub fn held(&self, p: usize, role_code: &str) -> Vec<(Sys, Vec<String>)> {
        let _ = p;
        role(role_code)
            .access
            .iter()
            .map(|(s, e)| (*s, e.iter().map(|x| (*x).to_owned()).collect()))
            .collect()
    }

    /// A leaver: termination event, then each system revoked within its SLA unless tweaked.
    /// Returns the event and the revoking execution per system.
    pub fn leave(&mut self, p: usize, t: Ts, tw: &LeaveTweak) -> (usize, BTreeMap<Sys, usize>) {
        let kind = self.ids[p].kind;
        let (et, reason) = if kind == Kind::Contractor {
            (EvType::ContractEnd, "Contract end")
        } else {
            (
                EvType::Termination,
                *self
                    .rng
                    .pick(&["Resignation", "Resignation", "Retirement", "Dismissal"]),
            )
        };
        if kind == Kind::Contractor {
            self.ids[p].contract_end = Some(t);
        }
        let ev = self.event(p, et, t, reason);
        let code = self.ids[p].role.clone();
        let mut out = BTreeMap::new();
        for (sys, ents) in self.held(p, &code) {
            let account = self.ids[p].account_in(sys);
            for e in &ents {
                self.end_expect(sys, &account, e, t);
            }
            if tw.keep.contains(&sys) {
                continue;
            }
            let sla = hours(sys.sla_hours());
            let delay = match tw.delay.get(&sys) {
                Some(d) => *d,
                None => minutes(self.rng.range(10, sla.num_minutes() - 30)),
            };
            let x = self.revoke_system(p, sys, &ents, t + delay);
            out.insert(sys, x);
        }
        (ev, out)
    }

    /// A mover: transfer event, new access approved and granted, old access removed within
    /// the transition window unless `retain` (ent → None: never; Some(d): after d).
    pub fn transfer(
        &mut self,
        p: usize,
        t: Ts,
        new_role: &str,
        retain: &BTreeMap<String, Option<Duration>>,
    ) -> (usize, BTreeMap<String, usize>) {
        let old_role = self.ids[p].role.clone();
        let new_dept = role(new_role).dept.to_owned();
        self.ids[p].role = new_role.to_owned();
        self.ids[p].dept = new_dept.clone();
        self.ids[p].manager = self.heads.get(&new_dept).cloned();
        let ev = self.event(p, EvType::Transfer, t, "Internal transfer");
        self.events[ev].prior_role = Some(old_role.clone());
        let id = self.ids[p].id.clone();
        let mut removed = BTreeMap::new();
        for sys in SYSTEMS {
            let old = role_access(&old_role, sys);
            let new = role_access(new_role, sys);
            let adds: Vec<&str> = new.iter().copied().filter(|e| !old.contains(e)).collect();
            let gone: Vec<String> = old
                .iter()
                .filter(|e| !new.contains(e))
                .map(|e| (*e).to_owned())
                .collect();
            if !adds.is_empty() {
                self.provision(p, sys, &adds, old.is_empty(), t, None);
            }
            if gone.is_empty() {
                continue;
            }
            let account = self.ids[p].account_in(sys);
            let base = t + hours(self.rng.range(1, 72)) + minutes(self.rng.range(0, 60));
            let kept: Vec<String> = gone
                .iter()
                .filter(|e| retain.contains_key(*e))
                .cloned()
                .collect();
            let to_remove: Vec<String> = gone
                .iter()
                .filter(|e| !retain.contains_key(*e))
                .cloned()
                .collect();
            for e in &kept {
                match retain[e] {
                    None => {}
                    Some(d) => {
                        let x = self.exec(
                            sys,
                            Op::Revoke,
                            &account,
                            Some(e),
                            t + d,
                            Outcome::Ok,
                            Some(&id),
                            None,
                        );
                        removed.insert(e.clone(), x);
                    }
                }
                // Old-role access stays expected through the transition window only.
                let until = retain[e].map_or(t + days(7), |d| (t + d).min(t + days(7)));
                self.end_expect(sys, &account, e, until);
            }
            if new.is_empty() && kept.is_empty() {
                // The whole system goes: the account-level removal ends every entitlement.
                let x = self.revoke_system(p, sys, &to_remove, base);
                for e in &to_remove {
                    self.end_expect(sys, &account, e, base);
                    removed.insert(e.clone(), x);
                }
            } else {
                let mut at = base;
                for e in &to_remove {
                    let x = self.exec(
                        sys,
                        Op::Revoke,
                        &account,
                        Some(e),
                        at,
                        Outcome::Ok,
                        Some(&id),
                        None,
                    );
                    self.end_expect(sys, &account, e, at);
                    removed.insert(e.clone(), x);
                    at += Duration::seconds(3);
                }
            }
        }
        (ev, removed)
    }

    // ---- NHIs ---------------------------------------------------------------------------

    /// The entitlements an NHI's template grants it.
    pub fn nhi_template_ents(&self, n: usize) -> Vec<String> {
        let i = &self.ids[n];
        NHI_TEMPLATES
            .iter()
            .find(|t| t.profile == i.role)
            .map(|t| t.ents.iter().map(|e| (*e).to_owned()).collect())
            .unwrap_or_default()
    }

    /// Everything reconciliation lists for an NHI: its template's entitlements and, for a
    /// credential, the credential itself (an entitlement of the account it belongs to).
    pub fn nhi_ents(&self, n: usize) -> Vec<String> {
        let mut out = self.nhi_template_ents(n);
        if self.ids[n].kind.is_credential() {
            out.extend(self.ids[n].alias.iter().cloned());
        }
        out
    }

    /// A pre-period NHI: catalog row, baseline access.
    pub fn nhi_baseline(&mut self, n: usize) -> usize {
        let ev = self.event(
            n,
            EvType::NhiCreated,
            self.ids[n].start,
            "Registered in service catalog",
        );
        let i = self.ids[n].clone();
        let sys = i.sys.unwrap_or(Sys::Aws);
        let account = i.account.clone().unwrap_or_default();
        for e in self.nhi_ents(n) {
            self.hold(sys, &account, &e, Some(&i.id));
            self.expect(sys, &account, &e, i.start, None);
        }
        ev
    }

    /// An NHI created during the period: catalog row, approvals, executions.
    pub fn nhi_create(&mut self, n: usize, t: Ts) -> (usize, Vec<usize>) {
        self.ids[n].start = t;
        if self.ids[n].kind == Kind::Certificate {
            self.ids[n].expires = Some(t + days(397));
        }
        let ev = self.event(n, EvType::NhiCreated, t, "New integration");
        let i = self.ids[n].clone();
        let sys = i.sys.unwrap_or(Sys::Aws);
        let account = i.account.clone().unwrap_or_default();
        let decided = self.office_time_before(t, 1, 3);
        let mut at = t + minutes(self.rng.range(5, 120));
        let mut xs = Vec::new();
        let templated = NHI_TEMPLATES.iter().any(|tp| tp.profile == i.role);
        if templated && !(sys == Sys::Okta && i.kind == Kind::ApiToken) {
            if sys != Sys::Github {
                let (_, x) = self.approved_grant(n, sys, None, decided, at);
                xs.push(x);
                at += Duration::seconds(5);
            }
            for e in self.nhi_template_ents(n) {
                let (_, x) =
                    self.approved_grant(n, sys, Some(&e), decided + Duration::seconds(30), at);
                xs.push(x);
                at += Duration::seconds(5);
            }
        }
        if i.kind.is_credential() {
            let alias = i.alias.clone().unwrap_or_default();
            let a = self.approve(&i.id, sys, &alias, decided + Duration::seconds(60));
            let req = Some(self.approvals[a].id.clone());
            xs.push(self.exec(
                sys,
                Op::CredCreate,
                &account,
                Some(&alias),
                at,
                Outcome::Ok,
                Some(&i.id),
                req,
            ));
            self.expect(sys, &account, &alias, at, None);
        }
        (ev, xs)
    }

    /// Retires an NHI: catalog row, then its access removed `delay` later (None: never).
    pub fn nhi_retire(
        &mut self,
        n: usize,
        t: Ts,
        delay: Option<Duration>,
    ) -> (usize, Option<usize>) {
        let ev = self.event(n, EvType::NhiRetired, t, "Decommissioned");
        let i = self.ids[n].clone();
        let sys = i.sys.unwrap_or(Sys::Aws);
        let account = i.account.clone().unwrap_or_default();
        let ents = self.nhi_ents(n);
        for e in &ents {
            self.end_expect(sys, &account, e, t);
        }
        let Some(d) = delay else { return (ev, None) };
        let at = t + d;
        let x = if i.kind.is_credential() {
            let alias = i.alias.clone().unwrap_or_default();
            match sys {
                Sys::Finance => self.exec(
                    sys,
                    Op::Disable,
                    &account,
                    None,
                    at,
                    Outcome::Ok,
                    Some(&i.id),
                    None,
                ),
                _ => self.exec(
                    sys,
                    Op::CredDelete,
                    &account,
                    Some(&alias),
                    at,
                    Outcome::Ok,
                    Some(&i.id),
                    None,
                ),
            }
        } else {
            match sys {
                Sys::K8s => {
                    for e in &ents {
                        self.exec(
                            sys,
                            Op::Revoke,
                            &account,
                            Some(e),
                            at - Duration::seconds(5),
                            Outcome::Ok,
                            Some(&i.id),
                            None,
                        );
                    }
                    self.exec(
                        sys,
                        Op::Delete,
                        &account,
                        None,
                        at,
                        Outcome::Ok,
                        Some(&i.id),
                        None,
                    )
                }
                Sys::Github => self.exec(
                    sys,
                    Op::Delete,
                    &account,
                    Some(GITHUB_ORG),
                    at,
                    Outcome::Ok,
                    Some(&i.id),
                    None,
                ),
                Sys::Aws => {
                    for e in &ents {
                        self.exec(
                            sys,
                            Op::Revoke,
                            &account,
                            Some(e),
                            at - Duration::seconds(5),
                            Outcome::Ok,
                            Some(&i.id),
                            None,
                        );
                    }
                    self.exec(
                        sys,
                        Op::Delete,
                        &account,
                        None,
                        at,
                        Outcome::Ok,
                        Some(&i.id),
                        None,
                    )
                }
                Sys::Okta | Sys::Google | Sys::Finance => self.exec(
                    sys,
                    Op::Disable,
                    &account,
                    None,
                    at,
                    Outcome::Ok,
                    Some(&i.id),
                    None,
                ),
                Sys::Entra | Sys::Linux => self.exec(
                    sys,
                    Op::Delete,
                    &account,
                    None,
                    at,
                    Outcome::Ok,
                    Some(&i.id),
                    None,
                ),
            }
        };
        (ev, Some(x))
    }

    /// Changes an NHI's owner (catalog row).
    pub fn nhi_owner_change(&mut self, n: usize, t: Ts, owner: &str) -> usize {
        self.ids[n].owner = Some(owner.to_owned());
        self.event(n, EvType::NhiOwnerChanged, t, "Ownership transfer")
    }
}
