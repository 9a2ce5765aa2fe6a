// The tick bus over a real PostgreSQL: PgNotifyPublisher -> PgNotifySubscriber, batches larger than
// a NOTIFY payload split and delivered in order, and a subscriber whose connection is killed
// reconnects and receives again.
import {
  PgNotifyPublisher,
  PgNotifySubscriber,
  encodeBatches,
  type MarketTick,
  type TickBatch,
  type TradeTick,
} from '@lab/market-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog, useWorkerDb, waitFor } from './helpers.ts';

const t = useWorkerDb();
const CHANNEL = 'lab_market_ticks_test';

const trade = (i: number): TradeTick => ({
  kind: 'trade',
  symbol: i % 2 ? 'BTCUSDT' : 'ETHUSDT',
  time: 1_770_000_000_000 + i,
  price: (97_000 + i / 10).toFixed(1),
  quantity: '0.012',
  side: i % 3 ? 'buy' : 'sell',
});

describe('PgNotifyPublisher -> PgNotifySubscriber', () => {
  let pub: PgNotifyPublisher;
  let sub: PgNotifySubscriber;
  const batches: TickBatch[] = [];
  const { lines, log } = memoryLog();

  beforeAll(async () => {
    pub = new PgNotifyPublisher(t.url, CHANNEL);
    sub = new PgNotifySubscriber(t.url, CHANNEL, log);
    sub.onBatch((b) => batches.push(b));
    await sub.start();
  });
  afterAll(async () => {
    await sub.close();
    await pub.close();
  });

  it('delivers a batch with its ticks and publish time', async () => {
    const ticks: MarketTick[] = [
      trade(1),
      {
        kind: 'mark',
        symbol: 'BTCUSDT',
        time: 1,
        markPrice: '97000.1',
        indexPrice: '96990.5',
        fundingRate: '0.0001',
        nextFundingTime: 28_800_000,
      },
      { kind: 'status', symbol: 'BTCUSDT', time: 2, status: 'stale', reason: 'no data for 10 s' },
    ];
    const before = Date.now();
    await pub.publish(ticks);
    const b = await waitFor(() => batches[0], 'the batch');
    expect(b.ticks).toEqual(ticks);
    expect(b.publishedAt).toBeGreaterThanOrEqual(before);
    expect(b.publishedAt).toBeLessThanOrEqual(Date.now());
    expect(sub.malformed).toBe(0);
  });

  it('splits a batch larger than 8000 bytes into notifications that arrive complete and in order', async () => {
    batches.length = 0;
    const ticks = Array.from({ length: 500 }, (_, i) => trade(i));
    const payloads = encodeBatches(ticks, Date.now());
    expect(JSON.stringify(ticks).length).toBeGreaterThan(8000 * 5);
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    await pub.publish(ticks);
    await waitFor(() => batches.length === payloads.length, `${payloads.length} notifications`);
    expect(batches.flatMap((b) => b.ticks)).toEqual(ticks);
    expect(new Set(batches.map((b) => b.publishedAt)).size).toBe(1);
    // A non-bus payload on the channel is counted, never thrown.
    await t.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, '{"hello":1}']);
    await waitFor(() => sub.malformed === 1, 'the malformed count');
  });

  it('measures the NOTIFY limit in bytes, not characters (non-ASCII text in status reasons)', async () => {
    batches.length = 0;
    const ticks: MarketTick[] = Array.from({ length: 60 }, (_, i) => ({
      kind: 'status',
      symbol: 'BTCUSDT',
      time: i,
      status: 'stale',
      reason: `USDⓈ-M feed silent ${'Ⓢ'.repeat(60)}`,
    }));
    const payloads = encodeBatches(ticks, Date.now());
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    await pub.publish(ticks);
    await waitFor(() => batches.length === payloads.length, `${payloads.length} notifications`);
    expect(batches.flatMap((b) => b.ticks)).toEqual(ticks);
  });

  it('reconnects after its connection is terminated, and receives again', async () => {
    const listeners = await t.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    expect(listeners.rows).toHaveLength(1);
    await t.pool.query('SELECT pg_terminate_backend($1)', [listeners.rows[0]!.pid]);
    await waitFor(() => sub.reconnects >= 1, 'a reconnect');
    expect(lines.some((l) => l.startsWith('market tick subscription lost'))).toBe(true);
    // Publish until one arrives: ticks sent before the new LISTEN are lost by design.
    batches.length = 0;
    await waitFor(async () => {
      await pub.publish([trade(9999)]);
      await new Promise((r) => setTimeout(r, 50));
      return batches.length > 0;
    }, 'a batch after the reconnect');
    expect(batches[0]!.ticks).toEqual([trade(9999)]);
  });
});
