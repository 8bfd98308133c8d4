// Unit tests of the IPC error translation: the UI must always get a code it knows.
import { describe, expect, it } from 'vitest';
import { BackendError, toBackendError } from './ipc';

describe('toBackendError', () => {
  it('keeps the shell error code and message', () => {
    const e = toBackendError({ code: 'not_a_workspace', message: 'x is not a workspace' });
    expect(e).toBeInstanceOf(BackendError);
    expect(e.code).toBe('not_a_workspace');
    expect(e.message).toBe('x is not a workspace');
  });
  it('knows the team workspace codes', () => {
    for (const code of ['unreachable', 'unauthorized', 'busy', 'read_only'] as const) {
      expect(toBackendError({ code, message: 'postgres://alice@db/eng' }).code).toBe(code);
    }
  });
  it('treats unknown shapes as internal', () => {
    expect(toBackendError('command not found').code).toBe('internal');
    expect(toBackendError({ code: 'weird', message: 'm' }).code).toBe('internal');
    expect(toBackendError(new Error('boom')).message).toBe('boom');
  });
});
