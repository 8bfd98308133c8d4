//! Northwind's access-review campaigns of 2025 (docs/access-reviews.md): each population drawn from the snapshot its campaign started after, routine decisions, and the planted review gaps with their clean look-alikes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, Weekday};

use crate::listing::present_at;
use crate::model::*;
use crate::plants::{pre_nhi, pre_person, recon};
use crate::world::*;

/// `[reviews]` of the generated policy: a revoke must reach the system within this…
pub const REVOKE_SLA_DAYS: i64 = 7;
/// …this many keep decisions within this many seconds of each other are rubber-stamping…
pub const STAMP_DECISIONS: usize = 20;
pub const STAMP_WINDOW_SECS: i64 = 60;
/// …and a privileged item needs a reviewer in one of these roles (InfoSec, App Owner).
pub const PRIVILEGED_REVIEWER_ROLES: &[&str] = &["security", "system_owner"];

const NOT_EXECUTED: &str = "EV-REVIEW-REVOKE-NOT-EXECUTED";
const LATE: &str = "EV-REVIEW-REVOKE-LATE";
const CONTRADICTED: &str = "EV-REVIEW-REVOKE-CONTRADICTED";
const SELF_REVIEW: &str = "EV-REVIEW-SELF-REVIEW";
const RUBBER_STAMP: &str = "EV-REVIEW-RUBBER-STAMP";
const INCOMPLETE: &str = "EV-REVIEW-INCOMPLETE";
const OVERDUE: &str = "EV-REVIEW-OVERDUE";
const PRIVILEGED: &str = "EV-REVIEW-PRIVILEGED-REVIEWER";
const OUTSIDE: &str = "EV-REVIEW-OUTSIDE-POPULATION";

const GROUP_DATA: &str = "data@northwind.example";
const GROUP_FINANCE: &str = "finance@northwind.example";
const GROUP_PEOPLE: &str = "people@northwind.example";
const GROUP_IT: &str = "it@northwind.example";
const GROUP_SERVICES: &str = "service-accounts@northwind.example";

/// (system, account, entitlement): how decisions meet population items.
type ItemKey = (Sys, String, String);

/// What a campaign reviews.
struct Spec {
    id: &'static str,
    name: &'static str,
    systems: &'static [Sys],
    scope: &'static [&'static str],
    start: Ts,
    due: Ts,
    closed: Ts,
    /// Accounts nobody owns could not be routed to a reviewer (the first privileged review);
    /// later campaigns send them to security, who revoke them.
    orphans_unassigned: bool,
}

const PRIV_SCOPE: &[&str] = &[
    "Admins",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::*:policy/*-admin",
    "arn:aws:iam::*:policy/prod-*",
    "cluster-admin",
    "prod/*",
    "sudo",
];
const FIN_SCOPE: &[&str] = &["AP-*", "GL-*", "Payments-*", "Vendor-*"];
const COLLAB_SCOPE: &[&str] = &[
    "eng@*",
    "data@*",
    "finance@*",
    "sales@*",
    "people@*",
    "security@*",
    "it@*",
    "service-accounts@*",
];

/// How a planted removal unfolds after the decision.
#[derive(Debug, Clone, Copy)]
enum Removal {
    /// Nobody removes it.
    Never,
    /// Removed this long after the decision.
    After(Duration),
    /// Removed this long after the decision, then back out of band this long after that.
    Contradicted(Duration, Duration),
}

/// What a plant fixes about one item's review.
#[derive(Debug, Clone)]
struct Plan {
    /// None: assigned to nobody.
    reviewer: Option<String>,
    role: Option<ReviewerRole>,
    verdict: Verdict,
    at: Option<Ts>,
    /// The item was first assigned to this person, who handed it on at this time.
    handed_by: Option<(String, Ts)>,
    removal: Removal,
    comment: &'static str,
}

fn decide(reviewer: &str, role: ReviewerRole, verdict: Verdict, at: Ts) -> Plan {
    Plan {
        reviewer: Some(reviewer.to_owned()),
        role: Some(role),
        verdict,
        at: Some(at),
        handed_by: None,
        removal: Removal::Never,
        comment: "",
    }
}

impl Plan {
    fn removed(mut self, r: Removal) -> Self {
        self.removal = r;
        self
    }
    fn because(mut self, c: &'static str) -> Self {
        self.comment = c;
        self
    }
}

/// A reviewer's fast run of decisions at fixed offsets (seconds) from `at`.
struct Burst {
    reviewer: String,
    at: Ts,
    offsets: Vec<i64>,
    /// The one item revoked in the middle of the run (it is on time).
    revoke: Option<ItemKey>,
    /// The reviewer keeps everything in this campaign (a planted rubber stamp).
    all_keep: bool,
}

/// Offsets of `n` decisions `step` seconds apart, the last moved so the run spans `span`.
fn run(n: usize, step: i64, span: i64) -> Vec<i64> {
    let mut v: Vec<i64> = (0..n as i64).map(|k| k * step).collect();
    if let Some(last) = v.last_mut() {
        *last = span;
    }
    v
}

/// What became of one item: its rows (a delegation first), its decision time and the
/// removal the decision led to.
#[derive(Debug, Clone, Default)]
struct Fate {
    rows: Vec<usize>,
    at: Option<Ts>,
    removal: Option<usize>,
}

struct Ran {
    campaign: usize,
    snapshot: Ts,
    outcome: BTreeMap<ItemKey, Fate>,
    bursts: Vec<Vec<usize>>,
}

/// `*` and `?` globs, ignoring ASCII case.
pub fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

fn day(start: Ts, n: i64, h: u32, m: u32) -> Ts {
    let d = start + days(n);
    ts(d.year(), d.month(), d.day(), h, m, 0)
}

fn weekend(t: Ts) -> bool {
    matches!(t.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The people and NHIs the plants are about, with the stories that happen before the
/// campaigns (a joiner, a mover, a retirement, an approved privileged grant).
struct Cast {
    n1_github: usize,
    n2_deployer: usize,
    n3_finance: usize,
    l1_people: usize,
    l2_ci: usize,
    l3_admin: usize,
    sla_exact: usize,
    c1_k8s: usize,
    c2_google: usize,
    c3_finance: usize,
    p1_admin: usize,
    p_clean_admin: usize,
    p2_secrets: usize,
    p3_treasury: usize,
    o1_joiner: usize,
    o_clean_joiner: usize,
    o2_retired: usize,
    o3_mover: usize,
    stamp_revoke: usize,
    handed_clean: usize,
    i3_undecided: usize,
}

fn cast(w: &mut World) -> Cast {
    let owner = |w: &World, k: usize| w.owner_pool.get(k % w.owner_pool.len().max(1)).cloned();
    let n1_github = pre_person(w, Kind::Employee, "ENG-SWE");
    let o = owner(w, 7);
    let n2_deployer = pre_nhi(
        w,
        "nhi-k8s-deployer",
        Kind::Workload,
        Sys::K8s,
        "legacy-deployer",
        "system:serviceaccount:ci:legacy-deployer",
        o,
    );
    let n3_finance = pre_person(w, Kind::Employee, "FIN-CTRL");
    let l1_people = pre_person(w, Kind::Employee, "HR-GEN");
    let o = owner(w, 8);
    let l2_ci = pre_nhi(
        w,
        "nhi-aws-ci",
        Kind::Workload,
        Sys::Aws,
        "deploy-batch",
        "ci-deploy-batch",
        o,
    );
    let l3_admin = pre_person(w, Kind::Employee, "IT-ADMIN");
    let sla_exact = pre_person(w, Kind::Employee, "ENG-SRE");
    let c1_k8s = pre_person(w, Kind::Employee, "ENG-SWE");
    let o = owner(w, 9);
    let c2_google = pre_nhi(
        w,
        "nhi-google-service",
        Kind::ServiceAccount,
        Sys::Google,
        "room-booking",
        "svc-room-booking@northwind.example",
        o,
    );
    let c3_finance = pre_person(w, Kind::Employee, "FIN-AP");
    let p1_admin = pre_person(w, Kind::Employee, "IT-ADMIN");
    let p_clean_admin = pre_person(w, Kind::Employee, "IT-ADMIN");
    let o = owner(w, 3);
    let p2_secrets = pre_nhi(
        w,
        "nhi-k8s-app",
        Kind::Workload,
        Sys::K8s,
        "secrets-sync",
        "system:serviceaccount:apps:secrets-sync",
        o,
    );
    // Approved by security in February: privileged, and legitimately held.
    w.approved_grant(
        p2_secrets,
        Sys::K8s,
        Some("prod/secret-admin"),
        ts(2025, 2, 17, 10, 12, 0),
        ts(2025, 2, 18, 9, 30, 0),
    );
    let p3_treasury = pre_person(w, Kind::Employee, "FIN-TREAS");
    // Hired after the June snapshot, before the engineering review started.
    let t = ts(2025, 7, 1, 14, 0, 0);
    let o1_joiner = w.person(Kind::Employee, "ENG-SWE", t);
    w.join(o1_joiner, t);
    let t = ts(2025, 6, 10, 14, 0, 0);
    let o_clean_joiner = w.person(Kind::Employee, "ENG-SWE", t);
    w.join(o_clean_joiner, t);
    // Retired (and removed) in February; the April review still listed its binding.
    let o = owner(w, 7);
    let o2_retired = pre_nhi(
        w,
        "nhi-k8s-deployer",
        Kind::Workload,
        Sys::K8s,
        "canary-deployer",
        "system:serviceaccount:ci:canary-deployer",
        o,
    );
    w.nhi_retire(o2_retired, ts(2025, 2, 12, 11, 0, 0), Some(hours(2)));
    // Moved to sales in August; the October review still listed the finance group.
    let o3_mover = pre_person(w, Kind::Employee, "FIN-AP");
    w.transfer(
        o3_mover,
        ts(2025, 8, 11, 14, 0, 0),
        "SALES-AE",
        &BTreeMap::new(),
    );
    let stamp_revoke = pre_person(w, Kind::Employee, "FIN-AP");
    let handed_clean = pre_person(w, Kind::Employee, "HR-GEN");
    let i3_undecided = pre_person(w, Kind::Employee, "FIN-AP");
    Cast {
        n1_github,
        n2_deployer,
        n3_finance,
        l1_people,
        l2_ci,
        l3_admin,
        sla_exact,
        c1_k8s,
        c2_google,
        c3_finance,
        p1_admin,
        p_clean_admin,
        p2_secrets,
        p3_treasury,
        o1_joiner,
        o_clean_joiner,
        o2_retired,
        o3_mover,
        stamp_revoke,
        handed_clean,
        i3_undecided,
    }
}

/// The year's campaigns, in order of start, with their plants.
pub fn plant_all(w: &mut World) {
    // Everything here draws from its own stream, and the world's stream is put back after,
    // so the rest of the samples (ids, log details, noise) stay exactly as they were.
    let saved = w.rng.clone();
    w.rng = saved.fork(0x002E_F1E7_050F_2025);
    w.execs_before_reviews = w.execs.len();
    let c = cast(w);
    let h = Heads::of(w);
    q1_finance(w, &c, &h);
    q1_privileged(w, &c, &h);
    q2_engineering(w, &c, &h);
    q3_collaboration(w, &c, &h);
    q3_privileged(w, &c, &h);
    q4_finance(w, &c, &h);
    w.rng = saved;
}

/// The department heads who review their reports, and their deputies.
struct Heads {
    eng: String,
    data: String,
    finance: String,
    sales: String,
    people: String,
    security: String,
    it: String,
    deputies: BTreeMap<String, String>,
}

impl Heads {
    fn of(w: &World) -> Heads {
        let head = |d: &str| w.heads[d].clone();
        let pool = |prefix: &str| {
            w.owner_pool
                .iter()
                .find(|o| w.ident(o).role.starts_with(prefix))
                .cloned()
        };
        let mut deputies = BTreeMap::new();
        for (d, who) in [
            ("Engineering", pool("ENG-")),
            ("Data", pool("DATA-")),
            ("Security", w.security.first().cloned()),
            ("IT", w.it_admins.first().cloned()),
            ("People", Some(w.hr_requester.clone())),
        ] {
            if let Some(who) = who {
                deputies.insert(head(d), who);
            }
        }
        Heads {
            eng: head("Engineering"),
            data: head("Data"),
            finance: head("Finance"),
            sales: head("Sales"),
            people: head("People"),
            security: head("Security"),
            it: head("IT"),
            deputies,
        }
    }
}

fn id(w: &World, i: usize) -> String {
    w.ids[i].id.clone()
}

fn key_of(w: &World, i: usize, sys: Sys, ent: &str) -> ItemKey {
    (sys, w.ids[i].account_in(sys), ent.to_owned())
}

/// Who holds each listed account (and entitlement), as the generator meant it.
fn holders(w: &World) -> (BTreeMap<ItemKey, String>, BTreeMap<(Sys, String), String>) {
    let mut rows = BTreeMap::new();
    let mut accounts = BTreeMap::new();
    for h in &w.holds {
        if let Some(i) = &h.ident {
            rows.entry((h.sys, h.account.clone(), h.ent.clone()))
                .or_insert(i.clone());
            accounts
                .entry((h.sys, h.account.clone()))
                .or_insert(i.clone());
        }
    }
    for x in &w.execs {
        if let Some(i) = &x.ident {
            if let Some(e) = &x.ent {
                rows.entry((x.sys, x.account.clone(), e.clone()))
                    .or_insert(i.clone());
            }
            accounts
                .entry((x.sys, x.account.clone()))
                .or_insert(i.clone());
        }
    }
    (rows, accounts)
}

fn departed(w: &World, who: &str) -> Option<Ts> {
    let i = w.by_id[who];
    w.events
        .iter()
        .filter(|e| {
            e.ident == i
                && matches!(
                    e.etype,
                    EvType::Termination | EvType::ContractEnd | EvType::NhiRetired
                )
        })
        .map(|e| e.at)
        .min()
}

/// The holder's line manager (people) or owner (NHIs) as the last record at or before `t` says.
fn responsible_at(w: &World, who: &str, t: Ts) -> Option<String> {
    let i = w.by_id[who];
    let human = w.ids[i].kind.is_human();
    let last = w
        .events
        .iter()
        .filter(|e| e.ident == i && e.at <= t && e.etype != EvType::NhiRetired)
        .max_by_key(|e| e.at);
    match last {
        Some(e) if human => e.manager.clone(),
        Some(e) => e.owner.clone(),
        None if human => w.ids[i].manager.clone(),
        None => w.ids[i].owner.clone(),
    }
}

/// The log's removal of an item between two times: the entitlement revoked, or the account
/// disabled or deleted.
fn removed_between(w: &World, k: &ItemKey, from: Ts, to: Ts) -> Option<usize> {
    (0..w.execs.len()).find(|&i| {
        let x = &w.execs[i];
        x.sys == k.0
            && x.account == k.1
            && x.outcome == Outcome::Ok
            && x.at >= from
            && x.at <= to
            && match x.op {
                Op::Revoke | Op::CredDelete => x.ent.as_deref() == Some(k.2.as_str()),
                Op::Disable | Op::Delete => true,
                _ => false,
            }
    })
}

/// Runs one campaign: draws its population from the last snapshot at or before its start,
/// assigns every item, schedules the decisions, writes the rows and the removals they lead
/// to. `plans` fix items of the population; `stale` are decisions on items it did not hold.
fn review(
    w: &mut World,
    h: &Heads,
    spec: &Spec,
    plans: BTreeMap<ItemKey, Plan>,
    stale: Vec<(ItemKey, String, Plan)>,
    bursts: Vec<Burst>,
) -> Ran {
    let snapshot = snapshot_times()
        .into_iter()
        .filter(|t| *t <= spec.start)
        .max()
        .unwrap_or(spec.start);
    let (row_holder, account_holder) = holders(w);
    let holder_of = |k: &ItemKey| {
        row_holder
            .get(k)
            .or_else(|| account_holder.get(&(k.0, k.1.clone())))
            .cloned()
    };
    // The population: present rows of the systems in scope whose entitlement matches the
    // scope, never a credential (keys and tokens are entitlements of their account here).
    let population: Vec<(ItemKey, Option<String>)> = present_at(w, snapshot)
        .into_iter()
        .filter(|k| spec.systems.contains(&k.0))
        .filter(|k| spec.scope.is_empty() || spec.scope.iter().any(|p| glob(p, &k.2)))
        .map(|k| {
            let holder = holder_of(&k);
            (k, holder)
        })
        .filter(|(_, holder)| {
            holder
                .as_ref()
                .is_none_or(|i| !w.ident(i).kind.is_credential())
        })
        .collect();
    let in_population: BTreeSet<&ItemKey> = population.iter().map(|(k, _)| k).collect();
    for k in plans.keys() {
        assert!(
            in_population.contains(k),
            "{}: planted item {k:?} is not in the population",
            spec.id
        );
    }
    for (k, _, _) in &stale {
        assert!(
            !in_population.contains(k),
            "{}: stale item {k:?} is in the population",
            spec.id
        );
    }
    w.campaigns.push(Campaign {
        id: spec.id.to_owned(),
        name: spec.name.to_owned(),
        systems: spec.systems.to_vec(),
        scope: spec.scope.iter().map(|s| (*s).to_owned()).collect(),
        start: spec.start,
        due: spec.due,
        closed: spec.closed,
    });
    let campaign = w.campaigns.len() - 1;
    let stamp: BTreeSet<&str> = bursts
        .iter()
        .filter(|b| b.all_keep)
        .map(|b| b.reviewer.as_str())
        .collect();
    let has_burst: BTreeSet<&str> = bursts.iter().map(|b| b.reviewer.as_str()).collect();

    // Every item with its plan: planted, or routine.
    let mut items: Vec<(ItemKey, Option<String>, Plan, bool)> = Vec::new();
    for (k, holder) in population.iter().cloned() {
        if let Some(p) = plans.get(&k) {
            items.push((k, holder, p.clone(), false));
            continue;
        }
        let p = routine(w, h, spec, &k, holder.as_deref(), &has_burst);
        items.push((k, holder, p, true));
    }
    for (k, holder, p) in stale {
        items.push((k, Some(holder), p, false));
    }

    // Bursts first: the named reviewer's routine items at fixed offsets, all keep but for
    // the one revoke some of them carry.
    let mut burst_rows: Vec<Vec<usize>> = Vec::new();
    let mut burst_of: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (b_index, b) in bursts.iter().enumerate() {
        let mut mine: Vec<usize> = (0..items.len())
            .filter(|&i| {
                items[i].3
                    && items[i].2.reviewer.as_deref() == Some(b.reviewer.as_str())
                    && items[i].2.handed_by.is_none()
                    && Some(&items[i].0) != b.revoke.as_ref()
            })
            .collect();
        assert!(
            mine.len() + usize::from(b.revoke.is_some()) >= b.offsets.len(),
            "{}: {} has {} items, the burst needs {}",
            spec.id,
            b.reviewer,
            mine.len(),
            b.offsets.len()
        );
        mine.truncate(b.offsets.len() - usize::from(b.revoke.is_some()));
        if let Some(k) = &b.revoke {
            let i = items
                .iter()
                .position(|x| &x.0 == k)
                .unwrap_or_else(|| panic!("{}: {k:?} not in the population", spec.id));
            items[i].2.reviewer = Some(b.reviewer.clone());
            items[i].2.verdict = Verdict::Revoke;
            items[i].2.removal = Removal::After(hours(26));
            items[i].2.comment = "Not needed for the role";
            items[i].3 = false;
            mine.insert(mine.len() / 2, i);
        }
        for (n, (&i, off)) in mine.iter().zip(&b.offsets).enumerate() {
            items[i].2.at = Some(b.at + Duration::seconds(*off));
            burst_of.insert(i, (b_index, n));
        }
        burst_rows.push(vec![0; mine.len()]);
    }

    // Routine items: each reviewer works through theirs in daily sessions from the second
    // (or, after a burst, third) day, decisions 20 seconds to a few minutes apart, so no
    // routine run is ever fast enough to look like a rubber stamp.
    let mut by_reviewer: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        if it.2.at.is_none() {
            let who =
                it.2.handed_by
                    .as_ref()
                    .map(|(d, _)| d.clone())
                    .or(it.2.reviewer.clone());
            if let (Some(who), false) = (who, it.2.verdict == Verdict::NoDecision) {
                by_reviewer.entry(who).or_default().push(i);
            }
        }
    }
    let last = spec.due.min(spec.closed) - hours(2);
    for (who, mut list) in by_reviewer {
        list.sort_by_key(|&i| (items[i].1.clone(), items[i].0.clone()));
        // Working days left after the first two and before the last three.
        let working = ((spec.due - spec.start).num_days().max(8) - 5) * 5 / 7;
        let per_day = list.len().div_ceil(working as usize).max(25);
        let gap_max = (5 * 3600 / per_day as i64).max(25);
        let first_day = if has_burst.contains(who.as_str()) {
            2
        } else {
            1 + w.rng.range(0, 2)
        };
        let mut d = first_day;
        let mut t = day(spec.start, d, 8, 30) + minutes(w.rng.range(0, 90));
        let mut today = 0;
        for i in list {
            if today == per_day || weekend(t) {
                d += 1;
                while weekend(day(spec.start, d, 8, 30)) {
                    d += 1;
                }
                t = day(spec.start, d, 8, 30) + minutes(w.rng.range(0, 90));
                today = 0;
            }
            t += Duration::seconds(w.rng.range(20, gap_max));
            assert!(t < last, "{}: {who} cannot finish by {last}", spec.id);
            if let Some((d_who, _)) = items[i].2.handed_by.clone() {
                // The delegate decides a few hours to a day after the hand-over.
                items[i].2.handed_by = Some((d_who, t));
                let later = (t + minutes(w.rng.range(120, 1800))).min(last);
                items[i].2.at = Some(later);
            } else {
                items[i].2.at = Some(t);
            }
            today += 1;
        }
    }

    // Routine decisions on access whose holder left and whose removal the log already
    // shows: the reviewer revokes what is gone (never for a planted rubber stamp, who keeps
    // everything).
    for (n, it) in items.iter_mut().enumerate().filter(|(_, it)| it.3) {
        let (Some(holder), Some(at)) = (&it.1, it.2.at) else {
            continue;
        };
        if it.2.handed_by.is_some()
            || burst_of.contains_key(&n)
            || it.2.reviewer.as_deref().is_some_and(|r| stamp.contains(r))
        {
            continue;
        }
        if departed(w, holder).is_some_and(|d| d <= at)
            && removed_between(w, &it.0, spec.start, at).is_some()
        {
            it.2.verdict = Verdict::Revoke;
            it.2.comment = "Left the company; access already removed";
        }
    }

    // Item ids in population order (stale decisions after), then the rows and removals.
    let mut outcome: BTreeMap<ItemKey, Fate> = BTreeMap::new();
    for (n, (k, holder, plan, _)) in items.iter().enumerate() {
        let item = format!("{}-{:04}", spec.id, n + 1);
        let mut out = Fate::default();
        let base = ReviewRow {
            campaign,
            item: item.clone(),
            reviewer: plan.reviewer.clone(),
            role: plan.role,
            subject: holder.clone(),
            sys: k.0,
            account: k.1.clone(),
            ent: Some(k.2.clone()),
            verdict: plan.verdict,
            at: plan.at,
            delegated_to: None,
            comment: plan.comment.to_owned(),
        };
        if let Some((by, when)) = &plan.handed_by {
            w.reviews.push(ReviewRow {
                reviewer: Some(by.clone()),
                role: Some(ReviewerRole::LineManager),
                verdict: Verdict::Delegate,
                at: Some(*when),
                delegated_to: plan.reviewer.clone(),
                comment: "Delegated to a team lead".into(),
                ..base.clone()
            });
            out.rows.push(w.reviews.len() - 1);
        }
        let at = (plan.verdict != Verdict::NoDecision)
            .then_some(plan.at)
            .flatten();
        assert!(
            plan.verdict == Verdict::NoDecision || at.is_some_and(|t| t > spec.start && t <= last),
            "{}: {item} decided outside the campaign",
            spec.id
        );
        w.reviews.push(ReviewRow { at, ..base });
        out.rows.push(w.reviews.len() - 1);
        out.at = at;
        if let Some(&(b, pos)) = burst_of.get(&n) {
            burst_rows[b][pos] = w.reviews.len() - 1;
        }
        if let (true, Some(at)) = (plan.verdict.removes(), at) {
            out.removal = remove(w, k, holder.as_deref(), at, plan.removal);
        }
        outcome.insert(k.clone(), out);
    }
    Ran {
        campaign,
        snapshot,
        outcome,
        bursts: burst_rows,
    }
}

/// Who reviews an item no plant names, in what role, and whether they hand it on.
fn routine(
    w: &mut World,
    h: &Heads,
    spec: &Spec,
    k: &ItemKey,
    holder: Option<&str>,
    has_burst: &BTreeSet<&str>,
) -> Plan {
    let mut p = Plan {
        reviewer: None,
        role: None,
        verdict: Verdict::Keep,
        at: None,
        handed_by: None,
        removal: Removal::Never,
        comment: "",
    };
    let Some(holder) = holder else {
        // An account nobody owns.
        if !spec.orphans_unassigned {
            p.reviewer = Some(pick_security(w, ""));
            p.role = Some(ReviewerRole::InfoSec);
            p.verdict = Verdict::Revoke;
            p.removal = Removal::After(hours(w.rng.range(3, 40)));
            p.comment = "No owner: remove";
        } else {
            p.verdict = Verdict::NoDecision;
            p.comment = "No owner to route to";
        }
        return p;
    };
    if tier(k.0, &k.2) == Tier::Privileged {
        p.reviewer = Some(pick_security(w, holder));
        p.role = Some(ReviewerRole::InfoSec);
        return p;
    }
    let human = w.ident(holder).kind.is_human();
    let responsible = responsible_at(w, holder, spec.start);
    let (who, role) = match responsible {
        Some(m) if human && m != holder => (m, ReviewerRole::LineManager),
        // The CEO reports to nobody: the security head reviews as risk owner.
        _ if human => (h.security.clone(), ReviewerRole::RiskOwner),
        Some(o) if departed(w, &o).is_none_or(|t| t > spec.due) => (o, ReviewerRole::AppOwner),
        // No owner, or an owner who left: IT's head answers for it.
        _ => (h.it.clone(), ReviewerRole::RiskOwner),
    };
    p.reviewer = Some(who.clone());
    p.role = Some(role);
    if let Some(deputy) = h.deputies.get(&who) {
        if deputy != holder && !has_burst.contains(who.as_str()) && w.rng.chance(10) {
            p.handed_by = Some((who, spec.start));
            p.reviewer = Some(deputy.clone());
            p.role = Some(ReviewerRole::LineManager);
        }
    }
    p
}

fn pick_security(w: &mut World, not: &str) -> String {
    let pool: Vec<String> = w.security.iter().filter(|s| *s != not).cloned().collect();
    w.rng.pick(&pool).clone()
}

/// The system's removal a revoke (or modify) decision led to, as its own log records it;
/// returns the execution.
fn remove(w: &mut World, k: &ItemKey, holder: Option<&str>, at: Ts, how: Removal) -> Option<usize> {
    let (after, back) = match how {
        Removal::Never => return None,
        Removal::After(d) => (d, None),
        Removal::Contradicted(d, b) => (d, Some(b)),
    };
    let t = at + after;
    // Leaving the GitHub organization is how a membership of it ends.
    let op = if k.0 == Sys::Github && k.2 == GITHUB_ORG {
        Op::Delete
    } else {
        Op::Revoke
    };
    let x = w.exec(k.0, op, &k.1, Some(&k.2), t, Outcome::Ok, holder, None);
    w.end_expect(k.0, &k.1, &k.2, t);
    if let Some(b) = back {
        // Back on the system with no log entry: the next snapshot still lists it.
        w.holds.push(Hold {
            sys: k.0,
            account: k.1.clone(),
            ent: k.2.clone(),
            ident: holder.map(str::to_owned),
            from: Some(t + b),
        });
    }
    Some(x)
}

// ---- findings ----------------------------------------------------------------------------

#[allow(clippy::too_many_arguments)]
fn push(
    w: &mut World,
    clean: bool,
    check: &'static str,
    identity: Option<String>,
    sys: Option<Sys>,
    item: Option<(&str, &str)>,
    campaign: usize,
    summary: String,
    evidence: Vec<Ref>,
) {
    let f = Finding {
        check,
        identity,
        sys,
        account: item.map(|i| i.0.to_owned()),
        ent: item.map(|i| i.1.to_owned()),
        exception: None,
        campaign: Some(w.campaigns[campaign].id.clone()),
        summary,
        evidence,
    };
    if clean {
        w.clean.push(f);
    } else {
        w.key.push(f);
    }
}

/// A finding (or clean case) about one decision on one item of `ran`.
#[allow(clippy::too_many_arguments)]
fn on_item(
    w: &mut World,
    clean: bool,
    check: &'static str,
    ran: &Ran,
    who: usize,
    k: &ItemKey,
    summary: String,
    extra: Vec<Ref>,
) {
    let out = ran.outcome[k].clone();
    let mut evidence: Vec<Ref> = out.rows.iter().map(|r| Ref::Decision(*r)).collect();
    evidence.extend(extra);
    push(
        w,
        clean,
        check,
        Some(id(w, who)),
        Some(k.0),
        Some((&k.1, &k.2)),
        ran.campaign,
        summary,
        evidence,
    );
}

fn removal_of(ran: &Ran, k: &ItemKey) -> usize {
    ran.outcome[k].removal.expect("a planted removal")
}

fn decided_at(ran: &Ran, k: &ItemKey) -> Ts {
    ran.outcome[k].at.expect("a planted decision")
}

fn sla() -> Duration {
    days(REVOKE_SLA_DAYS)
}

fn overdue(w: &mut World, ran: &Ran, clean: bool, text: String) {
    push(
        w,
        clean,
        OVERDUE,
        None,
        None,
        None,
        ran.campaign,
        text,
        vec![Ref::Campaign(ran.campaign)],
    );
}

fn stamp(w: &mut World, ran: &Ran, clean: bool, reviewer: &str, b: usize, text: &str) {
    let rows = &ran.bursts[b];
    let evidence = vec![Ref::Decision(rows[0]), Ref::Decision(rows[rows.len() - 1])];
    push(
        w,
        clean,
        RUBBER_STAMP,
        Some(reviewer.to_owned()),
        None,
        None,
        ran.campaign,
        text.to_owned(),
        evidence,
    );
}

fn incomplete(w: &mut World, ran: &Ran, clean: bool, sys: Sys, k: Option<&ItemKey>, text: String) {
    let mut evidence = vec![Ref::Campaign(ran.campaign)];
    if let Some(k) = k {
        evidence = ran.outcome[k]
            .rows
            .iter()
            .map(|r| Ref::Decision(*r))
            .collect();
        evidence.push(recon(k.0, &k.1, &k.2, ran.snapshot));
    }
    push(
        w,
        clean,
        INCOMPLETE,
        None,
        Some(sys),
        None,
        ran.campaign,
        text,
        evidence,
    );
}

// ---- the campaigns ------------------------------------------------------------------------

fn q1_finance(w: &mut World, c: &Cast, h: &Heads) {
    let spec = Spec {
        id: "UAR-2025-Q1-FIN",
        name: "Q1 2025 finance application access review",
        systems: &[Sys::Finance],
        scope: FIN_SCOPE,
        start: ts(2025, 4, 7, 9, 0, 0),
        due: ts(2025, 4, 30, 17, 0, 0),
        closed: ts(2025, 4, 30, 17, 0, 1),
        orphans_unassigned: false,
    };
    let contradicted = key_of(w, c.c3_finance, Sys::Finance, "AP-Clerk");
    let plans = BTreeMap::from([(
        contradicted.clone(),
        decide(
            &h.finance,
            ReviewerRole::LineManager,
            Verdict::Revoke,
            day(spec.start, 2, 10, 4),
        )
        .removed(Removal::Contradicted(days(1), hours(6)))
        .because("Moved to vendor onboarding; no longer enters payables"),
    )]);
    let ran = review(w, h, &spec, plans, vec![], vec![]);
    let x = removal_of(&ran, &contradicted);
    let when = w.execs[x].at;
    on_item(
        w,
        false,
        CONTRADICTED,
        &ran,
        c.c3_finance,
        &contradicted,
        "AP-Clerk revoked in the review and removed the next day, but the April snapshot still lists it".into(),
        vec![
            Ref::Exec(x),
            recon(Sys::Finance, &contradicted.1, "AP-Clerk", when),
        ],
    );
    overdue(
        w,
        &ran,
        false,
        "closed 2025-04-30 17:00:01, one second after it was due".into(),
    );
}

fn q1_privileged(w: &mut World, c: &Cast, h: &Heads) {
    let spec = Spec {
        id: "UAR-2025-Q1-PRIV",
        name: "Q1 2025 privileged access review",
        systems: &[Sys::Aws, Sys::K8s, Sys::Linux],
        scope: PRIV_SCOPE,
        start: ts(2025, 4, 14, 8, 0, 0),
        due: ts(2025, 5, 9, 17, 0, 0),
        closed: ts(2025, 5, 9, 17, 0, 0),
        orphans_unassigned: true,
    };
    let owner = |w: &World, n: usize| w.ids[n].owner.clone().unwrap_or_default();
    let not_executed = key_of(w, c.n2_deployer, Sys::K8s, "prod/deployer");
    let late = key_of(w, c.l2_ci, Sys::Aws, POLICY_PROD_DEPLOY);
    let by_manager = key_of(w, c.p1_admin, Sys::Linux, "sudo");
    let nhi_by_manager = key_of(w, c.p2_secrets, Sys::K8s, "prod/secret-admin");
    let by_security = key_of(w, c.p_clean_admin, Sys::Linux, "sudo");
    let stale = key_of(w, c.o2_retired, Sys::K8s, "prod/deployer");
    let secrets_manager = w.approving_manager(&id(w, c.p2_secrets));
    let plans = BTreeMap::from([
        (
            not_executed.clone(),
            decide(
                &owner(w, c.n2_deployer),
                ReviewerRole::AppOwner,
                Verdict::Revoke,
                day(spec.start, 2, 11, 2),
            )
            .because("Pipeline replaced by argo-deployer"),
        ),
        (
            late.clone(),
            decide(
                &owner(w, c.l2_ci),
                ReviewerRole::AppOwner,
                Verdict::Revoke,
                day(spec.start, 2, 11, 31),
            )
            .removed(Removal::After(sla() + Duration::seconds(1)))
            .because("Batch deploys moved to terraform"),
        ),
        (
            by_manager.clone(),
            decide(
                &h.it,
                ReviewerRole::LineManager,
                Verdict::Keep,
                day(spec.start, 3, 14, 6),
            ),
        ),
        (
            nhi_by_manager.clone(),
            decide(
                &secrets_manager,
                ReviewerRole::LineManager,
                Verdict::Keep,
                day(spec.start, 3, 14, 33),
            ),
        ),
    ]);
    let stale_plan = decide(
        &owner(w, c.o2_retired),
        ReviewerRole::AppOwner,
        Verdict::Keep,
        day(spec.start, 2, 11, 12),
    );
    let ran = review(
        w,
        h,
        &spec,
        plans,
        vec![(stale.clone(), id(w, c.o2_retired), stale_plan)],
        vec![],
    );
    let snapshot = ran.snapshot;
    let deadline = decided_at(&ran, &not_executed) + sla();
    on_item(
        w,
        false,
        NOT_EXECUTED,
        &ran,
        c.n2_deployer,
        &not_executed,
        "prod/deployer binding revoked by its owner; never removed, still bound at the next snapshot".into(),
        vec![recon(Sys::K8s, &not_executed.1, "prod/deployer", deadline)],
    );
    let x = removal_of(&ran, &late);
    on_item(
        w,
        false,
        LATE,
        &ran,
        c.l2_ci,
        &late,
        "prod-deploy detached 7 days and 1 second after the revoke decision; SLA 7 days".into(),
        vec![Ref::Exec(x)],
    );
    on_item(
        w,
        false,
        PRIVILEGED,
        &ran,
        c.p1_admin,
        &by_manager,
        "sudo on the bastion certified by the IT line manager, not security".into(),
        vec![],
    );
    on_item(
        w,
        false,
        PRIVILEGED,
        &ran,
        c.p2_secrets,
        &nhi_by_manager,
        "prod/secret-admin of a service account certified by its owner's line manager".into(),
        vec![],
    );
    on_item(
        w,
        false,
        OUTSIDE,
        &ran,
        c.o2_retired,
        &stale,
        "kept a binding of a workload retired and removed in February: not in the March snapshot"
            .into(),
        vec![],
    );
    on_item(
        w,
        true,
        PRIVILEGED,
        &ran,
        c.p_clean_admin,
        &by_security,
        "sudo certified by security (InfoSec), a privileged reviewer role".into(),
        vec![],
    );
    // The accounts nobody owns were assigned to nobody.
    let orphan_aws = (Sys::Aws, "temp-migration".to_owned(), "Admins".to_owned());
    let orphan_k8s = (
        Sys::K8s,
        "system:serviceaccount:legacy:jenkins".to_owned(),
        "cluster-admin".to_owned(),
    );
    incomplete(
        w,
        &ran,
        false,
        Sys::Aws,
        Some(&orphan_aws),
        "closed with temp-migration's Admins undecided (an account nobody owns, never assigned)"
            .into(),
    );
    incomplete(
        w,
        &ran,
        false,
        Sys::K8s,
        Some(&orphan_k8s),
        "closed with legacy:jenkins's cluster-admin undecided (never assigned)".into(),
    );
    incomplete(
        w,
        &ran,
        true,
        Sys::Linux,
        None,
        format!(
            "every bastion sudo item of the {} snapshot decided before the close",
            snapshot.format("%Y-%m-%d")
        ),
    );
    overdue(
        w,
        &ran,
        true,
        "closed 2025-05-09 17:00:00, exactly when it was due: on time".into(),
    );
}

fn q2_engineering(w: &mut World, c: &Cast, h: &Heads) {
    let spec = Spec {
        id: "UAR-2025-Q2-ENG",
        name: "Q2 2025 engineering platforms review",
        systems: &[Sys::Github, Sys::K8s],
        scope: &[],
        start: ts(2025, 7, 7, 8, 0, 0),
        due: ts(2025, 8, 1, 17, 0, 0),
        closed: ts(2025, 7, 30, 15, 12, 0),
        orphans_unassigned: false,
    };
    let not_executed = key_of(w, c.n1_github, Sys::Github, "northwind/engineering");
    let contradicted = key_of(w, c.c1_k8s, Sys::K8s, "dev/edit");
    let at_sla = key_of(w, c.sla_exact, Sys::K8s, "view");
    let eng_head = w.by_id[&h.eng];
    let own = key_of(w, eng_head, Sys::Github, "northwind/engineering");
    let stale = key_of(w, c.o1_joiner, Sys::Github, "northwind/engineering");
    let fresh = key_of(w, c.o_clean_joiner, Sys::Github, "northwind/engineering");
    let lm = ReviewerRole::LineManager;
    let plans = BTreeMap::from([
        (
            not_executed.clone(),
            decide(&h.eng, lm, Verdict::Revoke, day(spec.start, 3, 15, 5))
                .because("Moved to the data platform; not on the engineering team"),
        ),
        (
            contradicted.clone(),
            decide(&h.eng, lm, Verdict::Revoke, day(spec.start, 3, 15, 21))
                .removed(Removal::Contradicted(days(1), hours(3)))
                .because("Works only in prod now; dev edit not needed"),
        ),
        (
            at_sla.clone(),
            decide(&h.eng, lm, Verdict::Revoke, day(spec.start, 3, 15, 43))
                .removed(Removal::After(sla()))
                .because("No longer on call"),
        ),
        (
            own.clone(),
            decide(&h.eng, lm, Verdict::Keep, day(spec.start, 4, 9, 12)),
        ),
    ]);
    let stale_plan = decide(&h.eng, lm, Verdict::Keep, day(spec.start, 4, 9, 31));
    let bursts = vec![
        Burst {
            reviewer: h.eng.clone(),
            at: day(spec.start, 1, 10, 0),
            offsets: run(STAMP_DECISIONS - 1, 2, 36),
            revoke: None,
            all_keep: false,
        },
        Burst {
            reviewer: h.data.clone(),
            at: day(spec.start, 1, 10, 0),
            offsets: run(30, 2, 58),
            revoke: None,
            all_keep: true,
        },
    ];
    let ran = review(
        w,
        h,
        &spec,
        plans,
        vec![(stale.clone(), id(w, c.o1_joiner), stale_plan)],
        bursts,
    );
    let deadline = decided_at(&ran, &not_executed) + sla();
    on_item(
        w,
        false,
        NOT_EXECUTED,
        &ran,
        c.n1_github,
        &not_executed,
        "team membership revoked in the review; never removed, still listed after the 7-day SLA"
            .into(),
        vec![recon(
            Sys::Github,
            &not_executed.1,
            "northwind/engineering",
            deadline,
        )],
    );
    let x = removal_of(&ran, &contradicted);
    let when = w.execs[x].at;
    on_item(
        w,
        false,
        CONTRADICTED,
        &ran,
        c.c1_k8s,
        &contradicted,
        "dev/edit binding deleted the day after the revoke decision, back (no log entry) in the July snapshot".into(),
        vec![Ref::Exec(x), recon(Sys::K8s, &contradicted.1, "dev/edit", when)],
    );
    let x = removal_of(&ran, &at_sla);
    on_item(
        w,
        true,
        LATE,
        &ran,
        c.sla_exact,
        &at_sla,
        "binding removed exactly 7 days after the revoke decision: exactly at the SLA is on time"
            .into(),
        vec![Ref::Exec(x)],
    );
    on_item(
        w,
        false,
        SELF_REVIEW,
        &ran,
        eng_head,
        &own,
        "the engineering head certified their own team membership".into(),
        vec![],
    );
    on_item(
        w,
        false,
        OUTSIDE,
        &ran,
        c.o1_joiner,
        &stale,
        "kept the team membership of a joiner hired 2025-07-01: not in the June snapshot".into(),
        vec![],
    );
    on_item(
        w,
        true,
        OUTSIDE,
        &ran,
        c.o_clean_joiner,
        &fresh,
        "joiner hired 2025-06-10, listed in the June snapshot: inside the population".into(),
        vec![],
    );
    stamp(
        w,
        &ran,
        true,
        &h.eng,
        0,
        "19 keeps within 36 seconds: one fewer than the threshold",
    );
    stamp(
        w,
        &ran,
        false,
        &h.data,
        1,
        "30 keep decisions within 58 seconds",
    );
}

fn q3_collaboration(w: &mut World, c: &Cast, h: &Heads) {
    let spec = Spec {
        id: "UAR-2025-Q3-COLLAB",
        name: "Q3 2025 Google groups review",
        systems: &[Sys::Google],
        scope: COLLAB_SCOPE,
        start: ts(2025, 10, 6, 8, 0, 0),
        due: ts(2025, 10, 31, 17, 0, 0),
        closed: ts(2025, 10, 30, 11, 0, 0),
        orphans_unassigned: false,
    };
    let lm = ReviewerRole::LineManager;
    let late = key_of(w, c.l1_people, Sys::Google, GROUP_PEOPLE);
    let contradicted = key_of(w, c.c2_google, Sys::Google, GROUP_SERVICES);
    let data_head = w.by_id[&h.data];
    let handed = key_of(w, data_head, Sys::Google, GROUP_DATA);
    let it_head = w.by_id[&h.it];
    let own_revoke = key_of(w, it_head, Sys::Google, GROUP_IT);
    let handed_clean = key_of(w, c.handed_clean, Sys::Google, GROUP_PEOPLE);
    let stale = key_of(w, c.o3_mover, Sys::Google, GROUP_FINANCE);
    let stamp_revoke = key_of(w, c.stamp_revoke, Sys::Google, GROUP_FINANCE);
    let data_deputy = h.deputies[&h.data].clone();
    let people_deputy = h.deputies[&h.people].clone();
    let owner = w.ids[c.c2_google].owner.clone().unwrap_or_default();
    let mut handed_plan = decide(&data_deputy, lm, Verdict::Keep, day(spec.start, 3, 16, 20));
    handed_plan.handed_by = Some((h.data.clone(), day(spec.start, 3, 11, 0)));
    let mut handed_clean_plan =
        decide(&people_deputy, lm, Verdict::Keep, day(spec.start, 3, 15, 2));
    handed_clean_plan.handed_by = Some((h.people.clone(), day(spec.start, 3, 10, 0)));
    let plans = BTreeMap::from([
        (
            late.clone(),
            decide(&h.people, lm, Verdict::Revoke, day(spec.start, 2, 13, 3))
                .removed(Removal::After(sla() + Duration::seconds(1)))
                .because("Moved to payroll; not in the people team list"),
        ),
        (
            contradicted.clone(),
            decide(
                &owner,
                ReviewerRole::AppOwner,
                Verdict::Revoke,
                day(spec.start, 2, 13, 34),
            )
            .removed(Removal::Contradicted(days(2), hours(4)))
            .because("Room booking runs on the calendar API only"),
        ),
        (handed.clone(), handed_plan),
        (
            own_revoke.clone(),
            decide(&h.it, lm, Verdict::Revoke, day(spec.start, 3, 9, 0))
                .removed(Removal::After(days(1)))
                .because("I read the IT list through the ticket queue"),
        ),
        (handed_clean.clone(), handed_clean_plan),
    ]);
    let stale_plan = decide(&h.finance, lm, Verdict::Keep, day(spec.start, 3, 9, 41));
    let burst_at = day(spec.start, 1, 10, 0);
    let bursts = vec![
        Burst {
            reviewer: h.sales.clone(),
            at: burst_at,
            offsets: run(STAMP_DECISIONS, 3, STAMP_WINDOW_SECS),
            revoke: None,
            all_keep: true,
        },
        Burst {
            reviewer: h.eng.clone(),
            at: burst_at,
            offsets: run(25, 2, 48),
            revoke: None,
            all_keep: true,
        },
        Burst {
            reviewer: h.data.clone(),
            at: burst_at,
            offsets: run(STAMP_DECISIONS, 3, STAMP_WINDOW_SECS + 1),
            revoke: None,
            all_keep: false,
        },
        Burst {
            reviewer: h.finance.clone(),
            at: burst_at,
            offsets: run(STAMP_DECISIONS, 3, 57),
            revoke: Some(stamp_revoke.clone()),
            all_keep: false,
        },
    ];
    let ran = review(
        w,
        h,
        &spec,
        plans,
        vec![(stale.clone(), id(w, c.o3_mover), stale_plan)],
        bursts,
    );
    let x = removal_of(&ran, &late);
    on_item(
        w,
        false,
        LATE,
        &ran,
        c.l1_people,
        &late,
        "removed from people@ 7 days and 1 second after the revoke decision; SLA 7 days".into(),
        vec![Ref::Exec(x)],
    );
    let x = removal_of(&ran, &contradicted);
    let when = w.execs[x].at;
    on_item(
        w,
        false,
        CONTRADICTED,
        &ran,
        c.c2_google,
        &contradicted,
        "service user removed from service-accounts@ after the revoke decision, listed again in the October snapshot".into(),
        vec![Ref::Exec(x), recon(Sys::Google, &contradicted.1, GROUP_SERVICES, when)],
    );
    on_item(
        w,
        false,
        SELF_REVIEW,
        &ran,
        data_head,
        &handed,
        format!("the data head handed their own data@ membership to {data_deputy}, who kept it"),
        vec![],
    );
    on_item(
        w,
        true,
        SELF_REVIEW,
        &ran,
        it_head,
        &own_revoke,
        "the IT head revoked their own it@ membership (removed the next day): a revoke by the holder is no self-certification".into(),
        vec![],
    );
    on_item(
        w,
        true,
        SELF_REVIEW,
        &ran,
        c.handed_clean,
        &handed_clean,
        format!("the people head (not the holder) handed the item to {people_deputy}, who kept it"),
        vec![],
    );
    on_item(
        w,
        false,
        OUTSIDE,
        &ran,
        c.o3_mover,
        &stale,
        "kept finance@ for someone who moved to sales in August: not in the September snapshot"
            .into(),
        vec![],
    );
    stamp(
        w,
        &ran,
        false,
        &h.sales,
        0,
        "20 keep decisions within exactly 60 seconds (the threshold, inclusive)",
    );
    stamp(
        w,
        &ran,
        false,
        &h.eng,
        1,
        "25 keep decisions within 48 seconds",
    );
    stamp(
        w,
        &ran,
        true,
        &h.data,
        2,
        "20 keeps spanning 61 seconds: one second slower than the threshold",
    );
    stamp(
        w,
        &ran,
        true,
        &h.finance,
        3,
        "20 decisions within 57 seconds, one of them a revoke: not all keep",
    );
}

fn q3_privileged(w: &mut World, c: &Cast, h: &Heads) {
    let spec = Spec {
        id: "UAR-2025-Q3-PRIV",
        name: "Q3 2025 privileged access review",
        systems: &[Sys::Aws, Sys::K8s, Sys::Linux],
        scope: PRIV_SCOPE,
        start: ts(2025, 10, 13, 8, 0, 0),
        due: ts(2025, 11, 7, 17, 0, 0),
        closed: ts(2025, 11, 14, 10, 30, 0),
        orphans_unassigned: false,
    };
    let late = key_of(w, c.l3_admin, Sys::Linux, "sudo");
    let by_owner = key_of(w, c.p2_secrets, Sys::K8s, "prod/secret-admin");
    let security = w.security[1 % w.security.len()].clone();
    let owner = w.ids[c.p2_secrets].owner.clone().unwrap_or_default();
    let plans = BTreeMap::from([
        (
            late.clone(),
            decide(
                &security,
                ReviewerRole::InfoSec,
                Verdict::Revoke,
                day(spec.start, 3, 10, 2),
            )
            .removed(Removal::After(sla() + Duration::seconds(1)))
            .because("Moved to desktop support; no server work"),
        ),
        (
            by_owner.clone(),
            decide(
                &owner,
                ReviewerRole::AppOwner,
                Verdict::Keep,
                day(spec.start, 3, 10, 31),
            ),
        ),
    ]);
    let ran = review(w, h, &spec, plans, vec![], vec![]);
    let x = removal_of(&ran, &late);
    on_item(
        w,
        false,
        LATE,
        &ran,
        c.l3_admin,
        &late,
        "removed from sudo 7 days and 1 second after the revoke decision; SLA 7 days".into(),
        vec![Ref::Exec(x)],
    );
    on_item(
        w,
        true,
        PRIVILEGED,
        &ran,
        c.p2_secrets,
        &by_owner,
        "prod/secret-admin certified by the service account's owner as App Owner (system_owner)"
            .into(),
        vec![],
    );
    incomplete(
        w,
        &ran,
        true,
        Sys::K8s,
        None,
        "every cluster item decided before the close".into(),
    );
    overdue(
        w,
        &ran,
        false,
        "due 2025-11-07 17:00, closed 2025-11-14 10:30".into(),
    );
}

fn q4_finance(w: &mut World, c: &Cast, h: &Heads) {
    let spec = Spec {
        id: "UAR-2025-Q4-FIN",
        name: "Q4 2025 finance application access review",
        systems: &[Sys::Finance],
        scope: FIN_SCOPE,
        start: ts(2025, 12, 1, 9, 0, 0),
        due: ts(2025, 12, 19, 17, 0, 0),
        closed: ts(2025, 12, 22, 10, 0, 0),
        orphans_unassigned: false,
    };
    let lm = ReviewerRole::LineManager;
    let modify = key_of(w, c.n3_finance, Sys::Finance, "Vendor-Master-Edit");
    let fin_head = w.by_id[&h.finance];
    let own = key_of(w, fin_head, Sys::Finance, "GL-Approver");
    let privileged = key_of(w, c.p3_treasury, Sys::Finance, "Payments-Release");
    let undecided = key_of(w, c.i3_undecided, Sys::Finance, "AP-Clerk");
    let mut open = decide(&h.finance, lm, Verdict::NoDecision, spec.start);
    open.at = None;
    let plans = BTreeMap::from([
        (
            modify.clone(),
            decide(&h.finance, lm, Verdict::Modify, day(spec.start, 3, 11, 0))
                .because("Replace with Vendor-Read"),
        ),
        (
            own.clone(),
            decide(&h.finance, lm, Verdict::Keep, day(spec.start, 3, 11, 21)),
        ),
        (
            privileged.clone(),
            decide(&h.finance, lm, Verdict::Keep, day(spec.start, 3, 11, 40)),
        ),
        (undecided.clone(), open),
    ]);
    let ran = review(w, h, &spec, plans, vec![], vec![]);
    let deadline = decided_at(&ran, &modify) + sla();
    on_item(
        w,
        false,
        NOT_EXECUTED,
        &ran,
        c.n3_finance,
        &modify,
        "Vendor-Master-Edit marked modify (replace with Vendor-Read); never removed, still held at the year-end snapshot".into(),
        vec![recon(Sys::Finance, &modify.1, "Vendor-Master-Edit", deadline)],
    );
    on_item(
        w,
        false,
        SELF_REVIEW,
        &ran,
        fin_head,
        &own,
        "the finance head certified their own GL-Approver role".into(),
        vec![],
    );
    on_item(
        w,
        false,
        PRIVILEGED,
        &ran,
        c.p3_treasury,
        &privileged,
        "Payments-Release certified by the finance line manager, not security".into(),
        vec![],
    );
    incomplete(
        w,
        &ran,
        false,
        Sys::Finance,
        Some(&undecided),
        "closed with one AP-Clerk item never decided by its reviewer".into(),
    );
    overdue(
        w,
        &ran,
        false,
        "due 2025-12-19 17:00, closed 2025-12-22 10:00".into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_ignoring_case() {
        assert!(glob("eng@*", "ENG@northwind.example"));
        assert!(glob(
            "arn:aws:iam::*:policy/*-admin",
            POLICY_CLOUDTRAIL_ADMIN
        ));
        assert!(!glob("arn:aws:iam::*:policy/*-admin", POLICY_PROD_DEPLOY));
        assert!(glob("prod/*", "prod/deployer"));
        assert!(glob("s?do", "sudo"));
        assert!(!glob("sudo", "sudoers"));
    }

    #[test]
    fn runs_span_what_they_say() {
        let r = run(20, 3, 60);
        assert_eq!((r.len(), r[0], r[19]), (20, 0, 60));
        assert!(r.windows(2).all(|p| p[0] < p[1]));
    }
}
