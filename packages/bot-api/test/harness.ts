// A real HTTP server for the bot API on a throw-away PostgreSQL: the same request handler the web
// app's /fapi route calls (handleFetchRequest) and the same WebSocket attachment apps/web/server.ts
// uses (attachBotStreams), with the account stream producer of the web app (AccountStreams, fed by
// LISTEN on the account-change channel) and a live MarketFeed that the test feeds with ticks, as
// the worker's NOTIFY would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accountChangeSchema, CHANNELS, type MarketTick } from '@lab/contracts';
import { createDb, type Db } from '@lab/db';
import { listenToChannel, type ChannelListener } from '@lab/db/listen';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import { CATALOGUE, Decimal, onPrice } from '@lab/margin-engine';
import { MarketFeed } from '@lab/market-data';
import { feedPrices, marketOf, runOnAccount, systemActor, type VenuePrices } from '@lab/services';
import { AccountStreams } from '../../../apps/web/src/server/streams/account-stream.ts';
import { SseHub } from '../../../apps/web/src/server/streams/sse-hub.ts';
import { attachBotStreams } from '../src/node-ws.ts';
import {
  BotStreams,
  handleFetchRequest,
  RateLimiter,
  RecentTrades,
  type BotApiDeps,
} from '../src/index.ts';

export const API_SECRET = 'bot-api-test-server-secret-0123456789abcdef';

export interface Harness {
  db: Db;
  url: string;
  wsUrl: string;
  feed: MarketFeed;
  prices: VenuePrices;
  deps: BotApiDeps;
  streams: BotStreams;
  /** Sets the market of a symbol: mark, last trade and a book around it. */
  market(symbol: string, price: string): void;
  /** The worker's part: a price move applied to an account (triggers, resting fills). */
  tick(accountId: string, symbol: string, price: string): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: { limiter?: RateLimiter; trustProxy?: boolean } = {},
): Promise<Harness> {
  process.env.LAB_API_KEY_SECRET = API_SECRET;
  const tdb: TestDatabase = await createTestDatabase();
  const db = createDb(tdb.url);
  for (const symbol of Object.keys(CATALOGUE)) {
    await db.instrument.upsert({
      where: { symbol },
      create: { symbol, baseAsset: symbol.replace(/USDT$/, ''), quoteAsset: 'USDT', spec: {} },
      update: {},
    });
  }
  const feed = new MarketFeed();
  const prices = feedPrices(feed);
  const hub = new SseHub();
  const accounts = new AccountStreams(hub, db, feed, prices);
  const listener: ChannelListener = await listenToChannel(tdb.url, CHANNELS.accountChanges, (p) => {
    const c = accountChangeSchema.safeParse(JSON.parse(p));
    if (c.success) accounts.onChange(c.data);
  });
  const trades = new RecentTrades(feed);
  const deps: BotApiDeps = {
    db,
    prices,
    feed,
    trades,
    limiter: opts.limiter ?? new RateLimiter(),
    log: (m, e) => console.error(m, e),
  };
  const streams = new BotStreams({
    db,
    feed,
    trades,
    accounts,
    log: (m, e) => console.error(m, e),
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers: Object.entries(req.headers).flatMap(([k, v]) =>
          v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as [string, string]],
        ),
        ...(req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}),
      });
      // as apps/web/server.ts: the socket's address, or a trusted proxy's X-Forwarded-For
      const forwarded = opts.trustProxy ? req.headers['x-forwarded-for'] : undefined;
      const ip =
        typeof forwarded === 'string' ? forwarded : (req.socket.remoteAddress ?? 'unknown');
      void handleFetchRequest(deps, request, ip).then(async (r) => {
        if (process.env.BOT_API_DEBUG && r.status !== 200)
          console.log(
            '[bot-api]',
            req.method,
            req.url?.slice(0, 120),
            r.status,
            await r.clone().text(),
          );
        res.writeHead(r.status, Object.fromEntries(r.headers));
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    });
  });
  const detach = attachBotStreams(server, () => streams);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  const current = new Map<string, string>();
  const ingest = (symbol: string, price: string, withTrade: boolean) => {
    const now = Date.now();
    const p = new Decimal(price);
    const tick = CATALOGUE[symbol]!.tickSize;
    const ticks: MarketTick[] = [
      {
        kind: 'mark',
        symbol,
        time: now,
        markPrice: price,
        indexPrice: price,
        fundingRate: '0.0001',
        nextFundingTime: now + 3_600_000,
      },
      {
        kind: 'book',
        symbol,
        time: now,
        bids: [[p.minus(tick).toFixed(), '5']],
        asks: [[p.plus(tick).toFixed(), '5']],
      },
    ];
    if (withTrade)
      ticks.push({ kind: 'trade', symbol, time: now, price, quantity: '0.5', side: 'buy' });
    feed.ingest({ publishedAt: now, venue: 'main', ticks });
  };
  // the worker keeps marks fresh: a market whose mark is older than 15 s is stale
  const refresh = setInterval(() => {
    for (const [s, p] of current) ingest(s, p, false);
  }, 2000);

  return {
    db,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    feed,
    prices,
    deps,
    streams,
    market(symbol, price) {
      current.set(symbol, price);
      ingest(symbol, price, true);
    },
    async tick(accountId, symbol, price) {
      await runOnAccount(db, systemActor('test-worker'), accountId, async (loaded) => {
        const before = marketOf(await prices.quotes(loaded.venueId));
        const r = onPrice(
          loaded.engine,
          before,
          symbol,
          { markPrice: new Decimal(price), lastPrice: new Decimal(price) },
          Date.now(),
        );
        const after = { ...before, marks: { ...before.marks, [symbol]: new Decimal(price) } };
        return { result: r, context: { market: after }, value: null };
      });
    },
    async close() {
      clearInterval(refresh);
      detach();
      streams.close();
      trades.close();
      accounts.close();
      hub.close();
      await new Promise<void>((r) => server.close(() => r()));
      await listener.close();
      await db.$disconnect();
      await tdb.drop();
    },
  };
}
