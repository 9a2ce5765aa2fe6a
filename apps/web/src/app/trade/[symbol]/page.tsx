import { MAIN_VENUE } from '@lab/contracts';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { notFound, permanentRedirect } from 'next/navigation';
import { CANDLE_LIMIT, DEFAULT_INTERVAL } from '@/components/market/candle-chart';
import { LiveMarketProvider } from '@/components/market/live-store';
import { TradeScreen } from '@/components/trade/trade-screen';
import { findInstrument } from '@/server/instruments';
import { getSessionUser } from '@/server/session';
import { getQueryClient, serverCaller, trpc } from '@/trpc/server';

interface Props {
  params: Promise<{ symbol: string }>;
  searchParams: Promise<{ account?: string | string[] }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { instrument } = await findInstrument((await params).symbol);
  if (!instrument) return { title: 'Market not found' };
  return {
    title: `Trade ${instrument.symbol}`,
    description: `Trade the ${instrument.baseAsset}/${instrument.quoteAsset} perpetual with a paper account: chart, order book, order form with a live margin preview, positions and orders.`,
  };
}

export default async function TradePage({ params, searchParams }: Props) {
  const raw = (await params).symbol;
  const { symbol, instrument, instruments } = await findInstrument(raw);
  if (!instrument) notFound();
  const wanted = (await searchParams).account;
  if (raw !== symbol)
    permanentRedirect(
      `/trade/${symbol}${typeof wanted === 'string' ? `?account=${encodeURIComponent(wanted)}` : ''}`,
    );

  const queryClient = getQueryClient();
  const user = await getSessionUser();
  const accounts = user
    ? (await (await serverCaller()).account.list({ includeArchived: false })).map((a) => ({
        id: a.id,
        name: a.name,
        kind: a.kind,
        venueId: a.venueId,
      }))
    : [];
  // the account the URL names (one of the user's active accounts), else the personal one
  const accountId =
    accounts.find((a) => a.id === wanted)?.id ??
    accounts.find((a) => a.kind === 'PERSONAL')?.id ??
    accounts[0]?.id ??
    null;
  // a competition account trades its competition's own market: prices, book and candles of it
  const venueId = accounts.find((a) => a.id === accountId)?.venueId;
  const venue = venueId && venueId !== MAIN_VENUE ? venueId : undefined;
  await Promise.all([
    // the competition market's tickers for the header and the market switcher
    ...(venue ? [queryClient.prefetchQuery(trpc.market.instruments.queryOptions({ venue }))] : []),
    queryClient.prefetchQuery(
      trpc.market.candles.queryOptions({
        symbol,
        interval: DEFAULT_INTERVAL,
        limit: CANDLE_LIMIT,
        ...(venue ? { venue } : {}),
      }),
    ),
    ...(accountId
      ? [
          queryClient.prefetchQuery(trpc.trade.settings.queryOptions({ accountId })),
          queryClient.prefetchQuery(trpc.trade.openOrders.queryOptions({ accountId, limit: 100 })),
          queryClient.prefetchQuery(trpc.trade.positions.queryOptions({ accountId })),
        ]
      : []),
  ]);

  return (
    <main id="main" className="mx-auto max-w-[1800px] px-2 py-2 sm:px-3">
      <HydrationBoundary state={dehydrate(queryClient)}>
        <LiveMarketProvider serverNow={Date.now()} bookSymbols={[symbol]} venue={venue}>
          <TradeScreen
            instrument={instrument}
            instruments={instruments}
            accounts={accounts}
            accountId={accountId}
          />
        </LiveMarketProvider>
      </HydrationBoundary>
    </main>
  );
}
