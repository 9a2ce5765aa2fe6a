import type { Metadata } from 'next';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { requireSessionUser } from '@/server/session';
import { getQueryClient, trpc } from '@/trpc/server';
import { CompetitionsHome } from './competitions-home';

export const metadata: Metadata = { title: 'Competitions' };

export default async function CompetitionsPage() {
  const user = await requireSessionUser('/competitions');
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchQuery(trpc.competition.mine.queryOptions()),
    ...(user.role === 'ADMIN'
      ? [queryClient.prefetchQuery(trpc.competition.all.queryOptions({ limit: 100 }))]
      : []),
  ]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <CompetitionsHome isAdmin={user.role === 'ADMIN'} />
    </HydrationBoundary>
  );
}
