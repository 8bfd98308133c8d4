// Unit tests of how the window says a workspace is read-only for this login, and why a write
// was refused.
import { describe, expect, it } from 'vitest';
import { BackendError } from './backend/ipc';
import { blockedWrite, isReadOnlyRefusal, readOnlyReason, writeErrorText } from './access';

const reader = { writable: false, is_server: true };
const writer = { writable: true, is_server: true };
const lockedFile = { writable: false, is_server: false };
const file = { writable: true, is_server: false };

describe('readOnlyReason', () => {
  it('is null when the login may write, or nothing is open', () => {
    expect(readOnlyReason(writer)).toBeNull();
    expect(readOnlyReason(file)).toBeNull();
    expect(readOnlyReason(null)).toBeNull();
    expect(readOnlyReason(undefined)).toBeNull();
  });
  it('tells a reader what still works and who grants the rest', () => {
    const why = readOnlyReason(reader) ?? '';
    expect(why).toMatch(/read the team workspace, not write/);
    expect(why).toMatch(/reports and evidence packs work/);
    expect(why).toMatch(/writer role/);
  });
  it('blames the file, not a role, for a file that cannot be written', () => {
    const why = readOnlyReason(lockedFile) ?? '';
    expect(why).toMatch(/file cannot be written/);
    expect(why).not.toMatch(/role/);
  });
});

describe('blockedWrite', () => {
  it('disables nothing for a writer', () => {
    expect(blockedWrite(writer, 'import evidence')).toBeNull();
    expect(blockedWrite(file, 'record a checkpoint')).toBeNull();
  });
  it('names the action the reader may not take', () => {
    expect(blockedWrite(reader, 'record a checkpoint')).toBe(
      'Read-only: this login may not record a checkpoint in this team workspace.',
    );
    expect(blockedWrite(lockedFile, 'import evidence')).toMatch(/^Read-only: .*cannot import evidence here\.$/);
  });
});

describe('writeErrorText', () => {
  const refused = new BackendError(
    'read_only',
    'postgres://bob@db/eng is read-only for bob; this command needs to write to the workspace',
  );
  it("says a team workspace's login may only read, then the shell's line", () => {
    expect(isReadOnlyRefusal(refused)).toBe(true);
    expect(writeErrorText(refused, writer)).toBe(
      'This login may only read the workspace. postgres://bob@db/eng is read-only for bob; this command needs to write to the workspace',
    );
  });
  it("keeps the shell's line for a file and for any other failure", () => {
    const fileRefused = new BackendError('read_only', '/a/w.evidentia is read-only; this command needs to write to the workspace');
    expect(writeErrorText(fileRefused, file)).toBe(fileRefused.message);
    const busy = new BackendError('busy', 'another client is writing');
    expect(isReadOnlyRefusal(busy)).toBe(false);
    expect(writeErrorText(busy, reader)).toBe('another client is writing');
    expect(writeErrorText(new Error('plain'), reader)).toBe('plain');
    expect(writeErrorText('text', null)).toBe('text');
  });
});
