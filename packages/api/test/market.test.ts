// Market API against a real PostgreSQL (rows inserted directly). Live prices are not a tRPC
// procedure: they stream from the web server (apps/web/src/server/streams).
import { storedPrices } from '@lab/services';
import { createDb, type Db } from '@lab/db';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import { TRPCError } from '@trpc/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context, SessionUser } from '../src/context.ts';
import { createCaller } from '../src/root.ts';

let tdb: TestDatabase;
let db: Db;
const T0 = Date.UTC(2026, 4, 4, 10, 0, 0);
const MIN = 60_000;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDb(tdb.url);
  await db.instrument.createMany({
    data: [
      {
        symbol: 'BTCUSDT',
        baseAsset: 'BTC',
        quoteAsset: 'USDT',
        spec: { tickSize: '0.1' },
        source: 'simulator',
      },
      {
        symbol: 'ETHUSDT',
        baseAsset: 'ETH',
        quoteAsset: 'USDT',
        spec: { tickSize: '0.01' },
        source: 'binance',
      },
      {
        symbol: 'OLDUSDT',
        baseAsset: 'OLD',
        quoteAsset: 'USDT',
        spec: {},
        source: 'simulator',
        enabled: false,
      },
    ],
  });
  await db.candle.createMany({
    data: [
      ...Array.from({ length: 10 }, (_, i) => ({
        symbol: 'BTCUSDT',
        interval: '1m',
        openTime: new Date(T0 + i * MIN),
        open: `${100 + i}.5`,
        high: `${101 + i}`,
        low: `${99 + i}`,
        close: `${100 + i}.25`,
        volume: '1.125',
        trades: i + 1,
      })),
      {
        symbol: 'BTCUSDT',
        interval: '5m',
        openTime: new Date(T0),
        open: '100.5',
        high: '105',
        low: '99',
        close: '104.25',
        volume: '5.625',
        trades: 15,
      },
    ],
  });
  await db.marketTicker.create({
    data: {
      symbol: 'BTCUSDT',
      lastPrice: '109.25',
      markPrice: '109.3',
      indexPrice: '109.2',
      fundingRate: '0.0001',
      nextFundingTime: new Date(Date.UTC(2026, 4, 4, 16)),
      open24h: '100.5',
      high24h: '110',
      low24h: '99',
      volume24h: '11.25',
      status: 'LIVE',
      updatedAt: new Date(T0 + 10 * MIN),
    },
  });
});
afterAll(async () => {
  await db?.$disconnect();
  await tdb?.drop();
});

const user = (role: SessionUser['role']): SessionUser => ({
  id: `u-${role}`,
  role,
  email: `${role.toLowerCase()}@lab.test`,
  displayName: role,
});
const ctx = (u: SessionUser | null): Context => ({
  db,
  user: u,
  ip: '127.0.0.1',
  prices: storedPrices(db),
});
const anon = () => createCaller(ctx(null));

async function failure(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error('expected the call to fail');
}

/** The field an error is about, as the errorFormatter reports it (zod path or AppError.field). */
function fieldOf(e: TRPCError): string | undefined {
  const cause = e.cause as { issues?: Array<{ path: PropertyKey[] }>; field?: string } | undefined;
  return cause?.field ?? cause?.issues?.[0]?.path.join('.');
}

describe('market.instruments / tickers / ticker', () => {
  it('lists enabled instruments with their spec, source and ticker', async () => {
    const list = await anon().market.instruments();
    expect(list.map((i) => i.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(list[0]).toMatchObject({
      baseAsset: 'BTC',
      source: 'simulator',
      spec: { tickSize: '0.1' },
      ticker: { markPrice: '109.3' },
    });
    expect(list[1]!.ticker).toBeNull();
  });

  it('returns a ticker with decimal strings; unknown symbol is NOT_FOUND on symbol', async () => {
    const t = await anon().market.ticker({ symbol: 'btcusdt' });
    expect(t).toEqual({
      symbol: 'BTCUSDT',
      lastPrice: '109.25',
      markPrice: '109.3',
      indexPrice: '109.2',
      fundingRate: '0.0001',
      nextFundingTime: Date.UTC(2026, 4, 4, 16),
      open24h: '100.5',
      high24h: '110',
      low24h: '99',
      volume24h: '11.25',
      status: 'LIVE',
      updatedAt: T0 + 10 * MIN,
    });
    expect(await anon().market.tickers()).toHaveLength(1);
    const e = await failure(anon().market.ticker({ symbol: 'ETHUSDT' }));
    expect(e.code).toBe('NOT_FOUND');
    expect(fieldOf(e)).toBe('symbol');
  });
});

describe('market.candles', () => {
  const times = (r: { candles: Array<{ openTime: number }> }) =>
    r.candles.map((c) => (c.openTime - T0) / MIN);

  it('returns candles in [from, to), oldest first, with exact decimal strings', async () => {
    const r = await anon().market.candles({
      symbol: 'BTCUSDT',
      interval: '1m',
      from: T0 + 2 * MIN,
      to: T0 + 5 * MIN,
    });
    expect(times(r)).toEqual([2, 3, 4]);
    expect(r).toMatchObject({ symbol: 'BTCUSDT', interval: '1m', intervalMs: MIN });
    expect(r.candles[0]).toEqual({
      openTime: T0 + 2 * MIN,
      open: '102.5',
      high: '103',
      low: '101',
      close: '102.25',
      volume: '1.125',
      trades: 3,
    });
    // A `from` exactly on a candle includes it, a `to` exactly on one excludes it.
    expect(
      times(
        await anon().market.candles({
          symbol: 'BTCUSDT',
          interval: '1m',
          from: T0 + 2 * MIN + 1,
          to: T0 + 5 * MIN + 1,
        }),
      ),
    ).toEqual([3, 4, 5]);
  });

  it('limit keeps the most recent candles of the range, still oldest first; the default is 500', async () => {
    expect(
      times(await anon().market.candles({ symbol: 'BTCUSDT', interval: '1m', limit: 3 })),
    ).toEqual([7, 8, 9]);
    expect(
      times(
        await anon().market.candles({
          symbol: 'BTCUSDT',
          interval: '1m',
          from: T0 + 2 * MIN,
          limit: 2,
        }),
      ),
    ).toEqual([8, 9]);
    expect(
      times(
        await anon().market.candles({
          symbol: 'BTCUSDT',
          interval: '1m',
          to: T0 + 4 * MIN,
          limit: 2,
        }),
      ),
    ).toEqual([2, 3]);
    expect(times(await anon().market.candles({ symbol: 'BTCUSDT', interval: '1m' }))).toHaveLength(
      10,
    );
    expect(times(await anon().market.candles({ symbol: 'BTCUSDT', interval: '5m' }))).toEqual([0]);
    expect((await anon().market.candles({ symbol: 'BTCUSDT', interval: '1h' })).candles).toEqual(
      [],
    );
  });

  it('validation errors name the field', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [
        { symbol: 'BTCUSDT', interval: '2m' },
        'interval',
        /interval must be one of 1m, 5m, 15m, 1h, 4h, 1d/,
      ],
      [{ symbol: 'BTC-USD', interval: '1m' }, 'symbol', /symbol must be an instrument symbol/],
      [{ symbol: 'BTCUSDT', interval: '1m', limit: 5000 }, 'limit', /limit must be at most 1500/],
      [{ symbol: 'BTCUSDT', interval: '1m', limit: 0 }, 'limit', /./],
      [{ symbol: 'BTCUSDT', interval: '1m', from: -1 }, 'from', /./],
      [{ symbol: 'BTCUSDT', interval: '1m', to: 1.5 }, 'to', /./],
      [{ symbol: 'BTCUSDT', interval: '1m', from: T0, to: T0 }, 'from', /from must be before to/],
    ];
    for (const [input, field, message] of cases) {
      const e = await failure(anon().market.candles(input as never));
      expect(e.code, JSON.stringify(input)).toBe('BAD_REQUEST');
      expect(fieldOf(e), JSON.stringify(input)).toBe(field);
      expect(e.message, JSON.stringify(input)).toMatch(message);
    }
  });

  it('an unknown symbol is NOT_FOUND (not an empty list)', async () => {
    const e = await failure(anon().market.candles({ symbol: 'XYZUSDT', interval: '1m' }));
    expect(e.code).toBe('NOT_FOUND');
    expect(fieldOf(e)).toBe('symbol');
    expect(e.message).toBe('Unknown instrument XYZUSDT.');
  });
});

describe('market.triggerScenario', () => {
  const crash = { type: 'crash' as const, percent: 10, durationMs: 30_000, symbol: 'BTCUSDT' };

  it('is UNAUTHORIZED for anonymous users, FORBIDDEN for traders and instructors (main market: admins only)', async () => {
    expect((await failure(anon().market.triggerScenario(crash))).code).toBe('UNAUTHORIZED');
    for (const role of ['TRADER', 'INSTRUCTOR'] as const)
      expect(
        (await failure(createCaller(ctx(user(role))).market.triggerScenario(crash))).code,
      ).toBe('FORBIDDEN');
  });

  it('an admin sends the command for the main venue to the worker over lab_market_commands', async () => {
    const listener = new pg.Client({ connectionString: tdb.url });
    const got: string[] = [];
    listener.on('notification', (m) => got.push(m.payload ?? ''));
    await listener.connect();
    await listener.query('LISTEN lab_market_commands');
    try {
      expect(await createCaller(ctx(user('ADMIN'))).market.triggerScenario(crash)).toEqual({
        sent: true,
      });
      expect(
        await createCaller(ctx(user('ADMIN'))).market.triggerScenario({
          type: 'volSpike',
          multiplier: 3,
          durationMs: 5000,
        }),
      ).toEqual({ sent: true });
      const end = Date.now() + 3000;
      while (got.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(got.map((p) => JSON.parse(p) as unknown)).toEqual([
        { type: 'scenario', venue: 'main', event: crash },
        {
          type: 'scenario',
          venue: 'main',
          event: { type: 'volSpike', multiplier: 3, durationMs: 5000 },
        },
      ]);
    } finally {
      await listener.end();
    }
  });

  it('rejects markets that do not run on the simulator, unknown symbols and bad parameters', async () => {
    const instructor = createCaller(ctx(user('ADMIN')));
    const notSim = await failure(
      instructor.market.triggerScenario({ ...crash, symbol: 'ETHUSDT' }),
    );
    expect(notSim.code).toBe('PRECONDITION_FAILED');
    expect(notSim.message).toBe(
      'ETHUSDT runs on binance prices; scenario events need the simulator.',
    );
    expect(
      (await failure(instructor.market.triggerScenario({ ...crash, symbol: 'XYZUSDT' }))).code,
    ).toBe('NOT_FOUND');
    const tooBig = await failure(instructor.market.triggerScenario({ ...crash, percent: 95 }));
    expect(tooBig.code).toBe('BAD_REQUEST');
    expect(fieldOf(tooBig)).toBe('percent');
  });
});
