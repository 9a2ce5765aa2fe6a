import 'server-only';
import { cache } from 'react';
import { getQueryClient, trpc } from '@/trpc/server';

/** The instruments (prefetched into the page's query client) and the one a URL names, if any. */
export const findInstrument = cache(async (raw: string) => {
  const symbol = decodeURIComponent(raw).trim().toUpperCase();
  const instruments = await getQueryClient().fetchQuery(trpc.market.instruments.queryOptions());
  return { symbol, instruments, instrument: instruments.find((i) => i.symbol === symbol) ?? null };
});
