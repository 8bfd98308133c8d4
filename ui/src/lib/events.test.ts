import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTER,
  filterToQuery,
  formatDuration,
  eventKindLabel,
  pagesFor,
  scrollToShow,
  timing,
  visibleRange,
} from './events';

describe('visibleRange', () => {
  it('shows the rows under the viewport plus overscan, clamped to the table', () => {
    expect(visibleRange(0, 300, 30, 1_000_000, 5)).toEqual({ first: 0, last: 15 });
    expect(visibleRange(30_000, 300, 30, 1_000_000, 5)).toEqual({ first: 995, last: 1015 });
    expect(visibleRange(29_999_700, 300, 30, 1_000_000, 5)).toEqual({ first: 999_985, last: 1_000_000 });
  });
  it('is empty for an empty table', () => {
    expect(visibleRange(0, 300, 30, 0)).toEqual({ first: 0, last: 0 });
  });
  it('stays empty when the scroll position is past a table that shrank', () => {
    const r = visibleRange(90_000, 300, 30, 50, 5);
    expect(r.last).toBe(50);
    expect(r.first).toBeLessThanOrEqual(r.last);
  });
});

describe('pagesFor', () => {
  it('names every page the rows fall in', () => {
    expect(pagesFor(0, 15, 100)).toEqual([0]);
    expect(pagesFor(95, 115, 100)).toEqual([0, 1]);
    expect(pagesFor(100, 200, 100)).toEqual([1]);
    expect(pagesFor(10, 10, 100)).toEqual([]);
  });
});

describe('scrollToShow', () => {
  it('scrolls only when the row is out of view', () => {
    expect(scrollToShow(5, 0, 300, 30)).toBeNull();
    expect(scrollToShow(10, 0, 300, 30)).toBe(30);
    expect(scrollToShow(2, 300, 300, 30)).toBe(60);
  });
});

describe('filterToQuery', () => {
  it('turns "any" into null and trims text', () => {
    expect(filterToQuery(EMPTY_FILTER)).toEqual({
      kind: null,
      identity_class: null,
      system: null,
      status: null,
      identity: null,
    });
    expect(
      filterToQuery({ kind: 'leaver', identityClass: 'nhi', system: 'okta', status: 'late', identity: '  E12 ' }),
    ).toEqual({ kind: 'leaver', identity_class: 'nhi', system: 'okta', status: 'late', identity: 'E12' });
  });
});

describe('durations and SLA', () => {
  it('reads durations as people do', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(3600 * 2 + 300)).toBe('2 h 5 min');
    expect(formatDuration(86400 * 3 + 3600 * 4)).toBe('3 d 4 h');
    expect(formatDuration(-7200)).toBe('−2 h');
  });
  it('says whether a link beat its SLA', () => {
    expect(timing(3600, 86400)).toBe('1 h after · within SLA 1 d');
    expect(timing(2 * 86400, 86400)).toBe('2 d after · SLA 1 d exceeded by 1 d');
    expect(timing(-7200, 86400)).toBe('2 h before the event');
    expect(timing(null, 86400)).toBe('no time');
    expect(timing(60, null)).toBe('1 min after');
  });
  it('labels kinds', () => {
    expect(eventKindLabel('leaver')).toBe('Leaver');
    expect(eventKindLabel('nhi_owner_changed')).toBe('NHI owner changed');
  });
});
