import type { Metadata } from 'next';
import { requireSessionUser } from '@/server/session';
import { serverCaller } from '@/trpc/server';
import { JoinView } from './join-view';

export const metadata: Metadata = { title: 'Join a competition' };

interface Props {
  params: Promise<{ code: string }>;
}

/** /join/<code>: the link a host shares. Shows the rules, then joins with one click. */
export default async function JoinPage({ params }: Props) {
  const code = decodeURIComponent((await params).code).slice(0, 40);
  await requireSessionUser(`/join/${encodeURIComponent(code)}`);
  const caller = await serverCaller();
  const preview = await caller.competition.preview({ code }).catch((e: unknown) => ({
    error: e instanceof Error ? e.message : 'This code does not open a competition.',
  }));
  return <JoinView code={code} preview={preview} />;
}
