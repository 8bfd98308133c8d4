// The Exceptions page's chart and table logic: aging bars laid out for SVG, and sorting.
import type { AgingBucketDto, ExceptionDto } from './backend';

export type Bar = { label: string; count: number; x: number; y: number; width: number; height: number; expired: boolean };

/** Bars for the aging buckets in a `width` × `height` plot, the tallest filling the height. */
export function agingBars(buckets: AgingBucketDto[], width: number, height: number, gap = 16): Bar[] {
  if (buckets.length === 0) return [];
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const barWidth = (width - gap * (buckets.length - 1)) / buckets.length;
  return buckets.map((b, i) => {
    const h = b.count === 0 ? 0 : Math.max(2, (b.count / max) * height);
    return {
      label: b.label,
      count: b.count,
      x: i * (barWidth + gap),
      y: height - h,
      width: barWidth,
      height: h,
      expired: b.label === 'expired',
    };
  });
}

export type SortKey = 'id' | 'owner' | 'approver' | 'granted_at' | 'expires_at' | 'age_days' | 'bucket' | 'reapprovals';

const BUCKETS = ['0-30', '31-60', '61-90', '>90', 'expired'];

/** Sorted copy; missing values sort last either way. */
export function sortExceptions(list: ExceptionDto[], key: SortKey, ascending: boolean): ExceptionDto[] {
  const value = (e: ExceptionDto): string | number | null => {
    if (key === 'bucket') return BUCKETS.indexOf(e.bucket);
    return e[key];
  };
  return [...list].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null && vb === null) return a.id.localeCompare(b.id);
    if (va === null) return 1;
    if (vb === null) return -1;
    const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return (ascending ? order : -order) || a.id.localeCompare(b.id);
  });
}

/** The governance problems of one exception, in words. */
export function flags(e: ExceptionDto): string[] {
  const out: string[] = [];
  if (e.expired_active) out.push('expired, still active');
  if (e.no_owner) out.push('no owner');
  if (e.no_expiry) out.push('no expiry');
  if (e.too_long) out.push('longer than policy');
  if (e.expiring_soon) out.push('expiring soon');
  return out;
}
