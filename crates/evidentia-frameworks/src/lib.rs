//! Control catalogs as data (NIST CSF 2.0, OWASP NHI Top 10 2025, plus user files), the CSF
//! 1.1 → 2.0 crosswalk, and the mapping from checks to the controls they evidence.
//!
//! Catalogs are JSON files embedded with `include_str!`; users load more in the same format.
//! The formats, sources and licences are described in `docs/frameworks.md`.
//!
//! ```
//! use evidentia_frameworks::{Catalogs, ControlCounts, ControlStatus, Mapping, NIST_CSF_2_0};
//!
//! # fn main() -> Result<(), evidentia_frameworks::CatalogError> {
//! let catalogs = Catalogs::builtin()?;
//! let csf = catalogs.get(NIST_CSF_2_0).expect("built in");
//!
//! // Subcategories carry NIST's statement; ancestors give the function and category.
//! let control = csf.control("PR.AA-05").expect("exists");
//! assert!(control.statement().unwrap_or_default().starts_with("Access permissions"));
//! let above: Vec<_> = csf.ancestors("PR.AA-05").unwrap_or_default().iter().map(|c| c.title()).collect();
//! assert_eq!(above, ["PROTECT", "Identity Management, Authentication, and Access Control"]);
//!
//! // CSF 1.1 ids in users' material resolve through NIST's crosswalk.
//! let resolved = catalogs.resolve_control_id("PR.AC-4")?;
//! assert_eq!(resolved.ids(), ["PR.AA-05"]);
//! assert!(resolved.is_crosswalked());
//!
//! // Each check maps to controls; a control's status follows from evidence and findings.
//! let mapping = Mapping::builtin(&catalogs)?;
//! let check = mapping.check("EV-SOD-CONFLICT").expect("known check");
//! assert!(check.controls_in(NIST_CSF_2_0).any(|id| id == "PR.AA-05"));
//! assert_eq!(ControlCounts { evidence: 3, findings: 1 }.status(), ControlStatus::Findings);
//! # Ok(())
//! # }
//! ```

mod catalog;
mod catalogs;
mod crosswalk;
mod error;
mod mapping;
mod status;

pub use catalog::{CATALOG_FORMAT, Catalog, Control};
pub use catalogs::{Catalogs, NIST_CSF_2_0, OWASP_NHI_2025, Resolution, ResolvedVia};
pub use crosswalk::{CROSSWALK_FORMAT, Crosswalk, CrosswalkEntry, Relation};
pub use error::CatalogError;
pub use mapping::{
    CHECK_IDS, CHECK_TITLES, CheckMapping, ControlRef, MAPPING_FORMAT, Mapping, Severity,
    check_title,
};
pub use status::{ControlCounts, ControlStatus};
