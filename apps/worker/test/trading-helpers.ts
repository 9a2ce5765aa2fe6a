// Shared pieces of the trading loop's integration tests: a venue of each test's own (so tests in
// one file never trade on each other's prices), traders on it, orders placed through the services'
// one way to change an account (runOnAccount + the engine), ticks handed to a real VenueRunner with
// a clock the test moves, and the LISTEN channel that keeps the runner's memory current.
import { randomBytes } from 'node:crypto';
import type { MarketTick } from '@lab/contracts';
import { pgTransactor, type Db } from '@lab/db';
import {
  CATALOGUE,
  Decimal,
  cancelOrder,
  placeOrder,
  setLeverage,
  setMarginMode,
  type EngineResult,
  type Market,
  type OrderRequest,
} from '@lab/margin-engine';
import { runOnAccount, userActor, type LoadedAccount, type RunOutcome } from '@lab/services';
import { createUser } from '@lab/services/testing';
import { expect } from 'vitest';
import { listenForAccountChanges } from '../src/trading/account-sync.ts';
import { VenueRunner, type VenueRunnerOptions } from '../src/trading/venue-runner.ts';
import { memoryLog, waitFor, type WorkerTestDb } from './helpers.ts';

/** A venue of the test's own. */
export async function createVenue(
  db: Db,
  opts: { fundingIntervalMinutes?: number } = {},
): Promise<string> {
  const id = `test-${randomBytes(4).toString('hex')}`;
  await db.$executeRaw`INSERT INTO venues (id, name, kind, funding_interval_minutes)
    VALUES (${id}, ${id}, 'SIMULATED', ${opts.fundingIntervalMinutes ?? null})`;
  return id;
}

export interface Trader {
  userId: string;
  accountId: string;
}

/** A user whose funded personal account (10,000 USDT) trades on `venue`. */
export async function createTrader(db: Db, venue: string): Promise<Trader> {
  const { user, accountId } = await createUser(db);
  await db.paperAccount.update({ where: { id: accountId }, data: { venueId: venue } });
  return { userId: user.id, accountId };
}

export const marketAt = (marks: Record<string, string>): Market => ({
  instruments: CATALOGUE,
  marks: Object.fromEntries(Object.entries(marks).map(([s, m]) => [s, new Decimal(m)])),
  lastPrices: {},
});

/** Runs an engine operation on the trader's account, as the API does (owner, row lock, persist). */
export function act(
  db: Db,
  trader: Trader,
  market: Market,
  op: (l: LoadedAccount) => EngineResult,
): Promise<RunOutcome<null>> {
  return runOnAccount(db, userActor(trader.userId), trader.accountId, (l) => ({
    result: op(l),
    context: { market },
    value: null,
  }));
}

export async function place(
  db: Db,
  trader: Trader,
  market: Market,
  req: OrderRequest,
  now = Date.now(),
): Promise<RunOutcome<null>> {
  const out = await act(db, trader, market, (l) => {
    const r = placeOrder(l.engine, market, req, { now });
    expect(r.rejected, `order refused: ${r.rejected?.code}`).toBeUndefined();
    return r;
  });
  return out;
}

export const configure = (
  db: Db,
  trader: Trader,
  market: Market,
  symbol: string,
  s: { leverage?: number; mode?: 'cross' | 'isolated' },
) =>
  act(db, trader, market, (l) => {
    let a = l.engine;
    const events = [];
    if (s.mode) {
      const r = setMarginMode(a, market, symbol, s.mode, 1);
      a = r.account;
      events.push(...r.events);
    }
    if (s.leverage) {
      const r = setLeverage(a, market, symbol, s.leverage, 2);
      a = r.account;
      events.push(...r.events);
    }
    return { account: a, events };
  });

export const cancel = (db: Db, trader: Trader, orderId: string) =>
  act(db, trader, marketAt({}), (l) => cancelOrder(l.engine, { orderId }, Date.now()));

export interface Quote {
  symbol: string;
  mark: string;
  /** A trade at this price just before the mark (the last price). */
  last?: string;
  fundingRate?: string;
}

/** The ticks of one instant as a source emits them: the trade (if given), then the mark. */
export function ticksAt(time: number, quotes: readonly Quote[]): MarketTick[] {
  const out: MarketTick[] = [];
  for (const q of quotes) {
    if (q.last)
      out.push({
        kind: 'trade',
        symbol: q.symbol,
        time,
        price: q.last,
        quantity: '0.001',
        side: 'buy',
      });
    out.push({
      kind: 'mark',
      symbol: q.symbol,
      time,
      markPrice: q.mark,
      indexPrice: q.mark,
      fundingRate: q.fundingRate ?? '0.0001',
      nextFundingTime: Math.ceil((time + 1) / 28_800_000) * 28_800_000,
    });
  }
  return out;
}

export interface TradingHarness {
  runner: VenueRunner;
  venue: string;
  lines: string[];
  /** The runner's clock (ms). */
  clock: { now: number };
  /** Hands a batch to the runner at the clock's time and waits until it is committed. */
  tick(quotes: readonly Quote[], opts?: { advanceMs?: number }): Promise<void>;
  /** Hands several instants to the runner as ONE batch (a path inside one publish interval). */
  path(steps: ReadonlyArray<readonly Quote[]>, stepMs?: number): Promise<void>;
  /** Waits until the runner's memory has the account at `version` (or later). */
  synced(accountId: string, version: number): Promise<void>;
  stop(): Promise<void>;
}

/** A VenueRunner on `venue` with its own LISTEN channel, started at `startTime`. */
export async function startHarness(
  t: WorkerTestDb,
  venue: string,
  startTime: number,
  opts: Partial<VenueRunnerOptions> = {},
): Promise<TradingHarness> {
  const { lines, log: keep } = memoryLog();
  const log = process.env.LAB_TEST_LOG ? (m: string) => (keep(m), console.log(m)) : keep;
  const clock = { now: startTime };
  const runner = new VenueRunner({
    db: t.db,
    transactor: pgTransactor(t.pool),
    venue,
    log,
    resyncEveryMs: 0,
    now: () => clock.now,
    ...opts,
  });
  const stopSync = await listenForAccountChanges(t.url, [runner], log);
  await runner.start();
  const h: TradingHarness = {
    runner,
    venue,
    lines,
    clock,
    async tick(quotes, o = {}) {
      clock.now += o.advanceMs ?? 1000;
      runner.onTicks(ticksAt(clock.now, quotes));
      await runner.whenIdle();
    },
    async path(steps, stepMs = 100) {
      const batch: MarketTick[] = [];
      for (const q of steps) {
        clock.now += stepMs;
        batch.push(...ticksAt(clock.now, q));
      }
      runner.onTicks(batch);
      await runner.whenIdle();
    },
    async synced(accountId, version) {
      // in memory at that version, or holding nothing (then memory drops it)
      const holdsNothing = async () =>
        (await t.db.position.count({ where: { accountId } })) === 0 &&
        (await t.db.order.count({
          where: { accountId, status: { in: ['untriggered', 'new', 'partiallyFilled'] } },
        })) === 0;
      await waitFor(
        async () =>
          (runner.accountInMemory(accountId)?.version ?? -1) >= version || (await holdsNothing()),
        `the runner's memory of ${accountId} at version ${version}`,
      );
      await runner.whenIdle();
    },
    async stop() {
      await runner.stop();
      await stopSync();
    },
  };
  return h;
}

/** Places an order and waits until the runner has reloaded the account. */
export async function placeAndSync(
  h: TradingHarness,
  db: Db,
  trader: Trader,
  market: Market,
  req: OrderRequest,
): Promise<RunOutcome<null>> {
  const out = await place(db, trader, market, req, h.clock.now);
  await h.synced(trader.accountId, out.persisted!.version);
  return out;
}

export { expectConsistent } from '@lab/services/testing/vitest';
