// What a funding run needs to know about each account beyond its state now, read under the
// batch's row locks: which due symbols it was already paid for at this funding time (a restart
// during a run), and, for an account the API changed after the funding time (before the run
// locked it), its engine state AT the funding time: the replay of its stored events up to it,
// so that a position added to, reduced or opened after the funding time pays on what it held then.
import type { Prisma } from '@lab/db';
import { eventFromJson, replay, type Account } from '@lab/margin-engine';
import { isEngineEventType } from '@lab/services';

export interface FundingHistory {
  /** Due symbols already paid at this funding time. */
  paid: Set<string>;
  /** The account at the funding time, when a due symbol's position changed after it. */
  atTime?: { account: Account; changed: Set<string> };
}

export async function fundingHistories(
  tx: Prisma.TransactionClient,
  accountIds: readonly string[],
  fundingTime: number,
  symbols: readonly string[],
): Promise<Map<string, FundingHistory>> {
  const ids = [...accountIds];
  const at = new Date(fundingTime);
  const out = new Map<string, FundingHistory>(ids.map((id) => [id, { paid: new Set() }]));
  if (ids.length === 0) return out;
  const paid = await tx.$queryRaw<Array<{ account_id: string; symbol: string }>>`
    SELECT account_id::text AS account_id, symbol FROM funding_payments
    WHERE account_id = ANY(${ids}::uuid[]) AND funding_time = ${at}`;
  for (const r of paid) out.get(r.account_id)?.paid.add(r.symbol);
  // the first event after the funding time, per account that has one
  const after = await tx.$queryRaw<Array<{ account_id: string; first: number }>>`
    SELECT account_id::text AS account_id, min(seq)::int AS first FROM account_events
    WHERE account_id = ANY(${ids}::uuid[]) AND created_at > ${at} GROUP BY account_id`;
  if (after.length === 0) return out;
  const firstAfter = new Map(after.map((r) => [r.account_id, r.first]));
  const events = await tx.$queryRaw<
    Array<{ account_id: string; seq: number; type: string; payload: unknown }>
  >`SELECT account_id::text AS account_id, seq, type, payload FROM account_events
    WHERE account_id = ANY(${[...firstAfter.keys()]}::uuid[]) ORDER BY account_id, seq`;
  const byAccount = new Map<string, typeof events>();
  for (const e of events) {
    const list = byAccount.get(e.account_id) ?? [];
    list.push(e);
    byAccount.set(e.account_id, list);
  }
  const due = new Set(symbols);
  for (const [id, list] of byAccount) {
    const first = firstAfter.get(id)!;
    const changed = new Set(
      list
        .filter((e) => e.seq >= first && e.type === 'positionChanged')
        .map((e) => (e.payload as { symbol: string }).symbol)
        .filter((s) => due.has(s)),
    );
    if (changed.size === 0) continue;
    const before = list
      .filter((e) => e.seq < first && isEngineEventType(e.type))
      .map((e) => eventFromJson(e.payload));
    out.get(id)!.atTime = { account: replay(id, before), changed };
  }
  return out;
}
