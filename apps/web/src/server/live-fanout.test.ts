// The live fast path of server.ts against the real tRPC client (httpSubscriptionLink over an
// EventSource) on real node:http servers: one serves market.live through the fast path (anything
// it declines goes to tRPC, as in server.ts), the other through tRPC only; both read the same
// MarketFeed, fed through a MemoryTickBus. The fast path must be indistinguishable: same events,
// same ids, same bytes on the wire.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { appRouter, type AppRouter, type Context } from '@lab/api';
import { MarketFeed, MemoryTickBus, type MarketTick } from '@lab/market-data';
import { createTRPCClient, httpSubscriptionLink, type TRPCClientError } from '@trpc/client';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { EventSource } from 'eventsource';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLiveFastPath, parseLiveRequest } from './live-fanout';

interface LivePayload {
  snapshot: boolean;
  publishedAt: number;
  ticks: MarketTick[];
}
interface LiveEvent {
  id: string;
  data: LivePayload;
}

const T = 1_767_571_200_000;
const mark = (symbol: string, price: string, time = T): MarketTick => ({
  kind: 'mark',
  symbol,
  time,
  markPrice: price,
  indexPrice: price,
  fundingRate: '0.0001',
  nextFundingTime: T + 8 * 3_600_000,
});
const trade = (symbol: string, price: string, time = T): MarketTick => ({
  kind: 'trade',
  symbol,
  time,
  price,
  quantity: '0.5',
  side: 'buy',
});

const bus = new MemoryTickBus();
const feed = new MarketFeed(bus);
const ctx: Context = { db: null as unknown as Context['db'], user: null, ip: '127.0.0.1', feed };
const trpcHandler = createHTTPHandler({
  router: appRouter,
  createContext: () => ctx,
  basePath: '/api/trpc/',
});
const fast = createLiveFastPath({ feed: () => Promise.resolve(feed) });
let declined = 0;
const liveRequests: http.IncomingMessage[] = [];
const fastServer = http.createServer((req, res) => {
  void fast.handle(req, res).then((answered) => {
    if (answered) liveRequests.push(req);
    else {
      declined++;
      void trpcHandler(req, res);
    }
  });
});
const trpcServer = http.createServer((req, res) => void trpcHandler(req, res));
const sockets = new Set<Socket>();
fastServer.on('connection', (s) => {
  sockets.add(s);
  s.once('close', () => sockets.delete(s));
});
let fastUrl = '';
let trpcUrl = '';

const listen = (s: http.Server) =>
  new Promise<string>((resolve) =>
    s.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/trpc`),
    ),
  );

beforeAll(async () => {
  await feed.start();
  await bus.publish([mark('BTCUSDT', '60000'), mark('ETHUSDT', '3000'), trade('SOLUSDT', '150')]);
  [fastUrl, trpcUrl] = await Promise.all([listen(fastServer), listen(trpcServer)]);
});

const stops: Array<() => void> = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});
afterAll(async () => {
  fast.close();
  for (const s of [fastServer, trpcServer]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await feed.close();
});

function subscribe(url: string, input?: { symbols?: string[] }) {
  const events: LiveEvent[] = [];
  const errors: TRPCClientError<AppRouter>[] = [];
  const client = createTRPCClient<AppRouter>({
    links: [httpSubscriptionLink({ url, EventSource })],
  });
  const sub = client.market.live.subscribe(input, {
    onData: (e) => events.push(e),
    onError: (e) => errors.push(e),
  });
  stops.push(() => sub.unsubscribe());
  return { events, errors };
}

async function until(check: () => boolean, what: string, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const symbolsOf = (e: LiveEvent | undefined) =>
  [...new Set(e?.data.ticks.map((t) => t.symbol))].sort();

describe('market.live fast path', () => {
  it('sends the snapshot first, then live batches, exactly as the tRPC procedure does (all symbols and a filter)', async () => {
    const pairs = [undefined, { symbols: ['ethusdt', ' BTCUSDT', 'ETHUSDT'] }].map((input) => ({
      input,
      fast: subscribe(fastUrl, input),
      trpc: subscribe(trpcUrl, input),
    }));
    const all = pairs.flatMap((p) => [p.fast, p.trpc]);
    await until(() => all.every((s) => s.events.length === 1), 'the snapshots');
    for (const p of pairs) {
      for (const s of [p.fast, p.trpc]) {
        expect(s.events[0]!.id).toMatch(/^s\d+$/);
        expect(s.events[0]!.data.snapshot).toBe(true);
      }
      // Snapshot ids and times are the clock at connection; the rest is identical.
      expect(p.fast.events[0]!.data.ticks).toEqual(p.trpc.events[0]!.data.ticks);
    }
    expect(symbolsOf(pairs[0]!.fast.events[0])).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    expect(symbolsOf(pairs[1]!.fast.events[0])).toEqual(['BTCUSDT', 'ETHUSDT']);

    // Batch 2 has nothing for the filter: no event for its clients (as from the procedure).
    const batches = [
      [
        trade('BTCUSDT', '60010', T + 1),
        trade('ETHUSDT', '3001', T + 1),
        trade('SOLUSDT', '151', T + 1),
      ],
      [trade('SOLUSDT', '152', T + 2), mark('SOLUSDT', '152', T + 2)],
      [mark('ETHUSDT', '3002', T + 3), trade('ETHUSDT', '3002', T + 3)],
    ];
    const expected = [
      [2, 2],
      [3, 2],
      [4, 3],
    ];
    for (const [i, batch] of batches.entries()) {
      await bus.publish(batch);
      await until(
        () =>
          pairs.every(
            (p, j) =>
              p.fast.events.length === expected[i]![j] && p.trpc.events.length === expected[i]![j],
          ),
        `batch ${i + 1}`,
      );
    }
    for (const p of pairs) {
      expect(p.fast.events.slice(1)).toEqual(p.trpc.events.slice(1));
      expect(p.fast.events.slice(1).every((e) => !e.data.snapshot && /^\d+$/.test(e.id))).toBe(
        true,
      );
      expect(p.fast.errors).toEqual([]);
    }
    expect(symbolsOf(pairs[1]!.fast.events[1])).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(symbolsOf(pairs[1]!.fast.events[2])).toEqual(['ETHUSDT']);
    expect(pairs[0]!.fast.events[2]!.data.ticks).toEqual(batches[1]);
    expect(declined).toBe(0);
  });

  it('writes the same bytes and headers as tRPC', async () => {
    const input = encodeURIComponent(JSON.stringify({ symbols: ['BTCUSDT'] }));
    const open = (base: string) =>
      new Promise<{ res: http.IncomingMessage; text: () => string }>((resolve, reject) => {
        const req = http.get(`${base}/market.live?input=${input}`, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          resolve({ res, text: () => text });
        });
        req.on('error', reject);
        stops.push(() => req.destroy());
      });
    const [a, b] = await Promise.all([open(fastUrl), open(trpcUrl)]);
    for (const h of ['content-type', 'cache-control', 'x-accel-buffering', 'connection', 'vary']) {
      expect(a.res.headers[h], h).toBe(b.res.headers[h]);
    }
    expect(a.res.statusCode).toBe(200);
    await until(
      () => [a, b].every((x) => x.text().split('\n\n\n').length === 3),
      'connected + snapshot',
    );
    await bus.publish([trade('BTCUSDT', '60020', T + 4)]);
    await until(() => [a, b].every((x) => x.text().split('\n\n\n').length === 4), 'one live event');
    const norm = (s: string) =>
      s.replace(/id: s\d+/, 'id: s').replace(/("snapshot":true,"publishedAt":)\d+/, '$1');
    expect(norm(a.text())).toBe(norm(b.text()));
    expect(a.text()).toMatch(
      /^event: connected\ndata: \{\}\n\n\ndata: \{"snapshot":true,"publishedAt":\d+,"ticks":\[.*\]\}\nid: s\d+\n\n\ndata: \{"snapshot":false,.*\}\nid: \d+\n\n\n$/s,
    );
  });

  it('leaves malformed input to tRPC, which answers BAD_REQUEST as before', async () => {
    const before = declined;
    const viaFast = subscribe(fastUrl, { symbols: ['not a symbol!'] });
    const viaTrpc = subscribe(trpcUrl, { symbols: ['not a symbol!'] });
    await until(() => viaFast.errors.length === 1 && viaTrpc.errors.length === 1, 'the errors');
    expect(viaFast.errors[0]!.data?.code).toBe('BAD_REQUEST');
    expect(viaFast.errors[0]!.message).toBe(viaTrpc.errors[0]!.message);
    expect(viaFast.events).toEqual([]);
    expect(declined).toBe(before + 1);
  });

  it('resumes after a dropped connection: the client reconnects with its last event id and gets a fresh snapshot', async () => {
    const s = subscribe(fastUrl, { symbols: ['SOLUSDT'] });
    await until(() => s.events.length === 1, 'the snapshot');
    await bus.publish([trade('SOLUSDT', '153', T + 5)]);
    await until(() => s.events.length === 2, 'a live event');
    const lastId = s.events[1]!.id;
    const requestsBefore = liveRequests.length;
    for (const socket of sockets) socket.destroy(); // the server drops every connection
    await until(() => s.events.length === 3, 'the snapshot after the reconnect', 10_000);
    const again = liveRequests.at(-1)!;
    expect(liveRequests.length).toBeGreaterThan(requestsBefore);
    expect(again.headers['last-event-id']).toBe(lastId);
    expect(s.events[2]!.data.snapshot).toBe(true);
    expect(s.events[2]!.data.ticks.map((t) => t.kind === 'trade' && t.price)).toContain('153');
    await bus.publish([trade('SOLUSDT', '154', T + 6)]);
    await until(() => s.events.length === 4, 'live events after the reconnect');
    expect(s.events[3]!.data).toMatchObject({
      snapshot: false,
      ticks: [{ symbol: 'SOLUSDT', price: '154' }],
    });
    expect(s.errors).toEqual([]);
  }, 15_000);
});

describe('parseLiveRequest', () => {
  const req = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
    ({ url, method, headers }) as unknown as http.IncomingMessage;
  const q = (input: unknown) =>
    `/api/trpc/market.live?input=${encodeURIComponent(JSON.stringify(input))}`;

  it('takes well-formed requests, normalising symbols as the schema does', () => {
    expect(parseLiveRequest(req('/api/trpc/market.live'))).toEqual({ symbols: null });
    expect(parseLiveRequest(req(q({ symbols: [] })))).toEqual({ symbols: null });
    expect(parseLiveRequest(req(q({ symbols: [' ethusdt'] })))).toEqual({ symbols: ['ETHUSDT'] });
    expect(parseLiveRequest(req(q({ lastEventId: '12' }), { 'last-event-id': '13' }))).toEqual({
      symbols: null,
    });
    expect(parseLiveRequest(req('/api/trpc/market.live?lastEventId=5'))).toEqual({ symbols: null });
  });

  it('declines anything else', () => {
    for (const r of [
      req(q({ symbols: ['x'] })),
      req(q({ symbols: new Array(51).fill('BTCUSDT') })),
      req(q({ symbols: 'BTCUSDT' })),
      req(q(['BTCUSDT'])),
      req(q([]), { 'last-event-id': '3' }), // tRPC does not merge the id into an array: invalid
      req('/api/trpc/market.live?input=%7B'),
      req('/api/trpc/market.live?batch=1&input=%7B%7D'),
      req('/api/trpc/market.live?connectionParams=%7B%7D'),
      req('/api/trpc/market.live/'),
      req('/api/trpc/market.livex'),
      req('/api/trpc/market.tickers'),
      req('/api/trpc/market.live', {}, 'POST'),
    ]) {
      expect(parseLiveRequest(r), r.url).toBeUndefined();
    }
  });
});
