//! The Overview's assessment summary must agree with the analysis it is drawn from (demo organisation).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use chrono::{TimeZone, Utc};

#[tokio::test]
async fn the_assessment_summarises_the_demo_analysis() {
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).single().unwrap();
    let samples = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples"
    ));
    let dir = tempfile::tempdir().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("demo.evidentia"));
    evidentia_app::build_demo(samples, &ws, now).await.unwrap();

    let run = evidentia_app::analyze_workspace(&ws, None, now)
        .await
        .unwrap();
    let view = evidentia_app::assessment_view(&ws, now).await.unwrap();

    let m = &run.analysis.metrics;
    assert!(view.events_with_chains > 0);
    assert_eq!(view.events_with_chains, m.events_with_chains);
    assert_eq!(view.complete_events, m.complete_events);
    let severities: usize = view.severities.iter().map(|(_, n)| n).sum();
    assert_eq!(severities, run.analysis.findings.len());
    assert_eq!(view.severities.len(), 4);
    let ids: Vec<&str> = view.functions.iter().map(|f| f.id.as_str()).collect();
    assert!(ids.contains(&"PR") && ids.contains(&"GV"), "{ids:?}");
    let controls = evidentia_app::control_status(&run, "nist-csf-2.0").unwrap();
    let judged: usize = view
        .functions
        .iter()
        .map(|f| f.met + f.with_findings + f.not_assessed)
        .sum();
    assert_eq!(judged, controls.len());
    let buckets: Vec<&str> = view.buckets.iter().map(|(b, _)| b.as_str()).collect();
    assert_eq!(buckets, ["0-30", "31-60", "61-90", ">90", "expired"]);
    let aged: usize = view.buckets.iter().map(|(_, n)| n).sum();
    assert_eq!(aged, run.analysis.exceptions.len());
    assert_eq!(view.time_to_revoke.len(), m.time_to_revoke.len());
    for r in &view.time_to_revoke {
        assert!(r.count > 0 && r.median_hours <= r.p95_hours, "{r:?}");
    }
    assert_eq!(view.evidence_gaps, evidentia_app::evidence_gaps(&run));
}
