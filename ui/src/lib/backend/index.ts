// The only module that talks to the Rust shell: every invoke, channel, dialog, drop and opener
// call goes through here, so pages never depend on Tauri directly.
import { Channel, invoke } from '@tauri-apps/api/core';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';
import { openPath as openWithSystem, revealItemInDir } from '@tauri-apps/plugin-opener';
import { toBackendError } from './ipc';
import type {
  AccountsDto,
  AnalysisDto,
  AssessmentDto,
  EventChainDto,
  EventFilterDto,
  EventPageDto,
  EventsRunDto,
  ExceptionsDto,
  FindingsDto,
  ResponseDto,
  ResponseRequest,
  OutputDto,
  OutputProgressDto,
  OutputRequest,
  CheckpointDto,
  PackCheckDto,
  PackCheckRequest,
  SigningKeyDto,
  EntryDto,
  EntrySourceDto,
  TableExportRequest,
  ImportProgressDto,
  ImportRecordDto,
  ImportRequest,
  ImportResultDto,
  PolicyDto,
  ReviewsDto,
  SampleDto,
  SamplePopulationsDto,
  SampleRequestDto,
  SessionDto,
  VerifyDto,
  VerifyProgressDto,
} from './generated/types';

export { BackendError } from './ipc';
export type * from './generated/types';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

export const currentWorkspace = () => call<SessionDto>('current_workspace');
export const openWorkspace = (path: string) => call<SessionDto>('open_workspace', { path });
export const initWorkspace = (path: string) => call<SessionDto>('init_workspace', { path });
/** Opens a team workspace (postgres://user@host/db); the password is used for this session only. */
export const openTeamWorkspace = (url: string, password: string | null) =>
  call<SessionDto>('open_team_workspace', { url, password });
export const openDemoWorkspace = () => call<SessionDto>('open_demo_workspace');
export const listEntries = (from: number, limit: number) =>
  call<EntryDto[]>('list_entries', { from, limit });
/** Where entry `seq` came from; `row` ≥ 1 asks for that row of a set entry (a finding's `evidence_rows`). */
export const entrySource = (seq: number, row = 0) => call<EntrySourceDto | null>('entry_source', { seq, row });
/** Saves a table view (CSV text or XLSX rows) at `request.out`, after the shell's path checks. */
export const writeTableView = (request: TableExportRequest) => call<OutputDto>('write_table_view', { request });
/** Display names of the identities asked for; ids without a recorded name are absent. */
export const identityNames = (ids: string[]) => call<Record<string, string>>('identity_names', { ids });
export const listImports = () => call<ImportRecordDto[]>('list_imports');
export const listCheckpoints = () => call<CheckpointDto[]>('list_checkpoints');
export const createCheckpoint = () => call<CheckpointDto>('create_checkpoint');
export const publicKey = () => call<SigningKeyDto>('public_key');
export const createSigningKey = () => call<SigningKeyDto>('create_signing_key');
export const verifyPack = (request: PackCheckRequest) => call<PackCheckDto>('verify_pack_file_with', { request });
export const builtinProfiles = () => call<string[]>('builtin_profiles');
export const currentPolicy = () => call<PolicyDto | null>('current_policy');
export const listAccounts = () => call<AccountsDto>('list_accounts');
export const analyzeWorkspace = () => call<AnalysisDto>('analyze_workspace');
export const eventsRun = () => call<EventsRunDto | null>('events_run');
export const listEvents = (filter: EventFilterDto, offset: number, limit: number) =>
  call<EventPageDto>('list_events', { filter, offset, limit });
export const eventChain = (eventSeq: number) => call<EventChainDto>('event_chain', { eventSeq });
export const findingsView = () => call<FindingsDto>('findings_view');
/** Records a management response to a finding (a `finding.response` ledger entry). */
export const recordResponse = (request: ResponseRequest) => call<ResponseDto>('record_response', { request });
export const exceptionsView = () => call<ExceptionsDto>('exceptions_view');
export const reviewsView = () => call<ReviewsDto>('reviews_view');
export const samplePopulations = (from: string | null, to: string | null) =>
  call<SamplePopulationsDto>('sample_populations', { from, to });
export const drawSample = (request: SampleRequestDto) => call<SampleDto>('draw_sample', { request });
/** Draws the sample again and writes its workpaper to `path`; resolves to the path written. */
export const writeSampleWorkpaper = (request: SampleRequestDto, path: string) =>
  call<string>('write_sample_workpaper', { request, path });
export const overviewAssessment = () => call<AssessmentDto>('overview_assessment');

export function verifyLedger(onProgress: (p: VerifyProgressDto) => void): Promise<VerifyDto> {
  const channel = new Channel<VerifyProgressDto>();
  channel.onmessage = onProgress;
  return call<VerifyDto>('verify_ledger', { onProgress: channel });
}

export function importFiles(
  request: ImportRequest,
  onProgress: (p: ImportProgressDto) => void,
): Promise<ImportResultDto[]> {
  const channel = new Channel<ImportProgressDto>();
  channel.onmessage = onProgress;
  return call<ImportResultDto[]>('import_files', { request, onProgress: channel });
}

const WORKSPACE_FILTER = { name: 'Evidentia workspace', extensions: ['evidentia'] };

/** Asks for an existing workspace file; null when cancelled. */
export async function pickWorkspace(): Promise<string | null> {
  const chosen = await open({ multiple: false, directory: false, filters: [WORKSPACE_FILTER] });
  return typeof chosen === 'string' ? chosen : null;
}

/** Asks where to create a new workspace; null when cancelled. */
export async function pickNewWorkspace(): Promise<string | null> {
  const chosen = await save({ defaultPath: 'audit.evidentia', filters: [WORKSPACE_FILTER] });
  return chosen ?? null;
}

/** Asks for evidence files to import; empty when cancelled. */
export async function pickEvidenceFiles(): Promise<string[]> {
  const chosen = await open({ title: 'Choose evidence files', multiple: true, directory: false });
  if (chosen === null) return [];
  return Array.isArray(chosen) ? chosen : [chosen];
}

export function writeOutput(request: OutputRequest, onProgress: (p: OutputProgressDto) => void): Promise<OutputDto> {
  const channel = new Channel<OutputProgressDto>();
  channel.onmessage = onProgress;
  return call<OutputDto>('write_output', { request, onProgress: channel });
}

/** Asks where to save a report, OSCAL file, pack, public key or checkpoint; null when cancelled. */
export async function pickOutput(
  defaultPath: string,
  name: string,
  extension: string,
  title?: string,
): Promise<string | null> {
  const chosen = await save({ defaultPath, filters: [{ name, extensions: [extension] }], ...(title ? { title } : {}) });
  return chosen ?? null;
}

const PACK_FILTER = { name: 'Evidence pack', extensions: ['zip'] };

/** Asks for an evidence pack (a zip) to check; null when cancelled. */
export async function pickPack(title: string): Promise<string | null> {
  const chosen = await open({ title, multiple: false, directory: false, filters: [PACK_FILTER] });
  return typeof chosen === 'string' ? chosen : null;
}

/** Asks for a public key file (PEM, or the note verifier key text); null when cancelled. */
export async function pickPublicKey(): Promise<string | null> {
  const chosen = await open({
    title: 'Choose the public key you received',
    multiple: false,
    directory: false,
    filters: [
      { name: 'Public key', extensions: ['pem', 'pub', 'vkey', 'txt'] },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  return typeof chosen === 'string' ? chosen : null;
}

/** Opens a written report or pack with the system's default application. */
export const openOutput = (path: string) => openWithSystem(path);

/** Shows the workspace file in the system file manager. */
export const revealInFolder = (path: string) => revealItemInDir(path);

export type DropState = { kind: 'over' } | { kind: 'leave' } | { kind: 'drop'; paths: string[] };

/** Files dragged onto the window; returns the function that stops listening. */
export async function onFileDrop(handler: (state: DropState) => void): Promise<() => void> {
  return getCurrentWebview().onDragDropEvent((event) => {
    const p = event.payload;
    if (p.type === 'drop') handler({ kind: 'drop', paths: p.paths });
    else if (p.type === 'leave') handler({ kind: 'leave' });
    else handler({ kind: 'over' });
  });
}
