// The Findings page's grouping: a framework's controls as function → category → control, with
// a status per group, and findings grouped by check; pure so it is tested without a window.
import type { ControlDto, FindingDto, ResponseDto } from './backend';

export type ControlStatus = 'met' | 'findings' | 'not-assessed';

export type StatusCounts = { met: number; findings: number; notAssessed: number };

export type CategoryGroup = { id: string; title: string; controls: ControlDto[]; counts: StatusCounts };
export type FunctionGroup = { id: string; title: string; categories: CategoryGroup[]; counts: StatusCounts };

function count(controls: ControlDto[]): StatusCounts {
  const c = { met: 0, findings: 0, notAssessed: 0 };
  for (const ctl of controls) {
    if (ctl.status === 'met') c.met += 1;
    else if (ctl.status === 'findings') c.findings += 1;
    else c.notAssessed += 1;
  }
  return c;
}

/**
 * Controls grouped by their outermost group (CSF function) and the next one (category), in
 * catalog order. A control with one group level sits in a category named after it; a flat catalog
 * (OWASP NHI Top 10) sits in one group titled `flatTitle`.
 */
export function groupControls(controls: ControlDto[], flatTitle = 'Controls'): FunctionGroup[] {
  const functions: FunctionGroup[] = [];
  for (const ctl of controls) {
    const fn = ctl.groups[0] ?? { id: '', title: flatTitle };
    const cat = ctl.groups[1] ?? fn;
    let f = functions.find((x) => x.id === fn.id);
    if (!f) {
      f = { id: fn.id, title: fn.title, categories: [], counts: { met: 0, findings: 0, notAssessed: 0 } };
      functions.push(f);
    }
    let c = f.categories.find((x) => x.id === cat.id);
    if (!c) {
      c = { id: cat.id, title: cat.title, controls: [], counts: { met: 0, findings: 0, notAssessed: 0 } };
      f.categories.push(c);
    }
    c.controls.push(ctl);
  }
  for (const f of functions) {
    for (const c of f.categories) c.counts = count(c.controls);
    f.counts = count(f.categories.flatMap((c) => c.controls));
  }
  return functions;
}

/** Findings of the checks mapped to a control. */
export function findingsFor(control: ControlDto, findings: FindingDto[], framework?: string): FindingDto[] {
  // The OWASP NHI Top 10 is about non-human identities: people's findings count against none
  // of its controls (the backend's control counts leave them out the same way).
  const nhiOnly = framework === OWASP_NHI;
  return findings.filter((f) => control.checks.includes(f.check) && (!nhiOnly || f.non_human));
}

export const OWASP_NHI = 'owasp-nhi-2025';

/** The statuses a management response can have, in the order the form offers them. */
export const RESPONSE_STATUSES: { id: string; label: string }[] = [
  { id: 'open', label: 'Open' },
  { id: 'in-remediation', label: 'In remediation' },
  { id: 'remediated', label: 'Remediated' },
  { id: 'risk-accepted', label: 'Risk accepted' },
];

/** A response's status in words: "Risk accepted until 2026-06-30", "expired" when it has. */
export function responseLabel(r: ResponseDto): string {
  const label = RESPONSE_STATUSES.find((s) => s.id === r.status)?.label ?? r.status;
  if (r.status === 'risk-accepted' && r.accepted_until) {
    return r.expired ? `${label} until ${r.accepted_until} (expired)` : `${label} until ${r.accepted_until}`;
  }
  return label;
}

/** The tone of a response's chip: settled ones calm, expired acceptances and open ones not. */
export function responseTone(r: ResponseDto | null): string {
  if (!r) return '';
  if (r.expired) return 'bad';
  if (r.status === 'remediated') return 'ok';
  if (r.status === 'risk-accepted') return 'accent';
  return 'warn';
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

/** Findings grouped by check, the most severe checks first, then by check id. */
export function groupByCheck(findings: FindingDto[]): { check: string; severity: string; findings: FindingDto[] }[] {
  const groups = new Map<string, FindingDto[]>();
  for (const f of findings) {
    const list = groups.get(f.check) ?? [];
    list.push(f);
    groups.set(f.check, list);
  }
  return [...groups.entries()]
    .map(([check, list]) => ({ check, severity: list[0]?.severity ?? 'medium', findings: list }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.check.localeCompare(b.check),
    );
}

/** The status chip label. */
export function statusLabel(status: string): string {
  return status === 'not-assessed' ? 'not assessed' : status;
}

/**
 * The muted line under a control whose checks lacked evidence: "Not assessed — missing: …" when
 * none of them could look, "Partly assessed — missing: …" when only some could; null when every
 * check had what it needs.
 */
export function missingLine(control: Pick<ControlDto, 'status' | 'missing'>): string | null {
  if (control.missing.length === 0) return null;
  const how = control.status === 'not-assessed' ? 'Not assessed' : 'Partly assessed';
  return `${how} — missing: ${control.missing.join('; ')}`;
}

/** What the detail pane says when a control lists no findings. */
export function noFindingsText(control: Pick<ControlDto, 'status' | 'missing' | 'checks'> | null): string {
  if (control?.status !== 'not-assessed') return 'No findings here.';
  if (control.checks.length === 0) return 'Not assessed: no check maps to this control.';
  if (control.missing.length > 0) return 'Not assessed: the evidence its checks need was not imported.';
  return 'Not assessed: no evidence in the period that its checks could examine.';
}
