// A liquidation cascade to test and measure the trading loop with: many accounts whose positions
// one mark move makes liquidatable, written through the engine and the batch path (so that replay
// of their stored events equals their stored state), and the checks that it was liquidated exactly
// once. Shared by the worker's tests, the crash test (scripts/crash) and the benchmark (bench/).
import type { Db } from '@lab/db';
import {
  CATALOGUE,
  Decimal,
  openAccount,
  placeOrder,
  setLeverage,
  setMarginMode,
  type Account,
  type EngineEvent,
  type Market,
  type OrderRequest,
} from '@lab/margin-engine';
import { runOnAccounts } from '@lab/services';
import { findInconsistencies } from '@lab/services/testing';

export interface CascadeOptions {
  count: number;
  venue: string;
  /** Marks the positions are opened at (every symbol used: BTCUSDT, ETHUSDT). */
  marks: { BTCUSDT: string; ETHUSDT: string };
  /** Accounts per seeding transaction. */
  batchSize?: number;
  /** A label that makes the users' e-mail addresses unique per seeding. */
  label?: string;
}

/** How much a mark must fall for every seeded position to be liquidatable: less than this. */
export const CASCADE_DROP = 0.1;

type Kind = 'cross' | 'isolated' | 'cross2';
const kindOf = (i: number): Kind => (i % 4 === 0 ? 'isolated' : i % 4 === 1 ? 'cross2' : 'cross');

/**
 * The engine operations that open account i: 1,000 USDT, then a long at 20x worth 15,000-19,000
 * (liquidatable about 4.5% below the entry): BTC cross, BTC isolated, or BTC and ETH cross; a third of
 * them also rest a take-profit sell 20% above (canceled by their liquidation).
 */
function openPositions(id: string, i: number, market: Market, now: number) {
  const opened = openAccount(id, new Decimal(1000), now);
  let acc: Account = opened.account;
  const events: EngineEvent[] = [...opened.events];
  const step = (r: { account: Account; events: EngineEvent[] }) => {
    acc = r.account;
    events.push(...r.events);
  };
  const btc = market.marks.BTCUSDT!;
  const eth = market.marks.ETHUSDT!;
  const kind = kindOf(i);
  const size = 15_000 + (i % 9) * 500;
  const order = (req: OrderRequest) => {
    const r = placeOrder(acc, market, req, { now });
    if (r.rejected) throw new Error(`seeding account ${i}: ${r.rejected.code}`);
    step(r);
  };
  const qty = (notional: number, price: Decimal, lot: number) =>
    new Decimal(notional).div(price).div(lot).floor().times(lot).toFixed();
  if (kind === 'isolated') step(setMarginMode(acc, market, 'BTCUSDT', 'isolated', now));
  step(setLeverage(acc, market, 'BTCUSDT', 20, now));
  if (kind === 'cross2') {
    step(setLeverage(acc, market, 'ETHUSDT', 20, now));
    order({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: qty(size / 2, btc, 0.001) });
    order({ symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: qty(size / 2, eth, 0.001) });
  } else {
    order({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: qty(size, btc, 0.001) });
  }
  if (i % 3 === 0)
    order({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'limit',
      price: btc.times(1.2).toDecimalPlaces(1).toFixed(),
      quantity: '0.001',
      reduceOnly: true,
    });
  return { account: acc, events };
}

/** Creates `count` funded accounts on the venue with positions opened at `marks`; returns their ids. */
export async function seedCascade(db: Db, opts: CascadeOptions): Promise<string[]> {
  const label = opts.label ?? Date.now().toString(36);
  const users = Math.ceil(opts.count / 100);
  await db.$executeRaw`
    INSERT INTO users (id, email, display_name, updated_at)
    SELECT gen_random_uuid(), 'cascade-' || ${label} || '-' || u || '@example.test', 'Cascade ' || u, now()
    FROM generate_series(1, ${users}::int) u`;
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    INSERT INTO paper_accounts (id, user_id, name, kind, starting_balance, wallet_balance, venue_id)
    SELECT gen_random_uuid(), u.id, 'cascade ' || n, 'EXTRA', 1000, 0, ${opts.venue}
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM users
          WHERE email LIKE 'cascade-' || ${label} || '-%') u,
         generate_series(1, 100) n
    WHERE (u.r - 1) * 100 + n <= ${opts.count}
    RETURNING id::text AS id`;
  const ids = rows.map((r) => r.id).sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const market: Market = {
    instruments: CATALOGUE,
    marks: { BTCUSDT: new Decimal(opts.marks.BTCUSDT), ETHUSDT: new Decimal(opts.marks.ETHUSDT) },
    lastPrices: {},
  };
  const now = Date.now();
  const size = opts.batchSize ?? 500;
  for (let i = 0; i < ids.length; i += size) {
    await runOnAccounts(db, ids.slice(i, i + size), (accounts) => {
      return new Map(
        accounts.map((l) => [
          l.id,
          {
            result: openPositions(l.id, index.get(l.id)!, market, now),
            context: { market },
            value: null,
          },
        ]),
      );
    });
  }
  return ids;
}

export interface CascadeReport {
  accounts: number;
  /** Positions seeded (one per symbol and account). */
  positions: number;
  /** Positions closed by exactly one liquidation fill. */
  liquidatedOnce: number;
  /** Every problem found (empty: all liquidated exactly once, nothing twice, all consistent). */
  problems: string[];
}

/**
 * Checks a finished cascade: every seeded position closed by exactly one liquidation fill and
 * none left open, no order filled beyond its quantity, no funding time paid twice, every account
 * consistent (replay == stored, ledger book == wallet) and the ledger balanced per transaction
 * and overall.
 */
export async function verifyCascade(
  db: Db,
  ids: readonly string[],
  opts: { consistency?: 'all' | number } = {},
): Promise<CascadeReport> {
  const problems: string[] = [];
  const list = [...ids];
  const seeded = await db.$queryRaw<Array<{ account_id: string; symbol: string }>>`
    SELECT DISTINCT account_id::text AS account_id, payload->>'symbol' AS symbol FROM account_events
    WHERE account_id = ANY(${list}::uuid[]) AND type = 'positionChanged'`;
  const closes = await db.$queryRaw<Array<{ account_id: string; symbol: string; n: number }>>`
    SELECT account_id::text AS account_id, symbol, count(*)::int AS n FROM fills
    WHERE account_id = ANY(${list}::uuid[]) AND is_liquidation GROUP BY account_id, symbol`;
  const closed = new Map(closes.map((c) => [`${c.account_id}:${c.symbol}`, c.n]));
  let once = 0;
  for (const s of seeded) {
    const n = closed.get(`${s.account_id}:${s.symbol}`) ?? 0;
    if (n === 1) once++;
    else if (problems.length < 20)
      problems.push(`${s.account_id} ${s.symbol}: liquidated ${n} times`);
  }
  const open = await db.$queryRaw<Array<{ n: number }>>`
    SELECT count(*)::int AS n FROM positions WHERE account_id = ANY(${list}::uuid[])`;
  if (open[0]!.n) problems.push(`${open[0]!.n} positions still open`);
  const overfilled = await db.$queryRaw<Array<{ id: string }>>`
    SELECT o.id FROM orders o JOIN fills f ON f.order_id = o.id
    WHERE o.account_id = ANY(${list}::uuid[])
    GROUP BY o.id, o.quantity HAVING sum(f.quantity) > o.quantity OR count(DISTINCT f.event_seq) <> count(*)`;
  for (const o of overfilled) problems.push(`order ${o.id} filled beyond its quantity`);
  const twice = await db.$queryRaw<Array<{ account_id: string }>>`
    SELECT account_id::text AS account_id FROM funding_payments WHERE account_id = ANY(${list}::uuid[])
    GROUP BY account_id, symbol, funding_time HAVING count(*) > 1`;
  for (const f of twice) problems.push(`${f.account_id}: a funding time paid twice`);
  const want = opts.consistency ?? 'all';
  const every = want === 'all' ? 1 : Math.max(1, Math.floor(list.length / want));
  const sample = list.filter((_, i) => i % every === 0);
  for (let i = 0; i < sample.length; i += 1000) {
    const found = await findInconsistencies(db, sample.slice(i, i + 1000));
    problems.push(...found.slice(0, 20));
  }
  return {
    accounts: list.length,
    positions: seeded.length,
    liquidatedOnce: once,
    problems: [...new Set(problems)],
  };
}
