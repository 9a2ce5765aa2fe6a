// Market API against a real PostgreSQL (rows inserted directly) and, for the live subscription, a
// real HTTP server (tRPC standalone adapter) read by a raw SSE client over loopback.
import { storedPrices } from '@lab/services';
import type { AddressInfo } from 'node:net';
import { createDb, type Db } from '@lab/db';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import {
  MarketFeed,
  type FeedUpdate,
  type MarketFeedLike,
  type MarketTick,
} from '@lab/market-data';
import { TRPCError } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context, SessionUser } from '../src/context.ts';
import { appRouter, createCaller } from '../src/root.ts';

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
const ctx = (u: SessionUser | null, feed?: MarketFeedLike): Context => ({
  db,
  user: u,
  ip: '127.0.0.1',
  prices: storedPrices(db),
  ...(feed ? { feed } : {}),
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

// ---- live subscription over real HTTP ----------------------------------------------------------

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** A minimal EventSource: GET the URL, parse the text/event-stream as it arrives. */
async function openSse(url: string, lastEventId?: string) {
  const ac = new AbortController();
  const res = await fetch(url, {
    headers: {
      accept: 'text/event-stream',
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
    signal: ac.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  const queue: SseEvent[] = [];
  let ended = false;
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = { data: '' };
          for (const line of block.split('\n')) {
            const c = line.indexOf(':');
            if (c <= 0) continue;
            const k = line.slice(0, c);
            const v = line.slice(c + 1).replace(/^ /, '');
            if (k === 'data') ev.data += (ev.data ? '\n' : '') + v;
            else if (k === 'id') ev.id = v;
            else if (k === 'event') ev.event = v;
          }
          queue.push(ev);
        }
      }
    } catch {
      // aborted or connection reset
    } finally {
      ended = true;
    }
  })();
  /** Next data event (skipping tRPC's `connected` and pings). */
  async function next(timeoutMs = 3000): Promise<{
    id: string | undefined;
    data: { snapshot: boolean; publishedAt: number; ticks: MarketTick[] };
  }> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const ev = queue.shift();
      if (ev && !ev.event) return { id: ev.id, data: JSON.parse(ev.data) as never };
      if (ev) continue;
      if (ended) throw new Error('stream ended');
      if (Date.now() > end) throw new Error('no event in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return {
    next,
    get ended() {
      return ended;
    },
    pending: () => queue.filter((e) => !e.event).length,
    close: async () => {
      ac.abort();
      await pump;
    },
  };
}

describe('market.live over HTTP (server-sent events)', () => {
  const feed = new MarketFeed();
  let active = 0;
  const counted: MarketFeedLike = {
    snapshot: (s) => feed.snapshot(s),
    subscribe: (l: (u: FeedUpdate) => void) => {
      active++;
      const off = feed.subscribe(l);
      return () => {
        active--;
        off();
      };
    },
  };
  const server = createHTTPServer({ router: appRouter, createContext: () => ctx(null, counted) });
  let base = '';
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  const mark = (symbol: string, price: string): MarketTick => ({
    kind: 'mark',
    symbol,
    time: Date.now(),
    markPrice: price,
    indexPrice: price,
    fundingRate: '0.0001',
    nextFundingTime: Date.UTC(2026, 4, 4, 16),
  });
  const trade = (symbol: string, price: string): MarketTick => ({
    kind: 'trade',
    symbol,
    time: Date.now(),
    price,
    quantity: '0.5',
    side: 'buy',
  });
  const liveUrl = (input: unknown) =>
    `${base}/market.live?input=${encodeURIComponent(JSON.stringify(input))}`;
  const waitActive = async (n: number) => {
    const end = Date.now() + 3000;
    while (active !== n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(active).toBe(n);
  };

  beforeAll(async () => {
    process.on('warning', onWarning);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    feed.ingest({
      ticks: [mark('BTCUSDT', '100.1'), mark('ETHUSDT', '5.5'), trade('BTCUSDT', '100.2')],
      publishedAt: Date.now(),
    });
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends a snapshot of the latest state first, then live ticks of the chosen symbols only', async () => {
    const sse = await openSse(liveUrl({ symbols: ['BTCUSDT'] }));
    const first = await sse.next();
    expect(first.id).toMatch(/^s\d+$/);
    expect(first.data.snapshot).toBe(true);
    expect(first.data.ticks).toEqual(feed.snapshot(['BTCUSDT']));
    expect(first.data.ticks.map((t) => t.kind).sort()).toEqual(['mark', 'trade']);
    await waitActive(1);

    const sentAt = Date.now();
    feed.ingest({ ticks: [trade('ETHUSDT', '5.6')], publishedAt: sentAt }); // nothing for this client
    feed.ingest({
      ticks: [trade('ETHUSDT', '5.7'), trade('BTCUSDT', '100.3')],
      publishedAt: sentAt,
    });
    const live = await sse.next();
    expect(live.data).toEqual({
      snapshot: false,
      publishedAt: sentAt,
      ticks: [expect.objectContaining({ symbol: 'BTCUSDT', price: '100.3' })],
    });
    expect(live.id).toBe(String(feed.lastSeq));

    // A long stream: many batches must not pile up listeners on the request's AbortSignal.
    for (let i = 0; i < 40; i++) {
      feed.ingest({ ticks: [trade('BTCUSDT', `${101 + i}`)], publishedAt: Date.now() });
      const ev = await sse.next();
      expect(ev.data.ticks[0]).toMatchObject({ price: `${101 + i}` });
    }
    expect(warnings.map((w) => w.message).filter((m) => /listener/i.test(m))).toEqual([]);

    // Batches that arrive while the stream is busy go out together, oldest publish time first.
    feed.ingest({ ticks: [trade('BTCUSDT', '300')], publishedAt: 1000 });
    feed.ingest({ ticks: [trade('ETHUSDT', '6')], publishedAt: 1001 });
    feed.ingest({ ticks: [trade('BTCUSDT', '301')], publishedAt: 1002 });
    const merged = await sse.next();
    expect(merged.id).toBe(String(feed.lastSeq));
    expect(merged.data.publishedAt).toBe(1000);
    expect(merged.data.ticks.map((t) => (t.kind === 'trade' ? t.price : ''))).toEqual([
      '300',
      '301',
    ]);

    // All symbols when none are chosen.
    const all = await openSse(liveUrl({}));
    expect((await all.next()).data.ticks.map((t) => t.symbol).sort()).toEqual([
      'BTCUSDT',
      'BTCUSDT',
      'ETHUSDT',
      'ETHUSDT',
    ]);
    await all.close();
    await sse.close();
    await waitActive(0); // the server ends each subscription when its client goes away
  });

  it('after the server drops the connection, a reconnect with Last-Event-ID starts with a fresh snapshot', async () => {
    const sse = await openSse(liveUrl({ symbols: ['BTCUSDT'] }));
    await sse.next();
    feed.ingest({ ticks: [trade('BTCUSDT', '200.5')], publishedAt: Date.now() });
    const last = await sse.next();
    await waitActive(1);

    server.closeAllConnections();
    const end = Date.now() + 3000;
    while (!sse.ended && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(sse.ended).toBe(true);
    await waitActive(0);

    // Missed while disconnected: the reconnecting client gets it through the snapshot.
    feed.ingest({
      ticks: [mark('BTCUSDT', '201'), trade('BTCUSDT', '201.5')],
      publishedAt: Date.now(),
    });
    const again = await openSse(liveUrl({ symbols: ['BTCUSDT'] }), last.id);
    const snap = await again.next();
    expect(snap.data.snapshot).toBe(true);
    expect(snap.data.ticks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'mark', markPrice: '201' }),
        expect.objectContaining({ kind: 'trade', price: '201.5' }),
      ]),
    );
    feed.ingest({ ticks: [trade('BTCUSDT', '202')], publishedAt: Date.now() });
    expect((await again.next()).data.ticks[0]).toMatchObject({ price: '202' });
    await again.close();
    await waitActive(0);
  });

  it('without a feed on the server the subscription fails with SERVICE_UNAVAILABLE', async () => {
    const e = await failure(createCaller(ctx(null)).market.live({}));
    expect(e.code).toBe('SERVICE_UNAVAILABLE');
    expect(e.message).toBe('Live market data is not available on this server.');
  });
});
