import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import Link from 'next/link';
import { getQueryClient, trpc } from '@/trpc/server';
import { LiveMarketProvider } from './live-store';
import { MarketStrip } from './market-strip';

/** The landing page's live price strip (server-rendered, then live). Renders nothing without markets. */
export async function LandingPriceStrip() {
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(trpc.market.instruments.queryOptions());
  return (
    <section aria-labelledby="live-prices" className="mx-auto mb-10 max-w-7xl px-4">
      <div className="mb-2 flex items-baseline justify-between">
        <h2 id="live-prices" className="text-sm font-medium">
          Live prices
        </h2>
        <Link href="/markets" className="text-xs text-accent hover:underline">
          All markets →
        </Link>
      </div>
      <div className="rounded-lg border border-line bg-panel">
        <HydrationBoundary state={dehydrate(queryClient)}>
          <LiveMarketProvider serverNow={Date.now()}>
            <MarketStrip label="Live prices" variant="cards" />
          </LiveMarketProvider>
        </HydrationBoundary>
      </div>
    </section>
  );
}
