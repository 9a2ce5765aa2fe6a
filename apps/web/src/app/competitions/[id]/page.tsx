import type { Metadata } from 'next';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { notFound } from 'next/navigation';
import { uuid } from '@lab/contracts';
import { requireSessionUser } from '@/server/session';
import { getQueryClient, trpc } from '@/trpc/server';
import { CompetitionView } from './competition-view';

export const metadata: Metadata = { title: 'Competition' };

interface Props {
  params: Promise<{ id: string }>;
}

export default async function CompetitionPage({ params }: Props) {
  const raw = (await params).id;
  await requireSessionUser(`/competitions/${raw}`);
  const id = uuid('id').safeParse(raw);
  if (!id.success) notFound();
  const queryClient = getQueryClient();
  const competition = await queryClient
    .fetchQuery(trpc.competition.get.queryOptions({ competitionId: id.data }))
    .catch(() => null);
  if (!competition) notFound();
  await Promise.all([
    queryClient.prefetchQuery(
      trpc.competition.leaderboard.queryOptions({ competitionId: id.data }),
    ),
    queryClient.prefetchQuery(
      trpc.competition.announcements.queryOptions({ competitionId: id.data, limit: 50 }),
    ),
  ]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <CompetitionView competitionId={id.data} />
    </HydrationBoundary>
  );
}
