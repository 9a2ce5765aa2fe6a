import type { Metadata } from 'next';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { TRPCError } from '@trpc/server';
import { notFound } from 'next/navigation';
import { requireSessionUser } from '@/server/session';
import { getQueryClient, serverCaller, trpc } from '@/trpc/server';
import { AccountDetail } from './account-detail';
import { ApiKeysSection } from './api-keys-section';

export const metadata: Metadata = { title: 'Paper account' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function AccountPage({ params }: { params: Promise<{ accountId: string }> }) {
  const { accountId } = await params;
  await requireSessionUser(`/accounts/${encodeURIComponent(accountId)}`);
  if (!UUID.test(accountId)) notFound();
  // The API answers NOT_FOUND for another user's account as for a missing one.
  try {
    await (await serverCaller()).account.get({ accountId });
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'NOT_FOUND') notFound();
    throw e;
  }
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchQuery(trpc.account.get.queryOptions({ accountId })),
    queryClient.prefetchQuery(trpc.apiKeys.list.queryOptions({ accountId })),
    queryClient.prefetchInfiniteQuery(
      trpc.account.events.infiniteQueryOptions(
        { accountId, limit: 25 },
        { getNextPageParam: (last) => last.nextCursor ?? undefined },
      ),
    ),
  ]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <div className="space-y-6">
        <AccountDetail accountId={accountId} />
        <ApiKeysSection accountId={accountId} />
      </div>
    </HydrationBoundary>
  );
}
