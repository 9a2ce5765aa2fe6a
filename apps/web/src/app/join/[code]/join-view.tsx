'use client';
import type { CompetitionView } from '@lab/services';
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { FormAlert } from '@/components/form';
import { useTRPC } from '@/trpc/react';
import { errorText } from '../../competitions/format';
import { Countdown, RulesList, StateBadge } from '../../competitions/ui';

export function JoinView({
  code,
  preview,
}: {
  code: string;
  preview: CompetitionView | { error: string };
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const join = useMutation(
    trpc.competition.join.mutationOptions({
      onSuccess: (r) => router.push(`/competitions/${r.competitionId}`),
    }),
  );
  if ('error' in preview)
    return (
      <div className="mx-auto max-w-xl space-y-4">
        <h1 className="text-2xl font-semibold">Join a competition</h1>
        <FormAlert>{preview.error}</FormAlert>
        <Link href="/competitions" className="text-sm text-accent hover:underline">
          Type the code on the competitions page
        </Link>
      </div>
    );
  const c = preview;
  const joined = c.me !== null;
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div className="space-y-2">
        <p className="text-sm text-muted">
          Code <span className="font-mono tracking-widest text-text">{code.toUpperCase()}</span>
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{c.name}</h1>
          <StateBadge state={c.state} />
        </div>
        <Countdown c={c} />
        {c.description ? <p className="text-sm text-muted">{c.description}</p> : null}
      </div>
      <section
        aria-labelledby="rules-title"
        className="space-y-3 rounded-lg border border-line bg-panel p-4"
      >
        <h2 id="rules-title" className="text-lg font-semibold">
          Rules
        </h2>
        <RulesList c={c} />
      </section>
      {join.error ? <FormAlert>{errorText(join.error)}</FormAlert> : null}
      {joined ? (
        <Link
          href={`/competitions/${c.id}`}
          className="inline-block rounded bg-accent px-5 py-2.5 text-sm font-semibold text-on-accent"
        >
          Go to the competition
        </Link>
      ) : (
        <button
          type="button"
          disabled={join.isPending}
          onClick={() => join.mutate({ code })}
          className="rounded bg-accent px-5 py-2.5 text-sm font-semibold text-on-accent hover:brightness-110 disabled:opacity-60"
        >
          {join.isPending ? 'Joining…' : `Join “${c.name}”`}
        </button>
      )}
    </div>
  );
}
