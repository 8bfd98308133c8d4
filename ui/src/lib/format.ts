// Presentation helpers the pages share: pure functions, unit-tested with vitest.

/** `3f2a9c…d41e` — enough of a SHA-256 to recognise it; the full value is copied on click. */
export function shortHash(hex: string, head = 10, tail = 6): string {
  if (hex.length <= head + tail + 1) return hex;
  return `${hex.slice(0, head)}…${hex.slice(-tail)}`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** `2024-05-01T12:00:00.000000Z` → `2024-05-01 12:00:00 UTC`: auditors read UTC, unambiguously. */
export function formatTime(recorded: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(recorded);
  return m ? `${m[1]} ${m[2]} UTC` : recorded;
}

/** `2024-05-01 12:00`, for dense tables whose header says UTC. */
export function formatMinute(recorded: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(recorded);
  return m ? `${m[1]} ${m[2]}` : recorded;
}

/**
 * A timestamp to the minute, with its seconds when they are not zero: a campaign closed one
 * second after its due time must not read as closed exactly at it.
 */
export function formatMoment(time: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2}))?/.exec(time);
  if (!m) return time;
  return m[3] && m[3] !== '00' ? `${m[1]} ${m[2]}:${m[3]}` : `${m[1]} ${m[2]}`;
}

/** Just the UTC date of a timestamp, for columns where the day is what matters. */
export function formatDate(time: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(time);
  return m?.[1] ?? time;
}

/** A fraction as a whole percentage, clamped to 0..100; null when the total is unknown. */
export function percent(done: number, total: number | null | undefined): number | null {
  if (!total || total <= 0) return null;
  return Math.max(0, Math.min(100, Math.round((done / total) * 100)));
}

/** The last path component, for showing files and workspaces by name. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? path;
}

/** Record kinds as people say them. */
const KIND_LABELS: Record<string, string> = {
  identity: 'Identities',
  lifecycle_event: 'Lifecycle events',
  approval: 'Approvals',
  execution: 'Executions',
  reconciliation: 'Reconciliations',
  exception: 'Exceptions',
  activity: 'Activity',
  review_campaign: 'Review campaigns',
  review_decision: 'Review decisions',
  emergency_use: 'Emergency uses',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

/** Sorted `[kind, count]` pairs of a count map, largest first, zero counts left out. */
export function countsOf(map: { [key in string]?: number }): [string, number][] {
  return Object.entries(map)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function sum(map: { [key in string]?: number }): number {
  return countsOf(map).reduce((acc, [, n]) => acc + n, 0);
}

/**
 * A refused import's message, split for display: the summary line and one line per bad row.
 * The CLI's flag hint is dropped: the import page offers the same choice as a checkbox.
 */
export function splitRejection(
  message: string,
  file?: string,
): { summary: string; rows: string[] } {
  // The file is named in the result's title already; each line repeats it as `file:`.
  const unprefix = (line: string) =>
    file && line.startsWith(`${file}:`) ? line.slice(file.length + 1).trim() : line;
  const [first = '', ...rest] = message.split('\n');
  const summary = unprefix(first.replace(/\s*\(use --skip-invalid[^)]*\)/, ''));
  const rows = rest.map((r) => unprefix(r.trim())).filter((r) => r.length > 0);
  return { summary, rows };
}

/**
 * `value` to one decimal exactly as the CLI's `{:.1}` prints it (Rust formats the double's exact
 * decimal value, a tie going to the even digit), so the app and `evidentia metrics` never differ
 * by a tenth. Ties are found on the exact expansion (`toFixed` up to 60 digits is exact).
 */
export function oneDecimal(value: number): number {
  const exact = Math.abs(value).toFixed(60);
  const dot = exact.indexOf('.');
  const tenths = exact.slice(0, dot + 2);
  const rest = exact.slice(dot + 2);
  let n = Number(tenths.replace('.', ''));
  if (/^50*$/.test(rest)) n += n % 2; // an exact tie: to the even tenth
  else if (rest[0] !== undefined && rest[0] >= '5') n += 1;
  return (Math.sign(value) || 1) * (n / 10);
}

/**
 * A share as a percentage with one decimal, computed as the CLI computes it (`done / total`,
 * then × 100, then `{:.1}`); one exception, on purpose: an incomplete share never reads 100 %
 * (99.96 % shows 99.9, where `{:.1}` would print 100.0). Null when the total is zero.
 */
export function percentOneDecimal(done: number, total: number): number | null {
  if (total <= 0) return null;
  const p = oneDecimal((done / total) * 100);
  return p >= 100 && done < total ? 99.9 : p;
}

/** The rows of set entries a finding or attribute cites, as the CLI and the PDF write them:
 * `rows 17:5 17:6` (entry 17, rows 5 and 6); empty when it cites whole entries only. */
export function rowsText(rows: readonly { entry: number; row: number }[]): string {
  return rows.length === 0 ? '' : `rows ${rows.map((r) => `${r.entry}:${r.row}`).join(' ')}`;
}
