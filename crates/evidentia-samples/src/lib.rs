//! Generates Northwind Analytics' year of identity-lifecycle evidence — every input in its real format — plus the answer key of planted gaps.
//!
//! The output is a pure function of `(seed, scale)`: a self-written SplitMix64 generator, a
//! fixed calendar (2025, UTC), no clock, no network, and every file written in a stable order.
//!
//! ```
//! let files = evidentia_samples::generate(&evidentia_samples::Config { seed: 7, scale: 1 }).unwrap();
//! assert!(files.iter().any(|f| f.path == "answer-key.json"));
//! ```

// Row tuples are local to the writer; naming each would add types nobody else uses.
#![allow(clippy::type_complexity)]

mod json;
mod listing;
mod model;
mod org;
mod plants;
mod policy;
mod render;
mod reviews;
pub mod rng;
mod temporary;
mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result, bail};

use json::{J, o, s};
use model::*;
use render::{csv, iso, local};
use world::*;

pub use model::SYSTEMS;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub seed: u64,
    /// 1 is the committed sample (~300 people, ~120 NHIs); N multiplies the company.
    pub scale: u32,
}

/// One generated file: its path relative to the output directory, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What each generated file is and how to import it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A native provisioning log for this system id.
    Log(&'static str),
    /// A CSV/TSV read through this built-in profile.
    Profile(&'static str),
    /// A CSV read through a profile the generator writes beside it (path in the output).
    ProfileFile(&'static str),
    /// Not an import (policy, answer key).
    Other,
}

/// How a generated file is imported (by path).
pub fn input_of(path: &str) -> Input {
    for sys in SYSTEMS {
        if path == sys.log_file() {
            return if sys == Sys::Finance {
                Input::Profile("provisioning-csv")
            } else {
                Input::Log(sys.id())
            };
        }
    }
    match path {
        "hr/workers.csv" => Input::Profile("hr-extract"),
        "nhi/catalog.csv" => Input::Profile("nhi-catalog"),
        "tickets/access-requests.csv" => Input::Profile("ticket-export"),
        "exceptions/register.csv" => Input::Profile("exceptions-register"),
        REVIEWS_FILE => Input::Profile("access-review"),
        temporary::REGISTER_FILE => Input::ProfileFile(temporary::REGISTER_PROFILE),
        p if p.starts_with("reconciliation/") => Input::Profile("reconciliation-csv"),
        _ => Input::Other,
    }
}

/// The emergency-access register, and the profile it is read with (no built-in profile has
/// its layout: a user writes one, as docs/import-profiles.md describes).
pub use temporary::{REGISTER_FILE as EMERGENCY_FILE, REGISTER_PROFILE as EMERGENCY_PROFILE};

/// The access-review export: every campaign's decisions, the campaign's columns on each row.
pub const REVIEWS_FILE: &str = "reviews/access-reviews-2025.csv";

/// The review export's header (the built-in `access-review` profile's layout).
pub const REVIEWS_HEADER: &str = "Campaign ID,Campaign Name,Campaign Systems,Campaign Scope,Campaign Start,Campaign Due,Campaign Closed,Item ID,Reviewer,Reviewer Role,Subject,System,Account,Entitlement,Decision,Decided At,Delegated To,Comment";

/// Builds the world and renders every file, in memory.
pub fn generate(cfg: &Config) -> Result<Vec<File>> {
    let mut w = World::new(cfg.seed, cfg.scale);
    org::build_core(&mut w);
    let owners = org::owners(&mut w);
    w.owner_pool = owners.clone();
    org::build_nhis(&mut w, &owners);
    let people = (300 * w.scale)
        .saturating_sub(w.ids.iter().filter(|i| i.kind.is_human()).count() as u32 + 52);
    org::build_people(&mut w, people);
    plants::plant_all(&mut w);
    reviews::plant_all(&mut w);
    // Issue 19's credential cases come last, from their own random stream, so every earlier
    // record (and the writer's stream) is what it was without them.
    let main = w.rng.clone();
    w.rng = main.fork(0x19C2_ED00);
    plants::credentials(&mut w);
    // Then its time-bound and emergency cases, from a stream of their own for the same reason.
    w.rng = main.fork(0x19B0_0E4C);
    temporary::plant(&mut w);
    w.rng = main;
    Writer::new(&w, cfg).finish()
}

/// Generates and writes every file under `out` (created if missing). Returns the files.
pub fn write_to(cfg: &Config, out: &Path) -> Result<Vec<File>> {
    let files = generate(cfg)?;
    for f in &files {
        let path = out.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(files)
}

/// Where each record landed: (file, 1-based line).
type Loc = (String, u64);

struct Writer<'a> {
    w: &'a World,
    cfg: Config,
    rng: rng::Rng,
    files: Vec<File>,
    exec_at: BTreeMap<usize, Loc>,
    event_at: BTreeMap<usize, Loc>,
    approval_at: BTreeMap<usize, Loc>,
    exception_at: BTreeMap<usize, Loc>,
    /// Review rows and campaigns (their first row).
    review_at: BTreeMap<usize, Loc>,
    /// Rows of the emergency-access register (index into `World::emergency`).
    emergency_at: BTreeMap<usize, Loc>,
    campaign_at: BTreeMap<usize, Loc>,
    /// Signed API calls (index into `World::calls`) → where they landed.
    call_at: BTreeMap<usize, Loc>,
    /// (sys, account, ent) → snapshots (as_of, file, line) listing it.
    recon_at: BTreeMap<(Sys, String, String), Vec<(Ts, String, u64)>>,
}

impl<'a> Writer<'a> {
    fn new(w: &'a World, cfg: &Config) -> Self {
        Writer {
            w,
            cfg: *cfg,
            rng: w.rng.fork(0xF11E),
            files: Vec::new(),
            exec_at: BTreeMap::new(),
            event_at: BTreeMap::new(),
            approval_at: BTreeMap::new(),
            exception_at: BTreeMap::new(),
            review_at: BTreeMap::new(),
            emergency_at: BTreeMap::new(),
            campaign_at: BTreeMap::new(),
            call_at: BTreeMap::new(),
            recon_at: BTreeMap::new(),
        }
    }

    fn push(&mut self, path: &str, text: String) {
        self.files.push(File {
            path: path.to_owned(),
            bytes: text.into_bytes(),
        });
    }

    fn finish(mut self) -> Result<Vec<File>> {
        self.hr();
        self.catalog();
        self.tickets();
        self.exceptions();
        self.logs();
        self.reconciliation();
        self.reviews();
        self.emergency();
        let policy = policy::policy_toml(self.w);
        self.push("policy.toml", policy);
        let key = self.key()?;
        self.push("answer-key.json", key);
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(self.files)
    }

    fn hr(&mut self) {
        let w = self.w;
        let mut idx: Vec<usize> = (0..w.events.len())
            .filter(|&i| w.ids[w.events[i].ident].kind.is_human())
            .collect();
        idx.sort_by(|&a, &b| {
            (w.events[a].at, &w.events[a].id).cmp(&(w.events[b].at, &w.events[b].id))
        });
        let mut out = String::from(
            "Event ID,Employee ID,Worker Name,Work Email,Worker Type,Event,Event Reason,Effective Date,Job Code,Prior Job Code,Department,Manager ID,Location,Employee Class,Contract End\n",
        );
        for (n, &i) in idx.iter().enumerate() {
            let e = &w.events[i];
            let p = &w.ids[e.ident];
            let contractor = p.kind == Kind::Contractor;
            let event = match e.etype {
                EvType::Hire => "Hire",
                EvType::ContractStart => "Contract Start",
                EvType::Transfer => "Transfer",
                EvType::Termination => "Termination",
                _ => "Contract End",
            };
            let location = ["Boston", "Remote", "Lisbon", "Berlin", "Remote"]
                [(render::fnv(&p.id) % 5) as usize];
            let dept = role(&e.role).dept;
            let ends = p
                .contract_end
                .map(|t| local(t, -5, "%m/%d/%Y"))
                .unwrap_or_default();
            let row = [
                e.id.as_str(),
                &p.id,
                &p.display,
                &p.email().unwrap_or_default(),
                if contractor {
                    "Contingent Worker"
                } else {
                    "Employee"
                },
                event,
                &e.reason,
                &local(e.at, -5, "%m/%d/%Y %H:%M"),
                &e.role,
                e.prior_role.as_deref().unwrap_or(""),
                dept,
                e.manager.as_deref().unwrap_or(""),
                location,
                if contractor {
                    "Fixed Term"
                } else {
                    "Full Time"
                },
                if contractor { &ends } else { "" },
            ];
            out.push_str(&row.iter().map(|f| csv(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
            self.event_at
                .insert(i, ("hr/workers.csv".into(), n as u64 + 2));
        }
        self.push("hr/workers.csv", out);
    }

    fn catalog(&mut self) {
        let w = self.w;
        let mut idx: Vec<usize> = (0..w.events.len())
            .filter(|&i| !w.ids[w.events[i].ident].kind.is_human())
            .collect();
        idx.sort_by(|&a, &b| {
            (w.events[a].at, &w.events[a].id).cmp(&(w.events[b].at, &w.events[b].id))
        });
        let mut out = String::from(
            "Change ID,NHI ID,Name,Type,Event,Event Date,Owner,System,Access Profile,Expires,Reason\n",
        );
        for (n, &i) in idx.iter().enumerate() {
            let e = &w.events[i];
            let x = &w.ids[e.ident];
            let event = match e.etype {
                EvType::NhiCreated => "Created",
                EvType::NhiOwnerChanged => "Owner Changed",
                _ => "Retired",
            };
            // A credential's catalog name is its id, so the key and the catalog entry meet.
            let name = if x.kind.is_credential() && x.alias.is_some() && x.role.is_empty() {
                x.alias.clone().unwrap_or_default()
            } else {
                x.display.clone()
            };
            let profile = if x.role.is_empty() {
                "credential".to_owned()
            } else {
                x.role.clone()
            };
            let row = [
                e.id.clone(),
                x.id.clone(),
                name,
                x.kind.catalog().to_owned(),
                event.to_owned(),
                iso(e.at),
                e.owner.clone().unwrap_or_default(),
                x.sys.map(|s| s.id()).unwrap_or("").to_owned(),
                profile,
                x.expires
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                e.reason.clone(),
            ];
            out.push_str(&row.iter().map(|f| csv(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
            self.event_at
                .insert(i, ("nhi/catalog.csv".into(), n as u64 + 2));
        }
        self.push("nhi/catalog.csv", out);
    }

    fn tickets(&mut self) {
        let w = self.w;
        let mut idx: Vec<usize> = (0..w.approvals.len()).collect();
        idx.sort_by(|&a, &b| {
            (w.approvals[a].at, &w.approvals[a].id).cmp(&(w.approvals[b].at, &w.approvals[b].id))
        });
        let mut out = String::from(
            "Number,Requested For,Item,System,Requested By,Approver,Approver Role,State,Approved At,Tier,Justification,Access Expires,Exception\n",
        );
        for (n, &i) in idx.iter().enumerate() {
            let a = &w.approvals[i];
            let role = match a.role {
                ApRole::Manager => "Line Manager",
                ApRole::Security => "IT Security",
            };
            let row = [
                a.id.clone(),
                a.subject.clone(),
                a.item.clone(),
                a.sys.id().to_owned(),
                a.requester.clone().unwrap_or_default(),
                a.approver.clone(),
                role.to_owned(),
                a.state.to_owned(),
                local(a.at, 1, "%Y-%m-%d %H:%M:%S"),
                a.tier.ticket().to_owned(),
                a.justification.clone(),
                a.expires
                    .map(|t| local(t, 1, "%Y-%m-%d %H:%M:%S"))
                    .unwrap_or_default(),
                if a.exception { "Yes" } else { "No" }.to_owned(),
            ];
            out.push_str(&row.iter().map(|f| csv(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
            self.approval_at
                .insert(i, ("tickets/access-requests.csv".into(), n as u64 + 2));
        }
        self.push("tickets/access-requests.csv", out);
    }

    fn exceptions(&mut self) {
        let w = self.w;
        let mut out = String::from(
            "Exception ID,Subject,System,Access,Tier,Owner,Approved By,Granted,Expires,Reason,Renewal History,Last Renewed By,Last Renewed On,Extended To\n",
        );
        let d = |t: Ts| t.format("%d/%m/%Y").to_string();
        for (n, e) in w.exceptions.iter().enumerate() {
            let history: Vec<String> = e
                .renewals
                .iter()
                .map(|(by, at, to)| format!("{by}@{}->{}", d(*at), d(*to)))
                .collect();
            let row = [
                e.id.clone(),
                e.subject.clone(),
                e.sys.id().to_owned(),
                e.ent.clone(),
                e.tier.ticket().to_owned(),
                e.owner.clone().unwrap_or_default(),
                e.approver.clone(),
                d(e.granted),
                e.expires.map(d).unwrap_or_default(),
                e.reason.clone(),
                history.join("; "),
                String::new(),
                String::new(),
                String::new(),
            ];
            out.push_str(&row.iter().map(|f| csv(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
            self.exception_at
                .insert(n, ("exceptions/register.csv".into(), n as u64 + 2));
        }
        self.push("exceptions/register.csv", out);
    }

    fn logs(&mut self) {
        let w = self.w;
        let mut per: BTreeMap<Sys, Vec<(Ts, u64, String, Option<usize>)>> = BTreeMap::new();
        // The executions the access reviews added render from their own stream, so adding them
        // leaves every other line (and the noise after them) as it was.
        let mut later = self.rng.fork(0x2EF1_E705);
        for (i, x) in w.execs.iter().enumerate() {
            let rng = if i >= w.execs_before_reviews {
                &mut later
            } else {
                &mut self.rng
            };
            let line = render::exec_line(w, x, rng);
            per.entry(x.sys)
                .or_default()
                .push((x.at, i as u64, line, Some(i)));
        }
        for (k, (sys, at, line)) in noise::lines(w, &mut self.rng, self.cfg.scale)
            .into_iter()
            .enumerate()
        {
            per.entry(sys)
                .or_default()
                .push((at, (w.execs.len() + k) as u64, line, None));
        }
        // Signed calls: after every execution and noise line in the tie order.
        let mut calls: BTreeMap<u64, usize> = BTreeMap::new();
        for (k, c) in w.calls.iter().enumerate() {
            let idx = u64::MAX / 2 + k as u64;
            calls.insert(idx, k);
            per.entry(Sys::Aws)
                .or_default()
                .push((c.at, idx, render::call_line(c), None));
        }
        // Sign-ins: after the signed calls in the tie order.
        for (k, x) in w.sign_ins.iter().enumerate() {
            let idx = u64::MAX / 4 * 3 + k as u64;
            per.entry(x.sys)
                .or_default()
                .push((x.at, idx, render::sign_in_line(x), None));
        }
        for sys in SYSTEMS {
            let mut rows = per.remove(&sys).unwrap_or_default();
            rows.sort_by_key(|r| (r.0, r.1));
            let mut out = String::new();
            let header = sys == Sys::Finance;
            if header {
                out.push_str(render::FINANCE_HEADER);
                out.push('\n');
            }
            for (n, (_, idx, line, x)) in rows.into_iter().enumerate() {
                out.push_str(&line);
                out.push('\n');
                if let Some(&c) = calls.get(&idx).filter(|_| sys == Sys::Aws) {
                    self.call_at
                        .insert(c, (sys.log_file().to_owned(), n as u64 + 1));
                }
                if let Some(x) = x {
                    self.exec_at.insert(
                        x,
                        (sys.log_file().to_owned(), n as u64 + 1 + u64::from(header)),
                    );
                }
            }
            self.push(sys.log_file(), out);
        }
    }

    fn reconciliation(&mut self) {
        let w = self.w;
        // Who each (system, account[, entitlement]) belongs to, as the reconciliation tool correlated it.
        let mut row_ident: BTreeMap<(Sys, String, String), Option<String>> = BTreeMap::new();
        let mut acct_ident: BTreeMap<(Sys, String), Option<String>> = BTreeMap::new();
        for h in &w.holds {
            row_ident.insert((h.sys, h.account.clone(), h.ent.clone()), h.ident.clone());
            acct_ident
                .entry((h.sys, h.account.clone()))
                .or_insert(h.ident.clone());
        }
        for x in &w.execs {
            if let Some(e) = &x.ent {
                row_ident
                    .entry((x.sys, x.account.clone(), e.clone()))
                    .or_insert(x.ident.clone());
            }
            acct_ident
                .entry((x.sys, x.account.clone()))
                .or_insert(x.ident.clone());
        }
        let mut expects: BTreeMap<(Sys, String, String), Vec<(Ts, Option<Ts>)>> = BTreeMap::new();
        for e in &w.expects {
            expects
                .entry((e.sys, e.account.clone(), e.ent.clone()))
                .or_default()
                .push((e.from, e.until));
        }
        let expected = |k: &(Sys, String, String), t: Ts| {
            expects
                .get(k)
                .is_some_and(|v| v.iter().any(|(f, u)| *f <= t && u.is_none_or(|u| t < u)))
        };

        let start = snapshot_times()[0];
        let mut replay = listing::Replay::new(w);
        for (m, as_of) in snapshot_times().into_iter().enumerate() {
            replay.advance(as_of);
            let state = &replay.state;
            let name = format!("reconciliation/{}.tsv", as_of.format("%Y-%m-%d"));
            let mut rows: Vec<(Sys, String, String, String, &'static str, String)> = Vec::new();
            let mut present: BTreeSet<(Sys, String, String)> = BTreeSet::new();
            for ((sys, account), a) in state {
                if !a.active || a.ents.is_empty() {
                    continue;
                }
                let orphan = w.orphans.contains(&(*sys, account.clone()));
                let last = self.last_used(*sys, account, as_of, a.first.unwrap_or(start), orphan);
                for e in &a.ents {
                    let k = (*sys, account.clone(), e.clone());
                    present.insert(k.clone());
                    let last = match w.cred_use.get(&k) {
                        None => last.clone(),
                        Some(CredUse::Never) => String::new(),
                        Some(CredUse::Cap(c)) => {
                            let own = self.last_used(
                                *sys,
                                account,
                                as_of,
                                a.first.unwrap_or(start),
                                orphan,
                            );
                            iso(parse_iso(&own).min(*c))
                        }
                        Some(CredUse::Uses(uses)) => {
                            match uses.iter().filter(|u| **u <= as_of).max() {
                                Some(u) => iso(*u),
                                None => {
                                    let own = self.last_used(
                                        *sys,
                                        account,
                                        as_of,
                                        a.first.unwrap_or(start),
                                        orphan,
                                    );
                                    let first = uses.iter().min().copied().unwrap_or(as_of);
                                    iso(parse_iso(&own).min(first - days(1)))
                                }
                            }
                        }
                    };
                    let ident =
                        row_ident.get(&k).cloned().flatten().or_else(|| {
                            acct_ident.get(&(*sys, account.clone())).cloned().flatten()
                        });
                    let status = if orphan {
                        "Orphan"
                    } else if expected(&k, as_of) {
                        "Matched"
                    } else {
                        "Unexpected"
                    };
                    rows.push((
                        *sys,
                        account.clone(),
                        ident.unwrap_or_default(),
                        e.clone(),
                        status,
                        last.clone(),
                    ));
                }
            }
            for (k, _) in expects.iter() {
                if expected(k, as_of) && !present.contains(k) {
                    let ident = row_ident
                        .get(k)
                        .cloned()
                        .flatten()
                        .or_else(|| acct_ident.get(&(k.0, k.1.clone())).cloned().flatten());
                    rows.push((
                        k.0,
                        k.1.clone(),
                        ident.unwrap_or_default(),
                        k.2.clone(),
                        "Missing",
                        String::new(),
                    ));
                }
            }
            rows.sort_by(|a, b| (a.0, &a.1, &a.3).cmp(&(b.0, &b.1, &b.3)));
            let mut out =
                String::from("System\tAs Of\tAccount\tIdentity\tEntitlement\tStatus\tLast Used\n");
            let stamp = iso(as_of);
            for (n, (sys, account, ident, ent, status, last)) in rows.into_iter().enumerate() {
                out.push_str(&format!(
                    "{}\t{stamp}\t{account}\t{ident}\t{ent}\t{status}\t{last}\n",
                    sys.id()
                ));
                self.recon_at.entry((sys, account, ent)).or_default().push((
                    as_of,
                    name.clone(),
                    n as u64 + 2,
                ));
            }
            let _ = m;
            self.push(&name, out);
        }
    }

    /// The review export, campaign by campaign in order of start, items in id order (a
    /// delegation before the decision it led to).
    fn reviews(&mut self) {
        let w = self.w;
        let mut idx: Vec<usize> = (0..w.reviews.len()).collect();
        idx.sort_by(|&a, &b| {
            let (x, y) = (&w.reviews[a], &w.reviews[b]);
            (x.campaign, &x.item, a).cmp(&(y.campaign, &y.item, b))
        });
        let mut out = format!("{REVIEWS_HEADER}\n");
        for (n, &i) in idx.iter().enumerate() {
            let r = &w.reviews[i];
            let c = &w.campaigns[r.campaign];
            let systems: Vec<&str> = c.systems.iter().map(|s| s.id()).collect();
            let row = [
                c.id.clone(),
                c.name.clone(),
                systems.join(";"),
                c.scope.join(";"),
                iso(c.start),
                iso(c.due),
                iso(c.closed),
                r.item.clone(),
                r.reviewer.clone().unwrap_or_default(),
                r.role.map(|x| x.label()).unwrap_or("").to_owned(),
                r.subject.clone().unwrap_or_default(),
                r.sys.id().to_owned(),
                r.account.clone(),
                r.ent.clone().unwrap_or_default(),
                r.verdict.label().to_owned(),
                r.at.map(iso).unwrap_or_default(),
                r.delegated_to.clone().unwrap_or_default(),
                r.comment.clone(),
            ];
            out.push_str(&row.iter().map(|f| csv(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
            let loc = (REVIEWS_FILE.to_owned(), n as u64 + 2);
            self.campaign_at
                .entry(r.campaign)
                .or_insert_with(|| loc.clone());
            self.review_at.insert(i, loc);
        }
        self.push(REVIEWS_FILE, out);
    }

    /// Last Used for an account in a snapshot: recent routine use, unless a plant says otherwise.
    fn last_used(&self, sys: Sys, account: &str, as_of: Ts, first: Ts, orphan: bool) -> String {
        if orphan {
            return iso(ts(2024, 8, 30, 17, 45, 12));
        }
        // Each row draws from its own stream, so adding or removing an account elsewhere leaves
        // every other row's value as it was.
        let mut rng = rng::Rng::new(
            self.cfg.seed ^ render::fnv(&format!("{}|{account}|{}", sys.id(), iso(as_of))),
        );
        let back = chrono::Duration::seconds(rng.range(3600, 6 * 86_400));
        let mut t = (as_of - back).max(first.min(as_of));
        match self.w.last_use.get(&(sys, account.to_owned())) {
            Some(LastUse::At(at)) if *at <= as_of => t = *at,
            Some(LastUse::At(at)) => t = t.min(*at - days(1)),
            Some(LastUse::Cap(c)) => t = t.min(*c),
            None => {}
        }
        iso(t)
    }

    /// The line and event id of the account's first sign-in of this outcome in the system's
    /// written log: where the importer locates the activity summary it folds them into.
    fn first_sign_in(&self, sys: Sys, account: &str, ok: bool) -> Option<(u64, String)> {
        let log = self.files.iter().find(|f| f.path == sys.log_file())?;
        let text = std::str::from_utf8(&log.bytes).ok()?;
        text.lines().enumerate().find_map(|(n, l)| {
            // Only lines naming the account are parsed: the large sets' logs are mostly noise.
            if !l.contains(account) {
                return None;
            }
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let (who, result, sid) = match sys {
                Sys::Aws if v["eventName"] == "ConsoleLogin" => (
                    &v["userIdentity"]["arn"],
                    v["responseElements"]["ConsoleLogin"] == "Success",
                    &v["eventID"],
                ),
                Sys::Okta if v["eventType"] == "user.session.start" => (
                    &v["actor"]["alternateId"],
                    v["outcome"]["result"] == "SUCCESS",
                    &v["uuid"],
                ),
                _ => return None,
            };
            (who.as_str() == Some(account) && result == ok)
                .then(|| Some((n as u64 + 1, sid.as_str()?.to_owned())))
                .flatten()
        })
    }

    fn loc_json(&self, r: &Ref) -> Result<J> {
        let w = self.w;
        let (kind, loc, id, sid) = match r {
            Ref::Exec(i) => (
                "execution",
                self.exec_at.get(i),
                None,
                w.execs[*i].sid.clone(),
            ),
            Ref::Event(i) => (
                "lifecycle_event",
                self.event_at.get(i),
                Some(w.events[*i].id.clone()),
                None,
            ),
            Ref::Approval(i) => (
                "approval",
                self.approval_at.get(i),
                Some(w.approvals[*i].id.clone()),
                None,
            ),
            Ref::Exception(i) => (
                "exception",
                self.exception_at.get(i),
                Some(w.exceptions[*i].id.clone()),
                None,
            ),
            Ref::Decision(i) => (
                "review_decision",
                self.review_at.get(i),
                Some(w.reviews[*i].item.clone()),
                None,
            ),
            Ref::Emergency(i) => (
                "emergency_use",
                self.emergency_at.get(i),
                Some(w.emergency[*i].id.clone()),
                None,
            ),
            Ref::Campaign(i) => (
                "review_campaign",
                self.campaign_at.get(i),
                Some(w.campaigns[*i].id.clone()),
                None,
            ),
            Ref::Call(i) => {
                let Some((file, line)) = self.call_at.get(i) else {
                    bail!("call {i} was not written")
                };
                return Ok(o(vec![
                    ("kind", s("activity")),
                    ("file", s(file)),
                    ("line", J::N(*line as i64)),
                    ("source_event_id", s(&w.calls[*i].sid)),
                ]));
            }
            Ref::SignIn(i) => {
                // The importer folds every sign-in of one account and outcome (the routine
                // ones included) into one summary, located at its first line in the file.
                let x = &w.sign_ins[*i];
                let Some((line, sid)) = self.first_sign_in(x.sys, &x.account, x.ok) else {
                    bail!("sign-in {i} was not written")
                };
                return Ok(o(vec![
                    ("kind", s("activity")),
                    ("file", s(x.sys.log_file())),
                    ("line", J::N(line as i64)),
                    ("source_event_id", s(sid)),
                ]));
            }
            Ref::Recon {
                sys,
                account,
                ent,
                after,
            } => {
                let hit = self
                    .recon_at
                    .get(&(*sys, account.clone(), ent.clone()))
                    .and_then(|v| v.iter().find(|(t, _, _)| t >= after));
                let Some((_, file, line)) = hit else {
                    bail!(
                        "no reconciliation row for {} {account} {ent} after {after}",
                        sys.id()
                    );
                };
                return Ok(o(vec![
                    ("kind", s("reconciliation")),
                    ("file", s(file)),
                    ("line", J::N(*line as i64)),
                ]));
            }
        };
        let Some((file, line)) = loc else {
            bail!("evidence {r:?} was not written")
        };
        let mut v = vec![
            ("kind", s(kind)),
            ("file", s(file)),
            ("line", J::N(*line as i64)),
        ];
        if let Some(id) = id {
            v.push(("id", s(id)));
        }
        if let Some(sid) = sid.filter(|x| !x.is_empty()) {
            v.push(("source_event_id", s(sid)));
        }
        Ok(o(v))
    }

    fn finding_json(&self, f: &Finding, clean: bool) -> Result<J> {
        let opt = |v: &Option<String>| v.as_ref().map_or(J::Null, s);
        let evidence = f
            .evidence
            .iter()
            .map(|r| self.loc_json(r))
            .collect::<Result<Vec<_>>>()?;
        let mut v = vec![
            (if clean { "not_check" } else { "check" }, s(f.check)),
            ("identity", opt(&f.identity)),
            ("system", f.sys.map_or(J::Null, |x| s(x.id()))),
            ("account", opt(&f.account)),
            ("entitlement", opt(&f.ent)),
        ];
        if !clean {
            v.push(("exception", opt(&f.exception)));
        }
        if !clean || f.campaign.is_some() {
            v.push(("campaign", opt(&f.campaign)));
        }
        v.push((if clean { "why_clean" } else { "summary" }, s(&f.summary)));
        v.push(("evidence", J::A(evidence)));
        Ok(o(v))
    }

    /// The emergency-access register (a ticketing tool's export, UTC) and the profile that
    /// reads it.
    fn emergency(&mut self) {
        let w = self.w;
        let mut out = String::from(
            "Use ID,Use Type,Application,Account,Access,Activated At,Ticket,Used By,Post-Review By,Post-Review Decision,Post-Review At,Notes\n",
        );
        let mut idx: Vec<usize> = (0..w.emergency.len()).collect();
        idx.sort_by_key(|&i| (w.emergency[i].at, i));
        for (n, &i) in idx.iter().enumerate() {
            let u = &w.emergency[i];
            let row = [
                u.id.clone(),
                if u.ent.is_some() {
                    "JIT activation"
                } else {
                    "Break-glass sign-in"
                }
                .to_owned(),
                u.sys.id().to_owned(),
                u.account.clone(),
                u.ent.clone().unwrap_or_default(),
                iso(u.at),
                u.ticket.clone().unwrap_or_default(),
                u.used_by.clone(),
                u.reviewer.clone().unwrap_or_default(),
                u.decision.unwrap_or("").to_owned(),
                u.reviewed_at.map(iso).unwrap_or_default(),
                u.summary.clone(),
            ];
            out.push_str(&row.iter().map(|f| csv(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
            self.emergency_at
                .insert(i, (temporary::REGISTER_FILE.into(), n as u64 + 2));
        }
        self.push(temporary::REGISTER_FILE, out);
        self.push(
            temporary::REGISTER_PROFILE,
            temporary::REGISTER_PROFILE_TOML.to_owned(),
        );
    }

    fn key(&self) -> Result<String> {
        let mut findings: Vec<&Finding> = self.w.key.iter().collect();
        let sort_key = |f: &&Finding| {
            (
                f.check,
                f.sys,
                f.identity.clone(),
                f.account.clone(),
                f.ent.clone(),
                f.exception.clone(),
                f.campaign.clone(),
            )
        };
        findings.sort_by_key(sort_key);
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for f in &findings {
            *counts.entry(f.check).or_default() += 1;
        }
        let mut clean: Vec<&Finding> = self.w.clean.iter().collect();
        clean.sort_by_key(sort_key);
        let findings = findings
            .iter()
            .map(|f| self.finding_json(f, false))
            .collect::<Result<Vec<_>>>()?;
        let clean = clean
            .iter()
            .map(|f| self.finding_json(f, true))
            .collect::<Result<Vec<_>>>()?;
        let mut not_assessed: Vec<&Finding> = self.w.not_assessed.iter().collect();
        not_assessed.sort_by_key(sort_key);
        let not_assessed = not_assessed
            .iter()
            .map(|f| {
                let evidence = f
                    .evidence
                    .iter()
                    .map(|r| self.loc_json(r))
                    .collect::<Result<Vec<_>>>()?;
                let opt = |v: &Option<String>| v.as_ref().map_or(J::Null, s);
                Ok(o(vec![
                    ("check", s(f.check)),
                    ("identity", opt(&f.identity)),
                    ("system", f.sys.map_or(J::Null, |x| s(x.id()))),
                    ("account", opt(&f.account)),
                    ("entitlement", opt(&f.ent)),
                    ("why_not_assessed", s(&f.summary)),
                    ("evidence", J::A(evidence)),
                ]))
            })
            .collect::<Result<Vec<_>>>()?;
        let key = o(vec![
            ("format", s("evidentia-answer-key/1")),
            (
                "generator",
                o(vec![
                    ("seed", J::N(self.cfg.seed as i64)),
                    ("scale", J::N(i64::from(self.cfg.scale))),
                ]),
            ),
            (
                "period",
                o(vec![
                    ("start", s(iso(period_start()))),
                    ("end", s(iso(period_end()))),
                ]),
            ),
            (
                "semantics",
                s("evidence-samples/README.md, section \"Check semantics\""),
            ),
            (
                "counts",
                J::O(
                    counts
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), J::N(v)))
                        .collect(),
                ),
            ),
            ("findings", J::A(findings)),
            ("clean_cases", J::A(clean)),
            ("not_assessed", J::A(not_assessed)),
        ]);
        Ok(key.pretty())
    }
}

/// Reads back a time this writer formatted with `iso`.
fn parse_iso(t: &str) -> Ts {
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_else(|_| period_start())
}

mod noise;
