'use client';
import { useQuery } from '@tanstack/react-query';
import { formatCompact, formatPrice, formatQuantity, formatRatePercent } from '@/lib/market-format';
import { useEffect } from 'react';
import { useTRPC } from '@/trpc/react';
import { ChangeText, LivePrice } from './live-price';
import { useLiveVenue, useNow } from './live-store';
import { Countdown, FeedIndicator } from './markets-table';
import { StatusBadge } from './status-badge';
import type { InstrumentDto } from './types';
import { useMarketView } from './use-market-view';

/** The market's headline numbers: last, mark, index, funding with countdown, 24h statistics, status. */
export function SymbolHeader({ initial }: { initial: InstrumentDto }) {
  const trpc = useTRPC();
  // a competition account's screen: its own market's tickers
  const venue = useLiveVenue();
  const instruments = useQuery({
    ...trpc.market.instruments.queryOptions(venue ? { venue } : undefined),
    // Until the worker has written every ticker (a fresh start), look again soon.
    refetchInterval: (q) => (q.state.data?.some((i) => !i.ticker) ? 3_000 : 30_000),
  });
  const instrument = instruments.data?.find((i) => i.symbol === initial.symbol) ?? initial;
  const v = useMarketView(instrument);
  const now = useNow();
  const tick = v.spec.tickSize;
  const title = v.last
    ? `${formatPrice(v.last, tick)} | ${instrument.symbol} perpetual · Leverage Lab`
    : null;
  // As exchanges do, the tab shows the last price.
  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = title;
    return () => {
      document.title = before;
    };
  }, [title]);
  return (
    <div className="flex flex-wrap items-center gap-x-7 gap-y-2 border-b border-line bg-panel px-4 py-2.5">
      <div className="flex items-center gap-3">
        <h1 className="text-lg font-semibold leading-tight">
          {instrument.symbol}
          <span className="ml-1.5 text-xs font-normal text-muted">Perpetual</span>
        </h1>
        <StatusBadge status={v.status} />
      </div>
      <p className="text-xl font-semibold" aria-label="Last price">
        <LivePrice value={v.last} dir={v.lastDir} seq={v.lastSeq} tickSize={tick} />
      </p>
      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-xs">
        <Stat label="Mark">
          <span className="num">{formatPrice(v.mark, tick)}</span>
        </Stat>
        <Stat label="Index">
          <span className="num">{formatPrice(v.index, tick)}</span>
        </Stat>
        <Stat label="Funding / countdown">
          <span className="num whitespace-nowrap">
            <span className="text-accent">{formatRatePercent(v.fundingRate)}</span>
            <span className="text-muted"> / </span>
            <Countdown next={v.nextFundingTime} now={now} />
          </span>
        </Stat>
        <Stat label="24h change">
          <ChangeText value={v.change24h} />
        </Stat>
        <Stat label="24h high">
          <span className="num">{formatPrice(v.high24h, tick)}</span>
        </Stat>
        <Stat label="24h low">
          <span className="num">{formatPrice(v.low24h, tick)}</span>
        </Stat>
        <Stat label={`24h volume (${instrument.baseAsset})`}>
          <span className="num">{formatQuantity(v.volume24h, v.spec.lotSize)}</span>
        </Stat>
        <Stat label={`24h volume (${instrument.quoteAsset})`}>
          <span className="num">{formatCompact(v.quoteVolume24h)}</span>
        </Stat>
      </dl>
      <div className="ml-auto">
        <FeedIndicator />
      </div>
    </div>
  );
}

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col">
      <dt className="text-[11px] text-muted">{label}</dt>
      <dd className="text-text">{children}</dd>
    </div>
  );
}
