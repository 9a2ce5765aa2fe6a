'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { formatCompact, formatCountdown, formatPrice, formatRatePercent } from '@/lib/market-format';
import { useTRPC } from '@/trpc/react';
import { ChangeText, LivePrice } from './live-price';
import { useFeedConnection, useNow } from './live-store';
import { StatusBadge } from './status-badge';
import type { InstrumentDto } from './types';
import { useMarketView } from './use-market-view';

/** Exchange-style overview of every market, server-rendered, then live from the price stream. */
export function MarketsTable() {
  const trpc = useTRPC();
  // The 24h statistics come from the stored tickers; refresh them now and then.
  const instruments = useQuery({
    ...trpc.market.instruments.queryOptions(),
    // Until the worker has written every ticker (a fresh start), look again soon.
    refetchInterval: (q) => (q.state.data?.some((i) => !i.ticker) ? 3_000 : 30_000),
  });

  return (
    <div className="overflow-x-auto rounded border border-line bg-panel">
      <table className="w-full min-w-[1080px] border-collapse text-sm">
        <caption className="border-b border-line px-4 py-2.5 text-left">
          <div className="flex items-center gap-3">
            <span className="font-medium">USDT-margined perpetuals</span>
            <span className="text-xs text-muted">Prices in USDT · 24h statistics over a rolling window</span>
            <FeedIndicator />
          </div>
        </caption>
        <thead>
          <tr className="border-b border-line text-xs text-muted">
            <th scope="col" className="px-4 py-2 text-left font-normal">
              Market
            </th>
            <th scope="col" className="px-3 py-2 text-right font-normal">
              Last price
            </th>
            <th scope="col" className="px-3 py-2 text-right font-normal">
              24h change
            </th>
            <th scope="col" className="px-3 py-2 text-right font-normal">
              24h high
            </th>
            <th scope="col" className="px-3 py-2 text-right font-normal">
              24h low
            </th>
            <th scope="col" className="px-3 py-2 text-right font-normal">
              24h volume (USDT)
            </th>
            <th scope="col" className="px-3 py-2 text-right font-normal">
              Mark price
            </th>
            <th scope="col" className="px-3 py-2 text-right font-normal">
              Funding / countdown
            </th>
            <th scope="col" className="px-4 py-2 text-left font-normal">
              Status
            </th>
          </tr>
        </thead>
        <tbody>
          {instruments.data?.map((i) => <MarketRow key={i.symbol} instrument={i} />)}
          {instruments.isPending && (
            <tr>
              <td colSpan={9} className="px-4 py-6 text-center text-muted">
                Loading markets…
              </td>
            </tr>
          )}
          {instruments.isError && !instruments.data && (
            <tr>
              <td colSpan={9} className="px-4 py-6 text-center text-down" role="alert">
                Markets could not be loaded: {instruments.error.message}
              </td>
            </tr>
          )}
          {instruments.data?.length === 0 && (
            <tr>
              <td colSpan={9} className="px-4 py-6 text-center text-muted">
                No markets are enabled yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function MarketRow({ instrument }: { instrument: InstrumentDto }) {
  const v = useMarketView(instrument);
  const tick = v.spec.tickSize;
  return (
    <tr className="border-b border-line/60 last:border-b-0 hover:bg-panel-2">
      <th scope="row" className="px-4 py-2.5 text-left font-normal">
        <Link href={`/markets/${instrument.symbol}`} className="group inline-flex items-baseline gap-2 rounded-sm">
          <span className="font-semibold text-text group-hover:text-accent">{instrument.symbol}</span>
          <span className="text-xs text-muted">Perp</span>
          {instrument.source !== 'binance' && instrument.source !== 'bybit' && (
            <span className="rounded-sm bg-panel-2 px-1 text-[10px] uppercase tracking-wide text-muted">
              {instrument.source === 'simulator' ? 'Sim' : instrument.source}
            </span>
          )}
        </Link>
      </th>
      <td className="px-3 py-2.5 text-right font-medium">
        <LivePrice value={v.last} dir={v.lastDir} seq={v.lastSeq} tickSize={tick} />
      </td>
      <td className="px-3 py-2.5 text-right">
        <ChangeText value={v.change24h} />
      </td>
      <td className="num px-3 py-2.5">{formatPrice(v.high24h, tick)}</td>
      <td className="num px-3 py-2.5">{formatPrice(v.low24h, tick)}</td>
      <td className="num px-3 py-2.5">{formatCompact(v.quoteVolume24h)}</td>
      <td className="num px-3 py-2.5">{formatPrice(v.mark, tick)}</td>
      <td className="num px-3 py-2.5">
        <FundingCell rate={v.fundingRate} next={v.nextFundingTime} />
      </td>
      <td className="px-4 py-2.5">
        <StatusBadge status={v.status} compact />
      </td>
    </tr>
  );
}

export function FundingCell({ rate, next }: { rate: string | null; next: number | null }) {
  const now = useNow();
  return (
    <span className="whitespace-nowrap">
      <span className="text-text">{formatRatePercent(rate)}</span>
      <span className="text-muted"> / </span>
      <Countdown next={next} now={now} />
    </span>
  );
}

export function Countdown({ next, now }: { next: number | null; now: number }) {
  if (next === null) return <span className="text-muted">—</span>;
  return (
    <time dateTime={new Date(next).toISOString()} className="text-muted" suppressHydrationWarning>
      {formatCountdown(next - now)}
    </time>
  );
}

/** The state of the browser's price stream; announced politely, it changes rarely. */
export function FeedIndicator() {
  const c = useFeedConnection();
  const text = c === 'live' ? 'Streaming' : c === 'reconnecting' ? 'Reconnecting…' : 'Connecting…';
  return (
    <span role="status" aria-live="polite" className="ml-auto inline-flex items-center gap-1.5 text-xs text-muted">
      <span aria-hidden className={`h-1.5 w-1.5 rounded-full ${c === 'live' ? 'bg-up' : 'animate-pulse bg-accent'}`} />
      {text}
    </span>
  );
}
