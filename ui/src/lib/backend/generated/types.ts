// Generated from src-tauri/src/dto.rs and error.rs by `cargo test -p evidentia-desktop`; do not edit.
// Regenerate with UPDATE_TS=1 cargo test -p evidentia-desktop generated_types.

export type ErrorCode = "not_found" | "not_a_workspace" | "newer_format" | "read_only" | "invalid_input" | "verification_failed" | "internal";

export type IpcError = { code: ErrorCode, message: string, };

export type WorkspaceDto = { path: string, 
/**
 * The file name without its extension, for the header.
 */
name: string, workspace_id: string, entries: number, head_hash: string, 
/**
 * The demo workspace the app builds on first start.
 */
is_demo: boolean, };

export type SessionDto = { workspace: WorkspaceDto | null, recent: Array<string>, 
/**
 * Why the workspace chosen at start could not be opened, if it could not.
 */
startup_error: IpcError | null, };

export type EntryDto = { seq: number, kind: string, recorded_at: string, payload_hash: string, prev_hash: string, entry_hash: string, };

export type CheckpointDto = { id: number, entry_count: number, head_hash: string, created_at: string, };

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
skip_invalid: boolean, };

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

export type ImportRecordDto = { seq: number, recorded_at: string, file_name: string, artifact: string, size: number, format: string, profile: string | null, rows: number, records: { [key in string]: number }, skipped: { [key in string]: number }, invalid_rows: number, warnings: number, };

export type PolicyDto = { seq: number, source: string, sha256: string, };

export type AccountDto = { system: string, account: string, identity: string | null, 
/**
 * The correlation rule that decided (`email`, `alias`, `none`, ...).
 */
rule: string, detail: string | null, executions: number, reconciliations: number, first_seen: string, last_seen: string, 
/**
 * The first ledger entries that mention it.
 */
evidence: Array<number>, };

export type AccountsDto = { policy_seq: number, accounts: Array<AccountDto>, };
