// The Overview's assessment summary: the DTO turned into a percentage, chart segments and bars, pure so it is tested without a window.
import type { AssessmentDto, RevokeDto, SeverityCountDto } from './backend';
import { percentOneDecimal } from './format';

/**
 * Chain completeness to one decimal, rounded as `evidentia metrics` rounds it (the one rounding
 * function, `percentOneDecimal`), or null when no event had to reach a system.
 */
export function completenessPercent(a: Pick<AssessmentDto, 'events_with_chains' | 'complete_events'>): number | null {
  return percentOneDecimal(a.complete_events, a.events_with_chains);
}

/** Whether there is anything to assess: no lifecycle events, findings or exceptions means no evidence yet. */
export function hasEvidence(a: AssessmentDto): boolean {
  return (
    a.events_with_chains > 0 ||
    a.severities.some((s) => s.count > 0) ||
    a.buckets.some((b) => b.count > 0) ||
    a.time_to_revoke.length > 0
  );
}

export type Segment = { severity: string; count: number; x: number; width: number };

/** A stacked bar of findings by severity across `width`; zero counts take no room. */
export function severitySegments(severities: SeverityCountDto[], width: number): Segment[] {
  const total = severities.reduce((n, s) => n + s.count, 0);
  if (total === 0) return [];
  let x = 0;
  return severities
    .filter((s) => s.count > 0)
    .map((s) => {
      const w = (s.count / total) * width;
      const seg = { severity: s.severity, count: s.count, x, width: w };
      x += w;
      return seg;
    });
}

export type RevokeBar = RevokeDto & { medianWidth: number; p95Width: number };

/** Per-system bars on one scale: the longest p95 fills `width`. */
export function revokeBars(rows: RevokeDto[], width: number): RevokeBar[] {
  const max = Math.max(0, ...rows.map((r) => r.p95_hours));
  const scale = (h: number) => (max <= 0 ? 0 : Math.max(h > 0 ? 2 : 0, (h / max) * width));
  return rows.map((r) => ({ ...r, medianWidth: scale(r.median_hours), p95Width: scale(r.p95_hours) }));
}

/** Hours in words fit for a table cell: minutes under an hour, days past 48 h. */
export function formatHours(h: number): string {
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 48) return `${h.toFixed(h < 10 ? 1 : 0)} h`;
  return `${(h / 24).toFixed(1)} d`;
}

export type GapPart = { text: string; check: boolean };

/**
 * An "Evidence not available" sentence cut around the check ids it names, so each id can be kept
 * on one line (a browser would otherwise break `EV-EXCEPTION-TOO-LONG` at its hyphens).
 */
export function gapParts(sentence: string): GapPart[] {
  const parts: GapPart[] = [];
  let last = 0;
  for (const m of sentence.matchAll(/\bEV(?:-[A-Z0-9]+)+/g)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: sentence.slice(last, at), check: false });
    parts.push({ text: m[0], check: true });
    last = at + m[0].length;
  }
  if (last < sentence.length) parts.push({ text: sentence.slice(last), check: false });
  return parts;
}

export type CredentialFigure = { label: string; value: string | null; detail: string };

/**
 * Issue #19's three figures as the Overview shows them: `value` null means "not assessed" (the
 * evidence was not imported), never 0 % or 100 %. Percentages round as `evidentia metrics` does.
 */
export function credentialFigures(
  a: Pick<AssessmentDto, 'leaver_credentials_revoked' | 'credential_age' | 'emergency_reviewed'>,
): CredentialFigure[] {
  const share = (s: { part: number; whole: number } | null) =>
    s === null ? null : `${percentOneDecimal(s.part, s.whole) ?? 0}%`;
  const age = a.credential_age;
  return [
    {
      label: 'Credentials revoked with their leaver',
      value: share(a.leaver_credentials_revoked),
      detail: a.leaver_credentials_revoked
        ? `${a.leaver_credentials_revoked.part} of ${a.leaver_credentials_revoked.whole} leaver credentials judged, revoked within the SLA`
        : 'no leaver credential was judged (no credential listing or log shows one held)',
    },
    {
      label: 'Median credential age',
      value: age ? `${Math.round(age.median_days)} d` : null,
      detail: age
        ? `${age.count} active credential${age.count === 1 ? '' : 's'} with a logged creation; p95 ${Math.round(age.p95_days)} d`
        : 'no active credential in a listing has a logged creation date',
    },
    {
      label: 'Emergency uses reviewed in time',
      value: share(a.emergency_reviewed),
      detail: a.emergency_reviewed
        ? `${a.emergency_reviewed.part} of ${a.emergency_reviewed.whole} register uses reviewed independently within the window`
        : 'no emergency-access register use in the period, or no review window in the policy',
    },
  ];
}
