// The invariants every stored account keeps, as a check that lists what is wrong (for tests and
// the worker's crash test): replaying its engine events gives exactly the stored state, its
// ledger book equals its wallet, and the ledger balances per transaction and overall.
import type { Db } from '@lab/db';
import { accountToJson, Decimal, eventFromJson, replay, type Account } from '@lab/margin-engine';
import { isDeepStrictEqual } from 'node:util';
import { isEngineEventType } from '../account-events.ts';
import { loadAccountStates } from '../engine-state.ts';
import { accountBook } from '../trading/ledger-lines.ts';

/** The accounts as folding their stored engine events gives them. */
export async function replayStoredAccounts(
  db: Db,
  accountIds: readonly string[],
): Promise<Map<string, Account>> {
  const ids = [...accountIds];
  const rows = await db.$queryRaw<Array<{ account_id: string; type: string; payload: unknown }>>`
    SELECT account_id::text AS account_id, type, payload FROM account_events
    WHERE account_id = ANY(${ids}::uuid[]) ORDER BY account_id, seq`;
  const events = new Map<string, unknown[]>(ids.map((id) => [id, []]));
  for (const r of rows) if (isEngineEventType(r.type)) events.get(r.account_id)!.push(r.payload);
  return new Map(
    ids.map((id) => [
      id,
      replay(
        id,
        events.get(id)!.map((p) => eventFromJson(p)),
      ),
    ]),
  );
}

/**
 * What is inconsistent in the given accounts (empty when everything holds): replay vs stored
 * state, ledger book vs wallet, and ledger transactions (of the whole database) that do not sum
 * to zero, and the ledger's overall sum.
 */
export async function findInconsistencies(
  db: Db,
  accountIds: readonly string[],
): Promise<string[]> {
  const problems: string[] = [];
  const ids = [...accountIds];
  const stored = await db.$transaction((tx) => loadAccountStates(tx, ids), {
    isolationLevel: 'RepeatableRead',
  });
  const replayed = await replayStoredAccounts(db, ids);
  const books = await db.$queryRaw<Array<{ book: string; sum: string }>>`
    SELECT book, sum(amount)::text AS sum FROM ledger_entries
    WHERE book = ANY(${ids.map(accountBook)}::text[]) GROUP BY book`;
  const bookOf = new Map(books.map((b) => [b.book, b.sum]));
  for (const id of ids) {
    const s = stored.get(id);
    if (!s) {
      problems.push(`${id}: no such account`);
      continue;
    }
    const a = accountToJson(s.engine);
    const b = accountToJson(replayed.get(id)!);
    if (!isDeepStrictEqual(a, b))
      problems.push(`${id}: stored ${JSON.stringify(a)} != replayed ${JSON.stringify(b)}`);
    const book = bookOf.get(accountBook(id)) ?? '0';
    if (!s.engine.walletBalance.eq(book))
      problems.push(`${id}: ledger book ${book} != wallet ${s.engine.walletBalance.toFixed()}`);
  }
  return [...problems, ...(await ledgerProblems(db))];
}

/** Ledger transactions (of the whole database) that do not sum to zero, and the overall sum. */
export async function ledgerProblems(db: Db): Promise<string[]> {
  const problems: string[] = [];
  const unbalanced = await db.$queryRaw<Array<{ tx_id: string; sum: string }>>`
    SELECT tx_id::text AS tx_id, sum(amount)::text AS sum FROM ledger_entries
    GROUP BY tx_id HAVING sum(amount) <> 0 LIMIT 10`;
  for (const u of unbalanced) problems.push(`ledger transaction ${u.tx_id} sums to ${u.sum}`);
  const total = await db.$queryRaw<Array<{ sum: string | null }>>`
    SELECT sum(amount)::text AS sum FROM ledger_entries`;
  if (total[0]?.sum && !new Decimal(total[0].sum).isZero())
    problems.push(`the ledger sums to ${total[0].sum}, not zero`);
  return problems;
}
