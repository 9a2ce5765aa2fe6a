// The account stream against a real PostgreSQL: changes committed through the trading layer
// arrive over LISTEN/NOTIFY as updates with the engine's events and figures; mark moves bring new
// figures; a margin ratio past the warning level raises one margin call; a liquidation is announced,
// and told again in the snapshot of a client that comes back having missed it.
import { accountChangeSchema, CHANNELS, type AccountStreamEvent } from '@lab/contracts';
import { createDb, type Db } from '@lab/db';
import { listenToChannel, type ChannelListener } from '@lab/db/listen';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import {
  CATALOGUE,
  Decimal,
  onPrice,
  placeOrder,
  setLeverage,
  type Market,
} from '@lab/margin-engine';
import { MarketFeed } from '@lab/market-data';
import { feedPrices, runOnAccount, systemActor, userActor } from '@lab/services';
import { createUser } from '@lab/services/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStreams } from './account-stream.ts';
import { SseHub } from './sse-hub.ts';

let tdb: TestDatabase;
let db: Db;
let listener: ChannelListener;
const feed = new MarketFeed();
const hub = new SseHub();
let streams: AccountStreams;

const mark = (symbol: string, price: string) =>
  feed.ingest({
    publishedAt: Date.now(),
    venue: 'main',
    ticks: [
      {
        kind: 'mark',
        symbol,
        time: Date.now(),
        markPrice: price,
        indexPrice: price,
        fundingRate: '0.0001',
        nextFundingTime: Date.now() + 3_600_000,
      },
    ],
  });
const engineMarket = (marks: Record<string, string>): Market => ({
  instruments: CATALOGUE,
  marks: Object.fromEntries(Object.entries(marks).map(([s, m]) => [s, new Decimal(m)])),
});

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDb(tdb.url);
  streams = new AccountStreams(hub, db, feed, feedPrices(feed));
  listener = await listenToChannel(tdb.url, CHANNELS.accountChanges, (p) => {
    const c = accountChangeSchema.safeParse(JSON.parse(p));
    if (c.success) streams.onChange(c.data);
  });
});
afterAll(async () => {
  hub.close();
  streams.close();
  await listener.close();
  await db.$disconnect();
  await tdb.drop();
});

/** Parsed events of a stream as they arrive, and the SSE id of each frame (null: none). */
function events(stream: ReadableStream<Uint8Array>) {
  const got: AccountStreamEvent[] = [];
  const ids: Array<{ type: string; id: string | null }> = [];
  const reader = stream.getReader();
  const text = new TextDecoder();
  let buf = '';
  void (async () => {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      buf += text.decode(r.value);
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        const id = frame.split('\n').find((l) => l.startsWith('id: '));
        if (!data) continue;
        const e = JSON.parse(data.slice(6)) as AccountStreamEvent;
        got.push(e);
        ids.push({ type: e.type, id: id ? id.slice(4) : null });
      }
    }
  })();
  return {
    got,
    ids,
    async next(type: AccountStreamEvent['type'], ms = 5000): Promise<AccountStreamEvent> {
      const end = Date.now() + ms;
      for (;;) {
        const i = got.findIndex((e) => e.type === type);
        if (i >= 0) return got.splice(i, 1)[0]!;
        if (Date.now() > end) throw new Error(`no ${type} event within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** The snapshot a client reconnecting with `lastEventId` gets. */
async function streamsOf(accountId: string, lastEventId: string | undefined) {
  const s = events(streams.open('127.0.0.1', accountId, lastEventId));
  const snap = await s.next('snapshot');
  await s.cancel();
  return snap;
}

describe('account stream', () => {
  it('snapshot, then updates from committed changes, figures as marks move, a margin call, a liquidation', async () => {
    mark('BTCUSDT', '50000');
    const { user, accountId } = await createUser(db);
    const s = events(streams.open('127.0.0.1', accountId));
    const snap = await s.next('snapshot');
    expect(snap).toMatchObject({
      accountId,
      figures: { account: { walletBalance: '10000' } },
      liquidations: [],
    });

    // 50x long 3 BTC: 3 x 50,000 / 50 = 3,000 of initial margin on a 10,000 wallet
    const m = engineMarket({ BTCUSDT: '50000' });
    await runOnAccount(db, userActor(user.id), accountId, (l) => ({
      result: setLeverage(l.engine, m, 'BTCUSDT', 50, Date.now()),
      context: { market: m },
      value: null,
    }));
    await s.next('update');
    await runOnAccount(db, userActor(user.id), accountId, (l) => ({
      result: placeOrder(
        l.engine,
        m,
        { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '3' },
        { now: Date.now() },
      ),
      context: { market: m },
      value: null,
    }));
    const upd = await s.next('update');
    if (upd.type !== 'update') throw new Error('not an update');
    expect(upd.events.map((e) => e.type)).toEqual(['orderAccepted', 'fill', 'positionChanged']);
    expect(upd.figures.positions).toHaveLength(1);
    expect(upd.figures.positions[0]).toMatchObject({ symbol: 'BTCUSDT', quantity: '3' });

    // the mark moves: new figures (unrealized PnL = 3 x (49900 - 50000) = -300, before fees)
    mark('BTCUSDT', '49900');
    const fig = await s.next('figures');
    if (fig.type !== 'figures') throw new Error('not figures');
    expect(fig.figures.positions[0]!.markPrice).toBe('49900');
    expect(fig.figures.positions[0]!.unrealizedPnl).toBe('-300');

    // close to the liquidation price the margin ratio passes 80% -> one margin call. 40 above it:
    // maintenance ~ 3 x 48,950 x 0.5% - 50 = 684; margin balance - maintenance = (3 - 0.015) x 40
    // = 119.4; ratio = 684 / 803 = 0.85
    const liq = new Decimal(fig.figures.positions[0]!.liquidationPrice!);
    const near = liq.plus(40);
    mark('BTCUSDT', near.toFixed());
    const call = await s.next('marginCall');
    expect(call).toMatchObject({ compartment: 'cross' });
    mark('BTCUSDT', near.minus(5).toFixed());
    await new Promise((r) => setTimeout(r, 200));
    expect(s.got.filter((e) => e.type === 'marginCall')).toHaveLength(0); // not repeated

    // the worker liquidates at the liquidation price: an update and a liquidation event
    const at = engineMarket({ BTCUSDT: liq.toFixed() });
    await runOnAccount(db, systemActor('test-worker'), accountId, (l) => ({
      result: onPrice(l.engine, m, 'BTCUSDT', { markPrice: liq }, Date.now()),
      context: { market: at },
      value: null,
    }));
    const done = await s.next('liquidation');
    expect(done).toMatchObject({ mode: 'cross', symbol: 'BTCUSDT', markPrice: liq.toFixed() });
    if (done.type !== 'liquidation') throw new Error('not a liquidation');
    // the id is on the notice, the last frame of the change, not on the update before it
    const after = await streamsOf(accountId, undefined);
    if (after.type !== 'snapshot') throw new Error('not a snapshot');
    expect(s.ids.slice(-2)).toEqual([
      { type: 'update', id: null },
      { type: 'liquidation', id: `e${after.lastEventSeq}` },
    ]);
    await s.cancel();

    // A client that comes back with the id it had before the liquidation is told of it (once
    // more, if it was the notice that was lost); one with the latest id, or none, is not.
    const before = await streamsOf(accountId, `e${upd.lastEventSeq}`);
    expect(before.type === 'snapshot' && before.liquidations).toEqual([
      {
        mode: 'cross',
        symbol: 'BTCUSDT',
        markPrice: liq.toFixed(),
        eventSeq: done.eventSeq,
        at: done.at,
      },
    ]);
    expect(done.eventSeq).toBeGreaterThan(upd.lastEventSeq);
    expect(after.liquidations).toEqual([]);
    const latest = await streamsOf(accountId, `e${after.lastEventSeq}`);
    expect(latest.type === 'snapshot' && latest.liquidations).toEqual([]);
    const junk = await streamsOf(accountId, 'v12; DROP TABLE');
    expect(junk.type === 'snapshot' && junk.liquidations).toEqual([]);
  });
});
