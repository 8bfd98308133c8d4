// Turns whatever an invoke rejected with into a typed BackendError the UI branches on by code.
import type { ErrorCode, IpcError } from './generated/types';

const CODES: readonly ErrorCode[] = [
  'not_found',
  'not_a_workspace',
  'newer_format',
  'read_only',
  'unreachable',
  'unauthorized',
  'busy',
  'invalid_input',
  'verification_failed',
  'internal',
];

/** An error from the shell: `code` is stable, `message` is for people. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
  }
}

function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === 'string' && CODES.includes(v.code as ErrorCode);
}

/** Commands reject with `{ code, message }`; Tauri itself rejects with a string. */
export function toBackendError(value: unknown): BackendError {
  if (value instanceof BackendError) return value;
  if (isIpcError(value)) return new BackendError(value.code, value.message);
  if (value instanceof Error) return new BackendError('internal', value.message);
  return new BackendError('internal', typeof value === 'string' ? value : 'unexpected error');
}
