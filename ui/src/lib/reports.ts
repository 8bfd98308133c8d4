// The Reports page's choices: what each output is, and where it goes by default (beside the
// workspace, named after it, the framework and the day, so outputs never overwrite each other).
import { databaseName, isServerLocation } from './team';

export type OutputKind = 'pdf' | 'oscal' | 'pack';

export const OUTPUTS: { kind: OutputKind; label: string; what: string; extension: string; filter: string }[] = [
  {
    kind: 'pdf',
    label: 'PDF report',
    what: 'Cover, executive summary, control table, findings with evidence references, exception aging, metrics and the evidence index with hashes.',
    extension: 'pdf',
    filter: 'PDF report',
  },
  {
    kind: 'oscal',
    label: 'OSCAL assessment results',
    what: 'The same assessment as OSCAL 1.2 JSON, for GRC tools that read OSCAL.',
    extension: 'json',
    filter: 'OSCAL JSON',
  },
  {
    kind: 'pack',
    label: 'Evidence pack',
    what: 'One zip: the report, CSV/JSON exports, OSCAL, raw artifacts, the ledger, a manifest and SHA256SUMS that verify offline.',
    extension: 'zip',
    filter: 'Evidence pack',
  },
];

const SUFFIX: Record<OutputKind, string> = { pdf: 'report', oscal: 'oscal', pack: 'pack' };

/** `/audits/q3.evidentia`, `report-x`, `pdf` → `/audits/q3-report-x.pdf`: a file beside the workspace, named after it. */
export function besideWorkspace(workspacePath: string, suffix: string, extension: string): string {
  // A team workspace has no folder here: only a name (after its database) is proposed, and the
  // save dialog chooses where.
  if (isServerLocation(workspacePath)) return `${databaseName(workspacePath)}-${suffix}.${extension}`;
  const slash = Math.max(workspacePath.lastIndexOf('/'), workspacePath.lastIndexOf('\\'));
  const dir = slash >= 0 ? workspacePath.slice(0, slash + 1) : '';
  const file = workspacePath.slice(slash + 1);
  const stem = file.includes('.') ? file.slice(0, file.lastIndexOf('.')) : file;
  return `${dir}${stem || 'evidentia'}-${suffix}.${extension}`;
}

/** `/audits/q3.evidentia` → `/audits/q3-report-nist-csf-2.0-2026-01-15.pdf`. */
export function defaultOutput(workspacePath: string, kind: OutputKind, framework: string, today: string): string {
  const ext = OUTPUTS.find((o) => o.kind === kind)?.extension ?? kind;
  return besideWorkspace(workspacePath, `${SUFFIX[kind]}-${framework}-${today}`, ext);
}

/** A period is valid when both ends are empty or dates, and it does not end before it starts. */
export function periodProblem(from: string, to: string): string | null {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (from && !date.test(from)) return 'The start is not a date.';
  if (to && !date.test(to)) return 'The end is not a date.';
  if (from && to && from > to) return 'The period ends before it starts.';
  return null;
}
