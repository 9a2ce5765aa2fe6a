import type { AppRouter } from '@lab/api';
import type { inferRouterOutputs } from '@trpc/server';

type Outputs = inferRouterOutputs<AppRouter>;
export type InstrumentDto = Outputs['market']['instruments'][number];
export type TickerDto = Outputs['market']['tickers'][number];
export type CandlesDto = Outputs['market']['candles'];
export type CandleDto = CandlesDto['candles'][number];
export type CandleInterval = CandlesDto['interval'];

export { CANDLE_INTERVALS, INTERVAL_MS } from '@lab/market-data/intervals';

export type MarketStatus = 'live' | 'stale' | 'halted' | 'connecting';

export interface RiskTierSpec {
  maxNotional: string;
  maintenanceMarginRate: string;
  maintenanceAmount: string;
  maxLeverage: number;
}

/** The margin engine's instrument as the API serialises it (decimal strings). */
export interface InstrumentSpec {
  tickSize: string;
  lotSize: string;
  minNotional: string;
  maxLeverage: number | null;
  makerFeeRate: string | null;
  takerFeeRate: string | null;
  liquidationFeeRate: string | null;
  fundingIntervalHours: number | null;
  riskTiers: RiskTierSpec[];
}

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Reads the spec JSON defensively: the UI degrades to defaults rather than crash on a missing field. */
export function readSpec(spec: Record<string, unknown> | null | undefined): InstrumentSpec {
  const s = spec ?? {};
  const tiers = Array.isArray(s.riskTiers) ? (s.riskTiers as unknown[]) : [];
  return {
    tickSize: str(s.tickSize) ?? '0.01',
    lotSize: str(s.lotSize) ?? '0.001',
    minNotional: str(s.minNotional) ?? '0',
    maxLeverage: num(s.maxLeverage),
    makerFeeRate: str(s.makerFeeRate),
    takerFeeRate: str(s.takerFeeRate),
    liquidationFeeRate: str(s.liquidationFeeRate),
    fundingIntervalHours: num(s.fundingIntervalHours),
    riskTiers: tiers.flatMap((t) => {
      if (!t || typeof t !== 'object') return [];
      const r = t as Record<string, unknown>;
      const maxNotional = str(r.maxNotional);
      const mmr = str(r.maintenanceMarginRate);
      if (!maxNotional || !mmr) return [];
      return [
        {
          maxNotional,
          maintenanceMarginRate: mmr,
          maintenanceAmount: str(r.maintenanceAmount) ?? '0',
          maxLeverage: num(r.maxLeverage) ?? 1,
        },
      ];
    }),
  };
}

export function normaliseStatus(status: string | null | undefined): MarketStatus {
  switch ((status ?? '').toLowerCase()) {
    case 'live':
      return 'live';
    case 'stale':
      return 'stale';
    case 'halted':
      return 'halted';
    default:
      return 'connecting';
  }
}
