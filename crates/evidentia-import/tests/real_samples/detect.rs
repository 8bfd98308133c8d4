//! Every real sample must be recognised as its own format from its first 64 KiB.

use evidentia_import::{Format, detect_format};

use crate::sample;

#[test]
fn every_real_sample_detects_as_its_format() {
    let cases = [
        (
            "cloudtrail/stratus-red-team_iam-detonations.json",
            Format::Cloudtrail,
        ),
        (
            "cloudtrail/permiso-ccc_console-session_access-key-lifecycle.json",
            Format::Cloudtrail,
        ),
        ("okta/panther-fixtures_okta-systemlog.jsonl", Format::Okta),
        ("entra-id/otrf-simuland_AADAuditEvents.json", Format::Entra),
        (
            "entra-id/panther-fixtures_entra-auditlogs.jsonl",
            Format::Entra,
        ),
        (
            "github-audit/panther-fixtures_github-audit-membership.jsonl",
            Format::Github,
        ),
        (
            "google-workspace/panther-fixtures_gws-admin-groups-accounts.jsonl",
            Format::Gworkspace,
        ),
        (
            "kubernetes-audit/falco-trace-files_k8s-audit-identity.jsonl",
            Format::K8s,
        ),
        (
            "linux-auth/azure-sentinel_Linux_Authpriv_UserManagement_IngestedLogs.csv",
            Format::Linux,
        ),
    ];
    for (rel, want) in cases {
        let Some(bytes) = sample(rel) else { return };
        let head = &bytes[..bytes.len().min(64 * 1024)];
        // Names are no help here: the content alone must decide.
        assert_eq!(detect_format(head, "export.bin"), Some(want), "{rel}");
        // And so must any line of a JSON-lines sample on its own (heads can start anywhere
        // a user cut a file).
        if rel.ends_with(".jsonl") {
            for (i, line) in bytes
                .split(|&b| b == b'\n')
                .enumerate()
                .filter(|(_, l)| !l.is_empty())
            {
                assert_eq!(detect_format(line, "x"), Some(want), "{rel} line {}", i + 1);
            }
        }
    }
}
