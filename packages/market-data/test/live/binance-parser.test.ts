import { describe, expect, it } from 'vitest';

import { BinanceFrameParser, binanceStreamNames } from '../../src/live/binance-parser.ts';
import { binanceFixturePath, loadFrames } from '../../src/live/testing/index.ts';

const symbols = new Map([
  ['BTCUSDT', 'BTCUSDT'],
  ['ETHUSDT', 'ETHUSDT'],
]);
const defaultSelection = { mark: '1s', trades: true, book: 'bookTicker' } as const;

describe('binanceStreamNames', () => {
  it('builds lower-case combined stream names per the docs', () => {
    expect(binanceStreamNames('BTCUSDT', defaultSelection)).toEqual([
      'btcusdt@markPrice@1s',
      'btcusdt@aggTrade',
      'btcusdt@bookTicker',
    ]);
    expect(
      binanceStreamNames('ETHUSDT', {
        mark: '3s',
        trades: false,
        book: 'depth5',
        depthSpeed: '100ms',
      }),
    ).toEqual(['ethusdt@markPrice', 'ethusdt@depth5@100ms']);
    expect(
      binanceStreamNames('ETHUSDT', {
        mark: false,
        trades: false,
        book: 'depth20',
        depthSpeed: '250ms',
      }),
    ).toEqual(['ethusdt@depth20']);
  });
});

describe('BinanceFrameParser on the recorded fixture', () => {
  const frames = loadFrames(binanceFixturePath('combined-stream.jsonl'));

  it('keeps decimal strings verbatim and maps fields exactly', () => {
    const parser = new BinanceFrameParser(symbols, defaultSelection);
    const outcomes = frames.map((f) => parser.parse(f));
    expect(outcomes.every((o) => o.type === 'data')).toBe(true);
    const ticks = outcomes.flatMap((o) => (o.type === 'data' ? o.ticks : []));
    expect(ticks[0]).toEqual({
      kind: 'mark',
      symbol: 'BTCUSDT',
      time: 1764114000000,
      markPrice: '87012.34567890', // trailing zero kept: never a float round-trip
      indexPrice: '87001.98765432',
      fundingRate: '0.00010000',
      nextFundingTime: 1764115200000,
    });
    // m=true: the buyer was the maker, so the aggressor sold.
    expect(ticks[1]).toEqual({
      kind: 'trade',
      symbol: 'BTCUSDT',
      time: 1764114000110,
      price: '87012.30',
      quantity: '0.015',
      side: 'sell',
    });
    expect(ticks[2]).toEqual({
      kind: 'book',
      symbol: 'BTCUSDT',
      time: 1764114000113,
      bids: [['87012.30', '4.118']],
      asks: [['87012.40', '0.902']],
    });
    expect(ticks[3]).toMatchObject({ kind: 'mark', symbol: 'ETHUSDT', fundingRate: '-0.00002150' });
    // m=false: the buyer took liquidity.
    expect(ticks[4]).toMatchObject({
      kind: 'trade',
      symbol: 'ETHUSDT',
      price: '3021.46',
      quantity: '1.250',
      side: 'buy',
    });
  });

  it('renames exchange symbols to platform symbols', () => {
    const parser = new BinanceFrameParser(new Map([['BTCUSDT', 'BTC-PERP']]), defaultSelection);
    const outcome = parser.parse(frames[1] ?? '');
    expect(outcome).toMatchObject({
      type: 'data',
      symbol: 'BTC-PERP',
      channel: 'trade',
      ticks: [{ symbol: 'BTC-PERP' }],
    });
  });
});

describe('BinanceFrameParser rejects malformed frames with a reason', () => {
  const parser = new BinanceFrameParser(symbols, defaultSelection);
  const malformed = loadFrames(binanceFixturePath('malformed-frames.txt'));

  it('classifies every frame of the malformed fixture', () => {
    const reasons = malformed.map((f) => {
      const o = parser.parse(f);
      return o.type === 'malformed' ? o.reason : `not malformed: ${o.type}`;
    });
    expect(reasons).toEqual([
      'invalid-json', // truncated
      'invalid-json',
      'bad-envelope', // no stream
      'unknown-stream', // not subscribed
      'invalid-field', // price as JSON number
      'invalid-field', // "NaN"
      'invalid-field', // negative mark
      'invalid-field', // missing mark price
      'symbol-mismatch',
      'crossed-book',
      'unexpected-event',
      'invalid-field', // m as string
      'bad-envelope', // array
    ]);
  });

  it('accepts control replies and ignores book updates that are not newer', () => {
    expect(parser.parse('{"result":null,"id":1}')).toEqual({ type: 'ignored', reason: 'control' });
    const book = (u: number): string =>
      JSON.stringify({
        stream: 'btcusdt@bookTicker',
        data: { e: 'bookTicker', u, s: 'BTCUSDT', b: '1.0', B: '1', a: '1.1', A: '1', T: 1, E: 2 },
      });
    const p = new BinanceFrameParser(symbols, defaultSelection);
    expect(p.parse(book(10)).type).toBe('data');
    expect(p.parse(book(9))).toEqual({ type: 'ignored', reason: 'out-of-order' });
    expect(p.parse(book(10))).toEqual({ type: 'ignored', reason: 'out-of-order' });
    expect(p.parse(book(11)).type).toBe('data');
    p.reset(); // a new connection starts a new sequence
    expect(p.parse(book(5)).type).toBe('data');
  });

  it('parses partial depth (depthUpdate) levels verbatim', () => {
    const p = new BinanceFrameParser(symbols, {
      mark: false,
      trades: false,
      book: 'depth5',
      depthSpeed: '100ms',
    });
    const frame = {
      stream: 'ethusdt@depth5@100ms',
      data: {
        e: 'depthUpdate',
        E: 1764114000500,
        T: 1764114000498,
        s: 'ETHUSDT',
        U: 390497796,
        u: 390497878,
        pu: 390497794,
        b: [
          ['3021.45', '38.402'],
          ['3021.44', '0.010'],
        ],
        a: [
          ['3021.46', '12.007'],
          ['3021.47', '5.500'],
        ],
      },
    };
    expect(p.parse(JSON.stringify(frame))).toEqual({
      type: 'data',
      symbol: 'ETHUSDT',
      channel: 'book',
      ticks: [
        {
          kind: 'book',
          symbol: 'ETHUSDT',
          time: 1764114000498,
          bids: [
            ['3021.45', '38.402'],
            ['3021.44', '0.010'],
          ],
          asks: [
            ['3021.46', '12.007'],
            ['3021.47', '5.500'],
          ],
        },
      ],
    });
    const bad = { ...frame, data: { ...frame.data, b: [['3021.45']] } };
    expect(p.parse(JSON.stringify(bad))).toMatchObject({
      type: 'malformed',
      reason: 'invalid-field',
    });
  });
});
