//! The sample appendix on realistic, large, empty and hostile samples, read back the same way.

use evidentia_report::{
    AppendixAttribute, AppendixItem, AppendixResult, SampleAppendix, render_sample_appendix,
};

use super::{assert_inside_margins, read_with, text};

const DIGEST: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

const ATTRIBUTES: [(&str, &str, &[&str]); 6] = [
    (
        "removed",
        "Access was removed in every system the leaver held an account in",
        &["EV-LEAVER-ACCESS-REMAINS"],
    ),
    (
        "within-sla",
        "Removal happened within the policy's revocation SLA",
        &["EV-REVOCATION-SLA"],
    ),
    (
        "approved",
        "The termination was approved by the manager of record",
        &["EV-TERMINATION-APPROVAL"],
    ),
    (
        "no-activity",
        "No sign-in or API use after the termination",
        &["EV-ACTIVITY-AFTER-TERMINATION", "EV-NHI-HUMAN-USE"],
    ),
    (
        "confirmed",
        "A later snapshot confirms the account is gone",
        &["EV-CHAIN-CONFIRMATION"],
    ),
    (
        "tickets",
        "A ticket records the removal",
        &["EV-TICKET-LINK"],
    ),
];

const NAMES: [&str; 8] = [
    "Dana Reyes",
    "Tomasz Wiśniewski",
    "Aiko Tanaka",
    "Oluwaseun Adeyemi-Okonkwo",
    "Marie-Claire Dubois",
    "Sven Ødegaard",
    "Priya Raghunathan",
    "Jo Li",
];

/// A leavers sample of `items` items tested on the first `attributes` attributes.
pub(crate) fn sample(items: usize, attributes: usize) -> SampleAppendix {
    SampleAppendix {
        organisation: "Harborline Logistics".to_owned(),
        title: "Audit sample: leavers".to_owned(),
        generated_at: "2026-01-02T08:00:00Z".to_owned(),
        method: vec![
            ("Population".to_owned(), "Leavers".to_owned()),
            (
                "Definition".to_owned(),
                "Every identity whose employment ended in the period: an HR termination \
                 (lifecycle event leaver) with an effective time between the period's first and \
                 last day, inclusive, as recorded in the ledger; rehires within the period count \
                 once, at their last termination."
                    .to_owned(),
            ),
            ("Source".to_owned(), "hr.csv (import.file entry 3, Workday extract)".to_owned()),
            ("Period".to_owned(), "2025-01-01 to 2025-12-31".to_owned()),
            (
                "Ledger head".to_owned(),
                format!("12,345 entries, head {}", "ab".repeat(32)),
            ),
            ("Checkpoint".to_owned(), "recorded at 2026-01-01T00:00:00Z".to_owned()),
            ("Population count".to_owned(), "412".to_owned()),
            ("Population digest".to_owned(), DIGEST.to_owned()),
            ("Seed".to_owned(), "20260102".to_owned()),
            (
                "Algorithm".to_owned(),
                "SHA-256(seed ‖ key) ranking, smallest first (evidentia-sample v1)".to_owned(),
            ),
            ("Size rule".to_owned(), "AICPA table, moderate risk: 25 for a population over 250".to_owned()),
            ("Sample size".to_owned(), items.to_string()),
            ("Stratification".to_owned(), "none".to_owned()),
        ],
        attributes: ATTRIBUTES[..attributes]
            .iter()
            .map(|(id, title, checks)| AppendixAttribute {
                id: (*id).to_owned(),
                title: (*title).to_owned(),
                checks: checks.iter().map(|c| (*c).to_owned()).collect(),
            })
            .collect(),
        items: (0..items)
            .map(|i| AppendixItem {
                number: i + 1,
                key: format!("{}", 1000 + i * 37 % 997),
                label: format!(
                    "E{} ({}) · leaver · 2025-{:02}-{:02} 17:00 UTC",
                    1042 + i * 13,
                    NAMES[i % NAMES.len()],
                    1 + i % 12,
                    1 + i % 28
                ),
                results: (0..attributes)
                    .map(|a| {
                        let result = match (i * 7 + a * 3) % 11 {
                            0 => "fail",
                            1 | 2 if a > 2 => "n/a",
                            _ => "pass",
                        };
                        AppendixResult {
                            result: result.to_owned(),
                            evidence: (0..1 + (i + a) % 4).map(|k| (100 + i * 40 + a * 7 + k * 3) as u64).collect(),
                            evidence_rows: Vec::new(),
                            note: match result {
                                "fail" => format!(
                                    "Account still present in okta {} days after the termination; no ticket references it.",
                                    3 + i % 9
                                ),
                                "n/a" => "No activity log was imported for this system.".to_owned(),
                                _ if a == 1 => format!("Removed {} h after the effective time.", 2 + i % 20),
                                _ => String::new(),
                            },
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn squashed(t: &str) -> String {
    t.split_whitespace().collect()
}

#[test]
fn appendix_lists_every_item_attribute_and_the_digest() {
    let m = sample(40, 6);
    let pdf = render_sample_appendix(&m).unwrap();
    let check = read_with(&pdf.bytes, "qpdf", &["--check"], &[]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    let t = text(&pdf.bytes);
    let flat = squashed(&t);
    for item in &m.items {
        assert!(t.contains(&item.key), "key {} missing", item.key);
        assert!(
            t.contains(&format!("Item {} · key {}", item.number, item.key)),
            "item {} has no details",
            item.number
        );
    }
    for (id, _, _) in ATTRIBUTES {
        assert!(t.contains(id), "attribute {id} missing");
    }
    assert!(flat.contains(DIGEST), "the digest, even wrapped");
    for section in [
        "Method",
        "Attributes tested",
        "Summary",
        "Items",
        "Item details",
    ] {
        assert!(t.contains(section), "{section} missing");
    }
    let pages: Vec<&str> = t.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), pdf.pages);
    assert!(pdf.pages >= 4, "{} pages", pdf.pages);
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Page {} of {}", i + 1, pdf.pages)));
        assert!(page.contains("Harborline Logistics · Audit sample: leavers"));
    }
    // The items table repeats its header row on the page it continues on.
    let headed = pages.iter().filter(|p| p.contains("within-sla")).count();
    assert!(headed >= 3, "attribute headings on {headed} pages");
    let info = read_with(&pdf.bytes, "pdfinfo", &[], &[]);
    assert!(
        info.contains("CreationDate:    Fri Jan  2 08:00:00 2026 UTC"),
        "{info}"
    );
    let pages_line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    assert_eq!(pages_line["Pages:".len()..].trim(), pdf.pages.to_string());
    assert_inside_margins(&pdf.bytes);
}

#[test]
fn summary_counts_each_result() {
    let mut m = sample(3, 2);
    for (item, results) in
        m.items
            .iter_mut()
            .zip([["pass", "fail"], ["fail", "n/a"], ["pass", "pass"]])
    {
        for (r, word) in item.results.iter_mut().zip(results) {
            r.result = word.to_owned();
        }
    }
    let t = text(&render_sample_appendix(&m).unwrap().bytes);
    let summary = &t[t.find("Summary").unwrap()..t.find("One row per sampled item").unwrap()];
    let flat = squashed(summary);
    // removed: 2 pass, 1 fail, 0 n/a; within-sla: 1, 1, 1.
    assert!(flat.contains("210"), "{summary}");
    assert!(flat.contains("111"), "{summary}");
    assert!(
        !summary.contains("Other"),
        "no other column without other results"
    );
}

#[test]
fn appendix_rendering_is_deterministic_and_dated_by_the_model() {
    let m = sample(25, 5);
    let a = render_sample_appendix(&m).unwrap();
    let b = render_sample_appendix(&m).unwrap();
    assert!(a == b, "same model, same bytes");
    let mut later = m.clone();
    later.generated_at = "2026-01-02T08:00:01Z".to_owned();
    assert!(render_sample_appendix(&later).unwrap().bytes != a.bytes);
    let mut changed = m.clone();
    changed.items[3].results[1].note.push('.');
    assert!(render_sample_appendix(&changed).unwrap().bytes != a.bytes);
    let mut bad = m;
    bad.generated_at = "yesterday".to_owned();
    assert!(render_sample_appendix(&bad).is_err());
}

#[test]
fn an_empty_sample_still_shows_its_method() {
    let m = sample(0, 5);
    let pdf = render_sample_appendix(&m).unwrap();
    let t = text(&pdf.bytes);
    assert!(squashed(&t).contains(DIGEST));
    for needed in [
        "Method",
        "Population count",
        "Every identity whose employment ended",
        "within-sla",
        "The sample has no items",
    ] {
        assert!(t.contains(needed), "{needed:?} missing from:\n{t}");
    }
    assert!(!t.contains("Item details"));
    let check = read_with(&pdf.bytes, "qpdf", &["--check"], &[]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
}

#[test]
fn many_attributes_go_to_several_tables() {
    let mut m = sample(5, 6);
    let extra = m.attributes.clone();
    for round in 0..2 {
        for a in &extra {
            m.attributes.push(AppendixAttribute {
                id: format!("{}-{round}", a.id),
                ..a.clone()
            });
        }
        for item in &mut m.items {
            let more = item.results[..6].to_vec();
            item.results.extend(more);
        }
    }
    let pdf = render_sample_appendix(&m).unwrap();
    let t = text(&pdf.bytes);
    assert!(t.contains("Attributes 1–"), "split into tables");
    assert_inside_margins(&pdf.bytes);
}

#[test]
fn hostile_sample_text_is_drawn_safely() {
    let mut m = sample(6, 5);
    m.organisation = "Acme\u{202E}gnp.exe\u{202C} Ltd\u{0007}".to_owned();
    m.method[1].1 = "x".repeat(3000);
    m.method.push((
        "\u{0007}label\u{2066}".to_owned(),
        "שלום עולם مرحبا 👩‍💻🎉".to_owned(),
    ));
    m.attributes[0].id = "an-attribute-id-that-is-much-longer-than-any-column".to_owned();
    m.attributes[1].checks = vec!["C".repeat(500)];
    m.items[0].key = "k".repeat(300);
    m.items[1].label =
        "עברית\u{202E}reversed\u{202C} and emoji 🧾🔐 and a bell\u{0007} and a tab\t.".to_owned();
    m.items[2].results[0].note = "n".repeat(20_000);
    m.items[3].results[2].result = "maybe\u{0000}".to_owned();
    m.items[4].results.clear();
    m.items[5].results[1].evidence = (0..2000).collect();
    let pdf = render_sample_appendix(&m).unwrap();
    // pdftotext wraps each right-to-left run it finds in U+202B … U+202C itself: those two
    // are poppler's, not ours.
    let t = text(&pdf.bytes).replace(['\u{202B}', '\u{202C}'], "");
    for bad in ['\u{202E}', '\u{2066}', '\u{0007}', '\u{0000}'] {
        assert!(!t.contains(bad), "{bad:?} reached the page");
    }
    assert!(
        t.contains("Acmegnp.exe Ltd"),
        "the name is kept, in stored order"
    );
    assert!(
        t.contains("reversed and emoji ?? and a bell and a tab ."),
        "{t}"
    );
    assert!(t.contains("Other"), "an unknown result is counted apart");
    let check = read_with(&pdf.bytes, "qpdf", &["--check"], &[]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    assert_inside_margins(&pdf.bytes);
}

/// `EVIDENTIA_APPENDIX_LOOK=DIR` writes the realistic, hostile and wide samples there, to look
/// at with `pdftoppm`.
#[test]
fn look() {
    let Some(dir) = std::env::var_os("EVIDENTIA_APPENDIX_LOOK") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let mut hostile = sample(6, 5);
    hostile.method[1].1 = "x".repeat(3000);
    hostile.attributes[0].id = "an-attribute-id-that-is-much-longer-than-any-column".to_owned();
    hostile.items[0].key = "k".repeat(300);
    hostile.items[1].label = "עברית\u{202E}reversed\u{202C} and emoji 🧾🔐".to_owned();
    hostile.items[2].results[0].note = "n".repeat(20_000);
    hostile.items[5].results[1].evidence = (0..2000).collect();
    let mut wide = sample(5, 6);
    let extra = wide.attributes.clone();
    for a in &extra {
        wide.attributes.push(AppendixAttribute {
            id: format!("{}-2", a.id),
            ..a.clone()
        });
    }
    for item in &mut wide.items {
        let more = item.results.clone();
        item.results.extend(more);
    }
    for (name, m) in [
        ("appendix", sample(25, 5)),
        ("hostile", hostile),
        ("wide", wide),
    ] {
        let pdf = render_sample_appendix(&m).unwrap();
        std::fs::write(dir.join(format!("{name}.pdf")), &pdf.bytes).unwrap();
    }
}
