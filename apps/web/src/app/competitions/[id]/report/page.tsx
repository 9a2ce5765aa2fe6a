import type { Metadata } from 'next';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { notFound } from 'next/navigation';
import { uuid } from '@lab/contracts';
import { requireSessionUser } from '@/server/session';
import { getQueryClient, trpc } from '@/trpc/server';
import { ReportView } from './report-view';

export const metadata: Metadata = { title: 'Class report' };

interface Props {
  params: Promise<{ id: string }>;
}

/** The class report of a finished competition, for its hosts. */
export default async function ReportPage({ params }: Props) {
  const raw = (await params).id;
  await requireSessionUser(`/competitions/${raw}/report`);
  const id = uuid('id').safeParse(raw);
  if (!id.success) notFound();
  const queryClient = getQueryClient();
  const competition = await queryClient
    .fetchQuery(trpc.competition.get.queryOptions({ competitionId: id.data }))
    .catch(() => null);
  if (!competition || !['host', 'cohost', 'admin'].includes(competition.relation ?? '')) notFound();
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <ReportView competitionId={id.data} />
    </HydrationBoundary>
  );
}
