'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/trpc/react';
import { ChangeText, LivePrice } from './live-price';
import { useLiveVenue } from './live-store';
import type { InstrumentDto } from './types';
import { useMarketView } from './use-market-view';

/** A compact row of every market with its live last price and 24h change, each linking to it. */
export function MarketStrip({
  current,
  label = 'Markets',
  variant = 'row',
  hrefFor = (symbol) => `/markets/${symbol}`,
}: {
  current?: string;
  label?: string;
  /** Where a market links to (the market page; the trade page for its market switcher). */
  hrefFor?: (symbol: string) => string;
  /** `row`: one line per market (market switcher); `cards`: symbol above price and change (landing page). */
  variant?: 'row' | 'cards';
}) {
  const trpc = useTRPC();
  // a competition account's screen: its own market's tickers
  const venue = useLiveVenue();
  const instruments = useQuery({
    ...trpc.market.instruments.queryOptions(venue ? { venue } : undefined),
    // Until the worker has written every ticker (a fresh start), look again soon.
    refetchInterval: (q) => (q.state.data?.some((i) => !i.ticker) ? 3_000 : 60_000),
  });
  if (!instruments.data?.length) return null;
  return (
    <nav aria-label={label} className="relative overflow-x-auto">
      {variant === 'row' ? (
        <ul className="flex min-w-max items-stretch">
          {instruments.data.map((i) => (
            <StripItem
              key={i.symbol}
              instrument={i}
              current={i.symbol === current}
              href={hrefFor(i.symbol)}
            />
          ))}
        </ul>
      ) : (
        <ul className="grid min-w-[720px] grid-cols-6 divide-x divide-line">
          {instruments.data.map((i) => (
            <StripCard key={i.symbol} instrument={i} />
          ))}
        </ul>
      )}
    </nav>
  );
}

function StripItem({
  instrument,
  current,
  href,
}: {
  instrument: InstrumentDto;
  current: boolean;
  href: string;
}) {
  const v = useMarketView(instrument);
  return (
    <li>
      <Link
        href={href}
        aria-current={current ? 'page' : undefined}
        className={`flex items-baseline gap-2 whitespace-nowrap border-b-2 px-3 py-1.5 text-xs hover:bg-panel-2 ${
          current ? 'border-accent bg-panel-2' : 'border-transparent'
        }`}
      >
        <span className={`font-semibold ${current ? 'text-accent' : 'text-text'}`}>
          {instrument.symbol}
        </span>
        <LivePrice value={v.last} dir={v.lastDir} seq={v.lastSeq} tickSize={v.spec.tickSize} />
        <ChangeText value={v.change24h} />
      </Link>
    </li>
  );
}

function StripCard({ instrument }: { instrument: InstrumentDto }) {
  const v = useMarketView(instrument);
  return (
    <li>
      <Link href={`/markets/${instrument.symbol}`} className="block px-4 py-2.5 hover:bg-panel-2">
        <span className="flex items-baseline justify-between gap-2 text-xs">
          <span className="font-semibold text-text">
            {instrument.baseAsset}
            <span className="font-normal text-muted">/{instrument.quoteAsset}</span>
          </span>
          <ChangeText value={v.change24h} />
        </span>
        <span className="mt-0.5 block text-left text-base font-medium">
          <LivePrice value={v.last} dir={v.lastDir} seq={v.lastSeq} tickSize={v.spec.tickSize} />
        </span>
      </Link>
    </li>
  );
}
