'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import {
  changePercent,
  compareDecimal,
  formatCompact,
  formatCountdown,
  formatPrice,
  formatRatePercent,
  multiplyDecimal,
} from '@/lib/market-format';
import { useTRPC } from '@/trpc/react';
import { ChangeText, LivePrice } from './live-price';
import { useFeedConnection, useNow } from './live-store';
import { StatusBadge } from './status-badge';
import type { InstrumentDto } from './types';
import { useMarketView } from './use-market-view';

type SortKey = 'symbol' | 'last' | 'change' | 'volume' | 'funding';

const COLUMNS: Array<{ label: string; sort?: SortKey; align?: 'left' }> = [
  { label: 'Market', sort: 'symbol', align: 'left' },
  { label: 'Last price', sort: 'last' },
  { label: '24h change', sort: 'change' },
  { label: '24h high' },
  { label: '24h low' },
  { label: '24h volume (USDT)', sort: 'volume' },
  { label: 'Mark price' },
  { label: 'Funding / countdown', sort: 'funding' },
  { label: 'Status', align: 'left' },
  { label: 'Trade' },
];

function sortValue(i: InstrumentDto, key: SortKey): string | null {
  const t = i.ticker;
  switch (key) {
    case 'symbol':
      return i.symbol;
    case 'last':
      return t?.lastPrice ?? null;
    case 'change':
      return changePercent(t?.lastPrice, t?.open24h, 4)?.replace(/[+%]/g, '') ?? null;
    case 'volume':
      return t?.volume24h ? multiplyDecimal(t.volume24h, t.lastPrice) : null;
    case 'funding':
      return t?.fundingRate ?? null;
  }
}

/** Exchange-style overview of every market, server-rendered, then live from the price stream. */
export function MarketsTable() {
  const trpc = useTRPC();
  // The 24h statistics come from the stored tickers; refresh them now and then.
  const instruments = useQuery({
    ...trpc.market.instruments.queryOptions(),
    // Until the worker has written every ticker (a fresh start), look again soon.
    refetchInterval: (q) => (q.state.data?.some((i) => !i.ticker) ? 3_000 : 30_000),
  });
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 } | null>(null);
  const toggleSort = (key: SortKey) =>
    setSort((s) =>
      s?.key !== key
        ? { key, dir: key === 'symbol' ? 1 : -1 }
        : s.dir === (key === 'symbol' ? 1 : -1)
          ? { key, dir: s.dir === 1 ? -1 : 1 }
          : null,
    );
  // Sorted by the stored tickers (refreshed every 30 s), not by every tick: rows must not jump around.
  const rows = useMemo(() => {
    const data = instruments.data;
    if (!data || !sort) return data;
    return [...data].sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // blanks last
      const c = sort.key === 'symbol' ? x.localeCompare(y) : (compareDecimal(x, y) ?? 0);
      return c * sort.dir;
    });
  }, [instruments.data, sort]);

  return (
    <div className="relative overflow-x-auto rounded border border-line bg-panel">
      <table className="w-full min-w-[1160px] border-collapse text-sm">
        <caption className="border-b border-line px-4 py-2.5 text-left">
          <div className="flex items-center gap-3">
            <span className="font-medium">USDT-margined perpetuals</span>
            <span className="text-xs text-muted">
              Prices in USDT · 24h statistics over a rolling window
            </span>
            <FeedIndicator />
          </div>
        </caption>
        <thead>
          <tr className="border-b border-line text-xs text-muted">
            {COLUMNS.map((c) => (
              <th
                key={c.label}
                scope="col"
                aria-sort={
                  c.sort && sort?.key === c.sort
                    ? sort.dir === 1
                      ? 'ascending'
                      : 'descending'
                    : undefined
                }
                className={`py-2 font-normal ${c.align === 'left' ? 'px-4 text-left' : 'px-3 text-right'} ${c.sort === 'symbol' ? 'sticky left-0 z-10 bg-panel' : ''}`}
              >
                {c.sort ? (
                  <button
                    type="button"
                    onClick={() => toggleSort(c.sort!)}
                    className={`inline-flex items-center gap-1 rounded-sm hover:text-text ${sort?.key === c.sort ? 'text-text' : ''}`}
                  >
                    {c.label}
                    <span aria-hidden className="w-2 text-[9px]">
                      {sort?.key === c.sort ? (sort.dir === 1 ? '▲' : '▼') : '↕'}
                    </span>
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows?.map((i) => (
            <MarketRow key={i.symbol} instrument={i} />
          ))}
          {instruments.isPending && (
            <tr>
              <td colSpan={COLUMNS.length} className="px-4 py-6 text-center text-muted">
                Loading markets…
              </td>
            </tr>
          )}
          {instruments.isError && !instruments.data && (
            <tr>
              <td colSpan={COLUMNS.length} className="px-4 py-6 text-center text-down" role="alert">
                Markets could not be loaded: {instruments.error.message}
              </td>
            </tr>
          )}
          {instruments.data?.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length} className="px-4 py-6 text-center text-muted">
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
  const router = useRouter();
  const tick = v.spec.tickSize;
  const href = `/markets/${instrument.symbol}`;
  return (
    // The whole row opens the market, as on exchanges; the symbol stays the link for keyboards
    // and screen readers, and links inside the row keep their own targets.
    <tr
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a, button')) return;
        router.push(href);
      }}
      className="group cursor-pointer border-b border-line/60 last:border-b-0 hover:bg-panel-2"
    >
      <th
        scope="row"
        className="sticky left-0 z-10 bg-panel px-4 py-2.5 text-left font-normal group-hover:bg-panel-2"
      >
        <Link href={href} className="group inline-flex items-baseline gap-2 rounded-sm">
          <span className="font-semibold text-text group-hover:text-accent">
            {instrument.symbol}
          </span>
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
      <td className="px-3 py-2.5 text-right">
        <Link
          href={`/trade/${instrument.symbol}`}
          title={`Trade ${instrument.symbol}`}
          className="rounded-sm border border-accent px-2.5 py-1 text-xs font-semibold text-accent hover:bg-accent hover:text-on-accent"
        >
          Trade
        </Link>
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
    <span
      role="status"
      aria-live="polite"
      className="ml-auto inline-flex items-center gap-1.5 text-xs text-muted"
    >
      <span
        aria-hidden
        className={`h-1.5 w-1.5 rounded-full ${c === 'live' ? 'bg-up' : 'animate-pulse bg-accent'}`}
      />
      {text}
    </span>
  );
}
