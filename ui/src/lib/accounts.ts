// Filtering the correlation table: uncorrelated accounts and free-text search.
import type { AccountDto } from './backend/generated/types';

export function filterAccounts(
  accounts: AccountDto[],
  options: { uncorrelatedOnly: boolean; query: string },
): AccountDto[] {
  const q = options.query.trim().toLowerCase();
  return accounts.filter((a) => {
    if (options.uncorrelatedOnly && a.identity !== null) return false;
    if (q === '') return true;
    return [a.system, a.account, a.identity ?? '', a.rule, a.detail ?? ''].some((f) =>
      f.toLowerCase().includes(q),
    );
  });
}
