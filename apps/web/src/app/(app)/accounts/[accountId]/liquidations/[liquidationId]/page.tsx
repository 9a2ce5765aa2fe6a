import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { TRPCError } from '@trpc/server';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { LiquidationExplained } from '@/components/trade/liquidation-explained';
import { requireSessionUser } from '@/server/session';
import { getQueryClient, trpc } from '@/trpc/server';

export const metadata: Metadata = { title: 'Liquidation explained' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function LiquidationPage({
  params,
}: {
  params: Promise<{ accountId: string; liquidationId: string }>;
}) {
  const { accountId, liquidationId } = await params;
  await requireSessionUser(
    `/accounts/${encodeURIComponent(accountId)}/liquidations/${encodeURIComponent(liquidationId)}`,
  );
  if (!UUID.test(accountId) || !/^[1-9]\d{0,17}$/.test(liquidationId)) notFound();
  const queryClient = getQueryClient();
  try {
    // another user's account or liquidation is NOT_FOUND, as a missing one
    await queryClient.fetchQuery(
      trpc.trade.liquidationStory.queryOptions({ accountId, liquidationId }),
    );
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'NOT_FOUND') notFound();
    throw e;
  }
  await queryClient.prefetchQuery(trpc.market.instruments.queryOptions());
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <LiquidationExplained accountId={accountId} liquidationId={liquidationId} />
    </HydrationBoundary>
  );
}
