// The import page's plan: files one by one, so one refused file neither hides the results of
// the others nor stops them; each file is still all-or-nothing in the shell.
import type { ImportProgressDto, ImportRequest, ImportResultDto } from './backend/generated/types';
import { BackendError, toBackendError } from './backend/ipc';

export type FileResult =
  | { file: string; status: 'imported' | 'already_imported'; result: ImportResultDto }
  | { file: string; status: 'refused' | 'failed'; error: BackendError };

export type ImportFn = (
  request: ImportRequest,
  onProgress: (p: ImportProgressDto) => void,
) => Promise<ImportResultDto[]>;

/** Adds files to a selection, keeping order and dropping duplicates. */
export function addFiles(current: string[], more: string[]): string[] {
  const seen = new Set(current);
  const out = [...current];
  for (const f of more) {
    if (!seen.has(f)) {
      seen.add(f);
      out.push(f);
    }
  }
  return out;
}

/** How to read the files of one import (the command line's `--profile`, `--skip-invalid`,
 * `--as-of`, `--scope`, `--year`, `--timezone`); blank text means "not given". */
export interface ImportChoices {
  profile: string | null;
  skipInvalid: boolean;
  asOf?: string;
  scope?: string;
  year?: string;
  timezone?: string;
}

/** The request for one file: blank fields left out, the year as a number. */
export function requestFor(file: string, options: ImportChoices): ImportRequest {
  const given = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : null);
  const year = given(options.year);
  return {
    files: [file],
    profile: options.profile,
    skip_invalid: options.skipInvalid,
    as_of: given(options.asOf),
    scope: given(options.scope),
    year: year === null ? null : Number.parseInt(year, 10),
    timezone: given(options.timezone),
  };
}

/** One line for the end of a run: how many files went in, and how many were refused. */
export function summarize(results: FileResult[]): string {
  const count = (s: FileResult['status']) => results.filter((r) => r.status === s).length;
  const parts = [`${count('imported')} imported`];
  if (count('already_imported') > 0) parts.push(`${count('already_imported')} already imported`);
  if (count('refused') > 0) parts.push(`${count('refused')} refused`);
  if (count('failed') > 0) parts.push(`${count('failed')} failed`);
  return `${results.length} ${results.length === 1 ? 'file' : 'files'}: ${parts.join(', ')}`;
}

/** Imports each file on its own, reporting progress and each file's result as it comes. */
export async function importEach(
  files: string[],
  options: ImportChoices,
  run: ImportFn,
  onProgress: (index: number, p: ImportProgressDto) => void,
  onResult: (r: FileResult) => void,
): Promise<FileResult[]> {
  const results: FileResult[] = [];
  for (const [index, file] of files.entries()) {
    let r: FileResult;
    try {
      const [result] = await run(requestFor(file, options), (p) => onProgress(index, p));
      r = result
        ? { file, status: result.status, result }
        : { file, status: 'failed', error: new BackendError('internal', 'no result returned') };
    } catch (e) {
      const error = toBackendError(e);
      // Refused input (bad rows, unknown format, missing profile) is the user's to fix;
      // anything else is a failure of the app or the disk.
      r = { file, status: error.code === 'invalid_input' ? 'refused' : 'failed', error };
    }
    results.push(r);
    onResult(r);
  }
  return results;
}
