// Unit tests of the accounts filter.
import { describe, expect, it } from 'vitest';
import { filterAccounts } from './accounts';
import type { AccountDto } from './backend/generated/types';

function row(account: string, identity: string | null, system = 'okta'): AccountDto {
  return {
    system,
    account,
    identity,
    rule: identity ? 'email' : 'none',
    detail: null,
    executions: 1,
    reconciliations: 0,
    first_seen: '2024-01-01T00:00:00+00:00',
    last_seen: '2024-01-01T00:00:00+00:00',
    evidence: [4],
    evidence_rows: [],
  };
}

describe('filterAccounts', () => {
  const rows = [row('alice', 'E1'), row('svc-backup', null, 'aws'), row('bob', 'E2')];
  it('keeps only the uncorrelated ones when asked', () => {
    expect(filterAccounts(rows, { uncorrelatedOnly: true, query: '' }).map((a) => a.account)).toEqual([
      'svc-backup',
    ]);
  });
  it('searches system, account, identity and rule', () => {
    expect(filterAccounts(rows, { uncorrelatedOnly: false, query: 'AWS' })).toHaveLength(1);
    expect(filterAccounts(rows, { uncorrelatedOnly: false, query: 'e2' })).toHaveLength(1);
    expect(filterAccounts(rows, { uncorrelatedOnly: false, query: ' ' })).toHaveLength(3);
  });
});
