//! Exception governance: owner, expiry, the tier's maximum and access left after expiry, at
//! the boundaries the README's check semantics name.

use evidentia_domain::{IdentityKind, Reapproval};

use super::*;
use crate::checks::exceptions::{EXPIRED_ACTIVE, NO_EXPIRY, NO_OWNER, TOO_LONG};

fn granted() -> Timestamp {
    at(2025, 3, 1, 0)
}

/// An exception for e1's aws PowerUser (standard tier: 180 days at most).
fn ex(expires_at: Option<Timestamp>) -> R {
    exception("EX-1", "e1", "aws", "PowerUser", granted(), expires_at)
}

fn renewed(r: R, approved_at: Timestamp, expires_at: Option<Timestamp>) -> R {
    with_exception(r, |x| {
        x.reapprovals.push(Reapproval {
            approved_at,
            approved_by: IdentityId::new("ciso"),
            expires_at,
        });
    })
}

#[test]
fn exception_governance_table() {
    let base = [person("e1", "engineer")];
    let g = granted();
    let cases = vec![
        ("well formed", vec![ex(Some(g + d(90)))], vec![]),
        (
            "no owner",
            vec![with_exception(ex(Some(g + d(90))), |x| x.owner = None)],
            vec![NO_OWNER],
        ),
        ("no expiry", vec![ex(None)], vec![NO_EXPIRY]),
        (
            "no expiry, but a renewal that sets one",
            vec![renewed(ex(None), g + d(10), Some(g + d(90)))],
            vec![],
        ),
        (
            "no expiry, and the renewal sets none either",
            vec![renewed(ex(None), g + d(10), None)],
            vec![NO_EXPIRY],
        ),
        (
            "standard: exactly 180 days is not too long",
            vec![ex(Some(g + d(180)))],
            vec![],
        ),
        (
            "standard: 180 days and one second is too long",
            vec![ex(Some(g + d(180) + s(1)))],
            vec![TOO_LONG],
        ),
        (
            "convention 14: the chain runs past the maximum, but each record is within it",
            vec![renewed(ex(Some(g + d(90))), g + d(80), Some(g + d(181)))],
            vec![],
        ),
        (
            "convention 14: a renewal whose own duration is past the maximum",
            vec![renewed(
                ex(Some(g + d(90))),
                g + d(80),
                Some(g + d(80 + 181)),
            )],
            vec![TOO_LONG],
        ),
        (
            "convention 14: a renewal exactly at the maximum",
            vec![renewed(
                ex(Some(g + d(90))),
                g + d(80),
                Some(g + d(80 + 180)),
            )],
            vec![],
        ),
        (
            "privileged (policy tier; the register says standard): exactly 30 days",
            vec![exception("EX-2", "e1", "aws", "Admins", g, Some(g + d(30)))],
            vec![],
        ),
        (
            "privileged (policy tier; the register says standard): 30 days and one second",
            vec![exception(
                "EX-2",
                "e1",
                "aws",
                "Admins",
                g,
                Some(g + d(30) + s(1)),
            )],
            vec![TOO_LONG],
        ),
        (
            "elevated: exactly 90 days",
            vec![exception(
                "EX-3",
                "e1",
                "github",
                "maintainer",
                g,
                Some(g + d(90)),
            )],
            vec![],
        ),
        (
            "elevated: 90 days and one second",
            vec![exception(
                "EX-3",
                "e1",
                "github",
                "maintainer",
                g,
                Some(g + d(90) + s(1)),
            )],
            vec![TOO_LONG],
        ),
        (
            "each gap is its own finding",
            vec![
                with_exception(ex(None), |x| x.owner = None),
                exception("EX-2", "e1", "aws", "Admins", g, Some(g + d(31))),
            ],
            vec![NO_EXPIRY, NO_OWNER, TOO_LONG],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn exception_expired_active_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [
        person("e1", "engineer"),
        nhi(
            "svc1",
            IdentityKind::ServiceAccount,
            Some("own"),
            at(2024, 1, 1, 0),
        ),
    ];
    let expiry = at(2025, 6, 1, 0);
    let june = at(2025, 6, 30, 0);
    let cases = vec![
        (
            "expired, a later snapshot still shows the access",
            vec![ex(Some(expiry)), row("aws", e1, "PowerUser", june)],
            vec![EXPIRED_ACTIVE],
        ),
        (
            "renewed before expiry",
            vec![
                renewed(ex(Some(expiry)), expiry - d(7), Some(at(2025, 8, 1, 0))),
                row("aws", e1, "PowerUser", june),
            ],
            vec![],
        ),
        (
            "renewed, and the renewal expired too",
            vec![
                renewed(
                    ex(Some(at(2025, 5, 1, 0))),
                    at(2025, 4, 25, 0),
                    Some(expiry),
                ),
                row("aws", e1, "PowerUser", june),
            ],
            vec![EXPIRED_ACTIVE],
        ),
        (
            "expired, the access is gone from later snapshots",
            vec![ex(Some(expiry)), row("aws", e1, "ReadOnly", june)],
            vec![],
        ),
        (
            "expired, only an earlier snapshot shows it",
            vec![ex(Some(expiry)), row("aws", e1, "PowerUser", expiry - d(1))],
            vec![],
        ),
        (
            "a snapshot taken exactly at the expiry",
            vec![ex(Some(expiry)), row("aws", e1, "PowerUser", expiry)],
            vec![],
        ),
        (
            "not yet expired at the snapshot",
            vec![
                ex(Some(at(2025, 7, 1, 0))),
                row("aws", e1, "PowerUser", june),
            ],
            vec![],
        ),
        (
            "expired, shown in two later snapshots: one finding",
            vec![
                ex(Some(expiry)),
                row("aws", e1, "PowerUser", june),
                row("aws", e1, "PowerUser", at(2025, 7, 31, 0)),
            ],
            vec![EXPIRED_ACTIVE],
        ),
        (
            "NHI subject, expired and still present",
            vec![
                exception("EX-9", "svc1", "aws", "PowerUser", granted(), Some(expiry)),
                row("aws", "svc1", "PowerUser", june),
            ],
            vec![EXPIRED_ACTIVE],
        ),
    ];
    run_table(&base, cases);
}
