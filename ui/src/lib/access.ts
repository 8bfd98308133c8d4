// Whether the open workspace takes writes from this login, and the words that say why not: the
// header's read-only chip, the tooltips of the write actions it disables, and a write refused
// anyway (the login's role changed after the workspace was opened).
import { BackendError } from './backend/ipc';
import { teamErrorText } from './team';

/** What the window knows about the open workspace's access (a `WorkspaceDto` fits). */
export interface Access {
  writable: boolean;
  is_server: boolean;
}

/** The writes the window offers, in the words a disabled button's tooltip uses. */
export type WriteAction =
  | 'import evidence'
  | 'record an analysis'
  | 'record a checkpoint'
  | 'create a signing key'
  | 'record a management response';

/** Why the open workspace takes no writes from this login, for the read-only chip; null when it
 * takes them (or no workspace is open). */
export function readOnlyReason(ws: Access | null | undefined): string | null {
  if (!ws || ws.writable) return null;
  return ws.is_server
    ? 'The server lets this login read the team workspace, not write to it: verifying, findings, ' +
        'reports and evidence packs work; imports, analyses, checkpoints and responses need the ' +
        "workspace's writer role (its owner grants it)."
    : 'This workspace file cannot be written here (its permissions or the disk it is on): ' +
        'verifying, findings, reports and evidence packs work; imports, analyses, checkpoints and ' +
        'responses do not.';
}

/** The tooltip of a write action the window disables for a read-only login; null when the
 * action is open to it. */
export function blockedWrite(ws: Access | null | undefined, action: WriteAction): string | null {
  if (!ws || ws.writable) return null;
  return ws.is_server
    ? `Read-only: this login may not ${action} in this team workspace.`
    : `Read-only: this workspace file cannot be written, so you cannot ${action} here.`;
}

/** Whether an error is the store's refusal to write (a read-only file, or a login without the
 * writer role). */
export function isReadOnlyRefusal(err: unknown): boolean {
  return err instanceof BackendError && err.code === 'read_only';
}

/** A failed write in words: a team workspace's refusal says the login may only read (the
 * shell's line, naming the login, follows); anything else is the shell's message. */
export function writeErrorText(err: unknown, ws: Access | null | undefined): string {
  if (isReadOnlyRefusal(err) && ws?.is_server) return teamErrorText(err);
  return err instanceof Error ? err.message : String(err);
}
