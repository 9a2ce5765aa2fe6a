import type { Metadata } from 'next';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { notFound } from 'next/navigation';
import { uuid } from '@lab/contracts';
import { requireSessionUser } from '@/server/session';
import { getQueryClient, trpc } from '@/trpc/server';
import { TeachingView } from './teaching-view';

export const metadata: Metadata = { title: 'Teaching: rules, notes, teams' };

interface Props {
  params: Promise<{ id: string }>;
}

/** The hosts' teaching page: risk rules, trade notes, benchmark, teams, compliance, integrity. */
export default async function TeachingPage({ params }: Props) {
  const raw = (await params).id;
  await requireSessionUser(`/competitions/${raw}/teaching`);
  const id = uuid('id').safeParse(raw);
  if (!id.success) notFound();
  const queryClient = getQueryClient();
  const competition = await queryClient
    .fetchQuery(trpc.competition.get.queryOptions({ competitionId: id.data }))
    .catch(() => null);
  if (!competition || !['host', 'cohost', 'admin'].includes(competition.relation ?? '')) notFound();
  await Promise.all([
    queryClient.prefetchQuery(trpc.teaching.get.queryOptions({ competitionId: id.data })),
    queryClient.prefetchQuery(trpc.teaching.ruleKinds.queryOptions()),
  ]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <TeachingView competitionId={id.data} />
    </HydrationBoundary>
  );
}
