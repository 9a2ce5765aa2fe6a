import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BybitLinearSource } from '../../src/live/bybit.ts';
import { BybitFrameParser } from '../../src/live/bybit-parser.ts';
import {
  bybitControlHandler,
  bybitStreamGenerator,
  bybitSubscribedTopics,
  FakeExchangeServer,
  loadFrames,
} from '../../src/live/testing/index.ts';
import { memoryLogger, TickLog } from './helpers.ts';

const fixture = loadFrames(
  fileURLToPath(new URL('../../fixtures/bybit/linear-stream.jsonl', import.meta.url)),
);
const selection = { tickers: true, trades: true, book: 1 } as const;

describe('BybitFrameParser', () => {
  it('maps the recorded linear frames exactly, merging ticker deltas into full mark ticks', () => {
    const parser = new BybitFrameParser(new Map([['BTCUSDT', 'BTCUSDT']]), selection);
    const outcomes = fixture.map((f) => parser.parse(f));
    expect(outcomes.map((o) => o.type)).toEqual([
      'ignored',
      'data',
      'data',
      'data',
      'data',
      'data',
      'data',
    ]);
    const ticks = outcomes.flatMap((o) => (o.type === 'data' ? o.ticks : []));
    expect(ticks).toEqual([
      {
        kind: 'mark',
        symbol: 'BTCUSDT',
        time: 1764114000000,
        markPrice: '87012.45',
        indexPrice: '87001.99',
        fundingRate: '0.0001',
        nextFundingTime: 1764115200000,
      },
      // S is the taker side
      {
        kind: 'trade',
        symbol: 'BTCUSDT',
        time: 1764114000103,
        price: '87012.30',
        quantity: '0.015',
        side: 'sell',
      },
      {
        kind: 'trade',
        symbol: 'BTCUSDT',
        time: 1764114000104,
        price: '87012.40',
        quantity: '0.200',
        side: 'buy',
      },
      {
        kind: 'book',
        symbol: 'BTCUSDT',
        time: 1764114000108,
        bids: [['87012.30', '3.512']],
        asks: [['87012.40', '0.884']],
      },
      // the volume-only delta produced no tick; this one carries the unchanged funding from the snapshot
      {
        kind: 'mark',
        symbol: 'BTCUSDT',
        time: 1764114000300,
        markPrice: '87012.50',
        indexPrice: '87002.10',
        fundingRate: '0.0001',
        nextFundingTime: 1764115200000,
      },
      {
        kind: 'book',
        symbol: 'BTCUSDT',
        time: 1764114000307,
        bids: [['87012.40', '0.511']],
        asks: [['87012.50', '2.340']],
      },
    ]);
    // the volume-only delta still counts as evidence the ticker stream is alive
    expect(outcomes[4]).toEqual({ type: 'data', symbol: 'BTCUSDT', channel: 'mark', ticks: [] });
  });

  it('ignores deltas before a snapshot and rejects malformed frames', () => {
    const parser = new BybitFrameParser(new Map([['BTCUSDT', 'BTCUSDT']]), selection);
    expect(parser.parse(fixture[5] ?? '')).toEqual({
      type: 'ignored',
      reason: 'delta before snapshot',
    });
    expect(
      parser.parse(
        '{"topic":"tickers.ETHUSDT","type":"snapshot","ts":1,"data":{"symbol":"ETHUSDT"}}',
      ),
    ).toMatchObject({
      type: 'malformed',
      reason: 'unknown-stream',
    });
    expect(
      parser.parse(
        '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Up","v":"1","p":"1"}]}',
      ),
    ).toMatchObject({ type: 'malformed', reason: 'invalid-field' });
    expect(
      parser.parse(
        '{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1,"data":{"symbol":"BTCUSDT","markPrice":87012.5}}',
      ),
    ).toMatchObject({ type: 'malformed', reason: 'invalid-field' });
    expect(parser.parse('{"topic":')).toMatchObject({ type: 'malformed', reason: 'invalid-json' });
    expect(
      parser.parse('{"success":false,"ret_msg":"error:handler not found","op":"subscribe"}'),
    ).toMatchObject({
      type: 'ignored',
      reason: expect.stringContaining('failed') as unknown,
    });
  });
});

describe('BybitLinearSource against a local server', () => {
  let server: FakeExchangeServer;
  let source: BybitLinearSource | undefined;

  beforeEach(async () => {
    server = await FakeExchangeServer.start({ onClientMessage: bybitControlHandler });
  });
  afterEach(async () => {
    await source?.stop();
    await server.close();
  });

  it('subscribes on open, streams ticks, pings in JSON, and resubscribes after a drop', async () => {
    const logger = memoryLogger();
    source = new BybitLinearSource({
      symbols: ['BTCUSDT', 'ETHUSDT'],
      baseUrl: server.url,
      logger,
      random: () => 0,
      backoff: { initialMs: 20, maxMs: 100 },
      staleAfterMs: { mark: 400, book: 400 },
      heartbeatIntervalMs: 50,
    });
    const log = new TickLog(source);
    server.startStreaming(bybitStreamGenerator(), 20);
    await source.start();
    await log.waitForStatus('BTCUSDT', 'live');
    await log.waitForStatus('ETHUSDT', 'live', 3_000, 0);
    const first = server.connections[0];
    expect(first && bybitSubscribedTopics(first)).toEqual([
      'tickers.BTCUSDT',
      'publicTrade.BTCUSDT',
      'orderbook.1.BTCUSDT',
      'tickers.ETHUSDT',
      'publicTrade.ETHUSDT',
      'orderbook.1.ETHUSDT',
    ]);
    await log.waitFor((t) => t.kind === 'trade' && t.symbol === 'ETHUSDT', 3_000, 0);
    await new Promise((r) => setTimeout(r, 120));
    expect(first?.received.filter((m) => m.includes('"op":"ping"')).length).toBeGreaterThanOrEqual(
      1,
    );

    const mark = log.ticks.length;
    server.dropAll();
    const second = await server.waitForConnection(2);
    await log.waitForStatus('BTCUSDT', 'live', 3_000, mark);
    expect(bybitSubscribedTopics(second)).toEqual(first && bybitSubscribedTopics(first));
    expect(log.statuses('BTCUSDT')).toEqual(['connecting', 'live', 'connecting', 'live']);

    server.stopStreaming();
    await log.waitForStatus('BTCUSDT', 'stale', 2_000);
    expect(source.getStats().malformed).toBe(0);
  });
});
