import { describe, expect, it } from 'vitest';
import type { ExceptionDto } from './backend';
import { agingBars, flags, sortExceptions } from './exceptions';

const ex = (id: string, over: Partial<ExceptionDto> = {}): ExceptionDto => ({
  id,
  seq: 1,
  subject: null,
  system: null,
  entitlement: null,
  owner: 'E1',
  approver: 'E2',
  granted_at: '2025-01-01T00:00:00Z',
  expires_at: '2025-06-01T00:00:00Z',
  age_days: 10,
  bucket: '0-30',
  reapprovals: 0,
  expiring_soon: false,
  expired_active: false,
  no_owner: false,
  no_expiry: false,
  too_long: false,
  ...over,
});

describe('agingBars', () => {
  it('scales bars to the tallest and lays them out left to right', () => {
    const bars = agingBars(
      [
        { label: '0-30', count: 4 },
        { label: '31-60', count: 2 },
        { label: '61-90', count: 0 },
        { label: '>90', count: 1 },
        { label: 'expired', count: 3 },
      ],
      500,
      100,
      25,
    );
    expect(bars.map((b) => b.height)).toEqual([100, 50, 0, 25, 75]);
    expect(bars.map((b) => b.y)).toEqual([0, 50, 100, 75, 25]);
    expect(bars.map((b) => b.x)).toEqual([0, 105, 210, 315, 420]);
    expect(bars.every((b) => b.width === 80)).toBe(true);
    expect(bars.filter((b) => b.expired).map((b) => b.label)).toEqual(['expired']);
  });
  it('draws nothing tall when every bucket is empty', () => {
    expect(agingBars([{ label: '0-30', count: 0 }], 100, 50).map((b) => b.height)).toEqual([0]);
    expect(agingBars([], 100, 50)).toEqual([]);
  });
});

describe('sortExceptions', () => {
  const list = [
    ex('A', { age_days: 40, owner: null, bucket: '31-60' }),
    ex('B', { age_days: 5, owner: 'E9' }),
    ex('C', { age_days: 120, owner: 'E3', bucket: 'expired' }),
  ];
  it('sorts numbers and buckets in their order, either way', () => {
    expect(sortExceptions(list, 'age_days', true).map((e) => e.id)).toEqual(['B', 'A', 'C']);
    expect(sortExceptions(list, 'age_days', false).map((e) => e.id)).toEqual(['C', 'A', 'B']);
    expect(sortExceptions(list, 'bucket', false).map((e) => e.id)).toEqual(['C', 'A', 'B']);
  });
  it('keeps missing values last', () => {
    expect(sortExceptions(list, 'owner', true).map((e) => e.id)).toEqual(['C', 'B', 'A']);
    expect(sortExceptions(list, 'owner', false).map((e) => e.id)).toEqual(['B', 'C', 'A']);
  });
  it('names the governance problems', () => {
    expect(flags(ex('X', { expired_active: true, no_owner: true }))).toEqual(['expired, still active', 'no owner']);
    expect(flags(ex('Y'))).toEqual([]);
  });
});
