// The table toolbar's logic, pure and unit-tested: search, filters, sort and the CSV of exactly
// the rows and columns a table shows, so "Export view" can never disagree with the screen.

/** One column as the page shows it: its header and the text of its cell in a row. */
export type Column<R> = {
  id: string;
  label: string;
  /** The cell's text as shown (and exported). */
  text: (row: R) => string;
  /** A sort key when the text does not sort right (numbers, severities); defaults to the text. */
  sortKey?: (row: R) => string | number;
  /** Left out of the table (and so of its export) in a narrow window: lower-priority columns go first. */
  narrowHidden?: boolean;
};

/** The columns a table shows at this width: all, or those that are not `narrowHidden`. */
export function shownColumns<R>(columns: readonly Column<R>[], narrow: boolean): Column<R>[] {
  return narrow ? columns.filter((c) => !c.narrowHidden) : [...columns];
}

/** A select filter over one column: the distinct values offered, '' meaning any. */
export type FilterDef<R> = { id: string; label: string; value: (row: R) => string };

export type SortState = { column: string; dir: 'asc' | 'desc' } | null;

/** The state of one table's toolbar; kept in the app state so it survives leaving the page. */
export type TableView = {
  search: string;
  filters: Record<string, string>;
  from: string;
  to: string;
  sort: SortState;
};

export function emptyView(): TableView {
  return { search: '', filters: {}, from: '', to: '', sort: null };
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** Severities sort worst first, not alphabetically. */
export function severityRank(s: string): number {
  return SEVERITY_RANK[s.toLowerCase()] ?? 9;
}

/** The distinct values of a filter over the rows, sorted, for its select. */
export function filterOptions<R>(rows: readonly R[], f: FilterDef<R>): string[] {
  const seen = new Set<string>();
  for (const r of rows) {
    const v = f.value(r);
    if (v) seen.add(v);
  }
  return [...seen].sort((a, b) => a.localeCompare(b));
}

/**
 * The rows the toolbar leaves, in its order: every search word must appear (case-insensitive)
 * in some shown cell; each set filter must equal its value; a date range keeps rows whose date
 * (YYYY-MM-DD prefix) is within it, inclusive, and drops rows without one.
 */
export function applyView<R>(
  rows: readonly R[],
  columns: readonly Column<R>[],
  view: TableView,
  filters: readonly FilterDef<R>[] = [],
  date?: (row: R) => string | null,
): R[] {
  const words = view.search.toLowerCase().split(/\s+/).filter((w) => w);
  const active = filters.filter((f) => view.filters[f.id]);
  let out = rows.filter((r) => {
    for (const f of active) if (f.value(r) !== view.filters[f.id]) return false;
    if (date && (view.from || view.to)) {
      const d = (date(r) ?? '').slice(0, 10);
      if (!d) return false;
      if (view.from && d < view.from) return false;
      if (view.to && d > view.to) return false;
    }
    if (words.length > 0) {
      const hay = columns.map((c) => c.text(r)).join('\u0000').toLowerCase();
      if (!words.every((w) => hay.includes(w))) return false;
    }
    return true;
  });
  const sort = view.sort;
  const col = sort ? columns.find((c) => c.id === sort.column) : undefined;
  if (sort && col) {
    const key = col.sortKey ?? col.text;
    const sign = sort.dir === 'asc' ? 1 : -1;
    // Stable: equal keys keep the page's own order.
    out = out
      .map((r, i) => ({ r, i, k: key(r) }))
      .sort((a, b) => {
        const c =
          typeof a.k === 'number' && typeof b.k === 'number'
            ? a.k - b.k
            : String(a.k).localeCompare(String(b.k), 'en', { numeric: true });
        return c !== 0 ? c * sign : a.i - b.i;
      })
      .map((x) => x.r);
  }
  return out;
}

/** Clicking a header: ascending, then descending, then the page's own order. */
export function nextSort(current: SortState, column: string): SortState {
  if (!current || current.column !== column) return { column, dir: 'asc' };
  if (current.dir === 'asc') return { column, dir: 'desc' };
  return null;
}

/** "12 of 130 findings", or "130 findings" when nothing is filtered out. */
export function countLabel(shown: number, total: number, noun: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return shown === total ? `${n(total)} ${noun}` : `${n(shown)} of ${n(total)} ${noun}`;
}

/** Whether any search, filter or date narrows the table. */
export function isFiltered(view: TableView): boolean {
  return view.search.trim() !== '' || view.from !== '' || view.to !== '' || Object.values(view.filters).some((v) => v);
}

/**
 * A cell as spreadsheet-safe CSV text: a leading `=`, `+`, `-`, `@`, tab or carriage return
 * gets a `'` so a spreadsheet shows it instead of running it (as evidentia-pack's `neutralize`
 * does for the CLI's exports); quoted when it holds a comma, quote or line break.
 */
export function csvCell(value: string): string {
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** The header and rows as CSV (RFC 4180, CRLF line ends, one header row). */
export function toCsv(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The shown columns' headers and the shown rows' cells, the shape an export takes. */
export function viewMatrix<R>(rows: readonly R[], columns: readonly Column<R>[]): { headers: string[]; rows: string[][] } {
  return { headers: columns.map((c) => c.label), rows: rows.map((r) => columns.map((c) => c.text(r))) };
}

/** A file name for an export: the table's name and today's date, safe on every system. */
export function exportName(title: string, extension: string, today: string): string {
  const base = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'table';
  return `${base}-${today}.${extension}`;
}
