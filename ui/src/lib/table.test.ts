import { describe, expect, it } from 'vitest';
import { applyView, shownColumns, countLabel, csvCell, emptyView, exportName, filterOptions, isFiltered, nextSort, severityRank, toCsv, viewMatrix, type Column, type FilterDef } from './table';

type Row = { check: string; severity: string; system: string; when: string | null; n: number };
const rows: Row[] = [
  { check: 'EV-LEAVER', severity: 'high', system: 'okta', when: '2024-03-02T10:00:00Z', n: 10 },
  { check: 'EV-SOD', severity: 'medium', system: 'aws', when: '2024-04-10T00:00:00Z', n: 2 },
  { check: 'EV-ORPHAN', severity: 'critical', system: 'okta', when: null, n: 33 },
  { check: 'EV-MOVER', severity: 'high', system: 'github', when: '2024-03-31T23:59:00Z', n: 2 },
];
const columns: Column<Row>[] = [
  { id: 'check', label: 'Check', text: (r) => r.check },
  { id: 'severity', label: 'Severity', text: (r) => r.severity, sortKey: (r) => severityRank(r.severity) },
  { id: 'system', label: 'System', text: (r) => r.system },
  { id: 'n', label: 'Count', text: (r) => String(r.n), sortKey: (r) => r.n },
];
const filters: FilterDef<Row>[] = [
  { id: 'severity', label: 'Severity', value: (r) => r.severity },
  { id: 'system', label: 'System', value: (r) => r.system },
];
const checks = (rs: Row[]) => rs.map((r) => r.check);

describe('applyView', () => {
  it('keeps every row in page order when nothing is set', () => {
    expect(checks(applyView(rows, columns, emptyView(), filters))).toEqual(['EV-LEAVER', 'EV-SOD', 'EV-ORPHAN', 'EV-MOVER']);
  });
  it('searches every shown cell, all words, ignoring case', () => {
    const v = { ...emptyView(), search: 'OKTA high' };
    expect(checks(applyView(rows, columns, v, filters))).toEqual(['EV-LEAVER']);
    expect(applyView(rows, columns, { ...emptyView(), search: 'nowhere' })).toEqual([]);
  });
  it('applies select filters together', () => {
    const v = { ...emptyView(), filters: { severity: 'high', system: 'github' } };
    expect(checks(applyView(rows, columns, v, filters))).toEqual(['EV-MOVER']);
    expect(checks(applyView(rows, columns, { ...emptyView(), filters: { severity: '' } }, filters))).toHaveLength(4);
  });
  it('keeps dates within the inclusive range and drops undated rows', () => {
    const v = { ...emptyView(), from: '2024-03-02', to: '2024-03-31' };
    expect(checks(applyView(rows, columns, v, filters, (r) => r.when))).toEqual(['EV-LEAVER', 'EV-MOVER']);
  });
  it('sorts numbers as numbers, severities worst first, stably', () => {
    const byN = applyView(rows, columns, { ...emptyView(), sort: { column: 'n', dir: 'asc' } });
    expect(checks(byN)).toEqual(['EV-SOD', 'EV-MOVER', 'EV-LEAVER', 'EV-ORPHAN']);
    const bySev = applyView(rows, columns, { ...emptyView(), sort: { column: 'severity', dir: 'asc' } });
    expect(checks(bySev)).toEqual(['EV-ORPHAN', 'EV-LEAVER', 'EV-MOVER', 'EV-SOD']);
    const desc = applyView(rows, columns, { ...emptyView(), sort: { column: 'check', dir: 'desc' } });
    expect(checks(desc)).toEqual(['EV-SOD', 'EV-ORPHAN', 'EV-MOVER', 'EV-LEAVER']);
  });
});

describe('toolbar helpers', () => {
  it('leaves lower-priority columns out of narrow tables', () => {
    const cols: Column<Row>[] = [...columns.slice(0, 2), { ...columns[2]!, narrowHidden: true }];
    expect(shownColumns(cols, true).map((c) => c.id)).toEqual(['check', 'severity']);
    expect(shownColumns(cols, false).map((c) => c.id)).toEqual(['check', 'severity', 'system']);
  });
  it('cycles the sort of a header', () => {
    expect(nextSort(null, 'a')).toEqual({ column: 'a', dir: 'asc' });
    expect(nextSort({ column: 'a', dir: 'asc' }, 'a')).toEqual({ column: 'a', dir: 'desc' });
    expect(nextSort({ column: 'a', dir: 'desc' }, 'a')).toBeNull();
    expect(nextSort({ column: 'a', dir: 'desc' }, 'b')).toEqual({ column: 'b', dir: 'asc' });
  });
  it('offers the distinct values of a filter', () => {
    expect(filterOptions(rows, filters[1] as FilterDef<Row>)).toEqual(['aws', 'github', 'okta']);
  });
  it('counts shown of total', () => {
    expect(countLabel(12, 1300, 'findings')).toBe('12 of 1,300 findings');
    expect(countLabel(4, 4, 'findings')).toBe('4 findings');
    expect(isFiltered(emptyView())).toBe(false);
    expect(isFiltered({ ...emptyView(), filters: { severity: 'high' } })).toBe(true);
  });
  it('names export files safely', () => {
    expect(exportName('Findings / by check', 'csv', '2026-12-06')).toBe('findings-by-check-2026-12-06.csv');
  });
});

describe('CSV', () => {
  it('quotes and neutralises cells a spreadsheet would misread', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
  });
  it('writes exactly the shown columns and rows', () => {
    const shown = applyView(rows, columns.slice(0, 2), { ...emptyView(), filters: { system: 'okta' } }, filters);
    const m = viewMatrix(shown, columns.slice(0, 2));
    expect(toCsv(m.headers, m.rows)).toBe('Check,Severity\r\nEV-LEAVER,high\r\nEV-ORPHAN,critical\r\n');
  });
});
