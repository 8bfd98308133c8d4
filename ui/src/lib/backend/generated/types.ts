// Generated from src-tauri/src/dto.rs and error.rs by `cargo test -p evidentia-desktop`; do not edit.
// Regenerate with UPDATE_TS=1 cargo test -p evidentia-desktop generated_types.

export type ErrorCode = "not_found" | "not_a_workspace" | "newer_format" | "read_only" | "unreachable" | "unauthorized" | "busy" | "invalid_input" | "verification_failed" | "internal";

export type IpcError = { code: ErrorCode, message: string, };

export type WorkspaceDto = { path: string, 
/**
 * The file name without its extension, for the header.
 */
name: string, workspace_id: string, entries: number, head_hash: string, 
/**
 * The demo workspace the app builds on first start.
 */
is_demo: boolean, 
/**
 * A team workspace on a PostgreSQL server (`path` is then its URL, without password).
 */
is_server: boolean, 
/**
 * Who the next import, analysis or response will record as acting.
 */
acting_user: string, 
/**
 * Whether this login may write to the workspace: false for a team workspace's reader
 * (or a file the user may not write), so the window says "read-only" and offers no write
 * the store would refuse.
 */
writable: boolean, };

export type SessionDto = { workspace: WorkspaceDto | null, recent: Array<string>, 
/**
 * Why the workspace chosen at start could not be opened, if it could not.
 */
startup_error: IpcError | null, };

export type EntryDto = { seq: number, kind: string, recorded_at: string, 
/**
 * The payload as compact JSON text (a JSON string when it is not JSON); the page lays it
 * out. Entries are fetched one at a time, so carrying it costs little.
 */
payload: string, payload_hash: string, prev_hash: string, entry_hash: string, 
/**
 * Who the payload says acted (`recorded_by` of imports, policy changes, analyses and
 * responses); none for other entries and older ones.
 */
recorded_by: string | null, };

export type EntrySourceDto = { seq: number, 
/**
 * The row of a set entry shown (1-based); 0 for the entry as a whole.
 */
row: number, 
/**
 * For a set entry, how many rows it holds.
 */
set_rows: number | null, kind: string, 
/**
 * The `import.file` entry that recorded the file.
 */
import_seq: number | null, file_name: string | null, artifact_sha256: string, 
/**
 * The location as recorded (`line 12`, `line 3 /Records/0`, `/value/7`).
 */
location: string | null, line: number | null, pointer: string | null, 
/**
 * The line as text: UTF-8 as it is, other bytes and control characters as `\xNN`.
 */
raw: string | null, 
/**
 * Whether `raw` holds bytes that are not plain text (escaped above).
 */
raw_escaped: boolean, 
/**
 * The line's length in bytes; more than shown when the line was cut.
 */
raw_len: number | null, raw_cut: boolean, line_is_record: boolean, pointer_value: string | null, artifact_verified: boolean, note: string | null, };

export type TableExportRequest = { 
/**
 * `csv` or `xlsx`.
 */
format: string, 
/**
 * The sheet's name (XLSX) and what error messages call the table.
 */
title: string, headers: Array<string>, rows: Array<Array<string>>, 
/**
 * For `csv`: the file's text, made by the page from the same rows (ui/src/lib/table.ts).
 */
csv?: string, out: string, };

export type CheckpointDto = { id: number, entry_count: number, head_hash: string, created_at: string, 
/**
 * The Merkle tree root at `entry_count`; none for checkpoints made before format 3.
 */
tree_root: string | null, 
/**
 * Whether a signed note vouches for it.
 */
signed: boolean, 
/**
 * The signed note (C2SP signed checkpoint), the text to keep outside the workspace.
 */
note: string | null, 
/**
 * Who recorded it; none for checkpoints made before workspace format 5.
 */
created_by: string | null, };

export type PublicKeyDto = { 
/**
 * The `signing_key.added` entry that recorded it.
 */
seq: number, 
/**
 * The key name, `evidentia/<workspace_id>`.
 */
name: string, 
/**
 * The note verifier key text (`name+id+base64`).
 */
vkey: string, 
/**
 * The SPKI PEM, what the export writes and `openssl pkeyutl -pubin` reads.
 */
pem: string, };

export type SigningKeyDto = { public_key: PublicKeyDto | null, 
/**
 * The private key file in the key folder (`EVIDENTIA_KEY_DIR`, else
 * `$XDG_CONFIG_HOME/evidentia/keys`, else `~/.config/evidentia/keys`); none when no key
 * folder can be named.
 */
private_key_path: string | null, 
/**
 * Whether that file exists, so new checkpoints can be signed here.
 */
private_key_found: boolean, };

export type PackCheckRequest = { pack: string, against: string | null, public_key: string | null, };

export type PackProblemDto = { entry: string | null, reason: string, };

export type PackSummaryDto = { files: number, bytes: number, workspace_id: string, framework: string, period_from: string | null, period_to: string | null, generated_at: string, entry_count: number, head_hash: string, tree_root: string | null, 
/**
 * Whether the pack holds a signed checkpoint (`checkpoint.note`).
 */
signed_checkpoint: boolean, };

export type PackCheckDto = { pack: string, intact: boolean, summary: PackSummaryDto | null, problems: Array<PackProblemDto>, 
/**
 * A public key was given, so the checkpoint's signature was checked with it.
 */
key_checked: boolean, 
/**
 * An earlier pack was given, so this one was checked to extend it.
 */
against_checked: boolean, };

export type VerifyDto = { intact: boolean, 
/**
 * Entries that verified (all of them when intact).
 */
entries: number, 
/**
 * The hash of the last entry that verified.
 */
head_hash: string, artifacts: number, artifact_bytes: number, checkpoints: Array<CheckpointDto>, 
/**
 * The first entry that failed, and why, when not intact.
 */
failed_seq: number | null, failure: string | null, 
/**
 * When the verification finished (RFC 3339, UTC).
 */
verified_at: string, };

export type VerifyProgressDto = { checked: number, total: number, };

export type ImportRequest = { files: Array<string>, 
/**
 * A built-in profile name, for generic CSV/JSON files.
 */
profile: string | null, 
/**
 * Import the valid rows and record the bad ones, instead of rejecting the file.
 */
skip_invalid: boolean, 
/**
 * When an inventory that states no time was taken: RFC 3339, or a date (00:00 UTC).
 */
as_of: string | null, 
/**
 * What a listing is of when the file does not say: a group, an organization, a host.
 */
scope: string | null, 
/**
 * The year of syslog timestamps that carry none.
 */
year: number | null, 
/**
 * The zone of syslog timestamps that carry none: UTC, an offset or an IANA name.
 */
timezone: string | null, };

export type ImportProgressDto = { file: string, bytes_read: number, bytes_total: number | null, rows: number, };

export type DiagnosticDto = { 
/**
 * `line 12`, a JSON pointer, or empty for the whole file.
 */
location: string, reason: string, };

export type ImportStatus = "imported" | "already_imported";

export type ImportResultDto = { file: string, status: ImportStatus, artifact: string, format: string | null, rows: number, 
/**
 * Records appended, by record kind.
 */
records: { [key in string]: number }, 
/**
 * Rows deliberately not recorded (read-only events), by reason.
 */
skipped: { [key in string]: number }, 
/**
 * Bad rows left out (only with skip-invalid; otherwise the file is refused).
 */
invalid: Array<DiagnosticDto>, 
/**
 * Events too incomplete to be evidence.
 */
warnings: Array<DiagnosticDto>, 
/**
 * The ledger entries appended, `first..=last`; none for an already imported file.
 */
first_entry: number | null, last_entry: number | null, };

export type ImportRecordDto = { seq: number, recorded_at: string, file_name: string, artifact: string, size: number, format: string, profile: string | null, rows: number, records: { [key in string]: number }, skipped: { [key in string]: number }, invalid_rows: number, warnings: number, 
/**
 * Who imported it; none for imports recorded before entries named who acted.
 */
recorded_by: string | null, };

export type PolicyDto = { seq: number, source: string, sha256: string, };

export type AccountDto = { system: string, account: string, identity: string | null, 
/**
 * The correlation rule that decided (`email`, `alias`, `none`, ...).
 */
rule: string, detail: string | null, executions: number, reconciliations: number, first_seen: string, last_seen: string, 
/**
 * The first ledger entries that mention it.
 */
evidence: Array<number>, 
/**
 * Its rows in those of them that are set entries (the first few).
 */
evidence_rows: Array<EvidenceRowDto>, };

export type EvidenceRowDto = { entry: number, 
/**
 * 1-based position of the record in the set.
 */
row: number, };

export type AccountsDto = { policy_seq: number, accounts: Array<AccountDto>, };

export type EventsRunDto = { 
/**
 * The `analysis.run` ledger entry the chains come from.
 */
run_seq: number, events: number, systems: Array<string>, statuses: Array<string>, };

export type EventFilterDto = { kind: string | null, 
/**
 * `human` or `nhi`.
 */
identity_class: string | null, system: string | null, status: string | null, 
/**
 * Identities starting with this text.
 */
identity: string | null, };

export type EventRowDto = { 
/**
 * 0-based rank in the run's order.
 */
position: number, event_seq: number, event_id: string, identity: string, 
/**
 * `human` or `nhi`.
 */
identity_kind: string, event_kind: string, effective_at: string, 
/**
 * The worst link status; with a system filter, that system's.
 */
status: string, systems: Array<string>, };

export type EventPageDto = { rows: Array<EventRowDto>, total: number, 
/**
 * Counting stopped at the cap (identity text filters only): "at least `total`".
 */
total_capped: boolean, };

export type EvidenceDto = { seq: number, 
/**
 * The cited row when `seq` is a set entry (1-based); 0 for a whole one-record entry.
 */
row: number, kind: string, recorded_at: string, entry_hash: string, };

export type LinkDto = { step: string, status: string, at: string | null, 
/**
 * Seconds from the event to this evidence (negative: before the event).
 */
after_event_secs: number | null, note: string, evidence: Array<EvidenceDto>, };

export type SystemChainDto = { system: string, direction: string, account: string | null, deadline: string | null, 
/**
 * The SLA in seconds after the event, where the policy sets one.
 */
sla_secs: number | null, status: string, links: Array<LinkDto>, };

export type EventChainDto = { run_seq: number, event: EventRowDto, systems: Array<SystemChainDto>, };

export type AnalysisDto = { 
/**
 * The `analysis.run` entry.
 */
run_seq: number | null, as_of: string, events: number, findings: number, 
/**
 * Who the `analysis.run` entry names as having run it.
 */
recorded_by: string | null, };

export type FindingDto = { 
/**
 * The stable finding id (`F-` and 12 hex digits) management responses name.
 */
id: string, check: string, 
/**
 * The check's short title, e.g. "Leaver access not revoked".
 */
title: string, severity: string, identity: string | null, system: string | null, account: string | null, entitlement: string | null, exception: string | null, summary: string, evidence: Array<number>, 
/**
 * The rows of set entries among what it cites (empty when it cites only one-record
 * entries).
 */
evidence_rows: Array<EvidenceRowDto>, 
/**
 * The lifecycle event whose chain the Events page opens, when the finding rests on one.
 */
event_seq: number | null, 
/**
 * About a non-human identity or an unowned account (the OWASP NHI Top 10's scope).
 */
non_human: boolean, 
/**
 * Management's current response, if one is recorded.
 */
response: ResponseDto | null, };

export type ResponseDto = { 
/**
 * The `finding.response` entry.
 */
seq: number, recorded_at: string, 
/**
 * `open`, `in-remediation`, `remediated` or `risk-accepted`.
 */
status: string, owner: string, 
/**
 * YYYY-MM-DD.
 */
due: string, accepted_until: string | null, response: string, recorded_by: string | null, 
/**
 * A risk acceptance past its date as of the analysis.
 */
expired: boolean, };

export type ResponseRequest = { finding: string, owner: string, due: string, status: string, accepted_until: string | null, response: string, recorded_by: string | null, };

export type CheckDto = { id: string, 
/**
 * The check's short title.
 */
title: string, severity: string, rationale: string, examined: number, findings: number, };

export type ControlGroupDto = { id: string, title: string, };

export type ControlDto = { id: string, title: string, groups: Array<ControlGroupDto>, checks: Array<string>, evidence: number, findings: number, 
/**
 * `met`, `findings` or `not-assessed`.
 */
status: string, 
/**
 * Evidence its checks needed that was not imported, in words: all of it when the control
 * is not assessed, part of it when only some of its checks could look.
 */
missing: Array<string>, };

export type FrameworkDto = { id: string, controls: Array<ControlDto>, };

export type NotAssessedDto = { check: string, 
/**
 * The check's short title.
 */
title: string, identity: string, system: string, account: string, 
/**
 * The credential, as the system names it.
 */
credential: string, 
/**
 * The evidence that was missing, in words.
 */
reason: string, evidence: Array<number>, evidence_rows: Array<EvidenceRowDto>, };

export type FindingsDto = { as_of: string, evidence_entries: number, findings: Array<FindingDto>, checks: Array<CheckDto>, frameworks: Array<FrameworkDto>, 
/**
 * Items a check could not judge for want of evidence, shown apart from the findings.
 */
not_assessed: Array<NotAssessedDto>, };

export type ExceptionDto = { id: string, seq: number, subject: string | null, system: string | null, entitlement: string | null, owner: string | null, approver: string | null, granted_at: string, expires_at: string | null, age_days: number, 
/**
 * `0-30`, `31-60`, `61-90`, `>90` or `expired`.
 */
bucket: string, reapprovals: number, expiring_soon: boolean, expired_active: boolean, no_owner: boolean, no_expiry: boolean, too_long: boolean, };

export type AgingBucketDto = { label: string, count: number, };

export type ExceptionsDto = { as_of: string, buckets: Array<AgingBucketDto>, exceptions: Array<ExceptionDto>, };

export type SeverityCountDto = { 
/**
 * `critical`, `high`, `medium` or `low`.
 */
severity: string, count: number, };

export type FunctionDto = { id: string, title: string, with_findings: number, met: number, not_assessed: number, findings: number, };

export type RevokeDto = { system: string, count: number, median_hours: number, p95_hours: number, };

export type ShareDto = { part: number, whole: number, };

export type CredentialAgeDto = { count: number, median_days: number, p95_days: number, };

export type AssessmentDto = { as_of: string, events_with_chains: number, complete_events: number, severities: Array<SeverityCountDto>, functions: Array<FunctionDto>, buckets: Array<AgingBucketDto>, time_to_revoke: Array<RevokeDto>, 
/**
 * What the analysis could not look at, one sentence each; empty when nothing was missing.
 */
evidence_gaps: Array<string>, 
/**
 * Leaver credentials revoked within the SLA, of those judged; none: not assessed.
 */
leaver_credentials_revoked: ShareDto | null, 
/**
 * Ages of the active credentials with a logged creation, in days; none: not assessed.
 */
credential_age: CredentialAgeDto | null, 
/**
 * Emergency-register uses with an independent review in time; none: not assessed.
 */
emergency_reviewed: ShareDto | null, };

export type ReviewSystemDto = { system: string, 
/**
 * When the snapshot the population was drawn from was taken; none: the system had no
 * complete snapshot at or before the start, so its population is not established.
 */
snapshot_at: string | null, 
/**
 * The ledger entries holding that snapshot's rows.
 */
snapshot_entries: Array<number>, population: number, decided: number, decided_on_time: number, keep: number, revoke: number, modify: number, undecided: number, 
/**
 * Decision to removal in the system's log, in hours, where any revoke was removed.
 */
removal_hours: RemovalHoursDto | null, };

export type RemovalHoursDto = { count: number, median: number, p95: number, };

export type ReviewRevokeDto = { decision_seq: number, 
/**
 * `revoke` or `modify`.
 */
verdict: string, system: string, account: string, entitlement: string | null, identity: string | null, reviewer: string | null, decided_at: string, 
/**
 * Decision + the policy's revoke SLA.
 */
deadline: string, removal_seq: number | null, 
/**
 * The removal's row when `removal_seq` is a set entry (null: the whole entry).
 */
removal_row: number | null, removed_at: string | null, confirmation_seq: number | null, 
/**
 * The snapshot's row when `confirmation_seq` is a set entry (null: the whole entry).
 */
confirmation_row: number | null, confirmation_at: string | null, 
/**
 * The confirming snapshot still shows the item.
 */
confirmation_held: boolean | null, 
/**
 * `on_time`, `late`, `not_executed`, `contradicted`, `removed_unlogged` or `not_yet_due`.
 */
status: string, };

export type ReviewerDto = { reviewer: string, decisions: number, keep: number, revoke: number, modify: number, 
/**
 * The most decisions made within the rubber-stamp window of each other.
 */
fastest_burst: number, fastest_burst_all_keep: boolean, };

export type CampaignDto = { id: string, name: string | null, 
/**
 * The campaign's ledger entry.
 */
seq: number, started_at: string, due_at: string, closed_at: string | null, 
/**
 * Closed after its due date, or still open after it.
 */
overdue: boolean, 
/**
 * Items in the established populations, summed over systems.
 */
population: number, decided: number, decided_on_time: number, systems: Array<ReviewSystemDto>, revokes: Array<ReviewRevokeDto>, reviewers: Array<ReviewerDto>, 
/**
 * Decisions on items outside the population, as their entries.
 */
outside_population: Array<number>, 
/**
 * Findings of the review checks about this campaign.
 */
findings: number, };

export type RubberStampDto = { decisions: number, seconds: number, };

export type ReviewsDto = { as_of: string, rubber_stamp: RubberStampDto, campaigns: Array<CampaignDto>, };

export type SampleAttributeDefDto = { id: string, title: string, 
/**
 * The checks whose findings make it fail.
 */
checks: Array<string>, };

export type PopulationDto = { name: string, title: string, definition: string, source: string, attributes: Array<SampleAttributeDefDto>, count: number, digest: string, };

export type FrequencyDto = { name: string, size: number, };

export type SamplePopulationsDto = { populations: Array<PopulationDto>, frequencies: Array<FrequencyDto>, 
/**
 * The period the counts are over (`YYYY-MM-DD`); none: open-ended.
 */
period_from: string | null, period_to: string | null, };

export type SampleRequestDto = { population: string, size: number | null, 
/**
 * `annual`, `quarterly`, `monthly`, `weekly` or `daily`.
 */
frequency: string | null, seed: string, 
/**
 * `system` or `kind`; none: not stratified.
 */
stratify: string | null, 
/**
 * First and last day (`YYYY-MM-DD`, inclusive); empty: the policy's period.
 */
from: string | null, to: string | null, };

export type MethodRowDto = { label: string, value: string, };

export type ItemAttributeDto = { id: string, 
/**
 * `pass`, `fail` or `n/a`.
 */
outcome: string, 
/**
 * The ledger entries behind the outcome.
 */
evidence: Array<number>, 
/**
 * The rows of set entries among them.
 */
evidence_rows: Array<EvidenceRowDto>, note: string, 
/**
 * The checks of the findings that make it fail.
 */
failing_checks: Array<string>, };

export type SampledItemDto = { 
/**
 * 1-based, in rank order.
 */
number: number, rank: string, key: string, 
/**
 * The ledger entry the item is read from.
 */
entry: number, 
/**
 * The item's row when `entry` is a set entry (1-based); 0 for a whole one-record entry.
 */
row: number, kind: string, identity: string | null, system: string | null, account: string | null, entitlement: string | null, reference: string | null, at: string, systems: Array<string>, stratum: string | null, attributes: Array<ItemAttributeDto>, };

export type StratumDto = { stratum: string, population: number, sample: number, };

export type SampleDto = { population: PopulationDto, method: Array<MethodRowDto>, seed: string, size_rule: string, size: number, stratify: string | null, strata: Array<StratumDto>, items: Array<SampledItemDto>, };

export type OutputRequest = { 
/**
 * `pdf`, `oscal` or `pack`; or, from the Integrity page, `public-key` (the workspace's
 * public key, PEM) or `checkpoint` (a signed checkpoint note), which ignore the
 * framework and period.
 */
kind: string, framework: string, 
/**
 * First and last day (`YYYY-MM-DD`, inclusive); empty: the policy's period.
 */
from: string | null, to: string | null, out: string, 
/**
 * For `checkpoint`: which one (its id); absent, the latest signed one.
 */
checkpoint?: number, };

export type OutputDto = { path: string, bytes: number, 
/**
 * SHA-256 of the file, where the writer reports it (PDF, pack).
 */
sha256: string | null, 
/**
 * What else to say about it (pages of a PDF, files in a pack).
 */
detail: string, };

export type OutputProgressDto = { stage: string, };
