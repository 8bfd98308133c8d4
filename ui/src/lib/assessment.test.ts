// Tests for the Overview's assessment summary logic (percentages, severity segments, revoke bars).
import { describe, expect, it } from 'vitest';
import type { AssessmentDto } from './backend';
import { completenessPercent, credentialFigures, formatHours, gapParts, hasEvidence, revokeBars, severitySegments } from './assessment';

const empty: AssessmentDto = {
  as_of: '2026-01-15T09:00:00Z',
  events_with_chains: 0,
  complete_events: 0,
  severities: [
    { severity: 'critical', count: 0 },
    { severity: 'high', count: 0 },
    { severity: 'medium', count: 0 },
    { severity: 'low', count: 0 },
  ],
  functions: [],
  buckets: ['0-30', '31-60', '61-90', '>90', 'expired'].map((label) => ({ label, count: 0 })),
  time_to_revoke: [],
  evidence_gaps: [],
  leaver_credentials_revoked: null,
  credential_age: null,
  emergency_reviewed: null,
};

describe('completenessPercent', () => {
  it('is null, not 100 %, when no event needed a chain', () => {
    expect(completenessPercent(empty)).toBeNull();
  });
  it('rounds to one decimal as the CLI does, but an incomplete set never shows 100 %', () => {
    expect(completenessPercent({ events_with_chains: 3, complete_events: 2 })).toBe(66.7);
    // The case: 87.87… is 87.9 in `evidentia metrics`, and now in the app too.
    expect(completenessPercent({ events_with_chains: 132, complete_events: 116 })).toBe(87.9);
    expect(completenessPercent({ events_with_chains: 1000, complete_events: 999 })).toBe(99.9);
    expect(completenessPercent({ events_with_chains: 100000, complete_events: 99999 })).toBe(99.9);
    expect(completenessPercent({ events_with_chains: 4, complete_events: 4 })).toBe(100);
  });
});

describe('hasEvidence', () => {
  it('is false for an empty workspace and true once anything was judged', () => {
    expect(hasEvidence(empty)).toBe(false);
    expect(hasEvidence({ ...empty, events_with_chains: 1 })).toBe(true);
    expect(hasEvidence({ ...empty, buckets: [{ label: 'expired', count: 1 }] })).toBe(true);
  });
});

describe('severitySegments', () => {
  it('splits the width by count and skips empty severities', () => {
    const segs = severitySegments(
      [
        { severity: 'critical', count: 1 },
        { severity: 'high', count: 0 },
        { severity: 'medium', count: 3 },
        { severity: 'low', count: 0 },
      ],
      400,
    );
    expect(segs.map((s) => s.severity)).toEqual(['critical', 'medium']);
    expect(segs[0]).toMatchObject({ x: 0, width: 100 });
    expect(segs[1]).toMatchObject({ x: 100, width: 300 });
  });
  it('is empty with no findings', () => {
    expect(severitySegments(empty.severities, 400)).toEqual([]);
  });
});

describe('revokeBars', () => {
  it('scales every system to the longest p95', () => {
    const bars = revokeBars(
      [
        { system: 'okta', count: 4, median_hours: 2, p95_hours: 10 },
        { system: 'aws', count: 2, median_hours: 20, p95_hours: 40 },
      ],
      200,
    );
    expect(bars[0]).toMatchObject({ medianWidth: 10, p95Width: 50 });
    expect(bars[1]).toMatchObject({ medianWidth: 100, p95Width: 200 });
  });
  it('keeps zero-hour systems at zero width', () => {
    expect(revokeBars([{ system: 'x', count: 1, median_hours: 0, p95_hours: 0 }], 200)[0]?.p95Width).toBe(0);
  });
});

describe('formatHours', () => {
  it('uses minutes, hours or days', () => {
    expect(formatHours(0.5)).toBe('30 min');
    expect(formatHours(3.25)).toBe('3.3 h');
    expect(formatHours(30)).toBe('30 h');
    expect(formatHours(72)).toBe('3.0 d');
  });
});

describe('gapParts', () => {
  it('cuts a sentence around the check ids it names, keeping every character', () => {
    const s = 'Not imported: the exceptions register. Not assessed: EV-EXCEPTION-NO-OWNER, EV-EXCEPTION-TOO-LONG.';
    const parts = gapParts(s);
    expect(parts).toEqual([
      { text: 'Not imported: the exceptions register. Not assessed: ', check: false },
      { text: 'EV-EXCEPTION-NO-OWNER', check: true },
      { text: ', ', check: false },
      { text: 'EV-EXCEPTION-TOO-LONG', check: true },
      { text: '.', check: false },
    ]);
    expect(parts.map((p) => p.text).join('')).toBe(s);
  });
  it('leaves a sentence without check ids whole', () => {
    const s = 'No provisioning log for hr-portal, finance-app: removals and grants there are proven by snapshots only.';
    expect(gapParts(s)).toEqual([{ text: s, check: false }]);
    expect(gapParts('')).toEqual([]);
  });
});

describe('credentialFigures', () => {
  it('says not assessed (null), never 0 % or 100 %, when the evidence was not imported', () => {
    const figures = credentialFigures(empty);
    expect(figures.map((f) => f.value)).toEqual([null, null, null]);
    expect(figures[2]?.detail).toContain('no emergency-access register use');
  });
  it('shows the share of what was judged, all revoked reading 100 %', () => {
    const figures = credentialFigures({
      leaver_credentials_revoked: { part: 7, whole: 7 },
      credential_age: { count: 4, median_days: 58.6, p95_days: 76.2 },
      emergency_reviewed: { part: 8, whole: 10 },
    });
    expect(figures.map((f) => f.value)).toEqual(['100%', '59 d', '80%']);
    expect(figures[0]?.detail).toBe('7 of 7 leaver credentials judged, revoked within the SLA');
    expect(figures[1]?.detail).toContain('4 active credentials');
  });
});
