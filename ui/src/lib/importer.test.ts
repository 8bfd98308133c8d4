// Unit tests of the import plan: per-file results, refusals kept apart from failures.
import { describe, expect, it } from 'vitest';
import { addFiles, importEach, requestFor, summarize, type ImportFn } from './importer';
import type { ImportResultDto } from './backend/generated/types';

function imported(file: string): ImportResultDto {
  return {
    file,
    status: 'imported',
    artifact: 'ab'.repeat(32),
    format: 'csv',
    rows: 3,
    records: { execution: 3 },
    skipped: {},
    invalid: [],
    warnings: [],
    first_entry: 2,
    last_entry: 6,
  };
}

describe('importEach', () => {
  it('imports every file even when one is refused', async () => {
    const calls: string[][] = [];
    const run: ImportFn = async (req, onProgress) => {
      calls.push(req.files);
      onProgress({ file: req.files[0] ?? '', bytes_read: 5, bytes_total: 10, rows: 1 });
      if (req.files[0] === 'bad.csv') {
        throw { code: 'invalid_input', message: 'bad.csv: 1 invalid row' };
      }
      if (req.files[0] === 'gone.csv') throw { code: 'not_found', message: 'no such file' };
      return [imported(req.files[0] ?? '')];
    };
    const progress: number[] = [];
    const seen: string[] = [];
    const results = await importEach(
      ['a.csv', 'bad.csv', 'gone.csv'],
      { profile: 'provisioning-csv', skipInvalid: false },
      run,
      (i) => progress.push(i),
      (r) => seen.push(`${r.file}:${r.status}`),
    );
    expect(calls).toEqual([['a.csv'], ['bad.csv'], ['gone.csv']]);
    expect(progress).toEqual([0, 1, 2]);
    expect(seen).toEqual(['a.csv:imported', 'bad.csv:refused', 'gone.csv:failed']);
    expect(results[1]?.status === 'refused' && results[1].error.code).toBe('invalid_input');
  });
});

describe('addFiles', () => {
  it('keeps order and drops duplicates', () => {
    expect(addFiles(['a', 'b'], ['b', 'c', 'a', 'd'])).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('requestFor', () => {
  it('leaves blank options out and reads the year as a number', () => {
    expect(requestFor('users.json', { profile: null, skipInvalid: false, asOf: ' ', scope: '' })).toEqual({
      files: ['users.json'],
      profile: null,
      skip_invalid: false,
      as_of: null,
      scope: null,
      year: null,
      timezone: null,
    });
    expect(
      requestFor('auth.log', {
        profile: null,
        skipInvalid: true,
        asOf: '2025-12-31',
        scope: ' Engineering ',
        year: '2025',
        timezone: 'Europe/Berlin',
      }),
    ).toMatchObject({ as_of: '2025-12-31', scope: 'Engineering', year: 2025, timezone: 'Europe/Berlin' });
  });
});

describe('summarize', () => {
  it('counts each outcome of a run', () => {
    const ok = { file: 'a', status: 'imported' as const, result: imported('a') };
    const refused = {
      file: 'b',
      status: 'refused' as const,
      error: { code: 'invalid_input', message: 'b: line 3: bad' } as never,
    };
    expect(summarize([ok, ok, refused])).toBe('3 files: 2 imported, 1 refused');
    expect(summarize([ok])).toBe('1 file: 1 imported');
  });
});
