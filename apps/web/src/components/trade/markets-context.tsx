'use client';
// Every market's spec on the trading screen (tick, lot, base asset, the engine's instrument), so
// each row formats its prices and sizes to its own instrument.
import type { Instrument } from '@lab/margin-engine';
import { createContext, useContext, useMemo } from 'react';
import type { InstrumentDto } from '@/components/market/types';
import { readSpec } from '@/components/market/types';
import { instrumentFromSpec } from '@/lib/engine-mirror';

export interface MarketSpec {
  symbol: string;
  baseAsset: string;
  tickSize: string;
  lotSize: string;
  instrument: Instrument;
}

const Context = createContext<Readonly<Record<string, MarketSpec>>>({});

export function MarketsProvider({
  instruments,
  children,
}: {
  instruments: InstrumentDto[];
  children: React.ReactNode;
}) {
  const value = useMemo(
    () =>
      Object.fromEntries(
        instruments.map((i) => {
          const spec = readSpec(i.spec);
          return [
            i.symbol,
            {
              symbol: i.symbol,
              baseAsset: i.baseAsset,
              tickSize: spec.tickSize,
              lotSize: spec.lotSize,
              instrument: instrumentFromSpec(i.symbol, i.spec ?? {}),
            },
          ];
        }),
      ),
    [instruments],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useMarkets(): Readonly<Record<string, MarketSpec>> {
  return useContext(Context);
}

const FALLBACK = { tickSize: '0.01', lotSize: '0.001' };

/** The spec of one market (defaults when it is unknown, e.g. a delisted symbol in history). */
export function useMarketSpec(symbol: string): Omit<MarketSpec, 'instrument'> & {
  instrument: Instrument | null;
} {
  const all = useMarkets();
  return (
    all[symbol] ?? { symbol, baseAsset: symbol.replace(/USDT$/, ''), ...FALLBACK, instrument: null }
  );
}
