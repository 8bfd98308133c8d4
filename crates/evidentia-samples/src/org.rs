//! The background company: people and NHIs with routine, clean lifecycles (every gap is planted separately).

use chrono::Duration;

use crate::model::*;
use crate::world::*;

/// A pre-period start date (the HR extract carries every current worker's hire row).
fn pre_start(w: &mut World, from_year: i32) -> Ts {
    let y = w.rng.range(from_year as i64, 2025) as i32;
    let m = w.rng.range(1, 13) as u32;
    let d = w.rng.range(1, 28) as u32;
    ts(y, m, d, 14, 0, 0)
}

fn weighted_role(w: &mut World) -> &'static str {
    let total: u64 = ROLE_WEIGHTS.iter().map(|r| r.1).sum();
    let mut x = w.rng.below(total);
    for (code, weight) in ROLE_WEIGHTS {
        if x < *weight {
            return code;
        }
        x -= weight;
    }
    "ENG-SWE"
}

/// Adds a stable person (never leaves or moves) with baseline access.
pub fn stable_person(w: &mut World, role_code: &str) -> String {
    let start = pre_start(w, 2014);
    let p = w.person(Kind::Employee, role_code, start);
    w.event(p, EvType::Hire, start, "New position");
    w.baseline_access(p);
    let id = w.ids[p].id.clone();
    w.stable.insert(id.clone());
    id
}

/// The leadership and the people the processes rely on.
pub fn build_core(w: &mut World) {
    let ceo = stable_person(w, "EXEC");
    w.heads.insert("Executive".into(), ceo);
    for (dept, code) in [
        ("Engineering", "ENG-SWE"),
        ("Data", "DATA-ANL"),
        ("Finance", "FIN-CTRL"),
        ("Sales", "SALES-AE"),
        ("People", "HR-GEN"),
        ("Security", "SEC-ENG"),
        ("IT", "IT-ADMIN"),
    ] {
        let head = stable_person(w, code);
        w.heads.insert(dept.into(), head);
    }
    w.hr_requester = stable_person(w, "HR-GEN");
    for _ in 0..(3 * w.scale) {
        let s = stable_person(w, "SEC-ENG");
        w.security.push(s);
    }
    for _ in 0..(2 * w.scale) {
        let s = stable_person(w, "IT-ADMIN");
        w.it_admins.push(s);
    }
}

/// Stable engineers who own NHIs.
pub fn owners(w: &mut World) -> Vec<String> {
    let mut out = Vec::new();
    for k in 0..(10 * w.scale) {
        let code = ["ENG-SWE", "ENG-SRE", "DATA-ANL", "IT-ADMIN", "ENG-SRE"][k as usize % 5];
        out.push(stable_person(w, code));
    }
    out
}

/// Routine people: pre-period staff who stay, leave or move, and in-period joiners.
pub fn build_people(w: &mut World, count: u32) {
    for _ in 0..count {
        let contractor = w.rng.chance(15);
        let kind = if contractor {
            Kind::Contractor
        } else {
            Kind::Employee
        };
        let code = if contractor {
            if w.rng.chance(70) {
                "ENG-CONTRACT"
            } else {
                "DATA-ANL"
            }
        } else {
            weighted_role(w)
        };
        if w.rng.chance(15) {
            let t = w.workday(2, 11) + hours(14);
            let p = w.person(kind, code, t);
            w.join(p, t);
            // Some joiners also asked for more than their role needs: refused or withdrawn
            // requests, with nothing executed (the ticket export carries both states).
            if w.rng.chance(30) {
                let id = w.ids[p].id.clone();
                let decided = w.office_time_before(t, 0, 2);
                let a = w.approve(&id, Sys::Aws, "Admins", decided);
                w.approvals[a].state = if w.rng.chance(50) {
                    "Closed Rejected"
                } else {
                    "Cancelled"
                };
                w.approvals[a].justification = "Wants admin for local testing".into();
            }
            continue;
        }
        let start = pre_start(w, if contractor { 2023 } else { 2012 });
        let p = w.person(kind, code, start);
        let et = if contractor {
            EvType::ContractStart
        } else {
            EvType::Hire
        };
        w.event(
            p,
            et,
            start,
            if contractor {
                "Project staffing"
            } else {
                "New position"
            },
        );
        w.baseline_access(p);
        let fate = w.rng.below(100);
        // 40% of contractors reach their contract end in 2025; 12% of employees leave.
        if (contractor && fate < 40) || (!contractor && fate < 12) {
            let t = w.workday(1, 12) + hours(22);
            w.leave(p, t, &LeaveTweak::default());
        } else if !contractor && fate < 19 {
            // Moves between finance roles would overlap SoD pairs in the transition window;
            // the background keeps clear of them (the plants do it on purpose).
            let mut to = weighted_role(w);
            while to == code || (code.starts_with("FIN") && to.starts_with("FIN")) {
                to = weighted_role(w);
            }
            let t = w.workday(1, 12) + hours(14);
            w.transfer(p, t, to, &Default::default());
        }
    }
}

fn key_id(w: &mut World) -> String {
    format!(
        "AKIA{}",
        w.rng.token(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    )
}

/// Routine NHIs from the templates, with credentials rotated on schedule.
pub fn build_nhis(w: &mut World, owners: &[String]) {
    let connector_owner = w.heads["IT"].clone();
    let c = w.nhi(
        Kind::ServiceAccount,
        Sys::Okta,
        "nhi-iga-connector",
        "iga-connector",
        format!("iga-connector@{DOMAIN}"),
        Some(connector_owner),
        ts(2022, 5, 2, 9, 0, 0),
        None,
    );
    w.nhi_baseline(c);
    // ~70 routine NHIs at scale 1; larger companies run proportionally more automation.
    let rounds = if w.scale <= 1 { 1 } else { w.scale * 17 / 10 };
    for (ti, tpl) in NHI_TEMPLATES.iter().enumerate() {
        for round in 0..rounds {
            for name in tpl.names {
                let short = if round == 0 {
                    (*name).to_owned()
                } else {
                    format!("{name}-{}", round + 1)
                };
                let account = tpl.account.replace("{}", &short);
                let owner = Some(w.rng.pick(owners).clone());
                let alias = match (tpl.kind, tpl.sys) {
                    (Kind::ApiToken, Sys::Okta) => Some(format!(
                        "00T{}",
                        w.rng.token(b"abcdefghijklmnopqrstuvwxyz0123456789", 17)
                    )),
                    (Kind::ApiToken, _) => Some(format!("fak_{}", w.rng.hex(12))),
                    _ => None,
                };
                let in_period =
                    tpl.kind == Kind::ApiToken && tpl.sys == Sys::Okta || w.rng.chance(12);
                let created = if in_period {
                    ts(2020, 1, 1, 0, 0, 0)
                } else {
                    pre_start(w, 2021)
                };
                let n = w.nhi(
                    tpl.kind,
                    tpl.sys,
                    tpl.profile,
                    &short,
                    account.clone(),
                    owner.clone(),
                    created,
                    alias,
                );
                let nid = w.ids[n].id.clone();
                if in_period {
                    let t = if tpl.kind == Kind::ApiToken {
                        w.workday(8, 11)
                    } else {
                        w.workday(1, 11)
                    };
                    w.nhi_create(n, t + hours(10));
                } else {
                    w.nhi_baseline(n);
                }
                // Finance tokens rotate their key from August on, well inside the 180 days before
                // the period end (July would put a rotation on the boundary).
                if tpl.sys == Sys::Finance && !in_period {
                    let t = w.workday(8, 11) + hours(w.rng.range(8, 18));
                    let alias = w.ids[n].alias.clone().unwrap_or_default();
                    w.exec(
                        Sys::Finance,
                        Op::CredRotate,
                        &account,
                        Some(&alias),
                        t,
                        Outcome::Ok,
                        Some(&nid),
                        None,
                    );
                }
                // Every AWS IAM user has an access key; old keys are replaced from August on.
                if tpl.sys == Sys::Aws && tpl.kind == Kind::ServiceAccount {
                    let t = w.workday(8, 11) + hours(w.rng.range(8, 18));
                    if !in_period {
                        let old_id = key_id(w);
                        let old_created = ts(
                            2024,
                            w.rng.range(1, 13) as u32,
                            w.rng.range(1, 28) as u32,
                            11,
                            0,
                            0,
                        );
                        let old = w.nhi(
                            Kind::AccessKey,
                            Sys::Aws,
                            "",
                            &short,
                            account.clone(),
                            owner.clone(),
                            old_created,
                            Some(old_id),
                        );
                        w.nhi_baseline(old);
                        let new_id = key_id(w);
                        let new = w.nhi(
                            Kind::AccessKey,
                            Sys::Aws,
                            "",
                            &short,
                            account.clone(),
                            owner.clone(),
                            t,
                            Some(new_id),
                        );
                        w.nhi_create(new, t);
                        let delay = minutes(w.rng.range(60, 600));
                        w.nhi_retire(old, t + hours(2), Some(delay));
                    } else {
                        let new_id = key_id(w);
                        let new = w.nhi(
                            Kind::AccessKey,
                            Sys::Aws,
                            "",
                            &short,
                            account.clone(),
                            owner.clone(),
                            t,
                            Some(new_id),
                        );
                        w.nhi_create(new, t);
                    }
                }
                // Entra applications authenticate with a certificate issued in December 2024.
                if tpl.sys == Sys::Entra {
                    let created = ts(2024, 12, w.rng.range(2, 28) as u32, 10, 0, 0);
                    let kid = w.rng.uuid();
                    let cert = w.nhi(
                        Kind::Certificate,
                        Sys::Entra,
                        "",
                        &short,
                        account.clone(),
                        owner.clone(),
                        created,
                        Some(kid),
                    );
                    w.nhi_baseline(cert);
                }
                let _ = ti;
            }
        }
    }
    // A few routine retirements and ownership transfers.
    let k8s: Vec<usize> = (0..w.ids.len())
        .filter(|&i| w.ids[i].role == "nhi-k8s-app" && w.ids[i].start < period_start())
        .collect();
    for k in 0..(w.scale as usize).min(k8s.len()) {
        let n = k8s[k * 3 % k8s.len()];
        let t = w.workday(3, 10) + hours(11);
        let d = minutes(w.rng.range(30, 600));
        w.nhi_retire(n, t, Some(d));
    }
    let all: Vec<usize> = (0..w.ids.len())
        .filter(|&i| {
            !w.ids[i].kind.is_human()
                && w.ids[i].owner.is_some()
                && w.ids[i].role.starts_with("nhi-")
        })
        .collect();
    for k in 0..(2 * w.scale as usize) {
        let n = all[(k * 7 + 3) % all.len()];
        let t = w.workday(2, 11) + hours(10) + Duration::minutes(k as i64);
        let mut o = w.rng.pick(owners).clone();
        while Some(&o) == w.ids[n].owner.as_ref() {
            o = w.rng.pick(owners).clone();
        }
        w.nhi_owner_change(n, t, &o);
    }
}
