//! Findings mapped to a framework's controls: per control, the checks that evidence it, how
//! much they examined, what they found, and the status that follows (never "met" without
//! evidence).

use anyhow::anyhow;
use evidentia_frameworks::{Catalogs, ControlCounts, ControlStatus, Mapping, Severity};

use crate::AnalysisRun;

/// One control of a framework, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRow {
    pub id: String,
    pub title: String,
    /// The control's groups, outermost first (CSF: function, then category).
    pub groups: Vec<(String, String)>,
    /// The checks mapped to it.
    pub checks: Vec<String>,
    /// Items those checks examined in the period.
    pub evidence: usize,
    pub findings: usize,
    pub status: ControlStatus,
    /// Evidence its checks need that was not imported, in words (convention 13): all of it
    /// for a control not assessed, some of it for one assessed by only part of its checks.
    pub missing: Vec<String>,
}

/// The built-in catalogs and the check mapping (user catalogs load through the same types).
pub fn catalogs() -> anyhow::Result<(Catalogs, Mapping)> {
    let catalogs = Catalogs::builtin().map_err(|e| anyhow!("{e}"))?;
    let mapping = Mapping::builtin(&catalogs).map_err(|e| anyhow!("{e}"))?;
    Ok((catalogs, mapping))
}

/// The severity and one-sentence rationale of a check.
pub fn check_info(mapping: &Mapping, check: &str) -> (Severity, String) {
    mapping
        .check(check)
        .map_or((Severity::Medium, String::new()), |c| {
            (c.severity(), c.rationale().to_owned())
        })
}

/// Every leaf control of `framework`, in catalog order, judged from one analysis.
pub fn control_status(run: &AnalysisRun, framework: &str) -> anyhow::Result<Vec<ControlRow>> {
    let (catalogs, mapping) = catalogs()?;
    let catalog = catalogs.get(framework).ok_or_else(|| {
        let known: Vec<&str> = catalogs.iter().map(|c| c.id()).collect();
        anyhow!(
            "unknown framework {framework:?}; built in: {}",
            known.join(", ")
        )
    })?;
    // The OWASP NHI Top 10 is about non-human identities: its controls count only findings
    // about them (and about accounts no identity owns), as its report does.
    let nhi_only = catalog.id() == evidentia_frameworks::OWASP_NHI_2025;
    let rows = catalog
        .leaves()
        .map(|control| {
            let checks: Vec<String> = mapping
                .checks_for(catalog.id(), control.id())
                .map(|c| c.id().to_owned())
                .collect();
            let evidence = checks
                .iter()
                .map(|c| run.analysis.examined.get(c.as_str()).copied().unwrap_or(0))
                .sum();
            let findings = run
                .analysis
                .findings
                .iter()
                .filter(|f| checks.iter().any(|c| c == f.check))
                .filter(|f| !nhi_only || run.is_non_human(f.identity.as_ref().map(|i| i.as_str())))
                .count();
            let mut missing: Vec<String> = checks
                .iter()
                .flat_map(|c| run.analysis.coverage.missing_for(c))
                .map(str::to_owned)
                .collect();
            // Items its checks could not judge are evidence missing too (convention 13): they
            // never count as examined, and the control names them.
            for check in &checks {
                let items = run
                    .analysis
                    .not_assessed
                    .iter()
                    .filter(|n| n.check == check.as_str())
                    .count();
                if items > 0 {
                    missing.push(format!(
                        "{check}: {items} item{} not assessed for want of evidence",
                        if items == 1 { "" } else { "s" }
                    ));
                }
            }
            missing.sort();
            missing.dedup();
            let groups = catalog
                .ancestors(control.id())
                .unwrap_or_default()
                .into_iter()
                .map(|g| (g.id().to_owned(), g.title().to_owned()))
                .collect();
            ControlRow {
                id: control.id().to_owned(),
                title: control.statement().unwrap_or(control.title()).to_owned(),
                groups,
                checks,
                evidence,
                findings,
                status: ControlCounts { evidence, findings }.status(),
                missing,
            }
        })
        .collect();
    Ok(rows)
}
