'use client';
// /competitions: join a class with the code the host reads out, create one, and the lists of
// competitions I host and those I joined (every competition, for admins).
import type { CompetitionListItem } from '@lab/services';
import { useMutation, useQuery, useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { Field, FormAlert } from '@/components/form';
import { formErrors, formText } from '@/lib/form-errors';
import { useTRPC } from '@/trpc/react';
import { formatWhen } from './format';
import { StateBadge } from './ui';

export function CompetitionsHome({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.competition.mine.queryOptions());
  const all = useQuery({ ...trpc.competition.all.queryOptions({ limit: 100 }), enabled: isAdmin });
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Competitions</h1>
          <p className="mt-1 max-w-2xl text-sm text-muted">
            A class trades on a market of its own, with leverage, margin modes and liquidations, and
            a leaderboard that counts the risk taken as well as the return.
          </p>
        </div>
        <Link
          href="/competitions/new"
          className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110"
        >
          Create a competition
        </Link>
      </div>

      <JoinForm />

      <section aria-labelledby="joined-title" className="space-y-3">
        <h2 id="joined-title" className="text-lg font-semibold">
          Competitions I joined
        </h2>
        <CompetitionTable
          caption="Competitions I joined"
          items={data.joined}
          empty="You have not joined a competition yet: type the code your host gives you above."
          href={(c) => `/competitions/${c.id}`}
        />
      </section>

      <section aria-labelledby="hosting-title" className="space-y-3">
        <h2 id="hosting-title" className="text-lg font-semibold">
          Competitions I host
        </h2>
        <CompetitionTable
          caption="Competitions I host"
          items={data.hosting}
          empty="You host no competition yet."
          href={(c) => `/competitions/${c.id}/host`}
          showCode
        />
      </section>

      {isAdmin ? (
        <section aria-labelledby="all-title" className="space-y-3">
          <h2 id="all-title" className="text-lg font-semibold">
            Every competition (admin)
          </h2>
          <CompetitionTable
            caption="Every competition"
            items={all.data ?? []}
            empty="No competitions on the platform yet."
            href={(c) => `/competitions/${c.id}/host`}
            showCode
          />
        </section>
      ) : null}
    </div>
  );
}

function JoinForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const join = useMutation(
    trpc.competition.join.mutationOptions({
      onSuccess: (r) => router.push(`/competitions/${r.competitionId}`),
    }),
  );
  const errors = formErrors(join.error, ['code']);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    join.mutate({ code: formText(new FormData(e.currentTarget), 'code') });
  };
  return (
    <form
      onSubmit={onSubmit}
      aria-label="Join a competition"
      className="flex flex-wrap items-end gap-3 rounded-lg border border-line bg-panel p-4"
    >
      <Field
        name="code"
        label="Join code"
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        maxLength={12}
        placeholder="e.g. K7Q9MP"
        hint="6 to 8 letters and digits; no 0, O, 1, I or L. Upper or lower case."
        error={errors.fields.code}
        className="min-w-56 flex-1 sm:max-w-xs [&_input]:font-mono [&_input]:uppercase [&_input]:tracking-[0.2em]"
      />
      <button
        type="submit"
        disabled={join.isPending}
        className="mb-[22px] rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110 disabled:opacity-60"
      >
        {join.isPending ? 'Joining…' : 'Join'}
      </button>
      {errors.form ? (
        <div className="w-full">
          <FormAlert>{errors.form}</FormAlert>
        </div>
      ) : null}
    </form>
  );
}

function CompetitionTable({
  caption,
  items,
  empty,
  href,
  showCode,
}: {
  caption: string;
  items: CompetitionListItem[];
  empty: string;
  href: (c: CompetitionListItem) => string;
  showCode?: boolean;
}) {
  if (items.length === 0)
    return (
      <p className="rounded-lg border border-dashed border-line p-6 text-center text-sm text-muted">
        {empty}
      </p>
    );
  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-panel">
      <table className="w-full min-w-[640px] text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-line text-xs uppercase tracking-wide text-muted">
          <tr>
            <th scope="col" className="px-3 py-2 text-left font-medium">
              Competition
            </th>
            <th scope="col" className="px-3 py-2 text-left font-medium">
              State
            </th>
            <th scope="col" className="px-3 py-2 text-left font-medium">
              Window
            </th>
            <th scope="col" className="px-3 py-2 text-left font-medium">
              Market
            </th>
            {showCode ? (
              <th scope="col" className="px-3 py-2 text-left font-medium">
                Code
              </th>
            ) : null}
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Students
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} className="border-b border-line/60 last:border-0 hover:bg-panel-2/50">
              <th scope="row" className="px-3 py-2 text-left font-medium">
                <Link href={href(c)} className="hover:text-accent hover:underline">
                  {c.name}
                </Link>
              </th>
              <td className="px-3 py-2">
                <StateBadge state={c.state} />
              </td>
              <td className="px-3 py-2 text-muted" suppressHydrationWarning>
                {formatWhen(c.startsAt)} → {formatWhen(c.endsAt)}
              </td>
              <td className="px-3 py-2">{c.market === 'own' ? 'Its own' : 'Main market'}</td>
              {showCode ? <td className="px-3 py-2 font-mono tracking-widest">{c.code}</td> : null}
              <td className="num px-3 py-2">{c.participants}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
