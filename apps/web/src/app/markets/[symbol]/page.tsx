import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, permanentRedirect } from 'next/navigation';
import { CANDLE_LIMIT, CandleChart, DEFAULT_INTERVAL } from '@/components/market/candle-chart';
import { InstrumentSpecs } from '@/components/market/instrument-specs';
import { LiveMarketProvider } from '@/components/market/live-store';
import { OrderBook } from '@/components/market/order-book';
import { RecentTrades } from '@/components/market/recent-trades';
import { ScenarioPanel } from '@/components/market/scenario-panel';
import { SymbolHeader } from '@/components/market/symbol-header';
import { MarketStrip } from '@/components/market/market-strip';
import { readSpec } from '@/components/market/types';
import { findInstrument } from '@/server/instruments';
import { getSessionUser } from '@/server/session';
import { getQueryClient, trpc } from '@/trpc/server';

interface Props {
  params: Promise<{ symbol: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { instrument } = await findInstrument((await params).symbol);
  if (!instrument) return { title: 'Market not found' };
  return {
    title: `${instrument.symbol} perpetual`,
    description: `${instrument.baseAsset}/${instrument.quoteAsset} perpetual: live price chart, order book, trades, funding and contract specifications.`,
  };
}

export default async function MarketPage({ params }: Props) {
  const raw = (await params).symbol;
  const { symbol, instrument } = await findInstrument(raw);
  // notFound() runs before anything streams, so the response really is a 404.
  if (!instrument) notFound();
  if (raw !== symbol) permanentRedirect(`/markets/${symbol}`);

  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(
    trpc.market.candles.queryOptions({ symbol, interval: DEFAULT_INTERVAL, limit: CANDLE_LIMIT }),
  );
  const user = await getSessionUser();
  // Market events on the main market move every user's positions: admins only. The API enforces
  // the role too; this only decides whether to show the form.
  const canTriggerEvents = !!user && user.role === 'ADMIN' && instrument.source === 'simulator';
  const spec = readSpec(instrument.spec);
  const common = {
    symbol,
    tickSize: spec.tickSize,
    lotSize: spec.lotSize,
    baseAsset: instrument.baseAsset,
  };

  return (
    <main id="main" className="mx-auto max-w-[1600px] px-3 py-3">
      <HydrationBoundary state={dehydrate(queryClient)}>
        <LiveMarketProvider serverNow={Date.now()} bookSymbols={[symbol]}>
          <nav aria-label="Breadcrumb" className="mb-2 flex items-center gap-3 text-xs text-muted">
            <ol className="flex items-center gap-1.5">
              <li>
                <Link href="/markets" className="hover:text-text">
                  Markets
                </Link>
              </li>
              <li aria-hidden>/</li>
              <li aria-current="page" className="text-text">
                {symbol}
              </li>
            </ol>
            <Link
              href={`/trade/${symbol}`}
              className="ml-auto rounded-sm bg-accent px-3 py-1 text-xs font-semibold text-on-accent hover:brightness-110"
            >
              Trade {symbol}
            </Link>
          </nav>
          <div className="mb-2 rounded border border-line bg-panel">
            <MarketStrip current={symbol} label="Switch market" />
          </div>
          <div className="overflow-hidden rounded border border-line bg-line">
            <SymbolHeader initial={instrument} />
            <div className="grid gap-px lg:grid-cols-2 xl:grid-cols-[minmax(0,1fr)_280px_250px]">
              <CandleChart {...common} />
              <OrderBook {...common} quoteAsset={instrument.quoteAsset} />
              <RecentTrades {...common} quoteAsset={instrument.quoteAsset} />
            </div>
          </div>
          <div
            className={`mt-3 grid items-start gap-3 ${canTriggerEvents ? 'xl:grid-cols-[minmax(0,1fr)_360px]' : ''}`}
          >
            <div className="overflow-hidden rounded border border-line">
              <InstrumentSpecs instrument={instrument} />
            </div>
            {canTriggerEvents && (
              <div className="overflow-hidden rounded border border-line">
                <ScenarioPanel symbol={symbol} />
              </div>
            )}
          </div>
        </LiveMarketProvider>
      </HydrationBoundary>
    </main>
  );
}
