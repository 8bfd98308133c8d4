// Unit tests of the presentation helpers in format.ts.
import { describe, expect, it } from 'vitest';
import {
  baseName,
  rowsText,
  countsOf,
  formatBytes,
  formatDate,
  formatMinute,
  formatMoment,
  formatTime,
  kindLabel,
  percent,
  plural,
  shortHash,
  splitRejection,
  sum,
} from './format';
import { oneDecimal } from './format';

describe('shortHash', () => {
  it('keeps both ends of a long hash', () => {
    const h = 'a'.repeat(10) + 'b'.repeat(48) + 'c'.repeat(6);
    expect(shortHash(h)).toBe('aaaaaaaaaa…cccccc');
  });
  it('leaves short text alone', () => expect(shortHash('abc')).toBe('abc'));
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [50 * 1024 * 1024, '50 MiB'],
  ])('%d → %s', (n, s) => expect(formatBytes(n)).toBe(s));
});

describe('formatTime', () => {
  it('shows ledger times in UTC', () =>
    expect(formatTime('2024-05-01T12:00:00.000000Z')).toBe('2024-05-01 12:00:00 UTC'));
  it('passes through what it does not recognise', () => expect(formatTime('soon')).toBe('soon'));
  it('gives the minute for dense tables', () =>
    expect(formatMinute('2024-05-01T12:34:56.000000Z')).toBe('2024-05-01 12:34'));
  it('shows seconds only when they are not zero', () => {
    expect(formatMoment('2025-04-30T17:00:00Z')).toBe('2025-04-30 17:00');
    expect(formatMoment('2025-04-30T17:00:01Z')).toBe('2025-04-30 17:00:01');
    expect(formatMoment('not a time')).toBe('not a time');
  });
  it('gives the day alone', () => expect(formatDate('2024-03-31T00:00:00+00:00')).toBe('2024-03-31'));
});

describe('percent', () => {
  it('rounds and clamps', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 4)).toBe(100);
  });
  it('is unknown without a total', () => {
    expect(percent(5, null)).toBeNull();
    expect(percent(5, 0)).toBeNull();
  });
});

describe('counts', () => {
  it('orders by count and drops zeros', () => {
    expect(countsOf({ execution: 3, identity: 0, approval: 5 })).toEqual([
      ['approval', 5],
      ['execution', 3],
    ]);
    expect(sum({ execution: 3, approval: 5 })).toBe(8);
  });
  it('labels kinds', () => {
    expect(kindLabel('lifecycle_event')).toBe('Lifecycle events');
    expect(kindLabel('emergency_use')).toBe('Emergency uses');
    expect(kindLabel('new_kind')).toBe('new kind');
  });
  it('pluralises', () => {
    expect(plural(1, 'row')).toBe('1 row');
    expect(plural(1200, 'row')).toBe('1,200 rows');
  });
});

describe('baseName', () => {
  it('handles both separators', () => {
    expect(baseName('/tmp/a/b.csv')).toBe('b.csv');
    expect(baseName('C:\\x\\y.evidentia')).toBe('y.evidentia');
  });
});

describe('splitRejection', () => {
  it('splits summary and rows and drops the CLI flag hint', () => {
    const msg =
      'p.csv: 2 invalid rows; nothing was imported (use --skip-invalid to import the valid rows and record the rest)\n  p.csv:3: bad time\n  p.csv:5: no account';
    expect(splitRejection(msg)).toEqual({
      summary: 'p.csv: 2 invalid rows; nothing was imported',
      rows: ['p.csv:3: bad time', 'p.csv:5: no account'],
    });
  });
  it('drops the file name the result already shows', () => {
    const msg = '/d/p.csv: 1 invalid row; nothing was imported\n  /d/p.csv:line 5: bad date';
    expect(splitRejection(msg, '/d/p.csv')).toEqual({
      summary: '1 invalid row; nothing was imported',
      rows: ['line 5: bad date'],
    });
  });
});

describe('oneDecimal', () => {
  it("prints what Rust's {:.1} prints", () => {
    // Exact ties go to the even tenth (6.25 is exact in binary); others to the nearest.
    expect(oneDecimal(6.25)).toBe(6.2);
    expect(oneDecimal(6.75)).toBe(6.8);
    expect(oneDecimal(0.15)).toBe(0.1); // 0.1499999… as a double
    expect(oneDecimal(87.87878787)).toBe(87.9);
    expect(oneDecimal(-2.26)).toBe(-2.3);
    expect(oneDecimal(100)).toBe(100);
  });
});

describe('rowsText', () => {
  it('names each cited row of a set entry as entry:row, and nothing for whole entries', () => {
    expect(rowsText([])).toBe('');
    expect(rowsText([{ entry: 17, row: 5 }, { entry: 17, row: 6 }, { entry: 20, row: 1 }])).toBe('rows 17:5 17:6 20:1');
  });
});
