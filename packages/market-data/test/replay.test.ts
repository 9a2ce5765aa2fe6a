import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { aggregateTrades } from '../src/candles/aggregate.ts';
import { ReplayFileError, parseReplayCsv } from '../src/replay/csv.ts';
import { ReplaySource, splitQuantity } from '../src/replay/source.ts';
import type { MarketTick, MarkTick, TradeTick } from '../src/types.ts';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const T = Date.UTC(2025, 0, 6, 14, 0, 0);

function collect(src: ReplaySource): MarketTick[] {
  const out: MarketTick[] = [];
  src.onTick((t) => out.push(t));
  return out;
}
const tradesOf = (ts: MarketTick[]): TradeTick[] =>
  ts.filter((t): t is TradeTick => t.kind === 'trade');

function parseError(csv: string, interval?: '1m' | '5m'): ReplayFileError {
  try {
    parseReplayCsv(csv, { fileName: 'bad.csv', ...(interval ? { interval } : {}) });
  } catch (e) {
    if (e instanceof ReplayFileError) return e;
    throw e;
  }
  throw new Error('expected a ReplayFileError');
}

describe('CSV parsing', () => {
  it('reads the sample candle and trade files', () => {
    const c = new ReplaySource({ symbol: 'BTCUSDT', path: fixture('btcusdt-1m.csv') });
    expect(c.parsed.format).toBe('candles');
    expect(c.parsed.rows).toHaveLength(60);
    expect(c.span).toEqual({ from: T, to: T + 59 * 60_000 + 45_000 });
    const t = new ReplaySource({ symbol: 'ETHUSDT', path: fixture('ethusdt-trades.csv') });
    expect(t.parsed.format).toBe('trades');
    expect(t.parsed.rows.length).toBeGreaterThan(100);
  });

  it('accepts ISO times, any column order, extra columns, comments, CRLF and a BOM', () => {
    const csv =
      '\uFEFF# comment\r\nside,Price,time,quantity,venue\r\nbuy,100.5,2025-01-06T14:00:00.250Z,0.1,x\r\n\r\nSELL,100.4,1736172001000,2,y\r\n';
    const p = parseReplayCsv(csv);
    expect(p).toEqual({
      format: 'trades',
      rows: [
        { line: 3, time: T + 250, price: '100.5', quantity: '0.1', side: 'buy' },
        { line: 5, time: T + 1000, price: '100.4', quantity: '2', side: 'sell' },
      ],
    });
  });

  it.each([
    ['', 1, null, /empty file/],
    ['a,b,c\n1,2,3\n', 1, null, /header must name the columns/],
    ['open_time,open,high,low,close\n', 1, 'volume', /missing column "volume"/],
    ['open_time,open,high,low,close,volume\n', 1, null, /no data rows/],
    [
      'open_time,open,high,low,close,volume\n1736172000000,1,2,0.5,1.5,10\n1736172060000,1,abc,0.5,1,1\n',
      3,
      'high',
      /expected a plain decimal number, got "abc"/,
    ],
    [
      'open_time,open,high,low,close,volume\n1736172000000,1,2,0.5,1.5\n',
      2,
      null,
      /expected 6 fields/,
    ],
    [
      'open_time,open,high,low,close,volume\n1736172000000,1,1.2,0.5,1.5,10\n',
      2,
      'high',
      /below open, low or close/,
    ],
    [
      'open_time,open,high,low,close,volume\n1736172000000,1,2,1.2,1.5,10\n',
      2,
      'low',
      /above open or close/,
    ],
    [
      'open_time,open,high,low,close,volume\n1736172000000,0,2,0,1.5,10\n',
      2,
      'open',
      /greater than zero/,
    ],
    [
      'open_time,open,high,low,close,volume\n1736172000000,1,2,0.5,1.5,-1\n',
      2,
      'volume',
      /plain decimal/,
    ],
    [
      'open_time,open,high,low,close,volume\n1736172000001,1,2,0.5,1.5,1\n',
      2,
      'open_time',
      /not aligned/,
    ],
    [
      'open_time,open,high,low,close,volume\n1736172060000,1,2,0.5,1.5,1\n1736172000000,1,2,0.5,1.5,1\n',
      3,
      'open_time',
      /must increase; line 2/,
    ],
    ['time,price,quantity,side\n1736172000,1,1,buy\n', 2, 'time', /looks like seconds/],
    ['time,price,quantity,side\n2025-01-06 14:00,1,1,buy\n', 2, 'time', /ISO 8601/],
    [
      'time,price,quantity,side\n1736172000000,1,1,long\n',
      2,
      'side',
      /"buy" or "sell", got "long"/,
    ],
    ['time,price,quantity,side\n1736172000000,1,0,buy\n', 2, 'quantity', /greater than zero/],
    [
      'time,price,quantity,side\n1736172000000,1,1,buy\n1736171000000,1,1,buy\n',
      3,
      'time',
      /must not decrease/,
    ],
    ['time,price,quantity,side\n1736172000000,1e3,1,buy\n', 2, 'price', /plain decimal/],
  ] as const)('rejects %j at line %i column %s', (csv, line, column, message) => {
    const e = parseError(csv);
    expect(e.line).toBe(line);
    expect(e.column).toBe(column);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`bad.csv:${line}`)).toBe(true);
  });

  it('names the column and its position in the message', () => {
    const e = parseError('open_time,open,high,low,close,volume\n1736172000000,1,x,0.5,1.5,10\n');
    expect(e.message).toBe('bad.csv:2 column "high" (3): expected a plain decimal number, got "x"');
    expect(e.columnNumber).toBe(3);
  });

  it('checks alignment against the configured interval', () => {
    const csv = 'open_time,open,high,low,close,volume\n1736172060000,1,2,0.5,1.5,1\n';
    expect(parseReplayCsv(csv).format).toBe('candles');
    expect(parseError(csv, '5m').message).toMatch(/not aligned to the 5m interval/);
  });

  it('throws a ReplayFileError from the constructor for a bad file', () => {
    expect(
      () =>
        new ReplaySource({ symbol: 'X', csv: 'time,price,quantity,side\n1,2\n', path: 'mem.csv' }),
    ).toThrow(/^mem\.csv:2: expected 4 fields/);
  });
});

describe('candle replay', () => {
  it('splits volumes exactly', () => {
    expect(splitQuantity('1', 4)).toEqual(['0.3', '0.3', '0.2', '0.2']);
    expect(splitQuantity('0.001', 4)).toEqual(['0.0003', '0.0003', '0.0002', '0.0002']);
    expect(splitQuantity('38.817', 4)).toEqual(['9.705', '9.704', '9.704', '9.704']);
    expect(splitQuantity('0', 4)).toEqual([]);
  });

  it('walks open -> low -> high -> close for a rising bar, open -> high -> low -> close otherwise', () => {
    const src = new ReplaySource({
      symbol: 'BTCUSDT',
      csv: 'open_time,open,high,low,close,volume\n1736172000000,100,110,95,105,4\n1736172060000,105,106,90,91,0.8\n1736172120000,91,91,91,91,0\n',
    });
    const ticks = collect(src);
    src.advance(Infinity);
    const trades = tradesOf(ticks);
    expect(trades.map((t) => [t.time - T, t.price, t.quantity, t.side])).toEqual([
      [0, '100', '1', 'buy'],
      [15_000, '95', '1', 'sell'],
      [30_000, '110', '1', 'buy'],
      [45_000, '105', '1', 'sell'],
      [60_000, '105', '0.2', 'buy'],
      [75_000, '106', '0.2', 'buy'],
      [90_000, '90', '0.2', 'sell'],
      [105_000, '91', '0.2', 'buy'],
    ]);
    // The zero-volume bar yields marks only.
    const marks = ticks.filter((t): t is MarkTick => t.kind === 'mark');
    expect(marks).toHaveLength(12);
    expect(marks.at(-1)).toMatchObject({
      time: T + 165_000,
      markPrice: '91',
      indexPrice: '91',
      fundingRate: '0.0001',
      nextFundingTime: T + 2 * 3_600_000,
    });
    expect(ticks.at(-1)).toMatchObject({
      kind: 'status',
      status: 'halted',
      reason: 'replay finished',
    });
  });

  it('aggregating the replayed trades gives back the candles of the file, exactly', () => {
    const src = new ReplaySource({ symbol: 'BTCUSDT', path: fixture('btcusdt-1m.csv') });
    const ticks = collect(src);
    src.advance(Infinity);
    const candles = aggregateTrades(tradesOf(ticks), '1m');
    expect(candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume])).toEqual(
      src.parsed.rows.map((r) =>
        'openTime' in r ? [r.openTime, r.open, r.high, r.low, r.close, r.volume] : [],
      ),
    );
  });
});

describe('trade replay', () => {
  it('replays every trade and throttles marks to one per second of data', () => {
    const src = new ReplaySource({ symbol: 'ETHUSDT', path: fixture('ethusdt-trades.csv') });
    const ticks = collect(src);
    src.advance(Infinity);
    const trades = tradesOf(ticks);
    expect(trades.map((t) => [t.time, t.price, t.quantity, t.side])).toEqual(
      src.parsed.rows.map((r) => ('price' in r ? [r.time, r.price, r.quantity, r.side] : [])),
    );
    const marks = ticks.filter((t): t is MarkTick => t.kind === 'mark');
    expect(marks.length).toBe(20);
    for (let i = 1; i < marks.length; i++)
      expect(marks[i]!.time - marks[i - 1]!.time).toBeGreaterThanOrEqual(1000);
  });
});

describe('playback speed', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const csv = [
    'time,price,quantity,side',
    ...Array.from({ length: 11 }, (_, i) => `${T + i * 1000},${100 + i},1,buy`),
  ].join('\n');

  it.each([1, 10])('plays 10 s of data in 10/%i s of wall time', async (speed) => {
    vi.useFakeTimers({ now: 5_000_000 });
    const src = new ReplaySource({ symbol: 'X', csv, speed });
    const ticks = collect(src);
    await src.start();
    const playedAt = (ms: number): number => {
      vi.advanceTimersByTime(ms);
      return tradesOf(ticks).length;
    };
    expect(playedAt(0)).toBe(1); // the first row plays at once
    expect(playedAt(5_000 / speed - 1)).toBe(5);
    expect(playedAt(1)).toBe(6);
    expect(playedAt(5_000 / speed)).toBe(11);
    await src.finished;
    expect(ticks.at(-1)).toMatchObject({ kind: 'status', status: 'halted' });
    // Original times by default.
    expect(tradesOf(ticks).map((t) => t.time)).toEqual(
      Array.from({ length: 11 }, (_, i) => T + i * 1000),
    );
  });

  it('rebases times onto the wall clock, compressed by the speed', async () => {
    vi.useFakeTimers({ now: 5_000_000 });
    const src = new ReplaySource({ symbol: 'X', csv, speed: 4, rebase: true });
    const ticks = collect(src);
    await src.start();
    vi.advanceTimersByTime(3_000);
    expect(tradesOf(ticks).map((t) => t.time)).toEqual(
      Array.from({ length: 11 }, (_, i) => 5_000_000 + i * 250),
    );
  });

  it('stop() halts playback and resolves finished', async () => {
    vi.useFakeTimers({ now: 0 });
    const src = new ReplaySource({ symbol: 'X', csv, speed: 1 });
    const ticks = collect(src);
    await src.start();
    vi.advanceTimersByTime(2_500);
    await src.stop();
    vi.advanceTimersByTime(20_000);
    await src.finished;
    expect(tradesOf(ticks)).toHaveLength(3);
    expect(src.remaining).toBe(8);
    expect(ticks.at(-1)).toMatchObject({
      kind: 'status',
      status: 'halted',
      reason: 'replay stopped',
    });
  });
});
