// Frames in Binance USDⓈ-M futures combined-stream format, generated deterministically or loaded
// from a recorded fixture, for the fake exchange server.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { FakeConnection, FrameGenerator } from './fake-exchange-server.ts';

/** Absolute path of a file in `packages/market-data/fixtures/binance/`. */
export function binanceFixturePath(name: string): string {
  return fileURLToPath(new URL(`../../../fixtures/binance/${name}`, import.meta.url));
}

/** One frame per non-empty line (JSON Lines); lines starting with `//` are comments. */
export function loadFrames(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('//'));
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SymbolSpec {
  /** Starting price in integer ticks (e.g. 870123 ticks of 0.1 = 87012.3). */
  priceTicks: number;
  /** Decimals of the tick (BTCUSDT: tick 0.10, printed with 2 decimals -> priceDecimals 2, tickUnits 10). */
  priceDecimals: number;
  /** Size of one tick in units of the last printed decimal. */
  tickUnits: number;
  /** Decimals of the quantity step (BTCUSDT: 0.001 -> 3). */
  qtyDecimals: number;
}

export const DEFAULT_SPECS: Record<string, SymbolSpec> = {
  BTCUSDT: { priceTicks: 870123, priceDecimals: 2, tickUnits: 10, qtyDecimals: 3 },
  ETHUSDT: { priceTicks: 302145, priceDecimals: 2, tickUnits: 1, qtyDecimals: 3 },
  SOLUSDT: { priceTicks: 138420, priceDecimals: 3, tickUnits: 10, qtyDecimals: 0 },
};

function fmt(units: number, decimals: number): string {
  const s = String(Math.abs(units)).padStart(decimals + 1, '0');
  const body = decimals === 0 ? s : `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
  return units < 0 ? `-${body}` : body;
}

/**
 * A generator for FakeExchangeServer.startStreaming that sends every stream the connection subscribed
 * to (from its URL): a random walk per symbol, exchange-formatted decimal strings, increasing ids.
 * `clock` supplies event times (defaults to Date.now).
 */
export function binanceStreamGenerator(
  options: { seed?: number; clock?: () => number } = {},
): FrameGenerator {
  const random = mulberry32(options.seed ?? 42);
  const now = options.clock ?? (() => Date.now());
  const prices = new Map<string, number>();
  let tradeId = 5_933_014;
  let updateId = 400_900_217;
  return (connection: FakeConnection) => {
    const frames: string[] = [];
    const t = now();
    for (const stream of connection.streams) {
      const [lower = '', kind = ''] = stream.split('@');
      const s = lower.toUpperCase();
      const spec = DEFAULT_SPECS[s] ?? {
        priceTicks: 100000,
        priceDecimals: 2,
        tickUnits: 1,
        qtyDecimals: 3,
      };
      const ticks = (prices.get(s) ?? spec.priceTicks) + Math.round((random() - 0.5) * 6);
      prices.set(s, ticks);
      const px = (offset: number): string =>
        fmt((ticks + offset) * spec.tickUnits, spec.priceDecimals);
      const qty = (): string => fmt(1 + Math.floor(random() * 2500), spec.qtyDecimals);
      let data: Record<string, unknown>;
      if (kind === 'markPrice') {
        const mark =
          ticks * spec.tickUnits * 10 ** (8 - spec.priceDecimals) + Math.floor(random() * 1e6);
        data = {
          e: 'markPriceUpdate',
          E: t,
          s,
          p: fmt(mark, 8),
          i: fmt(mark - 2_500_000, 8),
          P: fmt(mark + 1_200_000, 8),
          r: '0.00010000',
          T: Math.ceil((t + 1) / 28_800_000) * 28_800_000,
        };
      } else if (kind === 'aggTrade') {
        tradeId += 1;
        const first = tradeId * 3;
        data = {
          e: 'aggTrade',
          E: t,
          s,
          a: tradeId,
          p: px(0),
          q: qty(),
          f: first,
          l: first + 2,
          T: t - 1,
          m: random() < 0.5,
        };
      } else if (kind === 'bookTicker') {
        updateId += 1;
        data = {
          e: 'bookTicker',
          u: updateId,
          s,
          b: px(0),
          B: qty(),
          a: px(1),
          A: qty(),
          T: t - 1,
          E: t,
        };
      } else if (kind.startsWith('depth')) {
        const levels = Number(kind.slice('depth'.length)) || 5;
        updateId += 3;
        data = {
          e: 'depthUpdate',
          E: t,
          T: t - 1,
          s,
          U: updateId - 2,
          u: updateId,
          pu: updateId - 3,
          b: Array.from({ length: levels }, (_, i) => [px(-i), qty()]),
          a: Array.from({ length: levels }, (_, i) => [px(i + 1), qty()]),
        };
      } else continue;
      frames.push(JSON.stringify({ stream, data }));
    }
    return frames;
  };
}
