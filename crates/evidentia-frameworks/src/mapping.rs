//! Which controls each check evidences, kept as data so auditors can read and extend it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::catalog::check_id;
use crate::catalogs::NIST_CSF_2_0;
use crate::{CatalogError, Catalogs};

/// The `format` tag of a mapping file.
pub const MAPPING_FORMAT: &str = "evidentia-mapping/1";

/// Every check the rules engine runs, by stable id, in report order. The built-in mapping gives
/// each one a default severity, a one-sentence rationale and its controls.
pub const CHECK_IDS: &[&str] = &[
    "EV-GRANT-WITHOUT-APPROVAL",
    "EV-ACCESS-BEFORE-APPROVAL",
    "EV-SELF-APPROVAL",
    "EV-PRIVILEGED-WITHOUT-SECURITY-APPROVAL",
    "EV-LEAVER-NOT-REVOKED",
    "EV-LEAVER-REVOKED-LATE",
    "EV-ACTIVITY-AFTER-TERMINATION",
    "EV-LEAVER-CREDENTIAL-NOT-REVOKED",
    "EV-LEAVER-CREDENTIAL-REVOKED-LATE",
    "EV-CREDENTIAL-USED-AFTER-LEAVE",
    "EV-MOVER-RETAINED-ACCESS",
    "EV-SOD-CONFLICT",
    "EV-EXECUTION-FAILED-UNCONFIRMED",
    "EV-CHANGE-WITHOUT-AUTHORITATIVE-EVENT",
    "EV-ORPHAN-ACCOUNT",
    "EV-UNEXPECTED-ENTITLEMENT",
    "EV-ACCESS-PAST-EXPIRY",
    "EV-EMERGENCY-HELD-TOO-LONG",
    "EV-EMERGENCY-NO-REVIEW",
    "EV-BREAK-GLASS-NO-TICKET",
    "EV-EXCEPTION-EXPIRED-ACTIVE",
    "EV-EXCEPTION-NO-OWNER",
    "EV-EXCEPTION-NO-EXPIRY",
    "EV-EXCEPTION-TOO-LONG",
    "EV-NHI-WITHOUT-OWNER",
    "EV-NHI-OWNER-LEFT",
    "EV-NHI-CREDENTIAL-LONG-LIVED",
    "EV-NHI-CREDENTIAL-STALE",
    "EV-NHI-HUMAN-USE",
    "EV-REVIEW-REVOKE-NOT-EXECUTED",
    "EV-REVIEW-REVOKE-LATE",
    "EV-REVIEW-REVOKE-CONTRADICTED",
    "EV-REVIEW-SELF-REVIEW",
    "EV-REVIEW-RUBBER-STAMP",
    "EV-REVIEW-INCOMPLETE",
    "EV-REVIEW-OVERDUE",
    "EV-REVIEW-PRIVILEGED-REVIEWER",
    "EV-REVIEW-OUTSIDE-POPULATION",
];

/// Each check's short title, as reports and tables print it beside the id
/// ("EV-LEAVER-NOT-REVOKED — Leaver access not revoked"), in [`CHECK_IDS`] order.
pub const CHECK_TITLES: &[(&str, &str)] = &[
    (
        "EV-GRANT-WITHOUT-APPROVAL",
        "Access granted without approval",
    ),
    (
        "EV-ACCESS-BEFORE-APPROVAL",
        "Access granted before its approval",
    ),
    ("EV-SELF-APPROVAL", "Self-approved access"),
    (
        "EV-PRIVILEGED-WITHOUT-SECURITY-APPROVAL",
        "Privileged access without security approval",
    ),
    ("EV-LEAVER-NOT-REVOKED", "Leaver access not revoked"),
    (
        "EV-LEAVER-REVOKED-LATE",
        "Leaver access revoked after the SLA",
    ),
    (
        "EV-ACTIVITY-AFTER-TERMINATION",
        "Access used after departure",
    ),
    (
        "EV-LEAVER-CREDENTIAL-NOT-REVOKED",
        "Leaver credential not revoked",
    ),
    (
        "EV-LEAVER-CREDENTIAL-REVOKED-LATE",
        "Leaver credential revoked after the SLA",
    ),
    (
        "EV-CREDENTIAL-USED-AFTER-LEAVE",
        "Credential used after departure",
    ),
    ("EV-MOVER-RETAINED-ACCESS", "Mover kept old-role access"),
    ("EV-SOD-CONFLICT", "Separation-of-duties conflict"),
    (
        "EV-EXECUTION-FAILED-UNCONFIRMED",
        "Change failed or never confirmed",
    ),
    (
        "EV-CHANGE-WITHOUT-AUTHORITATIVE-EVENT",
        "Access change without a lifecycle event or approval",
    ),
    ("EV-ORPHAN-ACCOUNT", "Account with no known owner identity"),
    (
        "EV-UNEXPECTED-ENTITLEMENT",
        "Entitlement neither profiled nor approved",
    ),
    (
        "EV-ACCESS-PAST-EXPIRY",
        "Time-bound access held past its expiry",
    ),
    (
        "EV-EMERGENCY-HELD-TOO-LONG",
        "Emergency access held past its maximum",
    ),
    (
        "EV-EMERGENCY-NO-REVIEW",
        "Emergency access without a post-activation review",
    ),
    (
        "EV-BREAK-GLASS-NO-TICKET",
        "Break-glass account used without an incident or ticket",
    ),
    (
        "EV-EXCEPTION-EXPIRED-ACTIVE",
        "Expired exception still in use",
    ),
    ("EV-EXCEPTION-NO-OWNER", "Exception without an owner"),
    ("EV-EXCEPTION-NO-EXPIRY", "Exception without an expiry"),
    (
        "EV-EXCEPTION-TOO-LONG",
        "Exception longer than policy allows",
    ),
    (
        "EV-NHI-WITHOUT-OWNER",
        "Non-human identity without an owner",
    ),
    ("EV-NHI-OWNER-LEFT", "Non-human identity whose owner left"),
    (
        "EV-NHI-CREDENTIAL-LONG-LIVED",
        "Non-human identity credential past its rotation age",
    ),
    (
        "EV-NHI-CREDENTIAL-STALE",
        "Non-human identity credential unused past the idle limit",
    ),
    (
        "EV-NHI-HUMAN-USE",
        "Non-human identity used interactively by a person",
    ),
    (
        "EV-REVIEW-REVOKE-NOT-EXECUTED",
        "Review revoke decision never executed",
    ),
    ("EV-REVIEW-REVOKE-LATE", "Review revoke executed late"),
    (
        "EV-REVIEW-REVOKE-CONTRADICTED",
        "Review revoke contradicted by the next snapshot",
    ),
    (
        "EV-REVIEW-SELF-REVIEW",
        "Reviewer certified their own access",
    ),
    ("EV-REVIEW-RUBBER-STAMP", "Rubber-stamped review decisions"),
    ("EV-REVIEW-INCOMPLETE", "Review population left undecided"),
    ("EV-REVIEW-OVERDUE", "Review campaign overdue"),
    (
        "EV-REVIEW-PRIVILEGED-REVIEWER",
        "Privileged access reviewed by an unauthorised reviewer",
    ),
    (
        "EV-REVIEW-OUTSIDE-POPULATION",
        "Review decision outside the system's population",
    ),
];

/// The short title of a check, `None` for an id that is not one of [`CHECK_IDS`].
pub fn check_title(id: &str) -> Option<&'static str> {
    CHECK_TITLES.iter().find(|(c, _)| *c == id).map(|(_, t)| *t)
}

const BUILTIN_MAPPING: (&str, &str) = (
    "builtin:catalogs/mapping.json",
    include_str!("../catalogs/mapping.json"),
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    format: String,
    #[serde(default)]
    source: Option<String>,
    checks: Vec<CheckFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    id: String,
    #[serde(default)]
    severity: Option<Severity>,
    #[serde(default)]
    rationale: Option<String>,
    controls: BTreeMap<String, Vec<String>>,
}

/// How urgent a finding of a check is by default; policy may raise or lower it later.
///
/// Ordered most severe first, so sorting findings by severity puts critical ones on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Access that should not exist is live now, or was used.
    Critical,
    /// A control failed in a way an auditor will raise.
    High,
    /// A control worked late or incompletely.
    Medium,
    /// A governance gap with no access consequence yet.
    Low,
}

impl Severity {
    /// The spelling used in data files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// A control named by catalog id and control id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ControlRef {
    /// The catalog id, e.g. `nist-csf-2.0`.
    pub catalog: String,
    /// The control id within it, e.g. `PR.AA-05`.
    pub control: String,
}

/// One check: its default severity, why it exists and the controls it evidences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckMapping {
    id: String,
    severity: Severity,
    rationale: String,
    controls: Vec<ControlRef>,
}

impl CheckMapping {
    /// The stable check id, one of [`CHECK_IDS`].
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The default severity of its findings.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// One sentence on what the check protects and why it matters.
    pub fn rationale(&self) -> &str {
        &self.rationale
    }

    /// Every mapped control, grouped by catalog in the order they were loaded.
    pub fn controls(&self) -> &[ControlRef] {
        &self.controls
    }

    /// The mapped control ids in one catalog.
    pub fn controls_in<'a>(&'a self, catalog: &'a str) -> impl Iterator<Item = &'a str> {
        self.controls
            .iter()
            .filter(move |c| c.catalog == catalog)
            .map(|c| c.control.as_str())
    }
}

/// The check → control mapping: the built-in file, optionally extended by files that map the
/// same checks onto extra catalogs (ISO/IEC 27001, SOC 2…).
#[derive(Debug, Clone)]
pub struct Mapping {
    checks: Vec<CheckMapping>,
}

impl Mapping {
    /// The embedded mapping onto NIST CSF 2.0 and OWASP NHI Top 10, validated against
    /// `catalogs` (which must hold the built-ins).
    ///
    /// # Errors
    /// Those of [`Mapping::from_json`]; only if the embedded data is broken.
    pub fn builtin(catalogs: &Catalogs) -> Result<Mapping, CatalogError> {
        Mapping::from_json(BUILTIN_MAPPING.1, BUILTIN_MAPPING.0, catalogs)
    }

    /// Reads a complete mapping: every check in [`CHECK_IDS`] exactly once, each with a severity,
    /// a rationale and at least one NIST CSF 2.0 subcategory.
    ///
    /// # Errors
    /// [`CatalogError::Syntax`] for malformed JSON; [`CatalogError::UnknownCheck`],
    /// [`CatalogError::MissingCheck`], [`CatalogError::UnknownCatalog`],
    /// [`CatalogError::UnknownMappedControl`] or [`CatalogError::Invalid`] for broken content.
    pub fn from_json(
        text: &str,
        source_name: &str,
        catalogs: &Catalogs,
    ) -> Result<Mapping, CatalogError> {
        let file = parse(text, source_name)?;
        let mut checks: Vec<Option<CheckMapping>> = vec![None; CHECK_IDS.len()];
        for (i, entry) in file.checks.into_iter().enumerate() {
            let pointer = format!("/checks/{i}");
            let at = check_index(&entry.id, source_name, &pointer)?;
            if checks[at].is_some() {
                return Err(CatalogError::invalid(
                    source_name,
                    &format!("{pointer}/id"),
                    format!("{} appears twice", entry.id),
                ));
            }
            let (Some(severity), Some(rationale)) = (entry.severity, &entry.rationale) else {
                return Err(CatalogError::invalid(
                    source_name,
                    &pointer,
                    "the complete mapping gives every check a severity and a rationale",
                ));
            };
            if rationale.trim().is_empty() {
                return Err(CatalogError::invalid(
                    source_name,
                    &format!("{pointer}/rationale"),
                    "must not be empty",
                ));
            }
            let controls = controls(&entry.controls, source_name, &pointer, catalogs)?;
            if !controls.iter().any(|c| c.catalog == NIST_CSF_2_0) {
                return Err(CatalogError::invalid(
                    source_name,
                    &format!("{pointer}/controls"),
                    format!("{} maps to no {NIST_CSF_2_0} subcategory", entry.id),
                ));
            }
            checks[at] = Some(CheckMapping {
                id: entry.id,
                severity,
                rationale: rationale.clone(),
                controls,
            });
        }
        let mut complete = Vec::with_capacity(CHECK_IDS.len());
        for (check, id) in checks.into_iter().zip(CHECK_IDS) {
            complete.push(check.ok_or_else(|| CatalogError::MissingCheck {
                source_name: source_name.to_owned(),
                check: (*id).to_owned(),
            })?);
        }
        Ok(Mapping { checks: complete })
    }

    /// Adds the controls of an extension mapping file (same format, but entries carry only `id`
    /// and `controls`: severity and rationale stay those of the complete mapping).
    ///
    /// Validation happens before anything is added, so a bad file leaves the mapping unchanged.
    ///
    /// # Errors
    /// As [`Mapping::from_json`], plus [`CatalogError::Invalid`] if an entry sets `severity` or
    /// `rationale`.
    pub fn extend_from_json(
        &mut self,
        text: &str,
        source_name: &str,
        catalogs: &Catalogs,
    ) -> Result<(), CatalogError> {
        let file = parse(text, source_name)?;
        let mut additions = Vec::with_capacity(file.checks.len());
        for (i, entry) in file.checks.into_iter().enumerate() {
            let pointer = format!("/checks/{i}");
            let at = check_index(&entry.id, source_name, &pointer)?;
            if entry.severity.is_some() || entry.rationale.is_some() {
                return Err(CatalogError::invalid(
                    source_name,
                    &pointer,
                    "an extension mapping adds controls only; severity and rationale come from the built-in mapping",
                ));
            }
            additions.push((
                at,
                controls(&entry.controls, source_name, &pointer, catalogs)?,
            ));
        }
        for (at, controls) in additions {
            let check = &mut self.checks[at];
            for control in controls {
                if !check.controls.contains(&control) {
                    check.controls.push(control);
                }
            }
        }
        Ok(())
    }

    /// Reads an extension mapping file; see [`Mapping::extend_from_json`].
    ///
    /// # Errors
    /// [`CatalogError::Io`] if the file cannot be read, else those of
    /// [`Mapping::extend_from_json`] naming the path.
    pub fn load_file(
        &mut self,
        path: impl AsRef<Path>,
        catalogs: &Catalogs,
    ) -> Result<(), CatalogError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.to_owned(),
            source,
        })?;
        self.extend_from_json(&text, &path.display().to_string(), catalogs)
    }

    /// One check's mapping.
    pub fn check(&self, id: &str) -> Option<&CheckMapping> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Every check, in [`CHECK_IDS`] order.
    pub fn checks(&self) -> impl Iterator<Item = &CheckMapping> {
        self.checks.iter()
    }

    /// The checks that evidence a control: what a report lists under it.
    pub fn checks_for<'a>(
        &'a self,
        catalog: &'a str,
        control: &'a str,
    ) -> impl Iterator<Item = &'a CheckMapping> {
        self.checks.iter().filter(move |check| {
            check
                .controls
                .iter()
                .any(|c| c.catalog == catalog && c.control == control)
        })
    }
}

fn parse(text: &str, source_name: &str) -> Result<MappingFile, CatalogError> {
    let file: MappingFile =
        serde_json::from_str(text).map_err(|e| CatalogError::syntax(source_name, &e))?;
    if file.format != MAPPING_FORMAT {
        return Err(CatalogError::invalid(
            source_name,
            "/format",
            format!("expected {MAPPING_FORMAT:?}, found {:?}", file.format),
        ));
    }
    if file.source.as_deref().is_some_and(|s| s.trim().is_empty()) {
        return Err(CatalogError::invalid(
            source_name,
            "/source",
            "must not be empty",
        ));
    }
    Ok(file)
}

fn check_index(id: &str, source_name: &str, pointer: &str) -> Result<usize, CatalogError> {
    let pointer = format!("{pointer}/id");
    check_id(id, source_name, &pointer)?;
    CHECK_IDS
        .iter()
        .position(|known| *known == id)
        .ok_or_else(|| CatalogError::UnknownCheck {
            source_name: source_name.to_owned(),
            pointer,
            check: id.to_owned(),
        })
}

/// Resolves one entry's `controls` object: each catalog must be loaded and each id must be one
/// of its leaf controls, written exactly (no CSF 1.1 forms: the data should say what it means).
fn controls(
    by_catalog: &BTreeMap<String, Vec<String>>,
    source_name: &str,
    pointer: &str,
    catalogs: &Catalogs,
) -> Result<Vec<ControlRef>, CatalogError> {
    let mut refs = Vec::new();
    for (catalog_id, ids) in by_catalog {
        let at = format!("{pointer}/controls/{}", escape_pointer(catalog_id));
        let catalog = catalogs
            .get(catalog_id)
            .ok_or_else(|| CatalogError::UnknownCatalog {
                source_name: source_name.to_owned(),
                pointer: at.clone(),
                catalog: catalog_id.clone(),
            })?;
        for (i, id) in ids.iter().enumerate() {
            let at = format!("{at}/{i}");
            check_id(id, source_name, &at)?;
            let control = catalog.control(id);
            if control.is_some_and(|c| c.is_leaf()) {
                let control = ControlRef {
                    catalog: catalog_id.clone(),
                    control: id.clone(),
                };
                if refs.contains(&control) {
                    return Err(CatalogError::invalid(
                        source_name,
                        &at,
                        format!("{id} is listed twice"),
                    ));
                }
                refs.push(control);
                continue;
            }
            let hint = if control.is_some() {
                "; it is a group, map to its leaf controls".to_owned()
            } else {
                match catalogs.resolve_control_id(id) {
                    Ok(r) if r.catalog() == catalog_id => {
                        format!("; it resolves to {}", r.ids().join(", "))
                    }
                    _ => String::new(),
                }
            };
            return Err(CatalogError::UnknownMappedControl {
                source_name: source_name.to_owned(),
                pointer: at,
                catalog: catalog_id.clone(),
                control: id.clone(),
                hint,
            });
        }
    }
    Ok(refs)
}

/// RFC 6901: `~` and `/` inside a key are written `~0` and `~1`.
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> (Catalogs, Mapping) {
        let catalogs = Catalogs::builtin().unwrap();
        let mapping = Mapping::builtin(&catalogs).unwrap();
        (catalogs, mapping)
    }

    fn extend(entries: &str) -> Result<Mapping, CatalogError> {
        let (catalogs, mut mapping) = builtin();
        let text = format!(r#"{{"format":"evidentia-mapping/1","checks":{entries}}}"#);
        mapping.extend_from_json(&text, "m.json", &catalogs)?;
        Ok(mapping)
    }

    fn error(entries: &str) -> String {
        extend(entries).unwrap_err().to_string()
    }

    #[test]
    fn builtin_follows_check_ids() {
        let (_, mapping) = builtin();
        let ids: Vec<_> = mapping.checks().map(CheckMapping::id).collect();
        assert_eq!(ids, CHECK_IDS);
        let sod = mapping.check("EV-SOD-CONFLICT").unwrap();
        assert!(sod.controls_in(NIST_CSF_2_0).any(|c| c == "PR.AA-05"));
        assert!(
            mapping
                .checks_for(NIST_CSF_2_0, "PR.AA-05")
                .any(|c| c.id() == "EV-SOD-CONFLICT")
        );
    }

    #[test]
    fn offboarding_checks_map_to_nhi1_and_every_check_has_a_title() {
        let (_, mapping) = builtin();
        // NHI1:2025 Improper Offboarding: an NHI left active, revoked late or used after its
        // retirement is the risk itself (audit conventions, OWASP NHI Top 10 2025).
        for check in [
            "EV-LEAVER-NOT-REVOKED",
            "EV-LEAVER-REVOKED-LATE",
            "EV-ACTIVITY-AFTER-TERMINATION",
        ] {
            let controls: Vec<&str> = mapping
                .check(check)
                .unwrap()
                .controls_in(crate::OWASP_NHI_2025)
                .collect();
            assert_eq!(controls, ["NHI1:2025"], "{check}");
        }
        let ids: Vec<&str> = CHECK_TITLES.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, CHECK_IDS);
        assert_eq!(
            check_title("EV-LEAVER-NOT-REVOKED"),
            Some("Leaver access not revoked")
        );
        assert_eq!(check_title("EV-NOPE"), None);
    }

    #[test]
    fn extension_errors_point_at_the_entry() {
        let check = |entries: &str, expected: &str| assert_eq!(error(entries), expected);
        check(
            r#"[{"id":"EV-NOPE","controls":{}}]"#,
            r#"m.json at /checks/0/id: unknown check id "EV-NOPE""#,
        );
        check(
            r#"[{"id":"EV-SOD-CONFLICT","controls":{"iso-27001-2022":["A.5.3"]}}]"#,
            r#"m.json at /checks/0/controls/iso-27001-2022: no catalog with id "iso-27001-2022" is loaded"#,
        );
        check(
            r#"[{"id":"EV-SOD-CONFLICT","controls":{"nist-csf-2.0":["PR.AA-05","PR.AC-4"]}}]"#,
            r#"m.json at /checks/0/controls/nist-csf-2.0/1: nist-csf-2.0 has no control "PR.AC-4"; it resolves to PR.AA-05"#,
        );
        check(
            r#"[{"id":"EV-SOD-CONFLICT","controls":{"nist-csf-2.0":["PR.AA"]}}]"#,
            r#"m.json at /checks/0/controls/nist-csf-2.0/0: nist-csf-2.0 has no control "PR.AA"; it is a group, map to its leaf controls"#,
        );
        check(
            r#"[{"id":"EV-SOD-CONFLICT","severity":"low","controls":{}}]"#,
            "m.json at /checks/0: an extension mapping adds controls only; severity and rationale come from the built-in mapping",
        );
        check(
            r#"[{"id":"","controls":{}}]"#,
            "m.json at /checks/0/id: empty id",
        );
    }

    #[test]
    fn extension_adds_controls_without_duplicates() {
        let mapping = extend(
            r#"[{"id":"EV-SOD-CONFLICT","controls":{"nist-csf-2.0":["PR.AA-05","GV.RR-02"]}}]"#,
        )
        .unwrap();
        let ids: Vec<_> = mapping
            .check("EV-SOD-CONFLICT")
            .unwrap()
            .controls_in(NIST_CSF_2_0)
            .collect();
        assert_eq!(ids.iter().filter(|c| **c == "PR.AA-05").count(), 1);
        assert!(ids.contains(&"GV.RR-02"));
    }

    #[test]
    fn complete_mapping_must_cover_every_check() {
        let catalogs = Catalogs::builtin().unwrap();
        let text = r#"{"format":"evidentia-mapping/1","checks":[{"id":"EV-SOD-CONFLICT",
            "severity":"high","rationale":"r","controls":{"nist-csf-2.0":["PR.AA-05"]}}]}"#;
        let err = Mapping::from_json(text, "full.json", &catalogs)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            r#"full.json: check "EV-GRANT-WITHOUT-APPROVAL" has no entry"#
        );
        let text = r#"{"format":"evidentia-mapping/1","checks":[{"id":"EV-SOD-CONFLICT",
            "severity":"high","rationale":"r","controls":{"owasp-nhi-2025":["NHI5:2025"]}}]}"#;
        let err = Mapping::from_json(text, "full.json", &catalogs)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "full.json at /checks/0/controls: EV-SOD-CONFLICT maps to no nist-csf-2.0 subcategory"
        );
    }
}
