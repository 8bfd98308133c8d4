import { describe, expect, it } from 'vitest';
import { besideWorkspace, defaultOutput, periodProblem } from './reports';

describe('defaultOutput', () => {
  it('writes beside the workspace, named after it, the framework and the day', () => {
    expect(defaultOutput('/audits/q3.evidentia', 'pdf', 'nist-csf-2.0', '2026-01-15')).toBe(
      '/audits/q3-report-nist-csf-2.0-2026-01-15.pdf',
    );
    expect(defaultOutput('/audits/q3.evidentia', 'pack', 'owasp-nhi-2025', '2026-01-15')).toBe(
      '/audits/q3-pack-owasp-nhi-2025-2026-01-15.zip',
    );
    expect(defaultOutput('/a/b.c/demo', 'oscal', 'x', 'd')).toBe('/a/b.c/demo-oscal-x-d.json');
  });
});

describe('periodProblem', () => {
  it('accepts empty ends and ordered dates, names the rest', () => {
    expect(periodProblem('', '')).toBeNull();
    expect(periodProblem('2025-01-01', '2025-12-31')).toBeNull();
    expect(periodProblem('2025-12-31', '2025-01-01')).toBe('The period ends before it starts.');
    expect(periodProblem('soon', '')).toBe('The start is not a date.');
  });
});

describe('besideWorkspace', () => {
  it('names a file after the workspace, in its folder', () => {
    expect(besideWorkspace('/audits/q3.evidentia', 'public-key', 'pem')).toBe('/audits/q3-public-key.pem');
    expect(besideWorkspace('C:\\audits\\q3.evidentia', 'x', 'note')).toBe('C:\\audits\\q3-x.note');
    expect(besideWorkspace('', 'x', 'pem')).toBe('evidentia-x.pem');
    // A team workspace has no folder here: a name after its database, the dialog says where.
    expect(besideWorkspace('postgres://alice@db.example/eng', 'report', 'pdf')).toBe('eng-report.pdf');
  });
});
