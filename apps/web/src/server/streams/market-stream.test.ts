import type { MarketTick } from '@lab/contracts';
import { MarketFeed } from '@lab/market-data';
import { describe, expect, it } from 'vitest';
import { MarketStreams } from './market-stream.ts';
import { SseHub } from './sse-hub.ts';

const trade = (symbol: string, price: string): MarketTick => ({
  kind: 'trade',
  symbol,
  time: 1,
  price,
  quantity: '1',
  side: 'buy',
});
const book = (symbol: string): MarketTick => ({
  kind: 'book',
  symbol,
  time: 1,
  bids: [],
  asks: [],
});

async function firstEvents(stream: ReadableStream<Uint8Array>, n: number) {
  const r = stream.getReader();
  const text = new TextDecoder();
  let buf = '';
  const out: Array<{ snapshot: boolean; ticks: MarketTick[] }> = [];
  while (out.length < n) {
    const c = await r.read();
    if (c.done) break;
    buf += text.decode(c.value);
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const data = buf
        .slice(0, i)
        .split('\n')
        .find((l) => l.startsWith('data: '));
      buf = buf.slice(i + 2);
      if (data) out.push(JSON.parse(data.slice(6)) as { snapshot: boolean; ticks: MarketTick[] });
    }
  }
  await r.cancel();
  return out;
}

describe('market stream', () => {
  it('each group gets the snapshot and then only its symbols and kinds, encoded once per group', async () => {
    const feed = new MarketFeed();
    feed.ingest({
      publishedAt: 1,
      ticks: [trade('BTCUSDT', '100'), book('BTCUSDT'), trade('ETHUSDT', '5')],
    });
    const hub = new SseHub();
    const streams = new MarketStreams(hub, feed);
    const btcPrices = streams.open('a', { symbols: ['BTCUSDT'], kinds: ['trade'] });
    const btcPrices2 = streams.open('b', { symbols: ['BTCUSDT'], kinds: ['trade'] });
    const all = streams.open('c', {});
    const other = streams.open('d', {}, 'comp-1'); // another venue: not main's ticks
    const got = Promise.all([
      firstEvents(btcPrices, 2),
      firstEvents(btcPrices2, 2),
      firstEvents(all, 2),
      firstEvents(other, 2),
    ]);
    await new Promise((r) => setTimeout(r, 20));
    const before = hub.stats.encoded;
    feed.ingest({
      publishedAt: 2,
      ticks: [book('BTCUSDT'), trade('ETHUSDT', '6'), trade('BTCUSDT', '101')],
    });
    feed.ingest({ publishedAt: 3, venue: 'comp-1', ticks: [trade('BTCUSDT', '999')] });
    const [a, b, c, comp] = await got;
    expect(a[0]!.snapshot).toBe(true);
    expect(a[0]!.ticks).toEqual([trade('BTCUSDT', '100')]);
    expect(a[1]!.ticks).toEqual([trade('BTCUSDT', '101')]);
    expect(b[1]!.ticks).toEqual([trade('BTCUSDT', '101')]);
    expect(c[1]!.ticks).toHaveLength(3);
    // main's batch: one frame for the BTC trade group, one for "everything"; comp-1's: one
    expect(hub.stats.encoded - before).toBe(3);
    expect(comp[0]!.ticks).toEqual([]);
    expect(comp[1]!.ticks).toEqual([trade('BTCUSDT', '999')]);
    hub.close();
    streams.close();
  });
});
