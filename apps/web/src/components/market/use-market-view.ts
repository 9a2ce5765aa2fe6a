'use client';
import { changePercent, compareDecimal, multiplyDecimal } from '@/lib/market-format';
import { useLiveSymbol } from './live-store';
import {
  normaliseStatus,
  readSpec,
  type InstrumentDto,
  type InstrumentSpec,
  type MarketStatus,
} from './types';

export interface MarketView {
  symbol: string;
  spec: InstrumentSpec;
  last: string | null;
  lastDir: -1 | 0 | 1;
  lastSeq: number;
  mark: string | null;
  index: string | null;
  fundingRate: string | null;
  nextFundingTime: number | null;
  open24h: string | null;
  high24h: string | null;
  low24h: string | null;
  /** Base-asset volume. */
  volume24h: string | null;
  /** Approximate quote volume: base volume x last price. */
  quoteVolume24h: string | null;
  change24h: string | null;
  status: MarketStatus;
}

const max = (a: string | null, b: string | null) =>
  a === null ? b : b === null ? a : compareDecimal(b, a) === 1 ? b : a;
const min = (a: string | null, b: string | null) =>
  a === null ? b : b === null ? a : compareDecimal(b, a) === -1 ? b : a;

/** The stored ticker of an instrument (server-rendered), overlaid with the live stream. */
export function useMarketView(instrument: InstrumentDto): MarketView {
  const live = useLiveSymbol(instrument.symbol);
  const t = instrument.ticker;
  const last = live.last ?? t?.lastPrice ?? null;
  const volume24h = t?.volume24h ?? null;
  return {
    symbol: instrument.symbol,
    spec: readSpec(instrument.spec),
    last,
    lastDir: live.lastDir,
    lastSeq: live.lastSeq,
    mark: live.mark ?? t?.markPrice ?? null,
    index: live.index ?? t?.indexPrice ?? null,
    fundingRate: live.fundingRate ?? t?.fundingRate ?? null,
    nextFundingTime: live.nextFundingTime ?? t?.nextFundingTime ?? null,
    open24h: t?.open24h ?? null,
    high24h: max(t?.high24h ?? null, live.high),
    low24h: min(t?.low24h ?? null, live.low),
    volume24h,
    quoteVolume24h: volume24h && last ? multiplyDecimal(volume24h, last) : null,
    change24h: changePercent(last, t?.open24h ?? null),
    // Status ticks are the authority; before one arrives, the stored ticker, or a stream that flows.
    status: live.status ?? (t ? normaliseStatus(t.status) : live.last ? 'live' : 'connecting'),
  };
}
