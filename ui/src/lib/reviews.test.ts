import { describe, expect, it } from 'vitest';
import type { CampaignDto, ReviewRevokeDto, ReviewSystemDto, ReviewerDto } from './backend';
import {
  campaignState,
  coverageTone,
  isRubberStamp,
  itemText,
  paceBars,
  populationNote,
  prettyPayload,
  removalText,
  revokeLabel,
  revokeSteps,
  revokeTone,
  reviewProfiles,
  share,
  statusCounts,
  thresholdText,
} from './reviews';

const system = (over: Partial<ReviewSystemDto> = {}): ReviewSystemDto => ({
  system: 'finance-app',
  snapshot_at: '2025-02-28T00:00:00Z',
  snapshot_entries: [5, 6],
  population: 4,
  decided: 3,
  decided_on_time: 3,
  keep: 2,
  revoke: 1,
  modify: 0,
  undecided: 1,
  removal_hours: { count: 1, median: 36, p95: 36 },
  ...over,
});

const campaign = (over: Partial<CampaignDto> = {}): CampaignDto => ({
  id: 'Q1-2025',
  name: 'Q1 finance review',
  seq: 20,
  started_at: '2025-03-01T00:00:00Z',
  due_at: '2025-03-15T00:00:00Z',
  closed_at: null,
  overdue: false,
  population: 4,
  decided: 3,
  decided_on_time: 3,
  systems: [system()],
  revokes: [],
  reviewers: [],
  outside_population: [],
  findings: 0,
  ...over,
});

const revoke = (over: Partial<ReviewRevokeDto> = {}): ReviewRevokeDto => ({
  decision_seq: 22,
  verdict: 'revoke',
  system: 'finance-app',
  account: 'bob.lee',
  entitlement: 'GL-Admin',
  identity: 'bob.lee',
  reviewer: 'carol.diaz',
  decided_at: '2025-03-03T09:00:00Z',
  deadline: '2025-03-10T09:00:00Z',
  removal_seq: 12,
  removal_row: 40,
  removed_at: '2025-03-05T10:00:00Z',
  confirmation_seq: 9,
  confirmation_row: null,
  confirmation_at: '2025-03-31T00:00:00Z',
  confirmation_held: false,
  status: 'on_time',
  ...over,
});

const reviewer = (name: string, decisions: number, burst: number, allKeep: boolean): ReviewerDto => ({
  reviewer: name,
  decisions,
  keep: allKeep ? decisions : decisions - 1,
  revoke: allKeep ? 0 : 1,
  modify: 0,
  fastest_burst: burst,
  fastest_burst_all_keep: allKeep,
});

const THRESHOLD = { decisions: 20, seconds: 60 };

describe('campaignState', () => {
  it('is open, closed or overdue, overdue winning over either', () => {
    expect(campaignState(campaign()).label).toBe('open');
    expect(campaignState(campaign({ closed_at: '2025-03-14T17:00:00Z' })).label).toBe('closed');
    const lateClosed = campaignState(campaign({ closed_at: '2025-03-20T00:00:00Z', overdue: true }));
    expect(lateClosed).toMatchObject({ label: 'overdue', tone: 'bad', title: 'Closed after its due date' });
    expect(campaignState(campaign({ overdue: true })).title).toBe('Still open after its due date');
  });
});

describe('share', () => {
  it('never rounds an incomplete review up to 100 or a started one down to 0', () => {
    expect(share(999, 1000)).toBe(99);
    expect(share(1, 1000)).toBe(1);
    expect(share(0, 1000)).toBe(0);
    expect(share(1000, 1000)).toBe(100);
    expect(share(1, 3)).toBe(33);
  });

  it('is null without an established population', () => {
    expect(share(0, 0)).toBeNull();
    expect(share(2, 0)).toBeNull();
  });
});

describe('coverageTone', () => {
  it('is ok when complete, under way while open, bad when short at close or past due', () => {
    expect(coverageTone(campaign({ decided: 4 }))).toBe('ok');
    expect(coverageTone(campaign())).toBe('accent');
    expect(coverageTone(campaign({ closed_at: '2025-03-14T00:00:00Z' }))).toBe('bad');
    expect(coverageTone(campaign({ overdue: true }))).toBe('bad');
    expect(coverageTone(campaign({ population: 0, decided: 0 }))).toBe('');
  });
});

describe('populationNote', () => {
  it('names a system whose population was never drawn', () => {
    expect(populationNote(system())).toBeNull();
    expect(populationNote(system({ snapshot_at: null, population: 0 }))).toBe(
      'population not established — no snapshot at or before the start',
    );
  });
});

describe('removalText', () => {
  it('gives the median and p95, or a dash when nothing was removed', () => {
    expect(removalText(system({ removal_hours: { count: 3, median: 36, p95: 70 } }))).toBe('p50 36 h · p95 2.9 d');
    expect(removalText(system({ removal_hours: null }))).toBe('—');
  });
});

describe('revoke status', () => {
  it('takes the Events page colours: on time ok, late and unlogged warn, not executed and contradicted bad', () => {
    expect(revokeTone('on_time')).toBe('ok');
    expect(revokeTone('late')).toBe('warn');
    expect(revokeTone('removed_unlogged')).toBe('warn');
    expect(revokeTone('not_executed')).toBe('bad');
    expect(revokeTone('contradicted')).toBe('bad');
    expect(revokeTone('not_yet_due')).toBe('');
  });

  it('reads as words', () => {
    expect(revokeLabel('on_time')).toBe('on time');
    expect(revokeLabel('removed_unlogged')).toBe('removed, not logged');
    expect(revokeLabel('something_new')).toBe('something new');
  });

  it('counts revokes per status, the worst first', () => {
    const counts = statusCounts([
      revoke({ status: 'on_time' }),
      revoke({ status: 'late' }),
      revoke({ status: 'on_time' }),
      revoke({ status: 'not_executed' }),
    ]);
    expect(counts.map((c) => [c.label, c.count, c.tone])).toEqual([
      ['not executed', 1, 'bad'],
      ['late', 1, 'warn'],
      ['on time', 2, 'ok'],
    ]);
    expect(statusCounts([])).toEqual([]);
  });

  it('names the item, or the account itself', () => {
    expect(itemText(revoke())).toBe('finance-app · bob.lee · GL-Admin');
    expect(itemText(revoke({ entitlement: null }))).toBe('finance-app · bob.lee · the account itself');
  });
});

describe('revokeSteps', () => {
  const summary = (r: ReviewRevokeDto) => revokeSteps(r).map((s) => [s.step, s.seq, s.status, s.tone]);

  it('follows an on-time revoke to its removal and the snapshot that no longer shows it', () => {
    expect(summary(revoke())).toEqual([
      ['decision', 22, 'revoke', 'ok'],
      ['execution', 12, 'complete', 'ok'],
      ['confirmation', 9, 'complete', 'ok'],
    ]);
    expect(revokeSteps(revoke())[1]?.note).toBe('2 d 1 h after the decision');
    expect(revokeSteps(revoke())[0]?.note).toBe('by carol.diaz');
  });

  it('opens the removal at its row of the set of executions, the rest as whole entries', () => {
    expect(revokeSteps(revoke()).map((s) => [s.seq, s.row])).toEqual([
      [22, 0],
      [12, 40],
      [9, 0],
    ]);
    expect(revokeSteps(revoke({ confirmation_row: 7 }))[2]?.row).toBe(7);
    const missing = revokeSteps(revoke({ status: 'not_executed', removal_seq: null, removal_row: null, removed_at: null }));
    expect([missing[1]?.seq, missing[1]?.row]).toEqual([null, 0]);
  });

  it('marks a late removal late', () => {
    const steps = revokeSteps(revoke({ status: 'late', removed_at: '2025-03-12T09:00:00Z' }));
    expect(steps[1]).toMatchObject({ status: 'late', tone: 'warn', note: '9 d after the decision' });
  });

  it('counts a removal before the decision as at it', () => {
    expect(revokeSteps(revoke({ removed_at: '2025-03-02T00:00:00Z' }))[1]?.note).toBe('removed before the decision');
  });

  it('shows a removal the next snapshot contradicts', () => {
    const r = revoke({ status: 'contradicted', confirmation_held: true });
    expect(summary(r)[2]).toEqual(['confirmation', 9, 'contradicted', 'bad']);
    expect(summary(r)[1]).toEqual(['execution', 12, 'complete', 'ok']);
  });

  it('shows a revoke never executed, the snapshot after the deadline still holding it', () => {
    const r = revoke({ status: 'not_executed', removal_seq: null, removed_at: null, confirmation_held: true });
    expect(summary(r)).toEqual([
      ['decision', 22, 'revoke', 'ok'],
      ['execution', null, 'missing', 'bad'],
      ['confirmation', 9, 'still held', 'bad'],
    ]);
  });

  it('shows a revoke never executed with no snapshot since', () => {
    const r = revoke({
      status: 'not_executed',
      removal_seq: null,
      removed_at: null,
      confirmation_seq: null,
      confirmation_at: null,
      confirmation_held: null,
    });
    expect(revokeSteps(r)[2]).toMatchObject({ status: 'unconfirmed', tone: 'warn', note: 'no snapshot at or after the deadline' });
  });

  it('shows a removal only a later snapshot proves', () => {
    const r = revoke({ status: 'removed_unlogged', removal_seq: null, removed_at: null });
    expect(summary(r).slice(1)).toEqual([
      ['execution', null, 'unconfirmed', 'warn'],
      ['confirmation', 9, 'complete', 'ok'],
    ]);
  });

  it('leaves a revoke not yet due neutral', () => {
    const r = revoke({
      status: 'not_yet_due',
      removal_seq: null,
      removed_at: null,
      confirmation_seq: null,
      confirmation_at: null,
      confirmation_held: null,
    });
    expect(summary(r).slice(1)).toEqual([
      ['execution', null, 'pending', ''],
      ['confirmation', null, 'pending', ''],
    ]);
  });

  it('says when no snapshot followed a removal', () => {
    const r = revoke({ confirmation_seq: null, confirmation_at: null, confirmation_held: null });
    expect(revokeSteps(r)[2]).toMatchObject({ status: 'unconfirmed', note: 'no snapshot after the removal' });
  });
});

describe('rubber stamps', () => {
  it('flags a burst at or over the threshold only when it is all keep', () => {
    expect(isRubberStamp(reviewer('a', 30, 20, true), THRESHOLD)).toBe(true);
    expect(isRubberStamp(reviewer('b', 30, 19, true), THRESHOLD)).toBe(false);
    expect(isRubberStamp(reviewer('c', 30, 25, false), THRESHOLD)).toBe(false);
    expect(isRubberStamp(reviewer('d', 1, 1, true), { decisions: 0, seconds: 60 })).toBe(false);
  });

  it('states the threshold', () => {
    expect(thresholdText(THRESHOLD)).toBe('20 decisions within 1 min');
    expect(thresholdText({ decisions: 5, seconds: 45 })).toBe('5 decisions within 45 s');
  });
});

describe('paceBars', () => {
  it('scales to the largest count, one row per reviewer, the burst over the decisions', () => {
    const { bars, thresholdX, height } = paceBars(
      [reviewer('ann', 40, 20, true), reviewer('ben', 10, 2, false)],
      THRESHOLD,
      400,
      24,
    );
    expect(bars.map((b) => [b.reviewer, b.y, b.decisionsWidth, b.burstWidth, b.flagged])).toEqual([
      ['ann', 0, 400, 200, true],
      ['ben', 24, 100, 20, false],
    ]);
    expect(thresholdX).toBe(200);
    expect(height).toBe(48);
  });

  it('keeps the threshold on the scale when everyone is below it', () => {
    const { bars, thresholdX } = paceBars([reviewer('ann', 5, 3, true)], THRESHOLD, 400, 24);
    expect(thresholdX).toBe(400);
    expect(bars[0]?.decisionsWidth).toBe(100);
  });

  it('draws nothing for no decisions, and a sliver for one', () => {
    const { bars } = paceBars([reviewer('z', 0, 0, true), reviewer('o', 1, 1, true)], { decisions: 1000, seconds: 60 }, 400, 24);
    expect(bars.map((b) => b.decisionsWidth)).toEqual([0, 2]);
  });
});

describe('reviewProfiles', () => {
  it('lists the generic profile first, then the vendor review exports', () => {
    expect(reviewProfiles(['hr-extract', 'provisioning-csv'])).toEqual(['access-review']);
    expect(
      reviewProfiles(['sailpoint-certification', 'access-review', 'hr-extract', 'conductorone-access-review']),
    ).toEqual(['access-review', 'conductorone-access-review', 'sailpoint-certification']);
  });
});

describe('prettyPayload', () => {
  it('indents JSON and keeps other text as recorded', () => {
    expect(prettyPayload('{"a":1,"b":[true]}')).toEqual({ text: '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}', more: 0 });
    expect(prettyPayload('not json')).toEqual({ text: 'not json', more: 0 });
  });

  it('cuts a very long payload and says how much is left', () => {
    expect(prettyPayload('"abcdefghij"', 5)).toEqual({ text: '"abcd', more: 7 });
  });
});
