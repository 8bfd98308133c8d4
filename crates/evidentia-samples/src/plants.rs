//! The planted gaps (several per check, human and NHI, on different systems) and the clean look-alikes, each recorded in the answer key.

use std::collections::BTreeMap;

use chrono::Duration;

use crate::model::*;
use crate::world::*;

pub(crate) fn pre_person(w: &mut World, kind: Kind, code: &str) -> usize {
    let y = w.rng.range(2016, 2025) as i32;
    let start = ts(
        y,
        w.rng.range(1, 13) as u32,
        w.rng.range(1, 28) as u32,
        14,
        0,
        0,
    );
    let p = w.person(kind, code, start);
    let et = if kind == Kind::Contractor {
        EvType::ContractStart
    } else {
        EvType::Hire
    };
    w.event(
        p,
        et,
        start,
        if kind == Kind::Contractor {
            "Project staffing"
        } else {
            "New position"
        },
    );
    w.baseline_access(p);
    p
}

pub(crate) fn pre_nhi(
    w: &mut World,
    tpl_profile: &str,
    kind: Kind,
    sys: Sys,
    short: &str,
    account: &str,
    owner: Option<String>,
) -> usize {
    let created = ts(
        2023,
        w.rng.range(1, 13) as u32,
        w.rng.range(1, 28) as u32,
        10,
        0,
        0,
    );
    let n = w.nhi(
        kind,
        sys,
        tpl_profile,
        short,
        account.to_owned(),
        owner,
        created,
        None,
    );
    w.nhi_baseline(n);
    n
}

pub(crate) fn id(w: &World, i: usize) -> String {
    w.ids[i].id.clone()
}

pub(crate) fn acct(w: &World, i: usize, sys: Sys) -> String {
    w.ids[i].account_in(sys)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn finding(
    w: &mut World,
    check: &'static str,
    who: Option<usize>,
    sys: Sys,
    account: Option<String>,
    ent: Option<&str>,
    summary: String,
    evidence: Vec<Ref>,
) {
    let identity = who.map(|i| id(w, i));
    w.key.push(Finding {
        check,
        identity,
        sys: Some(sys),
        account,
        ent: ent.map(str::to_owned),
        exception: None,
        campaign: None,
        summary,
        evidence,
    });
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn clean(
    w: &mut World,
    check: &'static str,
    who: usize,
    sys: Sys,
    ent: Option<&str>,
    why: String,
    evidence: Vec<Ref>,
) {
    let identity = Some(id(w, who));
    let account = Some(acct(w, who, sys));
    w.clean.push(Finding {
        check,
        identity,
        sys: Some(sys),
        account,
        ent: ent.map(str::to_owned),
        exception: None,
        campaign: None,
        summary: why,
        evidence,
    });
}

pub(crate) fn recon(sys: Sys, account: &str, ent: &str, after: Ts) -> Ref {
    Ref::Recon {
        sys,
        account: account.to_owned(),
        ent: ent.to_owned(),
        after,
    }
}

/// An unapproved grant on an identity's account.
fn bare_grant(w: &mut World, i: usize, sys: Sys, ent: &str, at: Ts) -> usize {
    let a = acct(w, i, sys);
    let who = id(w, i);
    w.exec(
        sys,
        Op::Grant,
        &a,
        Some(ent),
        at,
        Outcome::Ok,
        Some(&who),
        None,
    )
}

pub fn plant_all(w: &mut World) {
    approvals(w);
    leavers(w);
    movers_and_sod(w);
    executions(w);
    accounts(w);
    exceptions(w);
    nhi_governance(w);
    normalize(&mut w.key);
    normalize(&mut w.clean);
}

/// Which fields a finding of each check carries, so the key compares field for field with
/// the engine's (check, identity, system, account, entitlement, exception) keys.
fn normalize(findings: &mut [Finding]) {
    for f in findings {
        match f.check {
            // About the identity itself, not one account or entitlement.
            "EV-NHI-WITHOUT-OWNER"
            | "EV-NHI-OWNER-LEFT"
            | "EV-NHI-CREDENTIAL-LONG-LIVED"
            | "EV-ACTIVITY-AFTER-TERMINATION" => {
                f.account = None;
                f.ent = None;
            }
            // One per identity and system: the account, not each entitlement.
            "EV-LEAVER-NOT-REVOKED" | "EV-LEAVER-REVOKED-LATE" | "EV-ORPHAN-ACCOUNT" => {
                f.ent = None
            }
            // The register names subject, system and entitlement, never an account.
            c if c.starts_with("EV-EXCEPTION-") => f.account = None,
            // The importers name a password reset's entitlement `password` (Okta, Entra).
            "EV-NHI-HUMAN-USE" if matches!(f.sys, Some(Sys::Okta | Sys::Entra)) => {
                f.ent = Some("password".into())
            }
            _ => {}
        }
    }
}

fn approvals(w: &mut World) {
    const C: &str = "EV-GRANT-WITHOUT-APPROVAL";
    let owner = w.owner_pool.get(0 % w.owner_pool.len().max(1)).cloned();
    // Grants with no ticket at all.
    let p = pre_person(w, Kind::Employee, "ENG-SWE");
    let x = bare_grant(w, p, Sys::Aws, "Operators", ts(2025, 3, 12, 15, 20, 11));
    finding(
        w,
        C,
        Some(p),
        Sys::Aws,
        Some(acct(w, p, Sys::Aws)),
        Some("Operators"),
        "added to IAM group Operators with no approval".into(),
        vec![Ref::Exec(x)],
    );
    let p = pre_person(w, Kind::Employee, "DATA-ANL");
    let x = bare_grant(
        w,
        p,
        Sys::Github,
        "northwind/engineering",
        ts(2025, 4, 8, 9, 41, 2),
    );
    finding(
        w,
        C,
        Some(p),
        Sys::Github,
        Some(acct(w, p, Sys::Github)),
        Some("northwind/engineering"),
        "added to team northwind/engineering with no approval".into(),
        vec![Ref::Exec(x)],
    );
    let p = pre_person(w, Kind::Employee, "FIN-AP");
    let x = bare_grant(w, p, Sys::Finance, "GL-Approver", ts(2025, 5, 6, 16, 3, 40));
    finding(
        w,
        C,
        Some(p),
        Sys::Finance,
        Some(acct(w, p, Sys::Finance)),
        Some("GL-Approver"),
        "role GL-Approver added with no request".into(),
        vec![Ref::Exec(x)],
    );
    let n = pre_nhi(
        w,
        "nhi-aws-reporting",
        Kind::ServiceAccount,
        Sys::Aws,
        "etl-legacy",
        "svc-etl-legacy",
        owner.clone(),
    );
    let x = bare_grant(
        w,
        n,
        Sys::Aws,
        "arn:aws:iam::111122223333:policy/billing-export",
        ts(2025, 6, 10, 11, 5, 9),
    );
    finding(
        w,
        C,
        Some(n),
        Sys::Aws,
        Some(acct(w, n, Sys::Aws)),
        Some("arn:aws:iam::111122223333:policy/billing-export"),
        "billing-export policy attached to service user with no approval".into(),
        vec![Ref::Exec(x)],
    );
    let n = pre_nhi(
        w,
        "nhi-k8s-app",
        Kind::Workload,
        Sys::K8s,
        "batch-import",
        "system:serviceaccount:apps:batch-import",
        owner.clone(),
    );
    let x = bare_grant(w, n, Sys::K8s, "cluster-admin", ts(2025, 7, 15, 8, 12, 55));
    finding(
        w,
        C,
        Some(n),
        Sys::K8s,
        Some(acct(w, n, Sys::K8s)),
        Some("cluster-admin"),
        "service account bound to cluster-admin with no approval".into(),
        vec![Ref::Exec(x)],
    );
    let n = pre_nhi(
        w,
        "nhi-entra-app",
        Kind::ServiceAccount,
        Sys::Entra,
        "legal-archive",
        "sp-legal-archive",
        owner.clone(),
    );
    let x = bare_grant(w, n, Sys::Entra, "Finance-Users", ts(2025, 8, 5, 13, 30, 0));
    finding(
        w,
        C,
        Some(n),
        Sys::Entra,
        Some(acct(w, n, Sys::Entra)),
        Some("Finance-Users"),
        "service principal added to Finance-Users with no approval".into(),
        vec![Ref::Exec(x)],
    );

    // Requested, refused, granted anyway.
    let p = pre_person(w, Kind::Employee, "SALES-AE");
    let who = id(w, p);
    let at = ts(2025, 9, 9, 15, 12, 40);
    let ap = w.approve(&who, Sys::Okta, "Engineering", at - days(1));
    w.approvals[ap].state = "Closed Rejected";
    let x = bare_grant(w, p, Sys::Okta, "Engineering", at);
    finding(
        w,
        C,
        Some(p),
        Sys::Okta,
        Some(acct(w, p, Sys::Okta)),
        Some("Engineering"),
        "added to Engineering the day after the request was rejected".into(),
        vec![Ref::Exec(x), Ref::Approval(ap)],
    );

    // Approved, but only after the grant.
    const B: &str = "EV-ACCESS-BEFORE-APPROVAL";
    let cases: [(Kind, &str, Sys, &str, Ts, Duration, &str); 4] = [
        (
            Kind::Employee,
            "SALES-AE",
            Sys::Okta,
            "Data",
            ts(2025, 3, 4, 10, 0, 0),
            hours(2),
            "2h",
        ),
        (
            Kind::Employee,
            "ENG-SWE",
            Sys::Google,
            "data@northwind.example",
            ts(2025, 4, 15, 13, 0, 0),
            days(1),
            "1 day",
        ),
        (
            Kind::Workload,
            "nhi-aws-ci",
            Sys::Aws,
            "arn:aws:iam::111122223333:policy/reports-read",
            ts(2025, 5, 20, 9, 30, 0),
            hours(3),
            "3h",
        ),
        (
            Kind::ServiceAccount,
            "nhi-finance-integration",
            Sys::Finance,
            "Vendor-Read",
            ts(2025, 6, 11, 15, 45, 0),
            hours(26),
            "26h",
        ),
    ];
    for (kind, code, sys, ent, at, lag, text) in cases {
        let i = if kind.is_human() {
            pre_person(w, kind, code)
        } else if sys == Sys::Aws {
            pre_nhi(
                w,
                code,
                kind,
                sys,
                "deploy-ml",
                "ci-deploy-ml",
                owner.clone(),
            )
        } else {
            pre_nhi(
                w,
                code,
                kind,
                sys,
                "ap-automation",
                "svc-ap-automation",
                owner.clone(),
            )
        };
        let who = id(w, i);
        let a = acct(w, i, sys);
        let ap = w.approve(&who, sys, ent, at + lag);
        let req = Some(w.approvals[ap].id.clone());
        let x = w.exec(
            sys,
            Op::Grant,
            &a,
            Some(ent),
            at,
            Outcome::Ok,
            Some(&who),
            req,
        );
        w.expect(sys, &a, ent, at, None);
        finding(
            w,
            B,
            Some(i),
            sys,
            Some(a),
            Some(ent),
            format!("granted {text} before the approval was decided"),
            vec![Ref::Exec(x), Ref::Approval(ap)],
        );
    }
    let p = pre_person(w, Kind::Employee, "SALES-AE");
    let who = id(w, p);
    let at = ts(2025, 9, 16, 14, 22, 17);
    let ap = w.approve(&who, Sys::Okta, "Data", at - Duration::seconds(1));
    let a = acct(w, p, Sys::Okta);
    let x = w.exec(
        Sys::Okta,
        Op::Grant,
        &a,
        Some("Data"),
        at,
        Outcome::Ok,
        Some(&who),
        None,
    );
    w.expect(Sys::Okta, &a, "Data", at, None);
    clean(
        w,
        B,
        p,
        Sys::Okta,
        Some("Data"),
        "approval decided one second before the grant: on time".into(),
        vec![Ref::Approval(ap), Ref::Exec(x)],
    );

    // Self- and same-person approval.
    const S: &str = "EV-SELF-APPROVAL";
    let hr = w.hr_requester.clone();
    let p = pre_person(w, Kind::Employee, "ENG-SWE");
    let who = id(w, p);
    let at = ts(2025, 2, 18, 10, 15, 0);
    let ap = w.approval(
        &who,
        Sys::Okta,
        "Data",
        at - days(1),
        Some(hr.clone()),
        who.clone(),
        ApRole::Manager,
        Tier::Standard,
    );
    let a = acct(w, p, Sys::Okta);
    let x = w.exec(
        Sys::Okta,
        Op::Grant,
        &a,
        Some("Data"),
        at,
        Outcome::Ok,
        Some(&who),
        None,
    );
    w.expect(Sys::Okta, &a, "Data", at, None);
    finding(
        w,
        S,
        Some(p),
        Sys::Okta,
        Some(a),
        Some("Data"),
        "the subject approved their own request".into(),
        vec![Ref::Approval(ap), Ref::Exec(x)],
    );

    let p = pre_person(w, Kind::Employee, "FIN-AP");
    let who = id(w, p);
    let m = w.ids[p].manager.clone().unwrap_or_default();
    let at = ts(2025, 5, 13, 14, 0, 0);
    let ap = w.approval(
        &who,
        Sys::Finance,
        "Reports-Read",
        at - days(2),
        Some(m.clone()),
        m,
        ApRole::Manager,
        Tier::Standard,
    );
    let a = acct(w, p, Sys::Finance);
    let req = Some(w.approvals[ap].id.clone());
    let x = w.exec(
        Sys::Finance,
        Op::Grant,
        &a,
        Some("Reports-Read"),
        at,
        Outcome::Ok,
        Some(&who),
        req,
    );
    w.expect(Sys::Finance, &a, "Reports-Read", at, None);
    finding(
        w,
        S,
        Some(p),
        Sys::Finance,
        Some(a),
        Some("Reports-Read"),
        "the requester approved their own request".into(),
        vec![Ref::Approval(ap), Ref::Exec(x)],
    );

    let p = pre_person(w, Kind::Employee, "ENG-SRE");
    let who = id(w, p);
    let sec = w.security[0].clone();
    let at = ts(2025, 7, 9, 16, 40, 0);
    let ap = w.approval(
        &who,
        Sys::Aws,
        "Admins",
        at - hours(5),
        Some(hr.clone()),
        sec.clone(),
        ApRole::Security,
        Tier::Privileged,
    );
    let a = acct(w, p, Sys::Aws);
    let actor = Some(w.ident(&sec).actor_in(Sys::Aws));
    let x = w.exec_by(
        Sys::Aws,
        Op::Grant,
        &a,
        Some("Admins"),
        at,
        Outcome::Ok,
        Some(&who),
        None,
        actor,
    );
    w.expect(Sys::Aws, &a, "Admins", at, None);
    finding(
        w,
        S,
        Some(p),
        Sys::Aws,
        Some(a),
        Some("Admins"),
        format!("privileged grant executed by its own approver {sec}"),
        vec![Ref::Approval(ap), Ref::Exec(x)],
    );

    let n = pre_nhi(
        w,
        "nhi-k8s-app",
        Kind::Workload,
        Sys::K8s,
        "config-sync",
        "system:serviceaccount:apps:config-sync",
        owner.clone(),
    );
    let who = id(w, n);
    let o = owner.clone().unwrap_or_default();
    let at = ts(2025, 10, 7, 9, 5, 0);
    let ap = w.approval(
        &who,
        Sys::K8s,
        "apps/config-reader",
        at - days(1),
        Some(o.clone()),
        o,
        ApRole::Manager,
        Tier::Standard,
    );
    let a = acct(w, n, Sys::K8s);
    let x = w.exec(
        Sys::K8s,
        Op::Grant,
        &a,
        Some("apps/config-reader"),
        at,
        Outcome::Ok,
        Some(&who),
        None,
    );
    w.expect(Sys::K8s, &a, "apps/config-reader", at, None);
    finding(
        w,
        S,
        Some(n),
        Sys::K8s,
        Some(a),
        Some("apps/config-reader"),
        "the NHI's owner requested and approved the binding".into(),
        vec![Ref::Approval(ap), Ref::Exec(x)],
    );

    // Privileged access approved by a manager alone.
    const P: &str = "EV-PRIVILEGED-WITHOUT-SECURITY-APPROVAL";
    let cases: [(bool, &str, Sys, &str, &str, Ts); 4] = [
        (
            true,
            "IT-ADMIN",
            Sys::Entra,
            "Global Administrator",
            "",
            ts(2025, 3, 20, 10, 0, 0),
        ),
        (
            true,
            "IT-ADMIN",
            Sys::Google,
            "Super Admin",
            "",
            ts(2025, 6, 17, 15, 0, 0),
        ),
        (
            false,
            "nhi-aws-ci",
            Sys::Aws,
            POLICY_ADMIN,
            "ci-platform-admin",
            ts(2025, 8, 12, 11, 0, 0),
        ),
        (
            false,
            "nhi-k8s-app",
            Sys::K8s,
            "cluster-admin",
            "system:serviceaccount:apps:cluster-ops",
            ts(2025, 10, 14, 13, 0, 0),
        ),
    ];
    for (human, code, sys, ent, account, at) in cases {
        let i = if human {
            pre_person(w, Kind::Employee, code)
        } else {
            let kind = Kind::Workload;
            let short = account
                .rsplit(':')
                .next()
                .unwrap_or(account)
                .trim_start_matches("ci-")
                .to_owned();
            pre_nhi(w, code, kind, sys, &short, account, owner.clone())
        };
        let who = id(w, i);
        let m = w.approving_manager(&who);
        let req = Some(w.requester_for(&who));
        let ap = w.approval(
            &who,
            sys,
            ent,
            at - days(1),
            req,
            m,
            ApRole::Manager,
            Tier::Privileged,
        );
        let a = acct(w, i, sys);
        let x = w.exec(
            sys,
            Op::Grant,
            &a,
            Some(ent),
            at,
            Outcome::Ok,
            Some(&who),
            None,
        );
        w.expect(sys, &a, ent, at, None);
        finding(
            w,
            P,
            Some(i),
            sys,
            Some(a),
            Some(ent),
            format!("privileged {ent} approved by a line manager only"),
            vec![Ref::Approval(ap), Ref::Exec(x)],
        );
    }
}

fn leave_at(
    w: &mut World,
    code: &str,
    kind: Kind,
    t: Ts,
    tw: LeaveTweak,
) -> (usize, usize, BTreeMap<Sys, usize>) {
    let p = pre_person(w, kind, code);
    let (ev, xs) = w.leave(p, t, &tw);
    (p, ev, xs)
}

fn leavers(w: &mut World) {
    const N: &str = "EV-LEAVER-NOT-REVOKED";
    const L: &str = "EV-LEAVER-REVOKED-LATE";
    const A: &str = "EV-ACTIVITY-AFTER-TERMINATION";
    let owner = w.owner_pool.get(1 % w.owner_pool.len().max(1)).cloned();
    let keep = |s: Sys| LeaveTweak {
        keep: [s].into(),
        ..Default::default()
    };
    let delay = |s: Sys, d: Duration| LeaveTweak {
        delay: [(s, d)].into(),
        ..Default::default()
    };

    for (code, kind, sys, ent, t) in [
        (
            "ENG-SWE",
            Kind::Employee,
            Sys::Github,
            "northwind",
            ts(2025, 3, 14, 22, 0, 0),
        ),
        (
            "ENG-CONTRACT",
            Kind::Contractor,
            Sys::K8s,
            "dev/view",
            ts(2025, 5, 16, 22, 0, 0),
        ),
        (
            "FIN-AP",
            Kind::Employee,
            Sys::Finance,
            "AP-Clerk",
            ts(2025, 7, 11, 22, 0, 0),
        ),
    ] {
        let (p, ev, _) = leave_at(w, code, kind, t, keep(sys));
        let a = acct(w, p, sys);
        w.last_use
            .insert((sys, a.clone()), LastUse::Cap(t - days(2)));
        finding(
            w,
            N,
            Some(p),
            sys,
            Some(a.clone()),
            None,
            format!(
                "left {}; {} access never revoked",
                t.format("%Y-%m-%d"),
                sys.id()
            ),
            vec![Ref::Event(ev), recon(sys, &a, ent, t)],
        );
    }
    // NHIs retired but left in place.
    let svc = pre_nhi(
        w,
        "nhi-aws-backup",
        Kind::ServiceAccount,
        Sys::Aws,
        "sftp-drop",
        "svc-sftp-drop",
        owner.clone(),
    );
    let kid = format!(
        "AKIA{}",
        w.rng.token(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    );
    let key = w.nhi(
        Kind::AccessKey,
        Sys::Aws,
        "",
        "sftp-drop",
        acct(w, svc, Sys::Aws),
        owner.clone(),
        ts(2025, 2, 10, 10, 0, 0),
        Some(kid.clone()),
    );
    w.nhi_create(key, ts(2025, 2, 10, 10, 0, 0));
    let t = ts(2025, 6, 12, 9, 0, 0);
    let (ev, _) = w.nhi_retire(key, t, None);
    let a = acct(w, key, Sys::Aws);
    w.last_use
        .insert((Sys::Aws, a.clone()), LastUse::Cap(t - days(3)));
    // The key is this NHI's only access: its staying active is a credential finding (issue 19),
    // not an account left behind (the account belongs to svc-sftp-drop, still in service).
    finding(
        w,
        CRED_NOT_REVOKED,
        Some(key),
        Sys::Aws,
        Some(a.clone()),
        Some(&kid),
        "access key retired in the catalog but never deleted or deactivated".into(),
        vec![Ref::Event(ev), recon(Sys::Aws, &a, &kid, t)],
    );
    clean(
        w,
        CRED_STALE,
        key,
        Sys::Aws,
        Some(&kid),
        "idle since 2025-06-09 (83 days at the 2025-08-31 listing), but retired on 2025-06-12: a departed NHI's key is judged by the leaver-credential checks, not as stale".into(),
        vec![Ref::Event(ev), recon(Sys::Aws, &a, &kid, snapshot_times()[8])],
    );
    let sp = pre_nhi(
        w,
        "nhi-entra-app",
        Kind::ServiceAccount,
        Sys::Entra,
        "old-intranet",
        "sp-old-intranet",
        owner.clone(),
    );
    let t = ts(2025, 9, 9, 10, 0, 0);
    let (ev, _) = w.nhi_retire(sp, t, None);
    let a = acct(w, sp, Sys::Entra);
    w.last_use
        .insert((Sys::Entra, a.clone()), LastUse::Cap(t - days(10)));
    finding(
        w,
        N,
        Some(sp),
        Sys::Entra,
        Some(a.clone()),
        None,
        "service principal retired but never removed".into(),
        vec![Ref::Event(ev), recon(Sys::Entra, &a, "App-Readers", t)],
    );

    // Revoked, but late.
    for (code, kind, sys, d, t, text) in [
        (
            "SALES-AE",
            Kind::Employee,
            Sys::Okta,
            hours(6),
            ts(2025, 2, 13, 22, 0, 0),
            "6h; SLA 4h",
        ),
        (
            "ENG-SRE",
            Kind::Employee,
            Sys::Linux,
            hours(80),
            ts(2025, 4, 9, 22, 0, 0),
            "80h; SLA 72h",
        ),
        (
            "ENG-CONTRACT",
            Kind::Contractor,
            Sys::Github,
            hours(30),
            ts(2025, 10, 10, 22, 0, 0),
            "30h; SLA 24h",
        ),
    ] {
        let (p, ev, xs) = leave_at(w, code, kind, t, delay(sys, d));
        let a = acct(w, p, sys);
        finding(
            w,
            L,
            Some(p),
            sys,
            Some(a),
            None,
            format!("revoked {text}"),
            vec![Ref::Event(ev), Ref::Exec(xs[&sys])],
        );
    }
    let sp = pre_nhi(
        w,
        "nhi-entra-app",
        Kind::ServiceAccount,
        Sys::Entra,
        "survey-tool",
        "sp-survey-tool",
        owner.clone(),
    );
    let (ev, x) = w.nhi_retire(sp, ts(2025, 5, 6, 10, 0, 0), Some(days(4)));
    let a = acct(w, sp, Sys::Entra);
    finding(
        w,
        L,
        Some(sp),
        Sys::Entra,
        Some(a),
        None,
        "service principal removed 96h after retirement; SLA 24h".into(),
        vec![Ref::Event(ev), Ref::Exec(x.unwrap_or(0))],
    );
    let tok = pre_nhi(
        w,
        "nhi-finance-integration",
        Kind::ApiToken,
        Sys::Finance,
        "legacy-payroll",
        "api-legacy-payroll",
        owner.clone(),
    );
    w.ids[tok].alias = Some(format!("fak_{}", w.rng.hex(12)));
    let (ev, x) = w.nhi_retire(tok, ts(2025, 4, 8, 12, 0, 0), Some(days(5)));
    let a = acct(w, tok, Sys::Finance);
    finding(
        w,
        L,
        Some(tok),
        Sys::Finance,
        Some(a),
        None,
        "API user disabled 120h after retirement; SLA 72h".into(),
        vec![Ref::Event(ev), Ref::Exec(x.unwrap_or(0))],
    );

    // Clean look-alikes.
    let t = ts(2025, 3, 19, 22, 0, 0);
    let (p, ev, xs) = leave_at(w, "DATA-ANL", Kind::Employee, t, delay(Sys::Okta, hours(4)));
    clean(
        w,
        L,
        p,
        Sys::Okta,
        None,
        "deactivated exactly 4h after the leave time; exactly at the SLA is on time".into(),
        vec![Ref::Event(ev), Ref::Exec(xs[&Sys::Okta])],
    );
    let t = ts(2025, 6, 18, 22, 0, 0);
    let (p, ev, xs) = leave_at(
        w,
        "SALES-AE",
        Kind::Employee,
        t,
        delay(Sys::Google, hours(24) - Duration::seconds(1)),
    );
    clean(
        w,
        L,
        p,
        Sys::Google,
        None,
        "suspended 23h59m59s after the leave time: inside the 24h SLA".into(),
        vec![Ref::Event(ev), Ref::Exec(xs[&Sys::Google])],
    );
    let t = ts(2025, 10, 15, 22, 0, 0);
    let (p, ev, xs) = leave_at(w, "HR-GEN", Kind::Employee, t, delay(Sys::Okta, -hours(2)));
    clean(w, "EV-CHANGE-WITHOUT-AUTHORITATIVE-EVENT", p, Sys::Okta, None, "deactivated 2h before the effective leave time (last afternoon): the leaver event authorises it".into(), vec![Ref::Event(ev), Ref::Exec(xs[&Sys::Okta])]);

    // Activity after termination.
    let t = ts(2025, 6, 11, 22, 0, 0);
    let (p, ev, _) = leave_at(w, "ENG-SWE", Kind::Employee, t, keep(Sys::Okta));
    let a = acct(w, p, Sys::Okta);
    w.last_use
        .insert((Sys::Okta, a.clone()), LastUse::At(t + days(3) + hours(3)));
    finding(
        w,
        N,
        Some(p),
        Sys::Okta,
        Some(a.clone()),
        None,
        "left 2025-06-11; Okta account never deactivated".into(),
        vec![Ref::Event(ev), recon(Sys::Okta, &a, "All Staff", t)],
    );
    finding(
        w,
        A,
        Some(p),
        Sys::Okta,
        Some(a.clone()),
        None,
        "Okta sign-in 3 days after leaving (reconciliation Last Used)".into(),
        vec![Ref::Event(ev), recon(Sys::Okta, &a, "All Staff", t)],
    );

    let t = ts(2025, 7, 9, 22, 0, 0);
    let (p, ev, _) = leave_at(
        w,
        "IT-ADMIN",
        Kind::Employee,
        t,
        delay(Sys::Google, hours(10)),
    );
    let h = pre_person(w, Kind::Employee, "SALES-AE");
    let hid = id(w, h);
    w.approve(&hid, Sys::Google, "data@northwind.example", t - days(1));
    let actor = Some(acct(w, p, Sys::Google));
    let ha = acct(w, h, Sys::Google);
    let x = w.exec_by(
        Sys::Google,
        Op::Grant,
        &ha,
        Some("data@northwind.example"),
        t + hours(2),
        Outcome::Ok,
        Some(&hid),
        None,
        actor,
    );
    w.expect(
        Sys::Google,
        &ha,
        "data@northwind.example",
        t + hours(2),
        None,
    );
    finding(
        w,
        A,
        Some(p),
        Sys::Google,
        Some(acct(w, p, Sys::Google)),
        None,
        "acted as Google admin 2h after leaving (suspended on time, 10h)".into(),
        vec![Ref::Event(ev), Ref::Exec(x)],
    );

    let sa = pre_nhi(
        w,
        "nhi-k8s-app",
        Kind::Workload,
        Sys::K8s,
        "report-cron",
        "system:serviceaccount:apps:report-cron",
        owner.clone(),
    );
    let t = ts(2025, 8, 6, 10, 0, 0);
    let (ev, _) = w.nhi_retire(sa, t, None);
    let a = acct(w, sa, Sys::K8s);
    w.last_use
        .insert((Sys::K8s, a.clone()), LastUse::At(t + days(5)));
    finding(
        w,
        N,
        Some(sa),
        Sys::K8s,
        Some(a.clone()),
        None,
        "service account retired but never deleted".into(),
        vec![Ref::Event(ev), recon(Sys::K8s, &a, "apps/app-runtime", t)],
    );
    finding(
        w,
        A,
        Some(sa),
        Sys::K8s,
        Some(a.clone()),
        None,
        "service account used 5 days after retirement".into(),
        vec![Ref::Event(ev), recon(Sys::K8s, &a, "apps/app-runtime", t)],
    );

    let t = ts(2025, 9, 10, 22, 0, 0);
    let (p, ev, _) = leave_at(w, "ENG-SRE", Kind::Employee, t, delay(Sys::Aws, hours(20)));
    let h = pre_person(w, Kind::Employee, "DATA-ANL");
    let hid = id(w, h);
    w.approve(&hid, Sys::Aws, "Developers", t - days(2));
    let actor = Some(w.ids[p].actor_in(Sys::Aws));
    let ha = acct(w, h, Sys::Aws);
    let x = w.exec_by(
        Sys::Aws,
        Op::Grant,
        &ha,
        Some("Developers"),
        t + hours(3),
        Outcome::Ok,
        Some(&hid),
        None,
        actor,
    );
    w.expect(Sys::Aws, &ha, "Developers", t + hours(3), None);
    finding(
        w,
        A,
        Some(p),
        Sys::Aws,
        Some(acct(w, p, Sys::Aws)),
        None,
        "made an IAM change 3h after leaving (IAM user deleted on time, 20h)".into(),
        vec![Ref::Event(ev), Ref::Exec(x)],
    );
}

fn movers_and_sod(w: &mut World) {
    const M: &str = "EV-MOVER-RETAINED-ACCESS";
    const D: &str = "EV-SOD-CONFLICT";
    let owner = w.owner_pool.get(2 % w.owner_pool.len().max(1)).cloned();
    for (from, to, sys, ent, late, t) in [
        (
            "ENG-SWE",
            "SALES-AE",
            Sys::Aws,
            "Developers",
            None,
            ts(2025, 4, 7, 14, 0, 0),
        ),
        (
            "FIN-AP",
            "SALES-AE",
            Sys::Finance,
            "AP-Clerk",
            Some(days(9)),
            ts(2025, 5, 5, 14, 0, 0),
        ),
        (
            "ENG-SRE",
            "ENG-SWE",
            Sys::Linux,
            "ops",
            None,
            ts(2025, 6, 9, 14, 0, 0),
        ),
        (
            "DATA-ANL",
            "ENG-SWE",
            Sys::Github,
            "northwind/data",
            None,
            ts(2025, 7, 7, 14, 0, 0),
        ),
    ] {
        let p = pre_person(w, Kind::Employee, from);
        let (ev, removed) = w.transfer(p, t, to, &[(ent.to_owned(), late)].into());
        let a = acct(w, p, sys);
        let mut evidence = vec![Ref::Event(ev)];
        match late {
            Some(_) => evidence.push(Ref::Exec(removed[ent])),
            None => evidence.push(recon(sys, &a, ent, t + days(7))),
        }
        let summary = match late {
            Some(d) => format!(
                "old-role {ent} removed {} days after the move; window 7 days",
                d.num_days()
            ),
            None => format!("old-role {ent} kept after the move to {to}"),
        };
        finding(w, M, Some(p), sys, Some(a), Some(ent), summary, evidence);
    }
    let p = pre_person(w, Kind::Employee, "ENG-SWE");
    let t = ts(2025, 8, 4, 14, 0, 0);
    let (ev, removed) = w.transfer(
        p,
        t,
        "DATA-ANL",
        &[("dev/edit".to_owned(), Some(days(7) - minutes(1)))].into(),
    );
    clean(
        w,
        M,
        p,
        Sys::K8s,
        Some("dev/edit"),
        "old-role binding removed 6d23h59m after the move: inside the 7-day window".into(),
        vec![Ref::Event(ev), Ref::Exec(removed["dev/edit"])],
    );

    // A move that keeps a conflicting entitlement: two findings from one gap.
    let p = pre_person(w, Kind::Employee, "FIN-CTRL");
    let t = ts(2025, 3, 10, 14, 0, 0);
    let (ev, _) = w.transfer(
        p,
        t,
        "FIN-TREAS",
        &[("Vendor-Master-Edit".to_owned(), None)].into(),
    );
    let a = acct(w, p, Sys::Finance);
    finding(
        w,
        M,
        Some(p),
        Sys::Finance,
        Some(a.clone()),
        Some("Vendor-Master-Edit"),
        "old-role Vendor-Master-Edit kept after the move to FIN-TREAS".into(),
        vec![
            Ref::Event(ev),
            recon(Sys::Finance, &a, "Vendor-Master-Edit", t + days(7)),
        ],
    );
    let g = last_exec(w, Sys::Finance, &a, "Payments-Release");
    sod(
        w,
        p,
        Sys::Finance,
        "sod-vendor-release",
        "Payments-Release",
        "holds Vendor-Master-Edit and Payments-Release after the move",
        vec![Ref::Event(ev), Ref::Exec(g)],
    );

    let p = pre_person(w, Kind::Employee, "FIN-AP");
    let t = ts(2025, 4, 14, 15, 0, 0);
    let (_, x) = w.approved_grant(p, Sys::Finance, Some("Payments-Release"), t - days(2), t);
    sod(
        w,
        p,
        Sys::Finance,
        "sod-ap-release",
        "Payments-Release",
        "AP clerk granted Payments-Release (approved by security)",
        vec![Ref::Exec(x)],
    );
    let n = pre_nhi(
        w,
        "nhi-aws-ci",
        Kind::Workload,
        Sys::Aws,
        "release",
        "ci-release",
        owner.clone(),
    );
    let t = ts(2025, 6, 3, 10, 0, 0);
    let (_, x) = w.approved_grant(n, Sys::Aws, Some(POLICY_CLOUDTRAIL_ADMIN), t - days(1), t);
    sod(
        w,
        n,
        Sys::Aws,
        "sod-deploy-audit",
        POLICY_CLOUDTRAIL_ADMIN,
        "deploy role also given cloudtrail-admin",
        vec![Ref::Exec(x)],
    );
    let n = pre_nhi(
        w,
        "nhi-k8s-deployer",
        Kind::Workload,
        Sys::K8s,
        "helm-operator",
        "system:serviceaccount:ci:helm-operator",
        owner.clone(),
    );
    let t = ts(2025, 9, 2, 10, 0, 0);
    let (_, x) = w.approved_grant(n, Sys::K8s, Some("prod/secret-admin"), t - days(1), t);
    sod(
        w,
        n,
        Sys::K8s,
        "sod-deploy-secrets",
        "prod/secret-admin",
        "deployer service account also bound to prod/secret-admin",
        vec![Ref::Exec(x)],
    );

    // Clean: the same pair, held under an active exception.
    let p = pre_person(w, Kind::Employee, "FIN-AP");
    let granted = ts(2025, 12, 8, 0, 0, 0);
    let (e, x, _) = exception_grant(
        w,
        p,
        Sys::Finance,
        "Payments-Release",
        granted,
        Some(ts(2026, 1, 6, 0, 0, 0)),
        true,
        vec![],
    );
    clean(
        w,
        D,
        p,
        Sys::Finance,
        Some("Payments-Release"),
        "AP-Clerk + Payments-Release held only while an owned, unexpired exception covers it"
            .into(),
        vec![Ref::Exception(e), Ref::Exec(x)],
    );
}

fn last_exec(w: &World, sys: Sys, account: &str, ent: &str) -> usize {
    (0..w.execs.len())
        .rev()
        .find(|&i| {
            w.execs[i].sys == sys
                && w.execs[i].account == account
                && w.execs[i].ent.as_deref() == Some(ent)
        })
        .unwrap_or(0)
}

fn sod(
    w: &mut World,
    i: usize,
    sys: Sys,
    pair: &str,
    ent: &str,
    summary: &str,
    evidence: Vec<Ref>,
) {
    let a = acct(w, i, sys);
    finding(
        w,
        "EV-SOD-CONFLICT",
        Some(i),
        sys,
        Some(a),
        Some(ent),
        format!("{summary} (pair {pair})"),
        evidence,
    );
}

fn executions(w: &mut World) {
    const F: &str = "EV-EXECUTION-FAILED-UNCONFIRMED";
    const W: &str = "EV-CHANGE-WITHOUT-AUTHORITATIVE-EVENT";
    let owner = w.owner_pool.get(3 % w.owner_pool.len().max(1)).cloned();
    // Failed or queued, never confirmed.
    let p = pre_person(w, Kind::Employee, "ENG-SRE");
    let who = id(w, p);
    let at = ts(2025, 3, 19, 11, 0, 0);
    let ap = w.approve(&who, Sys::Aws, "Analysts", at - days(1));
    let a = acct(w, p, Sys::Aws);
    let x = w.exec(
        Sys::Aws,
        Op::Grant,
        &a,
        Some("Analysts"),
        at,
        Outcome::Failed("AccessDenied"),
        Some(&who),
        None,
    );
    w.expect(Sys::Aws, &a, "Analysts", at, None);
    finding(w, F, Some(p), Sys::Aws, Some(a.clone()), Some("Analysts"), "AddUserToGroup failed (AccessDenied) and was never retried; reconciliation shows it missing".into(), vec![Ref::Exec(x), Ref::Approval(ap), recon(Sys::Aws, &a, "Analysts", at)]);

    let t = ts(2025, 4, 22, 14, 0, 0);
    let p = w.person(Kind::Employee, "ENG-SWE", t);
    let who = id(w, p);
    w.event(p, EvType::Hire, t, "New position");
    for (sys, ents) in role("ENG-SWE").access {
        if *sys != Sys::Github {
            w.provision(p, *sys, ents, true, t, None);
        }
    }
    let ap = w.approve(&who, Sys::Github, "northwind", t - days(2));
    let a = acct(w, p, Sys::Github);
    let x = w.exec(
        Sys::Github,
        Op::Invite,
        &a,
        Some("northwind"),
        t + hours(1),
        Outcome::Queued,
        Some(&who),
        None,
    );
    w.expect(Sys::Github, &a, "northwind", t + hours(1), None);
    finding(
        w,
        F,
        Some(p),
        Sys::Github,
        Some(a.clone()),
        Some("northwind"),
        "joiner's organization invitation never accepted".into(),
        vec![
            Ref::Exec(x),
            Ref::Approval(ap),
            recon(Sys::Github, &a, "northwind", t),
        ],
    );

    let n = pre_nhi(
        w,
        "nhi-k8s-app",
        Kind::Workload,
        Sys::K8s,
        "feature-flags",
        "system:serviceaccount:apps:feature-flags",
        owner.clone(),
    );
    let who = id(w, n);
    let at = ts(2025, 6, 24, 9, 0, 0);
    let ap = w.approve(&who, Sys::K8s, "apps/config-reader", at - days(1));
    let a = acct(w, n, Sys::K8s);
    let x = w.exec(
        Sys::K8s,
        Op::Grant,
        &a,
        Some("apps/config-reader"),
        at,
        Outcome::Failed("Forbidden"),
        Some(&who),
        None,
    );
    w.expect(Sys::K8s, &a, "apps/config-reader", at, None);
    finding(
        w,
        F,
        Some(n),
        Sys::K8s,
        Some(a.clone()),
        Some("apps/config-reader"),
        "rolebinding create rejected (403) and never retried".into(),
        vec![
            Ref::Exec(x),
            Ref::Approval(ap),
            recon(Sys::K8s, &a, "apps/config-reader", at),
        ],
    );

    let created = ts(2025, 9, 8, 10, 0, 0);
    let tok = w.nhi(
        Kind::ApiToken,
        Sys::Finance,
        "nhi-finance-integration",
        "treasury-fx",
        "api-treasury-fx".into(),
        owner.clone(),
        created,
        None,
    );
    let kid = format!("fak_{}", w.rng.hex(12));
    w.ids[tok].alias = Some(kid.clone());
    let who = id(w, tok);
    w.event(tok, EvType::NhiCreated, created, "New integration");
    w.approved_grant(
        tok,
        Sys::Finance,
        None,
        created - days(1),
        created + hours(1),
    );
    w.approved_grant(
        tok,
        Sys::Finance,
        Some("Reports-Read"),
        created - days(1),
        created + hours(1) + minutes(1),
    );
    let ap = w.approve(&who, Sys::Finance, &kid, created - days(1));
    let req = Some(w.approvals[ap].id.clone());
    let x = w.exec(
        Sys::Finance,
        Op::CredCreate,
        "api-treasury-fx",
        Some(&kid),
        created + hours(1) + minutes(2),
        Outcome::Queued,
        Some(&who),
        req,
    );
    finding(
        w,
        F,
        Some(tok),
        Sys::Finance,
        Some("api-treasury-fx".into()),
        Some(&kid),
        "API key creation left Pending, never completed".into(),
        vec![Ref::Exec(x), Ref::Approval(ap)],
    );

    let p = pre_person(w, Kind::Employee, "SALES-AE");
    let who = id(w, p);
    let at = ts(2025, 11, 4, 10, 0, 0);
    let ap = w.approve(&who, Sys::Okta, "Data", at - days(1));
    let a = acct(w, p, Sys::Okta);
    let x1 = w.exec(
        Sys::Okta,
        Op::Grant,
        &a,
        Some("Data"),
        at,
        Outcome::Failed("Rate limit exceeded"),
        Some(&who),
        None,
    );
    let x2 = w.exec(
        Sys::Okta,
        Op::Grant,
        &a,
        Some("Data"),
        at + minutes(10),
        Outcome::Ok,
        Some(&who),
        None,
    );
    w.expect(Sys::Okta, &a, "Data", at + minutes(10), None);
    clean(
        w,
        F,
        p,
        Sys::Okta,
        Some("Data"),
        "failed grant retried successfully 10 minutes later".into(),
        vec![Ref::Approval(ap), Ref::Exec(x1), Ref::Exec(x2)],
    );

    // Removals no lifecycle event, approval or exception explains.
    let p = pre_person(w, Kind::Employee, "SALES-AE");
    let x = w.exec(
        Sys::Google,
        Op::Revoke,
        &acct(w, p, Sys::Google),
        Some("sales@northwind.example"),
        ts(2025, 3, 25, 16, 0, 0),
        Outcome::Ok,
        Some(&id(w, p)),
        None,
    );
    finding(
        w,
        W,
        Some(p),
        Sys::Google,
        Some(acct(w, p, Sys::Google)),
        Some("sales@northwind.example"),
        "removed from a birthright group with no event or request".into(),
        vec![Ref::Exec(x)],
    );
    let p = pre_person(w, Kind::Employee, "ENG-SRE");
    let x = w.exec_by(
        Sys::Linux,
        Op::Revoke,
        &acct(w, p, Sys::Linux),
        Some("ops"),
        ts(2025, 5, 14, 2, 13, 0),
        Outcome::Ok,
        Some(&id(w, p)),
        None,
        Some(format!("root@{BASTION}")),
    );
    finding(
        w,
        W,
        Some(p),
        Sys::Linux,
        Some(acct(w, p, Sys::Linux)),
        Some("ops"),
        "removed from group ops by root with no event or request".into(),
        vec![Ref::Exec(x)],
    );
    let n = pre_nhi(
        w,
        "nhi-aws-reporting",
        Kind::ServiceAccount,
        Sys::Aws,
        "metrics-export",
        "svc-metrics-export",
        owner.clone(),
    );
    let pol = "arn:aws:iam::111122223333:policy/reports-read";
    let x = w.exec(
        Sys::Aws,
        Op::Revoke,
        &acct(w, n, Sys::Aws),
        Some(pol),
        ts(2025, 7, 22, 13, 0, 0),
        Outcome::Ok,
        Some(&id(w, n)),
        None,
    );
    finding(
        w,
        W,
        Some(n),
        Sys::Aws,
        Some(acct(w, n, Sys::Aws)),
        Some(pol),
        "policy detached from a live service user with no change record".into(),
        vec![Ref::Exec(x)],
    );
    let n = pre_nhi(
        w,
        "nhi-k8s-app",
        Kind::Workload,
        Sys::K8s,
        "thumbnailer",
        "system:serviceaccount:apps:thumbnailer",
        owner.clone(),
    );
    let x = w.exec(
        Sys::K8s,
        Op::Revoke,
        &acct(w, n, Sys::K8s),
        Some("apps/app-runtime"),
        ts(2025, 10, 21, 4, 0, 0),
        Outcome::Ok,
        Some(&id(w, n)),
        None,
    );
    finding(
        w,
        W,
        Some(n),
        Sys::K8s,
        Some(acct(w, n, Sys::K8s)),
        Some("apps/app-runtime"),
        "rolebinding deleted with no catalog change or request".into(),
        vec![Ref::Exec(x)],
    );
}

fn accounts(w: &mut World) {
    const O: &str = "EV-ORPHAN-ACCOUNT";
    let admin = w.it_admins[0].clone();
    let actor = Some(w.ident(&admin).actor_in(Sys::Aws));
    let t = ts(2025, 2, 17, 15, 0, 0);
    let x = w.exec_by(
        Sys::Aws,
        Op::Create,
        "temp-migration",
        None,
        t,
        Outcome::Ok,
        None,
        None,
        actor.clone(),
    );
    w.exec_by(
        Sys::Aws,
        Op::Grant,
        "temp-migration",
        Some("Admins"),
        t + minutes(1),
        Outcome::Ok,
        None,
        None,
        actor,
    );
    w.orphans.insert((Sys::Aws, "temp-migration".into()));
    w.key.push(Finding {
        check: O,
        identity: None,
        sys: Some(Sys::Aws),
        account: Some("temp-migration".into()),
        ent: None,
        exception: None,
        campaign: None,
        summary: "IAM user created for a migration; maps to no identity".into(),
        evidence: vec![Ref::Exec(x), recon(Sys::Aws, "temp-migration", "Admins", t)],
    });
    for (sys, account, ent) in [
        (Sys::Okta, format!("j.doe.old@{DOMAIN}"), "All Staff"),
        (Sys::Linux, format!("olduser@{BASTION}"), "ops"),
        (
            Sys::K8s,
            "system:serviceaccount:legacy:jenkins".to_owned(),
            "cluster-admin",
        ),
        (Sys::Github, "ex-intern-42".to_owned(), "northwind"),
    ] {
        w.hold(sys, &account, ent, None);
        w.orphans.insert((sys, account.clone()));
        w.key.push(Finding {
            check: O,
            identity: None,
            sys: Some(sys),
            account: Some(account.clone()),
            ent: None,
            exception: None,
            campaign: None,
            summary: "account in reconciliation that maps to no identity".into(),
            evidence: vec![recon(sys, &account, ent, period_start())],
        });
    }
    let owner = w.owner_pool.get(4 % w.owner_pool.len().max(1)).cloned();
    let p = pre_person(w, Kind::Employee, "SALES-AE");
    drift(w, p, Sys::Okta, "Finance", None);
    let p = pre_person(w, Kind::Employee, "FIN-AP");
    drift(w, p, Sys::Entra, "IT-Admins", None);
    let n = pre_nhi(
        w,
        "nhi-aws-reporting",
        Kind::ServiceAccount,
        Sys::Aws,
        "cost-report",
        "svc-cost-report",
        owner.clone(),
    );
    drift(
        w,
        n,
        Sys::Aws,
        "arn:aws:iam::111122223333:policy/billing-export",
        None,
    );
    let n = pre_nhi(
        w,
        "nhi-k8s-app",
        Kind::Workload,
        Sys::K8s,
        "image-scan",
        "system:serviceaccount:apps:image-scan",
        owner,
    );
    drift(
        w,
        n,
        Sys::K8s,
        "apps/config-reader",
        Some(ts(2025, 6, 14, 3, 12, 0)),
    );
}

fn drift(w: &mut World, i: usize, sys: Sys, ent: &str, from: Option<Ts>) {
    let a = acct(w, i, sys);
    let who = id(w, i);
    w.holds.push(Hold {
        sys,
        account: a.clone(),
        ent: ent.to_owned(),
        ident: Some(who),
        from,
    });
    let after = from.unwrap_or(period_start());
    let summary = match from {
        Some(t) => format!(
            "{ent} appeared out of band on {} with no log entry, profile or approval",
            t.format("%Y-%m-%d")
        ),
        None => {
            format!("{ent} held all year, explained by neither profile, approval nor exception")
        }
    };
    finding(
        w,
        "EV-UNEXPECTED-ENTITLEMENT",
        Some(i),
        sys,
        Some(a.clone()),
        Some(ent),
        summary,
        vec![recon(sys, &a, ent, after)],
    );
}

/// An exception and the approved, exception-flagged grant it covers; returns (exception, grant, approval).
#[allow(clippy::too_many_arguments)]
fn exception_grant(
    w: &mut World,
    i: usize,
    sys: Sys,
    ent: &str,
    granted: Ts,
    expires: Option<Ts>,
    owned: bool,
    renewals: Vec<(Ts, Ts)>,
) -> (usize, usize, usize) {
    let who = id(w, i);
    let t = tier(sys, ent);
    let ap = w.approve(&who, sys, ent, granted - days(1) + hours(10));
    w.approvals[ap].exception = true;
    w.approvals[ap].expires = expires;
    w.approvals[ap].justification = format!("Exception: {ent} outside the access profile");
    let req = Some(w.approvals[ap].id.clone());
    let at = granted + hours(10);
    let a = acct(w, i, sys);
    let x = w.exec(
        sys,
        Op::Grant,
        &a,
        Some(ent),
        at,
        Outcome::Ok,
        Some(&who),
        req,
    );
    let effective = renewals.last().map(|r| r.1).or(expires);
    w.expect(sys, &a, ent, at, effective);
    let owner = if owned {
        Some(w.approving_manager(&who))
    } else {
        None
    };
    let approver = w.security[1 % w.security.len()].clone();
    let renewals = renewals
        .into_iter()
        .map(|(at, to)| (approver.clone(), at, to))
        .collect();
    let n = w.exceptions.len() + 1;
    w.exceptions.push(Exc {
        id: format!("EXC-{n:03}"),
        subject: who,
        sys,
        ent: ent.to_owned(),
        tier: t,
        owner,
        approver,
        granted,
        expires,
        reason: format!("{ent} needed outside the access profile"),
        renewals,
    });
    (w.exceptions.len() - 1, x, ap)
}

#[allow(clippy::too_many_arguments)]
fn exc_finding(
    w: &mut World,
    check: &'static str,
    i: usize,
    e: usize,
    sys: Sys,
    ent: &str,
    summary: String,
    mut extra: Vec<Ref>,
) {
    let mut evidence = vec![Ref::Exception(e)];
    evidence.append(&mut extra);
    let identity = Some(id(w, i));
    let account = Some(acct(w, i, sys));
    let exception = Some(w.exceptions[e].id.clone());
    w.key.push(Finding {
        check,
        identity,
        sys: Some(sys),
        account,
        ent: Some(ent.to_owned()),
        exception,
        campaign: None,
        summary,
        evidence,
    });
}

fn exceptions(w: &mut World) {
    let owner = w.owner_pool.get(5 % w.owner_pool.len().max(1)).cloned();
    let d = |y, m, dd| ts(y, m, dd, 0, 0, 0);
    // Expired, access still present.
    let p = pre_person(w, Kind::Contractor, "ENG-CONTRACT");
    let (e, _, _) = exception_grant(
        w,
        p,
        Sys::Github,
        "northwind/sre",
        d(2025, 3, 3),
        Some(d(2025, 5, 30)),
        true,
        vec![],
    );
    let a = acct(w, p, Sys::Github);
    exc_finding(
        w,
        "EV-EXCEPTION-EXPIRED-ACTIVE",
        p,
        e,
        Sys::Github,
        "northwind/sre",
        "exception expired 2025-05-30; access still present".into(),
        vec![recon(Sys::Github, &a, "northwind/sre", d(2025, 5, 30))],
    );
    let p = pre_person(w, Kind::Employee, "SALES-AE");
    let (e, _, _) = exception_grant(
        w,
        p,
        Sys::Okta,
        "Engineering",
        d(2025, 6, 2),
        Some(d(2025, 8, 29)),
        true,
        vec![],
    );
    let a = acct(w, p, Sys::Okta);
    exc_finding(
        w,
        "EV-EXCEPTION-EXPIRED-ACTIVE",
        p,
        e,
        Sys::Okta,
        "Engineering",
        "exception expired 2025-08-29; access still present".into(),
        vec![recon(Sys::Okta, &a, "Engineering", d(2025, 8, 29))],
    );
    let n = pre_nhi(
        w,
        "nhi-aws-backup",
        Kind::ServiceAccount,
        Sys::Aws,
        "dr-drill",
        "svc-dr-drill",
        owner.clone(),
    );
    let (e, _, _) = exception_grant(
        w,
        n,
        Sys::Aws,
        POLICY_ADMIN,
        d(2025, 4, 1),
        Some(d(2025, 4, 30)),
        true,
        vec![],
    );
    let a = acct(w, n, Sys::Aws);
    exc_finding(
        w,
        "EV-EXCEPTION-EXPIRED-ACTIVE",
        n,
        e,
        Sys::Aws,
        POLICY_ADMIN,
        "privileged exception expired 2025-04-30; policy still attached".into(),
        vec![recon(Sys::Aws, &a, POLICY_ADMIN, d(2025, 4, 30))],
    );

    // No owner.
    let p = pre_person(w, Kind::Employee, "DATA-ANL");
    let (e, _, _) = exception_grant(
        w,
        p,
        Sys::Aws,
        "Operators",
        d(2025, 10, 20),
        Some(d(2026, 1, 15)),
        false,
        vec![],
    );
    exc_finding(
        w,
        "EV-EXCEPTION-NO-OWNER",
        p,
        e,
        Sys::Aws,
        "Operators",
        "exception has no owner".into(),
        vec![],
    );
    let p = pre_person(w, Kind::Employee, "ENG-SWE");
    let (e, _, _) = exception_grant(
        w,
        p,
        Sys::Okta,
        "Security",
        d(2025, 9, 1),
        Some(d(2026, 2, 27)),
        false,
        vec![],
    );
    exc_finding(
        w,
        "EV-EXCEPTION-NO-OWNER",
        p,
        e,
        Sys::Okta,
        "Security",
        "exception has no owner".into(),
        vec![],
    );
    let n = pre_nhi(
        w,
        "nhi-k8s-app",
        Kind::Workload,
        Sys::K8s,
        "debug-tools",
        "system:serviceaccount:apps:debug-tools",
        owner.clone(),
    );
    let (e, _, _) = exception_grant(
        w,
        n,
        Sys::K8s,
        "cluster-admin",
        d(2025, 12, 10),
        Some(d(2026, 1, 8)),
        false,
        vec![],
    );
    exc_finding(
        w,
        "EV-EXCEPTION-NO-OWNER",
        n,
        e,
        Sys::K8s,
        "cluster-admin",
        "exception has no owner".into(),
        vec![],
    );

    // No expiry.
    let p = pre_person(w, Kind::Employee, "ENG-SRE");
    let (e, _, _) = exception_grant(w, p, Sys::Aws, "Admins", d(2025, 6, 2), None, true, vec![]);
    exc_finding(
        w,
        "EV-EXCEPTION-NO-EXPIRY",
        p,
        e,
        Sys::Aws,
        "Admins",
        "exception has no expiry".into(),
        vec![],
    );
    let p = pre_person(w, Kind::Employee, "SALES-AE");
    let (e, _, _) = exception_grant(
        w,
        p,
        Sys::Entra,
        "Finance-Users",
        d(2025, 7, 14),
        None,
        true,
        vec![],
    );
    exc_finding(
        w,
        "EV-EXCEPTION-NO-EXPIRY",
        p,
        e,
        Sys::Entra,
        "Finance-Users",
        "exception has no expiry".into(),
        vec![],
    );
    let n = pre_nhi(
        w,
        "nhi-google-service",
        Kind::ServiceAccount,
        Sys::Google,
        "signature-sync",
        "svc-signature-sync@northwind.example",
        owner.clone(),
    );
    let (e, _, _) = exception_grant(
        w,
        n,
        Sys::Google,
        "it@northwind.example",
        d(2025, 5, 5),
        None,
        true,
        vec![],
    );
    exc_finding(
        w,
        "EV-EXCEPTION-NO-EXPIRY",
        n,
        e,
        Sys::Google,
        "it@northwind.example",
        "exception has no expiry".into(),
        vec![],
    );

    // Longer than the tier allows.
    let p = pre_person(w, Kind::Contractor, "ENG-CONTRACT");
    let (e, _, _) = exception_grant(
        w,
        p,
        Sys::Okta,
        "Finance",
        d(2025, 2, 3),
        Some(d(2026, 1, 30)),
        true,
        vec![],
    );
    exc_finding(
        w,
        "EV-EXCEPTION-TOO-LONG",
        p,
        e,
        Sys::Okta,
        "Finance",
        "361 days for a standard exception; maximum 180".into(),
        vec![],
    );
    let p = pre_person(w, Kind::Employee, "ENG-SWE");
    let (e, _, _) = exception_grant(
        w,
        p,
        Sys::K8s,
        "prod/deployer",
        d(2025, 5, 5),
        Some(d(2026, 2, 2)),
        true,
        vec![],
    );
    exc_finding(
        w,
        "EV-EXCEPTION-TOO-LONG",
        p,
        e,
        Sys::K8s,
        "prod/deployer",
        "273 days for an elevated exception; maximum 90".into(),
        vec![],
    );
    let n = pre_nhi(
        w,
        "nhi-linux-service",
        Kind::ServiceAccount,
        Sys::Linux,
        "db-maint",
        "svc-db-maint@bastion",
        owner.clone(),
    );
    let (e, _, _) = exception_grant(
        w,
        n,
        Sys::Linux,
        "sudo",
        d(2025, 11, 3),
        Some(d(2026, 3, 3)),
        true,
        vec![],
    );
    exc_finding(
        w,
        "EV-EXCEPTION-TOO-LONG",
        n,
        e,
        Sys::Linux,
        "sudo",
        "120 days for a privileged exception; maximum 30".into(),
        vec![],
    );

    // Clean: renewed before expiry; granted-to-final-expiry still within the maximum.
    let p = pre_person(w, Kind::Employee, "DATA-ANL");
    let (e, x, _) = exception_grant(
        w,
        p,
        Sys::Github,
        "northwind/engineering",
        d(2025, 7, 7),
        Some(d(2025, 10, 3)),
        true,
        vec![(d(2025, 9, 29), d(2026, 1, 2))],
    );
    clean(w, "EV-EXCEPTION-EXPIRED-ACTIVE", p, Sys::Github, Some("northwind/engineering"), "expired 2025-10-03 as granted, but renewed on 2025-09-29 (before expiry) to 2026-01-02; 179 days from grant to final expiry".into(), vec![Ref::Exception(e), Ref::Exec(x)]);
}

fn nhi_governance(w: &mut World) {
    let owner = w.owner_pool.get(6 % w.owner_pool.len().max(1)).cloned();
    // No owner.
    for (tpl, kind, sys, short, account, ent) in [
        (
            "nhi-aws-reporting",
            Kind::ServiceAccount,
            Sys::Aws,
            "legacy-ftp",
            "svc-legacy-ftp",
            "",
        ),
        (
            "nhi-k8s-app",
            Kind::Workload,
            Sys::K8s,
            "nightly-cleanup",
            "system:serviceaccount:apps:nightly-cleanup",
            "",
        ),
        (
            "nhi-linux-service",
            Kind::ServiceAccount,
            Sys::Linux,
            "rsync",
            "svc-rsync@bastion",
            "",
        ),
    ] {
        let _ = ent;
        let n = pre_nhi(w, tpl, kind, sys, short, account, None);
        let ev = w.events.len() - 1;
        finding(
            w,
            "EV-NHI-WITHOUT-OWNER",
            Some(n),
            sys,
            Some(account.to_owned()),
            None,
            "catalog lists no owner".into(),
            vec![Ref::Event(ev)],
        );
    }
    // Owner left, never handed over.
    for (code, t, tpl, kind, sys, short, account) in [
        (
            "ENG-SWE",
            ts(2025, 4, 11, 22, 0, 0),
            "nhi-entra-app",
            Kind::ServiceAccount,
            Sys::Entra,
            "hr-survey",
            "sp-hr-survey",
        ),
        (
            "DATA-ANL",
            ts(2025, 6, 13, 22, 0, 0),
            "nhi-github-app",
            Kind::Workload,
            Sys::Github,
            "metabase-sync-nw",
            "metabase-sync-nw",
        ),
        (
            "ENG-SRE",
            ts(2025, 9, 12, 22, 0, 0),
            "nhi-linux-service",
            Kind::ServiceAccount,
            Sys::Linux,
            "grafana-agent",
            "svc-grafana-agent@bastion",
        ),
    ] {
        let p = pre_person(w, Kind::Employee, code);
        let n = pre_nhi(w, tpl, kind, sys, short, account, Some(id(w, p)));
        let created = w.events.len() - 1;
        let (ev, _) = w.leave(p, t, &LeaveTweak::default());
        finding(
            w,
            "EV-NHI-OWNER-LEFT",
            Some(n),
            sys,
            Some(account.to_owned()),
            None,
            format!(
                "owner {} left on {}; no handover",
                id(w, p),
                t.format("%Y-%m-%d")
            ),
            vec![Ref::Event(created), Ref::Event(ev)],
        );
    }
    let p = pre_person(w, Kind::Employee, "ENG-SWE");
    let n = pre_nhi(
        w,
        "nhi-k8s-app",
        Kind::Workload,
        Sys::K8s,
        "ml-serving",
        "system:serviceaccount:apps:ml-serving",
        Some(id(w, p)),
    );
    let t = ts(2025, 7, 18, 22, 0, 0);
    let handover = w.nhi_owner_change(n, t - days(3), &owner.clone().unwrap_or_default());
    let (ev, _) = w.leave(p, t, &LeaveTweak::default());
    clean(
        w,
        "EV-NHI-OWNER-LEFT",
        n,
        Sys::K8s,
        None,
        "owner left 2025-07-18 after handing the NHI over on 2025-07-15".into(),
        vec![Ref::Event(handover), Ref::Event(ev)],
    );

    // Long-lived credentials.
    let svc = pre_nhi(
        w,
        "nhi-aws-reporting",
        Kind::ServiceAccount,
        Sys::Aws,
        "ledger-archive",
        "svc-ledger-archive",
        owner.clone(),
    );
    let kid = format!(
        "AKIA{}",
        w.rng.token(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    );
    let key = w.nhi(
        Kind::AccessKey,
        Sys::Aws,
        "",
        "ledger-archive",
        acct(w, svc, Sys::Aws),
        owner.clone(),
        ts(2023, 6, 12, 10, 0, 0),
        Some(kid.clone()),
    );
    let ev = w.nhi_baseline(key);
    let a = acct(w, key, Sys::Aws);
    finding(
        w,
        "EV-NHI-CREDENTIAL-LONG-LIVED",
        Some(key),
        Sys::Aws,
        Some(a.clone()),
        Some(&kid),
        "access key created 2023-06-12, never rotated; maximum 180 days".into(),
        vec![Ref::Event(ev), recon(Sys::Aws, &a, &kid, period_start())],
    );
    let tid = format!(
        "00T{}",
        w.rng.token(b"abcdefghijklmnopqrstuvwxyz0123456789", 17)
    );
    let tok = w.nhi(
        Kind::ApiToken,
        Sys::Okta,
        "nhi-okta-integration",
        "legacy-sync",
        "legacy-sync".into(),
        owner.clone(),
        ts(2024, 3, 5, 10, 0, 0),
        Some(tid),
    );
    let ev = w.nhi_baseline(tok);
    finding(
        w,
        "EV-NHI-CREDENTIAL-LONG-LIVED",
        Some(tok),
        Sys::Okta,
        Some("legacy-sync".into()),
        None,
        "API token created 2024-03-05, never rotated; maximum 180 days".into(),
        vec![Ref::Event(ev)],
    );
    let sp = pre_nhi(
        w,
        "nhi-entra-app",
        Kind::ServiceAccount,
        Sys::Entra,
        "expense-legacy",
        "sp-expense-legacy",
        owner.clone(),
    );
    let kid = w.rng.uuid();
    let cert = w.nhi(
        Kind::Certificate,
        Sys::Entra,
        "",
        "expense-legacy",
        acct(w, sp, Sys::Entra),
        owner.clone(),
        ts(2023, 9, 20, 10, 0, 0),
        Some(kid.clone()),
    );
    // Issued for three years: valid, and far older than the rotation policy allows.
    w.ids[cert].expires = Some(ts(2026, 9, 19, 10, 0, 0));
    let ev = w.nhi_baseline(cert);
    finding(
        w,
        "EV-NHI-CREDENTIAL-LONG-LIVED",
        Some(cert),
        Sys::Entra,
        Some("sp-expense-legacy".into()),
        Some(&kid),
        "certificate issued 2023-09-20; maximum 398 days".into(),
        vec![
            Ref::Event(ev),
            recon(Sys::Entra, "sp-expense-legacy", &kid, period_start()),
        ],
    );
    let fid = format!("fak_{}", w.rng.hex(12));
    let tok = w.nhi(
        Kind::ApiToken,
        Sys::Finance,
        "nhi-finance-integration",
        "old-bank-feed",
        "api-old-bank-feed".into(),
        owner.clone(),
        ts(2024, 1, 15, 10, 0, 0),
        Some(fid),
    );
    let ev = w.nhi_baseline(tok);
    finding(
        w,
        "EV-NHI-CREDENTIAL-LONG-LIVED",
        Some(tok),
        Sys::Finance,
        Some("api-old-bank-feed".into()),
        None,
        "API key created 2024-01-15, never rotated; maximum 180 days".into(),
        vec![Ref::Event(ev)],
    );
    let fid = format!("fak_{}", w.rng.hex(12));
    let tok = w.nhi(
        Kind::ApiToken,
        Sys::Finance,
        "nhi-finance-integration",
        "card-feed",
        "api-card-feed".into(),
        owner.clone(),
        ts(2023, 3, 1, 10, 0, 0),
        Some(fid),
    );
    let ev = w.nhi_baseline(tok);
    let alias = w.ids[tok].alias.clone().unwrap_or_default();
    let tid = id(w, tok);
    let x = w.exec(
        Sys::Finance,
        Op::CredRotate,
        "api-card-feed",
        Some(&alias),
        ts(2025, 7, 5, 12, 0, 0),
        Outcome::Ok,
        Some(&tid),
        None,
    );
    clean(
        w,
        "EV-NHI-CREDENTIAL-LONG-LIVED",
        tok,
        Sys::Finance,
        None,
        "rotated 2025-07-05 12:00: 179.5 days old at the period end, maximum 180".into(),
        vec![Ref::Event(ev), Ref::Exec(x)],
    );

    // Interactive credentials on NHIs.
    const H: &str = "EV-NHI-HUMAN-USE";
    let admin = w.it_admins[1 % w.it_admins.len()].clone();
    let n = pre_nhi(
        w,
        "nhi-aws-reporting",
        Kind::ServiceAccount,
        Sys::Aws,
        "quicksight",
        "svc-quicksight",
        owner.clone(),
    );
    let nid = id(w, n);
    let t = ts(2025, 4, 23, 16, 0, 0);
    w.approve(&nid, Sys::Aws, "console-login", t - days(1));
    let actor = Some(w.ident(&admin).actor_in(Sys::Aws));
    let x = w.exec_by(
        Sys::Aws,
        Op::Grant,
        "svc-quicksight",
        Some("console-login"),
        t,
        Outcome::Ok,
        Some(&nid),
        None,
        actor,
    );
    w.expect(Sys::Aws, "svc-quicksight", "console-login", t, None);
    finding(
        w,
        H,
        Some(n),
        Sys::Aws,
        Some("svc-quicksight".into()),
        Some("console-login"),
        "console password created for a service IAM user".into(),
        vec![Ref::Exec(x)],
    );
    let human_use = |w: &mut World,
                     kind: Kind,
                     sys: Sys,
                     profile: &str,
                     short: &str,
                     account: &str,
                     t: Ts,
                     text: &str| {
        let n = pre_nhi(w, profile, kind, sys, short, account, owner.clone());
        let nid = id(w, n);
        let actor = Some(w.ident(&admin).actor_in(sys));
        let x = w.exec_by(
            sys,
            Op::Password,
            account,
            None,
            t,
            Outcome::Ok,
            Some(&nid),
            None,
            actor,
        );
        finding(
            w,
            H,
            Some(n),
            sys,
            Some(account.to_owned()),
            None,
            text.to_owned(),
            vec![Ref::Exec(x)],
        );
    };
    human_use(
        w,
        Kind::AiAgent,
        Sys::Okta,
        "nhi-okta-agent",
        "ai-helpdesk",
        "ai-helpdesk@northwind.example",
        ts(2025, 5, 28, 9, 10, 0),
        "password reset on the AI agent's Okta user",
    );
    human_use(
        w,
        Kind::ServiceAccount,
        Sys::Entra,
        "nhi-entra-user",
        "svc-reporting",
        "svc-reporting@northwind.example",
        ts(2025, 8, 19, 10, 0, 0),
        "password reset on a service user in Entra ID",
    );
    human_use(
        w,
        Kind::ServiceAccount,
        Sys::Google,
        "nhi-google-service",
        "scanner",
        "svc-scanner@northwind.example",
        ts(2025, 9, 30, 15, 0, 0),
        "password changed on a Google service user",
    );
    human_use(
        w,
        Kind::ServiceAccount,
        Sys::Linux,
        "nhi-linux-service",
        "backup-legacy",
        "svc-backup-legacy@bastion",
        ts(2025, 11, 12, 3, 0, 0),
        "password set on a Linux service account",
    );

    // The second AI agent: a code-review GitHub App installed during the year.
    let n = w.nhi(
        Kind::AiAgent,
        Sys::Github,
        "nhi-github-app",
        "ai-code-reviewer",
        "ai-code-reviewer".into(),
        owner,
        ts(2020, 1, 1, 0, 0, 0),
        None,
    );
    w.nhi_create(n, ts(2025, 5, 12, 10, 0, 0));
}

// ---- issue 19: leaver credentials and stale NHI credentials -----------------------------------

const CRED_NOT_REVOKED: &str = "EV-LEAVER-CREDENTIAL-NOT-REVOKED";
const CRED_LATE: &str = "EV-LEAVER-CREDENTIAL-REVOKED-LATE";
const CRED_USED: &str = "EV-CREDENTIAL-USED-AFTER-LEAVE";
const CRED_STALE: &str = "EV-NHI-CREDENTIAL-STALE";

/// Northwind's `[nhi] credential_max_idle`.
pub const CREDENTIAL_MAX_IDLE_DAYS: i64 = 60;

fn aws_key_id(w: &mut World) -> String {
    format!(
        "AKIA{}",
        w.rng.token(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    )
}

fn okta_token_id(w: &mut World) -> String {
    format!(
        "00T{}",
        w.rng.token(b"abcdefghijklmnopqrstuvwxyz0123456789", 17)
    )
}

/// A person's own access key on their IAM user, requested and approved like any grant.
fn person_key(w: &mut World, p: usize, at: Ts) -> (String, usize) {
    let who = id(w, p);
    let a = acct(w, p, Sys::Aws);
    let kid = aws_key_id(w);
    let ap = w.approve(&who, Sys::Aws, &kid, at - days(2));
    let req = Some(w.approvals[ap].id.clone());
    let x = w.exec(
        Sys::Aws,
        Op::CredCreate,
        &a,
        Some(&kid),
        at,
        Outcome::Ok,
        Some(&who),
        req,
    );
    w.expect(Sys::Aws, &a, &kid, at, None);
    w.person_creds.insert(format!("aws:{kid}"), who);
    (kid, x)
}

/// A person leaves at `t`; every system is revoked on time, AWS by removing the IAM user's
/// groups `groups_after` the leave time (the user itself, and its access key, are left).
fn leave_keeping_iam_user(
    w: &mut World,
    code: &str,
    key_at: Ts,
    t: Ts,
    groups_after: Duration,
) -> (usize, usize, String, usize) {
    let p = pre_person(w, Kind::Employee, code);
    let (kid, _) = person_key(w, p, key_at);
    let tw = LeaveTweak {
        keep: [Sys::Aws].into(),
        ..Default::default()
    };
    let (ev, _) = w.leave(p, t, &tw);
    let who = id(w, p);
    let a = acct(w, p, Sys::Aws);
    w.end_expect(Sys::Aws, &a, &kid, t);
    let mut at = t + groups_after;
    let mut last = 0;
    for g in role_access(code, Sys::Aws) {
        last = w.exec(
            Sys::Aws,
            Op::Revoke,
            &a,
            Some(g),
            at,
            Outcome::Ok,
            Some(&who),
            None,
        );
        at += Duration::seconds(2);
    }
    (p, ev, kid, last)
}

fn deactivate_key(w: &mut World, p: usize, kid: &str, at: Ts) -> usize {
    let who = id(w, p);
    let a = acct(w, p, Sys::Aws);
    w.exec(
        Sys::Aws,
        Op::CredDeactivate,
        &a,
        Some(kid),
        at,
        Outcome::Ok,
        Some(&who),
        None,
    )
}

/// A call signed with the access key (read-only: activity, not a change).
fn signed_call(w: &mut World, account: &str, key: &str, at: Ts) -> usize {
    let sid = w.rng.uuid();
    w.calls.push(Call {
        account: account.to_owned(),
        key: key.to_owned(),
        at,
        event: "ListBuckets",
        source: "s3.amazonaws.com",
        sid,
    });
    w.calls.len() - 1
}

/// An NHI credential on `account` (an access key on an IAM user, or an Okta API token that is
/// its own account), created in the period.
fn nhi_credential(
    w: &mut World,
    kind: Kind,
    sys: Sys,
    short: &str,
    account: &str,
    created: Ts,
) -> (usize, String, usize) {
    let owner = w.owner_pool.get(3 % w.owner_pool.len().max(1)).cloned();
    let (profile, cid) = match sys {
        Sys::Okta => ("nhi-okta-integration", okta_token_id(w)),
        _ => ("", aws_key_id(w)),
    };
    let n = w.nhi(
        kind,
        sys,
        profile,
        short,
        account.to_owned(),
        owner,
        created,
        Some(cid.clone()),
    );
    let (ev, _) = w.nhi_create(n, created);
    (n, cid, ev)
}

/// Issue 19's cases: a departure's credentials (access keys, API tokens) revoked on their own,
/// late or never, or used after the leave time; NHI credentials idle past the policy's limit.
/// Runs after the access reviews (no case here falls in a campaign's scope).
pub fn credentials(w: &mut World) {
    let owner = w.owner_pool.get(3 % w.owner_pool.len().max(1)).cloned();
    let sla = |s: Sys| hours(s.sla_hours());

    // -- People: the classic AWS case. Groups removed on time, the IAM user and its key left.
    let t = ts(2025, 4, 16, 22, 0, 0);
    let (p, ev, kid, groups) =
        leave_keeping_iam_user(w, "ENG-SWE", ts(2025, 2, 4, 15, 10, 0), t, hours(5));
    let a = acct(w, p, Sys::Aws);
    w.cred_use.insert(
        (Sys::Aws, a.clone(), kid.clone()),
        CredUse::Cap(t - days(2)),
    );
    finding(
        w,
        CRED_NOT_REVOKED,
        Some(p),
        Sys::Aws,
        Some(a.clone()),
        Some(&kid),
        "left 2025-04-16; IAM groups removed after 5h, access key still active in every later listing".into(),
        vec![Ref::Event(ev), recon(Sys::Aws, &a, &kid, t)],
    );
    clean(
        w,
        "EV-LEAVER-NOT-REVOKED",
        p,
        Sys::Aws,
        None,
        "IAM groups removed 5h after the leave time (SLA 24h): the account's access is gone; the active key is its own finding (conventions 5, 17)".into(),
        vec![Ref::Event(ev), Ref::Exec(groups)],
    );

    let t = ts(2025, 3, 12, 22, 0, 0);
    let (p, ev, kid, _) =
        leave_keeping_iam_user(w, "DATA-ANL", ts(2025, 1, 21, 11, 0, 0), t, hours(3));
    let x = deactivate_key(w, p, &kid, t + hours(40));
    let a = acct(w, p, Sys::Aws);
    finding(
        w,
        CRED_LATE,
        Some(p),
        Sys::Aws,
        Some(a),
        Some(&kid),
        "access key deactivated 40h after the leave time; SLA 24h (groups removed after 3h)".into(),
        vec![Ref::Event(ev), Ref::Exec(x)],
    );

    let t = ts(2025, 5, 14, 22, 0, 0);
    let (p, ev, kid, _) = leave_keeping_iam_user(
        w,
        "ENG-SRE",
        ts(2025, 2, 18, 9, 30, 0),
        t,
        hours(2) + minutes(30),
    );
    let a = acct(w, p, Sys::Aws);
    let c = signed_call(w, &a, &kid, t + hours(2));
    let x = deactivate_key(w, p, &kid, t + hours(6));
    finding(
        w,
        CRED_USED,
        Some(p),
        Sys::Aws,
        Some(a),
        Some(&kid),
        "S3 ListBuckets signed with the leaver's access key 2h after the leave time (key deactivated on time, 6h)".into(),
        vec![Ref::Event(ev), Ref::Call(c)],
    );
    clean(
        w,
        "EV-ACTIVITY-AFTER-TERMINATION",
        p,
        Sys::Aws,
        None,
        "the only use after leaving is an API call signed with the access key: that is EV-CREDENTIAL-USED-AFTER-LEAVE, not a sign-in".into(),
        vec![Ref::Event(ev), Ref::Call(c)],
    );
    clean(
        w,
        CRED_LATE,
        p,
        Sys::Aws,
        Some(&kid),
        "access key deactivated 6h after the leave time: inside the 24h SLA".into(),
        vec![Ref::Event(ev), Ref::Exec(x)],
    );

    // Look-alikes: a key used exactly at the leave time and deactivated exactly at the SLA.
    let t = ts(2025, 6, 11, 22, 0, 0);
    let (p, ev, kid, _) =
        leave_keeping_iam_user(w, "ENG-SWE", ts(2025, 3, 3, 10, 0, 0), t, hours(1));
    let a = acct(w, p, Sys::Aws);
    let c = signed_call(w, &a, &kid, t);
    let x = deactivate_key(w, p, &kid, t + sla(Sys::Aws));
    clean(
        w,
        CRED_USED,
        p,
        Sys::Aws,
        Some(&kid),
        "last call signed with the key at exactly the leave time: not after it".into(),
        vec![Ref::Event(ev), Ref::Call(c)],
    );
    clean(
        w,
        CRED_LATE,
        p,
        Sys::Aws,
        Some(&kid),
        "access key deactivated exactly 24h after the leave time: exactly at the SLA is on time"
            .into(),
        vec![Ref::Event(ev), Ref::Exec(x)],
    );
    // The IAM user deleted: its keys go with it.
    let p = pre_person(w, Kind::Employee, "DATA-ANL");
    let (kid, _) = person_key(w, p, ts(2025, 2, 25, 14, 0, 0));
    let t = ts(2025, 5, 21, 22, 0, 0);
    let (ev, xs) = w.leave(p, t, &LeaveTweak::default());
    let a = acct(w, p, Sys::Aws);
    w.end_expect(Sys::Aws, &a, &kid, t);
    clean(
        w,
        CRED_NOT_REVOKED,
        p,
        Sys::Aws,
        Some(&kid),
        "the IAM user was deleted within the SLA, which deletes its access keys".into(),
        vec![Ref::Event(ev), Ref::Exec(xs[&Sys::Aws])],
    );

    // -- NHIs: retired keys and tokens.
    let host = pre_nhi(
        w,
        "nhi-aws-backup",
        Kind::ServiceAccount,
        Sys::Aws,
        "media-export",
        "svc-media-export",
        owner.clone(),
    );
    let ha = acct(w, host, Sys::Aws);
    let (k, kid, _) = nhi_credential(
        w,
        Kind::AccessKey,
        Sys::Aws,
        "media-export",
        &ha,
        ts(2025, 2, 11, 10, 0, 0),
    );
    let t = ts(2025, 5, 7, 10, 0, 0);
    let (ev, _) = w.nhi_retire(k, t, None);
    w.cred_use.insert(
        (Sys::Aws, ha.clone(), kid.clone()),
        CredUse::Uses(vec![t + days(4) + hours(3)]),
    );
    finding(
        w,
        CRED_NOT_REVOKED,
        Some(k),
        Sys::Aws,
        Some(ha.clone()),
        Some(&kid),
        "access key retired in the catalog, never deactivated or deleted".into(),
        vec![Ref::Event(ev), recon(Sys::Aws, &ha, &kid, t)],
    );
    finding(
        w,
        CRED_USED,
        Some(k),
        Sys::Aws,
        Some(ha.clone()),
        Some(&kid),
        "the listing's Last Used is 4 days after the retirement".into(),
        vec![Ref::Event(ev), recon(Sys::Aws, &ha, &kid, t)],
    );

    let host = pre_nhi(
        w,
        "nhi-aws-backup",
        Kind::ServiceAccount,
        Sys::Aws,
        "docs-sync",
        "svc-docs-sync",
        owner.clone(),
    );
    let ha = acct(w, host, Sys::Aws);
    let (k, kid, _) = nhi_credential(
        w,
        Kind::AccessKey,
        Sys::Aws,
        "docs-sync",
        &ha,
        ts(2025, 1, 14, 10, 0, 0),
    );
    let t = ts(2025, 4, 15, 10, 0, 0);
    let (ev, x) = w.nhi_retire(k, t, Some(hours(30)));
    finding(
        w,
        CRED_LATE,
        Some(k),
        Sys::Aws,
        Some(ha.clone()),
        Some(&kid),
        "access key deleted 30h after the retirement; SLA 24h".into(),
        vec![Ref::Event(ev), Ref::Exec(x.unwrap_or(0))],
    );
    let (k, kid, _) = nhi_credential(
        w,
        Kind::AccessKey,
        Sys::Aws,
        "docs-sync",
        &ha,
        ts(2025, 1, 14, 10, 30, 0),
    );
    let t = ts(2025, 9, 9, 10, 0, 0);
    let (ev, x) = w.nhi_retire(k, t, Some(sla(Sys::Aws)));
    clean(
        w,
        CRED_LATE,
        k,
        Sys::Aws,
        Some(&kid),
        "access key deleted exactly 24h after the retirement: exactly at the SLA is on time".into(),
        vec![Ref::Event(ev), Ref::Exec(x.unwrap_or(0))],
    );

    let (o1, tid, _) = nhi_credential(
        w,
        Kind::ApiToken,
        Sys::Okta,
        "wiki-export",
        "wiki-export",
        ts(2025, 3, 5, 10, 0, 0),
    );
    let t = ts(2025, 7, 8, 10, 0, 0);
    let (ev, _) = w.nhi_retire(o1, t, None);
    w.cred_use.insert(
        (Sys::Okta, "wiki-export".into(), tid.clone()),
        CredUse::Uses(vec![t + days(2) + hours(5)]),
    );
    finding(
        w,
        CRED_NOT_REVOKED,
        Some(o1),
        Sys::Okta,
        Some("wiki-export".into()),
        Some(&tid),
        "API token retired in the catalog, never revoked".into(),
        vec![Ref::Event(ev), recon(Sys::Okta, "wiki-export", &tid, t)],
    );
    finding(
        w,
        CRED_USED,
        Some(o1),
        Sys::Okta,
        Some("wiki-export".into()),
        Some(&tid),
        "the listing's Last Used is 2 days after the retirement".into(),
        vec![Ref::Event(ev), recon(Sys::Okta, "wiki-export", &tid, t)],
    );
    let (o2, tid, _) = nhi_credential(
        w,
        Kind::ApiToken,
        Sys::Okta,
        "badge-sync",
        "badge-sync",
        ts(2025, 2, 19, 10, 0, 0),
    );
    let t = ts(2025, 8, 20, 10, 0, 0);
    let (ev, x) = w.nhi_retire(o2, t, Some(hours(7)));
    finding(
        w,
        CRED_LATE,
        Some(o2),
        Sys::Okta,
        Some("badge-sync".into()),
        Some(&tid),
        "API token revoked 7h after the retirement; SLA 4h".into(),
        vec![Ref::Event(ev), Ref::Exec(x.unwrap_or(0))],
    );

    // -- Stale NHI credentials (limit 60 days), each younger than the rotation limit.
    let host = pre_nhi(
        w,
        "nhi-aws-backup",
        Kind::ServiceAccount,
        Sys::Aws,
        "ml-archive",
        "svc-ml-archive",
        owner.clone(),
    );
    let ha = acct(w, host, Sys::Aws);
    let made = ts(2025, 7, 15, 10, 0, 0);
    let (k, kid, ev) = nhi_credential(w, Kind::AccessKey, Sys::Aws, "ml-archive", &ha, made);
    let used = ts(2025, 7, 21, 9, 12, 0);
    w.cred_use.insert(
        (Sys::Aws, ha.clone(), kid.clone()),
        CredUse::Uses(vec![made + minutes(30), used]),
    );
    let at = snapshot_times()[9];
    finding(
        w,
        CRED_STALE,
        Some(k),
        Sys::Aws,
        Some(ha.clone()),
        Some(&kid),
        "access key last used 2025-07-21; 71 days idle at the 2025-09-30 listing, limit 60".into(),
        vec![Ref::Event(ev), recon(Sys::Aws, &ha, &kid, at)],
    );
    let made = ts(2025, 7, 10, 10, 0, 0);
    let (k, kid, ev) = nhi_credential(w, Kind::AccessKey, Sys::Aws, "ml-archive", &ha, made);
    let edge = snapshot_times()[9] - days(CREDENTIAL_MAX_IDLE_DAYS);
    w.cred_use.insert(
        (Sys::Aws, ha.clone(), kid.clone()),
        CredUse::Uses(vec![
            made + minutes(30),
            edge,
            ts(2025, 10, 20, 14, 0, 0),
            ts(2025, 12, 5, 11, 0, 0),
        ]),
    );
    clean(
        w,
        CRED_STALE,
        k,
        Sys::Aws,
        Some(&kid),
        "last used 2025-08-01T23:59:59Z: exactly 60 days before the 2025-09-30 listing, which is not longer than the limit; used again in October and December".into(),
        vec![Ref::Event(ev), recon(Sys::Aws, &ha, &kid, snapshot_times()[9])],
    );
    let made = ts(2025, 8, 12, 10, 0, 0);
    let (k, kid, ev) = nhi_credential(w, Kind::AccessKey, Sys::Aws, "ml-archive", &ha, made);
    w.cred_use
        .insert((Sys::Aws, ha.clone(), kid.clone()), CredUse::Never);
    let nid = id(w, k);
    w.not_assessed.push(Finding {
        check: CRED_STALE,
        identity: Some(nid),
        sys: Some(Sys::Aws),
        account: Some(ha.clone()),
        ent: Some(kid.clone()),
        exception: None,
        campaign: None,
        summary: "the listings give no last-used date for this key (never used, or not reported): idleness cannot be judged".into(),
        evidence: vec![Ref::Event(ev), recon(Sys::Aws, &ha, &kid, made)],
    });

    let made = ts(2025, 8, 5, 10, 0, 0);
    let (k, tid, ev) = nhi_credential(
        w,
        Kind::ApiToken,
        Sys::Okta,
        "vendor-portal",
        "vendor-portal",
        made,
    );
    w.cred_use.insert(
        (Sys::Okta, "vendor-portal".into(), tid.clone()),
        CredUse::Uses(vec![made + hours(1), ts(2025, 8, 18, 16, 20, 0)]),
    );
    finding(
        w,
        CRED_STALE,
        Some(k),
        Sys::Okta,
        Some("vendor-portal".into()),
        Some(&tid),
        "API token last used 2025-08-18; 74 days idle at the 2025-10-31 listing, limit 60".into(),
        vec![
            Ref::Event(ev),
            recon(Sys::Okta, "vendor-portal", &tid, snapshot_times()[10]),
        ],
    );
    let made = ts(2025, 9, 10, 10, 0, 0);
    let (k, tid, ev) = nhi_credential(
        w,
        Kind::ApiToken,
        Sys::Okta,
        "print-bridge",
        "print-bridge",
        made,
    );
    w.cred_use.insert(
        (Sys::Okta, "print-bridge".into(), tid.clone()),
        CredUse::Never,
    );
    let nid = id(w, k);
    w.not_assessed.push(Finding {
        check: CRED_STALE,
        identity: Some(nid),
        sys: Some(Sys::Okta),
        account: Some("print-bridge".into()),
        ent: Some(tid.clone()),
        exception: None,
        campaign: None,
        summary: "the listings give no last-used date for this token: idleness cannot be judged"
            .into(),
        evidence: vec![Ref::Event(ev), recon(Sys::Okta, "print-bridge", &tid, made)],
    });

    let sp = pre_nhi(
        w,
        "nhi-entra-app",
        Kind::ServiceAccount,
        Sys::Entra,
        "contract-portal",
        "sp-contract-portal",
        owner.clone(),
    );
    let spa = acct(w, sp, Sys::Entra);
    let kid = w.rng.uuid();
    let cert = w.nhi(
        Kind::Certificate,
        Sys::Entra,
        "",
        "contract-portal",
        spa.clone(),
        owner.clone(),
        ts(2024, 12, 10, 10, 0, 0),
        Some(kid.clone()),
    );
    let ev = w.nhi_baseline(cert);
    w.cred_use.insert(
        (Sys::Entra, spa.clone(), kid.clone()),
        CredUse::Uses(vec![ts(2025, 6, 20, 8, 0, 0)]),
    );
    finding(
        w,
        CRED_STALE,
        Some(cert),
        Sys::Entra,
        Some(spa.clone()),
        Some(&kid),
        "certificate last used 2025-06-20; 72 days idle at the 2025-08-31 listing, limit 60".into(),
        vec![
            Ref::Event(ev),
            recon(Sys::Entra, &spa, &kid, snapshot_times()[8]),
        ],
    );
}
