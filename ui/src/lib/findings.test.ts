import { describe, expect, it } from 'vitest';
import type { ControlDto, FindingDto, ResponseDto } from './backend';
import { findingsFor, groupByCheck, groupControls, missingLine, noFindingsText, responseLabel, responseTone } from './findings';

const control = (
  id: string,
  groups: [string, string][],
  status: string,
  checks: string[] = [],
  missing: string[] = [],
): ControlDto => ({
  id,
  title: `${id} title`,
  groups: groups.map(([gid, title]) => ({ id: gid, title })),
  checks,
  evidence: 1,
  findings: status === 'findings' ? 1 : 0,
  status,
  missing,
});

const ACTIVITY = 'activity (sign-ins, console logins, API calls or last-used dates)';
const SNAPSHOTS = 'reconciliation or inventory snapshots';

const finding = (check: string, severity: string, nonHuman = false): FindingDto => ({
  id: `F-${check}`,
  check,
  title: '',
  severity,
  identity: nonHuman ? 'NHI-1' : 'E1',
  system: null,
  account: null,
  entitlement: null,
  exception: null,
  summary: 's',
  evidence: [1],
  evidence_rows: [],
  event_seq: null,
  non_human: nonHuman,
  response: null,
});

describe('groupControls', () => {
  it('groups CSF controls by function then category, in catalog order, with counts', () => {
    const groups = groupControls([
      control('PR.AA-01', [['PR', 'Protect'], ['PR.AA', 'Identity Management']], 'met'),
      control('PR.AA-05', [['PR', 'Protect'], ['PR.AA', 'Identity Management']], 'findings'),
      control('DE.CM-03', [['DE', 'Detect'], ['DE.CM', 'Continuous Monitoring']], 'not-assessed'),
      control('PR.PS-01', [['PR', 'Protect'], ['PR.PS', 'Platform Security']], 'met'),
    ]);
    expect(groups.map((g) => g.id)).toEqual(['PR', 'DE']);
    expect(groups[0]?.categories.map((c) => c.id)).toEqual(['PR.AA', 'PR.PS']);
    expect(groups[0]?.counts).toEqual({ met: 2, findings: 1, notAssessed: 0 });
    expect(groups[0]?.categories[0]?.counts).toEqual({ met: 1, findings: 1, notAssessed: 0 });
    expect(groups[1]?.counts).toEqual({ met: 0, findings: 0, notAssessed: 1 });
  });
  it('puts one-level catalogs in a category of their own group and flat ones under the catalog title', () => {
    const groups = groupControls(
      [control('NHI1', [['owasp', 'OWASP NHI']], 'met'), control('X', [], 'met')],
      'OWASP Non-Human Identities Top 10',
    );
    expect(groups.map((g) => g.title)).toEqual(['OWASP NHI', 'OWASP Non-Human Identities Top 10']);
    expect(groups[0]?.categories[0]?.controls.map((c) => c.id)).toEqual(['NHI1']);
  });
});

describe('findings', () => {
  it('finds the findings of a control through its checks', () => {
    const ctl = control('PR.AA-05', [], 'findings', ['EV-A']);
    expect(findingsFor(ctl, [finding('EV-A', 'high'), finding('EV-B', 'low')]).map((f) => f.check)).toEqual(['EV-A']);
  });
  it("leaves people's findings out of OWASP NHI controls only", () => {
    const ctl = control('NHI1:2025', [], 'findings', ['EV-A']);
    const all = [finding('EV-A', 'critical'), finding('EV-A', 'critical', true)];
    expect(findingsFor(ctl, all, 'owasp-nhi-2025').map((f) => f.identity)).toEqual(['NHI-1']);
    expect(findingsFor(ctl, all, 'nist-csf-2.0')).toHaveLength(2);
  });
  it('words a response and picks its tone', () => {
    const r: ResponseDto = {
      seq: 9,
      recorded_at: '2026-01-02T00:00:00Z',
      status: 'risk-accepted',
      owner: 'CISO',
      due: '2026-02-01',
      accepted_until: '2026-06-30',
      response: 'ok',
      recorded_by: null,
      expired: false,
    };
    expect(responseLabel(r)).toBe('Risk accepted until 2026-06-30');
    expect(responseTone(r)).toBe('accent');
    expect(responseLabel({ ...r, expired: true })).toBe('Risk accepted until 2026-06-30 (expired)');
    expect(responseTone({ ...r, expired: true })).toBe('bad');
    expect(responseLabel({ ...r, status: 'in-remediation', accepted_until: null })).toBe('In remediation');
    expect(responseTone(null)).toBe('');
  });
  it('groups by check, most severe first', () => {
    const groups = groupByCheck([finding('EV-B', 'low'), finding('EV-A', 'high'), finding('EV-C', 'critical'), finding('EV-A', 'high')]);
    expect(groups.map((g) => [g.check, g.findings.length])).toEqual([
      ['EV-C', 1],
      ['EV-A', 2],
      ['EV-B', 1],
    ]);
  });
});

describe('missing evidence', () => {
  it('says nothing when every check had its evidence', () => {
    expect(missingLine(control('PR.AA-05', [], 'met', ['EV-A']))).toBeNull();
    expect(missingLine(control('DE.CM-03', [], 'not-assessed', ['EV-A']))).toBeNull();
  });
  it('names what a control not assessed was missing', () => {
    expect(missingLine(control('PR.AA-05', [], 'not-assessed', ['EV-A'], [ACTIVITY]))).toBe(
      `Not assessed — missing: ${ACTIVITY}`,
    );
  });
  it('calls a control judged by only some of its checks partly assessed, whatever its status', () => {
    for (const status of ['met', 'findings']) {
      expect(missingLine(control('PR.AA-05', [], status, ['EV-A', 'EV-B'], [ACTIVITY, SNAPSHOTS]))).toBe(
        `Partly assessed — missing: ${ACTIVITY}; ${SNAPSHOTS}`,
      );
    }
  });
  it('explains an empty detail pane by why the control was not assessed', () => {
    expect(noFindingsText(null)).toBe('No findings here.');
    expect(noFindingsText(control('A', [], 'met', ['EV-A'], [ACTIVITY]))).toBe('No findings here.');
    expect(noFindingsText(control('A', [], 'not-assessed'))).toBe('Not assessed: no check maps to this control.');
    expect(noFindingsText(control('A', [], 'not-assessed', ['EV-A'], [ACTIVITY]))).toBe(
      'Not assessed: the evidence its checks need was not imported.',
    );
    expect(noFindingsText(control('A', [], 'not-assessed', ['EV-A']))).toBe(
      'Not assessed: no evidence in the period that its checks could examine.',
    );
  });
});
