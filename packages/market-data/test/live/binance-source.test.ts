// BinanceFuturesSource against a real WebSocket server on 127.0.0.1 (no socket mocks).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BinanceFuturesSource, type BinanceFuturesOptions } from '../../src/live/binance.ts';
import {
  binanceFixturePath,
  binanceStreamGenerator,
  FakeExchangeServer,
  loadFrames,
} from '../../src/live/testing/index.ts';
import type { MarketTick } from '../../src/types.ts';
import { memoryLogger, sleep, TickLog } from './helpers.ts';

let server: FakeExchangeServer;
const sources: BinanceFuturesSource[] = [];

beforeEach(async () => {
  server = await FakeExchangeServer.start();
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  await server.close();
});

function makeSource(options: Partial<BinanceFuturesOptions> = {}) {
  const logger = memoryLogger();
  const source = new BinanceFuturesSource({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    baseUrl: server.url,
    logger,
    random: () => 0, // no jitter: delays are exactly initial * factor^n
    backoff: { initialMs: 20, maxMs: 160, factor: 2 },
    staleAfterMs: { mark: 400, book: 400 },
    heartbeatIntervalMs: 100,
    heartbeatTimeoutMs: 1_000,
    ...options,
  });
  sources.push(source);
  return { source, logger, log: new TickLog(source) };
}

const reconnectDelays = (entries: ReturnType<typeof memoryLogger>['entries']): number[] =>
  entries
    .filter((e) => e.message.startsWith('connection lost'))
    .map((e) => e.meta?.['delayMs'] as number);

describe('BinanceFuturesSource: normal stream', () => {
  it('subscribes through the combined-stream URL and emits exact ticks from recorded frames', async () => {
    const { source, log } = makeSource();
    await source.start();
    const conn = await server.waitForConnection(1);
    expect(conn.path.startsWith('/stream?streams=')).toBe(true);
    expect(conn.streams).toEqual([
      'btcusdt@markPrice@1s',
      'btcusdt@aggTrade',
      'btcusdt@bookTicker',
      'ethusdt@markPrice@1s',
      'ethusdt@aggTrade',
      'ethusdt@bookTicker',
    ]);
    expect(log.statuses('BTCUSDT')).toEqual(['connecting']);

    await server.replay(loadFrames(binanceFixturePath('combined-stream.jsonl')));
    await log.waitFor(
      (t) => t.kind === 'mark' && t.symbol === 'ETHUSDT' && t.markPrice === '3021.50123456',
      3_000,
      0,
    );

    const data = log.ticks.filter((t) => t.kind !== 'status');
    expect(data).toHaveLength(10);
    expect(data[0]).toEqual({
      kind: 'mark',
      symbol: 'BTCUSDT',
      time: 1764114000000,
      markPrice: '87012.34567890',
      indexPrice: '87001.98765432',
      fundingRate: '0.00010000',
      nextFundingTime: 1764115200000,
    });
    expect(log.of('trade').map((t) => [t.symbol, t.price, t.quantity, t.side])).toEqual([
      ['BTCUSDT', '87012.30', '0.015', 'sell'],
      ['ETHUSDT', '3021.46', '1.250', 'buy'],
      ['BTCUSDT', '87012.40', '0.200', 'buy'],
    ]);
    expect(log.of('book').map((t) => [t.symbol, t.bids, t.asks])).toEqual([
      ['BTCUSDT', [['87012.30', '4.118']], [['87012.40', '0.902']]],
      ['ETHUSDT', [['3021.45', '38.402']], [['3021.46', '12.007']]],
      ['BTCUSDT', [['87012.40', '0.511']], [['87012.50', '2.340']]],
    ]);
    // live only once every watched channel (mark and book) has delivered, and only then
    expect(log.statuses('BTCUSDT')).toEqual(['connecting', 'live']);
    expect(log.statuses('ETHUSDT')).toEqual(['connecting', 'live']);
    const liveAt = log.ticks.findIndex(
      (t) => t.kind === 'status' && t.symbol === 'BTCUSDT' && t.status === 'live',
    );
    const firstBtcBook = log.ticks.findIndex((t) => t.kind === 'book' && t.symbol === 'BTCUSDT');
    expect(liveAt).toBe(firstBtcBook + 1); // the fresh price is delivered before `live` is announced
    expect(source.statusOf('BTCUSDT')).toBe('live');
    expect(source.getStats()).toMatchObject({ connections: 1, malformed: 0, ticksEmitted: 10 });
  });

  it('answers the server ping frames (Binance pings every 3 minutes) with pongs', async () => {
    await server.close();
    server = await FakeExchangeServer.start({ serverPingIntervalMs: 30 });
    const { source } = makeSource();
    await source.start();
    const conn = await server.waitForConnection(1);
    await sleep(150);
    expect(conn.pongs).toBeGreaterThanOrEqual(2);
    expect(conn.pings).toBeGreaterThanOrEqual(1); // our own heartbeat pings, answered by the server
  });

  it('a listener that throws does not stop the stream or other listeners', async () => {
    const { source, log, logger } = makeSource();
    source.onTick(() => {
      throw new Error('consumer bug');
    });
    await source.start();
    await server.waitForConnection(1);
    await server.replay(loadFrames(binanceFixturePath('combined-stream.jsonl')));
    await log.waitFor((t) => t.kind === 'mark' && t.markPrice === '3021.50123456', 3_000, 0);
    expect(
      logger.entries.some((e) => e.level === 'error' && e.message === 'tick listener threw'),
    ).toBe(true);
  });
});

describe('BinanceFuturesSource: reconnection', () => {
  it('reconnects after the server drops, resubscribes, and the stream resumes', async () => {
    const { source, log, logger } = makeSource();
    server.startStreaming(binanceStreamGenerator(), 20);
    await source.start();
    await log.waitForStatus('BTCUSDT', 'live');
    const first = server.connections[0];

    const mark = log.ticks.length;
    server.dropAll();
    await log.waitForStatus('BTCUSDT', 'connecting', 2_000, mark);
    const second = await server.waitForConnection(2);
    expect(second.streams).toEqual(first?.streams); // resubscribed to exactly the same streams
    await log.waitForStatus('BTCUSDT', 'live', 2_000, mark);
    await log.waitFor((t) => t.kind === 'trade', 2_000, log.ticks.length);
    expect(log.statuses('BTCUSDT')).toEqual(['connecting', 'live', 'connecting', 'live']);
    expect(source.getStats()).toMatchObject({ connections: 2, reconnects: 1 });
    expect(reconnectDelays(logger.entries)).toEqual([20]);
  });

  it('backoff grows while connecting fails, is capped, and resets after a successful connection', async () => {
    const { source, log, logger } = makeSource();
    server.startStreaming(binanceStreamGenerator(), 20);
    server.rejectNextConnections(6); // HTTP 503 on the handshake, six times
    await source.start(); // resolves after the first (failed) attempt
    await log.waitForStatus('BTCUSDT', 'live', 5_000);
    // initial 20 ms, doubling, capped at 160 ms
    expect(reconnectDelays(logger.entries)).toEqual([20, 40, 80, 160, 160, 160]);
    expect(log.statuses('BTCUSDT')).toEqual(['connecting', 'live']);

    // After data flowed on the new connection the next failure starts from the initial delay.
    server.dropAll();
    await server.waitForConnection(2);
    expect(reconnectDelays(logger.entries)).toEqual([20, 40, 80, 160, 160, 160, 20]);
    await log.waitForStatus('BTCUSDT', 'live', 2_000, log.ticks.length - 1);
  });

  it('reconnects when the server closes the connection with a close frame (24 h limit)', async () => {
    const { source, log } = makeSource();
    server.startStreaming(binanceStreamGenerator(), 20);
    await source.start();
    await log.waitForStatus('ETHUSDT', 'live');
    server.closeAll(1001, 'connection lifetime exceeded');
    await server.waitForConnection(2);
    await log.waitForStatus(
      'ETHUSDT',
      'live',
      2_000,
      log.ticks.findLastIndex((t) => t.kind === 'status' && t.status === 'connecting'),
    );
    expect(log.statuses('ETHUSDT')).toEqual(['connecting', 'live', 'connecting', 'live']);
  });

  it('rotates to a fresh connection before the age limit without interrupting the feed', async () => {
    const { source, log } = makeSource({ maxConnectionAgeMs: 250 });
    server.startStreaming(binanceStreamGenerator(), 20);
    await source.start();
    await log.waitForStatus('BTCUSDT', 'live');
    await server.waitForConnection(2);
    await sleep(150);
    expect(server.connections[0]?.open).toBe(false); // old one closed after the switch
    expect(server.connections[1]?.streams).toEqual(server.connections[0]?.streams);
    const tradesBefore = log.of('trade').length;
    await sleep(100);
    expect(log.of('trade').length).toBeGreaterThan(tradesBefore);
    // never left `live`: a rotation is not an outage
    expect(log.statuses('BTCUSDT')).toEqual(['connecting', 'live']);
    expect(source.getStats().rotations).toBeGreaterThanOrEqual(1);
  });

  it('kills a dead socket (no frames, no pongs) after the heartbeat timeout and reconnects', async () => {
    const { source, log } = makeSource({
      heartbeatTimeoutMs: 300,
      staleAfterMs: { mark: 2_000, book: 2_000 },
    });
    server.startStreaming(binanceStreamGenerator(), 20);
    await source.start();
    await log.waitForStatus('BTCUSDT', 'live');
    server.setUnresponsive(true);
    const mark = log.ticks.length;
    await log.waitForStatus('BTCUSDT', 'connecting', 2_000, mark);
    expect(source.getStats().heartbeatTimeouts).toBe(1);
    server.setUnresponsive(false);
    await server.waitForConnection(2);
    await log.waitForStatus('BTCUSDT', 'live', 2_000, mark);
  });
});

describe('BinanceFuturesSource: staleness', () => {
  it('flags a silent feed stale (trading halts) and live again when data resumes', async () => {
    const { source, log, logger } = makeSource();
    const generator = binanceStreamGenerator();
    server.startStreaming(generator, 20);
    await source.start();
    await log.waitForStatus('BTCUSDT', 'live');

    server.stopStreaming(); // the connection stays up and answers pings; only data stops
    const silentFrom = Date.now();
    const stale = await log.waitForStatus('BTCUSDT', 'stale', 2_000);
    const detectedAfter = Date.now() - silentFrom;
    expect(detectedAfter).toBeGreaterThanOrEqual(350); // threshold 400 ms (minus timer slack)
    expect(detectedAfter).toBeLessThan(1_000);
    expect(stale).toMatchObject({ kind: 'status', status: 'stale' });
    expect((stale as Extract<MarketTick, { kind: 'status' }>).reason).toMatch(/silent for \d+ ms/);
    await log.waitForStatus('ETHUSDT', 'stale', 1_000, 0);
    expect(source.statusOf('BTCUSDT')).toBe('stale');
    expect(source.getStats()).toMatchObject({ connections: 1, reconnects: 0, staleEvents: 2 });
    expect(logger.entries.some((e) => e.message.startsWith('feed stale'))).toBe(true);

    const resumedFrom = log.ticks.length;
    server.startStreaming(generator, 20);
    await log.waitForStatus('BTCUSDT', 'live', 2_000, resumedFrom);
    await log.waitForStatus('ETHUSDT', 'live', 2_000, resumedFrom);
    expect(log.statuses('BTCUSDT')).toEqual(['connecting', 'live', 'stale', 'live']);
  });

  it('flags only the symbol whose stream went silent', async () => {
    const { source, log } = makeSource();
    const generator = binanceStreamGenerator();
    // Stream everything except ETHUSDT mark prices.
    server.startStreaming((c, step) => {
      const frames = generator(c, step);
      return step > 10 ? frames.filter((f) => !f.includes('"ethusdt@markPrice@1s"')) : frames;
    }, 20);
    await source.start();
    await log.waitForStatus('ETHUSDT', 'stale', 3_000);
    expect(source.statusOf('BTCUSDT')).toBe('live');
    expect(log.statuses('BTCUSDT')).toEqual(['connecting', 'live']);
    const reason = log.ticks.find((t) => t.kind === 'status' && t.status === 'stale');
    expect(reason).toMatchObject({
      symbol: 'ETHUSDT',
      reason: expect.stringMatching(/^mark silent/) as unknown,
    });
  });

  it('a symbol that never receives a watched stream is stale, not live', async () => {
    const { source, log } = makeSource();
    const generator = binanceStreamGenerator();
    server.startStreaming(
      (c, step) => generator(c, step).filter((f) => !f.includes('"btcusdt@bookTicker"')),
      20,
    );
    await source.start();
    await log.waitForStatus('BTCUSDT', 'stale', 2_000);
    expect(log.statuses('BTCUSDT')).toEqual(['connecting', 'stale']);
    expect(source.statusOf('ETHUSDT')).toBe('live');
  });
});

describe('BinanceFuturesSource: malformed frames', () => {
  it('logs and skips every malformed frame, counts them, and keeps streaming', async () => {
    const { source, log, logger } = makeSource();
    await source.start();
    await server.waitForConnection(1);
    const good = loadFrames(binanceFixturePath('combined-stream.jsonl'));
    const bad = loadFrames(binanceFixturePath('malformed-frames.txt'));
    const interleaved = bad.flatMap((frame, i) => [frame, good[i % good.length] ?? '']);
    await server.replay(interleaved.slice(0, 20));
    server.sendBinary(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    await server.replay(interleaved.slice(20));
    await server.replay(good.slice(8)); // last two marks, BTC then ETH
    await log.waitFor(
      (t) => t.kind === 'mark' && t.symbol === 'ETHUSDT' && t.markPrice === '3021.50123456',
      3_000,
      0,
    );

    const stats = source.getStats();
    expect(stats.malformed).toBe(bad.length + 1);
    expect(stats.malformedByReason).toEqual({
      'invalid-json': 2,
      'bad-envelope': 2,
      'unknown-stream': 1,
      'invalid-field': 5,
      'symbol-mismatch': 1,
      'crossed-book': 1,
      'unexpected-event': 1,
      'binary-frame': 1,
    });
    const warnings = logger.entries.filter((e) => e.message === 'malformed frame skipped');
    expect(warnings).toHaveLength(bad.length + 1);
    expect(warnings[0]?.meta).toMatchObject({ reason: 'invalid-json', source: 'binance-usdm' });
    // every good frame got through; nothing from a bad one did
    const data = log.ticks.filter((t) => t.kind !== 'status');
    // 10 fixture frames, then fixture[0..2] again (the repeated book update is out of order: ignored), then 2 marks
    expect(data.length).toBe(10 + 2 + 2);
    expect(stats.ignored).toBe(1);
    expect(data.some((t) => t.kind === 'trade' && t.price === '87012.3')).toBe(false);
    expect(data.some((t) => t.symbol === 'DOGEUSDT')).toBe(false);
    expect(source.statusOf('BTCUSDT')).toBe('live');
    expect(stats.connections).toBe(1);
  });
});

describe('BinanceFuturesSource: stop', () => {
  it('closes the socket cleanly, reports halted, and leaves no timers or sockets behind', async () => {
    const countHandles = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
      return counts;
    };
    const before = countHandles();
    const { source, log } = makeSource({ maxConnectionAgeMs: 60_000 });
    server.startStreaming(binanceStreamGenerator(), 20);
    await source.start();
    await log.waitForStatus('BTCUSDT', 'live');
    const conn = server.connections[0];
    const closed = new Promise<number>((resolve) =>
      conn?.socket.once('close', (code) => resolve(code)),
    );
    await source.stop();
    expect(await closed).toBe(1000);
    expect(log.statuses('BTCUSDT').at(-1)).toBe('halted');
    expect(source.statusOf('ETHUSDT')).toBe('halted');
    const ticksAtStop = log.ticks.length;
    await sleep(100);
    expect(log.ticks.length).toBe(ticksAtStop); // nothing after stop
    server.stopStreaming();
    await sleep(20);
    const after = countHandles();
    expect(after['Timeout'] ?? 0).toBeLessThanOrEqual(before['Timeout'] ?? 0);
    expect(after['TCPSocketWrap'] ?? 0).toBeLessThanOrEqual(before['TCPSocketWrap'] ?? 0);
    await source.stop(); // idempotent
  });

  it('stop() while reconnecting cancels the pending retry', async () => {
    const { source, logger } = makeSource({ backoff: { initialMs: 200, maxMs: 200 } });
    server.rejectNextConnections(1);
    await source.start();
    expect(reconnectDelays(logger.entries)).toEqual([200]);
    await source.stop();
    await sleep(300);
    expect(server.connections).toHaveLength(0);
  });
});
