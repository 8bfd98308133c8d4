//! The report's sections in reading order: cover, contents, scope and applicability, executive
//! summary, controls in scope, findings, exceptions, time to revoke, access reviews, then the
//! appendices (evidence index, controls not assessed, how to verify). Each draws from the
//! model only.

use std::collections::BTreeMap;

use crate::canvas::{Align, CONTENT_W, Canvas, MARGIN_X, PAGE_H, PAGE_W, Rgb3, Style, colour};
use crate::chart::{self, Pair};
use crate::model::{ReportModel, Severity, Status};
use crate::table::{Cell, Column, Row, Table};

/// The period as printed: both ends, open ends named.
pub(crate) fn period(model: &ReportModel) -> String {
    let from = model.period_from.map_or("first record".to_owned(), |d| {
        d.format("%Y-%m-%d").to_string()
    });
    let to = model.period_to.map_or("last record".to_owned(), |d| {
        d.format("%Y-%m-%d").to_string()
    });
    format!("{from} to {to}")
}

pub(crate) fn timestamp(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn severity_colour(s: Severity) -> Rgb3 {
    match s {
        Severity::Critical => colour::CRITICAL,
        Severity::High => colour::HIGH,
        Severity::Medium => colour::MEDIUM,
        Severity::Low => colour::LOW,
    }
}

fn status_colour(s: Status) -> Rgb3 {
    match s {
        Status::Met => colour::MET,
        Status::Findings => colour::FINDINGS,
        Status::NotAssessed => colour::NOT_ASSESSED,
    }
}

/// Thousands separated by thin spaces would not survive copy-paste; commas do.
pub(crate) fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Label/value lines: the label in a fixed column, the value wrapped beside it. A value of up
/// to six lines is kept whole beside its label; a longer one (a pathological definition or
/// name) flows across pages, its label kept with its first three lines.
pub(crate) fn facts(canvas: &mut Canvas, facts: &[(&str, String)]) {
    let label = Style::new(9.5).bold().colour(colour::MUTED);
    let value = Style::new(9.5);
    let label_w = 104.0;
    for (name, text) in facts {
        let lines = canvas.lines(text, value, CONTENT_W - label_w);
        let kept = if lines.len() <= 6 { lines.len() } else { 3 };
        canvas.need(kept as f32 * value.leading() + 6.0);
        canvas.text(
            MARGIN_X,
            canvas.y - label.size,
            label_w - 8.0,
            name,
            label,
            Align::Left,
        );
        for line in &lines {
            canvas.need(value.leading());
            let page = canvas.pages.len() - 1;
            canvas.text_at(page, MARGIN_X + label_w, canvas.y - value.size, line, value);
            canvas.y -= value.leading();
        }
        canvas.y -= 6.0;
    }
}

pub(crate) fn cover(canvas: &mut Canvas, model: &ReportModel) {
    canvas.fill(0.0, PAGE_H - 18.0, PAGE_W, 18.0, colour::ACCENT);
    canvas.y -= 40.0;
    canvas.paragraph(
        "Identity lifecycle evidence report",
        Style::new(24.0).bold().colour(colour::ACCENT),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(6.0);
    canvas.paragraph(
        &model.framework.title,
        Style::new(15.0).bold(),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.paragraph(
        &format!("{} · {}", model.organisation, period(model)),
        Style::new(12.0).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(28.0);
    canvas.line(
        (MARGIN_X, canvas.y),
        (MARGIN_X + CONTENT_W, canvas.y),
        0.5,
        colour::RULE,
    );
    canvas.gap(14.0);
    let fw = &model.framework;
    let checkpoint = checkpoint_text(model);
    facts(
        canvas,
        &[
            ("Organisation", model.organisation.clone()),
            (
                "Framework",
                format!(
                    "{} (id {}, version {}, {})",
                    fw.title, fw.id, fw.version, fw.publisher
                ),
            ),
            ("Period", period(model)),
            ("Judged as of", timestamp(&model.as_of)),
            ("Generated", timestamp(&model.generated_at)),
            ("Workspace id", model.workspace_id.clone()),
            (
                "Ledger head",
                format!("{} entries", count(model.ledger.entries as usize)),
            ),
            ("Head SHA-256", model.ledger.head_hash.clone()),
            ("Checkpoint", checkpoint),
            (
                "Policy in force",
                format!("ledger entry {}", model.policy_entry),
            ),
            ("Policy SHA-256", model.policy_sha256.clone()),
        ],
    );
    canvas.gap(18.0);
    canvas.paragraph(
        "This report was produced offline by Evidentia from the hash-chained evidence ledger \
         named above. Every figure in it is computed from the ledger's entries up to that head; \
         findings cite the ledger entries they rest on, and Appendix A lists every imported \
         file with its SHA-256. Appendix C explains how to check the report's claims with \
         standard tools (sha256sum, python3, openssl), without Evidentia.",
        Style::new(9.5).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
}

/// The cover's checkpoint line: which checkpoint records the head, or plainly none.
pub(crate) fn checkpoint_text(model: &ReportModel) -> String {
    match &model.ledger.checkpoint {
        None => "none recorded: no checkpoint records this head".to_owned(),
        Some(c) => {
            let signer = match &c.signer {
                Some(s) => format!("signed by {s}"),
                None => "unsigned".to_owned(),
            };
            if c.entry_count == model.ledger.entries {
                format!(
                    "checkpoint #{} recorded this head at {}, {signer}",
                    c.number, c.recorded_at
                )
            } else {
                format!(
                    "checkpoint #{} ({} entries, which begin with this head) recorded at {}, \
                     {signer}",
                    c.number,
                    count(c.entry_count as usize),
                    c.recorded_at
                )
            }
        }
    }
}

/// A check as printed everywhere: its id and its title.
fn check_name(f: &crate::model::FindingLine) -> String {
    if f.title.is_empty() {
        f.check.clone()
    } else {
        format!("{} — {}", f.check, f.title)
    }
}

/// The contents page: every section with its page, each a link to it. `pages` is `None` in the
/// first pass (page numbers are not known yet; the page's layout does not depend on them).
pub(crate) fn contents(canvas: &mut Canvas, titles: &[(String, usize)], known: bool) {
    canvas.section("Contents", true);
    let style = Style::new(10.5);
    for (title, page) in titles {
        if title == "Contents" {
            continue;
        }
        canvas.need(style.leading() + 4.0);
        let y = canvas.y - style.size;
        let number = if known {
            (page + 1).to_string()
        } else {
            String::new()
        };
        canvas.text(MARGIN_X, y, CONTENT_W - 60.0, title, style, Align::Left);
        canvas.text(
            MARGIN_X + CONTENT_W - 50.0,
            y,
            50.0,
            &number,
            style,
            Align::Right,
        );
        let page_now = canvas.pages.len() - 1;
        canvas.links.push((
            page_now,
            [MARGIN_X, y - 3.0, CONTENT_W, style.leading()],
            format!("section:{title}"),
        ));
        canvas.y -= style.leading() + 4.0;
    }
}

/// Scope and applicability: what the report covers and what it could not look at.
pub(crate) fn scope(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Scope and applicability", true);
    let scope = &model.scope;
    let muted = Style::new(9.0).colour(colour::MUTED);
    let (in_scope, not_assessed) = control_counts(model);
    let mut facts_rows: Vec<(&str, String)> = vec![
        ("Period", period(model)),
        ("Judged as of", timestamp(&model.as_of)),
        (
            "Ledger",
            format!(
                "{} entries, head {}",
                count(model.ledger.entries as usize),
                model.ledger.head_hash
            ),
        ),
        (
            "Identities",
            if scope.nhi_only {
                "Non-human identities only (service accounts, access keys, API tokens, \
                 certificates, workloads, AI agents) and accounts no identity owns. People \
                 (employees, contractors) are out of scope of this report: their findings, \
                 exceptions, lifecycle events and revocations are not counted here."
                    .to_owned()
            } else {
                "People (employees, contractors) and non-human identities".to_owned()
            },
        ),
        (
            "Controls in scope",
            format!(
                "{in_scope} of {} controls of {}: those with at least one check whose evidence \
                 was imported. The other {not_assessed} are not assessed and are listed in \
                 Appendix B.",
                model.controls.len(),
                model.framework.title
            ),
        ),
        (
            "Not assessed",
            items_not_assessed_sentence(model)
                .unwrap_or_else(|| "None: every item the checks examined was judged.".to_owned()),
        ),
    ];
    if !scope.populations.is_empty() {
        facts_rows.push((
            "Populations",
            // People and NHIs known to the ledger; lifecycle events within the period.
            format!(
                "{}. Identities are those the ledger knows; joiners, movers, leavers and NHI \
                 events are those of the period.",
                scope
                    .populations
                    .iter()
                    .map(|(label, n)| format!("{} {label}", count(*n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    facts(canvas, &facts_rows);
    canvas.gap(6.0);
    canvas.subheading("Systems in scope", 60.0);
    if scope.systems.is_empty() {
        canvas.paragraph(
            "The policy names no system.",
            Style::new(9.5),
            MARGIN_X,
            CONTENT_W,
        );
    } else {
        let columns = [
            Column {
                title: "System",
                width: CONTENT_W - 330.0,
                align: Align::Left,
            },
            Column {
                title: "Provisioning log",
                width: 90.0,
                align: Align::Right,
            },
            Column {
                title: "Inventory rows",
                width: 90.0,
                align: Align::Right,
            },
            Column {
                title: "Reviews",
                width: 60.0,
                align: Align::Right,
            },
            Column {
                title: "Revoke SLA",
                width: 90.0,
                align: Align::Right,
            },
        ];
        let present = |n: usize| {
            if n == 0 {
                Cell::strong("none", colour::FINDINGS)
            } else {
                Cell::plain(count(n))
            }
        };
        let rows: Vec<Row> = scope
            .systems
            .iter()
            .map(|s| {
                Row::Cells(vec![
                    Cell::plain(&s.system),
                    present(s.log_records),
                    present(s.inventory_rows),
                    if s.reviews == 0 {
                        Cell::coloured("none", colour::MUTED)
                    } else {
                        Cell::plain(count(s.reviews))
                    },
                    Cell::plain(&s.revocation_sla),
                ])
            })
            .collect();
        Table::new(&columns, 8.5).draw(canvas, &rows);
    }
    canvas.subheading("Evidence classes", 60.0);
    let present: Vec<&crate::model::EvidenceClass> =
        scope.evidence.iter().filter(|e| e.records > 0).collect();
    let missing: Vec<&crate::model::EvidenceClass> =
        scope.evidence.iter().filter(|e| e.records == 0).collect();
    for e in &present {
        canvas.paragraph(
            &format!(
                "• Present: {} — {} records; {}.",
                e.name,
                count(e.records),
                e.shows
            ),
            Style::new(9.0),
            MARGIN_X,
            CONTENT_W,
        );
    }
    for e in &missing {
        canvas.paragraph(
            &format!("• Missing: {} — would have shown {}.", e.name, e.shows),
            Style::new(9.0).colour(colour::FINDINGS),
            MARGIN_X,
            CONTENT_W,
        );
    }
    if !model.evidence_gaps.is_empty() {
        canvas.gap(6.0);
        canvas.subheading("What could not be assessed", 40.0);
        for gap in &model.evidence_gaps {
            canvas.paragraph(&format!("• {gap}"), muted, MARGIN_X, CONTENT_W);
        }
    }
}

/// Controls in scope (met or with findings) and not assessed.
fn control_counts(model: &ReportModel) -> (usize, usize) {
    let not_assessed = model
        .controls
        .iter()
        .filter(|c| c.status == Status::NotAssessed)
        .count();
    (model.controls.len() - not_assessed, not_assessed)
}

/// The executive summary's narrative, generated from the findings: the largest problems by
/// severity and count, with the systems they are in and how many identities they concern.
pub(crate) fn narrative(model: &ReportModel) -> Vec<String> {
    let mut by_check: BTreeMap<&str, Vec<&crate::model::FindingLine>> = BTreeMap::new();
    for f in &model.findings {
        by_check.entry(f.check.as_str()).or_default().push(f);
    }
    let mut ranked: Vec<(&str, Vec<&crate::model::FindingLine>)> = by_check.into_iter().collect();
    ranked.sort_by(|a, b| {
        (a.1[0].severity, std::cmp::Reverse(a.1.len()), a.0).cmp(&(
            b.1[0].severity,
            std::cmp::Reverse(b.1.len()),
            b.0,
        ))
    });
    ranked
        .iter()
        .take(4)
        .map(|(_, list)| {
            let f = list[0];
            let mut systems: BTreeMap<&str, usize> = BTreeMap::new();
            for x in list {
                if let Some(s) = &x.system {
                    *systems.entry(s.as_str()).or_default() += 1;
                }
            }
            let mut systems: Vec<(&str, usize)> = systems.into_iter().collect();
            systems.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let identities: std::collections::BTreeSet<&str> =
                list.iter().filter_map(|x| x.identity.as_deref()).collect();
            let mut sentence = format!(
                "{} ({}): {} finding{}",
                if f.title.is_empty() {
                    &f.check
                } else {
                    &f.title
                },
                f.severity.label().to_lowercase(),
                count(list.len()),
                if list.len() == 1 { "" } else { "s" }
            );
            if !identities.is_empty() {
                sentence.push_str(&format!(
                    " about {} identit{}",
                    count(identities.len()),
                    if identities.len() == 1 { "y" } else { "ies" }
                ));
            }
            if !systems.is_empty() {
                let parts: Vec<String> = systems
                    .iter()
                    .take(3)
                    .map(|(s, n)| format!("{} in {s}", count(*n)))
                    .collect();
                let rest: usize = systems.iter().skip(3).map(|x| x.1).sum();
                sentence.push_str(&format!(", {}", parts.join(", ")));
                if rest > 0 {
                    sentence.push_str(&format!(", {} elsewhere", count(rest)));
                }
            }
            sentence.push('.');
            sentence
        })
        .collect()
}

/// Management responses by status, for the summary: "2 remediating, 1 accepted; 9 without".
fn responses_text(model: &ReportModel) -> String {
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    let mut expired = 0;
    for f in &model.findings {
        if let Some(r) = &f.response {
            *by_status.entry(r.status.as_str()).or_default() += 1;
            if r.expired {
                expired += 1;
            }
        }
    }
    let answered: usize = by_status.values().sum();
    if answered == 0 {
        return format!(
            "No management response is recorded for any of the {} findings.",
            count(model.findings.len())
        );
    }
    let mut text = format!(
        "Management responses: {}",
        by_status
            .iter()
            .map(|(s, n)| format!("{} {s}", count(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if expired > 0 {
        text.push_str(&format!(" ({} past their date)", count(expired)));
    }
    text.push_str(&format!(
        "; {} finding{} without a response.",
        count(model.findings.len() - answered),
        if model.findings.len() - answered == 1 {
            ""
        } else {
            "s"
        }
    ));
    text
}

const TILE_H: f32 = 88.0;

/// A summary tile: a big figure, its caption, a detail line.
fn tile(canvas: &mut Canvas, x: f32, w: f32, top: f32, figure: &str, caption: &str, detail: &str) {
    let h = TILE_H;
    canvas.fill(x, top - h, w, h, colour::GROUP_FILL);
    canvas.fill(x, top - h, 3.0, h, colour::ACCENT);
    canvas.text(
        x + 12.0,
        top - 20.0,
        w - 20.0,
        caption,
        Style::new(9.0).bold().colour(colour::MUTED),
        Align::Left,
    );
    canvas.text(
        x + 12.0,
        top - 46.0,
        w - 20.0,
        figure,
        Style::new(24.0).bold().colour(colour::ACCENT),
        Align::Left,
    );
    let style = Style::new(8.0).colour(colour::MUTED);
    let lines = canvas.lines(detail, style, w - 20.0);
    let page = canvas.pages.len() - 1;
    for (i, line) in lines.iter().take(3).enumerate() {
        canvas.text_at(
            page,
            x + 12.0,
            top - 66.0 - i as f32 * style.leading(),
            line,
            style,
        );
    }
}

/// A horizontal bar split into coloured shares, with a legend under it.
fn stacked_bar(canvas: &mut Canvas, parts: &[(&str, usize, Rgb3)]) {
    let total: usize = parts.iter().map(|p| p.1).sum();
    canvas.need(40.0);
    let h = 14.0;
    let top = canvas.y;
    if total == 0 {
        canvas.fill(MARGIN_X, top - h, CONTENT_W, h, colour::RULE);
    } else {
        let mut x = MARGIN_X;
        for (_, n, fill) in parts {
            let w = CONTENT_W * *n as f32 / total as f32;
            if w > 0.0 {
                canvas.fill(x, top - h, w, h, *fill);
            }
            x += w;
        }
    }
    let mut x = MARGIN_X;
    let style = Style::new(8.5);
    for (label, n, fill) in parts {
        canvas.fill(x, top - h - 15.0, 8.0, 8.0, *fill);
        let text = format!("{label}: {n}");
        let w = canvas.face(style).width(&text, style.size);
        canvas.text(x + 12.0, top - h - 14.0, w + 2.0, &text, style, Align::Left);
        x += w + 32.0;
    }
    canvas.y -= h + 30.0;
}

/// Rounded down to one decimal, as the app shows it: an incomplete set never reads "100.0%",
/// and with no event to judge there is no percentage at all.
fn completeness_text(c: crate::model::Completeness) -> String {
    if c.events_with_chains == 0 {
        "n/a".to_owned()
    } else {
        format!("{:.1}%", (c.percent() * 10.0).floor() / 10.0)
    }
}

pub(crate) fn summary(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Executive summary", true);
    let c = model.completeness;
    let mut by_severity: BTreeMap<Severity, usize> =
        Severity::ALL.iter().map(|s| (*s, 0)).collect();
    for f in &model.findings {
        *by_severity.entry(f.severity).or_default() += 1;
    }
    let status_count = |s: Status| model.controls.iter().filter(|r| r.status == s).count();
    let (met, with_findings, not_assessed) = (
        status_count(Status::Met),
        status_count(Status::Findings),
        status_count(Status::NotAssessed),
    );
    let gap = 12.0;
    let w = (CONTENT_W - 2.0 * gap) / 3.0;
    let top = canvas.y;
    tile(
        canvas,
        MARGIN_X,
        w,
        top,
        &completeness_text(c),
        "Chain completeness",
        &format!(
            "{} of {} lifecycle events have every link (decision, execution, confirmation) complete",
            count(c.complete_events),
            count(c.events_with_chains)
        ),
    );
    tile(
        canvas,
        MARGIN_X + w + gap,
        w,
        top,
        &count(model.findings.len()),
        "Findings",
        &format!(
            "mapped to this framework: {}",
            Severity::ALL
                .iter()
                .map(|s| format!("{} {}", by_severity[s], s.label().to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let in_scope = met + with_findings;
    tile(
        canvas,
        MARGIN_X + 2.0 * (w + gap),
        w,
        top,
        &format!("{met} / {in_scope}"),
        "In-scope controls met",
        &format!(
            "{with_findings} with findings; {not_assessed} not assessed for lack of evidence \
             (Appendix B)"
        ),
    );
    canvas.y = top - TILE_H - 16.0;

    let body = Style::new(9.5);
    let mut opening = format!(
        "{in_scope} in-scope control{}: {met} met, {with_findings} with findings. \
         {not_assessed} control{} of {} could not be assessed because the evidence their checks \
         need was not imported; they are listed in Appendix B, not counted here.",
        if in_scope == 1 { "" } else { "s" },
        if not_assessed == 1 { "" } else { "s" },
        model.framework.title
    );
    if model.scope.nhi_only {
        opening.push_str(" Only non-human identities are counted; people are out of scope.");
    }
    if let Some(items) = items_not_assessed_sentence(model) {
        opening.push(' ');
        opening.push_str(&items);
    }
    canvas.paragraph(&opening, body, MARGIN_X, CONTENT_W);
    canvas.gap(6.0);
    let story = narrative(model);
    if story.is_empty() {
        canvas.paragraph(
            "No check found anything mapped to this framework in the period.",
            body,
            MARGIN_X,
            CONTENT_W,
        );
    } else {
        canvas.paragraph("The largest problems:", body.bold(), MARGIN_X, CONTENT_W);
        for line in &story {
            canvas.paragraph(&format!("• {line}"), body, MARGIN_X + 6.0, CONTENT_W - 6.0);
        }
    }
    canvas.gap(6.0);
    canvas.paragraph(&responses_text(model), body, MARGIN_X, CONTENT_W);
    canvas.gap(10.0);

    canvas.subheading("In-scope control status", 40.0);
    stacked_bar(
        canvas,
        &[
            ("Met", met, colour::MET),
            ("With findings", with_findings, colour::FINDINGS),
        ],
    );
    canvas.paragraph(
        "A control is met only when the checks mapped to it examined evidence in the period and \
         found nothing; with no evidence it is not assessed, never met.",
        Style::new(8.5).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(10.0);
    canvas.subheading("Findings by severity", 40.0);
    stacked_bar(
        canvas,
        &Severity::ALL
            .iter()
            .map(|s| (s.label(), by_severity[s], severity_colour(*s)))
            .collect::<Vec<_>>(),
    );

    if model.unmapped_findings > 0 {
        canvas.paragraph(
            &format!(
                "{} further finding{} of the period{} map to no control of this framework and \
                 are not counted here; the report for another framework lists them.",
                count(model.unmapped_findings),
                if model.unmapped_findings == 1 {
                    ""
                } else {
                    "s"
                },
                if model.scope.nhi_only {
                    " about non-human identities"
                } else {
                    ""
                }
            ),
            Style::new(8.5).colour(colour::MUTED),
            MARGIN_X,
            CONTENT_W,
        );
        canvas.gap(10.0);
    }
    // The checks behind the findings, most severe first: where to look first.
    let mut by_check: BTreeMap<(Severity, &str), (usize, &[String], &str)> = BTreeMap::new();
    for f in &model.findings {
        by_check
            .entry((f.severity, f.check.as_str()))
            .or_insert((0, &f.controls, &f.title))
            .0 += 1;
    }
    canvas.subheading("Findings by check", 60.0);
    if by_check.is_empty() {
        canvas.paragraph(
            "No check found anything mapped to this framework in the period.",
            Style::new(9.5),
            MARGIN_X,
            CONTENT_W,
        );
    } else {
        let columns = [
            Column {
                title: "Check",
                width: 222.0,
                align: Align::Left,
            },
            Column {
                title: "Severity",
                width: 56.0,
                align: Align::Left,
            },
            Column {
                title: "Findings",
                width: 50.0,
                align: Align::Right,
            },
            Column {
                title: "Controls",
                width: CONTENT_W - 328.0,
                align: Align::Left,
            },
        ];
        let rows: Vec<Row> = by_check
            .iter()
            .map(|((severity, check), (n, controls, title))| {
                Row::Cells(vec![
                    Cell::plain(if title.is_empty() {
                        (*check).to_owned()
                    } else {
                        format!("{check}\n{title}")
                    }),
                    Cell::strong(severity.label(), severity_colour(*severity)),
                    Cell::plain(count(*n)),
                    Cell::plain(controls.join(", ")),
                ])
            })
            .collect();
        Table::new(&columns, 8.0).draw(canvas, &rows);
    }
}

pub(crate) fn controls(canvas: &mut Canvas, model: &ReportModel) {
    controls_table(canvas, model, false);
}

/// Appendix B: the controls no imported evidence could assess, with what they were missing.
pub(crate) fn not_assessed(canvas: &mut Canvas, model: &ReportModel) {
    controls_table(canvas, model, true);
}

fn controls_table(canvas: &mut Canvas, model: &ReportModel, not_assessed: bool) {
    let (title, intro) = if not_assessed {
        (
            "Appendix B — Controls not assessed",
            format!(
                "Controls of {} whose checks had no imported evidence in the period (or that no \
                 check maps to). They are neither met nor failed; the missing evidence is named \
                 where a check needed it.",
                model.framework.title
            ),
        )
    } else {
        (
            "Controls in scope",
            format!(
                "The controls of {} that imported evidence could assess, with their status for \
                 the period. Evidence counts the items the mapped checks examined; findings \
                 counts the findings against the control.{}",
                model.framework.title,
                if model.scope.nhi_only {
                    " Findings count non-human identities only; evidence counts every item \
                     the checks examined."
                } else {
                    ""
                }
            ),
        )
    };
    canvas.section(title, true);
    canvas.paragraph(
        &intro,
        Style::new(9.0).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(6.0);
    let columns = [
        Column {
            title: "Control",
            width: 62.0,
            align: Align::Left,
        },
        Column {
            title: "Statement",
            width: CONTENT_W - 62.0 - 72.0 - 55.0 - 55.0,
            align: Align::Left,
        },
        Column {
            title: "Status",
            width: 72.0,
            align: Align::Left,
        },
        Column {
            title: "Evidence",
            width: 55.0,
            align: Align::Right,
        },
        Column {
            title: "Findings",
            width: 55.0,
            align: Align::Right,
        },
    ];
    let mut rows = Vec::new();
    let mut current: Vec<&(String, String)> = Vec::new();
    for c in model
        .controls
        .iter()
        .filter(|c| (c.status == Status::NotAssessed) == not_assessed)
    {
        let groups: Vec<&(String, String)> = c.groups.iter().collect();
        let same = groups
            .iter()
            .zip(&current)
            .take_while(|(a, b)| a == b)
            .count();
        for (level, (id, title)) in groups.iter().enumerate().skip(same) {
            rows.push(Row::Group {
                level,
                text: format!("{id} — {title}"),
            });
        }
        current = groups;
        let text = match (c.status, c.missing.is_empty()) {
            (_, true) => c.text.clone(),
            (Status::NotAssessed, false) => {
                format!(
                    "{} — Not assessed, missing: {}.",
                    c.text,
                    c.missing.join("; ")
                )
            }
            (_, false) => format!(
                "{} — Partly assessed, missing: {}.",
                c.text,
                c.missing.join("; ")
            ),
        };
        rows.push(Row::Cells(vec![
            Cell::plain(&c.id),
            Cell::plain(text),
            Cell::strong(c.status.label(), status_colour(c.status)),
            Cell::plain(count(c.evidence)),
            Cell::plain(count(c.findings)),
        ]));
    }
    if rows.is_empty() {
        canvas.paragraph(
            if not_assessed {
                "Every control was assessed."
            } else {
                "No control could be assessed: no imported evidence reached any mapped check."
            },
            Style::new(9.5),
            MARGIN_X,
            CONTENT_W,
        );
        return;
    }
    Table::new(&columns, 8.5).draw(canvas, &rows);
}

/// The evidence-index reference ("A7") of the file an entry was imported from: records are
/// appended in their file's import transaction, which ends with its `import.file` entry, so
/// the file is the first one recorded at or after the entry.
fn file_of(model: &ReportModel, entry: u64) -> Option<usize> {
    model.artifacts.iter().position(|a| a.seq >= entry)
}

pub(crate) fn findings(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Findings", true);
    canvas.paragraph(
        "Findings grouped by check, most severe first. Each group names the check, its severity \
         and the controls of this framework it maps to; each row names who and what the finding \
         is about, the ledger entries it rests on with the file each came from (A1, A2, … in \
         Appendix A; the cell links there), and management's response when one is recorded.",
        Style::new(9.0).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(6.0);
    if model.findings.is_empty() {
        canvas.paragraph(
            "No findings mapped to this framework in the period.",
            Style::new(9.5),
            MARGIN_X,
            CONTENT_W,
        );
        return;
    }
    let columns = [
        Column {
            // Wide enough for a whole e-mail address of 30-odd characters on one line.
            title: "Identity / system / account",
            width: 168.0,
            align: Align::Left,
        },
        Column {
            title: "Summary and response",
            width: CONTENT_W - 168.0 - 100.0,
            align: Align::Left,
        },
        Column {
            title: "Ledger entries (file)",
            width: 100.0,
            align: Align::Left,
        },
    ];
    let mut order: Vec<&crate::model::FindingLine> = model.findings.iter().collect();
    // Stable: within a check the engine's own order (by key) is kept.
    order.sort_by(|a, b| (a.severity, &a.check).cmp(&(b.severity, &b.check)));
    let mut per_check: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &order {
        *per_check.entry(f.check.as_str()).or_default() += 1;
    }
    let mut rows = Vec::with_capacity(order.len() + per_check.len());
    let mut last: Option<&str> = None;
    for f in order {
        if last != Some(f.check.as_str()) {
            let n = per_check.get(f.check.as_str()).copied().unwrap_or(0);
            rows.push(Row::Group {
                level: 0,
                text: format!(
                    "{} · {} · {} finding{} · controls {}",
                    check_name(f),
                    f.severity.label(),
                    count(n),
                    if n == 1 { "" } else { "s" },
                    f.controls.join(", ")
                ),
            });
            last = Some(f.check.as_str());
        }
        let mut subject = Vec::new();
        if let Some(i) = &f.identity {
            subject.push(i.clone());
        }
        if let Some(s) = &f.system {
            subject.push(format!("system {s}"));
        }
        if let Some(a) = &f.account {
            subject.push(format!("account {a}"));
        }
        if subject.is_empty() {
            subject.push("-".to_owned());
        }
        let mut evidence = f
            .evidence
            .iter()
            .map(|e| match file_of(model, *e) {
                Some(i) => format!("{e} (A{})", i + 1),
                None => e.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        // Rows of set entries, as `entry:row` (docs/ledger-format.md, "Evidence citations").
        if !f.evidence_rows.is_empty() {
            let rows: Vec<String> = f
                .evidence_rows
                .iter()
                .map(|(entry, row)| format!("{entry}:{row}"))
                .collect();
            evidence.push_str(&format!("; rows {}", rows.join(", ")));
        }
        let target = f
            .evidence
            .first()
            .and_then(|e| file_of(model, *e))
            .map(|i| format!("file:{i}"));
        let mut summary = f.summary.clone();
        if let Some(r) = &f.response {
            summary.push_str(&format!("\nResponse ({}", r.status));
            if let Some(o) = &r.owner {
                summary.push_str(&format!(", {o}"));
            }
            if let Some(d) = r.due {
                summary.push_str(&format!(", due {}", d.format("%Y-%m-%d")));
            }
            if let Some(d) = r.accepted_until {
                summary.push_str(&format!(", accepted until {}", d.format("%Y-%m-%d")));
            }
            if r.expired {
                summary.push_str(", past its date");
            }
            summary.push_str(&format!(", entry {}): {}", r.entry_seq, r.response));
        }
        rows.push(Row::Cells(vec![
            Cell::plain(subject.join("\n")),
            Cell::plain(summary),
            Cell::plain(evidence).link(target),
        ]));
    }
    Table::new(&columns, 8.0).draw(canvas, &rows);
}

/// Items a check could not judge (convention 13): listed apart from the findings, each with
/// the evidence that was missing and the entries it rests on.
/// How many items the checks could not judge, by check, pointing to their section; `None`
/// when every item was judged. The summary and the scope say it, so a reader of either does
/// not take an unjudged credential for a clean one.
fn items_not_assessed_sentence(model: &ReportModel) -> Option<String> {
    if model.not_assessed.is_empty() {
        return None;
    }
    let mut per_check: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &model.not_assessed {
        *per_check.entry(n.check.as_str()).or_default() += 1;
    }
    let total = model.not_assessed.len();
    Some(format!(
        "{} item{} could not be judged for want of evidence ({}): neither findings nor clean, \
         they are listed under Items not assessed.",
        count(total),
        if total == 1 { "" } else { "s" },
        per_check
            .iter()
            .map(|(check, n)| format!("{check} {}", count(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

pub(crate) fn items_not_assessed(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Items not assessed", true);
    canvas.paragraph(
        "Items a check could not judge for want of evidence: neither findings nor clean. Each \
         names the check, who and what it is about, the evidence that was missing, and the \
         ledger entries that show the item. Import the missing evidence and analyse again to \
         judge them; until then the controls they map to name them as missing evidence.",
        Style::new(9.0).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(6.0);
    if model.not_assessed.is_empty() {
        canvas.paragraph(
            "None: every item the checks examined was judged.",
            Style::new(9.5),
            MARGIN_X,
            CONTENT_W,
        );
        return;
    }
    let columns = [
        Column {
            title: "Identity / system / account",
            width: 168.0,
            align: Align::Left,
        },
        Column {
            title: "Not assessed: credential and why",
            width: CONTENT_W - 168.0 - 100.0,
            align: Align::Left,
        },
        Column {
            title: "Ledger entries (file)",
            width: 100.0,
            align: Align::Left,
        },
    ];
    let mut per_check: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &model.not_assessed {
        *per_check.entry(n.check.as_str()).or_default() += 1;
    }
    let mut rows = Vec::with_capacity(model.not_assessed.len() + per_check.len());
    let mut last: Option<&str> = None;
    for n in &model.not_assessed {
        if last != Some(n.check.as_str()) {
            let items = per_check.get(n.check.as_str()).copied().unwrap_or(0);
            rows.push(Row::Group {
                level: 0,
                text: format!(
                    "{} · {} · {} item{} not assessed",
                    n.check,
                    n.title,
                    count(items),
                    if items == 1 { "" } else { "s" }
                ),
            });
            last = Some(n.check.as_str());
        }
        let evidence = if n.evidence.is_empty() {
            "none".to_owned()
        } else {
            n.evidence
                .iter()
                .map(|e| match file_of(model, *e) {
                    Some(i) => format!("{e} (A{})", i + 1),
                    None => e.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let target = n
            .evidence
            .first()
            .and_then(|e| file_of(model, *e))
            .map(|i| format!("file:{i}"));
        rows.push(Row::Cells(vec![
            Cell::plain(format!(
                "{}\nsystem {}\naccount {}",
                n.identity, n.system, n.account
            )),
            Cell::plain(format!(
                "Credential {}\nNot assessed: {}",
                n.credential, n.reason
            )),
            Cell::plain(evidence).link(target),
        ]));
    }
    Table::new(&columns, 8.0).draw(canvas, &rows);
}

pub(crate) fn exceptions(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Exceptions", true);
    canvas.paragraph(
        &format!(
            "Accepted-risk exceptions of the register, aged as of {}: days since granted, or \
             expired when their expiry (after any re-approval) has passed.",
            timestamp(&model.as_of)
        ),
        Style::new(9.0).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(8.0);
    canvas.subheading("Exception aging", 200.0);
    let data: Vec<chart::Column> = model
        .exceptions_by_bucket
        .iter()
        .map(|(bucket, n)| chart::Column {
            label: if bucket == "expired" {
                "expired".to_owned()
            } else {
                format!("{bucket} days")
            },
            value: *n as f64,
            colour: if bucket == "expired" {
                colour::FINDINGS
            } else {
                colour::BAR
            },
        })
        .collect();
    chart::columns(canvas, &data, "Exceptions", "Age since granted");
    canvas.gap(6.0);
    canvas.subheading("Exceptions register", 50.0);
    if model.exceptions.is_empty() {
        canvas.paragraph(
            "No exceptions were recorded.",
            Style::new(9.5),
            MARGIN_X,
            CONTENT_W,
        );
        return;
    }
    let columns = [
        Column {
            title: "Exception",
            width: 64.0,
            align: Align::Left,
        },
        Column {
            title: "Covers",
            width: 134.0,
            align: Align::Left,
        },
        Column {
            title: "Owner",
            width: 52.0,
            align: Align::Left,
        },
        Column {
            title: "Granted",
            width: 56.0,
            align: Align::Left,
        },
        Column {
            title: "Expires",
            width: 56.0,
            align: Align::Left,
        },
        Column {
            title: "Age",
            width: 36.0,
            align: Align::Right,
        },
        Column {
            title: "Bucket",
            width: CONTENT_W - 398.0,
            align: Align::Left,
        },
    ];
    let rows: Vec<Row> = model
        .exceptions
        .iter()
        .map(|e| {
            let mut what = Vec::new();
            if let Some(s) = &e.subject {
                what.push(s.clone());
            }
            if let Some(s) = &e.system {
                what.push(format!("on {s}"));
            }
            if let Some(s) = &e.entitlement {
                what.push(s.clone());
            }
            let bucket = if e.bucket == "expired" {
                Cell::strong("expired", colour::FINDINGS)
            } else if e.expiring_soon {
                Cell::strong(format!("{}\nexpiring soon", e.bucket), colour::MEDIUM)
            } else {
                Cell::plain(&e.bucket)
            };
            Row::Cells(vec![
                Cell::plain(format!("{}\nentry {}", e.id, e.seq)),
                Cell::plain(if what.is_empty() {
                    "-".to_owned()
                } else {
                    what.join("\n")
                }),
                match &e.owner {
                    Some(o) => Cell::plain(o),
                    None => Cell::strong("none", colour::FINDINGS),
                },
                Cell::plain(e.granted.format("%Y-%m-%d").to_string()),
                match e.expires {
                    Some(d) => Cell::plain(d.format("%Y-%m-%d").to_string()),
                    None => Cell::strong("none", colour::FINDINGS),
                },
                Cell::plain(e.age_days.to_string()),
                bucket,
            ])
        })
        .collect();
    Table::new(&columns, 8.0).draw(canvas, &rows);
}

pub(crate) fn revocation(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Time to revoke", true);
    canvas.paragraph(
        "Hours from a leaver's (or a retired non-human identity's) effective time to each \
         system's revocation, for revocations that happened: the median and the 95th percentile \
         (nearest rank) per system, against the policy's revocation SLA for the system (its \
         standard tier; a privileged tier may have a stricter one, and a batch system one batch \
         interval more). Late counts the revocations past the deadline that applied to each \
         (each is a finding); revocations that never happened are findings, not durations.",
        Style::new(9.0).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(10.0);
    if model.time_to_revoke.is_empty() {
        canvas.paragraph(
            "No revocation was executed in the period.",
            Style::new(9.5),
            MARGIN_X,
            CONTENT_W,
        );
        return;
    }
    let data: Vec<Pair> = model
        .time_to_revoke
        .iter()
        .map(|r| Pair {
            label: r.system.clone(),
            first: r.median_hours,
            second: r.p95_hours,
        })
        .collect();
    chart::paired_bars(
        canvas,
        &data,
        ("median", "95th percentile"),
        "Hours to revoke",
    );
    canvas.gap(8.0);
    let columns = [
        Column {
            title: "System",
            width: 88.0,
            align: Align::Left,
        },
        Column {
            title: "Revocations",
            width: 72.0,
            align: Align::Right,
        },
        Column {
            title: "SLA (h)",
            width: 55.0,
            align: Align::Right,
        },
        Column {
            title: "Median (h)",
            width: 90.0,
            align: Align::Right,
        },
        Column {
            title: "p95 (h)",
            width: 90.0,
            align: Align::Right,
        },
        Column {
            title: "Late (over SLA)",
            width: CONTENT_W - 395.0,
            align: Align::Right,
        },
    ];
    // An hour figure over the system's SLA is marked, so the table reads without the chart.
    let hours = |h: f64, sla: Option<f64>| match sla {
        Some(limit) if h > limit => Cell::strong(format!("{h:.1} over SLA"), colour::FINDINGS),
        _ => Cell::plain(format!("{h:.1}")),
    };
    let rows: Vec<Row> = model
        .time_to_revoke
        .iter()
        .map(|r| {
            Row::Cells(vec![
                Cell::plain(&r.system),
                Cell::plain(count(r.count)),
                Cell::plain(r.sla_hours.map_or("-".to_owned(), |h| format!("{h:.0}"))),
                hours(r.median_hours, r.sla_hours),
                hours(r.p95_hours, r.sla_hours),
                if r.late > 0 {
                    Cell::strong(count(r.late), colour::FINDINGS)
                } else {
                    Cell::plain("0")
                },
            ])
        })
        .collect();
    Table::new(&columns, 8.5).draw(canvas, &rows);
}

/// A share as a percentage, or a dash when there is nothing to divide.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// Issue #19's figures: leaver credentials revoked within the SLA, median credential age and
/// emergency uses reviewed in time, each "not assessed" when its evidence was not imported.
pub(crate) fn credentials(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Credentials and emergency access", true);
    canvas.paragraph(
        "Keys, tokens and certificates are judged apart from accounts: a leaver's credential \
         must be revoked within the system's revocation SLA. Credential age counts the active \
         credentials in each system's latest credential listing whose creation or last \
         rotation a provisioning log dates, as of the analysis. An emergency use (a JIT \
         activation or a break-glass sign-in in the register) is reviewed in time when someone \
         other than its user decided on it within the policy's review window. A figure whose \
         evidence was not imported reads \"not assessed\", never 0 % or 100 %.",
        Style::new(9.0).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    if model.scope.nhi_only {
        // Leavers are people: splitting these figures by identity kind would hide the very
        // credentials they are about, so say they are not limited to NHIs.
        canvas.gap(4.0);
        canvas.paragraph(
            "Unlike the rest of this report, these figures cover people and non-human \
             identities alike.",
            Style::new(9.0).colour(colour::MUTED),
            MARGIN_X,
            CONTENT_W,
        );
    }
    canvas.gap(8.0);
    let columns = [
        Column {
            title: "Figure",
            width: 200.0,
            align: Align::Left,
        },
        Column {
            title: "Value",
            width: 90.0,
            align: Align::Right,
        },
        Column {
            title: "Counted",
            width: CONTENT_W - 290.0,
            align: Align::Left,
        },
    ];
    let not_assessed = || Cell::strong("Not assessed", colour::NOT_ASSESSED);
    let c = &model.credentials;
    let share = |label: &str, s: Option<(usize, usize)>, of: &str, none: &str| {
        Row::Cells(match s {
            Some((part, whole)) => vec![
                Cell::plain(label),
                Cell::plain(percent(part, whole)),
                Cell::plain(format!("{} of {} {of}", count(part), count(whole))),
            ],
            None => vec![Cell::plain(label), not_assessed(), Cell::plain(none)],
        })
    };
    let rows = vec![
        share(
            "Credentials revoked with their leaver",
            c.leaver_revoked,
            "leaver credentials judged, revoked within the SLA",
            "no leaver credential was judged (no credential listing or log shows one held)",
        ),
        Row::Cells(match c.credential_age {
            Some((n, median, p95)) => vec![
                Cell::plain("Median credential age"),
                Cell::plain(format!("{median:.0} days")),
                Cell::plain(format!(
                    "{} active credential{} with a logged creation; p95 {p95:.0} days",
                    count(n),
                    if n == 1 { "" } else { "s" }
                )),
            ],
            None => vec![
                Cell::plain("Median credential age"),
                not_assessed(),
                Cell::plain("no active credential in a listing has a logged creation date"),
            ],
        }),
        share(
            "Emergency uses reviewed in time",
            c.emergency_reviewed,
            "register uses in the period",
            "no emergency-access register use in the period, or no review window in the policy",
        ),
    ];
    Table::new(&columns, 8.5).draw(canvas, &rows);
}

pub(crate) fn reviews(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Access reviews", true);
    canvas.paragraph(
        "Each campaign's population is what the system itself listed when the campaign started \
         (its last snapshot at or before the start); coverage is the share of that population \
         with a keep, revoke or modify decision by the close, on time the share decided by the \
         due date. Revoke and modify decisions need the system's own proof of removal within \
         the policy's deadline: removed on time, removed late, not executed, or removed but \
         still shown by the next snapshot (contradicted). These are governance figures, kept \
         apart from the provisioning metrics.",
        Style::new(9.0).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    if model.scope.nhi_only {
        // A campaign certifies a system's whole population at once, so its figures cannot be
        // split by identity kind without changing what was certified; say so rather than
        // present people's decisions as NHI figures silently.
        canvas.paragraph(
            "Unlike the rest of this report, these figures cover each campaign's whole \
             population, people and non-human identities alike: a campaign certifies everything \
             a system listed, and its coverage and timeliness are the campaign's own.",
            Style::new(9.0).colour(colour::MUTED),
            MARGIN_X,
            CONTENT_W,
        );
    }
    canvas.gap(10.0);
    if model.reviews.is_empty() {
        canvas.paragraph(
            "No access-review campaign was imported: the review checks were not assessed.",
            Style::new(9.5),
            MARGIN_X,
            CONTENT_W,
        );
        return;
    }
    // Each campaign once, with its dates, above the per-system table that names it by id.
    let mut seen: Vec<&str> = Vec::new();
    for r in &model.reviews {
        if seen.contains(&r.campaign.as_str()) {
            continue;
        }
        seen.push(&r.campaign);
        let closed = match (r.closed_at, r.overdue) {
            (Some(t), true) => format!("closed {}, after its due date", timestamp(&t)),
            (Some(t), false) => format!("closed {}", timestamp(&t)),
            (None, true) => "still open, past its due date".to_owned(),
            (None, false) => "still open".to_owned(),
        };
        canvas.paragraph(
            &format!(
                "{}{}: started {}, due {}, {closed}.",
                r.campaign,
                r.name
                    .as_deref()
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default(),
                timestamp(&r.started_at),
                timestamp(&r.due_at),
            ),
            Style::new(9.0),
            MARGIN_X,
            CONTENT_W,
        );
        canvas.gap(2.0);
    }
    canvas.gap(8.0);
    let column = |title, width, align| Column {
        title,
        width,
        align,
    };
    let columns = [
        column("Campaign", CONTENT_W - 432.0, Align::Left),
        column("System", 52.0, Align::Left),
        column("Population", 62.0, Align::Right),
        column("Coverage", 56.0, Align::Right),
        column("On time", 44.0, Align::Right),
        column("Revokes", 50.0, Align::Right),
        column("Late", 30.0, Align::Right),
        column("Not executed", 70.0, Align::Right),
        column("Contradicted", 68.0, Align::Right),
    ];
    let rows: Vec<Row> = model
        .reviews
        .iter()
        .map(|r| {
            let (population, coverage, on_time) = match r.population {
                Some(p) => (
                    count(p),
                    percent(r.decided, p),
                    percent(r.decided_on_time, p),
                ),
                None => ("not established".to_owned(), "-".to_owned(), "-".to_owned()),
            };
            Row::Cells(vec![
                Cell::plain(&r.campaign),
                Cell::plain(&r.system),
                Cell::plain(population),
                Cell::plain(coverage),
                Cell::plain(on_time),
                Cell::plain(count(r.revokes)),
                Cell::plain(count(r.removed_late)),
                Cell::plain(count(r.not_executed)),
                Cell::plain(count(r.contradicted)),
            ])
        })
        .collect();
    Table::new(&columns, 8.0).draw(canvas, &rows);
}

pub(crate) fn evidence_index(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Appendix A — Evidence index", true);
    canvas.paragraph(
        "Every file imported into the workspace, with the ledger entry that recorded it. The \
         SHA-256 is of the file's exact bytes, as “sha256sum” prints it for the original file. \
         A finding's entries name the file they were imported from by its reference (A1, A2, …): \
         a file's records precede its entry, after the previous file's.",
        Style::new(9.0).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(6.0);
    let columns = [
        Column {
            title: "Ref",
            width: 26.0,
            align: Align::Left,
        },
        Column {
            title: "Entry",
            width: 38.0,
            align: Align::Right,
        },
        Column {
            title: "File",
            width: 102.0,
            align: Align::Left,
        },
        Column {
            title: "Format / profile",
            width: 88.0,
            align: Align::Left,
        },
        Column {
            title: "Size",
            width: 52.0,
            align: Align::Right,
        },
        Column {
            title: "SHA-256",
            width: CONTENT_W - 306.0,
            align: Align::Left,
        },
    ];
    let rows: Vec<Row> = model
        .artifacts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            Row::Cells(vec![
                Cell::plain(format!("A{}", i + 1)).anchor(format!("file:{i}")),
                Cell::plain(a.seq.to_string()),
                Cell::plain(&a.file_name),
                Cell::plain(match &a.profile {
                    Some(p) => format!("{}\n{p}", a.format),
                    None => a.format.clone(),
                }),
                Cell::plain(bytes(a.size)),
                // Two even halves read better than a break wherever the width falls.
                Cell::plain(match (a.sha256.get(..32), a.sha256.get(32..)) {
                    (Some(head), Some(tail)) if !tail.is_empty() => format!("{head}\n{tail}"),
                    _ => a.sha256.clone(),
                }),
            ])
        })
        .collect();
    if rows.is_empty() {
        canvas.paragraph(
            "No file was imported.",
            Style::new(9.5),
            MARGIN_X,
            CONTENT_W,
        );
    } else {
        Table::new(&columns, 7.5).draw(canvas, &rows);
    }
}

pub(crate) fn how_to_verify(canvas: &mut Canvas, model: &ReportModel) {
    canvas.section("Appendix C — How to verify", true);
    let body = Style::new(9.5);
    let code = Style::new(8.0).colour(colour::ACCENT);
    let n = model.ledger.entries;
    let head = &model.ledger.head_hash;
    canvas.paragraph(
        "The evidence pack delivered with this report holds the report, the ledger export \
         (ledger.jsonl), every imported file (artifacts/), a manifest (manifest.json), a \
         SHA256SUMS file, the signed checkpoint (checkpoint.note, with signing-key.pem) and a \
         verifier written in Python's standard library (tools/verify_ledger.py). Every step \
         below uses standard tools only, in the unpacked pack's folder.",
        body,
        MARGIN_X,
        CONTENT_W,
    );
    canvas.gap(8.0);
    let steps: Vec<(&str, String, Vec<String>)> = vec![
        (
            "1. Every file is the one the pack was made with.",
            "Every line must say OK; a changed, missing or added file fails.".to_owned(),
            vec![
                "mkdir pack && cd pack && unzip -q ../PACK.zip".to_owned(),
                "sha256sum -c SHA256SUMS".to_owned(),
            ],
        ),
        (
            "2. The ledger recomputes up to this report's head.",
            format!(
                "The verifier recomputes every payload hash, entry hash and link, and the \
                 Merkle tree root, and exits 0 only when the chain ends at the manifest's \
                 checkpoint. That head must be this report's: {n} entries, the last with \
                 entry hash {head}. The second command prints entry {n}'s number and hash."
            ),
            vec![
                "python3 tools/verify_ledger.py ledger.jsonl --manifest manifest.json".to_owned(),
                format!(
                    "sed -n '{n}p' ledger.jsonl | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e[\"seq\"], e[\"entry_hash\"])'"
                ),
            ],
        ),
        (
            "3. The checkpoint is signed by the key you were given.",
            "Use the public key you received from the organisation separately (here \
             their-key.pem), not only the copy in the pack. OpenSSL 3.0 or later prints \
             “Signature Verified Successfully”; the first three lines of checkpoint.note name \
             the workspace, the entry count and the tree root."
                .to_owned(),
            vec![
                "head -n 3 checkpoint.note > checkpoint.txt".to_owned(),
                "tail -n 1 checkpoint.note | awk '{print $3}' | base64 -d | tail -c 64 > checkpoint.sig".to_owned(),
                "openssl pkeyutl -verify -pubin -inkey their-key.pem -rawin -in checkpoint.txt -sigfile checkpoint.sig".to_owned(),
                "python3 tools/verify_ledger.py ledger.jsonl --manifest manifest.json --note checkpoint.note --key their-key.pem".to_owned(),
            ],
        ),
        (
            "4. The raw files are the ones this report cites.",
            "Each file of Appendix A is in artifacts/, named by its SHA-256; sha256sum of the \
             original file you hold must print the same digest."
                .to_owned(),
            vec!["sha256sum artifacts/*".to_owned()],
        ),
        (
            "5. Trace a finding.",
            "Each finding lists the ledger entries it rests on. Entry N is line N of \
             ledger.jsonl; its payload is the record (with the file and line it came from)."
                .to_owned(),
            vec!["sed -n 'Np' ledger.jsonl | python3 -m json.tool".to_owned()],
        ),
    ];
    for (title, text, commands) in steps {
        canvas.need(60.0);
        canvas.paragraph(title, body.bold(), MARGIN_X, CONTENT_W);
        canvas.gap(2.0);
        canvas.paragraph(&text, body, MARGIN_X + 12.0, CONTENT_W - 12.0);
        canvas.gap(3.0);
        for c in &commands {
            canvas.paragraph(&format!("$ {c}"), code, MARGIN_X + 18.0, CONTENT_W - 18.0);
        }
        canvas.gap(10.0);
    }
    canvas.paragraph(
        &format!(
            "What this proves: no entry or file was edited, removed, reordered or inserted since \
             it was recorded, relative to the head you trust. It does not prove on its own that \
             someone with write access did not rebuild the whole chain; a head kept outside the \
             organisation (this report's, {n} entries and {head}) or a signature by a key you \
             hold catches that."
        ),
        Style::new(8.5).colour(colour::MUTED),
        MARGIN_X,
        CONTENT_W,
    );
}

#[cfg(test)]
mod completeness_tests {
    use super::completeness_text;
    use crate::model::Completeness;

    #[test]
    fn rounds_down_and_never_claims_a_vacuous_or_unearned_hundred() {
        let c = |complete_events, events_with_chains| Completeness {
            complete_events,
            events_with_chains,
        };
        assert_eq!(completeness_text(c(116, 132)), "87.8%");
        assert_eq!(completeness_text(c(9999, 10000)), "99.9%");
        assert_eq!(completeness_text(c(4, 4)), "100.0%");
        assert_eq!(completeness_text(c(0, 0)), "n/a");
    }
}
