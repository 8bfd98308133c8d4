// Team workspaces (PostgreSQL) as the window shows them: where a workspace is, and what a
// refusal to open one means, by the shell's error code.
import { BackendError } from './backend/ipc';
import { baseName } from './format';

/** What the header and the recent list show for a workspace's location: a file's name, or a
 * team workspace's URL (the shell never sends its password). */
export function locationLabel(path: string): string {
  return isServerLocation(path) ? path : baseName(path);
}

/** Whether a recent-list entry or a workspace path is a team workspace's URL. */
export function isServerLocation(path: string): boolean {
  return /^postgres(ql)?:\/\//i.test(path);
}

/** The database a team workspace's URL names (`postgres://alice@host/eng` → `eng`). */
export function databaseName(url: string): string {
  const rest = url.replace(/^[a-z]+:\/\//i, '');
  const slash = rest.indexOf('/');
  if (slash < 0) return url;
  const db = rest.slice(slash + 1).split(/[?#]/)[0] ?? '';
  return db === '' ? url : decodeURIComponent(db);
}

/** A refusal to open a team workspace, in words that say what to do; the shell's message
 * (one line, naming the URL without its password) follows. */
export function teamErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof BackendError)) return message;
  switch (err.code) {
    case 'unreachable':
      return `The server could not be reached; check the host, port and network. ${message}`;
    case 'unauthorized':
      return `The server refused the login; check the user name and password. ${message}`;
    case 'read_only':
      return `This login may only read the workspace. ${message}`;
    case 'busy':
      return `Another auditor is writing to the workspace; try again in a moment. ${message}`;
    case 'not_a_workspace':
      return `That database is not an Evidentia workspace (create one with \`evidentia init\`). ${message}`;
    default:
      return message;
  }
}
