//! The CSF 1.1 → 2.0 crosswalk resolves exactly as frameworks.md section 2 says.

use evidentia_frameworks::{CatalogError, NIST_CSF_2_0, Relation, ResolvedVia};

use crate::builtin;

/// `(CSF 1.1 id as users write it, CSF 2.0 destinations, NIST relation)` from frameworks.md §2.
const SECTION_2: &[(&str, &[&str], Relation)] = &[
    ("PR.AC", &["PR.AA"], Relation::MovedTo),
    (
        "PR.AC-1",
        &["PR.AA-01", "PR.AA-05"],
        Relation::IncorporatedInto,
    ),
    ("PR.AC-2", &["PR.AA-06"], Relation::MovedTo),
    (
        "PR.AC-3",
        &["PR.AA-03", "PR.AA-05", "PR.IR-01"],
        Relation::IncorporatedInto,
    ),
    ("PR.AC-4", &["PR.AA-05"], Relation::MovedTo),
    ("PR.AC-5", &["PR.IR-01"], Relation::IncorporatedInto),
    ("PR.AC-6", &["PR.AA-02"], Relation::MovedTo),
    ("PR.AC-7", &["PR.AA-03"], Relation::MovedTo),
    ("PR.IP-11", &["GV.RR-04"], Relation::MovedTo),
    ("PR.PT-1", &["PR.PS-04"], Relation::IncorporatedInto),
    (
        "DE.CM-7",
        &["DE.CM-01", "DE.CM-03", "DE.CM-06", "DE.CM-09"],
        Relation::IncorporatedInto,
    ),
    (
        "ID.AM-6",
        &["GV.RR-02", "GV.SC-02"],
        Relation::IncorporatedInto,
    ),
    (
        "ID.GV-2",
        &["GV.RR", "GV.OC-02", "GV.RR-02"],
        Relation::IncorporatedInto,
    ),
    (
        "ID.RM-1",
        &["GV.RM-01", "GV.RM-06", "GV.RR-03"],
        Relation::IncorporatedInto,
    ),
    (
        "ID.RM-2",
        &["GV.RM-02", "GV.RM-04"],
        Relation::IncorporatedInto,
    ),
    ("RS.MI-3", &["ID.RA-06"], Relation::IncorporatedInto),
    (
        "PR.IP-3",
        &["ID.RA-07", "PR.PS-01"],
        Relation::IncorporatedInto,
    ),
    (
        "PR.DS-6",
        &["PR.DS-01", "DE.CM-09"],
        Relation::IncorporatedInto,
    ),
];

#[test]
fn section_2_rows_resolve_through_the_crosswalk() {
    let (catalogs, _) = builtin();
    for &(old, new, relation) in SECTION_2 {
        let r = catalogs
            .resolve_control_id(old)
            .unwrap_or_else(|e| panic!("{old}: {e}"));
        assert_eq!(r.catalog(), NIST_CSF_2_0, "{old}");
        assert_eq!(r.ids(), new, "{old}");
        assert!(r.is_crosswalked(), "{old}");
        let ResolvedVia::Crosswalk { relation: got, .. } = r.via() else {
            unreachable!()
        };
        assert_eq!(*got, relation, "{old}");
        // NIST's zero-padded spelling of the same id resolves the same way.
        let padded = catalogs.resolve_control_id(&pad(old)).unwrap();
        assert_eq!(padded.ids(), new, "{old}");
    }
}

fn pad(id: &str) -> String {
    match id.split_once('-') {
        Some((prefix, n)) if n.len() == 1 => format!("{prefix}-0{n}"),
        _ => id.to_owned(),
    }
}

#[test]
fn continued_ids_resolve_to_their_padded_form() {
    let (catalogs, _) = builtin();
    let r = catalogs.resolve_control_id("DE.CM-3").unwrap();
    assert_eq!(r.ids(), ["DE.CM-03"]);
    assert!(!r.is_crosswalked());
    assert!(matches!(r.via(), ResolvedVia::Renumbered { legacy_id } if legacy_id == "DE.CM-3"));
}

#[test]
fn withdrawn_families_are_all_in_the_crosswalk() {
    let (catalogs, _) = builtin();
    let crosswalk = catalogs.crosswalk();
    for family in [
        "ID.BE", "ID.GV", "ID.RM", "ID.SC", "PR.AC", "PR.IP", "PR.MA", "PR.PT", "DE.DP", "RS.RP",
        "RS.IM", "RC.IM",
    ] {
        let entry = crosswalk
            .entry(family)
            .unwrap_or_else(|| panic!("{family}"));
        assert_eq!(entry.kind(), "category", "{family}");
    }
    // frameworks.md §8: 12 withdrawn categories and 79 withdrawn subcategories.
    let count = |kind: &str| crosswalk.entries().filter(|e| e.kind() == kind).count();
    assert_eq!((count("category"), count("subcategory")), (12, 79));
    let entry = crosswalk.entry("PR.AC-4").unwrap();
    assert_eq!(
        entry.statement(),
        Some(
            "Access permissions and authorizations are managed, incorporating the principles of least privilege and separation of duties"
        )
    );
}

#[test]
fn unknown_and_successorless_ids_are_errors_naming_the_id() {
    let (catalogs, _) = builtin();
    for unknown in ["PR.AC-9", "XX.YY-01", "NHI-03", "", "pr.ac-4"] {
        let err = catalogs.resolve_control_id(unknown).unwrap_err();
        assert!(
            matches!(&err, CatalogError::UnknownControl { id } if id == unknown),
            "{err}"
        );
        assert!(err.to_string().contains(&format!("{unknown:?}")), "{err}");
    }
    for family in ["PR.IP", "PR.PT", "DE.DP", "RS.RP"] {
        let err = catalogs.resolve_control_id(family).unwrap_err();
        assert!(
            matches!(err, CatalogError::WithdrawnWithoutSuccessor { .. }),
            "{family}: {err}"
        );
    }
}
