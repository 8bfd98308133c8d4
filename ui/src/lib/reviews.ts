// The Reviews page's pure logic: a campaign's state and coverage in words, each revoke's
// decision → execution → confirmation steps with the Events page's colours, the reviewers'
// pace bars against the rubber-stamp threshold, and a ledger entry's payload laid out to read.
import type { CampaignDto, ReviewRevokeDto, ReviewSystemDto, ReviewerDto, RubberStampDto } from './backend';
import { formatHours } from './assessment';
import { formatDuration } from './events';

export type Tone = 'ok' | 'warn' | 'bad' | 'accent' | '';

/** Open, closed or overdue (closed after its due date, or still open after it). */
export function campaignState(c: CampaignDto): { label: 'open' | 'closed' | 'overdue'; tone: Tone; title: string } {
  if (c.overdue) {
    return {
      label: 'overdue',
      tone: 'bad',
      title: c.closed_at ? 'Closed after its due date' : 'Still open after its due date',
    };
  }
  if (c.closed_at) return { label: 'closed', tone: 'ok', title: 'Closed by its due date' };
  return { label: 'open', tone: 'accent', title: 'Open, not yet due' };
}

/**
 * A share of the population as a whole percentage that never reads 100 before every item is
 * decided (nor 0 once one is); null when no population was established.
 */
export function share(part: number, population: number): number | null {
  if (population <= 0) return null;
  if (part >= population) return 100;
  if (part <= 0) return 0;
  return Math.min(99, Math.max(1, Math.round((part / population) * 100)));
}

/** The coverage bar's colour: complete, still under way, or short at close (or past due). */
export function coverageTone(c: CampaignDto): Tone {
  if (c.population <= 0) return '';
  if (c.decided >= c.population) return 'ok';
  return c.closed_at || c.overdue ? 'bad' : 'accent';
}

/** Why a system's row has no numbers: its population was never drawn. */
export function populationNote(s: ReviewSystemDto): string | null {
  return s.snapshot_at === null ? 'population not established — no snapshot at or before the start' : null;
}

/** `p50 36 h · p95 2.9 d` (as the Overview writes hours), or a dash when nothing was removed in the log. */
export function removalText(s: ReviewSystemDto): string {
  const r = s.removal_hours;
  if (!r || r.count === 0) return '—';
  return `p50 ${formatHours(r.median)} · p95 ${formatHours(r.p95)}`;
}

/** A revoke's status → the colour the Events page gives the same judgement. */
export function revokeTone(status: string): Tone {
  switch (status) {
    case 'on_time':
      return 'ok';
    case 'late':
    case 'removed_unlogged':
      return 'warn';
    case 'not_executed':
    case 'contradicted':
      return 'bad';
    default:
      return '';
  }
}

const REVOKE_LABELS: Record<string, string> = {
  on_time: 'on time',
  late: 'late',
  not_executed: 'not executed',
  contradicted: 'contradicted',
  removed_unlogged: 'removed, not logged',
  not_yet_due: 'not yet due',
};

export function revokeLabel(status: string): string {
  return REVOKE_LABELS[status] ?? status.replace(/_/g, ' ');
}

const STATUS_ORDER = ['not_executed', 'contradicted', 'late', 'removed_unlogged', 'not_yet_due', 'on_time'];

/** How many revokes stand in each status, the worst first, statuses with none left out. */
export function statusCounts(revokes: ReviewRevokeDto[]): { status: string; label: string; count: number; tone: Tone }[] {
  const counts = new Map<string, number>();
  for (const r of revokes) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const rank = (s: string) => (STATUS_ORDER.includes(s) ? STATUS_ORDER.indexOf(s) : STATUS_ORDER.length);
  return [...counts.entries()]
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))
    .map(([status, count]) => ({ status, label: revokeLabel(status), count, tone: revokeTone(status) }));
}

/** `finance-app · bob.lee · GL-Admin`; an item without entitlement is the account itself. */
export function itemText(r: ReviewRevokeDto): string {
  return `${r.system} · ${r.account} · ${r.entitlement ?? 'the account itself'}`;
}

export type StepName = 'decision' | 'execution' | 'confirmation';

/** One link of a revoke's chain: the entry it rests on (if any), when, and how it stands. */
export type Step = {
  step: StepName;
  seq: number | null;
  /** The row of a set entry `seq` names (0: the whole entry). */
  row: number;
  at: string | null;
  /** The Events page's link words: complete, late, missing, unconfirmed, contradicted. */
  status: string;
  tone: Tone;
  note: string;
};

const secondsBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 1000);

/** Decision → the system's removal → the next snapshot, each judged as the Events page would. */
export function revokeSteps(r: ReviewRevokeDto): Step[] {
  const decision: Step = {
    step: 'decision',
    seq: r.decision_seq,
    row: 0,
    at: r.decided_at,
    status: r.verdict,
    tone: 'ok',
    note: r.reviewer ? `by ${r.reviewer}` : 'reviewer not recorded',
  };

  let execution: Step;
  if (r.removal_seq !== null) {
    const after = r.removed_at ? secondsBetween(r.decided_at, r.removed_at) : null;
    const late = r.status === 'late';
    execution = {
      step: 'execution',
      seq: r.removal_seq,
      row: r.removal_row ?? 0,
      at: r.removed_at,
      status: late ? 'late' : 'complete',
      tone: late ? 'warn' : 'ok',
      note:
        after === null
          ? 'removed in the log'
          : after <= 0
            ? 'removed before the decision'
            : `${formatDuration(after)} after the decision`,
    };
  } else if (r.status === 'not_yet_due') {
    execution = { step: 'execution', seq: null, row: 0, at: null, status: 'pending', tone: '', note: 'not in the log yet; not yet due' };
  } else if (r.status === 'removed_unlogged') {
    execution = {
      step: 'execution',
      seq: null,
      row: 0,
      at: null,
      status: 'unconfirmed',
      tone: 'warn',
      note: 'not in the log; a later snapshot no longer shows it',
    };
  } else {
    execution = { step: 'execution', seq: null, row: 0, at: null, status: 'missing', tone: 'bad', note: 'no removal in the log' };
  }

  let confirmation: Step;
  if (r.confirmation_seq !== null && r.confirmation_held !== null) {
    confirmation = r.confirmation_held
      ? {
          step: 'confirmation',
          seq: r.confirmation_seq,
          row: r.confirmation_row ?? 0,
          at: r.confirmation_at,
          status: r.removal_seq !== null ? 'contradicted' : 'still held',
          tone: 'bad',
          note: 'the next snapshot still shows it',
        }
      : {
          step: 'confirmation',
          seq: r.confirmation_seq,
          row: r.confirmation_row ?? 0,
          at: r.confirmation_at,
          status: 'complete',
          tone: 'ok',
          note: 'the next snapshot no longer shows it',
        };
  } else if (r.status === 'not_yet_due') {
    confirmation = { step: 'confirmation', seq: null, row: 0, at: null, status: 'pending', tone: '', note: 'no snapshot yet' };
  } else {
    confirmation = {
      step: 'confirmation',
      seq: null,
      row: 0,
      at: null,
      status: 'unconfirmed',
      tone: 'warn',
      note: r.removal_seq !== null ? 'no snapshot after the removal' : 'no snapshot at or after the deadline',
    };
  }
  return [decision, execution, confirmation];
}

/** A burst at or over the threshold, all keep: the pace the policy calls implausible. */
export function isRubberStamp(r: ReviewerDto, threshold: RubberStampDto): boolean {
  return threshold.decisions > 0 && r.fastest_burst >= threshold.decisions && r.fastest_burst_all_keep;
}

/** `20 decisions within 60 s`. */
export function thresholdText(t: RubberStampDto): string {
  return `${t.decisions} decisions within ${formatDuration(t.seconds)}`;
}

export type PaceBar = {
  reviewer: string;
  decisions: number;
  burst: number;
  flagged: boolean;
  y: number;
  /** Width of the all-decisions bar and of the fastest-burst bar drawn over it. */
  decisionsWidth: number;
  burstWidth: number;
};

/**
 * Horizontal bars, one row per reviewer, in a plot `width` wide: all decisions, the fastest
 * burst over it, and where the threshold falls. The scale reaches the threshold even when
 * every reviewer stays below it, so the line is always drawn.
 */
export function paceBars(
  reviewers: ReviewerDto[],
  threshold: RubberStampDto,
  width: number,
  rowHeight: number,
): { bars: PaceBar[]; thresholdX: number; height: number } {
  const max = Math.max(1, threshold.decisions, ...reviewers.map((r) => Math.max(r.decisions, r.fastest_burst)));
  const scale = (n: number) => (n <= 0 ? 0 : Math.max(2, (n / max) * width));
  const bars = reviewers.map((r, i) => ({
    reviewer: r.reviewer,
    decisions: r.decisions,
    burst: r.fastest_burst,
    flagged: isRubberStamp(r, threshold),
    y: i * rowHeight,
    decisionsWidth: scale(r.decisions),
    burstWidth: scale(r.fastest_burst),
  }));
  return { bars, thresholdX: (threshold.decisions / max) * width, height: reviewers.length * rowHeight };
}

/** The built-in profiles that read campaign exports, the generic one first. */
export function reviewProfiles(builtins: string[]): string[] {
  const found = builtins.filter((p) => /review|certif/i.test(p) && p !== 'access-review').sort();
  return ['access-review', ...found];
}

/**
 * A payload indented for reading; text that is not JSON is shown as it is. Very long payloads
 * (a snapshot entry holds up to 1,024 rows) are cut at `max` characters, saying how many more.
 */
export function prettyPayload(text: string, max = 100_000): { text: string; more: number } {
  let out = text;
  try {
    out = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: the bytes as recorded.
  }
  return out.length > max ? { text: out.slice(0, max), more: out.length - max } : { text: out, more: 0 };
}
