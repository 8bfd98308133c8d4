//! The ISO/IEC 27001 and SOC 2 example catalogs load through the user-file path, with their own
//! mapping files, showing how extra frameworks are added without code.

use std::path::PathBuf;

use evidentia_frameworks::{Catalog, CatalogError, Catalogs, Mapping};

use crate::{builtin, crate_path};

const ISO: &str = "iso-27001-2022";
const SOC2: &str = "soc2-2017";

/// Built-ins plus both examples, loaded exactly as a user's files would be.
pub(crate) fn with_examples() -> (Catalogs, Mapping) {
    let (mut catalogs, mut mapping) = builtin();
    for id in [ISO, SOC2] {
        let loaded = catalogs
            .load_file(crate_path(&format!("catalogs/examples/{id}.json")))
            .expect("example catalog loads");
        assert_eq!(loaded.id(), id);
        assert!(loaded.source_name().ends_with(&format!("{id}.json")));
    }
    for id in [ISO, SOC2] {
        mapping
            .load_file(
                crate_path(&format!("catalogs/examples/{id}.mapping.json")),
                &catalogs,
            )
            .expect("example mapping loads");
    }
    (catalogs, mapping)
}

/// Annex A ids and exact titles from frameworks.md §4.2.
const ISO_CONTROLS: &[(&str, &str)] = &[
    ("A.5.2", "Information security roles and responsibilities"),
    ("A.5.3", "Segregation of duties"),
    (
        "A.5.9",
        "Inventory of information and other associated assets",
    ),
    ("A.5.15", "Access control"),
    ("A.5.16", "Identity management"),
    ("A.5.17", "Authentication information"),
    ("A.5.18", "Access rights"),
    (
        "A.6.5",
        "Responsibilities after termination or change of employment",
    ),
    ("A.8.2", "Privileged access rights"),
    ("A.8.5", "Secure authentication"),
    ("A.8.15", "Logging"),
    ("A.8.16", "Monitoring activities"),
];

#[test]
fn iso_example_has_the_reference_controls_and_no_control_text() {
    let (catalogs, _) = with_examples();
    let iso = catalogs.get(ISO).unwrap();
    let got: Vec<_> = iso.leaves().map(|c| (c.id(), c.title())).collect();
    assert_eq!(got, ISO_CONTROLS);
    assert!(
        iso.leaves().all(|c| c.statement().is_none()),
        "ISO control text is copyrighted"
    );
    let themes: Vec<_> = iso
        .ancestors("A.8.2")
        .unwrap()
        .into_iter()
        .map(|c| c.id())
        .collect();
    assert_eq!(themes, ["A.8"]);
    // Annex A 8.2, not clause 8.2 (risk assessment): the id carries the "A." prefix.
    assert!(iso.control("8.2").is_none());
}

#[test]
fn soc2_example_has_no_invented_titles() {
    let (catalogs, _) = with_examples();
    let soc2 = catalogs.get(SOC2).unwrap();
    let series = soc2.control("CC6").unwrap();
    assert_eq!(series.title(), "Logical and Physical Access Controls");
    for criterion in soc2.leaves() {
        // No official short titles exist; the title is the identifier, the paraphrase is ours.
        assert_eq!(criterion.title(), criterion.id());
        assert!(criterion.statement().is_none() && criterion.description().is_some());
    }
    let ids: Vec<_> = soc2.leaves().map(|c| c.id()).collect();
    assert_eq!(ids, ["CC6.1", "CC6.2", "CC6.3"]);
}

#[test]
fn example_mappings_extend_the_builtin_one() {
    let (catalogs, mapping) = with_examples();
    let leaver = mapping.check("EV-LEAVER-NOT-REVOKED").unwrap();
    assert!(leaver.controls_in(ISO).any(|c| c == "A.5.18"));
    assert!(leaver.controls_in(SOC2).any(|c| c == "CC6.2"));
    assert!(leaver.controls_in("nist-csf-2.0").any(|c| c == "PR.AA-05"));
    let sod: Vec<_> = mapping
        .check("EV-SOD-CONFLICT")
        .unwrap()
        .controls_in(ISO)
        .collect();
    assert_eq!(sod, ["A.5.3"]);
    let privileged: Vec<_> = mapping.checks_for(ISO, "A.8.2").map(|c| c.id()).collect();
    assert_eq!(
        privileged,
        [
            "EV-PRIVILEGED-WITHOUT-SECURITY-APPROVAL",
            "EV-REVIEW-PRIVILEGED-REVIEWER"
        ]
    );
    // Every example control is either mapped or deliberately context-only; all mapped ones exist.
    for check in mapping.checks() {
        for control in check.controls() {
            let catalog = catalogs.get(&control.catalog).unwrap();
            assert!(
                catalog
                    .control(&control.control)
                    .is_some_and(|c| c.is_leaf())
            );
        }
    }
}

#[test]
fn example_mapping_needs_its_catalog_loaded_first() {
    let (catalogs, mut mapping) = builtin();
    let path = crate_path("catalogs/examples/soc2-2017.mapping.json");
    let err = mapping.load_file(&path, &catalogs).unwrap_err();
    assert!(
        matches!(err, CatalogError::UnknownCatalog { ref catalog, .. } if catalog == SOC2),
        "{err}"
    );
    assert!(
        err.to_string().starts_with(&path.display().to_string()),
        "{err}"
    );
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("write scratch file");
    path
}

#[test]
fn user_file_errors_name_the_file() {
    let (mut catalogs, _) = builtin();
    let missing = crate_path("catalogs/examples/no-such-catalog.json");
    let err = catalogs.load_file(&missing).unwrap_err();
    assert!(matches!(err, CatalogError::Io { .. }), "{err}");

    let broken = scratch(
        "evidentia-frameworks-broken.json",
        "{\n  \"format\": \"evidentia-catalog/1\",\n  oops\n}",
    );
    let err = catalogs.load_file(&broken).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}:3:", broken.display())),
        "{err}"
    );

    let text = std::fs::read_to_string(crate_path("catalogs/examples/soc2-2017.json")).unwrap();
    let duplicate = scratch(
        "evidentia-frameworks-duplicate.json",
        &text.replace("\"id\": \"CC6.2\"", "\"id\": \"CC6.1\""),
    );
    let err = catalogs.load_file(&duplicate).unwrap_err().to_string();
    assert!(
        err.ends_with(r#"at /groups/0/children/1/id: duplicate id "CC6.1" (first used at /groups/0/children/0/id)"#),
        "{err}"
    );

    // A user catalog may not shadow a built-in one.
    let shadow = scratch(
        "evidentia-frameworks-shadow.json",
        &text.replace("\"soc2-2017\"", "\"nist-csf-2.0\""),
    );
    let err = catalogs.load_file(&shadow).unwrap_err();
    assert!(
        matches!(err, CatalogError::DuplicateCatalog { .. }),
        "{err}"
    );
    assert!(Catalog::from_json(&text, "ok.json").is_ok());
}
