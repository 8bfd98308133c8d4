// The Integrity page's trust logic: which checkpoint to hand over, where exports go by default,
// whether a pack check can start, and how a pack's problems are shown. Pure functions.
import type { CheckpointDto, PackProblemDto } from './backend';
import { besideWorkspace } from './reports';
import { baseName } from './format';

export type TrustExport = 'public-key' | 'checkpoint';

/** The checkpoint to keep outside the workspace: the newest one with a signed note. */
export function latestSigned(checkpoints: readonly CheckpointDto[]): (CheckpointDto & { note: string }) | null {
  for (let i = checkpoints.length - 1; i >= 0; i -= 1) {
    const c = checkpoints[i];
    if (c && c.signed && c.note) return { ...c, note: c.note };
  }
  return null;
}

/** What a checkpoint row says about its signature. */
export function signatureLabel(c: CheckpointDto): { text: string; tone: 'ok' | 'warn' | 'muted'; title: string } {
  if (c.signed) {
    return { text: 'signed', tone: 'ok', title: 'A signed note vouches for this checkpoint' };
  }
  if (c.tree_root === null) {
    return {
      text: 'no tree root',
      tone: 'muted',
      title: 'Recorded before checkpoints carried a Merkle tree root; it cannot be signed',
    };
  }
  return {
    text: 'unsigned',
    tone: 'warn',
    title: 'Recorded without the workspace signing key: nobody vouched for it',
  };
}

/**
 * Where an export goes by default: beside the workspace, named after it
 * (`/audits/q3.evidentia` → `/audits/q3-public-key.pem`, `/audits/q3-checkpoint-1204.note`).
 */
export function defaultTrustExport(workspacePath: string, kind: TrustExport, entryCount?: number): string {
  if (kind === 'public-key') return besideWorkspace(workspacePath, 'public-key', 'pem');
  const suffix = entryCount === undefined ? 'checkpoint' : `checkpoint-${entryCount}`;
  return besideWorkspace(workspacePath, suffix, 'note');
}

/** The folder a path is in (`/home/a/keys/x.pem` → `/home/a/keys`). */
export function folderOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash > 0 ? path.slice(0, slash) : path;
}

/** Why a pack check cannot start yet, or null when it can. */
export function packCheckProblem(pack: string | null, earlier: string | null, key: string | null): string | null {
  if (!pack) return 'Choose the pack to check.';
  if (earlier && earlier === pack) return 'The earlier pack is the pack itself: choose an earlier pack of the same workspace.';
  if (key && (key === pack || key === earlier)) return 'The public key file is a pack: choose the key you received.';
  return null;
}

/** `ledger.jsonl: entry 3: payload hash mismatch`, or the reason alone when no file is named. */
export function problemText(p: PackProblemDto): string {
  return p.entry ? `${p.entry}: ${p.reason}` : p.reason;
}

/** The problem to show first, the rest (at most `shown` of them) and how many were left out. */
export function splitProblems(
  problems: readonly PackProblemDto[],
  shown = 200,
): { first: PackProblemDto | null; rest: PackProblemDto[]; hidden: number } {
  const [first = null, ...others] = problems;
  return { first, rest: others.slice(0, shown), hidden: Math.max(0, others.length - shown) };
}

/** What the signature line of an intact pack says. */
export function signatureVerdict(keyChecked: boolean, packSigned: boolean, keyPath: string | null): string {
  if (keyChecked) {
    return `The checkpoint is signed by the key in ${keyPath ? baseName(keyPath) : 'the file you chose'}.`;
  }
  if (packSigned) {
    return 'Not checked: the pack holds a signed checkpoint. Choose the public key you received from the workspace owner to check who vouched for it.';
  }
  return 'The pack holds no signed checkpoint (its workspace had no signing key); nothing vouches for its checkpoint but the pack itself.';
}

/** What an altered verdict means for the person holding the pack. */
export function alteredAdvice(
  problems: readonly PackProblemDto[],
  keyChecked: boolean,
  keyPath: string | null,
  againstChecked: boolean,
): string {
  const key = keyPath ? baseName(keyPath) : 'the key you chose';
  if (keyChecked && problems.length > 0 && problems.every((p) => p.entry === 'checkpoint.note')) {
    return `The pack's files and ledger may be intact, but its checkpoint is not signed by ${key}. Ask the workspace owner, through another channel, whether that is their public key; if it is, do not rely on this pack.`;
  }
  const extra = [
    keyChecked ? `is not signed by ${key}` : null,
    againstChecked ? 'does not extend the earlier pack' : null,
  ].filter((s): s is string => s !== null);
  const tail = extra.length > 0 ? `, or ${extra.join(', or ')}` : '';
  return `Do not rely on this pack: it is not exactly what was made from the workspace${tail}.`;
}
