// The stored-account invariants as Vitest expectations, for the tests of every package
// (`@lab/services/testing/vitest`; the checks themselves are consistency.ts).
import type { Db } from '@lab/db';
import { afterEach, expect } from 'vitest';
import { findInconsistencies, ledgerProblems } from './consistency.ts';

/** Replay == stored, ledger book == wallet for each account; every ledger transaction and the whole ledger balance. */
export async function expectConsistent(db: Db, ...accountIds: string[]): Promise<void> {
  expect(await findInconsistencies(db, accountIds)).toEqual([]);
}

/** After every test of the file: every ledger transaction balances, and the whole ledger too. */
export function ledgerBalancesAfterEach(box: { readonly db: Db }): void {
  afterEach(async () => {
    expect(await ledgerProblems(box.db)).toEqual([]);
  });
}
