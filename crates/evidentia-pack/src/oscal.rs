//! OSCAL assessment results (OSCAL 1.2.1, the version compliance-trestle's models implement):
//! one result for the period, an observation per finding, a risk per finding management
//! responded to, an OSCAL finding per reviewed control with its status (linking its
//! observations and their risks), and the evidence — every artifact's SHA-256 and the ledger head —
//! as back-matter resources. Every UUID is derived from content ([`crate::content_uuid`]) and
//! `last-modified` is the given generation time, so the same evidence gives the same bytes.

use serde::Serialize;

use crate::content_uuid;

/// The OSCAL version written.
pub const OSCAL_VERSION: &str = "1.2.1";
/// The namespace of Evidentia's own OSCAL properties.
pub const PROPERTY_NS: &str = "urn:evidentia:oscal";

/// One control of the framework, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlInput {
    /// As the catalog spells it (`PR.AA-05`, `NHI1:2025`).
    pub id: String,
    pub title: String,
    /// `met`, `findings` or `not-assessed`.
    pub status: String,
    pub evidence: usize,
    pub findings: usize,
    pub checks: Vec<String>,
}

/// Management's current response to a finding: written as an OSCAL `risk`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseInput {
    /// The `finding.response` ledger entry.
    pub entry: u64,
    pub recorded_at: String,
    /// `open`, `in-remediation`, `remediated` or `risk-accepted`.
    pub status: String,
    /// A risk acceptance past its date as of the assessment: the risk is open again.
    pub expired: bool,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// `YYYY-MM-DD`, for `risk-accepted`.
    pub accepted_until: Option<String>,
    pub response: String,
    pub recorded_by: Option<String>,
}

/// One finding of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingInput {
    /// The finding's stable id (`F-` and 12 hex digits).
    pub id: String,
    pub check: String,
    pub severity: String,
    pub summary: String,
    pub identity: Option<String>,
    pub system: Option<String>,
    pub account: Option<String>,
    pub entitlement: Option<String>,
    pub exception: Option<String>,
    /// The access-review campaign, for the review checks.
    pub campaign: Option<String>,
    pub evidence: Vec<u64>,
    /// The rows of set entries among what it cites, as (entry, 1-based row), ascending.
    pub evidence_rows: Vec<(u64, u32)>,
    /// Controls of the framework the check maps to, as the catalog spells them.
    pub controls: Vec<String>,
    /// Management's current response, if one was recorded.
    pub response: Option<ResponseInput>,
}

/// An item a check could not judge for want of evidence: an observation, never a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAssessedInput {
    pub check: String,
    pub identity: String,
    pub system: String,
    pub account: String,
    pub credential: String,
    /// The evidence that was missing, in words.
    pub reason: String,
    pub evidence: Vec<u64>,
    pub evidence_rows: Vec<(u64, u32)>,
}

/// One imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactInput {
    pub file_name: String,
    /// Where the file sits in an evidence pack (`artifacts/<sha256>-<name>`).
    pub pack_path: String,
    pub sha256: String,
    pub size: u64,
    pub format: String,
    /// The `import.file` entry.
    pub seq: u64,
}

/// Everything one assessment-results document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentInput {
    pub framework_id: String,
    pub framework_title: String,
    pub framework_version: String,
    pub workspace_id: String,
    /// Start and end of the assessed period (RFC 3339).
    pub start: String,
    pub end: String,
    /// The instant the checks judged as of, and when this document was made (RFC 3339).
    pub as_of: String,
    pub generated_at: String,
    pub ledger_entries: u64,
    pub ledger_head: String,
    pub policy_entry: u64,
    pub controls: Vec<ControlInput>,
    pub findings: Vec<FindingInput>,
    /// Items the checks could not judge (convention 13).
    pub not_assessed: Vec<NotAssessedInput>,
    pub artifacts: Vec<ArtifactInput>,
}

/// An id in OSCAL's token form: catalog ids such as NIST's `PR.AA-05` are tokens already and
/// stay exactly as spelled; any other character (OWASP's `:` in `NHI1:2025`) becomes `-`.
///
/// ```
/// use evidentia_pack::oscal::token;
/// assert_eq!(token("PR.AA-05"), "PR.AA-05");
/// assert_eq!(token("NHI1:2025"), "NHI1-2025");
/// assert_eq!(token("1x"), "_1x");
/// ```
pub fn token(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Text for a single-line OSCAL string: whitespace runs become one space, ends trimmed.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Serialize)]
struct Root<'a> {
    #[serde(rename = "assessment-results")]
    assessment_results: Doc<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Doc<'a> {
    uuid: String,
    metadata: Metadata,
    import_ap: ImportAp,
    results: Vec<OscalResult<'a>>,
    back_matter: BackMatter,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    title: String,
    last_modified: String,
    version: String,
    oscal_version: &'static str,
    props: Vec<Prop>,
}

#[derive(Serialize)]
struct Prop {
    name: &'static str,
    ns: &'static str,
    value: String,
}

fn prop(name: &'static str, value: impl AsRef<str>) -> Option<Prop> {
    let value = one_line(value.as_ref());
    (!value.is_empty()).then_some(Prop {
        name,
        ns: PROPERTY_NS,
        value,
    })
}

#[derive(Serialize)]
struct ImportAp {
    href: String,
    remarks: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct OscalResult<'a> {
    uuid: String,
    title: String,
    description: String,
    start: &'a str,
    end: &'a str,
    props: Vec<Prop>,
    reviewed_controls: ReviewedControls,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observations: Vec<Observation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    risks: Vec<Risk>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<Finding>,
}

/// OSCAL's `risk` (assessment-results `results/risks`): a finding management responded to.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Risk {
    uuid: String,
    title: String,
    description: String,
    statement: String,
    props: Vec<Prop>,
    status: &'static str,
    deadline: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    remediations: Vec<Remediation>,
    related_observations: Vec<RelatedObservation>,
}

/// OSCAL's risk `response` (in `remediations`): the plan management committed to.
#[derive(Serialize)]
struct Remediation {
    uuid: String,
    lifecycle: &'static str,
    title: String,
    description: String,
    props: Vec<Prop>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedRisk {
    risk_uuid: String,
}

/// The OSCAL risk status of a response: OSCAL's own values where one fits, `risk-accepted`
/// (a token, which the schema allows beside its values) for an acceptance still running.
fn risk_status(r: &ResponseInput) -> &'static str {
    match r.status.as_str() {
        "in-remediation" => "remediating",
        "remediated" => "closed",
        "risk-accepted" if !r.expired => "risk-accepted",
        _ => "open",
    }
}

/// The end of a `YYYY-MM-DD` day as an OSCAL date-time: a deadline holds through its day.
fn end_of_day(day: &str) -> String {
    format!("{day}T23:59:59Z")
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ReviewedControls {
    description: String,
    control_selections: Vec<ControlSelection>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlSelection {
    #[serde(skip_serializing_if = "Option::is_none")]
    include_all: Option<IncludeAll>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    include_controls: Vec<SelectControl>,
}

/// OSCAL's empty `include-all` object.
#[derive(Serialize)]
struct IncludeAll {}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct SelectControl {
    control_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Observation {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
    methods: Vec<&'static str>,
    types: Vec<&'static str>,
    relevant_evidence: Vec<RelevantEvidence>,
    collected: String,
}

#[derive(Serialize)]
struct RelevantEvidence {
    href: String,
    description: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Finding {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
    target: Target,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<RelatedObservation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_risks: Vec<RelatedRisk>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Target {
    #[serde(rename = "type")]
    kind: &'static str,
    target_id: String,
    status: TargetStatus,
}

#[derive(Serialize)]
struct TargetStatus {
    state: &'static str,
    reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedObservation {
    observation_uuid: String,
}

#[derive(Serialize)]
struct BackMatter {
    resources: Vec<Resource>,
}

#[derive(Serialize)]
struct Resource {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rlinks: Vec<Rlink>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Rlink {
    href: String,
    media_type: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<OscalHash>,
}

#[derive(Serialize)]
struct OscalHash {
    algorithm: &'static str,
    value: String,
}

/// The assessment-results document, pretty-printed JSON ending in a newline.
pub fn assessment_results(input: &AssessmentInput) -> Result<Vec<u8>, serde_json::Error> {
    let scope = [
        input.workspace_id.as_str(),
        input.framework_id.as_str(),
        input.start.as_str(),
        input.end.as_str(),
        input.ledger_head.as_str(),
    ];
    let uuid = |kind: &str, extra: &[&str]| {
        let parts: Vec<&str> = scope.iter().chain(extra.iter()).copied().collect();
        content_uuid(kind, &parts)
    };
    let entries = input.ledger_entries.to_string();
    let ledger_uuid = uuid("ledger", &[]);
    let plan_uuid = uuid("plan", &[]);

    let observations: Vec<(&FindingInput, Observation)> = input
        .findings
        .iter()
        .map(|f| {
            let mut key = vec![
                f.check.as_str(),
                f.identity.as_deref().unwrap_or(""),
                f.system.as_deref().unwrap_or(""),
                f.account.as_deref().unwrap_or(""),
                f.entitlement.as_deref().unwrap_or(""),
                f.exception.as_deref().unwrap_or(""),
            ];
            // Only review findings have a campaign; the other findings keep the UUIDs they
            // always had.
            key.extend(f.campaign.as_deref());
            let seqs: Vec<String> = f.evidence.iter().map(u64::to_string).collect();
            let summary = one_line(&f.summary);
            let o = Observation {
                uuid: uuid("observation", &key),
                title: one_line(&format!(
                    "{}: {}",
                    f.check,
                    f.identity.as_deref().unwrap_or("-")
                )),
                description: if summary.is_empty() {
                    f.check.clone()
                } else {
                    summary
                },
                props: [
                    prop("finding-id", &f.id),
                    prop("check", &f.check),
                    prop("severity", &f.severity),
                    f.identity.as_ref().and_then(|v| prop("identity", v)),
                    f.system.as_ref().and_then(|v| prop("system", v)),
                    f.account.as_ref().and_then(|v| prop("account", v)),
                    f.entitlement.as_ref().and_then(|v| prop("entitlement", v)),
                    f.exception.as_ref().and_then(|v| prop("exception", v)),
                    f.campaign.as_ref().and_then(|v| prop("campaign", v)),
                    prop("ledger-entries", seqs.join(" ")),
                    prop("ledger-rows", crate::table::rows_text(&f.evidence_rows)),
                ]
                .into_iter()
                .flatten()
                .collect(),
                methods: vec!["TEST"],
                types: vec!["finding"],
                relevant_evidence: vec![RelevantEvidence {
                    href: format!("#{ledger_uuid}"),
                    description: if seqs.is_empty() {
                        "The ledger this finding was judged from.".to_owned()
                    } else if f.evidence_rows.is_empty() {
                        format!("Ledger entries {} (ledger.jsonl).", seqs.join(", "))
                    } else {
                        format!(
                            "Ledger entries {} (ledger.jsonl); of set entries, {}.",
                            seqs.join(", "),
                            f.evidence_rows
                                .iter()
                                .map(|(entry, row)| format!("entry {entry} row {row}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                }],
                collected: input.generated_at.clone(),
            };
            (f, o)
        })
        .collect();

    // Items not assessed are observations of type `not-assessed` (a token, which OSCAL
    // allows beside its own types): what was looked at and could not be judged, related to no
    // control finding and no risk, so no control status rests on them.
    let not_assessed: Vec<Observation> = input
        .not_assessed
        .iter()
        .map(|n| {
            let key = [
                "not-assessed",
                n.check.as_str(),
                n.identity.as_str(),
                n.system.as_str(),
                n.credential.as_str(),
            ];
            let seqs: Vec<String> = n.evidence.iter().map(u64::to_string).collect();
            Observation {
                uuid: uuid("observation", &key),
                title: one_line(&format!("{} not assessed: {}", n.check, n.identity)),
                description: one_line(&format!(
                    "Credential {} of {} on {}: not assessed, {}.",
                    n.credential, n.account, n.system, n.reason
                )),
                props: [
                    prop("check", &n.check),
                    prop("identity", &n.identity),
                    prop("system", &n.system),
                    prop("account", &n.account),
                    prop("credential", &n.credential),
                    prop("ledger-entries", seqs.join(" ")),
                    prop("ledger-rows", crate::table::rows_text(&n.evidence_rows)),
                ]
                .into_iter()
                .flatten()
                .collect(),
                methods: vec!["TEST"],
                types: vec!["not-assessed"],
                relevant_evidence: vec![RelevantEvidence {
                    href: format!("#{ledger_uuid}"),
                    description: if seqs.is_empty() {
                        "The ledger this item was looked at in.".to_owned()
                    } else {
                        format!("Ledger entries {} (ledger.jsonl).", seqs.join(", "))
                    },
                }],
                collected: input.generated_at.clone(),
            }
        })
        .collect();

    // One risk per finding with a current management response, beside its observation.
    let risks: Vec<(String, Risk)> = observations
        .iter()
        .filter_map(|(f, o)| {
            let r = f.response.as_ref()?;
            let status = risk_status(r);
            let accepted = r.status == "risk-accepted";
            let deadline = match (&r.accepted_until, accepted) {
                (Some(until), true) => end_of_day(until),
                _ => end_of_day(&r.due),
            };
            let entry = r.entry.to_string();
            let props: Vec<Prop> = [
                prop("finding-id", &f.id),
                prop("response-status", &r.status),
                prop("owner", &r.owner),
                prop("due", &r.due),
                r.accepted_until
                    .as_ref()
                    .and_then(|d| prop("accepted-until", d)),
                r.expired.then(|| prop("acceptance-expired", "true")).flatten(),
                prop("response-entry", &entry),
                prop("recorded-at", &r.recorded_at),
                r.recorded_by.as_ref().and_then(|b| prop("recorded-by", b)),
            ]
            .into_iter()
            .flatten()
            .collect();
            let statement = one_line(&r.response);
            let remediations = match r.status.as_str() {
                // Accepting a risk plans no remediation; the statement says why.
                "risk-accepted" => Vec::new(),
                other => vec![Remediation {
                    uuid: uuid("remediation", &[f.id.as_str(), entry.as_str()]),
                    lifecycle: if other == "remediated" {
                        "completed"
                    } else {
                        "planned"
                    },
                    title: one_line(&format!("Management response to {}", f.id)),
                    description: if statement.is_empty() {
                        "Management response recorded without text.".to_owned()
                    } else {
                        statement.clone()
                    },
                    props: [
                        prop("owner", &r.owner),
                        prop("due", &r.due),
                        prop("response-entry", &entry),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                }],
            };
            let risk = Risk {
                uuid: uuid("risk", &[f.id.as_str()]),
                title: one_line(&format!(
                    "{} {}: {}",
                    f.id,
                    f.check,
                    f.identity.as_deref().unwrap_or("-")
                )),
                description: o.description.clone(),
                statement: if statement.is_empty() {
                    "Management response recorded without text.".to_owned()
                } else {
                    format!(
                        "Management response (ledger entry {entry}, owner {}, due {}{}): {statement}",
                        one_line(&r.owner),
                        r.due,
                        match (&r.accepted_until, r.expired) {
                            (Some(until), false) => format!(", risk accepted until {until}"),
                            (Some(until), true) => {
                                format!(", risk acceptance expired on {until}")
                            }
                            (None, _) => String::new(),
                        }
                    )
                },
                props,
                status,
                deadline,
                remediations,
                related_observations: vec![RelatedObservation {
                    observation_uuid: o.uuid.clone(),
                }],
            };
            Some((o.uuid.clone(), risk))
        })
        .collect();

    let reviewed: Vec<&ControlInput> = input
        .controls
        .iter()
        .filter(|c| !c.checks.is_empty())
        .collect();
    let findings: Vec<Finding> = reviewed
        .iter()
        .map(|c| {
            let (state, reason, remarks) = match c.status.as_str() {
                "met" => ("satisfied", "pass", None),
                "findings" => ("not-satisfied", "fail", None),
                _ => (
                    "not-satisfied",
                    "other",
                    Some(
                        "Not assessed: no evidence in the period exercised this control, so it is not claimed as met."
                            .to_owned(),
                    ),
                ),
            };
            let related: Vec<RelatedObservation> = observations
                .iter()
                .filter(|(f, _)| f.controls.iter().any(|id| id == &c.id))
                .map(|(_, o)| RelatedObservation {
                    observation_uuid: o.uuid.clone(),
                })
                .collect();
            let related_risks = risks
                .iter()
                .filter(|(observation, _)| {
                    related.iter().any(|r| &r.observation_uuid == observation)
                })
                .map(|(_, risk)| RelatedRisk {
                    risk_uuid: risk.uuid.clone(),
                })
                .collect();
            Finding {
                uuid: uuid("finding", &[c.id.as_str()]),
                title: one_line(&format!("{}: {}", c.id, c.title)),
                description: format!(
                    "Checks {} examined {} items in the period and raised {} findings: {}.",
                    c.checks.join(", "),
                    c.evidence,
                    c.findings,
                    c.status
                ),
                props: [
                    prop("control-id", &c.id),
                    prop("status", &c.status),
                    prop("evidence-items", c.evidence.to_string()),
                    prop("findings", c.findings.to_string()),
                    prop("checks", c.checks.join(" ")),
                ]
                .into_iter()
                .flatten()
                .collect(),
                target: Target {
                    kind: "objective-id",
                    target_id: token(&c.id),
                    status: TargetStatus {
                        state,
                        reason,
                        remarks,
                    },
                },
                related_observations: related,
                related_risks,
            }
        })
        .collect();

    let mut resources = vec![
        Resource {
            uuid: plan_uuid.clone(),
            title: "Assessment plan: Evidentia's checks under the recorded policy".to_owned(),
            description: format!(
                "Every lifecycle event in the period was linked to its approval, execution and reconciliation and judged by Evidentia's checks under the policy recorded at ledger entry {}; the check-to-control mapping is Evidentia's.",
                input.policy_entry
            ),
            props: [prop("policy-entry", input.policy_entry.to_string())]
                .into_iter()
                .flatten()
                .collect(),
            rlinks: Vec::new(),
        },
        Resource {
            uuid: ledger_uuid,
            title: format!("Evidence ledger checkpoint: {entries} entries"),
            description: format!(
                "The hash-chained ledger the assessment was read from: {entries} entries ending in entry hash {} (format: docs/ledger-format.md).",
                input.ledger_head
            ),
            props: [
                prop("ledger-entries", &entries),
                prop("ledger-head", &input.ledger_head),
            ]
            .into_iter()
            .flatten()
            .collect(),
            rlinks: vec![Rlink {
                href: crate::LEDGER_JSONL.to_owned(),
                media_type: "application/jsonl",
                hashes: Vec::new(),
            }],
        },
    ];
    for a in &input.artifacts {
        resources.push(Resource {
            uuid: content_uuid("artifact", &[a.sha256.as_str()]),
            title: one_line(&a.file_name),
            description: format!(
                "Imported evidence file ({} bytes, format {}), recorded at ledger entry {}.",
                a.size, a.format, a.seq
            ),
            props: [
                prop("sha256", &a.sha256),
                prop("size", a.size.to_string()),
                prop("format", &a.format),
                prop("import-entry", a.seq.to_string()),
            ]
            .into_iter()
            .flatten()
            .collect(),
            rlinks: vec![Rlink {
                href: a.pack_path.clone(),
                media_type: "application/octet-stream",
                hashes: vec![OscalHash {
                    algorithm: "SHA-256",
                    value: a.sha256.clone(),
                }],
            }],
        });
    }

    let doc = Root {
        assessment_results: Doc {
            uuid: uuid("assessment-results", &[]),
            metadata: Metadata {
                title: one_line(&format!(
                    "Evidentia assessment results: {} {}",
                    input.framework_title, input.framework_version
                )),
                last_modified: input.generated_at.clone(),
                version: format!("ledger-{entries}"),
                oscal_version: OSCAL_VERSION,
                props: [
                    prop("workspace-id", &input.workspace_id),
                    prop("framework", &input.framework_id),
                    prop("generator", concat!("evidentia ", env!("CARGO_PKG_VERSION"))),
                ]
                .into_iter()
                .flatten()
                .collect(),
            },
            import_ap: ImportAp {
                href: format!("#{plan_uuid}"),
                remarks: "There is no separate OSCAL assessment plan: the plan is the policy recorded in the ledger and Evidentia's checks, described by the back-matter resource referenced here.".to_owned(),
            },
            results: vec![OscalResult {
                uuid: uuid("result", &[]),
                title: one_line(&format!(
                    "{} {}: identity lifecycle evidence",
                    input.framework_title, input.framework_version
                )),
                description: format!(
                    "Evidentia judged the identity-lifecycle evidence of workspace {} as of {}: {} findings against {} reviewed controls.",
                    input.workspace_id,
                    input.as_of,
                    input.findings.len(),
                    findings.len()
                ),
                start: &input.start,
                end: &input.end,
                props: [
                    prop("as-of", &input.as_of),
                    prop("ledger-entries", &entries),
                    prop("ledger-head", &input.ledger_head),
                    prop("policy-entry", input.policy_entry.to_string()),
                ]
                .into_iter()
                .flatten()
                .collect(),
                reviewed_controls: ReviewedControls {
                    description: format!(
                        "The controls of {} that at least one Evidentia check maps to.",
                        input.framework_id
                    ),
                    control_selections: vec![ControlSelection {
                        // OSCAL needs at least one selection: a catalog no check maps to
                        // was still reviewed as a whole (and nothing in it is claimed met).
                        include_all: reviewed.is_empty().then_some(IncludeAll {}),
                        include_controls: reviewed
                            .iter()
                            .map(|c| SelectControl {
                                control_id: token(&c.id),
                            })
                            .collect(),
                    }],
                },
                observations: observations
                    .into_iter()
                    .map(|(_, o)| o)
                    .chain(not_assessed)
                    .collect(),
                risks: risks.into_iter().map(|(_, r)| r).collect(),
                findings,
            }],
            back_matter: BackMatter { resources },
        },
    };
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, response: Option<ResponseInput>) -> FindingInput {
        FindingInput {
            id: id.to_owned(),
            check: "EV-LEAVER-NOT-REVOKED".to_owned(),
            severity: "high".to_owned(),
            summary: "Still active after leaving".to_owned(),
            identity: Some(format!("E-{id}")),
            system: Some("aws".to_owned()),
            account: None,
            entitlement: None,
            exception: None,
            campaign: None,
            evidence: vec![3, 9],
            evidence_rows: Vec::new(),
            controls: vec!["PR.AA-05".to_owned()],
            response,
        }
    }

    fn response(status: &str, accepted_until: Option<&str>, expired: bool) -> ResponseInput {
        ResponseInput {
            entry: 42,
            recorded_at: "2026-04-02T09:00:00Z".to_owned(),
            status: status.to_owned(),
            expired,
            owner: "IAM team".to_owned(),
            due: "2026-04-30".to_owned(),
            accepted_until: accepted_until.map(str::to_owned),
            response: "Removing it.".to_owned(),
            recorded_by: None,
        }
    }

    fn document(findings: Vec<FindingInput>) -> serde_json::Value {
        let input = AssessmentInput {
            framework_id: "nist-csf-2.0".to_owned(),
            framework_title: "NIST CSF".to_owned(),
            framework_version: "2.0".to_owned(),
            workspace_id: "w".to_owned(),
            start: "2025-01-01T00:00:00Z".to_owned(),
            end: "2026-01-01T00:00:00Z".to_owned(),
            as_of: "2026-01-01T00:00:00Z".to_owned(),
            generated_at: "2026-07-01T09:00:00Z".to_owned(),
            ledger_entries: 50,
            ledger_head: "ab".repeat(32),
            policy_entry: 2,
            controls: vec![ControlInput {
                id: "PR.AA-05".to_owned(),
                title: "Access permissions".to_owned(),
                status: "findings".to_owned(),
                evidence: 10,
                findings: 2,
                checks: vec!["EV-LEAVER-NOT-REVOKED".to_owned()],
            }],
            findings,
            not_assessed: vec![NotAssessedInput {
                check: "EV-NHI-CREDENTIAL-STALE".to_owned(),
                identity: "NHI-005".to_owned(),
                system: "okta".to_owned(),
                account: "dispatch-scim".to_owned(),
                credential: "00T0460947".to_owned(),
                reason: "no last-used date for it in any listing".to_owned(),
                evidence: vec![3],
                evidence_rows: vec![(3, 9)],
            }],
            artifacts: Vec::new(),
        };
        serde_json::from_slice(&assessment_results(&input).expect("json")).expect("parse")
    }

    #[test]
    fn each_response_status_maps_to_an_oscal_risk_status_and_deadline() {
        let cases = [
            (
                response("open", None, false),
                "open",
                "2026-04-30T23:59:59Z",
                Some("planned"),
            ),
            (
                response("in-remediation", None, false),
                "remediating",
                "2026-04-30T23:59:59Z",
                Some("planned"),
            ),
            (
                response("remediated", None, false),
                "closed",
                "2026-04-30T23:59:59Z",
                Some("completed"),
            ),
            (
                response("risk-accepted", Some("2026-09-30"), false),
                "risk-accepted",
                "2026-09-30T23:59:59Z",
                None,
            ),
            (
                response("risk-accepted", Some("2025-09-30"), true),
                "open",
                "2025-09-30T23:59:59Z",
                None,
            ),
        ];
        for (r, status, deadline, lifecycle) in cases {
            let doc = document(vec![finding("F-0123456789ab", Some(r.clone()))]);
            let risk = &doc["assessment-results"]["results"][0]["risks"][0];
            assert_eq!(risk["status"], status, "{r:?}");
            assert_eq!(risk["deadline"], deadline, "{r:?}");
            assert_eq!(
                risk["remediations"][0]["lifecycle"].as_str(),
                lifecycle,
                "{r:?}"
            );
            assert_eq!(
                risk["props"]
                    .as_array()
                    .expect("props")
                    .iter()
                    .any(|p| p["name"] == "acceptance-expired"),
                r.expired
            );
        }
    }

    #[test]
    fn only_responded_findings_get_a_risk_linked_both_ways() {
        let doc = document(vec![
            finding("F-0123456789ab", Some(response("open", None, false))),
            finding("F-ba9876543210", None),
        ]);
        let result = &doc["assessment-results"]["results"][0];
        let risks = result["risks"].as_array().expect("risks");
        assert_eq!(risks.len(), 1);
        let observation = result["observations"]
            .as_array()
            .expect("observations")
            .iter()
            .find(|o| {
                o["title"]
                    .as_str()
                    .is_some_and(|t| t.contains("E-F-0123456789ab"))
            })
            .expect("observation");
        assert_eq!(
            risks[0]["related-observations"][0]["observation-uuid"],
            observation["uuid"]
        );
        let control = &result["findings"][0];
        assert_eq!(control["related-risks"].as_array().expect("risks").len(), 1);
        assert_eq!(control["related-risks"][0]["risk-uuid"], risks[0]["uuid"]);
        // Without any response there are no risks at all (the key is left out).
        let doc = document(vec![finding("F-ba9876543210", None)]);
        assert!(
            doc["assessment-results"]["results"][0]
                .get("risks")
                .is_none()
        );
        assert!(
            doc["assessment-results"]["results"][0]["findings"][0]
                .get("related-risks")
                .is_none()
        );
    }

    #[test]
    fn a_not_assessed_item_is_an_observation_no_control_finding_rests_on() {
        let doc = document(vec![finding("F-000000000001", None)]);
        let result = &doc["assessment-results"]["results"][0];
        let observations = result["observations"].as_array().expect("observations");
        let na: Vec<&serde_json::Value> = observations
            .iter()
            .filter(|o| o["types"][0] == "not-assessed")
            .collect();
        assert_eq!(na.len(), 1);
        let props = na[0]["props"].as_array().expect("props");
        let value = |name: &str| {
            props
                .iter()
                .find(|p| p["name"] == name)
                .map(|p| p["value"].clone())
        };
        assert_eq!(value("credential"), Some("00T0460947".into()));
        assert_eq!(value("ledger-rows"), Some("3:9".into()));
        assert!(
            na[0]["description"]
                .as_str()
                .is_some_and(|d| d.contains("not assessed, no last-used date"))
        );
        let uuid = na[0]["uuid"].clone();
        for f in result["findings"].as_array().expect("findings") {
            let related = f["related-observations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(related.iter().all(|r| r["observation-uuid"] != uuid));
        }
    }
}
