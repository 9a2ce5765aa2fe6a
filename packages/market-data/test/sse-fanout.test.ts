// LiveSseFanout on a real node:http server: one encoding per batch and filter, and a client that
// stops reading skips batches (never stalls the others) and is resynchronised with a snapshot.
// The wire format against tRPC itself is tested in apps/web/src/server/live-fanout.test.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveSseFanout, MarketFeed, MemoryTickBus, type MarketTick } from '../src/index.ts';

const trade = (symbol: string, i: number): MarketTick => ({
  kind: 'trade',
  symbol,
  time: i,
  price: String(100 + (i % 50)),
  quantity: '1',
  side: 'buy',
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(maxBufferedBytes?: number) {
  const bus = new MemoryTickBus();
  const feed = new MarketFeed(bus);
  await feed.start();
  const fanout = new LiveSseFanout(feed, { maxBufferedBytes });
  const server = http.createServer((req, res) => {
    const symbols = new URL(req.url!, 'http://x').searchParams.get('symbols');
    fanout.open(res, symbols ? symbols.split(',') : null);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    fanout.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await feed.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { bus, feed, fanout, url };
}

/** A raw SSE client that counts frames by their id (`s…` snapshots, numbers live). */
function client(url: string) {
  const frames: string[] = [];
  let buf = '';
  let response: http.IncomingMessage | undefined;
  const req = http.get(url, { agent: false }, (res) => {
    response = res;
    res.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let end: number;
      while ((end = buf.indexOf('\n\n\n')) >= 0) {
        frames.push(buf.slice(0, end));
        buf = buf.slice(end + 3);
      }
    });
  });
  req.on('error', () => {});
  cleanups.push(() => void req.destroy());
  return {
    frames,
    ids: () =>
      frames.map((f) => /^id: (.*)$/m.exec(f)?.[1] ?? `event:${/^event: (.*)$/m.exec(f)?.[1]}`),
    pause: () => response!.pause(),
    resume: () => response!.resume(),
    connected: () => !!response,
  };
}

async function until(check: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('LiveSseFanout', () => {
  it('encodes each batch once per symbol filter, whatever the number of clients', async () => {
    const { bus, fanout, url } = await setup();
    await bus.publish([trade('BTCUSDT', 0)]);
    const all = Array.from({ length: 5 }, () => client(url));
    const eth = Array.from({ length: 3 }, (_, i) =>
      client(`${url}?symbols=${i ? 'ETHUSDT,BTCUSDT' : 'BTCUSDT,ETHUSDT'}`),
    );
    await until(() => [...all, ...eth].every((c) => c.frames.length === 2), 'connected + snapshot');
    expect(all[0]!.ids()).toEqual(['event:connected', expect.stringMatching(/^s\d+$/)]);
    await bus.publish([trade('ETHUSDT', 1), trade('SOLUSDT', 1)]);
    await bus.publish([trade('SOLUSDT', 2)]); // nothing for the filtered clients
    await until(
      () => all.every((c) => c.frames.length === 4) && eth.every((c) => c.frames.length === 3),
      'the batches',
    );
    expect(fanout.stats.encoded).toBe(3); // batch 1 for two filters, batch 2 for one
    expect(eth[0]!.frames[2]).toBe(
      all[0]!.frames[2]!.replace(
        ',{"kind":"trade","symbol":"SOLUSDT","time":1,"price":"101","quantity":"1","side":"buy"}',
        '',
      ),
    );
  });

  it('lets a client that stops reading skip batches without delaying the others, then resynchronises it', async () => {
    const { bus, fanout, url } = await setup(64 * 1024);
    const fast = client(url);
    const slow = client(url);
    await until(() => fast.frames.length === 2 && slow.frames.length === 2, 'connected + snapshot');
    slow.pause();
    // ~150 KB per batch: the slow client's socket buffers fill within a few dozen batches.
    const big = Array.from({ length: 1500 }, (_, i) => trade('BTCUSDT', i));
    let published = 0;
    while (fanout.stats.skipped < 5 && published < 400) {
      await bus.publish(big);
      published++;
      await until(
        () => fast.frames.length === 2 + published,
        `batch ${published} at the reading client`,
      );
    }
    expect(fanout.stats.skipped).toBeGreaterThanOrEqual(5);
    slow.resume();
    await until(() => fanout.stats.resyncs === 1, 'the slow client to drain');
    await bus.publish([trade('BTCUSDT', 99)]);
    await until(
      () => slow.ids().at(-1) === String(published + 1),
      'the slow client to follow again',
    );
    const ids = slow.ids().slice(2);
    const snapshotAt = ids.findIndex((id) => id.startsWith('s'));
    expect(snapshotAt).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(published + 2); // it skipped batches
    expect(ids.slice(snapshotAt + 1)).toEqual([String(published + 1)]); // then the live stream again
    expect(fast.ids().slice(2)).toEqual(
      Array.from({ length: published + 1 }, (_, i) => String(i + 1)),
    );
  }, 60_000);
});
