import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { LiveMarketProvider } from '@/components/market/live-store';
import { MarketsTable } from '@/components/market/markets-table';
import { getQueryClient, trpc } from '@/trpc/server';

export const metadata: Metadata = {
  title: 'Markets',
  description:
    'Live prices, 24h statistics, mark prices and funding of every perpetual on Leverage Lab.',
};

export default async function MarketsPage() {
  const queryClient = getQueryClient();
  // Awaited so the table is in the HTML: the page is useful before any JavaScript runs.
  await queryClient.prefetchQuery(trpc.market.instruments.queryOptions());
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-6">
      <div className="mb-4 flex items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold">Markets</h1>
          <p className="mt-1 text-sm text-muted">
            Perpetual futures you can paper-trade. Select a market for its chart, order book and
            contract specifications.
          </p>
        </div>
      </div>
      <HydrationBoundary state={dehydrate(queryClient)}>
        <LiveMarketProvider serverNow={Date.now()}>
          <MarketsTable />
        </LiveMarketProvider>
      </HydrationBoundary>
    </main>
  );
}
