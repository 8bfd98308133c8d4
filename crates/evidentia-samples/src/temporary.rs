//! Issue 19's time-bound approvals and emergency access (JIT activations, break-glass sign-ins and their register), planted with boundary look-alikes and recorded in the key.

use chrono::Duration;

use crate::model::*;
use crate::plants::{acct, clean, finding, id, pre_nhi, recon};
use crate::world::*;

const PAST_EXPIRY: &str = "EV-ACCESS-PAST-EXPIRY";
const HELD_TOO_LONG: &str = "EV-EMERGENCY-HELD-TOO-LONG";
const NO_REVIEW: &str = "EV-EMERGENCY-NO-REVIEW";
const NO_TICKET: &str = "EV-BREAK-GLASS-NO-TICKET";

/// Northwind's `[emergency] review_window`.
pub const REVIEW_WINDOW_HOURS: i64 = 72;
/// The AWS just-in-time group and the longest one activation may last.
pub const JIT_AWS: (&str, i64) = ("emergency-admins", 8);
/// The Okta just-in-time group and the longest one activation may last.
pub const JIT_OKTA: (&str, i64) = ("Okta Emergency Admins", 4);
/// The Okta break-glass account (a sealed shared account, not a person's).
pub const BREAK_GLASS_OKTA: &str = "breakglass.admin@northwind.example";
/// The AWS account's root user, as CloudTrail names it.
pub fn break_glass_aws() -> String {
    format!("arn:aws:iam::{AWS_ACCOUNT}:root")
}
/// The emergency-access register and the profile it is read with.
pub const REGISTER_FILE: &str = "emergency/emergency-access-register.csv";
pub const REGISTER_PROFILE: &str = "profiles/emergency-access-register.toml";

/// A stable person (never leaves or moves) of this role: the `nth` in id order, wrapping
/// round. Only stable people are used, so no new identity enters a review campaign's
/// population. `org::owners` always makes stable engineers, analysts and IT administrators;
/// the CEO (identity 0) stands in should a role have none.
fn stable_of(w: &World, role_code: &str, nth: usize) -> usize {
    let ids: Vec<usize> = w
        .stable
        .iter()
        .filter(|i| w.ident(i).role == role_code)
        .filter(|i| !w.security.contains(i))
        .filter_map(|i| w.by_id.get(i).copied())
        .collect();
    ids.get(nth % ids.len().max(1)).copied().unwrap_or(0)
}

/// An approved request with an access-end date, its grant, and (when `removed` is given)
/// the removal; returns (approval, grant, removal).
#[allow(clippy::too_many_arguments)]
fn time_bound(
    w: &mut World,
    who: usize,
    sys: Sys,
    ent: &str,
    decided: Ts,
    granted: Ts,
    expires: Ts,
    removed: Option<Ts>,
) -> (usize, usize, Option<usize>) {
    let subject = id(w, who);
    let account = acct(w, who, sys);
    let ap = w.approve(&subject, sys, ent, decided);
    w.approvals[ap].expires = Some(expires);
    w.approvals[ap].justification = format!("{ent}, time-boxed until the access-end date");
    let req = Some(w.approvals[ap].id.clone());
    let g = w.exec(
        sys,
        Op::Grant,
        &account,
        Some(ent),
        granted,
        Outcome::Ok,
        Some(&subject),
        req,
    );
    w.expect(sys, &account, ent, granted, Some(expires));
    let r = removed.map(|at| {
        w.exec(
            sys,
            Op::Revoke,
            &account,
            Some(ent),
            at,
            Outcome::Ok,
            Some(&subject),
            None,
        )
    });
    (ap, g, r)
}

/// Issue 19 items 3 and 4. Runs after the credential cases, from its own random stream.
pub fn plant(w: &mut World) {
    time_bound_access(w);
    emergency_access(w);
    unregistered_break_glass(w);
    number_register(w);
}

fn time_bound_access(w: &mut World) {
    // An engineer's time-boxed production deploy rights, removed four days late.
    let p = stable_of(w, "ENG-SWE", 3);
    let e = ts(2025, 8, 8, 17, 0, 0);
    let (ap, g, r) = time_bound(
        w,
        p,
        Sys::K8s,
        "prod/deployer",
        ts(2025, 8, 4, 9, 12, 0),
        ts(2025, 8, 4, 11, 30, 0),
        e,
        Some(ts(2025, 8, 12, 9, 30, 0)),
    );
    let a = acct(w, p, Sys::K8s);
    finding(
        w,
        PAST_EXPIRY,
        Some(p),
        Sys::K8s,
        Some(a),
        Some("prod/deployer"),
        "prod/deployer approved until 2025-08-08 17:00Z for a release; the binding was deleted 2025-08-12 09:30Z, 3d16h30m after the access-end date".into(),
        vec![Ref::Approval(ap), Ref::Exec(g), Ref::Exec(r.unwrap_or(0))],
    );

    // An analyst's time-boxed Okta group, removed three days late.
    let p = stable_of(w, "DATA-ANL", 2);
    let (ap, g, r) = time_bound(
        w,
        p,
        Sys::Okta,
        "Finance Reporting",
        ts(2025, 3, 3, 10, 0, 0),
        ts(2025, 3, 3, 13, 0, 0),
        ts(2025, 3, 14, 17, 0, 0),
        Some(ts(2025, 3, 17, 10, 5, 0)),
    );
    let a = acct(w, p, Sys::Okta);
    finding(
        w,
        PAST_EXPIRY,
        Some(p),
        Sys::Okta,
        Some(a),
        Some("Finance Reporting"),
        "Finance Reporting approved until 2025-03-14 17:00Z for the quarter close; removed 2025-03-17 10:05Z, after the access-end date".into(),
        vec![Ref::Approval(ap), Ref::Exec(g), Ref::Exec(r.unwrap_or(0))],
    );

    // A service account's temporary Athena access, never removed: every later listing shows it.
    let owner = w.owner_pool.get(1 % w.owner_pool.len().max(1)).cloned();
    let n = pre_nhi(
        w,
        "nhi-aws-backup",
        Kind::ServiceAccount,
        Sys::Aws,
        "bi-extract",
        "svc-bi-extract",
        owner.clone(),
    );
    let athena = "arn:aws:iam::aws:policy/AmazonAthenaFullAccess";
    let e = ts(2025, 10, 24, 17, 0, 0);
    let (ap, g, _) = time_bound(
        w,
        n,
        Sys::Aws,
        athena,
        ts(2025, 10, 6, 10, 0, 0),
        ts(2025, 10, 6, 14, 0, 0),
        e,
        None,
    );
    let a = acct(w, n, Sys::Aws);
    finding(
        w,
        PAST_EXPIRY,
        Some(n),
        Sys::Aws,
        Some(a.clone()),
        Some(athena),
        "AmazonAthenaFullAccess approved for svc-bi-extract until 2025-10-24 17:00Z (a one-off backfill); never detached, still listed at 2025-10-31 and every later listing".into(),
        vec![Ref::Approval(ap), Ref::Exec(g), recon(Sys::Aws, &a, athena, e)],
    );

    // Look-alikes: removed exactly at the access-end time.
    let p = stable_of(w, "ENG-SRE", 1);
    let e = ts(2025, 5, 16, 17, 0, 0);
    let (ap, _, r) = time_bound(
        w,
        p,
        Sys::Okta,
        "Vendor Support Portal",
        ts(2025, 5, 12, 9, 0, 0),
        ts(2025, 5, 12, 11, 0, 0),
        e,
        Some(e),
    );
    clean(
        w,
        PAST_EXPIRY,
        p,
        Sys::Okta,
        Some("Vendor Support Portal"),
        "approved until 2025-05-16 17:00:00Z and removed at exactly that second: exactly at the access-end time is in time".into(),
        vec![Ref::Approval(ap), Ref::Exec(r.unwrap_or(0))],
    );
    clean(
        w,
        "EV-CHANGE-WITHOUT-AUTHORITATIVE-EVENT",
        p,
        Sys::Okta,
        Some("Vendor Support Portal"),
        "the removal ends a time-bound approval of the same item decided before it".into(),
        vec![Ref::Approval(ap), Ref::Exec(r.unwrap_or(0))],
    );
    let n = pre_nhi(
        w,
        "nhi-aws-backup",
        Kind::ServiceAccount,
        Sys::Aws,
        "cost-forecast",
        "svc-cost-forecast",
        owner,
    );
    let billing = "arn:aws:iam::aws:policy/job-function/Billing";
    let e = ts(2025, 11, 14, 17, 0, 0);
    let (ap, _, r) = time_bound(
        w,
        n,
        Sys::Aws,
        billing,
        ts(2025, 11, 3, 10, 0, 0),
        ts(2025, 11, 3, 15, 0, 0),
        e,
        Some(e),
    );
    clean(
        w,
        PAST_EXPIRY,
        n,
        Sys::Aws,
        Some(billing),
        "Billing approved for svc-cost-forecast until 2025-11-14 17:00:00Z and detached at exactly that second: in time".into(),
        vec![Ref::Approval(ap), Ref::Exec(r.unwrap_or(0))],
    );
}

/// One register row.
#[allow(clippy::too_many_arguments)]
fn register(
    w: &mut World,
    sys: Sys,
    account: &str,
    ent: Option<&str>,
    at: Ts,
    ticket: Option<&str>,
    used_by: usize,
    reviewed_after: Option<Duration>,
    summary: &str,
) -> usize {
    let reviewer = reviewed_after.map(|_| {
        let user = id(w, used_by);
        w.security
            .iter()
            .find(|s| **s != user)
            .cloned()
            .unwrap_or_default()
    });
    let used_by = id(w, used_by);
    w.emergency.push(EmergencyUse {
        // Numbered in time order once every use is planted (`number_register`).
        id: String::new(),
        sys,
        account: account.to_owned(),
        ent: ent.map(str::to_owned),
        at,
        ticket: ticket.map(str::to_owned),
        used_by,
        reviewer,
        decision: reviewed_after.map(|_| "Justified"),
        reviewed_at: reviewed_after.map(|d| at + d),
        summary: summary.to_owned(),
    });
    w.emergency.len() - 1
}

/// A JIT activation: the log's add, the removal `held` later, and its register row.
#[allow(clippy::too_many_arguments)]
fn activation(
    w: &mut World,
    p: usize,
    sys: Sys,
    ent: &str,
    at: Ts,
    held: Duration,
    ticket: Option<&str>,
    reviewed_after: Option<Duration>,
    summary: &str,
) -> (usize, usize, usize) {
    let who = id(w, p);
    let account = acct(w, p, sys);
    let add = w.exec(
        sys,
        Op::Grant,
        &account,
        Some(ent),
        at,
        Outcome::Ok,
        Some(&who),
        None,
    );
    let end = w.exec(
        sys,
        Op::Revoke,
        &account,
        Some(ent),
        at + held,
        Outcome::Ok,
        Some(&who),
        None,
    );
    let row = register(
        w,
        sys,
        &account,
        Some(ent),
        at,
        ticket,
        p,
        reviewed_after,
        summary,
    );
    (add, end, row)
}

/// An interactive sign-in written into the system's log, succeeded or refused; returns its
/// index in `World::sign_ins`.
fn sign_in(w: &mut World, sys: Sys, account: &str, display: &str, at: Ts, ok: bool) -> usize {
    let sid = w.rng.uuid();
    w.sign_ins.push(SignIn {
        sys,
        account: account.to_owned(),
        display: display.to_owned(),
        at,
        sid,
        ok,
    });
    w.sign_ins.len() - 1
}

/// How the Okta log names the break-glass account beside its login.
const BREAK_GLASS_DISPLAY: &str = "Break Glass Admin";

/// A successful sign-in to a break-glass account, and its register row.
#[allow(clippy::too_many_arguments)]
fn break_glass(
    w: &mut World,
    sys: Sys,
    account: &str,
    at: Ts,
    ticket: Option<&str>,
    used_by: usize,
    reviewed_after: Option<Duration>,
    summary: &str,
) -> usize {
    sign_in(w, sys, account, BREAK_GLASS_DISPLAY, at, true);
    register(
        w,
        sys,
        account,
        None,
        at,
        ticket,
        used_by,
        reviewed_after,
        summary,
    )
}

/// Numbers the register's rows in the order of their uses, as the register's tool would.
fn number_register(w: &mut World) {
    let mut order: Vec<usize> = (0..w.emergency.len()).collect();
    order.sort_by_key(|&i| (w.emergency[i].at, i));
    for (n, i) in order.into_iter().enumerate() {
        w.emergency[i].id = format!("EA-2025-{:03}", n + 1);
    }
}

fn emergency_access(w: &mut World) {
    let window = hours(REVIEW_WINDOW_HOURS);
    // A look-alike names a check that must not fire for that person on that system, so each
    // is a different person from the findings of its check on the same system.
    let sre = stable_of(w, "ENG-SRE", 2);
    let sre2 = stable_of(w, "ENG-SRE", 3);
    let sre3 = stable_of(w, "ENG-SRE", 4);
    let it = stable_of(w, "IT-ADMIN", 1);
    let it2 = stable_of(w, "IT-ADMIN", 2);
    // Eligibility: a privileged request per person and JIT group, approved by security before
    // the first activation; each activation is then self-service (authorised by it).
    for (p, sys, ent) in [
        (sre, Sys::Aws, JIT_AWS.0),
        (sre2, Sys::Aws, JIT_AWS.0),
        (sre3, Sys::Aws, JIT_AWS.0),
        (it, Sys::Okta, JIT_OKTA.0),
        (it2, Sys::Okta, JIT_OKTA.0),
    ] {
        let who = id(w, p);
        w.approve(&who, sys, ent, ts(2025, 1, 20, 10, 0, 0));
    }
    let (aws_max, okta_max) = (hours(JIT_AWS.1), hours(JIT_OKTA.1));

    // -- JIT activations on AWS.
    let (add, end, row) = activation(
        w,
        sre3,
        Sys::Aws,
        JIT_AWS.0,
        ts(2025, 2, 11, 2, 0, 0),
        aws_max,
        None,
        Some(hours(37)),
        "Night page: RDS failover stuck; needed IAM changes on the replica role",
    );
    clean(
        w,
        HELD_TOO_LONG,
        sre3,
        Sys::Aws,
        Some(JIT_AWS.0),
        "emergency-admins added 2025-02-11 02:00:00Z, removed 10:00:00Z: exactly the 8h maximum is in time".into(),
        vec![Ref::Exec(add), Ref::Exec(end), Ref::Emergency(row)],
    );
    clean(
        w,
        NO_TICKET,
        sre3,
        Sys::Aws,
        Some(JIT_AWS.0),
        "a JIT activation with no ticket: the ticket rule is for break-glass accounts, and this use was reviewed after 37h".into(),
        vec![Ref::Emergency(row)],
    );
    clean(
        w,
        "EV-GRANT-WITHOUT-APPROVAL",
        sre3,
        Sys::Aws,
        Some(JIT_AWS.0),
        "the activation is authorised by the person's approved eligibility request for emergency-admins (decided 2025-01-20)".into(),
        vec![Ref::Exec(add)],
    );
    let (add, end, row) = activation(
        w,
        sre,
        Sys::Aws,
        JIT_AWS.0,
        ts(2025, 6, 17, 1, 30, 0),
        hours(12) + minutes(15),
        Some("INC-4512"),
        Some(hours(30)),
        "Production outage INC-4512: KMS key policy repair",
    );
    let a = acct(w, sre, Sys::Aws);
    finding(
        w,
        HELD_TOO_LONG,
        Some(sre),
        Sys::Aws,
        Some(a),
        Some(JIT_AWS.0),
        "emergency-admins activated 2025-06-17 01:30Z (INC-4512), removed 13:45Z: held 12h15m, maximum 8h".into(),
        vec![Ref::Exec(add), Ref::Exec(end), Ref::Emergency(row)],
    );
    let (add, end, row) = activation(
        w,
        sre2,
        Sys::Aws,
        JIT_AWS.0,
        ts(2025, 10, 21, 4, 0, 0),
        aws_max + Duration::seconds(1),
        Some("INC-4598"),
        Some(hours(20)),
        "INC-4598: expired TLS certificate on the public load balancer",
    );
    let a = acct(w, sre2, Sys::Aws);
    finding(
        w,
        HELD_TOO_LONG,
        Some(sre2),
        Sys::Aws,
        Some(a),
        Some(JIT_AWS.0),
        "emergency-admins activated 2025-10-21 04:00:00Z (INC-4598), removed 12:00:01Z: 8h and one second, maximum 8h".into(),
        vec![Ref::Exec(add), Ref::Exec(end), Ref::Emergency(row)],
    );
    let (add, _, row) = activation(
        w,
        sre2,
        Sys::Aws,
        JIT_AWS.0,
        ts(2025, 9, 9, 3, 0, 0),
        hours(5),
        Some("INC-4577"),
        None,
        "INC-4577: runaway autoscaling group",
    );
    let a = acct(w, sre2, Sys::Aws);
    finding(
        w,
        NO_REVIEW,
        Some(sre2),
        Sys::Aws,
        Some(a),
        Some(JIT_AWS.0),
        "emergency-admins activated 2025-09-09 03:00Z (INC-4577): the register has no post-activation review; window 72h".into(),
        vec![Ref::Exec(add), Ref::Emergency(row)],
    );

    // -- JIT activations on Okta.
    let (add, end, row) = activation(
        w,
        it2,
        Sys::Okta,
        JIT_OKTA.0,
        ts(2025, 4, 8, 22, 0, 0),
        okta_max,
        Some("INC-4460"),
        Some(window),
        "INC-4460: SSO outage for the finance app; app sign-on policy repaired",
    );
    clean(
        w,
        HELD_TOO_LONG,
        it2,
        Sys::Okta,
        Some(JIT_OKTA.0),
        "Okta Emergency Admins added 2025-04-08 22:00:00Z, removed 2025-04-09 02:00:00Z: exactly the 4h maximum is in time".into(),
        vec![Ref::Exec(add), Ref::Exec(end), Ref::Emergency(row)],
    );
    clean(
        w,
        NO_REVIEW,
        it2,
        Sys::Okta,
        Some(JIT_OKTA.0),
        "activated 2025-04-08 22:00:00Z, reviewed 2025-04-11 22:00:00Z: exactly the 72h window is in time".into(),
        vec![Ref::Exec(add), Ref::Emergency(row)],
    );
    let (add, end, row) = activation(
        w,
        it,
        Sys::Okta,
        JIT_OKTA.0,
        ts(2025, 7, 15, 20, 0, 0),
        hours(13),
        Some("INC-4539"),
        Some(hours(40)),
        "INC-4539: MFA factor reset storm after a phishing campaign",
    );
    let a = acct(w, it, Sys::Okta);
    finding(
        w,
        HELD_TOO_LONG,
        Some(it),
        Sys::Okta,
        Some(a),
        Some(JIT_OKTA.0),
        "Okta Emergency Admins activated 2025-07-15 20:00Z (INC-4539), removed 2025-07-16 09:00Z: held 13h, maximum 4h".into(),
        vec![Ref::Exec(add), Ref::Exec(end), Ref::Emergency(row)],
    );
    let (add, _, row) = activation(
        w,
        it,
        Sys::Okta,
        JIT_OKTA.0,
        ts(2025, 11, 4, 21, 0, 0),
        hours(2),
        Some("INC-4611"),
        Some(window + Duration::seconds(1)),
        "INC-4611: locked-out executive during travel",
    );
    let a = acct(w, it, Sys::Okta);
    finding(
        w,
        NO_REVIEW,
        Some(it),
        Sys::Okta,
        Some(a),
        Some(JIT_OKTA.0),
        "Okta Emergency Admins activated 2025-11-04 21:00:00Z (INC-4611), reviewed 2025-11-07 21:00:01Z: one second after the 72h window".into(),
        vec![Ref::Exec(add), Ref::Emergency(row)],
    );

    // -- Break-glass sign-ins.
    let root = break_glass_aws();
    let row = break_glass(
        w,
        Sys::Okta,
        BREAK_GLASS_OKTA,
        ts(2025, 3, 22, 3, 10, 0),
        Some("INC-4447"),
        sre2,
        Some(hours(31)),
        "INC-4447: the Okta admins' MFA provider was down",
    );
    w.clean.push(emergency_entry(
        NO_TICKET,
        Some(id(w, sre2)),
        Sys::Okta,
        BREAK_GLASS_OKTA.into(),
        "break-glass sign-in 2025-03-22 03:10Z with incident INC-4447, reviewed after 31h: fully clean".into(),
        vec![Ref::Emergency(row)],
    ));
    let row = break_glass(
        w,
        Sys::Okta,
        BREAK_GLASS_OKTA,
        ts(2025, 8, 23, 2, 40, 0),
        None,
        it,
        Some(hours(50)),
        "Weekend sign-in to unlock the IT head's admin account; no ticket raised",
    );
    let who = id(w, it);
    w.key.push(emergency_entry(
        NO_TICKET,
        Some(who),
        Sys::Okta,
        BREAK_GLASS_OKTA.into(),
        "break-glass sign-in 2025-08-23 02:40Z: the register row names no incident or ticket (reviewed after 50h)".into(),
        vec![Ref::Emergency(row)],
    ));
    let row = break_glass(
        w,
        Sys::Okta,
        BREAK_GLASS_OKTA,
        ts(2025, 10, 4, 4, 15, 0),
        None,
        sre,
        Some(hours(26)),
        "Sign-in to check the admin console after a failed deploy; no ticket",
    );
    let who_sre = id(w, sre);
    w.key.push(emergency_entry(
        NO_TICKET,
        Some(who_sre),
        Sys::Okta,
        BREAK_GLASS_OKTA.into(),
        "break-glass sign-in 2025-10-04 04:15Z: no incident or ticket (reviewed after 26h)".into(),
        vec![Ref::Emergency(row)],
    ));
    let row = break_glass(
        w,
        Sys::Aws,
        &root,
        ts(2025, 5, 10, 6, 20, 0),
        None,
        sre2,
        Some(hours(60)),
        "Root sign-in to change the account's support plan; no ticket",
    );
    let who_sre2 = id(w, sre2);
    w.key.push(emergency_entry(
        NO_TICKET,
        Some(who_sre2.clone()),
        Sys::Aws,
        root.clone(),
        "AWS root console sign-in 2025-05-10 06:20Z: no incident or ticket (reviewed after 60h)"
            .into(),
        vec![Ref::Emergency(row)],
    ));
    let row = break_glass(
        w,
        Sys::Aws,
        &root,
        ts(2025, 12, 6, 5, 5, 0),
        Some("INC-4633"),
        sre,
        None,
        "INC-4633: the last IAM administrator was locked out by an SCP change",
    );
    let who_sre = id(w, sre);
    w.key.push(emergency_entry(
        NO_REVIEW,
        Some(who_sre.clone()),
        Sys::Aws,
        root.clone(),
        "AWS root console sign-in 2025-12-06 05:05Z (INC-4633): never reviewed; window 72h".into(),
        vec![Ref::Emergency(row)],
    ));
    w.clean.push(emergency_entry(
        NO_TICKET,
        Some(who_sre),
        Sys::Aws,
        root.clone(),
        "the same sign-in names incident INC-4633: only the review is missing".into(),
        vec![Ref::Emergency(row)],
    ));
    let row = break_glass(
        w,
        Sys::Aws,
        &root,
        ts(2025, 2, 15, 7, 0, 0),
        Some("INC-4431"),
        sre3,
        Some(window),
        "INC-4431: root MFA device replacement",
    );
    w.clean.push(emergency_entry(
        NO_REVIEW,
        Some(id(w, sre3)),
        Sys::Aws,
        root,
        "root sign-in 2025-02-15 07:00:00Z reviewed 2025-02-18 07:00:00Z: exactly the 72h window is in time".into(),
        vec![Ref::Emergency(row)],
    ));
}

/// A key entry (finding or look-alike) of the emergency checks: about `account` on `sys`, filed
/// under `identity` (who used the access; `None` where no one is named), no entitlement.
fn emergency_entry(
    check: &'static str,
    identity: Option<String>,
    sys: Sys,
    account: String,
    summary: String,
    evidence: Vec<Ref>,
) -> Finding {
    Finding {
        check,
        identity,
        sys: Some(sys),
        account: Some(account),
        ent: None,
        exception: None,
        campaign: None,
        summary,
        evidence,
    }
}

/// Days a break-glass account was used with no break-glass row of the register on that system
/// that day (15 minutes' grace either side of the UTC day): never reviewed. The activity
/// summaries keep days, not each sign-in, and the register names the account its own way (the
/// root user's ARN where CloudTrail's activity says `root`), so the key is per system and
/// account, naming the days. Each look-alike sits on another account than the finding's, so a
/// wrong verdict on it would be a finding of its own and fail precision.
fn unregistered_break_glass(w: &mut World) {
    let sre3 = stable_of(w, "ENG-SRE", 4);
    let it2 = stable_of(w, "IT-ADMIN", 2);
    let grace_missed = minutes(20);

    // -- The finding: root signed in on two days the register has no row for. 2025-07-19 has
    // none at all; 2025-11-15's only candidate was opened 20 minutes before the day began.
    let root = break_glass_aws();
    let lone = sign_in(w, Sys::Aws, &root, "root", ts(2025, 7, 19, 14, 32, 7), true);
    let day = ts(2025, 11, 15, 0, 0, 0);
    sign_in(w, Sys::Aws, &root, "root", day + minutes(25), true);
    let early = register(
        w,
        Sys::Aws,
        &root,
        None,
        day - grace_missed,
        Some("INC-4620"),
        sre3,
        Some(hours(20)),
        "INC-4620: root credentials checked out for a billing lock-out; signed in after midnight",
    );
    // Nobody is named: no row says who used root, and root is no one's account.
    w.key.push(emergency_entry(
        NO_REVIEW,
        None,
        Sys::Aws,
        "root".into(),
        "AWS root console sign-ins on 2025-07-19 (14:32:07Z) and 2025-11-15 (00:25Z) with no break-glass row of the register on aws that day: 07-19 has none; the nearest row for 11-15 (INC-4620) starts 2025-11-14 23:40Z, 20 minutes before the day began, outside the 15 minutes' grace".into(),
        vec![Ref::SignIn(lone), Ref::Emergency(early)],
    ));

    // -- Look-alikes on the Okta break-glass account, which has no such finding.
    // A sign-in 35 minutes into the day whose row was opened 10 minutes before it began.
    let day = ts(2025, 9, 13, 0, 0, 0);
    let inside = sign_in(
        w,
        Sys::Okta,
        BREAK_GLASS_OKTA,
        BREAK_GLASS_DISPLAY,
        day + minutes(35),
        true,
    );
    let row = register(
        w,
        Sys::Okta,
        BREAK_GLASS_OKTA,
        None,
        day - minutes(10),
        Some("INC-4583"),
        it2,
        Some(hours(28)),
        "INC-4583: Okta admin console locked by a bad sign-on policy; envelope opened before midnight",
    );
    w.clean.push(emergency_entry(
        NO_REVIEW,
        None,
        Sys::Okta,
        BREAK_GLASS_OKTA.into(),
        "break-glass sign-in 2025-09-13 00:35Z; its register row (INC-4583) starts 2025-09-12 23:50Z, 10 minutes before the day began: within the 15 minutes' grace, so the day has its row".into(),
        vec![Ref::SignIn(inside), Ref::Emergency(row)],
    ));
    // A refused sign-in to the break-glass account, with no row: a failed sign-in is no use.
    let refused = sign_in(
        w,
        Sys::Okta,
        BREAK_GLASS_OKTA,
        BREAK_GLASS_DISPLAY,
        ts(2025, 6, 7, 2, 15, 0),
        false,
    );
    w.clean.push(emergency_entry(
        NO_REVIEW,
        None,
        Sys::Okta,
        BREAK_GLASS_OKTA.into(),
        "refused break-glass sign-in 2025-06-07 02:15Z (FAILURE) and no register row that day: a failed sign-in is no use".into(),
        vec![Ref::SignIn(refused)],
    ));
    // Minutes later an IT administrator signs in as themself: not a break-glass account, so
    // the register owes it no row.
    let own = acct(w, it2, Sys::Okta);
    let own_sign_in = sign_in(w, Sys::Okta, &own, &own, ts(2025, 6, 7, 2, 20, 0), true);
    clean(
        w,
        NO_REVIEW,
        it2,
        Sys::Okta,
        None,
        "the IT administrator's own Okta sign-in 2025-06-07 02:20Z with no register row: only break-glass accounts' use needs one".into(),
        vec![Ref::SignIn(own_sign_in)],
    );
}

/// The profile (kind `emergency-uses`, docs/import-profiles.md) that reads the register.
pub const REGISTER_PROFILE_TOML: &str = r#"# Northwind's emergency-access register (generated by evidentia-samples; do not edit).
# One row per just-in-time activation or break-glass sign-in, with the ticket that justified it
# and the security team's post-activation review. Import with:
#   evidentia import --profile profiles/emergency-access-register.toml emergency/emergency-access-register.csv
name = "northwind-emergency-register"
kind = "emergency-uses"
description = "Emergency-access register: JIT activations and break-glass sign-ins, tickets, post-activation reviews"
delimiter = ","
time_formats = ["rfc3339"]
timezone = "UTC"

[columns]
id = "Use ID"
system = "Application"
account = "Account"
# Empty for a break-glass sign-in: only JIT activations name an entitlement.
entitlement = "Access"
activated_at = "Activated At"
ticket = "Ticket"
used_by = "Used By"
reviewer = "Post-Review By"
review_decision = "Post-Review Decision"
reviewed_at = "Post-Review At"
"#;
