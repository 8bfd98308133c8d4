//! The OWASP NHI Top 10 2025 catalog carries the official ids and titles from frameworks.md.

use evidentia_frameworks::OWASP_NHI_2025;

use crate::builtin;

const RISKS: &[(&str, &str)] = &[
    ("NHI1:2025", "Improper Offboarding"),
    ("NHI2:2025", "Secret Leakage"),
    ("NHI3:2025", "Vulnerable Third-Party NHI"),
    ("NHI4:2025", "Insecure Authentication"),
    ("NHI5:2025", "Overprivileged NHI"),
    ("NHI6:2025", "Insecure Cloud Deployment Configurations"),
    ("NHI7:2025", "Long-Lived Secrets"),
    ("NHI8:2025", "Environment Isolation"),
    ("NHI9:2025", "NHI Reuse"),
    ("NHI10:2025", "Human Use of NHI"),
];

#[test]
fn ten_risks_in_order_with_exact_titles() {
    let (catalogs, _) = builtin();
    let owasp = catalogs.get(OWASP_NHI_2025).unwrap();
    let got: Vec<_> = owasp.leaves().map(|c| (c.id(), c.title())).collect();
    assert_eq!(got, RISKS);
    for risk in owasp.leaves() {
        assert_eq!(risk.kind(), Some("risk"));
        // OWASP prose is CC BY-SA; we carry our own summaries, never an official statement.
        assert!(risk.statement().is_none(), "{}", risk.id());
        assert!(
            risk.description().is_some_and(|d| d.ends_with('.')),
            "{}",
            risk.id()
        );
        assert!(owasp.ancestors(risk.id()).unwrap().is_empty());
    }
    assert!(owasp.licence().contains("CC BY-SA 4.0"));
}

#[test]
fn unofficial_forms_do_not_resolve() {
    let (catalogs, _) = builtin();
    for loose in ["NHI-01", "NHI-03", "NHI1", "NHI:5"] {
        assert!(catalogs.resolve_control_id(loose).is_err(), "{loose}");
    }
}
