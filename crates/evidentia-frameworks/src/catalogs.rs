//! The set of catalogs a workspace reports against: the built-in ones plus any loaded from files.

use std::path::Path;

use crate::crosswalk::{Relation, zero_pad};
use crate::{Catalog, CatalogError, Crosswalk};

/// Id of the built-in NIST CSF 2.0 catalog.
pub const NIST_CSF_2_0: &str = "nist-csf-2.0";
/// Id of the built-in OWASP Non-Human Identities Top 10 (2025) catalog.
pub const OWASP_NHI_2025: &str = "owasp-nhi-2025";

/// The built-in data, embedded so the binary works offline with nothing beside it.
/// `(source name, text)`; the source name is what errors would show.
const BUILTIN_CATALOGS: [(&str, &str); 2] = [
    (
        "builtin:catalogs/nist-csf-2.0.json",
        include_str!("../catalogs/nist-csf-2.0.json"),
    ),
    (
        "builtin:catalogs/owasp-nhi-2025.json",
        include_str!("../catalogs/owasp-nhi-2025.json"),
    ),
];
const BUILTIN_CROSSWALK: (&str, &str) = (
    "builtin:catalogs/nist-csf-1.1-to-2.0.json",
    include_str!("../catalogs/nist-csf-1.1-to-2.0.json"),
);

/// Loaded catalogs, in load order (built-ins first), and the CSF 1.1 → 2.0 crosswalk.
#[derive(Debug, Clone)]
pub struct Catalogs {
    catalogs: Vec<Catalog>,
    crosswalk: Crosswalk,
}

impl Catalogs {
    /// NIST CSF 2.0 and OWASP NHI Top 10 (2025), with the CSF 1.1 → 2.0 crosswalk.
    ///
    /// # Errors
    /// Only if the embedded data is broken, which the crate's tests rule out.
    pub fn builtin() -> Result<Catalogs, CatalogError> {
        let mut catalogs = Vec::with_capacity(BUILTIN_CATALOGS.len());
        for (name, text) in BUILTIN_CATALOGS {
            catalogs.push(Catalog::from_json(text, name)?);
        }
        let (name, text) = BUILTIN_CROSSWALK;
        let crosswalk = Crosswalk::from_json(text, name)?;
        let mut set = Catalogs {
            catalogs: Vec::new(),
            crosswalk,
        };
        for catalog in catalogs {
            set.add(catalog)?;
        }
        let csf = set.get(NIST_CSF_2_0).ok_or_else(|| {
            CatalogError::invalid(name, "/to", "the built-in CSF 2.0 catalog is missing")
        })?;
        set.crosswalk.check_against(csf, name)?;
        Ok(set)
    }

    /// Reads a user catalog (same format as the built-ins) and adds it to the set.
    ///
    /// # Errors
    /// [`CatalogError::Io`] if the file cannot be read, the errors of [`Catalog::from_json`]
    /// (naming the path), or [`CatalogError::DuplicateCatalog`] if its id is already loaded.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<&Catalog, CatalogError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.to_owned(),
            source,
        })?;
        let catalog = Catalog::from_json(&text, &path.display().to_string())?;
        self.add(catalog)
    }

    /// Adds an already parsed catalog.
    ///
    /// # Errors
    /// [`CatalogError::DuplicateCatalog`] if a catalog with the same id is loaded: replacing a
    /// built-in silently would change what reports mean.
    pub fn add(&mut self, catalog: Catalog) -> Result<&Catalog, CatalogError> {
        if self.get(catalog.id()).is_some() {
            return Err(CatalogError::DuplicateCatalog {
                source_name: catalog.source_name().to_owned(),
                id: catalog.id().to_owned(),
            });
        }
        self.catalogs.push(catalog);
        let last = self.catalogs.len() - 1;
        Ok(&self.catalogs[last])
    }

    /// The catalog with this id.
    pub fn get(&self, id: &str) -> Option<&Catalog> {
        self.catalogs.iter().find(|c| c.id() == id)
    }

    /// Every loaded catalog, built-ins first.
    pub fn iter(&self) -> impl Iterator<Item = &Catalog> {
        self.catalogs.iter()
    }

    /// The CSF 1.1 → 2.0 crosswalk.
    pub fn crosswalk(&self) -> &Crosswalk {
        &self.crosswalk
    }

    /// Turns an identifier from a user's material into current control id(s).
    ///
    /// In order: an exact id of a loaded catalog (the first catalog in load order that has it);
    /// a CSF 1.1 spelling of an id that continues unchanged in CSF 2.0 (`DE.CM-3` →
    /// `DE.CM-03`); a withdrawn CSF 1.1 element, through the crosswalk (`PR.AC-4` →
    /// `PR.AA-05`, `PR.AC-1` → `PR.AA-01`, `PR.AA-05`).
    ///
    /// # Errors
    /// [`CatalogError::WithdrawnWithoutSuccessor`] for an element NIST withdrew without a
    /// successor, [`CatalogError::UnknownControl`] (naming the id) for anything else.
    pub fn resolve_control_id(&self, id: &str) -> Result<Resolution, CatalogError> {
        if let Some(catalog) = self.catalogs.iter().find(|c| c.control(id).is_some()) {
            return Ok(Resolution {
                catalog: catalog.id().to_owned(),
                ids: vec![id.to_owned()],
                via: ResolvedVia::Exact,
            });
        }
        let to = self.crosswalk.to_catalog();
        let padded = zero_pad(id);
        if padded != id && self.get(to).is_some_and(|c| c.control(&padded).is_some()) {
            return Ok(Resolution {
                catalog: to.to_owned(),
                ids: vec![padded.into_owned()],
                via: ResolvedVia::Renumbered {
                    legacy_id: id.to_owned(),
                },
            });
        }
        match self.crosswalk.entry(id) {
            Some(entry) if entry.relation() == Relation::Withdrawn => {
                Err(CatalogError::WithdrawnWithoutSuccessor { id: id.to_owned() })
            }
            Some(entry) => Ok(Resolution {
                catalog: to.to_owned(),
                ids: entry.targets().to_vec(),
                via: ResolvedVia::Crosswalk {
                    legacy_id: entry.id().to_owned(),
                    relation: entry.relation(),
                },
            }),
            None => Err(CatalogError::UnknownControl { id: id.to_owned() }),
        }
    }
}

/// The outcome of [`Catalogs::resolve_control_id`]: current ids and how we got there, so a
/// report can say "PR.AA-05 (formerly CSF 1.1 PR.AC-4)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    catalog: String,
    ids: Vec<String>,
    via: ResolvedVia,
}

impl Resolution {
    /// The catalog the ids belong to.
    pub fn catalog(&self) -> &str {
        &self.catalog
    }

    /// The current control id(s); several when NIST split an old element.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// How the id was resolved.
    pub fn via(&self) -> &ResolvedVia {
        &self.via
    }

    /// True when the input was a withdrawn CSF 1.1 element translated through the crosswalk.
    pub fn is_crosswalked(&self) -> bool {
        matches!(self.via, ResolvedVia::Crosswalk { .. })
    }
}

/// How an identifier was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolvedVia {
    /// The input is a current id of a loaded catalog.
    Exact,
    /// The input is the un-padded CSF 1.1 spelling of an id that continues in CSF 2.0.
    Renumbered {
        /// The input as given.
        legacy_id: String,
    },
    /// The input is a withdrawn CSF 1.1 element; the ids are NIST's destinations for it.
    Crosswalk {
        /// The withdrawn id as NIST writes it (zero-padded).
        legacy_id: String,
        /// NIST's relation to the destinations.
        relation: Relation,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_and_rejects_a_second_copy() {
        let mut set = Catalogs::builtin().unwrap();
        let ids: Vec<_> = set.iter().map(Catalog::id).collect();
        assert_eq!(ids, [NIST_CSF_2_0, OWASP_NHI_2025]);
        let again = Catalog::from_json(BUILTIN_CATALOGS[1].1, "copy.json").unwrap();
        let err = set.add(again).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"copy.json: a catalog with id "owasp-nhi-2025" is already loaded"#
        );
    }

    #[test]
    fn resolution_kinds() {
        let set = Catalogs::builtin().unwrap();
        let r = set.resolve_control_id("PR.AA-05").unwrap();
        assert_eq!(
            (r.catalog(), r.ids(), r.via()),
            (
                NIST_CSF_2_0,
                &["PR.AA-05".to_owned()][..],
                &ResolvedVia::Exact
            )
        );
        let r = set.resolve_control_id("NHI7:2025").unwrap();
        assert_eq!(r.catalog(), OWASP_NHI_2025);
        let r = set.resolve_control_id("DE.CM-3").unwrap();
        assert_eq!(r.ids(), ["DE.CM-03"]);
        assert_eq!(
            r.via(),
            &ResolvedVia::Renumbered {
                legacy_id: "DE.CM-3".into()
            }
        );
        let r = set.resolve_control_id("PR.AC-4").unwrap();
        assert!(r.is_crosswalked());
        assert_eq!(r.ids(), ["PR.AA-05"]);
        assert_eq!(
            r.via(),
            &ResolvedVia::Crosswalk {
                legacy_id: "PR.AC-04".into(),
                relation: Relation::MovedTo
            }
        );
        let err = set.resolve_control_id("PR.IP").unwrap_err();
        assert!(
            matches!(err, CatalogError::WithdrawnWithoutSuccessor { .. }),
            "{err}"
        );
        let err = set.resolve_control_id("PR.ZZ-9").unwrap_err();
        assert!(
            err.to_string()
                .starts_with(r#"unknown control id "PR.ZZ-9""#),
            "{err}"
        );
    }
}
