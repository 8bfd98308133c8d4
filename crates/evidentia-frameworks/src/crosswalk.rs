//! NIST's CSF 1.1 → 2.0 crosswalk, so identifiers in users' older material (`PR.AC-4`) resolve.

use std::collections::HashMap;

use serde::Deserialize;

use crate::catalog::check_id;
use crate::{Catalog, CatalogError};

/// The `format` tag of a crosswalk file.
pub const CROSSWALK_FORMAT: &str = "evidentia-crosswalk/1";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrosswalkFile {
    format: String,
    from: String,
    to: String,
    source: String,
    licence: String,
    entries: Vec<EntryFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    id: String,
    kind: String,
    title: String,
    #[serde(default)]
    statement: Option<String>,
    relation: Relation,
    targets: Vec<String>,
}

/// How NIST says a withdrawn CSF 1.1 element relates to CSF 2.0 (the OSCAL link `rel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The element moved, essentially unchanged, to the target(s).
    MovedTo,
    /// The element's outcome was folded into the target(s), usually alongside other material.
    IncorporatedInto,
    /// NIST withdrew the element without naming a successor (e.g. the PR.IP category; its
    /// subcategories still have successors of their own).
    Withdrawn,
}

impl Relation {
    /// The spelling used in the crosswalk file and in NIST's OSCAL links.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::MovedTo => "moved_to",
            Relation::IncorporatedInto => "incorporated_into",
            Relation::Withdrawn => "withdrawn",
        }
    }
}

/// One withdrawn CSF 1.1 element and where NIST says it went in CSF 2.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrosswalkEntry {
    id: String,
    kind: String,
    title: String,
    statement: Option<String>,
    relation: Relation,
    targets: Vec<String>,
}

impl CrosswalkEntry {
    /// The withdrawn id, zero-padded as NIST's OSCAL writes it (`PR.AC-04`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `category` or `subcategory`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The CSF 1.1 title (categories) or the id (subcategories, which have no title).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The CSF 1.1 outcome statement, verbatim from NIST, for subcategories.
    pub fn statement(&self) -> Option<&str> {
        self.statement.as_deref()
    }

    /// How the element relates to its targets.
    pub fn relation(&self) -> Relation {
        self.relation
    }

    /// The CSF 2.0 ids it went to (subcategories, or occasionally a category), in NIST's order.
    pub fn targets(&self) -> &[String] {
        &self.targets
    }
}

/// The CSF 1.1 → 2.0 crosswalk: NIST's withdrawn-element links from the OSCAL catalog.
#[derive(Debug, Clone)]
pub struct Crosswalk {
    from: String,
    to: String,
    source: String,
    licence: String,
    entries: Vec<CrosswalkEntry>,
    index: HashMap<String, usize>,
}

impl Crosswalk {
    /// Reads a crosswalk file (format in `docs/frameworks.md`).
    ///
    /// # Errors
    /// [`CatalogError::Syntax`] for malformed JSON, [`CatalogError::EmptyId`],
    /// [`CatalogError::DuplicateId`] or [`CatalogError::Invalid`] for broken content.
    pub fn from_json(text: &str, source_name: &str) -> Result<Crosswalk, CatalogError> {
        let file: CrosswalkFile =
            serde_json::from_str(text).map_err(|e| CatalogError::syntax(source_name, &e))?;
        if file.format != CROSSWALK_FORMAT {
            return Err(CatalogError::invalid(
                source_name,
                "/format",
                format!("expected {CROSSWALK_FORMAT:?}, found {:?}", file.format),
            ));
        }
        let mut entries = Vec::with_capacity(file.entries.len());
        let mut index = HashMap::new();
        for (i, entry) in file.entries.into_iter().enumerate() {
            let pointer = format!("/entries/{i}");
            check_id(&entry.id, source_name, &format!("{pointer}/id"))?;
            if let Some(&first) = index.get(&entry.id) {
                return Err(CatalogError::DuplicateId {
                    source_name: source_name.to_owned(),
                    id: entry.id,
                    pointer: format!("{pointer}/id"),
                    first: format!("/entries/{first}/id"),
                });
            }
            // "Withdrawn" means no successor; any other relation must name at least one.
            if (entry.relation == Relation::Withdrawn) != entry.targets.is_empty() {
                return Err(CatalogError::invalid(
                    source_name,
                    &format!("{pointer}/targets"),
                    "targets must be empty exactly when the relation is \"withdrawn\"",
                ));
            }
            for (t, target) in entry.targets.iter().enumerate() {
                check_id(target, source_name, &format!("{pointer}/targets/{t}"))?;
            }
            index.insert(entry.id.clone(), i);
            entries.push(CrosswalkEntry {
                id: entry.id,
                kind: entry.kind,
                title: entry.title,
                statement: entry.statement,
                relation: entry.relation,
                targets: entry.targets,
            });
        }
        Ok(Crosswalk {
            from: file.from,
            to: file.to,
            source: file.source,
            licence: file.licence,
            entries,
            index,
        })
    }

    /// Checks that the crosswalk fits the catalog it points into: every target exists there and
    /// no withdrawn id is still an active control.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] naming the first entry that does not fit.
    pub fn check_against(&self, catalog: &Catalog, source_name: &str) -> Result<(), CatalogError> {
        if catalog.id() != self.to {
            return Err(CatalogError::invalid(
                source_name,
                "/to",
                format!(
                    "crosswalk targets {:?} but was checked against {:?}",
                    self.to,
                    catalog.id()
                ),
            ));
        }
        for (i, entry) in self.entries.iter().enumerate() {
            if catalog.control(&entry.id).is_some() {
                return Err(CatalogError::invalid(
                    source_name,
                    &format!("/entries/{i}/id"),
                    format!(
                        "{} is withdrawn here but active in {}",
                        entry.id,
                        catalog.id()
                    ),
                ));
            }
            for (t, target) in entry.targets.iter().enumerate() {
                if catalog.control(target).is_none() {
                    return Err(CatalogError::invalid(
                        source_name,
                        &format!("/entries/{i}/targets/{t}"),
                        format!("{target} is not a control of {}", catalog.id()),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The catalog id of the old framework (`nist-csf-1.1`).
    pub fn from_catalog(&self) -> &str {
        &self.from
    }

    /// The catalog id the targets belong to (`nist-csf-2.0`).
    pub fn to_catalog(&self) -> &str {
        &self.to
    }

    /// Where the crosswalk was taken from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The terms of the source.
    pub fn licence(&self) -> &str {
        &self.licence
    }

    /// Every withdrawn element, in NIST's document order.
    pub fn entries(&self) -> impl Iterator<Item = &CrosswalkEntry> {
        self.entries.iter()
    }

    /// The entry for a CSF 1.1 id, written either way (`PR.AC-4` or NIST's `PR.AC-04`).
    pub fn entry(&self, id: &str) -> Option<&CrosswalkEntry> {
        let id = zero_pad(id);
        self.index.get(id.as_ref()).map(|&i| &self.entries[i])
    }
}

/// CSF 1.1 wrote subcategory numbers without padding (`PR.AC-4`); CSF 2.0 and NIST's OSCAL
/// pad them to two digits (`PR.AC-04`). Anything not shaped like `XX.YY-n` is left alone.
pub(crate) fn zero_pad(id: &str) -> std::borrow::Cow<'_, str> {
    let Some((prefix, number)) = id.split_once('-') else {
        return id.into();
    };
    let prefix_ok = prefix.len() == 5
        && prefix.as_bytes()[2] == b'.'
        && prefix
            .chars()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_uppercase());
    if prefix_ok && number.len() == 1 && number.as_bytes()[0].is_ascii_digit() {
        format!("{prefix}-0{number}").into()
    } else {
        id.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_pad_only_touches_csf_shaped_ids() {
        let check = |input: &str, expected: &str| assert_eq!(zero_pad(input), expected, "{input}");
        check("PR.AC-4", "PR.AC-04");
        check("PR.AC-04", "PR.AC-04");
        check("DE.CM-3", "DE.CM-03");
        check("ID.AM-10", "ID.AM-10");
        check("PR.AC", "PR.AC");
        check("NHI1:2025", "NHI1:2025");
        check("A.5-1", "A.5-1");
        check("pr.ac-4", "pr.ac-4");
        check("PR.AC-x", "PR.AC-x");
    }

    fn crosswalk(entries: &str) -> Result<Crosswalk, CatalogError> {
        let text = format!(
            r#"{{"format":"evidentia-crosswalk/1","from":"a","to":"b","source":"s","licence":"l","entries":{entries}}}"#
        );
        Crosswalk::from_json(&text, "x.json")
    }

    #[test]
    fn entries_are_validated() {
        let err = crosswalk(
            r#"[{"id":"PR.IP","kind":"category","title":"t","relation":"withdrawn","targets":["X"]}]"#,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("x.json at /entries/0/targets: targets must be empty"),
            "{err}"
        );
        let err = crosswalk(
            r#"[{"id":"A-01","kind":"subcategory","title":"A-01","relation":"moved_to","targets":["B"]},
                {"id":"A-01","kind":"subcategory","title":"A-01","relation":"moved_to","targets":["B"]}]"#,
        )
        .unwrap_err();
        assert!(matches!(err, CatalogError::DuplicateId { .. }), "{err}");
        let err =
            crosswalk(r#"[{"id":"A","kind":"k","title":"t","relation":"renamed","targets":[]}]"#)
                .unwrap_err();
        assert!(
            err.to_string().contains("unknown variant `renamed`"),
            "{err}"
        );
    }

    #[test]
    fn lookup_accepts_both_spellings() {
        let c = crosswalk(
            r#"[{"id":"PR.AC-04","kind":"subcategory","title":"PR.AC-04","relation":"moved_to","targets":["PR.AA-05"]}]"#,
        )
        .unwrap();
        assert_eq!(c.entry("PR.AC-4").unwrap().targets(), ["PR.AA-05"]);
        assert_eq!(c.entry("PR.AC-04").unwrap().relation(), Relation::MovedTo);
        assert!(c.entry("PR.AC-5").is_none());
    }
}
