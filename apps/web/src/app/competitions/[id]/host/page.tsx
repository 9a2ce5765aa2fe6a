import type { Metadata } from 'next';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { notFound } from 'next/navigation';
import { uuid } from '@lab/contracts';
import { requireSessionUser } from '@/server/session';
import { getQueryClient, trpc } from '@/trpc/server';
import { HostDashboard } from './host-dashboard';

export const metadata: Metadata = { title: 'Host dashboard' };

interface Props {
  params: Promise<{ id: string }>;
}

export default async function HostPage({ params }: Props) {
  const raw = (await params).id;
  await requireSessionUser(`/competitions/${raw}/host`);
  const id = uuid('id').safeParse(raw);
  if (!id.success) notFound();
  const queryClient = getQueryClient();
  const competition = await queryClient
    .fetchQuery(trpc.competition.get.queryOptions({ competitionId: id.data }))
    .catch(() => null);
  if (!competition) notFound();
  const hostLike = ['host', 'cohost', 'admin'].includes(competition.relation ?? '');
  if (!hostLike) notFound();
  await Promise.all([
    queryClient.prefetchQuery(trpc.competition.dashboard.queryOptions({ competitionId: id.data })),
    queryClient.prefetchQuery(
      trpc.competition.announcements.queryOptions({ competitionId: id.data, limit: 50 }),
    ),
  ]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <HostDashboard competitionId={id.data} />
    </HydrationBoundary>
  );
}
