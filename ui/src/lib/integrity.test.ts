import { describe, expect, it } from 'vitest';
import type { CheckpointDto } from './backend';
import {
  alteredAdvice,
  defaultTrustExport,
  folderOf,
  latestSigned,
  packCheckProblem,
  problemText,
  signatureLabel,
  signatureVerdict,
  splitProblems,
} from './integrity';

const cp = (id: number, signed: boolean, tree = true): CheckpointDto => ({
  id,
  entry_count: id * 10,
  head_hash: 'ab'.repeat(32),
  created_at: '2026-01-15T10:00:00Z',
  tree_root: tree ? 'cd'.repeat(32) : null,
  signed,
  note: signed ? `evidentia/x\n${id * 10}\nroot=\n\n— evidentia/x sig\n` : null,
  created_by: 'alice',
});

describe('latestSigned', () => {
  it('picks the newest signed checkpoint, skipping later unsigned ones', () => {
    expect(latestSigned([cp(1, true), cp(2, true), cp(3, false)])?.id).toBe(2);
    expect(latestSigned([cp(1, false), cp(2, false, false)])).toBeNull();
    expect(latestSigned([])).toBeNull();
  });
  it('never returns a checkpoint without its note', () => {
    expect(latestSigned([{ ...cp(1, true), note: null }])).toBeNull();
    expect(latestSigned([cp(4, true)])?.note).toContain('evidentia/x\n40\n');
  });
});

describe('signatureLabel', () => {
  it('says signed, unsigned, or made before tree roots', () => {
    expect(signatureLabel(cp(1, true)).text).toBe('signed');
    expect(signatureLabel(cp(1, false)).text).toBe('unsigned');
    expect(signatureLabel(cp(1, false, false)).text).toBe('no tree root');
  });
});

describe('defaultTrustExport', () => {
  it('writes beside the workspace, named after it', () => {
    expect(defaultTrustExport('/audits/q3.evidentia', 'public-key')).toBe('/audits/q3-public-key.pem');
    expect(defaultTrustExport('/audits/q3.evidentia', 'checkpoint', 1204)).toBe('/audits/q3-checkpoint-1204.note');
    expect(defaultTrustExport('/audits/q3.evidentia', 'checkpoint')).toBe('/audits/q3-checkpoint.note');
  });
});

describe('folderOf', () => {
  it('drops the file name', () => {
    expect(folderOf('/home/a/.config/evidentia/keys/abc.pem')).toBe('/home/a/.config/evidentia/keys');
    expect(folderOf('abc.pem')).toBe('abc.pem');
  });
});

describe('packCheckProblem', () => {
  it('needs a pack, and distinct files for the earlier pack and the key', () => {
    expect(packCheckProblem(null, null, null)).toBe('Choose the pack to check.');
    expect(packCheckProblem('/p.zip', null, null)).toBeNull();
    expect(packCheckProblem('/p.zip', '/e.zip', '/k.pem')).toBeNull();
    expect(packCheckProblem('/p.zip', '/p.zip', null)).toMatch(/earlier pack is the pack itself/);
    expect(packCheckProblem('/p.zip', '/e.zip', '/e.zip')).toMatch(/key file is a pack/);
  });
});

describe('problems', () => {
  const problems = Array.from({ length: 5 }, (_, i) => ({ entry: i ? `artifacts/${i}` : null, reason: `r${i}` }));
  it('shows the first one apart and bounds the rest', () => {
    const split = splitProblems(problems, 2);
    expect(split.first).toEqual({ entry: null, reason: 'r0' });
    expect(split.rest.map((p) => p.reason)).toEqual(['r1', 'r2']);
    expect(split.hidden).toBe(2);
    expect(splitProblems([]).first).toBeNull();
  });
  it('names the file when there is one', () => {
    expect(problemText({ entry: 'ledger.jsonl', reason: 'entry 3: payload hash mismatch' })).toBe(
      'ledger.jsonl: entry 3: payload hash mismatch',
    );
    expect(problemText({ entry: null, reason: 'not a zip' })).toBe('not a zip');
  });
});

describe('signatureVerdict', () => {
  it('says whose signature was checked, or what to do', () => {
    expect(signatureVerdict(true, true, '/tmp/their-key.pem')).toContain('their-key.pem');
    expect(signatureVerdict(false, true, null)).toMatch(/^Not checked/);
    expect(signatureVerdict(false, false, null)).toMatch(/no signed checkpoint/);
  });
});

describe('alteredAdvice', () => {
  const sig = { entry: 'checkpoint.note', reason: 'not signed by the given public key' };
  const file = { entry: 'exports/findings.csv', reason: 'SHA-256 differs' };
  it('tells a wrong key apart from an altered pack', () => {
    expect(alteredAdvice([sig], true, '/k/their-key.pem', false)).toMatch(/not signed by their-key\.pem\. Ask the workspace owner/);
    expect(alteredAdvice([file, sig], true, '/k/their-key.pem', false)).toBe(
      'Do not rely on this pack: it is not exactly what was made from the workspace, or is not signed by their-key.pem.',
    );
  });
  it('names the earlier pack only when one was given', () => {
    expect(alteredAdvice([file], false, null, false)).toBe(
      'Do not rely on this pack: it is not exactly what was made from the workspace.',
    );
    expect(alteredAdvice([file], false, null, true)).toMatch(/or does not extend the earlier pack\.$/);
  });
});
