import type { Metadata } from 'next';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import {
  MAX_ACTIVE_ACCOUNTS,
  MAX_STARTING_BALANCE,
  MIN_STARTING_BALANCE,
  QUOTE_ASSET,
} from '@lab/services';
import { requireSessionUser } from '@/server/session';
import { getQueryClient, trpc } from '@/trpc/server';
import { AccountsView } from './accounts-view';

export const metadata: Metadata = { title: 'Paper accounts' };

export default async function AccountsPage() {
  await requireSessionUser('/accounts');
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(trpc.account.list.queryOptions({ includeArchived: true }));
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <AccountsView
        limits={{
          minStartingBalance: MIN_STARTING_BALANCE.toFixed(),
          maxStartingBalance: MAX_STARTING_BALANCE.toFixed(),
          maxActive: MAX_ACTIVE_ACCOUNTS,
          asset: QUOTE_ASSET,
        }}
      />
    </HydrationBoundary>
  );
}
