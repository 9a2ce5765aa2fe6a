import {
  BinanceFuturesSource,
  BybitLinearSource,
  ReplaySource,
  type PriceSource,
} from '@lab/market-data';
import type { WorkerEnv } from '../env.ts';

export type SourceKind = 'simulator' | 'binance' | 'bybit' | 'replay';

export interface MarketAssignment {
  symbol: string;
  kind: SourceKind;
  /** The CSV file of a replayed market. */
  file?: string;
}

/** Parses LAB_MARKETS ("BTCUSDT=binance,ETHUSDT=replay:/x.csv"); every other symbol is simulated. */
export function assignMarkets(spec: string, symbols: readonly string[]): MarketAssignment[] {
  const named = new Map<string, MarketAssignment>();
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Z0-9]+)=(simulator|binance|bybit|replay)(?::(.+))?$/.exec(part);
    if (!m)
      throw new Error(
        `LAB_MARKETS: "${part}" is not SYMBOL=simulator|binance|bybit|replay[:file.csv]`,
      );
    const [, symbol, kind, file] = m as unknown as [string, string, SourceKind, string | undefined];
    if (!symbols.includes(symbol))
      throw new Error(`LAB_MARKETS: unknown symbol ${symbol} (known: ${symbols.join(', ')})`);
    if (kind === 'replay' && !file)
      throw new Error(
        `LAB_MARKETS: ${symbol}=replay needs a file, e.g. ${symbol}=replay:/path/to/candles.csv`,
      );
    named.set(symbol, { symbol, kind, file });
  }
  return symbols.map((s) => named.get(s) ?? { symbol: s, kind: 'simulator' });
}

/** Live and replay sources (the simulator has its own runner, for backfill and resume). */
export function createExternalSources(
  env: WorkerEnv,
  markets: readonly MarketAssignment[],
  log: (m: string) => void,
): PriceSource[] {
  const logger = { info: log, warn: log, error: log };
  const of = (k: SourceKind) => markets.filter((m) => m.kind === k).map((m) => m.symbol);
  const sources: PriceSource[] = [];
  if (of('binance').length) {
    sources.push(
      new BinanceFuturesSource({
        symbols: of('binance'),
        ...(env.LAB_BINANCE_WS_URL ? { baseUrl: env.LAB_BINANCE_WS_URL } : {}),
        logger,
      }),
    );
  }
  if (of('bybit').length) {
    sources.push(
      new BybitLinearSource({
        symbols: of('bybit'),
        ...(env.LAB_BYBIT_WS_URL ? { baseUrl: env.LAB_BYBIT_WS_URL } : {}),
        logger,
      }),
    );
  }
  for (const m of markets.filter((x) => x.kind === 'replay')) {
    sources.push(
      new ReplaySource({
        symbol: m.symbol,
        path: m.file,
        speed: env.LAB_MARKET_REPLAY_SPEED,
        rebase: true,
      }),
    );
  }
  return sources;
}
