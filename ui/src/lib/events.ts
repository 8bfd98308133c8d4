// The Events table's pure logic: which rows a scroll position shows, which pages to fetch,
// how the filter form becomes the backend's query, and how link times read against the SLA.
import type { EventFilterDto } from './backend';

/** The filter form: empty strings mean "any". */
export type EventFilterForm = {
  kind: string;
  identityClass: string;
  system: string;
  status: string;
  identity: string;
};

export const EMPTY_FILTER: EventFilterForm = { kind: '', identityClass: '', system: '', status: '', identity: '' };

const orNull = (v: string) => (v.trim() === '' ? null : v.trim());

/** The query the backend takes: "any" is null, text is trimmed. */
export function filterToQuery(f: EventFilterForm): EventFilterDto {
  return {
    kind: orNull(f.kind),
    identity_class: orNull(f.identityClass),
    system: orNull(f.system),
    status: orNull(f.status),
    identity: orNull(f.identity),
  };
}

/** The rows a viewport shows, with `overscan` rows either side; `last` is exclusive. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  overscan = 10,
): { first: number; last: number } {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: 0 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first: Math.min(first, last), last };
}

/** The page indexes that hold rows `first..last` (exclusive). */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
  if (last <= first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor((last - 1) / pageSize); p += 1) pages.push(p);
  return pages;
}

/** The scrollTop that brings row `index` into view, or null when it already is. */
export function scrollToShow(index: number, scrollTop: number, viewport: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return null;
}

/** `2 h 5 min`, `3 d 4 h`, `45 s`: how long after (or, negative, before) the event. */
export function formatDuration(secs: number): string {
  const sign = secs < 0 ? '−' : '';
  let s = Math.abs(secs);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  if (d > 0) return `${sign}${d} d${h > 0 ? ` ${h} h` : ''}`;
  if (h > 0) return `${sign}${h} h${m > 0 ? ` ${m} min` : ''}`;
  if (m > 0) return `${sign}${m} min`;
  return `${sign}${s} s`;
}

/** A link's time read against the system's SLA, in words. */
export function timing(afterEventSecs: number | null, slaSecs: number | null): string {
  if (afterEventSecs === null) return 'no time';
  if (afterEventSecs < 0) return `${formatDuration(-afterEventSecs)} before the event`;
  const after = `${formatDuration(afterEventSecs)} after`;
  if (slaSecs === null) return after;
  return afterEventSecs <= slaSecs
    ? `${after} · within SLA ${formatDuration(slaSecs)}`
    : `${after} · SLA ${formatDuration(slaSecs)} exceeded by ${formatDuration(afterEventSecs - slaSecs)}`;
}

/** Status → pill colour. */
export function statusTone(status: string): 'ok' | 'warn' | 'bad' | '' {
  if (status === 'complete' || status === 'met') return 'ok';
  if (status === 'late' || status === 'unconfirmed' || status === 'findings') return 'warn';
  if (status === 'missing' || status === 'failed' || status === 'contradicted') return 'bad';
  return '';
}

/** `nhi_owner_changed` → `NHI owner changed`. */
export function eventKindLabel(kind: string): string {
  const words = kind.split('_').join(' ');
  return words.startsWith('nhi ') ? `NHI ${words.slice(4)}` : words.charAt(0).toUpperCase() + words.slice(1);
}
