//! Audit samples for the CLI, the desktop and packs: a named population drawn from one
//! analysis, a sample selected from it by seed, and every sampled item's attributes
//! (docs/audit-samples.md).

use std::path::Path;

use anyhow::{anyhow, bail};
use chrono::{DateTime, NaiveDate, Utc};
use evidentia_ledger::format_recorded_at;
use evidentia_pack::Cell;
use evidentia_pack::workpaper::{
    AttributeCell, AttributeColumn, SampleRow, SampleSheet, Sheet, Workpaper,
};
use evidentia_rules::populations::{
    self, AttributeOutcome, FindingIndex, Frequency, POPULATIONS, PopulationDef, PopulationItem,
    Stratify,
};
use serde_json::{Value, json};

use crate::Location;
use crate::analysis::{AnalysisRun, analyze_period_then};

/// The selection algorithm, as printed on every workpaper.
pub const ALGORITHM: &str = "evidentia-sample/1: rank = SHA-256(seed ‖ 0x00 ‖ key) in lowercase hex; take the lowest ranks (ties by key); with strata, each stratum's share by largest remainder";

/// How many items to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleSize {
    Fixed(usize),
    Frequency(Frequency),
}

/// What to sample and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRequest {
    pub population: String,
    pub size: SampleSize,
    pub seed: String,
    pub stratify: Option<Stratify>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A population as a workpaper states it.
#[derive(Debug, Clone)]
pub struct PopulationInfo {
    pub def: &'static PopulationDef,
    pub count: usize,
    pub digest: String,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub as_of: DateTime<Utc>,
    pub head_entries: u64,
    pub head_hash: String,
    pub policy_entry: u64,
}

/// One attribute of one sampled item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemAttribute {
    pub id: &'static str,
    pub outcome: AttributeOutcome,
    /// The entries it rests on, ascending.
    pub evidence: Vec<u64>,
    /// The rows of set entries among what it cites, ascending (empty when it cites only
    /// one-record entries).
    pub evidence_rows: Vec<crate::EvidenceRow>,
    pub note: String,
    /// The checks of the findings that make it fail.
    pub failing_checks: Vec<&'static str>,
}

/// One item of a population, as listed and as sampled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub key: String,
    /// The item's entry, and its 1-based row when the entry is a set (0 otherwise).
    pub seq: u64,
    pub row: u32,
    pub kind: String,
    pub identity: Option<String>,
    pub system: Option<String>,
    pub account: Option<String>,
    pub entitlement: Option<String>,
    pub reference: Option<String>,
    pub at: DateTime<Utc>,
    pub systems: Vec<String>,
    pub stratum: Option<String>,
}

/// A sampled item: its position, rank and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampledItem {
    /// 1-based, in rank order.
    pub number: usize,
    pub rank: String,
    pub item: ItemRow,
    pub attributes: Vec<ItemAttribute>,
}

/// A drawn sample with everything a workpaper states.
#[derive(Debug, Clone)]
pub struct SampleView {
    pub population: PopulationInfo,
    pub seed: String,
    pub size_rule: String,
    pub size: usize,
    pub stratify: Option<Stratify>,
    /// Each stratum's population count and share, when stratified.
    pub strata: Vec<(String, usize, usize)>,
    pub items: Vec<SampledItem>,
    /// The whole population, in entry order.
    pub population_items: Vec<ItemRow>,
    /// When it was drawn ("YYYY-MM-DDTHH:MM:SSZ"), the date its workpaper and appendix carry.
    pub generated_at: String,
    /// The organisation the policy names.
    pub organisation: String,
}

/// Every population's definition and attributes.
pub fn population_defs() -> &'static [PopulationDef] {
    POPULATIONS
}

fn def_named(name: &str) -> anyhow::Result<&'static PopulationDef> {
    populations::population_def(name).ok_or_else(|| {
        anyhow!(
            "unknown population {name:?}: choose one of {}",
            POPULATIONS
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// Each population's size over a period, from one analysis.
pub async fn population_counts(
    workspace: &Location,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<PopulationInfo>> {
    let (run, built) = analyze_period_then(workspace, (from, to), None, now, |ctx, analysis| {
        POPULATIONS
            .iter()
            .map(|def| populations::build(def, ctx, analysis))
            .collect::<Vec<_>>()
    })
    .await?;
    Ok(built.iter().map(|p| info(&run, p.def, p)).collect())
}

/// One population's items over a period.
pub async fn population_items(
    workspace: &Location,
    name: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> anyhow::Result<(PopulationInfo, Vec<ItemRow>)> {
    let def = def_named(name)?;
    let (run, p) = analyze_period_then(workspace, (from, to), None, now, move |ctx, analysis| {
        populations::build(def, ctx, analysis)
    })
    .await?;
    let rows = p.items.iter().map(|i| row(i, None)).collect();
    Ok((info(&run, def, &p), rows))
}

/// Draws a sample: the population from one analysis of the period, the items by seed, and
/// their attributes. Bad requests (unknown population, empty population, a size larger than
/// it, no seed) are one-line errors before anything is written.
pub async fn draw_sample(
    workspace: &Location,
    request: &SampleRequest,
    now: DateTime<Utc>,
) -> anyhow::Result<SampleView> {
    draw_sample_at(workspace, request, None, now).await
}

/// [`draw_sample`] from the ledger as it stood at `at` entries (a sample drawn earlier, drawn
/// again after later imports).
pub async fn draw_sample_at(
    workspace: &Location,
    request: &SampleRequest,
    at: Option<u64>,
    now: DateTime<Utc>,
) -> anyhow::Result<SampleView> {
    let def = def_named(&request.population)?;
    if request.seed.is_empty() {
        bail!("the seed is empty: give the text the sample is drawn from (--seed)");
    }
    if request.size == SampleSize::Fixed(0) {
        bail!("a sample of 0 items: give --size 1 or more");
    }
    let size_wanted = match request.size {
        SampleSize::Fixed(n) => n,
        SampleSize::Frequency(f) => f.size(),
    };
    let (seed, stratify) = (request.seed.clone(), request.stratify);
    let (run, (p, chosen)) = analyze_period_then(
        workspace,
        (request.from, request.to),
        at,
        now,
        move |ctx, analysis| {
            populations::build_and_draw(def, ctx, analysis, size_wanted, &seed, stratify)
        },
    )
    .await?;
    let mut view = select(&run, def, request, p, chosen)?;
    view.generated_at = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    Ok(view)
}

/// The sample over a population drawn from an analysis (`chosen`: positions in it, in
/// sample order), with every sampled item's attributes.
fn select(
    run: &AnalysisRun,
    def: &'static PopulationDef,
    request: &SampleRequest,
    p: populations::Population,
    chosen: Vec<usize>,
) -> anyhow::Result<SampleView> {
    let info = info(run, def, &p);
    if p.items.is_empty() {
        bail!(
            "population {} is empty in the period {}: nothing to sample",
            def.name,
            period_text(&info)
        );
    }
    let (size, size_rule) = match request.size {
        SampleSize::Fixed(n) if n > p.items.len() => bail!(
            "a sample of {n} is larger than population {}, which holds {} items in the period {}",
            def.name,
            p.items.len(),
            period_text(&info)
        ),
        SampleSize::Fixed(n) => (n, format!("fixed: {n}")),
        SampleSize::Frequency(f) => {
            let n = f.size().min(p.items.len());
            let rule = if f.size() > p.items.len() {
                format!(
                    "frequency {}: {} per the table; the population holds {}, so every item",
                    f.as_str(),
                    f.size(),
                    p.items.len()
                )
            } else {
                format!("frequency {}: {} per the table", f.as_str(), f.size())
            };
            (n, rule)
        }
    };
    if let Some(Stratify::System) = request.stratify
        && p.items.iter().all(|i| i.system.is_none())
    {
        bail!(
            "population {} has no single system per item: stratify by kind instead",
            def.name
        );
    }
    debug_assert_eq!(chosen.len(), size);
    let index = FindingIndex::new(&run.analysis.findings);
    let items = chosen
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let item = &p.items[i];
            let attributes = populations::attributes(def, item, &run.analysis, &index)
                .into_iter()
                .map(|a| ItemAttribute {
                    id: a.def.id,
                    outcome: a.outcome,
                    evidence: crate::evidence_entries(&a.evidence),
                    evidence_rows: crate::evidence_rows(&a.evidence),
                    note: a.note,
                    failing_checks: a
                        .findings
                        .iter()
                        .map(|&f| run.analysis.findings[f].check)
                        .collect(),
                })
                .collect();
            SampledItem {
                number: n + 1,
                rank: populations::rank(&request.seed, &item.key()),
                item: row(item, request.stratify),
                attributes,
            }
        })
        .collect();
    let strata = match request.stratify {
        Some(by) => {
            let mut counts = std::collections::BTreeMap::new();
            for item in &p.items {
                *counts.entry(item.stratum(by)).or_default() += 1;
            }
            let quota = populations::allocate(&counts, size);
            counts
                .into_iter()
                .map(|(s, n)| {
                    let q = quota.get(&s).copied().unwrap_or(0);
                    (s, n, q)
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok(SampleView {
        population: info,
        seed: request.seed.clone(),
        size_rule,
        size,
        stratify: request.stratify,
        strata,
        items,
        population_items: p.items.iter().map(|i| row(i, request.stratify)).collect(),
        generated_at: format_recorded_at(run.as_of),
        organisation: run.policy.policy.organisation.name.clone(),
    })
}

fn info(
    run: &AnalysisRun,
    def: &'static PopulationDef,
    p: &populations::Population,
) -> PopulationInfo {
    let org = &run.policy.policy.organisation;
    PopulationInfo {
        def,
        count: p.items.len(),
        digest: p.digest(),
        period_from: org.period_start,
        period_to: org.period_end,
        as_of: run.as_of,
        head_entries: run.head.count,
        head_hash: run.head.hash.to_hex(),
        policy_entry: run.policy.seq,
    }
}

fn period_text(info: &PopulationInfo) -> String {
    let day = |d: Option<NaiveDate>| d.map_or_else(|| "…".to_owned(), |d| d.to_string());
    format!("{} to {}", day(info.period_from), day(info.period_to))
}

fn row(item: &PopulationItem, stratify: Option<Stratify>) -> ItemRow {
    ItemRow {
        key: item.key(),
        seq: item.cite.seq,
        row: item.cite.row,
        kind: item.kind.to_owned(),
        identity: item.identity.as_ref().map(|i| i.as_str().to_owned()),
        system: item.system.as_ref().map(|s| s.as_str().to_owned()),
        account: item.account.clone(),
        entitlement: item.entitlement.clone(),
        reference: item.reference.clone(),
        at: item.at,
        // An execution's one system is its system.
        systems: if item.systems.is_empty() {
            item.system.iter().map(|s| s.as_str().to_owned()).collect()
        } else {
            item.systems.iter().map(|s| s.as_str().to_owned()).collect()
        },
        stratum: stratify.map(|by| item.stratum(by)),
    }
}

/// The method rows every surface prints, in order.
pub fn method_rows(view: &SampleView) -> Vec<(String, String)> {
    let p = &view.population;
    let mut rows = vec![
        (
            "population".to_owned(),
            // The title only where it says more than the name.
            if p.def.title.to_lowercase() == p.def.name.replace('-', " ") {
                p.def.name.to_owned()
            } else {
                format!("{} ({})", p.def.name, p.def.title)
            },
        ),
        ("definition".to_owned(), p.def.definition.to_owned()),
        ("source".to_owned(), p.def.source.to_owned()),
        ("period".to_owned(), period_text(p)),
        ("judged as of".to_owned(), format_recorded_at(p.as_of)),
        (
            "ledger head".to_owned(),
            format!("{} entries, {}", p.head_entries, p.head_hash),
        ),
        ("policy entry".to_owned(), p.policy_entry.to_string()),
        ("population count".to_owned(), p.count.to_string()),
        ("population digest".to_owned(), p.digest.clone()),
        ("seed".to_owned(), view.seed.clone()),
        ("algorithm".to_owned(), ALGORITHM.to_owned()),
        ("size rule".to_owned(), view.size_rule.clone()),
        ("sample size".to_owned(), view.size.to_string()),
        (
            "stratified by".to_owned(),
            view.stratify
                .map_or("not stratified", Stratify::as_str)
                .to_owned(),
        ),
    ];
    for (s, n, q) in &view.strata {
        rows.push((format!("stratum {s}"), format!("{q} of {n}")));
    }
    rows
}

fn item_json(row: &ItemRow) -> Value {
    let mut item = json!({
        "key": row.key,
        "entry": row.seq,
        "kind": row.kind,
        "identity": row.identity,
        "system": row.system,
        "account": row.account,
        "entitlement": row.entitlement,
        "reference": row.reference,
        "at": format_recorded_at(row.at),
        "systems": row.systems,
        "stratum": row.stratum,
    });
    // A row of a set entry names its row beside the entry (docs/audit-samples.md).
    if row.row > 0 {
        item["row"] = json!(row.row);
    }
    item
}

/// Population header for JSON and the workpaper.
pub fn population_json(info: &PopulationInfo, rows: Option<&[ItemRow]>) -> Value {
    let mut v = json!({
        "name": info.def.name,
        "title": info.def.title,
        "definition": info.def.definition,
        "source": info.def.source,
        "period": {
            "from": info.period_from.map(|d| d.to_string()),
            "to": info.period_to.map(|d| d.to_string()),
        },
        "as_of": format_recorded_at(info.as_of),
        "ledger_head": {"entries": info.head_entries, "hash": info.head_hash},
        "policy_entry": info.policy_entry,
        "count": info.count,
        "digest": info.digest,
        "attributes": info.def.attributes.iter().map(|a| json!({
            "id": a.id, "title": a.title, "checks": a.checks,
        })).collect::<Vec<_>>(),
    });
    if let Some(rows) = rows {
        v["items"] = Value::Array(rows.iter().map(item_json).collect());
    }
    v
}

/// `evidentia sample --json` and the sample file a selective pack is made from
/// (`evidentia-sample/1`, docs/audit-samples.md).
pub fn sample_json(view: &SampleView, with_population: bool) -> Value {
    json!({
        "format": "evidentia-sample/1",
        "population": population_json(
            &view.population,
            with_population.then_some(view.population_items.as_slice()),
        ),
        "seed": view.seed,
        "algorithm": ALGORITHM,
        "size_rule": view.size_rule,
        "size": view.size,
        "stratify": view.stratify.map(Stratify::as_str),
        "strata": view.strata.iter().map(|(s, n, q)| json!({
            "stratum": s, "population": n, "sample": q,
        })).collect::<Vec<_>>(),
        "items": view.items.iter().map(|s| {
            let mut v = item_json(&s.item);
            v["number"] = json!(s.number);
            v["rank"] = json!(s.rank);
            v["attributes"] = Value::Array(s.attributes.iter().map(|a| json!({
                "id": a.id,
                "result": a.outcome.as_str(),
                "evidence": a.evidence,
                "note": a.note,
                "failing_checks": a.failing_checks,
            })).collect());
            for (json, a) in v["attributes"].as_array_mut().into_iter().flatten().zip(&s.attributes) {
                if !a.evidence_rows.is_empty() {
                    json["evidence_rows"] = crate::evidence_rows_json(&a.evidence_rows);
                }
            }
            v
        }).collect::<Vec<_>>(),
    })
}

/// The sample's request as its JSON file states it, to draw it again.
pub fn request_of(sample: &Value) -> anyhow::Result<SampleRequest> {
    let text = |p: &str| sample.pointer(p).and_then(Value::as_str);
    if text("/format") != Some("evidentia-sample/1") {
        bail!("not an Evidentia sample file (/format is not \"evidentia-sample/1\")");
    }
    let population = text("/population/name")
        .ok_or_else(|| anyhow!("/population/name: missing"))?
        .to_owned();
    let seed = text("/seed")
        .ok_or_else(|| anyhow!("/seed: missing"))?
        .to_owned();
    let size = sample
        .pointer("/size")
        .and_then(Value::as_u64)
        .ok_or_else(|| anyhow!("/size: missing or not a count"))?;
    let stratify = match text("/stratify") {
        None => None,
        Some("system") => Some(Stratify::System),
        Some("kind") => Some(Stratify::Kind),
        Some(other) => bail!("/stratify: {other:?} is not system or kind"),
    };
    let date = |p: &str| -> anyhow::Result<Option<NaiveDate>> {
        text(p)
            .map(|d| d.parse().map_err(|_| anyhow!("{p}: {d:?} is not a date")))
            .transpose()
    };
    Ok(SampleRequest {
        population,
        size: SampleSize::Fixed(usize::try_from(size).unwrap_or(usize::MAX)),
        seed,
        stratify,
        from: date("/population/period/from")?,
        to: date("/population/period/to")?,
    })
}

/// The workpaper of a sample: the Sample sheet (items, attributes, evidence, notes and empty
/// columns for the auditor), the Population sheet (omitted in a selective pack, which
/// discloses only the sample) and the Method sheet (docs/workpapers.md).
fn workpaper(view: &SampleView, with_population: bool) -> Workpaper {
    let item_columns: Vec<String> = [
        "number",
        "entry",
        "kind",
        "identity",
        "system",
        "account",
        "entitlement",
        "reference",
        "at",
        "systems",
        "stratum",
        "rank",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .collect();
    let item_cells = |r: &ItemRow| -> Vec<Cell> {
        vec![
            Cell::seq(r.seq),
            Cell::text(&r.kind),
            Cell::opt(r.identity.clone()),
            Cell::opt(r.system.clone()),
            Cell::opt(r.account.clone()),
            Cell::opt(r.entitlement.clone()),
            Cell::opt(r.reference.clone()),
            Cell::text(format_recorded_at(r.at)),
            Cell::text(r.systems.join(" ")),
            Cell::opt(r.stratum.clone()),
        ]
    };
    let rows = view
        .items
        .iter()
        .map(|s| {
            let mut item = vec![Cell::count(s.number)];
            item.extend(item_cells(&s.item));
            item.push(Cell::text(&s.rank));
            SampleRow {
                item,
                attributes: s
                    .attributes
                    .iter()
                    .map(|a| AttributeCell {
                        result: a.outcome.as_str().to_owned(),
                        evidence: a.evidence.clone(),
                        evidence_rows: a.evidence_rows.clone(),
                        note: a.note.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let population = with_population.then(|| Sheet {
        columns: item_columns[1..11].to_vec(),
        rows: view.population_items.iter().map(item_cells).collect(),
    });
    Workpaper {
        title: format!("Audit sample: {}", view.population.def.title.to_lowercase()),
        method: method_rows(view)
            .into_iter()
            .map(|(k, v)| (k, Cell::Text(v)))
            .collect(),
        population,
        sample: SampleSheet {
            item_columns,
            attributes: view
                .population
                .def
                .attributes
                .iter()
                .map(|a| AttributeColumn {
                    id: a.id.to_owned(),
                    title: format!("{} ({})", a.title, a.checks.join(", ")),
                })
                .collect(),
            rows,
        },
        generated_at: view.generated_at.clone(),
    }
}

/// Draws the sample and writes its workpaper (XLSX) atomically; nothing is written when the
/// request is refused.
pub async fn write_sample_workpaper(
    workspace: &Location,
    request: &SampleRequest,
    out: &Path,
    now: DateTime<Utc>,
) -> anyhow::Result<SampleView> {
    let view = draw_sample(workspace, request, now).await?;
    let bytes = render_workpaper(&view, true)?;
    crate::write_atomically(out, &bytes)?;
    Ok(view)
}

/// The PDF appendix of a sample: method, attributes, a summary, the items and each item's
/// attributes with their entries and notes (docs/reports.md).
fn appendix(view: &SampleView) -> evidentia_report::SampleAppendix {
    evidentia_report::SampleAppendix {
        organisation: view.organisation.clone(),
        title: format!("Audit sample: {}", view.population.def.title.to_lowercase()),
        generated_at: view.generated_at.clone(),
        method: method_rows(view),
        attributes: view
            .population
            .def
            .attributes
            .iter()
            .map(|a| evidentia_report::AppendixAttribute {
                id: a.id.to_owned(),
                title: a.title.to_owned(),
                checks: a.checks.iter().map(|c| (*c).to_owned()).collect(),
            })
            .collect(),
        items: view
            .items
            .iter()
            .map(|s| {
                let i = &s.item;
                let place = i.system.clone().unwrap_or_else(|| i.systems.join(", "));
                evidentia_report::AppendixItem {
                    number: s.number,
                    key: i.key.clone(),
                    label: format!(
                        "{} · {} · {} · {}",
                        i.identity.as_deref().unwrap_or("(no identity)"),
                        i.kind,
                        if place.is_empty() {
                            "(no system)"
                        } else {
                            &place
                        },
                        i.at.format("%Y-%m-%d %H:%M UTC")
                    ),
                    results: s
                        .attributes
                        .iter()
                        .map(|a| evidentia_report::AppendixResult {
                            result: a.outcome.as_str().to_owned(),
                            evidence: a.evidence.clone(),
                            evidence_rows: a.evidence_rows.clone(),
                            note: a.note.clone(),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

/// The workpaper's XLSX bytes.
pub fn render_workpaper(view: &SampleView, with_population: bool) -> anyhow::Result<Vec<u8>> {
    Ok(evidentia_pack::workpaper::to_xlsx(&workpaper(
        view,
        with_population,
    ))?)
}

/// The appendix's PDF bytes.
pub fn render_appendix(view: &SampleView) -> anyhow::Result<Vec<u8>> {
    Ok(evidentia_report::render_sample_appendix(&appendix(view))?.bytes)
}
